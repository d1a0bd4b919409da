// Package corpus generates sources folders of any size for measuring the
// pipeline: N documents recombined deterministically from the real
// documents — each keeps a real document's structure, with the texts of its
// paragraphs (Chinese and English together) or items permuted — written in
// every layout family the parser knows, so that every stage does real work.
// It is not part of the dataset.
package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"io/fs"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"
)

// Generate returns the files of a sources folder (sources.yaml, snapshots/…
// and the curated files of src) holding n documents made from the
// policy paper and the action plan in src, with seed fixing the permutation.
func Generate(src fs.FS, n int, seed uint64) (map[string][]byte, error) {
	paper, err := fs.ReadFile(src, "snapshots/lac-policy-2025.zh-en.txt")
	if err != nil {
		return nil, err
	}
	plan, err := fs.ReadFile(src, "snapshots/celac-jap-2022-2024.zh.md")
	if err != nil {
		return nil, err
	}
	rows := paperRows(string(paper))
	files := map[string][]byte{}
	for _, name := range []string{"glossary.yaml", "mechanisms.yaml", "overrides.yaml"} {
		b, err := fs.ReadFile(src, name)
		if err != nil {
			return nil, err
		}
		files[name] = b
	}
	files["CHANGELOG.md"] = []byte("# Generated corpus\n\n## 0.2.0\n\nGenerated for measurement.\n")
	var m strings.Builder
	m.WriteString("dataset:\n  name: generated\n  title: Generated corpus for measuring policyledger\nsources:\n")
	for i := 0; i < n; i++ {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		id := fmt.Sprintf("gen-%05d", i+1)
		kind := i % 9
		if kind == 8 {
			text := permutePlan(string(plan), rng)
			snap := "snapshots/" + id + ".zh.md"
			files[snap] = []byte(text)
			fmt.Fprintf(&m, planEntry, id, date(i), snap, sum(text))
			continue
		}
		r := permuteRows(rows, rng)
		layout, format, ext := "", "", ".txt"
		var body, bodyEn string
		switch kind {
		case 0:
			layout, body = "bilingual-rows", join(r, func(z, e string) string { return z + " | " + e + " | |\n" })
		case 1:
			layout, body = "bilingual-rows-en-first", join(r, func(z, e string) string { return e + " | " + z + " |\n" })
		case 2:
			layout, body = "interleaved-zh-en", join(r, func(z, e string) string { return z + "\n\n" + e + "\n\n" })
		case 3:
			layout, body = "same-line-en-zh", join(r, func(z, e string) string { return e + " " + z + "\n" })
		case 4:
			layout = "parallel-texts"
			body = join(r, func(z, _ string) string { return z + "\n" })
			bodyEn = join(r, func(_, e string) string { return e + "\n" })
		case 5:
			layout, format, ext = "interleaved-zh-en", "html", ".html"
			var ps []string
			for _, x := range r {
				ps = append(ps, x[0], x[1])
			}
			body = page(ps)
		case 6:
			layout, body = "auto", join(r, func(z, e string) string { return z + "\n" + e + "\n" })
		case 7:
			layout, body = "auto", join(r, func(_, e string) string { return e + "\n" })
		}
		snap := "snapshots/" + id + ext
		files[snap] = []byte(body)
		langs := "zh, en"
		if kind == 7 {
			langs = "en"
		}
		fmt.Fprintf(&m, paperEntry, id, langs, date(i), layout, snap, sum(body))
		if format != "" {
			fmt.Fprintf(&m, "    format: %s\n", format)
		}
		if bodyEn != "" {
			snapEn := "snapshots/" + id + ".en" + ext
			files[snapEn] = []byte(bodyEn)
			fmt.Fprintf(&m, "    snapshot_en: %s\n    sha256_en: %s\n", snapEn, sum(bodyEn))
		}
	}
	files["sources.yaml"] = []byte(m.String())
	return files, nil
}

const paperEntry = `  - id: %s
    issuer: generated
    document_type: policy_paper
    languages: [%s]
    adopted_date: "%s"
    layout: %s
    licence: generated from the policyledger sources for measurement
    snapshot: %s
    sha256: %s
    heading_kinds: [part, program, section]
`

const planEntry = `  - id: %s
    issuer: generated
    document_type: action_plan
    languages: [zh]
    adopted_date: "%s"
    layout: markdown-zh
    licence: generated from the policyledger sources for measurement
    snapshot: %s
    sha256: %s
    heading_kinds: [article, section, subsection]
    clean:
      posted_at:
        - {name: site-post-time, pattern: '^(\d{4}-\d{2}-\d{2} \d{2}:\d{2})$'}
      truncation:
        - {name: preview-ended, pattern: '^预览已结束'}
`

// date is the i-th document's adoption date: two documents a week from
// 2000, so that the linker compares each document with the next ones, as
// it would in a corpus of dated papers and plans, and meets documents of
// the same day.
func date(i int) string {
	return time.Date(2000, 1, 3, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 7*(i/2)).Format(time.DateOnly)
}

// paperRows are the policy paper's content rows (Chinese, English).
func paperRows(text string) [][2]string {
	var rows [][2]string
	for _, line := range strings.Split(text, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 || strings.TrimSpace(cells[0]) == "" || strings.HasPrefix(cells[0], "(来源") {
			continue
		}
		rows = append(rows, [2]string{strings.TrimSpace(cells[0]), strings.TrimSpace(cells[1])})
	}
	return rows
}

var numbered = regexp.MustCompile(`^(前言$|第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])`)

// permuteRows permutes the paragraph rows (not headings, nor the title row
// after a part heading) among themselves, each keeping its translation.
func permuteRows(rows [][2]string, rng *rand.Rand) [][2]string {
	out := append([][2]string{}, rows...)
	var idx []int
	for i, r := range rows {
		title := i > 0 && strings.HasSuffix(rows[i-1][0], "部分")
		if !numbered.MatchString(r[0]) && !title {
			idx = append(idx, i)
		}
	}
	perm := rng.Perm(len(idx))
	for k, i := range idx {
		out[i] = rows[idx[perm[k]]]
	}
	return out
}

var item = regexp.MustCompile(`^([一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）] ?)(.+[。；])$`)

// permutePlan permutes the texts of the action plan's items among its
// items, labels staying in place.
func permutePlan(text string, rng *rand.Rand) string {
	lines := strings.Split(text, "\n")
	var idx []int
	var bodies []string
	for i, l := range lines {
		if m := item.FindStringSubmatch(l); m != nil {
			idx = append(idx, i)
			bodies = append(bodies, m[2])
		}
	}
	perm := rng.Perm(len(idx))
	for k, i := range idx {
		m := item.FindStringSubmatch(lines[i])
		lines[i] = m[1] + bodies[perm[k]]
	}
	return strings.Join(lines, "\n")
}

func join(rows [][2]string, f func(zh, en string) string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(f(r[0], r[1]))
	}
	return b.String()
}

func page(paragraphs []string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Generated</title></head><body>\n<main><article>\n")
	for _, p := range paragraphs {
		b.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
	}
	b.WriteString("</article></main>\n</body></html>\n")
	return b.String()
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
