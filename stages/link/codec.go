package link

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/policyledger/policyledger/schemas"
)

// The prepared form as bytes, for the release's spool and the cache: a
// magic and version, then every field as uvarints and length-prefixed
// strings. What can be derived is not stored: a family's postings,
// document frequencies and clause count come from its clauses' features,
// the masks from the sets, a term weight from its count (1 + ln n is
// recomputed, so the weights are the same bits). It replaces encoding/gob,
// whose reflection was a fifth of the link work of a run.
const codecMagic = "PLLF\x02" // version 2: bigram keys as numbers

// Encode is the prepared form of a document's features as bytes.
func Encode(f schemas.DocFeatures) ([]byte, error) {
	return draftOf(f).encode()
}

// encode writes the draft into a buffer the workers reuse and copies it
// out at its size: grown from nothing, the buffer was 0.3 GB of a run's
// allocation at N = 1000.
func (d *draft) encode() ([]byte, error) {
	buf := encodeBuffers.Get().(*[]byte)
	defer encodeBuffers.Put(buf)
	b, err := d.appendTo((*buf)[:0])
	if err != nil {
		return nil, err
	}
	*buf = b
	return bytes.Clone(b), nil
}

var encodeBuffers = sync.Pool{New: func() any { return new([]byte) }}

func (d *draft) appendTo(b []byte) ([]byte, error) {
	b = append(b, codecMagic...)
	b = appendString(b, d.docID)
	b = binary.AppendUvarint(b, uint64(len(d.clauses)))
	for _, c := range d.clauses {
		b = appendString(b, c.ID)
		var flags byte
		if c.HasZh {
			flags |= 1
		}
		if c.HasEn {
			flags |= 2
		}
		b = append(b, flags)
		for _, set := range [][]string{c.Mech, c.Anchors, c.Sectors, c.Modal} {
			b = appendStrings(b, set)
		}
	}
	var err error
	if b, err = appendFamily(b, d, d.zh, appendKeys); err != nil {
		return nil, err
	}
	for _, fl := range []flat[string]{d.en, d.anc} {
		if b, err = appendFamily(b, d, fl, appendStrings); err != nil {
			return nil, err
		}
	}
	b = appendStrings(b, d.mechKeys)
	for _, n := range d.mechDF {
		b = binary.AppendUvarint(b, uint64(n))
	}
	return b, nil
}

// appendFamily appends fl's keys, as keys writes them, then each clause's
// features: their number, then for each its id's distance from the one
// before and its count.
func appendFamily[K cmp.Ordered](b []byte, d *draft, fl flat[K], keys func([]byte, []K) []byte) ([]byte, error) {
	if len(fl.lens) != len(d.clauses) {
		return nil, fmt.Errorf("link: encode the features of %s: a family has %d clauses, the document %d", d.docID, len(fl.lens), len(d.clauses))
	}
	b = keys(b, fl.keys)
	at := 0
	for _, n := range fl.lens {
		b = binary.AppendUvarint(b, uint64(n))
		prev := int32(-1)
		for _, id := range fl.ids[at : at+n] {
			b = binary.AppendUvarint(b, uint64(id-prev-1))
			prev = id
			b = binary.AppendUvarint(b, uint64(fl.counts[at]))
			at++
		}
	}
	return b, nil
}

// appendKeys appends sorted, distinct bigram keys: their number, the first,
// then each one's distance from the one before, less one.
func appendKeys(b []byte, keys []uint64) []byte {
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for i, k := range keys {
		if i == 0 {
			b = binary.AppendUvarint(b, k)
		} else {
			b = binary.AppendUvarint(b, k-keys[i-1]-1)
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendStrings(b []byte, xs []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(xs)))
	for _, x := range xs {
		b = appendString(b, x)
	}
	return b
}

// Decode reads what Encode wrote. Its strings share one copy of b.
func Decode(b []byte) (*Prepared, error) {
	if !strings.HasPrefix(string(b), codecMagic) {
		return nil, errors.New("link: decode prepared features: not prepared features (no header)")
	}
	r := &reader{s: string(b), at: len(codecMagic)}
	p := &Prepared{DocID: r.str()}
	n := r.count()
	if n > 0 {
		p.Clauses = make([]ClauseMeta, n)
	}
	for i := range p.Clauses {
		c := &p.Clauses[i]
		c.ID = r.str()
		flags := r.byte()
		c.HasZh, c.HasEn = flags&1 != 0, flags&2 != 0
		c.Mech, c.Anchors, c.Sectors, c.Modal = r.set(), r.set(), r.set(), r.set()
		c.MechMask, c.AnchorMask, c.SectorMask = mask(c.Mech), mask(c.Anchors), mask(c.Sectors)
	}
	readFamily(r, &p.Zh, n, r.keys)
	readFamily(r, &p.En, n, r.set)
	readFamily(r, &p.Anc, n, r.set)
	p.MechKeys = r.set()
	for range p.MechKeys {
		p.MechDF = append(p.MechDF, r.int())
	}
	if r.err == nil && r.at != len(r.s) {
		r.fail("%d bytes after the end", len(r.s)-r.at)
	}
	if r.err != nil {
		return nil, fmt.Errorf("link: decode prepared features at byte %d: %w", r.at, r.err)
	}
	return p, nil
}

// reader reads the encoding; after its first error every read returns a
// zero value and err says what went wrong.
type reader struct {
	s   string
	at  int
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
	r.at = len(r.s)
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	var x uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if r.at >= len(r.s) {
			r.fail("cut short")
			return 0
		}
		c := r.s[r.at]
		r.at++
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x
		}
	}
	r.fail("a number too long")
	return 0
}

// int reads a number no larger than what is left to read, which bounds
// every count and so every allocation by the input's size.
func (r *reader) int() int {
	x := r.uvarint()
	if x > uint64(len(r.s)) {
		r.fail("a number (%d) larger than the encoding", x)
		return 0
	}
	return int(x)
}

// count reads the number of elements that follow, each at least a byte.
func (r *reader) count() int {
	n := r.int()
	if n > len(r.s)-r.at {
		r.fail("%d elements in %d bytes", n, len(r.s)-r.at)
		return 0
	}
	return n
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if r.at >= len(r.s) {
		r.fail("cut short")
		return 0
	}
	r.at++
	return r.s[r.at-1]
}

func (r *reader) str() string {
	n := r.int()
	if n > len(r.s)-r.at {
		r.fail("a string of %d bytes in %d", n, len(r.s)-r.at)
		return ""
	}
	r.at += n
	return r.s[r.at-n : r.at]
}

// uint64 reads 8 bytes, big-endian.
func (r *reader) uint64() uint64 {
	if r.err != nil {
		return 0
	}
	if len(r.s)-r.at < 8 {
		r.fail("cut short")
		return 0
	}
	x := binary.BigEndian.Uint64([]byte(r.s[r.at : r.at+8]))
	r.at += 8
	return x
}

// strs reads a list of strings in any order (nil when empty).
func (r *reader) strs() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	xs := make([]string, n)
	for i := range xs {
		xs[i] = r.str()
	}
	return xs
}

// set reads a sorted set of strings (nil when empty, as Prepare leaves it).
func (r *reader) set() []string {
	xs := r.strs()
	for i := 1; i < len(xs); i++ {
		if xs[i] <= xs[i-1] {
			r.fail("a set out of order")
			return nil
		}
	}
	return xs
}

// keys reads what appendKeys wrote.
func (r *reader) keys() []uint64 {
	n := r.count()
	if n == 0 {
		return nil
	}
	keys := make([]uint64, n)
	for i := range keys {
		d := r.uvarint()
		if i == 0 {
			keys[i] = d
			continue
		}
		keys[i] = keys[i-1] + d + 1
		if keys[i] <= keys[i-1] && r.err == nil {
			r.fail("bigram keys out of order")
		}
	}
	return keys
}

// readFamily reads one family of n clauses, its keys with keys, and
// derives what newFamily does besides: the clause count, document
// frequencies and postings.
func readFamily[K cmp.Ordered](r *reader, fam *Family[K], n int, keys func() []K) {
	fam.Keys = keys()
	fam.IDs, fam.TFW = make([][]int32, n), make([][]float64, n)
	var ids []int32
	var tfw []float64
	ends := make([]int, n)
	for j := 0; j < n; j++ {
		m := r.count()
		prev := -1
		for k := 0; k < m; k++ {
			id := prev + 1 + r.int()
			if id >= len(fam.Keys) {
				r.fail("feature %d of %d", id, len(fam.Keys))
				return
			}
			c := r.int()
			if c < 1 {
				r.fail("a feature counted %d times", c)
				return
			}
			ids, tfw, prev = append(ids, int32(id)), append(tfw, termWeight(c)), id
		}
		ends[j] = len(ids)
	}
	fam.DF = make([]int, len(fam.Keys))
	for _, id := range ids {
		fam.DF[id]++
	}
	start := 0
	for j, end := range ends {
		if end > start {
			fam.N++
			fam.IDs[j], fam.TFW[j] = slices.Clip(ids[start:end]), slices.Clip(tfw[start:end])
		}
		start = end
	}
	post := make([]int32, len(ids))
	fam.Post = make([][]int32, len(fam.Keys))
	at := 0
	for id, df := range fam.DF {
		fam.Post[id] = post[at : at : at+df]
		at += df
	}
	for j, own := range fam.IDs {
		for _, id := range own {
			fam.Post[id] = append(fam.Post[id], int32(j))
		}
	}
}
