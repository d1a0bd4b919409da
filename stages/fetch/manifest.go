package fetch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"

	"github.com/policyledger/policyledger/charset"
	"github.com/policyledger/policyledger/internal/rx"
	"github.com/policyledger/policyledger/schemas"
)

// Manifest is sources.yaml: dataset metadata and the list of sources.
type Manifest struct {
	Dataset schemas.Dataset  `yaml:"dataset"`
	Sources []schemas.Source `yaml:"sources"`
}

// idPattern keeps source ids usable as path segments and clause id prefixes:
// no separators, no dots, nothing that could escape sources/.
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

var sha256Pattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// LoadManifest reads and validates the manifest at path inside fsys.
// Unknown keys, duplicate ids and malformed fields are errors naming the
// file, the line where known, and the remedy.
func LoadManifest(fsys fs.FS, path string) (Manifest, error) {
	data, err := fs.ReadFile(fsys, path)
	if err != nil {
		return Manifest{}, fmt.Errorf("fetch: read manifest %s: %w", path, err)
	}
	return ParseManifest(path, data)
}

// ParseManifest decodes and validates manifest bytes; name is used in errors.
func ParseManifest(name string, data []byte) (Manifest, error) {
	var m Manifest
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		if errors.Is(err, io.EOF) {
			return Manifest{}, fmt.Errorf("fetch: manifest %s is empty: add a dataset block and a sources list", name)
		}
		msg := oneLine(err.Error())
		if strings.Contains(msg, "not found in type") {
			return Manifest{}, fmt.Errorf("fetch: manifest %s: %s: fix or remove the key (the known keys are listed in the README's Adding a source)", name, msg)
		}
		return Manifest{}, fmt.Errorf("fetch: manifest %s: %s: fix the YAML at that line (indentation with spaces, closing quotes and brackets)", name, msg)
	}
	if err := m.validate(name); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

func (m Manifest) validate(name string) error {
	if len(m.Sources) == 0 {
		return fmt.Errorf("fetch: manifest %s lists no sources: add at least one entry under sources", name)
	}
	if m.Dataset.Name == "" || m.Dataset.Title == "" {
		return fmt.Errorf("fetch: manifest %s: dataset.name and dataset.title are required", name)
	}
	seen := map[string]int{}
	for i, s := range m.Sources {
		where := fmt.Sprintf("fetch: manifest %s: sources[%d] (id %q)", name, i, s.ID)
		if !idPattern.MatchString(s.ID) {
			return fmt.Errorf("%s: id must match %s (lowercase letters, digits and '-')", where, idPattern)
		}
		if j, dup := seen[s.ID]; dup {
			return fmt.Errorf("%s: duplicate id, also used by sources[%d]: give each source its own id", where, j)
		}
		seen[s.ID] = i
		if (s.SnapshotEn == "") != (s.SHA256En == "") {
			return fmt.Errorf("%s: snapshot_en and sha256_en go together: give both or neither", where)
		}
		if s.SnapshotEn != "" && (!sha256Pattern.MatchString(s.SHA256En) || !fs.ValidPath(s.SnapshotEn) || !strings.HasPrefix(s.SnapshotEn, "snapshots/")) {
			return fmt.Errorf("%s: snapshot_en must be a path under snapshots/ and sha256_en 64 lowercase hex digits", where)
		}
		if !sha256Pattern.MatchString(s.SHA256) {
			return fmt.Errorf("%s: sha256 must be 64 lowercase hex digits, got %q", where, s.SHA256)
		}
		if s.Snapshot == "" || !fs.ValidPath(s.Snapshot) || !strings.HasPrefix(s.Snapshot, "snapshots/") {
			return fmt.Errorf("%s: snapshot %q must be a relative path under snapshots/", where, s.Snapshot)
		}
		if s.Layout == "" || len(s.Languages) == 0 {
			return fmt.Errorf("%s: layout (a name, or auto) and languages are required", where)
		}
		for _, l := range s.Languages {
			if l != "zh" && l != "en" {
				return fmt.Errorf("%s: language %q: use zh and/or en", where, l)
			}
		}
		if s.Format != "" && s.Format != "text" && s.Format != "html" {
			return fmt.Errorf("%s: format %q must be text or html", where, s.Format)
		}
		if s.Encoding != "" && !charset.Known(s.Encoding) {
			return fmt.Errorf("%s: encoding %q must be auto or one of %s", where, s.Encoding, strings.Join(charset.Names, ", "))
		}
		if len(s.HeadingKinds) == 0 {
			return fmt.Errorf("%s: heading_kinds must name the heading ranks, outermost first", where)
		}
		for _, d := range []*string{s.PublishedDate, s.AdoptedDate} {
			if d != nil {
				if _, err := time.Parse(time.DateOnly, *d); err != nil {
					return fmt.Errorf("%s: date %q is not YYYY-MM-DD", where, *d)
				}
			}
		}
		for _, group := range [][]schemas.Rule{s.Clean.Drop, s.Clean.Attribution, s.Clean.PostedAt, s.Clean.Truncation, s.Clean.Replace} {
			for _, r := range group {
				if _, err := rx.Compile(r.Pattern); err != nil {
					return fmt.Errorf("%s: clean rule %q: %v", where, r.Name, err)
				}
			}
		}
	}
	return nil
}

// Unrecorded lists the metadata a source entry leaves null that a user of
// the dataset needs (who issued it, what it is, whose rights): each is a
// quality warning, never a guess.
func Unrecorded(s schemas.Source) []string {
	var missing []string
	for _, f := range []struct{ name, v string }{{"issuer", s.Issuer}, {"document_type", s.DocumentType}, {"licence", s.Licence}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	return missing
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
