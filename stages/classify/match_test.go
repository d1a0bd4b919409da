package classify

import (
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// snapshotLines are the lines of both released snapshots, as test texts.
func snapshotLines(t *testing.T) []string {
	var lines []string
	for _, p := range []string{"../../sources/snapshots/lac-policy-2025.zh-en.txt", "../../sources/snapshots/celac-jap-2022-2024.zh.md"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Split(string(b), "\n")...)
	}
	return lines
}

// TestLiteralCounts: one pass gives, for every keyword, what counting it
// alone gives (strings.Count, and non-overlapping word starts).
func TestLiteralCounts(t *testing.T) {
	r, err := LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range snapshotLines(t) {
		zh := r.sectorZh.counts(line, nil)
		lower := strings.ToLower(line)
		en := r.sectorEn.counts(lower, wordStart)
		for id, w := range r.sectorZh.words {
			if want := strings.Count(line, w); zh[id] != want {
				t.Fatalf("%q in %.40q: %d; strings.Count says %d", w, line, zh[id], want)
			}
		}
		for id, w := range r.sectorEn.words {
			if want := wordStarts(lower, w); en[id] != want {
				t.Fatalf("%q in %.40q: %d word starts; want %d", w, line, en[id], want)
			}
		}
	}
}

// wordStarts counts w's non-overlapping occurrences in s, as
// strings.Count finds them, that start a word: what the automaton's
// count with wordStart must give.
func wordStarts(s, w string) int {
	n := 0
	for at := 0; ; at += len(w) {
		i := strings.Index(s[at:], w)
		if i < 0 {
			return n
		}
		if at += i; wordStart(s, at) {
			n++
		}
	}
}

// TestGateNeverSkipsAMatch: every cue and extraction pattern the gate skips
// on a text really has no match in it.
func TestGateNeverSkipsAMatch(t *testing.T) {
	r, err := LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	skipped := 0
	for _, line := range snapshotLines(t) {
		present := r.cueGate.present(line, nil)
		for re := range r.cueGate.needs {
			if !r.cueGate.may(re, present) {
				skipped++
				if re.MatchString(line) {
					t.Fatalf("the gate skipped %s on %.60q, which it matches", re, line)
				}
			}
		}
	}
	if skipped == 0 {
		t.Error("the gate skipped nothing: it does no work")
	}
}

// TestRequired: a pattern's gate asks for a literal of every part that
// every match contains, not only of one.
func TestRequired(t *testing.T) {
	for _, tc := range []struct {
		name, pattern string
		want          [][]string
	}{
		{"concat", `\bwill (?:continue to )?be (?:continued|convened|held)\b`, [][]string{{"will "}, {"be "}, {"tinued", "vened", "held"}}}, // (the parser factors "con" out of the first two)
		{"alternation", `(?:我们|双方)(?P<cue>将)`, [][]string{{"我们", "双方"}, {"将"}}},
		{"optional", `(?:根据)?加强`, [][]string{{"加强"}}},
		{"case-insensitive", `(?i)\bboth sides\b`, nil},
		{"repeat", `(?:合作){2,}`, [][]string{{"合作"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			re, err := syntax.Parse(tc.pattern, syntax.Perl)
			if err != nil {
				t.Fatal(err)
			}
			if got := required(re); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("required(%q) = %q; want %q", tc.pattern, got, tc.want)
			}
		})
	}
}

// TestPresentKeepsAnswers: with a work area, answers kept for earlier texts
// are the answers for those texts, however the texts repeat and replace
// one another.
func TestPresentKeepsAnswers(t *testing.T) {
	r, err := LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string // six different texts with different answers
	for _, l := range snapshotLines(t) {
		if len(lines) < 6 && !slices.Contains(lines, l) && strings.ContainsAny(l, "将愿") {
			lines = append(lines, l)
		}
	}
	w := newWork()
	rng := rand.New(rand.NewPCG(1, 2))
	var last []string
	kept := 0
	for i := range 400 {
		s := lines[rng.IntN(len(lines))] // repeats near and far
		if slices.Contains(last, s) {
			kept++ // (answered from what was kept)
		}
		last = append(last, s)[max(0, len(last)-2):]
		got := slices.Clone(r.cueGate.present(s, w))
		if want := r.cueGate.present(s, nil); !slices.Equal(got, want) {
			t.Fatalf("call %d: present(%.40q) with a work area differs from without", i, s)
		}
	}
	if kept < 50 {
		t.Fatalf("%d calls answered from kept answers; want enough to test them", kept)
	}
}

// TestLower: lower gives what strings.ToLower gives, and the code points it
// takes as caseless are.
func TestLower(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if caseless(r) && (unicode.ToLower(r) != r || unicode.ToUpper(r) != r || unicode.SimpleFold(r) != r) {
			t.Fatalf("%U is taken as caseless but has case", r)
		}
	}
	for _, s := range []string{"", "中方将继续推动中拉合作。", "China WILL support “CELAC”…", "中国—拉共体论坛（ＣＥＬＡＣ）", "ÉCOLE", "\xff中", "ǅ", "İstanbul"} {
		if got, want := lower(s), strings.ToLower(s); got != want {
			t.Errorf("lower(%q) = %q; want %q", s, got, want)
		}
	}
}

// TestLiteralsRandom: for sets of words small and large, of one script or
// both, overlapping themselves or not, the counts are strings.Count's, with
// and without a filter on starts.
func TestLiteralsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	alphabet := []string{"a", "b", "A", "中", "国", " ", "5"}
	random := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for k := 0; k < 3000; k++ {
		l := newLiterals()
		for range 1 + rng.IntN(10) {
			l.add(random(1 + rng.IntN(3)))
		}
		l.build()
		s := random(rng.IntN(30))
		got, starts := l.counts(s, nil), l.counts(s, wordStart)
		for id, w := range l.words {
			if want := strings.Count(s, w); got[id] != want {
				t.Fatalf("%q in %q: %d; strings.Count says %d (words %q)", w, s, got[id], want, l.words)
			}
			if want := wordStarts(s, w); starts[id] != want {
				t.Fatalf("%q in %q: %d at word starts; want %d", w, s, starts[id], want)
			}
		}
	}
}

// TestUnionAgrees: reading a text once for the cue gate, the Chinese
// sector keywords and the registry's names answers as each reading it
// alone, however texts repeat and replace one another in the work area.
func TestUnionAgrees(t *testing.T) {
	r, err := LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	reg, err := LoadMechanisms(os.DirFS("../../sources"))
	if err != nil {
		t.Fatal(err)
	}
	u := r.union(reg)
	if r.union(reg) != u {
		t.Fatal("the union is built again for the same registry")
	}
	if len(u.namesEn) == 0 || len(u.namesZh) == 0 {
		t.Fatal("the registry has no names: nothing tests them")
	}
	rng := rand.New(rand.NewPCG(21, 22))
	fill := []string{"中", "国", " ", "a", "，", "。", "A", "5"}
	random := func() string {
		var b strings.Builder
		for range rng.IntN(12) {
			if rng.IntN(2) == 0 {
				b.WriteString(u.lits.words[rng.IntN(len(u.lits.words))])
			} else {
				b.WriteString(fill[rng.IntN(len(fill))])
			}
		}
		return b.String()
	}
	var texts []string
	for _, l := range snapshotLines(t) {
		if strings.TrimSpace(l) != "" {
			texts = append(texts, l)
		}
	}
	texts = texts[:min(len(texts), 300)]
	for range 300 {
		texts = append(texts, random())
	}
	w := newWork()
	w.u = u
	found := 0
	for i := range 5000 {
		// the next text: often one of the last few, else any
		s := texts[rng.IntN(len(texts))]
		if i > 0 && rng.IntN(3) == 0 {
			s = w.seen[rng.IntN(len(w.seen))].text
		}
		s2 := texts[rng.IntN(len(texts))]
		if got, want := slices.Clone(r.cueGate.present(s, w)), r.cueGate.present(s, nil); !slices.Equal(got, want) {
			t.Fatalf("call %d: present(%.40q) through the union differs from the gate's own", i, s)
		}
		own := &work{}
		if got, want := fmt.Sprint(r.sector([]string{s, s2}, nil, w)), fmt.Sprint(r.sector([]string{s, s2}, nil, own)); got != want || !slices.Equal(w.zh, own.zh) || !slices.Equal(w.en, own.en) {
			t.Fatalf("call %d: sector(%.40q, %.40q) through the union: %s, counts %v; alone: %s, %v", i, s, s2, got, w.zh, want, own.zh)
		}
		got, want := reg.find(s, s2, w), reg.Find(s, s2)
		if !slices.Equal(got, want) {
			t.Fatalf("call %d: find(%.40q, %.40q) through the union = %q; alone %q", i, s, s2, got, want)
		}
		found += len(got)
	}
	if found < 100 {
		t.Fatalf("%d names found in all: too few to test the registry's part", found)
	}
}

// TestWeakNeedsDropped: a set of literals one of which is a short ASCII
// fragment is not asked for when the pattern has another to ask for.
func TestWeakNeedsDropped(t *testing.T) {
	for _, tc := range []struct{ pattern, want string }{
		{`\bcalls? (?:on|for|upon)\b`, `[["call"]]`},                  // " " and on|for|upon dropped
		{`\bcontinu(?:e|es|ing)\b`, `[["continu"]]`},                  // e|ing dropped
		{`(?:^|[^\d])((?:19|20)\d{2})(?:年|[^\d]|$)`, `[["19" "20"]]`}, // the only set: kept
		{`(?:我们|双方)(?P<cue>将)`, `[["我们" "双方"] ["将"]]`},                // one Chinese character is three bytes: kept
	} {
		g := newGate()
		re := regexp.MustCompile(tc.pattern)
		g.add(re)
		var got [][]string
		for _, ids := range g.needs[re] {
			var ws []string
			for _, id := range ids {
				ws = append(ws, g.lits.words[id])
			}
			got = append(got, ws)
		}
		if s := fmt.Sprintf("%q", got); s != tc.want {
			t.Errorf("%s needs %s; want %s", tc.pattern, s, tc.want)
		}
	}
}

// TestFoldGateNeverSkipsAMatch: the actor patterns' gate, which ignores
// the case of ASCII letters, skips no text a pattern matches: the
// snapshots' lines, and random texts of the patterns' own words in random
// case, with ſ and the Kelvin sign (which Unicode folds to s and k). And
// only those two runes beyond ASCII fold to an ASCII letter, as may
// assumes.
func TestFoldGateNeverSkipsAMatch(t *testing.T) {
	for c := 'a'; c <= 'z'; c++ {
		for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
			if f >= utf8.RuneSelf && f != 'ſ' && f != '\u212a' {
				t.Fatalf("%c folds to %U, which foldGate.may does not look for", c, f)
			}
		}
	}
	// (Go's matcher does not match the Kelvin sign here, but a text with
	// either rune is always let through, whatever the matcher does.)
	keep := newFoldGate(regexp.MustCompile(`(?i)\bkeep sides\b`))
	for _, s := range []string{"\u212aeep sides", "keep ſides", "KEEP SIDES", "Keep Sides"} {
		if !keep.may(s) {
			t.Fatalf("(?i)keep sides: the gate skips %q", s)
		}
	}
	if keep.may("kept sides") || keep.may("keep side") {
		t.Fatal("(?i)keep sides: the gate lets a text without its words through")
	}
	r, err := LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	var all []actorRe
	for _, lang := range []string{"en", "zh"} {
		all = append(append(append(all, r.actors[lang]...), r.namedSide[lang]...), r.joint[lang])
	}
	words := []string{"the", "two", "sides", "both", "Both", "SIDES", "ſides", "Both Sides", "bothsides", "China", "CHINA",
		"Chinese", "government", "side", "LAC", "lac", "countries", "CELAC", "member", "states", "We", "we", "will",
		"中方", "拉方", "双方", "我们", "中国政府", "拉共体成员国", "中", "方", "\u212a", "k", "s", " ", ",", "-"}
	texts := snapshotLines(t)
	rng := rand.New(rand.NewPCG(13, 14))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(10) {
			w := words[rng.IntN(len(words))]
			if rng.IntN(3) == 0 {
				w = strings.ToUpper(w)
			}
			b.WriteString(w)
			if rng.IntN(2) == 0 {
				b.WriteByte(' ')
			}
		}
		texts = append(texts, b.String())
	}
	skipped, gated := 0, 0
	for _, a := range all {
		if len(a.fold) > 0 {
			gated++
		}
		for _, s := range texts {
			if !a.fold.may(s) {
				skipped++
				if a.re.MatchString(s) {
					t.Fatalf("the gate skipped %s on %.60q, which it matches", a.re, s)
				}
			}
		}
	}
	if gated < len(all)-1 || skipped == 0 {
		t.Errorf("%d of %d patterns gated, %d texts skipped: the gate does no work", gated, len(all), skipped)
	}
}
