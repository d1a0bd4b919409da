package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeSource writes a sources folder with one markdown-zh source whose
// snapshot holds data, pinned to its own hash, plus the given manifest tail.
func writeSource(t *testing.T, data []byte, extra string) string {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "snapshots"), 0o755)
	os.WriteFile(filepath.Join(dir, "snapshots", "doc.md"), data, 0o644)
	sum := sha256.Sum256(data)
	manifest := fmt.Sprintf(`dataset: {name: t, title: T}
sources:
  - {id: doc, issuer: i, document_type: action_plan, languages: [zh], layout: markdown-zh, licence: l,
     heading_kinds: [article, section], snapshot: snapshots/doc.md, sha256: %s}
%s`, hex.EncodeToString(sum[:]), extra)
	os.WriteFile(filepath.Join(dir, "sources.yaml"), []byte(manifest), 0o644)
	os.WriteFile(filepath.Join(dir, "CHANGELOG.md"), []byte("## 0.2.0\n"), 0o644)
	return filepath.Join(dir, "sources.yaml")
}

const plan = "# 计划\n\n## 第一条 合作\n\n一、加强交流。\n\n二、深化合作。\n"

// TestBadInput feeds each kind of bad input through the command: a one-line
// error naming the file and the position and what to do, a non-zero exit
// code, and nothing written.
func TestBadInput(t *testing.T) {
	utf16 := []byte{0xFF, 0xFE}
	for _, r := range "第一条 合作" {
		utf16 = append(utf16, byte(r), byte(r>>8))
	}
	dup := "  - {id: doc, issuer: i, document_type: d, languages: [zh], layout: markdown-zh, licence: l, heading_kinds: [a], snapshot: snapshots/doc.md, sha256: " + strings.Repeat("0", 64) + "}\n"
	tests := []struct {
		name  string
		data  []byte
		extra string
		code  int
		want  []string
	}{
		{"empty file", nil, "", exitFailures, []string{"snapshots/doc.md", "is empty", "re-capture"}},
		{"binary file", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "", exitFailures, []string{"snapshots/doc.md", "line 1 byte 1", "not valid UTF-8", "set encoding"}},
		{"UTF-16 with BOM", utf16, "", exitFailures, []string{"snapshots/doc.md", "line 1 byte 1", "not valid UTF-8"}},
		{"10 MB single line", bytes.Repeat([]byte("合作"), 10<<20/6), "", exitFailures, []string{"snapshots/doc.md", "line 1 is 10485756 bytes long", "line breaks"}},
		{"no recognisable structure", []byte("只是一段话。\n\n又一段话。\n"), "", exitFailures, []string{"doc", "no headings or numbered items", "layout"}},
		{"numbering jump", []byte("## 第一条 甲\n\n一、子。\n\n三、寅。\n"), "", exitFailures, []string{"doc line 5", "numbering jumps from 一、 to 三、"}},
		{"duplicate source ids", []byte(plan), dup, exitStopped, []string{"sources.yaml", "duplicate id", "sources[0]"}},
		{"manifest with unknown keys", []byte(plan), "colour: blue\n", exitStopped, []string{"sources.yaml", "line 5", "colour", "known keys"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			manifest := writeSource(t, tt.data, tt.extra)
			out := t.TempDir()
			var stderr bytes.Buffer
			code := run(context.Background(), []string{"run", "--sources", manifest, "--output", out, "--log-level", "error"}, &bytes.Buffer{}, &stderr)
			if code != tt.code {
				t.Errorf("exit code %d; want %d\n%s", code, tt.code, stderr.String())
			}
			msg := strings.TrimSpace(stderr.String())
			if strings.Count(msg, "\n") != 0 || !strings.HasPrefix(msg, "policyledger: ") {
				t.Errorf("want one line starting with policyledger:, got %q", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("output has %d entries; want nothing written", len(entries))
			}
		})
	}
}

// TestTolerated: a UTF-8 byte-order mark and CRLF line ends are not errors;
// the text comes out the same as without them.
func TestTolerated(t *testing.T) {
	for name, data := range map[string][]byte{
		"UTF-8 with BOM": append([]byte("\uFEFF"), plan...),
		"CRLF":           []byte(strings.ReplaceAll(plan, "\n", "\r\n")),
	} {
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			var stderr bytes.Buffer
			if code := run(context.Background(), []string{"run", "--sources", writeSource(t, data, ""), "--output", out, "--log-level", "error"}, &bytes.Buffer{}, &stderr); code != exitOK {
				t.Fatalf("exit code %d: %s", code, stderr.String())
			}
			b, err := os.ReadFile(filepath.Join(out, "releases", "0.1.0", "clauses.csv"))
			if err != nil || !bytes.Contains(b, []byte("doc/art1/item2")) || bytes.Contains(b, []byte("\r")) || bytes.Contains(b, []byte("\uFEFF")) {
				t.Errorf("clauses.csv: %v\n%s", err, b)
			}
		})
	}
}

// TestWarningsAndStrict: a source with something a person would want to
// look at (here a paragraph captured twice) is released with its warning in
// the report and in documents.csv, and with --strict it fails, nothing
// written.
func TestWarningsAndStrict(t *testing.T) {
	data := []byte(plan + "\n## 第二条 文化\n\n同一段话。\n\n同一段话。\n")
	manifest := writeSource(t, data, "")
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"run", "--sources", manifest, "--output", out, "--log-level", "error"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit code %d without --strict: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "warning  doc: parse: line 13 (doc/art2/para2): repeats line 11") {
		t.Errorf("report lacks the warning:\n%s", stdout.String())
	}
	docs, err := os.ReadFile(filepath.Join(out, "releases", "0.1.0", "documents.csv"))
	if err != nil || !bytes.Contains(docs, []byte(",review,")) || !bytes.Contains(docs, []byte("repeats line 11")) {
		t.Errorf("documents.csv does not carry quality review and the warning: %v", err)
	}

	out = t.TempDir()
	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"run", "--sources", manifest, "--output", out, "--strict", "--log-level", "error"}, &stdout, &stderr); code != exitFailures {
		t.Fatalf("exit code %d with --strict; want %d", code, exitFailures)
	}
	if !strings.Contains(stdout.String(), "FAILED   doc at quality: quality: doc: 1 warning(s) and --strict is set") {
		t.Errorf("report lacks the FAILED line:\n%s", stdout.String())
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("output has %d entries with --strict; want nothing written", len(entries))
	}
}

// TestSnapshotLinkedFromOutside: --sources does not follow a snapshot that
// is a symbolic link out of the sources folder.
func TestSnapshotLinkedFromOutside(t *testing.T) {
	manifest := writeSource(t, []byte(plan), "")
	snap := filepath.Join(filepath.Dir(manifest), "snapshots", "doc.md")
	outside := filepath.Join(t.TempDir(), "doc.md")
	os.WriteFile(outside, []byte(plan), 0o644)
	os.Remove(snap)
	if err := os.Symlink(outside, snap); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"run", "--sources", manifest, "--output", t.TempDir(), "--log-level", "error"}, &bytes.Buffer{}, &stderr)
	if code != exitFailures || !strings.Contains(stderr.String(), "snapshots/doc.md") || !strings.Contains(stderr.String(), "outside the sources folder") {
		t.Errorf("exit %d: %s; want the linked snapshot refused", code, stderr.String())
	}
}

// TestBadReportRows: a negative report_rows or jobs, from a flag or the
// environment, or one that is no number, is a usage error naming the
// setting, and nothing is written. (A negative jobs was taken as 0.)
func TestBadReportRows(t *testing.T) {
	manifest := writeSource(t, []byte(plan), "")
	for _, tc := range []struct {
		name string
		args []string
		env  string
		want string
	}{
		{"negative flag", []string{"--report-rows", "-1"}, "", "report_rows -1: use 0 (print every line) or a positive number"},
		{"negative env", nil, "POLICYLEDGER_REPORT_ROWS=-5", "report_rows -5"},
		{"not a number", nil, "POLICYLEDGER_REPORT_ROWS=many", "POLICYLEDGER_REPORT_ROWS=\"many\": not a whole number"},
		{"negative jobs flag", []string{"--jobs", "-3"}, "", "jobs -3: use 0 (one per core) or a positive number"},
		{"negative jobs env", nil, "POLICYLEDGER_JOBS=-1", "jobs -1: use 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if key, value, ok := strings.Cut(tc.env, "="); ok {
				t.Setenv(key, value)
			}
			out := t.TempDir()
			var stderr bytes.Buffer
			code := run(context.Background(), append([]string{"run", "--sources", manifest, "--output", out}, tc.args...), &bytes.Buffer{}, &stderr)
			if code != exitUsage || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr.String(), exitUsage, tc.want)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("output has %d entries; want nothing written", len(entries))
			}
		})
	}
}

// TestReportDamaged: report renders a release folder's page; a folder with
// a table cut short is refused, naming the folder, the file and the
// remedy, before any table is read, and the page already there stays.
func TestReportDamaged(t *testing.T) {
	manifest := writeSource(t, []byte(plan), "")
	out := t.TempDir()
	if code := run(context.Background(), []string{"run", "--sources", manifest, "--output", out, "--version", "0.2.0", "--log-level", "error"}, &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
		t.Fatalf("run: exit %d", code)
	}
	dir := filepath.Join(out, "releases", "0.2.0")
	pages := t.TempDir()
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"report", "--release", dir, "--out", pages}, &bytes.Buffer{}, &stderr); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr.String())
	}
	page := filepath.Join(pages, "report", "index.html")
	before, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	clauses := filepath.Join(dir, "clauses.jsonl")
	b, _ := os.ReadFile(clauses)
	os.WriteFile(clauses, b[:len(b)/2], 0o644)
	stderr.Reset()
	code := run(context.Background(), []string{"report", "--release", dir, "--out", pages}, &bytes.Buffer{}, &stderr)
	msg := stderr.String()
	if code == 0 || !strings.Contains(msg, dir+" is damaged: clauses.jsonl is ") || !strings.Contains(msg, "restore that folder") || strings.Count(strings.TrimSpace(msg), "\n") > 0 {
		t.Errorf("report of a damaged folder: exit %d: %q; want one line naming it and clauses.jsonl", code, msg)
	}
	if after, _ := os.ReadFile(page); !bytes.Equal(before, after) {
		t.Error("the refused report rewrote the page")
	}
}
