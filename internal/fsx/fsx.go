// Package fsx holds the few file-system steps the runner and the release
// share: undoing the folders a failed run created.
package fsx

import (
	"os"
	"path/filepath"
)

// FirstMissing is the outermost folder of dir's path that does not exist
// yet, or "" when dir exists: what MkdirAll(dir) is about to create.
func FirstMissing(dir string) string {
	missing := ""
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil {
			return missing
		}
		missing = p
		if filepath.Dir(p) == p {
			return missing
		}
	}
}

// RemoveEmpty removes dir and then its parents up to and including top,
// each only if it is empty, and stops at the first that is not. With top
// from FirstMissing it undoes an MkdirAll that nothing was written into.
func RemoveEmpty(top, dir string) {
	if top == "" {
		return
	}
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		if os.Remove(p) != nil || p == filepath.Clean(top) || filepath.Dir(p) == p {
			return
		}
	}
}
