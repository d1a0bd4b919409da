// Package unorm normalises text as golang.org/x/text/unicode/norm does,
// faster for the text this pipeline reads. norm first checks whether a text
// is normalised already, at about 150 MB/s; nearly every snapshot is in
// NFC, and nearly every Chinese clause differs from its NFKC only by
// full-width punctuation. NFC and NFKC answer those cases from a table of
// the Basic Multilingual Plane (built once, on first use, from norm's own
// tables), and leave every other text to norm.
//
// A character is inert in a form when it is quick-check Yes with combining
// class 0 there: it neither decomposes, nor combines with the one before
// it, nor moves, so a text of inert characters is normalised (UAX #15,
// quick check). For NFKC, a character whose NFKC is one inert character
// (， is ",", a full-width letter its ASCII one) is replaced by it: the
// text with the replacements decomposes as the text does, and is made of
// inert characters, so it is the text's NFKC.
package unorm

import (
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NFC is norm.NFC.String(s).
func NFC(s string) string {
	if InertNFC(s) {
		return s
	}
	return norm.NFC.String(s)
}

// InertNFC reports whether s is made of characters inert in NFC, and so
// is in NFC; false says nothing.
func InertNFC(s string) bool {
	tables.Do(build)
	for i := 0; i < len(s); {
		r, n := next(s, i)
		if r > 0xFFFF || nfcInert[r/64]&(1<<(r%64)) == 0 {
			return false
		}
		i += n
	}
	return true
}

// NFKC is norm.NFKC.String(s).
func NFKC(s string) string {
	tables.Do(build)
	i := 0
	for i < len(s) {
		r, n := next(s, i)
		if r > 0xFFFF || nfkcInert[r/64]&(1<<(r%64)) == 0 {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := next(s, i)
		switch {
		case r > 0xFFFF:
			return norm.NFKC.String(s)
		case nfkcInert[r/64]&(1<<(r%64)) != 0:
			b.WriteString(s[i : i+n])
		case nfkcTo[r] != 0:
			b.WriteRune(nfkcTo[r])
		default:
			return norm.NFKC.String(s)
		}
		i += n
	}
	return b.String()
}

// next decodes the character at s[i], quickly for the three-byte forms
// that have no overlong or surrogate encoding (U+1000 to U+CFFF and U+E000
// to U+FFFF: Chinese text and its full-width punctuation). Bad bytes are
// U+FFFD, one each, as utf8 reads them.
func next(s string, i int) (rune, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	if (c >= 0xE1 && c <= 0xEC || c == 0xEE || c == 0xEF) && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
		return rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F), 3
	}
	return utf8.DecodeRuneInString(s[i:])
}

var (
	tables              sync.Once
	nfcInert, nfkcInert [0x10000 / 64]uint64 // bit r: r is inert in the form
	nfkcTo              [0x10000]rune        // r's NFKC when that is one inert character and r is not inert (0: not)
)

// build fills the tables from norm's (about 10 ms, once per run).
func build() {
	var buf [utf8.UTFMax]byte
	for r := rune(0); r <= 0xFFFF; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue // surrogates are not characters; UTF-8 cannot hold them
		}
		b := buf[:utf8.EncodeRune(buf[:], r)]
		if norm.NFC.Properties(b).BoundaryBefore() && norm.NFC.IsNormal(b) {
			nfcInert[r/64] |= 1 << (r % 64)
		}
		if norm.NFKC.Properties(b).BoundaryBefore() && norm.NFKC.IsNormal(b) {
			nfkcInert[r/64] |= 1 << (r % 64)
		}
	}
	for r := rune(0); r <= 0xFFFF; r++ {
		if r >= 0xD800 && r <= 0xDFFF || nfkcInert[r/64]&(1<<(r%64)) != 0 {
			continue
		}
		// r's NFKC is one inert character m, which decomposes as r does
		// (NFKD(m) = NFKD(NFKC(r)) = NFKD(r)): the text with m for r
		// decomposes as the text does, and is inert, so it is the NFKC.
		m := []rune(norm.NFKC.String(string(r)))
		if len(m) == 1 && m[0] <= 0xFFFF && nfkcInert[m[0]/64]&(1<<(m[0]%64)) != 0 {
			nfkcTo[r] = m[0]
		}
	}
}
