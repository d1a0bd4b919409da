package clean

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
)

var metaCharset = regexp.MustCompile(`(?i)(<meta[^>]+charset\s*=\s*["']?)[\w-]+`)

// blocks are the elements whose text becomes one line of extracted text.
var blocks = map[string]bool{
	"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"li": true, "blockquote": true, "pre": true, "td": true, "th": true, "dd": true, "dt": true,
}

// ExtractHTML finds the main text of a web page with trafilatura (dropping
// navigation, scripts, share buttons, asides and footers) and returns it
// with one line per paragraph, heading or list item, so that the layouts'
// line grammars apply to it.
func ExtractHTML(raw []byte) (string, error) {
	// Fetch has decoded the page to UTF-8 already; a meta tag that still
	// names the original charset must not make the parser decode it again.
	raw = metaCharset.ReplaceAll(raw, []byte("${1}utf-8"))
	res, err := trafilatura.Extract(bytes.NewReader(raw), trafilatura.Options{})
	if err != nil {
		return "", err
	}
	if res == nil || res.ContentNode == nil {
		return "", fmt.Errorf("no main text found in the page")
	}
	var lines []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && blocks[n.Data] {
			if t := strings.Join(strings.Fields(text(n)), " "); t != "" {
				// Headings keep their level as Markdown marks, so that the
				// page's <h1> reads as the document's title; the parser
				// takes rank from numbering, never from the marks.
				if len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6' {
					t = strings.Repeat("#", int(n.Data[1]-'0')) + " " + t
				}
				lines = append(lines, t)
			}
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(res.ContentNode)
	if len(lines) == 0 {
		return "", fmt.Errorf("the page's main text has no paragraphs")
	}
	return strings.Join(lines, "\n") + "\n", nil
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
