package release

import (
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// steadyZstd is arrow-go's zstd codec with encoders that last. Arrow keeps
// its encoders in a sync.Pool, which the collector empties; each new
// encoder then allocates and clears a 1 MB history on its first page. With
// the heap held under its soft limit the collector runs often, and this
// was 1.7 s of a 21 s run at N = 1000. The encoders here are made with
// arrow's options, so the bytes are the same (EncodeAll compresses each
// page on its own); everything else is arrow's codec.
type steadyZstd struct {
	compress.Codec
	mu   sync.Mutex
	encs map[zstd.EncoderLevel]*zstd.Encoder
}

func init() {
	c, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		panic(err)
	}
	compress.RegisterCodec(compress.Codecs.Zstd, &steadyZstd{Codec: c, encs: map[zstd.EncoderLevel]*zstd.Encoder{}})
}

// EncodeLevel is arrow's, with a lasting encoder per level.
func (c *steadyZstd) EncodeLevel(dst, src []byte, level int) []byte {
	l := zstd.EncoderLevelFromZstd(level)
	if level == compress.DefaultCompressionLevel {
		l = zstd.SpeedDefault
	}
	c.mu.Lock()
	enc, ok := c.encs[l]
	if !ok {
		enc, _ = zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(l), zstd.WithEncoderConcurrency(1), zstd.WithAllLitEntropyCompression(true))
		c.encs[l] = enc
	}
	c.mu.Unlock()
	return enc.EncodeAll(src, dst[:0]) // safe for concurrent use
}

// DecodeWithError keeps arrow's error-returning decode visible.
func (c *steadyZstd) DecodeWithError(dst, src []byte) ([]byte, error) {
	return compress.Decode(c.Codec, dst, src)
}

// The streaming interface, as arrow's codec has it.
func (c *steadyZstd) NewReader(r io.Reader) io.ReadCloser {
	return c.Codec.(compress.StreamingCodec).NewReader(r)
}

func (c *steadyZstd) NewWriter(w io.Writer) io.WriteCloser {
	return c.Codec.(compress.StreamingCodec).NewWriter(w)
}

func (c *steadyZstd) NewWriterLevel(w io.Writer, level int) (io.WriteCloser, error) {
	return c.Codec.(compress.StreamingCodec).NewWriterLevel(w, level)
}
