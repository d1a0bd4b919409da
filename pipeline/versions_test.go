package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/policyledger/policyledger/stages/release"
)

// TestAutomaticVersions: the first release is 0.1.0; an unchanged rerun
// makes no version and writes nothing; one changed paragraph makes the next
// patch version, whose changes.jsonl holds only changed records, for
// exactly that clause and what hangs off it; a removed column makes a
// major version.
func TestAutomaticVersions(t *testing.T) {
	fsys := embeddedMapFS(t)
	out := t.TempDir()
	runAuto := func() string {
		t.Helper()
		st, err := Run(context.Background(), Options{Sources: fsys, ManifestPath: "sources.yaml", Release: release.Options{Output: out, Version: release.Auto}})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(st.Notes, "\n")
	}
	latest := func() string {
		t.Helper()
		var l release.Latest
		b, err := os.ReadFile(release.LatestPath(out))
		if err != nil || json.Unmarshal(b, &l) != nil {
			t.Fatalf("latest.json: %v", err)
		}
		return l.Version
	}
	runAuto()
	if v := latest(); v != "0.1.0" {
		t.Fatalf("first release %s; want 0.1.0", v)
	}
	before := tree(t, out)
	if notes := runAuto(); !strings.Contains(notes, "up to date") {
		t.Errorf("unchanged rerun notes %q; want up to date", notes)
	}
	if after := tree(t, out); !equalTrees(before, after) {
		t.Error("an unchanged rerun wrote files")
	}

	// One paragraph of the action plan changes: 交往 → 往来.
	snap := "snapshots/celac-jap-2022-2024.zh.md"
	old := fsys[snap].Data
	changed := bytes.Replace(old, []byte("扩大各层级交往"), []byte("扩大各层级往来"), 1)
	if bytes.Equal(old, changed) {
		t.Fatal("the edit did not apply")
	}
	fsys[snap] = &fstest.MapFile{Data: changed}
	fsys["sources.yaml"] = &fstest.MapFile{Data: bytes.Replace(fsys["sources.yaml"].Data, []byte(hexSum(old)), []byte(hexSum(changed)), 1)}
	runAuto()
	if v := latest(); v != "0.1.1" {
		t.Fatalf("after one changed paragraph: %s; want the patch 0.1.1", v)
	}
	clause := "celac-jap-2022-2024/art1/item1"
	tables := map[string]bool{}
	for _, c := range readChanges(t, filepath.Join(out, "releases", "0.1.1", "changes.jsonl")) {
		tables[c.Table] = true
		if c.Kind != release.Changed {
			t.Errorf("%s %s is %s; want only changed records", c.Table, c.ID, c.Kind)
		}
		switch c.Table {
		case "documents":
			if c.ID != "celac-jap-2022-2024" {
				t.Errorf("documents: %s changed", c.ID)
			}
		case "clauses":
			if c.ID != clause {
				t.Errorf("clauses: %s changed; want only %s", c.ID, clause)
			}
			if f := c.Fields["text_zh"]; !strings.Contains(string(f.Old), "交往") || !strings.Contains(string(f.New), "往来") {
				t.Errorf("clauses: text_zh %s → %s", f.Old, f.New)
			}
		default: // its sentences and units; its links and continuity
			if c.ID != clause && !strings.HasPrefix(c.ID, clause+"/") && !strings.HasPrefix(c.ID, clause+" | ") {
				t.Errorf("%s: %s changed; it does not hang off %s", c.Table, c.ID, clause)
			}
		}
	}
	for _, want := range []string{"documents", "clauses", "sentences", "commitments"} {
		if !tables[want] {
			t.Errorf("no %s record changed; want the rows of the changed paragraph", want)
		}
	}
	md, _ := os.ReadFile(filepath.Join(out, "releases", "0.1.1", "CHANGES.md"))
	if !strings.Contains(string(md), "a patch release") || !strings.Contains(string(md), clause) {
		t.Errorf("CHANGES.md:\n%s", md)
	}
	log, _ := os.ReadFile(filepath.Join(out, "releases", "0.1.1", "CHANGELOG.md"))
	if !strings.Contains(string(log), "## 0.1.1\n\nA patch release after 0.1.0.") || !strings.Contains(string(log), "## 0.1.0") {
		t.Errorf("CHANGELOG.md does not carry both versions:\n%s", log)
	}
	if cff, _ := os.ReadFile(filepath.Join(out, "releases", "0.1.1", "CITATION.cff")); !strings.Contains(string(cff), "version: \"0.1.1\"") {
		t.Errorf("CITATION.cff:\n%s", cff)
	}

	// A column the previous release had and this one lacks: major.
	dp := filepath.Join(out, "releases", "0.1.1", "datapackage.json")
	b, _ := os.ReadFile(dp)
	os.WriteFile(dp, bytes.Replace(b, []byte(`"fields": [`), []byte(`"fields": [{"name": "gone", "type": "string"},`), 1), 0o644)
	// as if 0.1.1 had been published so: its record of sizes made anew
	os.Remove(release.LatestPath(out))
	if err := release.WriteLatest(filepath.Join(out, "releases")); err != nil {
		t.Fatal(err)
	}
	runAuto()
	if v := latest(); v != "1.0.0" {
		t.Fatalf("after a removed column: %s; want the major 1.0.0", v)
	}
	if md, _ := os.ReadFile(filepath.Join(out, "releases", "1.0.0", "CHANGES.md")); !strings.Contains(string(md), "column `gone` removed") {
		t.Errorf("CHANGES.md does not name the removed column:\n%s", md)
	}
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func readChanges(t *testing.T, path string) []release.Change {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []release.Change
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var c release.Change
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		t.Fatalf("%s is empty", path)
	}
	return out
}

// tree lists every file under dir with its size, modification time and hash.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, _ := d.Info()
		b, _ := os.ReadFile(p)
		out[p] = fi.ModTime().String() + hexSum(b)
		return nil
	})
	return out
}

func equalTrees(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
