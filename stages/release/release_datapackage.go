package release

import (
	"bytes"
	"encoding/json"

	"github.com/policyledger/policyledger/schemas"
)

// format is one of the file formats every table is released in.
type format struct {
	ext       string // file extension
	name      string // Frictionless format
	mediatype string
	suffix    string // resource-name suffix; the CSV resources carry the plain table names
}

var formats = []format{
	{ext: "csv", name: "csv", mediatype: "text/csv"},
	{ext: "parquet", name: "parquet", mediatype: "application/vnd.apache.parquet", suffix: "-parquet"},
	{ext: "jsonl", name: "jsonl", mediatype: "application/jsonl", suffix: "-jsonl"},
}

// fileInfo is what datapackage.json records of a written file.
type fileInfo struct {
	bytes int64
	hash  string // hex sha256
}

type packageJSON struct {
	Profile     string            `json:"profile"`
	Name        string            `json:"name"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Version     string            `json:"version"`
	Homepage    *string           `json:"homepage,omitempty"`
	Keywords    []string          `json:"keywords,omitempty"`
	Licenses    []schemas.License `json:"licenses"`
	Sources     []sourceJSON      `json:"sources"`
	Resources   []resourceJSON    `json:"resources"`
	// Report is the release's page for people (a custom property: the
	// tabular profile lists only tables as resources).
	Report string `json:"report"`
}

type sourceJSON struct {
	Title string  `json:"title"`
	Path  *string `json:"path,omitempty"`
}

type resourceJSON struct {
	Profile     string      `json:"profile"`
	Name        string      `json:"name"`
	Path        string      `json:"path"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Format      string      `json:"format"`
	Mediatype   string      `json:"mediatype"`
	Encoding    string      `json:"encoding,omitempty"`
	Bytes       int64       `json:"bytes"`
	Hash        string      `json:"hash"`
	Dialect     *dialect    `json:"dialect,omitempty"`
	Schema      tableSchema `json:"schema"`
}

type dialect struct {
	Delimiter      string `json:"delimiter"`
	LineTerminator string `json:"lineTerminator"`
	QuoteChar      string `json:"quoteChar"`
	DoubleQuote    bool   `json:"doubleQuote"`
	Header         bool   `json:"header"`
}

type tableSchema struct {
	Fields        []fieldJSON      `json:"fields"`
	PrimaryKey    []string         `json:"primaryKey"`
	ForeignKeys   []foreignKeyJSON `json:"foreignKeys,omitempty"`
	MissingValues []string         `json:"missingValues"`
}

type fieldJSON struct {
	Name        string       `json:"name"`
	Type        string       `json:"type"`
	Format      string       `json:"format,omitempty"`
	Description string       `json:"description"`
	Constraints *constraints `json:"constraints,omitempty"`
}

type constraints struct {
	Required bool `json:"required,omitempty"`
	Unique   bool `json:"unique,omitempty"`
}

type foreignKeyJSON struct {
	Fields    []string  `json:"fields"`
	Reference reference `json:"reference"`
}

type reference struct {
	Resource string   `json:"resource"`
	Fields   []string `json:"fields"`
}

// DataPackage renders datapackage.json (Frictionless Tabular Data Package)
// for the tables in every format, given each written file's size and hash.
func DataPackage(ds schemas.Dataset, version string, docs *schemas.SummaryList, files map[string]fileInfo) ([]byte, error) {
	p := packageJSON{
		Profile:     "tabular-data-package",
		Name:        ds.Name,
		Title:       ds.Title,
		Description: ds.Description,
		Version:     version,
		Homepage:    ds.Homepage,
		Keywords:    ds.Keywords,
		Licenses:    ds.Licenses,
		Sources:     []sourceJSON{},
		Report:      "report/index.html",
	}
	for d := range docs.All() {
		p.Sources = append(p.Sources, sourceJSON{Title: sourceTitle(d.Source), Path: d.Source.URL})
	}
	for _, f := range formats {
		for _, t := range schemas.Tables() {
			if !t.In(f.name) {
				continue
			}
			path := t.Name + "." + f.ext
			r := resourceJSON{
				Profile:     "tabular-data-resource",
				Name:        t.Name + f.suffix,
				Path:        path,
				Title:       t.Title + " (" + f.name + ")",
				Description: t.Description,
				Format:      f.name,
				Mediatype:   f.mediatype,
				Bytes:       files[path].bytes,
				Hash:        "sha256:" + files[path].hash,
				Schema:      schemaJSON(t, f.suffix),
			}
			if f.name != "parquet" {
				r.Encoding = "utf-8"
			}
			if f.name == "csv" {
				r.Dialect = &dialect{Delimiter: ",", LineTerminator: "\n", QuoteChar: `"`, DoubleQuote: true, Header: true}
			}
			p.Resources = append(p.Resources, r)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func schemaJSON(t schemas.Table, suffix string) tableSchema {
	s := tableSchema{PrimaryKey: t.PrimaryKey, MissingValues: []string{""}}
	for _, f := range t.Fields {
		typ, format := f.Kind.Frictionless()
		fj := fieldJSON{Name: f.Name, Type: typ, Format: format, Description: f.Description}
		pk := len(t.PrimaryKey) == 1 && t.PrimaryKey[0] == f.Name
		if !f.Nullable || pk {
			fj.Constraints = &constraints{Required: true, Unique: pk}
		}
		s.Fields = append(s.Fields, fj)
	}
	for _, fk := range t.ForeignKeys {
		res := fk.RefTable + suffix
		if fk.RefTable == t.Name {
			res = "" // the Table Schema way of saying "this resource"
		}
		s.ForeignKeys = append(s.ForeignKeys, foreignKeyJSON{Fields: fk.Fields, Reference: reference{Resource: res, Fields: fk.RefFields}})
	}
	return s
}

func sourceTitle(s schemas.Source) string {
	switch {
	case s.TitleEn != nil && s.TitleZh != nil:
		return *s.TitleEn + " (" + *s.TitleZh + ")"
	case s.TitleEn != nil:
		return *s.TitleEn
	case s.TitleZh != nil:
		return *s.TitleZh
	}
	return s.ID
}
