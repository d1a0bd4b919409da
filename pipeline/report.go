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
func WriteReport(w io.Writer, st *schemas.State) {
	if st.UpToDate && st.Summaries.Len() == 0 { // nothing ran after fetch
		fmt.Fprintf(w, "up to date: %d documents unchanged\n", len(st.Docs))
		for _, n := range st.Notes {
			fmt.Fprintf(w, "note     %s\n", n)
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "document\tclauses\theadings\ttext units\tsentences\tcommitments\tremoved lines\ttruncated\twarnings")
	var tc, th, tt, ts, tcm, tr, tw2 int
	for d := range st.Summaries.All() {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%t\t%d\n", d.Source.ID, d.Clauses, d.Headings, d.TextUnits, d.Sentences, d.Commitments, d.Removed, d.Truncated, len(d.Warnings))
		tc, th, tt, ts, tcm, tr, tw2 = tc+d.Clauses, th+d.Headings, tt+d.TextUnits, ts+d.Sentences, tcm+d.Commitments, tr+d.Removed, tw2+len(d.Warnings)
	}
	fmt.Fprintf(tw, "total (%d)\t%d\t%d\t%d\t%d\t%d\t%d\t\t%d\n", st.Summaries.Len(), tc, th, tt, ts, tcm, tr, tw2)
	tw.Flush()
	for d := range st.Summaries.All() {
		for _, l := range d.Lines {
			fmt.Fprintln(w, l)
		}
	}
	for d := range st.Summaries.All() {
		for _, l := range d.Review {
			fmt.Fprintln(w, l)
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
