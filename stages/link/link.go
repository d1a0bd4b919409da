// Package link is the cross-document step: what became of each clause of an
// earlier document in the later ones. Per document it extracts features of
// every text clause (character bigrams of the simplified Chinese, content
// words of the English, anchors shared by both languages, named mechanisms,
// sectors and modalities of its commitments); over the run it compares each
// document with the next few later ones and keeps the pairs of clauses whose
// score passes the rules' threshold. A link depends only on the two
// documents and on rules.yaml.
package link

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v4"
	"golang.org/x/text/unicode/norm"

	"github.com/policyledger/policyledger/anchors"
	"github.com/policyledger/policyledger/hanzi"
	"github.com/policyledger/policyledger/schemas"
)

//go:embed rules.yaml
var rulesYAML []byte

// Rules are the linker's weights and thresholds.
type Rules struct {
	Version string `yaml:"version"`
	Window  int    `yaml:"window"`
	Weights struct {
		Text      float64 `yaml:"text"`
		Mechanism float64 `yaml:"mechanism"`
		Anchors   float64 `yaml:"anchors"`
		Sector    float64 `yaml:"sector"`
	} `yaml:"weights"`
	// Generic anchors name a party or an organisation every paragraph may
	// mention (拉共体, 联合国): sharing one says nothing about continuity.
	Generic []string `yaml:"generic_anchors"`
	Link    float64  `yaml:"link"`
	Keep    float64  `yaml:"keep"`
	Review  float64  `yaml:"review"`
}

// LoadRules reads the shipped rules.
func LoadRules() (*Rules, error) {
	var r Rules
	dec := yaml.NewDecoder(strings.NewReader(string(rulesYAML)))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("link: stages/link/rules.yaml: %w", err)
	}
	if r.Window < 1 || r.Link <= 0 || r.Keep <= 0 || r.Keep > 1 {
		return nil, fmt.Errorf("link: stages/link/rules.yaml: window must be ≥ 1, link > 0 and keep in (0,1]")
	}
	return &r, nil
}

// Stage extracts each document's link features.
type Stage struct{}

// Name implements the pipeline's stage contract.
func (Stage) Name() string { return "link" }

// Prepare loads the curated glossary (its terms are anchors shared by
// Chinese and English) and returns the function that extracts one
// document's features.
func (Stage) Prepare(ctx context.Context, st *schemas.State) (schemas.DocFunc, error) {
	terms, err := anchors.Load(st.Sources)
	if err != nil {
		return nil, err
	}
	registry, err := anchors.LoadRegistry(st.Sources)
	if err != nil {
		return nil, err
	}
	g := anchors.NewGlossary(terms, registry)
	r, err := LoadRules()
	if err != nil {
		return nil, err
	}
	return func(d *schemas.Document, t *schemas.Tally) error {
		f := Features(*d, g, r)
		d.Features = &f
		t.Count("link.clauses", len(f.Clauses))
		return nil
	}, nil
}

// Features extracts a document's link features; anchors the rules call
// generic are left out.
func Features(d schemas.Document, g *anchors.Glossary, r *Rules) schemas.DocFeatures {
	generic := map[string]bool{}
	for _, k := range r.Generic {
		generic[k] = true
	}
	f := schemas.DocFeatures{DocID: d.Source.ID, Sequence: d.Source.Sequence}
	if d.Source.AdoptedDate != nil {
		f.Date = *d.Source.AdoptedDate
	} else if d.Source.PublishedDate != nil {
		f.Date = *d.Source.PublishedDate
	}
	units := map[string][]schemas.Commitment{}
	for _, c := range d.Commitments {
		units[c.ClauseID] = append(units[c.ClauseID], c)
	}
	for _, c := range d.Clauses {
		if !c.IsText() {
			continue
		}
		cf := schemas.ClauseFeatures{ID: c.ID}
		var keys []string
		if c.TextZh != "" {
			zh := hanzi.Simplified(norm.NFKC.String(c.TextZh))
			cf.Zh = bigrams(zh)
			if g != nil {
				keys = append(keys, g.Zh(zh)...)
			}
		}
		if c.TextEn != "" {
			cf.En = words(c.TextEn)
			if g != nil {
				keys = append(keys, g.En(c.TextEn)...)
			}
		}
		cf.Anchors = distinctiveAnchors(keys, generic)
		for _, u := range units[c.ID] {
			cf.Mech = append(cf.Mech, u.MechanismIDs...)
			if u.IsCommitment {
				cf.Sectors = append(cf.Sectors, u.Sector)
				cf.Modal = append(cf.Modal, u.Modality)
			}
		}
		cf.Mech, cf.Sectors, cf.Modal = set(cf.Mech), set(cf.Sectors), set(cf.Modal)
		f.Clauses = append(f.Clauses, cf)
	}
	return f
}

// bigrams counts the pairs of adjacent Han characters (a run of Han text
// broken by anything else starts again).
func bigrams(s string) map[string]int {
	out := map[string]int{}
	var prev rune
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			if prev != 0 {
				out[string([]rune{prev, r})]++
			}
			prev = r
		} else {
			prev = 0
		}
	}
	return out
}

var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`the and for with will its their this that from into such other more
		both sides side china chinese latin america american caribbean lac countries country region regional
		cooperation cooperate continue continued promote promoting strengthen enhance expand deepen support
		also are was were been being has have had which who whom these those than then them they between
		within under over upon about across well including include includes all any each new further`) {
		stopwords[w] = true
	}
}

// words counts the content words of English text (lower-cased, three
// letters or more, a plural s removed, common words left out).
func words(s string) map[string]int {
	out := map[string]int{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len(w) < 3 || stopwords[w] {
			continue
		}
		if len(w) > 4 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			w = w[:len(w)-1]
		}
		out[w]++
	}
	return out
}

// distinctiveAnchors keeps the anchors that name something: glossary terms,
// Latin tokens, and numbers of three digits or more (resolution numbers,
// years); small numbers are everywhere.
func distinctiveAnchors(keys []string, generic map[string]bool) []string {
	var out []string
	for _, k := range keys {
		if n, ok := strings.CutPrefix(k, "num:"); ok && len(n) < 3 || generic[k] {
			continue
		}
		out = append(out, k)
	}
	return set(out)
}

func set(xs []string) []string {
	if len(xs) == 0 {
		return nil
	}
	sort.Strings(xs)
	out := xs[:1]
	for _, x := range xs[1:] {
		if x != out[len(out)-1] {
			out = append(out, x)
		}
	}
	return out
}

// Before reports whether document a comes before b, and whether they can
// be ordered at all: by date when both have one, else by sequence when both
// have one.
func Before(a, b schemas.DocFeatures) (before, ordered bool) {
	switch {
	case a.Date != "" && b.Date != "":
		return a.Date < b.Date, a.Date != b.Date
	case a.Sequence != nil && b.Sequence != nil:
		return *a.Sequence < *b.Sequence, *a.Sequence != *b.Sequence
	}
	return false, false
}

// Pair links the clauses of the earlier document a to those of the later
// document b.
func Pair(a, b schemas.DocFeatures, r *Rules) []schemas.Link {
	idfZh := idf(a, b, func(c schemas.ClauseFeatures) map[string]int { return c.Zh })
	idfEn := idf(a, b, func(c schemas.ClauseFeatures) map[string]int { return c.En })
	idfAnchor := idf(a, b, func(c schemas.ClauseFeatures) map[string]int { return counts(c.Anchors) })
	// Mechanisms: how rare among all the clauses of the two documents,
	// relative to one that only the two linked clauses name.
	idfMech := map[string]float64{}
	all := float64(len(a.Clauses) + len(b.Clauses))
	for k, v := range dfOf(a, b, func(c schemas.ClauseFeatures) []string { return c.Mech }) {
		idfMech[k] = math.Log((all + 1) / float64(v+1))
	}
	maxIDF := math.Log((all + 1) / 3)
	vec := func(c schemas.ClauseFeatures) (vector, vector) {
		return weigh(c.Zh, idfZh), weigh(c.En, idfEn)
	}
	// Inverted indexes of the later document's text features: the share
	// of an earlier clause found in each later clause is summed over the
	// earlier clause's features in key order, as a pairwise merge would,
	// so the figures are the same bits, at a fraction of the work.
	zhIndex, enIndex := postings(b, func(c schemas.ClauseFeatures) map[string]int { return c.Zh }),
		postings(b, func(c schemas.ClauseFeatures) map[string]int { return c.En })
	hasZh, hasEn := make([]bool, len(b.Clauses)), make([]bool, len(b.Clauses))
	for j, c := range b.Clauses {
		hasZh[j], hasEn[j] = len(c.Zh) > 0, len(c.En) > 0
	}
	numZh, numEn := make([]float64, len(b.Clauses)), make([]float64, len(b.Clauses))
	var out []schemas.Link
	for _, ca := range a.Clauses {
		az, ae := vec(ca)
		totZh, totEn := hits(az, zhIndex, numZh), hits(ae, enIndex, numEn)
		type cand struct {
			j     int
			score float64
			text  float64
		}
		var cands []cand
		best := 0.0
		anchorTotal := weightOf(ca.Anchors, idfAnchor)
		for j, cb := range b.Clauses {
			text := 0.0
			switch {
			case len(ca.Zh) > 0 && hasZh[j]:
				if totZh > 0 {
					text = numZh[j] / totZh
				}
			case len(ca.En) > 0 && hasEn[j]:
				if totEn > 0 {
					text = numEn[j] / totEn
				}
			}
			score := r.Weights.Text * text
			if shared := intersect(ca.Mech, cb.Mech); len(shared) > 0 {
				// A mechanism many clauses name (the Belt and Road
				// Initiative) says less than a forum named once.
				m := 0.0
				for _, k := range shared {
					m = math.Max(m, idfMech[k]/maxIDF)
				}
				score += r.Weights.Mechanism * m
			}
			if anchorTotal > 0 {
				if shared := intersect(ca.Anchors, cb.Anchors); len(shared) > 0 {
					score += r.Weights.Anchors * weightOf(shared, idfAnchor) / anchorTotal
				}
			}
			if len(intersect(ca.Sectors, cb.Sectors)) > 0 {
				score += r.Weights.Sector
			}
			score = math.Min(1, score)
			if score >= r.Link {
				cands = append(cands, cand{j, score, text})
				best = math.Max(best, score)
			}
		}
		clear(numZh)
		clear(numEn)
		for _, c := range cands {
			if c.score < r.Keep*best {
				continue
			}
			cb := b.Clauses[c.j]
			var evidence []string
			if c.text > 0 {
				evidence = append(evidence, fmt.Sprintf("text %.2f", c.text))
			}
			for _, k := range intersect(ca.Mech, cb.Mech) {
				evidence = append(evidence, "mechanism "+k)
			}
			if shared := intersect(ca.Anchors, cb.Anchors); anchorTotal > 0 && weightOf(shared, idfAnchor) > 0 {
				for _, k := range shared {
					evidence = append(evidence, "anchor "+k)
				}
			}
			if shared := intersect(ca.Sectors, cb.Sectors); len(shared) > 0 {
				evidence = append(evidence, "sector "+shared[0])
			}
			if shared := intersect(ca.Modal, cb.Modal); len(shared) > 0 {
				evidence = append(evidence, "modality "+shared[0])
			}
			rel := "same"
			if upgraded(ca.Modal, b.Clauses[c.j].Modal) {
				rel = "extends"
			}
			out = append(out, schemas.Link{From: ca.ID, To: b.Clauses[c.j].ID, FromDoc: a.DocID, ToDoc: b.DocID,
				Relation: rel, Score: math.Round(c.score*10000) / 10000, Evidence: evidence})
		}
	}
	return out
}

// postings indexes the clauses of d by feature.
func postings(d schemas.DocFeatures, of func(schemas.ClauseFeatures) map[string]int) map[string][]int {
	out := map[string][]int{}
	for j, c := range d.Clauses {
		for k := range of(c) {
			out[k] = append(out[k], j)
		}
	}
	return out
}

// hits adds, for each later clause, the weight of the earlier clause's
// features it holds (in the vector's key order), and returns the earlier
// clause's total weight.
func hits(a vector, index map[string][]int, num []float64) float64 {
	var all float64
	for _, e := range a {
		all += e.w
		for _, j := range index[e.key] {
			num[j] += e.w
		}
	}
	return all
}

// idf is the inverse document frequency of each feature over the clauses
// of the two documents.
func idf(a, b schemas.DocFeatures, of func(schemas.ClauseFeatures) map[string]int) map[string]float64 {
	df := map[string]int{}
	n := 0
	for _, d := range []schemas.DocFeatures{a, b} {
		for _, c := range d.Clauses {
			if m := of(c); len(m) > 0 {
				n++
				for k := range m {
					df[k]++
				}
			}
		}
	}
	out := make(map[string]float64, len(df))
	for k, v := range df {
		out[k] = math.Log(float64(n+1) / float64(v+1))
	}
	return out
}

// vector is a sparse vector sorted by key, so that sums run in a fixed
// order and scores are the same bits on every run.
type vector []entry

type entry struct {
	key string
	w   float64
}

// dfOf counts, per key, the clauses of the two documents that have it.
func dfOf(a, b schemas.DocFeatures, of func(schemas.ClauseFeatures) []string) map[string]int {
	df := map[string]int{}
	for _, d := range []schemas.DocFeatures{a, b} {
		for _, c := range d.Clauses {
			for _, k := range of(c) {
				df[k]++
			}
		}
	}
	return df
}

func weigh(tf map[string]int, idf map[string]float64) vector {
	if len(tf) == 0 {
		return nil
	}
	out := make(vector, 0, len(tf))
	for k, n := range tf {
		if w := idf[k]; w > 0 {
			out = append(out, entry{k, (1 + math.Log(float64(n))) * w})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

func counts(xs []string) map[string]int {
	if len(xs) == 0 {
		return nil
	}
	m := make(map[string]int, len(xs))
	for _, x := range xs {
		m[x]++
	}
	return m
}

// weightOf sums the weights of keys, in their (sorted) order.
func weightOf(keys []string, idf map[string]float64) float64 {
	var w float64
	for _, k := range keys {
		w += idf[k]
	}
	return w
}

// upgraded reports whether the later clause commits where the earlier one
// only explored (探讨, 探索, explore): the action has moved on.
func upgraded(earlier, later []string) bool {
	return len(intersect(earlier, []string{"explore"})) > 0 && len(later) > 0 && len(intersect(later, []string{"explore"})) == 0
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		i := sort.SearchStrings(b, x)
		if i < len(b) && b[i] == x {
			out = append(out, x)
		}
	}
	return out
}

// Corpus links every document to the next Window later ones. features
// returns a document's features by index (the caller may keep them on
// disk); docs are in manifest order. It returns the links, the continuity
// of every clause of a document that has a later one, and notes for pairs
// that cannot be ordered.
func Corpus(n int, features func(i int) (schemas.DocFeatures, error), r *Rules) ([]schemas.Link, []schemas.Continuity, []string, error) {
	heads := make([]schemas.DocFeatures, n) // features without clauses, to order
	for i := range heads {
		f, err := features(i)
		if err != nil {
			return nil, nil, nil, err
		}
		heads[i] = schemas.DocFeatures{DocID: f.DocID, Date: f.Date, Sequence: f.Sequence}
	}
	var links []schemas.Link
	var cont []schemas.Continuity
	var notes []string
	// Three orders: documents with a date by date; documents with a
	// sequence by sequence; and those of them without a date, the later
	// documents a dated one can reach by sequence.
	var dated, seq, seqOnly []int
	for i, h := range heads {
		if h.Date != "" {
			dated = append(dated, i)
		}
		if h.Sequence != nil {
			seq = append(seq, i)
			if h.Date == "" {
				seqOnly = append(seqOnly, i)
			}
		}
		if h.Date == "" && h.Sequence == nil {
			notes = append(notes, fmt.Sprintf("link: %s is not linked: give it a date (adopted_date or published_date) or a sequence in sources.yaml", h.DocID))
		}
	}
	byDate := func(xs []int) {
		sort.SliceStable(xs, func(x, y int) bool { return heads[xs[x]].Date < heads[xs[y]].Date })
	}
	bySeq := func(xs []int) {
		sort.SliceStable(xs, func(x, y int) bool { return *heads[xs[x]].Sequence < *heads[xs[y]].Sequence })
	}
	byDate(dated)
	bySeq(seq)
	bySeq(seqOnly)
	// A document with only a date and one with only a sequence cannot be
	// ordered: one note per document with only a sequence says so.
	var dateOnly []string
	for _, i := range dated {
		if heads[i].Sequence == nil {
			dateOnly = append(dateOnly, heads[i].DocID)
		}
	}
	if len(dateOnly) > 0 {
		for _, i := range seqOnly {
			notes = append(notes, fmt.Sprintf("link: %s (sequence only) and %d document(s) with only a date, such as %s, are not linked: give both a date (adopted_date or published_date) or both a sequence in sources.yaml", heads[i].DocID, len(dateOnly), dateOnly[0]))
		}
	}
	// next returns up to Window documents of xs whose key is greater than
	// i's: xs is sorted by that key, so they follow the first one greater.
	next := func(xs []int, greater func(j int) bool) []int {
		k := sort.Search(len(xs), func(k int) bool { return greater(xs[k]) })
		return xs[k:min(k+r.Window, len(xs))]
	}
	order := append(append([]int(nil), dated...), seqOnly...)
	for _, i := range order {
		h := heads[i]
		var later []int
		if h.Date != "" {
			later = append(later, next(dated, func(j int) bool { return heads[j].Date > h.Date })...)
		}
		if h.Sequence != nil {
			pool := seq
			if h.Date != "" {
				pool = seqOnly // dated documents are ordered by date
			}
			later = append(later, next(pool, func(j int) bool { return *heads[j].Sequence > *h.Sequence })...)
		}
		if len(later) == 0 {
			continue
		}
		a, err := features(i)
		if err != nil {
			return nil, nil, nil, err
		}
		best := map[string]*schemas.Link{}
		var laterIDs []string
		for _, j := range later {
			b, err := features(j)
			if err != nil {
				return nil, nil, nil, err
			}
			laterIDs = append(laterIDs, b.DocID)
			for _, l := range Pair(a, b, r) {
				links = append(links, l)
				if cur := best[l.From]; cur == nil || l.Score > cur.Score {
					l := l
					best[l.From] = &l
				}
			}
		}
		for _, c := range a.Clauses {
			row := schemas.Continuity{ClauseID: c.ID, DocID: a.DocID, LaterDocs: laterIDs, Status: "dropped", Best: best[c.ID]}
			if row.Best != nil {
				row.Status = "continued"
			}
			cont = append(cont, row)
		}
	}
	return links, cont, notes, nil
}
