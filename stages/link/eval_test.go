package link_test

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/policyledger/policyledger/anchors"
	"github.com/policyledger/policyledger/pipeline"
	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/link"
)

var (
	evalParts = flag.String("parts", "tune,check", "which parts of the gold standard to report (tune: the items the rules were tuned on; check: the held-out items)")
	// The held-out items' misses are not printed unless asked for: whoever
	// reads them can no longer tune without knowing them.
	evalMisses = flag.String("misses", "tune", "the parts whose missed and extra links are listed one by one")
)

// tuneFloor guards the part the rules were tuned on against regressions:
// the figures when the rules were last changed (clear F1 0.889, dropped
// accuracy 0.800), less a margin. The held-out part has no floor here: it
// is measured, not guarded.
var tuneFloor = struct{ clearF1, dropped float64 }{0.85, 0.77}

const (
	plan  = "celac-jap-2022-2024"
	paper = "lac-policy-2025"
)

type goldLink struct{ to, relation, certainty string }

type goldItem struct {
	part  string
	links []goldLink
}

func readGold(t *testing.T) map[string]*goldItem {
	t.Helper()
	f, err := os.Open("testdata/gold/links.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]*goldItem{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if strings.HasPrefix(sc.Text(), "#") || strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		if len(c) != 5 {
			t.Fatalf("gold line %d: %d columns; want 5", line, len(c))
		}
		id := plan + "/" + c[0]
		it := out[id]
		if it == nil {
			it = &goldItem{part: c[1]}
			out[id] = it
		}
		if c[2] != "-" {
			it.links = append(it.links, goldLink{paper + "/" + c[2], c[3], c[4]})
		}
	}
	return out
}

// predicted links the embedded plan to the embedded paper.
func predicted(t *testing.T) map[string][]schemas.Link {
	t.Helper()
	r, err := link.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	return predictedWith(t, r)
}

func predictedWith(t *testing.T, r *link.Rules) map[string][]schemas.Link {
	t.Helper()
	feats := sourceFeatures(t, r)
	out := map[string][]schemas.Link{}
	for _, l := range link.Pair(feats[plan], feats[paper], r) {
		out[l.From] = append(out[l.From], l)
	}
	return out
}

// sourceFeatures are the link features of the two sources, classified.
func sourceFeatures(tb testing.TB, r *link.Rules) map[string]schemas.DocFeatures {
	tb.Helper()
	_, docs, g := classifiedSources(tb)
	feats := map[string]schemas.DocFeatures{}
	for _, d := range docs {
		feats[d.Source.ID] = link.Features(d, g, r)
	}
	return feats
}

// classifiedSources are the shipped rules, the two sources run through
// classification, and the glossary the link stage reads (curated terms and
// mechanism names).
func classifiedSources(tb testing.TB) (*link.Rules, []schemas.Document, *anchors.Glossary) {
	tb.Helper()
	r, err := link.LoadRules()
	if err != nil {
		tb.Fatal(err)
	}
	st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: sources.FS(), ManifestPath: sources.Manifest, Until: "classify", NoWorkFiles: true})
	if err != nil {
		tb.Fatal(err)
	}
	terms, _ := anchors.Load(sources.FS())
	registry, _ := anchors.LoadRegistry(sources.FS())
	return r, st.Docs, anchors.NewGlossary(terms, registry)
}

type prf struct{ tp, fp, fn int }

func (m prf) f1() float64 {
	p, r := ratio(m.tp, m.tp+m.fp), ratio(m.tp, m.tp+m.fn)
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func (m prf) String() string {
	return fmt.Sprintf("P %.3f  R %.3f  F1 %.3f  (tp %d, fp %d, fn %d)", ratio(m.tp, m.tp+m.fp), ratio(m.tp, m.tp+m.fn), m.f1(), m.tp, m.fp, m.fn)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// TestEvalLinks prints, per part of the gold standard, precision, recall
// and F1 of the links on clear gold links (a predicted link to a partial
// gold link counts neither way) and on clear and partial ones, and the
// accuracy of continued/dropped; make eval-links runs it.
func TestEvalLinks(t *testing.T) {
	gold := readGold(t)
	pred := predicted(t)
	var ids []string
	for id := range gold {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, part := range strings.Split(*evalParts, ",") {
		var clear, all prf
		var dropOK, items, rel, relN int
		var misses []string
		for _, id := range ids {
			it := gold[id]
			if it.part != part {
				continue
			}
			items++
			g := map[string]goldLink{}
			for _, l := range it.links {
				g[l.to] = l
			}
			p := map[string]schemas.Link{}
			for _, l := range pred[id] {
				p[l.To] = l
			}
			for to, gl := range g {
				_, hit := p[to]
				if hit {
					all.tp++
					if gl.certainty == "clear" {
						clear.tp++
					}
					relN++
					if p[to].Relation == gl.relation {
						rel++
					}
				} else {
					all.fn++
					if gl.certainty == "clear" {
						clear.fn++
						misses = append(misses, fmt.Sprintf("missed %s → %s (%s)", strings.TrimPrefix(id, plan+"/"), strings.TrimPrefix(to, paper+"/"), gl.relation))
					}
				}
			}
			for to, pl := range p {
				if _, ok := g[to]; !ok {
					all.fp++
					clear.fp++
					misses = append(misses, fmt.Sprintf("extra  %s → %s (%.2f %v)", strings.TrimPrefix(id, plan+"/"), strings.TrimPrefix(to, paper+"/"), pl.Score, pl.Evidence))
				}
			}
			if (len(it.links) == 0) == (len(p) == 0) {
				dropOK++
			} else if len(it.links) == 0 {
				misses = append(misses, fmt.Sprintf("not dropped %s", strings.TrimPrefix(id, plan+"/")))
			} else {
				misses = append(misses, fmt.Sprintf("dropped %s", strings.TrimPrefix(id, plan+"/")))
			}
		}
		sort.Strings(misses)
		fmt.Printf("== %s (%d items)\n  clear links:          %v\n  clear+partial links:  %v\n  dropped accuracy:     %.3f (%d of %d)\n  relation agreement:   %.3f (%d of %d found links)\n",
			part, items, clear, all, ratio(dropOK, items), dropOK, items, ratio(rel, relN), rel, relN)
		if slices.Contains(strings.Split(*evalMisses, ","), part) {
			for _, m := range misses {
				fmt.Println("   ", m)
			}
		} else if len(misses) > 0 {
			fmt.Printf("  (%d misses not listed: -args -misses %s lists them)\n", len(misses), part)
		}
		if part == "tune" && (clear.f1() < tuneFloor.clearF1 || ratio(dropOK, items) < tuneFloor.dropped) {
			t.Errorf("tune part: clear F1 %.3f, dropped accuracy %.3f; the rules were tuned to at least %.2f and %.2f", clear.f1(), ratio(dropOK, items), tuneFloor.clearF1, tuneFloor.dropped)
		}
	}
}

// TestPairIsReferenceOnSources: on the two real documents, Pair gives the
// links of the plain pairwise definition, bit for bit.
func TestPairIsReferenceOnSources(t *testing.T) {
	r, err := link.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	feats := sourceFeatures(t, r)
	got, want := link.Pair(feats[plan], feats[paper], r), link.ReferencePair(feats[plan], feats[paper], r)
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("Pair gives %d links, the reference %d", len(got), len(want))
	}
}

// BenchmarkPair times linking the action plan to the policy paper from
// their features (both prepared, then compared), and reports clause pairs
// compared per second.
func BenchmarkPair(b *testing.B) {
	r, err := link.LoadRules()
	if err != nil {
		b.Fatal(err)
	}
	feats := sourceFeatures(b, r)
	a, p := feats[plan], feats[paper]
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		link.Pair(a, p, r)
	}
	b.ReportMetric(float64(len(a.Clauses)*len(p.Clauses)*b.N)/b.Elapsed().Seconds(), "clause-pairs/s")
}

// TestEvalLinksAcrossLanguages prints, on the tuned part only, how the
// links fare when the paper has no Chinese (its clauses' English alone,
// their commitments as classified from both languages): the Chinese-only
// plan then meets it through mechanisms, anchors and sectors only. The
// links it finds must still be right.
func TestEvalLinksAcrossLanguages(t *testing.T) {
	r, docs, g := classifiedSources(t)
	feats := map[string]schemas.DocFeatures{}
	for _, d := range docs {
		if d.Source.ID == paper {
			d.Clauses = slices.Clone(d.Clauses)
			for i := range d.Clauses {
				d.Clauses[i].TextZh, d.Clauses[i].TitleZh = "", ""
			}
		}
		feats[d.Source.ID] = link.Features(d, g, r)
	}
	pred := map[string][]schemas.Link{}
	for _, l := range link.Pair(feats[plan], feats[paper], r) {
		pred[l.From] = append(pred[l.From], l)
	}
	gold := readGold(t)
	var clear prf
	for id, it := range gold {
		if it.part != "tune" {
			continue
		}
		p := map[string]bool{}
		for _, l := range pred[id] {
			p[l.To] = true
		}
		g := map[string]bool{}
		for _, l := range it.links {
			g[l.to] = true
			if l.certainty == "clear" {
				if p[l.to] {
					clear.tp++
				} else {
					clear.fn++
				}
			}
		}
		for to := range p {
			if !g[to] {
				clear.fp++
			}
		}
	}
	fmt.Printf("== tune, paper in English only\n  clear links:          %v\n", clear)
	// Without a language in common the links are fewer; they must not be
	// wrong.
	if p := ratio(clear.tp, clear.tp+clear.fp); p < 0.9 || clear.tp == 0 {
		t.Errorf("across languages: precision %.3f on %d links; want at least 0.9", p, clear.tp+clear.fp)
	}
}

// BenchmarkFeatures times the link stage's work on one document: its
// features extracted from the classified clauses, prepared and encoded as
// the run carries them (both real documents per iteration).
func BenchmarkFeatures(b *testing.B) {
	r, docs, g := classifiedSources(b)
	var size int
	for _, d := range docs {
		for _, c := range d.Clauses {
			size += len(c.TextZh) + len(c.TextEn)
		}
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			if _, _, err := link.EncodeDoc(d, g, r); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestEncodeDocIsEncode: the stage's encoding of the two sources, made
// without a map of words per clause, is byte for byte Encode of Features,
// which Pair and the reference definition read.
func TestEncodeDocIsEncode(t *testing.T) {
	r, docs, g := classifiedSources(t)
	for _, d := range docs {
		f := link.Features(d, g, r)
		want, err := link.Encode(f)
		if err != nil {
			t.Fatal(err)
		}
		got, n, err := link.EncodeDoc(d, g, r)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Prepared, want) || n != len(f.Clauses) || got.DocID != f.DocID || got.Date != f.Date || got.Clauses != nil {
			t.Fatalf("%s: EncodeDoc gives %d bytes for %d clauses (dated %q); Encode(Features) %d bytes for %d (dated %q)",
				d.Source.ID, len(got.Prepared), n, got.Date, len(want), len(f.Clauses), f.Date)
		}
	}
}
