package link

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/policyledger/policyledger/internal/prefixhash"
	"github.com/policyledger/policyledger/schemas"
)

// Memo lets Stream take an earlier document's links and continuity rows
// from an earlier run when nothing they depend on has changed: a rerun
// after one document changed compares only the documents whose window
// holds it. A task's rows are a pure function of the prepared features of
// its documents (in order) and of the program and its rules, so they are
// kept under a hash of those.
type Memo struct {
	// Seed is what every task's rows depend on besides the documents (the
	// program, which embeds the rules), hashed once: prefixhash.New(seed).
	Seed *prefixhash.Prefix
	// Digest is a hash of document i's prepared features.
	Digest func(i int) [32]byte
	// Get returns the rows kept under key by an earlier run. It is called
	// from several goroutines at once.
	Get func(key [32]byte) ([]byte, bool)
	// Put keeps a task's rows; it is called once per task, in the order
	// the rows are emitted, whether they were computed or got.
	Put func(key [32]byte, rows []byte)
}

func (m *Memo) key(t task) [32]byte {
	h := m.Seed.Hash()
	fmt.Fprintf(h, "\nlink rows %s %d\n", rowsMagic, len(t.later))
	d := m.Digest(t.doc)
	h.Write(d[:])
	for _, j := range t.later {
		d := m.Digest(j)
		h.Write(d[:])
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

const rowsMagic = "PLLR\x01"

// encodeRows is a task's rows as bytes: the links, then per continuity row
// its clause and status and which link is its best (0 for none, else the
// link's position + 1); the document and later documents of the rows are
// the task's, stored once.
func encodeRows(links []schemas.Link, cont []schemas.Continuity) []byte {
	b := []byte(rowsMagic)
	b = binary.AppendUvarint(b, uint64(len(links)))
	at := make(map[*schemas.Link]int, len(links))
	for k := range links {
		l := &links[k]
		at[l] = k
		for _, s := range []string{l.From, l.To, l.FromDoc, l.ToDoc, l.Relation} {
			b = appendString(b, s)
		}
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(l.Score))
		b = appendStrings(b, l.Evidence)
	}
	b = binary.AppendUvarint(b, uint64(len(cont)))
	if len(cont) > 0 {
		b = appendString(b, cont[0].DocID)
		b = appendStrings(b, cont[0].LaterDocs)
	}
	for _, c := range cont {
		b = appendString(b, c.ClauseID)
		b = appendString(b, c.Status)
		best := 0
		if c.Best != nil {
			k, ok := at[c.Best]
			if !ok {
				panic("link: a continuity row's best link is not among the task's links") // (compare makes it so)
			}
			best = k + 1
		}
		b = binary.AppendUvarint(b, uint64(best))
	}
	return b
}

// decodeRows reads what encodeRows wrote; its strings share one copy of b.
func decodeRows(b []byte) ([]schemas.Link, []schemas.Continuity, error) {
	if !strings.HasPrefix(string(b), rowsMagic) {
		return nil, nil, errors.New("link: kept rows: no header")
	}
	r := &reader{s: string(b), at: len(rowsMagic)}
	var links []schemas.Link
	if n := r.count(); n > 0 {
		links = make([]schemas.Link, n)
	}
	for k := range links {
		l := &links[k]
		l.From, l.To, l.FromDoc, l.ToDoc, l.Relation = r.str(), r.str(), r.str(), r.str(), r.str()
		l.Score = math.Float64frombits(r.uint64())
		l.Evidence = r.strs()
	}
	n := r.count()
	cont := make([]schemas.Continuity, n)
	var doc string
	var later []string
	if n > 0 {
		doc, later = r.str(), r.strs()
	}
	for k := range cont {
		c := &cont[k]
		c.DocID, c.LaterDocs = doc, later
		c.ClauseID, c.Status = r.str(), r.str()
		if best := r.int(); best > 0 {
			if best > len(links) {
				r.fail("best link %d of %d", best, len(links))
				break
			}
			c.Best = &links[best-1]
		}
	}
	if r.err == nil && r.at != len(r.s) {
		r.fail("%d bytes after the end", len(r.s)-r.at)
	}
	if r.err != nil {
		return nil, nil, fmt.Errorf("link: kept rows at byte %d: %w", r.at, r.err)
	}
	return links, cont, nil
}
