package release

import (
	"fmt"
	"io"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/policyledger/policyledger/schemas"
)

// CreatedBy is written into every Parquet footer. It is fixed, so that the
// same rows always give the same bytes.
const CreatedBy = "policyledger"

// parquetProperties are the fixed writer settings: zstd, column statistics,
// dictionary encoding, one row group (the tables are small), Parquet 2.6.
func parquetProperties() *parquet.WriterProperties {
	return parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCompressionLevel(3),
		parquet.WithDictionaryDefault(true),
		parquet.WithStats(true),
		parquet.WithCreatedBy(CreatedBy),
		parquet.WithMaxRowGroupLength(1<<20),
		parquet.WithVersion(parquet.V2_6),
		parquet.WithDataPageVersion(parquet.DataPageV1),
	)
}

// WriteParquet writes rows of t as one Parquet file with t's Arrow schema
// (stored in the footer, so Arrow readers also see column descriptions).
func WriteParquet(w io.Writer, t schemas.Table, rows [][]any) error {
	schema := t.ArrowSchema()
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for r, row := range rows {
		if err := t.CheckRow(row); err != nil {
			return fmt.Errorf("release: %s row %d: %w", t.Name, r+1, err)
		}
		for i, f := range t.Fields {
			if err := appendValue(b.Field(i), f, row[i]); err != nil {
				return fmt.Errorf("release: %s row %d column %s: %w", t.Name, r+1, f.Name, err)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	fw, err := pqarrow.NewFileWriter(schema, w, parquetProperties(), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return fmt.Errorf("release: %s.parquet: %w", t.Name, err)
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return fmt.Errorf("release: %s.parquet: %w", t.Name, err)
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("release: %s.parquet: %w", t.Name, err)
	}
	return nil
}

func appendValue(b array.Builder, f schemas.Field, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch f.Kind {
	case schemas.String:
		b.(*array.StringBuilder).Append(v.(string))
	case schemas.Int64:
		b.(*array.Int64Builder).Append(v.(int64))
	case schemas.Float64:
		b.(*array.Float64Builder).Append(v.(float64))
	case schemas.Bool:
		b.(*array.BooleanBuilder).Append(v.(bool))
	case schemas.Date:
		t, err := time.Parse(time.DateOnly, v.(string))
		if err != nil {
			return err
		}
		b.(*array.Date32Builder).Append(arrow.Date32FromTime(t))
	case schemas.Timestamp:
		t, err := time.Parse("2006-01-02T15:04:05", v.(string))
		if err != nil {
			return err
		}
		b.(*array.TimestampBuilder).Append(arrow.Timestamp(t.UnixMicro()))
	case schemas.StringList:
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		vb := lb.ValueBuilder().(*array.StringBuilder)
		for _, s := range v.([]string) {
			vb.Append(s)
		}
	default:
		return fmt.Errorf("no Parquet writer for kind %s", f.Kind.Name())
	}
	return nil
}
