// Package pipeline is the runner: it holds the ordered list of stages, runs
// them over a schemas.State, tallies each document's outcome, and renders
// the run report. A document that fails one stage is recorded and dropped;
// the others go on, and the run ends with the failures joined.
package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/stages/align"
	"github.com/policyledger/policyledger/stages/classify"
	"github.com/policyledger/policyledger/stages/clean"
	"github.com/policyledger/policyledger/stages/fetch"
	"github.com/policyledger/policyledger/stages/parse"
	"github.com/policyledger/policyledger/stages/release"
)

// Stage is one step of the pipeline.
type Stage interface {
	Name() string
	Run(ctx context.Context, st *schemas.State) error
}

// Skipper is implemented by stages that may decline to run; a skip is
// logged and reported, never an error.
type Skipper interface {
	Skip(st *schemas.State) (skip bool, reason string)
}

// Options configure a run.
type Options struct {
	// Sources holds the manifest and snapshots; ManifestPath is the
	// manifest inside it.
	Sources      fs.FS
	ManifestPath string
	// Until stops the run after the named stage and writes that stage's
	// documents as JSON under Release.Output/work/<stage>/.
	Until string
	// NoWorkFiles keeps Until from writing the stage's documents.
	NoWorkFiles bool
	// Strict fails every document that has a quality warning.
	Strict bool
	// Jobs is how many documents a stage works on at once; 0 means the
	// number of cores. The output is the same for any value.
	Jobs int
	// CacheDir holds the incremental runner's cache (see cache.go); empty
	// turns it off. Runs with Until do not use it.
	CacheDir string
	Fetch    fetch.Options
	Align    align.Options
	Release  release.Options
	Logger   *slog.Logger
}

// step is one entry of the stage list: the stage and why it is there.
type step struct {
	Stage
	why string
}

// steps is the ordered stage list.
func steps(opt Options) []step {
	return []step{
		{fetch.Stage{Options: opt.Fetch}, "read the manifest; refresh from the web if asked; verify every snapshot against its pinned sha256"},
		{clean.Stage{}, "strip web boilerplate and truncation notes into metadata, so no clause carries them"},
		{parse.Stage{}, "build each document's own hierarchy; clause ids come from it"},
		{align.Stage{Options: opt.Align}, "split text clauses into sentences and pair Chinese with English"},
		{classify.Stage{}, "label commitments: actor, modality, strength, sector, mechanisms, amounts"},
		{gate{strict: opt.Strict}, "with --strict, fail every document that has a quality warning, so a scheduled run publishes nothing doubtful"},
		{release.Stage{Options: opt.Release}, "write the versioned tables, datapackage.json, data card and checksums"},
	}
}

// Describe lists the stages in order with why each is there.
func Describe() [][2]string {
	var out [][2]string
	for _, s := range steps(Options{}) {
		out = append(out, [2]string{s.Name(), s.why})
	}
	return out
}

// StageNames lists the stages in order.
func StageNames() []string {
	var names []string
	for _, s := range steps(Options{}) {
		names = append(names, s.Name())
	}
	return names
}

// ErrFatal marks a stage error that stopped the whole run (as opposed to
// failures of single documents).
var ErrFatal = errors.New("run stopped")

// Run executes the stages in order and returns the final state with its
// report. The error joins every document failure; a stage-level failure
// (such as a bad manifest) stops the run and wraps ErrFatal.
func Run(ctx context.Context, opt Options) (*schemas.State, error) {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opt.Until != "" && !known(opt.Until) {
		return nil, fmt.Errorf("pipeline: unknown stage %q for --until (stages: %v)", opt.Until, StageNames())
	}
	st := &schemas.State{Sources: opt.Sources, ManifestPath: opt.ManifestPath, Jobs: opt.Jobs}
	if st.Jobs <= 0 {
		st.Jobs = runtime.NumCPU()
	}
	var c *cache
	for _, s := range steps(opt) {
		// The cache is written once the run is known to succeed up to the
		// release: a run with a failure writes nothing, the cache included.
		if s.Name() == "release" && c != nil && len(st.Failures) == 0 {
			if err := c.store(st); err != nil {
				log.Warn("cache not written", "err", err)
			}
		}
		if sk, ok := s.Stage.(Skipper); ok {
			if skip, reason := sk.Skip(st); skip {
				log.Info("stage skipped", "stage", s.Name(), "reason", reason)
				st.Notes = append(st.Notes, fmt.Sprintf("%s: skipped: %s", s.Name(), reason))
				if s.Name() == opt.Until {
					break
				}
				continue
			}
		}
		before := len(st.Failures)
		start := time.Now()
		err := s.Run(ctx, st)
		for _, f := range st.Failures[before:] {
			// The run's error and the report's FAILED lines say it; the log
			// only traces it.
			log.Debug("document failed", "stage", f.Stage, "doc", f.DocID, "err", f.Err)
		}
		if err != nil && len(st.Failures) == before {
			st.Stopped = &schemas.Failure{Stage: s.Name(), Err: err}
			return st, fmt.Errorf("%w at stage %s: %w", ErrFatal, s.Name(), err)
		}
		log.Info("stage done", "stage", s.Name(), "docs", len(st.Docs), "failed", len(st.Failures)-before, "seconds", fmt.Sprintf("%.3f", time.Since(start).Seconds()))
		switch {
		case s.Name() == "fetch" && (opt.Until == "" || opt.Until == "release"):
			if c = openCache(opt, st); c != nil {
				c.computeKeys(st)
				// The keys alone say whether the release is current: then
				// nothing else need run, nor any entry be read.
				if len(st.Failures) == 0 && c.upToDate(st, opt, release.Dir(opt.Release.Output, opt.Release.Version)) {
					st.UpToDate = true
					st.Notes = append(st.Notes, fmt.Sprintf("release %s: up to date: no snapshot, manifest entry, curated file, setting or program changed since it was built; nothing ran after fetch and nothing was written", opt.Release.Version))
					log.Info("up to date", "release", opt.Release.Version, "docs", len(st.Docs))
					return st, nil
				}
				c.lookup(st)
			}
		case s.Name() == "classify" && c != nil:
			for i := range st.Docs {
				st.Docs[i].Cached = false // the quality gate sees every document
			}
		case s.Name() == "release" && c != nil && len(st.Failures) == 0:
			if err := c.storeRelease(st, opt); err != nil {
				log.Warn("cache not written", "err", err)
			}
		}
		if s.Name() == opt.Until && opt.NoWorkFiles {
			break
		}
		if s.Name() == opt.Until {
			if err := writeIntermediate(opt.Release.Output, s.Name(), st.Docs); err != nil {
				return st, fmt.Errorf("%w: %w", ErrFatal, err)
			}
			st.Notes = append(st.Notes, fmt.Sprintf("stopped after %s; documents written to %s", s.Name(), filepath.Join(opt.Release.Output, "work", s.Name())))
			break
		}
	}
	return st, st.Err()
}

func known(name string) bool {
	for _, n := range StageNames() {
		if n == name {
			return true
		}
	}
	return false
}

// writeIntermediate writes each document as indented JSON to
// output/work/<stage>/<doc>.json, each file replaced atomically.
func writeIntermediate(output, stage string, docs []schemas.Document) error {
	dir := filepath.Join(output, "work", stage)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("pipeline: create %s: %w", dir, err)
	}
	for _, d := range docs {
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return fmt.Errorf("pipeline: encode %s: %w", d.Source.ID, err)
		}
		tmp, err := os.CreateTemp(dir, ".tmp-"+d.Source.ID+"-")
		if err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
		_, werr := tmp.Write(append(b, '\n'))
		cerr := errors.Join(tmp.Chmod(0o644), tmp.Close()) // readable like any other output
		if werr != nil || cerr != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("pipeline: write %s: %w", tmp.Name(), errors.Join(werr, cerr))
		}
		if err := os.Rename(tmp.Name(), filepath.Join(dir, d.Source.ID+".json")); err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("pipeline: %w", err)
		}
	}
	return nil
}
