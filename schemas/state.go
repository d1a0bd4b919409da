package schemas

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"sync"
)

// State is what the stages of one run share: the documents still in play,
// the ones that failed, and the counters the run report prints.
type State struct {
	// Sources is where the manifest and snapshots are read from.
	Sources fs.FS
	// ManifestPath is the manifest's path inside Sources.
	ManifestPath string
	// Dataset is the dataset-level metadata of the manifest.
	Dataset Dataset
	// Docs are the documents that have not failed, in manifest order. The
	// runner streams documents through the stages and keeps only their
	// Summaries, unless asked to keep them whole.
	Docs []Document
	// Summaries are what the run keeps of each released document (nil: none
	// yet).
	Summaries *SummaryList
	// Failures are the documents that failed, with the stage and error.
	Failures []Failure
	// Stopped is the stage error that stopped the whole run (a bad
	// manifest, a release that cannot be written), if any.
	Stopped *Failure
	// Counts are named run counters ("clean.drop", …), printed by the report.
	Counts map[string]int
	// Notes are run-level lines for the report (skips, release outcome).
	Notes []string
	// Mechanisms and Sectors are run-level tables filled by classify.
	Mechanisms []Mechanism
	Sectors    []Sector
	// Links and Continuity are the cross-document links the release made
	// (kept with the documents when the run keeps them whole).
	Links      []Link
	Continuity []Continuity
	LinkReview float64
	// Jobs is how many documents EachDoc works on at once (1 when unset).
	Jobs int
	// UpToDate says the run stopped after fetch because the release was
	// built from exactly these snapshots, entries, files, settings and
	// program: nothing else ran and nothing was written.
	UpToDate bool
}

// Tally is what one document's work adds to the run's counters and notes.
// EachDoc gives each document its own and merges them in document order,
// so that the report does not depend on which document finished first.
type Tally struct {
	counts map[string]int
	notes  []string
}

// Count adds n to a named counter.
func (t *Tally) Count(name string, n int) {
	if t.counts == nil {
		t.counts = map[string]int{}
	}
	t.counts[name] += n
}

// Note adds a line to the run report.
func (t *Tally) Note(line string) { t.notes = append(t.notes, line) }

// CountNames returns the tally's counter names in sorted order.
func (t *Tally) CountNames() []string { return sortedKeys(t.counts) }

// Counts returns one counter of the tally.
func (t *Tally) Counts(name string) int { return t.counts[name] }

// Notes returns the tally's report lines in the order they were added.
func (t *Tally) Notes() []string { return t.notes }

// Data is what the released tables are built from: documents for the
// tables with rows per document, and for the run-level tables (mechanisms,
// sectors) the registries with the Totals of every document of the run.
type Data struct {
	Docs       []Document
	Mechanisms []Mechanism
	Sectors    []Sector
	// Totals are counted from Docs when nil.
	Totals *Totals
	// Links and Continuity are the cross-document links of the run.
	Links      []Link
	Continuity []Continuity
	// LinkReview is the score under which a link is listed for review.
	LinkReview float64
}

func (d Data) totals() *Totals {
	if d.Totals != nil {
		return d.Totals
	}
	t := &Totals{}
	for _, doc := range d.Docs {
		t.Add(doc)
	}
	return t
}

// Data returns the state's releasable data.
func (s *State) Data() Data {
	return Data{Docs: s.Docs, Mechanisms: s.Mechanisms, Sectors: s.Sectors, Links: s.Links, Continuity: s.Continuity, LinkReview: s.LinkReview}
}

// Dataset is the dataset-level metadata of sources.yaml. It is read with
// yaml, never through the configuration layer, so its case is preserved.
type Dataset struct {
	Name        string    `yaml:"name" json:"name"`
	Title       string    `yaml:"title" json:"title"`
	Description string    `yaml:"description" json:"description"`
	Homepage    *string   `yaml:"homepage" json:"homepage"`
	Licenses    []License `yaml:"licenses" json:"licenses"`
	Keywords    []string  `yaml:"keywords" json:"keywords"`
	Citation    string    `yaml:"citation" json:"citation"`
}

// License is a Frictionless licence entry.
type License struct {
	Name  string `yaml:"name" json:"name"`
	Path  string `yaml:"path" json:"path"`
	Title string `yaml:"title" json:"title"`
}

// Failure records one document that a stage could not process.
type Failure struct {
	DocID string
	Stage string
	Err   error
}

func (f Failure) Error() string { return f.Err.Error() }

// Count adds n to a named counter.
func (s *State) Count(name string, n int) {
	if s.Counts == nil {
		s.Counts = map[string]int{}
	}
	s.Counts[name] += n
}

// SummaryList returns the run's summaries, starting them if there are none:
// the runner and the release writer add to this one list, so a run holds a
// summary of each document once.
func (s *State) SummaryList() *SummaryList {
	if s.Summaries == nil {
		s.Summaries = &SummaryList{}
	}
	return s.Summaries
}

// CountNames returns the counter names in sorted order.
func (s *State) CountNames() []string {
	names := make([]string, 0, len(s.Counts))
	for k := range s.Counts {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// EachDoc applies fn to every document still in play, Jobs documents at a
// time; fn must touch nothing shared but its document and its tally. A
// document whose fn fails is moved to Failures and takes no further part in
// the run; the others go on. Documents, failures, counters and notes come
// out in document order whatever the number of jobs. It returns the errors
// of this call joined, or nil.
func (s *State) EachDoc(stage string, fn func(*Document, *Tally) error) error {
	return s.EachDocJobs(stage, s.Jobs, fn)
}

// EachDocJobs is EachDoc with its own number of jobs (1 for work that must
// not run side by side).
func (s *State) EachDocJobs(stage string, jobs int, fn func(*Document, *Tally) error) error {
	n := len(s.Docs)
	tallies := make([]Tally, n)
	errs := make([]error, n)
	if jobs < 1 {
		jobs = 1
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(jobs, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = fn(&s.Docs[i], &tallies[i])
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	kept := s.Docs[:0]
	var failed []error
	for i := 0; i < n; i++ {
		for _, name := range sortedKeys(tallies[i].counts) {
			s.Count(name, tallies[i].counts[name])
		}
		s.Notes = append(s.Notes, tallies[i].notes...)
		if errs[i] != nil {
			s.Failures = append(s.Failures, Failure{DocID: s.Docs[i].Source.ID, Stage: stage, Err: errs[i]})
			failed = append(failed, errs[i])
			continue
		}
		kept = append(kept, s.Docs[i])
	}
	s.Docs = kept
	return errors.Join(failed...)
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Err joins every failure of the run, or returns nil.
func (s *State) Err() error {
	errs := make([]error, len(s.Failures))
	for i, f := range s.Failures {
		errs[i] = f
	}
	return errors.Join(errs...)
}

// Doc returns the document with the given id.
func (s *State) Doc(id string) (*Document, error) {
	for i := range s.Docs {
		if s.Docs[i].Source.ID == id {
			return &s.Docs[i], nil
		}
	}
	return nil, fmt.Errorf("no document %q in this run", id)
}
