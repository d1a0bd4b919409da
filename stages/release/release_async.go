package release

import (
	"errors"
	"sync/atomic"
)

// asyncTable writes one table file on a goroutine of its own, so that the
// files of a release are written in parallel while each receives its rows
// in the order they come: the same bytes as one writer at a time. A few
// documents' rows wait at most (the channel's capacity), so memory stays
// bounded. An error is returned by the next Write or by Close, once the
// goroutine has stopped (so that the file's state may be read then).
type asyncTable struct {
	tw      TableWriter
	rows    chan [][]any
	done    chan struct{}
	failed  atomic.Bool
	aborted atomic.Bool
	err     error // the first error; read only after done
	ended   bool  // rows closed (by the caller's goroutine)
}

// pending is how many batches of rows (a document's, usually) wait for a
// file's goroutine.
const pending = 2

func startAsync(tw TableWriter) *asyncTable {
	a := &asyncTable{tw: tw, rows: make(chan [][]any, pending), done: make(chan struct{})}
	go a.run()
	return a
}

func (a *asyncTable) run() {
	defer close(a.done)
	for rows := range a.rows {
		if a.err != nil || a.aborted.Load() {
			continue // drained, not written
		}
		if a.err = a.tw.Write(rows); a.err != nil {
			a.failed.Store(true)
		}
	}
	if a.err == nil && !a.aborted.Load() {
		a.err = a.tw.Close()
	}
}

// Write hands rows to the file's goroutine; the rows must not change
// afterwards.
func (a *asyncTable) Write(rows [][]any) error {
	if a.ended {
		return errors.New("release: rows written after the file was closed")
	}
	if a.failed.Load() {
		return a.Close()
	}
	a.rows <- rows
	return nil
}

// Close waits for the rows handed over to be written and the file to be
// finished.
func (a *asyncTable) Close() error {
	a.end()
	<-a.done
	return a.err
}

// end says no more rows come: the goroutine finishes the file after the
// last. Ending every file before waiting for any finishes them in parallel.
func (a *asyncTable) end() {
	if !a.ended {
		a.ended = true
		close(a.rows)
	}
}

// halt stops the goroutine without finishing the file (the release is
// abandoned).
func (a *asyncTable) halt() {
	a.aborted.Store(true)
	a.end()
	<-a.done
}
