package schemas

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"iter"

	"github.com/klauspost/compress/s2"
)

// SummaryList holds a run's document summaries, in the order they were
// added, compactly: as JSON records in blocks of 256 KiB, each block
// compressed with S2 once it is full (a block compresses much better than
// a record, since records repeat their field names and much of their
// manifest entries). A run keeps a summary of every document to its end
// (for the run report, the data card and datapackage.json); as structs and
// strings they were about 2 KB a document, held twice, the largest part of
// a live heap that grew with the corpus until, at N = 20000, the heap limit
// made the collector take a third of the CPU. JSON keeps nil and empty
// apart, as the cache entries that hold the same fields do. A nil list is
// empty.
type SummaryList struct {
	sealed  [][]byte // compressed blocks, each its own size
	open    []byte   // the block being filled: records of a length and JSON
	scratch []byte   // where blocks are compressed
	n       int
}

const summaryBlock = 256 << 10

// Add appends s.
func (l *SummaryList) Add(s Summary) error {
	js, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("summary of %s: %w", s.Source.ID, err)
	}
	if len(l.open) > 0 && len(l.open)+binary.MaxVarintLen64+len(js) > summaryBlock {
		// S2 writes into a buffer of the largest size a block can take, a
		// sixth more than the block; kept as it came, each block held that
		// much memory for a fraction of it in use.
		l.scratch = s2.EncodeBetter(l.scratch[:cap(l.scratch)], l.open)
		l.sealed = append(l.sealed, append(make([]byte, 0, len(l.scratch)), l.scratch...))
		l.open = l.open[:0]
	}
	if l.open == nil {
		l.open = make([]byte, 0, summaryBlock)
	}
	l.open = binary.AppendUvarint(l.open, uint64(len(js)))
	l.open = append(l.open, js...)
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
		for i := 0; i <= len(l.sealed); i++ {
			block := l.open
			if i < len(l.sealed) {
				var err error
				if plain, err = s2.Decode(plain[:cap(plain)], l.sealed[i]); err != nil {
					panic(fmt.Sprintf("schemas: kept summaries do not read back: %v", err))
				}
				block = plain
			}
			for len(block) > 0 {
				n, k := binary.Uvarint(block)
				if k <= 0 || uint64(len(block)-k) < n {
					panic("schemas: a kept summary is cut short")
				}
				var s Summary
				if err := json.Unmarshal(block[k:k+int(n)], &s); err != nil {
					panic(fmt.Sprintf("schemas: a kept summary does not read back: %v", err))
				}
				block = block[k+int(n):]
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
