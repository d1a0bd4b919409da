// Package segment splits Chinese and English text into sentences by the
// rules the alignment gold standard uses. Spans are in code points; they
// never drop or change a character.
package segment

import (
	"strings"
	"unicode"
)

// Span is a sentence's place in its paragraph, in code points, end exclusive.
type Span struct{ Start, End int }

const (
	zhEnders = "。！？"
	closers  = "”’」』）)》〉】\"'"
)

// Zh splits Chinese text into sentences. A sentence ends at 。！？ or
// at …… that ends the text or is followed by a closer, taking any closing
// quotes or brackets after it; ； does not end a sentence. The spans cover
// the text without gaps, so their concatenation is the text.
func Zh(text string) []Span {
	rs := []rune(text)
	var spans []Span
	start := 0
	for i := 0; i < len(rs); i++ {
		end := -1
		switch {
		case strings.ContainsRune(zhEnders, rs[i]):
			end = i + 1
		case rs[i] == '…' && i+1 < len(rs) && rs[i+1] == '…':
			j := i + 2
			if j == len(rs) || strings.ContainsRune(closers, rs[j]) {
				end = j
			} else {
				i++
			}
		}
		if end < 0 {
			continue
		}
		// Several enders in a row (？！) stay in one sentence.
		for end < len(rs) && (strings.ContainsRune(zhEnders, rs[end]) || strings.ContainsRune(closers, rs[end])) {
			end++
		}
		spans = append(spans, Span{start, end})
		start, i = end, end-1
	}
	if start < len(rs) {
		spans = append(spans, Span{start, len(rs)})
	}
	return spans
}

// abbreviations never end an English sentence; "etc." ends one only before
// a capital letter.
var abbreviations = map[string]bool{
	"U.N.": true, "e.g.": true, "i.e.": true, "No.": true, "Nos.": true, "Mr.": true, "Mrs.": true,
	"Ms.": true, "Dr.": true, "St.": true, "vs.": true, "U.S.": true, "Art.": true, "para.": true,
	"Inc.": true, "Ltd.": true, "Co.": true, "Jr.": true, "approx.": true, "cf.": true,
}

// En splits English text into sentences. A sentence ends at . ! or ?
// (with closing quotes and brackets kept) followed by white space or the end
// of the text, except after an abbreviation. Spans exclude the white space
// between sentences; text[span] joined by that white space is the text.
func En(text string) []Span {
	rs := []rune(text)
	var spans []Span
	start := 0
	for start < len(rs) && unicode.IsSpace(rs[start]) {
		start++
	}
	for i := start; i < len(rs); i++ {
		if rs[i] != '.' && rs[i] != '!' && rs[i] != '?' {
			continue
		}
		end := i + 1
		for end < len(rs) && (strings.ContainsRune(closers, rs[end]) || rs[end] == '.' || rs[end] == '!' || rs[end] == '?') {
			end++
		}
		if end < len(rs) && !unicode.IsSpace(rs[end]) {
			continue
		}
		if rs[i] == '.' && !endsSentence(rs, start, i, end) {
			continue
		}
		spans = append(spans, Span{start, end})
		start = end
		for start < len(rs) && unicode.IsSpace(rs[start]) {
			start++
		}
		i = start - 1
	}
	if start < len(rs) {
		end := len(rs)
		for end > start && unicode.IsSpace(rs[end-1]) {
			end--
		}
		spans = append(spans, Span{start, end})
	}
	return spans
}

// endsSentence decides whether the period at rs[dot] ends a sentence.
func endsSentence(rs []rune, start, dot, end int) bool {
	w := dot
	for w > start && !unicode.IsSpace(rs[w-1]) && rs[w-1] != '(' {
		w--
	}
	word := string(rs[w : dot+1])
	if word == "etc." {
		n := end
		for n < len(rs) && unicode.IsSpace(rs[n]) {
			n++
		}
		return n == len(rs) || unicode.IsUpper(rs[n])
	}
	return !abbreviations[word]
}

// Texts returns the text of each span of s.
func Texts(s string, spans []Span) []string {
	rs := []rune(s)
	out := make([]string, len(spans))
	for i, sp := range spans {
		out[i] = string(rs[sp.Start:sp.End])
	}
	return out
}
