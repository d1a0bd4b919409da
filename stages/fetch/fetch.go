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
	"io/fs"

	"github.com/policyledger/policyledger/schemas"
)

// Stage reads the manifest and verified snapshots into the run state.
type Stage struct{}

// Name implements the pipeline's stage contract.
func (Stage) Name() string { return "fetch" }

// Run loads the manifest from st.Sources and one document per source.
// A snapshot that is missing or does not match its pin fails that document
// only; a bad manifest fails the run.
func (Stage) Run(ctx context.Context, st *schemas.State) error {
	m, err := LoadManifest(st.Sources, st.ManifestPath)
	if err != nil {
		return err
	}
	st.Dataset = m.Dataset
	st.Docs = st.Docs[:0]
	for _, src := range m.Sources {
		st.Docs = append(st.Docs, schemas.Document{Source: src})
	}
	return st.EachDoc("fetch", func(d *schemas.Document) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw, err := Snapshot(st.Sources, d.Source.ID, d.Source.Snapshot, d.Source.SHA256)
		if err != nil {
			return err
		}
		d.Raw = raw
		d.RawBytes = int64(len(raw))
		st.Count("fetch.bytes", len(raw))
		if d.Source.SnapshotEn != "" {
			if d.RawEn, err = Snapshot(st.Sources, d.Source.ID, d.Source.SnapshotEn, d.Source.SHA256En); err != nil {
				return err
			}
			st.Count("fetch.bytes", len(d.RawEn))
		}
		return nil
	})
}

// Snapshot reads a snapshot of source id and verifies it against its pin.
func Snapshot(fsys fs.FS, id, path, pin string) ([]byte, error) {
	raw, err := fs.ReadFile(fsys, path)
	if err != nil {
		return nil, fmt.Errorf("fetch: %s: snapshot sources/%s cannot be read (%v): restore it from the repository or fix the path in sources.yaml", id, path, err)
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != pin {
		return nil, fmt.Errorf("fetch: %s: snapshot sources/%s has sha256 %s but sources.yaml pins %s: restore the snapshot (git checkout sources/snapshots), or if the new bytes are intended, update the pin in sources.yaml", id, path, got, pin)
	}
	return raw, nil
}
