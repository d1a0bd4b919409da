package align_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/policyledger/policyledger/segment"

	"github.com/policyledger/policyledger/anchors"
	"github.com/policyledger/policyledger/pipeline"
	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/align"
	"github.com/policyledger/policyledger/stages/release"
)

var report = flag.Bool("report", false, "print evaluation figures and every wrong paragraph")

// goldBead is a bead of the gold file: sets of 1-based sentence numbers.
type goldBead struct{ zh, en []int }

func (b goldBead) key() string { return fmt.Sprint(b.zh, b.en) }

type goldPara struct {
	clause         string
	nZh, nEn       int
	beads          []goldBead
	heldOut        bool
	zhSent, enSent []string
}

// heldOut is the evaluation part: programs 3–5 of the policy paper.
func heldOut(clauseID string) bool {
	for _, p := range []string{"/part3/prog3/", "/part3/prog4/", "/part3/prog5/"} {
		if strings.Contains(clauseID, p) {
			return true
		}
	}
	return false
}

func readGold(t *testing.T, path string) []goldPara {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []goldPara
	sc := bufio.NewScanner(f)
	for ln := 1; sc.Scan(); ln++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 4 {
			t.Fatalf("%s:%d: want 4 tab-separated columns", path, ln)
		}
		p := goldPara{clause: cols[0], heldOut: heldOut(cols[0])}
		p.nZh, _ = strconv.Atoi(cols[1])
		p.nEn, _ = strconv.Atoi(cols[2])
		for _, b := range strings.Fields(cols[3]) {
			z, e, ok := strings.Cut(b, ":")
			if !ok {
				t.Fatalf("%s:%d: bead %q is not zh:en", path, ln, b)
			}
			p.beads = append(p.beads, goldBead{nums(t, z), nums(t, e)})
		}
		out = append(out, p)
	}
	return out
}

func nums(t *testing.T, s string) []int {
	if s == "-" {
		return nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("bad sentence number %q", f)
		}
		out = append(out, n)
	}
	return out
}

// corpus runs the pipeline up to parse on the embedded sources.
func corpus(t testing.TB) *schemas.State {
	st, err := pipeline.Run(context.Background(), pipeline.Options{
		Sources: sources.FS(), ManifestPath: sources.Manifest, Until: "parse",
		Release: release.Options{Output: t.TempDir(), Version: "0.1.0"}, NoWorkFiles: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// aligner builds the aligner the stage builds: model estimated from the
// corpus, curated glossary plus harvested headings.
func aligner(t testing.TB, st *schemas.State) *align.Aligner {
	curated, err := anchors.Load(sources.FS())
	if err != nil {
		t.Fatal(err)
	}
	return &align.Aligner{Model: align.Estimate(st.Docs), Glossary: anchors.NewGlossary(curated, anchors.Harvest(st.Docs)), Weights: align.DefaultWeights}
}

// alignAll aligns the gold paragraphs as the stage aligns a document's
// (align.AlignAll: the document's lexicon learned, then used).
func alignAll(a *align.Aligner, gold []goldPara) [][]goldBead {
	paras := make([]align.Para, len(gold))
	for i, g := range gold {
		paras[i] = align.Para{Zh: g.zhSent, En: g.enSent}
	}
	out := make([][]goldBead, len(gold))
	for i, bs := range a.AlignAll(paras) {
		out[i] = asGold(bs)
	}
	return out
}

// attach fills each gold paragraph's sentences from the corpus, checking
// that segmentation still gives the gold's counts.
func attach(t *testing.T, gold []goldPara, st *schemas.State) {
	byID := map[string]schemas.Clause{}
	for _, d := range st.Docs {
		for _, c := range d.Clauses {
			byID[c.ID] = c
		}
	}
	for i := range gold {
		c, ok := byID[gold[i].clause]
		if !ok {
			t.Fatalf("gold clause %s not in the corpus", gold[i].clause)
		}
		gold[i].zhSent = texts(c.TextZh, segment.Zh(c.TextZh))
		gold[i].enSent = texts(c.TextEn, segment.En(c.TextEn))
		if len(gold[i].zhSent) != gold[i].nZh || len(gold[i].enSent) != gold[i].nEn {
			t.Fatalf("%s: segmentation gives %d/%d sentences, gold has %d/%d: the gold no longer fits",
				gold[i].clause, len(gold[i].zhSent), len(gold[i].enSent), gold[i].nZh, gold[i].nEn)
		}
	}
}

func texts(s string, spans []segment.Span) []string {
	rs := []rune(s)
	out := make([]string, len(spans))
	for i, sp := range spans {
		out[i] = string(rs[sp.Start:sp.End])
	}
	return out
}

func predicted(a *align.Aligner, zh, en []string) []goldBead {
	return asGold(a.Beads(zh, en))
}

func asGold(beads []align.Bead) []goldBead {
	var out []goldBead
	for _, b := range beads {
		var g goldBead
		for i := b.Zh.Start; i < b.Zh.End; i++ {
			g.zh = append(g.zh, i+1)
		}
		for i := b.En.Start; i < b.En.End; i++ {
			g.en = append(g.en, i+1)
		}
		out = append(out, g)
	}
	return out
}

// scores accumulates strict and lax counts.
type scores struct{ gold, pred, strict, laxP, laxR int }

func (s *scores) add(gold, pred []goldBead) {
	s.gold += len(gold)
	s.pred += len(pred)
	keys := map[string]bool{}
	for _, g := range gold {
		keys[g.key()] = true
	}
	for _, p := range pred {
		if keys[p.key()] {
			s.strict++
		}
		if overlapsAny(p, gold) {
			s.laxP++
		}
	}
	for _, g := range gold {
		if overlapsAny(g, pred) {
			s.laxR++
		}
	}
}

// overlapsAny: a bead overlaps another when each side shares a sentence or
// both are empty on that side.
func overlapsAny(b goldBead, others []goldBead) bool {
	for _, o := range others {
		if overlap(b.zh, o.zh) && overlap(b.en, o.en) {
			return true
		}
	}
	return false
}

func overlap(a, b []int) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func (s scores) strictF1() (p, r, f float64) {
	p, r = float64(s.strict)/float64(s.pred), float64(s.strict)/float64(s.gold)
	return p, r, f1(p, r)
}

func (s scores) laxF1() float64 {
	return f1(float64(s.laxP)/float64(s.pred), float64(s.laxR)/float64(s.gold))
}

func evaluate(a *align.Aligner, gold []goldPara, wrong func(goldPara, []goldBead)) (tuning, held scores) {
	preds := alignAll(a, gold)
	for i, g := range gold {
		pred := preds[i]
		part := &tuning
		if g.heldOut {
			part = &held
		}
		before := part.strict
		part.add(g.beads, pred)
		if wrong != nil && (part.strict-before != len(g.beads) || len(pred) != len(g.beads)) {
			wrong(g, pred)
		}
	}
	return tuning, held
}

// TestEvalAlign measures the aligner against the gold standard and holds
// the floor on the held-out part: strict F1 ≥ 0.97. With -report it prints
// the figures (make eval-align).
func TestEvalAlign(t *testing.T) {
	st := corpus(t)
	gold := readGold(t, "testdata/gold/lac-policy-2025.tsv")
	attach(t, gold, st)
	a := aligner(t, st)
	tuning, held := evaluate(a, gold, func(g goldPara, pred []goldBead) {
		if *report {
			fmt.Printf("  wrong: %s\n    gold %v\n    got  %v\n", g.clause, g.beads, pred)
		}
	})
	for _, part := range []struct {
		name string
		s    scores
	}{{"tuning (preface, Parts I–II, programs 1–2)", tuning}, {"held-out (programs 3–5)", held}} {
		p, r, f := part.s.strictF1()
		line := fmt.Sprintf("%-44s gold %3d beads, predicted %3d: strict P %.4f R %.4f F1 %.4f; lax F1 %.4f", part.name, part.s.gold, part.s.pred, p, r, f, part.s.laxF1())
		if *report {
			fmt.Println(line)
		} else {
			t.Log(line)
		}
	}
	// Ablations, for the record: without the learned lexicon, and with the
	// length model only.
	noLex := aligner(t, st)
	noLex.Weights.LexMiss = 0
	nt, nh := evaluate(noLex, gold, nil)
	_, _, fnt := nt.strictF1()
	_, _, fnh := nh.strictF1()
	if line := fmt.Sprintf("without the learned lexicon: strict F1 tuning %.4f, held-out %.4f", fnt, fnh); *report {
		fmt.Println(line)
	} else {
		t.Log(line)
	}
	lengthOnly := &align.Aligner{Model: a.Model, Weights: align.Weights{}}
	lt, lh := evaluate(lengthOnly, gold, nil)
	_, _, ft := lt.strictF1()
	_, _, fh := lh.strictF1()
	line := fmt.Sprintf("length model only (no anchors): strict F1 tuning %.4f, held-out %.4f", ft, fh)
	if *report {
		fmt.Println(line)
	} else {
		t.Log(line)
	}
	if _, _, f := held.strictF1(); f < 0.97 {
		t.Errorf("held-out strict F1 = %.4f; want ≥ 0.97", f)
	}
}

// TestMergedParagraphs merges the consecutive paragraphs of every section
// into one row (as a source might print them) and checks that strict F1
// over the same beads drops by at most 0.02.
func TestMergedParagraphs(t *testing.T) {
	st := corpus(t)
	gold := readGold(t, "testdata/gold/lac-policy-2025.tsv")
	attach(t, gold, st)
	a := aligner(t, st)

	var merged []goldPara
	for i := 0; i < len(gold); {
		parent := gold[i].clause[:strings.LastIndex(gold[i].clause, "/")]
		m := goldPara{clause: parent + "/merged"}
		for ; i < len(gold) && strings.HasPrefix(gold[i].clause, parent+"/para"); i++ {
			g := gold[i]
			for _, b := range g.beads {
				m.beads = append(m.beads, goldBead{shift(b.zh, len(m.zhSent)), shift(b.en, len(m.enSent))})
			}
			m.zhSent = append(m.zhSent, g.zhSent...)
			m.enSent = append(m.enSent, g.enSent...)
		}
		merged = append(merged, m)
	}
	if len(merged) >= len(gold) {
		t.Fatalf("merging made %d rows of %d; want fewer", len(merged), len(gold))
	}
	var sep, mer scores
	for i, pred := range alignAll(a, gold) {
		sep.add(gold[i].beads, pred)
	}
	for i, pred := range alignAll(a, merged) {
		mer.add(merged[i].beads, pred)
	}
	_, _, fs := sep.strictF1()
	_, _, fm := mer.strictF1()
	t.Logf("strict F1: %d paragraphs %.4f; merged into %d rows %.4f", len(gold), fs, len(merged), fm)
	if fs-fm > 0.02 {
		t.Errorf("merging paragraphs dropped strict F1 from %.4f to %.4f; want a drop of at most 0.02", fs, fm)
	}
}

func shift(xs []int, by int) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = x + by
	}
	return out
}

// BenchmarkAlignCorpus aligns every bilingual paragraph of the policy paper
// per iteration as the stage does (anchors, glossary, the learned lexicon
// and the second pass included) and reports sentences
// aligned per second (Chinese plus English sentences).
func BenchmarkAlignCorpus(b *testing.B) {
	st := corpus(b)
	a := aligner(b, st)
	var paras []align.Para
	n := 0
	for _, c := range st.Docs[0].Clauses {
		if c.TextZh != "" && c.TextEn != "" {
			p := align.Para{Zh: texts(c.TextZh, segment.Zh(c.TextZh)), En: texts(c.TextEn, segment.En(c.TextEn))}
			paras = append(paras, p)
			n += len(p.Zh) + len(p.En)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.AlignAll(paras) // as the stage does: learn the lexicon, then use it
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "sentences/s")
}

// BenchmarkStage times the align stage's work on one document as the run
// does it (its own glossary built, every paragraph aligned, misaligned
// paragraphs flagged), on both real documents per iteration.
func BenchmarkStage(b *testing.B) {
	st := corpus(b)
	fn, err := align.Stage{}.Prepare(context.Background(), st)
	if err != nil {
		b.Fatal(err)
	}
	var size int
	for _, d := range st.Docs {
		for _, c := range d.Clauses {
			size += len(c.TextZh) + len(c.TextEn)
		}
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, d := range st.Docs {
			var t schemas.Tally
			if err := fn(&d, &t); err != nil {
				b.Fatal(err)
			}
		}
	}
}
