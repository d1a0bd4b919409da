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
	"bytes"
	"context"
	_ "embed"
	"encoding/gob"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

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
		t.Count("link.clauses", len(f.Clauses))
		// The document carries its prepared form to the release, where
		// the run's end compares documents; its clauses' maps are done.
		if len(f.Clauses) > 0 {
			b, err := Encode(f)
			if err != nil {
				return err
			}
			f.Clauses, f.Prepared = nil, b
		}
		d.Features = &f
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
	if f.Date == "" && f.Sequence == nil {
		// Corpus cannot order it against any document, so it is in no
		// pair: its head is enough for the note that says so.
		return f
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
	prev := -1 // byte offset of the Han character before, if any
	for i, r := range s {
		// (every Han character is at U+2E80 or above)
		if r >= 0x2E80 && unicode.Is(unicode.Han, r) {
			if prev >= 0 {
				out[s[prev:i+utf8.RuneLen(r)]]++ // the two characters, as they are in s
			}
			prev = i
		} else {
			prev = -1
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
	return Prepare(a).pair(Prepare(b), r, &scratch{}, nil)
}

// Prepared is what Pair needs of a document whichever document it is
// paired with: per kind of text feature, every feature in key order with
// the number of clauses holding it and which they are, and each clause's
// features with their term weights. Made once per document (with its other
// stages, see Encode), it makes a pair cost lookups and sums; the weights
// that depend on the pair (inverse document frequencies over both
// documents) are computed for the earlier document's features only, the
// only ones that are summed. Its fields are exported for encoding only.
type Prepared struct {
	DocID       string
	Clauses     []ClauseMeta
	Zh, En, Anc Family
	MechKeys    []string // every mechanism, sorted
	MechDF      []int    // clauses naming each
}

// ClauseMeta is what a pair reads of a clause besides its text features.
type ClauseMeta struct {
	ID                            string
	HasZh, HasEn                  bool
	Mech, Anchors, Sectors, Modal []string // sorted sets
	// One bit per element of each set (a hash of it, modulo 64): two sets
	// whose masks share no bit share no element, which settles most pairs
	// of clauses without comparing strings.
	MechMask, AnchorMask, SectorMask uint64
}

// mask is the set's bits for ClauseMeta.
func mask(xs []string) uint64 {
	var m uint64
	for _, x := range xs {
		h := uint64(14695981039346656037) // FNV-1a
		for i := 0; i < len(x); i++ {
			h = (h ^ uint64(x[i])) * 1099511628211
		}
		m |= 1 << (h & 63)
	}
	return m
}

// Family is one kind of feature of a document's clauses.
type Family struct {
	N    int       // clauses with a feature of this kind
	Keys []string  // every feature, sorted
	DF   []int     // clauses holding each feature
	Post [][]int32 // the clauses holding each feature, in order
	// per clause: its features (positions in Keys, so in key order) and
	// their term weights 1 + ln(count)
	IDs [][]int32
	TFW [][]float64
}

func newFamily(cs []schemas.ClauseFeatures, of func(schemas.ClauseFeatures) map[string]int) Family {
	var fam Family
	index := map[string]int{}
	entries := 0
	for _, c := range cs {
		m := of(c)
		if len(m) > 0 {
			fam.N++
		}
		entries += len(m)
		for k := range m {
			if _, ok := index[k]; !ok {
				index[k] = len(fam.Keys)
				fam.Keys = append(fam.Keys, k)
			}
		}
	}
	sort.Strings(fam.Keys)
	for i, k := range fam.Keys {
		index[k] = i
	}
	// Every clause's ids and weights, and every feature's postings, are
	// slices of three arrays of one entry per (clause, feature).
	ids, tfw, post := make([]int32, 0, entries), make([]float64, 0, entries), make([]int32, entries)
	fam.DF = make([]int, len(fam.Keys))
	fam.IDs = make([][]int32, len(cs))
	fam.TFW = make([][]float64, len(cs))
	for j, c := range cs {
		m := of(c)
		if len(m) == 0 {
			continue
		}
		start := len(ids)
		for k := range m {
			ids = append(ids, int32(index[k]))
		}
		own := ids[start:len(ids):len(ids)]
		slices.Sort(own)
		for _, id := range own {
			fam.DF[id]++
			tfw = append(tfw, termWeight(m[fam.Keys[id]]))
		}
		fam.IDs[j], fam.TFW[j] = own, tfw[start:len(tfw):len(tfw)]
	}
	fam.Post = make([][]int32, len(fam.Keys))
	at := 0
	for id, n := range fam.DF {
		fam.Post[id] = post[at : at : at+n]
		at += n
	}
	for j := range cs {
		for _, id := range fam.IDs[j] {
			fam.Post[id] = append(fam.Post[id], int32(j))
		}
	}
	return fam
}

// termWeight is 1 + ln(n), the weight of a feature n times in a clause.
func termWeight(n int) float64 {
	if n == 1 {
		return 1 // 1 + ln 1, the common case
	}
	return 1 + math.Log(float64(n))
}

// Prepare makes a document's prepared form from its features.
func Prepare(f schemas.DocFeatures) *Prepared {
	p := &Prepared{DocID: f.DocID,
		Zh:  newFamily(f.Clauses, func(c schemas.ClauseFeatures) map[string]int { return c.Zh }),
		En:  newFamily(f.Clauses, func(c schemas.ClauseFeatures) map[string]int { return c.En }),
		Anc: newFamily(f.Clauses, func(c schemas.ClauseFeatures) map[string]int { return counts(c.Anchors) }),
	}
	df := map[string]int{}
	for _, c := range f.Clauses {
		p.Clauses = append(p.Clauses, ClauseMeta{ID: c.ID, HasZh: len(c.Zh) > 0, HasEn: len(c.En) > 0,
			Mech: c.Mech, Anchors: c.Anchors, Sectors: c.Sectors, Modal: c.Modal,
			MechMask: mask(c.Mech), AnchorMask: mask(c.Anchors), SectorMask: mask(c.Sectors)})
		for _, k := range c.Mech {
			df[k]++
		}
	}
	p.MechKeys = slices.Sorted(maps.Keys(df))
	for _, k := range p.MechKeys {
		p.MechDF = append(p.MechDF, df[k])
	}
	return p
}

// Encode is the prepared form of a document's features as bytes.
func Encode(f schemas.DocFeatures) ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(Prepare(f)); err != nil {
		return nil, fmt.Errorf("link: encode the features of %s: %w", f.DocID, err)
	}
	return b.Bytes(), nil
}

// Decode reads what Encode wrote.
func Decode(b []byte) (*Prepared, error) {
	var p Prepared
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&p); err != nil {
		return nil, fmt.Errorf("link: decode prepared features: %w", err)
	}
	return &p, nil
}

func (p *Prepared) mechDF(k string) int {
	if i, ok := slices.BinarySearch(p.MechKeys, k); ok {
		return p.MechDF[i]
	}
	return 0
}

// against is one family of the earlier document seen against the later:
// each earlier feature's weight over the two documents, and the later
// clauses holding it.
type against struct {
	idf  []float64
	post [][]int32
}

// against pairs the sorted keys of the two families by a merge.
func (fam *Family) against(later *Family, x *against) {
	n := float64(fam.N + later.N + 1)
	x.idf, x.post = grow(x.idf, len(fam.Keys)), grow(x.post, len(fam.Keys))
	j := 0
	for i, k := range fam.Keys {
		df := fam.DF[i]
		for j < len(later.Keys) && later.Keys[j] < k {
			j++
		}
		x.post[i] = nil
		if j < len(later.Keys) && later.Keys[j] == k {
			df += later.DF[j]
			x.post[i] = later.Post[j]
		}
		x.idf[i] = math.Log(n / float64(df+1))
	}
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// hits adds, for each later clause, the weight of earlier clause j's
// features it holds (in key order), and returns clause j's total weight:
// the same sums, in the same order, as a merge of the two clauses' sorted
// vectors (see referencePair in the tests).
func (fam *Family) hits(j int, x *against, num []float64) float64 {
	var all float64
	for k, id := range fam.IDs[j] {
		idf := x.idf[id]
		if idf <= 0 {
			continue // a feature every clause has
		}
		w := fam.TFW[j][k] * idf
		all += w
		for _, l := range x.post[id] {
			num[l] += w
		}
	}
	return all
}

// scratch is one goroutine's working memory for pair.
type scratch struct {
	zh, en, anc  against
	numZh, numEn []float64
	cands        []cand
}

type cand struct {
	j           int
	score, text float64
}

// pair appends the links from the clauses of a (earlier) to those of b
// (later) to out.
func (a *Prepared) pair(b *Prepared, r *Rules, s *scratch, out []schemas.Link) []schemas.Link {
	a.Zh.against(&b.Zh, &s.zh)
	a.En.against(&b.En, &s.en)
	a.Anc.against(&b.Anc, &s.anc)
	// Mechanisms: how rare among all the clauses of the two documents,
	// relative to one that only the two linked clauses name.
	all := float64(len(a.Clauses) + len(b.Clauses))
	maxIDF := math.Log((all + 1) / 3)
	mechIDF := func(k string) float64 { return math.Log((all + 1) / float64(a.mechDF(k)+b.mechDF(k)+1)) }
	// anchorWeight sums the weights of earlier clause i's anchors that
	// the later clause's sorted anchors hold (all when nil), in key order.
	anchorWeight := func(i int, in []string, all bool) float64 {
		var w float64
		for _, id := range a.Anc.IDs[i] {
			if all || has(in, a.Anc.Keys[id]) {
				w += s.anc.idf[id]
			}
		}
		return w
	}
	s.numZh, s.numEn = grow(s.numZh, len(b.Clauses)), grow(s.numEn, len(b.Clauses))
	numZh, numEn := s.numZh, s.numEn
	clear(numZh)
	clear(numEn)
	for i, ca := range a.Clauses {
		totZh, totEn := a.Zh.hits(i, &s.zh, numZh), a.En.hits(i, &s.en, numEn)
		cands := s.cands[:0]
		best := 0.0
		anchorTotal := anchorWeight(i, nil, true)
		for j, cb := range b.Clauses {
			text := 0.0
			switch {
			case ca.HasZh && cb.HasZh:
				if totZh > 0 {
					text = numZh[j] / totZh
				}
			case ca.HasEn && cb.HasEn:
				if totEn > 0 {
					text = numEn[j] / totEn
				}
			}
			score := r.Weights.Text * text
			if ca.MechMask&cb.MechMask != 0 {
				// A mechanism many clauses name (the Belt and Road
				// Initiative) says less than a forum named once.
				m, shared := 0.0, false
				for _, k := range ca.Mech {
					if has(cb.Mech, k) {
						m, shared = math.Max(m, mechIDF(k)/maxIDF), true
					}
				}
				if shared {
					score += r.Weights.Mechanism * m
				}
			}
			if anchorTotal > 0 && ca.AnchorMask&cb.AnchorMask != 0 && meets(ca.Anchors, cb.Anchors) {
				score += r.Weights.Anchors * anchorWeight(i, cb.Anchors, false) / anchorTotal
			}
			if ca.SectorMask&cb.SectorMask != 0 && meets(ca.Sectors, cb.Sectors) {
				score += r.Weights.Sector
			}
			score = math.Min(1, score)
			if score >= r.Link {
				cands = append(cands, cand{j, score, text})
				best = math.Max(best, score)
			}
		}
		s.cands = cands
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
			if shared := intersect(ca.Anchors, cb.Anchors); anchorTotal > 0 && anchorWeight(i, cb.Anchors, false) > 0 {
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
			if upgraded(ca.Modal, cb.Modal) {
				rel = "extends"
			}
			out = append(out, schemas.Link{From: ca.ID, To: cb.ID, FromDoc: a.DocID, ToDoc: b.DocID,
				Relation: rel, Score: math.Round(c.score*10000) / 10000, Evidence: evidence})
		}
	}
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

// has reports whether the sorted xs holds x.
func has(xs []string, x string) bool {
	if len(xs) <= 8 { // most sets are a sector or two: compare, don't search
		for _, y := range xs {
			if y == x {
				return true
			}
		}
		return false
	}
	_, ok := slices.BinarySearch(xs, x)
	return ok
}

// meets reports whether the sorted a and b share an element.
func meets(a, b []string) bool {
	for _, x := range a {
		if has(b, x) {
			return true
		}
	}
	return false
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

// Corpus links every document to the next Window later ones and returns
// all the links and continuity rows at once (see Stream); docs are in
// manifest order. Each document's features go through Encode and Decode,
// as in a run.
func Corpus(n int, features func(i int) (schemas.DocFeatures, error), r *Rules) ([]schemas.Link, []schemas.Continuity, []string, error) {
	heads := make([]schemas.DocFeatures, n)
	for i := range heads {
		f, err := features(i)
		if err != nil {
			return nil, nil, nil, err
		}
		heads[i] = schemas.DocFeatures{DocID: f.DocID, Date: f.Date, Sequence: f.Sequence}
	}
	load := func(i int) (*Prepared, error) {
		f, err := features(i)
		if err != nil {
			return nil, err
		}
		b, err := Encode(f)
		if err != nil {
			return nil, err
		}
		return Decode(b)
	}
	var links []schemas.Link
	var cont []schemas.Continuity
	notes, err := Stream(heads, load, r, 2, func(l []schemas.Link, c []schemas.Continuity) error {
		links, cont = append(links, l...), append(cont, c...)
		return nil
	})
	return links, cont, notes, err
}

// task is one earlier document and the later ones it is compared with.
type task struct {
	doc   int
	later []int
}

// plan orders the documents: it returns the tasks, in the order their rows
// are written, and notes for the documents that cannot be ordered.
func plan(heads []schemas.DocFeatures, r *Rules) ([]task, []string) {
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
	var tasks []task
	for _, i := range append(append([]int(nil), dated...), seqOnly...) {
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
		if len(later) > 0 {
			tasks = append(tasks, task{i, later})
		}
	}
	return tasks, notes
}

// Stream links every document to the next Window later ones. heads are
// the documents' features without clauses, in manifest order; load
// returns a document's prepared features by index (the caller may keep
// them on disk; each is loaded once). jobs goroutines compare documents at
// once, and emit receives, one earlier document at a time and in the same
// order whatever jobs is, its links and the continuity of each of its
// clauses, so that the rows never need to be held together. Stream
// returns notes for the documents that cannot be ordered.
func Stream(heads []schemas.DocFeatures, load func(i int) (*Prepared, error), r *Rules, jobs int, emit func([]schemas.Link, []schemas.Continuity) error) ([]string, error) {
	tasks, notes := plan(heads, r)
	docs := newShared(load, tasks, len(heads))
	type result struct {
		links []schemas.Link
		cont  []schemas.Continuity
		err   error
	}
	jobs = max(1, jobs)
	results := make([]chan result, len(tasks))
	for k := range results {
		results[k] = make(chan result, 1)
	}
	// At most 2×jobs tasks are under way or waiting to be emitted.
	slots, queue, done := make(chan struct{}, 2*jobs), make(chan int), make(chan struct{})
	defer close(done)
	go func() {
		defer close(queue)
		for k := range tasks {
			select {
			case slots <- struct{}{}:
			case <-done:
				return
			}
			select {
			case queue <- k:
			case <-done:
				return
			}
		}
	}()
	for w := 0; w < jobs; w++ {
		go func() {
			s := &scratch{}
			for k := range queue {
				links, cont, err := docs.compare(tasks[k], r, s)
				results[k] <- result{links, cont, err}
			}
		}()
	}
	for k := range tasks {
		res := <-results[k]
		<-slots
		if res.err != nil {
			return nil, res.err
		}
		if err := emit(res.links, res.cont); err != nil {
			return nil, err
		}
	}
	return notes, nil
}

// shared holds the prepared documents the tasks under way need: each is
// loaded by the first task that asks for it and dropped when the last one
// that needs it is done, so memory holds a few documents per goroutine.
type shared struct {
	load func(i int) (*Prepared, error)
	mu   sync.Mutex
	refs []int // tasks still to use each document
	docs map[int]*slot
}

type slot struct {
	once sync.Once
	p    *Prepared
	err  error
}

func newShared(load func(i int) (*Prepared, error), tasks []task, n int) *shared {
	s := &shared{load: load, refs: make([]int, n), docs: map[int]*slot{}}
	for _, t := range tasks {
		s.refs[t.doc]++
		for _, j := range t.later {
			s.refs[j]++
		}
	}
	return s
}

func (s *shared) get(i int) (*Prepared, error) {
	s.mu.Lock()
	sl := s.docs[i]
	if sl == nil {
		sl = &slot{}
		s.docs[i] = sl
	}
	s.mu.Unlock()
	sl.once.Do(func() { sl.p, sl.err = s.load(i) })
	return sl.p, sl.err
}

func (s *shared) release(i int) {
	s.mu.Lock()
	if s.refs[i]--; s.refs[i] == 0 {
		delete(s.docs, i)
	}
	s.mu.Unlock()
}

// compare makes one task's links and continuity rows.
func (s *shared) compare(t task, r *Rules, sc *scratch) ([]schemas.Link, []schemas.Continuity, error) {
	defer func() {
		s.release(t.doc)
		for _, j := range t.later {
			s.release(j)
		}
	}()
	a, err := s.get(t.doc)
	if err != nil {
		return nil, nil, err
	}
	var links []schemas.Link // emit's to keep: Best points into it
	var laterIDs []string
	for _, j := range t.later {
		b, err := s.get(j)
		if err != nil {
			return nil, nil, err
		}
		laterIDs = append(laterIDs, b.DocID)
		links = a.pair(b, r, sc, links)
	}
	best := map[string]*schemas.Link{}
	for k := range links {
		l := &links[k]
		if cur := best[l.From]; cur == nil || l.Score > cur.Score {
			best[l.From] = l
		}
	}
	cont := make([]schemas.Continuity, 0, len(a.Clauses))
	for _, c := range a.Clauses {
		row := schemas.Continuity{ClauseID: c.ID, DocID: a.DocID, LaterDocs: laterIDs, Status: "dropped", Best: best[c.ID]}
		if row.Best != nil {
			row.Status = "continued"
		}
		cont = append(cont, row)
	}
	return links, cont, nil
}
