package corpus_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/policyledger/policyledger/corpus"
	"github.com/policyledger/policyledger/pipeline"
	"github.com/policyledger/policyledger/sources"
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
	fsys := fstest.MapFS{}
	for name, b := range files {
		fsys[name] = &fstest.MapFile{Data: b}
	}
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
