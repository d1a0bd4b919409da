package schemas

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Kind is the logical type of a released column. Each kind maps to one Arrow
// type, one Frictionless Table Schema type and one CSV/JSON representation.
type Kind int

const (
	String     Kind = iota // UTF-8 text
	Int64                  // 64-bit integer
	Float64                // IEEE double
	Bool                   // true/false
	Date                   // calendar date, row value "YYYY-MM-DD"
	Timestamp              // local date-time without zone, row value "YYYY-MM-DDTHH:MM:SS"
	StringList             // list of UTF-8 strings; a JSON array in CSV
)

// Arrow returns the Arrow type of the kind.
func (k Kind) Arrow() arrow.DataType {
	switch k {
	case String:
		return arrow.BinaryTypes.String
	case Int64:
		return arrow.PrimitiveTypes.Int64
	case Float64:
		return arrow.PrimitiveTypes.Float64
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	case Date:
		return arrow.FixedWidthTypes.Date32
	case Timestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case StringList:
		return arrow.ListOfNonNullable(arrow.BinaryTypes.String)
	}
	panic(fmt.Sprintf("schemas: unknown kind %d", k))
}

// Frictionless returns the Table Schema type and format of the kind.
func (k Kind) Frictionless() (typ, format string) {
	switch k {
	case String:
		return "string", ""
	case Int64:
		return "integer", ""
	case Float64:
		return "number", ""
	case Bool:
		return "boolean", ""
	case Date:
		return "date", ""
	case Timestamp:
		return "datetime", "%Y-%m-%dT%H:%M:%S"
	case StringList:
		return "array", ""
	}
	panic(fmt.Sprintf("schemas: unknown kind %d", k))
}

// Name is the kind's name in the schema reference.
func (k Kind) Name() string {
	return [...]string{"string", "int64", "float64", "bool", "date", "timestamp", "list<string>"}[k]
}

// Field is one column of a released table.
type Field struct {
	Name        string
	Kind        Kind
	Nullable    bool
	Description string
}

// ForeignKey says that Fields of a table refer to RefFields of RefTable.
type ForeignKey struct {
	Fields    []string
	RefTable  string
	RefFields []string
}

// Table is one released table: its columns, keys, and how its rows are
// built from the run's documents. Rows are []any whose values are string,
// int64, float64, bool, []string or nil, in Fields order.
type Table struct {
	Name        string
	Title       string
	Description string
	Fields      []Field
	PrimaryKey  []string
	ForeignKeys []ForeignKey
	// Formats limits the file formats the table is released in; nil means
	// all of them.
	Formats []string
	Rows    func(d Data) [][]any
	// Prose names the columns of running text. Parquet stores them without
	// a dictionary: prose is almost never repeated, so a dictionary only
	// costs time and memory (each column chunk's dictionary holds all its
	// text uncompressed until the chunk is written).
	Prose []string
	// RunLevel tables have rows about the whole run (counts over every
	// document), built once at the end; the others have rows per document,
	// built as each document arrives.
	RunLevel bool
}

// In reports whether the table is released in a format.
func (t Table) In(format string) bool {
	if t.Formats == nil {
		return true
	}
	for _, f := range t.Formats {
		if f == format {
			return true
		}
	}
	return false
}

// ArrowSchema returns the table's Arrow schema. Column descriptions travel
// as field metadata under "description".
func (t Table) ArrowSchema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.Fields))
	for i, f := range t.Fields {
		fields[i] = arrow.Field{
			Name:     f.Name,
			Type:     f.Kind.Arrow(),
			Nullable: f.Nullable,
			Metadata: arrow.NewMetadata([]string{"description"}, []string{f.Description}),
		}
	}
	return arrow.NewSchema(fields, nil)
}

// Header returns the column names in order.
func (t Table) Header() []string {
	names := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		names[i] = f.Name
	}
	return names
}

// CheckRow verifies that a row matches the table's fields in count, type
// and nullability.
func (t Table) CheckRow(row []any) error {
	if len(row) != len(t.Fields) {
		return fmt.Errorf("table %s: row has %d values, want %d", t.Name, len(row), len(t.Fields))
	}
	for i, f := range t.Fields {
		v := row[i]
		if v == nil {
			if !f.Nullable {
				return fmt.Errorf("table %s: column %s is null but not nullable", t.Name, f.Name)
			}
			continue
		}
		ok := false
		switch f.Kind {
		case String, Date, Timestamp:
			_, ok = v.(string)
		case Int64:
			_, ok = v.(int64)
		case Float64:
			_, ok = v.(float64)
		case Bool:
			_, ok = v.(bool)
		case StringList:
			_, ok = v.([]string)
		}
		if !ok {
			return fmt.Errorf("table %s: column %s holds %T, want %s", t.Name, f.Name, v, f.Kind.Name())
		}
	}
	return nil
}
