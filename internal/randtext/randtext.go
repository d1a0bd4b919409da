// Package randtext makes random texts for the tests that compare a fast
// scan with its plain definition: pieces the scan looks at, joined in
// random order.
package randtext

import (
	"math/rand/v2"
	"strings"
)

// Join joins up to max-1 pieces drawn from parts.
func Join(rng *rand.Rand, parts []string, max int) string {
	var b strings.Builder
	for range rng.IntN(max) {
		b.WriteString(parts[rng.IntN(len(parts))])
	}
	return b.String()
}
