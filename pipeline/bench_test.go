package pipeline

import (
	"context"
	"testing"

	"github.com/policyledger/policyledger/stages/release"
)

// BenchmarkRelease times a full in-memory build of the release from the
// embedded sources: fetch through align once, then release.Build per
// iteration; and reports the clause and sentence throughput.
func BenchmarkRelease(b *testing.B) {
	opt := embedded(b, b.TempDir())
	opt.Until = "align"
	st, err := Run(context.Background(), opt)
	if err != nil {
		b.Fatal(err)
	}
	clauses, sentences := 0, 0
	for _, d := range st.Docs {
		clauses, sentences = clauses+len(d.Clauses), sentences+len(d.Sentences)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := release.Build(st.Dataset, release.Options{Version: "0.1.0"}, st.Data(), []byte("## 0.1.0\n")); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(clauses*b.N)/b.Elapsed().Seconds(), "clauses/s")
	b.ReportMetric(float64(sentences*b.N)/b.Elapsed().Seconds(), "sentences/s")
}

// BenchmarkPipeline times fetch, clean, parse and align of both documents.
func BenchmarkPipeline(b *testing.B) {
	opt := embedded(b, b.TempDir())
	opt.Until = "align"
	for i := 0; i < b.N; i++ {
		if _, err := Run(context.Background(), opt); err != nil {
			b.Fatal(err)
		}
	}
}
