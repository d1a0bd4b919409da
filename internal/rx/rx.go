// Package rx compiles the regular expressions that come from data files
// (sources.yaml clean rules, grammars, the classification lexicon) with
// errors of one line: regexp's own quote the pattern raw, so a pattern
// holding a line break made a message of two lines.
package rx

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
)

// Compile is regexp.Compile with an error that quotes the pattern and
// says what is wrong with it, on one line.
func Compile(pattern string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(pattern)
	if err == nil {
		return re, nil
	}
	var se *syntax.Error
	if errors.As(err, &se) {
		return nil, fmt.Errorf("pattern %q: %s in %q", pattern, se.Code, se.Expr)
	}
	return nil, fmt.Errorf("pattern %q: %q", pattern, err.Error())
}
