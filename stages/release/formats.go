package release

import (
	"io"

	"github.com/policyledger/policyledger/schemas"
)

// TableWriter writes one table in one format as rows arrive, a document's
// rows at a time; Close finishes the file.
type TableWriter interface {
	Write(rows [][]any) error
	Close() error
}

// Format is one file format a table is released in: its name (as tables
// name it in schemas.Table.Formats), the file's suffix, and how to start a
// file of it. Adding a format is adding a value here.
type Format struct {
	Name   string
	Suffix string
	New    func(w io.Writer, t schemas.Table) (TableWriter, error)
	// Extra formats are copies for convenience, outside datapackage.json;
	// Enabled says whether the options ask for them.
	Extra   bool
	Enabled func(Options) bool
}

// Formats are the release's formats, in the order files are listed.
var Formats = []Format{
	{Name: "parquet", Suffix: ".parquet", New: NewParquet},
	{Name: "csv", Suffix: ".csv", New: func(w io.Writer, t schemas.Table) (TableWriter, error) {
		return NewCSV(w, t, CSVOptions{})
	}},
	{Name: "jsonl", Suffix: ".jsonl", New: NewJSONL},
	{Name: "csv", Suffix: ".excel.csv", Extra: true, Enabled: func(o Options) bool { return o.CSVBOM },
		New: func(w io.Writer, t schemas.Table) (TableWriter, error) {
			return NewCSV(w, t, CSVOptions{BOM: true, CRLF: true})
		}},
}
