package fetch

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/sources"
)

// helloSHA is sha256("hello\n").
const helloSHA = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"

func manifest(sources string) string {
	return "dataset:\n  name: test\n  title: Test\nsources:\n" + sources
}

const entry = `  - id: %s
    issuer: someone
    document_type: note
    languages: [zh]
    layout: markdown-zh
    licence: test
    heading_kinds: [article]
    snapshot: snapshots/a.txt
    sha256: %s
`

func source(id, sha string) string { return fmt.Sprintf(entry, id, sha) }

func TestParseManifestErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"empty", "", []string{"m.yaml", "is empty"}},
		{"unknown key", manifest(source("a", helloSHA) + "    colour: blue\n"), []string{"m.yaml", "line 14", "colour", "not found"}},
		{"duplicate id", manifest(source("a", helloSHA) + source("a", helloSHA)), []string{"duplicate id", `"a"`, "sources[0]"}},
		{"id escapes folder", manifest(source("../etc", helloSHA)), []string{`"../etc"`, "must match"}},
		{"id with slash", manifest(source("a/b", helloSHA)), []string{"must match"}},
		{"bad sha", manifest(source("a", "xyz")), []string{"sha256 must be 64"}},
		{"no sources", "dataset:\n  name: t\n  title: T\nsources: []\n", []string{"lists no sources"}},
		{"bad yaml", "dataset: [\n", []string{"m.yaml", "line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseManifest("m.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("ParseManifest succeeded; want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ParseManifest = %v; want it to mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestRun(t *testing.T) {
	fsys := fstest.MapFS{
		"m.yaml":          {Data: []byte(manifest(source("good", helloSHA) + strings.Replace(source("bad", strings.Repeat("0", 64)), "a.txt", "b.txt", 1)))},
		"snapshots/a.txt": {Data: []byte("hello\n")},
		"snapshots/b.txt": {Data: []byte("hello\n")},
	}
	st := &schemas.State{Sources: fsys, ManifestPath: "m.yaml"}
	err := Stage{}.Run(context.Background(), st)
	if err == nil || !strings.Contains(err.Error(), "bad: snapshot snapshots/b.txt has sha256 "+helloSHA+" but sources.yaml pins "+strings.Repeat("0", 64)) {
		t.Fatalf("Run = %v; want the bad snapshot's hash mismatch with both hashes", err)
	}
	if len(st.Docs) != 1 || st.Docs[0].Raw != nil || st.Docs[0].RawBytes != 6 || st.Dataset.Name != "test" {
		t.Fatalf("docs = %d, dataset %q; want the good one verified, its bytes not held", len(st.Docs), st.Dataset.Name)
	}
	if err := Load(fsys, &st.Docs[0]); err != nil || string(st.Docs[0].Raw) != "hello\n" {
		t.Errorf("Load = %v, %q; want the good one read", err, st.Docs[0].Raw)
	}
	// A snapshot changed after fetch verified it is refused when read.
	fsys["snapshots/a.txt"] = &fstest.MapFile{Data: []byte("hello!\n")}
	if err := Load(fsys, &st.Docs[0]); err == nil || !strings.Contains(err.Error(), "pins "+helloSHA) {
		t.Errorf("Load of a snapshot changed since fetch = %v; want the pin mismatch", err)
	}
	fsys["snapshots/a.txt"] = nil
	delete(fsys, "snapshots/a.txt")
	st = &schemas.State{Sources: fsys, ManifestPath: "m.yaml"}
	if err := (Stage{}).Run(context.Background(), st); err == nil || !strings.Contains(err.Error(), "cannot be read") {
		t.Errorf("Run with a missing snapshot = %v; want cannot be read", err)
	}
}

// TestEmbeddedManifest: the project's own manifest is valid and every
// snapshot matches its pin.
func TestEmbeddedManifest(t *testing.T) {
	m, err := LoadManifest(sources.FS(), sources.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range m.Sources {
		if _, err := Snapshot(sources.FS(), s.ID, s.Snapshot, s.SHA256); err != nil {
			t.Error(err)
		}
	}
}

// FuzzManifest: whatever bytes sources.yaml holds, reading it gives a
// manifest or a one-line error naming the file, never a panic. Seeded
// with the embedded manifest and small edits of it.
func FuzzManifest(f *testing.F) {
	embedded, err := fs.ReadFile(sources.FS(), sources.Manifest)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(embedded)
	f.Add([]byte("dataset: {name: x, title: y}\nsources:\n  - id: a\n    snapshot: snapshots/a\n    sha256: " + strings.Repeat("0", 64) + "\n    layout: auto\n    languages: [zh]\n    heading_kinds: [section]\n    clean:\n      drop:\n        - {name: r, pattern: \"a\\nb(\"}\n"))
	f.Add([]byte("dataset:\n\tname: x\n"))
	f.Add([]byte("sources: [{id: A B}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ParseManifest("sources.yaml", data)
		if err == nil {
			return
		}
		if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.Contains(msg, "sources.yaml") {
			t.Fatalf("error is not one line naming the file: %q", msg)
		}
	})
}
