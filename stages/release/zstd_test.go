package release

import (
	"bytes"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/compress"
)

// The lasting encoders write the bytes arrow's own codec writes, at every
// level the writer may be asked for, on data that spans several blocks.
func TestSteadyZstdWritesArrowsBytes(t *testing.T) {
	c, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		t.Fatal(err)
	}
	steady, ok := c.(*steadyZstd)
	if !ok {
		t.Fatalf("the registered zstd codec is %T", c)
	}
	inputs := [][]byte{nil, []byte("a"), []byte(strings.Repeat("中国同拉美和加勒比国家 cooperation, ", 40000))}
	for _, level := range []int{compress.DefaultCompressionLevel, 1, 3, 9} {
		for _, in := range inputs {
			for round := 0; round < 2; round++ { // a used encoder, too
				got, want := steady.EncodeLevel(nil, in, level), steady.Codec.EncodeLevel(nil, in, level)
				if !bytes.Equal(got, want) {
					t.Fatalf("level %d, %d bytes in: %d bytes out, arrow's codec %d", level, len(in), len(got), len(want))
				}
				back, err := steady.DecodeWithError(nil, got)
				if err != nil || !bytes.Equal(back, in) {
					t.Fatalf("level %d: does not decode back: %v", level, err)
				}
			}
		}
	}
}
