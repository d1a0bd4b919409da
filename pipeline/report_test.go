package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policyledger/policyledger/schemas"
)

// reportState is a run of n documents, each with a layout line, two
// removed lines and three review lines; every fifth has a warning.
func reportState(t *testing.T, n int) *schemas.State {
	t.Helper()
	st := &schemas.State{}
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("doc-%03d", i)
		s := schemas.Summary{Source: schemas.Source{ID: id}, Clauses: 10, Headings: 4, TextUnits: 6, Sentences: 8, Commitments: 3, Removed: 2}
		s.Lines = append(s.Lines, "layout   "+id+": markdown-zh (auto: 12 lines)")
		s.Lines = append(s.Lines, "removed  "+id+" line 1 (site): 首页", "removed  "+id+" line 2 (site): 返回顶部")
		if i%5 == 0 {
			s.Warnings = []string{"line 7: heading without text"}
			s.Lines = append(s.Lines, "warning  "+id+": line 7: heading without text")
		}
		for j := 1; j <= 3; j++ {
			s.Review = append(s.Review, fmt.Sprintf("review   %s/p%d/s1 (1-1): alignment score 0.5 is under the review threshold 0.80: 中文 | English", id, j))
		}
		if err := st.SummaryList().Add(s); err != nil {
			t.Fatal(err)
		}
	}
	st.Failures = []schemas.Failure{{DocID: "doc-broken", Stage: "parse", Err: errors.New("line 3: no heading: check the layout")}}
	st.Notes = []string{"release 0.1.0: written"}
	return st
}

// TestReportGolden: the run report of 12 documents, bounded at 4 rows and
// unbounded. Bounded, the table lists 4 documents and each routine kind 4
// lines, each with a line counting the rest; every warning and failure is
// still there. Regenerate with -update and read the diff.
func TestReportGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows int
	}{{"report_bounded", 4}, {"report_all", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			WriteReport(&b, reportState(t, 12), tc.rows)
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got := b.String(); got != string(want) {
				t.Errorf("report differs from %s (go test -update, then read the diff):\n%s", path, got)
			}
		})
	}
}

// TestReportBounded: however many documents a run has, the report holds
// about 4 × rows routine lines, and never drops a warning or failure.
func TestReportBounded(t *testing.T) {
	var b bytes.Buffer
	WriteReport(&b, reportState(t, 500), 50)
	out := b.String()
	lines := strings.Count(out, "\n")
	// 50 rows + header, more and total; 50 of each of 3 kinds + their
	// "more" lines; 100 warnings, a failure, a note.
	if lines > 4*50+10+100 {
		t.Errorf("report of 500 documents has %d lines; want at most %d", lines, 4*50+10+100)
	}
	if n := strings.Count(out, "\nwarning  "); n != 100 {
		t.Errorf("%d warning lines; want all 100", n)
	}
	for _, want := range []string{"FAILED   doc-broken at parse", "… 450 more documents", "total (500)  5000", "review   … 1450 more not shown", "removed  … 950 more not shown", "layout   … 450 more not shown"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// TestReportBoundsSummaryLines: the kinds the report bounds are the kinds
// of line Summarize writes: with a bound of 1, the embedded documents'
// removed and review lines past the first are counted, not printed (with
// a review threshold high enough that several sentences need review).
func TestReportBoundsSummaryLines(t *testing.T) {
	opt := embedded(t, t.TempDir())
	opt.Align.ReviewThreshold = 0.95
	st := runOK(t, opt)
	var b bytes.Buffer
	WriteReport(&b, st, 1)
	out := b.String()
	for _, kind := range []string{schemas.LineRemoved, schemas.LineReview} {
		if n := strings.Count(out, "\n"+fmt.Sprintf("%-8s ", kind)); n != 2 { // one shown, one "… more"
			t.Errorf("%d %s lines with a bound of 1; want 2 (one line and the count of the rest):\n%s", n, kind, out)
		}
		if !strings.Contains(out, fmt.Sprintf("%-8s … ", kind)) {
			t.Errorf("no count of the %s lines left out:\n%s", kind, out)
		}
	}
}
