package release

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/policyledger/policyledger/schemas"
)

// CreatedBy is written into every Parquet footer. It is fixed, so that the
// same rows always give the same bytes.
const CreatedBy = "policyledger"

// parquetProperties are t's fixed writer settings: zstd, column statistics
// (min and max only up to 4 KiB, arrow-go's default; null counts always),
// dictionary encoding except for prose (see schemas.Table.Prose), Parquet
// 2.6.
//
// The dictionary page limit is set far above any column's dictionary: a
// column whose dictionary outgrows the limit falls back to plain encoding,
// and the writer then lists the chunk's page encodings in map order, so the
// same rows gave different bytes (seen at 1000 documents, in clause_id).
func parquetProperties(t schemas.Table) *parquet.WriterProperties {
	props := []parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCompressionLevel(3),
		parquet.WithDictionaryDefault(true),
		parquet.WithDictionaryPageSizeLimit(1 << 30),
		parquet.WithStats(true),
		parquet.WithCreatedBy(CreatedBy),
		parquet.WithMaxRowGroupLength(1 << 20),
		parquet.WithVersion(parquet.V2_6),
		parquet.WithDataPageVersion(parquet.DataPageV1),
	}
	for _, name := range t.Prose {
		path := name
		for _, f := range t.Fields {
			if f.Name == name && f.Kind == schemas.StringList {
				path = name + ".list.element"
			}
		}
		props = append(props, parquet.WithDictionaryFor(path, false))
	}
	return parquet.NewWriterProperties(props...)
}

// Row groups are cut at document boundaries once the rows buffered for one
// take rowGroupBytes of memory (or number rowGroupRows): the writer then
// holds at most one row group per table, whatever the number of documents,
// and where groups end depends only on the rows, so the bytes do too.
var (
	rowGroupBytes = 4 << 20 // a variable so that tests can cut groups small
	rowGroupRows  = 1 << 20
)

// parquetWriter writes a table as Parquet, one row group at a time. It
// writes columns with parquet's own column writers (not through Arrow
// records: pqarrow pulls in Arrow Flight, and with it gRPC and protobuf,
// which a release does not need) and stores t's Arrow schema in the footer
// as ARROW:schema, as Arrow writers do, so Arrow readers also see the
// column descriptions.
type parquetWriter struct {
	t     schemas.Table
	fw    *file.Writer
	rows  [][]any
	bytes int
	seen  int
	buf   columnBuffers
}

// NewParquet starts a Parquet file of t on w.
func NewParquet(w io.Writer, t schemas.Table) (TableWriter, error) {
	root, err := parquetSchema(t)
	if err != nil {
		return nil, fmt.Errorf("release: %s.parquet: %w", t.Name, err)
	}
	meta := metadata.NewKeyValueMetadata()
	if err := meta.Append("ARROW:schema", arrowSchema(t)); err != nil {
		return nil, err
	}
	fw := file.NewParquetWriter(w, root, file.WithWriterProps(parquetProperties(t)), file.WithWriteMetadata(meta))
	return &parquetWriter{t: t, fw: fw}, nil
}

// Write buffers one document's rows, and writes the row group when it is
// full.
func (p *parquetWriter) Write(rows [][]any) error {
	for _, row := range rows {
		p.seen++
		if err := p.t.CheckRow(row); err != nil {
			return fmt.Errorf("release: %s row %d: %w", p.t.Name, p.seen, err)
		}
		p.bytes += 24 + 16*len(row) // the row's slice and its boxed values
		for _, v := range row {
			switch x := v.(type) {
			case string:
				p.bytes += len(x)
			case []string:
				for _, s := range x {
					p.bytes += 16 + len(s)
				}
			}
		}
	}
	p.rows = append(p.rows, rows...)
	if p.bytes >= rowGroupBytes || len(p.rows) >= rowGroupRows {
		return p.flush()
	}
	return nil
}

func (p *parquetWriter) flush() error {
	if len(p.rows) == 0 {
		return nil
	}
	rgw := p.fw.AppendRowGroup()
	for i, f := range p.t.Fields {
		cw, err := rgw.NextColumn()
		if err == nil {
			err = writeColumn(cw, f, p.rows, i, &p.buf)
		}
		if err == nil {
			err = cw.Close()
		}
		if err != nil {
			return fmt.Errorf("release: %s.parquet column %s: %w", p.t.Name, f.Name, err)
		}
	}
	if err := rgw.Close(); err != nil {
		return fmt.Errorf("release: %s.parquet: %w", p.t.Name, err)
	}
	clear(p.rows)
	p.rows, p.bytes = p.rows[:0], 0
	return nil
}

// Close writes the last row group (an empty table has one with no rows) and
// the footer.
func (p *parquetWriter) Close() error {
	err := p.flush()
	if err == nil && p.fw.NumRowGroups() == 0 {
		rgw := p.fw.AppendRowGroup()
		for i, f := range p.t.Fields {
			cw, cerr := rgw.NextColumn()
			if cerr == nil {
				cerr = writeColumn(cw, f, nil, i, &p.buf)
			}
			if cerr == nil {
				cerr = cw.Close()
			}
			if cerr != nil {
				err = cerr
				break
			}
		}
		if err == nil {
			err = rgw.Close()
		}
	}
	if cerr := p.fw.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("release: %s.parquet: %w", p.t.Name, cerr)
	}
	return err
}

// WriteParquet writes rows of t as one Parquet file.
func WriteParquet(w io.Writer, t schemas.Table, rows [][]any) error {
	tw, err := NewParquet(w, t)
	if err != nil {
		return err
	}
	return writeAll(tw, rows)
}

// parquetSchema maps t's columns to Parquet: strings as UTF-8 byte arrays,
// dates as days, timestamps as microseconds (local time, not UTC-adjusted),
// string lists as the standard three-level LIST of required elements;
// nullable columns optional, the others required.
func parquetSchema(t schemas.Table) (*schema.GroupNode, error) {
	fields := make(schema.FieldList, len(t.Fields))
	for i, f := range t.Fields {
		rep := parquet.Repetitions.Required
		if f.Nullable {
			rep = parquet.Repetitions.Optional
		}
		var (
			n   schema.Node
			err error
		)
		switch f.Kind {
		case schemas.String:
			n, err = schema.NewPrimitiveNodeLogical(f.Name, rep, schema.StringLogicalType{}, parquet.Types.ByteArray, -1, -1)
		case schemas.Int64:
			n, err = schema.NewPrimitiveNode(f.Name, rep, parquet.Types.Int64, -1, -1)
		case schemas.Float64:
			n, err = schema.NewPrimitiveNode(f.Name, rep, parquet.Types.Double, -1, -1)
		case schemas.Bool:
			n, err = schema.NewPrimitiveNode(f.Name, rep, parquet.Types.Boolean, -1, -1)
		case schemas.Date:
			n, err = schema.NewPrimitiveNodeLogical(f.Name, rep, schema.DateLogicalType{}, parquet.Types.Int32, -1, -1)
		case schemas.Timestamp:
			n, err = schema.NewPrimitiveNodeLogical(f.Name, rep, schema.NewTimestampLogicalType(false, schema.TimeUnitMicros), parquet.Types.Int64, -1, -1)
		case schemas.StringList:
			var elem, list schema.Node
			if elem, err = schema.NewPrimitiveNodeLogical("element", parquet.Repetitions.Required, schema.StringLogicalType{}, parquet.Types.ByteArray, -1, -1); err != nil {
				return nil, err
			}
			if list, err = schema.NewGroupNode("list", parquet.Repetitions.Repeated, schema.FieldList{elem}, -1); err != nil {
				return nil, err
			}
			n, err = schema.NewGroupNodeLogical(f.Name, rep, schema.FieldList{list}, schema.ListLogicalType{}, -1)
		default:
			return nil, fmt.Errorf("no Parquet type for kind %s", f.Kind.Name())
		}
		if err != nil {
			return nil, err
		}
		fields[i] = n
	}
	return schema.NewGroupNode("schema", parquet.Repetitions.Required, fields, -1)
}

// arrowSchema is t's Arrow schema (list elements named "element", as in
// the Parquet columns), serialised as Arrow IPC and base64, the way Arrow
// writers store it.
func arrowSchema(t schemas.Table) string {
	fields := make([]arrow.Field, len(t.Fields))
	for i, f := range t.Fields {
		typ := f.Kind.Arrow()
		if f.Kind == schemas.StringList {
			typ = arrow.ListOfField(arrow.Field{Name: "element", Type: arrow.BinaryTypes.String})
		}
		fields[i] = arrow.Field{Name: f.Name, Type: typ, Nullable: f.Nullable, Metadata: arrow.NewMetadata([]string{"description"}, []string{f.Description})}
	}
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(arrow.NewSchema(fields, nil)))
	w.Close()
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// byteArray is s's own bytes as a Parquet value, not a copy (the writer
// only reads them, and a string's bytes never change): copying every text
// cell was 0.9 s of a run at N = 1000.
func byteArray(s string) parquet.ByteArray {
	if s == "" {
		return parquet.ByteArray{}
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// columnBuffers are the values and levels of one column, kept by a writer
// from column to column: made anew for every column of every row group,
// they were a twelfth of what a run allocated.
type columnBuffers struct {
	def, rep []int16
	bytes    []parquet.ByteArray
	i64      []int64
	i32      []int32
	f64      []float64
	bools    []bool
}

// writeColumn writes column i of rows with definition levels for optional
// columns and definition and repetition levels for lists. The buffers, when
// not nil, are reused; the column writer is done with them when it is
// closed.
func writeColumn(cw file.ColumnChunkWriter, f schemas.Field, rows [][]any, i int, b *columnBuffers) error {
	if b == nil {
		b = &columnBuffers{}
	}
	def, rep := b.def[:0], b.rep[:0]
	defer func() { b.def, b.rep = def[:0], rep[:0] }()
	present := func(v any) bool {
		if f.Nullable {
			if v == nil {
				def = append(def, 0)
				return false
			}
			def = append(def, 1)
		}
		return v != nil
	}
	var err error
	switch c := cw.(type) {
	case *file.ByteArrayColumnChunkWriter:
		vals := b.bytes[:0]
		defer func() { b.bytes = vals[:0] }()
		for _, row := range rows {
			if f.Kind == schemas.StringList {
				items := row[i].([]string)
				if len(items) == 0 {
					def, rep = append(def, 0), append(rep, 0)
				}
				for k, s := range items {
					vals = append(vals, byteArray(s))
					def, rep = append(def, 1), append(rep, int16(min(k, 1)))
				}
				continue
			}
			if present(row[i]) {
				vals = append(vals, byteArray(row[i].(string)))
			}
		}
		_, err = c.WriteBatch(vals, orNil(def), orNil(rep))
	case *file.Int64ColumnChunkWriter:
		vals := b.i64[:0]
		defer func() { b.i64 = vals[:0] }()
		for _, row := range rows {
			if !present(row[i]) {
				continue
			}
			if f.Kind == schemas.Timestamp {
				ts, perr := time.Parse("2006-01-02T15:04:05", row[i].(string))
				if perr != nil {
					return perr
				}
				vals = append(vals, ts.UnixMicro())
				continue
			}
			vals = append(vals, row[i].(int64))
		}
		_, err = c.WriteBatch(vals, orNil(def), nil)
	case *file.Int32ColumnChunkWriter:
		vals := b.i32[:0]
		defer func() { b.i32 = vals[:0] }()
		for _, row := range rows {
			if present(row[i]) {
				d, perr := time.Parse(time.DateOnly, row[i].(string))
				if perr != nil {
					return perr
				}
				vals = append(vals, int32(arrow.Date32FromTime(d)))
			}
		}
		_, err = c.WriteBatch(vals, orNil(def), nil)
	case *file.Float64ColumnChunkWriter:
		vals := b.f64[:0]
		defer func() { b.f64 = vals[:0] }()
		for _, row := range rows {
			if present(row[i]) {
				vals = append(vals, row[i].(float64))
			}
		}
		_, err = c.WriteBatch(vals, orNil(def), nil)
	case *file.BooleanColumnChunkWriter:
		vals := b.bools[:0]
		defer func() { b.bools = vals[:0] }()
		for _, row := range rows {
			if present(row[i]) {
				vals = append(vals, row[i].(bool))
			}
		}
		_, err = c.WriteBatch(vals, orNil(def), nil)
	default:
		return fmt.Errorf("no column writer for kind %s", f.Kind.Name())
	}
	return err
}

// orNil is levels, or nil when there are none: the column writer reads an
// empty slice as levels given (and wrong), nil as levels not needed.
func orNil(levels []int16) []int16 {
	if len(levels) == 0 {
		return nil
	}
	return levels
}
