package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing/fstest"

	"github.com/spf13/cobra"

	"github.com/policyledger/policyledger/charset"
	"github.com/policyledger/policyledger/pipeline"
	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/align"
	"github.com/policyledger/policyledger/stages/fetch"
	"github.com/policyledger/policyledger/stages/parse"
)

// addOptions are the flags of policyledger add.
type addOptions struct {
	sources, id, lang, layout, format, encoding string
	url, titleZh, titleEn                       string
	issuer, docType, licence                    string
	headingKinds                                []string
}

func newAddCmd() *cobra.Command {
	var o addOptions
	cmd := &cobra.Command{
		Use:   "add --id ID [flags] FILE [FILE_EN]",
		Short: "Add a document: copy its file(s) under snapshots/, pin them and append a manifest entry",
		Long: `Add a captured document to a sources folder. FILE is copied under the manifest's
snapshots/ folder (FILE_EN too, for a document whose English is a separate text),
its sha256 is pinned, and an entry is appended to sources.yaml, leaving the rest of
the file as it is. Format, encoding, languages and layout are detected unless given;
metadata you do not give is recorded as null (issuer, type and licence then show as
quality warnings until you fill them in).

The document is parsed before anything is written: add prints what it found (layout
and why, encoding, clauses by kind, English coverage, warnings) and exits 0; if the
document does not parse, it prints why, exits 1, and changes nothing.`,
		Args: rangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAdd(cmd.Context(), cmd.OutOrStdout(), o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.sources, "sources", "sources/sources.yaml", "the sources.yaml to add to")
	f.StringVar(&o.id, "id", "", "id of the new source: lowercase letters, digits and '-' (required)")
	f.StringVar(&o.lang, "lang", "auto", "languages of the text: zh,en | zh | en | auto")
	f.StringVar(&o.layout, "layout", "auto", "layout name (see layouts in the README) or auto")
	f.StringVar(&o.format, "format", "auto", "text, html or auto")
	f.StringVar(&o.encoding, "encoding", "auto", "utf-8, gb18030, gbk, big5, utf-16le, utf-16be or auto")
	f.StringVar(&o.url, "url", "", "where the document is published (for refreshes)")
	f.StringVar(&o.titleZh, "title-zh", "", "Chinese title as published")
	f.StringVar(&o.titleEn, "title-en", "", "English title as published")
	f.StringVar(&o.issuer, "issuer", "", "who issued or adopted the document")
	f.StringVar(&o.docType, "document-type", "", "kind of document, e.g. policy_paper, action_plan, declaration")
	f.StringVar(&o.licence, "licence", "", "rights note on the source text")
	f.StringSliceVar(&o.headingKinds, "heading-kinds", nil, "names of the heading ranks, outermost first (default: from the numbering)")
	_ = cmd.MarkFlagRequired("id")
	return cmd
}

// runAdd checks everything in memory first and writes only when the
// document parses.
func runAdd(ctx context.Context, w io.Writer, o addOptions, args []string) error {
	manifestPath := o.sources
	data, err := os.ReadFile(manifestPath)
	if err != nil {
		return usageError{fmt.Errorf("add: read %s: %w: pass --sources with the path of a sources.yaml", manifestPath, err)}
	}
	m, err := fetch.ParseManifest(manifestPath, data)
	if err != nil {
		return usageError{fmt.Errorf("add: %w", err)}
	}
	for _, s := range m.Sources {
		if s.ID == o.id {
			return usageError{fmt.Errorf("add: %s already has a source with id %q: choose another --id", manifestPath, o.id)}
		}
	}
	dir := filepath.Dir(manifestPath)
	src := schemas.Source{ID: o.id, Layout: o.layout, Issuer: o.issuer, DocumentType: o.docType, Licence: o.licence, HeadingKinds: o.headingKinds}
	for _, v := range []struct {
		dst *(*string)
		val string
	}{{&src.TitleZh, o.titleZh}, {&src.TitleEn, o.titleEn}, {&src.URL, o.url}} {
		if v.val != "" {
			val := v.val
			*v.dst = &val
		}
	}
	files := map[string][]byte{}
	raw, err := os.ReadFile(args[0])
	if err != nil {
		return usageError{fmt.Errorf("add: %w", err)}
	}
	if src.Format, err = detectFormat(o.format, args[0], raw); err != nil {
		return usageError{err}
	}
	if src.Encoding, err = detectEncoding(o.encoding, args[0], raw); err != nil {
		return err
	}
	ext := filepath.Ext(args[0])
	src.Snapshot = "snapshots/" + o.id + ext
	src.SHA256 = sha(raw)
	files[src.Snapshot] = raw
	if len(args) == 2 {
		rawEn, err := os.ReadFile(args[1])
		if err != nil {
			return usageError{fmt.Errorf("add: %w", err)}
		}
		if enc, err := detectEncoding(o.encoding, args[1], rawEn); err != nil {
			return err
		} else if enc != src.Encoding {
			return fmt.Errorf("add: %s is %s but %s is %s: one encoding per source; convert one of them or pass --encoding", args[0], orUTF8(src.Encoding), args[1], orUTF8(enc))
		}
		src.SnapshotEn = "snapshots/" + o.id + ".en" + filepath.Ext(args[1])
		src.SHA256En = sha(rawEn)
		files[src.SnapshotEn] = rawEn
	}
	for name, b := range files {
		if old, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name))); err == nil && !bytes.Equal(old, b) {
			return fmt.Errorf("add: %s exists with other bytes: choose another --id, or remove the old snapshot", filepath.Join(dir, name))
		}
	}

	// Detect languages and layout from the cleaned text, then the heading
	// kinds from the parse, then run the whole check.
	src.Languages = []string{"zh", "en"}
	if o.lang != "auto" {
		src.Languages = strings.Split(o.lang, ",")
	}
	if len(src.HeadingKinds) == 0 {
		src.HeadingKinds = []string{"part", "section", "subsection"}
	}
	reason := ""
	if o.layout == "auto" || o.lang == "auto" {
		st, err := addRun(ctx, dir, data, src, files, "clean")
		if err != nil {
			return fmt.Errorf("add: %s does not clean: %w; nothing was written", args[0], err)
		}
		name, why := parse.Detect(st.Docs[0])
		if o.layout == "auto" {
			src.Layout, reason = name, why
		}
		if o.lang == "auto" {
			src.Languages = layoutLanguages(src.Layout, len(args) == 2)
		}
	}
	if len(o.headingKinds) == 0 {
		if st, err := addRun(ctx, dir, data, src, files, "parse"); err == nil {
			src.HeadingKinds = headingKinds(st.Docs[0])
		}
	}
	st, err := addRun(ctx, dir, data, src, files, "classify")
	if err != nil {
		return fmt.Errorf("add: %s does not parse as %s: %w; nothing was written", args[0], src.Layout, err)
	}

	// Write: snapshots first, then the manifest; undo the snapshots if the
	// manifest cannot be written.
	entry := renderEntry(src)
	out, err := fetch.AppendSource(data, entry)
	if err != nil {
		return fmt.Errorf("add: %s: %w: add the entry by hand", manifestPath, err)
	}
	var written []string
	for _, name := range sortedKeys(files) {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if _, err := os.Stat(path); err == nil {
			continue // identical bytes, checked above
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("add: %w", err)
		}
		if err := fetch.WriteFileAtomic(path, files[name]); err != nil {
			undo(written)
			return fmt.Errorf("add: write %s: %w; nothing was added", path, err)
		}
		written = append(written, path)
	}
	if err := fetch.WriteFileAtomic(manifestPath, out); err != nil {
		undo(written)
		return fmt.Errorf("add: write %s: %w; nothing was added", manifestPath, err)
	}
	describeAdded(w, manifestPath, src, reason, st.Docs[0], files)
	return nil
}

func undo(paths []string) {
	for _, p := range paths {
		os.Remove(p)
	}
}

// addRun runs the pipeline over the sources folder with only the new
// source in the manifest and its files in memory.
func addRun(ctx context.Context, dir string, manifest []byte, src schemas.Source, files map[string][]byte, until string) (*schemas.State, error) {
	head, _, _ := strings.Cut(string(manifest), "\nsources:")
	check := head + "\nsources:\n" + renderEntry(src)
	over := fstest.MapFS{"sources.yaml": {Data: []byte(check)}}
	for name, b := range files {
		over[name] = &fstest.MapFile{Data: b}
	}
	fsys := overlay{base: sources.DirFS(dir), over: over}
	st, err := pipeline.Run(ctx, pipeline.Options{Sources: fsys, ManifestPath: "sources.yaml", Until: until, NoWorkFiles: true,
		Align: align.Options{ReviewThreshold: defaultOf("review_threshold").(float64)}})
	if err != nil {
		return st, err
	}
	if len(st.Docs) != 1 {
		return st, errors.New("the source did not come through")
	}
	return st, nil
}

// overlay reads files from over first, then from base.
type overlay struct {
	base fs.FS
	over fstest.MapFS
}

func (o overlay) Open(name string) (fs.File, error) {
	if _, ok := o.over[name]; ok {
		return o.over.Open(name)
	}
	return o.base.Open(name)
}

func detectFormat(flag, path string, raw []byte) (string, error) {
	switch flag {
	case "text", "html":
		return flag, nil
	case "auto":
	default:
		return "", fmt.Errorf("add: --format %q: use text, html or auto", flag)
	}
	ext := strings.ToLower(filepath.Ext(path))
	head := strings.ToLower(string(raw[:min(len(raw), 1024)]))
	if ext == ".html" || ext == ".htm" || strings.Contains(head, "<!doctype html") || strings.Contains(head, "<html") {
		return "html", nil
	}
	return "text", nil
}

// detectEncoding returns the manifest's encoding value: "" for UTF-8.
func detectEncoding(flag, path string, raw []byte) (string, error) {
	if flag != "auto" {
		if !charset.Known(flag) {
			return "", usageError{fmt.Errorf("add: --encoding %q: use auto or one of %s", flag, strings.Join(charset.Names, ", "))}
		}
		if _, _, err := charset.DecodeAs(raw, flag); err != nil {
			return "", fmt.Errorf("add: %s is not %s: %v", path, flag, err)
		}
		if flag == "utf-8" {
			return "", nil
		}
		return flag, nil
	}
	_, name, err := charset.Decode(raw, "")
	if err != nil {
		return "", fmt.Errorf("add: %s: %v; pass --encoding if you know it", path, err)
	}
	switch name {
	case "utf-8":
		return "", nil
	case "utf-16":
		if bytes.HasPrefix(raw, []byte{0xFF, 0xFE}) {
			return "utf-16le", nil
		}
		return "utf-16be", nil
	}
	return name, nil
}

func orUTF8(enc string) string {
	if enc == "" {
		return "utf-8"
	}
	return enc
}

// layoutLanguages are the languages a layout implies.
func layoutLanguages(layout string, separateEnglish bool) []string {
	switch {
	case separateEnglish:
		return []string{"zh", "en"}
	case layout == "monolingual-en":
		return []string{"en"}
	case layout == "monolingual-zh" || layout == "markdown-zh":
		return []string{"zh"}
	}
	return []string{"zh", "en"}
}

// headingKinds names the heading ranks from the document's own top-level
// labels: articles (第一条, Article 1), chapters or parts.
func headingKinds(d schemas.Document) []string {
	for _, c := range d.Clauses {
		if c.Level != 1 || c.Number == 0 {
			continue
		}
		l := c.Label + " " + c.LabelEn
		switch {
		case strings.Contains(l, "条") || strings.Contains(l, "條") || strings.Contains(l, "Article") || strings.Contains(l, "ARTICLE"):
			return []string{"article", "section", "subsection"}
		case strings.Contains(l, "章") || strings.Contains(l, "Chapter") || strings.Contains(l, "CHAPTER"):
			return []string{"chapter", "section", "subsection"}
		}
		return []string{"part", "section", "subsection"}
	}
	return []string{"part", "section", "subsection"}
}

// renderEntry writes a source as a block-style manifest entry, unknown
// metadata as null.
func renderEntry(s schemas.Source) string {
	var b strings.Builder
	kv := func(k, v string) { fmt.Fprintf(&b, "    %s: %s\n", k, v) }
	str := func(v string) string {
		if v == "" {
			return "null"
		}
		return yamlString(v)
	}
	ptr := func(v *string) string {
		if v == nil {
			return "null"
		}
		return yamlString(*v)
	}
	fmt.Fprintf(&b, "  - id: %s\n", s.ID)
	kv("title_zh", ptr(s.TitleZh))
	kv("title_en", ptr(s.TitleEn))
	kv("issuer", str(s.Issuer))
	kv("document_type", str(s.DocumentType))
	kv("languages", "["+strings.Join(s.Languages, ", ")+"]")
	kv("layout", s.Layout)
	if s.Format == "html" {
		kv("format", "html")
	}
	if s.Encoding != "" {
		kv("encoding", s.Encoding)
	}
	kv("published_date", "null")
	kv("adopted_date", "null")
	kv("attribution", "null")
	kv("url", ptr(s.URL))
	kv("captured_via", "null")
	kv("licence", str(s.Licence))
	kv("snapshot", s.Snapshot)
	kv("sha256", s.SHA256)
	if s.SnapshotEn != "" {
		kv("snapshot_en", s.SnapshotEn)
		kv("sha256_en", s.SHA256En)
	}
	kv("heading_kinds", "["+strings.Join(s.HeadingKinds, ", ")+"]")
	return b.String()
}

// yamlString quotes a string for YAML (JSON strings are YAML).
func yamlString(s string) string { return fmt.Sprintf("%q", s) }

func describeAdded(w io.Writer, manifest string, s schemas.Source, reason string, d schemas.Document, files map[string][]byte) {
	fmt.Fprintf(w, "added %s to %s\n", s.ID, manifest)
	for _, name := range sortedKeys(files) {
		fmt.Fprintf(w, "  snapshot     %s (%d bytes, sha256 %s)\n", name, len(files[name]), sha(files[name])[:12])
	}
	fmt.Fprintf(w, "  format       %s\n", orText(s.Format))
	fmt.Fprintf(w, "  encoding     %s\n", orUTF8(s.Encoding))
	if d.Script != "" {
		fmt.Fprintf(w, "  script       %s\n", d.Script)
	}
	fmt.Fprintf(w, "  languages    %s\n", strings.Join(s.Languages, ", "))
	if reason != "" {
		fmt.Fprintf(w, "  layout       %s (detected: %s)\n", s.Layout, reason)
	} else {
		fmt.Fprintf(w, "  layout       %s\n", s.Layout)
	}
	kinds := map[string]int{}
	text, both := 0, 0
	for _, c := range d.Clauses {
		kinds[c.Kind]++
		if c.IsText() {
			text++
			if c.TextZh != "" && c.TextEn != "" {
				both++
			}
		}
	}
	var parts []string
	for _, k := range sortedKeys(kinds) {
		parts = append(parts, fmt.Sprintf("%s %d", k, kinds[k]))
	}
	fmt.Fprintf(w, "  clauses      %d (%s)\n", len(d.Clauses), strings.Join(parts, ", "))
	if len(s.Languages) == 2 {
		fmt.Fprintf(w, "  English      %d of %d text clauses have both languages\n", both, text)
	}
	review, commitments := 0, 0
	for _, x := range d.Sentences {
		if x.NeedsReview {
			review++
		}
	}
	for _, c := range d.Commitments {
		if c.IsCommitment {
			commitments++
		}
	}
	fmt.Fprintf(w, "  sentences    %d (%d need review)\n", len(d.Sentences), review)
	fmt.Fprintf(w, "  commitments  %d\n", commitments)
	fmt.Fprintf(w, "  warnings     %d\n", len(d.Warnings))
	for _, x := range d.Warnings {
		fmt.Fprintf(w, "    %s\n", x)
	}
	fmt.Fprintf(w, "next: fill in what is null in the entry, and run policyledger run --sources %s (the release chooses the version)\n", manifest)
}

func orText(f string) string {
	if f == "" {
		return "text"
	}
	return f
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
