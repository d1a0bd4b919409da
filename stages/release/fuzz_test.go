package release

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"testing"
	"unicode/utf8"

	"github.com/policyledger/policyledger/schemas"
)

var fuzzTable = schemas.Table{Name: "t", Fields: []schemas.Field{
	{Name: "s", Kind: schemas.String},
	{Name: "n", Kind: schemas.String, Nullable: true},
	{Name: "l", Kind: schemas.StringList},
	{Name: "i", Kind: schemas.Int64},
}}

// FuzzWriters: whatever text a row holds, CSV and JSON Lines never panic,
// stay valid UTF-8 for valid input, and read back to the same values.
func FuzzWriters(f *testing.F) {
	for _, s := range []string{"", "a,b", "\"quoted\"\nnew line", "《公约》 & <b>", "\r\n", "\u2028", "\x00"} {
		f.Add(s, s+"x", int64(len(s)))
	}
	f.Fuzz(func(t *testing.T, s, l string, i int64) {
		if !utf8.ValidString(s) || !utf8.ValidString(l) {
			return
		}
		var n any = s
		if s == "" {
			n = nil // empty strings are released as nulls
		}
		row := []any{s, n, []string{l, s}, i}
		var c bytes.Buffer
		if err := WriteCSV(&c, fuzzTable, [][]any{row}, CSVOptions{}); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(c.Bytes())).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("CSV of %q does not read back: %v", s, err)
		}
		var list []string
		if err := json.Unmarshal([]byte(recs[1][2]), &list); err != nil || len(list) != 2 || list[0] != l || list[1] != s {
			t.Fatalf("CSV list %q reads back as %q (%v)", []string{l, s}, list, err)
		}
		// encoding/csv reads "\r\n" inside quotes as "\n"; compare the way a
		// CSV reader sees text.
		if recs[1][0] != csvText(s) {
			t.Fatalf("CSV text %q reads back as %q", s, recs[1][0])
		}
		var j bytes.Buffer
		if err := WriteJSONL(&j, fuzzTable, [][]any{row}); err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(j.Bytes()) || bytes.Count(j.Bytes(), []byte("\n")) != 1 {
			t.Fatalf("JSON Lines of %q is not one valid line: %q", s, j.Bytes())
		}
		var obj struct {
			S string   `json:"s"`
			N *string  `json:"n"`
			L []string `json:"l"`
			I int64    `json:"i"`
		}
		if err := json.Unmarshal(j.Bytes(), &obj); err != nil || obj.S != s || (obj.N == nil) != (n == nil) || obj.I != i || len(obj.L) != 2 || obj.L[0] != l {
			t.Fatalf("JSON Lines of %q reads back as %+v (%v)", s, obj, err)
		}
	})
}

func csvText(s string) string {
	return string(bytes.ReplaceAll([]byte(s), []byte("\r\n"), []byte("\n")))
}

// FuzzAppendJSON: the JSON Lines writer's encoder writes, for any string and
// number, the bytes encoding/json writes with HTML escaping off.
func FuzzAppendJSON(f *testing.F) {
	for _, s := range []string{"", "《公约》 & <b>", "\"\\\n\r\t\b\f\x00\x1f\x7f", "\u2028\u2029", "\xff\xfe bad", "é\u0301"} {
		f.Add(s, 0.5)
	}
	f.Add("", 1e-7)
	f.Add("", 1e21)
	f.Add("", -123456.789)
	f.Fuzz(func(t *testing.T, s string, x float64) {
		for _, v := range []any{s, []string{s, s + "x"}, x, int64(len(s)), nil, true} {
			if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
				continue
			}
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(v); err != nil {
				t.Fatal(err)
			}
			if got := appendJSON(nil, v); !bytes.Equal(got, bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
				t.Fatalf("appendJSON(%#v) = %s; encoding/json writes %s", v, got, want.Bytes())
			}
		}
	})
}

// FuzzCSVField: the CSV writer's records are, byte for byte, those
// encoding/csv's Writer writes, in both line-end dialects.
func FuzzCSVField(f *testing.F) {
	for _, s := range []string{"", "a,b", "\"quoted\"\nnew line", " lead", "\u3000全角空格", `\.`, "\r\n\r", "x\ry", "《公约》"} {
		f.Add(s, s+",", false)
		f.Add(s, "\t"+s, true)
	}
	f.Fuzz(func(t *testing.T, a, b string, crlf bool) {
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		w.UseCRLF = crlf
		if err := w.Write([]string{a, b, ""}); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		got := appendCSVField(nil, a, crlf)
		got = append(got, ',')
		got = appendCSVField(got, b, crlf)
		got = append(got, ',')
		got = appendCSVField(got, "", crlf)
		if crlf {
			got = append(got, '\r', '\n')
		} else {
			got = append(got, '\n')
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("record %q (crlf %t): got %q, encoding/csv writes %q", []string{a, b, ""}, crlf, got, want.Bytes())
		}
	})
}
