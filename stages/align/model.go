package align

import (
	"bytes"
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/policyledger/policyledger/schemas"
)

//go:embed model.yaml
var modelYAML []byte

// ModelFile is model.yaml: the length model every document is aligned
// with, shipped as versioned data so that a document's alignment depends on
// its own text and this file only — never on which other documents are in
// the run. `policyledger refit` writes it from the sources' bilingual
// paragraphs; the change is reviewed as a diff.
type ModelFile struct {
	Version  string   `yaml:"version"`
	Ratio    float64  `yaml:"ratio"`
	Variance float64  `yaml:"variance"`
	Pairs    int      `yaml:"pairs"`
	FittedOn []string `yaml:"fitted_on"`
}

// ModelYAML returns the shipped model.yaml's bytes, for tests that compare
// it with a refit.
func ModelYAML() []byte { return append([]byte{}, modelYAML...) }

// ParseModel reads a model file; name is used in errors.
func ParseModel(name string, data []byte) (ModelFile, error) {
	var f ModelFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return f, fmt.Errorf("align: model %s: %s", name, strings.Join(strings.Fields(err.Error()), " "))
	}
	if f.Version == "" || f.Ratio <= 0 || f.Variance <= 0 {
		return f, fmt.Errorf("align: model %s: version, a positive ratio and a positive variance are required", name)
	}
	return f, nil
}

// Model returns the file's length model.
func (f ModelFile) Model() Model { return Model{Ratio: f.Ratio, Variance: f.Variance, Pairs: f.Pairs} }

// DefaultModel is the embedded model.yaml.
var DefaultModel = func() ModelFile {
	f, err := ParseModel("model.yaml", modelYAML)
	if err != nil {
		panic(err)
	}
	return f
}()

// Refit fits the length model to the bilingual paragraphs of docs and
// renders it as model.yaml, with the version given. Floats are written in
// full so that reading the file back gives the same model bit for bit.
func Refit(docs []schemas.Document, version string) []byte {
	m := Estimate(docs)
	var b strings.Builder
	b.WriteString("# The Gale–Church length model every bilingual document is aligned with:\n")
	b.WriteString("# English length ≈ ratio × Chinese length (code points), with variance per\n")
	b.WriteString("# Chinese character. Written by `policyledger refit` from the bilingual\n")
	b.WriteString("# paragraphs of the documents below; do not edit by hand. A new version\n")
	b.WriteString("# changes the scores and review flags of every bilingual document: say so\n")
	b.WriteString("# in the dataset changelog.\n")
	fmt.Fprintf(&b, "version: %s\n", version)
	fmt.Fprintf(&b, "ratio: %s\n", strconv.FormatFloat(m.Ratio, 'g', -1, 64))
	fmt.Fprintf(&b, "variance: %s\n", strconv.FormatFloat(m.Variance, 'g', -1, 64))
	fmt.Fprintf(&b, "pairs: %d\n", m.Pairs)
	b.WriteString("fitted_on:\n")
	for _, d := range docs {
		for _, c := range d.Clauses {
			if c.TextZh != "" && c.TextEn != "" {
				fmt.Fprintf(&b, "  - %s\n", d.Source.ID)
				break
			}
		}
	}
	return []byte(b.String())
}
