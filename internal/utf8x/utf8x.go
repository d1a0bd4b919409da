// Package utf8x decodes UTF-8 as unicode/utf8 does, quicker on Chinese
// text: utf8.DecodeRuneInString decodes a rune beyond ASCII in a function
// call of its own (with a table lookup), about 2 % of a run, most of it
// for the three-byte sequences every Han character and Chinese
// punctuation mark is. Decode3 decodes those where it is called:
//
//	r, n := utf8x.Decode3(s[i:])
//	if n == 0 {
//		r, n = utf8.DecodeRuneInString(s[i:])
//	}
package utf8x

import "unicode/utf8"

// Decode3 is utf8.DecodeRuneInString(s) when s opens with a three-byte
// sequence led by E1–EC or EE–EF (every Han character, Chinese
// punctuation, full-width forms), else 0, 0. It is small enough to be
// inlined, where utf8's decoding of such a rune is a call.
func Decode3(s string) (rune, int) {
	if len(s) > 2 {
		// E0 needs its second byte at A0 or above (against overlong forms),
		// ED below A0 (against surrogates): both are left to utf8
		x := uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16
		if x&0xC0C0F0 == 0x8080E0 && x&0x0F != 0 && x&0x0F != 0x0D {
			return rune(x&0x0F)<<12 | rune(x>>8&0x3F)<<6 | rune(x>>16&0x3F), 3
		}
	}
	return 0, 0
}

// RuneCount is utf8.RuneCountInString(s): each byte that starts no valid
// sequence counts as one rune.
func RuneCount(s string) int {
	n := 0
	for i := 0; i < len(s); n++ {
		if s[i] < utf8.RuneSelf {
			i++
		} else if _, size := Decode3(s[i:]); size > 0 {
			i += size
		} else {
			_, size = utf8.DecodeRuneInString(s[i:])
			i += size
		}
	}
	return n
}
