package utf8x

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var text = strings.Repeat("中方愿同拉方加强在联合国等多边机制中的协调与合作，共同维护发展中国家利益。", 50)

func BenchmarkDecode(b *testing.B) {
	b.SetBytes(int64(len(text)))
	b.Run("utf8", func(b *testing.B) {
		n := 0
		for range b.N {
			for i := 0; i < len(text); {
				r, size := utf8.DecodeRuneInString(text[i:])
				n += int(r)
				i += size
			}
		}
	})
	b.Run("utf8x", func(b *testing.B) {
		n := 0
		for range b.N {
			for i := 0; i < len(text); {
				r, size := Decode3(text[i:])
				if size == 0 {
					r, size = utf8.DecodeRuneInString(text[i:])
				}
				n += int(r)
				i += size
			}
		}
	})
}
