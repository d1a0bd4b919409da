package pipeline

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/policyledger/policyledger/schemas"
)

// WriteReport prints the run report: one line per document with its
// clause, text-unit and sentence counts, the removals cleaning made and
// warnings; then failures, run notes and counters.
//
// rows bounds what grows with the corpus: the documents listed in the
// table, and the layout, removed and review lines, each kind on its own;
// a line then says how many were left out and where the release keeps
// them. Warnings and failures are always printed whole: they are what a
// person must not miss, and a long list of routine lines would bury them.
// rows 0 prints everything.
func WriteReport(w io.Writer, st *schemas.State, rows int) {
	if st.UpToDate && st.Summaries.Len() == 0 { // nothing ran after fetch
		fmt.Fprintf(w, "up to date: %d documents unchanged\n", len(st.Docs))
		for _, n := range st.Notes {
			fmt.Fprintf(w, "note     %s\n", n)
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "document\tclauses\theadings\ttext units\tsentences\tcommitments\tremoved lines\ttruncated\twarnings")
	var tc, th, tt, ts, tcm, tr, tw2, listed int
	for d := range st.Summaries.All() {
		if rows == 0 || listed < rows {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%t\t%d\n", d.Source.ID, d.Clauses, d.Headings, d.TextUnits, d.Sentences, d.Commitments, d.Removed, d.Truncated, len(d.Warnings))
			listed++
		}
		tc, th, tt, ts, tcm, tr, tw2 = tc+d.Clauses, th+d.Headings, tt+d.TextUnits, ts+d.Sentences, tcm+d.Commitments, tr+d.Removed, tw2+len(d.Warnings)
	}
	fmt.Fprintf(tw, "total (%d)\t%d\t%d\t%d\t%d\t%d\t%d\t\t%d\n", st.Summaries.Len(), tc, th, tt, ts, tcm, tr, tw2)
	tw.Flush()
	if more := st.Summaries.Len() - listed; more > 0 {
		fmt.Fprintf(w, "… %d more documents in the total, not listed: --report-rows 0 lists them; a release has a row for each in documents.csv\n", more)
	}
	capped := map[string]*kindCap{
		schemas.LineLayout:  {where: "documents.csv, columns layout and layout_reason"},
		schemas.LineRemoved: {where: "documents.csv, column boilerplate"},
		schemas.LineReview:  {where: "review.csv"},
	}
	emit := func(l string) {
		kind, _, _ := strings.Cut(l, " ")
		if c := capped[kind]; c != nil && rows > 0 {
			if c.shown >= rows {
				c.left++
				return
			}
			c.shown++
		}
		fmt.Fprintln(w, l)
	}
	for d := range st.Summaries.All() {
		for _, l := range d.Lines {
			emit(l)
		}
	}
	for d := range st.Summaries.All() {
		for _, l := range d.Review {
			emit(l)
		}
	}
	for _, kind := range []string{schemas.LineLayout, schemas.LineRemoved, schemas.LineReview} {
		if c := capped[kind]; c.left > 0 {
			fmt.Fprintf(w, "%-8s … %d more not shown: --report-rows 0 prints them all; a release lists every one in %s\n", kind, c.left, c.where)
		}
	}
	for _, f := range st.Failures {
		fmt.Fprintf(w, "FAILED   %s at %s: %v\n", f.DocID, f.Stage, f.Err)
	}
	if f := st.Stopped; f != nil {
		fmt.Fprintf(w, "FAILED   the run stopped at %s: %v\n", f.Stage, f.Err)
	}
	for _, n := range st.Notes {
		fmt.Fprintf(w, "note     %s\n", n)
	}
	if names := st.CountNames(); len(names) > 0 {
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = fmt.Sprintf("%s=%d", n, st.Counts[n])
		}
		fmt.Fprintf(w, "counts   %s\n", strings.Join(parts, " "))
	}
}

// kindCap counts one kind of report line against the bound.
type kindCap struct {
	where       string // the release table that lists every line's subject
	shown, left int
}
