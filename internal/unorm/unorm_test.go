package unorm

import (
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/policyledger/policyledger/internal/randtext"
)

// parts are characters of every kind the tables tell apart: inert ones
// (ASCII, Chinese, punctuation, precomposed letters, Hangul), full-width
// forms and other one-character compatibility mappings, and characters
// that go to norm (combining marks, jamo, singletons, compatibility
// ideographs, exclusions, ligatures, …, characters beyond the BMP, bad
// bytes, overlong and surrogate forms).
var parts = []string{"a", "Z", "5", " ", "\n", "中", "拉", "。", "，", "（", "）", "：", "”", "—", "é", "Å", "가",
	"ＡＢ", "１２", "　", "ｶ", "ﾞ", "\u2160", "\u00bd", "\ufb01", "…", "\u2126", "\u212b", "\uf900", "\u0958", "\u0344",
	"\u0301", "\u0308", "e\u0301", "\u1161", "\u11a8", "\u1100", "\u0f73", "\u302a", "\u3099", "\u304b", "\u2f00", "\u3000",
	"\U00020000", "\U0002f800", "\U0001d400", "\xff", "\xe4\xb8", "\xe0\x82\xa0", "\xe0\x80\x80", "\xed\xa0\x80", "\xef\xbc"}

// TestForms: NFC and NFKC give norm's text on 200,000 random texts of
// every kind of character, and take their quick paths for many of them.
func TestForms(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for k := 0; k < 200000; k++ {
		s := randtext.Join(rng, parts, 8)
		if got, want := NFC(s), norm.NFC.String(s); got != want {
			t.Fatalf("NFC(%+q) = %+q; norm gives %+q", s, got, want)
		}
		if got, want := NFKC(s), norm.NFKC.String(s); got != want {
			t.Fatalf("NFKC(%+q) = %+q; norm gives %+q", s, got, want)
		}
	}
	for _, s := range []string{"中方将继续推动中拉合作。", "China and LAC, “together”—2025.", "（一）政治领域：双方将加强合作，ＡＰＥＣ　１２"} {
		if got, want := NFKC(s), norm.NFKC.String(s); got != want {
			t.Fatalf("NFKC(%q) = %q; norm gives %q", s, got, want)
		}
	}
	if !InertNFC("中方将继续推动中拉合作。China, “together”—2025.") || !quickNFKC("（一）政治领域：双方将加强合作，ＡＰＥＣ　１２") {
		t.Error("common Chinese and English text does not take the quick paths")
	}
}

// quickNFKC reports whether NFKC answers s from its tables alone.

func quickNFKC(s string) bool {
	tables.Do(build)
	for i := 0; i < len(s); {
		r, n := next(s, i)
		if r > 0xFFFF || nfkcInert[r/64]&(1<<(r%64)) == 0 && nfkcTo[r] == 0 {
			return false
		}
		i += n
	}
	return true
}

// TestEveryMapping: each character NFKC replaces from its table, alone and
// between inert neighbours, is what norm gives; and every character of the
// BMP alone is normalised as norm does.
func TestEveryMapping(t *testing.T) {
	tables.Do(build)
	mapped := 0
	for r := rune(0); r <= 0xFFFF; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		s := string(r)
		if got, want := NFC(s), norm.NFC.String(s); got != want {
			t.Fatalf("NFC(%U) = %+q; norm gives %+q", r, got, want)
		}
		for _, ctx := range []string{s, "a" + s + "中", "中" + s + "，", "e" + s, s + "\u0301"} {
			if got, want := NFKC(ctx), norm.NFKC.String(ctx); got != want {
				t.Fatalf("NFKC(%+q) = %+q; norm gives %+q", ctx, got, want)
			}
		}
		if nfkcTo[r] != 0 {
			mapped++
		}
	}
	if mapped < 500 {
		t.Fatalf("%d characters mapped by the table; the full-width forms alone are more", mapped)
	}
}

// TestInertPairs: any two inert characters together are normalised, in
// both forms (a million random pairs each).
func TestInertPairs(t *testing.T) {
	tables.Do(build)
	for _, f := range []struct {
		form  norm.Form
		inert *[0x10000 / 64]uint64
	}{{norm.NFC, &nfcInert}, {norm.NFKC, &nfkcInert}} {
		var all []rune
		for r := rune(0); r <= 0xFFFF; r++ {
			if f.inert[r/64]&(1<<(r%64)) != 0 {
				all = append(all, r)
			}
		}
		rng := rand.New(rand.NewPCG(7, 8))
		for k := 0; k < 1000000; k++ {
			if s := string(all[rng.IntN(len(all))]) + string(all[rng.IntN(len(all))]); !f.form.IsNormalString(s) {
				t.Fatalf("%+q: two inert characters, not normalised", s)
			}
		}
	}
}

func BenchmarkForms(b *testing.B) {
	zh := strings.Repeat("（一）政治领域：双方将加强合作，推动中拉关系发展。", 100)
	for _, f := range []struct {
		name string
		fn   func(string) string
	}{{"NFC", NFC}, {"norm.NFC", norm.NFC.String}, {"NFKC", NFKC}, {"norm.NFKC", norm.NFKC.String}} {
		b.Run(f.name, func(b *testing.B) {
			b.SetBytes(int64(len(zh)))
			for i := 0; i < b.N; i++ {
				f.fn(zh)
			}
		})
	}
}
