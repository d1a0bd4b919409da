package corpus_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/policyledger/policyledger/corpus"
	"github.com/policyledger/policyledger/pipeline"
	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/release"
)

// TestGenerate: a generated corpus runs through every stage without a
// failure, in every layout family, and the same seed gives the same bytes.
// Its paragraphs are real translations in new neighbourhoods, so the only
// warnings expected are the misalignment check's false alarms; their rate
// is logged (see the closing figures in the README's quality section).
func TestGenerate(t *testing.T) {
	files, err := corpus.Generate(sources.FS(), 16, 7)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := corpus.Generate(sources.FS(), 16, 7)
	for name, b := range files {
		if !bytes.Equal(b, again[name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	fsys := mapFS(files)
	st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: fsys, ManifestPath: "sources.yaml", Until: "classify", NoWorkFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	layouts := map[string]bool{}
	flagged, paragraphs := 0, 0
	for _, d := range st.Docs {
		layouts[d.Layout] = true
		for _, w := range d.Warnings {
			if !strings.Contains(w, "paragraph misaligned") {
				t.Errorf("%s (%s): %s", d.Source.ID, d.Layout, w)
			}
			flagged++
		}
		for _, c := range d.Clauses {
			if c.TextZh != "" && c.TextEn != "" {
				paragraphs++
			}
		}
		if len(d.Commitments) == 0 {
			t.Errorf("%s: no classification units", d.Source.ID)
		}
	}
	if len(st.Docs) != 16 || len(layouts) < 7 {
		t.Errorf("%d documents in %d layouts (%v); want 16 in at least 7", len(st.Docs), len(layouts), layouts)
	}
	t.Logf("misalignment false alarms: %d of %d bilingual paragraphs", flagged, paragraphs)
	if flagged*50 > paragraphs {
		t.Errorf("%d of %d correctly translated paragraphs flagged as misaligned; want at most 2%%", flagged, paragraphs)
	}
}

// TestJobsSameOutput: the release and the run report are the same bytes
// whatever the number of documents worked on at once.
func TestJobsSameOutput(t *testing.T) {
	files, err := corpus.Generate(sources.FS(), 18, 3)
	if err != nil {
		t.Fatal(err)
	}
	// One source fails, so that failures are ordered too.
	files["sources.yaml"] = append(files["sources.yaml"], []byte("  - {id: broken, issuer: x, document_type: x, languages: [zh], layout: markdown-zh, licence: x, heading_kinds: [a], snapshot: snapshots/missing.md, sha256: "+strings.Repeat("0", 64)+"}\n")...)
	fsys := mapFS(files)
	var want map[string][]byte
	var wantReport string
	for _, jobs := range []int{1, 4} {
		st, _ := pipeline.Run(context.Background(), pipeline.Options{Sources: fsys, ManifestPath: "sources.yaml", Until: "classify", NoWorkFiles: true, Jobs: jobs})
		var report bytes.Buffer
		pipeline.WriteReport(&report, st, 0)
		got, err := release.Build(st.Dataset, release.Options{Version: "0.2.0"}, st.Data(), files["CHANGELOG.md"])
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want, wantReport = got, report.String()
			continue
		}
		for name := range want {
			if !bytes.Equal(want[name], got[name]) {
				t.Errorf("jobs %d: %s differs from one job's", jobs, name)
			}
		}
		if report.String() != wantReport {
			t.Errorf("jobs %d: the run report differs from one job's", jobs)
		}
	}
}

// TestStreamedRelease: the release a run streams to disk is the same bytes
// for any number of jobs, and the same as release.Build renders from the
// whole corpus in memory.
func TestStreamedRelease(t *testing.T) {
	files, err := corpus.Generate(sources.FS(), 18, 4)
	if err != nil {
		t.Fatal(err)
	}
	fsys := mapFS(files)
	var first string
	for _, jobs := range []int{1, 2, 4} {
		out := t.TempDir()
		st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: fsys, ManifestPath: "sources.yaml", Jobs: jobs, KeepDocs: true,
			Release: release.Options{Output: out, Version: "0.2.0"}})
		if err != nil {
			t.Fatal(err)
		}
		dir := release.Dir(out, "0.2.0")
		if links, cont, _ := st.Links, st.Continuity, 0; len(links) == 0 || len(cont) == 0 {
			t.Fatalf("jobs %d: %d links and %d continuity rows; generated documents are dated, so the linker has work", jobs, len(links), len(cont))
		}
		if first == "" {
			first = dir
			built, err := release.Build(st.Dataset, release.Options{Version: "0.2.0"}, st.Data(), files["CHANGELOG.md"])
			if err != nil {
				t.Fatal(err)
			}
			for name, b := range built {
				if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !bytes.Equal(got, b) {
					t.Errorf("%s as streamed differs from release.Build's (%v)", name, err)
				}
			}
			continue
		}
		filepath.WalkDir(first, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(first, p)
			a, _ := os.ReadFile(p)
			b, err := os.ReadFile(filepath.Join(dir, rel))
			if err != nil || !bytes.Equal(a, b) {
				t.Errorf("jobs %d: %s differs from one job's (%v)", jobs, rel, err)
			}
			return nil
		})
	}
}

// mapFS is a generated sources folder in memory.
func mapFS(files map[string][]byte) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, b := range files {
		fsys[name] = &fstest.MapFile{Data: b}
	}
	return fsys
}
