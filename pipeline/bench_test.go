package pipeline

import (
	"context"
	"encoding/json"
	"github.com/policyledger/policyledger/internal/bincodec"
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
