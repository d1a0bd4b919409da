package classify

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/coregx/ahocorasick"
)

// Matching in one pass. Every unit is matched against dozens of cue
// patterns and hundreds of sector keywords; scanning the text once per
// pattern made classification most of a run's time. An Aho–Corasick
// automaton finds every keyword, and every literal a cue pattern cannot
// match without, in one pass over the text; a pattern whose literals are
// absent is not run. Results are those of matching one by one.

// literals is a set of strings found in one pass.
type literals struct {
	trie    *ahocorasick.Automaton
	words   []string
	letters bool // every word holds an ASCII letter (see addCounts)
	index   map[string]int
	scratch sync.Pool // []int of len(words), all zero
}

func newLiterals() *literals { return &literals{index: map[string]int{}} }

// add registers a word and returns its id.
func (l *literals) add(w string) int {
	if i, ok := l.index[w]; ok {
		return i
	}
	l.index[w] = len(l.words)
	l.words = append(l.words, w)
	return len(l.words) - 1
}

func (l *literals) build() {
	if len(l.words) == 0 {
		return
	}
	trie, err := ahocorasick.NewBuilder().AddStrings(l.words).Build()
	if err != nil {
		panic(fmt.Sprintf("classify: the literals of the rules make no automaton: %v", err)) // (the words are the rules' own: a program error)
	}
	l.trie = trie
	l.letters = !slices.ContainsFunc(l.words, func(w string) bool { return !hasASCIILetter(w) })
	size := len(l.words)
	l.scratch.New = func() any { s := make([]int, size); return &s }
}

// counts returns, per word id, its non-overlapping occurrences in s, each
// counted as strings.Count would and kept only when keep accepts its
// start (nil keeps all).
func (l *literals) counts(s string, keep func(s string, at int) bool) []int {
	return l.countsInto(nil, s, keep)
}

// countsInto is counts written over dst, which it returns (grown when too
// short): a unit's counts are read before the next unit's are made, and
// fresh slices of them were a thirteenth of what a run allocated.
func (l *literals) countsInto(dst []int, s string, keep func(s string, at int) bool) []int {
	n := reuse(dst, len(l.words))
	l.addCounts(n, s, keep)
	return n
}

// addCounts adds s's counts to n, which has an element per word.
func (l *literals) addCounts(n []int, s string, keep func(s string, at int) bool) {
	if l.trie == nil || len(l.words) == 0 {
		return
	}
	if l.letters && !hasASCIILetter(s) {
		return // (the English keywords walked every Chinese text for nothing)
	}
	// where the next occurrence of each word may start (reused: this was a
	// visible share of a run as fresh allocations)
	p := l.scratch.Get().(*[]int)
	next := *p
	defer func() {
		clear(next)
		l.scratch.Put(p)
	}()
	for _, m := range l.trie.FindAllOverlapping(unsafe.Slice(unsafe.StringData(s), len(s))) {
		if m.Start >= next[m.PatternID] {
			next[m.PatternID] = m.End
			if keep == nil || keep(s, m.Start) {
				n[m.PatternID]++
			}
		}
	}
}

// countSparse adds s's counts to n, which must be zero for every word
// not in touched, and returns touched with the words s adds to it: a
// caller clears n by them instead of by every word.
func (l *literals) countSparse(n []int, touched []int32, s string) []int32 {
	if l.trie == nil {
		return touched
	}
	// next[w] is where w's next occurrence may start; it is set only for
	// words counted, which touched holds, so touched says what to clear
	p := l.scratch.Get().(*[]int)
	next := *p
	for _, m := range l.trie.FindAllOverlapping(unsafe.Slice(unsafe.StringData(s), len(s))) {
		if m.Start >= next[m.PatternID] {
			next[m.PatternID] = m.End
			if n[m.PatternID] == 0 {
				touched = append(touched, int32(m.PatternID))
			}
			n[m.PatternID]++
		}
	}
	for _, id := range touched {
		next[id] = 0
	}
	l.scratch.Put(p)
	return touched
}

// hasASCIILetter reports whether s holds a letter a–z or A–Z (read byte by
// byte: no byte of a longer UTF-8 sequence is below 0x80).
func hasASCIILetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

// wordStart reports whether s[at:] starts a word.
func wordStart(s string, at int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:at])
	return at == 0 || !unicode.IsLetter(r)
}

// gate runs a pattern only when literals it cannot match without occur:
// for each part of it that every match contains, one of that part's
// literals (a pattern "\bwill be (continued|held)\b" needs "will be " and
// one of "continued", "held").
type gate struct {
	lits  *literals
	needs map[*regexp.Regexp][][]int // nil: always run
}

func newGate() *gate { return &gate{lits: newLiterals(), needs: map[*regexp.Regexp][][]int{}} }

// add registers a compiled pattern with its source.
func (g *gate) add(re *regexp.Regexp) {
	parsed, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return
	}
	var needs [][]int
	all := required(parsed)
	for _, ws := range all {
		if len(all) > 1 && weak(ws) {
			continue
		}
		ids := make([]int, len(ws))
		for i, w := range ws {
			ids[i] = g.lits.add(w)
		}
		needs = append(needs, ids)
	}
	g.needs[re] = needs
}

// weak reports whether a set of literals holds one of fewer than three
// ASCII bytes (" ", "e" of continu(e|ing), "on" of calls (on|for)): almost
// every English text holds it, so it spares no pattern a run, and its
// matches were four in five the automaton reported. A pattern keeps it
// when it has no other.
func weak(ws []string) bool {
	for _, w := range ws {
		if len(w) < 3 && w[0] < utf8.RuneSelf {
			return true
		}
	}
	return false
}

// present lists, per literal id, whether it occurs in s. With a work
// area, the list is its own and valid until the fourth call with another
// text: a unit's two texts are each looked up by labelling and again by
// extraction, and the Chinese of a bead is shared by its English units, so
// the last few answers are kept.
func (g *gate) present(s string, w *work) []bool {
	if w == nil {
		w = &work{}
	}
	if w.u != nil {
		return w.scan(s).present
	}
	for i := range w.seen {
		if e := &w.seen[i]; e.ok && e.text == s {
			return e.present
		}
	}
	e := w.evict()
	w.gate = g.lits.countsInto(w.gate, s, nil)
	e.present = reuse(e.present, len(w.gate))
	for i, n := range w.gate {
		e.present[i] = n > 0
	}
	e.text, e.ok = s, true
	return e.present
}

// seenText is what is known of a text: the cue gate's answer and, with a
// union, the count of each of the union's words.
type seenText struct {
	text    string
	present []bool
	counts  []int   // per union word (nil without a union)
	touched []int32 // the union words counted, each once
	ok      bool
}

// evict returns the entry the next text takes, emptied.
func (w *work) evict() *seenText {
	e := &w.seen[w.next]
	w.next = (w.next + 1) % len(w.seen)
	for _, id := range e.touched {
		e.counts[id] = 0
	}
	e.touched, e.ok = e.touched[:0], false
	return e
}

// scan returns s's counts over the work area's union, reading s only when
// it is not one of the last few texts.
func (w *work) scan(s string) *seenText {
	for i := range w.seen {
		if e := &w.seen[i]; e.ok && e.text == s {
			return e
		}
	}
	u := w.u
	e := w.evict()
	if len(e.counts) != len(u.lits.words) {
		e.counts = make([]int, len(u.lits.words))
	}
	e.touched = u.lits.countSparse(e.counts, e.touched, s)
	e.present = reuse(e.present, u.gateWords)
	for _, id := range e.touched {
		if g := u.toGate[id]; g >= 0 {
			e.present[g] = true
		}
	}
	e.text, e.ok = s, true
	return e
}

// union is one automaton over the cue gate's literals, the Chinese sector
// keywords and a registry's names. All three look at a text as it stands,
// and a unit's texts were read once for each; counts are per word, so a
// word two of them share is counted once and read by both.
type union struct {
	lits             *literals
	reg              *Registry
	gateWords        int
	toGate, toSector []int32 // union word → the gate's, sectorZh's word (-1: none)
	namesEn, namesZh []int   // the registry's literal → union word
}

// union returns the union of r's literals and reg's, built once per
// registry.
func (r *Rules) union(reg *Registry) *union {
	if u, ok := r.unions.Load(reg); ok {
		return u.(*union)
	}
	u := &union{lits: newLiterals(), reg: reg, gateWords: len(r.cueGate.lits.words)}
	ids := func(l *literals) []int {
		if l == nil {
			return nil // (find then reads the text itself)
		}
		out := make([]int, len(l.words))
		for i, w := range l.words {
			out[i] = u.lits.add(w)
		}
		return out
	}
	gate, sector := ids(r.cueGate.lits), ids(r.sectorZh)
	if reg != nil {
		u.namesEn, u.namesZh = ids(reg.litsEn), ids(reg.litsZh)
	}
	u.lits.build()
	back := func(ids []int) []int32 {
		out := make([]int32, len(u.lits.words))
		for i := range out {
			out[i] = -1
		}
		for own, id := range ids {
			out[id] = int32(own)
		}
		return out
	}
	u.toGate, u.toSector = back(gate), back(sector)
	v, _ := r.unions.LoadOrStore(reg, u)
	return v.(*union)
}

// work is the memory one document's classification reuses from unit to
// unit; nil where a caller labels one unit.
type work struct {
	u      *union           // nil: each set of literals reads the text itself
	memo   map[string][]int // keyword counts of headings (see sector)
	gate   []int            // literal counts for the cue gate
	seen   [4]seenText      // the last texts looked at
	next   int              // the one to replace next
	zh, en []int            // sector keyword counts
	names  []int            // mechanism name counts (see Registry.Find)
}

func newWork() *work { return &work{memo: map[string][]int{}} }

// reuse returns s as n zero elements, made anew only when s is too short.
func reuse[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// may reports whether re can match a text whose literals are present.
func (g *gate) may(re *regexp.Regexp, present []bool) bool {
	needs, known := g.needs[re]
	if !known || present == nil {
		return true
	}
next:
	for _, ids := range needs {
		for _, id := range ids {
			if present[id] {
				continue next
			}
		}
		return false
	}
	return true
}

// required returns sets of strings such that every match of re contains
// one string of each set; nil when it cannot tell.
func required(re *syntax.Regexp) [][]string { return requiredIn(re, false) }

// requiredIn is required; with fold, every literal's ASCII letters are
// taken lower-cased, so that every match of re contains, ignoring the case
// of ASCII letters, one string of each set, case-insensitive parts included
// (but for those with letters beyond ASCII, which cannot tell).
func requiredIn(re *syntax.Regexp, fold bool) [][]string {
	switch re.Op {
	case syntax.OpConcat:
		var all [][]string
		for _, s := range re.Sub {
			all = append(all, requiredIn(s, fold)...)
		}
		return all
	case syntax.OpCapture, syntax.OpPlus:
		return requiredIn(re.Sub[0], fold)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredIn(re.Sub[0], fold)
		}
		return nil
	}
	if ws := necessary(re, fold); ws != nil {
		return [][]string{ws}
	}
	return nil
}

// necessary returns strings one of which every match of re contains, or
// nil when it cannot tell (case-insensitive parts unless fold, optional
// parts only). With fold the strings are lower-cased ASCII.
func necessary(re *syntax.Regexp, fold bool) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 && !fold || len(re.Rune) == 0 {
			return nil
		}
		if !fold {
			return []string{string(re.Rune)}
		}
		b := []byte(string(re.Rune))
		for i, c := range b {
			if c >= utf8.RuneSelf && re.Flags&syntax.FoldCase != 0 {
				return nil // a case-insensitive letter beyond ASCII
			}
			b[i] = lowerASCII(c)
		}
		return []string{string(b)}
	case syntax.OpCapture, syntax.OpPlus:
		return necessary(re.Sub[0], fold)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return necessary(re.Sub[0], fold)
		}
	case syntax.OpConcat:
		var best []string
		for _, s := range re.Sub {
			if l := necessary(s, fold); l != nil && (best == nil || shortest(l) > shortest(best)) {
				best = l
			}
		}
		return best
	case syntax.OpAlternate:
		var all []string
		for _, s := range re.Sub {
			l := necessary(s, fold)
			if l == nil {
				return nil
			}
			all = append(all, l...)
		}
		return all
	}
	return nil
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// foldGate runs a pattern only when a text holds, ignoring the case of
// ASCII letters, one literal of each part every match contains
// (requiredIn with fold). It is for the actor patterns, which are run on
// the words before a cue and on whole units, some case-insensitive: the
// cue gate's automaton reads case as it is.
type foldGate [][]string

func newFoldGate(re *regexp.Regexp) foldGate {
	parsed, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	return requiredIn(parsed, true)
}

// may reports whether the pattern can match s. Unicode case folding also
// matches s with ſ (U+017F) and k with the Kelvin sign (U+212A): a text
// holding either is always run.
func (g foldGate) may(s string) bool {
	if len(g) == 0 || strings.Contains(s, "ſ") || strings.Contains(s, "\u212a") {
		return true
	}
next:
	for _, ws := range g {
		for _, w := range ws {
			if containsFoldASCII(s, w) {
				continue next
			}
		}
		return false
	}
	return true
}

// containsFoldASCII reports whether s holds w (lower-cased ASCII) with
// ASCII letters in either case.
func containsFoldASCII(s, w string) bool {
	if w == "" {
		return true
	}
	for i := 0; i+len(w) <= len(s); i++ {
		if lowerASCII(s[i]) != w[0] {
			continue
		}
		j := 1
		for j < len(w) && lowerASCII(s[i+j]) == w[j] {
			j++
		}
		if j == len(w) {
			return true
		}
	}
	return false
}

func shortest(ws []string) int {
	n := -1
	for _, w := range ws {
		if n < 0 || len(w) < n {
			n = len(w)
		}
	}
	return n
}
