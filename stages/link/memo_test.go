package link

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"

	"github.com/policyledger/policyledger/internal/prefixhash"
	"github.com/policyledger/policyledger/schemas"
)

// mapMemo is a Memo over a map: Put fills next, Get reads last.
type mapMemo struct {
	mu         sync.Mutex
	last, next map[[32]byte][]byte
	gets, hits int
}

func (m *mapMemo) memo(digests [][32]byte) *Memo {
	m.next = map[[32]byte][]byte{}
	m.gets, m.hits = 0, 0
	return &Memo{Seed: prefixhash.New([]byte("program")), Digest: func(i int) [32]byte { return digests[i] },
		Get: func(k [32]byte) ([]byte, bool) {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.gets++
			b, ok := m.last[k]
			if ok {
				m.hits++
			}
			return b, ok
		},
		Put: func(k [32]byte, b []byte) { m.next[k] = b }}
}

func (m *mapMemo) commit() { m.last = m.next }

// TestStreamMemo: rows taken from the memo are the rows computed; a
// second run with nothing changed compares no document, and one with a
// document changed compares only the documents whose window holds it;
// kept rows that do not read back are computed again.
func TestStreamMemo(t *testing.T) {
	r := rules(t)
	rng := rand.New(rand.NewPCG(7, 8))
	var docs []schemas.DocFeatures
	for i := 0; i < 30; i++ {
		d := randomDoc(rng, fmt.Sprintf("d%02d", i), 1+rng.IntN(12))
		d.Date = fmt.Sprintf("2020-02-%02d", 1+i)
		docs = append(docs, d)
	}
	run := func(memo func([][32]byte) *Memo) (links []schemas.Link, cont []schemas.Continuity, loads int) {
		heads := make([]schemas.DocFeatures, len(docs))
		digests := make([][32]byte, len(docs))
		for i, d := range docs {
			heads[i] = schemas.DocFeatures{DocID: d.DocID, Date: d.Date}
			b, err := Encode(d)
			if err != nil {
				t.Fatal(err)
			}
			digests[i] = sha256.Sum256(b)
		}
		var mu sync.Mutex
		load := func(i int) (*Prepared, error) {
			mu.Lock()
			loads++
			mu.Unlock()
			return Prepare(docs[i]), nil
		}
		var m *Memo
		if memo != nil {
			m = memo(digests)
		}
		if _, err := Stream(heads, load, r, 3, m, func(l []schemas.Link, c []schemas.Continuity) error {
			links, cont = append(links, l...), append(cont, c...)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return links, cont, loads
	}
	same := func(name string, l []schemas.Link, c []schemas.Continuity) {
		t.Helper()
		wl, wc, _ := run(nil)
		if !reflect.DeepEqual(l, wl) || !reflect.DeepEqual(c, wc) {
			t.Fatalf("%s: the rows differ from those computed without a memo", name)
		}
		if len(wl) == 0 {
			t.Fatalf("%s: no links: the test compares nothing", name)
		}
	}
	m := &mapMemo{}
	l, c, _ := run(m.memo)
	same("first run", l, c)
	tasks := m.gets
	m.commit()
	l, c, loads := run(m.memo)
	same("unchanged", l, c)
	if m.hits != tasks || loads != 0 {
		t.Fatalf("unchanged: %d of %d tasks from the memo, %d documents loaded; want all, none", m.hits, tasks, loads)
	}
	m.commit()
	docs[10].Clauses[0].Mech = append(docs[10].Clauses[0].Mech, "changed-forum")
	l, c, loads = run(m.memo)
	same("one changed", l, c)
	if misses := m.gets - m.hits; misses != 1+r.Window || loads == 0 {
		t.Fatalf("one changed: %d tasks compared again, %d documents loaded; want %d (the document's and those of the %d before it)", misses, loads, 1+r.Window, r.Window)
	}
	m.commit()
	for k, b := range m.last {
		m.last[k] = b[:len(b)-1] // cut short
	}
	l, c, loads = run(m.memo)
	same("damaged", l, c)
	if m.hits != tasks || loads == 0 {
		t.Fatalf("damaged: %d of %d tasks got, %d documents loaded; want every one asked for and compared again", m.hits, tasks, loads)
	}
}

// TestMemoKeyPrefix: a task's key is the hash of the seed, then the
// documents' digests, as before the seed was hashed once (so the rows
// kept by earlier runs are still found), and another seed keys it apart.
func TestMemoKeyPrefix(t *testing.T) {
	digests := [][32]byte{{1}, {2}, {3}}
	seed := []byte("program and curated files")
	m := &Memo{Seed: prefixhash.New(seed), Digest: func(i int) [32]byte { return digests[i] }}
	for _, tk := range []task{{doc: 0}, {doc: 1, later: []int{2}}, {doc: 0, later: []int{1, 2}}} {
		h := sha256.New()
		h.Write(seed)
		fmt.Fprintf(h, "\nlink rows %s %d\n", rowsMagic, len(tk.later))
		for _, i := range append([]int{tk.doc}, tk.later...) {
			h.Write(digests[i][:])
		}
		if got, want := m.key(tk), [32]byte(h.Sum(nil)); got != want {
			t.Errorf("task %+v: key %x, want %x", tk, got, want)
		}
	}
	other := *m
	other.Seed = prefixhash.New([]byte("another program"))
	if m.key(task{doc: 0}) == other.key(task{doc: 0}) {
		t.Error("a memo of another program keys a task as this one does")
	}
}
