package pipeline_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/s2"

	"github.com/policyledger/policyledger/corpus"
	"github.com/policyledger/policyledger/internal/bincodec"
	"github.com/policyledger/policyledger/pipeline"
	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/align"
	"github.com/policyledger/policyledger/stages/release"
)

// writeCorpus writes a generated sources folder of n documents to disk.
func writeCorpus(t *testing.T, n int) string {
	t.Helper()
	files, err := corpus.Generate(sources.FS(), n, 5)
	if err != nil {
		t.Fatal(err)
	}
	files["CHANGELOG.md"] = append(files["CHANGELOG.md"], []byte("\n## 0.2.1\n\nAgain.\n")...)
	dir := t.TempDir()
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// options are the options of a run of the sources folder src into out,
// with the cache under out or without one.
func options(src, out, version string, cache bool) pipeline.Options {
	opt := pipeline.Options{Sources: sources.DirFS(src), ManifestPath: "sources.yaml",
		Align:   align.Options{ReviewThreshold: 0.8},
		Release: release.Options{Output: out, Version: version, ReviewThreshold: 0.8}}
	if cache {
		opt.CacheDir = filepath.Join(out, "cache")
	}
	return opt
}

func runIn(t *testing.T, src, out, version string, cache bool) (counts map[string]int, notes string) {
	t.Helper()
	st, err := pipeline.Run(context.Background(), options(src, out, version, cache))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return st.Counts, strings.Join(st.Notes, "\n")
}

// listing is every file under dir with its modification time and hash.
func listing(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, _ := d.Info()
		b, _ := os.ReadFile(p)
		sum := sha256.Sum256(b)
		out[p] = fi.ModTime().Format(time.RFC3339Nano) + " " + hex.EncodeToString(sum[:])
		return nil
	})
	return out
}

func sameTree(t *testing.T, a, b string) {
	t.Helper()
	la, lb := listing(t, a), listing(t, b)
	if len(la) != len(lb) {
		t.Fatalf("%s has %d files, %s %d", a, len(la), b, len(lb))
	}
	for p, v := range la {
		rel, _ := filepath.Rel(a, p)
		w := lb[filepath.Join(b, rel)]
		if v[strings.Index(v, " "):] != w[strings.Index(w, " "):] {
			t.Errorf("%s differs", rel)
		}
	}
}

// TestIncrementalRuns: a rerun with nothing changed does no stage work and
// writes nothing; a release built from cached documents is the same bytes
// as one built without the cache; a changed document is recomputed alone;
// a corrupt cache entry is recomputed, never trusted.
func TestIncrementalRuns(t *testing.T) {
	src := writeCorpus(t, 6)
	out := t.TempDir()
	if c, _ := runIn(t, src, out, "0.2.0", true); c["cache.stored"] != 6 || c["cache.hit"] != 0 {
		t.Fatalf("first run: counts %v; want 6 documents stored", c)
	}
	before := listing(t, out)
	c, notes := runIn(t, src, out, "0.2.0", true)
	if c["cache.hit"] != 0 || c["parse.paragraph"] != 0 || c["fetch.bytes"] == 0 || !strings.Contains(notes, "up to date") {
		t.Errorf("unchanged rerun: counts %v, notes %q; want only fetch run (no entry read) and up to date", c, notes)
	}
	after := listing(t, out)
	for p, v := range before {
		if after[p] != v {
			t.Errorf("unchanged rerun rewrote %s", p)
		}
	}
	if len(after) != len(before) {
		t.Errorf("unchanged rerun left %d files; there were %d", len(after), len(before))
	}
	// A published file gone missing: not up to date; the release stage
	// finds the folder differs and says so.
	missing := filepath.Join(out, "releases", "0.2.0", "clauses.csv")
	saved := mustRead(t, missing)
	os.Remove(missing)
	if _, err := pipeline.Run(context.Background(), options(src, out, "0.2.0", true)); err == nil || !strings.Contains(err.Error(), "clauses.csv") {
		t.Errorf("rerun with a published file missing: %v; want the release refused naming clauses.csv", err)
	}
	os.WriteFile(missing, saved, 0o644)

	// A new version from cached documents equals one built from scratch.
	c, _ = runIn(t, src, out, "0.2.1", true)
	// (Documents are dated two a week: the four of the first two weeks
	// are each compared with later ones, the last two with none.)
	if c["cache.hit"] != 6 || c["cache.link_rows_kept"] != 4 {
		t.Errorf("new version: counts %v; want every document and the rows of all 4 comparisons from the cache", c)
	}
	sameAsFresh(t, src, out, "0.2.1")

	// Change one document: only it is recomputed.
	manifest, _ := os.ReadFile(filepath.Join(src, "sources.yaml"))
	snap := filepath.Join(src, "snapshots", "gen-00001.txt")
	old, _ := os.ReadFile(snap)
	changed := bytes.Replace(old, []byte("当前世界"), []byte("当今世界"), 1)
	if bytes.Equal(old, changed) {
		t.Fatal("the edit did not apply")
	}
	os.WriteFile(snap, changed, 0o644)
	os.WriteFile(filepath.Join(src, "sources.yaml"), bytes.Replace(manifest, []byte(sumOf(old)), []byte(sumOf(changed)), 1), 0o644)
	os.WriteFile(filepath.Join(src, "CHANGELOG.md"), append(mustRead(t, filepath.Join(src, "CHANGELOG.md")), []byte("\n## 0.2.2\n\nOne paragraph.\n")...), 0o644)
	// (gen-00001 shares the first date with gen-00002, so it is in no
	// other document's comparison: only its own is made again.)
	if c, _ := runIn(t, src, out, "0.2.2", true); c["cache.hit"] != 5 || c["cache.stored"] != 1 || c["cache.link_rows_kept"] != 3 {
		t.Errorf("one document changed: counts %v; want 5 hits and 1 stored, and the rows of the 3 comparisons without it kept", c)
	}
	sameAsFresh(t, src, out, "0.2.2")

	// Corrupt an entry: it is recomputed, and the release is unchanged.
	entry := filepath.Join(out, "cache", "docs", "gen-00002"+pipeline.EntrySuffix)
	if _, err := os.Stat(entry); err != nil {
		t.Fatalf("no cache entry to corrupt: %v", err)
	}
	os.WriteFile(entry, []byte(`{"key": "not s2`), 0o644)
	os.WriteFile(filepath.Join(src, "CHANGELOG.md"), append(mustRead(t, filepath.Join(src, "CHANGELOG.md")), []byte("\n## 0.2.3\n\nSame.\n")...), 0o644)
	if c, _ := runIn(t, src, out, "0.2.3", true); c["cache.stale"] != 1 || c["cache.stored"] != 1 || c["cache.hit"] != 5 {
		t.Errorf("corrupt entry: counts %v; want it stale and recomputed", c)
	}
	sameAsFresh(t, src, out, "0.2.3")

	// An entry that holds a document as classify left it, without its
	// link features, is recomputed, not taken as far as link: its
	// document would be in no link.
	entry = filepath.Join(out, "cache", "docs", "gen-00003"+pipeline.EntrySuffix)
	e := readEntry(t, entry)
	if e.Link == nil || len(e.Link.Prepared) == 0 || e.UpTo != "link" {
		t.Fatalf("entry %s: up to %q, link features %v; want one with link features", entry, e.UpTo, e.Link != nil)
	}
	e.Link, e.UpTo = nil, "classify"
	writePlain(t, entry, bincodec.Append(nil, e))
	os.WriteFile(filepath.Join(src, "CHANGELOG.md"), append(mustRead(t, filepath.Join(src, "CHANGELOG.md")), []byte("\n## 0.2.4\n\nSame.\n")...), 0o644)
	if c, _ := runIn(t, src, out, "0.2.4", true); c["cache.stale"] != 1 || c["cache.hit"] != 5 {
		t.Errorf("entry without link features: counts %v; want it stale and recomputed", c)
	}
	sameAsFresh(t, src, out, "0.2.4")

	// An entry cut short (with the checksum of what is left), and one
	// whose link features were damaged after its checksum was taken, are
	// recomputed.
	cut := filepath.Join(out, "cache", "docs", "gen-00004"+pipeline.EntrySuffix)
	plain := bincodec.Append(nil, readEntry(t, cut))
	writePlain(t, cut, plain[:len(plain)-10])
	damaged := filepath.Join(out, "cache", "docs", "gen-00005"+pipeline.EntrySuffix)
	plain = bincodec.Append(nil, readEntry(t, damaged))
	sum := crc32.Checksum(plain, crc32.MakeTable(crc32.Castagnoli))
	plain[len(plain)-10] ^= 0x55 // inside the prepared features, the entry's last field
	os.WriteFile(damaged, append(binary.BigEndian.AppendUint32(nil, sum), s2.Encode(nil, plain)...), 0o644)
	os.WriteFile(filepath.Join(src, "CHANGELOG.md"), append(mustRead(t, filepath.Join(src, "CHANGELOG.md")), []byte("\n## 0.2.5\n\nSame.\n")...), 0o644)
	if c, _ := runIn(t, src, out, "0.2.5", true); c["cache.stale"] != 2 || c["cache.hit"] != 4 {
		t.Errorf("entries cut short and damaged: counts %v; want both stale and recomputed", c)
	}
}

// readEntry reads a cache entry: the CRC-32C of its content, then the
// content compressed with S2, the entry in bincodec's form.
func readEntry(t *testing.T, path string) pipeline.CacheEntry {
	t.Helper()
	z := mustRead(t, path)
	plain, err := s2.Decode(nil, z[4:])
	if err != nil {
		t.Fatal(err)
	}
	if crc32.Checksum(plain, crc32.MakeTable(crc32.Castagnoli)) != binary.BigEndian.Uint32(z) {
		t.Fatalf("%s: checksum does not match", path)
	}
	var e pipeline.CacheEntry
	if err := bincodec.Decode(plain, &e); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return e
}

// writePlain writes an entry's content with its checksum.
func writePlain(t *testing.T, path string, plain []byte) {
	t.Helper()
	z := append(binary.BigEndian.AppendUint32(nil, crc32.Checksum(plain, crc32.MakeTable(crc32.Castagnoli))), s2.Encode(nil, plain)...)
	if err := os.WriteFile(path, z, 0o644); err != nil {
		t.Fatal(err)
	}
}

// sameAsFresh checks that release version in out equals one built from
// src without the cache, after the same earlier releases (a release's
// changes depend on its predecessor).
func sameAsFresh(t *testing.T, src, out, version string) {
	t.Helper()
	fresh := t.TempDir()
	copyReleases(t, out, fresh, version)
	runIn(t, src, fresh, version, false)
	sameTree(t, filepath.Join(out, "releases", version), filepath.Join(fresh, "releases", version))
}

func sumOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// copyReleases copies the published versions of from, but except, to to.
func copyReleases(t *testing.T, from, to, except string) {
	t.Helper()
	src := filepath.Join(from, "releases")
	entries, _ := os.ReadDir(src)
	for _, e := range entries {
		if !e.IsDir() || e.Name() == except || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if err := os.CopyFS(filepath.Join(to, "releases", e.Name()), os.DirFS(filepath.Join(src, e.Name()))); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCacheClearsAbandoned: the pending folder of a killed run (unchanged
// for over an hour) is removed by the next run that commits; one still
// being filled is left alone.
func TestCacheClearsAbandoned(t *testing.T) {
	out := t.TempDir()
	dir := filepath.Join(out, "cache")
	old, recent := filepath.Join(dir, ".pending-old"), filepath.Join(dir, ".pending-recent")
	for _, d := range []string{old, recent} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "doc.json.s2"), []byte("entry"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hours := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(old, hours, hours); err != nil {
		t.Fatal(err)
	}
	_, notes := runIn(t, writeCorpus(t, 2), out, "0.1.0", true)
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("the abandoned pending folder is still there (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(recent, "doc.json.s2")); err != nil {
		t.Errorf("a recent pending folder was touched: %v", err)
	}
	if !strings.Contains(notes, "removed 1 folder(s) of entries that killed runs left unfinished") {
		t.Errorf("the run report does not say what was removed:\n%s", notes)
	}
}
