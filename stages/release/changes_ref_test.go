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
	"strings"

	"github.com/policyledger/policyledger/schemas"
)

// The comparison as it was first written, reading both tables whole into
// memory: diffFiles must give the same changes in the same order.

// refReadRecords reads a table's records from dir in file order.
func refReadRecords(dir string, t schemas.Table, name string) ([]record, error) {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []record
	if strings.HasSuffix(name, ".jsonl") {
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<30)
		for line := 1; sc.Scan(); line++ {
			r := record{raw: bytes.Clone(sc.Bytes()), fields: map[string]json.RawMessage{}}
			dec := json.NewDecoder(bytes.NewReader(r.raw))
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("%s line %d: %w", name, line, err)
			}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("%s line %d: %w", name, line, err)
				}
				var v json.RawMessage
				if err := dec.Decode(&v); err != nil {
					return nil, fmt.Errorf("%s line %d: %w", name, line, err)
				}
				key := k.(string)
				r.fields[key], r.order = v, append(r.order, key)
			}
			if r.id, err = keyOf(t, r.fields); err != nil {
				return nil, fmt.Errorf("%s line %d: %w", name, line, err)
			}
			out = append(out, r)
		}
		return out, sc.Err()
	}
	cr := csv.NewReader(f)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		r := record{raw: []byte(strings.Join(rec, "\x00")), fields: map[string]json.RawMessage{}, order: header}
		for i, h := range header {
			r.fields[h] = appendJSON(nil, rec[i])
		}
		if r.id, err = keyOf(t, r.fields); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, line, err)
		}
		out = append(out, r)
	}
}

// refDiffRecords pairs records by key: changed and added ones in the new
// file's order, then removed ones in the old file's order.
func refDiffRecords(table string, old, new []record) []Change {
	byID := make(map[string]*record, len(old))
	for i := range old {
		byID[old[i].id] = &old[i]
	}
	var out []Change
	matched := map[string]bool{}
	for _, r := range new {
		o, ok := byID[r.id]
		if !ok {
			out = append(out, Change{Table: table, ID: r.id, Kind: Added})
			continue
		}
		matched[r.id] = true
		if bytes.Equal(o.raw, r.raw) {
			continue
		}
		fields := map[string]FieldChange{}
		for _, k := range r.order {
			if ov, ok := o.fields[k]; !ok || !bytes.Equal(ov, r.fields[k]) {
				if !ok {
					ov = json.RawMessage("null")
				}
				fields[k] = FieldChange{Old: ov, New: r.fields[k]}
			}
		}
		if len(fields) > 0 {
			out = append(out, Change{Table: table, ID: r.id, Kind: Changed, Fields: fields})
		}
	}
	for _, o := range old {
		if !matched[o.id] {
			out = append(out, Change{Table: table, ID: o.id, Kind: Removed})
		}
	}
	return out
}
