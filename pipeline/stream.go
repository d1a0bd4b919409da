package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/stages/fetch"
	"github.com/policyledger/policyledger/stages/release"
)

// chainLink is one per-document stage of the chain a document goes through.
type chainLink struct {
	name string
	fn   schemas.DocFunc
}

// slot is one document's trip through the chain.
type slot struct {
	d     schemas.Document
	t     schemas.Tally
	err   error
	stage string // where it failed
	spent []time.Duration
	done  chan struct{}
}

// stream takes every fetched document through the chain, Jobs at a time,
// and hands each to the sink in manifest order as soon as it and those
// before it are done. A worker starts a document only when fewer than
// window documents wait for the sink, so memory is bounded by the window,
// not by the corpus. The cache, when on, stands in for the stages up to
// link, and keeps what they computed.
func stream(ctx context.Context, st *schemas.State, opt Options, c *cache, chain []chainLink, sink *sink, log *slog.Logger) error {
	docs := st.Docs
	st.Docs = nil
	n := len(docs)
	jobs := max(1, min(st.Jobs, n))
	window := make(chan struct{}, 4*jobs)
	slots := make([]*slot, n)
	for i := range slots {
		slots[i] = &slot{d: docs[i], spent: make([]time.Duration, len(chain)), done: make(chan struct{})}
		docs[i] = schemas.Document{}
	}
	// Cached entries hold a document as the link stage leaves it (as
	// classify does, in a run that stops before link).
	cachedUpTo := -1
	for i, l := range chain {
		if l.name == "classify" || l.name == "link" {
			cachedUpTo = i
		}
	}
	next := make(chan int)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				work(ctx, st, c, chain, cachedUpTo, slots[i])
			}
		}()
	}
	go func() {
		defer close(next)
		for i := 0; i < n; i++ {
			select {
			case window <- struct{}{}:
			case <-stop:
				return
			}
			select {
			case next <- i:
			case <-stop:
				return
			}
		}
	}()
	spent := make([]time.Duration, len(chain))
	var sinkErr error
	for i := 0; i < n && sinkErr == nil; i++ {
		sl := slots[i]
		<-sl.done
		for _, name := range sl.t.CountNames() {
			st.Count(name, sl.t.Counts(name))
		}
		st.Notes = append(st.Notes, sl.t.Notes()...)
		for k, d := range sl.spent {
			spent[k] += d
		}
		if sl.err != nil {
			st.Failures = append(st.Failures, schemas.Failure{DocID: sl.d.Source.ID, Stage: sl.stage, Err: sl.err})
			log.Debug("document failed", "stage", sl.stage, "doc", sl.d.Source.ID, "err", sl.err)
			sink.failed()
		} else {
			sinkErr = sink.add(st, sl.d)
		}
		slots[i] = nil
		<-window
		if opt.Progress != nil {
			opt.Progress(i+1, n)
		}
	}
	close(stop)
	wg.Wait()
	for k, l := range chain {
		log.Info("stage done", "stage", l.name, "docs", n, "seconds", fmt.Sprintf("%.3f", spent[k].Seconds()), "note", "seconds summed over workers")
	}
	return sinkErr
}

// work takes one document through the chain.
func work(ctx context.Context, st *schemas.State, c *cache, chain []chainLink, cachedUpTo int, sl *slot) {
	defer close(sl.done)
	d := &sl.d
	if err := ctx.Err(); err != nil {
		sl.err, sl.stage = err, "fetch"
		return
	}
	from := 0
	if c != nil && cachedUpTo >= 0 {
		if cd, ok := c.get(d, chain[cachedUpTo].name, &sl.t); ok {
			*d, from = cd, cachedUpTo+1
		}
	}
	if from == 0 {
		if err := fetch.Load(st.Sources, d); err != nil {
			sl.err, sl.stage = err, "fetch"
			return
		}
	}
	for k := from; k < len(chain); k++ {
		start := time.Now()
		err := chain[k].fn(d, &sl.t)
		sl.spent[k] += time.Since(start)
		if err != nil {
			sl.err, sl.stage = err, chain[k].name
			return
		}
		if k == cachedUpTo && c != nil {
			d.Raw, d.RawEn = nil, nil
			if err := c.put(*d, chain[k].name); err != nil {
				sl.t.Note(fmt.Sprintf("cache: %s not stored: %v", d.Source.ID, err))
			} else {
				sl.t.Count("cache.stored", 1)
			}
		}
	}
	d.Raw, d.RawEn = nil, nil
}

// sink is where documents go in manifest order: the release writer, the
// work folder of --until, or State.Docs.
type sink struct {
	w        *release.Writer
	skipped  bool // release refused because a document failed
	workDir  string
	keep     bool
	releases bool
	start    time.Time
	spent    time.Duration
}

func newSink(st *schemas.State, opt Options, rel *release.Stage) (*sink, error) {
	s := &sink{keep: opt.KeepDocs || opt.NoWorkFiles}
	if rel != nil {
		s.releases = true
		if skip, _ := rel.Skip(st); skip {
			s.skipped = true
			return s, nil
		}
		w, err := rel.Open(st)
		if err != nil {
			return nil, err
		}
		if s.keep {
			w.KeepLinks()
		}
		s.w = w
		return s, nil
	}
	if opt.Until != "" && !opt.NoWorkFiles {
		dir, err := workDir(opt.Release.Output, opt.Until)
		if err != nil {
			return nil, err
		}
		s.workDir = dir
	}
	return s, nil
}

func (s *sink) add(st *schemas.State, d schemas.Document) error {
	start := time.Now()
	defer func() { s.spent += time.Since(start) }()
	if s.w != nil {
		// the writer adds d's summary to st.Summaries (see release.Stage.Open)
		if err := s.w.Add(d); err != nil {
			return err
		}
	} else if err := st.SummaryList().Add(schemas.Summarize(d)); err != nil {
		return err
	}
	if s.workDir != "" {
		if err := writeWork(s.workDir, d); err != nil {
			return err
		}
	}
	if s.keep {
		st.Docs = append(st.Docs, d)
	}
	return nil
}

// failed drops the release: a release missing a document would look
// complete and be wrong. The other documents still go through the stages,
// so that one run reports every failure.
func (s *sink) failed() {
	if s.w != nil {
		s.w.Abort()
		s.w = nil
	}
	s.skipped = s.releases
}

func (s *sink) abort() {
	if s.w != nil {
		s.w.Abort()
		s.w = nil
	}
}

// finish publishes the release, or says why there is none.
func (s *sink) finish(st *schemas.State, log *slog.Logger) error {
	if s.skipped {
		reason := fmt.Sprintf("%d document(s) failed earlier in the run; nothing was written", len(st.Failures))
		log.Info("stage skipped", "stage", "release", "reason", reason)
		st.Notes = append(st.Notes, "release: skipped: "+reason)
		return nil
	}
	if s.w == nil {
		return nil
	}
	start := time.Now()
	err := s.w.Publish(st)
	s.spent += time.Since(start)
	if err != nil {
		s.w = nil
		return err
	}
	if s.keep {
		st.Links, st.Continuity, st.LinkReview = s.w.Links()
	}
	log.Info("stage done", "stage", "release", "docs", st.Summaries.Len(), "seconds", fmt.Sprintf("%.3f", s.spent.Seconds()))
	return nil
}
