package schemas

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"iter"

	"github.com/klauspost/compress/s2"
)

// SummaryList holds a run's document summaries, in the order they were
// added, compactly: each as its JSON compressed with S2, in chunks of a
// mebibyte. A run keeps a summary of every document to its end (for the run
// report, the data card and datapackage.json); as structs and strings they
// were about 2 KB a document, the largest part of a live heap that grew
// with the corpus until the heap limit made the collector take a third of
// the CPU (at N = 20000). JSON keeps nil and empty apart, as the cache
// entries that hold the same fields do. A nil list is empty.
type SummaryList struct {
	chunks [][]byte
	n      int
	buf    []byte // scratch for the JSON of one summary
}

const summaryChunk = 1 << 20

// Add appends s.
func (l *SummaryList) Add(s Summary) error {
	js, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("summary of %s: %w", s.Source.ID, err)
	}
	l.buf = s2.Encode(l.buf[:cap(l.buf)], js)
	need := binary.MaxVarintLen64 + len(l.buf)
	if len(l.chunks) == 0 || cap(l.chunks[len(l.chunks)-1])-len(l.chunks[len(l.chunks)-1]) < need {
		l.chunks = append(l.chunks, make([]byte, 0, max(summaryChunk, need)))
	}
	c := &l.chunks[len(l.chunks)-1]
	*c = binary.AppendUvarint(*c, uint64(len(l.buf)))
	*c = append(*c, l.buf...)
	l.n++
	return nil
}

// Len is the number of summaries.
func (l *SummaryList) Len() int {
	if l == nil {
		return 0
	}
	return l.n
}

// All yields the summaries in order. They were written by Add in this
// process, so one that does not read back is a program error.
func (l *SummaryList) All() iter.Seq[Summary] {
	return func(yield func(Summary) bool) {
		if l == nil {
			return
		}
		var plain []byte
		for _, c := range l.chunks {
			for len(c) > 0 {
				n, k := binary.Uvarint(c)
				if k <= 0 || uint64(len(c)-k) < n {
					panic("schemas: a kept summary is cut short")
				}
				var err error
				if plain, err = s2.Decode(plain[:cap(plain)], c[k:k+int(n)]); err != nil {
					panic(fmt.Sprintf("schemas: a kept summary does not read back: %v", err))
				}
				c = c[k+int(n):]
				var s Summary
				if err := json.Unmarshal(plain, &s); err != nil {
					panic(fmt.Sprintf("schemas: a kept summary does not read back: %v", err))
				}
				if !yield(s) {
					return
				}
			}
		}
	}
}

// SummaryListOf summarizes docs.
func SummaryListOf(docs []Document) (*SummaryList, error) {
	l := &SummaryList{}
	for _, d := range docs {
		if err := l.Add(Summarize(d)); err != nil {
			return nil, err
		}
	}
	return l, nil
}
