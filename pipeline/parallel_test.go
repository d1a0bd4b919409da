package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/release"
)

// TestParallelTexts gives the policy paper as two separate texts (built
// here from the snapshot's rows) under layout parallel-texts, and checks
// that the pipeline recovers the same clauses and sentences as from the
// bilingual rows.
func TestParallelTexts(t *testing.T) {
	raw, err := fs.ReadFile(sources.FS(), "snapshots/lac-policy-2025.zh-en.txt")
	if err != nil {
		t.Fatal(err)
	}
	var zh, en []string
	for _, line := range strings.Split(string(raw), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) >= 3 && strings.TrimSpace(cells[0]) != "" && !strings.Contains(cells[0], "来源") {
			zh = append(zh, strings.TrimSpace(cells[0]))
			en = append(en, strings.TrimSpace(cells[1]))
		}
	}
	zhText, enText := strings.Join(zh, "\n\n")+"\n", strings.Join(en, "\n\n")+"\n"
	manifest := fmt.Sprintf(`dataset: {name: t, title: T}
sources:
  - {id: split, issuer: i, document_type: policy_paper, languages: [zh, en], layout: parallel-texts, licence: l,
     heading_kinds: [part, program, section],
     snapshot: snapshots/zh.md, sha256: %s, snapshot_en: snapshots/en.md, sha256_en: %s}
`, sum(zhText), sum(enText))
	fsys := fstest.MapFS{
		"sources.yaml":    {Data: []byte(manifest)},
		"snapshots/zh.md": {Data: []byte(zhText)},
		"snapshots/en.md": {Data: []byte(enText)},
		"CHANGELOG.md":    {Data: []byte("## 0.1.0\n")},
	}
	for _, name := range []string{"glossary.yaml", "mechanisms.yaml", "overrides.yaml"} {
		b, _ := fs.ReadFile(sources.FS(), name)
		fsys[name] = &fstest.MapFile{Data: b}
	}
	got, err := Run(context.Background(), Options{Sources: fsys, ManifestPath: "sources.yaml", Release: release.Options{Output: t.TempDir(), Version: "0.1.0"}, KeepDocs: true})
	if err != nil {
		t.Fatal(err)
	}
	want := runOK(t, embedded(t, t.TempDir()))
	split, _ := got.Doc("split")
	lac := doc(t, want, "lac-policy-2025")
	if len(split.Warnings) != 0 {
		t.Errorf("warnings: %v", split.Warnings)
	}
	if diff := cmp.Diff(clauseView(lac.Clauses, "lac-policy-2025"), clauseView(split.Clauses, "split")); diff != "" {
		t.Errorf("clauses from separate texts differ from the bilingual rows (-rows +texts):\n%s", diff)
	}
	if diff := cmp.Diff(sentenceView(lac.Sentences, "lac-policy-2025"), sentenceView(split.Sentences, "split")); diff != "" {
		t.Errorf("sentences differ (-rows +texts):\n%s", diff)
	}
	// English offsets point into the English text.
	enRunes := []rune(split.TextEn)
	for _, c := range split.Clauses {
		if c.EnCharStart >= 0 && !strings.HasSuffix(string(enRunes[c.EnCharStart:c.EnCharEnd]), firstOf(c.TextEn, c.TitleEn)) {
			t.Errorf("%s: English offsets give %.30q", c.ID, string(enRunes[c.EnCharStart:c.EnCharEnd]))
		}
	}
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// clauseView keeps what must not depend on the layout.
func clauseView(cs []schemas.Clause, id string) []string {
	var out []string
	for _, c := range cs {
		out = append(out, strings.Join([]string{strings.TrimPrefix(c.ID, id), c.Kind, c.Label, c.LabelEn, c.TitleZh, c.TitleEn, c.TextZh, c.TextEn, c.TextSHA256}, "|"))
	}
	return out
}

func sentenceView(ss []schemas.Sentence, id string) []string {
	var out []string
	for _, s := range ss {
		out = append(out, strings.Join([]string{strings.TrimPrefix(s.ID, id), s.Bead, s.Zh, s.En}, "|"))
	}
	return out
}
