package fetch

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// lineDiff lists the lines of b that differ from a, for files of the same
// number of lines.
func lineDiff(t *testing.T, a, b string) []string {
	t.Helper()
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(al) != len(bl) {
		t.Fatalf("line count changed: %d → %d", len(al), len(bl))
	}
	var out []string
	for i := range al {
		if al[i] != bl[i] {
			out = append(out, al[i]+" → "+bl[i])
		}
	}
	return out
}

// TestSetValuesByteDiff changes the pin of a source in the real manifest:
// the only bytes that change are the two values.
func TestSetValuesByteDiff(t *testing.T) {
	data, err := os.ReadFile("../../sources/sources.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sha := strings.Repeat("a", 64)
	out, err := SetValues(data, "celac-jap-2022-2024", map[string]string{"snapshot": "snapshots/celac.new.md", "sha256": sha})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"    snapshot: snapshots/celac-jap-2022-2024.zh.md →     snapshot: snapshots/celac.new.md",
		"    sha256: 5187bea12f90878042dd997ca39715fc94c3e350266d04f61d90cd494866849d →     sha256: " + sha,
	}
	if diff := cmp.Diff(want, lineDiff(t, string(data), string(out))); diff != "" {
		t.Errorf("changed lines (-want +got):\n%s", diff)
	}
	m, err := ParseManifest("sources.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	if s := m.Sources[1]; s.Snapshot != "snapshots/celac.new.md" || s.SHA256 != sha {
		t.Errorf("read back %s %s", s.Snapshot, s.SHA256)
	}
}

// TestSetValuesFlow: two values on one line of a flow mapping, and a value
// that needs quoting.
func TestSetValuesFlow(t *testing.T) {
	in := "sources:\n  - {id: a, snapshot: snapshots/a.md, sha256: 00}  # pinned 2021\n"
	out, err := SetValues([]byte(in), "a", map[string]string{"snapshot": "snapshots/a b: c.md", "sha256": "ff"})
	if err != nil {
		t.Fatal(err)
	}
	want := "sources:\n  - {id: a, snapshot: \"snapshots/a b: c.md\", sha256: ff}  # pinned 2021\n"
	if string(out) != want {
		t.Errorf("SetValues = %q; want %q", out, want)
	}
	if _, err := SetValues([]byte(in), "b", map[string]string{"sha256": "ff"}); err == nil {
		t.Error("SetValues of an unknown source succeeded")
	}
}

// TestAppendSource: the manifest's bytes stay a prefix; a key after the
// list keeps its comments below the new entry.
func TestAppendSource(t *testing.T) {
	data, err := os.ReadFile("../../sources/sources.yaml")
	if err != nil {
		t.Fatal(err)
	}
	entry := "  - id: new-doc\n    issuer: null\n"
	out, err := AppendSource(data, entry)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), string(data)) || !strings.HasSuffix(string(out), "\n\n"+entry) {
		t.Errorf("AppendSource changed what was there, or appended elsewhere:\n%s", string(out)[len(out)-200:])
	}
	in := "sources:\n  - id: a\n\n# trailing notes\nother: 1\n"
	out, err = AppendSource([]byte(in), "  - id: b\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "sources:\n  - id: a\n\n  - id: b\n\n# trailing notes\nother: 1\n"; string(out) != want {
		t.Errorf("AppendSource = %q; want %q", out, want)
	}
}

// TestManifestErrors: a syntax error names the line where it is and asks
// for a YAML fix; an unknown key names its line and asks to fix the key.
func TestManifestErrors(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []string
	}{
		{"unclosed list", "dataset: {name: t, title: T}\nsources:\n  - id: a\n    languages: [zh, en\n    layout: auto\n", []string{"line 5", "fix the YAML"}},
		{"bad indentation", "dataset: {name: t, title: T}\nsources:\n  - id: a\n    layout: auto\n   issuer: x\n", []string{"line 5", "fix the YAML"}},
		{"unknown key", "dataset: {name: t, title: T}\nsources:\n  - id: a\n    colour: blue\n", []string{"line 4", "colour", "fix or remove the key"}},
	} {
		_, err := ParseManifest("sources.yaml", []byte(tt.in))
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v; want it to mention %q", tt.name, err, w)
			}
		}
	}
}
