package parse

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/policyledger/policyledger/anchors"
	"github.com/policyledger/policyledger/schemas"
)

func doc(layout, text string, kinds ...string) schemas.Document {
	lines := make([]int, strings.Count(text, "\n")+1)
	for i := range lines {
		lines[i] = i + 1
	}
	return schemas.Document{
		Source: schemas.Source{ID: "t", Layout: layout, HeadingKinds: kinds},
		Text:   text, LineNumbers: lines,
	}
}

// row is what a test expects of a clause.
type row struct {
	ID, Kind, Label, LabelEn, Title, TitleEn, Text, TextEn, Parent string
	Level                                                          int
}

func rows(cs []schemas.Clause) []row {
	var out []row
	for _, c := range cs {
		out = append(out, row{c.ID, c.Kind, c.Label, c.LabelEn, c.TitleZh, c.TitleEn, c.TextZh, c.TextEn, c.ParentID, c.Level})
	}
	return out
}

const bilingual = `前言 | Preface | |
第一段。 | First. | |
第一部分 | Part I | |
标题一 | Title One | |
第二段。 | Second. | |
一、团结工程 | 1. Solidarity Program | |
(一)高层交往 | (1) High-Level Exchanges | |
第三段。 | Third. | |
第四段。 | Fourth. | |
(二)政党交往 | (2) Party Exchanges | |
第五段。 | Fifth. | |
二、发展工程 | 2. Development Program | |
(一)贸易 | (1) Trade | |
第六段。 | Sixth. | |`

const markdown = `# 文件标题

引言。

## 第一条 政治合作

一、甲项。

二、乙项。

## 第二条 经济合作

#### 一、贸易

(一) 丙项。

(二) 丁项

### 二、金融

(一) 戊项。`

func TestDocument(t *testing.T) {
	tests := []struct {
		name      string
		doc       schemas.Document
		truncated bool
		want      []row
	}{
		{
			name: "bilingual rows",
			doc:  doc("bilingual-rows", bilingual, "part", "program", "section"),
			want: []row{
				{"t/preface", "preface", "", "", "前言", "Preface", "", "", "", 1},
				{"t/preface/para1", "paragraph", "", "", "", "", "第一段。", "First.", "t/preface", 2},
				{"t/part1", "part", "第一部分", "Part I", "标题一", "Title One", "", "", "", 1},
				{"t/part1/para1", "paragraph", "", "", "", "", "第二段。", "Second.", "t/part1", 2},
				{"t/part1/prog1", "program", "一、", "1.", "团结工程", "Solidarity Program", "", "", "t/part1", 2},
				{"t/part1/prog1/sec1", "section", "(一)", "(1)", "高层交往", "High-Level Exchanges", "", "", "t/part1/prog1", 3},
				{"t/part1/prog1/sec1/para1", "paragraph", "", "", "", "", "第三段。", "Third.", "t/part1/prog1/sec1", 4},
				{"t/part1/prog1/sec1/para2", "paragraph", "", "", "", "", "第四段。", "Fourth.", "t/part1/prog1/sec1", 4},
				{"t/part1/prog1/sec2", "section", "(二)", "(2)", "政党交往", "Party Exchanges", "", "", "t/part1/prog1", 3},
				{"t/part1/prog1/sec2/para1", "paragraph", "", "", "", "", "第五段。", "Fifth.", "t/part1/prog1/sec2", 4},
				{"t/part1/prog2", "program", "二、", "2.", "发展工程", "Development Program", "", "", "t/part1", 2},
				{"t/part1/prog2/sec1", "section", "(一)", "(1)", "贸易", "Trade", "", "", "t/part1/prog2", 3},
				{"t/part1/prog2/sec1/para1", "paragraph", "", "", "", "", "第六段。", "Sixth.", "t/part1/prog2/sec1", 4},
			},
		},
		{
			// Heading levels (#### vs ###) disagree; rank comes from numbering,
			// and 一、 is an item under 第一条 but a heading under 第二条.
			name:      "markdown, truncated",
			doc:       doc("markdown-zh", markdown, "article", "section", "subsection"),
			truncated: true,
			want: []row{
				{"t/para1", "paragraph", "", "", "", "", "引言。", "", "", 1},
				{"t/art1", "article", "第一条", "", "政治合作", "", "", "", "", 1},
				{"t/art1/item1", "item", "一、", "", "", "", "甲项。", "", "t/art1", 2},
				{"t/art1/item2", "item", "二、", "", "", "", "乙项。", "", "t/art1", 2},
				{"t/art2", "article", "第二条", "", "经济合作", "", "", "", "", 1},
				{"t/art2/sec1", "section", "一、", "", "贸易", "", "", "", "t/art2", 2},
				{"t/art2/sec1/item1", "item", "(一)", "", "", "", "丙项。", "", "t/art2/sec1", 3},
				{"t/art2/sec1/item2", "item", "(二)", "", "", "", "丁项", "", "t/art2/sec1", 3},
				{"t/art2/sec2", "section", "二、", "", "金融", "", "", "", "t/art2", 2},
				{"t/art2/sec2/item1", "item", "(一)", "", "", "", "戊项。", "", "t/art2/sec2", 3},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.doc
			in.Truncated = tt.truncated
			got, err := Document(in, nil)
			if err != nil {
				t.Fatalf("Document = %v", err)
			}
			if diff := cmp.Diff(tt.want, rows(got.Clauses)); diff != "" {
				t.Errorf("clauses (-want +got):\n%s", diff)
			}
			text := []rune(in.Text)
			for i, c := range got.Clauses {
				if c.Ordinal != i+1 || c.TextSHA256 == "" {
					t.Errorf("%s: ordinal %d, sha %q", c.ID, c.Ordinal, c.TextSHA256)
				}
				span := string(text[c.CharStart:c.CharEnd])
				if !strings.HasPrefix(span, firstNonEmpty(c.Label, c.TitleZh, c.TextZh)) || !strings.HasSuffix(span, firstNonEmpty(c.TextZh, c.TitleZh)) {
					t.Errorf("%s: text[%d:%d] = %q", c.ID, c.CharStart, c.CharEnd, span)
				}
				wantComplete := !(tt.truncated && i == len(got.Clauses)-1)
				if c.Complete != wantComplete {
					t.Errorf("%s: complete = %v; want %v", c.ID, c.Complete, wantComplete)
				}
			}
		})
	}
}

// TestIDsStable: editing or adding a clause elsewhere leaves other ids alone.
func TestIDsStable(t *testing.T) {
	before, err := Document(doc("markdown-zh", markdown, "article", "section"), nil)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(markdown, "甲项。", "甲项，已修改。", 1)
	edited = strings.Replace(edited, "(二) 丁项", "(二) 丁项\n\n(三) 新项。", 1)
	after, err := Document(doc("markdown-zh", edited, "article", "section"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, c := range after.Clauses {
		ids[c.ID] = c.TextSHA256
	}
	for _, c := range before.Clauses {
		sha, ok := ids[c.ID]
		switch {
		case !ok:
			t.Errorf("id %s disappeared after an edit elsewhere", c.ID)
		case c.ID != "t/art1/item1" && sha != c.TextSHA256:
			t.Errorf("%s changed hash though its text did not", c.ID)
		case c.ID == "t/art1/item1" && sha == c.TextSHA256:
			t.Errorf("%s kept its hash though its text changed", c.ID)
		}
	}
}

func TestDocumentErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  schemas.Document
		want []string
	}{
		{"unknown layout", doc("pdf-columns", "一、甲。", "x"), []string{`unknown layout "pdf-columns"`, "bilingual-rows", "markdown-zh"}},
		{"numbering jump", doc("markdown-zh", "第一条 甲\n\n(一) 子。\n\n(二) 丑。\n\n(四) 卯。", "article"), []string{"t line 7", "from (二) to (四)", "under 第一条 甲:"}},
		{"first number not one", doc("markdown-zh", "第二条 甲\n\n一、子。", "article"), []string{"t line 1", "from the start to 第二条"}},
		{"row without separator", doc("bilingual-rows", "前言 | Preface | |\n只有中文", "part"), []string{"t line 2", "no '|' separator"}},
		{"row with extra cell", doc("bilingual-rows", "甲 | A | extra |", "part"), []string{"t line 1", "more than two"}},
		{"columns the other way round", doc("bilingual-rows", "前言 | Preface | |\nFirst. | 第一段。 | |", "part"), []string{"t line 2", "other way round", "bilingual-rows-en-first"}},
		{"no structure", doc("markdown-zh", "只是一段话。\n\n又一段话。", "article"), []string{"no headings or numbered items", "2 lines"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Document(tt.doc, nil)
			if err == nil {
				t.Fatal("Document succeeded; want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Document = %v; want it to mention %q", err, w)
				}
			}
		})
	}
}

func TestStageSkipsFailedDocOnly(t *testing.T) {
	st := &schemas.State{Docs: []schemas.Document{doc("markdown-zh", markdown, "article", "section"), doc("nope", "x", "a")}}
	if err := schemas.RunAll(context.Background(), st, Stage{}); err == nil {
		t.Fatal("Run = nil; want the bad layout's error")
	}
	if len(st.Docs) != 1 || len(st.Failures) != 1 || st.Counts["parse.item"] != 5 {
		t.Errorf("docs=%d failures=%d counts=%v", len(st.Docs), len(st.Failures), st.Counts)
	}
}

func TestNumbers(t *testing.T) {
	for in, want := range map[string]int{"一": 1, "十": 10, "十七": 17, "二十": 20, "二十三": 23, "一百零五": 105, "九十九": 99} {
		if got, ok := anchors.ChineseNumber(in); !ok || got != want {
			t.Errorf("chineseNumber(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "二二", "零"} {
		if got, ok := anchors.ChineseNumber(in); ok {
			t.Errorf("chineseNumber(%q) = %d; want not a number", in, got)
		}
	}
	for in, want := range map[string]int{"I": 1, "IV": 4, "IX": 9, "XIV": 14, "3": 3} {
		if got, ok := romanOrArabic(in); !ok || got != want {
			t.Errorf("romanOrArabic(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
}

// FuzzDocument: parsing never panics, and every clause's offsets lie inside
// the text.
func FuzzDocument(f *testing.F) {
	f.Add(markdown, false)
	f.Add(bilingual, true)
	f.Fuzz(func(t *testing.T, text string, rows bool) {
		layout := "markdown-zh"
		if rows {
			layout = "bilingual-rows"
		}
		got, err := Document(doc(layout, text, "a", "b", "c"), nil)
		if err != nil {
			return
		}
		n := len([]rune(text))
		for _, c := range got.Clauses {
			if c.CharStart == -1 && c.EnCharStart == -1 {
				t.Fatalf("%s has neither Chinese nor English offsets", c.ID)
			}
			for _, sp := range [][2]int{{c.CharStart, c.CharEnd}, {c.EnCharStart, c.EnCharEnd}} {
				if sp[0] == -1 && sp[1] == -1 {
					continue
				}
				if sp[0] < 0 || sp[1] > n || sp[0] > sp[1] {
					t.Fatalf("%s offsets %d..%d outside 0..%d", c.ID, sp[0], sp[1], n)
				}
			}
		}
	})
}

// TestQualityWarnings feeds texts a person would call broken and checks
// that each gives a warning naming the line (or an error), never a quiet
// parse.
func TestQualityWarnings(t *testing.T) {
	tests := []struct {
		name, layout, text string
		langs              []string
		want               []string // substrings of one warning, or of the error
		err                bool
	}{
		{name: "duplicated paragraph", layout: "markdown-zh", langs: []string{"zh"},
			text: "第一条 甲\n\n一、子。\n\n二、丑。\n\n第二条 乙\n\n同一段话。\n\n同一段话。",
			want: []string{"line 11", "repeats line 9", "word for word"}},
		{name: "heading with nothing under it", layout: "markdown-zh", langs: []string{"zh"},
			text: "第一条 甲\n\n第二条 乙\n\n一、子。",
			want: []string{"line 1", "第一条 甲", "nothing under it"}},
		{name: "headings only", layout: "markdown-zh", langs: []string{"zh"},
			text: "第一条 甲\n\n第二条 乙\n\n第三条 丙", err: true,
			want: []string{"3 headings and no paragraphs"}},
		{name: "English filed as Chinese", layout: "markdown-zh", langs: []string{"zh"},
			text: "第一条 甲\n\n一、子。\n\nArticle 1 Alpha\n\n二、丑。",
			want: []string{"line 5", "no Chinese characters"}},
		{name: "Chinese in an English document", layout: "monolingual-en", langs: []string{"en"},
			text: "Article 1 Alpha\n\n1. First.\n\n第二段。",
			want: []string{"line 5", "Chinese characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := doc(tt.layout, tt.text, "article", "section")
			d.Source.Languages = tt.langs
			got, err := Document(d, nil)
			if tt.err {
				if err == nil || !containsAll(err.Error(), tt.want) {
					t.Fatalf("Document = %v; want an error mentioning %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range got.Warnings {
				if containsAll(w, tt.want) {
					return
				}
			}
			t.Errorf("warnings = %q; want one mentioning %q", got.Warnings, tt.want)
		})
	}
}

// TestManifestDisagreesWithText: what sources.yaml says of a document
// and what its layout reads may disagree; each disagreement is a warning,
// not data that quietly says something else. A heading rank heading_kinds
// does not name became kind "heading2" without a word, and a bilingual
// text declared English-only was released with Chinese in its clauses
// and documents.languages [en].
func TestManifestDisagreesWithText(t *testing.T) {
	d := doc("markdown-zh", "第一条 甲\n\n一、子\n\n第一段。\n\n二、丑\n\n第二段。", "article")
	d.Source.Languages = []string{"zh"}
	got, err := Document(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	var kinds, warned []string
	for _, c := range got.Clauses {
		kinds = append(kinds, c.Kind)
	}
	for _, w := range got.Warnings {
		if strings.Contains(w, "heading_kinds") {
			warned = append(warned, w)
		}
	}
	if !slices.Contains(kinds, "heading2") || len(warned) != 1 || !containsAll(warned[0], []string{"line 3", "一、", "rank 2", "[article]", "name every rank"}) {
		t.Errorf("kinds %q, warnings %q; want heading2 and one warning, at its first heading", kinds, warned)
	}
	for _, tt := range []struct {
		langs []string
		want  []string
	}{
		{[]string{"en"}, []string{"line 2", "6 text clause(s) have Chinese", "[en]", "add zh to languages"}},
		{[]string{"zh"}, []string{"line 2", "6 text clause(s) have English", "[zh]", "add en to languages"}},
	} {
		d := doc("bilingual-rows", bilingual, "part", "program", "section")
		d.Source.Languages = tt.langs
		got, err := Document(d, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(got.Warnings, func(w string) bool { return containsAll(w, tt.want) }) {
			t.Errorf("languages %v: warnings %q; want one mentioning %q", tt.langs, got.Warnings, tt.want)
		}
	}
	d = doc("bilingual-rows", bilingual, "part", "program", "section")
	d.Source.Languages = []string{"zh", "en"}
	if got, _ := Document(d, nil); slices.ContainsFunc(got.Warnings, func(w string) bool {
		return strings.Contains(w, "to languages") || strings.Contains(w, "heading_kinds")
	}) {
		t.Errorf("the text as declared: warnings %q", got.Warnings)
	}
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// FuzzLayouts: every layout, and auto, parses any text without panicking,
// and every clause's offsets lie inside the text and give back its text.
func FuzzLayouts(f *testing.F) {
	f.Add(bilingual, uint8(0))
	f.Add("前言\nPreface\n第一段。\nFirst.\n第一部分 Part I\n一、甲 1. Alpha\n(一)乙\n(1) Beta\n第二段。\nSecond.", uint8(3))
	f.Add("Preface 前言\nFirst paragraph. 第一段。\nPart I 第一部分\n1. Alpha 一、甲", uint8(5))
	f.Add("Article 1 Alpha\n1. First item.\n(1) Sub.\nArticle 2 Beta\nText.", uint8(7))
	f.Fuzz(func(t *testing.T, text string, pick uint8) {
		if !utf8.ValidString(text) || strings.ContainsRune(text, '\r') {
			return // clean hands parse valid UTF-8 with LF line ends only
		}
		names := Layouts()
		name := names[int(pick)%len(names)]
		if name == "parallel-texts" {
			return // needs a second text
		}
		d := doc(name, text, "a", "b", "c")
		d.Source.Languages = []string{"zh", "en"}
		got, err := Document(d, nil)
		if err != nil {
			return
		}
		rs := []rune(text)
		for _, c := range got.Clauses {
			for _, sp := range [][3]int{{c.CharStart, c.CharEnd, 0}, {c.EnCharStart, c.EnCharEnd, 1}} {
				if sp[0] == -1 && sp[1] == -1 {
					continue
				}
				if sp[0] < 0 || sp[1] > len(rs) || sp[0] > sp[1] {
					t.Fatalf("%s (%s): offsets %d..%d outside 0..%d", c.ID, name, sp[0], sp[1], len(rs))
				}
				span := string(rs[sp[0]:sp[1]])
				body := firstNonEmpty(c.TextZh, c.TitleZh)
				if sp[2] == 1 {
					body = firstNonEmpty(c.TextEn, c.TitleEn)
				}
				if body != "" && !strings.Contains(span, body) {
					t.Fatalf("%s (%s): text[%d:%d] = %q does not hold %q", c.ID, name, sp[0], sp[1], span, body)
				}
			}
		}
	})
}

// TestCounts: counting by bytes gives what decoding every rune gives,
// on the snapshot's lines and on bytes that start no valid sequence.
func TestCounts(t *testing.T) {
	ref := func(s string) (han, latin int) {
		for _, r := range s {
			switch {
			case isHan(r):
				han++
			case r < utf8.RuneSelf && (r|0x20 >= 'a' && r|0x20 <= 'z'):
				latin++
			}
		}
		return han, latin
	}
	b, err := os.ReadFile("../../sources/snapshots/lac-policy-2025.zh-en.txt")
	if err != nil {
		t.Fatal(err)
	}
	texts := append(strings.Split(string(b), "\n"), "", "\xe4\xb8", "中\xff方 AZaz@[`{", "\xf0\xa0\x80\x80𠀀", "\xed\xa0\x80")
	for _, s := range texts {
		h, l := counts(s)
		if wh, wl := ref(s); h != wh || l != wl {
			t.Fatalf("counts(%.40q) = %d, %d; want %d, %d", s, h, l, wh, wl)
		}
	}
}

// TestCellSkipsEveryWhiteSpace: a cell's offsets point at its trimmed text
// whatever white space surrounds it (form feed, no-break space, the
// ideographic space and every other rune Unicode counts as space).
func TestCellSkipsEveryWhiteSpace(t *testing.T) {
	var spaces []rune
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.IsSpace(r) {
			spaces = append(spaces, r)
		}
	}
	if len(spaces) < 20 {
		t.Fatalf("only %d white-space runes", len(spaces))
	}
	for _, lead := range spaces {
		for _, trail := range []rune{' ', '\f', '\u00a0', '\u3000'} {
			s := "一、" + string(lead) + "文字 text" + string(trail)
			text, start, end := cell(s[len("一、"):], 2)
			rs := []rune(s)
			if text != "文字 text" || string(rs[start:end]) != text {
				t.Errorf("cell after %U: %q at %d..%d, which holds %q", lead, text, start, end, string(rs[start:end]))
			}
		}
	}
}
