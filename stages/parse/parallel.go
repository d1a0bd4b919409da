package parse

import (
	"math"
	"unicode/utf8"

	"github.com/policyledger/policyledger/anchors"
)

// Row is one pair of paragraphs (or headings) from separate Chinese and
// English texts; an index of -1 means that side has no counterpart.
type Row struct{ Zh, En int }

// PairParagraphs pairs the lines of a Chinese text with the lines of its
// English translation when a source gives them as separate texts. It is a
// dynamic programme over 1-1, 1-0 and 0-1 pairs whose cost uses the documents' own numbering as anchors (第一部分 ↔ Part I,
// 一、 ↔ 1., (三) ↔ (3): agreeing labels pull lines together, disagreeing ones
// push them apart), shared Arabic numbers, and a Gale–Church length model
// between them. The length model is estimated from the two texts
// themselves: the ratio from their total lengths, the variance from a first
// pass.
func PairParagraphs(zh, en []string, g *anchors.Glossary) []Row {
	lz, le := make([]int, len(zh)), make([]int, len(en))
	var tz, te float64
	for i, s := range zh {
		lz[i] = utf8.RuneCountInString(s)
		tz += float64(lz[i])
	}
	for j, s := range en {
		le[j] = utf8.RuneCountInString(s)
		te += float64(le[j])
	}
	if len(zh) == 0 || len(en) == 0 || tz == 0 {
		return trivialRows(len(zh), len(en))
	}
	p := pairer{zh: zh, en: en, lz: lz, le: le, ratio: te / tz, zm: make([]marker, len(zh)), em: make([]marker, len(en)),
		za: make([][]string, len(zh)), ea: make([][]string, len(en))}
	for i, s := range zh {
		p.zm[i] = zhMarker(s)
		p.za[i] = g.Zh(s)
	}
	for j, s := range en {
		p.em[j] = enMarker(s)
		p.ea[j] = g.En(s)
	}
	// First pass: a loose variance (the squared ratio times the mean Chinese
	// length), then the variance of the 1-1 pairs it found.
	p.variance = p.ratio * p.ratio * tz / float64(len(zh))
	rows := p.run()
	var dev float64
	n := 0
	for _, r := range rows {
		if r.Zh >= 0 && r.En >= 0 && lz[r.Zh] > 0 {
			d := float64(le[r.En]) - p.ratio*float64(lz[r.Zh])
			dev += d * d / float64(lz[r.Zh])
			n++
		}
	}
	if n > 1 {
		p.variance = math.Max(dev/float64(n), 1)
		rows = p.run()
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

type pairer struct {
	zh, en          []string
	lz, le          []int
	zm, em          []marker
	za, ea          [][]string // anchor keys per line, sorted
	ratio, variance float64
}

// moves are the pair shapes with their prior probabilities.
var moves = []struct {
	zh, en int
	prior  float64
}{{1, 1, 0.98}, {1, 0, 0.01}, {0, 1, 0.01}}

const (
	labelAgree    = -6.0 // both lines carry the same label
	labelConflict = 12.0 // both carry labels that differ
	labelOneSided = 4.0  // one line is numbered, the other is not
	anchorShared  = -1.5 // per anchor (number, Latin token, glossary term) both lines share
)

func (p *pairer) cost(i, ni, j, nj int) float64 {
	c := -math.Log(moves[p.move(ni-i, nj-j)].prior)
	if ni == i || nj == j {
		return c
	}
	zl, el := sum(p.lz[i:ni]), sum(p.le[j:nj])
	if zl > 0 {
		delta := (float64(el) - p.ratio*float64(zl)) / math.Sqrt(float64(zl)*p.variance)
		c -= math.Log(math.Max(math.Erfc(math.Abs(delta)/math.Sqrt2), 1e-12))
	}
	zm, em := p.zm[i], p.em[j]
	switch {
	case zm.rank > 0 && em.rank > 0 && zm.number > 0 && em.number > 0:
		if zm.rank == em.rank && zm.number == em.number {
			c += labelAgree
		} else {
			c += labelConflict
		}
	case zm.rank > 0 && zm.kind == "" && em.rank == 0, zm.rank == 0 && em.rank > 0:
		c += labelOneSided
	}
	c += anchorShared * float64(shared(p.za[i], p.ea[j]))
	return c
}

func (p *pairer) move(dz, de int) int {
	for k, m := range moves {
		if m.zh == dz && m.en == de {
			return k
		}
	}
	panic("no such move")
}

func (p *pairer) run() []Row {
	n, m := len(p.zh), len(p.en)
	w := m + 1
	inf := math.Inf(1)
	best := make([]float64, (n+1)*w)
	back := make([]int8, (n+1)*w)
	for i := range best {
		best[i] = inf
	}
	best[0] = 0
	for i := 0; i <= n; i++ {
		for j := 0; j <= m; j++ {
			at := i*w + j
			if best[at] == inf {
				continue
			}
			for k, mv := range moves {
				ni, nj := i+mv.zh, j+mv.en
				if ni > n || nj > m {
					continue
				}
				if c := best[at] + p.cost(i, ni, j, nj); c < best[ni*w+nj] {
					best[ni*w+nj], back[ni*w+nj] = c, int8(k)
				}
			}
		}
	}
	var rows []Row
	for i, j := n, m; i > 0 || j > 0; {
		mv := moves[back[i*w+j]]
		pi, pj := i-mv.zh, j-mv.en
		switch {
		case mv.zh == 0:
			rows = append(rows, Row{-1, pj})
		case mv.en == 0:
			rows = append(rows, Row{pi, -1})
		default:
			rows = append(rows, Row{pi, pj})
		}
		i, j = pi, pj
	}
	for l, r := 0, len(rows)-1; l < r; l, r = l+1, r-1 {
		rows[l], rows[r] = rows[r], rows[l]
	}
	return rows
}

// shared counts the keys two sorted lists have in common.
func shared(a, b []string) int {
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

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}
