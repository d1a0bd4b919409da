package release

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/policyledger/policyledger/schemas"
)

// CSVOptions vary the CSV dialect. The default is RFC 4180 with "\n" line
// ends and no byte-order mark; Excel wants a BOM and "\r\n".
type CSVOptions struct {
	BOM  bool
	CRLF bool
}

// WriteCSV writes rows of t as CSV: a header of column names, one record per
// row, nulls as empty fields, lists as JSON arrays.
func WriteCSV(w io.Writer, t schemas.Table, rows [][]any, opt CSVOptions) error {
	bw := bufio.NewWriter(w)
	if opt.BOM {
		bw.WriteString("\uFEFF")
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = opt.CRLF
	if err := cw.Write(t.Header()); err != nil {
		return err
	}
	rec := make([]string, len(t.Fields))
	for r, row := range rows {
		if err := t.CheckRow(row); err != nil {
			return fmt.Errorf("release: %s row %d: %w", t.Name, r+1, err)
		}
		for i, v := range row {
			s, err := csvValue(v)
			if err != nil {
				return fmt.Errorf("release: %s row %d column %s: %w", t.Name, r+1, t.Fields[i].Name, err)
			}
			rec[i] = s
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func csvValue(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	case []string:
		b, err := marshal(x)
		return string(b), err
	}
	return "", fmt.Errorf("no CSV form for %T", v)
}

// WriteJSONL writes rows of t as JSON Lines: one object per row with keys in
// column order and explicit nulls.
func WriteJSONL(w io.Writer, t schemas.Table, rows [][]any) error {
	bw := bufio.NewWriter(w)
	names := make([][]byte, len(t.Fields))
	for i, f := range t.Fields {
		b, err := marshal(f.Name)
		if err != nil {
			return err
		}
		names[i] = b
	}
	for r, row := range rows {
		if err := t.CheckRow(row); err != nil {
			return fmt.Errorf("release: %s row %d: %w", t.Name, r+1, err)
		}
		bw.WriteByte('{')
		for i, v := range row {
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.Write(names[i])
			bw.WriteByte(':')
			b, err := marshal(v)
			if err != nil {
				return fmt.Errorf("release: %s row %d column %s: %w", t.Name, r+1, t.Fields[i].Name, err)
			}
			bw.Write(b)
		}
		bw.WriteString("}\n")
	}
	return bw.Flush()
}

// marshal encodes v as JSON without HTML escaping (so 《》 and & stay as
// they are) and without a trailing newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
