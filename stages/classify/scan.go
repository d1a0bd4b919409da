package classify

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
)

// A scanner finds what its regexp finds, faster for patterns whose every
// match opens with one of a few literals. It looks for the literals with
// strings.Index and tries the pattern, anchored, only where one starts.
// Go's regexp cannot take that path itself for these patterns, so it tries
// them at every byte, and they were the costliest of the cues:
//
//   - a leading \b hides the literal prefix it would search for
//     (\bsupports?\b, \bexplore\b|\bdiscuss\b): the literals must then
//     start a word, and are tried where \b holds;
//   - an alternation or a class has no prefix at all
//     ((?:我们|双方)(?P<cue>将), and (?:^|[，；：])… where a match after the
//     text's start opens with one of ，；：). Such a pattern is tried once,
//     anchored, at the start of the text, then at each literal with ^
//     made to match nothing (it matches only at the start of the text).
//
// A pattern of another shape keeps its regexp's own search.
//
// The result is the regexp's: every match starts where a literal begins
// (and \b holds, on the first path), so the first such position where the
// pattern matches, anchored, is where the regexp's leftmost match starts,
// and the anchored pattern prefers among matches there as the regexp does.
// The rest is matched on the text from there, which changes no assertion
// after its first byte; the second path takes no pattern with \b, \B or
// a multi-line ^, which would look before it (TestScannerAgrees,
// FuzzScanner).
type scanner struct {
	re       *regexp.Regexp
	lits     []string       // nil: use re
	boundary bool           // the first path: every match opens with \b
	anchored *regexp.Regexp // ^(?:the pattern without its leading \b, or with ^ matching nothing)
	atStart  *regexp.Regexp // ^(?:the pattern), tried first (second path)
}

// scannerOf is newScanner(re), or nil for a pattern that did not compile
// (LoadRules reports it).
func scannerOf(re *regexp.Regexp) *scanner {
	if re == nil {
		return nil
	}
	return newScanner(re)
}

func newScanner(re *regexp.Regexp) *scanner {
	s := &scanner{re: re}
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return s
	}
	if rest, ok := dropWordBoundary(tree); ok {
		lits, ok := leadingLiterals(rest, true)
		anchored, err := regexp.Compile(`^(?:` + rest.String() + `)`)
		if ok && err == nil && anchored.NumSubexp() == re.NumSubexp() {
			s.lits, s.boundary, s.anchored = lits, true, anchored
		}
		return s
	}
	if prefix, _ := re.LiteralPrefix(); prefix != "" || looksBehind(tree) {
		return s // (a pattern with a literal prefix, 继续, the regexp searches for by it)
	}
	later := startOnly(tree)
	lits, ok := leadingLiterals(later, false)
	if !ok || len(lits) == 0 {
		return s
	}
	anchored, err := regexp.Compile(`^(?:` + later.String() + `)`)
	atStart, err2 := regexp.Compile(`^(?:` + re.String() + `)`)
	if err != nil || err2 != nil || anchored.NumSubexp() != re.NumSubexp() || atStart.NumSubexp() != re.NumSubexp() {
		return s
	}
	s.lits, s.anchored, s.atStart = lits, anchored, atStart
	return s
}

// looksBehind reports whether re holds an assertion that may look at the
// text before where it is tried: \b, \B, or ^ and $ of (?m).
func looksBehind(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpBeginLine, syntax.OpEndLine:
		return true
	}
	return slices.ContainsFunc(re.Sub, looksBehind)
}

// startOnly is re as it is at any position after the text's start: ^ (of
// the text) matches nothing there.
func startOnly(re *syntax.Regexp) *syntax.Regexp {
	if re.Op == syntax.OpBeginText {
		return &syntax.Regexp{Op: syntax.OpNoMatch, Flags: re.Flags}
	}
	c := *re
	c.Sub = make([]*syntax.Regexp, len(re.Sub))
	for i, sub := range re.Sub {
		c.Sub[i] = startOnly(sub)
	}
	return &c
}

// dropWordBoundary returns re without the \b that opens every match, or
// false when not every match opens with one.
func dropWordBoundary(re *syntax.Regexp) (*syntax.Regexp, bool) {
	switch re.Op {
	case syntax.OpConcat:
		if len(re.Sub) >= 2 && re.Sub[0].Op == syntax.OpWordBoundary {
			c := *re
			c.Sub = re.Sub[1:]
			return &c, true
		}
	case syntax.OpAlternate:
		c := *re
		c.Sub = make([]*syntax.Regexp, len(re.Sub))
		for i, sub := range re.Sub {
			var ok bool
			if c.Sub[i], ok = dropWordBoundary(sub); !ok {
				return nil, false
			}
		}
		return &c, true
	}
	return nil, false
}

// leadingLiterals lists the literals one of which opens every match of
// re, or false. With word, each must start with a word character (so that
// \b before it means a non-word byte or the text's start); without, a
// class of a few characters gives each as a literal, and a branch that
// matches nothing gives none.
func leadingLiterals(re *syntax.Regexp, word bool) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 || len(re.Rune) == 0 || word && !isWordByte(string(re.Rune)[0]) {
			return nil, false
		}
		return []string{string(re.Rune)}, true
	case syntax.OpCharClass:
		if word {
			return nil, false
		}
		var lits []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(lits) == maxClassLiterals {
					return nil, false
				}
				lits = append(lits, string(r))
			}
		}
		return lits, len(lits) > 0
	case syntax.OpNoMatch:
		return nil, !word
	case syntax.OpConcat:
		if len(re.Sub) > 0 {
			return leadingLiterals(re.Sub[0], word)
		}
	case syntax.OpCapture:
		return leadingLiterals(re.Sub[0], word)
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			lits, ok := leadingLiterals(sub, word)
			if !ok {
				return nil, false
			}
			all = append(all, lits...)
		}
		return all, true
	}
	return nil, false
}

// maxClassLiterals is the most characters of a class searched for one by
// one.
const maxClassLiterals = 8

// isWordByte is \w: an ASCII letter, digit or underscore.
func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_'
}

// FindStringSubmatchIndex is re.FindStringSubmatchIndex(text).
func (s *scanner) FindStringSubmatchIndex(text string) []int {
	if s.lits == nil {
		return s.re.FindStringSubmatchIndex(text)
	}
	p := 0
	if s.atStart != nil {
		if loc := s.atStart.FindStringSubmatchIndex(text); loc != nil {
			return loc
		}
		p = 1 // (no literal starts inside a character)
	}
	for p < len(text) {
		at := -1
		for _, l := range s.lits {
			if i := strings.Index(text[p:], l); i >= 0 && (at < 0 || p+i < at) {
				at = p + i
			}
		}
		if at < 0 {
			return nil
		}
		if !s.boundary || at == 0 || !isWordByte(text[at-1]) {
			if loc := s.anchored.FindStringSubmatchIndex(text[at:]); loc != nil {
				for i := range loc {
					if loc[i] >= 0 {
						loc[i] += at
					}
				}
				return loc
			}
		}
		p = at + 1
	}
	return nil
}

// FindStringIndex is re.FindStringIndex(text).
func (s *scanner) FindStringIndex(text string) []int {
	if loc := s.FindStringSubmatchIndex(text); loc != nil {
		return loc[:2]
	}
	return nil
}

// MatchString is re.MatchString(text).
func (s *scanner) MatchString(text string) bool {
	if s.lits == nil {
		return s.re.MatchString(text)
	}
	return s.FindStringSubmatchIndex(text) != nil
}
