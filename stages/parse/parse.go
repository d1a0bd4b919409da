// Package parse is the third stage: it reads a cleaned document into its own
// hierarchy of clauses — parts, programs, articles, sections as headings;
// paragraphs and numbered items as text units — keeping the document's own
// labels (第一部分, 一、, (三), 第二条) and giving every clause a stable id
// built from the document id and its structural path.
//
// Rank comes from the numbering, never from Markdown '#' counts: 第X部分 /
// 第X条 / 前言 open rank 1, X、 rank 2, (X) rank 3. A numbered line is a
// heading when what follows it is of a lower rank (or unnumbered text), and
// an item otherwise; so 一、 is an item under 第一条 but a section heading
// under 第二条.
package parse

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/policyledger/policyledger/anchors"
	"github.com/policyledger/policyledger/schemas"
)

// Stage parses every document in the run.
type Stage struct{}

// Name implements the pipeline's stage contract.
func (Stage) Name() string { return "parse" }

// Prepare loads the curated glossary (it helps pair the lines of sources
// with separate texts) and returns the function that parses one document
// and counts its clauses by kind.
func (Stage) Prepare(ctx context.Context, st *schemas.State) (schemas.DocFunc, error) {
	terms, err := anchors.Load(st.Sources)
	if err != nil {
		return nil, err
	}
	g := anchors.NewGlossary(terms)
	return func(d *schemas.Document, t *schemas.Tally) error {
		out, err := Document(*d, g)
		if err != nil {
			return err
		}
		for _, c := range out.Clauses {
			t.Count("parse."+c.Kind, 1)
		}
		*d = out
		return nil
	}, nil
}

// Document parses one cleaned document into clauses with the embedded
// grammar and layouts. It is pure; gl (which may be nil) is used only to pair
// lines of separate texts.
func Document(d schemas.Document, gl *anchors.Glossary) (schemas.Document, error) {
	return DocumentWith(d, DefaultGrammar, DefaultLayouts, gl)
}

// DocumentWith parses one cleaned document with the given grammar and
// layouts.
func DocumentWith(d schemas.Document, g *Grammar, ls *LayoutSet, gl *anchors.Glossary) (schemas.Document, error) {
	id := d.Source.ID
	name, reason := d.Source.Layout, ""
	if name == "" || name == "auto" {
		name, reason = Detect(d)
	}
	l, ok := ls.Layouts[name]
	if !ok {
		return d, fmt.Errorf("parse: %s: unknown layout %q (known: %s): set layout in sources.yaml", id, d.Source.Layout, strings.Join(Layouts(), ", "))
	}
	d.Layout, d.LayoutReason, d.GrammarVersion = name, reason, g.Version
	toks, warnings, err := families[l.Family](l, d, g, gl)
	if err != nil {
		return d, err
	}
	d.Warnings = append(d.Warnings, warnings...)
	b := builder{doc: d, g: g, lang: primary(d.Source), ids: map[string]int{}, numbers: map[string]int{}, paras: map[string]int{}}
	toks = b.title(toks)
	if err := b.build(toks); err != nil {
		return d, err
	}
	if b.numbered == 0 {
		return d, fmt.Errorf("parse: %s: no headings or numbered items in %d lines of layout %s: the text has no structure this layout recognises; check the snapshot and the layout in sources.yaml (or try layout: auto)", id, len(toks), name)
	}
	if d.Truncated {
		for i := len(b.clauses) - 1; i >= 0; i-- {
			if b.clauses[i].IsText() {
				b.clauses[i].Complete = false
				break
			}
		}
	}
	d.Clauses = b.clauses
	d.ParsedTitle = b.parsedTitle
	d.Warnings = append(d.Warnings, b.warnings...)
	found, err := check(d, b.lang)
	if err != nil {
		return d, err
	}
	d.Warnings = append(d.Warnings, found...)
	return d, nil
}

// primary is the language a document's structure is read from: Chinese
// where the document has Chinese, else English.
func primary(s schemas.Source) string {
	for _, l := range s.Languages {
		if l == "zh" {
			return "zh"
		}
	}
	if len(s.Languages) > 0 {
		return s.Languages[0]
	}
	return "zh"
}

// builder walks the tokens once, keeping a stack of open headings.
type builder struct {
	doc         schemas.Document
	g           *Grammar
	lang        string // the primary language
	clauses     []schemas.Clause
	stack       []open
	ids         map[string]int // clause id → index, for uniqueness
	numbers     map[string]int // parent id + rank → last number seen
	paras       map[string]int // parent id → paragraphs so far
	numbered    int            // numbered lines seen
	unnamed     map[int]bool   // heading ranks heading_kinds does not name, warned of
	warnings    []string
	parsedTitle *string
}

type open struct {
	rank  int
	index int // into clauses
}

// text is a token's primary-language text.
func (b *builder) text(t token) string {
	if b.lang == "en" {
		return t.en
	}
	return t.zh
}

func (b *builder) marker(t token) marker { return b.g.marker(b.lang, b.text(t)) }

// title takes the document's title off the front of the tokens: a first
// line marked as a top-level Markdown heading, or one that repeats the
// manifest's title.
func (b *builder) title(toks []token) []token {
	if len(toks) == 0 {
		return toks
	}
	t, src := toks[0], b.doc.Source
	if b.marker(t).rank != 0 {
		return toks
	}
	same := func(a string, m *string) bool { return m != nil && a != "" && norm(a) == norm(*m) }
	if t.mdHeading != 1 && !same(t.zh, src.TitleZh) && !same(t.en, src.TitleEn) {
		return toks
	}
	title := b.text(t)
	b.parsedTitle = &title
	if b.lang == "zh" && src.TitleZh != nil && t.zh != "" && !same(t.zh, src.TitleZh) {
		b.warnings = append(b.warnings, fmt.Sprintf("parse: %s: title %q differs from the manifest's title_zh %q", b.doc.Position(t.line), t.zh, *src.TitleZh))
	}
	return toks[1:]
}

// norm folds spaces, for comparing titles.
func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

func (b *builder) build(toks []token) error {
	id := b.doc.Source.ID
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		m := b.marker(t)
		if m.rank == 0 {
			b.add(t, t, schemas.Clause{Kind: "paragraph", TextZh: t.zh, TextEn: t.en})
			continue
		}
		for len(b.stack) > 0 && b.stack[len(b.stack)-1].rank >= m.rank {
			b.stack = b.stack[:len(b.stack)-1]
		}
		parent := b.parentID()
		if m.number > 0 {
			key := fmt.Sprintf("%s#%d", parent, m.rank)
			if prev := b.numbers[key]; m.number != prev+1 {
				return fmt.Errorf("parse: %s %s: numbering jumps from %s to %s under %s: the snapshot is missing a clause or mislabels one; fix the snapshot or its clean rules",
					id, b.doc.Position(t.line), b.prevLabel(m, prev), m.label, b.where())
			}
			b.numbers[key] = m.number
		}
		en := b.g.enMarker(t.en)
		if b.lang == "zh" && t.en != "" && m.number > 0 && en.number != m.number {
			b.warnings = append(b.warnings, fmt.Sprintf("parse: %s: English label %q does not match %s", b.doc.Position(t.line), en.label, m.label))
		}
		heading := m.heading || i+1 < len(toks) && b.lowerRank(toks[i+1], m.rank)
		var c schemas.Clause
		switch {
		case b.lang == "en" && !heading:
			c = schemas.Clause{Kind: "item", Label: m.label, LabelEn: m.label, Number: m.number, TextEn: m.rest}
		case b.lang == "en":
			c = schemas.Clause{Kind: m.kind, Label: m.label, LabelEn: m.label, Number: m.number, TitleEn: m.rest}
		case !heading:
			c = schemas.Clause{Kind: "item", Label: m.label, LabelEn: en.label, Number: m.number, TextZh: m.rest, TextEn: en.rest}
		default:
			c = schemas.Clause{Kind: m.kind, Label: m.label, LabelEn: en.label, Number: m.number, TitleZh: m.rest, TitleEn: en.rest}
		}
		if !heading {
			b.add(t, t, c)
			b.numbered++
			continue
		}
		if m.kind == "" {
			c.Kind = b.headingKind(m.rank, t.line, m.label)
		} else {
			// An unnumbered heading (前言 | Preface) is all title.
			c.Label, c.LabelEn, c.TitleEn = "", "", t.en
		}
		last := t
		// A numbered top-level heading printed alone (第一部分 | Part I) takes
		// the next line as its title when that line reads as a title.
		if c.TitleZh == "" && c.TitleEn == "" && m.number > 0 && i+1 < len(toks) && b.isTitle(toks[i+1]) {
			last = toks[i+1]
			c.TitleZh, c.TitleEn = last.zh, last.en
			i++
		}
		if strings.HasSuffix(c.TitleZh, "。") || b.lang == "en" && strings.HasSuffix(c.TitleEn, ".") {
			b.warnings = append(b.warnings, fmt.Sprintf("parse: %s: heading %s ends like a sentence; is it an item with a continuation paragraph?", b.doc.Position(t.line), m.label))
		}
		b.add(t, last, c)
		b.stack = append(b.stack, open{rank: m.rank, index: len(b.clauses) - 1})
		b.numbered++
	}
	return nil
}

// lowerRank reports whether t is unnumbered text or numbered below rank.
func (b *builder) lowerRank(t token, rank int) bool {
	m := b.marker(t)
	return m.rank == 0 || m.rank > rank
}

// isTitle reports whether an unnumbered line reads as a heading title rather
// than a paragraph: no sentence-ending punctuation.
func (b *builder) isTitle(t token) bool {
	if b.marker(t).rank != 0 {
		return false
	}
	if b.lang == "en" {
		return len(t.en) < 200 && !strings.HasSuffix(t.en, ".") && !strings.ContainsAny(t.en, ";!?")
	}
	return t.zh != "" && !strings.ContainsAny(t.zh, "。！？；")
}

// headingKind is the manifest's name for a heading rank. A rank the
// manifest does not name is kind heading<rank>, with a warning at its
// first heading: the kind column would otherwise hold a name nobody gave.
func (b *builder) headingKind(rank, line int, label string) string {
	kinds := b.doc.Source.HeadingKinds
	if rank-1 < len(kinds) {
		return kinds[rank-1]
	}
	kind := fmt.Sprintf("heading%d", rank)
	if !b.unnamed[rank] {
		if b.unnamed == nil {
			b.unnamed = map[int]bool{}
		}
		b.unnamed[rank] = true
		b.warnings = append(b.warnings, fmt.Sprintf("parse: %s: heading %s is of rank %d, and heading_kinds in sources.yaml names %d rank(s) %v: its kind is %s; name every rank, outermost first", b.doc.Position(line), label, rank, len(kinds), kinds, kind))
	}
	return kind
}

func (b *builder) parentID() string {
	if len(b.stack) == 0 {
		return ""
	}
	return b.clauses[b.stack[len(b.stack)-1].index].ID
}

// where names the open headings, for error messages.
func (b *builder) where() string {
	if len(b.stack) == 0 {
		return "the document's top level"
	}
	c := b.clauses[b.stack[len(b.stack)-1].index]
	return strings.Join(append(append([]string{}, c.HeadingPath...), headingName(c)), " / ")
}

func (b *builder) prevLabel(m marker, prev int) string {
	if prev == 0 {
		return "the start"
	}
	if b.lang == "en" {
		return fmt.Sprintf("number %d", prev)
	}
	return strings.Replace(m.label, numberLabel("zh", m.number), numberLabel("zh", prev), 1)
}

// add appends a clause spanning tokens first..last under the current parent.
func (b *builder) add(first, last token, c schemas.Clause) {
	docID := b.doc.Source.ID
	parent := b.parentID()
	seg, ok := b.g.Segments[c.Kind]
	if !ok {
		seg = c.Kind
	}
	switch {
	case c.Kind == "paragraph":
		b.paras[parent]++
		seg = fmt.Sprintf("%s%d", seg, b.paras[parent])
	case c.Number > 0:
		seg = fmt.Sprintf("%s%d", seg, c.Number)
	}
	prefix := docID
	if parent != "" {
		prefix = parent
	}
	c.ID = prefix + "/" + seg
	if n, dup := b.ids[c.ID]; dup {
		b.warnings = append(b.warnings, fmt.Sprintf("parse: %s: clause id %s repeats clause %d; suffixing", b.doc.Position(first.line), c.ID, n+1))
		c.ID = fmt.Sprintf("%s-%d", c.ID, len(b.clauses)+1)
	}
	b.ids[c.ID] = len(b.clauses)
	c.DocID = docID
	c.Ordinal = len(b.clauses) + 1
	c.ParentID = parent
	c.Level = len(b.stack) + 1
	c.HeadingPath = []string{}
	for _, o := range b.stack {
		c.HeadingPath = append(c.HeadingPath, headingName(b.clauses[o.index]))
	}
	c.CharStart, c.CharEnd = -1, -1
	if first.zhStart >= 0 && last.zhEnd >= 0 {
		c.CharStart, c.CharEnd = first.zhStart, last.zhEnd
	}
	c.EnCharStart, c.EnCharEnd = -1, -1
	if first.enStart >= 0 && last.enEnd >= 0 {
		c.EnCharStart, c.EnCharEnd = first.enStart, last.enEnd
	}
	c.SourceLine = first.line
	c.Complete = true
	c.TextSHA256 = hash(firstNonEmpty(c.TextZh, c.TitleZh, c.TextEn, c.TitleEn, c.Label))
	if en := firstNonEmpty(c.TextEn, c.TitleEn); en != "" {
		c.TextEnSHA256 = hash(en)
	}
	b.clauses = append(b.clauses, c)
}

// headingName is how a heading appears in heading_path: label and title as
// the document prints them.
func headingName(c schemas.Clause) string {
	if c.Label == "" && c.TitleZh == "" || c.TitleZh == "" && c.TitleEn != "" && c.LabelEn == c.Label {
		// An English heading.
		return strings.TrimSpace(c.LabelEn + " " + c.TitleEn)
	}
	switch {
	case c.Label == "":
		return c.TitleZh
	case c.TitleZh == "":
		return c.Label
	case strings.HasSuffix(c.Label, "、") || strings.HasSuffix(c.Label, ")") || strings.HasSuffix(c.Label, "）"):
		return c.Label + c.TitleZh
	}
	return c.Label + " " + c.TitleZh
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
