package release_test

import (
	"context"
	"testing"

	"github.com/policyledger/policyledger/pipeline"
	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/release"
)

// counter counts the bytes written to it.
type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkWriters writes the per-document tables of the two classified
// sources in each format, and reports megabytes written per second.
func BenchmarkWriters(b *testing.B) {
	st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: sources.FS(), ManifestPath: sources.Manifest, Until: "classify", NoWorkFiles: true})
	if err != nil {
		b.Fatal(err)
	}
	data := st.Data()
	type table struct {
		t    schemas.Table
		rows [][]any
	}
	var tables []table
	for _, t := range schemas.Tables() {
		if !t.RunLevel {
			tables = append(tables, table{t, t.Rows(data)})
		}
	}
	for _, f := range release.Formats {
		if f.Extra {
			continue
		}
		b.Run(f.Name, func(b *testing.B) {
			var out counter
			for i := 0; i < b.N; i++ {
				for _, tb := range tables {
					if !tb.t.In(f.Name) {
						continue
					}
					w, err := f.New(&out, tb.t)
					if err == nil {
						err = w.Write(tb.rows)
					}
					if err == nil {
						err = w.Close()
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(out.n)/1e6/b.Elapsed().Seconds(), "MB/s")
		})
	}
}
