package pipeline_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policyledger/policyledger/pipeline"
	"github.com/policyledger/policyledger/stages/release"
)

// TestReleasedFilesChange: a file the previous version released and this
// one does not is a change the version says (a link to it breaks), and so
// is a new one. Turning the Excel copies (--csv-bom) off made a patch
// release whose changes said only that the data card was made differently.
// A data file gone is a major version; a convenience copy gone, or any
// file new, a minor one.
func TestReleasedFilesChange(t *testing.T) {
	src, out := writeCorpus(t, 3), t.TempDir()
	run := func(bom bool) (version, changes string) {
		t.Helper()
		opt := options(src, out, release.Auto, false)
		opt.Release.CSVBOM = bom
		if _, err := pipeline.Run(context.Background(), opt); err != nil {
			t.Fatal(err)
		}
		var l release.Latest
		b, _ := os.ReadFile(release.LatestPath(out))
		if err := json.Unmarshal(b, &l); err != nil {
			t.Fatal(err)
		}
		md, _ := os.ReadFile(filepath.Join(out, "releases", l.Version, "CHANGES.md"))
		return l.Version, string(md)
	}
	run(true)
	if v, md := run(false); v != "0.2.0" || !strings.Contains(md, "file `clauses.excel.csv` is no longer released") || strings.Contains(md, "`clauses.csv`") {
		t.Errorf("Excel copies dropped: %s with\n%s\nwant the minor 0.2.0 naming each copy", v, md)
	}
	if v, md := run(true); v != "0.3.0" || !strings.Contains(md, "new file `sentences.excel.csv`") {
		t.Errorf("Excel copies back: %s with\n%s\nwant the minor 0.3.0 naming each new copy", v, md)
	}

	// As if 0.3.0 had released review in JSON Lines too, and published so.
	dir := filepath.Join(out, "releases", "0.3.0")
	data := []byte("{}\n")
	os.WriteFile(filepath.Join(dir, "review.jsonl"), data, 0o644)
	sum := sha256.Sum256(data)
	f, _ := os.OpenFile(filepath.Join(dir, "SHA256SUMS"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(hex.EncodeToString(sum[:]) + "  review.jsonl\n")
	f.Close()
	os.Remove(release.LatestPath(out))
	if err := release.WriteLatest(filepath.Join(out, "releases")); err != nil {
		t.Fatal(err)
	}
	if v, md := run(true); v != "1.0.0" || !strings.Contains(md, "file `review.jsonl` is no longer released") {
		t.Errorf("a data file gone: %s with\n%s\nwant the major 1.0.0 naming it", v, md)
	}
}
