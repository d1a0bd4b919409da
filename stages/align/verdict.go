package align

import (
	"fmt"
	"strings"

	"github.com/policyledger/policyledger/internal/utf8x"
	"github.com/policyledger/policyledger/schemas"
)

// Paragraph-level checks: a bilingual table whose English column slipped
// (two rows swapped, a run shifted by one) still gives sentence beads with
// high posteriors — a one-sentence paragraph has no other reading — so
// misalignment has to be seen a level up, by comparing each paragraph's
// English with its neighbours'.

// ParaWeights set the paragraph-level checks.
type ParaWeights struct {
	// Anchor is the reward per anchor both paragraphs share and Missing the
	// penalty per number or Latin token on one side only.
	Anchor, Missing float64
	// Margin is how much better, in nats, a neighbour's text must fit
	// before a paragraph is flagged.
	Margin float64
	// LengthFloor: a paragraph whose lengths are less likely than this
	// under the length model is flagged on its own.
	LengthFloor float64
}

// DefaultParaWeights were tuned on perturbations of the tuning part of the
// policy paper only (preface to program 2; see pipeline/quality_test.go).
var DefaultParaWeights = ParaWeights{Anchor: 3.0, Missing: 0, Margin: 1.0, LengthFloor: 1e-4}

// paraText is one bilingual text clause, ready to be compared.
type paraText struct {
	index          int // into d.Clauses
	zh, en         string
	lz, le         int
	zKeys, eKeys   []string
	zHard, eHard   map[string]int // numbers and Latin tokens
	hasZh, hasBoth bool
}

// paraCost is how badly English e translates Chinese z: the length model's
// surprise plus anchors, lower is better.
func (a *Aligner) paraCost(z, e paraText) float64 {
	c := lengthCost(z.lz, e.le, a.Model)
	w := DefaultParaWeights
	c -= w.Anchor * float64(sharedSorted(z.zKeys, e.eKeys))
	miss := 0
	for k, n := range z.zHard {
		miss += max(n-e.eHard[k], 0)
	}
	for k, n := range e.eHard {
		miss += max(n-z.zHard[k], 0)
	}
	return c + w.Missing*float64(miss)
}

func hard(keys []string) map[string]int {
	m := map[string]int{}
	for _, k := range keys {
		if strings.HasPrefix(k, "num:") || strings.HasPrefix(k, "latin:") {
			m[k]++
		}
	}
	return m
}

// Misaligned checks every bilingual paragraph of d against its neighbours
// and returns, by clause index, why a paragraph's English looks wrong.
func (a *Aligner) Misaligned(d schemas.Document) map[int]string {
	var ps []paraText
	for i, c := range d.Clauses {
		if !c.IsText() || c.TextZh == "" && c.TextEn == "" {
			continue
		}
		p := paraText{index: i, zh: c.TextZh, en: c.TextEn, lz: utf8x.RuneCount(c.TextZh), le: utf8x.RuneCount(c.TextEn)}
		g := a.Names
		if g == nil {
			g = a.Glossary
		}
		p.zKeys, p.eKeys = g.Zh(a.zhKey(c.TextZh)), g.En(c.TextEn)
		p.zHard, p.eHard = hard(p.zKeys), hard(p.eKeys)
		p.hasZh, p.hasBoth = c.TextZh != "", c.TextZh != "" && c.TextEn != ""
		ps = append(ps, p)
	}
	out := map[int]string{}
	line := func(p paraText) int { return d.Clauses[p.index].SourceLine }
	margin := DefaultParaWeights.Margin
	flag := func(p paraText, why string) {
		if _, ok := out[p.index]; !ok {
			out[p.index] = why
		}
	}
	for x := 0; x+1 < len(ps); x++ {
		p, q := ps[x], ps[x+1]
		switch {
		case p.hasBoth && q.hasBoth:
			// Would the two paragraphs fit better with their English
			// swapped? Both fits are weighed together, so one loose
			// translation alone does not trip it.
			if a.paraCost(p, q)+a.paraCost(q, p)+margin < a.paraCost(p, p)+a.paraCost(q, q) {
				flag(p, fmt.Sprintf("its English and that of the next paragraph (snapshot line %d) fit better the other way round: rows swapped or shifted?", line(q)))
				flag(q, fmt.Sprintf("its English and that of the previous paragraph (snapshot line %d) fit better the other way round: rows swapped or shifted?", line(p)))
			}
		case p.hasBoth && q.hasZh:
			// The next paragraph has no English: is this English its?
			if a.paraCost(q, p)+margin < a.paraCost(p, p) {
				flag(p, fmt.Sprintf("its English translates the next paragraph (snapshot line %d, which has none) better than its own Chinese: rows shifted?", line(q)))
			}
		case q.hasBoth && p.hasZh:
			if a.paraCost(p, q)+margin < a.paraCost(q, q) {
				flag(q, fmt.Sprintf("its English translates the previous paragraph (snapshot line %d, which has none) better than its own Chinese: rows shifted?", line(p)))
			}
		}
	}
	for _, p := range ps {
		if !p.hasBoth {
			continue
		}
		if lp := lengthProb(p.lz, p.le, a.Model); lp < DefaultParaWeights.LengthFloor {
			flag(p, fmt.Sprintf("its English (%d characters) is implausibly %s for its Chinese (%d characters) under the length model (p = %.4f)", p.le, longShort(p, a.Model), p.lz, lp))
		}
	}
	return out
}

func longShort(p paraText, m Model) string {
	if float64(p.le) > m.Ratio*float64(p.lz) {
		return "long"
	}
	return "short"
}
