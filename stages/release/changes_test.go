package release

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/policyledger/policyledger/schemas"
)

// TestDiffFilesIsReference: reading the two files side by side gives the
// changes, in the order, that reading both whole gives, for tables that
// lose, gain, change and move records, in JSON Lines and in CSV.
func TestDiffFilesIsReference(t *testing.T) {
	table := schemas.Table{Name: "t", PrimaryKey: []string{"doc", "id"}}
	rng := rand.New(rand.NewPCG(5, 6))
	write := func(dir, name string, recs [][3]string) {
		var b strings.Builder
		if strings.HasSuffix(name, ".csv") {
			b.WriteString("doc,id,value\n")
			for _, r := range recs {
				fmt.Fprintf(&b, "%s,%s,\"%s\"\n", r[0], r[1], r[2])
			}
		} else {
			for _, r := range recs {
				fmt.Fprintf(&b, `{"doc":%q,"id":%q,"value":%q}`+"\n", r[0], r[1], r[2])
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	changes := 0
	for k := 0; k < 300; k++ {
		var old [][3]string
		for i := 0; i < rng.IntN(60); i++ {
			old = append(old, [3]string{fmt.Sprint("d", i/7), fmt.Sprint("r", i), fmt.Sprint("v", rng.IntN(3))})
		}
		var cur [][3]string
		for _, r := range old {
			switch rng.IntN(10) {
			case 0: // removed
			case 1:
				r[2] += "x" // changed
				cur = append(cur, r)
			case 2:
				cur = append(cur, [3]string{r[0], r[1] + "new", "v"}, r) // one added before it
			default:
				cur = append(cur, r)
			}
		}
		switch rng.IntN(4) {
		case 0: // a block moved to the front, as a document moved up the manifest
			if n := len(cur); n > 4 {
				i := rng.IntN(n - 3)
				block := append([][3]string(nil), cur[i:i+3]...)
				cur = append(block, append(cur[:i:i], cur[i+3:]...)...)
			}
		case 1:
			rng.Shuffle(len(cur), func(i, j int) { cur[i], cur[j] = cur[j], cur[i] })
		}
		for _, name := range []string{"t.jsonl", "t.csv"} {
			oldDir, newDir := t.TempDir(), t.TempDir()
			write(oldDir, name, old)
			write(newDir, name, cur)
			got, err := diffFiles(table, name, oldDir, newDir, true)
			if err != nil {
				t.Fatal(err)
			}
			oldRecs, err := refReadRecords(oldDir, table, name)
			if err != nil {
				t.Fatal(err)
			}
			newRecs, err := refReadRecords(newDir, table, name)
			if err != nil {
				t.Fatal(err)
			}
			want := refDiffRecords("t", oldRecs, newRecs)
			if len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
				t.Fatalf("case %d %s: diffFiles gives %d changes, the reference %d:\n%v\n%v", k, name, len(got), len(want), got, want)
			}
			changes += len(want)
		}
	}
	if changes < 1000 {
		t.Fatalf("only %d changes over the cases: the test compares too little", changes)
	}
	// A table the previous release did not have: every row added, in order.
	dir := t.TempDir()
	write(dir, "t.jsonl", [][3]string{{"a", "1", "x"}, {"a", "2", "y"}})
	got, err := diffFiles(table, "t.jsonl", "", dir, false)
	if err != nil || len(got) != 2 || got[0].ID != "a | 1" || got[1].Kind != Added {
		t.Fatalf("new table: %v, %v", got, err)
	}
	// A row without its key column is an error naming the file and line.
	write(dir, "t.jsonl", [][3]string{{"a", "1", "x"}})
	os.WriteFile(filepath.Join(dir, "t.jsonl"), []byte("{\"doc\":\"a\",\"id\":\"1\",\"value\":\"x\"}\n{\"doc\":\"a\"}\n"), 0o644)
	old := t.TempDir()
	write(old, "t.jsonl", [][3]string{{"a", "1", "x"}, {"a", "2", "y"}})
	if _, err := diffFiles(table, "t.jsonl", old, dir, true); err == nil || !strings.Contains(err.Error(), "t.jsonl line 2") {
		t.Fatalf("err = %v; want the file and line of the row without a key", err)
	}
}

// TestSameAs: a table file counts as unchanged only when the previous
// release's SHA256SUMS lists its hash and the file there has its size; a
// previous file edited since, or no SHA256SUMS, means it is compared.
func TestSameAs(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "t.jsonl"), []byte("{\"id\":\"1\"}\n"), 0o644)
	w := &Writer{info: map[string]fileInfo{"t.jsonl": {bytes: 11, hash: "abc"}, "u.jsonl": {bytes: 3, hash: "def"}}}
	if w.sameAs(dir) != nil {
		t.Fatal("no SHA256SUMS: want every table compared")
	}
	os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte("abc  t.jsonl\nxyz  u.jsonl\n"), 0o644)
	same := w.sameAs(dir)
	if !same("t.jsonl") {
		t.Error("same hash and size: want unchanged")
	}
	if same("u.jsonl") || same("v.jsonl") {
		t.Error("another hash, or a file not written: want compared")
	}
	os.WriteFile(filepath.Join(dir, "t.jsonl"), []byte("{\"id\":\"1\",\"x\":2}\n"), 0o644)
	if same("t.jsonl") {
		t.Error("the previous file edited since its SHA256SUMS: want compared")
	}
}
