package report_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/policyledger/policyledger/report"

	"github.com/policyledger/policyledger/pipeline"
	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/release"
)

// build writes a release of the embedded sources and returns its folder.
func build(t *testing.T) string {
	t.Helper()
	out := t.TempDir()
	if _, err := pipeline.Run(context.Background(), pipeline.Options{Sources: sources.FS(), ManifestPath: sources.Manifest,
		Release: release.Options{Output: out, Version: "0.1.0", ReviewThreshold: 0.8}}); err != nil {
		t.Fatal(err)
	}
	return release.Dir(out, "0.1.0")
}

func rows(t *testing.T, dir, name string, keep func(map[string]any) bool) int {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		var r map[string]any
		json.Unmarshal(sc.Bytes(), &r)
		if keep == nil || keep(r) {
			n++
		}
	}
	return n
}

// TestReportPage: the page is in the release and in SHA256SUMS; the numbers
// it shows are the tables' numbers; it is well formed; every link inside it
// resolves; and it loads nothing from anywhere.
func TestReportPage(t *testing.T) {
	dir := build(t)
	page, err := os.ReadFile(filepath.Join(dir, "report", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if sums, _ := os.ReadFile(filepath.Join(dir, "SHA256SUMS")); !strings.Contains(string(sums), "  report/index.html\n") {
		t.Error("SHA256SUMS does not list report/index.html")
	}
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}    // id → text
	chartSums := map[string]int{} // chart id → sum of its bars' values
	var chartID string
	var hrefs, srcs []string
	var cells []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				switch a.Key {
				case "id":
					ids[a.Val] = text(n)
				case "href":
					hrefs = append(hrefs, a.Val)
				case "src":
					srcs = append(srcs, a.Val)
				case "data-field", "data-kind":
					cells = append(cells, n)
				case "data-value":
					v, _ := strconv.Atoi(a.Val)
					chartSums[chartID] += v
				}
				if a.Key == "id" && strings.HasPrefix(a.Val, "chart-") {
					chartID = a.Val
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	is := func(r map[string]any) bool { return r["is_commitment"] == true }
	for id, want := range map[string]int{
		"n-documents":   rows(t, dir, "documents.jsonl", nil),
		"n-clauses":     rows(t, dir, "clauses.jsonl", nil),
		"n-sentences":   rows(t, dir, "sentences.jsonl", nil),
		"n-commitments": rows(t, dir, "commitments.jsonl", is),
		"n-mechanisms":  rows(t, dir, "mechanisms.jsonl", nil),
		"n-links":       rows(t, dir, "links.jsonl", nil),
	} {
		if got := ids[id]; got != strconv.Itoa(want) || want == 0 {
			t.Errorf("%s shows %q; the tables have %d", id, got, want)
		}
	}
	for _, c := range cells {
		var docID, field, kind string
		for _, a := range c.Attr {
			switch a.Key {
			case "data-doc":
				docID = a.Val
			case "data-field":
				field = a.Val
			case "data-kind":
				kind = a.Val
			}
		}
		var want int
		switch {
		case kind != "":
			want = rows(t, dir, "clauses.jsonl", func(r map[string]any) bool { return r["kind"] == kind })
		case field == "commitments":
			want = rows(t, dir, "commitments.jsonl", func(r map[string]any) bool { return r["doc_id"] == docID && is(r) })
		default:
			want = rows(t, dir, field+".jsonl", func(r map[string]any) bool { return r["doc_id"] == docID })
		}
		if got := text(c); got != strconv.Itoa(want) {
			t.Errorf("%s %s%s shows %s; the tables have %d", docID, field, kind, got, want)
		}
	}
	if len(cells) < 8 {
		t.Errorf("only %d checked cells; want every document's counts and every kind", len(cells))
	}
	for _, h := range hrefs {
		if !strings.HasPrefix(h, "#") {
			t.Errorf("link %q leaves the page", h)
		} else if _, ok := ids[strings.TrimPrefix(h, "#")]; !ok {
			t.Errorf("link %q resolves to nothing", h)
		}
	}
	// The charts draw the tables' numbers: each document's sector bars add
	// up to its commitments, the bead shapes to the bilingual sentences.
	for _, d := range []string{"lac-policy-2025", "celac-jap-2022-2024"} {
		want := rows(t, dir, "commitments.jsonl", func(r map[string]any) bool { return r["doc_id"] == d && is(r) })
		if got := chartSums["chart-sectors-"+d]; got != want {
			t.Errorf("the sector chart of %s adds up to %d; the table has %d commitments", d, got, want)
		}
	}
	if got, want := chartSums["chart-beads"], rows(t, dir, "sentences.jsonl", func(r map[string]any) bool { return r["bead"] != nil }); got != want {
		t.Errorf("the bead chart adds up to %d; the table has %d beads", got, want)
	}
	if len(srcs) > 0 {
		t.Errorf("the page loads %v; it must be self-contained", srcs)
	}
	if !strings.Contains(ids["s-lac-policy-2025/part3/prog2/sec9/para1/s1"], "继续办好中拉科技创新论坛") {
		t.Error("the reader lacks a known sentence of the policy paper")
	}
	checkBalanced(t, page)
}

func text(n *html.Node) string {
	var b strings.Builder
	var f func(*html.Node)
	f = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c)
		}
	}
	f(n)
	return strings.TrimSpace(b.String())
}

var void = map[string]bool{"meta": true, "input": true, "br": true, "img": true, "link": true, "hr": true, "rect": true, "col": true, "source": true}

// checkBalanced fails on any element closed out of order or left open:
// the page is well formed, not merely parseable.
func checkBalanced(t *testing.T, page []byte) {
	t.Helper()
	z := html.NewTokenizer(bytes.NewReader(page))
	var stack []string
	for {
		switch z.Next() {
		case html.ErrorToken:
			if len(stack) != 0 {
				t.Errorf("elements left open: %v", stack)
			}
			return
		case html.StartTagToken:
			name, _ := z.TagName()
			if !void[string(name)] {
				stack = append(stack, string(name))
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if void[string(name)] {
				continue
			}
			if len(stack) == 0 || stack[len(stack)-1] != string(name) {
				t.Fatalf("</%s> closes %v", name, stack)
			}
			stack = stack[:len(stack)-1]
		}
	}
}

// TestReportFromFiles: the page policyledger report renders from a release
// folder's files is the page the release wrote while writing the tables.
func TestReportFromFiles(t *testing.T) {
	dir := build(t)
	want, err := os.ReadFile(filepath.Join(dir, "report", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := report.FromRelease(func(name string) (io.ReadCloser, error) { return os.Open(filepath.Join(dir, name)) })
	if err != nil {
		t.Fatal(err)
	}
	card, _ := os.ReadFile(filepath.Join(dir, "README.md"))
	var dp struct{ Title string }
	b, _ := os.ReadFile(filepath.Join(dir, "datapackage.json"))
	json.Unmarshal(b, &dp)
	got, err := report.Render(report.Input{Title: dp.Title, Version: "0.1.0", ReviewThreshold: 0.8, Card: card}, c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the page rendered from the files (%d bytes) differs from the release's (%d bytes)", len(got), len(want))
	}
}

// TestContinuityChartBounded: the continuity chart has a bar pair per
// article of the documents the reader shows and one for all the others,
// however many documents there are, and its bars add up to the rows.
func TestContinuityChartBounded(t *testing.T) {
	c := report.NewCollector()
	docs := report.MaxReaderDocs + 30
	for i := 0; i < docs; i++ {
		id := "doc" + strconv.Itoa(i)
		c.Row("documents", func(k string) any { return map[string]any{"doc_id": id}[k] })
	}
	continued, dropped := 0, 0
	for i := 0; i < docs; i++ {
		id := "doc" + strconv.Itoa(i)
		for part := 1; part <= 3; part++ {
			for k := 0; k < part; k++ {
				status := "dropped"
				if k%2 == 0 {
					status, continued = "continued", continued+1
				} else {
					dropped++
				}
				clause := id + "/art" + strconv.Itoa(part) + "/item" + strconv.Itoa(k+1)
				c.Row("continuity", func(col string) any {
					return map[string]any{"clause_id": clause, "doc_id": id, "status": status}[col]
				})
			}
		}
	}
	page, err := report.Render(report.Input{Title: "t", Version: "0.1.0", ReviewThreshold: 0.8}, c)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	start := strings.Index(s, `id="chart-continuity"`)
	if start < 0 {
		start = strings.Index(s, "Continued and dropped")
	}
	if start < 0 {
		t.Fatal("no continuity chart")
	}
	end := strings.Index(s[start:], "</svg>")
	svg := s[start : start+end]
	bars := strings.Count(svg, "<rect")
	if want := 2 * (3*report.MaxReaderDocs + 1); bars != want {
		t.Errorf("%d bars; want %d (a pair per article of the %d documents shown, one for the rest)", bars, want, report.MaxReaderDocs)
	}
	if !strings.Contains(svg, "other documents continued") {
		t.Error("no bar for the other documents")
	}
	sum := map[string]int{}
	for _, m := range regexp.MustCompile(`<title>[^<]* (continued|dropped): (\d+)</title>`).FindAllStringSubmatch(svg, -1) {
		n, _ := strconv.Atoi(m[2])
		sum[m[1]] += n
	}
	if sum["continued"] != continued || sum["dropped"] != dropped {
		t.Errorf("bars add up to %v; the rows have %d continued, %d dropped", sum, continued, dropped)
	}
}

// TestReviewQueueBounded: the review queue lists the beads of the
// documents the reader shows (its links lead into the reader) and counts
// the others', however many documents there are; every document's
// warnings are still listed.
func TestReviewQueueBounded(t *testing.T) {
	c := report.NewCollector()
	docs := report.MaxReaderDocs + 30
	for i := 0; i < docs; i++ {
		id := "doc" + strconv.Itoa(i)
		warnings := []string(nil)
		if i == docs-1 {
			warnings = []string{"a warning of the last document"}
		}
		c.Row("documents", func(k string) any { return map[string]any{"doc_id": id, "warnings": warnings}[k] })
		for k := 0; k < 2; k++ {
			sid := id + "/para1/s" + strconv.Itoa(k+1)
			c.Row("review", func(col string) any {
				return map[string]any{"sentence_id": sid, "doc_id": id, "reason": "low score", "zh": "中文", "en": "English"}[col]
			})
		}
	}
	page, err := report.Render(report.Input{Title: "t", Version: "0.1.0", ReviewThreshold: 0.8}, c)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if got, want := strings.Count(s, `<tr class="review-item"><td>bead</td>`), 2*report.MaxReaderDocs; got != want {
		t.Errorf("%d beads listed; want %d, those of the %d documents the reader shows", got, want, report.MaxReaderDocs)
	}
	if !strings.Contains(s, `href="#s-doc0%2fpara1%2fs1"`) {
		t.Error("a bead of the first document is not listed with its link into the reader")
	}
	if strings.Contains(s, `href="#s-doc`+strconv.Itoa(report.MaxReaderDocs)+`%2f`) {
		t.Error("a bead of a document the reader does not show is listed")
	}
	if !strings.Contains(s, "60 more beads to review are in the other documents, and review.csv lists every one") {
		t.Error("the page does not say how many beads it leaves to review.csv")
	}
	if !strings.Contains(s, "a warning of the last document") {
		t.Error("the warning of a document the reader does not show is not listed")
	}
}

// TestRenderAgain: the reader, rendered once per collector, is rendered
// anew when rows come after a render; a page is the same however many
// renders came before it.
func TestRenderAgain(t *testing.T) {
	fill := func(c *report.Collector, sentence string) {
		c.Row("documents", func(k string) any { return map[string]any{"doc_id": "d1"}[k] })
		c.Row("clauses", func(k string) any {
			return map[string]any{"clause_id": "d1/p1", "doc_id": "d1", "kind": "paragraph", "level": int64(1), "text_en": "x"}[k]
		})
		c.Row("sentences", func(k string) any {
			return map[string]any{"sentence_id": "d1/p1/s1", "clause_id": "d1/p1", "doc_id": "d1", "en": sentence}[k]
		})
	}
	in := report.Input{Title: "t", Version: "0.1.0", ReviewThreshold: 0.8}
	c := report.NewCollector()
	fill(c, "the first sentence")
	first, err := report.Render(in, c)
	if err != nil {
		t.Fatal(err)
	}
	c.Row("sentences", func(k string) any {
		return map[string]any{"sentence_id": "d1/p1/s2", "clause_id": "d1/p1", "doc_id": "d1", "en": "a sentence added after a render"}[k]
	})
	in.Version = "0.2.0"
	again, err := report.Render(in, c)
	if err != nil {
		t.Fatal(err)
	}
	fresh := report.NewCollector()
	fill(fresh, "the first sentence")
	fresh.Row("sentences", func(k string) any {
		return map[string]any{"sentence_id": "d1/p1/s2", "clause_id": "d1/p1", "doc_id": "d1", "en": "a sentence added after a render"}[k]
	})
	want, err := report.Render(in, fresh)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(first, []byte("the first sentence")) || !bytes.Contains(want, []byte("a sentence added after a render")) {
		t.Fatal("the reader does not show the sentences: the test checks nothing")
	}
	if !bytes.Equal(again, want) {
		t.Errorf("a page rendered after an earlier render and a new row differs from one rendered from scratch")
	}
}
