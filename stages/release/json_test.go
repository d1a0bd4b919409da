package release

import (
	"math/rand/v2"
	"testing"
)

// plainByte is the plain definition plainJSON8 must agree with.
func plainByte(c byte) bool { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' }

// TestPlainJSON8: the eight-byte test agrees with the byte-by-byte one for
// every byte value at every position among plain neighbours, and for
// random words (which hold several offending bytes at once, so that
// borrows between bytes are exercised).
func TestPlainJSON8(t *testing.T) {
	check := func(w []byte) {
		t.Helper()
		want := true
		for _, c := range w {
			want = want && plainByte(c)
		}
		if got := plainJSON8(string(w)); got != want {
			t.Fatalf("plainJSON8(%q) = %t, byte by byte %t", w, got, want)
		}
	}
	for pos := 0; pos < 8; pos++ {
		for c := 0; c < 256; c++ {
			w := []byte("abcdefgh")
			w[pos] = byte(c)
			check(w)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	// bytes near the edges the word arithmetic works at
	edges := []byte{0x00, 0x01, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7f, 0x80, 0x9f, 0xa0, 0xe2, 0xff}
	for n := 0; n < 200_000; n++ {
		w := make([]byte, 8)
		for k := range w {
			if rng.IntN(2) == 0 {
				w[k] = edges[rng.IntN(len(edges))]
			} else {
				w[k] = byte(rng.IntN(256))
			}
		}
		check(w)
	}
}

// BenchmarkAppendJSONString escapes an English and a Chinese paragraph.
func BenchmarkAppendJSONString(b *testing.B) {
	en := "China will further tap into the potential of bilateral trade with LAC countries, promote trade of specialty products, goods with competitive advantages or \"high value-added\" and technology-intensive products."
	zh := "深挖双边贸易潜力,促进中国与拉美和加勒比国家特色优势商品、高附加值产品和技术密集型产品等贸易,加强服务贸易和数字贸易合作。"
	var buf []byte
	b.SetBytes(int64(len(en) + len(zh)))
	for b.Loop() {
		buf = appendJSONString(buf[:0], en)
		buf = appendJSONString(buf, zh)
	}
}
