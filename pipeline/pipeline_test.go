package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
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

func embedded(t testing.TB, output string) Options {
	t.Helper()
	return Options{
		Sources:      sources.FS(),
		ManifestPath: sources.Manifest,
		Release:      release.Options{Output: output, Version: "0.1.0"},
		KeepDocs:     true,
	}
}

func runOK(t *testing.T, opt Options) *schemas.State {
	t.Helper()
	st, err := Run(context.Background(), opt)
	if err != nil {
		t.Fatalf("Run = %v; want no error", err)
	}
	return st
}

func doc(t *testing.T, st *schemas.State, id string) *schemas.Document {
	t.Helper()
	d, err := st.Doc(id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestStructureCounts checks the structure counted by reading the two
// documents (see issue: Foundation): lac-policy-2025 has a preface with 3
// paragraphs, Parts I–III, 5 programs with 9, 17, 6, 6, 6 sections and 13,
// 27, 9, 8, 8 paragraphs — 75 body paragraphs, 44 sections; the action plan
// has 2 intro paragraphs, 4 articles and 63 items.
func TestStructureCounts(t *testing.T) {
	st := runOK(t, embedded(t, t.TempDir()))

	lac := doc(t, st, "lac-policy-2025")
	kinds := map[string]int{}
	for _, c := range lac.Clauses {
		kinds[c.Kind]++
		if c.Kind == "paragraph" && (c.TextZh == "" || c.TextEn == "") {
			t.Errorf("%s: paragraph without both languages: zh=%q en=%q", c.ID, c.TextZh, c.TextEn)
		}
	}
	if diff := cmp.Diff(map[string]int{"preface": 1, "part": 3, "program": 5, "section": 44, "paragraph": 75}, kinds); diff != "" {
		t.Errorf("lac-policy-2025 clause kinds (-want +got):\n%s", diff)
	}
	sections, paras := childCounts(lac, "program", "section"), paragraphsUnder(lac, "program")
	if diff := cmp.Diff([]int{9, 17, 6, 6, 6}, sections); diff != "" {
		t.Errorf("sections per program (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{13, 27, 9, 8, 8}, paras); diff != "" {
		t.Errorf("paragraphs per program (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{3, 2, 4, 1}, directParagraphs(lac, "preface", "part")); diff != "" {
		t.Errorf("paragraphs directly under preface and parts (-want +got):\n%s", diff)
	}

	plan := doc(t, st, "celac-jap-2022-2024")
	kinds = map[string]int{}
	for _, c := range plan.Clauses {
		kinds[c.Kind]++
		if c.TextEn != "" || c.TitleEn != "" {
			t.Errorf("%s: Chinese-only document has English %q", c.ID, c.TextEn+c.TitleEn)
		}
	}
	if diff := cmp.Diff(map[string]int{"paragraph": 2, "article": 4, "section": 11, "item": 63}, kinds); diff != "" {
		t.Errorf("celac-jap-2022-2024 clause kinds (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{9, 0, 5, 0}, itemsDirectlyUnder(plan, "article")); diff != "" {
		t.Errorf("items directly under articles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{0, 10, 0, 1}, childCounts(plan, "article", "section")); diff != "" {
		t.Errorf("sections per article (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{6, 3, 8, 5, 4, 6, 7, 3, 3, 3, 1}, itemsPerSection(plan)); diff != "" {
		t.Errorf("items per section (-want +got):\n%s", diff)
	}
}

func childCounts(d *schemas.Document, parentKind, childKind string) []int {
	var out []int
	idx := map[string]int{}
	for _, c := range d.Clauses {
		if c.Kind == parentKind {
			idx[c.ID] = len(out)
			out = append(out, 0)
		}
		if i, ok := idx[c.ParentID]; ok && c.Kind == childKind {
			out[i]++
		}
	}
	return out
}

// paragraphsUnder counts paragraphs anywhere below each clause of a kind.
func paragraphsUnder(d *schemas.Document, kind string) []int {
	var out []int
	var ids []string
	for _, c := range d.Clauses {
		if c.Kind == kind {
			ids = append(ids, c.ID+"/")
			out = append(out, 0)
		}
	}
	for _, c := range d.Clauses {
		for i, p := range ids {
			if c.Kind == "paragraph" && strings.HasPrefix(c.ID, p) {
				out[i]++
			}
		}
	}
	return out
}

func directParagraphs(d *schemas.Document, kinds ...string) []int {
	var out []int
	idx := map[string]int{}
	for _, c := range d.Clauses {
		for _, k := range kinds {
			if c.Kind == k {
				idx[c.ID] = len(out)
				out = append(out, 0)
			}
		}
		if i, ok := idx[c.ParentID]; ok && c.Kind == "paragraph" {
			out[i]++
		}
	}
	return out
}

func itemsDirectlyUnder(d *schemas.Document, kind string) []int { return childCounts(d, kind, "item") }

func itemsPerSection(d *schemas.Document) []int { return childCounts(d, "section", "item") }

// TestKnownClauses pins a few clauses, read off the documents by hand.
func TestKnownClauses(t *testing.T) {
	st := runOK(t, embedded(t, t.TempDir()))
	byID := map[string]schemas.Clause{}
	for _, d := range st.Docs {
		for _, c := range d.Clauses {
			byID[c.ID] = c
		}
	}
	tests := []struct {
		id, kind, label, labelEn, title, textPrefix, enPrefix, parent string
		level                                                         int
		path                                                          []string
	}{
		{id: "lac-policy-2025/part1", kind: "part", label: "第一部分", labelEn: "Part I", title: "拉丁美洲和加勒比——充满生机和希望的热土", level: 1, path: []string{}},
		{id: "lac-policy-2025/part3/prog2/sec3", kind: "section", label: "(三)", labelEn: "(3)", title: "贸易和投资合作", level: 3, parent: "lac-policy-2025/part3/prog2",
			path: []string{"第三部分 携手推进共建中拉命运共同体“五大工程”", "二、发展工程"}},
		{id: "lac-policy-2025/part3/prog2/sec3/para2", kind: "paragraph", textPrefix: "中方愿同拉美和加勒比国家一道", level: 4, parent: "lac-policy-2025/part3/prog2/sec3",
			path: []string{"第三部分 携手推进共建中拉命运共同体“五大工程”", "二、发展工程", "(三)贸易和投资合作"}},
		{id: "lac-policy-2025/preface/para1", kind: "paragraph", textPrefix: "当前世界百年未有之大变局加速演进", enPrefix: "At present, changes unseen in a century", level: 2, parent: "lac-policy-2025/preface", path: []string{"前言"}},
		{id: "celac-jap-2022-2024/art1/item2", kind: "item", label: "二、", textPrefix: "我们将探讨在2024年中拉论坛成立十周年之际", level: 2, parent: "celac-jap-2022-2024/art1", path: []string{"第一条 政治与安全合作"}},
		{id: "celac-jap-2022-2024/art2/sec9/item1", kind: "item", label: "(一)", textPrefix: "深化“经认证的经营者”(AEO)互认合作。", level: 3, parent: "celac-jap-2022-2024/art2/sec9",
			path: []string{"第二条 经济务实合作", "九、海关、税务"}},
		{id: "celac-jap-2022-2024/art4/sec1", kind: "section", label: "一、", title: "公共卫生", level: 2, parent: "celac-jap-2022-2024/art4", path: []string{"第四条 社会人文合作"}},
		{id: "celac-jap-2022-2024/para2", kind: "paragraph", textPrefix: "中华人民共和国及拉美和加勒比国家共同体成员国", level: 1, path: []string{}},
	}
	for _, tt := range tests {
		c, ok := byID[tt.id]
		if !ok {
			t.Errorf("no clause %s", tt.id)
			continue
		}
		got := []any{c.Kind, c.Label, c.LabelEn, c.TitleZh, c.ParentID, c.Level, c.HeadingPath}
		want := []any{tt.kind, tt.label, tt.labelEn, tt.title, tt.parent, tt.level, tt.path}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.id, diff)
		}
		if !strings.HasPrefix(c.TextZh, tt.textPrefix) || !strings.HasPrefix(c.TextEn, tt.enPrefix) {
			t.Errorf("%s text = %.40q / %.40q; want prefixes %q / %q", tt.id, c.TextZh, c.TextEn, tt.textPrefix, tt.enPrefix)
		}
	}
}

// TestCleanMetadata checks that boilerplate left the text and became metadata.
func TestCleanMetadata(t *testing.T) {
	st := runOK(t, embedded(t, t.TempDir()))
	forbidden := []string{"Share:", "京公网安备", "预览已结束", "yunbaogao", "来源:新华网", "Source: Xinhua", "2021-12-07 15:19"}
	for _, d := range st.Docs {
		for _, c := range d.Clauses {
			all := c.TextZh + c.TextEn + c.TitleZh + c.TitleEn + c.Label
			for _, f := range forbidden {
				if strings.Contains(all, f) {
					t.Errorf("%s contains %q", c.ID, f)
				}
			}
		}
		for _, s := range d.Sentences {
			for _, f := range forbidden {
				if strings.Contains(s.Zh+s.En, f) {
					t.Errorf("%s contains %q", s.ID, f)
				}
			}
		}
	}
	lac := doc(t, st, "lac-policy-2025")
	if lac.SourceAttribution == nil || *lac.SourceAttribution != "(来源:新华网) / (Source: Xinhua)" {
		t.Errorf("lac source_attribution = %v; want (来源:新华网) / (Source: Xinhua)", lac.SourceAttribution)
	}
	if lac.Truncated {
		t.Error("lac-policy-2025 truncated = true; want false")
	}
	plan := doc(t, st, "celac-jap-2022-2024")
	if plan.PostedAt == nil || *plan.PostedAt != "2021-12-07T15:19:00" {
		t.Errorf("plan posted_at = %v; want 2021-12-07T15:19:00", plan.PostedAt)
	}
	if !plan.Truncated || plan.TruncationNote == nil || *plan.TruncationNote != "预览已结束，完整报告链接和二维码如下：" {
		t.Errorf("plan truncated = %v, note %v; want true and the preview note", plan.Truncated, plan.TruncationNote)
	}
	if plan.TruncationLink == nil || *plan.TruncationLink != "https://www.yunbaogao.cn/report/index/report?reportId=11_781" {
		t.Errorf("plan truncation_link = %v", plan.TruncationLink)
	}
	last := plan.Clauses[len(plan.Clauses)-1]
	if last.ID != "celac-jap-2022-2024/art4/sec1/item1" || last.Complete || !strings.HasSuffix(last.TextZh, "2020年7月22日中拉应对新冠肺炎疫情") {
		t.Errorf("last plan clause = %s complete=%v text=%q; want art4/sec1/item1, incomplete, cut after 疫情", last.ID, last.Complete, last.TextZh)
	}
	for _, c := range plan.Clauses[:len(plan.Clauses)-1] {
		if !c.Complete {
			t.Errorf("%s complete = false; only the last clause is cut off", c.ID)
		}
	}
	if plan.ParsedTitle == nil || *plan.ParsedTitle != "中国—拉共体成员国重点领域合作共同行动计划（2022—2024）" {
		t.Errorf("plan parsed title = %v", plan.ParsedTitle)
	}
	if st.Counts["clean.drop"] != 2 || st.Counts["clean.attribution"] != 1 || st.Counts["clean.posted_at"] != 1 || st.Counts["clean.truncate"] != 2 {
		t.Errorf("clean counts = %v; want drop=2 attribution=1 posted_at=1 truncate=2", st.Counts)
	}
}

// TestOffsets checks that every clause's offsets point at its text in the
// cleaned text, and that ids are unique.
func TestOffsets(t *testing.T) {
	st := runOK(t, embedded(t, t.TempDir()))
	for _, d := range st.Docs {
		text := []rune(d.Text)
		seen := map[string]bool{}
		for _, c := range d.Clauses {
			if seen[c.ID] {
				t.Errorf("duplicate clause id %s", c.ID)
			}
			seen[c.ID] = true
			zh := string(text[c.CharStart:c.CharEnd])
			if !strings.HasPrefix(zh, firstOf(c.Label, c.TitleZh, c.TextZh)) || !strings.HasSuffix(zh, firstOf(c.TextZh, c.TitleZh, c.Label)) {
				t.Errorf("%s: clean_text[%d:%d] = %.30q; want it to start with the label and end with the text", c.ID, c.CharStart, c.CharEnd, zh)
			}
			if c.EnCharStart >= 0 {
				en := string(text[c.EnCharStart:c.EnCharEnd])
				if !strings.HasSuffix(en, firstOf(c.TextEn, c.TitleEn)) {
					t.Errorf("%s: English offsets give %.30q", c.ID, en)
				}
			}
		}
		for _, s := range d.Sentences {
			if !seen[s.ClauseID] {
				t.Errorf("sentence %s has unknown clause", s.ID)
			}
		}
	}
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// TestDeterministic builds the release twice into separate folders and
// compares every byte.
func TestDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	runOK(t, embedded(t, a))
	runOK(t, embedded(t, b))
	fa, fb := readTree(t, release.Dir(a, "0.1.0")), readTree(t, release.Dir(b, "0.1.0"))
	if len(fa) < 13 {
		t.Fatalf("release has %d files; want at least 13", len(fa))
	}
	for name, x := range fa {
		if !bytes.Equal(x, fb[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
	if len(fa) != len(fb) {
		t.Errorf("runs wrote %d and %d files", len(fa), len(fb))
	}
}

// TestRerunAndImmutability: the same bytes again are a no-op; other bytes
// for a published version are refused and the version stays as it was.
func TestRerunAndImmutability(t *testing.T) {
	out := t.TempDir()
	runOK(t, embedded(t, out))
	before := readTree(t, release.Dir(out, "0.1.0"))
	st := runOK(t, embedded(t, out))
	if !strings.Contains(strings.Join(st.Notes, "\n"), "unchanged") {
		t.Errorf("rerun notes = %v; want an unchanged release", st.Notes)
	}
	opt := embedded(t, out)
	opt.Release.CSVBOM = true // different bytes for the same version
	_, err := Run(context.Background(), opt)
	if !errors.Is(err, release.ErrVersionExists) {
		t.Fatalf("Run with changed content = %v; want ErrVersionExists", err)
	}
	if diff := cmp.Diff(before, readTree(t, release.Dir(out, "0.1.0"))); diff != "" {
		t.Errorf("published release changed:\n%s", diff)
	}
	assertNoStaging(t, out)
}

// TestCorruptSnapshot flips one byte of a snapshot: the run fails naming both
// hashes and writes nothing.
func TestCorruptSnapshot(t *testing.T) {
	fsys := embeddedMapFS(t)
	snap := "snapshots/celac-jap-2022-2024.zh.md"
	data := bytes.Clone(fsys[snap].Data)
	data[100] ^= 0x01
	fsys[snap] = &fstest.MapFile{Data: data}
	out := t.TempDir()
	opt := embedded(t, out)
	opt.Sources = fsys
	st, err := Run(context.Background(), opt)
	if err == nil {
		t.Fatal("Run with a corrupted snapshot succeeded; want an error")
	}
	msg := err.Error()
	for _, want := range []string{"celac-jap-2022-2024", snap, "5187bea12f90878042dd997ca39715fc94c3e350266d04f61d90cd494866849d", "sha256"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if len(st.Failures) != 1 || len(st.Docs) != 1 {
		t.Errorf("failures=%d docs=%d; want the other document to go on", len(st.Failures), len(st.Docs))
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("output has %d entries after a failed run; want nothing written", len(entries))
	}
}

func TestUntilWritesIntermediate(t *testing.T) {
	out := t.TempDir()
	opt := embedded(t, out)
	opt.Until = "parse"
	st := runOK(t, opt)
	if len(st.Docs[0].Sentences) != 0 {
		t.Error("align ran after --until parse")
	}
	b, err := os.ReadFile(filepath.Join(out, "work", "parse", "lac-policy-2025.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"id": "lac-policy-2025/part3/prog1/sec1/para1"`)) {
		t.Error("parse output lacks a known clause id")
	}
	if _, err := os.Stat(filepath.Join(out, "releases")); !os.IsNotExist(err) {
		t.Errorf("--until parse wrote a release (stat: %v)", err)
	}
	if _, err := Run(context.Background(), Options{Until: "nope"}); err == nil {
		t.Error("Run with --until nope succeeded")
	}
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func assertNoStaging(t *testing.T, out string) {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(out, "releases"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".staging") {
			t.Errorf("staging folder %s left behind", e.Name())
		}
	}
}

// TestCountsNameNoDocument: the run report's counters are totals; a
// counter per document made its counts line as long as the corpus (the
// per-document figures are in its table) and the run's memory grow with it.
func TestCountsNameNoDocument(t *testing.T) {
	st, err := Run(context.Background(), Options{Sources: sources.FS(), ManifestPath: sources.Manifest, Until: "link", NoWorkFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.Counts["classify.commitments"] == 0 {
		t.Errorf("no classify.commitments total in %v", st.CountNames())
	}
	for _, name := range st.CountNames() {
		for _, d := range st.Docs {
			if strings.Contains(name, d.Source.ID) {
				t.Errorf("counter %s names document %s", name, d.Source.ID)
			}
		}
	}
}

// TestProgress: Progress hears of every document once, in order, the
// failed ones too.
func TestProgress(t *testing.T) {
	fsys := embeddedMapFS(t)
	// A document that fetch passes and parse fails: no headings.
	broken := []byte("没有标题的一段文字。\n")
	fsys["snapshots/broken.md"] = &fstest.MapFile{Data: broken}
	sum := sha256.Sum256(broken)
	fsys[sources.Manifest].Data = append(bytes.Clone(fsys[sources.Manifest].Data), []byte("  - {id: broken, issuer: x, document_type: x, languages: [zh], layout: markdown-zh, licence: x, heading_kinds: [a], snapshot: snapshots/broken.md, sha256: "+hex.EncodeToString(sum[:])+"}\n")...)
	var calls []string
	opt := embedded(t, t.TempDir())
	opt.Sources = fsys
	opt.Progress = func(done, total int) { calls = append(calls, fmt.Sprintf("%d/%d", done, total)) }
	if st, _ := Run(context.Background(), opt); len(st.Failures) != 1 {
		t.Fatalf("failures %v; want the broken document's", st.Failures)
	}
	if got := strings.Join(calls, " "); got != "1/3 2/3 3/3" {
		t.Errorf("progress calls %q; want 1/3 2/3 3/3", got)
	}
}
