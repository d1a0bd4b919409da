package pipeline

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestLinkRowsFile: rows put in one run are got in the next under their
// keys; a damaged record is a miss, and so is every record of a file
// whose index is damaged or cut off; a run whose file could not be written
// keeps nothing.
func TestLinkRowsFile(t *testing.T) {
	dir := t.TempDir()
	pending := filepath.Join(dir, ".pending")
	os.MkdirAll(pending, 0o755)
	key := func(i int) (k [32]byte) { copy(k[:], fmt.Sprintf("key %d", i)); return k }
	rows := func(i int) []byte { return bytes.Repeat([]byte(fmt.Sprintf("rows of task %d;", i)), 1+i) }

	l := openLinkRows(dir, pending)
	for i := range 20 {
		l.Put(key(i), rows(i))
	}
	path, err := l.finish()
	if err != nil {
		t.Fatal(err)
	}
	final := filepath.Join(dir, linkRowsName)
	os.Rename(path, final)

	l = openLinkRows(dir, pending)
	for i := range 20 {
		if b, ok := l.Get(key(i)); !ok || !bytes.Equal(b, rows(i)) {
			t.Fatalf("Get(key %d) = %.30q, %v; want the rows put", i, b, ok)
		}
	}
	if _, ok := l.Get(key(99)); ok {
		t.Error("Get(a key never put) found rows")
	}
	l.finish()

	whole, _ := os.ReadFile(final)
	damaged := bytes.Clone(whole)
	damaged[10] ^= 0xff // in the first record
	os.WriteFile(final, damaged, 0o644)
	l = openLinkRows(dir, pending)
	if _, ok := l.Get(key(0)); ok {
		t.Error("a damaged record was got")
	}
	if _, ok := l.Get(key(5)); !ok {
		t.Error("an intact record next to a damaged one was not got")
	}
	l.finish()

	for name, b := range map[string][]byte{"cut off": whole[:len(whole)-5], "index damaged": append(bytes.Clone(whole[:len(whole)-16]), make([]byte, 16)...), "empty": nil} {
		os.WriteFile(final, b, 0o644)
		l = openLinkRows(dir, pending)
		if _, ok := l.Get(key(3)); ok {
			t.Errorf("%s: a record was got", name)
		}
		l.finish()
	}

	// A write that fails drops the new file.
	l = openLinkRows(dir, pending)
	l.new.Close() // the disk goes away
	for i := range 3 {
		l.Put(key(i), bytes.Repeat([]byte("x"), 1<<17))
	}
	if path, err := l.finish(); err == nil || path != "" {
		t.Errorf("finish after a failed write = %q, %v; want no file and an error", path, err)
	}
	if _, err := os.Stat(filepath.Join(pending, linkRowsName)); err == nil {
		t.Error("a file that could not be written whole was left behind")
	}
}
