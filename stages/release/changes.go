package release

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/policyledger/policyledger/schemas"
)

// Record-level changes between two releases. Every table has a primary key
// made of stable ids, so a record of the new release is the same record as
// the old one with its key: a corrected paragraph is one changed clause
// (with the changed rows that hang off it), never a removal and an
// addition. The comparison reads each table's JSON Lines (CSV for tables
// released only as CSV) from both folders.

// Change kinds.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
)

// Change is one record that differs, as a line of changes.jsonl.
type Change struct {
	Table  string                 `json:"table"`
	ID     string                 `json:"id"`
	Kind   string                 `json:"kind"`
	Fields map[string]FieldChange `json:"fields,omitempty"`
}

// FieldChange is a column's old and new value.
type FieldChange struct {
	Old json.RawMessage `json:"old"`
	New json.RawMessage `json:"new"`
}

// Bump is how far the version moves: the largest kind of change.
type Bump int

const (
	None  Bump = iota // nothing changed: no new version
	Patch             // values changed only
	Minor             // tables, columns or records added, or records removed
	Major             // a table or column removed, or a column's type changed
)

func (b Bump) String() string { return [...]string{"none", "patch", "minor", "major"}[b] }

// Diff is what changed from one release to the next.
type Diff struct {
	Previous string   // the version compared with
	Schema   []string // table and column changes, each a sentence
	Changes  []Change // record changes, table by table in release order
	Bump     Bump
	// Counts per table: added, removed, changed.
	Counts map[string][3]int
}

// tableFile is where a table's records are read from: its JSON Lines, or
// its CSV when it has no JSON Lines.
func recordFile(t schemas.Table) string {
	if t.In("jsonl") {
		return t.Name + ".jsonl"
	}
	return t.Name + ".csv"
}

// record is one row: its key and each column's value as JSON.
type record struct {
	id     string
	raw    []byte // the line as written, to tell equal rows at once
	fields map[string]json.RawMessage
	order  []string
}

// rows reads a table's file one row at a time: a JSON Lines line as
// written, or a CSV record (raw is its fields joined by NUL, to tell equal
// rows at once).
type rows struct {
	name   string
	t      schemas.Table
	f      *os.File
	sc     *bufio.Scanner
	cr     *csv.Reader
	header []string
	line   int
	raw    []byte
	rec    []string
}

func openRows(dir string, t schemas.Table, name string) (*rows, error) {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	r := &rows{name: name, t: t, f: f}
	if strings.HasSuffix(name, ".jsonl") {
		r.sc = bufio.NewScanner(f)
		r.sc.Buffer(make([]byte, 1<<20), 1<<30)
		return r, nil
	}
	r.cr = csv.NewReader(f)
	r.cr.ReuseRecord = false
	if r.header, err = r.cr.Read(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	r.line = 1
	return r, nil
}

func (r *rows) Close() error { return r.f.Close() }

// next reads the next row into r.raw (and r.rec for CSV); it reports false
// at the end. r.raw is valid until the next call.
func (r *rows) next() (bool, error) {
	r.line++
	if r.sc != nil {
		if !r.sc.Scan() {
			return false, r.sc.Err()
		}
		r.raw = r.sc.Bytes()
		return true, nil
	}
	rec, err := r.cr.Read()
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", r.name, err)
	}
	r.rec, r.raw = rec, []byte(strings.Join(rec, "\x00"))
	return true, nil
}

// row is a row kept aside until its partner is read.
type row struct {
	line int
	raw  []byte
	rec  []string
}

func (r *rows) keep() row { return row{r.line, bytes.Clone(r.raw), r.rec} }

// parse decodes a row into its key and columns.
func (r *rows) parse(x row) (record, error) {
	if r.sc == nil {
		rec := record{raw: x.raw, fields: map[string]json.RawMessage{}, order: r.header}
		for i, h := range r.header {
			if i < len(x.rec) {
				rec.fields[h] = appendJSON(nil, x.rec[i])
			}
		}
		var err error
		if rec.id, err = keyOf(r.t, rec.fields); err != nil {
			return rec, fmt.Errorf("%s line %d: %w", r.name, x.line, err)
		}
		return rec, nil
	}
	rec := record{raw: x.raw, fields: map[string]json.RawMessage{}}
	dec := json.NewDecoder(bytes.NewReader(x.raw))
	if _, err := dec.Token(); err != nil {
		return rec, fmt.Errorf("%s line %d: %w", r.name, x.line, err)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return rec, fmt.Errorf("%s line %d: %w", r.name, x.line, err)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return rec, fmt.Errorf("%s line %d: %w", r.name, x.line, err)
		}
		key := k.(string)
		rec.fields[key], rec.order = v, append(rec.order, key)
	}
	var err error
	if rec.id, err = keyOf(r.t, rec.fields); err != nil {
		return rec, fmt.Errorf("%s line %d: %w", r.name, x.line, err)
	}
	return rec, nil
}

// keyOf is a record's primary key; the columns of a composite key are
// joined with " | ".
func keyOf(t schemas.Table, fields map[string]json.RawMessage) (string, error) {
	parts := make([]string, len(t.PrimaryKey))
	for i, k := range t.PrimaryKey {
		v, ok := fields[k]
		if !ok {
			return "", fmt.Errorf("no key column %s", k)
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			s = string(v)
		}
		parts[i] = s
	}
	return strings.Join(parts, " | "), nil
}

// Compare finds what changed from the release in folder old (version
// previous) to the tables written in folder dir. same, when not nil, says
// whether a file of dir is byte for byte the one of the same name in old
// (from their hashes), so that its records need not be read.
func Compare(old, previous, dir string, same func(name string) bool) (Diff, error) {
	d := Diff{Previous: previous, Counts: map[string][3]int{}}
	// The changes are read off the published files: a damaged one would
	// make a wrong changelog, so it stops the run.
	if err := Damaged(old); err != nil {
		return d, err
	}
	oldSchema, _, err := releasedSchema(old)
	if err != nil {
		return d, fmt.Errorf("release: read %s/datapackage.json: %w", old, err)
	}
	bump := func(b Bump) {
		if b > d.Bump {
			d.Bump = b
		}
	}
	seen := map[string]bool{}
	for _, t := range schemas.Tables() {
		seen[t.Name] = true
		cols, ok := oldSchema[t.Name]
		if !ok {
			d.Schema = append(d.Schema, fmt.Sprintf("new table `%s`", t.Name))
			bump(Minor)
		} else {
			have := map[string]bool{}
			for _, f := range t.Fields {
				have[f.Name] = true
				typ, _ := f.Kind.Frictionless()
				switch old, ok := cols[f.Name]; {
				case !ok:
					d.Schema = append(d.Schema, fmt.Sprintf("`%s`: new column `%s` (%s)", t.Name, f.Name, typ))
					bump(Minor)
				case old != typ:
					d.Schema = append(d.Schema, fmt.Sprintf("`%s`: column `%s` is now %s (was %s)", t.Name, f.Name, typ, old))
					bump(Major)
				}
			}
			for _, name := range sortedKeys(cols) {
				if !have[name] {
					d.Schema = append(d.Schema, fmt.Sprintf("`%s`: column `%s` removed", t.Name, name))
					bump(Major)
				}
			}
		}
		var changes []Change
		if name := recordFile(t); !ok || same == nil || !same(name) {
			if changes, err = diffFiles(t, name, old, dir, ok); err != nil {
				return d, err
			}
		}
		var n [3]int
		for _, c := range changes {
			switch c.Kind {
			case Added:
				n[0]++
				bump(Minor)
			case Removed:
				n[1]++
				bump(Minor)
			case Changed:
				n[2]++
				bump(Patch)
			}
		}
		d.Counts[t.Name] = n
		d.Changes = append(d.Changes, changes...)
	}
	for _, name := range sortedKeys(oldSchema) {
		if !seen[name] {
			d.Schema = append(d.Schema, fmt.Sprintf("table `%s` removed", name))
			bump(Major)
		}
	}
	if err := compareTableFiles(&d, old, dir, oldSchema); err != nil {
		return d, err
	}
	return d, nil
}

// compareTableFiles adds to d the table files, in any format, that the
// previous version had and this one lacks, or has and it lacked: a link to
// a removed data file breaks (major; a convenience copy, minor), a new one
// is minor. Files of a table added or removed as a whole are told by the
// table's own line.
func compareTableFiles(d *Diff, old, dir string, oldSchema map[string]map[string]string) error {
	sums, err := os.ReadFile(filepath.Join(old, "SHA256SUMS"))
	if err != nil {
		return fmt.Errorf("release: read %s/SHA256SUMS: %w", old, err)
	}
	had := map[string]bool{}
	for _, line := range strings.Split(string(sums), "\n") {
		if _, name, ok := strings.Cut(line, "  "); ok {
			had[name] = true
		}
	}
	for _, t := range schemas.Tables() {
		if _, ok := oldSchema[t.Name]; !ok {
			continue // a new table
		}
		for _, f := range Formats {
			name := t.Name + f.Suffix
			_, err := os.Stat(filepath.Join(dir, name))
			switch has := err == nil; {
			case had[name] && !has && f.Extra:
				d.Schema = append(d.Schema, fmt.Sprintf("file `%s` is no longer released", name))
				d.Bump = max(d.Bump, Minor)
			case had[name] && !has:
				d.Schema = append(d.Schema, fmt.Sprintf("file `%s` is no longer released", name))
				d.Bump = max(d.Bump, Major)
			case !had[name] && has:
				d.Schema = append(d.Schema, fmt.Sprintf("new file `%s`", name))
				d.Bump = max(d.Bump, Minor)
			}
		}
	}
	return nil
}

// diffFiles pairs the records of a table in the old and the new folder by
// key: changed and added ones in the new file's order, then removed ones in
// the old file's order. It reads the two files side by side, once: a row
// the same as the one at its place in the other file is the same record
// unchanged (a key is a row's own columns, so equal rows have equal keys);
// a row that is not waits, by key, for its partner. Memory holds only the
// rows out of step, however large the table; releases written in manifest
// order keep them few.
func diffFiles(t schemas.Table, name, oldDir, newDir string, hasOld bool) ([]Change, error) {
	nr, err := openRows(newDir, t, name)
	if err != nil {
		return nil, fmt.Errorf("release: read the new %s: %w", t.Name, err)
	}
	defer nr.Close()
	var or *rows
	if hasOld {
		if or, err = openRows(oldDir, t, name); err != nil {
			return nil, fmt.Errorf("release: read the previous %s: %w", t.Name, err)
		}
		defer or.Close()
	}
	type lined struct {
		line int
		c    Change
	}
	var changed []lined // changed and added, by the new line
	oldWait, newWait := map[string]row{}, map[string]row{}
	compare := func(o, n row) error {
		if bytes.Equal(o.raw, n.raw) {
			return nil
		}
		orec, err := or.parse(o)
		if err != nil {
			return err
		}
		nrec, err := nr.parse(n)
		if err != nil {
			return err
		}
		fields := map[string]FieldChange{}
		for _, k := range nrec.order {
			if ov, ok := orec.fields[k]; !ok || !bytes.Equal(ov, nrec.fields[k]) {
				if !ok {
					ov = json.RawMessage("null")
				}
				fields[k] = FieldChange{Old: ov, New: nrec.fields[k]}
			}
		}
		if len(fields) > 0 {
			changed = append(changed, lined{n.line, Change{Table: t.Name, ID: nrec.id, Kind: Changed, Fields: fields}})
		}
		return nil
	}
	key := func(r *rows, x row) (string, error) {
		rec, err := r.parse(x)
		return rec.id, err
	}
	// meet takes the row r has just read: it compares it with its partner
	// if the other file's row with its key waits in theirs, else it waits
	// in mine.
	meet := func(r *rows, mine, theirs map[string]row, compare func(x, partner row) error) error {
		x := r.keep()
		k, err := key(r, x)
		if err != nil {
			return err
		}
		if p, ok := theirs[k]; ok {
			delete(theirs, k)
			return compare(x, p)
		}
		mine[k] = x
		return nil
	}
	if or == nil { // a new table: every row is added
		var out []Change
		for {
			ok, err := nr.next()
			if err != nil {
				return nil, fmt.Errorf("release: read the new %s: %w", t.Name, err)
			}
			if !ok {
				return out, nil
			}
			k, err := key(nr, nr.keep())
			if err != nil {
				return nil, err
			}
			out = append(out, Change{Table: t.Name, ID: k, Kind: Added})
		}
	}
	for {
		oOK := false
		if or != nil {
			if oOK, err = or.next(); err != nil {
				return nil, fmt.Errorf("release: read the previous %s: %w", t.Name, err)
			}
		}
		nOK, err := nr.next()
		if err != nil {
			return nil, fmt.Errorf("release: read the new %s: %w", t.Name, err)
		}
		if !oOK && !nOK {
			break
		}
		if oOK && nOK && bytes.Equal(or.raw, nr.raw) {
			continue
		}
		if oOK {
			if err := meet(or, oldWait, newWait, func(o, n row) error { return compare(o, n) }); err != nil {
				return nil, err
			}
		}
		if nOK {
			if err := meet(nr, newWait, oldWait, func(n, o row) error { return compare(o, n) }); err != nil {
				return nil, err
			}
		}
	}
	for k, n := range newWait {
		changed = append(changed, lined{n.line, Change{Table: t.Name, ID: k, Kind: Added}})
	}
	sort.Slice(changed, func(i, j int) bool { return changed[i].line < changed[j].line })
	removed := make([]lined, 0, len(oldWait))
	for k, o := range oldWait {
		removed = append(removed, lined{o.line, Change{Table: t.Name, ID: k, Kind: Removed}})
	}
	sort.Slice(removed, func(i, j int) bool { return removed[i].line < removed[j].line })
	out := make([]Change, 0, len(changed)+len(removed))
	for _, l := range append(changed, removed...) {
		out = append(out, l.c)
	}
	return out, nil
}

// releasedSchema reads each table's columns and types from a release's
// datapackage.json, and the size it records of each resource file.
func releasedSchema(dir string) (map[string]map[string]string, map[string]int64, error) {
	b, err := os.ReadFile(filepath.Join(dir, "datapackage.json"))
	if err != nil {
		return nil, nil, err
	}
	var p struct {
		Resources []struct {
			Name   string `json:"name"`
			Path   string `json:"path"`
			Bytes  *int64 `json:"bytes"`
			Schema struct {
				Fields []struct {
					Name string `json:"name"`
					Type string `json:"type"`
				} `json:"fields"`
			} `json:"schema"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, nil, err
	}
	out, sizes := map[string]map[string]string{}, map[string]int64{}
	for _, r := range p.Resources {
		if r.Bytes != nil {
			sizes[r.Path] = *r.Bytes
		}
		table, _, _ := strings.Cut(r.Path, ".")
		if _, ok := out[table]; ok {
			continue
		}
		cols := map[string]string{}
		for _, f := range r.Schema.Fields {
			cols[f.Name] = f.Type
		}
		out[table] = cols
	}
	return out, sizes, nil
}

// changesJSONL renders changes.jsonl.
func changesJSONL(d Diff) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b) // one object per line; text as written, not HTML-escaped
	enc.SetEscapeHTML(false)
	for _, c := range d.Changes {
		enc.Encode(c)
	}
	return b.Bytes()
}

// changesMarkdown renders CHANGES.md: the bump and why, schema changes,
// records added, removed and changed per table, and a few examples.
func changesMarkdown(version string, d Diff) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Changes in %s\n\n", version)
	if d.Previous == "" {
		b.WriteString("The first published version: every record is new.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "Compared with %s: a %s release.\n\n", d.Previous, d.Bump)
	b.WriteString(summaryLines(d))
	var examples []Change
	per := map[string]int{}
	for _, c := range d.Changes {
		if per[c.Table+c.Kind] < 3 {
			per[c.Table+c.Kind]++
			examples = append(examples, c)
		}
	}
	if len(examples) > 0 {
		b.WriteString("\n## Examples\n\n")
		for _, c := range examples {
			fmt.Fprintf(&b, "- `%s` %s: `%s`", c.Table, c.Kind, c.ID)
			for _, k := range sortedKeys(c.Fields) {
				fmt.Fprintf(&b, "; %s: %s → %s", k, shortJSON(c.Fields[k].Old), shortJSON(c.Fields[k].New))
			}
			b.WriteString("\n")
		}
		b.WriteString("\nEvery changed record, with its old and new values, is in `changes.jsonl`.\n")
	}
	return b.String()
}

// summaryLines lists schema changes and per-table record counts.
func summaryLines(d Diff) string {
	var b strings.Builder
	for _, s := range d.Schema {
		fmt.Fprintf(&b, "- %s\n", s)
	}
	if len(d.Schema) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("| table | added | removed | changed |\n|---|---|---|---|\n")
	for _, t := range schemas.Tables() {
		n := d.Counts[t.Name]
		fmt.Fprintf(&b, "| `%s` | %d | %d | %d |\n", t.Name, n[0], n[1], n[2])
	}
	return b.String()
}

func shortJSON(v json.RawMessage) string {
	s := string(v)
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}

// Semver is a parsed semantic version (pre-release tags compare as text).
type Semver struct {
	Major, Minor, Patch int
	Pre                 string
}

// ParseSemver parses "1.2.3" or "1.2.3-rc.1".
func ParseSemver(v string) (Semver, bool) {
	m := semver.FindStringSubmatch(v)
	if m == nil {
		return Semver{}, false
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	c, _ := strconv.Atoi(m[3])
	return Semver{a, b, c, strings.TrimPrefix(m[4], "-")}, true
}

func (s Semver) String() string {
	v := fmt.Sprintf("%d.%d.%d", s.Major, s.Minor, s.Patch)
	if s.Pre != "" {
		v += "-" + s.Pre
	}
	return v
}

// Less orders versions; a pre-release comes before its release.
func (s Semver) Less(o Semver) bool {
	if s.Major != o.Major {
		return s.Major < o.Major
	}
	if s.Minor != o.Minor {
		return s.Minor < o.Minor
	}
	if s.Patch != o.Patch {
		return s.Patch < o.Patch
	}
	switch {
	case s.Pre == o.Pre:
		return false
	case s.Pre == "":
		return false
	case o.Pre == "":
		return true
	}
	return s.Pre < o.Pre
}

// Next is the version after s for a bump.
func (s Semver) Next(b Bump) Semver {
	switch b {
	case Major:
		return Semver{Major: s.Major + 1}
	case Minor:
		return Semver{Major: s.Major, Minor: s.Minor + 1}
	case Patch:
		return Semver{Major: s.Major, Minor: s.Minor, Patch: s.Patch + 1}
	}
	return s
}

// Published lists the versions published under releases, oldest first.
func Published(releases string) []Semver {
	entries, _ := os.ReadDir(releases)
	var out []Semver
	for _, e := range entries {
		if v, ok := ParseSemver(e.Name()); ok && e.IsDir() {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out
}

// previousOf is the newest published version before v ("" for none); with
// v empty, the newest of all.
func previousOf(releases, v string) string {
	var target Semver
	bounded := false
	if v != "" {
		target, bounded = ParseSemver(v)
	}
	prev := ""
	for _, p := range Published(releases) {
		if !bounded || p.Less(target) {
			prev = p.String()
		}
	}
	return prev
}

// changelogHead opens every release's CHANGELOG.md.
const changelogHead = `# Changelog of the policyledger dataset

Generated by each release from what changed since the previous published version (record by record in that
version's changes.jsonl, summed up in its CHANGES.md); a note a person wrote for a version in the sources folder's
CHANGELOG.md follows its summary. Versions are chosen by the release: a table or column removed, or a column's type
changed, makes a major version; tables, columns or records added, or records removed, a minor one; values changed
only, a patch.

`

// changelog renders CHANGELOG.md: this version's entry, then the previous
// release's entries (or, with no previous release, the notes of earlier
// versions).
func changelog(version string, d Diff, notes, prev []byte) []byte {
	var b bytes.Buffer
	b.WriteString(changelogHead)
	fmt.Fprintf(&b, "## %s\n\n", version)
	if d.Previous == "" {
		b.WriteString("No earlier version is published with this one, so there is nothing to compare it with.\n")
	} else {
		fmt.Fprintf(&b, "A %s release after %s.\n\n", d.Bump, d.Previous)
		b.WriteString(summaryLines(d))
	}
	sections := noteSections(notes)
	if n, ok := sections[version]; ok {
		fmt.Fprintf(&b, "\n%s\n", n)
	}
	if len(prev) > 0 {
		if i := bytes.Index(prev, []byte("\n## ")); i >= 0 {
			b.WriteString("\n")
			b.Write(prev[i+1:])
		}
		return b.Bytes()
	}
	this, _ := ParseSemver(version)
	var older []Semver
	for v := range sections {
		if s, ok := ParseSemver(v); ok && s.Less(this) {
			older = append(older, s)
		}
	}
	sort.Slice(older, func(i, j int) bool { return older[j].Less(older[i]) })
	for _, v := range older {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n", v, sections[v.String()])
	}
	return b.Bytes()
}

// noteSections splits the notes file into its "## <version>" sections.
func noteSections(notes []byte) map[string]string {
	out := map[string]string{}
	var version string
	var body []string
	flush := func() {
		if version != "" {
			out[version] = strings.TrimSpace(strings.Join(body, "\n"))
		}
	}
	for _, line := range strings.Split(string(notes), "\n") {
		if v, ok := strings.CutPrefix(line, "## "); ok {
			flush()
			version, body = strings.TrimSpace(v), nil
			continue
		}
		body = append(body, line)
	}
	flush()
	return out
}

// citation renders CITATION.cff for a version.
func citation(ds schemas.Dataset, version string) []byte {
	var b strings.Builder
	q := func(s string) string { return strconv.Quote(s) }
	b.WriteString("cff-version: 1.2.0\n")
	fmt.Fprintf(&b, "message: %s\n", q(fmt.Sprintf("If you use the %s dataset, please cite it as below, with the version you used.", ds.Name)))
	fmt.Fprintf(&b, "title: %s\n", q(ds.Title))
	fmt.Fprintf(&b, "version: %s\n", q(version))
	b.WriteString("type: dataset\nauthors:\n")
	fmt.Fprintf(&b, "  - name: %s\n", q(ds.Name+" contributors"))
	if len(ds.Licenses) > 0 {
		fmt.Fprintf(&b, "license: %s\n", ds.Licenses[0].Name)
	}
	if ds.Homepage != nil {
		fmt.Fprintf(&b, "url: %s\n", q(*ds.Homepage))
	}
	if len(ds.Keywords) > 0 {
		b.WriteString("keywords:\n")
		for _, k := range ds.Keywords {
			fmt.Fprintf(&b, "  - %s\n", q(k))
		}
	}
	return []byte(b.String())
}
