package clean

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/policyledger/policyledger/internal/unorm"
)

// blocks are the elements whose text becomes one line of extracted text.
var blocks = map[string]bool{
	"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"li": true, "blockquote": true, "pre": true, "td": true, "th": true, "dd": true, "dt": true,
}

// Block is one line of a page's main text: where it stands in the page
// (the snapshot's line and the element), so that messages point at the page
// a person has, not at the extracted text.
type Block struct {
	Text    string
	Line    int    // 1-based line of the snapshot; 0 when it was not found
	Element string // p, h1, li, td, …
}

// ExtractHTML finds the main text of a web page with readability (Mozilla's
// Readability.js algorithm: navigation, scripts, share buttons, asides and
// footers dropped) and returns it
// with one line per paragraph, heading or list item, so that the layouts'
// line grammars apply to it.
func ExtractHTML(raw []byte) (string, error) {
	blocks, err := ExtractBlocks(raw)
	if err != nil {
		return "", err
	}
	lines := make([]string, len(blocks))
	for i, b := range blocks {
		lines[i] = b.Text
	}
	return strings.Join(lines, "\n") + "\n", nil
}

// ExtractBlocks is ExtractHTML with each line's place in the page.
func ExtractBlocks(raw []byte) ([]Block, error) {
	// (x/net/html reads the page as UTF-8 whatever its meta tag says: fetch
	// has decoded it already)
	doc, err := html.Parse(normalized(raw))
	if err != nil {
		return nil, err
	}
	parser := readability.NewParser()
	article, err := parser.ParseAndMutate(doc, nil)
	if err != nil {
		return nil, err
	}
	if article.Node == nil {
		return nil, fmt.Errorf("no main text found in the page")
	}
	var lines []Block
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && blocks[n.Data] {
			if t := strings.Join(strings.Fields(text(n)), " "); t != "" {
				// Headings keep their level as Markdown marks, so that the
				// page's <h1> reads as the document's title; the parser
				// takes rank from numbering, never from the marks.
				if isHeading(n.Data) {
					t = strings.Repeat("#", int(n.Data[1]-'0')) + " " + t
				}
				lines = append(lines, Block{Text: t, Element: n.Data})
			}
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(article.Node)
	if len(lines) == 0 {
		return nil, fmt.Errorf("the page's main text has no paragraphs")
	}
	// Readability takes the page's <h1> out of the text as the article's
	// title, or keeps it demoted to <h2>; it is the document's title as
	// printed, so it goes back in front as a level-1 heading.
	if h1 := firstH1(raw); h1 != "" {
		switch {
		case strings.TrimLeft(lines[0].Text, "# ") == h1:
			lines[0] = Block{Text: "# " + h1, Element: "h1"}
		case strings.Contains(article.Title(), h1):
			lines = append([]Block{{Text: "# " + h1, Element: "h1"}}, lines...)
		}
	}
	locate(raw, lines)
	return lines, nil
}

// normalized is the page as readability's own parsing reads it (package
// dom: NFD, soft hyphens dropped, NFC), without its guess at the page's
// charset: the page is UTF-8 already, and guessing took longer than the
// extraction (chardet scores the page against every charset it knows). A
// page in NFC without soft hyphens, as nearly every one is, is itself.
func normalized(page []byte) io.Reader {
	if !bytes.Contains(page, []byte("\u00ad")) && unorm.InertNFC(string(page)) {
		return bytes.NewReader(page)
	}
	soft := runes.Predicate(func(r rune) bool { return r == '\u00ad' })
	return transform.NewReader(bytes.NewReader(page), transform.Chain(norm.NFD, runes.Remove(soft), norm.NFC))
}

// locate finds each block in the page, in order: the first characters of
// its text (up to one that markup may have escaped) inside an element of
// its kind, after the previous block.
func locate(page []byte, blocks []Block) {
	at := 0
	for i := range blocks {
		key := []rune(strings.TrimLeft(blocks[i].Text, "# "))
		if j := strings.IndexAny(string(key), "&<>\"'"); j >= 0 {
			key = []rune(string(key)[:j])
		}
		if len(key) > 12 {
			key = key[:12]
		}
		if len(key) < 2 {
			continue
		}
		k := []byte(string(key))
		for from := at; from < len(page); {
			j := bytes.Index(page[from:], k)
			if j < 0 {
				break
			}
			j += from
			if lt := bytes.LastIndexByte(page[:j], '<'); lt >= 0 && sameKind(page[lt+1:], blocks[i].Element) {
				blocks[i].Line = bytes.Count(page[:j], []byte("\n")) + 1
				at = j + len(k)
				break
			}
			from = j + 1
		}
	}
}

// sameKind reports whether the tag that tag opens with is an element of
// kind: a heading of any level for a heading, since readability demotes
// the page's <h1> to <h2>.
func sameKind(tag []byte, kind string) bool {
	if isHeading(kind) {
		return len(tag) >= 2 && isHeading(string(tag[:2]))
	}
	return bytes.HasPrefix(tag, []byte(kind))
}

func isHeading(e string) bool { return len(e) == 2 && e[0] == 'h' && e[1] >= '1' && e[1] <= '6' }

// firstH1 is the text of the page's first <h1>, or "".
func firstH1(raw []byte) string {
	doc, err := html.Parse(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	var found string
	var walk func(n *html.Node) bool
	walk = func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.Data == "h1" {
			found = strings.Join(strings.Fields(text(n)), " ")
			return true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if walk(c) {
				return true
			}
		}
		return false
	}
	walk(doc)
	return found
}

func text(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(text(c))
	}
	return b.String()
}
