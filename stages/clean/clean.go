// Package clean is the second stage: it turns a document's raw snapshot
// bytes into clean text (UTF-8, NFC, LF line ends) and takes out what is not
// part of the document — web boilerplate, the source attribution row, the
// capturing site's posting time, a truncation note and what follows it —
// keeping each as document metadata. Which lines go is decided by the
// per-source rules in sources.yaml, not by code.
package clean

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/policyledger/policyledger/charset"
	"github.com/policyledger/policyledger/hanzi"
	"github.com/policyledger/policyledger/internal/rx"
	"github.com/policyledger/policyledger/internal/unorm"
	"github.com/policyledger/policyledger/schemas"
)

// Stage cleans every document in the run.
type Stage struct{}

// Name implements the pipeline's stage contract.
func (Stage) Name() string { return "clean" }

// Prepare returns the function that cleans one document and counts each
// removal by action.
func (Stage) Prepare(context.Context, *schemas.State) (schemas.DocFunc, error) {
	return func(d *schemas.Document, t *schemas.Tally) error {
		out, err := Document(*d)
		if err != nil {
			return err
		}
		for _, r := range out.Removed {
			t.Count("clean."+r.Action, 1)
		}
		*d = out
		return nil
	}, nil
}

// Actions of the clean rules, as recorded in schemas.Removal.Action.
const (
	ActionDrop        = "drop"
	ActionAttribution = "attribution"
	ActionPostedAt    = "posted_at"
	ActionTruncate    = "truncate"
	ActionReplace     = "replace"
)

var (
	bom       = []byte{0xEF, 0xBB, 0xBF}
	mdLink    = regexp.MustCompile(`\]\((https?://[^)\s]+)\)`)
	bareURL   = regexp.MustCompile(`https?://[^\s\]\)]+`)
	markdownE = strings.NewReplacer(`\\_`, `_`, `\_`, `_`)
)

// Document cleans one document (and its English text, for sources that
// give one separately). It is a pure function of the raw bytes and the
// source's clean rules: the same input always gives the same output, and
// cleaning its own output again changes nothing.
func Document(d schemas.Document) (schemas.Document, error) {
	rules, err := compile(d.Source.Clean)
	if err != nil {
		return d, fmt.Errorf("clean: %s: %w", d.Source.ID, err)
	}
	raw, enc, err := decode(d.Source, d.Source.Snapshot, d.Raw)
	if err != nil {
		return d, err
	}
	d.Encoding = enc
	raw, blocks, err := extract(d.Source, d.Source.Snapshot, raw)
	if err != nil {
		return d, err
	}
	zh, err := cleanText(d.Source.ID, d.Source.Snapshot, raw, rules)
	if err != nil {
		return d, err
	}
	if blocks != nil {
		d.Elements = map[int]string{}
	}
	zh.toPage(blocks, d.Elements)
	d.Text, d.LineNumbers, d.Removed = zh.text, zh.lines, zh.removed
	for _, l := range d.Source.Languages {
		if l == "zh" {
			d.Script = hanzi.Script(d.Text)
		}
	}
	d.SourceAttribution, d.PostedAt, d.Truncated, d.TruncationNote, d.TruncationLink = zh.attribution, zh.postedAt, zh.truncated, zh.truncationNote, zh.truncationLink
	if d.RawEn != nil {
		rawEn, _, err := decode(d.Source, d.Source.SnapshotEn, d.RawEn)
		if err != nil {
			return d, err
		}
		rawEn, blocksEn, err := extract(d.Source, d.Source.SnapshotEn, rawEn)
		if err != nil {
			return d, err
		}
		en, err := cleanText(d.Source.ID, d.Source.SnapshotEn, rawEn, rules)
		if err != nil {
			return d, err
		}
		en.toPage(blocksEn, nil)
		d.TextEn, d.LineNumbersEn = en.text, en.lines
		for _, r := range en.removed {
			r.Rule = "en:" + r.Rule
			d.Removed = append(d.Removed, r)
		}
		d.Truncated = d.Truncated || en.truncated
		d.SourceAttribution = firstSet(d.SourceAttribution, en.attribution)
		d.PostedAt = firstSet(d.PostedAt, en.postedAt)
		d.TruncationNote = firstSet(d.TruncationNote, en.truncationNote)
		d.TruncationLink = firstSet(d.TruncationLink, en.truncationLink)
	}
	return d, nil
}

// decode turns a snapshot's bytes into UTF-8 by the manifest's encoding.
// Without one the bytes must be UTF-8 (cleanText says where they are not).
func decode(src schemas.Source, snapshot string, raw []byte) ([]byte, string, error) {
	if src.Encoding == "" || src.Encoding == "utf-8" {
		return raw, "utf-8", nil
	}
	out, enc, err := charset.DecodeAs(raw, src.Encoding)
	if err != nil {
		return nil, "", fmt.Errorf("clean: %s: snapshot %s declared encoding %s: %v: set encoding in sources.yaml to what the file is written in (or auto)", src.ID, snapshot, src.Encoding, err)
	}
	return out, enc, nil
}

// extract returns the text of one snapshot: the bytes themselves, or for
// format html the page's main text, one line per paragraph, with the
// blocks that say where each line stands in the page.
func extract(src schemas.Source, snapshot string, raw []byte) ([]byte, []Block, error) {
	if src.Format != "html" {
		return raw, nil, nil
	}
	// The page is read as UTF-8 (see ExtractBlocks), so bytes that are not
	// are named here, where their line is the page's own.
	if line, col, ok := charset.InvalidUTF8(raw); !ok {
		return nil, nil, fmt.Errorf("clean: %s: snapshot %s line %d byte %d is not valid UTF-8: set encoding in sources.yaml (gb18030, big5, utf-16le… or auto) to what the page is written in", src.ID, snapshot, line, col)
	}
	blocks, err := ExtractBlocks(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("clean: %s: snapshot %s: %w: check that the page holds the document, or capture its text instead", src.ID, snapshot, err)
	}
	var b strings.Builder
	for _, bl := range blocks {
		b.WriteString(bl.Text + "\n")
	}
	return []byte(b.String()), blocks, nil
}

// toPage turns the line numbers of extracted text into lines of the page
// the text came from, and records each line's element, so that messages
// name the snapshot's own lines.
func (c *cleaned) toPage(blocks []Block, elements map[int]string) {
	if blocks == nil {
		return
	}
	line := func(n int) int {
		for i := n - 1; i >= 0 && i < len(blocks); i-- {
			if blocks[i].Line > 0 {
				return blocks[i].Line
			}
		}
		return 1
	}
	for i, n := range c.lines {
		c.lines[i] = line(n)
		if elements != nil && n-1 < len(blocks) {
			elements[c.lines[i]] = blocks[n-1].Element
		}
	}
	for i := range c.removed {
		c.removed[i].Line = line(c.removed[i].Line)
	}
}

func firstSet(a, b *string) *string {
	if a != nil {
		return a
	}
	return b
}

// cleaned is one text after cleaning, with what was taken out of it.
type cleaned struct {
	text                           string
	lines                          []int
	removed                        []schemas.Removal
	attribution, postedAt          *string
	truncated                      bool
	truncationNote, truncationLink *string
}

// cleanText cleans the bytes of one snapshot.
func cleanText(id, snapshot string, raw []byte, rules compiled) (cleaned, error) {
	var c cleaned
	for bytes.HasPrefix(raw, bom) {
		raw = raw[len(bom):]
	}
	if blank(raw) {
		return c, fmt.Errorf("clean: %s: snapshot %s is empty: re-capture the source", id, snapshot)
	}
	if line, col, ok := charset.InvalidUTF8(raw); !ok {
		return c, fmt.Errorf("clean: %s: snapshot %s line %d byte %d is not valid UTF-8: set encoding in sources.yaml (gb18030, big5, utf-16le… or auto) to what the file is written in", id, snapshot, line, col)
	}
	if bytes.IndexByte(raw, 0) >= 0 {
		return c, fmt.Errorf("clean: %s: snapshot %s contains NUL bytes, so it is not text: re-capture the source", id, snapshot)
	}
	text := strings.ReplaceAll(string(raw), "\r\n", "\n")
	if line, n := longestLine(text); n > MaxLine {
		return c, fmt.Errorf("clean: %s: snapshot %s line %d is %d bytes long, over the %d-byte limit for one line: check that the capture kept its line breaks, or re-capture it", id, snapshot, line, n, MaxLine)
	}
	text = unorm.NFC(text)

	var kept []string
	var keptNo []int
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		// A byte-order mark opens the file, or, where files were joined,
		// any line: it is never text.
		line := strings.TrimRightFunc(strings.TrimLeft(lines[i], "\uFEFF"), unicode.IsSpace)
		trimmed := strings.TrimSpace(line)
		lf := &forms{line: trimmed}
		no := i + 1
		if r, _ := rules.match(ActionTruncate, lf); r != "" {
			note := trimmed
			c.truncated = true
			c.truncationNote = &note
			c.removed = append(c.removed, schemas.Removal{Line: no, Rule: r, Action: ActionTruncate, Text: trimmed})
			for j := i + 1; j < len(lines); j++ {
				rest := strings.TrimSpace(lines[j])
				if rest == "" {
					continue
				}
				if c.truncationLink == nil {
					if u := firstURL(rest); u != "" {
						c.truncationLink = &u
					}
				}
				c.removed = append(c.removed, schemas.Removal{Line: j + 1, Rule: r, Action: ActionTruncate, Text: rest})
			}
			break
		}
		if r, m := rules.match(ActionPostedAt, lf); r != "" {
			at := strings.Replace(m[1], " ", "T", 1) + ":00"
			c.postedAt = &at
			c.removed = append(c.removed, schemas.Removal{Line: no, Rule: r, Action: ActionPostedAt, Text: trimmed})
			continue
		}
		if r, m := rules.match(ActionAttribution, lf); r != "" {
			parts := m[1:]
			if len(parts) == 0 {
				parts = m[:1]
			}
			a := strings.Join(parts, " / ")
			c.attribution = &a
			c.removed = append(c.removed, schemas.Removal{Line: no, Rule: r, Action: ActionAttribution, Text: trimmed})
			continue
		}
		if r, _ := rules.match(ActionDrop, lf); r != "" {
			c.removed = append(c.removed, schemas.Removal{Line: no, Rule: r, Action: ActionDrop, Text: trimmed})
			continue
		}
		if len(rules[ActionReplace]) > 0 {
			var frags []schemas.Removal
			line, frags = rules.replace(line, no)
			c.removed = append(c.removed, frags...)
		}
		kept = append(kept, line)
		keptNo = append(keptNo, no)
	}
	// Blank lines at either end carry nothing and would shift nothing.
	for len(kept) > 0 && kept[0] == "" {
		kept, keptNo = kept[1:], keptNo[1:]
	}
	for len(kept) > 0 && kept[len(kept)-1] == "" {
		kept, keptNo = kept[:len(kept)-1], keptNo[:len(keptNo)-1]
	}
	if len(kept) == 0 {
		return c, fmt.Errorf("clean: %s: nothing is left of snapshot %s after cleaning: check the clean rules in sources.yaml", id, snapshot)
	}
	c.text = strings.Join(kept, "\n")
	c.lines = keptNo
	return c, nil
}

// blank reports whether b holds nothing but white space and byte-order
// marks, which cleaning drops wherever they are.
func blank(b []byte) bool {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r != '\uFEFF' && !unicode.IsSpace(r) {
			return false
		}
		b = b[n:]
	}
	return true
}

// MaxLine is the longest line clean accepts. The documents' longest
// paragraph is a few kilobytes; a line of megabytes is a capture that lost
// its line breaks, or not text at all.
const MaxLine = 1 << 20

func longestLine(text string) (line, n int) {
	for i, l := range strings.Split(text, "\n") {
		if len(l) > n {
			line, n = i+1, len(l)
		}
	}
	return line, n
}

// firstURL returns a Markdown link's target, else the first bare URL.
func firstURL(s string) string {
	if m := mdLink.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return markdownE.Replace(bareURL.FindString(s))
}

type compiled map[string][]namedRe

type namedRe struct {
	name string
	re   *regexp.Regexp
	with string
}

// replace applies the replace rules to one line, returning the new line
// and a removal record per fragment taken out.
func (c compiled) replace(line string, no int) (string, []schemas.Removal) {
	var removed []schemas.Removal
	for _, r := range c[ActionReplace] {
		for _, m := range r.re.FindAllString(line, -1) {
			removed = append(removed, schemas.Removal{Line: no, Rule: ActionReplace + "/" + r.name, Action: ActionReplace, Text: m})
		}
		line = r.re.ReplaceAllString(line, r.with)
	}
	return line, removed
}

func compile(c schemas.CleanRules) (compiled, error) {
	out := compiled{}
	for action, rules := range map[string][]schemas.Rule{
		ActionDrop: c.Drop, ActionAttribution: c.Attribution, ActionPostedAt: c.PostedAt, ActionTruncate: c.Truncation, ActionReplace: c.Replace,
	} {
		for _, r := range rules {
			re, err := rx.Compile(r.Pattern)
			if err != nil {
				return nil, fmt.Errorf("clean rule %s %q: %w", action, r.Name, err)
			}
			out[action] = append(out[action], namedRe{r.Name, re, r.With})
		}
	}
	return out, nil
}

// match returns the name of the first rule of an action matching line and
// its submatches, or "". Rules are written in simplified characters; a line
// in traditional ones is matched through its simplified form too, and the
// submatches are cut from the line as printed (the forms have the same
// length in code points).
func (c compiled) match(action string, f *forms) (string, []string) {
	line := f.line
	if line == "" || len(c[action]) == 0 {
		return "", nil
	}
	simple := f.simplified()
	for _, r := range c[action] {
		if m := r.re.FindStringSubmatch(line); m != nil {
			return action + "/" + r.name, m
		}
		if simple == line {
			continue
		}
		if idx := r.re.FindStringSubmatchIndex(simple); idx != nil {
			return action + "/" + r.name, cutAsPrinted(line, simple, idx)
		}
	}
	return "", nil
}

// forms is a line and, once asked for, its simplified form: a line meets
// the rules of up to four actions, and simplifying it once per action was
// three times too often.
type forms struct {
	line, simple string
	done         bool
}

func (f *forms) simplified() string {
	if !f.done {
		f.simple, f.done = hanzi.Simplified(f.line), true
	}
	return f.simple
}

// cutAsPrinted returns the submatches found at byte offsets idx of simple
// as the same code-point spans of line.
func cutAsPrinted(line, simple string, idx []int) []string {
	lr := []rune(line)
	at := func(b int) int { return utf8.RuneCountInString(simple[:b]) }
	out := make([]string, len(idx)/2)
	for i := range out {
		if idx[2*i] >= 0 {
			out[i] = string(lr[at(idx[2*i]):at(idx[2*i+1])])
		}
	}
	return out
}
