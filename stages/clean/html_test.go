package clean

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/policyledger/policyledger/schemas"
)

// TestExtractBlocksKeepsUTF8: a page is read as the UTF-8 it is. Parsed
// through readability's own reader, an English page with a few curly
// quotes was taken for windows-1252 by its charset guess, and its text
// came out as "Chinaâ€™s Policy". The page's text is still normalised as
// that reader does: to NFC, without soft hyphens.
func TestExtractBlocksKeepsUTF8(t *testing.T) {
	for _, tc := range []struct {
		name, page string
		want       []string
	}{
		{"English with curly quotes", `<html><head><title>Policy</title></head><body><article><h1>China’s Policy</h1>` +
			`<p>China and “Latin America” will cooperate on trade and investment across the region, as agreed.</p>` +
			`<p>More text here about cooperation and development in many areas of the economy.</p></article></body></html>`,
			[]string{"# China’s Policy", "China and “Latin America” will cooperate on trade and investment across the region, as agreed.",
				"More text here about cooperation and development in many areas of the economy."}},
		{"decomposed accents and soft hyphens", "<html><body><article><p>Cafe\u0301 re\u0301sume\u0301: co\u00adoperation " +
			"and de\u00advelopment in the whole region, in a paragraph long enough to be the page's main text.</p></article></body></html>",
			[]string{"Café résumé: cooperation and development in the whole region, in a paragraph long enough to be the page's main text."}},
		{"soft hyphens only", "<html><body><article><p>Co\u00adoperation and de\u00advelopment across the whole region, " +
			"in a paragraph long enough to be the page's main text.</p></article></body></html>",
			[]string{"Cooperation and development across the whole region, in a paragraph long enough to be the page's main text."}},
		{"a meta tag naming the charset the page had before fetch decoded it", `<html><head><meta charset="gbk"></head><body><article><h1>中国与拉美和加勒比国家关系</h1><p>中方将继续推动中拉全面合作伙伴关系发展，加强各领域交流合作。</p></article></body></html>`,
			[]string{"# 中国与拉美和加勒比国家关系", "中方将继续推动中拉全面合作伙伴关系发展，加强各领域交流合作。"}},
		{"Chinese", `<html><body><article><h1>中国与拉美和加勒比国家关系</h1><p>中方将继续推动中拉全面合作伙伴关系发展，加强各领域交流合作。</p></article></body></html>`,
			[]string{"# 中国与拉美和加勒比国家关系", "中方将继续推动中拉全面合作伙伴关系发展，加强各领域交流合作。"}},
	} {
		blocks, err := ExtractBlocks([]byte(tc.page))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got []string
		for _, b := range blocks {
			got = append(got, b.Text)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: blocks %q; want %q", tc.name, got, tc.want)
		}
	}
}

// TestHTMLNotUTF8: a page declared UTF-8 (or declared nothing) that holds
// other bytes, here GBK, is an error naming the page's line and byte and
// the remedy. Readability's own reader guessed the charset and went on.
func TestHTMLNotUTF8(t *testing.T) {
	page := "<html><body><article>\n<h1>\xd6\xd0\xb9\xfa\xd3\xeb\xc0\xad\xc3\xc0</h1>\n<p>\xd6\xd0\xb7\xbd\xbd\xab\xbc\xcc\xd0\xf8</p>\n</article></body></html>\n"
	d := schemas.Document{Source: schemas.Source{ID: "gbk-page", Snapshot: "snapshots/gbk.html", Format: "html"}, Raw: []byte(page)}
	_, err := Document(d)
	if err == nil {
		t.Fatal("Document of a GBK page declared UTF-8 succeeded; want an error")
	}
	for _, want := range []string{"gbk-page", "snapshots/gbk.html", "line 2 byte 5", "not valid UTF-8", "set encoding"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Document = %v; want it to mention %q", err, want)
		}
	}
}

// TestHTMLHeadingLine: a heading's line is the page's line of it, also
// when readability has demoted the page's <h1> to <h2> (it was given the
// line before, where an <h2> was looked for and not found).
func TestHTMLHeadingLine(t *testing.T) {
	page := "<html><body><article>\n" +
		"<p>China and Latin America will cooperate on trade and investment across the region, as agreed by both.</p>\n" +
		"<p>More text here about cooperation and development in many areas of the economy and society.</p>\n" +
		"<h1>The Title</h1>\n" +
		"</article></body></html>"
	got, err := Document(schemas.Document{Source: schemas.Source{ID: "page", Snapshot: "snapshots/page.html", Format: "html"}, Raw: []byte(page)})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(got.Text, "\n")
	if len(lines) != 3 || !strings.HasSuffix(lines[2], "The Title") || !slices.Equal(got.LineNumbers, []int{2, 3, 4}) {
		t.Errorf("text %q on lines %v; want the title on line 4", got.Text, got.LineNumbers)
	}
}

// FuzzHTMLDocument: whatever a page holds, cleaning it gives text or an
// error of one line, never a panic; the text is valid UTF-8, has one line
// number per line, each a line of the page, in order.
func FuzzHTMLDocument(f *testing.F) {
	for _, s := range []string{
		`<html><body><article><h1>中国与拉美和加勒比国家关系</h1><p>中方将继续推动中拉全面合作伙伴关系发展，加强各领域交流合作。</p></article></body></html>`,
		"<html><body><article>\n<h1>China’s Policy</h1>\n<p>China and “Latin America” will cooperate on trade and investment across the region.</p>\n</article></body></html>",
		"<p>a</p><p>b</p>", "<table><tr><td>一</td><td>one</td></tr></table>", "", "<",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, page string) {
		d := schemas.Document{Source: schemas.Source{ID: "page", Snapshot: "snapshots/page.html", Format: "html"}, Raw: []byte(page)}
		got, err := Document(d)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error of more than one line: %q", err)
			}
			return
		}
		if !utf8.ValidString(got.Text) {
			t.Fatalf("invalid UTF-8 out of %q", page)
		}
		if n := strings.Count(got.Text, "\n") + 1; n != len(got.LineNumbers) {
			t.Fatalf("%d lines but %d line numbers", n, len(got.LineNumbers))
		}
		pageLines := strings.Count(page, "\n") + 1
		for i, no := range got.LineNumbers {
			if no < 1 || no > pageLines || i > 0 && no < got.LineNumbers[i-1] {
				t.Fatalf("line numbers %v out of the page's %d lines, or out of order", got.LineNumbers, pageLines)
			}
		}
	})
}
