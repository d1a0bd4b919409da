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
	"sort"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Path is the page's path inside a release folder.
const Path = "report/index.html"

// MaxReaderDocs bounds the documents the reader shows side by side: the
// overview, charts and review queue cover every document; the reader, whose
// size grows with the text, covers the first ones.
const MaxReaderDocs = 50

// Input is what the page is made from.
type Input struct {
	Title, Version  string
	ReviewThreshold float64
	Card            []byte // the data card (README.md), Markdown
	// Open opens a file of the release by name (clauses.jsonl…).
	Open func(name string) (io.ReadCloser, error)
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
	CardHTML    template.HTML
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

// Render reads the release's tables and renders the page.
func Render(in Input) ([]byte, error) {
	p := &page{Input: in, Totals: map[string]int{}}
	docs := map[string]*doc{}
	reader := map[string]*readerDoc{}
	if err := eachJSON(in.Open, "documents.jsonl", func(r map[string]any) {
		d := &doc{ID: s(r["doc_id"]), TitleZh: s(r["title_zh"]), TitleEn: s(r["title_en"]), Quality: s(r["quality"]),
			Languages: strs(r["languages"]), Warnings: strs(r["warnings"]),
			Sectors: map[string]int{}, Modalities: map[string]int{}, Strengths: map[string]int{}}
		p.Docs = append(p.Docs, d)
		docs[d.ID] = d
		if len(p.Reader) < MaxReaderDocs {
			rd := &readerDoc{doc: d}
			p.Reader = append(p.Reader, rd)
			reader[d.ID] = rd
		}
	}); err != nil {
		return nil, err
	}
	if len(p.Docs) > len(p.Reader) {
		p.ReaderNote = fmt.Sprintf("The reader shows the first %d of %d documents; the overview, the charts and the review queue cover all of them.", len(p.Reader), len(p.Docs))
	}
	kinds := map[string]int{}
	clauses := map[string]*clause{}
	if err := eachJSON(in.Open, "clauses.jsonl", func(r map[string]any) {
		c := &clause{ID: s(r["clause_id"]), DocID: s(r["doc_id"]), Kind: s(r["kind"]), Label: s(r["label"]),
			TitleZh: s(r["title_zh"]), TitleEn: s(r["title_en"]), Level: int(num(r["level"])),
			Text: r["text_zh"] != nil || r["text_en"] != nil}
		kinds[c.Kind]++
		p.Totals["clauses"]++
		if d := docs[c.DocID]; d != nil {
			d.Clauses++
		}
		if rd := reader[c.DocID]; rd != nil {
			rd.Clauses = append(rd.Clauses, c)
			clauses[c.ID] = c
		}
	}); err != nil {
		return nil, err
	}
	for k, v := range kinds {
		p.Kinds = append(p.Kinds, kv{k, v})
	}
	sort.Slice(p.Kinds, func(i, j int) bool { return p.Kinds[i].V > p.Kinds[j].V || p.Kinds[i].V == p.Kinds[j].V && p.Kinds[i].K < p.Kinds[j].K })
	beads := map[string]int{}
	var scores []float64
	sentences := map[string]*sentence{}
	if err := eachJSON(in.Open, "sentences.jsonl", func(r map[string]any) {
		p.Totals["sentences"]++
		if d := docs[s(r["doc_id"])]; d != nil {
			d.Sentences++
		}
		if b := s(r["bead"]); b != "" {
			beads[b]++
		}
		if sc, ok := r["score"].(float64); ok {
			scores = append(scores, sc)
		}
		if c := clauses[s(r["clause_id"])]; c != nil {
			st := &sentence{ID: s(r["sentence_id"]), ClauseID: c.ID, Zh: s(r["zh"]), En: s(r["en"]), Bead: s(r["bead"]),
				Review: r["needs_review"] == true, Reason: s(r["review_reason"])}
			c.Sentences = append(c.Sentences, st)
			sentences[st.ID] = st
		}
	}); err != nil {
		return nil, err
	}
	actors := map[string]int{}
	sectors, modalities, actorSet := map[string]bool{}, map[string]bool{}, map[string]bool{}
	if err := eachJSON(in.Open, "commitments.jsonl", func(r map[string]any) {
		if r["is_commitment"] != true {
			return
		}
		p.Totals["commitments"]++
		u := unit{Actor: s(r["actor"]), Modality: s(r["modality"]), Strength: s(r["strength"]), Sector: s(r["sector"])}
		actors[u.Actor]++
		sectors[u.Sector], modalities[u.Modality], actorSet[u.Actor] = true, true, true
		if d := docs[s(r["doc_id"])]; d != nil {
			d.Commitments++
			d.Sectors[u.Sector]++
			d.Modalities[u.Modality]++
			d.Strengths[u.Strength]++
		}
		if st := sentences[s(r["sentence_id"])]; st != nil {
			st.Units = append(st.Units, u)
		}
	}); err != nil {
		return nil, err
	}
	p.Sectors, p.ModalitiesL, p.Actors = keys(sectors), keys(modalities), keys(actorSet)
	if err := eachJSON(in.Open, "mechanisms.jsonl", func(map[string]any) { p.Totals["mechanisms"]++ }); err != nil {
		return nil, err
	}
	continuity := map[string][2]int{} // group → continued, dropped
	var groups []string
	hasLinks := true
	if err := eachJSON(in.Open, "links.jsonl", func(map[string]any) { p.Totals["links"]++ }); err != nil {
		hasLinks = false
	}
	if hasLinks {
		if err := eachJSON(in.Open, "continuity.jsonl", func(r map[string]any) {
			g := group(s(r["clause_id"]))
			if _, ok := continuity[g]; !ok {
				groups = append(groups, g)
			}
			n := continuity[g]
			if s(r["status"]) == "continued" {
				n[0]++
			} else {
				n[1]++
			}
			continuity[g] = n
		}); err != nil {
			return nil, err
		}
	}
	if err := eachCSV(in.Open, "review.csv", func(r map[string]string) {
		p.Review = append(p.Review, reviewItem{Kind: "bead", ID: r["sentence_id"], DocID: r["doc_id"], Reason: r["reason"], Text: shorten(r["zh"]+" | "+r["en"], 120)})
	}); err != nil {
		return nil, err
	}
	for _, d := range p.Docs {
		for _, w := range d.Warnings {
			p.Review = append(p.Review, reviewItem{Kind: "warning", ID: d.ID, DocID: d.ID, Reason: w})
		}
	}
	p.Charts = charts(p, beads, scores, actors, continuity, groups)
	var card bytes.Buffer
	md := goldmark.New(goldmark.WithExtensions(extension.Table))
	if err := md.Convert(in.Card, &card); err != nil {
		return nil, fmt.Errorf("report: the data card: %w", err)
	}
	p.CardHTML = template.HTML(card.String())
	var out bytes.Buffer
	if err := pageTemplate.Execute(&out, p); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return out.Bytes(), nil
}

// group is the first level of a clause id under its document: the article,
// part or preface a clause belongs to.
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

func num(v any) float64 {
	x, _ := v.(float64)
	return x
}

func strs(v any) []string {
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
func charts(p *page, beads map[string]int, scores []float64, actors map[string]int, continuity map[string][2]int, groups []string) []chart {
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
	for _, sc := range scores {
		hist[min(9, int(sc*10))].V++
	}
	threshold := p.ReviewThreshold
	out = append(out, chart{ID: "scores", Title: "Alignment scores", Caption: fmt.Sprintf("beads per score band; beads under the review threshold %.2f are flagged", threshold),
		SVG: bars(hist, func(i int) bool { return float64(i+1)/10 <= threshold+1e-9 })})
	if len(groups) > 0 {
		var rows []kv
		var marks []bool
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
