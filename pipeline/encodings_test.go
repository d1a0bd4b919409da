package pipeline

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/policyledger/policyledger/hanzi"
	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/sources"
)

// variantRun runs one embedded source with its snapshot replaced by data
// and extra lines added to its manifest entry, up to classify.
func variantRun(t *testing.T, id, snapshot string, data []byte, extra string) (*schemas.State, error) {
	t.Helper()
	fsys := embeddedMapFS(t)
	entry := strings.SplitN(string(manifestWith(t, []string{id}, "")), "\nsources:\n", 2)
	orig, err := fs.ReadFile(sources.FS(), snapshot)
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(entry[1], sum(string(orig)), sum(string(data)), 1)
	body = strings.Replace(body, "    snapshot: "+snapshot, "    snapshot: snapshots/variant\n"+extra, 1)
	fsys["sources.yaml"] = &fstest.MapFile{Data: []byte(entry[0] + "\nsources:\n" + body)}
	fsys["snapshots/variant"] = &fstest.MapFile{Data: data}
	return Run(context.Background(), Options{Sources: fsys, ManifestPath: "sources.yaml", Until: "classify", NoWorkFiles: true})
}

func canonicalDoc(t *testing.T, id string) schemas.Document {
	t.Helper()
	st, err := Run(context.Background(), Options{Sources: sources.FS(), ManifestPath: sources.Manifest, Until: "classify", NoWorkFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.Doc(id)
	if err != nil {
		t.Fatal(err)
	}
	return *d
}

type labelView struct{ Unit, Actor, Modality, Strength, Sector, Mechanisms string }

func labels(d schemas.Document) []labelView {
	var out []labelView
	for _, c := range d.Commitments {
		out = append(out, labelView{c.UnitID, c.Actor, c.Modality, c.Strength, c.Sector, strings.Join(c.MechanismIDs, ",")})
	}
	return out
}

// TestEncodings: a snapshot pinned in the encoding it was captured in —
// GB18030 with CRLF line ends, UTF-16LE, Big5 in traditional characters,
// traditional characters with pinyin annotations — gives the canonical
// clauses, sentences and commitment labels; a wrong or missing declaration
// fails with the remedy.
func TestEncodings(t *testing.T) {
	const planID, planSnap = "celac-jap-2022-2024", "snapshots/celac-jap-2022-2024.zh.md"
	const paperID, paperSnap = "lac-policy-2025", "snapshots/lac-policy-2025.zh-en.txt"
	plan, _ := fs.ReadFile(sources.FS(), planSnap)
	paper, _ := fs.ReadFile(sources.FS(), paperSnap)
	gbCRLF, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(strings.ReplaceAll(string(plan), "\n", "\r\n")))
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().Bytes(paper)
	canonPlan, canonPaper := canonicalDoc(t, planID), canonicalDoc(t, paperID)

	same := func(t *testing.T, want, got schemas.Document) {
		t.Helper()
		if diff := cmp.Diff(views(want, true, true), views(got, true, true)); diff != "" {
			t.Errorf("clauses differ (-canonical +variant):\n%s", diff)
		}
		if diff := cmp.Diff(pairViews(want), pairViews(got)); diff != "" {
			t.Errorf("sentences differ (-canonical +variant):\n%s", diff)
		}
		if diff := cmp.Diff(labels(want), labels(got)); diff != "" {
			t.Errorf("commitment labels differ (-canonical +variant):\n%s", diff)
		}
	}
	for _, tt := range []struct {
		name, id, snap, encoding string
		data                     []byte
		want                     schemas.Document
	}{
		{"GB18030 and CRLF", planID, planSnap, "gb18030", gbCRLF, canonPlan},
		{"GB18030 detected", planID, planSnap, "auto", gbCRLF, canonPlan},
		{"UTF-16LE", paperID, paperSnap, "utf-16le", utf16, canonPaper},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, err := variantRun(t, tt.id, tt.snap, tt.data, "    encoding: "+tt.encoding+"\n")
			if err != nil {
				t.Fatal(err)
			}
			d := st.Docs[0]
			same(t, tt.want, d)
			if d.Encoding == "utf-8" || d.Encoding == "" {
				t.Errorf("encoding recorded as %q", d.Encoding)
			}
		})
	}

	big5, err := os.ReadFile("testdata/encodings/celac-hant.big5.md")
	if err != nil {
		t.Fatal(err)
	}
	hant, err := traditionalchinese.Big5.NewDecoder().Bytes(big5)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Big5, traditional characters", func(t *testing.T) {
		st, err := variantRun(t, planID, planSnap, big5, "    encoding: big5\n")
		if err != nil {
			t.Fatal(err)
		}
		d := st.Docs[0]
		if d.Script != "Hant" {
			t.Errorf("script = %q; want Hant", d.Script)
		}
		// Kept as published: the clause texts are traditional, and their
		// simplified forms are the canonical texts.
		if !strings.Contains(d.Text, "第一條 政治與安全合作") {
			t.Errorf("clean text is not the traditional text as published: %.80q", d.Text)
		}
		simplify := func(vs []layoutView) []layoutView {
			for i := range vs {
				vs[i].LabelZh, vs[i].TitleZh, vs[i].TextZh = hanzi.Simplified(vs[i].LabelZh), hanzi.Simplified(vs[i].TitleZh), hanzi.Simplified(vs[i].TextZh)
			}
			return vs
		}
		// The canonical text has a traditional character of its own (問題),
		// so both sides are compared in simplified form.
		if diff := cmp.Diff(simplify(views(canonPlan, true, false)), simplify(views(d, true, false))); diff != "" {
			t.Errorf("clauses, simplified, differ from the canonical ones (-canonical +traditional):\n%s", diff)
		}
		if diff := cmp.Diff(labels(canonPlan), labels(d)); diff != "" {
			t.Errorf("commitment labels of the traditional text differ (-canonical +traditional):\n%s", diff)
		}
	})
	t.Run("pinyin annotations", func(t *testing.T) {
		ruby := strings.NewReplacer("進", "進(jìn)", "領", "領(lǐng)", "與", "與(yǔ)").Replace(string(hant))
		rule := "    clean:\n      replace:\n        - {name: ruby-pinyin, pattern: '(\\p{Han})\\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\\)', with: '$1'}\n"
		// The plan's entry has clean rules already: add the replace rule to them.
		st, err := variantRunRules(t, planID, planSnap, []byte(ruby), rule)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := variantRun(t, planID, planSnap, big5, "    encoding: big5\n")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(views(plain.Docs[0], true, false), views(st.Docs[0], true, false)); diff != "" {
			t.Errorf("annotated text gives other clauses (-plain +annotated):\n%s", diff)
		}
		n := 0
		for _, r := range st.Docs[0].Removed {
			if r.Action == "replace" {
				n++
			}
		}
		if want := strings.Count(ruby, "(jìn)") + strings.Count(ruby, "(lǐng)") + strings.Count(ruby, "(yǔ)"); n == 0 || n > want {
			t.Errorf("%d fragments recorded as removed; want the %d annotations (fewer after truncation)", n, want)
		}
	})

	// One damaged byte in the GB18030 file: the lead byte of the first
	// Chinese character from line 40 on, found here by reading the text.
	lines := strings.SplitAfter(strings.ReplaceAll(string(plan), "\n", "\r\n"), "\n")
	n, at := 39, -1
	for ; at < 0; n++ {
		at = strings.IndexFunc(lines[n], func(r rune) bool { return r >= 0x4E00 })
	}
	before, _ := simplifiedchinese.GB18030.NewEncoder().String(strings.Join(lines[:n-1], "") + lines[n-1][:at])
	damaged := slices.Clone(gbCRLF)
	damaged[len(before)] = 0xFF
	where := fmt.Sprintf("line %d character %d", n, utf8.RuneCountInString(lines[n-1][:at])+1)
	for _, tt := range []struct {
		name, extra string
		data        []byte
		want        []string
	}{
		{"GB18030 undeclared", "", gbCRLF, []string{"line 3", "not valid UTF-8", "set encoding"}},
		{"GB18030 declared big5", "    encoding: big5\n", gbCRLF, []string{"declared encoding big5", "set encoding"}},
		{"GB18030 damaged, declared", "    encoding: gb18030\n", damaged, []string{"declared encoding gb18030", where, "mend the bytes there"}},
		{"GB18030 damaged, detected", "    encoding: auto\n", damaged, []string{"declared encoding auto", "not GB18030 (" + where + ")", "set encoding"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := variantRun(t, planID, planSnap, tt.data, tt.extra)
			if err == nil || !containsAll(err.Error(), tt.want) {
				t.Errorf("Run = %v; want an error mentioning %q", err, tt.want)
			}
		})
	}
}

// variantRunRules is variantRun for a variant that adds clean rules: the
// source's own clean block is replaced by its rules plus the new ones.
func variantRunRules(t *testing.T, id, snapshot string, data []byte, rules string) (*schemas.State, error) {
	t.Helper()
	fsys := embeddedMapFS(t)
	entry := strings.SplitN(string(manifestWith(t, []string{id}, "")), "\nsources:\n", 2)
	orig, _ := fs.ReadFile(sources.FS(), snapshot)
	body := strings.Replace(entry[1], sum(string(orig)), sum(string(data)), 1)
	body = strings.Replace(body, "    snapshot: "+snapshot, "    snapshot: snapshots/variant", 1)
	body = strings.Replace(body, "    clean:\n", rules, 1)
	fsys["sources.yaml"] = &fstest.MapFile{Data: []byte(entry[0] + "\nsources:\n" + body)}
	fsys["snapshots/variant"] = &fstest.MapFile{Data: data}
	return Run(context.Background(), Options{Sources: fsys, ManifestPath: "sources.yaml", Until: "classify", NoWorkFiles: true})
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
