package pipeline

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/policyledger/policyledger/corpus"
	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/release"
)

// TestEntryReadsBack: a cache entry reads back as the values written, nil
// and empty apart, link features included, for documents of every layout
// family as the link stage leaves them. What a document's JSON leaves out
// (its snapshot bytes, its features as a field) the entry leaves out too.
func TestEntryReadsBack(t *testing.T) {
	files, err := corpus.Generate(sources.FS(), 12, 3)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for name, b := range files {
		fsys[name] = &fstest.MapFile{Data: b}
	}
	st, err := Run(context.Background(), Options{Sources: fsys, ManifestPath: "sources.yaml", KeepDocs: true,
		Release: release.Options{Output: t.TempDir(), Version: "0.1.0"}})
	if err != nil {
		t.Fatal(err)
	}
	layouts := map[string]bool{}
	for _, d := range st.Docs {
		layouts[d.Layout] = true
		if len(d.Commitments) == 0 || len(d.Sentences) == 0 || d.Features == nil || len(d.Features.Prepared) == 0 {
			t.Fatalf("%s: %d commitments, %d sentences, features %v: want a document with all three", d.Source.ID, len(d.Commitments), len(d.Sentences), d.Features != nil)
		}
		e := cacheEntry{Key: "k", Doc: d, UpTo: "link", Link: d.Features}
		b, err := encodeEntry(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeEntry(b)
		if err != nil {
			t.Fatalf("%s: %v", d.Source.ID, err)
		}
		e.Doc.Raw, e.Doc.RawEn, e.Doc.Features = nil, nil, nil
		if diff := cmp.Diff(e, got); diff != "" { // (nil and empty differ too)
			t.Fatalf("%s: the entry reads back differently (-written +read):\n%s", d.Source.ID, diff)
		}
	}
	if len(layouts) < 4 {
		t.Errorf("layouts %v: want documents of several layouts", layouts)
	}
}
