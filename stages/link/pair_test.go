package link

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/policyledger/policyledger/schemas"
)

// randomDoc makes a document whose clauses draw their characters, words,
// anchors, mechanisms, sectors and modalities from small alphabets, so
// that clauses share many features and every branch of the score is met.
func randomDoc(rng *rand.Rand, id string, clauses int) schemas.DocFeatures {
	han := []rune("合作论坛中拉科技创新农业发展能源贸易投资文化交流")
	pick := func(pool []string, n int) []string {
		var out []string
		for i := 0; i < n; i++ {
			out = append(out, pool[rng.IntN(len(pool))])
		}
		return set(out)
	}
	d := schemas.DocFeatures{DocID: id, Date: "2020-01-01"}
	for c := 0; c < clauses; c++ {
		f := schemas.ClauseFeatures{ID: fmt.Sprintf("%s/p%d", id, c+1)}
		switch rng.IntN(4) {
		case 0, 1:
			var s []rune
			for i := rng.IntN(30); i > 0; i-- {
				s = append(s, han[rng.IntN(len(han))])
			}
			f.Zh = bigrams(string(s))
		case 2:
			f.En = words(fmt.Sprint(pick([]string{"forum", "energy", "trade", "science", "farming", "investment", "culture", "exchange"}, rng.IntN(8))))
		}
		f.Anchors = pick([]string{"num:2025", "num:2030", "term:apec", "lat:BRI", "term:celac-forum"}, rng.IntN(3))
		f.Mech = pick([]string{"sti-forum", "bri", "celac-forum", "think-tank"}, rng.IntN(3))
		f.Sectors = pick([]string{"energy", "trade", "science"}, rng.IntN(2))
		f.Modal = pick([]string{"explore", "will", "support"}, rng.IntN(3))
		d.Clauses = append(d.Clauses, f)
	}
	return d
}

// TestPairIsReference: Pair, with its per-document indexes, gives the same
// links, bit for bit, as the plain pairwise definition.
func TestPairIsReference(t *testing.T) {
	r := rules(t)
	rng := rand.New(rand.NewPCG(1, 2))
	links := 0
	for k := 0; k < 200; k++ {
		a, b := randomDoc(rng, "a", 1+rng.IntN(25)), randomDoc(rng, "b", 1+rng.IntN(25))
		got, want := Pair(a, b, r), referencePair(a, b, r)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("pair %d: Pair gives %d links, the reference %d:\n%+v\n%+v", k, len(got), len(want), got, want)
		}
		links += len(got)
	}
	if links < 200 {
		t.Fatalf("only %d links over 200 random pairs: the test compares too little", links)
	}
}

// TestStreamJobs: the rows Stream emits, and their order, do not depend on
// how many goroutines compare documents; a document that cannot be loaded
// stops it with an error naming it.
func TestStreamJobs(t *testing.T) {
	r := rules(t)
	rng := rand.New(rand.NewPCG(3, 4))
	var docs []*Prepared
	var heads []schemas.DocFeatures
	for i := 0; i < 40; i++ {
		d := randomDoc(rng, fmt.Sprintf("d%02d", i), 1+rng.IntN(12))
		d.Date = fmt.Sprintf("2020-01-%02d", 1+rng.IntN(20)) // some share a date
		docs, heads = append(docs, Prepare(d)), append(heads, schemas.DocFeatures{DocID: d.DocID, Date: d.Date})
	}
	load := func(i int) (*Prepared, error) { return docs[i], nil }
	run := func(jobs int) ([]schemas.Link, []schemas.Continuity) {
		var links []schemas.Link
		var cont []schemas.Continuity
		if _, err := Stream(heads, load, r, jobs, nil, func(l []schemas.Link, c []schemas.Continuity) error {
			links, cont = append(links, l...), append(cont, c...)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return links, cont
	}
	links, cont := run(1)
	if len(links) == 0 || len(cont) == 0 {
		t.Fatalf("%d links, %d continuity rows; the test compares nothing", len(links), len(cont))
	}
	for _, jobs := range []int{2, 3, 8} {
		if l, c := run(jobs); !reflect.DeepEqual(l, links) || !reflect.DeepEqual(c, cont) {
			t.Errorf("jobs %d: the rows differ from one goroutine's", jobs)
		}
	}
	broken := func(i int) (*Prepared, error) {
		if i == 7 {
			return nil, fmt.Errorf("link features of %s: unexpected EOF", heads[i].DocID)
		}
		return docs[i], nil
	}
	_, err := Stream(heads, broken, r, 2, nil, func([]schemas.Link, []schemas.Continuity) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "d07") {
		t.Fatalf("err = %v; want the document that could not be loaded named", err)
	}
}

// TestCodec: what Decode reads back is what Prepare made, for documents
// of every shape (no clauses, clauses without text, repeated features).
func TestCodec(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	docs := []schemas.DocFeatures{{DocID: "empty"}, {DocID: "bare", Clauses: []schemas.ClauseFeatures{{ID: "bare/p1"}}}}
	for k := 0; k < 100; k++ {
		docs = append(docs, randomDoc(rng, fmt.Sprintf("d%d", k), rng.IntN(30)))
	}
	repeats := 0
	for _, d := range docs {
		b, err := Encode(d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", d.DocID, err)
		}
		want := Prepare(d)
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("%s: decoded differs (-prepared +decoded):\n%s", d.DocID, diff)
		}
		for _, w := range slices.Concat(want.Zh.TFW...) {
			if w > 1 {
				repeats++
			}
		}
	}
	if repeats == 0 {
		t.Fatal("no feature is repeated in a clause: term weights other than 1 are not tested")
	}
}

// TestDecodeBroken: spooled features that are cut short, damaged or not
// features at all are an error or another document, never a panic, and
// every cut is an error, never an empty document.
func TestDecodeBroken(t *testing.T) {
	b, err := Encode(randomDoc(rand.New(rand.NewPCG(7, 8)), "d", 5))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(b); err != nil {
		t.Fatalf("a whole encoding does not decode: %v", err)
	}
	for _, broken := range [][]byte{[]byte("not features"), nil, append(slices.Clone(b), 0)} {
		if p, err := Decode(broken); err == nil {
			t.Errorf("Decode(%q) = %+v, no error; want one", broken, p)
		}
	}
	for n := range b {
		if p, err := Decode(b[:n]); err == nil {
			t.Errorf("Decode(first %d of %d bytes) = %+v, no error; want one", n, len(b), p)
		}
	}
	for i := range b {
		for _, x := range []byte{0x00, 0x7f, 0x80, 0xff} {
			damaged := slices.Clone(b)
			damaged[i] = x
			Decode(damaged) // must not panic
		}
	}
}

// TestFamilies: newFamily (by a map) and bigramFamily (by a radix sort, or
// newFamily when keys are too wide to pack) build the family the plain
// way would, for families of every size, few or many distinct keys, and
// clauses without features.
func TestFamilies(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	randomVecs := func(clauses, alphabet int, key func(int) uint64) []vec[uint64] {
		vs := make([]vec[uint64], clauses)
		for j := range vs {
			var keys []uint64
			for range rng.IntN(40) {
				keys = append(keys, key(rng.IntN(alphabet)))
			}
			slices.Sort(keys)
			vs[j].keys = slices.Compact(keys)
			for range vs[j].keys {
				vs[j].counts = append(vs[j].counts, 1+rng.IntN(3))
			}
		}
		return vs
	}
	keys := map[string]func(int) uint64{
		// bigram-shaped keys (two characters of 21 bits) that differ in
		// every digit of the radix sort, or only in the lowest ones
		"scattered bigrams": func(i int) uint64 { return uint64(0x4e00+i%4000)<<21 | uint64(0x4e00+(i*7919)%20000) },
		"close bigrams":     func(i int) uint64 { return uint64(0x4e00+i/700)<<21 | uint64(0x4e00+i%700) },
		"too wide to pack":  func(i int) uint64 { return uint64(i) << 50 },
	}
	for k := 0; k < 100; k++ {
		clauses, alphabet := rng.IntN(120), 1+rng.IntN(5000)
		for name, key := range keys {
			zh := randomVecs(clauses, alphabet, key)
			want := referenceFamily(zh)
			for how, got := range map[string]Family[uint64]{"bigramFamily": bigramFamily(zh), "newFamily": newFamily(zh)} {
				if !sameFamily(want, got) {
					t.Fatalf("%s, %s: %d clauses of %d keys (-want +got):\n%s", how, name, clauses, alphabet, cmp.Diff(want, got, cmpopts.EquateEmpty()))
				}
			}
			en := make([]vec[string], len(zh))
			for j, v := range zh {
				for _, key := range v.keys {
					en[j].keys = append(en[j].keys, fmt.Sprintf("w%020d", key)) // same order as the numbers
				}
				en[j].counts = slices.Clone(v.counts)
			}
			wantEn := referenceFamily(en)
			// newFamily takes each clause's keys in any order (a map's)
			for _, v := range en {
				rng.Shuffle(len(v.keys), func(a, b int) {
					v.keys[a], v.keys[b] = v.keys[b], v.keys[a]
					v.counts[a], v.counts[b] = v.counts[b], v.counts[a]
				})
			}
			if got := newFamily(en); !sameFamily(wantEn, got) {
				t.Fatalf("newFamily, words from %s in shuffled clauses (-want +got):\n%s", name, cmp.Diff(wantEn, got, cmpopts.EquateEmpty()))
			}
		}
	}
}

// sameFamily reports whether a and b are equal, an empty slice equal to
// nil (the encoding does not tell them apart).
func sameFamily[K interface{ ~uint64 | ~string }](a, b Family[K]) bool {
	return a.N == b.N && slices.Equal(a.Keys, b.Keys) && slices.Equal(a.DF, b.DF) &&
		slices.EqualFunc(a.Post, b.Post, slices.Equal) && slices.EqualFunc(a.IDs, b.IDs, slices.Equal) &&
		slices.EqualFunc(a.TFW, b.TFW, slices.Equal)
}
