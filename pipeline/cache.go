package pipeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/s2"

	"github.com/policyledger/policyledger/internal/bincodec"
	"github.com/policyledger/policyledger/internal/fsx"
	"github.com/policyledger/policyledger/internal/prefixhash"
	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/stages/link"
	"github.com/policyledger/policyledger/stages/release"
)

// The incremental runner. Each document's results after classification are
// kept under a key of everything they depend on: its manifest entry (with
// the pins of its snapshot bytes), the curated files of the sources folder, the settings that
// change rows, and the program itself (the running executable's hash, so
// that any change of code is a change of key). A rerun finds unchanged
// documents there and skips their stages; if every document is unchanged
// and the version was built from the same keys, the release is up to date
// and nothing is written. The cache lives in <output>/cache, is safe to
// delete, and an entry that does not read back, or reads back under another
// key, is recomputed, never trusted.

// cacheVersion changes when the entry format does. Version 2 compresses
// entries with zstd: an entry's JSON is about 8 bytes per byte of its
// snapshot, which made the cache larger than the release; compressed it is
// a small fraction, and writing it costs less than writing the JSON.
// Version 3 keeps the link stage's prepared features too, and the stage
// the entry was made after. Version 4 compresses with S2 instead: zstd's
// fastest level was 2.5 s of a 21 s first run at N = 1000, S2 a third of
// that, for entries 40 % larger (still a fifth of their JSON); the link
// features follow the JSON as bytes (see encodeEntry). Version 5: those
// bytes are link's own encoding instead of gob's. Version 6: that
// encoding's second version (bigram keys as numbers). Version 7: entries
// in bincodec's binary form instead of JSON, which took 2 of the 32 CPU
// seconds of a first run at N = 1000 to write, and 2.3 of the 10 of a
// one-change rerun to read.
const cacheVersion = "policyledger-cache-7"

var (
	exeOnce sync.Once
	exeSum  string
)

// programHash is the sha256 of the running executable ("" if unreadable,
// which disables the cache).
func programHash() string {
	exeOnce.Do(func() {
		path, err := os.Executable()
		if err != nil {
			return
		}
		f, err := os.Open(path)
		if err != nil {
			return
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err == nil {
			exeSum = hex.EncodeToString(h.Sum(nil))
		}
	})
	return exeSum
}

// cache is one run's view of the cache folder.
type cache struct {
	dir     string
	program string
	// prefix is what every document's rows depend on besides its own
	// inputs, hashed once: every key opens with it
	prefix  *prefixhash.Prefix
	keys    map[string]string // document id → key, for the documents of this run
	release string            // key of the release these documents make

	mu       sync.Mutex
	pending  string // where this run's new entries wait for its success
	created  string // the outermost folder the cache created, for discard
	rows     *linkRows
	rowsKept int      // comparisons whose rows came from the last run
	notes    []string // for the run report
}

// openCache prepares the cache for a run, or returns nil when caching is
// off or the program cannot be identified.
func openCache(opt Options, st *schemas.State) *cache {
	if opt.CacheDir == "" {
		return nil
	}
	program := programHash()
	if program == "" {
		return nil
	}
	var shared bytes.Buffer
	fmt.Fprintf(&shared, "%s\nprogram %s\nreview_threshold %v\n", cacheVersion, program, opt.Align.ReviewThreshold)
	for _, name := range []string{"glossary.yaml", "mechanisms.yaml", "overrides.yaml"} {
		b, _ := fs.ReadFile(st.Sources, name)
		fmt.Fprintf(&shared, "%s %d\n", name, len(b))
		shared.Write(b)
	}
	return &cache{dir: opt.CacheDir, program: program, prefix: prefixhash.New(shared.Bytes()), keys: map[string]string{}}
}

// key is the cache key of a fetched document. Its manifest entry holds the
// pins of its snapshots, which fetch has verified against the bytes, so
// the entry stands for the bytes too.
func (c *cache) key(d schemas.Document) string {
	h := c.prefix.Hash()
	src, _ := json.Marshal(d.Source)
	fmt.Fprintf(h, "source %d\n", len(src))
	h.Write(src)
	return hex.EncodeToString(h.Sum(nil))
}

type cacheEntry struct {
	Key string           `json:"key"`
	Doc schemas.Document `json:"doc"`
	// UpTo is the last stage whose results the entry holds; Link, the
	// link stage's features (not part of a document's JSON).
	UpTo string               `json:"up_to"`
	Link *schemas.DocFeatures `json:"link,omitempty"`
}

func (c *cache) docPath(id string) string { return filepath.Join(c.dir, "docs", entryName(id)) }

// entryName is a document's entry file; legacyNames were earlier versions'.
func entryName(id string) string { return id + entrySuffix }
func legacyNames(id string) []string {
	return []string{id + ".json", id + ".json.zst", id + ".json.s2"}
}

const entrySuffix = ".bin.s2"

// computeKeys keys every fetched document, and the release they make.
func (c *cache) computeKeys(st *schemas.State, opt Options) {
	for _, d := range st.Docs {
		c.keys[d.Source.ID] = c.key(d)
	}
	c.release = c.releaseKey(st, opt)
}

// get returns the cached results of a fetched document when its entry is
// current; an entry that does not read back, or reads back under another
// key, is counted stale and recomputed.
func (c *cache) get(d *schemas.Document, upTo string, t *schemas.Tally) (schemas.Document, bool) {
	z, err := os.ReadFile(c.docPath(d.Source.ID))
	if err != nil {
		return schemas.Document{}, false
	}
	e, err := decodeEntry(z)
	if err != nil || e.Key != c.keys[d.Source.ID] || e.Doc.Source.ID != d.Source.ID ||
		e.UpTo != upTo || upTo == "link" && e.Link == nil {
		t.Count("cache.stale", 1)
		return schemas.Document{}, false
	}
	e.Doc.RawBytes, e.Doc.Features = d.RawBytes, e.Link
	t.Count("cache.hit", 1)
	return e.Doc, true
}

// put stores a document's results under its key, aside until the run
// succeeds (see commit).
func (c *cache) put(d schemas.Document, upTo string) error {
	buf := entryBuffers.Get().(*[]byte)
	defer entryBuffers.Put(buf)
	b, err := appendEntry((*buf)[:0], cacheEntry{Key: c.keys[d.Source.ID], Doc: d, UpTo: upTo, Link: d.Features})
	if err != nil {
		return err
	}
	*buf = b
	dir, err := c.pendingDir()
	if err != nil {
		return err
	}
	// The pending folder is itself the atomic step: nothing in it is read
	// before commit moves it, so an entry is written in place.
	return os.WriteFile(filepath.Join(dir, entryName(d.Source.ID)), b, 0o644)
}

// pendingDir is where this run's new files wait for its success, made
// when first asked for.
func (c *cache) pendingDir() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	if c.pending == "" {
		c.created = fsx.FirstMissing(c.dir)
		if err = os.MkdirAll(c.dir, 0o755); err == nil {
			c.pending, err = os.MkdirTemp(c.dir, ".pending-")
		}
	}
	return c.pending, err
}

// linkMemo is the linker's memo (link.Memo): the rows of the last
// successful run's comparisons, and this run's, kept aside until commit.
func (c *cache) linkMemo() (link.Memo, error) {
	dir, err := c.pendingDir()
	if err != nil {
		return link.Memo{}, err
	}
	c.rows = openLinkRows(c.dir, dir)
	return link.Memo{Seed: c.prefix, Get: c.rows.Get, Put: c.rows.Put}, nil
}

// An entry's file is the CRC-32C of its content (4 bytes, big-endian),
// then the content compressed with S2: the entry in bincodec's form, which
// names no fields and writes numbers and the link stage's prepared
// features as they are. S2's blocks carry no checksum (zstd's frames did),
// so the CRC is what makes a damaged entry stale rather than trusted.
func encodeEntry(e cacheEntry) ([]byte, error) { return appendEntry(nil, e) }

// appendEntry is encodeEntry written over dst's room (grown when short),
// for a buffer the caller reuses: an entry is written to its file and
// dropped, and fresh buffers, zeroed, for every document were a tenth of
// what a first run allocated.
func appendEntry(dst []byte, e cacheEntry) ([]byte, error) {
	p := plainBuffers.Get().(*[]byte)
	defer plainBuffers.Put(p)
	plain := bincodec.Append((*p)[:0], e)
	*p = plain
	max := s2.MaxEncodedLen(len(plain))
	if max < 0 {
		return nil, errors.New("cache entry: too large")
	}
	// The compressed content is written after room for its checksum, not
	// copied behind it.
	out := slices.Grow(dst[:0], 4+max)[:4+max]
	z := s2.Encode(out[4:], plain)
	binary.BigEndian.PutUint32(out, crc32.Checksum(plain, castagnoli))
	return out[:4+len(z)], nil
}

// plainBuffers hold an entry's content before compression, and
// entryBuffers its file's bytes, reused by the workers from entry to entry.
var (
	plainBuffers = sync.Pool{New: func() any { return new([]byte) }}
	entryBuffers = sync.Pool{New: func() any { return new([]byte) }}
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func decodeEntry(z []byte) (cacheEntry, error) {
	var e cacheEntry
	if len(z) < 4 {
		return e, errors.New("cache entry: cut short")
	}
	plain, err := s2.Decode(nil, z[4:])
	if err != nil {
		return e, err
	}
	if crc32.Checksum(plain, castagnoli) != binary.BigEndian.Uint32(z) {
		return e, errors.New("cache entry: checksum does not match")
	}
	if err := bincodec.Decode(plain, &e); err != nil {
		return cacheEntry{}, fmt.Errorf("cache entry: %w", err)
	}
	return e, nil
}

// releaseKey is the key of a release built from this run's documents.
func (c *cache) releaseKey(st *schemas.State, opt Options) string {
	h := c.prefix.Hash()
	ds, _ := json.Marshal(st.Dataset)
	ro, _ := json.Marshal(opt.Release)
	changelog, _ := fs.ReadFile(st.Sources, "CHANGELOG.md")
	fmt.Fprintf(h, "dataset %s\nrelease %s\nchangelog %d\n", ds, ro, len(changelog))
	h.Write(changelog)
	for _, d := range st.Docs {
		fmt.Fprintf(h, "%s %s\n", d.Source.ID, c.keys[d.Source.ID])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (c *cache) releasePath(version string) string {
	return filepath.Join(c.dir, "releases", version+".key")
}

// upToDate reports whether the version folder was built from exactly these
// documents, settings and program. A folder so built that is no longer as
// it was published (release.Damaged) is an error.
func (c *cache) upToDate(st *schemas.State, version string, final string) (bool, error) {
	b, err := os.ReadFile(c.releasePath(version))
	if err != nil || string(b) != c.release {
		return false, nil
	}
	// The release would be built as it was; it must also still be there
	// as it was published.
	if err := release.Damaged(final); err != nil {
		return false, err
	}
	return true, nil
}

// commit keeps what a successful run computed: the entries it wrote aside
// move into docs/, and the release's key is recorded.
func (c *cache) commit(version string) error {
	rows := ""
	if c.rows != nil {
		c.rowsKept = int(c.rows.hits.Load())
		var err error
		if rows, err = c.rows.finish(); err != nil {
			c.notes = append(c.notes, err.Error()+": the next run compares every document again")
		}
		c.rows = nil
	}
	if rows != "" {
		if err := os.Rename(rows, filepath.Join(c.dir, linkRowsName)); err != nil {
			return err
		}
	}
	if c.pending != "" {
		if err := os.MkdirAll(filepath.Join(c.dir, "docs"), 0o755); err != nil {
			return err
		}
		entries, err := os.ReadDir(c.pending)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := os.Rename(filepath.Join(c.pending, e.Name()), filepath.Join(c.dir, "docs", e.Name())); err != nil {
				return err
			}
			if id, ok := strings.CutSuffix(e.Name(), entrySuffix); ok {
				for _, old := range legacyNames(id) { // earlier versions' entries, never read again
					os.Remove(filepath.Join(c.dir, "docs", old))
				}
			}
		}
		os.Remove(c.pending)
		c.pending = ""
	}
	if n := clearAbandoned(c.dir, time.Now()); n > 0 {
		c.notes = append(c.notes, fmt.Sprintf("cache: removed %d folder(s) of entries that killed runs left unfinished", n))
	}
	if err := os.MkdirAll(filepath.Join(c.dir, "releases"), 0o755); err != nil {
		return err
	}
	return writeAtomic(c.releasePath(version), []byte(c.release))
}

// abandonedAfter is how long a pending folder may go unchanged before it
// counts as left by a run that was killed (a running run adds an entry to
// its folder every document).
const abandonedAfter = time.Hour

// clearAbandoned removes the pending folders of runs that were killed
// before they could commit or discard them (at N = 10000 such a folder
// holds gigabytes of entries), and returns how many it removed.
func clearAbandoned(dir string, now time.Time) int {
	entries, _ := os.ReadDir(dir)
	n := 0
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), ".pending-") {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > abandonedAfter {
			if os.RemoveAll(filepath.Join(dir, e.Name())) == nil {
				n++
			}
		}
	}
	return n
}

// discard drops what a failed run computed: a run that fails writes
// nothing, its cache included.
func (c *cache) discard() {
	if c.rows != nil {
		c.rows.finish()
		c.rows = nil
	}
	if c.pending != "" {
		os.RemoveAll(c.pending)
		c.pending = ""
	}
	fsx.RemoveEmpty(c.created, c.dir)
}

// writeAtomic writes a file through a temporary file and a rename.
func writeAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := errors.Join(tmp.Chmod(0o644), tmp.Close())
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return errors.Join(werr, cerr)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
