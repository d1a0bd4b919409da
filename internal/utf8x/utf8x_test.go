package utf8x

import (
	"testing"
	"unicode/utf8"
)

// check compares Decode3 with utf8.DecodeRuneInString at every byte of
// s: where it decodes, it must agree, and it must decode every rune of
// three bytes led by E1–EC or EE–EF; and RuneCount with
// utf8.RuneCountInString on every suffix of s.
func check(t *testing.T, s string) {
	t.Helper()
	for i := range len(s) {
		if got, want := RuneCount(s[i:]), utf8.RuneCountInString(s[i:]); got != want {
			t.Fatalf("RuneCount(%q[%d:]) = %d; utf8 says %d", s, i, got, want)
		}
	}
	for i := range len(s) {
		r, n := Decode3(s[i:])
		wr, wn := utf8.DecodeRuneInString(s[i:])
		c := s[i]
		fast := wn == 3 && c >= 0xE1 && c <= 0xEF && c != 0xED
		if n != 0 && (r != wr || n != wn) || fast != (n != 0) {
			t.Fatalf("Decode3(%q[%d:]) = %U, %d; utf8 says %U, %d", s, i, r, n, wr, wn)
		}
	}
}

// TestDecodeRuneEveryThreeBytes: every three-byte sequence whose first
// byte may start one (E0–EF), with every second and third byte that is a
// continuation byte or one on either side of the range, alone and cut
// short: valid ones (surrogates excluded, overlong ones refused) and not.
func TestDecodeRuneEveryThreeBytes(t *testing.T) {
	edges := []byte{0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xE4, 0xFF}
	for c := 0xE0; c <= 0xEF; c++ {
		for _, b1 := range edges {
			for _, b2 := range edges {
				for _, s := range []string{string([]byte{byte(c), b1, b2}), string([]byte{byte(c), b1}), "x" + string([]byte{byte(c), b1, b2}) + "y"} {
					check(t, s)
				}
			}
		}
		for b1 := 0x80; b1 <= 0xBF; b1++ {
			for b2 := 0x80; b2 <= 0xBF; b2++ {
				check(t, string([]byte{byte(c), byte(b1), byte(b2)}))
			}
		}
	}
	check(t, "中拉合作论坛，（第三届）２０２５年 — ok…€\U0001F600\xed\xa0\x80\xe0\x80\x80\xc3\xa9")
}

func FuzzDecodeRune(f *testing.F) {
	f.Add("中方愿同拉方加强合作。The two sides\xe4\xb8")
	f.Fuzz(func(t *testing.T, s string) { check(t, s) })
}
