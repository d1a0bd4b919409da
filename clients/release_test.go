package clients

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/policyledger/policyledger/pipeline"
	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/sources"
	"github.com/policyledger/policyledger/stages/align"
	"github.com/policyledger/policyledger/stages/release"
)

// releaseDir is a release built once for all tests, from the embedded
// sources, into a temporary folder.
var (
	releaseDir string
	state      *schemas.State
)

func TestMain(m *testing.M) {
	tmp, err := os.MkdirTemp("", "policyledger-clients-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	state, err = pipeline.Run(context.Background(), pipeline.Options{
		Sources: sources.FS(), ManifestPath: sources.Manifest,
		Align:    align.Options{ReviewThreshold: 0.8},
		Release:  release.Options{Output: tmp, Version: "0.1.0", ReviewThreshold: 0.8},
		KeepDocs: true, // the tests compare the files with the documents
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "build release:", err)
		os.Exit(1)
	}
	releaseDir = release.Dir(tmp, "0.1.0")
	code := m.Run()
	os.RemoveAll(tmp)
	os.Exit(code)
}

// rowCounts are the table sizes the pipeline itself reports.
func rowCounts() map[string]int {
	out := map[string]int{}
	for _, t := range schemas.Tables() {
		out[t.Name] = len(t.Rows(state.Data()))
	}
	return out
}

// readmeBlocks returns the fenced code blocks of a language in the project
// README and in the release's data card, so that their examples are the
// ones tested.
func readmeBlocks(t *testing.T, lang string) []string {
	t.Helper()
	var out []string
	for _, path := range []string{filepath.Join("..", "README.md"), filepath.Join(releaseDir, "README.md")} {
		out = append(out, blocks(t, path, lang)...)
	}
	return out
}

func blocks(t *testing.T, path, lang string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)```" + lang + "\n(.*?)```")
	var out []string
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		t.Fatalf("%s has no %s example", path, lang)
	}
	return out
}

// knownClause is read off the policy paper: Part III, program 2, section 3,
// second paragraph.
const (
	knownClauseID = "lac-policy-2025/part3/prog2/sec3/para2"
	knownPrefix   = "中方愿同拉美和加勒比国家一道"
)

func requireFixtures() bool { return os.Getenv("POLICYLEDGER_REQUIRE_FIXTURES") != "" }
