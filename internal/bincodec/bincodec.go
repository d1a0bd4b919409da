// Package bincodec encodes Go values in a compact binary form and reads
// them back into the same values: the cache's entry format, where JSON's
// field names and text numbers were most of what a run read back.
//
// It walks a value's type once and keeps, per type, the functions that
// write and read it. Fields are written in declaration order, without
// names, so the form is only good for reading by the same program build:
// the cache keys entries by the program's hash, so an entry is never read
// by another build. What JSON keeps apart, this keeps apart too: nil and
// empty slices and maps, nil and non-nil pointers (to zero values too).
// Fields tagged json:"-" are skipped, as encoding/json skips them; a type
// with other unexported fields has no encoding (Append panics), where JSON
// would drop them without a word. A string that lies in the memory of a
// long string written before it is written as a reference to it (see
// minShared): the bytes then depend on how the value's strings share
// memory, not only on their text, and read back as the same text.
//
// Decoding checks every length against what remains of the input, and
// bounds how deep values nest, so a damaged entry gives an error, never a
// panic, a huge allocation or an exhausted stack (the cache also checks a
// CRC before decoding).
package bincodec

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
	"unsafe"
)

// Append appends the encoding of v to b.
func Append(b []byte, v any) []byte {
	rv := reflect.ValueOf(v)
	e := encoders.Get().(*encoder)
	e.b = b
	codecOf(rv.Type()).enc(e, rv)
	b = e.b
	e.reset()
	encoders.Put(e)
	return b
}

// A string that lies inside the memory of a string written before it in
// the same value (a sentence cut from its clause, a clause from its
// document's text) is written as a reference to that string: its index
// among the literal strings of at least minParent bytes, its offset and
// its length. It reads back as a substring of that string, the same bytes.
// Half of a cache entry's bytes were text written two or three times over.
// Only strings of minShared bytes or more are looked up, and only those of
// minParent bytes or more are looked in: small strings lie densely in
// memory, and looking in each of them made encoding five times slower.
//
// A string's header is its length times two, plus one for a reference.
const (
	minShared = 16
	minParent = 256
)

// encoder is the output and the literal strings written so far.
type encoder struct {
	b    []byte
	lits []span
	// pages lists, by page of memory (address >> pageBits), the literals
	// that cover part of it: the candidates for a string starting there
	pages map[uintptr][]int32
}

type span struct{ start, end uintptr }

const pageBits = 12

var encoders = sync.Pool{New: func() any { return &encoder{pages: map[uintptr][]int32{}} }}

func (e *encoder) reset() {
	e.b, e.lits = nil, e.lits[:0]
	clear(e.pages)
}

func (e *encoder) string(s string) {
	if len(s) < minShared {
		e.b = append(binary.AppendUvarint(e.b, uint64(len(s))<<1), s...)
		return
	}
	start := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	end := start + uintptr(len(s))
	for _, k := range e.pages[start>>pageBits] {
		if l := e.lits[k]; l.start <= start && end <= l.end {
			e.b = binary.AppendUvarint(e.b, uint64(len(s))<<1|1)
			e.b = binary.AppendUvarint(e.b, uint64(k))
			e.b = binary.AppendUvarint(e.b, uint64(start-l.start))
			return
		}
	}
	if len(s) >= minParent {
		k := int32(len(e.lits))
		e.lits = append(e.lits, span{start, end})
		for p := start >> pageBits; p <= (end-1)>>pageBits; p++ {
			e.pages[p] = append(e.pages[p], k)
		}
	}
	e.b = append(binary.AppendUvarint(e.b, uint64(len(s))<<1), s...)
}

// Decode reads data, as Append wrote it for a value of v's element type,
// into *v. The whole input must be used.
func Decode(data []byte, v any) (err error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("bincodec: Decode needs a non-nil pointer")
	}
	d := &decoder{b: data}
	codecOf(rv.Type().Elem()).dec(d, rv.Elem())
	if d.err == nil && d.i != len(d.b) {
		d.err = fmt.Errorf("%d bytes left over", len(d.b)-d.i)
	}
	if d.err != nil {
		return fmt.Errorf("bincodec: %w", d.err)
	}
	return nil
}

// ErrShort is the error of input that ends inside a value.
var ErrShort = errors.New("input ends inside a value")

type decoder struct {
	b     []byte
	i     int
	err   error
	depth int      // pointers, slices and maps open: a bound on recursion
	lits  []string // the literal strings of minParent bytes or more, as read
}

func (d *decoder) string() string {
	h := d.uvarint()
	n := h >> 1
	if h&1 == 0 {
		if n > uint64(len(d.b)-d.i) {
			d.fail(ErrShort)
			return ""
		}
		s := string(d.bytes(int(n)))
		if n >= minParent {
			d.lits = append(d.lits, s)
		}
		return s
	}
	k, off := d.uvarint(), d.uvarint()
	if d.err != nil {
		return ""
	}
	if n < minShared || k >= uint64(len(d.lits)) || off > uint64(len(d.lits[k])) || n > uint64(len(d.lits[k]))-off {
		d.fail(fmt.Errorf("string reference (%d bytes at %d of string %d) outside the strings read", n, off, k))
		return ""
	}
	return d.lits[k][off : off+n]
}

// maxDepth bounds the nesting of pointers, slices and maps that Decode
// follows: input that nests a recursive type deeper is refused, where
// following it would exhaust the stack.
const maxDepth = 1000

func (d *decoder) enter() bool {
	d.depth++
	if d.depth > maxDepth {
		d.fail(fmt.Errorf("values nested more than %d deep", maxDepth))
		return false
	}
	return true
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.i = len(d.b) // every later read fails
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Uvarint(d.b[d.i:])
	if n <= 0 {
		d.fail(ErrShort)
		return 0
	}
	d.i += n
	return x
}

func (d *decoder) varint() int64 {
	u := d.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil || n > len(d.b)-d.i {
		d.fail(ErrShort)
		return nil
	}
	p := d.b[d.i : d.i+n]
	d.i += n
	return p
}

type codec struct {
	enc func(e *encoder, v reflect.Value)
	dec func(d *decoder, v reflect.Value)
}

var (
	codecs   sync.Map   // reflect.Type → *codec, each complete
	building sync.Mutex // held while codecs are made
)

// codecOf returns t's codec, making it (and those of the types in it) on
// first use. A codec is published only once complete, with every codec it
// calls: a worker that finds one can use it while another is still making
// its own.
func codecOf(t reflect.Type) *codec {
	if c, ok := codecs.Load(t); ok {
		return c.(*codec)
	}
	building.Lock()
	defer building.Unlock()
	made := map[reflect.Type]*codec{}
	var get func(t reflect.Type) *codec
	get = func(t reflect.Type) *codec {
		if c, ok := codecs.Load(t); ok {
			return c.(*codec)
		}
		if c, ok := made[t]; ok {
			return c // being made: a recursive type; filled before use
		}
		c := &codec{}
		made[t] = c
		build(c, t, get)
		return c
	}
	c := get(t)
	for t, c := range made {
		codecs.Store(t, c)
	}
	return c
}

func appendVarint(b []byte, x int64) []byte { return binary.AppendUvarint(b, uint64(x<<1^x>>63)) }

func build(c *codec, t reflect.Type, get func(reflect.Type) *codec) {
	switch t.Kind() {
	case reflect.String:
		c.enc = func(e *encoder, v reflect.Value) { e.string(v.String()) }
		c.dec = func(d *decoder, v reflect.Value) { v.SetString(d.string()) }
	case reflect.Bool:
		c.enc = func(e *encoder, v reflect.Value) {
			if v.Bool() {
				e.b = append(e.b, 1)
			} else {
				e.b = append(e.b, 0)
			}
		}
		c.dec = func(d *decoder, v reflect.Value) {
			switch p := d.bytes(1); {
			case p == nil:
			case p[0] > 1:
				d.fail(fmt.Errorf("bool byte %d", p[0]))
			default:
				v.SetBool(p[0] == 1)
			}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		c.enc = func(e *encoder, v reflect.Value) { e.b = appendVarint(e.b, v.Int()) }
		c.dec = func(d *decoder, v reflect.Value) {
			x := d.varint()
			if v.OverflowInt(x) {
				d.fail(fmt.Errorf("%d overflows %s", x, v.Type()))
				return
			}
			v.SetInt(x)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		c.enc = func(e *encoder, v reflect.Value) { e.b = binary.AppendUvarint(e.b, v.Uint()) }
		c.dec = func(d *decoder, v reflect.Value) {
			x := d.uvarint()
			if v.OverflowUint(x) {
				d.fail(fmt.Errorf("%d overflows %s", x, v.Type()))
				return
			}
			v.SetUint(x)
		}
	case reflect.Float32, reflect.Float64:
		c.enc = func(e *encoder, v reflect.Value) {
			e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(v.Float()))
		}
		c.dec = func(d *decoder, v reflect.Value) {
			if p := d.bytes(8); p != nil {
				v.SetFloat(math.Float64frombits(binary.LittleEndian.Uint64(p)))
			}
		}
	case reflect.Pointer:
		elem := t.Elem()
		ec := get(elem)
		c.enc = func(e *encoder, v reflect.Value) {
			if v.IsNil() {
				e.b = append(e.b, 0)
				return
			}
			e.b = append(e.b, 1)
			ec.enc(e, v.Elem())
		}
		c.dec = func(d *decoder, v reflect.Value) {
			switch p := d.bytes(1); {
			case p == nil || p[0] == 0:
				if p != nil {
					v.SetZero()
				}
			case p[0] == 1:
				if !d.enter() {
					return
				}
				n := reflect.New(elem)
				ec.dec(d, n.Elem())
				v.Set(n)
				d.depth--
			default:
				d.fail(fmt.Errorf("pointer byte %d", p[0]))
			}
		}
	case reflect.Slice:
		buildSlice(c, t, get)
	case reflect.Map:
		buildMap(c, t, get)
	case reflect.Struct:
		buildStruct(c, t, get)
	default:
		panic(fmt.Sprintf("bincodec: no encoding for %s", t))
	}
}

// Slices are written as 0 when nil, else 1 + their length, then their
// items; byte slices as their bytes.
func buildSlice(c *codec, t reflect.Type, get func(reflect.Type) *codec) {
	if t.Elem().Kind() == reflect.Uint8 {
		c.enc = func(e *encoder, v reflect.Value) {
			if v.IsNil() {
				e.b = append(e.b, 0)
				return
			}
			p := v.Bytes()
			e.b = append(binary.AppendUvarint(e.b, uint64(len(p))+1), p...)
		}
		c.dec = func(d *decoder, v reflect.Value) {
			n, ok := nilOrLen(d, 1)
			if !ok {
				v.SetZero()
				return
			}
			v.SetBytes(slices.Clone(d.bytes(n))[:n:n])
		}
		return
	}
	ec := get(t.Elem())
	c.enc = func(e *encoder, v reflect.Value) {
		if v.IsNil() {
			e.b = append(e.b, 0)
			return
		}
		n := v.Len()
		e.b = binary.AppendUvarint(e.b, uint64(n)+1)
		for i := range n {
			ec.enc(e, v.Index(i))
		}
	}
	c.dec = func(d *decoder, v reflect.Value) {
		n, ok := d.container(v, 1)
		if !ok {
			return
		}
		s := reflect.MakeSlice(t, n, n)
		for i := range n {
			ec.dec(d, s.Index(i))
		}
		v.Set(s)
		d.depth--
	}
}

// nilOrLen reads a slice or map header: ok false for nil.
func nilOrLen(d *decoder, min int) (int, bool) {
	h := d.uvarint()
	if h == 0 {
		return 0, false
	}
	if h-1 > uint64(len(d.b)-d.i)/uint64(min) {
		d.fail(ErrShort)
		return 0, false
	}
	return int(h - 1), true
}

// container reads a slice's or map's header, each item at least min
// bytes, and enters it: ok is false for nil (v is then nil) and on error.
func (d *decoder) container(v reflect.Value, min int) (n int, ok bool) {
	if n, ok = nilOrLen(d, min); !ok {
		v.SetZero()
		return 0, false
	}
	return n, d.enter()
}

// Maps are written like slices, as key, value pairs in key order, so that
// the same value always gives the same bytes.
func buildMap(c *codec, t reflect.Type, get func(reflect.Type) *codec) {
	key, val := t.Key(), t.Elem()
	var less func(a, b reflect.Value) int
	switch key.Kind() {
	case reflect.String:
		less = func(a, b reflect.Value) int { return cmp.Compare(a.String(), b.String()) }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		less = func(a, b reflect.Value) int { return cmp.Compare(a.Int(), b.Int()) }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		less = func(a, b reflect.Value) int { return cmp.Compare(a.Uint(), b.Uint()) }
	default:
		panic(fmt.Sprintf("bincodec: no encoding for map keys of %s", key))
	}
	kc, vc := get(key), get(val)
	c.enc = func(e *encoder, v reflect.Value) {
		if v.IsNil() {
			e.b = append(e.b, 0)
			return
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, less)
		e.b = binary.AppendUvarint(e.b, uint64(len(keys))+1)
		for _, k := range keys {
			kc.enc(e, k)
			vc.enc(e, v.MapIndex(k))
		}
	}
	c.dec = func(d *decoder, v reflect.Value) {
		n, ok := d.container(v, 2)
		if !ok {
			return
		}
		defer func() { d.depth-- }()
		m := reflect.MakeMapWithSize(t, n)
		k, e := reflect.New(key).Elem(), reflect.New(val).Elem()
		for range n {
			k.SetZero()
			e.SetZero()
			kc.dec(d, k)
			vc.dec(d, e)
			if d.err != nil {
				return
			}
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	}
}

// Structs are their fields in order, without names.
func buildStruct(c *codec, t reflect.Type, get func(reflect.Type) *codec) {
	type field struct {
		i int
		c *codec
	}
	var fields []field
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Tag.Get("json") == "-" {
			continue
		}
		if !f.IsExported() {
			// encoding/json would drop it too, but silently: a value read
			// back without it (a time.Time, say) would be wrong.
			panic(fmt.Sprintf("bincodec: %s has unexported field %s", t, f.Name))
		}
		fields = append(fields, field{i, get(f.Type)})
	}
	c.enc = func(e *encoder, v reflect.Value) {
		for _, f := range fields {
			f.c.enc(e, v.Field(f.i))
		}
	}
	c.dec = func(d *decoder, v reflect.Value) {
		for _, f := range fields {
			f.c.dec(d, v.Field(f.i))
		}
	}
}
