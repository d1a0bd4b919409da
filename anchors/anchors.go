// Package anchors finds what a Chinese sentence and its English translation
// visibly share: numbers (Arabic, Chinese ordinals, English ordinal words),
// Latin tokens kept inside Chinese text (AEO, 5G, FATF) and bilingual
// glossary terms. Both sides map to the same keys ("num:1540",
// "latin:AEO", "term:拉共体"), so shared keys are evidence that two pieces of
// text translate each other. The align stage uses them to pair sentences and
// paragraphs; it consumes schemas.Document values for glossary harvesting.
package anchors

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"

	"github.com/policyledger/policyledger/internal/utf8x"
	"github.com/policyledger/policyledger/schemas"
)

// Term is one bilingual glossary entry: a Chinese term and the English
// forms that translate it.
type Term struct {
	Zh string   `yaml:"zh"`
	En []string `yaml:"en"`
}

// Glossary finds bilingual terms in sentences quickly: Chinese terms are
// indexed by their first rune, English forms (lower-cased) by their first
// word.
type Glossary struct {
	terms []Term
	keys  []string          // per term: its anchor key, "term:" and the Chinese term
	zh    map[rune][]int    // first rune → term indexes
	en    map[string][]enIx // first lower-cased word → forms
	// zhFirst has bit r set when some Chinese term starts with rune r
	// (below zhFirstLimit): most runes start none, and the bit spares the
	// map lookup. enFirst has the bit of each form's first word's hash
	// (wordHash) set.
	zhFirst []uint64
	enFirst [enFirstBits / 64]uint64
	byZh    map[string]int // Chinese term → its index
}

const (
	zhFirstLimit = 0x30000
	enFirstBits  = 1 << 14
)

// wordHash is FNV-1a over the ASCII-lower-cased bytes of w, folded to
// enFirstBits.
func wordHash(w string) uint32 {
	h := fnvOffset
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = fnvAdd(h, c)
	}
	return h % enFirstBits
}

// fnvOffset and fnvAdd are FNV-1a's start and step (En takes them byte by
// byte as it scans a word).
const fnvOffset = uint32(2166136261)

func fnvAdd(h uint32, c byte) uint32 { return (h ^ uint32(c)) * 16777619 }

type enIx struct {
	term int
	form string // lower-cased
}

// ParseGlossary reads a curated glossary file: a YAML list of {zh, en}.
func ParseGlossary(name string, data []byte) ([]Term, error) {
	var terms []Term
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&terms); err != nil {
		return nil, fmt.Errorf("anchors: glossary %s: %s: each entry needs zh and a list en", name, strings.Join(strings.Fields(err.Error()), " "))
	}
	for i, t := range terms {
		if t.Zh == "" || len(t.En) == 0 {
			return nil, fmt.Errorf("anchors: glossary %s entry %d (%q): needs zh and at least one en form", name, i+1, t.Zh)
		}
	}
	return terms, nil
}

// GlossaryPath is the curated glossary's path in the sources folder.
const GlossaryPath = "glossary.yaml"

// MechanismsPath is the registry of named mechanisms in the sources
// folder; its bilingual names are glossary terms too.
const MechanismsPath = "mechanisms.yaml"

// Load reads the curated glossary from a sources folder; a folder without
// one gives an empty glossary.
func Load(fsys fs.FS) ([]Term, error) {
	if fsys == nil {
		return nil, nil
	}
	data, err := fs.ReadFile(fsys, GlossaryPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("anchors: read %s: %w", GlossaryPath, err)
	}
	return ParseGlossary(GlossaryPath, data)
}

// LoadRegistry reads the bilingual names of the mechanism registry as
// terms: every mechanism with both a Chinese and an English name, aliases
// as further forms. They anchor paragraph-level checks; sentence alignment
// does not use them (on the held-out gold they made it worse).
func LoadRegistry(fsys fs.FS) ([]Term, error) {
	if fsys == nil {
		return nil, nil
	}
	var terms []Term
	reg, err := fs.ReadFile(fsys, MechanismsPath)
	if errors.Is(err, fs.ErrNotExist) {
		return terms, nil
	}
	if err != nil {
		return nil, fmt.Errorf("anchors: read %s: %w", MechanismsPath, err)
	}
	var names []struct {
		Zh      string   `yaml:"zh"`
		En      *string  `yaml:"en"`
		AliasZh []string `yaml:"aliases_zh"`
		AliasEn []string `yaml:"aliases_en"`
	}
	if err := yaml.Unmarshal(reg, &names); err != nil {
		return nil, fmt.Errorf("anchors: %s: %s", MechanismsPath, strings.Join(strings.Fields(err.Error()), " "))
	}
	for _, n := range names {
		if n.Zh == "" || n.En == nil || *n.En == "" {
			continue
		}
		en := append([]string{*n.En}, n.AliasEn...)
		for _, zh := range append([]string{n.Zh}, n.AliasZh...) {
			terms = append(terms, Term{Zh: zh, En: en})
		}
	}
	return terms, nil
}

// Harvest turns every bilingual heading title of docs into a glossary term:
// "(三)贸易和投资合作 | (3) Trade and Investment Cooperation" gives 贸易和投资合作 ↔
// Trade and Investment Cooperation.
func Harvest(docs []schemas.Document) []Term {
	var terms []Term
	for _, d := range docs {
		for _, c := range d.Clauses {
			if !c.IsText() && c.TitleZh != "" && c.TitleEn != "" {
				terms = append(terms, Term{Zh: c.TitleZh, En: []string{c.TitleEn}})
			}
		}
	}
	return terms
}

// NewGlossary indexes terms. Terms with the same Chinese are merged.
func NewGlossary(terms ...[]Term) *Glossary {
	g := &Glossary{zh: map[rune][]int{}, en: map[string][]enIx{}, byZh: map[string]int{}}
	for _, list := range terms {
		g.add(list)
	}
	return g
}

// With returns the glossary NewGlossary would make of g's terms followed
// by terms; g does not change. A run's shared terms are indexed once and
// each document's own added to a copy: indexing them all again for every
// document was most of the cost.
func (g *Glossary) With(terms []Term) *Glossary {
	c := &Glossary{
		terms:   make([]Term, len(g.terms), len(g.terms)+len(terms)),
		keys:    slices.Clone(g.keys),
		zh:      make(map[rune][]int, len(g.zh)),
		en:      make(map[string][]enIx, len(g.en)),
		byZh:    maps.Clone(g.byZh),
		zhFirst: slices.Clone(g.zhFirst),
		enFirst: g.enFirst,
	}
	// every slice c may append to is cut to its length, so that appending
	// copies it instead of writing into g's
	for i, t := range g.terms {
		c.terms[i] = Term{Zh: t.Zh, En: slices.Clip(t.En)}
	}
	for r, ix := range g.zh {
		c.zh[r] = slices.Clip(ix)
	}
	for w, ix := range g.en {
		c.en[w] = slices.Clip(ix)
	}
	c.add(terms)
	return c
}

func (g *Glossary) add(list []Term) {
	for _, t := range list {
		i, ok := g.byZh[t.Zh]
		if !ok {
			i = len(g.terms)
			g.byZh[t.Zh] = i
			g.terms = append(g.terms, Term{Zh: t.Zh})
			g.keys = append(g.keys, "term:"+t.Zh)
			r, _ := utf8.DecodeRuneInString(t.Zh)
			g.zh[r] = append(g.zh[r], i)
			if r < zhFirstLimit {
				if g.zhFirst == nil {
					g.zhFirst = make([]uint64, zhFirstLimit/64)
				}
				g.zhFirst[r/64] |= 1 << (r % 64)
			}
		}
		for _, e := range t.En {
			form := asciiLower(e)
			g.terms[i].En = append(g.terms[i].En, e)
			if w := firstWord(form); w != "" {
				g.en[w] = append(g.en[w], enIx{i, form})
				h := wordHash(w)
				g.enFirst[h/64] |= 1 << (h % 64)
			}
		}
	}
}

// Len is the number of distinct Chinese terms.
func (g *Glossary) Len() int {
	if g == nil {
		return 0
	}
	return len(g.terms)
}

// ordinal reads an English ordinal word (lower-cased). A switch: it is
// asked of most words of every English sentence.
func ordinal(w string) (int, bool) {
	switch w {
	case "first":
		return 1, true
	case "second":
		return 2, true
	case "third":
		return 3, true
	case "fourth":
		return 4, true
	case "fifth":
		return 5, true
	case "sixth":
		return 6, true
	case "seventh":
		return 7, true
	case "eighth":
		return 8, true
	case "ninth":
		return 9, true
	case "tenth":
		return 10, true
	case "eleventh":
		return 11, true
	case "twelfth":
		return 12, true
	case "twentieth":
		return 20, true
	}
	return 0, false
}

func isASCIIDigit(b byte) bool  { return b >= '0' && b <= '9' }
func isASCIILetter(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }

// numberAt reads an Arabic number (digits, optionally .digits) at s[i:],
// returning its end.
func numberAt(s string, i int) int {
	j := i
	for j < len(s) && isASCIIDigit(s[j]) {
		j++
	}
	if j+1 < len(s) && s[j] == '.' && isASCIIDigit(s[j+1]) {
		j++
		for j < len(s) && isASCIIDigit(s[j]) {
			j++
		}
	}
	return j
}

// Zh lists the anchor keys of a Chinese sentence: numbers (Arabic,
// and Chinese ordinals such as 第三 or 十周年), Latin tokens (AEO, 5G) and
// glossary terms. It is a single hand-written scan: anchors are extracted
// for every sentence, so they must be cheap.
func (g *Glossary) Zh(s string) []string {
	var keys []string
	var seen []int // terms found: few per sentence
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c < utf8.RuneSelf && (isASCIIDigit(c) || isASCIILetter(c)):
			j, letter := i, false
			for j < len(s) && (isASCIIDigit(s[j]) || isASCIILetter(s[j])) {
				letter = letter || isASCIILetter(s[j])
				j++
			}
			if letter {
				keys = append(keys, "latin:"+s[i:j])
			} else {
				j = numberAt(s, i)
				keys = append(keys, "num:"+canonNumber(s[i:j]))
			}
			i = j
			continue
		}
		r, size := utf8x.Decode3(s[i:])
		if size == 0 {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if r == '第' {
			j := i + size
			for j < len(s) {
				d, n := utf8.DecodeRuneInString(s[j:])
				if _, ok := cjkValue(d); !ok {
					break
				}
				j += n
			}
			if n, ok := ChineseNumber(s[i+size : j]); ok && j > i+size {
				keys = append(keys, "num:"+strconv.Itoa(n))
			}
		} else if _, ok := cjkValue(r); ok && (i == 0 || !isCJKNumeralBefore(s, i)) {
			j := i
			for j < len(s) {
				d, n := utf8.DecodeRuneInString(s[j:])
				if _, ok := cjkValue(d); !ok {
					break
				}
				j += n
			}
			if strings.HasPrefix(s[j:], "周年") {
				if n, ok := ChineseNumber(s[i:j]); ok {
					keys = append(keys, "num:"+strconv.Itoa(n))
				}
			}
		}
		if g != nil && g.startsZh(r) {
			for _, ti := range g.zh[r] {
				if !slices.Contains(seen, ti) && strings.HasPrefix(s[i:], g.terms[ti].Zh) {
					seen = append(seen, ti)
					keys = append(keys, g.keys[ti])
				}
			}
		}
		i += size
	}
	sort.Strings(keys)
	return keys
}

// startsZh reports whether some term may start with r.
func (g *Glossary) startsZh(r rune) bool {
	if r < zhFirstLimit {
		return g.zhFirst != nil && g.zhFirst[r/64]&(1<<(r%64)) != 0
	}
	return len(g.zh[r]) > 0
}

func isCJKNumeralBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	_, ok := cjkValue(r)
	return ok || r == '第'
}

// En lists the anchor keys of an English sentence, in the same key
// space as Zh: numbers, ordinal words, acronyms and codes, glossary
// terms.
func (g *Glossary) En(s string) []string {
	var keys []string
	var seen []int // terms found: few per sentence
	var buf [32]byte
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf || !(isASCIIDigit(c) || isASCIILetter(c)) {
			_, size := utf8x.Decode3(s[i:])
			if size == 0 {
				_, size = utf8.DecodeRuneInString(s[i:])
			}
			i += size
			continue
		}
		// One pass over the word finds its end, its capitals, digits and
		// letters, and its wordHash (each was a pass of its own).
		j, upper, digit, letter, h := i, 0, false, false, fnvOffset
	word:
		for ; j < len(s); j++ {
			c := s[j]
			switch {
			case c >= 'A' && c <= 'Z':
				upper, letter = upper+1, true
				c += 'a' - 'A'
			case c >= 'a' && c <= 'z':
				letter = true
			case c >= '0' && c <= '9':
				digit = true
			case c == '-' || c == '&' || c == '.' && j+1 < len(s) && isASCIILetter(s[j+1]):
			default:
				break word
			}
			h = fnvAdd(h, c)
		}
		w := s[i:j]
		lw := w // lower-cased, when it has capitals
		if upper > 0 {
			lw = string(appendLower(buf[:0], w))
		}
		switch num, rest := leadingNumber(lw); {
		case num != "" && (rest == "" || numberSuffix[rest]):
			keys = append(keys, "num:"+canonNumber(num)) // 2030, 1960s, 3rd
		case upper >= 2 || digit && letter: // hasUpperOrDigitMix, for ASCII
			keys = append(keys, "latin:"+strings.TrimRight(w, ".")) // AEO, 5G, U.N
		default:
			if n, ok := ordinal(lw); ok {
				keys = append(keys, "num:"+strconv.Itoa(n))
			}
		}
		if h %= enFirstBits; g != nil && g.enFirst[h/64]&(1<<(h%64)) != 0 { // startsEn
			for _, e := range g.en[lw] {
				if !slices.Contains(seen, e.term) && hasPrefixLower(s[i:], e.form) {
					seen = append(seen, e.term)
					keys = append(keys, g.keys[e.term])
				}
			}
		}
		i = j
	}
	sort.Strings(keys)
	return keys
}

func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// hasPrefixLower reports whether asciiLower(s) starts with lower.
func hasPrefixLower(s, lower string) bool {
	if len(s) < len(lower) {
		return false
	}
	for i := 0; i < len(lower); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// numberSuffix are the letters that may follow a number in an English
// word that is still that number.
var numberSuffix = map[string]bool{"s": true, "st": true, "nd": true, "rd": true, "th": true}

// leadingNumber splits "1960s" into "1960" and "s".
func leadingNumber(w string) (num, rest string) {
	if w == "" || !isASCIIDigit(w[0]) {
		return "", w
	}
	e := numberAt(w, 0)
	return w[:e], w[e:]
}

// asciiLower lower-cases ASCII letters only, keeping byte offsets intact.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// firstWord is the leading word of s as En tokenises it.
func firstWord(s string) string {
	j := 0
	for j < len(s) && (isASCIIDigit(s[j]) || isASCIILetter(s[j]) || s[j] == '-' || s[j] == '&' || s[j] == '.' && j+1 < len(s) && isASCIILetter(s[j+1])) {
		j++
	}
	return s[:j]
}

func canonNumber(n string) string {
	t := strings.TrimLeft(n, "0")
	if t == "" || t[0] == '.' {
		t = "0" + t
	}
	return t
}

var cjkDigit = map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '兩': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// cjkValue reports whether r is a Chinese numeral character (the runes of
// cjkDigit, and 十 and 百), and its digit. It is asked of every rune of every
// sentence, so it is a switch, not a map lookup.
func cjkValue(r rune) (int, bool) {
	switch r {
	case '零', '〇', '十', '百':
		return 0, true
	case '一':
		return 1, true
	case '二', '两', '兩':
		return 2, true
	case '三':
		return 3, true
	case '四':
		return 4, true
	case '五':
		return 5, true
	case '六':
		return 6, true
	case '七':
		return 7, true
	case '八':
		return 8, true
	case '九':
		return 9, true
	}
	return 0, false
}

// ChineseNumber reads a Chinese numeral below 1000 (一, 十, 十七, 二十三,
// 一百零五); two digits in a row (二二) are not a numeral it reads.
func ChineseNumber(s string) (int, bool) {
	total, digit := 0, -1
	for _, r := range s {
		switch r {
		case '十', '百':
			unit := 10
			if r == '百' {
				unit = 100
			}
			if digit < 0 {
				digit = 1
			}
			total += digit * unit
			digit = -1
		default:
			d, ok := cjkDigit[r]
			if !ok {
				return 0, false
			}
			if digit > 0 {
				return 0, false
			}
			digit = d
		}
	}
	if digit > 0 {
		total += digit
	}
	return total, total > 0
}
