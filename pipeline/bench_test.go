package pipeline

import (
	"context"
	"encoding/json"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"

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
// embedded documents as the link stage leaves them: with encoding/json and
// with the JSON v2 package (the run writes with the first and reads with
// the second; the other two are for comparison).
func BenchmarkEntry(b *testing.B) {
	opt := embedded(b, b.TempDir())
	opt.KeepDocs = true
	st, err := Run(context.Background(), opt)
	if err != nil {
		b.Fatal(err)
	}
	var entries []cacheEntry
	var js [][]byte
	for _, d := range st.Docs {
		e := cacheEntry{Key: "k", Doc: d, UpTo: "link"}
		j, err := json.Marshal(e)
		if err != nil {
			b.Fatal(err)
		}
		entries, js = append(entries, e), append(js, j)
	}
	b.Run("encode/encoding-json", func(b *testing.B) {
		for range b.N {
			for _, e := range entries {
				json.Marshal(e)
			}
		}
	})
	b.Run("encode/json-v2", func(b *testing.B) {
		for range b.N {
			for _, e := range entries {
				jsonv2.Marshal(e, jsonv2.Deterministic(true))
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
	b.Run("decode/json-v2", func(b *testing.B) {
		for range b.N {
			for _, j := range js {
				var e cacheEntry
				if err := jsonv2.Unmarshal(j, &e); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
