package pipeline_test

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policyledger/policyledger/pipeline"
	"github.com/policyledger/policyledger/stages/release"
)

// TestDamagedPublished: a published release whose files are no longer
// the size they were published at stops the run, naming the folder, the
// file and the remedy, and nothing is written; it stops an unchanged
// rerun (which reads no document), a rerun that would make the next
// version (whose changes would be read off the damaged files), and a
// rerun that checks a version named by hand. Restored, the release is
// up to date again.
func TestDamagedPublished(t *testing.T) {
	src := writeCorpus(t, 3)
	out := t.TempDir()
	runIn(t, src, out, release.Auto, true)
	v010 := filepath.Join(out, "releases", "0.1.0")
	run := func(version string, cache bool) error {
		_, err := pipeline.Run(context.Background(), options(src, out, version, cache))
		return err
	}
	releases := func() map[string]string { return listing(t, filepath.Join(out, "releases")) }
	damage := func(name string, truncate bool) (restore func()) {
		t.Helper()
		path := filepath.Join(v010, name)
		saved := mustRead(t, path)
		if truncate {
			os.WriteFile(path, saved[:len(saved)/2], 0o644)
		} else {
			os.Remove(path)
		}
		return func() { os.WriteFile(path, saved, 0o644) }
	}
	refused := func(what string, err error, want ...string) {
		t.Helper()
		if err == nil || !errors.Is(err, pipeline.ErrFatal) {
			t.Errorf("%s: %v; want the run stopped", what, err)
			return
		}
		for _, w := range append(want, v010+" is damaged", "restore that folder from a copy", "--version 0.1.0") {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v; want it to say %q", what, err, w)
			}
		}
	}

	for _, tt := range []struct {
		name     string
		truncate bool
		want     string
	}{
		{"clauses.jsonl", true, "clauses.jsonl is "},
		{"README.md", false, "README.md is missing"},
		{"SHA256SUMS", true, "SHA256SUMS is "},
	} {
		restore := damage(tt.name, tt.truncate)
		before := releases()
		refused("unchanged rerun, "+tt.name, run(release.Auto, true), tt.want)
		refused("version by hand, "+tt.name, run("0.1.0", false), tt.want)
		if after := releases(); !maps.Equal(before, after) {
			t.Errorf("%s: a refused run changed the releases folder", tt.name)
		}
		restore()
	}

	// A changed document would make 0.1.1 from changes read off 0.1.0.
	manifest := filepath.Join(src, "sources.yaml")
	orig := mustRead(t, manifest)
	edited := strings.Replace(string(orig), "    issuer: generated\n", "    issuer: generated (changed)\n", 1)
	if edited == string(orig) {
		t.Fatal("the manifest edit did not apply")
	}
	os.WriteFile(manifest, []byte(edited), 0o644)
	restore := damage("sentences.csv", true)
	before := releases()
	refused("next version", run(release.Auto, true), "sentences.csv is ")
	if after := releases(); !maps.Equal(before, after) {
		t.Error("the refused next version changed the releases folder")
	}
	restore()
	os.WriteFile(manifest, orig, 0o644)

	if _, notes := runIn(t, src, out, release.Auto, true); !strings.Contains(notes, "up to date") {
		t.Errorf("restored: %s; want up to date", notes)
	}
}
