package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sourcesCopy copies the project's sources folder to a temporary one and
// returns the path of its sources.yaml.
func sourcesCopy(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "sources")
	err := filepath.WalkDir("../../sources", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("../../sources", path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "sources.yaml")
}

// snapshotFiles lists the snapshots folder.
func snapshotFiles(t *testing.T, manifest string) []string {
	entries, err := os.ReadDir(filepath.Join(filepath.Dir(manifest), "snapshots"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestAddLayouts adds the policy paper in every layout family (the
// fixtures of pipeline/testdata/layouts) to a copy of the sources: each is
// detected, parsed and appended, the manifest's earlier bytes untouched,
// and the new manifest runs.
func TestAddLayouts(t *testing.T) {
	const fixtures = "../../pipeline/testdata/layouts/"
	for _, tt := range []struct {
		files  []string
		layout string
		langs  string
	}{
		{[]string{"rows-plain.txt"}, "bilingual-rows", "[zh, en]"},
		{[]string{"rows-en-first.txt"}, "bilingual-rows-en-first", "[zh, en]"},
		{[]string{"interleaved-headings-one-line.txt"}, "interleaved-zh-en", "[zh, en]"},
		{[]string{"interleaved-en-zh.txt"}, "interleaved-en-zh", "[zh, en]"},
		{[]string{"same-line-en-zh.txt"}, "same-line-en-zh", "[zh, en]"},
		{[]string{"html-interleaved.html"}, "interleaved-zh-en", "[zh, en]"},
		{[]string{"html-parallel.html", "html-parallel.en.html"}, "parallel-texts", "[zh, en]"},
		{[]string{"monolingual-zh.txt"}, "monolingual-zh", "[zh]"},
		{[]string{"monolingual-en.txt"}, "monolingual-en", "[en]"},
	} {
		t.Run(tt.files[0], func(t *testing.T) {
			manifest := sourcesCopy(t)
			before, _ := os.ReadFile(manifest)
			args := []string{"add", "--sources", manifest, "--id", "added"}
			for _, f := range tt.files {
				args = append(args, fixtures+f)
			}
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), args, &stdout, &stderr); code != exitOK {
				t.Fatalf("add exit %d: %s", code, stderr.String())
			}
			if !strings.Contains(stdout.String(), "layout       "+tt.layout+" (detected") {
				t.Errorf("add did not report layout %s:\n%s", tt.layout, stdout.String())
			}
			after, _ := os.ReadFile(manifest)
			if !bytes.HasPrefix(after, before) {
				t.Errorf("add changed the manifest's existing bytes")
			}
			added := string(after[len(before):])
			for _, want := range []string{"- id: added", "layout: " + tt.layout + "\n", "languages: " + tt.langs, "issuer: null", "licence: null"} {
				if !strings.Contains(added, want) {
					t.Errorf("entry lacks %q:\n%s", want, added)
				}
			}
			out := t.TempDir()
			stderr.Reset()
			if code := run(context.Background(), []string{"run", "--sources", manifest, "--output", out, "--until", "classify", "--log-level", "error"}, &bytes.Buffer{}, &stderr); code != exitOK {
				t.Errorf("run over the new manifest: exit %d: %s", code, stderr.String())
			}
		})
	}
}

// TestAddRefuses: what does not parse, an id in use and a snapshot name
// taken by other bytes each exit non-zero with the reason, and leave the
// manifest and the snapshots folder exactly as they were.
func TestAddRefuses(t *testing.T) {
	tmp := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(tmp, name)
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	noStructure := write("prose.txt", "只是一段话。\n\n又一段话。\n")
	headingsOnly := write("headings.md", "## 第一条 甲\n\n## 第二条 乙\n")
	binary := write("image.txt", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00")
	good := write("good.md", "## 第一条 合作\n\n一、加强交流。\n")
	for _, tt := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no structure", []string{"--id", "prose", noStructure}, exitFailures, []string{"does not parse", "no headings or numbered items", "nothing was written"}},
		{"headings only", []string{"--id", "heads", headingsOnly}, exitFailures, []string{"2 headings and no paragraphs", "nothing was written"}},
		{"binary", []string{"--id", "binary", binary}, exitFailures, []string{"image.txt", "--encoding"}},
		{"id in use", []string{"--id", "lac-policy-2025", good}, exitUsage, []string{"already has a source with id"}},
		{"snapshot taken", []string{"--id", "lac-policy-2025.zh-en", "--format", "text", good}, exitFailures, []string{"exists with other bytes"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			manifest := sourcesCopy(t)
			if tt.name == "snapshot taken" {
				// A source id whose snapshot name an existing file holds.
				tt.args[len(tt.args)-1] = write("x.txt", "## 第一条 合作\n\n一、加强交流。\n")
			}
			before, _ := os.ReadFile(manifest)
			files := snapshotFiles(t, manifest)
			var stderr bytes.Buffer
			code := run(context.Background(), append([]string{"add", "--sources", manifest}, tt.args...), &bytes.Buffer{}, &stderr)
			if code != tt.code {
				t.Errorf("exit %d; want %d: %s", code, tt.code, stderr.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("error %q does not mention %q", strings.TrimSpace(stderr.String()), w)
				}
			}
			after, _ := os.ReadFile(manifest)
			if !bytes.Equal(before, after) {
				t.Error("the manifest changed")
			}
			if got := snapshotFiles(t, manifest); strings.Join(got, ",") != strings.Join(files, ",") {
				t.Errorf("snapshots changed: %v → %v", files, got)
			}
		})
	}
}
