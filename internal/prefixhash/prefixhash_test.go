package prefixhash

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

// TestSameSums: a hash from the prefix sums as one written whole, and the
// copies do not share state.
func TestSameSums(t *testing.T) {
	open := bytes.Repeat([]byte("curated files\n"), 1000)
	p := New(open)
	if p.state == nil {
		t.Fatal("sha256 state cannot be copied: every key would hash the opening again")
	}
	for _, rest := range []string{"", "a", "source {\"id\":\"gen-00001\"}"} {
		h := p.Hash()
		h.Write([]byte(rest))
		want := sha256.Sum256(append(append([]byte{}, open...), rest...))
		if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
			t.Errorf("prefix + %q: %x, want %x", rest, got, want)
		}
	}
	// without a copyable state, the same sums
	q := &Prefix{open: open}
	h := q.Hash()
	h.Write([]byte("x"))
	want := sha256.Sum256(append(append([]byte{}, open...), 'x'))
	if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
		t.Errorf("fallback: %x, want %x", got, want)
	}
}
