package bincodec

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/policyledger/policyledger/schemas"
)

type inner struct {
	N int
	S *string
}

type every struct {
	S       string
	B       bool
	I       int
	I8      int8
	I64     int64
	U8      uint8
	U64     uint64
	F       float64
	F32     float32
	P       *int
	PZero   *int // points at a zero value: not nil
	PNil    *int
	Bytes   []byte
	BNil    []byte
	BEmpty  []byte
	Strs    []string
	SNil    []string
	SEmpty  []string
	Inner   inner
	Inners  []inner
	PInner  *inner
	M       map[string]int
	MInt    map[int]string
	MNil    map[string]int
	MEmpty  map[string]int
	Skipped string `json:"-"`
	Nested  [][]int
	Self    *every
}

func sample() every {
	one, zero, s := 1, 0, "文字 text"
	// long's substrings share its memory: they are written as references
	long := strings.Repeat("中文 and English, ", 20) + "\n"
	return every{
		S: long, B: true, I: -123456789, I8: -8, I64: 1 << 62, U8: 255, U64: 1<<64 - 1,
		F: 0.1 + 0.2, F32: 1.5, P: &one, PZero: &zero, Bytes: []byte{0, 1, 255}, BEmpty: []byte{},
		Strs: []string{"a", "", "丙", long[7:40], long[len(long)-17:], long[7:40][1:20]}, SEmpty: []string{}, Inner: inner{7, &s}, Inners: []inner{{1, nil}, {2, &s}},
		PInner: &inner{}, M: map[string]int{"b": 2, "a": 1}, MInt: map[int]string{3: "c", -1: "z"}, MEmpty: map[string]int{},
		Nested: [][]int{{1}, nil, {}}, Self: &every{S: "child", Strs: []string{long[:16]}},
	}
}

// TestRoundTrip: every kind reads back as written, nil apart from empty
// and a pointer to a zero value apart from nil; json:"-" fields are not
// written.
func TestRoundTrip(t *testing.T) {
	v := sample()
	v.Skipped = "not written"
	var got every
	if err := Decode(Append(nil, v), &got); err != nil {
		t.Fatal(err)
	}
	v.Skipped = ""
	if diff := cmp.Diff(v, got, cmp.AllowUnexported(every{}, inner{})); diff != "" {
		t.Errorf("read back differently (-written +read):\n%s", diff)
	}
	if got.BNil != nil || got.BEmpty == nil || got.SNil != nil || got.SEmpty == nil || got.MNil != nil || got.MEmpty == nil || got.PNil != nil || got.PZero == nil {
		t.Errorf("nil and empty not kept apart: %+v", got)
	}
}

// TestSharedStrings: a string inside the memory of one written before it
// is written as a reference, reads back as the same text and shares the
// memory of what it was cut from when read, as when written; an equal
// string in memory of its own is written whole.
func TestSharedStrings(t *testing.T) {
	type doc struct {
		Mid   string // a literal too short to be looked in: not counted among those that are
		Text  string
		Parts []string
		Short string
	}
	text := strings.Repeat("一段中文，and some English text; ", 20)
	mid := strings.Repeat("m", minParent/2)
	shared := doc{Mid: mid, Text: text, Parts: []string{text[3:80], text[100:300], text[len(text)-16:]}, Short: text[:15]}
	copied := doc{Mid: mid, Text: text}
	for _, p := range shared.Parts {
		copied.Parts = append(copied.Parts, strings.Clone(p))
	}
	copied.Short = strings.Clone(shared.Short)
	bs, bc := Append(nil, shared), Append(nil, copied)
	var parts int
	for _, p := range shared.Parts {
		parts += len(p)
	}
	if len(bs) > len(bc)-parts+3*8 {
		t.Errorf("with shared memory %d bytes, without %d: the %d bytes of parts were not referenced", len(bs), len(bc), parts)
	}
	for _, b := range [][]byte{bs, bc} {
		var got doc
		if err := Decode(b, &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(shared, got); diff != "" {
			t.Errorf("read back differently (-written +read):\n%s", diff)
		}
	}
	var got doc
	Decode(bs, &got)
	base := uintptr(unsafe.Pointer(unsafe.StringData(got.Text)))
	for _, p := range got.Parts {
		if at := uintptr(unsafe.Pointer(unsafe.StringData(p))); at < base || at+uintptr(len(p)) > base+uintptr(len(got.Text)) {
			t.Errorf("part %q read into memory of its own", p[:10])
		}
	}
}

// TestBadReference: a reference to a string not read (or too short to be
// looked in), past the end of the one it names, or shorter than a string
// is looked up at, is an error.
func TestBadReference(t *testing.T) {
	type doc struct{ A, B, C string }
	text := strings.Repeat("x", minParent+100)
	ref := func(n, k, off uint64) []byte {
		return binary.AppendUvarint(binary.AppendUvarint(binary.AppendUvarint(nil, n<<1|1), k), off)
	}
	b := Append(nil, doc{A: text, B: text[10:30], C: "short"})
	head := Append(nil, doc{A: text})
	head = head[:len(head)-2] // (B and C empty: a byte each)
	good := append(append(append([]byte(nil), head...), ref(20, 0, 10)...), Append(nil, "short")...)
	if !bytes.Equal(b, good) {
		t.Fatalf("B is not written as a reference to A: % x", b[len(head):])
	}
	for _, bad := range [][]byte{ref(20, 1, 10), ref(20, 0, minParent+81), ref(minParent+101, 0, 0), ref(minShared-1, 0, 0)} {
		c := append(append(append([]byte(nil), head...), bad...), Append(nil, "short")...)
		var v doc
		if err := Decode(c, &v); err == nil {
			t.Errorf("reference % x read without error: %+v", bad, v)
		}
	}
	// A string under minParent bytes is not looked in.
	short := strings.Repeat("y", minParent-1)
	shared, copied := Append(nil, doc{A: short, B: short[10:30]}), Append(nil, doc{A: short, B: strings.Clone(short[10:30])})
	if !bytes.Equal(shared, copied) {
		t.Errorf("a string of %d bytes was looked in", len(short))
	}
}

// TestSameBytes: the same value gives the same bytes (maps in key order).
func TestSameBytes(t *testing.T) {
	want := string(Append(nil, sample()))
	for range 20 {
		if got := string(Append(nil, sample())); got != want {
			t.Fatal("the same value gave other bytes")
		}
	}
}

// TestDamagedInput: every prefix of an encoding, and the encoding with a
// byte changed, gives an error or a value, never a panic; a prefix always
// gives an error.
func TestDamagedInput(t *testing.T) {
	b := Append(nil, sample())
	for n := range len(b) {
		var v every
		if err := Decode(b[:n], &v); err == nil {
			t.Fatalf("%d of %d bytes read without error", n, len(b))
		}
	}
	for i := range b {
		c := append([]byte(nil), b...)
		c[i] ^= 0xff
		var v every
		Decode(c, &v)
	}
	var v every
	if err := Decode(append(b, 0), &v); err == nil || !strings.Contains(err.Error(), "left over") {
		t.Errorf("a byte too many: %v; want an error", err)
	}
}

// TestHugeLength: a length larger than the input is an error, not an
// allocation.
func TestHugeLength(t *testing.T) {
	var s []string
	if err := Decode([]byte{0xff, 0xff, 0xff, 0xff, 0x0f}, &s); err == nil {
		t.Error("a slice of 4 billion strings in 5 bytes read without error")
	}
}

func TestUnexportedFieldPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "unexported field hidden") {
			t.Errorf("recover() = %v; want a panic naming the field", r)
		}
	}()
	type withHidden struct {
		Shown  string
		hidden string
	}
	Append(nil, withHidden{})
}

// TestEverySchemaField: a document and its link features with every field
// set (each slice and map with an item, each pointer set) read back equal,
// so no field of the cache's records is lost, whatever fields they gain.
func TestEverySchemaField(t *testing.T) {
	for _, v := range []any{new(schemas.Document), new(schemas.DocFeatures)} {
		rv := reflect.ValueOf(v).Elem()
		fill(rv, 0)
		got := reflect.New(rv.Type())
		if err := Decode(Append(nil, rv.Interface()), got.Interface()); err != nil {
			t.Fatalf("%s: %v", rv.Type(), err)
		}
		// Fields JSON leaves out are not written: clear them in the
		// expectation.
		clearSkipped(rv)
		if diff := cmp.Diff(rv.Interface(), got.Elem().Interface()); diff != "" {
			t.Errorf("%s read back differently (-written +read):\n%s", rv.Type(), diff)
		}
	}
}

// fill sets every field of v to a value other than its zero.
func fill(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + strings.Repeat("字", depth+1))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(-3 - depth))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(5 + depth))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(0.25 + float64(depth))
	case reflect.Pointer:
		if depth > 6 {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		fill(s.Index(0), depth+1)
		fill(s.Index(1), depth+2)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, depth+1)
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth)
			}
		}
	}
}

// clearSkipped zeroes the json:"-" fields of v's structs, as far down as
// fill went.
func clearSkipped(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			clearSkipped(v.Elem())
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Uint8 {
			for i := range v.Len() {
				clearSkipped(v.Index(i))
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).Tag.Get("json") == "-" {
				v.Field(i).SetZero()
			} else {
				clearSkipped(v.Field(i))
			}
		}
	}
}

// FuzzDecode: no input makes Decode panic, and what it reads without error
// writes back as the same bytes.
func FuzzDecode(f *testing.F) {
	f.Add(Append(nil, sample()))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var v every
		if err := Decode(b, &v); err != nil {
			return
		}
		if got := Append(nil, v); string(got) != string(b) {
			// Maps out of key order and varints longer than needed read
			// back as the same values, written in the one canonical form.
			var w every
			if err := Decode(got, &w); err != nil || !cmp.Equal(v, w, cmp.AllowUnexported(every{}, inner{}), cmpopts.EquateNaNs()) {
				t.Fatalf("read %x, wrote %x", b, got)
			}
		}
	})
}

// TestConcurrentFirstUse: workers that meet a type at the same moment all
// get its complete codec (the cache's workers read their first entries
// side by side; a codec seen before it was filled crashed a run). Each
// round uses a type no other test has used.
func TestConcurrentFirstUse(t *testing.T) {
	// Written as A, read as B: the same fields, so the same bytes, but B's
	// codecs are made by the workers.
	type leafA struct{ A, B string }
	type nodeA struct {
		Leaves []leafA
		Next   *nodeA
		M      map[string][]leafA
	}
	type leafB struct{ A, B string }
	type nodeB struct {
		Leaves []leafB
		Next   *nodeB
		M      map[string][]leafB
	}
	b := Append(nil, []nodeA{{Leaves: []leafA{{"a", "b"}}, Next: &nodeA{M: map[string][]leafA{"k": {{"c", "d"}}}}}})
	start := make(chan struct{})
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			<-start
			var got []nodeB
			err := Decode(b, &got)
			if err == nil && (len(got) != 1 || got[0].Leaves[0].B != "b" || got[0].Next.M["k"][0].B != "d") {
				err = fmt.Errorf("read back as %+v", got)
			}
			errs <- err
		}()
	}
	close(start)
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestDeepNesting: input that nests a recursive type deeper than maxDepth
// is an error, not an exhausted stack.
func TestDeepNesting(t *testing.T) {
	type list struct{ Next *list }
	deep := make([]byte, 10_000_000)
	for i := range deep {
		deep[i] = 1 // each a pointer that is set
	}
	var l list
	if err := Decode(append(deep, 0), &l); err == nil || !strings.Contains(err.Error(), "nested") {
		t.Errorf("10 million nested pointers: %v; want an error", err)
	}
	shallow := append(bytes.Repeat([]byte{1}, maxDepth-1), 0)
	if err := Decode(shallow, &l); err != nil {
		t.Errorf("%d nested pointers: %v", maxDepth-1, err)
	}
}
