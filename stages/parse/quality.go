package parse

import (
	"fmt"

	"github.com/policyledger/policyledger/schemas"
)

// check looks over a parsed document for what a reader would call garbage:
// a paragraph repeated word for word, a heading with nothing under it, text
// in the wrong script for the document's languages. Each finding is a
// warning naming the snapshot line and what to check. A document of
// headings only is an error: it has nothing to release.
func check(d schemas.Document, lang string) ([]string, error) {
	var warnings []string
	text := 0
	seen := map[string]schemas.Clause{}
	children := map[string]int{}
	for _, c := range d.Clauses {
		if c.ParentID != "" {
			children[c.ParentID]++
		}
		if !c.IsText() {
			continue
		}
		text++
		key := c.TextSHA256 + "/" + c.TextEnSHA256
		if first, dup := seen[key]; dup {
			warnings = append(warnings, fmt.Sprintf("parse: %s (%s): repeats line %d (%s) word for word: a paragraph captured twice? remove the copy from the snapshot", d.Position(c.SourceLine), c.ID, first.SourceLine, first.ID))
		} else {
			seen[key] = c
		}
		body := c.TextZh
		if lang == "en" {
			body = c.TextEn
		}
		if han, latin := counts(body); lang == "zh" && body != "" && han == 0 && latin > 0 {
			warnings = append(warnings, fmt.Sprintf("parse: %s (%s): has no Chinese characters in a document read as Chinese (%.40q): web boilerplate to drop with a clean rule, or is the layout bilingual?", d.Position(c.SourceLine), c.ID, body))
		} else if lang == "en" && han > 0 {
			warnings = append(warnings, fmt.Sprintf("parse: %s (%s): has Chinese characters in a document read as English-only: is the layout bilingual?", d.Position(c.SourceLine), c.ID))
		}
	}
	if text == 0 {
		return nil, fmt.Errorf("parse: %s: %d headings and no paragraphs or items under them: the text of the document is missing from the snapshot; check the capture and the layout in sources.yaml", d.Source.ID, len(d.Clauses))
	}
	bilingual := false
	declared := map[string]bool{}
	for _, l := range d.Source.Languages {
		bilingual = bilingual || l == "en" && lang == "zh"
		declared[l] = true
	}
	// The layout may read a language the manifest does not declare: the
	// clauses then carry text that documents.languages says is not there.
	for _, side := range []struct {
		lang, name string
		has        func(c schemas.Clause) bool
	}{
		{"zh", "Chinese", func(c schemas.Clause) bool { return c.TextZh != "" }},
		{"en", "English", func(c schemas.Clause) bool { return c.TextEn != "" }},
	} {
		if declared[side.lang] {
			continue
		}
		n, first := 0, schemas.Clause{}
		for _, c := range d.Clauses {
			if c.IsText() && side.has(c) {
				if n == 0 {
					first = c
				}
				n++
			}
		}
		if n > 0 {
			warnings = append(warnings, fmt.Sprintf("parse: %s (%s): %d text clause(s) have %s, and languages in sources.yaml is %v: add %s to languages, or check the layout", d.Position(first.SourceLine), first.ID, n, side.name, d.Source.Languages, side.lang))
		}
	}
	for _, c := range d.Clauses {
		if bilingual && !c.IsText() && c.TitleEn == "" && c.LabelEn == "" {
			warnings = append(warnings, fmt.Sprintf("parse: %s (%s): heading %q has no English in a document declared bilingual: its translation is missing or was read as another line", d.Position(c.SourceLine), c.ID, headingName(c)))
		}
	}
	for i, c := range d.Clauses {
		if c.IsText() || children[c.ID] > 0 {
			continue
		}
		if d.Truncated && i == len(d.Clauses)-1 {
			continue // the capture stopped right after it
		}
		warnings = append(warnings, fmt.Sprintf("parse: %s (%s): heading %q has nothing under it: its text is missing, or it is an item read as a heading", d.Position(c.SourceLine), c.ID, headingName(c)))
	}
	return warnings, nil
}
