package parse

import (
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/policyledger/policyledger/anchors"
	"github.com/policyledger/policyledger/internal/rx"
)

//go:embed grammar.yaml
var grammarYAML []byte

// Grammar is the heading grammar of grammar.yaml: per language, the
// numbering patterns by rank and the unnumbered heading lines.
type Grammar struct {
	Version   string                  `yaml:"version"`
	Languages map[string]LangGrammar  `yaml:"languages"`
	Segments  map[string]string       `yaml:"segments"`
	compiled  map[string][]numberRule // per language, by rank order
}

// LangGrammar is one language's part of the grammar.
type LangGrammar struct {
	Unnumbered map[string]string `yaml:"unnumbered"`
	Numbering  []NumberRule      `yaml:"numbering"`
}

// NumberRule is one numbering pattern.
type NumberRule struct {
	Rank          int    `yaml:"rank"`
	Pattern       string `yaml:"pattern"`
	Reader        string `yaml:"reader"`
	AlwaysHeading bool   `yaml:"always_heading"`
}

type numberRule struct {
	NumberRule
	re                  *regexp.Regexp
	label, number, rest int // submatch indexes
	read                func(string) (int, bool)
}

// readers turn a label's number into an int.
var readers = map[string]func(string) (int, bool){
	"chinese":         anchors.ChineseNumber,
	"roman-or-arabic": romanOrArabic,
}

// ParseGrammar reads and compiles a grammar file; name is used in errors.
func ParseGrammar(name string, data []byte) (*Grammar, error) {
	var g Grammar
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&g); err != nil {
		return nil, fmt.Errorf("parse: grammar %s: %s", name, strings.Join(strings.Fields(err.Error()), " "))
	}
	if g.Version == "" {
		return nil, fmt.Errorf("parse: grammar %s: version is required", name)
	}
	g.compiled = map[string][]numberRule{}
	for lang, lg := range g.Languages {
		for i, r := range lg.Numbering {
			re, err := rx.Compile(r.Pattern)
			if err != nil {
				return nil, fmt.Errorf("parse: grammar %s: %s numbering %d: %w", name, lang, i+1, err)
			}
			nr := numberRule{NumberRule: r, re: re, label: re.SubexpIndex("label"), number: re.SubexpIndex("n"), rest: re.SubexpIndex("rest")}
			if nr.label < 0 || nr.number < 0 || nr.rest < 0 {
				return nil, fmt.Errorf("parse: grammar %s: %s numbering %d: the pattern needs the named groups label, n and rest", name, lang, i+1)
			}
			if nr.read = readers[r.Reader]; nr.read == nil {
				return nil, fmt.Errorf("parse: grammar %s: %s numbering %d: reader %q is not one of chinese, roman-or-arabic", name, lang, i+1, r.Reader)
			}
			if r.Rank < 1 {
				return nil, fmt.Errorf("parse: grammar %s: %s numbering %d: rank must be 1 or more", name, lang, i+1)
			}
			g.compiled[lang] = append(g.compiled[lang], nr)
		}
	}
	if len(g.compiled["zh"]) == 0 || len(g.compiled["en"]) == 0 {
		return nil, fmt.Errorf("parse: grammar %s: numbering for zh and en is required", name)
	}
	return &g, nil
}

// DefaultGrammar is the embedded grammar.yaml.
var DefaultGrammar = func() *Grammar {
	g, err := ParseGrammar("grammar.yaml", grammarYAML)
	if err != nil {
		panic(err)
	}
	return g
}()

// marker is what the start of a line says about its place in the hierarchy.
type marker struct {
	rank    int    // 1 = 第X部分/第X条/前言/Part I, 2 = X、/1., 3 = (X)/(1); 0 = none
	label   string // as printed: 第一部分, 一、, (三), Part I
	number  int    // numeric value of the label; 0 for unnumbered headings
	kind    string // fixed kind for unnumbered headings (preface), else ""
	rest    string // text after the label, trimmed
	heading bool   // the grammar says this rank is always a heading
}

// marker reads the marker at the start of a line of language lang.
func (g *Grammar) marker(lang, s string) marker {
	if s == "" {
		return marker{}
	}
	if kind, ok := g.Languages[lang].Unnumbered[s]; ok {
		return marker{rank: 1, kind: kind, rest: s, heading: true}
	}
	for _, r := range g.compiled[lang] {
		m := r.re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		n, ok := r.read(m[r.number])
		if !ok {
			continue
		}
		return marker{rank: r.Rank, label: m[r.label], number: n, rest: strings.TrimSpace(m[r.rest]), heading: r.AlwaysHeading}
	}
	return marker{rest: s}
}

func (g *Grammar) zhMarker(s string) marker { return g.marker("zh", s) }
func (g *Grammar) enMarker(s string) marker { return g.marker("en", s) }

var romanValues = map[byte]int{'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100}

// romanOrArabic reads "12" or "XII".
func romanOrArabic(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, n > 0
	}
	total := 0
	for i := 0; i < len(s); i++ {
		v, ok := romanValues[s[i]]
		if !ok {
			return 0, false
		}
		if i+1 < len(s) && romanValues[s[i+1]] > v {
			total -= v
		} else {
			total += v
		}
	}
	return total, total > 0
}

// numberLabel renders n the way a label of language lang would print it,
// for error messages.
func numberLabel(lang string, n int) string {
	if lang == "en" {
		return strconv.Itoa(n)
	}
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n <= 0:
		return "零"
	case n < 10:
		return digits[n]
	case n < 20:
		return "十" + digits[n%10]
	case n < 100:
		return digits[n/10] + "十" + digits[n%10]
	}
	return strconv.Itoa(n)
}
