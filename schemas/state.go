package schemas

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
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
	// Docs are the documents that have not failed, in manifest order.
	Docs []Document
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
}

// Data is what the released tables are built from.
type Data struct {
	Docs       []Document
	Mechanisms []Mechanism
	Sectors    []Sector
}

// Data returns the state's releasable data.
func (s *State) Data() Data { return Data{Docs: s.Docs, Mechanisms: s.Mechanisms, Sectors: s.Sectors} }

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

// CountNames returns the counter names in sorted order.
func (s *State) CountNames() []string {
	names := make([]string, 0, len(s.Counts))
	for k := range s.Counts {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// EachDoc applies fn to every document still in play. A document whose fn
// fails is moved to Failures and takes no further part in the run; the
// others go on. It returns the errors of this call joined, or nil.
func (s *State) EachDoc(stage string, fn func(*Document) error) error {
	kept := s.Docs[:0]
	var errs []error
	for i := range s.Docs {
		d := s.Docs[i]
		if err := fn(&d); err != nil {
			s.Failures = append(s.Failures, Failure{DocID: d.Source.ID, Stage: stage, Err: err})
			errs = append(errs, err)
			continue
		}
		kept = append(kept, d)
	}
	s.Docs = kept
	return errors.Join(errs...)
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
