package release

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/policyledger/policyledger/internal/utf8x"
	"github.com/policyledger/policyledger/schemas"
)

// CSVOptions vary the CSV dialect. The default is RFC 4180 with "\n" line
// ends and no byte-order mark; Excel wants a BOM and "\r\n".
type CSVOptions struct {
	BOM  bool
	CRLF bool
}

// csvWriter writes a table as CSV: a header of column names, one record
// per row, nulls as empty fields, lists as JSON arrays.
//
// Records are made in a reused line buffer by appendCSVField, which writes
// the bytes encoding/csv's Writer writes (FuzzCSVField compares the two):
// that writer scanned every field twice and made a string of every number
// and list, a third of the time of writing a CSV file.
type csvWriter struct {
	t    schemas.Table
	bw   *bufio.Writer
	crlf bool
	line []byte
	buf  []byte
	rows int
}

// NewCSV starts a CSV file of t on w: the header is written at once.
func NewCSV(w io.Writer, t schemas.Table, opt CSVOptions) (TableWriter, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	if opt.BOM {
		bw.WriteString("\uFEFF")
	}
	c := &csvWriter{t: t, bw: bw, crlf: opt.CRLF}
	for i, name := range t.Header() {
		if i > 0 {
			c.line = append(c.line, ',')
		}
		c.line = appendCSVField(c.line, name, c.crlf)
	}
	if _, err := bw.Write(c.endLine()); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *csvWriter) endLine() []byte {
	if c.crlf {
		return append(c.line, '\r', '\n')
	}
	return append(c.line, '\n')
}

func (c *csvWriter) Write(rows [][]any) error {
	for _, row := range rows {
		c.rows++
		if err := c.t.CheckRow(row); err != nil {
			return fmt.Errorf("release: %s row %d: %w", c.t.Name, c.rows, err)
		}
		c.line = c.line[:0]
		for i, v := range row {
			if i > 0 {
				c.line = append(c.line, ',')
			}
			switch x := v.(type) {
			case nil:
			case string:
				c.line = appendCSVField(c.line, x, c.crlf)
			case int64:
				c.line = strconv.AppendInt(c.line, x, 10)
			case float64:
				c.line = strconv.AppendFloat(c.line, x, 'f', -1, 64)
			case bool:
				c.line = strconv.AppendBool(c.line, x)
			case []string:
				// the list as JSON, then as a field; the string shares
				// c.buf's bytes for the call only (a copy per list was a
				// twentieth of a run's allocations)
				c.buf = appendJSONList(c.buf[:0], x)
				c.line = appendCSVField(c.line, unsafe.String(unsafe.SliceData(c.buf), len(c.buf)), c.crlf)
			default:
				return fmt.Errorf("release: %s row %d column %s: no CSV form for %T", c.t.Name, c.rows, c.t.Fields[i].Name, v)
			}
		}
		c.line = c.endLine()
		if _, err := c.bw.Write(c.line); err != nil {
			return err
		}
	}
	return nil
}

func (c *csvWriter) Close() error {
	return c.bw.Flush()
}

// appendCSVField appends field as encoding/csv's Writer writes it with a
// comma: quoted when it holds a comma, a quote, a line break, or starts
// with a space (or is \.), with quotes doubled and, for crlf, "\n" written
// "\r\n" and a lone "\r" dropped.
func appendCSVField(b []byte, field string, crlf bool) []byte {
	// Bytes to escape are found with IndexByte, which is vectorised: one
	// pass per byte value beats one loop over the bytes several times over.
	// next[k] is where the next of escapes[k] is, from start on (-1: none).
	const escapes = "\"\n\r"
	var next [3]int
	special := -1 // the first of them
	for k := range next {
		next[k] = strings.IndexByte(field, escapes[k])
		if next[k] >= 0 && (special < 0 || next[k] < special) {
			special = next[k]
		}
	}
	quote := special >= 0 || field == `\.` || strings.IndexByte(field, ',') >= 0
	if !quote && field != "" {
		r, _ := utf8.DecodeRuneInString(field)
		quote = unicode.IsSpace(r)
	}
	if !quote {
		return append(b, field...)
	}
	b = append(b, '"')
	start := 0
	for i := special; i >= 0; {
		b = append(b, field[start:i]...)
		switch field[i] {
		case '"':
			b = append(b, '"', '"')
		case '\r':
			if !crlf {
				b = append(b, '\r')
			}
		case '\n':
			if crlf {
				b = append(b, '\r', '\n')
			} else {
				b = append(b, '\n')
			}
		}
		start = i + 1
		i = -1
		for k := range next {
			if next[k] >= 0 && next[k] < start {
				if j := strings.IndexByte(field[start:], escapes[k]); j >= 0 {
					next[k] = start + j
				} else {
					next[k] = -1
				}
			}
			if next[k] >= 0 && (i < 0 || next[k] < i) {
				i = next[k]
			}
		}
	}
	b = append(b, field[start:]...)
	return append(b, '"')
}

// jsonlWriter writes a table as JSON Lines: one object per row with keys in
// column order and explicit nulls.
type jsonlWriter struct {
	t     schemas.Table
	w     io.Writer
	names [][]byte
	line  []byte
	rows  int
}

// NewJSONL starts a JSON Lines file of t on w.
func NewJSONL(w io.Writer, t schemas.Table) (TableWriter, error) {
	names := make([][]byte, len(t.Fields))
	for i, f := range t.Fields {
		names[i] = appendJSON(nil, f.Name)
	}
	return &jsonlWriter{t: t, w: bufio.NewWriterSize(w, 1<<16), names: names}, nil
}

func (j *jsonlWriter) Write(rows [][]any) error {
	for _, row := range rows {
		j.rows++
		if err := j.t.CheckRow(row); err != nil {
			return fmt.Errorf("release: %s row %d: %w", j.t.Name, j.rows, err)
		}
		b := append(j.line[:0], '{')
		for i, v := range row {
			if i > 0 {
				b = append(b, ',')
			}
			if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
				return fmt.Errorf("release: %s row %d column %s: %v has no JSON form", j.t.Name, j.rows, j.t.Fields[i].Name, f)
			}
			b = append(b, j.names[i]...)
			b = append(b, ':')
			b = appendJSON(b, v)
		}
		b = append(b, '}', '\n')
		j.line = b
		if _, err := j.w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func (j *jsonlWriter) Close() error { return j.w.(*bufio.Writer).Flush() }

// appendJSON appends v (a row value: nil, string, int64, float64, bool or
// []string) as JSON, byte for byte what encoding/json writes with HTML
// escaping off: 《》 and & stay as they are, U+2028 and U+2029 are escaped,
// and invalid UTF-8 becomes U+FFFD. FuzzAppendJSON holds it to that.
func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return appendJSONFloat(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case []string:
		return appendJSONList(b, x)
	}
	panic(fmt.Sprintf("release: no JSON form for %T", v))
}

// appendJSONList appends a list of strings as JSON (null when nil).
func appendJSONList(b []byte, xs []string) []byte {
	if xs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				for i+8 <= len(s) && plainJSON8(s[i:i+8]) {
					i += 8
				}
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8x.Decode3(s[i:])
		if size == 3 && c != 0xE2 {
			// valid, and not U+2028 or U+2029 (E2 80 A8, E2 80 A9)
			i += 3
			continue
		}
		if size == 0 {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// plainJSON8 tells whether the eight bytes of s are all ASCII that a JSON
// string holds as they are: none below U+0020, no quote, no backslash.
// It reads them as one word (SWAR): v-0x01… sets a byte's high bit where
// that byte of v is zero, and where it underflowed from one below; as the
// lowest such byte is always a true one, the test of all eight is exact.
func plainJSON8(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	_ = s[7]
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	q, bs := x^(ones*'"'), x^(ones*'\\')
	control := (x - ones*0x20) &^ x // a byte below 0x20 (x has no high bit here)
	quote := (q - ones) &^ q
	backslash := (bs - ones) &^ bs
	return (x|control|quote|backslash)&highs == 0
}

// appendJSONFloat formats like encoding/json: shortest form, exponent only
// outside [1e-6, 1e21), and "e-07" written "e-7".
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		panic(fmt.Sprintf("release: %v has no JSON form", f))
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// WriteCSV writes rows of t as one CSV file.
func WriteCSV(w io.Writer, t schemas.Table, rows [][]any, opt CSVOptions) error {
	tw, err := NewCSV(w, t, opt)
	if err != nil {
		return err
	}
	return writeAll(tw, rows)
}

// WriteJSONL writes rows of t as one JSON Lines file.
func WriteJSONL(w io.Writer, t schemas.Table, rows [][]any) error {
	tw, err := NewJSONL(w, t)
	if err != nil {
		return err
	}
	return writeAll(tw, rows)
}

func writeAll(tw TableWriter, rows [][]any) error {
	if err := tw.Write(rows); err != nil {
		return err
	}
	return tw.Close()
}
