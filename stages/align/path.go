package align

import (
	"math"
	"sync"

	"github.com/policyledger/policyledger/segment"
)

// Move is one step shape of a monotone alignment between two sequences:
// how many items it takes from the Chinese side and from the English side.
type Move struct{ Zh, En int }

// Step is one move of the best path: the item ranges [Start, End) it takes
// on each side, which move it is, and its posterior probability over all
// paths (1 when posteriors were not asked for).
type Step struct {
	Zh, En    segment.Span
	Move      int
	Posterior float64
}

// Path is the one dynamic programme behind both of the project's
// alignments: sentences inside a paragraph (Aligner.Beads) and paragraphs of
// two separate texts (PairLines). It finds the cheapest monotone path from
// (0,0) to (n,m) through moves whose cost from (i,j) cost gives (an infinite
// cost forbids the move), and with posteriors, scores each step of that path
// by its posterior probability, computed by forward–backward with costs
// read as negative log probabilities. Time and memory are O(n·m·moves).
func Path(n, m int, moves []Move, cost func(i, j, k int) float64, posteriors bool) []Step {
	w := m + 1
	inf := math.Inf(1)
	nm := len(moves)
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	var costs []float64
	if posteriors {
		costs = sc.floats(0, (n+1)*w*nm)
	}
	vit := sc.floats(1, (n+1)*w)
	back := make([]int8, (n+1)*w)
	for i := range vit {
		vit[i] = inf
	}
	vit[0] = 0
	for i := 0; i <= n; i++ {
		for j := 0; j <= m; j++ {
			at := i*w + j
			if !posteriors && vit[at] == inf {
				continue
			}
			for k, mv := range moves {
				ni, nj := i+mv.Zh, j+mv.En
				c := inf
				if ni <= n && nj <= m {
					c = cost(i, j, k)
				}
				if posteriors {
					costs[at*nm+k] = c
				}
				if c == inf || vit[at] == inf {
					continue
				}
				to := ni*w + nj
				if v := vit[at] + c; v < vit[to] {
					vit[to], back[to] = v, int8(k)
				}
			}
		}
	}
	var post func(pi, pj, i, j, k int) float64
	if posteriors {
		post = linearPosteriors(sc, n, m, moves, costs)
		if post == nil {
			post = logPosteriors(n, m, moves, costs)
		}
	}
	var out []Step
	for i, j := n, m; i > 0 || j > 0; {
		k := back[i*w+j]
		mv := moves[k]
		pi, pj := i-mv.Zh, j-mv.En
		s := Step{Zh: segment.Span{Start: pi, End: i}, En: segment.Span{Start: pj, End: j}, Move: int(k), Posterior: 1}
		if posteriors {
			s.Posterior = math.Min(round4(post(pi, pj, i, j, int(k))), 1)
		}
		out = append(out, s)
		i, j = pi, pj
	}
	for l, r := 0, len(out)-1; l < r; l, r = l+1, r-1 {
		out[l], out[r] = out[r], out[l]
	}
	return out
}

// linearPosteriors runs forward–backward on probabilities, e^−cost: one
// exponential per move instead of the two exponentials and two logarithms
// of log space. It returns nil when the total probability leaves the
// range where products of probabilities are exact enough (a very long
// paragraph, or very strong anchors); logPosteriors then serves.
func linearPosteriors(sc *scratch, n, m int, moves []Move, costs []float64) func(pi, pj, i, j, k int) float64 {
	w, nm := m+1, len(moves)
	prob := sc.floats(2, len(costs))
	for x, c := range costs {
		prob[x] = math.Exp(-c)
	}
	fwd := sc.floats(3, (n+1)*w)
	clear(fwd)
	fwd[0] = 1
	for i := 0; i <= n; i++ {
		for j := 0; j <= m; j++ {
			at := i*w + j
			f := fwd[at]
			if f == 0 {
				continue
			}
			for k, mv := range moves {
				if p := prob[at*nm+k]; p != 0 {
					fwd[(i+mv.Zh)*w+j+mv.En] += f * p
				}
			}
		}
	}
	total := fwd[n*w+m]
	if !(total >= 1e-200 && total <= 1e200) {
		return nil
	}
	bwd := sc.floats(4, (n+1)*w)
	clear(bwd)
	bwd[n*w+m] = 1
	for i := n; i >= 0; i-- {
		for j := m; j >= 0; j-- {
			at := i*w + j
			b := bwd[at]
			for k, mv := range moves {
				if p := prob[at*nm+k]; p != 0 {
					b += p * bwd[(i+mv.Zh)*w+j+mv.En]
				}
			}
			bwd[at] = b
		}
	}
	return func(pi, pj, i, j, k int) float64 {
		return fwd[pi*w+pj] * prob[(pi*w+pj)*nm+k] * bwd[i*w+j] / total
	}
}

// scratch holds Path's working arrays between calls: the programme runs
// once per paragraph, and allocating them each time was a tenth of its
// cost (mostly the collector's).
type scratch struct{ f [5][]float64 }

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// floats returns scratch array k with n elements, not cleared.
func (s *scratch) floats(k, n int) []float64 {
	if cap(s.f[k]) < n {
		s.f[k] = make([]float64, n)
	}
	return s.f[k][:n]
}

// logPosteriors is forward–backward on costs (negative log probabilities).
func logPosteriors(n, m int, moves []Move, costs []float64) func(pi, pj, i, j, k int) float64 {
	w, nm := m+1, len(moves)
	inf := math.Inf(1)
	fwd := make([]float64, (n+1)*w)
	for i := range fwd {
		fwd[i] = inf
	}
	fwd[0] = 0
	for i := 0; i <= n; i++ {
		for j := 0; j <= m; j++ {
			at := i*w + j
			if fwd[at] == inf {
				continue
			}
			for k, mv := range moves {
				if c := costs[at*nm+k]; c != inf {
					to := (i+mv.Zh)*w + j + mv.En
					fwd[to] = logAddCost(fwd[to], fwd[at]+c)
				}
			}
		}
	}
	bwd := make([]float64, (n+1)*w)
	for i := range bwd {
		bwd[i] = inf
	}
	bwd[n*w+m] = 0
	for i := n; i >= 0; i-- {
		for j := m; j >= 0; j-- {
			at := i*w + j
			for k, mv := range moves {
				if c := costs[at*nm+k]; c != inf {
					bwd[at] = logAddCost(bwd[at], c+bwd[(i+mv.Zh)*w+j+mv.En])
				}
			}
		}
	}
	return func(pi, pj, i, j, k int) float64 {
		c := costs[(pi*w+pj)*nm+k]
		return math.Exp(-(fwd[pi*w+pj] + c + bwd[i*w+j] - fwd[n*w+m]))
	}
}
