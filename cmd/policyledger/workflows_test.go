package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var pinned = regexp.MustCompile(`^\s*-?\s*uses:\s*[\w.-]+/[\w./-]+@[0-9a-f]{40}\s+#\s*v\S+`)

// TestWorkflowsPinned: the three workflows exist and every action they use
// is pinned by commit SHA, with its version in a comment (actionlint, run
// by make test, checks the rest).
func TestWorkflowsPinned(t *testing.T) {
	dir := filepath.Join("..", "..", ".github", "workflows")
	for _, name := range []string{"ci.yml", "regenerate.yml", "publish.yml"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("workflow %s: %v", name, err)
			continue
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "uses:") && !pinned.MatchString(line) {
				t.Errorf("%s:%d: %q is not pinned by commit SHA with a version comment", name, i+1, strings.TrimSpace(line))
			}
		}
	}
}
