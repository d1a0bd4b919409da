package align

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randomCosts is a cost table for an n×m grid: moves off the grid are
// forbidden, some others too, the rest cost base plus up to spread (a
// negative base stands for strong anchors).
func randomCosts(r *rand.Rand, n, m int, base, spread float64) []float64 {
	w, nm := m+1, len(shapeMoves)
	costs := make([]float64, (n+1)*w*nm)
	for i := 0; i <= n; i++ {
		for j := 0; j <= m; j++ {
			for k, mv := range shapeMoves {
				c := base + spread*r.Float64()
				if i+mv.Zh > n || j+mv.En > m || r.IntN(10) == 0 {
					c = math.Inf(1)
				}
				costs[(i*w+j)*nm+k] = c
			}
		}
	}
	return costs
}

// The two forward–backward passes give the same posteriors wherever the
// linear one is used, and the linear one stands aside when the total
// probability is out of its range, in either direction.
func TestPosteriorsLinearAgreesWithLog(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	linear := 0
	for trial := 0; trial < 300; trial++ {
		n, m := 1+r.IntN(8), 1+r.IntN(8)
		costs := randomCosts(r, n, m, -1, 12)
		lin, lg := linearPosteriors(new(scratch), n, m, shapeMoves, costs), logPosteriors(n, m, shapeMoves, costs)
		if lin == nil {
			continue
		}
		linear++
		w, nm := m+1, len(shapeMoves)
		for i := 0; i <= n; i++ {
			for j := 0; j <= m; j++ {
				for k, mv := range shapeMoves {
					if costs[(i*w+j)*nm+k] == math.Inf(1) {
						continue
					}
					a, b := lin(i, j, i+mv.Zh, j+mv.En, k), lg(i, j, i+mv.Zh, j+mv.En, k)
					if math.IsNaN(b) || math.Abs(a-b) > 1e-9 {
						t.Fatalf("trial %d (%d×%d) move %d at (%d,%d): linear %g, log %g", trial, n, m, k, i, j, a, b)
					}
				}
			}
		}
	}
	if linear < 200 {
		t.Fatalf("the linear pass served %d of 300 ordinary grids", linear)
	}
	for _, base := range []float64{200, -200} { // e^∓200 per move: out of range over 8×8 (4 moves at least)
		costs := randomCosts(r, 8, 8, base, 0.1)
		if linearPosteriors(new(scratch), 8, 8, shapeMoves, costs) != nil {
			t.Errorf("base cost %g: the linear pass should stand aside", base)
		}
	}
}

// A long paragraph whose probabilities underflow still gets posteriors
// (through log space): one forced path has posterior 1 at every step.
func TestPathPosteriorsWithoutUnderflow(t *testing.T) {
	n := 60
	moves := []Move{{1, 1}}
	steps := Path(n, n, moves, func(i, j, k int) float64 { return 20 }, true) // e^−1200 in all
	if len(steps) != n {
		t.Fatalf("%d steps, want %d", len(steps), n)
	}
	for _, s := range steps {
		if s.Posterior != 1 {
			t.Fatalf("step %+v: posterior %g, want 1", s, s.Posterior)
		}
	}
}

// unitTable agrees with a map through growth, repeats and misses.
func TestUnitTableIsAMap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var tab unitTable
	want := map[uint64]int32{}
	for i := 0; i < 20000; i++ {
		u := 1 + r.Uint64N(5000)<<uint(r.IntN(40)) // dense and spread keys, never 0
		if _, ok := want[u]; !ok && r.IntN(2) == 0 {
			want[u] = int32(i)
			tab.put(u, int32(i))
		}
		got, ok := tab.get(u)
		if w, wok := want[u]; ok != wok || got != w {
			t.Fatalf("get(%d) = %d, %v; want %d, %v", u, got, ok, w, wok)
		}
	}
	if tab.n != len(want) {
		t.Fatalf("%d entries, want %d", tab.n, len(want))
	}
}
