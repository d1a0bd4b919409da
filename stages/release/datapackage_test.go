package release

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/policyledger/policyledger/schemas"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// profileDir holds the Frictionless JSON Schema profiles, as published in
// the datapackage npm package (make profiles fetches them).
func profileDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("POLICYLEDGER_PROFILES")
	if dir == "" {
		dir = filepath.Join("..", "..", ".cache", "datapackage-profiles")
	}
	if _, err := os.Stat(filepath.Join(dir, "data-package.json")); err != nil {
		if os.Getenv("POLICYLEDGER_REQUIRE_FIXTURES") != "" {
			t.Fatalf("Frictionless profiles not found in %s: run make profiles", dir)
		}
		t.Skipf("Frictionless profiles not found in %s: run make profiles (make test does)", dir)
	}
	return dir
}

// TestDataPackageValidates checks datapackage.json against the Data Package
// and Tabular Data Package JSON Schemas, and that what it says of each file
// is true.
func TestDataPackageValidates(t *testing.T) {
	dir := profileDir(t)
	ds, data := fixtureData()
	files, err := Build(ds, Options{Version: "0.1.0"}, data, []byte("## 0.1.0\n"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(files["datapackage.json"]))
	if err != nil {
		t.Fatal(err)
	}
	// A descriptor the profiles must refuse, to show the check can fail:
	// a resource name with capitals and a space, and a field without a name.
	broken := bytes.Replace(files["datapackage.json"], []byte(`"name": "clauses",`), []byte(`"name": "Clauses Table",`), 1)
	broken = bytes.Replace(broken, []byte(`"name": "doc_id",`), []byte(`"title": "doc_id",`), 1)
	bad, err := jsonschema.UnmarshalJSON(bytes.NewReader(broken))
	if err != nil {
		t.Fatal(err)
	}
	for _, profile := range []string{"data-package.json", "tabular-data-package.json"} {
		c := jsonschema.NewCompiler()
		sch, err := c.Compile(filepath.Join(dir, profile))
		if err != nil {
			t.Fatalf("compile %s: %v", profile, err)
		}
		if err := sch.Validate(doc); err != nil {
			t.Errorf("datapackage.json does not validate against %s: %v", profile, err)
		}
		if err := sch.Validate(bad); err == nil {
			t.Errorf("%s accepted a broken descriptor", profile)
		}
	}

	var dp packageJSON
	if err := json.Unmarshal(files["datapackage.json"], &dp); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, r := range dp.Resources {
		names[r.Name] = true
	}
	want := 0
	for _, tb := range schemas.Tables() {
		for _, f := range []string{"parquet", "csv", "jsonl"} {
			if tb.In(f) {
				want++
			}
		}
	}
	if want != 3*len(schemas.Tables())-4 {
		t.Errorf("%d table files; want every table in three formats but review and review_links (CSV only)", want)
	}
	if len(dp.Resources) != want {
		t.Errorf("%d resources; want %d: every table in each of its formats", len(dp.Resources), want)
	}
	for _, r := range dp.Resources {
		data, ok := files[r.Path]
		if !ok {
			t.Errorf("resource %s: no file %s", r.Name, r.Path)
			continue
		}
		sum := sha256.Sum256(data)
		if r.Bytes != int64(len(data)) || r.Hash != "sha256:"+hex.EncodeToString(sum[:]) {
			t.Errorf("resource %s: bytes/hash %d %s do not match the file", r.Name, r.Bytes, r.Hash)
		}
		for _, fk := range r.Schema.ForeignKeys {
			if fk.Reference.Resource != "" && !names[fk.Reference.Resource] {
				t.Errorf("resource %s: foreign key to unknown resource %q", r.Name, fk.Reference.Resource)
			}
		}
	}
}
