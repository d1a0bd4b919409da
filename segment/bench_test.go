package segment_test

import (
	"context"
	"testing"

	"github.com/policyledger/policyledger/pipeline"
	"github.com/policyledger/policyledger/segment"
	"github.com/policyledger/policyledger/sources"
)

// BenchmarkSegment splits every Chinese and English clause text of the two
// sources into sentences and reports megabytes and sentences per second.
func BenchmarkSegment(b *testing.B) {
	st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: sources.FS(), ManifestPath: sources.Manifest, Until: "parse", NoWorkFiles: true})
	if err != nil {
		b.Fatal(err)
	}
	var zh, en []string
	size := 0
	for _, d := range st.Docs {
		for _, c := range d.Clauses {
			if c.TextZh != "" {
				zh, size = append(zh, c.TextZh), size+len(c.TextZh)
			}
			if c.TextEn != "" {
				en, size = append(en, c.TextEn), size+len(c.TextEn)
			}
		}
	}
	b.ResetTimer()
	sentences := 0
	for i := 0; i < b.N; i++ {
		for _, t := range zh {
			sentences += len(segment.Zh(t))
		}
		for _, t := range en {
			sentences += len(segment.En(t))
		}
	}
	b.ReportMetric(float64(size*b.N)/1e6/b.Elapsed().Seconds(), "MB/s")
	b.ReportMetric(float64(sentences)/b.Elapsed().Seconds(), "sentences/s")
}
