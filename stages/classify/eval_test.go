package classify_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/policyledger/policyledger/pipeline"
	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/classify"
	"github.com/policyledger/policyledger/stages/release"
)

var report = flag.Bool("report", false, "print evaluation figures, the modality confusion matrix and every disagreement")

type goldUnit struct {
	commitment                        bool
	actor, modality, strength, sector string
}

func readGold(t *testing.T) map[string]goldUnit {
	t.Helper()
	f, err := os.Open("testdata/gold/units.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]goldUnit{}
	sc := bufio.NewScanner(f)
	for ln := 1; sc.Scan(); ln++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 6 {
			t.Fatalf("units.tsv:%d: want 6 columns", ln)
		}
		out[c[0]] = goldUnit{c[1] == "1", c[2], c[3], c[4], c[5]}
	}
	return out
}

// heldOut is the evaluation part: programs 3–5 of the policy paper,
// articles 3–4 of the action plan.
func heldOut(unit string) bool {
	for _, p := range []string{"lac-policy-2025/part3/prog3/", "lac-policy-2025/part3/prog4/", "lac-policy-2025/part3/prog5/", "celac-jap-2022-2024/art3/", "celac-jap-2022-2024/art4/"} {
		if strings.HasPrefix(unit, p) {
			return true
		}
	}
	return false
}

// predictions runs the pipeline to align and the classifier's rules (no
// curator overrides: they are not part of what is measured).
func predictions(t *testing.T) map[string]schemas.Commitment {
	t.Helper()
	st, err := pipeline.Run(context.Background(), pipeline.Options{
		Sources: sources.FS(), ManifestPath: sources.Manifest, Until: "align",
		Release: release.Options{Output: t.TempDir(), Version: "0.1.0"}, NoWorkFiles: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := classify.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	reg, err := classify.LoadMechanisms(sources.FS())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]schemas.Commitment{}
	for _, d := range st.Docs {
		d, err := classify.Document(d, r, reg)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range d.Commitments {
			out[c.UnitID] = c
		}
	}
	return out
}

type part struct {
	tp, fp, fn, units int
	both              int // commitments in gold and prediction
	actor, modality   int
	strength, sector  int
	confusion         map[[2]string]int
}

func (p *part) add(g goldUnit, c schemas.Commitment) {
	p.units++
	switch {
	case g.commitment && c.IsCommitment:
		p.tp++
	case c.IsCommitment:
		p.fp++
	case g.commitment:
		p.fn++
	}
	if !(g.commitment && c.IsCommitment) {
		return
	}
	p.both++
	if p.confusion == nil {
		p.confusion = map[[2]string]int{}
	}
	p.confusion[[2]string{g.modality, c.Modality}]++
	for _, x := range []struct {
		n    *int
		a, b string
	}{{&p.actor, g.actor, c.Actor}, {&p.modality, g.modality, c.Modality}, {&p.strength, g.strength, c.Strength}, {&p.sector, g.sector, c.Sector}} {
		if x.a == x.b {
			*x.n++
		}
	}
}

func (p part) f1() (prec, rec, f float64) {
	prec, rec = float64(p.tp)/float64(p.tp+p.fp), float64(p.tp)/float64(p.tp+p.fn)
	return prec, rec, 2 * prec * rec / (prec + rec)
}

func (p part) acc(n int) float64 { return float64(n) / float64(p.both) }

func (p part) String() string {
	prec, rec, f := p.f1()
	return fmt.Sprintf("%d units: commitment P %.4f R %.4f F1 %.4f; on %d commitments accuracy actor %.4f modality %.4f strength %.4f sector %.4f",
		p.units, prec, rec, f, p.both, p.acc(p.actor), p.acc(p.modality), p.acc(p.strength), p.acc(p.sector))
}

func (p part) matrix() string {
	labels := map[string]bool{}
	for k := range p.confusion {
		labels[k[0]], labels[k[1]] = true, true
	}
	var ls []string
	for l := range labels {
		ls = append(ls, l)
	}
	sort.Strings(ls)
	var b strings.Builder
	fmt.Fprintf(&b, "    %-10s", "gold\\pred")
	for _, l := range ls {
		fmt.Fprintf(&b, "%10s", l)
	}
	b.WriteString("\n")
	for _, g := range ls {
		fmt.Fprintf(&b, "    %-10s", g)
		for _, p2 := range ls {
			fmt.Fprintf(&b, "%10d", p.confusion[[2]string{g, p2}])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestEvalClassify measures the rules against the gold labels and holds the
// held-out floors: commitment F1 ≥ 0.95; actor and modality accuracy ≥ 0.95;
// sector ≥ 0.85. With -report it prints figures, the modality confusion
// matrix and each disagreement (make eval-classify).
func TestEvalClassify(t *testing.T) {
	gold := readGold(t)
	pred := predictions(t)
	var tuning, held part
	var ids []string
	for id := range gold {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		g := gold[id]
		c, ok := pred[id]
		if !ok {
			t.Fatalf("gold unit %s is not among the classifier's units", id)
		}
		p := &tuning
		if heldOut(id) {
			p = &held
		}
		p.add(g, c)
		if *report && (g.commitment != c.IsCommitment || g.commitment && (g.actor != c.Actor || g.modality != c.Modality || g.sector != c.Sector)) {
			fmt.Printf("  %s\n    gold %v %s %s %s | got %v %s %s %s  %v\n    %.110s\n", id, g.commitment, g.actor, g.modality, g.sector, c.IsCommitment, c.Actor, c.Modality, c.Sector, c.RuleIDs, c.Text)
		}
	}
	for _, x := range []struct {
		name string
		p    part
	}{{"tuning", tuning}, {"held-out", held}} {
		if *report {
			fmt.Printf("%-9s %s\n  modality confusion (rows gold, columns predicted):\n%s", x.name, x.p, x.p.matrix())
		} else {
			t.Logf("%-9s %s", x.name, x.p)
		}
	}
	if _, _, f := held.f1(); f < 0.95 {
		t.Errorf("held-out commitment F1 = %.4f; want ≥ 0.95", f)
	}
	for _, x := range []struct {
		name  string
		n     int
		floor float64
	}{{"actor", held.actor, 0.95}, {"modality", held.modality, 0.95}, {"sector", held.sector, 0.85}} {
		if a := held.acc(x.n); a < x.floor {
			t.Errorf("held-out %s accuracy = %.4f; want ≥ %.2f", x.name, a, x.floor)
		}
	}
}
