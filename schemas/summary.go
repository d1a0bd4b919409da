package schemas

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// DocFunc is a stage's work on one document: it changes the document in
// place and adds to the document's tally. It must touch nothing shared, so
// that the runner can give documents to it in any order and side by side.
type DocFunc func(d *Document, t *Tally) error

// PerDoc is a stage as the runner sees it: Prepare does the stage's
// run-level work once (load its rules, models and vocabularies) and returns
// the function the runner applies to each document.
type PerDoc interface {
	Name() string
	Prepare(ctx context.Context, st *State) (DocFunc, error)
}

// RunAll prepares a stage and applies it to every document in st, Jobs at a
// time: for tests and tools that hold a whole corpus in memory. The runner
// itself streams documents through the stages instead.
func RunAll(ctx context.Context, st *State, s PerDoc) error {
	fn, err := s.Prepare(ctx, st)
	if err != nil {
		return err
	}
	return st.EachDoc(s.Name(), fn)
}

// Summary is what a run keeps of a document once the writers have its
// rows: what the run report, the data card and datapackage.json say of it.
// Memory then grows with the number of documents by a summary each, not by
// their text.
type Summary struct {
	Source         Source
	Clauses        int
	Headings       int
	TextUnits      int
	Sentences      int
	Commitments    int // units labelled as commitments
	Removed        int // lines clean took out
	Truncated      bool
	TruncationNote *string
	Layout         string
	LayoutReason   string
	Warnings       []string
	// Lines are the run report's lines about the document: its layout, each
	// removed line and each warning; Review its lines about the sentences
	// flagged for a person's check. Texts in them are shortened, so that a
	// summary stays small.
	Lines  []string
	Review []string
}

// The kinds of run report line a summary holds: each line's first word.
// The report bounds some kinds and never others (pipeline.WriteReport).
const (
	LineLayout  = "layout"
	LineRemoved = "removed"
	LineWarning = "warning"
	LineReview  = "review"
)

// Summarize keeps what a Summary needs of d. A summary outlives its
// document, so it holds copies: a string cut from the document's text (the
// truncation note is a line of the snapshot) would keep the whole text in
// memory until the run's end.
func Summarize(d Document) Summary {
	s := Summary{Source: d.Source, Clauses: len(d.Clauses), Sentences: len(d.Sentences), Removed: len(d.Removed),
		Truncated: d.Truncated, Layout: strings.Clone(d.Layout), LayoutReason: strings.Clone(d.LayoutReason)}
	if d.TruncationNote != nil {
		note := strings.Clone(*d.TruncationNote)
		s.TruncationNote = &note
	}
	if d.Warnings != nil {
		s.Warnings = make([]string, len(d.Warnings))
		for i, w := range d.Warnings {
			s.Warnings[i] = strings.Clone(w)
		}
	}
	id := d.Source.ID
	if d.LayoutReason != "" {
		s.Lines = append(s.Lines, fmt.Sprintf("%-8s %s: %s (auto: %s)", LineLayout, id, d.Layout, d.LayoutReason))
	}
	for _, r := range d.Removed {
		s.Lines = append(s.Lines, fmt.Sprintf("%-8s %s line %d (%s): %s", LineRemoved, id, r.Line, r.Rule, shorten(r.Text, 60)))
	}
	for _, w := range d.Warnings {
		s.Lines = append(s.Lines, fmt.Sprintf("%-8s %s: %s", LineWarning, id, w))
	}
	for _, c := range d.Clauses {
		if c.IsText() {
			s.TextUnits++
		}
	}
	s.Headings = s.Clauses - s.TextUnits
	for _, c := range d.Commitments {
		if c.IsCommitment {
			s.Commitments++
		}
	}
	for _, snt := range d.Sentences {
		if snt.NeedsReview {
			s.Review = append(s.Review, fmt.Sprintf("%-8s %s (%s): %s: %s | %s", LineReview, snt.ID, snt.Bead, snt.ReviewReason, shorten(snt.Zh, 24), shorten(snt.En, 48)))
		}
	}
	return s
}

// shorten cuts s to n code points, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return strings.Clone(s)
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// Totals are the run-level counts that the mechanisms and sectors tables
// release, gathered one document at a time.
type Totals struct {
	MechanismUnits map[string]int64 // mechanism id → units naming it
	SectorUnits    map[string]int64 // sector code → commitments in it
	// mechanismDocs are, per mechanism id, the documents naming it, in run
	// order, as indexes into docIDs: a table of mechanisms by documents
	// grows with the corpus, and an index takes a quarter of a string's
	// room.
	mechanismDocs map[string][]int32
	docIDs        []string
}

// Add counts one document.
func (t *Totals) Add(d Document) {
	if t.MechanismUnits == nil {
		t.MechanismUnits, t.mechanismDocs, t.SectorUnits = map[string]int64{}, map[string][]int32{}, map[string]int64{}
	}
	doc := int32(len(t.docIDs))
	t.docIDs = append(t.docIDs, d.Source.ID)
	for _, c := range d.Commitments {
		for _, id := range c.MechanismIDs {
			t.MechanismUnits[id]++
			if ds := t.mechanismDocs[id]; len(ds) == 0 || ds[len(ds)-1] != doc {
				t.mechanismDocs[id] = append(ds, doc)
			}
		}
		if c.IsCommitment {
			t.SectorUnits[c.Sector]++
		}
	}
}

// MechanismDocs lists the documents naming a mechanism, in run order.
func (t *Totals) MechanismDocs(id string) []string {
	ds := t.mechanismDocs[id]
	if ds == nil {
		return nil
	}
	out := make([]string, len(ds))
	for i, k := range ds {
		out[i] = t.docIDs[k]
	}
	return out
}
