package release

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
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
		if err := tryLock(f); err != nil {
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
	return func() { os.Remove(path); unlockFile(f); f.Close() }, cleared, nil
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

// comparison checks a release, as it is written, against a published
// folder, reading each file alongside: nothing is written or held.
type comparison struct {
	dir  string
	made map[string]bool
	diff []string // files that differ, in the order found
	err  error
}

func (c *comparison) create(name string) (io.WriteCloser, error) {
	c.made[name] = true
	f, err := os.Open(filepath.Join(c.dir, filepath.FromSlash(name)))
	if err != nil {
		c.diff = append(c.diff, name)
		return nopWriteCloser{}, nil
	}
	return &compareFile{c: c, name: name, f: f, r: bufio.NewReaderSize(f, 1<<16)}, nil
}

// result names the first file that differs, or, once the release is
// complete, a file of the folder the release does not have; "" when they
// are the same.
func (c *comparison) result(complete bool) (string, error) {
	if c.err != nil {
		return "", c.err
	}
	have, err := listFiles(c.dir)
	if err != nil {
		return "", err
	}
	for _, n := range have {
		if complete && !c.made[n] {
			return n, nil
		}
	}
	if len(c.diff) > 0 {
		sort.Strings(c.diff)
		return c.diff[0], nil
	}
	return "", nil
}

type compareFile struct {
	c      *comparison
	name   string
	f      *os.File
	r      *bufio.Reader
	buf    []byte
	differ bool
}

func (w *compareFile) Write(p []byte) (int, error) {
	if w.differ {
		return len(p), nil
	}
	if cap(w.buf) < len(p) {
		w.buf = make([]byte, len(p))
	}
	b := w.buf[:len(p)]
	if _, err := io.ReadFull(w.r, b); err != nil || !bytes.Equal(b, p) {
		w.differ = true
	}
	return len(p), nil
}

func (w *compareFile) Close() error {
	if !w.differ {
		if _, err := w.r.ReadByte(); err != io.EOF {
			w.differ = true // the published file is longer
		}
	}
	if w.differ {
		w.c.diff = append(w.c.diff, w.name)
	}
	return w.f.Close()
}

type nopWriteCloser struct{}

func (nopWriteCloser) Write(p []byte) (int, error) { return len(p), nil }
func (nopWriteCloser) Close() error                { return nil }

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
