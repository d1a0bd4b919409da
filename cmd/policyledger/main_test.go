package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/policyledger/policyledger/stages/parse"
	"github.com/policyledger/policyledger/stages/release"
)

var update = flag.Bool("update", false, "rewrite the README's generated schema reference")

func flags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	addFlags(fs, false)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

// chdir moves into a fresh folder so that no policyledger.yaml is found by
// accident, and back afterwards.
func chdir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	return dir
}

func TestConfigPrecedence(t *testing.T) {
	dir := chdir(t)
	if err := os.WriteFile(filepath.Join(dir, "policyledger.yaml"), []byte("version: 0.3.0\noutput: from-file\ncsv_bom: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("POLICYLEDGER_OUTPUT", "from-env")
	t.Setenv("POLICYLEDGER_LOG_LEVEL", "debug") // env only: must still be seen
	t.Setenv("POLICYLEDGER_REVIEW_THRESHOLD", "0.65")
	t.Setenv("POLICYLEDGER_REPORT_ROWS", "7") // an env-only whole number

	c, _, err := loadConfig(flags(t, "--output", "from-flag"))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Version: "0.3.0", Output: "from-flag", CSVBOM: true, LogLevel: "debug", ReviewThreshold: 0.65,
		ReportRows: 7, FetchTimeout: "60s", FetchRetries: 4, FetchMaxBody: 50 << 20}
	if c != want {
		t.Errorf("loadConfig = %+v; want %+v", c, want)
	}
	c, _, _ = loadConfig(flags(t))
	if c.Output != "from-env" {
		t.Errorf("output without flag = %q; want from-env (env beats file)", c.Output)
	}
	os.Remove(filepath.Join(dir, "policyledger.yaml"))
	os.Unsetenv("POLICYLEDGER_OUTPUT")
	os.Unsetenv("POLICYLEDGER_REVIEW_THRESHOLD")
	os.Unsetenv("POLICYLEDGER_REPORT_ROWS")
	c, _, _ = loadConfig(flags(t))
	if c.Version != "auto" || c.Output != "output" || c.CSVBOM || c.ReviewThreshold != 0.8 || c.ReportRows != 50 {
		t.Errorf("defaults = %+v", c)
	}
}

func TestConfigRejectsUnknownKeys(t *testing.T) {
	dir := chdir(t)
	os.WriteFile(filepath.Join(dir, "policyledger.yaml"), []byte("version: 0.1.0\nverison: 0.2.0\n"), 0o644)
	_, _, err := loadConfig(flags(t))
	if err == nil || !strings.Contains(err.Error(), "verison") || !strings.Contains(err.Error(), "known keys are") {
		t.Errorf("loadConfig with a misspelt key = %v; want it named", err)
	}
	if _, _, err := loadConfig(flags(t, "--config", "missing.yaml")); err == nil {
		t.Error("an explicit --config that does not exist was accepted")
	}
}

// TestConfigVersionNumber: version: 1.0 in the file is the number 1 to
// YAML (it was reported as version "1"); the error says to quote it, with
// the line. A quoted version is read as written.
func TestConfigVersionNumber(t *testing.T) {
	dir := chdir(t)
	for _, v := range []string{"1.0", "2"} {
		os.WriteFile(filepath.Join(dir, "policyledger.yaml"), []byte("output: out\nversion: "+v+"\n"), 0o644)
		_, _, err := loadConfig(flags(t))
		if err == nil || !strings.Contains(err.Error(), "policyledger.yaml line 2: version is a number to YAML") || !strings.Contains(err.Error(), "quoted") {
			t.Errorf("version: %s: %v; want told to quote it, at line 2", v, err)
		}
	}
	os.WriteFile(filepath.Join(dir, "policyledger.yaml"), []byte("version: \"0.3.0\"\n"), 0o644)
	if c, _, err := loadConfig(flags(t)); err != nil || c.Version != "0.3.0" {
		t.Errorf("quoted version: %q, %v", c.Version, err)
	}
}

func TestExitCodes(t *testing.T) {
	chdir(t)
	ctx := context.Background()
	for _, args := range [][]string{{"bogus"}, {"stages", "extra"}, {"add"}, {"version", "x"}, {"fetch", "--until", "parse"}, {"fetch", "--version", "0.3.0"}, {"gen-corpus", "--docs", "0", "--out", "x"}, {"gen-corpus", "--docs", "3"}} {
		if got := run(ctx, args, io.Discard, io.Discard); got != exitUsage {
			t.Errorf("%v = %d; want %d", args, got, exitUsage)
		}
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		var out bytes.Buffer
		if got := run(ctx, args, &out, io.Discard); got != exitOK || !strings.HasPrefix(out.String(), "policyledger ") || !strings.Contains(out.String(), runtime.Version()) {
			t.Errorf("%v = %d, %q; want the program version and the Go version", args, got, out.String())
		}
	}
	if got := run(ctx, []string{"run", "--bogus"}, io.Discard, io.Discard); got != exitUsage {
		t.Errorf("run --bogus = %d; want %d", got, exitUsage)
	}
	if got := run(ctx, []string{"run", "--review-threshold", "1.5"}, io.Discard, io.Discard); got != exitUsage {
		t.Errorf("run --review-threshold 1.5 = %d; want %d", got, exitUsage)
	}
	if got := run(ctx, []string{"run", "--accept-changes"}, io.Discard, io.Discard); got != exitUsage {
		t.Errorf("run --accept-changes without --refresh = %d; want %d", got, exitUsage)
	}
	if got := run(ctx, []string{"run", "--fetch-timeout", "soon"}, io.Discard, io.Discard); got != exitUsage {
		t.Errorf("run --fetch-timeout soon = %d; want %d", got, exitUsage)
	}
	if got := run(ctx, []string{"fetch", "--refresh"}, io.Discard, io.Discard); got != exitStopped {
		t.Errorf("fetch --refresh on the embedded sources = %d; want %d", got, exitStopped)
	}
	if got := run(ctx, []string{"run", "--until", "nope"}, io.Discard, io.Discard); got != exitUsage {
		t.Errorf("run --until nope = %d; want %d", got, exitUsage)
	}
	if got := run(ctx, []string{"run", "--version", "bad"}, io.Discard, io.Discard); got != exitUsage {
		t.Errorf("run --version bad = %d; want %d", got, exitUsage)
	}
	if got := run(ctx, []string{"run", "--sources", "nowhere/sources.yaml"}, io.Discard, io.Discard); got != exitUsage {
		t.Errorf("run --sources nowhere = %d; want %d", got, exitUsage)
	}
	if got := run(ctx, []string{"run"}, io.Discard, io.Discard); got != exitOK {
		t.Errorf("run = %d; want %d", got, exitOK)
	}
	if _, err := os.Stat(filepath.Join("output", "releases", "0.1.0", "clauses.parquet")); err != nil {
		t.Errorf("run wrote no release: %v", err)
	}
}

// TestSourcesOnDisk: a manifest on disk with a broken snapshot fails that
// document with exit code 1 and writes no release.
func TestSourcesOnDisk(t *testing.T) {
	dir := chdir(t)
	os.MkdirAll(filepath.Join(dir, "src", "snapshots"), 0o755)
	manifest := `dataset: {name: t, title: T}
sources:
  - {id: a, issuer: i, document_type: d, languages: [zh], layout: markdown-zh, licence: l, heading_kinds: [article],
     snapshot: snapshots/a.md, sha256: 0000000000000000000000000000000000000000000000000000000000000000}
`
	os.WriteFile(filepath.Join(dir, "src", "sources.yaml"), []byte(manifest), 0o644)
	os.WriteFile(filepath.Join(dir, "src", "snapshots", "a.md"), []byte("第一条 甲\n\n一、乙。\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "src", "CHANGELOG.md"), []byte("## 0.2.0\n"), 0o644)
	if got := run(context.Background(), []string{"run", "--sources", "src/sources.yaml"}, io.Discard, io.Discard); got != exitFailures {
		t.Errorf("run with a mismatched snapshot = %d; want %d", got, exitFailures)
	}
	if _, err := os.Stat(filepath.Join(dir, "output", "releases")); !os.IsNotExist(err) {
		t.Errorf("a failed run created output/releases (%v)", err)
	}
}

func TestStagesCommand(t *testing.T) {
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs([]string{"stages"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"1. fetch", "2. clean", "3. parse", "4. align", "5. classify", "8. release"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("stages output lacks %q:\n%s", s, out.String())
		}
	}
}

const (
	beginSchema = "<!-- schema reference: generated by `go test ./cmd/policyledger -update`; do not edit -->\n"
	endSchema   = "<!-- end of schema reference -->\n"
)

// TestReadmeSchemaReference keeps the README's schema reference equal to
// what the schemas generate. Run with -update to rewrite it.
func TestReadmeSchemaReference(t *testing.T) {
	checkGenerated(t, beginSchema, endSchema, release.SchemaReference("###"), "schema reference")
}

// TestReadmeLayouts keeps the README's table of layouts equal to
// layouts.yaml.
func TestReadmeLayouts(t *testing.T) {
	checkGenerated(t, "<!-- layouts: generated by `go test ./cmd/policyledger -update`; do not edit -->\n", "<!-- end of layouts -->\n", parse.LayoutTable(), "layout table")
}

// TestReadmeNewestRelease keeps the README's "The newest is X." equal to
// the version output/releases/latest.json names (it once said 0.2.0
// three versions after).
func TestReadmeNewestRelease(t *testing.T) {
	b, err := os.ReadFile(release.LatestPath(filepath.Join("..", "..", "output")))
	if err != nil {
		t.Fatal(err)
	}
	var l release.Latest
	if err := json.Unmarshal(b, &l); err != nil || l.Version == "" {
		t.Fatalf("latest.json: %v", err)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "The newest is " + l.Version + "."; !strings.Contains(strings.Join(strings.Fields(string(readme)), " "), want) {
		t.Errorf("README.md does not say %q", want)
	}
}

// checkGenerated compares the README between two markers with want, and
// rewrites it with -update.
func checkGenerated(t *testing.T, begin, end, want, what string) {
	t.Helper()
	path := filepath.Join("..", "..", "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %s markers %q … %q", what, begin, end)
	}
	beginSchema := begin
	got := readme[i+len(beginSchema) : j]
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(readme[:i+len(beginSchema)]+want+readme[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md %s is out of date: run go test ./cmd/policyledger -update", what)
}

// TestStopsReported: a release that cannot be written is a FAILED line in
// the report on stdout, not only a line on stderr.
func TestStopsReported(t *testing.T) {
	dir := chdir(t)
	os.WriteFile(filepath.Join(dir, "blocker"), nil, 0o644)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"run", "--output", filepath.Join(dir, "blocker"), "--log-level", "error"}, &stdout, &stderr)
	if code != exitStopped || !strings.Contains(stdout.String(), "FAILED   the run stopped at release: release: create") || !strings.Contains(stdout.String(), "choose another --output") {
		t.Errorf("unwritable output: exit %d, report:\n%s", code, stdout.String())
	}
}

// TestConfigErrorsNameSource: a bad value names where it came from — the
// environment variable, or the file and line — and an unknown variable is a
// warning naming the setting it was probably meant to be.
func TestConfigErrorsNameSource(t *testing.T) {
	dir := chdir(t)
	t.Setenv("POLICYLEDGER_REVIEW_THRESHOLD", "abc")
	_, _, err := loadConfig(flags(t))
	if err == nil || !strings.Contains(err.Error(), `environment variable POLICYLEDGER_REVIEW_THRESHOLD="abc": not a number`) || strings.Contains(err.Error(), "policyledger.yaml") {
		t.Errorf("bad variable: %v; want the variable named, not the file", err)
	}
	t.Setenv("POLICYLEDGER_REVIEW_THRESHOLD", "0.5")
	t.Setenv("POLICYLEDGER_REVEIW_THRESHOLD", "0.5")
	c, warnings, err := loadConfig(flags(t))
	if err != nil || c.ReviewThreshold != 0.5 {
		t.Fatalf("loadConfig = %+v, %v", c, err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "POLICYLEDGER_REVEIW_THRESHOLD is not a setting") || !strings.Contains(warnings[0], "did you mean POLICYLEDGER_REVIEW_THRESHOLD?") {
		t.Errorf("warnings = %q; want the misspelt variable named with the right one", warnings)
	}
	os.Unsetenv("POLICYLEDGER_REVIEW_THRESHOLD")
	os.WriteFile(filepath.Join(dir, "policyledger.yaml"), []byte("output: x\nreview_threshold: lots\n"), 0o644)
	if _, _, err := loadConfig(flags(t)); err == nil || !strings.Contains(err.Error(), "config policyledger.yaml line 2 (review_threshold)") {
		t.Errorf("bad file value: %v; want the file, line and key", err)
	}
}

// TestWorkFilesReadable: documents written by --until are readable by
// others, like every other output file.
func TestWorkFilesReadable(t *testing.T) {
	dir := chdir(t)
	if code := run(context.Background(), []string{"run", "--until", "parse", "--log-level", "error"}, io.Discard, io.Discard); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	fi, err := os.Stat(filepath.Join(dir, "output", "work", "parse", "lac-policy-2025.json"))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("work file: %v, mode %v; want 0644", err, fi.Mode().Perm())
	}
}

// TestDocProgressLog: off a terminal, a run of 100 documents or more logs
// a progress line at each tenth, and a smaller one none.
func TestDocProgressLog(t *testing.T) {
	for _, tc := range []struct{ total, lines int }{{250, 10}, {100, 10}, {99, 0}, {1, 0}} {
		var b bytes.Buffer
		p := docProgress(&b, slog.New(slog.NewTextHandler(&b, nil)))
		for i := 1; i <= tc.total; i++ {
			p(i, tc.total)
		}
		if n := strings.Count(b.String(), "msg=progress"); n != tc.lines {
			t.Errorf("%d documents: %d progress lines; want %d:\n%s", tc.total, n, tc.lines, b.String())
		}
		if tc.lines > 0 && !strings.Contains(b.String(), fmt.Sprintf("docs=%d of=%d", tc.total, tc.total)) {
			t.Errorf("%d documents: no line for the last one:\n%s", tc.total, b.String())
		}
	}
}
