package rx

import (
	"strings"
	"testing"
)

func TestCompile(t *testing.T) {
	if re, err := Compile(`a(b)`); err != nil || !re.MatchString("xab") {
		t.Fatalf("Compile(a(b)) = %v, %v", re, err)
	}
	for _, p := range []string{"a\nb(", "x\r[", "(?P<n\n>a)", "\\"} {
		_, err := Compile(p)
		if err == nil {
			t.Fatalf("Compile(%q) accepted it", p)
		}
		if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.Contains(msg, "pattern ") {
			t.Errorf("Compile(%q) = %q; want one line quoting the pattern", p, msg)
		}
	}
}
