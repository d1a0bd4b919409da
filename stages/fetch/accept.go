package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/policyledger/policyledger/schemas"
)

// Options are the fetch stage's settings.
type Options struct {
	// Refresh fetches every source that has a url; AcceptChanges then pins
	// changed bodies in the manifest. Both need Dir, the manifest's folder
	// on disk, since they write there.
	Refresh       bool
	AcceptChanges bool
	Dir           string
	HTTP          HTTP
	// Seen, when set, lets snapshots on disk whose size and modification
	// time were recorded with a match to their pin skip hashing.
	Seen *Seen
}

// allowedHosts are the hosts the manifest's urls name; redirects may go
// only there.
func allowedHosts(srcs []schemas.Source) map[string]bool {
	hosts := map[string]bool{}
	for _, s := range srcs {
		if s.URL == nil {
			continue
		}
		if u, err := url.Parse(*s.URL); err == nil && u.Hostname() != "" {
			hosts[strings.ToLower(u.Hostname())] = true
		}
	}
	return hosts
}

// refresh fetches one source and, when its body differs from the pin,
// writes it as a new snapshot next to the old one. With AcceptChanges it
// then pins the new snapshot in the manifest and in d.Source.
func (o Options) refresh(ctx context.Context, d *schemas.Document, hosts map[string]bool, manifest string) (Result, error) {
	src := d.Source
	body, enc, notModified, attempts, err := o.HTTP.Download(ctx, src, hosts, o.Dir)
	if err != nil {
		return Result{Attempts: attempts}, err
	}
	res := Result{Encoding: enc, OldSHA: src.SHA256, Attempts: attempts, Bytes: len(body)}
	if notModified {
		res.Status = "not-modified"
		return res, nil
	}
	sum := sha256.Sum256(body)
	res.NewSHA = hex.EncodeToString(sum[:])
	if res.NewSHA == src.SHA256 {
		res.Status = "unchanged"
		return res, nil
	}
	ext := path.Ext(src.Snapshot)
	stem := strings.TrimSuffix(src.Snapshot, ext)
	if i := strings.LastIndex(path.Base(stem), "."); i > 0 && len(path.Base(stem))-i-1 == 12 {
		stem = strings.TrimSuffix(stem, path.Base(stem)[i:]) // an earlier refresh's hash suffix
	}
	res.Snapshot = fmt.Sprintf("%s.%s%s", stem, res.NewSHA[:12], ext)
	if err := writeNew(filepath.Join(o.Dir, filepath.FromSlash(res.Snapshot)), body); err != nil {
		return res, fmt.Errorf("fetch: %s: write new snapshot %s: %w: the pinned snapshot is unchanged", src.ID, res.Snapshot, err)
	}
	old, _ := os.ReadFile(filepath.Join(o.Dir, filepath.FromSlash(src.Snapshot)))
	res.Diff = summary(string(old), string(body))
	res.Status = "changed"
	if o.AcceptChanges {
		if err := pin(filepath.Join(o.Dir, manifest), src.ID, res.Snapshot, res.NewSHA); err != nil {
			return res, err
		}
		d.Source.Snapshot, d.Source.SHA256 = res.Snapshot, res.NewSHA
		res.Status = "accepted"
	}
	return res, nil
}

// writeNew writes a file that must not exist yet (or already hold exactly
// these bytes), through a temporary file and a rename.
func writeNew(name string, data []byte) error {
	if old, err := os.ReadFile(name); err == nil {
		if bytes.Equal(old, data) {
			return nil
		}
		return fmt.Errorf("%s exists with other bytes", name)
	}
	return WriteFileAtomic(name, data)
}

// pin rewrites the manifest's entry for id to the new snapshot and hash,
// changing only those two values where they are written (comments, folded
// text and blank lines stay), atomically.
func pin(manifest, id, snapshot, sha string) error {
	data, err := os.ReadFile(manifest)
	if err != nil {
		return fmt.Errorf("fetch: accept %s: %w", id, err)
	}
	out, err := SetValues(data, id, map[string]string{"snapshot": snapshot, "sha256": sha})
	if err != nil {
		return fmt.Errorf("fetch: accept %s: %s: %w", id, manifest, err)
	}
	if _, err := ParseManifest(manifest, out); err != nil {
		return fmt.Errorf("fetch: accept %s: the updated manifest would not load (%v); %s is unchanged", id, err, manifest)
	}
	return WriteFileAtomic(manifest, out)
}

// WriteFileAtomic replaces name with data through a synced temporary file
// in the same folder and a rename, so a reader sees the old file or the new
// one, never part of either.
func WriteFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

func findSource(doc *yaml.Node, id string) *yaml.Node {
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "sources" {
			continue
		}
		for _, item := range root.Content[i+1].Content {
			for j := 0; j+1 < len(item.Content); j += 2 {
				if item.Content[j].Value == "id" && item.Content[j+1].Value == id {
					return item
				}
			}
		}
	}
	return nil
}
