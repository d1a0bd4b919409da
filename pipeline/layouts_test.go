package pipeline

import (
	"context"
	"flag"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/release"
)

var update = flag.Bool("update", false, "rewrite the layout fixtures in testdata/layouts")

// paperRows are the policy paper's 131 content rows (Chinese, English), read
// from the embedded snapshot: the canonical text every layout fixture is
// made from.
func paperRows(t testing.TB) [][2]string {
	t.Helper()
	raw, err := fs.ReadFile(sources.FS(), "snapshots/lac-policy-2025.zh-en.txt")
	if err != nil {
		t.Fatal(err)
	}
	var rows [][2]string
	for _, line := range strings.Split(string(raw), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 || strings.TrimSpace(cells[0]) == "" || strings.HasPrefix(cells[0], "(来源") {
			continue // web boilerplate and the attribution row
		}
		rows = append(rows, [2]string{strings.TrimSpace(cells[0]), strings.TrimSpace(cells[1])})
	}
	if len(rows) != 131 {
		t.Fatalf("%d content rows in the policy paper; want 131", len(rows))
	}
	return rows
}

// numbered reports whether a Chinese row is a numbered or named heading.
func numbered(zh string) bool {
	if zh == "前言" {
		return true
	}
	for _, p := range []string{"第", "(", "（"} {
		if strings.HasPrefix(zh, p) {
			return true
		}
	}
	r := []rune(zh)
	return len(r) > 1 && strings.ContainsRune("一二三四五六七八九十", r[0]) && strings.ContainsRune(zh[:min(len(zh), 12)], '、')
}

// layoutFixture is one way the policy paper could have been published.
type layoutFixture struct {
	name       string
	layout     string // what layout: auto must find
	langs      []string
	format     string
	zh, en     string // file contents (en only for separate texts)
	compareAll bool   // compare Chinese and English; else only the language given
}

func joinRows(rows [][2]string, f func(zh, en string) string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(f(r[0], r[1]))
	}
	return b.String()
}

func page(title string, body []string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html.EscapeString(title) + "</title></head><body>\n")
	b.WriteString("<nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>\n<main><article>\n<h1>" + html.EscapeString(title) + "</h1>\n")
	for _, p := range body {
		b.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
	}
	b.WriteString("</article></main>\n<footer><p>Copyright example.org</p></footer>\n</body></html>\n")
	return b.String()
}

// layoutFixtures builds every fixture mechanically from the paper's rows.
func layoutFixtures(rows [][2]string) []layoutFixture {
	both := []string{"zh", "en"}
	var zhLines, enLines, alternating []string
	for _, r := range rows {
		zhLines = append(zhLines, r[0])
		enLines = append(enLines, r[1])
		alternating = append(alternating, r[0], r[1])
	}
	return []layoutFixture{
		{name: "rows-trailing-bar", layout: "bilingual-rows", langs: both, compareAll: true,
			zh: joinRows(rows, func(zh, en string) string { return zh + " | " + en + " |\n" })},
		{name: "rows-plain", layout: "bilingual-rows", langs: both, compareAll: true,
			zh: joinRows(rows, func(zh, en string) string { return zh + " | " + en + "\n" })},
		{name: "rows-en-first", layout: "bilingual-rows-en-first", langs: both, compareAll: true,
			zh: joinRows(rows, func(zh, en string) string { return en + " | " + zh + " |\n" })},
		{name: "rows-tab", layout: "tab-rows", langs: both, compareAll: true,
			zh: joinRows(rows, func(zh, en string) string { return zh + "\t" + en + "\n" })},
		{name: "interleaved-zh-en", layout: "interleaved-zh-en", langs: both, compareAll: true,
			zh: joinRows(rows, func(zh, en string) string { return zh + "\n\n" + en + "\n\n" })},
		{name: "interleaved-headings-one-line", layout: "interleaved-zh-en", langs: both, compareAll: true,
			zh: joinRows(rows, func(zh, en string) string {
				if numbered(zh) {
					return zh + "  " + en + "\n"
				}
				return zh + "\n" + en + "\n"
			})},
		{name: "interleaved-en-zh", layout: "interleaved-en-zh", langs: both, compareAll: true,
			zh: joinRows(rows, func(zh, en string) string { return en + "\n" + zh + "\n" })},
		{name: "same-line-en-zh", layout: "same-line-en-zh", langs: both, compareAll: true,
			zh: joinRows(rows, func(zh, en string) string { return en + " " + zh + "\n" })},
		{name: "same-line-zh-en", layout: "same-line-zh-en", langs: both, compareAll: true,
			zh: joinRows(rows, func(zh, en string) string { return zh + " " + en + "\n" })},
		{name: "html-interleaved", layout: "interleaved-zh-en", langs: both, format: "html", compareAll: true,
			zh: page("中国对拉丁美洲和加勒比政策文件", alternating)},
		{name: "html-parallel", layout: "parallel-texts", langs: both, format: "html", compareAll: true,
			zh: page("中国对拉丁美洲和加勒比政策文件", zhLines), en: page("China's Policy Paper on Latin America and the Caribbean", enLines)},
		{name: "monolingual-zh", layout: "monolingual-zh", langs: []string{"zh"},
			zh: strings.Join(zhLines, "\n") + "\n"},
		{name: "monolingual-en", layout: "monolingual-en", langs: []string{"en"},
			zh: strings.Join(enLines, "\n") + "\n"},
	}
}

// fixtureFS is a sources folder holding one fixture under the given layout.
func fixtureFS(t testing.TB, f layoutFixture, layout string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, name := range []string{"glossary.yaml", "mechanisms.yaml", "overrides.yaml", "CHANGELOG.md"} {
		b, err := fs.ReadFile(sources.FS(), name)
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: b}
	}
	ext := ".txt"
	if f.format == "html" {
		ext = ".html"
	}
	snap := "snapshots/" + f.name + ext
	fsys[snap] = &fstest.MapFile{Data: []byte(f.zh)}
	entry := fmt.Sprintf(`  - id: lac-policy-2025
    title_zh: 中国对拉丁美洲和加勒比政策文件
    title_en: China's Policy Paper on Latin America and the Caribbean
    issuer: Government of the People's Republic of China
    document_type: policy_paper
    languages: [%s]
    layout: %s
    licence: test fixture
    snapshot: %s
    sha256: %s
    heading_kinds: [part, program, section]
`, strings.Join(f.langs, ", "), layout, snap, sum(f.zh))
	if f.format != "" {
		entry += "    format: " + f.format + "\n"
	}
	if f.en != "" {
		snapEn := "snapshots/" + f.name + ".en" + ext
		fsys[snapEn] = &fstest.MapFile{Data: []byte(f.en)}
		entry += fmt.Sprintf("    snapshot_en: %s\n    sha256_en: %s\n", snapEn, sum(f.en))
	}
	fsys["sources.yaml"] = &fstest.MapFile{Data: []byte("dataset:\n  name: t\n  title: T\nsources:\n" + entry)}
	return fsys
}

// alignOne runs the pipeline up to align over a sources folder and returns
// its only document.
func alignOne(t testing.TB, fsys fs.FS) schemas.Document {
	t.Helper()
	st, err := Run(context.Background(), Options{Sources: fsys, ManifestPath: "sources.yaml", Until: "align", Release: releaseOpts(t), KeepDocs: true})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(st.Docs) != 1 {
		t.Fatalf("%d documents; want 1", len(st.Docs))
	}
	return st.Docs[0]
}

// layoutView is what a layout must reproduce of each clause.
type layoutView struct {
	ID, Parent, Kind string
	Level, Number    int
	LabelZh, LabelEn string
	TitleZh, TitleEn string
	TextZh, TextEn   string
}

func views(d schemas.Document, zh, en bool) []layoutView {
	var out []layoutView
	for _, c := range d.Clauses {
		v := layoutView{ID: c.ID, Parent: c.ParentID, Kind: c.Kind, Level: c.Level, Number: c.Number}
		if zh {
			v.LabelZh, v.TitleZh, v.TextZh = c.Label, c.TitleZh, c.TextZh
		}
		if en {
			v.LabelEn, v.TitleEn, v.TextEn = c.LabelEn, c.TitleEn, c.TextEn
		}
		out = append(out, v)
	}
	return out
}

type pairView struct{ ID, Bead, Zh, En string }

func pairViews(d schemas.Document) []pairView {
	var out []pairView
	for _, s := range d.Sentences {
		out = append(out, pairView{s.ID, s.Bead, s.Zh, s.En})
	}
	return out
}

// TestLayoutFixtures publishes the policy paper in every layout family the
// parser knows, made mechanically from its rows, and checks that each —
// read with layout: auto and with its layout named — gives the canonical
// clauses and sentence pairs. The fixtures are written to testdata/layouts
// with -update, to be read as examples.
func TestLayoutFixtures(t *testing.T) {
	rows := paperRows(t)
	canon := alignOne(t, fixtureFS(t, layoutFixtures(rows)[0], "bilingual-rows"))
	for _, f := range layoutFixtures(rows) {
		t.Run(f.name, func(t *testing.T) {
			checkFixtureFile(t, f)
			for _, layout := range []string{"auto", f.layout} {
				d := alignOne(t, fixtureFS(t, f, layout))
				if d.Layout != f.layout {
					t.Errorf("layout %s read as %s (%s); want %s", layout, d.Layout, d.LayoutReason, f.layout)
				}
				zh, en := f.compareAll || f.langs[0] == "zh", f.compareAll || f.langs[0] == "en"
				if diff := cmp.Diff(views(canon, zh, en), views(d, zh, en)); diff != "" {
					t.Errorf("layout %s: clauses differ from the canonical parse (-want +got):\n%s", layout, diff)
				}
				if f.compareAll {
					if diff := cmp.Diff(pairViews(canon), pairViews(d)); diff != "" {
						t.Errorf("layout %s: sentence pairs differ from the canonical alignment (-want +got):\n%s", layout, diff)
					}
				}
			}
		})
	}
}

// checkFixtureFile keeps testdata/layouts in step with the builders.
func checkFixtureFile(t *testing.T, f layoutFixture) {
	t.Helper()
	ext := ".txt"
	if f.format == "html" {
		ext = ".html"
	}
	files := map[string]string{f.name + ext: f.zh}
	if f.en != "" {
		files[f.name+".en"+ext] = f.en
	}
	for name, want := range files {
		path := filepath.Join("testdata", "layouts", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != want {
			t.Errorf("%s is missing or stale: run go test ./pipeline -run TestLayoutFixtures -update", path)
		}
	}
}

func releaseOpts(t testing.TB) release.Options {
	return release.Options{Output: t.TempDir(), Version: "0.1.0"}
}

// TestHTMLPositions: messages about a web page name the page's own line
// and element, not a line of the extracted text.
func TestHTMLPositions(t *testing.T) {
	rows := paperRows(t)
	var body []string
	for i, r := range rows {
		body = append(body, r[0])
		if i != 20 && i != 21 { // a heading and a paragraph lose their English
			body = append(body, r[1])
		}
	}
	f := layoutFixture{name: "page", langs: []string{"zh", "en"}, format: "html", zh: page("中国对拉丁美洲和加勒比政策文件", body)}
	d := alignOne(t, fixtureFS(t, f, "interleaved-zh-en"))
	lineOf := func(row int) int {
		return 1 + strings.Count(f.zh[:strings.Index(f.zh, "<p>"+html.EscapeString(rows[row][0]))], "\n")
	}
	for _, want := range []string{
		fmt.Sprintf("parse: line %d (<p>) (", lineOf(20)),
		fmt.Sprintf("align: line %d (<p>) (", lineOf(21)),
	} {
		found := false
		for _, w := range d.Warnings {
			if strings.HasPrefix(w, want) && strings.Contains(w, "no English") {
				found = true
			}
		}
		if !found {
			t.Errorf("warnings %q; want one starting %q about missing English", d.Warnings, want)
		}
	}
	first := lineOf(0)
	for _, c := range d.Clauses {
		if c.SourceLine < first || c.SourceLine > strings.Count(f.zh, "\n") {
			t.Errorf("%s: source_line %d is not a line of the page's body", c.ID, c.SourceLine)
		}
	}
}
