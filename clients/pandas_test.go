package clients

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// python is Debian's interpreter, where python3-pandas installs.
const python = "/usr/bin/python3"

func requirePandas(t *testing.T) {
	t.Helper()
	if err := exec.Command(python, "-c", "import pandas").Run(); err != nil {
		if requireFixtures() {
			t.Fatalf("%s cannot import pandas (%v): apt-get install python3-pandas", python, err)
		}
		t.Skipf("%s cannot import pandas: apt-get install python3-pandas (make test requires it)", python)
	}
}

// TestPandas loads every CSV and JSON Lines file with pandas and checks row
// counts, keys and a known text (see check_release.py).
func TestPandas(t *testing.T) {
	requirePandas(t)
	want, _ := json.Marshal(map[string]any{"counts": rowCounts(), "clause_id": knownClauseID, "prefix": knownPrefix})
	script, _ := filepath.Abs("check_release.py")
	cmd := exec.Command(python, script, string(want))
	cmd.Dir = releaseDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("check_release.py: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "pandas checks passed") {
		t.Errorf("check_release.py did not report success:\n%s", out)
	}
	t.Logf("%s", out)
}

// TestPandasReadmeExample runs the README's Python against the release.
func TestPandasReadmeExample(t *testing.T) {
	requirePandas(t)
	for _, code := range readmeBlocks(t, "python") {
		f := filepath.Join(t.TempDir(), "example.py")
		if err := os.WriteFile(f, []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(python, f)
		cmd.Dir = releaseDir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("README Python failed: %v\n%s\n%s", err, code, out)
		}
		if !strings.Contains(string(out), "lac-policy-2025") {
			t.Errorf("README Python printed nothing about the documents:\n%s", out)
		}
		// The README's example decodes list columns: the heading paths it
		// prints are lists, not JSON text.
		if strings.Contains(code, "json.loads") && (!regexp.MustCompile(`lac-policy-2025\s+75\n`).Match(out) || !strings.Contains(string(out), "[前言]")) {
			t.Errorf("README Python did not print 75 paragraphs of the policy paper and a decoded heading path [前言]:\n%s", out)
		}
	}
}
