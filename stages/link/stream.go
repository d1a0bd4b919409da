package link

import (
	"fmt"
	"sort"
	"sync"

	"github.com/policyledger/policyledger/schemas"
)

// Corpus links every document to the next Window later ones and returns
// all the links and continuity rows at once (see Stream); docs are in
// manifest order. Each document's features go through Encode and Decode,
// as in a run.
func Corpus(n int, features func(i int) (schemas.DocFeatures, error), r *Rules) ([]schemas.Link, []schemas.Continuity, []string, error) {
	heads := make([]schemas.DocFeatures, n)
	for i := range heads {
		f, err := features(i)
		if err != nil {
			return nil, nil, nil, err
		}
		heads[i] = schemas.DocFeatures{DocID: f.DocID, Date: f.Date, Sequence: f.Sequence}
	}
	load := func(i int) (*Prepared, error) {
		f, err := features(i)
		if err != nil {
			return nil, err
		}
		b, err := Encode(f)
		if err != nil {
			return nil, err
		}
		return Decode(b)
	}
	var links []schemas.Link
	var cont []schemas.Continuity
	notes, err := Stream(heads, load, r, 2, nil, func(l []schemas.Link, c []schemas.Continuity) error {
		links, cont = append(links, l...), append(cont, c...)
		return nil
	})
	return links, cont, notes, err
}

// task is one earlier document and the later ones it is compared with.
type task struct {
	doc   int
	later []int
}

// plan orders the documents: it returns the tasks, in the order their rows
// are written, and notes for the documents that cannot be ordered.
func plan(heads []schemas.DocFeatures, r *Rules) ([]task, []string) {
	var notes []string
	// Three orders: documents with a date by date; documents with a
	// sequence by sequence; and those of them without a date, the later
	// documents a dated one can reach by sequence.
	var dated, seq, seqOnly []int
	for i, h := range heads {
		if h.Date != "" {
			dated = append(dated, i)
		}
		if h.Sequence != nil {
			seq = append(seq, i)
			if h.Date == "" {
				seqOnly = append(seqOnly, i)
			}
		}
		if h.Date == "" && h.Sequence == nil {
			notes = append(notes, fmt.Sprintf("link: %s is not linked: give it a date (adopted_date or published_date) or a sequence in sources.yaml", h.DocID))
		}
	}
	byDate := func(xs []int) {
		sort.SliceStable(xs, func(x, y int) bool { return heads[xs[x]].Date < heads[xs[y]].Date })
	}
	bySeq := func(xs []int) {
		sort.SliceStable(xs, func(x, y int) bool { return *heads[xs[x]].Sequence < *heads[xs[y]].Sequence })
	}
	byDate(dated)
	bySeq(seq)
	bySeq(seqOnly)
	// A document with only a date and one with only a sequence cannot be
	// ordered: one note per document with only a sequence says so.
	var dateOnly []string
	for _, i := range dated {
		if heads[i].Sequence == nil {
			dateOnly = append(dateOnly, heads[i].DocID)
		}
	}
	if len(dateOnly) > 0 {
		for _, i := range seqOnly {
			notes = append(notes, fmt.Sprintf("link: %s (sequence only) and %d document(s) with only a date, such as %s, are not linked: give both a date (adopted_date or published_date) or both a sequence in sources.yaml", heads[i].DocID, len(dateOnly), dateOnly[0]))
		}
	}
	// next returns up to Window documents of xs whose key is greater than
	// i's: xs is sorted by that key, so they follow the first one greater.
	next := func(xs []int, greater func(j int) bool) []int {
		k := sort.Search(len(xs), func(k int) bool { return greater(xs[k]) })
		return xs[k:min(k+r.Window, len(xs))]
	}
	var tasks []task
	for _, i := range append(append([]int(nil), dated...), seqOnly...) {
		h := heads[i]
		var later []int
		if h.Date != "" {
			later = append(later, next(dated, func(j int) bool { return heads[j].Date > h.Date })...)
		}
		if h.Sequence != nil {
			pool := seq
			if h.Date != "" {
				pool = seqOnly // dated documents are ordered by date
			}
			later = append(later, next(pool, func(j int) bool { return *heads[j].Sequence > *h.Sequence })...)
		}
		if len(later) > 0 {
			tasks = append(tasks, task{i, later})
		}
	}
	return tasks, notes
}

// Stream links every document to the next Window later ones. heads are
// the documents' features without clauses, in manifest order; load
// returns a document's prepared features by index (the caller may keep
// them on disk; each is loaded once). jobs goroutines compare documents at
// once, and emit receives, one earlier document at a time and in the same
// order whatever jobs is, its links and the continuity of each of its
// clauses, so that the rows never need to be held together. With a memo,
// a task whose documents are unchanged since the memo's run takes its rows
// from it, without loading or comparing the documents. Stream returns
// notes for the documents that cannot be ordered.
func Stream(heads []schemas.DocFeatures, load func(i int) (*Prepared, error), r *Rules, jobs int, memo *Memo, emit func([]schemas.Link, []schemas.Continuity) error) ([]string, error) {
	tasks, notes := plan(heads, r)
	docs := newShared(load, tasks, len(heads))
	type result struct {
		links []schemas.Link
		cont  []schemas.Continuity
		err   error
		key   [32]byte
		rows  []byte // the rows encoded, for the memo
	}
	jobs = max(1, jobs)
	results := make([]chan result, len(tasks))
	for k := range results {
		results[k] = make(chan result, 1)
	}
	// At most 2×jobs tasks are under way or waiting to be emitted.
	slots, queue, done := make(chan struct{}, 2*jobs), make(chan int), make(chan struct{})
	defer close(done)
	go func() {
		defer close(queue)
		for k := range tasks {
			select {
			case slots <- struct{}{}:
			case <-done:
				return
			}
			select {
			case queue <- k:
			case <-done:
				return
			}
		}
	}()
	for w := 0; w < jobs; w++ {
		go func() {
			s := &scratch{}
			for k := range queue {
				t := tasks[k]
				var res result
				if memo != nil {
					res.key = memo.key(t)
					if b, ok := memo.Get(res.key); ok {
						if res.links, res.cont, res.err = decodeRows(b); res.err == nil {
							docs.drop(t)
							res.rows = b
							results[k] <- res
							continue
						}
						// (kept rows that do not read back are computed again)
					}
				}
				res.links, res.cont, res.err = docs.compare(t, r, s)
				if memo != nil && res.err == nil {
					res.rows = encodeRows(res.links, res.cont)
				}
				results[k] <- res
			}
		}()
	}
	for k := range tasks {
		res := <-results[k]
		<-slots
		if res.err != nil {
			return nil, res.err
		}
		if err := emit(res.links, res.cont); err != nil {
			return nil, err
		}
		if memo != nil {
			memo.Put(res.key, res.rows)
		}
	}
	return notes, nil
}

// shared holds the prepared documents the tasks under way need: each is
// loaded by the first task that asks for it and dropped when the last one
// that needs it is done, so memory holds a few documents per goroutine.
type shared struct {
	load func(i int) (*Prepared, error)
	mu   sync.Mutex
	refs []int // tasks still to use each document
	docs map[int]*slot
}

type slot struct {
	once sync.Once
	p    *Prepared
	err  error
}

func newShared(load func(i int) (*Prepared, error), tasks []task, n int) *shared {
	s := &shared{load: load, refs: make([]int, n), docs: map[int]*slot{}}
	for _, t := range tasks {
		s.refs[t.doc]++
		for _, j := range t.later {
			s.refs[j]++
		}
	}
	return s
}

func (s *shared) get(i int) (*Prepared, error) {
	s.mu.Lock()
	sl := s.docs[i]
	if sl == nil {
		sl = &slot{}
		s.docs[i] = sl
	}
	s.mu.Unlock()
	sl.once.Do(func() { sl.p, sl.err = s.load(i) })
	return sl.p, sl.err
}

// drop gives up a task's claim on its documents (loaded or not).
func (s *shared) drop(t task) {
	s.release(t.doc)
	for _, j := range t.later {
		s.release(j)
	}
}

func (s *shared) release(i int) {
	s.mu.Lock()
	if s.refs[i]--; s.refs[i] == 0 {
		delete(s.docs, i)
	}
	s.mu.Unlock()
}

// compare makes one task's links and continuity rows.
func (s *shared) compare(t task, r *Rules, sc *scratch) ([]schemas.Link, []schemas.Continuity, error) {
	defer s.drop(t)
	a, err := s.get(t.doc)
	if err != nil {
		return nil, nil, err
	}
	var links []schemas.Link // emit's to keep: Best points into it
	var laterIDs []string
	for _, j := range t.later {
		b, err := s.get(j)
		if err != nil {
			return nil, nil, err
		}
		laterIDs = append(laterIDs, b.DocID)
		links = a.pair(b, r, sc, links)
	}
	best := map[string]*schemas.Link{}
	for k := range links {
		l := &links[k]
		if cur := best[l.From]; cur == nil || l.Score > cur.Score {
			best[l.From] = l
		}
	}
	cont := make([]schemas.Continuity, 0, len(a.Clauses))
	for _, c := range a.Clauses {
		row := schemas.Continuity{ClauseID: c.ID, DocID: a.DocID, LaterDocs: laterIDs, Status: "dropped", Best: best[c.ID]}
		if row.Best != nil {
			row.Status = "continued"
		}
		cont = append(cont, row)
	}
	return links, cont, nil
}
