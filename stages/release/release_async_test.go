package release

import (
	"errors"
	"slices"
	"testing"
)

// recorder keeps the batches it is given and fails on the one numbered
// failAt (from 1; 0 never).
type recorder struct {
	got    []int
	failAt int
	closed bool
}

func (r *recorder) Write(rows [][]any) error {
	r.got = append(r.got, rows[0][0].(int))
	if len(r.got) == r.failAt {
		return errors.New("row 1: broken")
	}
	return nil
}

func (r *recorder) Close() error { r.closed = true; return nil }

// TestAsyncTable: rows arrive in order and the file is finished; a failed
// write is reported by a later Write or by Close, and nothing after it is
// written; a halted file is not finished.
func TestAsyncTable(t *testing.T) {
	batch := func(i int) [][]any { return [][]any{{i}} }
	r := &recorder{}
	a := startAsync(r)
	for i := range 100 {
		if err := a.Write(batch(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil || !r.closed || !slices.Equal(r.got, seq(100)) {
		t.Fatalf("Close = %v, closed %v, batches %v; want nil, closed, 0…99 in order", err, r.closed, r.got)
	}
	if err := a.Write(batch(100)); err == nil {
		t.Error("Write after Close = nil; want an error")
	}

	r = &recorder{failAt: 3}
	a = startAsync(r)
	var err error
	for i := 0; i < 50 && err == nil; i++ {
		err = a.Write(batch(i))
	}
	if err == nil {
		err = a.Close()
	}
	if err == nil || err.Error() != "row 1: broken" || r.closed || len(r.got) != 3 {
		t.Fatalf("after a failed write: err %v, closed %v, %d batches written; want the error, not closed, 3 written", err, r.closed, len(r.got))
	}

	r = &recorder{}
	a = startAsync(r)
	a.Write(batch(0))
	a.halt()
	if r.closed {
		t.Error("a halted file was finished")
	}
	a.halt() // (again: no hang, no panic)
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
