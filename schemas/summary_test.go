package schemas

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// within reports whether s's bytes lie inside big's.
func within(s, big string) bool {
	if len(s) == 0 {
		return false
	}
	p, b := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(big)))
	return p >= b && p < b+uintptr(len(big))
}

// TestSummaryHoldsNoText: a run keeps every document's summary to its end,
// so a string of the summary cut from the document's text would keep that
// text in memory, and memory would grow with the corpus by whole texts.
func TestSummaryHoldsNoText(t *testing.T) {
	text := strings.Repeat("正文。", 1000) + "\n此处为预览,全文请登录\n" + "layout reason" + "warning: a warning"
	at := func(sub string) string { i := strings.Index(text, sub); return text[i : i+len(sub)] }
	note := at("此处为预览,全文请登录")
	d := Document{Source: Source{ID: "doc"}, Truncated: true, TruncationNote: &note,
		Layout: at("layout"), LayoutReason: at("layout reason"), Warnings: []string{at("warning: a warning")}}
	s := Summarize(d)
	if s.TruncationNote == nil || *s.TruncationNote != note {
		t.Fatalf("truncation note %v, want %q", s.TruncationNote, note)
	}
	if s.Layout != d.Layout || s.LayoutReason != d.LayoutReason || !slices.Equal(s.Warnings, d.Warnings) {
		t.Fatalf("summary %+v does not keep the document's layout and warnings", s)
	}
	for name, v := range map[string]string{"truncation note": *s.TruncationNote, "layout": s.Layout, "layout reason": s.LayoutReason, "warning": s.Warnings[0]} {
		if within(v, text) {
			t.Errorf("the summary's %s shares the document's text: a run would keep every text to its end", name)
		}
	}
	if Summarize(Document{}).Warnings != nil || Summarize(Document{Warnings: []string{}}).Warnings == nil {
		t.Error("a summary's warnings must be nil and empty as the document's are")
	}
}

// TestTotalsMechanismDocs: documents naming a mechanism are listed once
// each, in the order they were counted.
func TestTotalsMechanismDocs(t *testing.T) {
	var tot Totals
	unit := func(ids ...string) Commitment { return Commitment{MechanismIDs: ids} }
	tot.Add(Document{Source: Source{ID: "a"}, Commitments: []Commitment{unit("m1", "m2"), unit("m1")}})
	tot.Add(Document{Source: Source{ID: "b"}, Commitments: []Commitment{unit("m2")}})
	tot.Add(Document{Source: Source{ID: "c"}, Commitments: []Commitment{unit("m1")}})
	for id, want := range map[string][]string{"m1": {"a", "c"}, "m2": {"a", "b"}, "m3": nil} {
		if got := tot.MechanismDocs(id); !slices.Equal(got, want) || (want == nil) != (got == nil) {
			t.Errorf("MechanismDocs(%s) = %q, want %q", id, got, want)
		}
	}
	if tot.MechanismUnits["m1"] != 3 || tot.MechanismUnits["m2"] != 2 {
		t.Errorf("units %v, want m1 3 and m2 2", tot.MechanismUnits)
	}
}

// TestSummaryListKeepsSummaries: summaries read back as they were added,
// in order, nil and empty apart, across blocks; a nil list is empty.
func TestSummaryListKeepsSummaries(t *testing.T) {
	title, empty, seq := "标题", "", 0
	kinds := []Summary{
		{Source: Source{ID: "a", TitleZh: &title, TitleEn: &empty, Sequence: &seq, Languages: []string{"zh", "en"}}, Clauses: 3,
			Warnings: []string{}, Lines: []string{"removed  a line 1 (x): y"}, Review: nil, TruncationNote: &empty, Truncated: true},
		{Source: Source{ID: "b", Languages: []string{}}, Warnings: nil, Review: []string{"review   b/s1 (1-1): low: 中 | en"}},
	}
	var l SummaryList
	var want []Summary
	for i := 0; i < 3000; i++ { // past one block
		s := kinds[i%2]
		s.Clauses = i
		s.Lines = append([]string{strings.Repeat("行", i%700)}, s.Lines...)
		if err := l.Add(s); err != nil {
			t.Fatal(err)
		}
		want = append(want, s)
	}
	if len(l.sealed) < 2 {
		t.Fatalf("%d sealed blocks: the test does not cross blocks", len(l.sealed))
	}
	// A block holds the memory of its bytes, not S2's output buffer, a
	// sixth larger than the whole uncompressed block.
	for i, b := range l.sealed {
		if cap(b) != len(b) {
			t.Errorf("sealed block %d: %d bytes in a buffer of %d", i, len(b), cap(b))
		}
	}
	if l.Len() != len(want) {
		t.Fatalf("Len %d, want %d", l.Len(), len(want))
	}
	i := 0
	for s := range l.All() {
		if !reflect.DeepEqual(s, want[i]) {
			t.Fatalf("summary %d reads back as %+v, want %+v", i, s, want[i])
		}
		i++
	}
	if i != len(want) {
		t.Fatalf("%d summaries read back, want %d", i, len(want))
	}
	var none *SummaryList
	for range none.All() {
		t.Fatal("a nil list yields a summary")
	}
	if none.Len() != 0 {
		t.Fatal("a nil list has a length")
	}
}
