package fetch

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/sources"
)

// TestSeen: a snapshot recorded as verified is not hashed again while its
// size and modification time stay; a changed snapshot (new time) is
// hashed and refused; a corrupt record is rebuilt, never trusted.
func TestSeen(t *testing.T) {
	dir := t.TempDir()
	snap := filepath.Join(dir, "snapshots", "a.txt")
	if err := os.MkdirAll(filepath.Dir(snap), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(manifest(source("good", helloSHA))), 0o644)
	os.WriteFile(snap, []byte("hello\n"), 0o644)
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	os.Chtimes(snap, old, old)
	record := filepath.Join(dir, "cache", "snapshots.json")
	run := func() error {
		rec := OpenSeen(record)
		st := &schemas.State{Sources: sources.DirFS(dir), ManifestPath: "m.yaml"}
		err := Stage{Options: Options{Dir: dir, Seen: rec}}.Run(context.Background(), st)
		if err == nil {
			rec.Save()
		}
		return err
	}
	if err := run(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(record)
	if err != nil || !strings.Contains(string(b), helloSHA) {
		t.Fatalf("record %q, %v; want the verified snapshot in it", b, err)
	}
	// Same size and time, other bytes: the record is what is read (this is
	// the case it cannot see, as git's index cannot; only a tool that
	// restores a file's time can make it).
	os.WriteFile(snap, []byte("HELLO\n"), 0o644)
	os.Chtimes(snap, old, old)
	if err := run(); err != nil {
		t.Fatalf("run with the recorded size and time = %v; want the snapshot taken as verified", err)
	}
	// An ordinary edit changes the time: the bytes are hashed and refused.
	later := old.Add(time.Minute)
	os.Chtimes(snap, later, later)
	if err := run(); err == nil || !strings.Contains(err.Error(), "pins "+helloSHA) {
		t.Fatalf("run after an edit = %v; want the pin mismatch", err)
	}
	// A corrupt record is read as empty: every snapshot is hashed.
	os.WriteFile(snap, []byte("hello\n"), 0o644)
	os.Chtimes(snap, old, old)
	os.WriteFile(record, []byte("{not json"), 0o644)
	if err := run(); err != nil {
		t.Fatalf("run with a corrupt record = %v; want it rebuilt", err)
	}
	if b, _ := os.ReadFile(record); !strings.Contains(string(b), helloSHA) {
		t.Errorf("record after a corrupt one: %q; want it rewritten", b)
	}
	// A snapshot written just now is hashed but not recorded: its time
	// could stay the same through a second write in the same tick. Save
	// hashes it again once it is old enough.
	os.Remove(record)
	os.WriteFile(snap, []byte("hello\n"), 0o644)
	rec := OpenSeen(record)
	st := &schemas.State{Sources: sources.DirFS(dir), ManifestPath: "m.yaml"}
	if err := (Stage{Options: Options{Dir: dir, Seen: rec}}).Run(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(snap, []byte("HELLO\n"), 0o644) // changed within the tick: same size
	info, _ := os.Stat(snap)
	os.Chtimes(snap, info.ModTime().Add(-racy), info.ModTime().Add(-racy))
	if rec.racy[filepath.Join(dir, "snapshots/a.txt")].SHA256 == "" {
		t.Fatal("a snapshot written just now was not left for Save")
	}
	// Its time moved (Chtimes), so Save does not record it; had the bytes
	// stayed, they would be hashed again and recorded.
	rec.Save()
	if b, _ := os.ReadFile(record); strings.Contains(string(b), helloSHA) {
		t.Errorf("record %q; a snapshot changed after it was hashed is not recorded", b)
	}
	os.WriteFile(snap, []byte("hello\n"), 0o644)
	info, _ = os.Stat(snap)
	rec = OpenSeen(record)
	rec.record(filepath.Join(dir, "snapshots/a.txt"), info, helloSHA)
	past := info.ModTime().Add(-racy)
	os.Chtimes(snap, past, past)
	rec.racy[filepath.Join(dir, "snapshots/a.txt")] = seenEntry{Size: 6, ModTime: past.UnixNano(), SHA256: helloSHA}
	rec.Save()
	if b, _ := os.ReadFile(record); !strings.Contains(string(b), helloSHA) {
		t.Errorf("record %q; a racy snapshot unchanged since is recorded by Save", b)
	}
}
