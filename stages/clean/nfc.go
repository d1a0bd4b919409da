package clean

import (
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// toNFC is norm.NFC.String(s), which first checks whether s is in NFC
// already, as nearly every snapshot is: at about 150 MB/s that check was
// three quarters of cleaning a text. isNFC answers it faster for text
// made only of characters that are NFC's quick-check Yes with combining
// class 0 (inert): such a character neither decomposes, nor combines with
// the one before it, nor is reordered, so a string of them is in NFC
// (UAX #15, quick check). Any other character leaves the answer to norm.
func toNFC(s string) string {
	if isNFC(s) {
		return s
	}
	return norm.NFC.String(s)
}

// isNFC reports whether s is made of inert characters of the Basic
// Multilingual Plane; false says nothing.
func isNFC(s string) bool {
	inertOnce.Do(buildInert)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		var r rune
		if (c >= 0xE1 && c <= 0xEC || c == 0xEE || c == 0xEF) && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
			// three bytes that have no overlong or surrogate form (U+1000
			// to U+CFFF, U+E000 to U+FFFF: Chinese text and its full-width
			// punctuation), decoded here
			r = rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
			i += 3
		} else {
			var n int
			if r, n = utf8.DecodeRuneInString(s[i:]); r > 0xFFFF {
				return false
			}
			i += n
		}
		if inert[r/64]&(1<<(r%64)) == 0 {
			return false
		}
	}
	return true
}

var (
	inert     [0x10000 / 64]uint64 // bit r: rune r is inert (see toNFC)
	inertOnce sync.Once
)

// buildInert fills inert from norm's own tables (about 5 ms, once per
// run, on first use).
func buildInert() {
	for r := rune(0); r <= 0xFFFF; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue // surrogates are not characters; UTF-8 cannot hold them
		}
		s := string(r)
		if norm.NFC.PropertiesString(s).BoundaryBefore() && norm.NFC.IsNormalString(s) {
			inert[r/64] |= 1 << (r % 64)
		}
	}
}
