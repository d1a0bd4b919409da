package release

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Outcome says what publishing did.
type Outcome string

const (
	Written   Outcome = "written"
	Unchanged Outcome = "unchanged" // the version existed with identical bytes
)

// ErrVersionExists is returned when a version folder exists with other
// bytes: a published release is never modified.
var ErrVersionExists = errors.New("release version already exists with different content")

// createFile opens a new file for writing; tests replace it to simulate a
// full disk.
var createFile = func(name string) (io.WriteCloser, error) {
	return os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
}

// openLock opens the lock file; tests replace it to simulate a read-only
// file system.
var openLock = func(path string) (*os.File, error) { return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644) }

// writeDelay slows writing down so that a test can kill the process in the
// middle of it (POLICYLEDGER_TEST_WRITE_DELAY, a Go duration); unset, it is 0.
var writeDelay, _ = time.ParseDuration(os.Getenv("POLICYLEDGER_TEST_WRITE_DELAY"))

// lock takes the releases folder's lock (released by the kernel if the
// process dies) and clears staging folders that killed runs left behind.
func lock(parent string) (unlock func(), cleared int, err error) {
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, 0, fmt.Errorf("release: create %s: %w: check permissions or choose another --output", parent, err)
	}
	path := filepath.Join(parent, ".lock")
	var f *os.File
	for attempt := 0; ; attempt++ {
		if f, err = openLock(path); err != nil {
			return nil, 0, fmt.Errorf("release: %w: check permissions on %s", err, parent)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			return nil, 0, fmt.Errorf("release: another policyledger run is writing to %s: wait for it to finish", parent)
		}
		// The lock file is removed when the lock is released; a lock taken
		// on a file that was removed meanwhile is no lock: try again.
		held, err1 := f.Stat()
		named, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(held, named) {
			break
		}
		f.Close()
		if attempt == 10 {
			return nil, 0, fmt.Errorf("release: could not take the lock %s: try again", path)
		}
	}
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), ".staging-") {
			if os.RemoveAll(filepath.Join(parent, e.Name())) == nil {
				cleared++
			}
		}
	}
	return func() { os.Remove(path); syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, cleared, nil
}

// stage writes files (name → bytes) into a new hidden staging folder next to
// final, syncing each file, and returns the folder.
func stage(final string, files map[string][]byte) (string, error) {
	parent := filepath.Dir(final)
	dir, err := os.MkdirTemp(parent, ".staging-"+filepath.Base(final)+"-")
	if err != nil {
		return "", fmt.Errorf("release: create staging folder in %s: %w: check permissions or free disk space", parent, err)
	}
	for _, name := range sortedKeys(files) {
		if err := writeSynced(filepath.Join(dir, name), files[name]); err != nil {
			os.RemoveAll(dir)
			return "", fmt.Errorf("release: write %s: %w: check free disk space and permissions; nothing was published", name, err)
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("release: %w", err)
	}
	return dir, nil
}

func writeSynced(path string, data []byte) error {
	f, err := createFile(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if s, ok := f.(interface{ Sync() error }); ok {
		if err := s.Sync(); err != nil {
			f.Close()
			return err
		}
	}
	time.Sleep(writeDelay)
	return f.Close()
}

// publish moves a complete staging folder to final in one rename. If final
// exists, it is left untouched: identical contents make the run a no-op,
// different contents are an error asking for a new version.
func publish(staging, final string) (Outcome, error) {
	defer os.RemoveAll(staging) // after a successful rename there is nothing left here
	if _, err := os.Stat(final); err == nil {
		diff, err := firstDifference(staging, final)
		if err != nil {
			return "", fmt.Errorf("release: compare with existing %s: %w", final, err)
		}
		if diff == "" {
			return Unchanged, nil
		}
		return "", fmt.Errorf("release: %s already exists and %s differs: %w; published releases are never modified: bump the version (--version or POLICYLEDGER_VERSION), or delete that folder if it was never published", final, diff, ErrVersionExists)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("release: %w", err)
	}
	if err := os.Rename(staging, final); err != nil {
		return "", fmt.Errorf("release: publish %s: %w", final, err)
	}
	if d, err := os.Open(filepath.Dir(final)); err == nil {
		d.Sync() // make the rename durable; best effort on file systems that refuse
		d.Close()
	}
	return Written, nil
}

// differsFrom names the first file of a rendered release that is not in
// folder dir with the same bytes, or a file of dir the release does not
// have; "" when they are the same. It only reads.
func differsFrom(files map[string][]byte, dir string) (string, error) {
	have, err := listFiles(dir)
	if err != nil {
		return "", err
	}
	for _, n := range have {
		if _, ok := files[n]; !ok {
			return n, nil
		}
	}
	for _, n := range sortedKeys(files) {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(n)))
		if err != nil || !bytes.Equal(b, files[n]) {
			return n, nil
		}
	}
	return "", nil
}

// firstDifference names the first file that differs between two folders,
// or returns "" when they hold the same files with the same bytes.
func firstDifference(a, b string) (string, error) {
	la, err := listFiles(a)
	if err != nil {
		return "", err
	}
	lb, err := listFiles(b)
	if err != nil {
		return "", err
	}
	seen := map[string]bool{}
	for _, n := range append(la, lb...) {
		if seen[n] {
			continue
		}
		seen[n] = true
		x, errA := os.ReadFile(filepath.Join(a, n))
		y, errB := os.ReadFile(filepath.Join(b, n))
		if errA != nil || errB != nil || !bytes.Equal(x, y) {
			return n, nil
		}
	}
	return "", nil
}

func listFiles(dir string) ([]string, error) {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(names)
	return names, err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
