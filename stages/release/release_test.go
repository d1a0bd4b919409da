package release

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/google/go-cmp/cmp"

	"github.com/policyledger/policyledger/schemas"
)

func strp(s string) *string { return &s }

// fixture is a small run with every column kind, nulls, empty and non-empty
// lists, and text that needs quoting in CSV and escaping in JSON.
func fixture() (schemas.Dataset, []schemas.Document) {
	ds, docs := fixtureDocs()
	docs[0].Commitments = []schemas.Commitment{
		{UnitID: "doc-a/preface/para1/en1", DocID: "doc-a", ClauseID: "doc-a/preface/para1", SentenceID: "doc-a/preface/para1/s1", Lang: "en", Ordinal: 1,
			Text: "\"Quoted\"", TextZh: "“引号”", IsCommitment: true, Actor: "china", Modality: "will", Strength: "firm", Sector: "culture",
			MechanismIDs: []string{"forum-a"}, Years: []string{"2024"}, RuleIDs: []string{"commitment:en.will"}, Confidence: 0.95, ClassifierVersion: "1.0.0", LabelSource: "rule"},
	}
	return ds, docs
}

// fixtureData is the fixture with the run-level tables.
func fixtureData() (schemas.Dataset, schemas.Data) {
	ds, docs := fixture()
	link := schemas.Link{From: "doc-a/preface/para1", To: "doc-b/p1", FromDoc: "doc-a", ToDoc: "doc-b", Relation: "same", Score: 0.5, Evidence: []string{"text 0.40", "mechanism forum-a"}}
	dac := 160
	return ds, schemas.Data{Docs: docs,
		Mechanisms: []schemas.Mechanism{{ID: "forum-a", Kind: "forum", NameZh: "甲论坛", NameEn: "Forum A"}},
		Sectors:    []schemas.Sector{{Code: "culture", Title: "Culture", Definition: "c", DAC: &dac, DACTitle: "Other social"}},
		Links:      []schemas.Link{link},
		Continuity: []schemas.Continuity{{ClauseID: "doc-a/preface/para1", DocID: "doc-a", LaterDocs: []string{"doc-b"}, Status: "continued", Best: &link}, {ClauseID: "doc-a/x", DocID: "doc-a", LaterDocs: []string{"doc-b"}, Status: "dropped"}},
		LinkReview: 0.9}
}

func fixtureDocs() (schemas.Dataset, []schemas.Document) {
	score, low, zero := 0.8125, 0.125, 0.0
	ds := schemas.Dataset{Name: "test", Title: "Test", Description: "d", Citation: "Cite {version}.",
		Licenses: []schemas.License{{Name: "CC-BY-4.0", Path: "https://creativecommons.org/licenses/by/4.0/", Title: "CC BY"}}}
	docs := []schemas.Document{{
		Source: schemas.Source{ID: "doc-a", TitleZh: strp("甲"), Issuer: "I", DocumentType: "t", Languages: []string{"zh", "en"},
			Layout: "bilingual-rows", AdoptedDate: strp("2021-12-03"), Licence: "l", Snapshot: "snapshots/a", SHA256: strings.Repeat("a", 64)},
		RawBytes: 10, Text: "前言 | Preface | |\n“引号”, & <b> | \"Quoted\", & <b> | |", PostedAt: strp("2021-12-07T15:19:00"),
		Removed: []schemas.Removal{{Text: "Share:"}},
		Clauses: []schemas.Clause{
			{ID: "doc-a/preface", DocID: "doc-a", Ordinal: 1, Level: 1, Kind: "preface", TitleZh: "前言", TitleEn: "Preface", HeadingPath: []string{}, TextSHA256: "x", TextEnSHA256: "y", CharStart: 0, CharEnd: 2, EnCharStart: 5, EnCharEnd: 12, SourceLine: 1, Complete: true},
			{ID: "doc-a/preface/para1", DocID: "doc-a", Ordinal: 2, ParentID: "doc-a/preface", Level: 2, Kind: "paragraph", TextZh: "“引号”, & <b>", TextEn: "\"Quoted\", & <b>\nnext", HeadingPath: []string{"前言"}, TextSHA256: "z", CharStart: 18, CharEnd: 29, EnCharStart: -1, EnCharEnd: -1, SourceLine: 2, Number: 0},
		},
		Sentences: []schemas.Sentence{
			{ID: "doc-a/preface/para1/s1", ClauseID: "doc-a/preface/para1", DocID: "doc-a", Ordinal: 1, Zh: "“引号”", En: "\"Quoted\"", Bead: "1-1", Score: &score, LengthScore: &score, Anchors: []string{"num:1"}, ZhStart: 0, ZhEnd: 4, EnStart: 0, EnEnd: 8},
			{ID: "doc-a/preface/para1/s2", ClauseID: "doc-a/preface/para1", DocID: "doc-a", Ordinal: 2, Zh: ", & <b>", Bead: "1-0", Score: &low, LengthScore: &zero, NeedsReview: true, ZhStart: 4, ZhEnd: 11, EnStart: -1, EnEnd: -1},
		},
	}}
	return ds, docs
}

// TestRoundTrip writes every table in each format, reads it back with an
// independent reader and compares with the rows.
func TestRoundTrip(t *testing.T) {
	_, data := fixtureData()
	for _, tb := range schemas.Tables() {
		rows := tb.Rows(data)
		if len(rows) == 0 {
			t.Fatalf("fixture gives no %s rows", tb.Name)
		}
		t.Run(tb.Name+".parquet", func(t *testing.T) {
			if !tb.In("parquet") {
				t.Skip("not released as Parquet")
			}
			var buf bytes.Buffer
			if err := WriteParquet(&buf, tb, rows); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(rows, readParquet(t, buf.Bytes(), tb)); diff != "" {
				t.Errorf("round trip (-wrote +read):\n%s", diff)
			}
		})
		t.Run(tb.Name+".csv", func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteCSV(&buf, tb, rows, CSVOptions{}); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tb.Header(), recs[0]); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			for i, row := range rows {
				for j, v := range row {
					want, _ := csvValue(v)
					if recs[i+1][j] != want {
						t.Errorf("row %d %s = %q; want %q", i+1, tb.Fields[j].Name, recs[i+1][j], want)
					}
				}
			}
			if bytes.Contains(buf.Bytes(), []byte("\r\n")) {
				t.Error("CSV has CRLF line ends; want \\n")
			}
		})
		t.Run(tb.Name+".jsonl", func(t *testing.T) {
			if !tb.In("jsonl") {
				t.Skip("not released as JSON Lines")
			}
			var buf bytes.Buffer
			if err := WriteJSONL(&buf, tb, rows); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(&buf)
			i := 0
			for ; sc.Scan(); i++ {
				var obj map[string]any
				if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
					t.Fatal(err)
				}
				if len(obj) != len(tb.Fields) {
					t.Errorf("row %d has %d keys; want %d (explicit nulls)", i+1, len(obj), len(tb.Fields))
				}
				for j, f := range tb.Fields {
					if diff := cmp.Diff(jsonForm(rows[i][j]), obj[f.Name]); diff != "" {
						t.Errorf("row %d %s (-want +got):\n%s", i+1, f.Name, diff)
					}
				}
			}
			if i != len(rows) {
				t.Errorf("read %d rows; want %d", i, len(rows))
			}
		})
	}
}

// jsonForm is how encoding/json decodes a written value into any.
func jsonForm(v any) any {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return v
}

func readParquet(t *testing.T, data []byte, tb schemas.Table) [][]any {
	t.Helper()
	rdr, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := rdr.MetaData().GetCreatedBy(); got != CreatedBy {
		t.Errorf("created_by = %q; want %q", got, CreatedBy)
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	// The reader adds PARQUET:field_id metadata; compare what we wrote.
	for i, want := range tb.ArrowSchema().Fields() {
		got := tbl.Schema().Field(i)
		desc, _ := got.Metadata.GetValue("description")
		if got.Name != want.Name || !arrow.TypeEqual(got.Type, want.Type) || got.Nullable != want.Nullable || desc != tb.Fields[i].Description {
			t.Errorf("field %d read back as %v; want %v", i, got, want)
		}
	}
	rows := make([][]any, tbl.NumRows())
	for i := range rows {
		rows[i] = make([]any, tbl.NumCols())
	}
	for c := 0; c < int(tbl.NumCols()); c++ {
		r := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for i := 0; i < chunk.Len(); i, r = i+1, r+1 {
				rows[r][c] = arrowValue(chunk, i)
			}
		}
	}
	return rows
}

func arrowValue(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.String:
		return x.Value(i)
	case *array.Int64:
		return x.Value(i)
	case *array.Float64:
		return x.Value(i)
	case *array.Boolean:
		return x.Value(i)
	case *array.Date32:
		return x.Value(i).ToTime().Format(time.DateOnly)
	case *array.Timestamp:
		return time.UnixMicro(int64(x.Value(i))).UTC().Format("2006-01-02T15:04:05")
	case *array.List:
		start, end := x.ValueOffsets(i)
		vals := x.ListValues().(*array.String)
		out := []string{}
		for j := start; j < end; j++ {
			out = append(out, vals.Value(int(j)))
		}
		return out
	}
	panic("unexpected array type " + a.DataType().String())
}

func TestWritersRejectBadRows(t *testing.T) {
	tb := schemas.DocumentsTable
	bad := [][]any{{"only one value"}}
	if err := WriteParquet(&bytes.Buffer{}, tb, bad); err == nil {
		t.Error("WriteParquet accepted a short row")
	}
	if err := WriteCSV(&bytes.Buffer{}, tb, bad, CSVOptions{}); err == nil {
		t.Error("WriteCSV accepted a short row")
	}
	if err := WriteJSONL(&bytes.Buffer{}, tb, bad); err == nil {
		t.Error("WriteJSONL accepted a short row")
	}
}

func TestBuildDeterministic(t *testing.T) {
	ds, docs := fixture()
	opt := Options{Version: "1.2.3", CSVBOM: true}
	a, err := Build(ds, opt, schemas.Data{Docs: docs}, []byte("## 1.2.3\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(ds, opt, schemas.Data{Docs: docs}, []byte("## 1.2.3\n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two builds differ:\n%s", diff)
	}
	if !bytes.HasPrefix(a["clauses.excel.csv"], []byte("\uFEFF")) || !bytes.Contains(a["clauses.excel.csv"], []byte("\r\n")) {
		t.Error("excel CSV lacks BOM or CRLF")
	}
	// SHA256SUMS lists every other file.
	for name := range a {
		if name != "SHA256SUMS" && !bytes.Contains(a["SHA256SUMS"], []byte("  "+name+"\n")) {
			t.Errorf("SHA256SUMS does not list %s", name)
		}
	}
	if !strings.Contains(string(a["README.md"]), "Cite 1.2.3.") {
		t.Error("data card lacks the citation with the version")
	}
}

func TestBuildErrors(t *testing.T) {
	ds, docs := fixture()
	if _, err := Build(ds, Options{Version: "v1"}, schemas.Data{Docs: docs}, []byte("## v1")); err == nil || !strings.Contains(err.Error(), "not a semantic version") {
		t.Errorf("Build with version v1 = %v", err)
	}
	// A person's note for the version is added to its generated entry;
	// notes of earlier versions follow in a first release.
	files, err := Build(ds, Options{Version: "0.2.0"}, schemas.Data{Docs: docs}, []byte("## 0.2.0\n\nSaid by hand.\n\n## 0.1.0\n\nOlder.\n"))
	if err != nil {
		t.Fatal(err)
	}
	log := string(files["CHANGELOG.md"])
	if !strings.Contains(log, "## 0.2.0\n\nNo earlier version") || !strings.Contains(log, "Said by hand.\n\n## 0.1.0\n\nOlder.") {
		t.Errorf("CHANGELOG.md:\n%s", log)
	}
}

func TestPublish(t *testing.T) {
	ds, docs := fixture()
	out := t.TempDir()
	st := &schemas.State{Dataset: ds, Docs: docs, Sources: fstest.MapFS{"CHANGELOG.md": {Data: []byte("## 0.1.0\n")}}}
	s := Stage{Options: Options{Output: out, Version: "0.1.0"}}
	if err := s.Run(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	if err := s.Run(context.Background(), st); err != nil {
		t.Fatalf("identical rerun = %v; want a no-op", err)
	}
	if !strings.Contains(st.Notes[1], "unchanged") {
		t.Errorf("notes = %v", st.Notes)
	}
	before, _ := os.ReadFile(filepath.Join(out, "releases", "0.1.0", "clauses.csv"))
	st.Docs[0].Clauses[1].TextZh = "改了"
	err := s.Run(context.Background(), st)
	if !errors.Is(err, ErrVersionExists) || !strings.Contains(err.Error(), "never modified") || !strings.Contains(err.Error(), "clauses.csv differs") {
		t.Fatalf("changed rerun = %v; want ErrVersionExists naming the file", err)
	}
	after, _ := os.ReadFile(filepath.Join(out, "releases", "0.1.0", "clauses.csv"))
	if !bytes.Equal(before, after) {
		t.Error("a published file changed")
	}
	entries, _ := os.ReadDir(filepath.Join(out, "releases"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !cmp.Equal(names, []string{"0.1.0", "latest.json"}) {
		t.Errorf("releases/ holds %v; want only 0.1.0 and latest.json (no staging, no lock file left)", names)
	}

	// Verifying the published version again only reads: it works where
	// nothing can be written (the lock cannot even be opened).
	defer func(f func(string) (*os.File, error)) { openLock = f }(openLock)
	openLock = func(string) (*os.File, error) { return nil, syscall.EROFS }
	ds, docs = fixture() // the documents as published, not as changed above
	st = &schemas.State{Dataset: ds, Docs: docs, Sources: fstest.MapFS{"CHANGELOG.md": {Data: []byte("## 0.1.0\n")}}}
	if err := s.Run(context.Background(), st); err != nil {
		t.Fatalf("verifying an identical release on a read-only file system: %v", err)
	}
	if !strings.Contains(strings.Join(st.Notes, "\n"), "verified: identical") {
		t.Errorf("notes %v; want the release verified as identical", st.Notes)
	}
}

func TestPublishUnwritable(t *testing.T) {
	ds, docs := fixture()
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	st := &schemas.State{Dataset: ds, Docs: docs, Sources: fstest.MapFS{"CHANGELOG.md": {Data: []byte("## 0.1.0\n")}}}
	err := Stage{Options: Options{Output: blocker, Version: "0.1.0"}}.Run(context.Background(), st)
	if err == nil || !strings.Contains(err.Error(), "check permissions") {
		t.Errorf("Run into a file = %v; want a clear error", err)
	}
}

func TestSkipAfterFailures(t *testing.T) {
	st := &schemas.State{Failures: []schemas.Failure{{DocID: "x", Stage: "clean", Err: errors.New("bad")}}}
	if skip, reason := (Stage{}).Skip(st); !skip || !strings.Contains(reason, "1 document(s) failed") {
		t.Errorf("Skip = %v %q; want a skip naming the failure", skip, reason)
	}
	if skip, _ := (Stage{}).Skip(&schemas.State{}); skip {
		t.Error("Skip with no failures = true")
	}
}

// failingFile fails like a full disk after a few bytes.
type failingFile struct{ n int }

func (f *failingFile) Write(p []byte) (int, error) {
	if f.n+len(p) > 64 {
		return 0, syscall.ENOSPC
	}
	f.n += len(p)
	return len(p), nil
}
func (f *failingFile) Close() error { return nil }

// TestDiskFull: a write error leaves no staging folder and no version.
func TestDiskFull(t *testing.T) {
	orig := createFile
	defer func() { createFile = orig }()
	createFile = func(string) (io.WriteCloser, error) { return &failingFile{}, nil }
	ds, docs := fixture()
	out := t.TempDir()
	st := &schemas.State{Dataset: ds, Docs: docs, Sources: fstest.MapFS{"CHANGELOG.md": {Data: []byte("## 0.1.0\n")}}}
	err := Stage{Options: Options{Output: out, Version: "0.1.0"}}.Run(context.Background(), st)
	if err == nil || !strings.Contains(err.Error(), "no space left on device") || !strings.Contains(err.Error(), "nothing was published") {
		t.Fatalf("Run on a full disk = %v; want a clear error", err)
	}
	entries, _ := os.ReadDir(filepath.Join(out, "releases"))
	for _, e := range entries {
		if e.Name() != ".lock" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// TestCardConventions: the data card states how commitments are coded,
// among them the conventions a reader could not guess.
func TestCardConventions(t *testing.T) {
	ds, docs := fixture()
	files, err := Build(ds, Options{Version: "0.1.0"}, schemas.Data{Docs: docs}, []byte("## 0.1.0\n"))
	if err != nil {
		t.Fatal(err)
	}
	card := string(files["README.md"])
	for _, want := range []string{"## How commitments are coded", "bare Chinese imperative", "`modality = will`, `strength = firm`", "Efforts will be made", "`complete = false`", "`languages_agree` is false"} {
		if !strings.Contains(card, want) {
			t.Errorf("data card lacks %q", want)
		}
	}
}

// TestParquetLargeDictionaryDeterministic: a column whose dictionary is
// larger than the writer's default dictionary page limit (1 MiB) is written
// the same bytes every time, dictionary-encoded throughout.
func TestParquetLargeDictionaryDeterministic(t *testing.T) {
	tb := schemas.Table{Name: "big", Fields: []schemas.Field{{Name: "s", Kind: schemas.String, Description: "unique text"}}}
	var rows [][]any
	for i := 0; i < 30000; i++ {
		rows = append(rows, []any{fmt.Sprintf("%06d %s", i, strings.Repeat("文本", 20))})
	}
	var first []byte
	for run := 0; run < 4; run++ {
		var buf bytes.Buffer
		if err := WriteParquet(&buf, tb, rows); err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = buf.Bytes()
			r, err := file.NewParquetReader(bytes.NewReader(first))
			if err != nil {
				t.Fatal(err)
			}
			cc, _ := r.MetaData().RowGroup(0).ColumnChunk(0)
			plain := 0 // once for the dictionary page; twice after a fallback
			for _, e := range cc.Encodings() {
				if e == parquet.Encodings.Plain {
					plain++
				}
			}
			if plain > 1 {
				t.Errorf("encodings %v: the dictionary fell back to plain", cc.Encodings())
			}
			continue
		}
		if !bytes.Equal(first, buf.Bytes()) {
			t.Fatalf("run %d wrote other bytes for the same rows", run)
		}
	}
}

// csvValue is how a CSV reader sees a row value.
func csvValue(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	case []string:
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		err := enc.Encode(x)
		return strings.TrimSuffix(b.String(), "\n"), err
	}
	return "", fmt.Errorf("no CSV form for %T", v)
}

// TestParquetRowGroups: a table written a document at a time into several
// row groups reads back as the same rows, in order.
func TestParquetRowGroups(t *testing.T) {
	defer func(n int) { rowGroupBytes = n }(rowGroupBytes)
	rowGroupBytes = 1
	_, docs := fixture()
	tb := schemas.Tables()[1] // clauses
	var all [][]any
	var buf bytes.Buffer
	tw, err := NewParquet(&buf, tb)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		rows := tb.Rows(schemas.Data{Docs: []schemas.Document{d}})
		for _, row := range rows {
			if err := tw.Write([][]any{row}); err != nil {
				t.Fatal(err)
			}
		}
		all = append(all, rows...)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := file.NewParquetReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if n := r.NumRowGroups(); n < 2 || n > len(all) {
		t.Errorf("%d row groups for %d rows; want several", n, len(all))
	}
	if diff := cmp.Diff(all, readParquet(t, buf.Bytes(), tb)); diff != "" {
		t.Errorf("round trip (-wrote +read):\n%s", diff)
	}
}

// TestProseWithoutDictionary: prose columns have no dictionary; every
// column keeps its statistics.
func TestProseWithoutDictionary(t *testing.T) {
	ds, docs := fixture()
	files, err := Build(ds, Options{Version: "0.1.0"}, schemas.Data{Docs: docs}, []byte("## 0.1.0\n"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := file.NewParquetReader(bytes.NewReader(files["clauses.parquet"]))
	if err != nil {
		t.Fatal(err)
	}
	rg := r.MetaData().RowGroup(0)
	for i := 0; i < rg.NumColumns(); i++ {
		col, err := rg.ColumnChunk(i)
		if err != nil {
			t.Fatal(err)
		}
		name := col.PathInSchema().String()
		stats, _ := col.StatsSet()
		dict := col.HasDictionaryPage()
		prose := name == "text_zh" || name == "text_en"
		if col.Type() == parquet.Types.Boolean {
			dict = true // booleans are never dictionary-encoded
		}
		if prose == dict || !stats {
			t.Errorf("%s: dictionary %t, statistics %t; want statistics, and a dictionary unless prose", name, dict, stats)
		}
	}
}

// TestSpoolHasNoName: the link features' spool is unlinked as soon as it
// is made, so a run killed outright leaves nothing in the temporary
// folder; the open file still takes and gives back the features.
func TestSpoolHasNoName(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	w := &Writer{}
	at, err := w.spoolFeatures("doc", []byte("features"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.dropSpool()
	if entries, _ := os.ReadDir(os.Getenv("TMPDIR")); len(entries) != 0 {
		t.Errorf("the temporary folder holds %s while the spool is open: a killed run would leave it", entries[0].Name())
	}
	b := make([]byte, at[1])
	if _, err := w.spool.ReadAt(b, at[0]); err != nil || string(b) != "features" {
		t.Errorf("the spool gives back %q (%v)", b, err)
	}
}

// syncCounter is a file that counts its syncs.
type syncCounter struct {
	bytes.Buffer
	syncs int
}

func (f *syncCounter) Sync() error  { f.syncs++; return nil }
func (f *syncCounter) Close() error { return nil }

// TestSyncedFile: a staged file keeps every byte written through it, in
// writes smaller and larger than the flush-ahead step, on a real file
// (where the system is asked to write back as it goes) and on another
// writer; it is synced once, at close.
func TestSyncedFile(t *testing.T) {
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 1<<12) // 64 KiB
	var want []byte
	for len(want) < 3*flushAheadBytes+12345 {
		want = append(want, chunk[:1+len(want)%len(chunk)]...)
	}
	path := filepath.Join(t.TempDir(), "t.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	counted := &syncCounter{}
	for _, w := range []io.WriteCloser{&syncedFile{WriteCloser: f}, &syncedFile{WriteCloser: counted}} {
		for rest := want; len(rest) > 0; {
			n := min(len(rest), 1<<20+7)
			if k, err := w.Write(rest[:n]); err != nil || k != n {
				t.Fatalf("Write = %d, %v", k, err)
			}
			rest = rest[n:]
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("the file holds %d bytes (%v); want the %d written", len(got), err, len(want))
	}
	if !bytes.Equal(counted.Bytes(), want) || counted.syncs != 1 {
		t.Fatalf("the writer got %d bytes and %d syncs; want %d and 1", counted.Len(), counted.syncs, len(want))
	}
}

// TestChangelogNotesAreUTF8: the sources folder's CHANGELOG.md is copied
// into every release's, a UTF-8 file: notes that are not UTF-8 are an
// error naming the line and byte; missing notes are none.
func TestChangelogNotesAreUTF8(t *testing.T) {
	fsys := fstest.MapFS{ChangelogPath: {Data: []byte("# Notes\n\n## 0.2.0\n\nCaf\xe9 notes\n")}}
	if _, err := CheckChangelog(fsys, Auto); err == nil || !strings.Contains(err.Error(), "line 5 byte 4 is not valid UTF-8") {
		t.Errorf("Latin-1 notes: %v; want an error naming line 5 byte 4", err)
	}
	fsys[ChangelogPath] = &fstest.MapFile{Data: []byte("# Notes\n\n## 0.2.0\n\nCafé notes\n")}
	if notes, err := CheckChangelog(fsys, Auto); err != nil || !bytes.Contains(notes, []byte("Café")) {
		t.Errorf("UTF-8 notes: %q, %v", notes, err)
	}
	if notes, err := CheckChangelog(fstest.MapFS{}, Auto); err != nil || notes != nil {
		t.Errorf("no notes: %q, %v; want none and no error", notes, err)
	}
}
