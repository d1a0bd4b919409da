package fetch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
)

// Edits of sources.yaml change only the bytes they must: a value is
// replaced where it stands, an entry is inserted as text. Comments, folded
// text, blank lines and the order of keys stay as the curator wrote them,
// so the diff a reviewer reads is the change itself.

// scalarToken is a YAML scalar as written on one line: quoted, or plain up
// to a comment, a flow separator or the end of the line.
var scalarToken = regexp.MustCompile(`^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s,}\]#]+(?:[ \t]+[^\s,}\]#]+)*)`)

// SetValues replaces the values of keys in the entry of source id, where
// they are written. Each key must exist with a one-line scalar value.
func SetValues(data []byte, id string, values map[string]string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	entry := findSource(&doc, id)
	if entry == nil {
		return nil, fmt.Errorf("no source %q", id)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	type edit struct {
		line, start, end int
		value            string
	}
	var edits []edit
	for key, value := range values {
		var node *yaml.Node
		for j := 0; j+1 < len(entry.Content); j += 2 {
			if entry.Content[j].Value == key {
				node = entry.Content[j+1]
			}
		}
		if node == nil || node.Kind != yaml.ScalarNode || node.Line < 1 || node.Line > len(lines) || node.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			return nil, fmt.Errorf("source %q has no one-line %s to change", id, key)
		}
		line := lines[node.Line-1]
		start := byteOffset(line, node.Column-1) // yaml.v3 columns count characters, from 1
		m := scalarToken.Find(line[start:])
		if m == nil {
			return nil, fmt.Errorf("source %q: %s is not a one-line value", id, key)
		}
		edits = append(edits, edit{node.Line - 1, start, start + len(m), value})
	}
	// Right to left, so that two values on one line (a flow mapping) keep
	// their offsets.
	sort.Slice(edits, func(i, j int) bool {
		if edits[i].line != edits[j].line {
			return edits[i].line < edits[j].line
		}
		return edits[i].start > edits[j].start
	})
	for _, e := range edits {
		l := lines[e.line]
		lines[e.line] = append(append(append([]byte{}, l[:e.start]...), scalar(e.value)...), l[e.end:]...)
	}
	return bytes.Join(lines, nil), nil
}

// byteOffset converts a column in characters into a byte offset in line.
func byteOffset(line []byte, chars int) int {
	off := 0
	for i := 0; i < chars && off < len(line); i++ {
		_, size := utf8.DecodeRune(line[off:])
		off += size
	}
	return off
}

var plainScalar = regexp.MustCompile(`^[A-Za-z0-9_./][A-Za-z0-9_./+-]*$`)

// scalar renders a string as a YAML scalar: plain for simple tokens
// (hashes, paths, ids) that YAML reads back as the same string, quoted as
// JSON (valid YAML) otherwise.
func scalar(s string) string {
	switch strings.ToLower(s) {
	case "null", "true", "false", "yes", "no", "on", "off", "~":
		return strconv.Quote(s)
	}
	if plainScalar.MatchString(s) {
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return s
		}
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// AppendSource inserts entry (the text of one list item, "  - id: …") at
// the end of the sources list: before the next top-level key if one follows
// the list, else at the end of the file, after one blank line.
func AppendSource(data []byte, entry string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("the manifest is not a mapping")
	}
	root := doc.Content[0]
	next := 0 // line of the top-level key after sources, 0 if none
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "sources" {
			if i+2 < len(root.Content) {
				next = root.Content[i+2].Line
			}
			if root.Content[i+1].Kind != yaml.SequenceNode || root.Content[i+1].Style&yaml.FlowStyle != 0 {
				return nil, fmt.Errorf("sources is not a block list")
			}
		}
	}
	if !strings.HasSuffix(entry, "\n") {
		entry += "\n"
	}
	if next == 0 {
		out := append([]byte{}, data...)
		if len(out) > 0 && !bytes.HasSuffix(out, []byte("\n")) {
			out = append(out, '\n')
		}
		if !bytes.HasSuffix(out, []byte("\n\n")) {
			out = append(out, '\n')
		}
		return append(out, entry...), nil
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	// Insert before the comments and blank lines that lead up to the next
	// key, so they stay with it.
	at := next - 1
	for at > 0 {
		t := bytes.TrimSpace(lines[at-1])
		if len(t) == 0 || t[0] == '#' {
			at--
			continue
		}
		break
	}
	var out []byte
	for _, l := range lines[:at] {
		out = append(out, l...)
	}
	out = append(out, '\n')
	out = append(out, entry...)
	for _, l := range lines[at:] {
		out = append(out, l...)
	}
	return out, nil
}
