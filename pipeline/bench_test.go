package pipeline

import (
	"context"
	"encoding/json"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/policyledger/policyledger/corpus"
	"github.com/policyledger/policyledger/internal/bincodec"
	"github.com/policyledger/policyledger/sources"
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

// BenchmarkEntry times writing and reading the cache entries of the two
// embedded documents as the link stage leaves them, in the cache's form
// (bincodec) and, for comparison, as encoding/json (the form before it).
// Compression is not included.
func BenchmarkEntry(b *testing.B) {
	opt := embedded(b, b.TempDir())
	opt.KeepDocs = true
	st, err := Run(context.Background(), opt)
	if err != nil {
		b.Fatal(err)
	}
	var entries []cacheEntry
	var bs, js [][]byte
	for _, d := range st.Docs {
		e := cacheEntry{Key: "k", Doc: d, UpTo: "link", Link: d.Features}
		j, err := json.Marshal(e)
		if err != nil {
			b.Fatal(err)
		}
		entries, bs, js = append(entries, e), append(bs, bincodec.Append(nil, e)), append(js, j)
	}
	buf := make([]byte, 0, 1<<20)
	b.Run("encode/bincodec", func(b *testing.B) {
		size := 0
		for range b.N {
			size = 0
			for _, e := range entries {
				buf = bincodec.Append(buf[:0], e)
				size += len(buf)
			}
		}
		b.ReportMetric(float64(size), "entry-bytes")
	})
	b.Run("decode/bincodec", func(b *testing.B) {
		for range b.N {
			for _, j := range bs {
				var e cacheEntry
				if err := bincodec.Decode(j, &e); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("encode/encoding-json", func(b *testing.B) {
		for range b.N {
			for _, e := range entries {
				json.Marshal(e)
			}
		}
	})
	b.Run("decode/encoding-json", func(b *testing.B) {
		for range b.N {
			for _, j := range js {
				var e cacheEntry
				if err := json.Unmarshal(j, &e); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkStagesOnly times the per-document stages alone, fetch through
// the linker's features, over a generated corpus (BENCH_STAGES_DOCS
// documents, 100 unless set; seed 1, as scripts/bench.sh), with no
// comparisons, no cache and nothing written: what a run costs before
// anything is released, against the throughput floor. The
// collector target is the program's own (GOGC 200). The documents stay in
// memory, where a streamed run keeps none. It reports MB/s of input.
//
//	BENCH_STAGES_DOCS=1000 go test -run '^$' -bench StagesOnly -benchtime 3x ./pipeline
func BenchmarkStagesOnly(b *testing.B) {
	n := 100
	if s := os.Getenv("BENCH_STAGES_DOCS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			b.Fatalf("BENCH_STAGES_DOCS=%q: not a positive number", s)
		}
	}
	files, err := corpus.Generate(sources.FS(), n, 1)
	if err != nil {
		b.Fatal(err)
	}
	fsys, input := fstest.MapFS{}, 0
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: data}
		if strings.HasPrefix(name, "snapshots/") {
			input += len(data)
		}
	}
	defer debug.SetGCPercent(debug.SetGCPercent(200))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Run(context.Background(), Options{Sources: fsys, ManifestPath: "sources.yaml", Until: "link", NoWorkFiles: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(input)*float64(b.N)/1e6/b.Elapsed().Seconds(), "MB/s")
}
