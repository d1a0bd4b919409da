package anchors

import (
	"os"
	"strings"
	"testing"

	"github.com/policyledger/policyledger/sources"
)

// BenchmarkZh scans the Chinese lines of the policy paper's snapshot with
// the shipped glossary and mechanism names, as alignment and the linker do.
func BenchmarkZh(b *testing.B) {
	terms, err := Load(sources.FS())
	if err != nil {
		b.Fatal(err)
	}
	names, err := LoadRegistry(sources.FS())
	if err != nil {
		b.Fatal(err)
	}
	g := NewGlossary(terms, names)
	raw, err := os.ReadFile("../sources/snapshots/lac-policy-2025.zh-en.txt")
	if err != nil {
		b.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		for _, l := range lines {
			g.Zh(l)
		}
	}
}
