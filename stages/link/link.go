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
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"

	"github.com/policyledger/policyledger/anchors"
	"github.com/policyledger/policyledger/hanzi"
	"github.com/policyledger/policyledger/internal/unorm"
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
		f, clauses, err := encodeDoc(*d, g, r)
		if err != nil {
			return err
		}
		t.Count("link.clauses", clauses)
		d.Features = &f
		return nil
	}, nil
}

// encodeDoc is the document's features as it carries them to the release,
// where the run's end compares documents: the head of Features(d, g, r),
// with Encode of them as Prepared in place of its clauses; and how many
// clauses were featurised. The English words are numbered as they are
// read, without a map per clause.
func encodeDoc(d schemas.Document, g *anchors.Glossary, r *Rules) (schemas.DocFeatures, int, error) {
	size := 0
	for _, c := range d.Clauses {
		size += len(c.TextEn)
	}
	en := newNumbering[string](size / 8) // about one word in eight bytes
	f := features(d, g, r, en)
	n := len(f.Clauses)
	if n > 0 {
		b, err := draftWith(f, en.done()).encode()
		if err != nil {
			return schemas.DocFeatures{}, 0, err
		}
		f.Clauses, f.Prepared = nil, b
	}
	return f, n, nil
}

// Features extracts a document's link features; anchors the rules call
// generic are left out.
func Features(d schemas.Document, g *anchors.Glossary, r *Rules) schemas.DocFeatures {
	return features(d, g, r, nil)
}

// features is Features; with en, each text clause's English words are
// counted in en, as a clause of its own, instead of in the clause's map
// (left nil).
func features(d schemas.Document, g *anchors.Glossary, r *Rules, en *numbering[string]) schemas.DocFeatures {
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
			zh := hanzi.Simplified(unorm.NFKC(c.TextZh))
			cf.Zh = bigrams(zh)
			if g != nil {
				keys = append(keys, g.Zh(zh)...)
			}
		}
		if c.TextEn != "" {
			if en != nil {
				eachWord(c.TextEn, func(w string) { en.add(w, 1) })
			} else {
				cf.En = words(c.TextEn)
			}
			if g != nil {
				keys = append(keys, g.En(c.TextEn)...)
			}
		}
		if en != nil {
			en.end()
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
func bigrams(s string) schemas.Bigrams {
	keys := make([]uint64, 0, len(s)/3) // at most one per Han character (3 bytes or more each)
	prev := rune(-1)                    // the Han character before, if any
	for _, r := range s {
		// (every Han character is at U+2E80 or above)
		if hanzi.IsHan(r) {
			if prev >= 0 {
				keys = append(keys, uint64(prev)<<21|uint64(r))
			}
			prev = r
		} else {
			prev = -1
		}
	}
	if len(keys) == 0 {
		return schemas.Bigrams{}
	}
	slices.Sort(keys)
	counts := make([]int, 0, len(keys))
	out := keys[:0]
	for i, k := range keys {
		if i > 0 && k == out[len(out)-1] {
			counts[len(counts)-1]++
			continue
		}
		out, counts = append(out, k), append(counts, 1)
	}
	return schemas.Bigrams{Keys: slices.Clip(out), Counts: counts}
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

// words counts the content words of English text (see eachWord).
func words(s string) map[string]int {
	out := make(map[string]int, len(s)/8) // about one per word: no map growth
	eachWord(s, func(w string) { out[w]++ })
	return out
}

// eachWord calls f with each content word of English text, in order:
// lower-cased, three letters or more, a plural s removed, common words
// left out.
func eachWord(s string, f func(string)) {
	if !ascii(s) {
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) }) {
			contentWord(w, f)
		}
		return
	}
	// ASCII text (most English) is split and lower-cased in place: the
	// same words, without a lower-cased copy of the text and a slice of
	// its fields.
	var low [64]byte
	for i := 0; i < len(s); {
		for i < len(s) && !asciiLetter(s[i]) {
			i++
		}
		j, upper := i, false
		for j < len(s) && asciiLetter(s[j]) {
			upper = upper || s[j] <= 'Z'
			j++
		}
		switch w := s[i:j]; {
		case w == "":
		case !upper:
			contentWord(w, f)
		case len(w) <= len(low):
			b := low[:len(w)]
			for k := range len(w) {
				b[k] = w[k] | 0x20
			}
			contentWord(string(b), f)
		default:
			contentWord(strings.ToLower(w), f)
		}
		i = j
	}
}

// contentWord calls f with w, lower-cased, unless it is short or common,
// without a plural s.
func contentWord(w string, f func(string)) {
	if len(w) < 3 || stopwords[w] {
		return
	}
	if len(w) > 4 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
		w = w[:len(w)-1]
	}
	f(w)
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func asciiLetter(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }

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
