package classify

import (
	"regexp"
	"regexp/syntax"
	"strings"
)

// A scanner finds what its regexp finds, faster for patterns whose every
// match opens with a word boundary and then one of a few literals
// (\bsupports?\b, \bexplore\b|\bdiscuss\b): it looks for the literals with
// strings.Index and tries the pattern, anchored, only where one starts a
// word. Go's regexp cannot take that path itself: the leading \b hides the
// literal prefix it would search for, so it tries the pattern at every
// byte, and these were the costliest of the cues. A pattern of another
// shape keeps its regexp's own search.
//
// The result is the regexp's: every match starts where \b holds and a
// literal begins, so the first such position where the rest of the
// pattern matches is where the regexp's leftmost match starts; the rest
// is matched on the text from there, which changes no assertion after
// its first byte (TestScannerAgrees, FuzzScanner).
type scanner struct {
	re       *regexp.Regexp
	lits     []string       // nil: use re
	anchored *regexp.Regexp // ^(?:the pattern without its leading \b)
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
	rest, ok := dropWordBoundary(tree)
	if !ok {
		return s
	}
	lits, ok := leadingLiterals(rest)
	if !ok {
		return s
	}
	anchored, err := regexp.Compile(`^(?:` + rest.String() + `)`)
	if err != nil || anchored.NumSubexp() != re.NumSubexp() {
		return s
	}
	s.lits, s.anchored = lits, anchored
	return s
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
// re, each starting with a word character (so that \b before it means a
// non-word byte or the text's start), or false.
func leadingLiterals(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 || len(re.Rune) == 0 || !isWordByte(string(re.Rune)[0]) {
			return nil, false
		}
		return []string{string(re.Rune)}, true
	case syntax.OpConcat:
		if len(re.Sub) > 0 {
			return leadingLiterals(re.Sub[0])
		}
	case syntax.OpCapture:
		return leadingLiterals(re.Sub[0])
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			lits, ok := leadingLiterals(sub)
			if !ok {
				return nil, false
			}
			all = append(all, lits...)
		}
		return all, true
	}
	return nil, false
}

// isWordByte is \w: an ASCII letter, digit or underscore.
func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_'
}

// FindStringSubmatchIndex is re.FindStringSubmatchIndex(text).
func (s *scanner) FindStringSubmatchIndex(text string) []int {
	if s.lits == nil {
		return s.re.FindStringSubmatchIndex(text)
	}
	for p := 0; p < len(text); {
		at := -1
		for _, l := range s.lits {
			if i := strings.Index(text[p:], l); i >= 0 && (at < 0 || p+i < at) {
				at = p + i
			}
		}
		if at < 0 {
			return nil
		}
		if at == 0 || !isWordByte(text[at-1]) {
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
