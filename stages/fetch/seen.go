package fetch

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Seen remembers, for each snapshot on disk, the size and modification
// time it had when its bytes were last hashed and matched their pin, as
// git's index does: an unchanged rerun then reads each file's metadata, not
// its bytes. It is a cache: missing, unreadable or from another program,
// it is rebuilt, and every snapshot is hashed again.
type Seen struct {
	path string
	mu   sync.Mutex
	old  map[string]seenEntry
	now  map[string]seenEntry
	racy map[string]seenEntry // hashed too soon after being written; Save hashes them again
}

type seenEntry struct {
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
	SHA256  string `json:"sha256"`
}

// racy is how recent a modification may be for a snapshot to be
// remembered: a file written within it of being hashed could change again
// within the same clock tick and keep its time.
const racy = 2 * time.Second

// OpenSeen reads the record at path (a file under the cache folder).
func OpenSeen(path string) *Seen {
	s := &Seen{path: path, old: map[string]seenEntry{}, now: map[string]seenEntry{}, racy: map[string]seenEntry{}}
	if b, err := os.ReadFile(path); err == nil {
		if json.Unmarshal(b, &s.old) != nil {
			s.old = map[string]seenEntry{}
		}
	}
	return s
}

// known reports whether the file at key, with this metadata, was hashed
// and matched pin before.
func (s *Seen) known(key string, info fs.FileInfo, pin string) bool {
	if s == nil || info.ModTime().IsZero() {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.old[key]
	if !ok || e.Size != info.Size() || e.ModTime != info.ModTime().UnixNano() || e.SHA256 != pin {
		return false
	}
	s.now[key] = e
	return true
}

// record remembers a file whose bytes were just hashed and matched pin; a
// file modified less than racy before is left for Save to hash again.
func (s *Seen) record(key string, info fs.FileInfo, pin string) {
	if s == nil || info.ModTime().IsZero() {
		return
	}
	e := seenEntry{Size: info.Size(), ModTime: info.ModTime().UnixNano(), SHA256: pin}
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Since(info.ModTime()) < racy {
		s.racy[key] = e
		return
	}
	s.now[key] = e
}

// settle hashes the racy files again, now that more time has passed: one
// with the same size and time and still matching its pin is recorded.
func (s *Seen) settle() {
	for key, e := range s.racy {
		info, err := os.Stat(key)
		if err != nil || info.Size() != e.Size || info.ModTime().UnixNano() != e.ModTime || time.Since(info.ModTime()) < racy {
			continue
		}
		f, err := os.Open(key)
		if err != nil {
			continue
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err == nil && hex.EncodeToString(h.Sum(nil)) == e.SHA256 {
			if again, err := os.Stat(key); err == nil && again.ModTime().UnixNano() == e.ModTime && again.Size() == e.Size {
				s.now[key] = e
			}
		}
	}
}

// Save writes what this run verified, when it differs from what was read:
// a temporary file renamed into place, so a reader never sees half of it.
// The runner calls it once the run has published its release, so a failed
// or up-to-date run writes nothing. Failing to write a cache is not an
// error of the run.
func (s *Seen) Save() {
	if s == nil {
		return
	}
	s.settle()
	if sameEntries(s.old, s.now) {
		return
	}
	b, err := json.Marshal(s.now)
	if err != nil || os.MkdirAll(filepath.Dir(s.path), 0o755) != nil {
		return
	}
	tmp := s.path + ".tmp"
	if os.WriteFile(tmp, b, 0o644) == nil && os.Rename(tmp, s.path) == nil {
		return
	}
	os.Remove(tmp)
}

func sameEntries(a, b map[string]seenEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
