// Package align is the fourth stage: it splits the text of each clause into
// sentences and, for bilingual clauses, pairs Chinese and English sentences
// into beads (1-1 … 1-4, 4-1, 2-3, 3-2, 1-0, 0-1) with a dynamic
// programme whose cost is a Gale–Church length model plus lexical anchors:
// numbers, Latin tokens kept inside Chinese text (AEO, 5G) and bilingual
// glossary terms, harvested from the documents' own heading rows and read
// from a curated glossary file.
//
// The length model (English:Chinese character ratio and its variance) is
// versioned data, model.yaml, fitted by `policyledger refit`. Each bead's score is its
// posterior probability under the model, computed by forward–backward over
// all alignments of the paragraph, so a score near 1 means no other reading
// of the lengths and anchors comes close. Chinese-only clauses get one
// sentence row per Chinese sentence.
package align

import (
	"context"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/policyledger/policyledger/anchors"
	"github.com/policyledger/policyledger/internal/utf8x"
	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/segment"
)

// Options are the stage's settings from configuration.
type Options struct {
	// Model replaces the shipped length model when set (tests, refits).
	Model Model
	// ReviewThreshold: beads scoring below it are flagged needs_review,
	// listed in the run report and in the release's review.csv.
	ReviewThreshold float64
}

// Stage aligns every document in the run.
type Stage struct{ Options Options }

// Name implements the pipeline's stage contract.
func (Stage) Name() string { return "align" }

// Prepare loads the curated glossary and the mechanism registry and
// returns the function that aligns one document with the shipped length
// model (model.yaml) and a glossary of the curated terms plus the
// document's own bilingual headings. Nothing is fitted over the run, so a
// document's sentences do not depend on which other documents are in it.
func (s Stage) Prepare(ctx context.Context, st *schemas.State) (schemas.DocFunc, error) {
	curated, err := anchors.Load(st.Sources)
	if err != nil {
		return nil, err
	}
	registry, err := anchors.LoadRegistry(st.Sources)
	if err != nil {
		return nil, err
	}
	model := s.Options.Model
	if model.Ratio == 0 {
		model = DefaultModel.Model()
	}
	st.Count("align.glossary_curated", len(curated))
	// the run's terms indexed once; each document adds its own headings
	shared, names := anchors.NewGlossary(curated), anchors.NewGlossary(curated, registry)
	return func(d *schemas.Document, t *schemas.Tally) error {
		own := anchors.Harvest([]schemas.Document{*d})
		a := &Aligner{Model: model, Glossary: shared.With(own), Weights: DefaultWeights,
			Names: names.With(own), Traditional: d.Script == "Hant"}
		out, err := Document(*d, a, s.Options.ReviewThreshold)
		if err != nil {
			return err
		}
		for _, snt := range out.Sentences {
			if snt.Bead != "" {
				t.Count("align.bead_"+snt.Bead, 1)
			} else {
				t.Count("align.monolingual", 1)
			}
			if snt.NeedsReview {
				t.Count("align.needs_review", 1)
			}
		}
		*d = out
		return nil
	}, nil
}

// Model is the Gale–Church length model: English length ≈ Ratio × Chinese
// length, with variance Variance per Chinese character.
type Model struct {
	Ratio    float64
	Variance float64
	Pairs    int // paragraph pairs it was estimated from
}

// Estimate fits the model to the bilingual text clauses of docs (for
// refitting model.yaml): the ratio
// of total lengths, and the mean squared deviation per Chinese character.
// With no bilingual clauses it returns the zero Model, which Document never
// needs because it aligns only bilingual clauses.
func Estimate(docs []schemas.Document) Model {
	var zhTotal, enTotal float64
	type pair struct{ zh, en float64 }
	var pairs []pair
	for _, d := range docs {
		for _, c := range d.Clauses {
			if c.TextZh == "" || c.TextEn == "" {
				continue
			}
			p := pair{float64(runeLen(c.TextZh)), float64(runeLen(c.TextEn))}
			pairs = append(pairs, p)
			zhTotal += p.zh
			enTotal += p.en
		}
	}
	if len(pairs) == 0 || zhTotal == 0 {
		return Model{}
	}
	m := Model{Ratio: enTotal / zhTotal, Pairs: len(pairs)}
	for _, p := range pairs {
		dev := p.en - m.Ratio*p.zh
		m.Variance += dev * dev / p.zh
	}
	m.Variance = math.Max(m.Variance/float64(len(pairs)), minVariance)
	return m
}

// minVariance keeps a corpus of one or two perfectly proportional pairs from
// making every other length discrepancy look impossible. Real text sits far
// above it (the two released documents give about 29).
const minVariance = 1.0

// Document segments and aligns every text clause of d. Beads scoring under
// threshold are flagged for review. In a document declared bilingual, a
// clause with only one language gives 1-0 (or 0-1) beads, flagged with the
// snapshot line, never a quiet monolingual row.
//
// Bilingual paragraphs are aligned together (AlignAll): the document's own
// lexicon, learned from its sure beads, anchors the rest.
func Document(d schemas.Document, a *Aligner, threshold float64) (schemas.Document, error) {
	d.Sentences = nil
	bilingual := hasLang(d.Source.Languages, "zh") && hasLang(d.Source.Languages, "en")
	segs := map[int]segmented{}
	var paras []Para
	for i, c := range d.Clauses {
		if c.IsText() && c.TextZh != "" && c.TextEn != "" && a != nil {
			p := split(c.TextZh, c.TextEn)
			segs[i] = p
			paras = append(paras, Para{Zh: p.zt, En: p.et})
		}
	}
	var beads [][]Bead
	if len(paras) > 0 && a.Model.Ratio != 0 {
		beads = a.AlignAll(paras)
	}
	k := 0
	for i, c := range d.Clauses {
		if !c.IsText() {
			continue
		}
		var sents []schemas.Sentence
		switch {
		case c.TextEn == "":
			sents = oneSided(c.TextZh, true, bilingual, c.SourceLine)
		case c.TextZh == "":
			sents = oneSided(c.TextEn, false, bilingual, c.SourceLine)
		case a == nil || a.Model.Ratio == 0:
			return d, fmt.Errorf("align: %s: clause %s is bilingual but the length model is empty", d.Source.ID, c.ID)
		default:
			sents = segs[i].sentences(beads[k])
			k++
		}
		for i := range sents {
			sents[i].Ordinal = i + 1
			sents[i].ID = fmt.Sprintf("%s/s%d", c.ID, i+1)
			sents[i].ClauseID = c.ID
			sents[i].DocID = c.DocID
			sents[i].Complete = c.Complete || i < len(sents)-1
			switch s := &sents[i]; {
			case s.Score != nil && *s.Score < threshold:
				s.NeedsReview = true
				s.ReviewReason = fmt.Sprintf("alignment score %.4f is under the review threshold %.2f", *s.Score, threshold)
			case s.LengthScore != nil && s.Zh != "" && s.En != "" && *s.LengthScore < LengthReview:
				// A bead can win by default (a one-sentence paragraph has no
				// other reading) with lengths that do not fit at all.
				s.NeedsReview = true
				s.ReviewReason = fmt.Sprintf("length score %.4f: the English is far %s than the length model expects for this Chinese", *s.LengthScore, longerShorter(s.Zh, s.En, a.Model))
			}
		}
		d.Sentences = append(d.Sentences, sents...)
	}
	if bilingual {
		flagParagraphs(&d, a)
	}
	return d, nil
}

// flagParagraphs turns the paragraph-level verdicts of a bilingual document
// into warnings and review flags on every bead of the paragraph.
func flagParagraphs(d *schemas.Document, a *Aligner) {
	var bad map[int]string
	if a != nil && a.Model.Ratio > 0 {
		bad = a.Misaligned(*d)
	}
	reasons := map[string]string{}
	for i, c := range d.Clauses {
		if !c.IsText() {
			continue
		}
		switch {
		case bad[i] != "":
			reasons[c.ID] = "paragraph misaligned: " + bad[i]
		case c.TextEn == "":
			reasons[c.ID] = "no English for this paragraph"
		case c.TextZh == "":
			reasons[c.ID] = "no Chinese for this English paragraph"
		default:
			continue
		}
		d.Warnings = append(d.Warnings, fmt.Sprintf("align: %s (%s): %s", d.Position(c.SourceLine), c.ID, reasons[c.ID]))
	}
	for i := range d.Sentences {
		s := &d.Sentences[i]
		if r, ok := reasons[s.ClauseID]; ok && strings.HasPrefix(r, "paragraph") {
			s.NeedsReview = true
			s.ReviewReason = r
		}
	}
}

// LengthReview is the length score under which a bead needs review
// whatever its posterior. The lowest length score of a correct bead in the
// tuning part of the gold standard is 0.0244.
const LengthReview = 0.01

func longerShorter(zh, en string, m Model) string {
	if float64(runeLen(en)) > m.Ratio*float64(runeLen(zh)) {
		return "longer"
	}
	return "shorter"
}

// oneSided gives a sentence row per sentence of a clause that has one
// language only; in a document declared bilingual each is a 1-0 (or 0-1)
// bead flagged for review with the snapshot line.
func oneSided(text string, zh, bilingual bool, line int) []schemas.Sentence {
	spans, bead, reason := segment.En(text), "0-1", "no Chinese for this English paragraph"
	if zh {
		spans, bead, reason = segment.Zh(text), "1-0", "no English for this paragraph"
	}
	rs := newRuneText(text)
	out := make([]schemas.Sentence, len(spans))
	for i, sp := range spans {
		s := schemas.Sentence{ZhStart: -1, ZhEnd: -1, EnStart: -1, EnEnd: -1}
		if zh {
			s.Zh, s.ZhStart, s.ZhEnd = rs.slice(sp), sp.Start, sp.End
		} else {
			s.En, s.EnStart, s.EnEnd = rs.slice(sp), sp.Start, sp.End
		}
		if bilingual {
			s.Bead, s.NeedsReview = bead, true
			s.ReviewReason = fmt.Sprintf("%s (snapshot line %d)", reason, line)
		}
		out[i] = s
	}
	return out
}

func hasLang(langs []string, l string) bool {
	for _, x := range langs {
		if x == l {
			return true
		}
	}
	return false
}

func spanLens(sp []segment.Span) []int {
	out := make([]int, len(sp))
	for i, s := range sp {
		out[i] = s.End - s.Start
	}
	return out
}

// runeLen is the length the length model counts: code points.
func runeLen(s string) int { return utf8x.RuneCount(s) }

// runeText cuts a text at rune offsets (segment's spans) into substrings of
// itself, not copies made through []rune (converting every clause to runes
// and every sentence back was a tenth of alignment). It finds byte offsets
// by walking from the last one it found: spans are asked for in order, so a
// text is walked about once (a table of every rune's offset was 0.4 GB of
// allocation in a run at N = 1000). A text that is not valid UTF-8 is cut
// through []rune as before, which turns its bad bytes into U+FFFD.
type runeText struct {
	s    string
	r, b int    // the walk's place: code point r starts at byte b
	rs   []rune // (invalid UTF-8 only)
}

func newRuneText(s string) runeText {
	if !utf8.ValidString(s) {
		return runeText{rs: []rune(s)}
	}
	return runeText{s: s}
}

func (t *runeText) slice(sp segment.Span) string {
	if t.rs != nil {
		return string(t.rs[sp.Start:sp.End])
	}
	start := t.byteAt(sp.Start)
	return t.s[start:t.byteAt(sp.End)]
}

// byteAt is the byte offset of code point r (len(t.s) for the end).
func (t *runeText) byteAt(r int) int {
	if r < t.r {
		t.r, t.b = 0, 0
	}
	for ; t.r < r; t.r++ {
		if t.s[t.b] < utf8.RuneSelf {
			t.b++
		} else {
			_, n := utf8x.Decode3(t.s[t.b:])
			if n == 0 {
				_, n = utf8.DecodeRuneInString(t.s[t.b:])
			}
			t.b += n
		}
	}
	return t.b
}

// round4 keeps released figures independent of the last bits of floating
// point.
func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
