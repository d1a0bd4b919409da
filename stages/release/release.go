// Package release is the last stage: it turns the run's documents into a
// versioned release folder, output/releases/<version>/, holding every table
// as Parquet, CSV and JSON Lines, a Frictionless datapackage.json, a data
// card (README.md), the dataset changelog and SHA256SUMS.
//
// A release is a pure function of its inputs: rows are in document order,
// writer settings are fixed, and nothing reads the clock. It is built in a
// hidden staging folder and published by one rename, so a reader never sees
// a partial version, and an existing version is never modified.
package release

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/policyledger/policyledger/charset"
	"github.com/policyledger/policyledger/internal/fsx"
	"github.com/policyledger/policyledger/report"
	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/stages/link"
)

// Options are the release settings that come from configuration.
type Options struct {
	Output  string // root of generated files; releases go to Output/releases/<Version>
	Version string // semantic version of the dataset
	CSVBOM  bool   // also write <table>.excel.csv: UTF-8 with BOM and CRLF, for Excel
	// ReviewThreshold is the alignment score under which beads were flagged
	// for review; the data card states it.
	ReviewThreshold float64
}

// Stage writes the release.
type Stage struct{ Options Options }

// Name implements the pipeline's stage contract.
func (Stage) Name() string { return "release" }

// Skip refuses to release a run in which any document failed: a release
// missing a document would look complete and be wrong.
func (Stage) Skip(st *schemas.State) (bool, string) {
	if n := len(st.Failures); n > 0 {
		return true, fmt.Sprintf("%d document(s) failed earlier in the run; nothing was written", n)
	}
	return false, ""
}

var semver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$`)

// ChangelogPath is the dataset changelog's path in the sources folder.
const ChangelogPath = "CHANGELOG.md"

// Dir is where a version is published.
func Dir(output, version string) string { return filepath.Join(output, "releases", version) }

// Run releases the documents st holds in memory (tests and tools); the
// runner streams documents through Open, Add and Publish instead.
func (s Stage) Run(ctx context.Context, st *schemas.State) error {
	st.Summaries = nil // the writer summarizes st.Docs anew
	w, err := s.Open(st)
	if err != nil {
		return err
	}
	for _, d := range st.Docs {
		if err := ctx.Err(); err != nil {
			w.Abort()
			return err
		}
		if err := w.Add(d); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Publish(st)
}

// Auto is the version setting that lets the release choose the version:
// the next one after the newest published release, by what changed.
const Auto = "auto"

// Open starts the release of a run: it reads the version notes, takes the
// lock on the releases folder, clears staging folders killed runs left, and
// returns a Writer that writes into a new hidden staging folder as the
// runner hands it documents. Publish or Abort ends it.
func (s Stage) Open(st *schemas.State) (*Writer, error) {
	notes, err := CheckChangelog(st.Sources, s.Options.Version)
	if err != nil {
		return nil, err
	}
	if err := CheckVersion(s.Options.Version); err != nil {
		return nil, err
	}
	releases := filepath.Join(s.Options.Output, "releases")
	// A published version is only read: comparing with it needs no lock
	// and no staging, so a read-only release can be verified.
	if s.Options.Version != Auto {
		final := Dir(s.Options.Output, s.Options.Version)
		if _, err := os.Stat(final); err == nil {
			cmp := &comparison{dir: final, made: map[string]bool{}}
			w, err := NewWriter(st.Dataset, s.Options, notes, st.Mechanisms, st.Sectors, cmp.create)
			if err != nil {
				return nil, err
			}
			w.releases, w.final, w.compare = releases, final, cmp
			w.docs = st.SummaryList()
			return w, nil
		}
	}
	created := fsx.FirstMissing(releases)
	unlock, cleared, err := lock(releases)
	if err != nil {
		fsx.RemoveEmpty(created, releases)
		return nil, err
	}
	if cleared > 0 {
		st.Notes = append(st.Notes, fmt.Sprintf("release: removed %d staging folder(s) left by an interrupted run", cleared))
	}
	staging, err := os.MkdirTemp(releases, ".staging-"+s.Options.Version+"-")
	if err != nil {
		unlock()
		fsx.RemoveEmpty(created, releases)
		return nil, fmt.Errorf("release: create staging folder in %s: %w: check permissions or free disk space", releases, err)
	}
	create := func(name string) (io.WriteCloser, error) {
		path := filepath.Join(staging, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("release: write %s: %w: check free disk space and permissions; nothing was published", name, err)
		}
		f, err := createFile(path)
		if err != nil {
			return nil, fmt.Errorf("release: write %s: %w: check free disk space and permissions; nothing was published", name, err)
		}
		return &syncedFile{WriteCloser: f}, nil
	}
	w, err := NewWriter(st.Dataset, s.Options, notes, st.Mechanisms, st.Sectors, create)
	if err != nil {
		os.RemoveAll(staging)
		unlock()
		fsx.RemoveEmpty(created, releases)
		return nil, err
	}
	w.releases, w.staging, w.unlock, w.created = releases, staging, unlock, created
	w.docs = st.SummaryList()
	if s.Options.Version != Auto {
		w.final = Dir(s.Options.Output, s.Options.Version)
	}
	return w, nil
}

// Publish finishes the release. The tables are compared with the newest
// published version before this one: with the version left to the
// release, nothing changed means no new version, and otherwise the next
// version is the bump the changes call for. The record changes, a
// generated changelog and the version-bearing files are written, and the
// folder is published by one rename, with releases/latest.json naming the
// newest version. If the version folder exists, it is only compared:
// identical bytes make the run a no-op, different bytes are refused (a
// published version is never modified).
func (w *Writer) Publish(st *schemas.State) error {
	defer w.Abort() // after a successful rename there is nothing left to remove
	if err := w.finishTables(); err != nil {
		return err
	}
	st.Notes = append(st.Notes, w.linkNotes...)
	version := w.opt.Version
	tables := w.staging
	if w.compare != nil {
		// The tables must already agree; the changes are then those of
		// the published folder.
		if diff, err := w.compare.result(false); err != nil || diff != "" {
			return w.differs(diff, err)
		}
		tables = w.final
	}
	var diff Diff
	prev := previousOf(w.releases, map[bool]string{true: "", false: version}[version == Auto])
	if prev != "" {
		var err error
		if diff, err = Compare(filepath.Join(w.releases, prev), prev, tables, w.sameAs(filepath.Join(w.releases, prev))); err != nil {
			return err
		}
		if err := w.comparePresentation(&diff); err != nil {
			return err
		}
	}
	if version == Auto {
		switch {
		case prev == "":
			version = FirstVersion
		case diff.Bump == None:
			st.Notes = append(st.Notes, fmt.Sprintf("release: up to date: every table is identical to the published %s; no new version, nothing written", prev))
			st.UpToDate = true
			w.version = prev
			return WriteLatest(w.releases)
		default:
			p, _ := ParseSemver(prev)
			version = p.Next(diff.Bump).String()
		}
		w.final = Dir(filepath.Dir(w.releases), version)
	}
	if err := w.finishMeta(version, diff); err != nil {
		return err
	}
	if w.compare != nil {
		if d, err := w.compare.result(true); err != nil || d != "" {
			return w.differs(d, err)
		}
		st.Notes = append(st.Notes, fmt.Sprintf("release %s: %s %s (verified: identical to the published files)", version, Unchanged, w.final))
		w.version = version
		return WriteLatest(w.releases)
	}
	if err := os.Chmod(w.staging, 0o755); err != nil {
		return fmt.Errorf("release: %w", err)
	}
	outcome, err := publish(w.staging, w.final)
	if err != nil {
		return err
	}
	w.staging = ""
	if err := WriteLatest(w.releases); err != nil {
		return err
	}
	var total int64
	for _, fi := range w.info {
		total += fi.bytes
	}
	how := "the first published version"
	if prev != "" {
		how = fmt.Sprintf("a %s release after %s: %d record(s) added, removed or changed", diff.Bump, prev, len(diff.Changes))
	}
	st.Notes = append(st.Notes, fmt.Sprintf("release %s: %s %s (%d files, %d bytes; %s)", version, outcome, w.final, len(w.info), total, how))
	st.Count("release.files", len(w.info))
	w.version = version
	return nil
}

// Version is the version Publish published, verified, or found the run
// identical to ("" before Publish, or when it failed).
func (w *Writer) Version() string { return w.version }

// FirstVersion is the version of a dataset's first release.
const FirstVersion = "0.1.0"

func (w *Writer) differs(diff string, err error) error {
	if derr := Damaged(w.final); derr != nil {
		return derr
	}
	if err != nil {
		return fmt.Errorf("release: compare with existing %s: %w", w.final, err)
	}
	return fmt.Errorf("release: %s already exists and %s differs: %w; published releases are never modified: leave the version to the release (--version auto), or delete that folder if it was never published", w.final, diff, ErrVersionExists)
}

// Latest is releases/latest.json: the newest published version with its
// files' sizes and hashes.
type Latest struct {
	Version string                `json:"version"`
	Files   map[string]LatestFile `json:"files"`
}

// LatestFile is one file of the newest release.
type LatestFile struct {
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// LatestPath is latest.json's path under an output folder.
func LatestPath(output string) string { return filepath.Join(output, "releases", "latest.json") }

// WriteLatest makes releases/latest.json name the newest published version
// with its files' sizes and hashes (from its SHA256SUMS), rewriting it only
// when that changes. A run killed between publishing a version and this
// step leaves it stale; the next run mends it.
func WriteLatest(releases string) error {
	all := Published(releases)
	if len(all) == 0 {
		return nil
	}
	version := all[len(all)-1].String()
	path := filepath.Join(releases, "latest.json")
	// The sizes and hashes are those of the version when it was published:
	// once recorded they are kept, so that a file damaged later is told
	// from the record (see Damaged), not written into it.
	if old, err := os.ReadFile(path); err == nil {
		var prev Latest
		if json.Unmarshal(old, &prev) == nil && prev.Version == version && len(prev.Files) > 0 {
			return nil
		}
	}
	dir := filepath.Join(releases, version)
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		return fmt.Errorf("release: latest.json: %w", err)
	}
	l := Latest{Version: version, Files: map[string]LatestFile{}}
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		hash, name, ok := strings.Cut(line, "  ")
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
		if !ok || err != nil {
			return fmt.Errorf("release: latest.json: %s/SHA256SUMS lists %q, which is not there", version, name)
		}
		l.Files[name] = LatestFile{Bytes: fi.Size(), SHA256: hash}
	}
	sum := sha256.Sum256(sums)
	l.Files["SHA256SUMS"] = LatestFile{Bytes: int64(len(sums)), SHA256: hex.EncodeToString(sum[:])}
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	tmp := filepath.Join(releases, ".latest.json.tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("release: write latest.json: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("release: write latest.json: %w", err)
	}
	return nil
}

// Abort removes the staging folder and releases the lock; nothing is
// published. It is safe to call more than once.
func (w *Writer) Abort() {
	w.closeFiles()
	if w.staging != "" {
		os.RemoveAll(w.staging)
		w.staging = ""
	}
	w.dropSpool()
	if w.unlock != nil {
		w.unlock()
		w.unlock = nil
		// Folders this release created stay only if it was published.
		if _, err := os.Stat(w.final); w.final == "" || err != nil {
			fsx.RemoveEmpty(w.created, w.releases)
		}
	}
}

// syncedFile syncs a staged file to disk before closing it, so that the
// rename publishes complete files. While it is written it asks the system,
// every flushAheadBytes, to start writing what it has so far to disk
// (flushAhead), so that the sync at its close has little left to wait for
// (the syncs at the end of a run at N = 1000 waited about 0.6 s of its 14),
// and drops what is on disk from the page cache (dropBehind): nothing reads
// it again, and at N = 10000, where a release is 11 GB, filling the page
// cache with it cost 98 s of system time in a run of 202 s.
type syncedFile struct {
	io.WriteCloser
	written, flushed, dropped int64
}

const flushAheadBytes = 8 << 20

func (f *syncedFile) Write(p []byte) (int, error) {
	n, err := f.WriteCloser.Write(p)
	if f.written += int64(n); f.written-f.flushed >= flushAheadBytes {
		flushAhead(f.WriteCloser, f.flushed, f.written-f.flushed)
		if f.flushed > f.dropped {
			dropBehind(f.WriteCloser, f.dropped, f.flushed-f.dropped)
			f.dropped = f.flushed
		}
		f.flushed = f.written
	}
	return n, err
}

func (f *syncedFile) Close() error {
	if s, ok := f.WriteCloser.(interface{ Sync() error }); ok {
		if err := s.Sync(); err != nil {
			f.WriteCloser.Close()
			return err
		}
	}
	time.Sleep(writeDelay)
	return f.WriteCloser.Close()
}

// CheckChangelog reads the notes people wrote for versions (the sources
// folder's CHANGELOG.md, optional: each "## <version>" section is added to
// that version's generated changelog entry).
func CheckChangelog(fsys fs.FS, version string) ([]byte, error) {
	notes, err := fs.ReadFile(fsys, ChangelogPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("release: read %s from the sources folder: %w", ChangelogPath, err)
	}
	// The notes are copied into the release's CHANGELOG.md, a UTF-8 file.
	if line, col, ok := charset.InvalidUTF8(notes); !ok {
		return nil, fmt.Errorf("release: the sources folder's %s line %d byte %d is not valid UTF-8: save it as UTF-8", ChangelogPath, line, col)
	}
	return notes, nil
}

// CheckVersion reports whether v is a version a release can be asked for:
// a semantic version, or auto.
func CheckVersion(v string) error {
	if v != Auto && !semver.MatchString(v) {
		return fmt.Errorf("release: version %q is not a semantic version (like 0.1.0) or auto: set --version", v)
	}
	return nil
}

// Writer renders a release one document at a time: each table with rows
// per document gets the document's rows as it arrives, in every format at
// once, hashed while written; Finish adds the run-level tables,
// datapackage.json, the data card, the changelog and SHA256SUMS.
type Writer struct {
	ds         schemas.Dataset
	opt        Options
	changelog  []byte
	mechanisms []schemas.Mechanism
	sectors    []schemas.Sector
	create     func(name string) (io.WriteCloser, error)
	files      []*tableFile // the tables with rows per document, in every format
	totals     schemas.Totals
	docs       *schemas.SummaryList // the run's (see Stage.Open)
	rowCounts  map[string]int
	info       map[string]fileInfo
	extra      []string
	// Set by Stage.Open: where the files go and where they are published,
	// or the published version they are compared with.
	releases  string
	version   string // the version published, verified, or found up to date
	tableInfo map[string]fileInfo
	report    *report.Collector // what the report page shows, gathered as rows are written
	// Link features wait in spool, one temporary file of every document's
	// encoded features end to end, for the run's end.
	spool          *os.File
	spoolEnd       int64
	heads          []schemas.DocFeatures // each document's features without clauses
	spooled        [][2]int64            // where its encoded features are in the spool; {0, 0} for none
	keepLinks      bool                  // keep the links and continuity for Links
	memo           *link.Memo            // the linker's rows kept between runs, if any
	digests        [][32]byte            // with a memo: each document's prepared features, hashed
	links          []schemas.Link
	continuity     []schemas.Continuity
	linkReview     float64
	linkNotes      []string
	staging, final string
	unlock         func()
	created        string // the outermost folder Open created
	compare        *comparison
}

// tableFile is one table in one format being written.
type tableFile struct {
	name  string
	table schemas.Table
	tw    *asyncTable
	out   *hashed
}

// hashed passes bytes to a file and counts and hashes them on the way.
type hashed struct {
	w   io.WriteCloser
	h   hash.Hash
	n   int64
	err error // the first write error: the disk, not the rows
}

func (h *hashed) Write(p []byte) (int, error) {
	h.h.Write(p)
	h.n += int64(len(p))
	n, err := h.w.Write(p)
	if err != nil && h.err == nil {
		h.err = err
	}
	return n, err
}

// failed says what went wrong writing f: the disk, or the rows.
func (f *tableFile) failed(err error) error {
	if f.out != nil && f.out.err != nil {
		return fmt.Errorf("release: write %s: %w: check free disk space and permissions; nothing was published", f.name, f.out.err)
	}
	return err
}

func (h *hashed) info() fileInfo {
	return fileInfo{bytes: h.n, hash: hex.EncodeToString(h.h.Sum(nil))}
}

// NewWriter starts a release whose files create opens. Mechanisms and
// sectors are the registries the run-level tables list.
func NewWriter(ds schemas.Dataset, opt Options, changelog []byte, mechanisms []schemas.Mechanism, sectors []schemas.Sector, create func(name string) (io.WriteCloser, error)) (*Writer, error) {
	if err := CheckVersion(opt.Version); err != nil {
		return nil, err
	}
	w := &Writer{ds: ds, opt: opt, changelog: changelog, mechanisms: mechanisms, sectors: sectors, create: create,
		rowCounts: map[string]int{}, info: map[string]fileInfo{}, report: report.NewCollector(), docs: &schemas.SummaryList{}}
	if opt.CSVBOM {
		w.extra = append(w.extra, "The `*.excel.csv` files are the same CSV with a UTF-8 byte-order mark and CRLF line ends, for spreadsheet programs; they are not listed in datapackage.json.")
	}
	for _, t := range schemas.Tables() {
		if t.RunLevel {
			continue
		}
		w.rowCounts[t.Name] = 0
		tfs, err := w.open(t)
		if err != nil {
			w.closeFiles()
			return nil, err
		}
		w.files = append(w.files, tfs...)
	}
	return w, nil
}

// open starts t's files in every format it is released in.
func (w *Writer) open(t schemas.Table) ([]*tableFile, error) {
	var out []*tableFile
	for _, f := range Formats {
		if !t.In(f.Name) || f.Enabled != nil && !f.Enabled(w.opt) {
			continue
		}
		name := t.Name + f.Suffix
		fw, err := w.create(name)
		if err != nil {
			return out, err
		}
		tf := &tableFile{name: name, table: t, out: &hashed{w: fw, h: sha256.New()}}
		out = append(out, tf)
		tw, err := f.New(tf.out, t)
		if err != nil {
			return out, err
		}
		tf.tw = startAsync(tw)
	}
	return out, nil
}

func (w *Writer) closeFiles() {
	for _, f := range w.files {
		if f.tw != nil {
			f.tw.halt()
		}
		if f.out != nil {
			f.out.w.Close()
		}
	}
}

// Add writes one document's rows and adds its summary to the writer's
// list. Documents must come in manifest order.
func (w *Writer) Add(d schemas.Document) error {
	data := schemas.Data{Docs: []schemas.Document{d}}
	var table string
	var rows [][]any
	for _, f := range w.files {
		if f.table.Name != table {
			table, rows = f.table.Name, f.table.Rows(data)
			w.rowCounts[table] += len(rows)
			w.collect(f.table, rows)
		}
		if err := f.tw.Write(rows); err != nil {
			return f.failed(err)
		}
	}
	w.totals.Add(d)
	if err := w.docs.Add(schemas.Summarize(d)); err != nil {
		return err
	}
	if f := d.Features; f != nil {
		w.heads = append(w.heads, schemas.DocFeatures{DocID: f.DocID, Date: f.Date, Sequence: f.Sequence})
		b := f.Prepared
		if b == nil && len(f.Clauses) > 0 {
			var err error
			if b, err = link.Encode(*f); err != nil {
				return err
			}
		}
		at, err := w.spoolFeatures(f.DocID, b)
		if err != nil {
			return err
		}
		w.spooled = append(w.spooled, at)
		if w.memo != nil {
			h := sha256.New()
			fmt.Fprintf(h, "%s\n", f.DocID)
			h.Write(b)
			var d [32]byte
			w.digests = append(w.digests, [32]byte(h.Sum(d[:0])))
		}
	}
	return nil
}

// spoolFeatures keeps a document's link features on disk until the run's
// end, so that memory does not grow with the corpus.
// It returns where they are: offset and length.
func (w *Writer) spoolFeatures(id string, b []byte) ([2]int64, error) {
	if len(b) == 0 {
		return [2]int64{}, nil
	}
	if w.spool == nil {
		f, err := os.CreateTemp("", "policyledger-links-")
		if err != nil {
			return [2]int64{}, fmt.Errorf("release: link features: %w", err)
		}
		// Unlinked at once: the open file is still written and read, and a
		// run killed outright (SIGKILL, the kernel's OOM killer, a CI
		// timeout) leaves nothing in the temporary folder. (Where an open
		// file cannot be removed, dropSpool removes it as before.)
		os.Remove(f.Name())
		w.spool = f
	}
	if _, err := w.spool.Write(b); err != nil {
		return [2]int64{}, fmt.Errorf("release: link features of %s: %w: check free space in the temporary folder", id, err)
	}
	at := [2]int64{w.spoolEnd, int64(len(b))}
	w.spoolEnd += int64(len(b))
	return at, nil
}

// dropSpool closes the spool file, if there is one, and removes it where
// it was not removed when made.
func (w *Writer) dropSpool() {
	if w.spool != nil {
		w.spool.Close()
		os.Remove(w.spool.Name())
		w.spool, w.spoolEnd = nil, 0
	}
}

// loadFeatures reads a document's prepared features back from the spool.
func (w *Writer) loadFeatures(i int) (*link.Prepared, error) {
	at := w.spooled[i]
	if at[1] == 0 {
		return link.Prepare(w.heads[i]), nil
	}
	b := make([]byte, at[1])
	if _, err := w.spool.ReadAt(b, at[0]); err != nil {
		return nil, fmt.Errorf("release: link features of %s: %w", w.heads[i].DocID, err)
	}
	p, err := link.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("release: link features of %s: %w", w.heads[i].DocID, err)
	}
	return p, nil
}

// linkTables are the run-level tables Stream's rows go to.
var linkTables = []schemas.Table{schemas.LinksTable, schemas.ContinuityTable, schemas.ReviewLinksTable}

// KeepLinks makes the writer keep the run's links and continuity for
// Links (tests and tools; a run streams them to the files only).
func (w *Writer) KeepLinks() { w.keepLinks = true }

// MemoLinks gives the linker rows kept by an earlier run (see link.Memo;
// the writer supplies the documents' digests). Call it before Add.
func (w *Writer) MemoLinks(m link.Memo) {
	m.Digest = func(i int) [32]byte { return w.digests[i] }
	w.memo = &m
}

// writeLinks links the documents whose features were spooled, writing the
// link tables as each earlier document's links are made.
func (w *Writer) writeLinks() error {
	rules, err := link.LoadRules()
	if err != nil {
		return err
	}
	w.linkReview = rules.Review
	files := make([][]*tableFile, len(linkTables))
	for k, t := range linkTables {
		tfs, err := w.open(t)
		w.files = append(w.files, tfs...)
		if err != nil {
			return err
		}
		files[k] = tfs
		w.rowCounts[t.Name] = 0
	}
	write := func(data schemas.Data) error {
		for k, t := range linkTables {
			rows := t.Rows(data)
			w.rowCounts[t.Name] += len(rows)
			w.collect(t, rows)
			for _, f := range files[k] {
				if err := f.tw.Write(rows); err != nil {
					return f.failed(err)
				}
			}
		}
		return nil
	}
	written := false
	defer w.dropSpool()
	if len(w.heads) > 0 {
		w.linkNotes, err = link.Stream(w.heads, w.loadFeatures, rules, runtime.GOMAXPROCS(0), w.memo, func(l []schemas.Link, c []schemas.Continuity) error {
			written = true
			if w.keepLinks {
				w.links, w.continuity = append(w.links, l...), append(w.continuity, c...)
			}
			return write(schemas.Data{Links: l, Continuity: c, LinkReview: w.linkReview})
		})
		if err != nil {
			return fmt.Errorf("release: links: %w", err)
		}
	}
	if !written {
		if err := write(schemas.Data{LinkReview: w.linkReview}); err != nil {
			return err
		}
	}
	return w.closeTables()
}

// closeTables closes the files being written and records their sizes and
// hashes.
func (w *Writer) closeTables() error {
	for _, f := range w.files {
		f.tw.end() // (all files finish at once)
	}
	for _, f := range w.files {
		if err := f.tw.Close(); err != nil {
			return f.failed(err)
		}
		w.info[f.name] = f.out.info()
		err := f.out.w.Close()
		f.out = nil
		if err != nil {
			return fmt.Errorf("release: write %s: %w: check free disk space; nothing was published", f.name, err)
		}
	}
	w.files = nil
	return nil
}

// sameAs returns whether a file just written is, by size and hash, the one
// of the same name in the published release dir (as its SHA256SUMS says);
// nil when that cannot be read, so that every table is compared.
func (w *Writer) sameAs(dir string) func(name string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		return nil
	}
	sums := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if hash, name, ok := strings.Cut(line, "  "); ok {
			sums[name] = hash
		}
	}
	return func(name string) bool {
		info, ok := w.info[name]
		if !ok || sums[name] != info.hash {
			return false
		}
		st, err := os.Stat(filepath.Join(dir, name))
		return err == nil && st.Size() == info.bytes
	}
}

// Links returns the run's cross-document links and continuity (after
// Publish).
func (w *Writer) Links() ([]schemas.Link, []schemas.Continuity, float64) {
	return w.links, w.continuity, w.linkReview
}

// finishTables closes the per-document tables and writes the run-level
// tables.
func (w *Writer) finishTables() error {
	if err := w.closeTables(); err != nil {
		return err
	}
	defer func() { w.tableInfo = maps.Clone(w.info) }()
	if err := w.writeLinks(); err != nil {
		return err
	}
	data := schemas.Data{Mechanisms: w.mechanisms, Sectors: w.sectors, Totals: &w.totals}
	for _, t := range schemas.Tables() {
		if !t.RunLevel || slices.ContainsFunc(linkTables, func(l schemas.Table) bool { return l.Name == t.Name }) {
			continue
		}
		rows := t.Rows(data)
		w.rowCounts[t.Name] = len(rows)
		w.collect(t, rows)
		tfs, err := w.open(t)
		w.files = tfs
		if err != nil {
			return err
		}
		for _, f := range tfs {
			err := f.tw.Write(rows)
			if err == nil {
				err = f.tw.Close()
			}
			err = f.failed(err)
			w.info[f.name] = f.out.info()
			if cerr := f.out.w.Close(); err == nil {
				err = cerr
			}
			f.out = nil
			if err != nil {
				return err
			}
		}
		w.files = nil
	}
	return nil
}

// finishMeta writes what carries the version: datapackage.json, the
// record changes (CHANGES.md, changes.jsonl), the generated CHANGELOG.md,
// the data card, CITATION.cff and SHA256SUMS.
func (w *Writer) finishMeta(version string, diff Diff) error {
	dp, err := DataPackage(w.ds, version, w.docs, w.info)
	if err != nil {
		return fmt.Errorf("release: datapackage.json: %w", err)
	}
	pres, err := w.presentation(version)
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(pres) {
		if err := w.put(name, pres[name]); err != nil {
			return err
		}
	}
	var prevLog []byte
	if diff.Previous != "" {
		if prevLog, err = os.ReadFile(filepath.Join(w.releases, diff.Previous, "CHANGELOG.md")); err != nil {
			return fmt.Errorf("release: read the changelog of %s: %w", diff.Previous, err)
		}
	}
	for _, f := range []struct {
		name string
		b    []byte
	}{
		{"datapackage.json", dp},
		{"CHANGES.md", []byte(changesMarkdown(version, diff))},
		{"changes.jsonl", changesJSONL(diff)},
		{"CHANGELOG.md", changelog(version, diff, w.changelog, prevLog)},
		{"CITATION.cff", citation(w.ds, version)},
	} {
		if err := w.put(f.name, f.b); err != nil {
			return err
		}
	}
	return w.put("SHA256SUMS", sums(w.info))
}

// collect hands a table's rows to the report page's collector, as the
// files will hold them.
func (w *Writer) collect(t schemas.Table, rows [][]any) {
	if _, ok := report.Tables[t.Name]; !ok {
		return
	}
	col := make(map[string]int, len(t.Fields))
	for i, f := range t.Fields {
		col[f.Name] = i
	}
	for _, row := range rows {
		w.report.Row(t.Name, func(name string) any {
			if i, ok := col[name]; ok {
				return row[i]
			}
			return nil
		})
	}
}

// presentation renders the files for people — the data card and the
// report page — for a version. They depend on the tables and the code, so
// Publish also renders them for the previous version to tell whether they
// changed.
func (w *Writer) presentation(version string) (map[string][]byte, error) {
	opt := w.opt
	opt.Version = version
	c := []byte(card(w.ds, opt, w.docs, w.tableInfo, w.rowCounts, w.extra))
	page, err := report.Render(report.Input{Title: w.ds.Title, Version: version, ReviewThreshold: w.opt.ReviewThreshold, Card: c}, w.report)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{"README.md": c, report.Path: page}, nil
}

// comparePresentation adds to d what changed in the files for people
// since the previous version: a new one makes a minor version, a changed
// one a patch (the page or card were made differently).
func (w *Writer) comparePresentation(d *Diff) error {
	pres, err := w.presentation(d.Previous)
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(pres) {
		old, err := os.ReadFile(filepath.Join(w.releases, d.Previous, filepath.FromSlash(name)))
		switch {
		case err != nil:
			d.Schema = append(d.Schema, fmt.Sprintf("new file `%s`", name))
			d.Bump = max(d.Bump, Minor)
		case !bytes.Equal(old, pres[name]):
			d.Schema = append(d.Schema, fmt.Sprintf("`%s` is made differently", name))
			d.Bump = max(d.Bump, Patch)
		}
	}
	return nil
}

// put writes a whole file.
func (w *Writer) put(name string, b []byte) error {
	f, err := w.create(name)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("release: write %s: %w: check free disk space; nothing was published", name, err)
	}
	sum := sha256.Sum256(b)
	w.info[name] = fileInfo{bytes: int64(len(b)), hash: hex.EncodeToString(sum[:])}
	return nil
}

// Build renders every file of a release in memory, from documents already
// in memory (tests and tools), as a first release (nothing to compare
// with). It is pure: the same inputs give the same bytes, the same as a run
// writes.
func Build(ds schemas.Dataset, opt Options, data schemas.Data, changelog []byte) (map[string][]byte, error) {
	bufs := map[string]*bytes.Buffer{}
	w, err := NewWriter(ds, opt, changelog, data.Mechanisms, data.Sectors, func(name string) (io.WriteCloser, error) {
		b := &bytes.Buffer{}
		bufs[name] = b
		return nopCloser{b}, nil
	})
	if err != nil {
		return nil, err
	}
	for _, d := range data.Docs {
		if err := w.Add(d); err != nil {
			return nil, err
		}
	}
	if err := w.finishTables(); err != nil {
		return nil, err
	}
	version := opt.Version
	if version == Auto {
		version = FirstVersion
	}
	if err := w.finishMeta(version, Diff{}); err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(bufs))
	for name, b := range bufs {
		files[name] = b.Bytes()
	}
	return files, nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// sums renders SHA256SUMS in the format sha256sum -c reads.
func sums(info map[string]fileInfo) []byte {
	var b strings.Builder
	for _, name := range sortedKeys(info) {
		fmt.Fprintf(&b, "%s  %s\n", info[name].hash, name)
	}
	return []byte(b.String())
}
