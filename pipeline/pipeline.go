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
	"github.com/policyledger/policyledger/stages/link"
	"github.com/policyledger/policyledger/stages/parse"
	"github.com/policyledger/policyledger/stages/release"
)

// Stage is one step of the pipeline. The runner knows three kinds: fetch
// reads the manifest and verifies every snapshot (a pass over the corpus
// that holds no text); the stages between it and release are
// schemas.PerDoc, pure functions of one document that the runner streams
// each document through; release receives the documents in manifest order
// and writes the tables as they arrive.
type Stage interface {
	Name() string
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
	// NoWorkFiles keeps Until from writing the stage's documents; they stay
	// whole in State.Docs instead.
	NoWorkFiles bool
	// KeepDocs keeps every document whole in State.Docs after a full run
	// (tests and tools); otherwise a run keeps only their summaries, so
	// memory does not grow with the corpus.
	KeepDocs bool
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
	// Progress, when set, is called after each document has been through
	// the stages and to the writers (or has failed), in manifest order,
	// from one goroutine: done of total.
	Progress func(done, total int)
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
		{link.Stage{}, "extract what cross-document links compare: each text clause's Chinese bigrams, English words, anchors, mechanisms, sectors; the release links each document to the next later ones"},
		gateStep(opt.Strict, "with --strict, fail every document that has a quality warning, so a scheduled run publishes nothing doubtful"),
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

// Run executes the stages and returns the final state with its report.
// The error joins every document failure; a stage-level failure (such as a
// bad manifest) stops the run and wraps ErrFatal.
//
// Fetch verifies the whole corpus first (so that an unchanged corpus is
// known to be up to date before anything else runs); then each document is
// read, taken through the per-document stages by a pool of Jobs workers —
// or taken from the cache — and handed, in manifest order, to the release
// writer, which writes its rows at once. At most a few documents per worker
// are in memory at any time, and the output is the same for any Jobs.
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
	releasing := opt.Until == "" || opt.Until == "release"
	if releasing && opt.CacheDir != "" && opt.Fetch.Seen == nil {
		opt.Fetch.Seen = fetch.OpenSeen(filepath.Join(opt.CacheDir, "snapshots.json"))
	}
	all := steps(opt)
	if releasing && opt.CacheDir != "" {
		go programHash() // read the executable while fetch reads the snapshots
	}

	// fetch: the manifest, and every snapshot verified against its pin.
	start := time.Now()
	if err := all[0].Stage.(fetch.Stage).Run(ctx, st); err != nil && len(st.Failures) == 0 {
		st.Stopped = &schemas.Failure{Stage: "fetch", Err: err}
		return st, fmt.Errorf("%w at stage fetch: %w", ErrFatal, err)
	}
	log.Info("stage done", "stage", "fetch", "docs", len(st.Docs), "failed", len(st.Failures), "seconds", fmt.Sprintf("%.3f", time.Since(start).Seconds()))
	if opt.Until == "fetch" {
		return st, finishUntil(st, opt)
	}
	var c *cache
	if releasing {
		if c = openCache(opt, st); c != nil {
			c.computeKeys(st, opt)
			// The keys alone say whether the release is current: then
			// nothing else need run, nor any entry be read.
			// With the version left to the release, the version to check
			// is the newest published one.
			version := opt.Release.Version
			if version == release.Auto {
				if all := release.Published(filepath.Join(opt.Release.Output, "releases")); len(all) > 0 {
					version = all[len(all)-1].String()
				}
			}
			current, err := c.upToDate(st, version, release.Dir(opt.Release.Output, version))
			if err != nil && len(st.Failures) == 0 {
				st.Stopped = &schemas.Failure{Stage: "release", Err: err}
				return st, fmt.Errorf("%w at stage release: %w", ErrFatal, err)
			}
			if len(st.Failures) == 0 && current {
				st.UpToDate = true
				st.Notes = append(st.Notes, fmt.Sprintf("release %s: up to date: no snapshot, manifest entry, curated file, setting or program changed since it was built; nothing ran after fetch and nothing was written", version))
				log.Info("up to date", "release", version, "docs", len(st.Docs))
				return st, nil
			}
		}
	}

	// The per-document stages, up to --until.
	var chain []chainLink
	var rel *release.Stage
	for _, s := range all[1:] {
		if sk, ok := s.Stage.(Skipper); ok && s.Name() != "release" {
			if skip, reason := sk.Skip(st); skip {
				log.Info("stage skipped", "stage", s.Name(), "reason", reason)
				st.Notes = append(st.Notes, fmt.Sprintf("%s: skipped: %s", s.Name(), reason))
				if s.Name() == opt.Until {
					break
				}
				continue
			}
		}
		switch x := s.Stage.(type) {
		case schemas.PerDoc:
			fn, err := x.Prepare(ctx, st)
			if err != nil {
				st.Stopped = &schemas.Failure{Stage: s.Name(), Err: err}
				return st, fmt.Errorf("%w at stage %s: %w", ErrFatal, s.Name(), err)
			}
			chain = append(chain, chainLink{name: s.Name(), fn: fn})
		case release.Stage:
			rel = &x
		}
		if s.Name() == opt.Until {
			break
		}
	}
	sink, err := newSink(st, opt, rel)
	if err != nil {
		st.Stopped = &schemas.Failure{Stage: "release", Err: err}
		return st, fmt.Errorf("%w at stage release: %w", ErrFatal, err)
	}
	if c != nil && sink.w != nil {
		// The linker's comparisons of unchanged documents come from the
		// last run.
		if m, err := c.linkMemo(); err == nil {
			sink.w.MemoLinks(m)
		} else {
			st.Notes = append(st.Notes, fmt.Sprintf("cache: the linker's rows are not kept: %v", err))
		}
	}
	if err := stream(ctx, st, opt, c, chain, sink, log); err != nil {
		sink.abort()
		if c != nil {
			c.discard()
		}
		st.Stopped = &schemas.Failure{Stage: "release", Err: err}
		return st, fmt.Errorf("%w at stage release: %w", ErrFatal, err)
	}
	if err := sink.finish(st, log); err != nil {
		if c != nil {
			c.discard()
		}
		st.Stopped = &schemas.Failure{Stage: "release", Err: err}
		return st, fmt.Errorf("%w at stage release: %w", ErrFatal, err)
	}
	if c != nil {
		if sink.w != nil && len(st.Failures) == 0 {
			if err := c.commit(sink.w.Version()); err != nil {
				log.Warn("cache not written", "err", err)
			} else {
				opt.Fetch.Seen.Save()
			}
			st.Notes = append(st.Notes, c.notes...)
			st.Count("cache.link_rows_kept", c.rowsKept)
		} else {
			c.discard()
		}
	}
	if opt.Until != "" && !releasing && !opt.NoWorkFiles {
		st.Notes = append(st.Notes, fmt.Sprintf("stopped after %s; documents written to %s", opt.Until, filepath.Join(opt.Release.Output, "work", opt.Until)))
	}
	return st, st.Err()
}

// finishUntil ends a run stopped after fetch: the documents (without their
// bytes) stay in State.Docs or go to the work folder.
func finishUntil(st *schemas.State, opt Options) error {
	if !opt.NoWorkFiles {
		dir, err := workDir(opt.Release.Output, opt.Until)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrFatal, err)
		}
		for _, d := range st.Docs {
			if err := writeWork(dir, d); err != nil {
				return fmt.Errorf("%w: %w", ErrFatal, err)
			}
		}
		st.Notes = append(st.Notes, fmt.Sprintf("stopped after %s; documents written to %s", opt.Until, dir))
	}
	sums, err := schemas.SummaryListOf(st.Docs)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrFatal, err)
	}
	st.Summaries = sums
	return st.Err()
}

func known(name string) bool {
	for _, n := range StageNames() {
		if n == name {
			return true
		}
	}
	return false
}

// workDir creates output/work/<stage>/ for --until.
func workDir(output, stage string) (string, error) {
	dir := filepath.Join(output, "work", stage)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("pipeline: create %s: %w", dir, err)
	}
	return dir, nil
}

// writeWork writes one document as indented JSON to dir/<doc>.json,
// replaced atomically.
func writeWork(dir string, d schemas.Document) error {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return fmt.Errorf("pipeline: encode %s: %w", d.Source.ID, err)
	}
	if err := writeAtomic(filepath.Join(dir, d.Source.ID+".json"), append(b, '\n')); err != nil {
		return fmt.Errorf("pipeline: write %s: %w", filepath.Join(dir, d.Source.ID+".json"), err)
	}
	return nil
}
