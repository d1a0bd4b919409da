package parse

import (
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v4"

	"github.com/policyledger/policyledger/anchors"
	"github.com/policyledger/policyledger/internal/utf8x"
	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/stages/align"
)

//go:embed layouts.yaml
var layoutsYAML []byte

// Layout is one entry of layouts.yaml: a family of line grammar and its
// settings.
type Layout struct {
	Name      string   `yaml:"-"`
	Family    string   `yaml:"family"`
	Separator string   `yaml:"separator"`
	Order     Order    `yaml:"order"`
	Lang      string   `yaml:"lang"`
	Doc       string   `yaml:"doc"`
	_         struct{} `yaml:"-"`
}

// Order is which language comes first; nil means decide from the text.
type Order []string

// UnmarshalYAML reads [zh, en], [en, zh] or auto.
func (o *Order) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Value == "auto" {
		*o = nil
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	if len(list) != 2 || !(list[0] == "zh" && list[1] == "en" || list[0] == "en" && list[1] == "zh") {
		return fmt.Errorf("line %d: order must be [zh, en], [en, zh] or auto", n.Line)
	}
	*o = list
	return nil
}

func (o Order) first() string {
	if len(o) == 0 {
		return ""
	}
	return o[0]
}

// LayoutSet is layouts.yaml.
type LayoutSet struct {
	Version string            `yaml:"version"`
	Layouts map[string]Layout `yaml:"layouts"`
}

// families are the line grammars, in code; layouts are data.
var families = map[string]func(l Layout, d schemas.Document, g *Grammar, gl *anchors.Glossary) ([]token, []string, error){
	"rows":        rowsFamily,
	"interleaved": interleavedFamily,
	"same-line":   sameLineFamily,
	"parallel":    parallelFamily,
	"monolingual": monolingualFamily,
}

// ParseLayouts reads a layouts file; name is used in errors.
func ParseLayouts(name string, data []byte) (*LayoutSet, error) {
	var ls LayoutSet
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&ls); err != nil {
		return nil, fmt.Errorf("parse: layouts %s: %s", name, strings.Join(strings.Fields(err.Error()), " "))
	}
	for n, l := range ls.Layouts {
		if _, ok := families[l.Family]; !ok {
			return nil, fmt.Errorf("parse: layouts %s: layout %s: family %q is not one of rows, interleaved, same-line, parallel, monolingual", name, n, l.Family)
		}
		if l.Family == "rows" && l.Separator == "" {
			return nil, fmt.Errorf("parse: layouts %s: layout %s: rows need a separator", name, n)
		}
		if l.Family == "monolingual" && l.Lang != "zh" && l.Lang != "en" {
			return nil, fmt.Errorf("parse: layouts %s: layout %s: lang must be zh or en", name, n)
		}
		l.Name = n
		ls.Layouts[n] = l
	}
	return &ls, nil
}

// DefaultLayouts is the embedded layouts.yaml.
var DefaultLayouts = func() *LayoutSet {
	ls, err := ParseLayouts("layouts.yaml", layoutsYAML)
	if err != nil {
		panic(err)
	}
	return ls
}()

// Layouts lists the known layout names, sorted, with auto.
func Layouts() []string {
	names := []string{"auto"}
	for k := range DefaultLayouts.Layouts {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// token is one content row of a cleaned text: its Chinese and English
// parts, with their code-point offsets in the cleaned text(s).
type token struct {
	line      int // 1-based snapshot line
	zh, en    string
	zhStart   int // -1 without Chinese
	zhEnd     int
	enStart   int // -1 without English
	enEnd     int
	mdHeading int // number of leading '#', else 0
}

// textLine is one non-blank line of a cleaned text, Markdown heading marks
// taken off.
type textLine struct {
	no        int    // snapshot line
	text      string // trimmed
	start     int    // code-point offset of text in the cleaned text
	mdHeading int
}

var mdHeading = regexp.MustCompile(`^(#{1,6})\s+`)

// contentLines splits a cleaned text into its non-blank lines.
func contentLines(text string, lineNumbers []int) []textLine {
	var out []textLine
	start := 0
	for i, line := range strings.Split(text, "\n") {
		next := start + utf8x.RuneCount(line) + 1
		level := 0
		body, at := line, start
		if m := mdHeading.FindStringSubmatch(body); m != nil {
			level = len(m[1])
			at += utf8x.RuneCount(m[0])
			body = body[len(m[0]):]
		}
		t, s, _ := cell(body, at)
		if t != "" {
			out = append(out, textLine{no: lineNumbers[i], text: t, start: s, mdHeading: level})
		}
		start = next
	}
	return out
}

// cell returns s trimmed, with the code-point offsets of the trimmed part,
// given that s starts at code point base. The offset skips what the trim
// takes off, all Unicode white space (a line opening with a form feed or a
// no-break space pointed at that space, not at its text).
func cell(s string, base int) (string, int, int) {
	lead := len(s) - len(strings.TrimLeftFunc(s, unicode.IsSpace))
	t := strings.TrimSpace(s)
	start := base + utf8x.RuneCount(s[:lead])
	return t, start, start + utf8x.RuneCount(t)
}

// sub is the part [a,b) (bytes) of line l, trimmed, with code-point offsets.
func (l textLine) sub(a, b int) (string, int, int) {
	return cell(l.text[a:b], l.start+utf8x.RuneCount(l.text[:a]))
}

func zhToken(l textLine) token {
	return token{line: l.no, zh: l.text, zhStart: l.start, zhEnd: l.start + utf8x.RuneCount(l.text), enStart: -1, enEnd: -1, mdHeading: l.mdHeading}
}

func enToken(l textLine) token {
	return token{line: l.no, en: l.text, enStart: l.start, enEnd: l.start + utf8x.RuneCount(l.text), zhStart: -1, zhEnd: -1, mdHeading: l.mdHeading}
}

func mixedToken(l textLine, sp split) token {
	t := token{line: l.no, mdHeading: l.mdHeading}
	t.zh, t.zhStart, t.zhEnd = l.sub(sp.zhStart, sp.zhEnd)
	t.en, t.enStart, t.enEnd = l.sub(sp.enStart, sp.enEnd)
	return t
}

func monolingualFamily(l Layout, d schemas.Document, _ *Grammar, _ *anchors.Glossary) ([]token, []string, error) {
	var toks []token
	for _, line := range contentLines(d.Text, d.LineNumbers) {
		if l.Lang == "en" {
			toks = append(toks, enToken(line))
		} else {
			toks = append(toks, zhToken(line))
		}
	}
	return toks, nil, nil
}

func rowsFamily(l Layout, d schemas.Document, _ *Grammar, _ *anchors.Glossary) ([]token, []string, error) {
	id := d.Source.ID
	var toks []token
	var warnings []string
	for _, line := range contentLines(d.Text, d.LineNumbers) {
		cells := strings.Split(line.text, l.Separator)
		for len(cells) > 1 && strings.TrimSpace(cells[len(cells)-1]) == "" {
			cells = cells[:len(cells)-1]
		}
		if len(cells) < 2 && strings.Count(line.text, l.Separator) == 0 {
			if len(toks) == 0 {
				// A first line without cells is the document's title (a
				// web page's <h1>, for instance).
				t := zhToken(line)
				if h, _ := counts(line.text); h == 0 {
					t = enToken(line)
				}
				t.mdHeading = 1
				toks = append(toks, t)
				continue
			}
			return nil, nil, fmt.Errorf("parse: %s %s: row has no '%s' separator; layout %s expects %s: fix the row or the source's layout (or try layout: auto)", id, d.Position(line.no), strings.ReplaceAll(l.Separator, "\t", `\t`), l.Name, l.Doc)
		}
		if len(cells) > 2 {
			return nil, nil, fmt.Errorf("parse: %s %s: row has more than two non-empty cells (%d); layout %s expects %s: fix the row", id, d.Position(line.no), len(cells), l.Name, l.Doc)
		}
		// Byte offsets of each cell in the line.
		a0, a1 := 0, len(cells[0])
		b0, b1 := a1+len(l.Separator), a1+len(l.Separator)
		if len(cells) == 2 {
			b1 = b0 + len(cells[1])
		}
		first, second := "zh", "en"
		if o := l.Order.first(); o == "en" {
			first, second = "en", "zh"
		} else if o == "" {
			// Each row by its script: the cell with Chinese characters is
			// the Chinese one.
			if h0, _ := counts(cells[0]); h0 == 0 {
				if h1, _ := counts(line.text[b0:b1]); h1 > 0 {
					first, second = "en", "zh"
				}
			}
		}
		t := token{line: line.no, zhStart: -1, zhEnd: -1, enStart: -1, enEnd: -1, mdHeading: line.mdHeading}
		for _, c := range []struct {
			lang string
			a, b int
		}{{first, a0, a1}, {second, b0, b1}} {
			text, s, e := line.sub(c.a, c.b)
			if text == "" {
				continue
			}
			if c.lang == "zh" {
				t.zh, t.zhStart, t.zhEnd = text, s, e
			} else {
				t.en, t.enStart, t.enEnd = text, s, e
			}
		}
		if h, _ := counts(t.zh); t.zh != "" && h == 0 {
			if he, _ := counts(t.en); he > 0 {
				return nil, nil, fmt.Errorf("parse: %s %s: the cell layout %s reads as Chinese has no Chinese characters and the other cell has: the columns are the other way round; use layout %s or auto", id, d.Position(line.no), l.Name, swapped(l))
			}
		}
		if t.zh == "" && t.en == "" {
			continue
		}
		toks = append(toks, t)
	}
	return toks, warnings, nil
}

func swapped(l Layout) string {
	if l.Order.first() == "en" {
		return "bilingual-rows"
	}
	return "bilingual-rows-en-first"
}

// detectOrder decides which language comes first in an interleaved text:
// the first line of one script that is followed by a line of the other.
func detectOrder(lines []textLine) string {
	for i := 0; i+1 < len(lines); i++ {
		a, _ := classify(lines[i].text, "")
		b, _ := classify(lines[i+1].text, "")
		if a == scriptZh && b == scriptEn {
			return "zh"
		}
		if a == scriptEn && b == scriptZh {
			return "en"
		}
	}
	return "zh"
}

func interleavedFamily(l Layout, d schemas.Document, _ *Grammar, _ *anchors.Glossary) ([]token, []string, error) {
	lines := contentLines(d.Text, d.LineNumbers)
	first := l.Order.first()
	if first == "" {
		first = detectOrder(lines)
	}
	var toks []token
	var open *token // a first-language line waiting for its translation
	flush := func() {
		if open != nil {
			toks = append(toks, *open)
			open = nil
		}
	}
	for _, line := range lines {
		sc, sp := classify(line.text, first)
		switch {
		case sc == scriptMixed:
			flush()
			toks = append(toks, mixedToken(line, sp))
		case sc == scriptEn && first == "zh", sc == scriptZh && first == "en":
			// The second language: the translation of the open line, or a
			// line without counterpart.
			t := enToken(line)
			if sc == scriptZh {
				t = zhToken(line)
			}
			if open != nil {
				if sc == scriptEn {
					open.en, open.enStart, open.enEnd = t.en, t.enStart, t.enEnd
				} else {
					open.zh, open.zhStart, open.zhEnd = t.zh, t.zhStart, t.zhEnd
				}
				open.mdHeading = max(open.mdHeading, t.mdHeading)
				flush()
				continue
			}
			toks = append(toks, t)
		default:
			flush()
			t := zhToken(line)
			if first == "en" && sc != scriptZh {
				t = enToken(line)
			}
			open = &t
		}
	}
	flush()
	return toks, nil, nil
}

func sameLineFamily(l Layout, d schemas.Document, _ *Grammar, _ *anchors.Glossary) ([]token, []string, error) {
	lines := contentLines(d.Text, d.LineNumbers)
	first := l.Order.first()
	if first == "" {
		// The order most lines split in.
		zhFirst, enFirst := 0, 0
		for _, line := range lines {
			if _, ok := splitZhEn(line.text); ok {
				zhFirst++
			}
			if _, ok := splitEnZh(line.text); ok {
				enFirst++
			}
		}
		first = "zh"
		if enFirst > zhFirst {
			first = "en"
		}
	}
	var toks []token
	for _, line := range lines {
		switch sc, sp := classify(line.text, first); sc {
		case scriptMixed:
			toks = append(toks, mixedToken(line, sp))
		case scriptEn:
			toks = append(toks, enToken(line))
		default:
			toks = append(toks, zhToken(line))
		}
	}
	return toks, nil, nil
}

// parallelFamily reads both texts line by line and pairs their lines into
// rows.
func parallelFamily(_ Layout, d schemas.Document, g *Grammar, gl *anchors.Glossary) ([]token, []string, error) {
	if d.TextEn == "" {
		return nil, nil, fmt.Errorf("parse: %s: layout parallel-texts needs an English text: set snapshot_en and sha256_en in sources.yaml", d.Source.ID)
	}
	zl, el := contentLines(d.Text, d.LineNumbers), contentLines(d.TextEn, d.LineNumbersEn)
	zh, en := make([]align.Line, len(zl)), make([]align.Line, len(el))
	for i, t := range zl {
		m := g.zhMarker(t.text)
		zh[i] = align.Line{Text: t.text, Rank: m.rank, Number: m.number}
	}
	for i, t := range el {
		m := g.enMarker(t.text)
		en[i] = align.Line{Text: t.text, Rank: m.rank, Number: m.number}
	}
	var toks []token
	var warnings []string
	for _, r := range align.PairLines(zh, en, gl) {
		switch {
		case r.En < 0:
			toks = append(toks, zhToken(zl[r.Zh]))
		case r.Zh < 0:
			toks = append(toks, enToken(el[r.En]))
		default:
			t, e := zhToken(zl[r.Zh]), enToken(el[r.En])
			t.en, t.enStart, t.enEnd = e.en, e.enStart, e.enEnd
			t.mdHeading = max(t.mdHeading, e.mdHeading)
			toks = append(toks, t)
		}
	}
	return toks, warnings, nil
}

// LayoutTable renders the layouts as a Markdown table, for the README.
func LayoutTable() string {
	var b strings.Builder
	b.WriteString("| layout | family | what the snapshot looks like |\n|---|---|---|\n")
	for _, name := range Layouts() {
		if name == "auto" {
			continue
		}
		l := DefaultLayouts.Layouts[name]
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", name, l.Family, strings.ReplaceAll(l.Doc, "|", `\|`))
	}
	b.WriteString("| `auto` | | chosen from the text: a separate English snapshot → `parallel-texts`; most lines split by `\\|` or a tab → rows; most lines carrying both languages → `same-line-…`; Chinese and English lines in turn → `interleaved-…`; else monolingual. The run report and `documents.layout_reason` say why. |\n")
	return b.String()
}
