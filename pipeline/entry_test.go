package pipeline

import (
	"context"
	"encoding/json"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/policyledger/policyledger/corpus"
	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/release"
)

// TestEntryDecodesAsWritten: a cache entry, written with encoding/json and
// read with the JSON v2 decoder, gives the values encoding/json reads back,
// for documents of every layout family as the link stage leaves them.
func TestEntryDecodesAsWritten(t *testing.T) {
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
		if len(d.Commitments) == 0 || len(d.Sentences) == 0 {
			t.Fatalf("%s: %d commitments, %d sentences: want a document with both", d.Source.ID, len(d.Commitments), len(d.Sentences))
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
		got.Link = nil // (not JSON: the features follow it as bytes)
		e.Link = nil
		js, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var want cacheEntry
		if err := json.Unmarshal(js, &want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" { // (nil and empty differ too)
			t.Fatalf("%s: the entry reads back differently from encoding/json's reading (-v1 +v2):\n%s", d.Source.ID, diff)
		}
	}
	if len(layouts) < 4 {
		t.Errorf("layouts %v: want documents of several layouts", layouts)
	}
}
