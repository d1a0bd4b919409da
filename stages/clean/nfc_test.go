package clean

import (
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// TestToNFC: toNFC gives norm.NFC.String's text for texts of characters
// that are inert and characters that are not (combining marks, Hangul
// jamo, singletons, compatibility ideographs, exclusions, characters
// beyond the BMP, bad bytes), and takes its quick path for text of inert
// characters only.
func TestToNFC(t *testing.T) {
	parts := []string{"a", "Z", " ", "\n", "中", "拉", "。", "，", "（", "”", "—", "é", "Å", "가",
		"\u0301", "\u0308", "e\u0301", "\u1161", "\u11a8", "\u1100", "\u212b", "\uf900", "\u0958", "\u0344", "\u0f73",
		"\U00020000", "\U0002f800", "\xff", "\u302a", "\u3099", "\u304b"}
	rng := rand.New(rand.NewPCG(5, 6))
	quick := 0
	for k := 0; k < 200000; k++ {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		s := b.String()
		if got, want := toNFC(s), norm.NFC.String(s); got != want {
			t.Fatalf("toNFC(%+q) = %+q; norm gives %+q", s, got, want)
		}
		if isNFC(s) {
			quick++
		}
	}
	if quick < 1000 {
		t.Fatalf("%d texts took the quick path; want many", quick)
	}
	for _, s := range []string{"中方将继续推动中拉合作。", "China and LAC, “together”—2025.", "（一）政治领域"} {
		if !isNFC(s) {
			t.Errorf("isNFC(%q) = false; this text of common characters should take the quick path", s)
		}
	}
}

// TestInertPairs: any two inert characters together are in NFC (a million
// random pairs, and each inert character before and after common Chinese
// and Latin characters and punctuation).
func TestInertPairs(t *testing.T) {
	inertOnce.Do(buildInert)
	var all []rune
	for r := rune(0); r <= 0xFFFF; r++ {
		if inert[r/64]&(1<<(r%64)) != 0 {
			all = append(all, r)
		}
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for k := 0; k < 1000000; k++ {
		s := string(all[rng.IntN(len(all))]) + string(all[rng.IntN(len(all))])
		if !norm.NFC.IsNormalString(s) {
			t.Fatalf("%+q: two inert characters, not in NFC", s)
		}
	}
	for _, c := range "中拉合作。，、（）“”eaAZ0 .,-\n" {
		for _, r := range all {
			if s := string(c) + string(r); !norm.NFC.IsNormalString(s) {
				t.Fatalf("%+q: inert after %q, not in NFC", s, c)
			}
			if s := string(r) + string(c); !norm.NFC.IsNormalString(s) {
				t.Fatalf("%+q: inert before %q, not in NFC", s, c)
			}
		}
	}
}
