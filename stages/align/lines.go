package align

import (
	"math"

	"github.com/policyledger/policyledger/anchors"
	"github.com/policyledger/policyledger/internal/utf8x"
)

// Line is one paragraph or heading of a text whose lines are to be paired
// with its translation's: its text and what its numbering says (Rank 0 for
// unnumbered text; Number 0 for a heading without a number, such as 前言).
type Line struct {
	Text         string
	Rank, Number int
}

// Row is one pair of lines; an index of -1 means that side has no
// counterpart.
type Row struct{ Zh, En int }

// lineMoves are the shapes of line pairing with their prior probabilities:
// a line translates one line, or has no counterpart.
var lineMoves, linePriors = []Move{{1, 1}, {1, 0}, {0, 1}}, []float64{0.98, 0.01, 0.01}

// linePriorCosts are -ln of linePriors, taken once rather than per cell.
var linePriorCosts = func() []float64 {
	out := make([]float64, len(linePriors))
	for k, p := range linePriors {
		out[k] = -math.Log(p)
	}
	return out
}()

const (
	labelAgree    = -6.0 // both lines carry the same label
	labelConflict = 12.0 // both carry labels that differ
	labelOneSided = 4.0  // one line is numbered, the other is not
	anchorShared  = -1.5 // per anchor (number, Latin token, glossary term) both lines share
)

// PairLines pairs the lines of a Chinese text with the lines of its English
// translation, for sources that give them as separate texts. It runs Path
// over 1-1, 1-0 and 0-1 moves whose cost is the Gale–Church length model
// plus the documents' own numbering as anchors (第一部分 ↔ Part I, 一、 ↔ 1.,
// (三) ↔ (3): agreeing labels pull lines together, disagreeing ones push them
// apart) and shared numbers, Latin tokens and glossary terms. The length
// model is fitted to the two texts themselves (ratio from their total
// lengths, variance from a first pass), so the pairing of one document
// depends on nothing else.
func PairLines(zh, en []Line, g *anchors.Glossary) []Row {
	lz, le := make([]int, len(zh)), make([]int, len(en))
	var tz, te float64
	for i, s := range zh {
		lz[i] = utf8x.RuneCount(s.Text)
		tz += float64(lz[i])
	}
	for j, s := range en {
		le[j] = utf8x.RuneCount(s.Text)
		te += float64(le[j])
	}
	if len(zh) == 0 || len(en) == 0 || tz == 0 {
		return trivialRows(len(zh), len(en))
	}
	za, ea := make([][]string, len(zh)), make([][]string, len(en))
	for i, s := range zh {
		za[i] = g.Zh(s.Text)
	}
	for j, s := range en {
		ea[j] = g.En(s.Text)
	}
	model := Model{Ratio: te / tz}
	cost := func(i, j, k int) float64 {
		c := linePriorCosts[k]
		if mv := lineMoves[k]; mv.Zh == 0 || mv.En == 0 {
			return c
		}
		if lz[i] > 0 {
			c += lengthCost(lz[i], le[j], model)
		}
		z, e := zh[i], en[j]
		switch {
		case z.Rank > 0 && e.Rank > 0 && z.Number > 0 && e.Number > 0:
			if z.Rank == e.Rank && z.Number == e.Number {
				c += labelAgree
			} else {
				c += labelConflict
			}
		case z.Rank > 0 && z.Number > 0 && e.Rank == 0, z.Rank == 0 && e.Rank > 0:
			c += labelOneSided
		}
		return c + anchorShared*float64(sharedSorted(za[i], ea[j]))
	}
	// First pass: a loose variance (the squared ratio times the mean Chinese
	// length), then the variance of the 1-1 pairs it found.
	model.Variance = model.Ratio * model.Ratio * tz / float64(len(zh))
	steps := Path(len(zh), len(en), lineMoves, cost, false)
	var dev float64
	n := 0
	for _, s := range steps {
		if s.Move == 0 && lz[s.Zh.Start] > 0 {
			d := float64(le[s.En.Start]) - model.Ratio*float64(lz[s.Zh.Start])
			dev += d * d / float64(lz[s.Zh.Start])
			n++
		}
	}
	if n > 1 {
		model.Variance = math.Max(dev/float64(n), 1)
		steps = Path(len(zh), len(en), lineMoves, cost, false)
	}
	rows := make([]Row, len(steps))
	for x, s := range steps {
		r := Row{-1, -1}
		if s.Zh.End > s.Zh.Start {
			r.Zh = s.Zh.Start
		}
		if s.En.End > s.En.Start {
			r.En = s.En.Start
		}
		rows[x] = r
	}
	return rows
}

func trivialRows(nz, ne int) []Row {
	var rows []Row
	for i := 0; i < nz; i++ {
		rows = append(rows, Row{i, -1})
	}
	for j := 0; j < ne; j++ {
		rows = append(rows, Row{-1, j})
	}
	return rows
}

// sharedSorted counts the keys two sorted lists have in common.
func sharedSorted(a, b []string) int {
	n := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			n, i, j = n+1, i+1, j+1
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return n
}
