package clients

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/policyledger/policyledger/schemas"
)

func openDuckDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	return db
}

// readers are the DuckDB table functions for each released format.
var readers = map[string]string{
	"parquet": "read_parquet('%s.parquet')",
	"csv":     "read_csv('%s.csv', header = true, all_varchar = true)",
	"jsonl":   "read_json('%s.jsonl', format = 'newline_delimited')",
}

func scalar[T any](t *testing.T, db *sql.DB, query string) T {
	t.Helper()
	var v T
	if err := db.QueryRow(query).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

func TestDuckDBRowCounts(t *testing.T) {
	t.Chdir(releaseDir)
	db := openDuckDB(t)
	counts := rowCounts()
	if counts["review"] == 0 {
		t.Error("the release flags no beads for review at threshold 0.8; the corpus has some")
	}
	for _, tb := range schemas.Tables() {
		table, want := tb.Name, counts[tb.Name]
		for format, reader := range readers {
			if !tb.In(format) {
				continue
			}
			got := scalar[int64](t, db, "SELECT count(*) FROM "+fmt.Sprintf(reader, table))
			if got != int64(want) {
				t.Errorf("%s.%s has %d rows in DuckDB; want %d", table, format, got, want)
			}
		}
	}
}

func TestDuckDBKeys(t *testing.T) {
	t.Chdir(releaseDir)
	db := openDuckDB(t)
	for _, tb := range schemas.Tables() {
		for format, reader := range readers {
			if !tb.In(format) {
				continue
			}
			from := fmt.Sprintf(reader, tb.Name)
			pk := strings.Join(tb.PrimaryKey, ", ")
			dups := scalar[int64](t, db, fmt.Sprintf("SELECT count(*) - count(DISTINCT (%s)) FROM %s", pk, from))
			if dups != 0 {
				t.Errorf("%s.%s: %d duplicate primary keys", tb.Name, format, dups)
			}
			for _, fk := range tb.ForeignKeys {
				ref := fmt.Sprintf(reader, fk.RefTable)
				q := fmt.Sprintf("SELECT count(*) FROM %s c WHERE c.%s IS NOT NULL AND c.%s NOT IN (SELECT %s FROM %s)",
					from, fk.Fields[0], fk.Fields[0], fk.RefFields[0], ref)
				if n := scalar[int64](t, db, q); n != 0 {
					t.Errorf("%s.%s: %d rows whose %s does not resolve in %s", tb.Name, format, n, fk.Fields[0], fk.RefTable)
				}
			}
		}
	}
}

func TestDuckDBKnownTextInEveryFormat(t *testing.T) {
	t.Chdir(releaseDir)
	db := openDuckDB(t)
	var texts []string
	for _, format := range []string{"parquet", "csv", "jsonl"} {
		q := fmt.Sprintf("SELECT text_zh FROM %s WHERE clause_id = '%s'", fmt.Sprintf(readers[format], "clauses"), knownClauseID)
		texts = append(texts, scalar[string](t, db, q))
	}
	if !strings.HasPrefix(texts[0], knownPrefix) {
		t.Errorf("%s text_zh = %.40q; want it to start with %q", knownClauseID, texts[0], knownPrefix)
	}
	if texts[0] != texts[1] || texts[0] != texts[2] {
		t.Errorf("text_zh differs between formats:\nparquet %q\ncsv     %q\njsonl   %q", texts[0], texts[1], texts[2])
	}
}

// TestDuckDBParquetEqualsJSONLines: every table's Parquet and JSON Lines
// files hold the same rows, value for value as DuckDB reads them (EXCEPT
// ALL both ways, so duplicates count). The CSV files are read as text
// (the writers' round trip is FuzzWriters'); review and review_links are
// CSV only.
func TestDuckDBParquetEqualsJSONLines(t *testing.T) {
	t.Chdir(releaseDir)
	db := openDuckDB(t)
	for _, tb := range schemas.Tables() {
		if !tb.In("parquet") || !tb.In("jsonl") {
			continue
		}
		pq, js := fmt.Sprintf(readers["parquet"], tb.Name), fmt.Sprintf(readers["jsonl"], tb.Name)
		q := fmt.Sprintf("SELECT (SELECT count(*) FROM (SELECT * FROM %[1]s EXCEPT ALL SELECT * FROM %[2]s)), (SELECT count(*) FROM (SELECT * FROM %[2]s EXCEPT ALL SELECT * FROM %[1]s))", pq, js)
		var onlyParquet, onlyJSON int64
		if err := db.QueryRow(q).Scan(&onlyParquet, &onlyJSON); err != nil {
			t.Errorf("%s: %v", tb.Name, err)
			continue
		}
		if onlyParquet != 0 || onlyJSON != 0 {
			t.Errorf("%s: %d rows only in Parquet, %d only in JSON Lines", tb.Name, onlyParquet, onlyJSON)
		}
	}
}

// duckTypes is how DuckDB names each column kind when reading Parquet.
var duckTypes = map[schemas.Kind]string{
	schemas.String: "VARCHAR", schemas.Int64: "BIGINT", schemas.Float64: "DOUBLE", schemas.Bool: "BOOLEAN",
	schemas.Date: "DATE", schemas.Timestamp: "TIMESTAMP", schemas.StringList: "VARCHAR[]",
}

func TestDuckDBParquetTypes(t *testing.T) {
	t.Chdir(releaseDir)
	db := openDuckDB(t)
	for _, tb := range schemas.Tables() {
		if !tb.In("parquet") {
			continue
		}
		rows, err := db.Query(fmt.Sprintf("DESCRIBE SELECT * FROM '%s.parquet'", tb.Name))
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var got [][2]string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			got = append(got, [2]string{fmt.Sprint(vals[0]), fmt.Sprint(vals[1])})
		}
		rows.Close()
		if len(got) != len(tb.Fields) {
			t.Fatalf("%s.parquet has %d columns; want %d", tb.Name, len(got), len(tb.Fields))
		}
		for i, f := range tb.Fields {
			if got[i] != [2]string{f.Name, duckTypes[f.Kind]} {
				t.Errorf("%s.parquet column %d = %v; want %s %s", tb.Name, i, got[i], f.Name, duckTypes[f.Kind])
			}
		}
	}
	// A list column comes back as a list.
	if n := scalar[int64](t, db, "SELECT len(heading_path) FROM 'clauses.parquet' WHERE clause_id = '"+knownClauseID+"'"); n != 3 {
		t.Errorf("len(heading_path) of %s = %d; want 3", knownClauseID, n)
	}
}

// TestDuckDBOffsetsAndHashes checks what the documentation promises of
// offsets and hashes, with DuckDB's own string and hash functions.
func TestDuckDBOffsetsAndHashes(t *testing.T) {
	t.Chdir(releaseDir)
	db := openDuckDB(t)
	checks := map[string]string{
		"paragraph offsets": `SELECT count(*) FROM 'clauses.parquet' c JOIN 'documents.parquet' d USING (doc_id)
			WHERE c.kind = 'paragraph' AND substr(d.clean_text, c.char_start + 1, c.char_end - c.char_start) <> c.text_zh`,
		"english offsets": `SELECT count(*) FROM 'clauses.parquet' c JOIN 'documents.parquet' d USING (doc_id)
			WHERE c.text_en IS NOT NULL AND substr(d.clean_text, c.en_char_start + 1, c.en_char_end - c.en_char_start) <> c.text_en`,
		"text_sha256": `SELECT count(*) FROM 'clauses.parquet' WHERE sha256(coalesce(text_zh, title_zh, label)) <> text_sha256`,
		"sentence offsets": `SELECT count(*) FROM 'sentences.parquet' s JOIN 'clauses.parquet' c USING (clause_id)
			WHERE s.zh IS NOT NULL AND substr(c.text_zh, s.zh_start + 1, s.zh_end - s.zh_start) <> s.zh`,
		"counts in documents": `SELECT count(*) FROM 'documents.parquet' d
			WHERE clause_count <> (SELECT count(*) FROM 'clauses.parquet' c WHERE c.doc_id = d.doc_id)`,
	}
	for name, q := range checks {
		if n := scalar[int64](t, db, q); n != 0 {
			t.Errorf("%s: %d rows break it", name, n)
		}
	}
	if n := scalar[int64](t, db, "SELECT count(*) FROM 'clauses.parquet' WHERE kind = 'paragraph'"); n != 77 {
		t.Errorf("paragraphs = %d; want 75 + 2", n)
	}
	posted := scalar[string](t, db, "SELECT strftime(posted_at, '%Y-%m-%d %H:%M') FROM 'documents.parquet' WHERE doc_id = 'celac-jap-2022-2024'")
	if posted != "2021-12-07 15:19" {
		t.Errorf("posted_at = %q; want 2021-12-07 15:19", posted)
	}
}

// sumColumn adds up an integer column of query results.
func sumColumn(rows [][]any, col int) int64 {
	var sum int64
	for _, r := range rows {
		sum += r[col].(int64)
	}
	return sum
}

// TestDuckDBReadmeExample runs the README's and the data card's SQL against
// the release, and checks that what each returns means something: the
// README's examples (named by their first comment) against counts made
// another way.
func TestDuckDBReadmeExample(t *testing.T) {
	blocks := readmeBlocks(t, "sql")
	t.Chdir(releaseDir)
	db := openDuckDB(t)
	checked := 0
	for _, q := range blocks {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("README SQL failed: %v\n%s", err, q)
		}
		cols, _ := rows.Columns()
		var got [][]any
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			got = append(got, vals)
		}
		rows.Close()
		if len(got) == 0 {
			t.Errorf("README SQL returned no rows:\n%s", q)
			continue
		}
		count := func(query string, args ...any) int64 {
			var n int64
			if err := db.QueryRow(query, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		switch {
		case strings.HasPrefix(q, "-- sentences per section"):
			checked++
			for _, r := range got {
				id, sentences := r[0].(string), r[4].(int64)
				want := count(`SELECT count(*) FROM 'sentences.parquet' WHERE starts_with(clause_id, ? || '/')`, id)
				if sentences == 0 || sentences != want {
					t.Errorf("section %s: %d sentences; its paragraphs hold %d (and it must be non-zero)", id, sentences, want)
				}
			}
		case strings.HasPrefix(q, "-- commitments by actor and modality"):
			checked++
			sum, want := sumColumn(got, 3), count(`SELECT count(*) FROM 'commitments.jsonl' WHERE is_commitment`)
			if sum != want || sum == 0 {
				t.Errorf("commitments by actor and modality sum to %d; the JSON Lines file has %d commitments", sum, want)
			}
		case strings.HasPrefix(q, "-- paragraphs of the policy paper"):
			checked++
			if want := count(`SELECT count(*) FROM 'clauses.jsonl' WHERE doc_id = 'lac-policy-2025' AND kind = 'paragraph'`); int64(len(got)) != want || want == 0 {
				t.Errorf("the card's paragraph example gives %d rows; the JSON Lines file has %d paragraphs", len(got), want)
			}
		case strings.HasPrefix(q, "-- commitments by document and modality"):
			checked++
			sum, want := sumColumn(got, 2), count(`SELECT count(*) FROM 'commitments.csv' WHERE is_commitment`)
			if sum != want || sum == 0 {
				t.Errorf("the card's commitments example sums to %d; the CSV has %d commitments", sum, want)
			}
		case strings.HasPrefix(q, "-- mechanisms in both documents"):
			checked++
			for _, r := range got {
				id := r[0].(string)
				docs := count(`SELECT count(DISTINCT doc_id) FROM 'commitment_mechanisms.csv' cm JOIN 'commitments.csv' c USING (unit_id) WHERE cm.mechanism_id = ?`, id)
				if docs != 2 || r[4].(int64) == 0 {
					t.Errorf("mechanism %s: named in %d documents by the link table, %v units; want 2 and some", id, docs, r[4])
				}
			}
		}
	}
	if checked != 5 {
		t.Errorf("%d of the 5 SQL examples (3 in the README, 2 in the data card) were checked: are their first comments intact?", checked)
	}
}

// TestDuckDBParquetMetadata checks the writer settings users rely on:
// zstd, dictionary encoding (except for prose), UTF-8 string annotation, and statistics whose
// null counts equal the real number of nulls in each column.
func TestDuckDBParquetMetadata(t *testing.T) {
	t.Chdir(releaseDir)
	db := openDuckDB(t)
	for _, tb := range schemas.Tables() {
		if !tb.In("parquet") {
			continue
		}
		file := tb.Name + ".parquet"
		for _, f := range tb.Fields {
			if f.Kind == schemas.StringList {
				continue // leaf statistics of a list count empty lists too
			}
			var compression, encodings string
			var statNulls sql.NullInt64
			q := fmt.Sprintf("SELECT compression, encodings, stats_null_count FROM parquet_metadata('%s') WHERE path_in_schema = '%s'", file, f.Name)
			if err := db.QueryRow(q).Scan(&compression, &encodings, &statNulls); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			realNulls := scalar[int64](t, db, fmt.Sprintf("SELECT count(*) FROM '%s' WHERE %s IS NULL", file, f.Name))
			if compression != "ZSTD" || !statNulls.Valid || statNulls.Int64 != realNulls {
				t.Errorf("%s.%s: compression %s, null count statistic %v; want ZSTD and %d", tb.Name, f.Name, compression, statNulls, realNulls)
			}
			prose := slices.Contains(tb.Prose, f.Name)
			if f.Kind == schemas.String && prose == strings.Contains(encodings, "DICTIONARY") {
				t.Errorf("%s.%s: encodings %s; want dictionary encoding for every string column but prose (%v)", tb.Name, f.Name, encodings, tb.Prose)
			}
		}
		var notUTF8 int64
		q := fmt.Sprintf("SELECT count(*) FROM parquet_schema('%s') WHERE type = 'BYTE_ARRAY' AND converted_type IS DISTINCT FROM 'UTF8'", file)
		if notUTF8 = scalar[int64](t, db, q); notUTF8 != 0 {
			t.Errorf("%s: %d string columns without the UTF8 annotation", file, notUTF8)
		}
	}
}
