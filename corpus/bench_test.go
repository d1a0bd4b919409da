package corpus_test

import (
	"context"
	"strings"
	"testing"

	"github.com/policyledger/policyledger/corpus"
	"github.com/policyledger/policyledger/pipeline"
	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/release"
)

// BenchmarkCorpus runs fetch through classify over a generated corpus of 50
// documents and reports input megabytes per second.
func BenchmarkCorpus(b *testing.B) {
	files, err := corpus.Generate(sources.FS(), 50, 1)
	if err != nil {
		b.Fatal(err)
	}
	fsys := mapFS(files)
	var bytes int64
	for name, data := range files {
		if strings.HasPrefix(name, "snapshots/") {
			bytes += int64(len(data))
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := pipeline.Run(context.Background(), pipeline.Options{Sources: fsys, ManifestPath: "sources.yaml", Until: "classify", NoWorkFiles: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(bytes*int64(b.N))/1e6/b.Elapsed().Seconds(), "MB/s")
}

// BenchmarkRelease renders the release of 100 generated documents (every
// table in every format, datapackage.json, data card) from their parsed,
// aligned and classified state.
func BenchmarkRelease(b *testing.B) {
	files, err := corpus.Generate(sources.FS(), 100, 1)
	if err != nil {
		b.Fatal(err)
	}
	fsys := mapFS(files)
	st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: fsys, ManifestPath: "sources.yaml", Until: "classify", NoWorkFiles: true})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := release.Build(st.Dataset, release.Options{Version: "0.2.0"}, st.Data(), files["CHANGELOG.md"]); err != nil {
			b.Fatal(err)
		}
	}
}
