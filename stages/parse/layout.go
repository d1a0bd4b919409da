package parse

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/policyledger/policyledger/anchors"
	"github.com/policyledger/policyledger/schemas"
)

// token is one content line of a cleaned text: its Chinese and (for
// bilingual layouts) English cells, with their code-point offsets in the
// cleaned text.
type token struct {
	line       int // 1-based snapshot line
	zh, en     string
	zhStart    int
	zhEnd      int
	enStart    int // -1 without English
	enEnd      int
	mdHeading  int // number of leading '#' in markdown layouts, else 0
	firstToken bool
}

// tokenizer turns a cleaned document into tokens, one per row of content,
// with warnings about rows it had to guess at.
type tokenizer func(d schemas.Document, g *anchors.Glossary) ([]token, []string, error)

// layouts are the grammars the parser knows. A source names one in its
// manifest entry; a new layout is a new tokenizer here.
var layouts = map[string]tokenizer{
	// One row per paragraph or heading: "Chinese | English | |".
	"bilingual-rows": func(d schemas.Document, _ *anchors.Glossary) ([]token, []string, error) {
		t, err := bilingualRows(d.Source.ID, d.Text, d.LineNumbers)
		return t, nil, err
	},
	// Chinese Markdown: headings with any number of '#', numbered items,
	// paragraphs separated by blank lines.
	"markdown-zh": func(d schemas.Document, _ *anchors.Glossary) ([]token, []string, error) {
		t, err := markdownZh(d.Source.ID, d.Text, d.LineNumbers)
		return t, nil, err
	},
	// Chinese and English as two texts (snapshot and snapshot_en), one
	// paragraph or heading per line (Markdown heading marks allowed); rows
	// are paired by PairParagraphs.
	"parallel-texts": parallelTexts,
}

// parallelTexts tokenizes both texts and pairs their lines into rows.
func parallelTexts(d schemas.Document, g *anchors.Glossary) ([]token, []string, error) {
	if d.TextEn == "" {
		return nil, nil, fmt.Errorf("parse: %s: layout parallel-texts needs an English text: set snapshot_en and sha256_en in sources.yaml", d.Source.ID)
	}
	zt, err := markdownZh(d.Source.ID, d.Text, d.LineNumbers)
	if err != nil {
		return nil, nil, err
	}
	et, err := markdownZh(d.Source.ID, d.TextEn, d.LineNumbersEn)
	if err != nil {
		return nil, nil, err
	}
	zh, en := make([]string, len(zt)), make([]string, len(et))
	for i, t := range zt {
		zh[i] = t.zh
	}
	for i, t := range et {
		en[i] = t.zh
	}
	var toks []token
	var warnings []string
	for _, r := range PairParagraphs(zh, en, g) {
		switch {
		case r.En < 0:
			t := zt[r.Zh]
			warnings = append(warnings, fmt.Sprintf("parse: line %d: no English line pairs with %.20q", t.line, t.zh))
			toks = append(toks, t)
		case r.Zh < 0:
			e := et[r.En]
			warnings = append(warnings, fmt.Sprintf("parse: English line %d has no Chinese counterpart: %.30q", e.line, e.zh))
			toks = append(toks, token{line: e.line, zhStart: -1, zhEnd: -1, en: e.zh, enStart: e.zhStart, enEnd: e.zhEnd})
		default:
			t, e := zt[r.Zh], et[r.En]
			t.en, t.enStart, t.enEnd = e.zh, e.zhStart, e.zhEnd
			toks = append(toks, t)
		}
	}
	return toks, warnings, nil
}

// Layouts lists the known layout names, sorted.
func Layouts() []string {
	names := make([]string, 0, len(layouts))
	for k := range layouts {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// lines yields each line of text with its code-point offset.
func eachLine(text string, fn func(i int, line string, start int) error) error {
	start := 0
	for i, line := range strings.Split(text, "\n") {
		if err := fn(i, line, start); err != nil {
			return err
		}
		start += utf8.RuneCountInString(line) + 1
	}
	return nil
}

// cell returns s[a:b] trimmed, with the code-point offsets of the trimmed
// part, given that s starts at code point base.
func cell(s string, base int) (string, int, int) {
	lead := len(s) - len(strings.TrimLeft(s, " \t\u3000"))
	t := strings.TrimSpace(s)
	start := base + utf8.RuneCountInString(s[:lead])
	return t, start, start + utf8.RuneCountInString(t)
}

func bilingualRows(docID, text string, lineNumbers []int) ([]token, error) {
	var toks []token
	err := eachLine(text, func(i int, line string, start int) error {
		if strings.TrimSpace(line) == "" {
			return nil
		}
		cells := strings.Split(line, "|")
		if len(cells) < 2 && len(toks) == 0 {
			// A first line without cells is the document's title (a web
			// page's <h1>, for instance).
			zh, zs, ze := cell(line, start)
			toks = append(toks, token{line: lineNumbers[i], zh: zh, zhStart: zs, zhEnd: ze, enStart: -1, enEnd: -1, mdHeading: 1})
			return nil
		}
		if len(cells) < 2 {
			return fmt.Errorf("parse: %s line %d: row has no '|' separator; layout bilingual-rows expects \"Chinese | English | |\": fix the row or the source's layout", docID, lineNumbers[i])
		}
		for _, extra := range cells[2:] {
			if strings.TrimSpace(extra) != "" {
				return fmt.Errorf("parse: %s line %d: row has more than two non-empty cells; layout bilingual-rows expects \"Chinese | English | |\": fix the row", docID, lineNumbers[i])
			}
		}
		zh, zs, ze := cell(cells[0], start)
		en, es, ee := cell(cells[1], start+utf8.RuneCountInString(cells[0])+1)
		if zh == "" {
			return fmt.Errorf("parse: %s line %d: row has no Chinese cell: fix the row", docID, lineNumbers[i])
		}
		t := token{line: lineNumbers[i], zh: zh, zhStart: zs, zhEnd: ze, en: en, enStart: es, enEnd: ee}
		if en == "" {
			t.enStart, t.enEnd = -1, -1
		}
		toks = append(toks, t)
		return nil
	})
	return toks, err
}

var mdHeading = regexp.MustCompile(`^(#{1,6})\s+`)

func markdownZh(docID, text string, lineNumbers []int) ([]token, error) {
	var toks []token
	err := eachLine(text, func(i int, line string, start int) error {
		if strings.TrimSpace(line) == "" {
			return nil
		}
		level := 0
		if m := mdHeading.FindStringSubmatch(line); m != nil {
			level = len(m[1])
			start += utf8.RuneCountInString(m[0])
			line = line[len(m[0]):]
		}
		zh, zs, ze := cell(line, start)
		if zh == "" {
			return nil
		}
		toks = append(toks, token{line: lineNumbers[i], zh: zh, zhStart: zs, zhEnd: ze, enStart: -1, enEnd: -1, mdHeading: level})
		return nil
	})
	return toks, err
}
