package classify

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"

	"github.com/policyledger/policyledger/internal/randtext"
)

// scanPatterns are the lexicon's cue and non-commitment patterns, which
// go through scanners, and shapes of pattern the lexicon does not have
// yet: captures, alternations, assertions after the literal, flags,
// literals that do not start a word.
func scanPatterns(t testing.TB) []*regexp.Regexp {
	r, err := LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	var res []*regexp.Regexp
	for _, lang := range []string{"en", "zh"} {
		for _, c := range r.cues[lang] {
			res = append(res, c.re)
		}
		for _, n := range r.nonCommitment[lang] {
			res = append(res, n.re)
		}
	}
	for _, p := range []string{`\bsupport(?P<s>s)?\b`, `\bwill\b|\bshall\b`, `\b(?:will|shall)\b`, `(?i)\bwill\b`, `\bwill\B`,
		`\b_x\b`, `\b9th\b`, `\bwill be (?:held|continued)\b|\bsupports?\b`, `\bwill(?: be)?$`, `\bto\b.*\bbe\b`, `\b中方`, `\bex(plore)|\bdis(cuss)`,
		`(?m)\bwill\b$`, `\bsupport|support`,
		// no \b: alternations and classes of a few characters, with ^
		`(?:^|[，；：])(?:双方)?(?P<cue>加强|深化)`, `(?:^|,)x*?(?P<c>will)`, `(?:^x|y)(z)?`, `[xy]will|be$`, `(?:将|愿)`,
		`(?:^|[，；])(?:(?:根据)[^，。；]*?)?(?P<cue>加强)`, `(?m)(?:^|,)will`, `(?:^|,)\bwill`, `(?:^|,)will\B`} {
		res = append(res, regexp.MustCompile(p))
	}
	return res
}

var scanTokens = []string{"support", "supports", "supportive", "unsupported", "will", "Will", "shall", "be", "held", "continued",
	"explore", "discuss", "wish", "es", "to", "the", "_", "9th", "x", " ", " ", ",", ".", "-", "\n", "中方", "将", "é", "\xff", "encouraged", "are", "is",
	"appreciates that", "efforts will be made", "继续", "愿", "欢迎", "，", "；", "：", "加强", "深化", "双方", "根据", "y", "z"}

func randomText(rng *rand.Rand) string { return randtext.Join(rng, scanTokens, 16) }

// TestScannerAgrees: a scanner finds what its regexp finds, submatches
// included, on 30,000 texts made of the words the patterns look for.
func TestScannerAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pats := scanPatterns(t)
	scans := make([]*scanner, len(pats))
	fast := 0
	for i, re := range pats {
		scans[i] = newScanner(re)
		if scans[i].lits != nil {
			fast++
		}
	}
	for range 30_000 {
		text := randomText(rng)
		for i, re := range pats {
			want, got := re.FindStringSubmatchIndex(text), scans[i].FindStringSubmatchIndex(text)
			if !slices.Equal(want, got) {
				t.Fatalf("%s on %q: scanner %v, regexp %v", re, text, got, want)
			}
		}
	}
	// The shape the scanner is for must still take its path: the
	// lexicon's English cues open with \b and a literal.
	if fast < 15 {
		t.Errorf("%d of %d patterns search by literal; want at least 15", fast, len(pats))
	}
	for _, p := range []string{`(?i)\bwill\b`, `\b中方`, `\bsupport|support`, `(?m)(?:^|,)will`, `(?:^|,)\bwill`, `(?:^|,)will\B`, `(?:^|[^示])欢迎`} {
		if newScanner(regexp.MustCompile(p)).lits != nil {
			t.Errorf("%s: searched by literal, but not every match opens with a literal (and \\b before it), or it looks before where it is tried", p)
		}
	}
	for _, p := range []string{`(?:^|[，；：])(?:双方)?(?P<cue>加强|深化)`, `(?:我们|双方|中方)(?P<cue>将)`, `[xy]will|be$`} {
		if newScanner(regexp.MustCompile(p)).lits == nil {
			t.Errorf("%s: every match opens with one of a few literals, but the scanner does not search for them", p)
		}
	}
}

// FuzzScanner: on any text, every pattern's scanner finds what its regexp
// finds.
func FuzzScanner(f *testing.F) {
	f.Add("China will support the two sides, and wishes to explore")
	f.Add("_will 9th\xffsupports")
	pats := scanPatterns(f)
	scans := make([]*scanner, len(pats))
	for i, re := range pats {
		scans[i] = newScanner(re)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for i, re := range pats {
			if want, got := re.FindStringSubmatchIndex(text), scans[i].FindStringSubmatchIndex(text); !slices.Equal(want, got) {
				t.Fatalf("%s on %q: scanner %v, regexp %v", re, text, got, want)
			}
		}
	})
}
