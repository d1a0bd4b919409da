package sources

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDirFSConfined: a snapshot linked from outside the sources folder is
// refused with the reason; a link inside the folder, and plain files, read.
func TestDirFSConfined(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.txt")
	os.WriteFile(outside, []byte("not a source"), 0o644)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "snapshots"), 0o755)
	os.WriteFile(filepath.Join(dir, "snapshots", "a.txt"), []byte("a"), 0o644)
	os.Symlink(outside, filepath.Join(dir, "snapshots", "out.txt"))
	os.Symlink("a.txt", filepath.Join(dir, "snapshots", "in.txt"))
	fsys := DirFS(dir)
	if _, err := fs.ReadFile(fsys, "snapshots/out.txt"); err == nil || !strings.Contains(err.Error(), "outside the sources folder") {
		t.Errorf("linked from outside: %v; want refused", err)
	}
	for _, name := range []string{"snapshots/a.txt", "snapshots/in.txt"} {
		if b, err := fs.ReadFile(fsys, name); err != nil || string(b) != "a" {
			t.Errorf("%s: %q, %v", name, b, err)
		}
	}
	if _, err := fs.ReadFile(fsys, "snapshots/missing.txt"); err == nil {
		t.Error("a missing file read without error")
	}
}

// TestSnapshotsKeptAsBytes: git leaves the pinned snapshots' and the
// published releases' bytes alone (a checkout with core.autocrlf would
// otherwise turn LF into CRLF, and every sha256 would fail).
func TestSnapshotsKeptAsBytes(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	for _, path := range []string{"snapshots/lac-policy-2025.zh-en.txt", "../output/releases/latest.json", "../output/releases/0.5.1/clauses.csv"} {
		out, err := exec.Command(git, "check-attr", "text", "--", path).CombinedOutput()
		if err != nil {
			t.Skipf("git check-attr: %v: %s", err, out) // not a git checkout
		}
		if !strings.HasSuffix(strings.TrimSpace(string(out)), ": text: unset") {
			t.Errorf("git check-attr text %s: %s; want unset (see .gitattributes)", path, out)
		}
	}
}
