package clean

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/policyledger/policyledger/schemas"
)

var rowRules = schemas.CleanRules{
	Drop:        []schemas.Rule{{Name: "share", Pattern: `^Share:$`}, {Name: "icp", Pattern: `^京公网安备\s*\d+号$`}},
	Attribution: []schemas.Rule{{Name: "xinhua", Pattern: `^(\(来源[:：][^)]+\))\s*\|\s*(\(Source: [^)]+\))\s*\|?$`}},
}

var mdRules = schemas.CleanRules{
	PostedAt:   []schemas.Rule{{Name: "post", Pattern: `^(\d{4}-\d{2}-\d{2} \d{2}:\d{2})$`}},
	Truncation: []schemas.Rule{{Name: "preview", Pattern: `^预览已结束`}},
}

func doc(raw string, rules schemas.CleanRules) schemas.Document {
	return schemas.Document{Source: schemas.Source{ID: "test-doc", Snapshot: "snapshots/test.txt", Clean: rules}, Raw: []byte(raw)}
}

func TestDocument(t *testing.T) {
	tests := []struct {
		name        string
		raw         string
		rules       schemas.CleanRules
		text        string
		lines       []int
		removed     []string
		attribution string
		postedAt    string
		truncated   bool
		link        string
	}{
		{
			name:        "bilingual rows with web tail",
			raw:         "前言 | Preface | |\n正文。 | Text. | |\n(来源:新华网) | (Source: Xinhua) |\n\nShare:\n\n\n京公网安备 11010802027341号",
			rules:       rowRules,
			text:        "前言 | Preface | |\n正文。 | Text. | |",
			lines:       []int{1, 2},
			removed:     []string{"attribution:(来源:新华网) | (Source: Xinhua) |", "drop:Share:", "drop:京公网安备 11010802027341号"},
			attribution: "(来源:新华网) / (Source: Xinhua)",
		},
		{
			name:      "markdown with posting time and truncation",
			raw:       "\n\n# 标题\n\n2021-12-07 15:19\n\n一、甲。\n\n(一) 乙2020年\n\n预览已结束，完整报告链接和二维码如下：\n\n[https://x.example/r?id=11\\\\_7](https://x.example/r?id=11_7)\n",
			rules:     mdRules,
			text:      "# 标题\n\n\n一、甲。\n\n(一) 乙2020年",
			lines:     []int{3, 4, 6, 7, 8, 9},
			removed:   []string{"posted_at:2021-12-07 15:19", "truncate:预览已结束，完整报告链接和二维码如下：", "truncate:[https://x.example/r?id=11\\\\_7](https://x.example/r?id=11_7)"},
			postedAt:  "2021-12-07T15:19:00",
			truncated: true,
			link:      "https://x.example/r?id=11_7",
		},
		{
			name:  "BOM, CRLF and trailing spaces",
			raw:   "\uFEFF一、甲。  \r\n二、乙。\r\n",
			text:  "一、甲。\n二、乙。",
			lines: []int{1, 2},
		},
		{
			name:  "NFC: decomposed é is composed",
			raw:   "Bogota\u0301 meeting.",
			text:  "Bogotá meeting.",
			lines: []int{1},
		},
		{
			name:  "no rules: nothing removed",
			raw:   "Share:\n京公网安备 1号",
			text:  "Share:\n京公网安备 1号",
			lines: []int{1, 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Document(doc(tt.raw, tt.rules))
			if err != nil {
				t.Fatalf("Document = %v", err)
			}
			if got.Text != tt.text {
				t.Errorf("Text = %q; want %q", got.Text, tt.text)
			}
			if diff := cmp.Diff(tt.lines, got.LineNumbers); diff != "" {
				t.Errorf("LineNumbers (-want +got):\n%s", diff)
			}
			var removed []string
			for _, r := range got.Removed {
				removed = append(removed, r.Action+":"+r.Text)
			}
			if diff := cmp.Diff(tt.removed, removed); diff != "" {
				t.Errorf("Removed (-want +got):\n%s", diff)
			}
			if deref(got.SourceAttribution) != tt.attribution || deref(got.PostedAt) != tt.postedAt || got.Truncated != tt.truncated || deref(got.TruncationLink) != tt.link {
				t.Errorf("metadata = %q %q %v %q; want %q %q %v %q", deref(got.SourceAttribution), deref(got.PostedAt), got.Truncated, deref(got.TruncationLink), tt.attribution, tt.postedAt, tt.truncated, tt.link)
			}
			// Cleaning clean text again changes nothing.
			again, err := Document(doc(got.Text, tt.rules))
			if err != nil || again.Text != got.Text {
				t.Errorf("second clean = %q, %v; want %q", again.Text, err, got.Text)
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func TestDocumentErrors(t *testing.T) {
	tests := []struct {
		name  string
		raw   string
		rules schemas.CleanRules
		want  []string
	}{
		{"empty", "", schemas.CleanRules{}, []string{"test-doc", "is empty"}},
		{"blank", " \n\n\t", schemas.CleanRules{}, []string{"is empty"}},
		{"invalid UTF-8", "一、甲。\n二、\xff乙", schemas.CleanRules{}, []string{"test-doc", "line 2 byte 7", "not valid UTF-8"}},
		{"GBK bytes", "\xd6\xd0\xb9\xfa", schemas.CleanRules{}, []string{"line 1", "not valid UTF-8"}},
		{"binary", "PK\x03\x04\x00\x00", schemas.CleanRules{}, []string{"NUL"}},
		{"all removed", "Share:", rowRules, []string{"nothing is left"}},
		{"bad rule", "x", schemas.CleanRules{Drop: []schemas.Rule{{Name: "broken", Pattern: "("}}}, []string{`"broken"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Document(doc(tt.raw, tt.rules))
			if err == nil {
				t.Fatalf("Document(%q) succeeded; want an error", tt.raw)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Document(%q) = %v; want it to mention %q", tt.raw, err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestStageCountsAndIsolation(t *testing.T) {
	st := &schemas.State{Docs: []schemas.Document{doc("Share:\n正文。", rowRules), doc("", rowRules)}}
	st.Docs[1].Source.ID = "broken-doc"
	if err := schemas.RunAll(context.Background(), st, Stage{}); err == nil {
		t.Fatal("Run = nil; want the empty document's error")
	}
	if len(st.Docs) != 1 || st.Docs[0].Text != "正文。" || len(st.Failures) != 1 || st.Failures[0].DocID != "broken-doc" {
		t.Errorf("docs=%d failures=%v; want the good document cleaned and the empty one failed", len(st.Docs), st.Failures)
	}
	if st.Counts["clean.drop"] != 1 {
		t.Errorf("counts = %v; want clean.drop=1", st.Counts)
	}
}

// FuzzDocument: cleaning never panics, yields valid UTF-8, keeps line
// numbers in step with lines, and is idempotent.
func FuzzDocument(f *testing.F) {
	for _, s := range []string{"前言 | Preface | |\nShare:\n京公网安备 1号", "# 标题\n2021-12-07 15:19\n预览已结束\n[a](https://b)", "\uFEFFa\r\nb", "", "\xff"} {
		f.Add(s)
	}
	rules := schemas.CleanRules{Drop: rowRules.Drop, Attribution: rowRules.Attribution, PostedAt: mdRules.PostedAt, Truncation: mdRules.Truncation}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := Document(doc(raw, rules))
		if err != nil {
			return
		}
		if !utf8.ValidString(got.Text) {
			t.Fatalf("invalid UTF-8 out of %q", raw)
		}
		if n := strings.Count(got.Text, "\n") + 1; n != len(got.LineNumbers) {
			t.Fatalf("%d lines but %d line numbers", n, len(got.LineNumbers))
		}
		again, err := Document(doc(got.Text, rules))
		if err != nil || again.Text != got.Text {
			t.Fatalf("not idempotent: %q → %q (%v)", got.Text, again.Text, err)
		}
	})
}

// TestAnyWhiteSpaceIsBlank: a line of nothing but white space of any kind
// (form feed, vertical tab, U+0085, U+2028, U+3000…) is blank, and is
// trimmed off a line's end; a file of nothing else, byte-order marks
// included, is empty. CI's fuzzing found "\f\n\uFEFF" cleaned to "\f",
// which cleaned again was empty.
func TestAnyWhiteSpaceIsBlank(t *testing.T) {
	for _, ws := range []string{"\f", "\v", "\u0085", "\u2028", "\u2029", "\u3000", "\u00a0", " \t"} {
		got, err := Document(doc(ws+"\n第一段"+ws+"\n"+ws+"\n第二段\n"+ws, schemas.CleanRules{}))
		if err != nil || got.Text != "第一段\n\n第二段" || !slices.Equal(got.LineNumbers, []int{2, 3, 4}) {
			t.Errorf("%q: text %q lines %v (%v); want the two paragraphs on lines 2 and 4", ws, got.Text, got.LineNumbers, err)
		}
		if _, err := Document(doc(ws+"\n\uFEFF"+ws, schemas.CleanRules{})); err == nil || !strings.Contains(err.Error(), "is empty") {
			t.Errorf("%q only: %v; want the snapshot called empty", ws, err)
		}
	}
}
