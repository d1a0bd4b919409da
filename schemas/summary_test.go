package schemas

import (
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
