package classify_test

import (
	"context"
	"testing"

	"github.com/policyledger/policyledger/pipeline"
	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/classify"
)

// BenchmarkClassify labels every unit of the two aligned sources and
// reports units per second.
func BenchmarkClassify(b *testing.B) {
	st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: sources.FS(), ManifestPath: sources.Manifest, Until: "align", NoWorkFiles: true})
	if err != nil {
		b.Fatal(err)
	}
	r, err := classify.LoadRules()
	if err != nil {
		b.Fatal(err)
	}
	reg, err := classify.LoadMechanisms(sources.FS())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	units := 0
	for i := 0; i < b.N; i++ {
		for _, d := range st.Docs {
			out, err := classify.Document(d, r, reg)
			if err != nil {
				b.Fatal(err)
			}
			units += len(out.Commitments)
		}
	}
	b.ReportMetric(float64(units)/b.Elapsed().Seconds(), "units/s")
}
