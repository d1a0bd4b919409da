package pipeline

import (
	"bytes"
	"context"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/align"
)

// embeddedMapFS copies the embedded sources into a map, to be changed.
func embeddedMapFS(t testing.TB) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	err := fs.WalkDir(sources.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sources.FS(), path)
		out[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// manifestWith keeps the dataset block and the named sources' entries of
// the embedded manifest, then appends extra entries.
func manifestWith(t testing.TB, keep []string, extra string) []byte {
	t.Helper()
	raw, err := fs.ReadFile(sources.FS(), sources.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	head, list, _ := strings.Cut(string(raw), "\nsources:\n")
	var b strings.Builder
	b.WriteString(head + "\nsources:\n")
	for _, entry := range strings.Split(list, "\n  - id: ")[0:] {
		entry = strings.TrimPrefix(entry, "  - id: ")
		id, _, _ := strings.Cut(entry, "\n")
		for _, k := range keep {
			if id == k {
				b.WriteString("  - id: " + strings.TrimRight(entry, "\n") + "\n")
			}
		}
	}
	b.WriteString(extra)
	return []byte(b.String())
}

// docRows are every released row of one document.
func docRows(d schemas.Document) map[string][][]any {
	data := schemas.Data{Docs: []schemas.Document{d}}
	out := map[string][][]any{}
	for _, tb := range []schemas.Table{schemas.DocumentsTable, schemas.ClausesTable, schemas.SentencesTable, schemas.CommitmentsTable, schemas.CommitmentMechanismsTable} {
		out[tb.Name] = tb.Rows(data)
	}
	return out
}

// TestDocumentsIndependent: the policy paper's rows are the same byte for
// byte whether it is alone in the run, with the action plan, or with an
// exact copy of itself under another id, a different bilingual text and a
// source that fails.
func TestDocumentsIndependent(t *testing.T) {
	paper, err := fs.ReadFile(sources.FS(), "snapshots/lac-policy-2025.zh-en.txt")
	if err != nil {
		t.Fatal(err)
	}
	// An exact copy of the paper's entry under another id.
	lacEntry := strings.SplitN(string(manifestWith(t, []string{"lac-policy-2025"}, "")), "\nsources:\n", 2)[1]
	copyEntry := strings.Replace(lacEntry, "id: lac-policy-2025", "id: lac-policy-copy", 1)
	// A different bilingual text: the paper with the English of every
	// fourth row cut to its first half (a run-wide length model would move).
	var ob strings.Builder
	for i, line := range strings.Split(string(paper), "\n") {
		if cells := strings.Split(line, "|"); i%4 == 0 && len(cells) >= 3 {
			en := []rune(cells[1])
			cells[1] = string(en[:len(en)/2])
			line = strings.Join(cells, "|")
		}
		ob.WriteString(line + "\n")
	}
	other := []byte(strings.TrimSuffix(ob.String(), "\n"))
	otherEntry := strings.NewReplacer("id: lac-policy-2025", "id: lac-policy-other", "snapshots/lac-policy-2025.zh-en.txt", "snapshots/other.txt",
		sum(string(paper)), sum(string(other))).Replace(lacEntry)
	broken := `  - id: broken
    issuer: test
    document_type: policy_paper
    languages: [zh, en]
    layout: bilingual-rows
    licence: test
    snapshot: snapshots/broken.txt
    sha256: ` + strings.Repeat("0", 64) + `
    heading_kinds: [part]
`
	runs := map[string][]byte{
		"alone":             manifestWith(t, []string{"lac-policy-2025"}, ""),
		"with the plan":     manifestWith(t, []string{"lac-policy-2025", "celac-jap-2022-2024"}, ""),
		"copy and a broken": manifestWith(t, []string{"celac-jap-2022-2024", "lac-policy-2025"}, copyEntry+otherEntry+broken),
	}
	var want map[string][][]any
	for _, name := range []string{"alone", "with the plan", "copy and a broken"} {
		fsys := embeddedMapFS(t)
		fsys["sources.yaml"] = &fstest.MapFile{Data: runs[name]}
		fsys["snapshots/copy.txt"] = &fstest.MapFile{Data: paper}
		fsys["snapshots/other.txt"] = &fstest.MapFile{Data: other}
		fsys["snapshots/broken.txt"] = &fstest.MapFile{Data: []byte("not what the pin says")}
		st, err := Run(context.Background(), Options{Sources: fsys, ManifestPath: "sources.yaml", Until: "classify", NoWorkFiles: true})
		if name == "copy and a broken" && (err == nil || len(st.Failures) != 1) {
			t.Fatalf("%s: Run = %v; want the broken source to fail alone", name, err)
		}
		if name != "copy and a broken" && err != nil {
			t.Fatalf("%s: Run = %v", name, err)
		}
		d, err := st.Doc("lac-policy-2025")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := docRows(*d)
		if want == nil {
			want = got
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: the policy paper's rows changed (-alone +%s):\n%s", name, name, diff)
		}
	}
}

// TestModelIsFitted keeps the shipped length model equal to a refit over
// the embedded sources: a new source that should change it is a reviewed
// diff (go run ./cmd/policyledger refit --out stages/align/model.yaml).
func TestModelIsFitted(t *testing.T) {
	st, err := Run(context.Background(), Options{Sources: sources.FS(), ManifestPath: sources.Manifest, Until: "parse", NoWorkFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	shipped := align.ModelYAML()
	if got := align.Refit(st.Docs, align.DefaultModel.Version); !bytes.Equal(got, shipped) {
		t.Errorf("stages/align/model.yaml is not the fit of the embedded sources; run go run ./cmd/policyledger refit --out stages/align/model.yaml and review the diff:\n%s", cmp.Diff(string(shipped), string(got)))
	}
}
