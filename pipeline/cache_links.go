package pipeline

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/s2"
)

// The linker's rows between runs (link.Memo). One file, <cache>/links.rows,
// holds the last successful run's comparisons: each one's rows, compressed
// with S2 behind a CRC-32C of the content, then an index of their keys,
// offsets and lengths, then the index's offset and a magic. A run reads
// the file of the last one and writes its own aside, in the pending
// folder; commit puts it in the old one's place, discard drops it. A
// record that does not read back is a miss: its comparison is made again.
const (
	linkRowsName  = "links.rows"
	linkRowsMagic = "PLROWS01"
)

type linkRows struct {
	old   *os.File
	index map[[32]byte][2]int64 // a record's offset and length in old
	hits  atomic.Int64          // comparisons whose rows were got

	mu   sync.Mutex // (Put is called from one goroutine; commit and discard from another)
	new  *os.File
	w    *bufio.Writer
	at   int64
	keys [][32]byte
	locs [][2]int64
	err  error // the first write error: the new file is then dropped
}

// openLinkRows reads the index of dir's rows file, if there is a usable
// one, and starts the new file in pending.
func openLinkRows(dir, pending string) *linkRows {
	l := &linkRows{}
	if f, err := os.Open(filepath.Join(dir, linkRowsName)); err == nil {
		if index, err := readRowsIndex(f); err == nil {
			l.old, l.index = f, index
		} else {
			f.Close()
		}
	}
	f, err := os.Create(filepath.Join(pending, linkRowsName))
	if err != nil {
		l.err = err
		return l
	}
	l.new, l.w = f, bufio.NewWriterSize(f, 1<<16)
	return l
}

func readRowsIndex(f *os.File) (map[[32]byte][2]int64, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size < 16 {
		return nil, errors.New("links.rows: too short")
	}
	var tail [16]byte
	if _, err := f.ReadAt(tail[:], size-16); err != nil {
		return nil, err
	}
	if string(tail[8:]) != linkRowsMagic {
		return nil, errors.New("links.rows: no trailer")
	}
	start := int64(binary.BigEndian.Uint64(tail[:8]))
	const entry = 32 + 8 + 8
	if start < 0 || start > size-16 || (size-16-start)%entry != 0 {
		return nil, errors.New("links.rows: bad index")
	}
	b := make([]byte, size-16-start)
	if _, err := f.ReadAt(b, start); err != nil {
		return nil, err
	}
	index := make(map[[32]byte][2]int64, len(b)/entry)
	for ; len(b) > 0; b = b[entry:] {
		off, n := int64(binary.BigEndian.Uint64(b[32:])), int64(binary.BigEndian.Uint64(b[40:]))
		if off < 0 || n < 4 || off > start || n > start-off {
			return nil, errors.New("links.rows: bad index entry")
		}
		index[[32]byte(b[:32])] = [2]int64{off, n}
	}
	return index, nil
}

// Get reads the rows kept under key by the last run.
func (l *linkRows) Get(key [32]byte) ([]byte, bool) {
	loc, ok := l.index[key]
	if !ok {
		return nil, false
	}
	z := make([]byte, loc[1])
	if _, err := l.old.ReadAt(z, loc[0]); err != nil {
		return nil, false
	}
	plain, err := s2.Decode(nil, z[4:])
	if err != nil || crc32.Checksum(plain, castagnoli) != binary.BigEndian.Uint32(z) {
		return nil, false
	}
	l.hits.Add(1)
	return plain, true
}

// Put appends a comparison's rows to the new file.
func (l *linkRows) Put(key [32]byte, rows []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil || l.w == nil {
		return
	}
	z := s2.Encode(nil, rows)
	rec := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(z)), crc32.Checksum(rows, castagnoli))
	rec = append(rec, z...)
	if _, err := l.w.Write(rec); err != nil {
		l.err = err
		return
	}
	l.keys, l.locs = append(l.keys, key), append(l.locs, [2]int64{l.at, int64(len(rec))})
	l.at += int64(len(rec))
}

// finish writes the new file's index and closes both files; it returns
// the new file's path, or an error when it could not be written whole.
func (l *linkRows) finish() (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.old != nil {
		l.old.Close()
		l.old = nil
	}
	if l.new == nil {
		return "", l.err
	}
	path := l.new.Name()
	if l.err == nil {
		var b []byte
		for k, key := range l.keys {
			b = append(b, key[:]...)
			b = binary.BigEndian.AppendUint64(b, uint64(l.locs[k][0]))
			b = binary.BigEndian.AppendUint64(b, uint64(l.locs[k][1]))
		}
		b = binary.BigEndian.AppendUint64(b, uint64(l.at))
		b = append(b, linkRowsMagic...)
		if _, err := l.w.Write(b); err != nil {
			l.err = err
		} else if err := l.w.Flush(); err != nil {
			l.err = err
		}
	}
	if err := l.new.Close(); err != nil && l.err == nil {
		l.err = err
	}
	l.new, l.w = nil, nil
	if l.err != nil {
		os.Remove(path)
		return "", fmt.Errorf("cache: %s not written: %w", linkRowsName, l.err)
	}
	return path, nil
}
