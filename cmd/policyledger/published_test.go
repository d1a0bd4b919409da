package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policyledger/policyledger/stages/release"
)

// TestPublishedReleaseReproduces rebuilds the newest committed release from
// the embedded snapshots with the default settings and checks it is the
// same bytes, file for file, as the one in output/releases/ (the release
// only reads the published folder). Any change to the data is therefore a
// new version, reviewed as a diff. latest.json must describe that folder,
// and CITATION.cff at the root must be the release's.
func TestPublishedReleaseReproduces(t *testing.T) {
	output, _ := filepath.Abs(filepath.Join("..", "..", "output"))
	b, err := os.ReadFile(release.LatestPath(output))
	if err != nil {
		t.Fatalf("no committed release: %v (make release, then commit output/releases/)", err)
	}
	var latest release.Latest
	if err := json.Unmarshal(b, &latest); err != nil {
		t.Fatalf("latest.json: %v", err)
	}
	dir := release.Dir(output, latest.Version)
	for name, f := range latest.Files {
		data, err := os.ReadFile(filepath.Join(dir, name))
		sum := sha256.Sum256(data)
		if err != nil || int64(len(data)) != f.Bytes || hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("latest.json: %s does not match the file (%v)", name, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(latest.Files) {
		t.Errorf("latest.json lists %d files; %s holds %d", len(latest.Files), dir, len(entries))
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"run", "--output", output, "--version", latest.Version, "--no-cache", "--log-level", "error"}, &stdout, &stderr)
	if code != exitOK || !strings.Contains(stdout.String(), "verified: identical to the published files") {
		t.Errorf("rebuilding %s: exit %d\n%s%s\nthe committed release does not reproduce: a change to the data must be a new version (make release)", latest.Version, code, stdout.String(), stderr.String())
	}
	cff, _ := os.ReadFile(filepath.Join(dir, "CITATION.cff"))
	root, _ := os.ReadFile(filepath.Join("..", "..", "CITATION.cff"))
	if !bytes.Equal(cff, root) {
		t.Errorf("CITATION.cff differs from %s's: make release copies it", latest.Version)
	}
}
