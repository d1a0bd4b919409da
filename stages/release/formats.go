package release

import (
	"io"

	"github.com/policyledger/policyledger/schemas"
)

// Format is one file format a table is released in: its name (as tables
// name it in schemas.Table.Formats), the file's suffix, and its writer.
// Adding a format is adding a value here.
type Format struct {
	Name   string
	Suffix string
	Write  func(w io.Writer, t schemas.Table, rows [][]any) error
	// Extra formats are copies for convenience, outside datapackage.json;
	// Enabled says whether the options ask for them.
	Extra   bool
	Enabled func(Options) bool
}

// Formats are the release's formats, in the order files are listed.
var Formats = []Format{
	{Name: "parquet", Suffix: ".parquet", Write: WriteParquet},
	{Name: "csv", Suffix: ".csv", Write: func(w io.Writer, t schemas.Table, rows [][]any) error {
		return WriteCSV(w, t, rows, CSVOptions{})
	}},
	{Name: "jsonl", Suffix: ".jsonl", Write: WriteJSONL},
	{Name: "csv", Suffix: ".excel.csv", Extra: true, Enabled: func(o Options) bool { return o.CSVBOM },
		Write: func(w io.Writer, t schemas.Table, rows [][]any) error {
			return WriteCSV(w, t, rows, CSVOptions{BOM: true, CRLF: true})
		}},
}
