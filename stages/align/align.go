// Package align is the fourth stage: it splits the text of each clause into
// sentences and, for bilingual clauses, pairs Chinese and English sentences
// into beads (1-1, 1-2, 2-1, 2-2, 1-3, 3-1, 1-0, 0-1) with a length-based
// dynamic programme in the manner of Gale and Church (1993). The length
// model — the English:Chinese character ratio and its variance — is
// estimated from the run's own paired paragraphs, not fixed in code.
// Chinese-only clauses get one sentence row per Chinese sentence.
package align

import (
	"context"
	"fmt"
	"math"

	"github.com/policyledger/policyledger/schemas"
)

// Stage aligns every document in the run.
type Stage struct{}

// Name implements the pipeline's stage contract.
func (Stage) Name() string { return "align" }

// Run estimates the length model from all bilingual clauses of the run, then
// aligns each document with it.
func (Stage) Run(ctx context.Context, st *schemas.State) error {
	m := Estimate(st.Docs)
	st.Count("align.model_pairs", m.Pairs)
	return st.EachDoc("align", func(d *schemas.Document) error {
		out, err := Document(*d, m)
		if err != nil {
			return err
		}
		for _, s := range out.Sentences {
			if s.Bead != "" {
				st.Count("align.bead_"+s.Bead, 1)
			} else {
				st.Count("align.zh_only", 1)
			}
		}
		*d = out
		return nil
	})
}

// Model is the Gale–Church length model: English length ≈ Ratio × Chinese
// length, with variance Variance per Chinese character.
type Model struct {
	Ratio    float64
	Variance float64
	Pairs    int // paragraph pairs it was estimated from
}

// Estimate fits the model to the bilingual text clauses of docs: the ratio
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

// bead is one allowed shape: zh sentences, en sentences, prior probability.
type bead struct {
	zh, en int
	prior  float64
}

// beads are the shapes the programme may use, with Gale–Church-style priors.
var beads = []bead{
	{1, 1, 0.89},
	{1, 2, 0.04}, {2, 1, 0.04},
	{2, 2, 0.01},
	{1, 3, 0.005}, {3, 1, 0.005},
	{1, 0, 0.005}, {0, 1, 0.005},
}

// Document segments and aligns every text clause of d.
func Document(d schemas.Document, m Model) (schemas.Document, error) {
	d.Sentences = nil
	for _, c := range d.Clauses {
		if !c.IsText() {
			continue
		}
		var sents []schemas.Sentence
		switch {
		case c.TextEn == "":
			for _, sp := range SegmentZh(c.TextZh) {
				sents = append(sents, schemas.Sentence{Zh: slice([]rune(c.TextZh), sp), ZhStart: sp.Start, ZhEnd: sp.End, EnStart: -1, EnEnd: -1})
			}
		case m.Ratio == 0:
			return d, fmt.Errorf("align: %s: clause %s is bilingual but the length model is empty", d.Source.ID, c.ID)
		default:
			sents = Pair(c.TextZh, c.TextEn, m)
		}
		for i := range sents {
			sents[i].Ordinal = i + 1
			sents[i].ID = fmt.Sprintf("%s/s%d", c.ID, i+1)
			sents[i].ClauseID = c.ID
			sents[i].DocID = c.DocID
		}
		d.Sentences = append(d.Sentences, sents...)
	}
	return d, nil
}

// Pair aligns the sentences of one Chinese paragraph with those of its
// English translation and returns one Sentence per bead.
func Pair(zh, en string, m Model) []schemas.Sentence {
	zr, er := []rune(zh), []rune(en)
	zs, es := SegmentZh(zh), SegmentEn(en)
	zl, el := spanLens(zs), spanLens(es)
	inf := math.Inf(1)
	cost := make([][]float64, len(zs)+1)
	back := make([][]int, len(zs)+1)
	for i := range cost {
		cost[i] = make([]float64, len(es)+1)
		back[i] = make([]int, len(es)+1)
		for j := range cost[i] {
			cost[i][j] = inf
		}
	}
	cost[0][0] = 0
	for i := 0; i <= len(zs); i++ {
		for j := 0; j <= len(es); j++ {
			if cost[i][j] == inf {
				continue
			}
			for k, b := range beads {
				ni, nj := i+b.zh, j+b.en
				if ni > len(zs) || nj > len(es) {
					continue
				}
				c := cost[i][j] + beadCost(sum(zl[i:ni]), sum(el[j:nj]), b, m)
				if c < cost[ni][nj] {
					cost[ni][nj], back[ni][nj] = c, k
				}
			}
		}
	}
	var out []schemas.Sentence
	for i, j := len(zs), len(es); i > 0 || j > 0; {
		b := beads[back[i][j]]
		pi, pj := i-b.zh, j-b.en
		s := schemas.Sentence{Bead: fmt.Sprintf("%d-%d", b.zh, b.en), ZhStart: -1, ZhEnd: -1, EnStart: -1, EnEnd: -1}
		if b.zh > 0 {
			s.ZhStart, s.ZhEnd = zs[pi].Start, zs[i-1].End
			s.Zh = slice(zr, Span{s.ZhStart, s.ZhEnd})
		}
		if b.en > 0 {
			s.EnStart, s.EnEnd = es[pj].Start, es[j-1].End
			s.En = slice(er, Span{s.EnStart, s.EnEnd})
		}
		score := Score(sum(zl[pi:i]), sum(el[pj:j]), m)
		s.Score = &score
		out = append(out, s)
		i, j = pi, pj
	}
	for l, r := 0, len(out)-1; l < r; l, r = l+1, r-1 {
		out[l], out[r] = out[r], out[l]
	}
	return out
}

// beadCost is −log P(bead) − log P(length discrepancy | bead).
func beadCost(zhLen, enLen int, b bead, m Model) float64 {
	if b.zh == 0 || b.en == 0 {
		return -math.Log(b.prior)
	}
	p := lengthProb(zhLen, enLen, m)
	return -math.Log(b.prior) - math.Log(math.Max(p, 1e-12))
}

// lengthProb is the two-tailed probability of a discrepancy at least as
// large as this one between translations of these lengths.
func lengthProb(zhLen, enLen int, m Model) float64 {
	if zhLen == 0 {
		return 0
	}
	delta := (float64(enLen) - m.Ratio*float64(zhLen)) / math.Sqrt(float64(zhLen)*m.Variance)
	return math.Erfc(math.Abs(delta) / math.Sqrt2)
}

// Score is a bead's confidence in [0,1]: the length model's two-tailed
// probability for paired beads (1 when lengths fit the ratio exactly), 0 for
// a sentence left without a counterpart. Rounded to 4 decimals so that
// releases do not depend on the last bits of floating point.
func Score(zhLen, enLen int, m Model) float64 {
	if zhLen == 0 || enLen == 0 {
		return 0
	}
	return math.Round(lengthProb(zhLen, enLen, m)*1e4) / 1e4
}

func spanLens(sp []Span) []int {
	out := make([]int, len(sp))
	for i, s := range sp {
		out[i] = s.End - s.Start
	}
	return out
}

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}
