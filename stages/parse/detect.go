package parse

import (
	"fmt"
	"strings"

	"github.com/policyledger/policyledger/schemas"
)

// Detect picks a layout for a cleaned document from its text: a separate
// English text means parallel texts; otherwise separators, the script of
// each line and how the scripts follow each other decide. It returns the
// layout's name and the reason, in words a person can check.
func Detect(d schemas.Document) (string, string) {
	if d.TextEn != "" {
		return "parallel-texts", "the source has a separate English snapshot"
	}
	lines := contentLines(d.Text, d.LineNumbers)
	if len(lines) == 0 {
		return "monolingual-zh", "the text is empty"
	}
	for _, sep := range []string{"|", "\t"} {
		rows, zhFirst := 0, 0
		for _, l := range lines {
			cells := strings.Split(l.text, sep)
			if len(cells) < 2 {
				continue
			}
			rows++
			if h, _ := counts(cells[0]); h > 0 {
				zhFirst++
			}
		}
		if rows*10 >= len(lines)*6 {
			name := "tab-rows"
			if sep == "|" {
				name = "bilingual-rows"
				if zhFirst*2 < rows {
					name = "bilingual-rows-en-first"
				}
			}
			return name, fmt.Sprintf("%d of %d lines are rows split by %q", rows, len(lines), sep)
		}
	}
	var zh, en, mixed, zhFirst int
	for _, l := range lines {
		switch sc, sp := classify(l.text, ""); sc {
		case scriptZh:
			zh++
		case scriptEn:
			en++
		case scriptMixed:
			mixed++
			if !sp.enFirst {
				zhFirst++
			}
		}
	}
	n := len(lines)
	tally := fmt.Sprintf("%d lines: %d Chinese, %d English, %d with both", n, zh, en, mixed)
	switch {
	case mixed*2 >= n:
		if zhFirst*2 >= mixed {
			return "same-line-zh-en", tally + "; most lines carry a Chinese paragraph followed by its English"
		}
		return "same-line-en-zh", tally + "; most lines carry an English paragraph followed by its Chinese"
	case zh*5 >= n && en*5 >= n:
		if detectOrder(lines) == "en" {
			return "interleaved-en-zh", tally + "; English lines are followed by their Chinese"
		}
		return "interleaved-zh-en", tally + "; Chinese lines are followed by their English"
	case zh+mixed >= en:
		return "monolingual-zh", tally
	}
	return "monolingual-en", tally
}
