package parse

import (
	"strings"
	"unicode/utf8"

	"github.com/policyledger/policyledger/hanzi"
	"github.com/policyledger/policyledger/internal/utf8x"
)

// lineScript is what a line is written in.
type lineScript int

const (
	scriptNone  lineScript = iota // no letters at all (numbers, punctuation)
	scriptZh                      // Chinese (Latin acronyms and numbers allowed)
	scriptEn                      // Latin letters, no Chinese characters
	scriptMixed                   // a Chinese part and an English part, one after the other
)

func (s lineScript) String() string {
	return [...]string{"none", "zh", "en", "mixed"}[s]
}

func isHan(r rune) bool { return hanzi.IsHan(r) }

// isCJK reports Chinese characters and the CJK and full-width punctuation
// that belongs to Chinese text.
func isCJK(r rune) bool {
	return isHan(r) || r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFFEF
}

func isLower(b byte) bool { return b >= 'a' && b <= 'z' }

// counts returns the number of Chinese characters and of ASCII letters.
func counts(s string) (han, latin int) {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c|0x20 >= 'a' && c|0x20 <= 'z' {
				latin++
			}
			i++
			continue
		}
		r, size := utf8x.Decode3(s[i:])
		if size == 0 {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if isHan(r) {
			han++
		}
		i += size
	}
	return han, latin
}

// classify says what a line is written in. A line is mixed when it splits,
// in the given order (or either order when first is ""), into a Chinese part
// and an English part of at least two words.
func classify(s, first string) (lineScript, split) {
	han, latin := counts(s)
	switch {
	case han == 0 && latin == 0:
		return scriptNone, split{}
	case han == 0:
		return scriptEn, split{}
	}
	if first != "en" {
		if sp, ok := splitZhEn(s); ok {
			return scriptMixed, sp
		}
	}
	if first != "zh" {
		if sp, ok := splitEnZh(s); ok {
			return scriptMixed, sp
		}
	}
	return scriptZh, split{}
}

// split is a line cut into its two languages: byte offsets of each part.
type split struct {
	zhStart, zhEnd, enStart, enEnd int
	enFirst                        bool
}

// englishPart reports whether s reads as English rather than a Latin token
// kept inside Chinese text (AEO, APEC): no Chinese characters, and a
// lower-case letter or two or more words.
func englishPart(s string) bool {
	han, latin := counts(s)
	lower := strings.ContainsFunc(s, func(r rune) bool { return r < utf8.RuneSelf && isLower(byte(r)) })
	return han == 0 && latin >= 2 && (lower || len(strings.Fields(s)) >= 2)
}

// splitZhEn cuts "中文…  English…": the English starts after the last
// Chinese character, except that a run glued to it with no lower-case
// letters ("倡议(GGI)", "5G") still belongs to the Chinese.
func splitZhEn(s string) (split, bool) {
	last := -1
	for i, r := range s {
		if isCJK(r) {
			last = i + utf8.RuneLen(r)
		}
	}
	if last <= 0 || last >= len(s) {
		return split{}, false
	}
	end := last
	if r, _ := utf8.DecodeLastRuneInString(s[:last]); !strings.ContainsRune("。！？；", r) {
		j := last
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		if run := s[last:j]; !strings.ContainsFunc(run, func(r rune) bool { return r < utf8.RuneSelf && isLower(byte(r)) }) {
			end = j
		}
	}
	en := strings.TrimSpace(s[end:])
	if !englishPart(en) {
		return split{}, false
	}
	enStart := len(s) - len(strings.TrimLeft(s[end:], " \t\u3000"))
	return split{zhStart: 0, zhEnd: end, enStart: enStart, enEnd: len(s)}, true
}

// splitEnZh cuts "English…  中文…": the Chinese starts at the first Chinese
// character, taken back over a glued run with no lower-case letters
// ("(一)高层", "2008年", "AEO互认").
func splitEnZh(s string) (split, bool) {
	first := strings.IndexFunc(s, isHan)
	if first <= 0 {
		return split{}, false
	}
	start := first
	for start > 0 {
		r, n := utf8.DecodeLastRuneInString(s[:start])
		if r == ' ' || r == '\t' || r == '\u3000' || r < utf8.RuneSelf && isLower(byte(r)) {
			break
		}
		start -= n
	}
	en := strings.TrimSpace(s[:start])
	if !englishPart(en) {
		return split{}, false
	}
	// The Chinese part must not itself end in a long English passage.
	if sp, ok := splitZhEn(s[start:]); ok && sp.enStart > 0 {
		return split{}, false
	}
	return split{zhStart: start, zhEnd: len(s), enStart: 0, enEnd: len(strings.TrimRight(s[:start], " \t\u3000")), enFirst: true}, true
}
