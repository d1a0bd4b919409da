// Package sources embeds the project's source manifest (sources.yaml), the
// dataset changelog (CHANGELOG.md) and the raw snapshots the manifest pins,
// so that a built binary can produce a release with no network and no
// checkout. The fetch stage reads them through FS.
package sources

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

//go:embed sources.yaml snapshots CHANGELOG.md glossary.yaml mechanisms.yaml overrides.yaml
var files embed.FS

// FS returns the embedded manifest and snapshots.
func FS() embed.FS { return files }

// Manifest is the manifest's path inside FS.
const Manifest = "sources.yaml"

// DirFS is a sources folder on disk, read through a manifest there. Unlike
// os.DirFS it refuses a file that resolves outside the folder (a symbolic
// link to elsewhere), so that what a release is built from is what the
// folder holds.
func DirFS(dir string) fs.FS { return confined{dir: dir, base: os.DirFS(dir)} }

type confined struct {
	dir  string
	base fs.FS
}

func (c confined) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	root, err := filepath.EvalSymlinks(c.dir)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(filepath.Join(c.dir, filepath.FromSlash(name)))
	if err != nil {
		return c.base.Open(name) // let the base say what is wrong (not there, …)
	}
	if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("it resolves to %s, outside the sources folder %s: copy the file into the folder instead of linking it", real, root)}
	}
	return c.base.Open(name)
}
