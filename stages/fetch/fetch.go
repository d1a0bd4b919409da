// Package fetch is the first stage: it reads the source manifest and the
// pinned snapshots (embedded in the binary, or from a sources folder on
// disk), verifies every snapshot against its pinned sha256, and produces one
// schemas.Document per source holding the raw bytes.
package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"

	"github.com/policyledger/policyledger/schemas"
)

// Stage reads the manifest and verified snapshots into the run state and,
// when asked, refreshes them over the network first.
type Stage struct{ Options Options }

// Name implements the pipeline's stage contract.
func (Stage) Name() string { return "fetch" }

// Run loads the manifest from st.Sources and one document per source, and
// verifies every snapshot against its pin, keeping only its size: Load
// reads a document's bytes when the runner gets to it, so the corpus is
// never held in memory. A snapshot that is missing or does not match its
// pin fails that document only; a bad manifest fails the run.
func (s Stage) Run(ctx context.Context, st *schemas.State) error {
	m, err := LoadManifest(st.Sources, st.ManifestPath)
	if err != nil {
		return err
	}
	if s.Options.Refresh && s.Options.Dir == "" {
		return fmt.Errorf("fetch: refreshing writes new snapshots next to the manifest, but the sources are the embedded copy: pass --sources sources/sources.yaml")
	}
	hosts := allowedHosts(m.Sources)
	st.Dataset = m.Dataset
	st.Docs = st.Docs[:0]
	for _, src := range m.Sources {
		st.Docs = append(st.Docs, schemas.Document{Source: src})
	}
	// A refresh with --accept-changes rewrites the one manifest: one
	// document at a time.
	jobs := st.Jobs
	if s.Options.Refresh {
		jobs = 1
	}
	return st.EachDocJobs("fetch", jobs, func(d *schemas.Document, t *schemas.Tally) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if s.Options.Refresh {
			if d.Source.URL == nil {
				t.Note(fmt.Sprintf("fetch: %s: no url in sources.yaml; the pinned snapshot is used", d.Source.ID))
			} else {
				res, err := s.Options.refresh(ctx, d, hosts, st.ManifestPath)
				t.Count("fetch.refresh."+map[bool]string{true: "failed", false: res.Status}[err != nil], 1)
				if err != nil {
					return err
				}
				t.Note(describe(d.Source.ID, res))
			}
		}
		if missing := Unrecorded(d.Source); len(missing) > 0 {
			d.Warnings = append(d.Warnings, fmt.Sprintf("fetch: sources.yaml: %s not recorded for this source: fill them in from the publication before releasing it", strings.Join(missing, ", ")))
		}
		n, err := s.verify(st.Sources, d.Source.ID, d.Source.Snapshot, d.Source.SHA256)
		if err != nil {
			return err
		}
		d.RawBytes = n
		t.Count("fetch.bytes", int(n))
		if d.Source.SnapshotEn != "" {
			if n, err = s.verify(st.Sources, d.Source.ID, d.Source.SnapshotEn, d.Source.SHA256En); err != nil {
				return err
			}
			t.Count("fetch.bytes", int(n))
		}
		return nil
	})
}

// Load reads a fetched document's snapshots, verified against their pins
// again: a file changed since the run began fails the document rather than
// slipping into the release.
func Load(fsys fs.FS, d *schemas.Document) error {
	raw, err := Snapshot(fsys, d.Source.ID, d.Source.Snapshot, d.Source.SHA256)
	if err != nil {
		return err
	}
	d.Raw, d.RawBytes = raw, int64(len(raw))
	if d.Source.SnapshotEn != "" {
		if d.RawEn, err = Snapshot(fsys, d.Source.ID, d.Source.SnapshotEn, d.Source.SHA256En); err != nil {
			return err
		}
	}
	return nil
}

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 1<<16); return &b }}

// verify is Verify, skipped for a snapshot on disk whose size and
// modification time Options.Seen recorded with a match to this pin.
func (s Stage) verify(fsys fs.FS, id, path, pin string) (int64, error) {
	rec := s.Options.Seen
	if rec == nil || s.Options.Dir == "" {
		return Verify(fsys, id, path, pin)
	}
	info, err := fs.Stat(fsys, path)
	if err != nil {
		return Verify(fsys, id, path, pin)
	}
	key := filepath.Join(s.Options.Dir, path)
	if rec.known(key, info, pin) {
		return info.Size(), nil
	}
	n, err := Verify(fsys, id, path, pin)
	if err == nil && n == info.Size() {
		rec.record(key, info, pin)
	}
	return n, err
}

// Verify checks a snapshot of source id against its pin without holding
// it in memory, and returns its size.
func Verify(fsys fs.FS, id, path, pin string) (int64, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return 0, unreadable(id, path, err)
	}
	defer f.Close()
	h := sha256.New()
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	n, err := io.CopyBuffer(h, struct{ io.Reader }{f}, *buf)
	if err != nil {
		return 0, unreadable(id, path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != pin {
		return 0, mismatch(id, path, got, pin)
	}
	return n, nil
}

func unreadable(id, path string, err error) error {
	return fmt.Errorf("fetch: %s: snapshot %s cannot be read (%v): restore it from the repository or fix the path in sources.yaml", id, path, err)
}

func mismatch(id, path, got, pin string) error {
	return fmt.Errorf("fetch: %s: snapshot %s has sha256 %s but sources.yaml pins %s: restore the snapshot (git checkout sources/snapshots), or if the new bytes are intended, update the pin in sources.yaml", id, path, got, pin)
}

func describe(id string, r Result) string {
	switch r.Status {
	case "not-modified":
		return fmt.Sprintf("fetch: %s: not modified since the pinned fetch (%d attempt(s))", id, r.Attempts)
	case "unchanged":
		return fmt.Sprintf("fetch: %s: unchanged, sha256 %s (%d bytes, %s, %d attempt(s))", id, r.NewSHA, r.Bytes, r.Encoding, r.Attempts)
	case "accepted":
		return fmt.Sprintf("fetch: %s: CHANGED and accepted: sha256 %s → %s (%d bytes, %s); now pinned: %s; %s", id, r.OldSHA, r.NewSHA, r.Bytes, r.Encoding, r.Snapshot, r.Diff)
	}
	return fmt.Sprintf("fetch: %s: CHANGED: sha256 %s → %s (%d bytes, %s); written to %s, not used: the pinned snapshot stays until you run with --accept-changes; %s", id, r.OldSHA, r.NewSHA, r.Bytes, r.Encoding, r.Snapshot, r.Diff)
}

// Snapshot reads a snapshot of source id and verifies it against its pin.
func Snapshot(fsys fs.FS, id, path, pin string) ([]byte, error) {
	raw, err := fs.ReadFile(fsys, path)
	if err != nil {
		return nil, unreadable(id, path, err)
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != pin {
		return nil, mismatch(id, path, got, pin)
	}
	return raw, nil
}
