// Package segment splits Chinese and English text into sentences by the
// rules the alignment gold standard uses. Spans are in code points; they
// never drop or change a character.
package segment

import (
	"unicode"
	"unicode/utf8"

	"github.com/policyledger/policyledger/internal/utf8x"
)

// Span is a sentence's place in its paragraph, in code points, end exclusive.
type Span struct{ Start, End int }

// Zh splits Chinese text into sentences. A sentence ends at 。！？ or
// at …… that ends the text or is followed by a closer, taking any closing
// quotes or brackets after it; ； does not end a sentence. The spans cover
// the text without gaps, so their concatenation is the text.
//
// Zh and En read the text in place, counting code points as they go: every
// paragraph is segmented by align and again by classify, and a copy of it
// as runes was a third of that.
func Zh(text string) []Span {
	var spans []Span
	start := 0           // the sentence's first code point
	ib, ir := 0, 0       // byte and code point of the rune read
	for ib < len(text) { // (at the end, ir is the number of code points)
		r, size := utf8x.Decode3(text[ib:])
		if size == 0 {
			r, size = utf8.DecodeRuneInString(text[ib:])
		}
		eb, er := -1, -1
		switch {
		case isZhEnder(r):
			eb, er = ib+size, ir+1
		case r == '…' && ib+size < len(text):
			if next, n := utf8.DecodeRuneInString(text[ib+size:]); next == '…' {
				jb := ib + size + n
				if jb == len(text) || isCloser(firstRune(text[jb:])) {
					eb, er = jb, ir+2
				} else {
					ib, ir = jb, ir+2 // an ellipsis inside the sentence
					continue
				}
			}
		}
		if eb < 0 {
			ib, ir = ib+size, ir+1
			continue
		}
		// Several enders in a row (？！) stay in one sentence.
		for eb < len(text) {
			r, n := utf8.DecodeRuneInString(text[eb:])
			if !isZhEnder(r) && !isCloser(r) {
				break
			}
			eb, er = eb+n, er+1
		}
		spans = append(spans, Span{start, er})
		start, ib, ir = er, eb, er
	}
	if start < ir {
		spans = append(spans, Span{start, ir})
	}
	return spans
}

func isZhEnder(r rune) bool { return r == '。' || r == '！' || r == '？' }

// isCloser reports whether r is a closing quote or bracket: ”’」』）)》〉】"'
func isCloser(r rune) bool {
	switch r {
	case '”', '’', '」', '』', '）', ')', '》', '〉', '】', '"', '\'':
		return true
	}
	return false
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
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
	var spans []Span
	sb, sr := skipSpace(text, 0, 0) // the sentence's start, in bytes and code points
	ib, ir := sb, sr                // the rune read
	for ib < len(text) {            // (at the end, ir is the number of code points)
		c, size := text[ib], 1
		if c >= utf8.RuneSelf {
			_, size = utf8.DecodeRuneInString(text[ib:])
		}
		if c != '.' && c != '!' && c != '?' {
			ib, ir = ib+size, ir+1
			continue
		}
		eb, er := ib+1, ir+1
		for eb < len(text) {
			r, n := utf8.DecodeRuneInString(text[eb:])
			if !isCloser(r) && r != '.' && r != '!' && r != '?' {
				break
			}
			eb, er = eb+n, er+1
		}
		if eb < len(text) && !unicode.IsSpace(firstRune(text[eb:])) ||
			c == '.' && !endsSentence(text, sb, ib, eb) {
			ib, ir = ib+1, ir+1
			continue
		}
		spans = append(spans, Span{sr, er})
		sb, sr = skipSpace(text, eb, er)
		ib, ir = sb, sr
	}
	if sb < len(text) {
		eb, er := len(text), ir
		for eb > sb {
			r, n := utf8.DecodeLastRuneInString(text[sb:eb])
			if !unicode.IsSpace(r) {
				break
			}
			eb, er = eb-n, er-1
		}
		spans = append(spans, Span{sr, er})
	}
	return spans
}

// skipSpace returns the byte and code point of the first rune at or after
// text[b] (code point r) that is not white space.
func skipSpace(text string, b, r int) (int, int) {
	for b < len(text) {
		c, n := utf8.DecodeRuneInString(text[b:])
		if !unicode.IsSpace(c) {
			break
		}
		b, r = b+n, r+1
	}
	return b, r
}

// endsSentence decides whether the period at text[dot] ends a sentence that
// starts at text[start], its closers running to text[end].
func endsSentence(text string, start, dot, end int) bool {
	w := dot
	for w > start {
		r, n := utf8.DecodeLastRuneInString(text[start:w])
		if unicode.IsSpace(r) || r == '(' {
			break
		}
		w -= n
	}
	word := text[w : dot+1]
	if word == "etc." {
		n, _ := skipSpace(text, end, 0)
		return n == len(text) || unicode.IsUpper(firstRune(text[n:]))
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
