package pipeline

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/stages/align"
)

var qualityReport = flag.Bool("quality-report", false, "print the perturbation suite's figures per part")

// perturbation is one way a table of bilingual rows goes wrong, with the
// rows (indexes into paperRows) it touched.
type perturbation struct {
	name    string
	rows    [][2]string
	touched []int
}

// isTextRow reports whether a row of the paper is a paragraph (not a
// heading or a heading's title row).
func textRows(rows [][2]string) []bool {
	out := make([]bool, len(rows))
	for i, r := range rows {
		title := i > 0 && strings.HasPrefix(rows[i-1][0], "第") && strings.HasSuffix(rows[i-1][0], "部分")
		out[i] = !numbered(r[0]) && !title
	}
	return out
}

// perturbations builds the suite from the paper's rows: the English cell
// of one row deleted, and of three rows at once; the English of two
// neighbouring paragraphs swapped; and the English of a run of paragraphs
// shifted down by one row (the first left empty, the last one's lost).
func perturbations(rows [][2]string) []perturbation {
	text := textRows(rows)
	clone := func() [][2]string { return append([][2]string{}, rows...) }
	var out []perturbation
	var texts []int
	for i := range rows {
		if text[i] {
			texts = append(texts, i)
		}
	}
	for _, i := range texts {
		r := clone()
		r[i][1] = ""
		out = append(out, perturbation{fmt.Sprintf("delete %d", i), r, []int{i}})
	}
	for x := 0; x+8 < len(texts); x += 9 {
		r := clone()
		set := []int{texts[x], texts[x+3], texts[x+8]}
		for _, i := range set {
			r[i][1] = ""
		}
		out = append(out, perturbation{fmt.Sprintf("delete %v", set), r, set})
	}
	for i := 0; i+1 < len(rows); i++ {
		if text[i] && text[i+1] {
			r := clone()
			r[i][1], r[i+1][1] = r[i+1][1], r[i][1]
			out = append(out, perturbation{fmt.Sprintf("swap %d-%d", i, i+1), r, []int{i, i + 1}})
		}
	}
	for i := 0; i < len(rows); i++ {
		if !text[i] || i > 0 && text[i-1] {
			continue // a run of paragraphs starts here
		}
		j := i
		for j+1 < len(rows) && text[j+1] {
			j++
		}
		if j == i {
			continue
		}
		r := clone()
		var touched []int
		for k := j; k > i; k-- {
			r[k][1] = r[k-1][1]
			touched = append(touched, k)
		}
		r[i][1] = ""
		touched = append(touched, i)
		sort.Ints(touched)
		out = append(out, perturbation{fmt.Sprintf("shift %d-%d", i, j), r, touched})
	}
	return out
}

// heldOut reports whether a clause id lies in the held-out part of the
// policy paper (programs 3–5), as in the alignment gold standard.
func heldOut(id string) bool {
	for _, p := range []string{"/part3/prog3", "/part3/prog4", "/part3/prog5"} {
		if strings.Contains(id, p) {
			return true
		}
	}
	return false
}

// qualityFigures counts, per part, perturbed paragraphs flagged and
// untouched beads flagged.
type qualityFigures struct {
	perturbed, perturbedFlagged int
	untouched, untouchedFlagged int
	missed                      []string
}

func runPerturbation(t *testing.T, p perturbation) schemas.Document {
	t.Helper()
	f := layoutFixture{name: "perturbed", langs: []string{"zh", "en"},
		zh: joinRows(p.rows, func(zh, en string) string { return zh + " | " + en + " | |\n" })}
	st, err := Run(context.Background(), Options{Sources: fixtureFS(t, f, "bilingual-rows"), ManifestPath: "sources.yaml", Until: "align", NoWorkFiles: true,
		Align: align.Options{ReviewThreshold: 0.8}})
	if err != nil {
		t.Fatalf("%s: Run = %v", p.name, err)
	}
	return st.Docs[0]
}

// TestPerturbationSuite: every perturbed paragraph is flagged (a warning
// names it and its beads need review), and at most 5% of the beads of
// untouched paragraphs are flagged, in the tuning and the held-out part
// alike.
func TestPerturbationSuite(t *testing.T) {
	rows := paperRows(t)
	suite := perturbations(rows)
	figs := map[bool]*qualityFigures{false: {}, true: {}}
	for _, p := range suite {
		d := runPerturbation(t, p)
		// Clause of each row: rows map to clauses through source_line.
		byLine := map[int]schemas.Clause{}
		for _, c := range d.Clauses {
			byLine[c.SourceLine] = c
		}
		touched := map[string]bool{}
		for _, i := range p.touched {
			c, ok := byLine[i+1]
			if !ok {
				t.Fatalf("%s: no clause at line %d", p.name, i+1)
			}
			touched[c.ID] = true
		}
		warned := strings.Join(d.Warnings, "\n")
		flagged := map[string]bool{}
		for _, s := range d.Sentences {
			if s.NeedsReview {
				flagged[s.ClauseID] = true
			}
			if !touched[s.ClauseID] {
				f := figs[heldOut(s.ClauseID)]
				f.untouched++
				if s.NeedsReview {
					f.untouchedFlagged++
				}
			}
		}
		for id := range touched {
			f := figs[heldOut(id)]
			f.perturbed++
			if flagged[id] && strings.Contains(warned, "("+id+")") {
				f.perturbedFlagged++
			} else {
				f.missed = append(f.missed, p.name+" "+id)
			}
		}
	}
	for _, part := range []bool{false, true} {
		f := figs[part]
		name := map[bool]string{false: "tuning", true: "held-out"}[part]
		line := fmt.Sprintf("%-8s perturbed paragraphs flagged %d/%d (%.1f%%); untouched beads flagged %d/%d (%.2f%%)", name,
			f.perturbedFlagged, f.perturbed, 100*float64(f.perturbedFlagged)/float64(max(f.perturbed, 1)),
			f.untouchedFlagged, f.untouched, 100*float64(f.untouchedFlagged)/float64(max(f.untouched, 1)))
		if *qualityReport {
			fmt.Println(line)
		}
		t.Log(line)
		if len(f.missed) > 0 {
			t.Errorf("%s: %d perturbed paragraphs not flagged, e.g. %v", name, len(f.missed), f.missed[:min(len(f.missed), 8)])
		}
		if f.untouchedFlagged*20 > f.untouched {
			t.Errorf("%s: %d of %d untouched beads flagged; want at most 5%%", name, f.untouchedFlagged, f.untouched)
		}
	}
	t.Logf("%d perturbations", len(suite))
}

// TestIncompleteCarried: the action plan's capture stops inside its last
// item; that item's clause, its last sentence and its last unit are marked
// incomplete, nothing else is, and the data card says what that means.
func TestIncompleteCarried(t *testing.T) {
	st := runOK(t, embedded(t, t.TempDir()))
	d := doc(t, st, "celac-jap-2022-2024")
	var incomplete []string
	for _, c := range d.Clauses {
		if !c.Complete {
			incomplete = append(incomplete, "clause "+c.ID)
		}
	}
	for _, s := range d.Sentences {
		if !s.Complete {
			incomplete = append(incomplete, "sentence "+s.ID)
		}
	}
	for _, u := range d.Commitments {
		if !u.Complete {
			incomplete = append(incomplete, "unit "+u.UnitID)
		}
	}
	last := d.Clauses[len(d.Clauses)-1].ID
	want := []string{"clause " + last, "sentence " + d.Sentences[len(d.Sentences)-1].ID, "unit " + d.Commitments[len(d.Commitments)-1].UnitID}
	if strings.Join(incomplete, ",") != strings.Join(want, ",") || !strings.HasPrefix(want[1], "sentence "+last+"/") {
		t.Errorf("incomplete = %v; want %v", incomplete, want)
	}
	for _, other := range []string{"lac-policy-2025"} {
		for _, s := range doc(t, st, other).Sentences {
			if !s.Complete {
				t.Errorf("%s is marked incomplete", s.ID)
			}
		}
	}
}
