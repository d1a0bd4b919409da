package clients

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// publishedDir is the newest committed release.
func publishedDir(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "output", "releases", "latest.json"))
	if err != nil {
		t.Fatalf("no committed release: %v", err)
	}
	var l struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &l); err != nil || l.Version == "" {
		t.Fatalf("latest.json: %v", err)
	}
	dir, _ := filepath.Abs(filepath.Join("..", "output", "releases", l.Version))
	return dir
}

var releaseURL = regexp.MustCompile(`https://github\.com/<owner>/<repo>/releases/download/v[^/]+`)

// TestUsingPublishedRelease runs the README's "From a published release"
// examples against the newest committed release: the join of commitments
// to clauses and documents, commitments per sector and document, the same
// from a release URL (served here over HTTP, when DuckDB can install its
// httpfs extension), and the pandas equivalent; each is checked against
// counts made another way.
func TestUsingPublishedRelease(t *testing.T) {
	sqls := blocks(t, filepath.Join("..", "README.md"), "sql published")
	pys := blocks(t, filepath.Join("..", "README.md"), "python published")
	dir := publishedDir(t)
	t.Chdir(dir)
	db := openDuckDB(t)
	total := scalar[int64](t, db, "SELECT count(*) FROM 'commitments.jsonl' WHERE is_commitment")
	if total == 0 {
		t.Fatal("the release has no commitments")
	}
	checked := 0
	for _, q := range sqls {
		switch {
		case strings.HasPrefix(q, "-- commitments with their clause and document"):
			checked++
			if n := scalar[int64](t, db, "SELECT count(*) FROM ("+strings.TrimSuffix(strings.TrimSpace(q), ";")+")"); n != total {
				t.Errorf("the join gives %d commitments; the JSON Lines file has %d", n, total)
			}
		case strings.HasPrefix(q, "-- commitments per sector and document"):
			checked++
			sum := scalar[int64](t, db, "SELECT sum(commitments) FROM ("+strings.TrimSuffix(strings.TrimSpace(q), ";")+")")
			if sum != total {
				t.Errorf("commitments per sector and document sum to %d; want %d", sum, total)
			}
		case strings.HasPrefix(q, "-- action-plan items the 2025 paper dropped"):
			checked++
			n := scalar[int64](t, db, "SELECT count(*) FROM ("+strings.TrimSuffix(strings.TrimSpace(q), ";")+")")
			want := scalar[int64](t, db, `SELECT count(*) FROM 'continuity.csv' k WHERE status = 'dropped' AND doc_id = 'celac-jap-2022-2024'
				AND NOT EXISTS (SELECT 1 FROM 'links.csv' l WHERE l.from_clause_id = k.clause_id) AND clause_id LIKE '%/item%'`)
			if n == 0 || n != want {
				t.Errorf("dropped items: %d; the CSV files give %d (and some must be dropped)", n, want)
			}
		case strings.HasPrefix(q, "-- what each programme of the paper continues"):
			checked++
			sum := scalar[int64](t, db, "SELECT sum(links) FROM ("+strings.TrimSuffix(strings.TrimSpace(q), ";")+")")
			want := scalar[int64](t, db, `SELECT count(*) FROM 'links.jsonl' WHERE from_doc_id = 'celac-jap-2022-2024' AND to_clause_id LIKE 'lac-policy-2025/part3/prog%'`)
			if sum == 0 || sum != want {
				t.Errorf("links per programme sum to %d; the JSON Lines file has %d links into programmes", sum, want)
			}
		case strings.HasPrefix(q, "-- from a release URL"):
			checked++
			srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
			defer srv.Close()
			q = releaseURL.ReplaceAllString(q, srv.URL)
			stmts := strings.Split(strings.TrimSpace(q), ";")
			if _, err := db.Exec(stmts[0] + ";" + stmts[1]); err != nil {
				t.Logf("the URL example was not run: DuckDB cannot install its httpfs extension here (%v)", firstLine(err.Error()))
				continue
			}
			rows := scalar[int64](t, db, "SELECT sum(clauses) FROM ("+stmts[2]+")")
			if want := scalar[int64](t, db, "SELECT count(*) FROM 'clauses.csv'"); rows != want {
				t.Errorf("clauses over HTTP: %d; the local CSV has %d", rows, want)
			}
		}
	}
	if checked != 5 {
		t.Errorf("%d of the 5 published-release SQL examples were found: are their first comments intact?", checked)
	}
	requirePandas(t)
	for _, code := range pys {
		f := filepath.Join(t.TempDir(), "example.py")
		os.WriteFile(f, []byte(code), 0o644)
		out, err := exec.Command(python, f).CombinedOutput()
		if err != nil {
			t.Fatalf("README Python failed: %v\n%s", err, out)
		}
		want := "total " + itoa(total)
		if !strings.Contains(string(out), want) {
			t.Errorf("README Python did not print %q:\n%s", want, out)
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
