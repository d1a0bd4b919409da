// Package report renders a release's page: report/index.html, one
// self-contained file (styles, script and charts inline; no network) that a
// person opens from the release folder to see what is in the dataset, how
// good it is and where to look. It reads the release's own tables, so the
// numbers it shows are the tables' numbers, and it renders the same bytes
// from the same tables.
package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Path is the page's path inside a release folder.
const Path = "report/index.html"

// MaxReaderDocs bounds the documents the reader shows side by side: the
// overview and charts cover every document; the reader, whose size grows
// with the text, covers the first ones, and so does the review queue's list
// of beads (its links lead into the reader; the other documents' beads are
// counted, and listed in review.csv). Warnings are listed for every
// document.
const MaxReaderDocs = 50

// Input is what the page is made from.
type Input struct {
	Title, Version  string
	ReviewThreshold float64
	Card            []byte // the data card (README.md), Markdown
}

type doc struct {
	ID, TitleZh, TitleEn, Quality   string
	Languages, Warnings             []string
	Clauses, Sentences, Commitments int
	Sectors, Modalities, Strengths  map[string]int
}

type clause struct {
	ID, DocID, Kind, Label, TitleZh, TitleEn string
	Level                                    int
	Text                                     bool
	Sentences                                []*sentence
}

type sentence struct {
	ID, ClauseID, Zh, En, Bead, Reason string
	Review                             bool
	Units                              []unit
}

type unit struct{ Actor, Modality, Strength, Sector string }

type reviewItem struct{ Kind, ID, DocID, Reason, Text string }

type page struct {
	Input
	Docs        []*doc
	Kinds       []kv
	Totals      map[string]int
	Charts      []chart
	Reader      []*readerDoc
	ReaderNote  string
	Review      []reviewItem
	ReviewNote  string
	CardHTML    template.HTML
	ReaderHTML  template.HTML
	Sectors     []string
	ModalitiesL []string
	Actors      []string
}

type readerDoc struct {
	*doc
	Clauses []*clause
}

type kv struct {
	K string
	V int
}

type chart struct {
	ID, Title, Caption string
	SVG                template.HTML
}

// Collector gathers what the page shows from the release's rows, a row at
// a time: the release hands it each document's rows as it writes them
// (nothing is read back), and FromRelease reads them from a release
// folder's files. Rows must come as the files hold them: documents before
// their clauses, clauses before their sentences.
type Collector struct {
	p          *page
	docs       map[string]*doc
	reader     map[string]*readerDoc
	kinds      map[string]int
	clauses    map[string]*clause
	beads      map[string]int
	scores     [10]int // beads per score band of 0.1
	sentences  map[string]*sentence
	actors     map[string]int
	sectors    map[string]bool
	modalities map[string]bool
	actorSet   map[string]bool
	continuity map[string][2]int // group → continued, dropped
	groups     []string
	// reviewElsewhere counts the beads to review in documents the reader
	// does not show: listing them made the page, and the memory that
	// renders it, grow with the corpus, by links that led nowhere.
	reviewElsewhere int
	// readerDone is the reader's HTML once rendered; a new row drops it.
	readerDone *template.HTML
}

// NewCollector starts an empty collector.
func NewCollector() *Collector {
	return &Collector{p: &page{Totals: map[string]int{}}, docs: map[string]*doc{}, reader: map[string]*readerDoc{},
		kinds: map[string]int{}, clauses: map[string]*clause{}, beads: map[string]int{}, sentences: map[string]*sentence{},
		actors: map[string]int{}, sectors: map[string]bool{}, modalities: map[string]bool{}, actorSet: map[string]bool{},
		continuity: map[string][2]int{}}
}

// Tables are the tables the page is made from, with the file each is read
// from in a release folder.
var Tables = map[string]string{
	"documents": "documents.jsonl", "clauses": "clauses.jsonl", "sentences": "sentences.jsonl",
	"commitments": "commitments.jsonl", "mechanisms": "mechanisms.jsonl", "links": "links.jsonl",
	"continuity": "continuity.jsonl", "review": "review.csv",
}

// Row takes one row of a table; get returns a column's value.
func (c *Collector) Row(table string, get func(column string) any) {
	p := c.p
	c.readerDone = nil
	switch table {
	case "documents":
		d := &doc{ID: s(get("doc_id")), TitleZh: s(get("title_zh")), TitleEn: s(get("title_en")), Quality: s(get("quality")),
			Languages: strs(get("languages")), Warnings: strs(get("warnings"))}
		p.Docs = append(p.Docs, d)
		c.docs[d.ID] = d
		if len(p.Reader) < MaxReaderDocs {
			// Only these documents get charts of their own: the others
			// keep their counts, not their breakdowns.
			d.Sectors, d.Modalities, d.Strengths = map[string]int{}, map[string]int{}, map[string]int{}
			rd := &readerDoc{doc: d}
			p.Reader = append(p.Reader, rd)
			c.reader[d.ID] = rd
		}
	case "clauses":
		cl := &clause{ID: s(get("clause_id")), DocID: s(get("doc_id")), Kind: s(get("kind")), Label: s(get("label")),
			TitleZh: s(get("title_zh")), TitleEn: s(get("title_en")), Level: int(num(get("level"))),
			Text: get("text_zh") != nil || get("text_en") != nil}
		c.kinds[cl.Kind]++
		p.Totals["clauses"]++
		if d := c.docs[cl.DocID]; d != nil {
			d.Clauses++
		}
		if rd := c.reader[cl.DocID]; rd != nil {
			rd.Clauses = append(rd.Clauses, cl)
			c.clauses[cl.ID] = cl
		}
	case "sentences":
		p.Totals["sentences"]++
		if d := c.docs[s(get("doc_id"))]; d != nil {
			d.Sentences++
		}
		if b := s(get("bead")); b != "" {
			c.beads[b]++
		}
		if sc, ok := get("score").(float64); ok {
			c.scores[min(9, int(sc*10))]++
		}
		if cl := c.clauses[s(get("clause_id"))]; cl != nil {
			st := &sentence{ID: s(get("sentence_id")), ClauseID: cl.ID, Zh: s(get("zh")), En: s(get("en")), Bead: s(get("bead")),
				Review: get("needs_review") == true, Reason: s(get("review_reason"))}
			cl.Sentences = append(cl.Sentences, st)
			c.sentences[st.ID] = st
		}
	case "commitments":
		if get("is_commitment") != true {
			return
		}
		p.Totals["commitments"]++
		u := unit{Actor: s(get("actor")), Modality: s(get("modality")), Strength: s(get("strength")), Sector: s(get("sector"))}
		c.actors[u.Actor]++
		c.sectors[u.Sector], c.modalities[u.Modality], c.actorSet[u.Actor] = true, true, true
		if d := c.docs[s(get("doc_id"))]; d != nil {
			d.Commitments++
			if d.Sectors != nil {
				d.Sectors[u.Sector]++
				d.Modalities[u.Modality]++
				d.Strengths[u.Strength]++
			}
		}
		if st := c.sentences[s(get("sentence_id"))]; st != nil {
			st.Units = append(st.Units, u)
		}
	case "mechanisms":
		p.Totals["mechanisms"]++
	case "links":
		p.Totals["links"]++
	case "continuity":
		// Documents past the reader's are counted together: a bar pair
		// per article of every document would make the chart as long as
		// the corpus.
		g := otherDocuments
		if c.reader[s(get("doc_id"))] != nil {
			g = group(s(get("clause_id")))
		}
		if _, ok := c.continuity[g]; !ok {
			c.groups = append(c.groups, g)
		}
		n := c.continuity[g]
		if s(get("status")) == "continued" {
			n[0]++
		} else {
			n[1]++
		}
		c.continuity[g] = n
	case "review":
		if c.reader[s(get("doc_id"))] == nil {
			c.reviewElsewhere++
			return
		}
		p.Review = append(p.Review, reviewItem{Kind: "bead", ID: s(get("sentence_id")), DocID: s(get("doc_id")), Reason: s(get("reason")),
			Text: shorten(s(get("zh"))+" | "+s(get("en")), 120)})
	}
}

// FromRelease collects the rows of a release folder's files.
func FromRelease(open func(name string) (io.ReadCloser, error)) (*Collector, error) {
	c := NewCollector()
	for _, table := range []string{"documents", "clauses", "sentences", "commitments", "mechanisms", "links", "continuity"} {
		name := Tables[table]
		if err := eachJSON(open, name, func(r map[string]any) { c.Row(table, func(k string) any { return r[k] }) }); err != nil {
			if table == "links" || table == "continuity" {
				continue // releases before links
			}
			return nil, err
		}
	}
	if err := eachCSV(open, "review.csv", func(r map[string]string) {
		c.Row("review", func(k string) any { return r[k] })
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// Render renders the page from what c collected.
func Render(in Input, c *Collector) ([]byte, error) {
	p := c.p
	p.Input = in
	if len(p.Docs) > len(p.Reader) {
		p.ReaderNote = fmt.Sprintf("The reader shows the first %d of %d documents; the overview and the charts cover all of them.", len(p.Reader), len(p.Docs))
	}
	if n := c.reviewElsewhere; n > 0 {
		p.ReviewNote = fmt.Sprintf("The list shows the beads of the %d documents in the reader; %d more beads to review are in the other documents, and review.csv lists every one.", len(p.Reader), n)
	}
	p.Kinds = nil
	for k, v := range c.kinds {
		p.Kinds = append(p.Kinds, kv{k, v})
	}
	sort.Slice(p.Kinds, func(i, j int) bool {
		return p.Kinds[i].V > p.Kinds[j].V || p.Kinds[i].V == p.Kinds[j].V && p.Kinds[i].K < p.Kinds[j].K
	})
	p.Sectors, p.ModalitiesL, p.Actors = keys(c.sectors), keys(c.modalities), keys(c.actorSet)
	review := append([]reviewItem{}, p.Review...)
	for _, d := range p.Docs {
		for _, w := range d.Warnings {
			review = append(review, reviewItem{Kind: "warning", ID: d.ID, DocID: d.ID, Reason: w})
		}
	}
	pg := *p
	pg.Review = review
	pg.Charts = charts(&pg, c.beads, c.scores, c.actors, c.continuity, c.groups)
	var card bytes.Buffer
	md := goldmark.New(goldmark.WithExtensions(extension.Table))
	if err := md.Convert(in.Card, &card); err != nil {
		return nil, fmt.Errorf("report: the data card: %w", err)
	}
	pg.CardHTML = template.HTML(card.String())
	reader, err := c.readerHTML()
	if err != nil {
		return nil, err
	}
	pg.ReaderHTML = reader
	var out bytes.Buffer
	if err := pageTemplate.Execute(&out, &pg); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return out.Bytes(), nil
}

// readerHTML renders the reader's documents, or returns them as rendered
// by the last call if no row came since: they depend on the rows alone,
// not on the Input, and a release renders the page for two versions.
func (c *Collector) readerHTML() (template.HTML, error) {
	if c.readerDone == nil {
		var b strings.Builder
		if err := readerTemplate.Execute(&b, c.p); err != nil {
			return "", fmt.Errorf("report: %w", err)
		}
		h := template.HTML(b.String())
		c.readerDone = &h
	}
	return *c.readerDone, nil
}

// group is the first level of a clause id under its document: the article,
// part or preface a clause belongs to.
// otherDocuments is the continuity chart's group for the documents the
// reader does not show; it comes last.
const otherDocuments = "other documents"

func group(id string) string {
	parts := strings.SplitN(id, "/", 3)
	if len(parts) < 2 {
		return id
	}
	return parts[0] + "/" + parts[1]
}

func eachJSON(open func(string) (io.ReadCloser, error), name string, fn func(map[string]any)) error {
	f, err := open(name)
	if err != nil {
		return fmt.Errorf("report: %s: %w", name, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for line := 1; sc.Scan(); line++ {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("report: %s line %d: %w", name, line, err)
		}
		fn(r)
	}
	return sc.Err()
}

func eachCSV(open func(string) (io.ReadCloser, error), name string, fn func(map[string]string)) error {
	f, err := open(name)
	if err != nil {
		return fmt.Errorf("report: %s: %w", name, err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("report: %s: %w", name, err)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("report: %s: %w", name, err)
		}
		row := map[string]string{}
		for i, h := range header {
			row[h] = rec[i]
		}
		fn(row)
	}
}

func s(v any) string {
	x, _ := v.(string)
	return x
}

// num reads a number as JSON gives it (float64) or as a row holds it
// (int64).
func num(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return 0
}

// strs reads a list as JSON gives it ([]any) or as a row holds it
// ([]string).
func strs(v any) []string {
	if xs, ok := v.([]string); ok {
		return append([]string{}, xs...)
	}
	xs, _ := v.([]any)
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, s(x))
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// charts renders the page's SVG charts.
func charts(p *page, beads map[string]int, scores [10]int, actors map[string]int, continuity map[string][2]int, groups []string) []chart {
	var out []chart
	for _, d := range p.Docs {
		if len(out) >= 2*MaxReaderDocs {
			break
		}
		out = append(out, chart{ID: "sectors-" + d.ID, Title: "Commitments per sector: " + d.ID,
			Caption: fmt.Sprintf("%d commitments", d.Commitments), SVG: bars(sortedCounts(d.Sectors), nil)})
		ms := sortedCounts(d.Modalities)
		for _, st := range sortedCounts(d.Strengths) {
			ms = append(ms, kv{"strength " + st.K, st.V})
		}
		out = append(out, chart{ID: "modality-" + d.ID, Title: "Modality and strength: " + d.ID,
			Caption: "units per modality, then per strength", SVG: bars(ms, nil)})
	}
	var total int
	for _, v := range actors {
		total += v
	}
	var shares []kv
	for _, a := range sortedCounts(actors) {
		shares = append(shares, kv{fmt.Sprintf("%s (%.0f%%)", a.K, 100*float64(a.V)/math.Max(1, float64(total))), a.V})
	}
	out = append(out, chart{ID: "actors", Title: "Who commits", Caption: "share of all commitments by actor", SVG: bars(shares, nil)})
	out = append(out, chart{ID: "beads", Title: "Alignment bead shapes", Caption: "Chinese–English beads by shape (sentences zh-en)", SVG: bars(sortedCounts(beads), nil)})
	hist := make([]kv, 10)
	for i := range hist {
		hist[i].K = fmt.Sprintf("%.1f–%.1f", float64(i)/10, float64(i+1)/10)
	}
	for i, n := range scores {
		hist[i].V = n
	}
	threshold := p.ReviewThreshold
	out = append(out, chart{ID: "scores", Title: "Alignment scores", Caption: fmt.Sprintf("beads per score band; beads under the review threshold %.2f are flagged", threshold),
		SVG: bars(hist, func(i int) bool { return float64(i+1)/10 <= threshold+1e-9 })})
	if len(groups) > 0 {
		var rows []kv
		var marks []bool
		if i := slices.Index(groups, otherDocuments); i >= 0 {
			groups = append(slices.Delete(slices.Clone(groups), i, i+1), otherDocuments)
		}
		for _, g := range groups {
			n := continuity[g]
			rows = append(rows, kv{g + " continued", n[0]}, kv{g + " dropped", n[1]})
			marks = append(marks, false, true)
		}
		out = append(out, chart{ID: "continuity", Title: "Continued and dropped, per article or part", Caption: "clauses of each earlier document a later one continues, and those it drops",
			SVG: bars(rows, func(i int) bool { return marks[i] })})
	}
	return out
}

func sortedCounts(m map[string]int) []kv {
	var out []kv
	for _, k := range keys(m) {
		out = append(out, kv{k, m[k]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].V > out[j].V })
	return out
}

// bars draws a horizontal bar chart; marked bars are drawn in the second
// colour (under the review threshold, dropped).
func bars(rows []kv, marked func(int) bool) template.HTML {
	const rowH, labelW, barW, width = 22, 260, 320, 640
	maxV := 1
	for _, r := range rows {
		maxV = max(maxV, r.V)
	}
	h := rowH*len(rows) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="bar chart">`, width, h)
	for i, r := range rows {
		y := 5 + i*rowH
		w := int(math.Round(float64(barW) * float64(r.V) / float64(maxV)))
		class := "bar"
		if marked != nil && marked(i) {
			class = "bar marked"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="label" text-anchor="end">%s</text>`, labelW-6, y+15, template.HTMLEscapeString(r.K))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" class="%s"><title>%s: %d</title></rect>`, labelW, y+3, w, rowH-6, class, template.HTMLEscapeString(r.K), r.V)
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="value" data-value="%d">%d</text>`, labelW+w+6, y+15, r.V, r.V)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
