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
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/policyledger/policyledger/schemas"
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

// Run renders the release in memory, stages it and publishes it.
func (s Stage) Run(ctx context.Context, st *schemas.State) error {
	changelog, err := CheckChangelog(st.Sources, s.Options.Version)
	if err != nil {
		return err
	}
	files, err := Build(st.Dataset, s.Options, st.Data(), changelog)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	final := Dir(s.Options.Output, s.Options.Version)
	// A published version is only read: comparing it needs no lock and no
	// staging, so a read-only release can be verified.
	if _, err := os.Stat(final); err == nil {
		diff, err := differsFrom(files, final)
		if err != nil {
			return fmt.Errorf("release: compare with existing %s: %w", final, err)
		}
		if diff != "" {
			return fmt.Errorf("release: %s already exists and %s differs: %w; published releases are never modified: bump the version (--version or POLICYLEDGER_VERSION), or delete that folder if it was never published", final, diff, ErrVersionExists)
		}
		st.Notes = append(st.Notes, fmt.Sprintf("release %s: %s %s (verified: identical to the published files)", s.Options.Version, Unchanged, final))
		return nil
	}
	unlock, cleared, err := lock(filepath.Dir(final))
	if err != nil {
		return err
	}
	defer unlock()
	if cleared > 0 {
		st.Notes = append(st.Notes, fmt.Sprintf("release: removed %d staging folder(s) left by an interrupted run", cleared))
	}
	staging, err := stage(final, files)
	if err != nil {
		return err
	}
	outcome, err := publish(staging, final)
	if err != nil {
		return err
	}
	var total int
	for _, b := range files {
		total += len(b)
	}
	st.Notes = append(st.Notes, fmt.Sprintf("release %s: %s %s (%d files, %d bytes)", s.Options.Version, outcome, final, len(files), total))
	st.Count("release.files", len(files))
	return nil
}

// CheckChangelog reads the dataset changelog from the sources folder and
// checks that it describes version; it returns the changelog. The command
// calls it before running any stage, so a missing entry is said at once.
func CheckChangelog(fsys fs.FS, version string) ([]byte, error) {
	changelog, err := fs.ReadFile(fsys, ChangelogPath)
	if err != nil {
		return nil, fmt.Errorf("release: read %s from the sources folder: %w: add a changelog with an entry for this version", ChangelogPath, err)
	}
	if !bytes.Contains(changelog, []byte("## "+version)) {
		return nil, fmt.Errorf("release: %s has no \"## %s\" entry: say what changed in this version before releasing it", ChangelogPath, version)
	}
	return changelog, nil
}

// CheckVersion reports whether v is a semantic version a release can have.
func CheckVersion(v string) error {
	if !semver.MatchString(v) {
		return fmt.Errorf("release: version %q is not a semantic version (like 0.1.0): set --version", v)
	}
	return nil
}

// Build renders every file of a release. It is pure: the same inputs give
// the same bytes.
func Build(ds schemas.Dataset, opt Options, data schemas.Data, changelog []byte) (map[string][]byte, error) {
	docs := data.Docs
	if err := CheckVersion(opt.Version); err != nil {
		return nil, err
	}
	if !bytes.Contains(changelog, []byte("## "+opt.Version)) {
		return nil, fmt.Errorf("release: %s has no \"## %s\" entry: say what changed in this version before releasing it", ChangelogPath, opt.Version)
	}
	files := map[string][]byte{}
	info := map[string]fileInfo{}
	rowCounts := map[string]int{}
	put := func(name string, b []byte) {
		files[name] = b
		sum := sha256.Sum256(b)
		info[name] = fileInfo{bytes: int64(len(b)), hash: hex.EncodeToString(sum[:])}
	}
	var extra []string
	// Every table in every format it is released in.
	for _, t := range schemas.Tables() {
		rows := t.Rows(data)
		rowCounts[t.Name] = len(rows)
		for _, f := range Formats {
			if !t.In(f.Name) || f.Enabled != nil && !f.Enabled(opt) {
				continue
			}
			var buf bytes.Buffer
			if err := f.Write(&buf, t, rows); err != nil {
				return nil, err
			}
			put(t.Name+f.Suffix, buf.Bytes())
		}
	}
	if opt.CSVBOM {
		extra = append(extra, "The `*.excel.csv` files are the same CSV with a UTF-8 byte-order mark and CRLF line ends, for spreadsheet programs; they are not listed in datapackage.json.")
	}
	dp, err := DataPackage(ds, opt.Version, docs, info)
	if err != nil {
		return nil, fmt.Errorf("release: datapackage.json: %w", err)
	}
	tableFiles := map[string]fileInfo{}
	for k, v := range info {
		tableFiles[k] = v
	}
	put("datapackage.json", dp)
	put("CHANGELOG.md", changelog)
	put("README.md", []byte(card(ds, opt, docs, tableFiles, rowCounts, extra)))
	files["SHA256SUMS"] = sums(info)
	return files, nil
}

// sums renders SHA256SUMS in the format sha256sum -c reads.
func sums(info map[string]fileInfo) []byte {
	var b strings.Builder
	for _, name := range sortedKeys(info) {
		fmt.Fprintf(&b, "%s  %s\n", info[name].hash, name)
	}
	return []byte(b.String())
}
