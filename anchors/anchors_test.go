package anchors

import (
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/policyledger/policyledger/internal/randtext"
)

var testGlossary = NewGlossary([]Term{
	{Zh: "拉共体", En: []string{"CELAC"}},
	{Zh: "一带一路", En: []string{"Belt and Road", "BRI"}},
	{Zh: "联合国", En: []string{"United Nations", "U.N."}},
})

func TestAnchors(t *testing.T) {
	tests := []struct {
		zh, en string
		want   []string // keys both sides share
	}{
		{"推动联合国安理会第1540号决议得到执行。", "Promote the implementation of UNGA Resolution 1540 by the U.N.", []string{"num:1540", "term:联合国"}},
		{"2008年中国政府发布首份对拉政策文件。", "In 2008, the Chinese government issued its first policy paper.", []string{"num:2008"}},
		{"中国政府发布第三份文件。", "The government releases its third policy paper.", []string{"num:3"}},
		{"深化“经认证的经营者”(AEO)互认合作。", "AEO mutual recognition.", []string{"latin:AEO"}},
		{"在5G等领域合作。", "Cooperation in 5G and other areas.", []string{"latin:5G"}},
		{"上世纪60年代后。", "After the 1960s.", nil},
		{"高质量共建“一带一路”,拉共体成员国。", "High-quality Belt and Road cooperation with CELAC member states.", []string{"term:一带一路", "term:拉共体"}},
		{"中拉论坛成立十周年。", "The 10th anniversary of the Forum.", []string{"num:10"}},
	}
	for _, tt := range tests {
		z, e := testGlossary.Zh(tt.zh), testGlossary.En(tt.en)
		var shared []string
		for _, k := range z {
			for _, l := range e {
				if k == l {
					shared = append(shared, k)
					break
				}
			}
		}
		if diff := cmp.Diff(tt.want, shared); diff != "" {
			t.Errorf("shared anchors of %q / %q (-want +got):\n%s\nzh %v\nen %v", tt.zh, tt.en, diff, z, e)
		}
	}
}

func TestParseGlossary(t *testing.T) {
	terms, err := ParseGlossary("g.yaml", []byte("- {zh: 拉共体, en: [CELAC]}\n"))
	if err != nil || len(terms) != 1 {
		t.Fatalf("ParseGlossary = %v, %v", terms, err)
	}
	for _, bad := range []string{"- {zh: 拉共体}\n", "- {zh: 拉共体, en: [X], colour: red}\n", "zh: x\n"} {
		if _, err := ParseGlossary("g.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), "g.yaml") {
			t.Errorf("ParseGlossary(%q) = %v; want an error naming the file", bad, err)
		}
	}
}

// cjkValue is a switch for speed; it must agree with cjkDigit, which
// ChineseNumber reads.
func TestCJKValueAgreesWithDigits(t *testing.T) {
	for r, d := range cjkDigit {
		if v, ok := cjkValue(r); !ok || v != d {
			t.Errorf("cjkValue(%q) = %d, %v; want %d, true", r, v, ok, d)
		}
	}
	n := 0
	for r := rune(0); r < 0x30000; r++ {
		if _, ok := cjkValue(r); ok {
			n++
		}
	}
	if want := len(cjkDigit) + 2; n != want { // and 十, 百
		t.Errorf("cjkValue accepts %d runes, want %d", n, want)
	}
}

// Ordinal words are numbers, capitalised or not (in capitals they read as
// an acronym); words that only contain one are not.
func TestEnOrdinals(t *testing.T) {
	got := NewGlossary().En("The Twentieth and Eleventh sessions, the fifth plan, a firsthand account and twelfths.")
	want := []string{"num:11", "num:20", "num:5"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("En = %q, want %q", got, want)
	}
}

// enRef is En as it was written before its word scan found capitals,
// digits and the word's hash in one pass: the definition En must keep.
func (g *Glossary) enRef(s string) []string {
	var keys []string
	var seen []int // terms found: few per sentence
	var buf [32]byte
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf || !(isASCIIDigit(c) || isASCIILetter(c)) {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			continue
		}
		j := i
		for j < len(s) && (isASCIIDigit(s[j]) || isASCIILetter(s[j]) || s[j] == '-' || s[j] == '&' || s[j] == '.' && j+1 < len(s) && isASCIILetter(s[j+1])) {
			j++
		}
		w := s[i:j]
		lw := w // lower-cased, when it has capitals
		if hasASCIIUpper(w) {
			lw = string(appendLower(buf[:0], w))
		}
		switch num, rest := leadingNumber(lw); {
		case num != "" && (rest == "" || numberSuffix[rest]):
			keys = append(keys, "num:"+canonNumber(num)) // 2030, 1960s, 3rd
		case hasUpperOrDigitMix(w):
			keys = append(keys, "latin:"+strings.TrimRight(w, ".")) // AEO, 5G, U.N
		default:
			if n, ok := ordinal(lw); ok {
				keys = append(keys, "num:"+strconv.Itoa(n))
			}
		}
		if g != nil && g.startsEn(w) {
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

// startsEn reports whether some form's first word may be w, in any case.
func (g *Glossary) startsEn(w string) bool {
	h := wordHash(w)
	return g.enFirst[h/64]&(1<<(h%64)) != 0
}

func hasASCIIUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// hasUpperOrDigitMix reports whether an English word looks like an acronym
// or code that a Chinese text would keep in Latin letters: two or more
// capitals (AEO, FATF, BRICS) or letters mixed with digits (5G).
func hasUpperOrDigitMix(w string) bool {
	upper, digit, letter := 0, false, false
	for i := 0; i < len(w); {
		if c := w[i]; c < utf8.RuneSelf { // the words En reads are ASCII
			switch {
			case c >= 'A' && c <= 'Z':
				upper++
				letter = true
			case c >= '0' && c <= '9':
				digit = true
			case c >= 'a' && c <= 'z':
				letter = true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(w[i:])
		switch {
		case unicode.IsUpper(r):
			upper++
			letter = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsLetter(r):
			letter = true
		}
		i += size
	}
	return upper >= 2 || digit && letter
}

// TestEnMatchesReference: En gives the keys of enRef on random texts of
// words that are numbers, ordinals, acronyms, codes, glossary forms in any
// case, and of everything else En looks at.
func TestEnMatchesReference(t *testing.T) {
	g := NewGlossary([]Term{
		{Zh: "拉共体", En: []string{"CELAC"}},
		{Zh: "一带一路", En: []string{"Belt and Road", "BRI"}},
		{Zh: "联合国", En: []string{"United Nations", "U.N."}},
		{Zh: "中拉论坛", En: []string{"China-CELAC Forum"}},
		{Zh: "五年", En: []string{"5-year plan"}},
	})
	words := []string{"the", "The", "CELAC", "celac", "Belt", "belt", "and", "Road", "BRI", "bri", "United", "UNITED",
		"Nations", "U.N.", "U.N", "u.n.", "China-CELAC", "Forum", "5-year", "plan", "2030", "1960s", "1960S", "3rd", "3RD",
		"21st", "first", "First", "TWENTIETH", "5G", "g20", "AEO", "Ae", "R&D", "e.g.", "A.", "x-", "&", ".", "-", "4.5",
		"0.50", "007", "中国", "é", " ", "  ", ",", "(", "\xff", "a.b", "AbC", "abC1"}
	rng := rand.New(rand.NewPCG(3, 4))
	for k := 0; k < 50000; k++ {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(words[rng.IntN(len(words))])
			if rng.IntN(3) > 0 {
				b.WriteByte(" ,.;"[rng.IntN(4)])
			}
		}
		s := b.String()
		for _, gl := range []*Glossary{g, nil} {
			if got, want := gl.En(s), gl.enRef(s); !cmp.Equal(got, want) {
				t.Fatalf("En(%q) = %q; enRef gives %q", s, got, want)
			}
		}
	}
}

// TestWithIsNewGlossary: adding a document's terms to a shared glossary
// gives what indexing all of them together gives, leaves the shared one as
// it was, and can be done from several goroutines at once (go test -race).
func TestWithIsNewGlossary(t *testing.T) {
	zh := []string{"拉共体", "拉美", "拉丁美洲", "一带一路", "联合国", "联合声明", "中拉论坛", "中国", "中非合作", "中美", "三"}
	en := []string{"CELAC", "celac", "Latin America", "Belt and Road", "BRI", "United Nations", "China-CELAC Forum", "China", "three", "U.N."}
	rng := rand.New(rand.NewPCG(5, 6))
	terms := func(n int) []Term {
		var out []Term
		for range n {
			t := Term{Zh: zh[rng.IntN(len(zh))]}
			for range 1 + rng.IntN(3) {
				t.En = append(t.En, en[rng.IntN(len(en))])
			}
			out = append(out, t)
		}
		return out
	}
	// (zhFirst, 24 KB, is compared apart: cmp is slow on long slices)
	same := []cmp.Option{cmp.AllowUnexported(Glossary{}, enIx{}), cmpopts.EquateEmpty(), cmpopts.IgnoreFields(Glossary{}, "zhFirst")}
	for k := 0; k < 300; k++ {
		a, b := terms(rng.IntN(6)), terms(rng.IntN(6))
		shared := NewGlossary(a, b)
		before := NewGlossary(a, b)
		owns := [][]Term{terms(rng.IntN(6)), terms(rng.IntN(6)), terms(rng.IntN(6))}
		got := make([]*Glossary, len(owns))
		done := make(chan int)
		for i, own := range owns {
			go func() { got[i] = shared.With(own); done <- i }()
		}
		for range owns {
			<-done
		}
		for i, own := range owns {
			if want := NewGlossary(a, b, own); !cmp.Equal(got[i], want, same...) || !slices.Equal(got[i].zhFirst, want.zhFirst) {
				t.Fatalf("With(%v) on %v, %v differs from NewGlossary of all: %s", own, a, b, cmp.Diff(want, got[i], same...))
			}
		}
		if !cmp.Equal(shared, before, same...) || !slices.Equal(shared.zhFirst, before.zhFirst) {
			t.Fatalf("With changed the shared glossary of %v, %v: %s", a, b, cmp.Diff(before, shared, same...))
		}
	}
}

// zhTermsRef lists the glossary keys Zh finds in s by brute force: every
// term tried at every rune Zh reads (not inside a run of ASCII letters and
// digits), each term once.
func (g *Glossary) zhTermsRef(s string) []string {
	var keys []string
	seen := map[int]bool{}
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf && (isASCIIDigit(c) || isASCIILetter(c)) {
			for i < len(s) && (isASCIIDigit(s[i]) || isASCIILetter(s[i])) {
				i++
			}
			continue
		}
		for ti, t := range g.terms {
			if !seen[ti] && strings.HasPrefix(s[i:], t.Zh) {
				seen[ti] = true
				keys = append(keys, g.keys[ti])
			}
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return keys
}

// TestZhMatchesReference: Zh, which looks a term up only where the first
// two runes of some term stand, finds the terms brute force finds (and the
// numbers the glossary-less scan finds), on random texts of terms, their
// first runes, numerals, Latin and broken bytes, with terms of one rune and
// terms that share a first rune.
func TestZhMatchesReference(t *testing.T) {
	g := NewGlossary([]Term{
		{Zh: "拉共体"}, {Zh: "拉美"}, {Zh: "拉丁美洲"}, {Zh: "一带一路"}, {Zh: "联合国"}, {Zh: "中拉论坛"},
		{Zh: "中"}, {Zh: "中国"}, {Zh: "第三"}, {Zh: "５Ｇ"}, {Zh: "\U00020000\U00020001"}, {Zh: "𠀀"},
	})
	pieces := []string{"拉", "共", "体", "美", "丁", "洲", "一", "带", "路", "联", "合", "国", "中", "论", "坛", "第", "三",
		"十", "周年", "２０", "５", "Ｇ", "2030", "G20", "AEO", "a", " ", "，", "。", "\U00020000", "\U00020001", "𠀀", "\xff", "\xe4\xb8"}
	rng := rand.New(rand.NewPCG(7, 8))
	found := 0
	for k := 0; k < 50000; k++ {
		s := randtext.Join(rng, pieces, 16)
		want := append((*Glossary)(nil).Zh(s), g.zhTermsRef(s)...)
		sort.Strings(want)
		if got := g.Zh(s); !cmp.Equal(got, want, cmpopts.EquateEmpty()) {
			t.Fatalf("Zh(%q) = %q; the reference gives %q", s, got, want)
		}
		found += len(g.zhTermsRef(s))
	}
	if found < 10000 {
		t.Fatalf("only %d terms found: the texts do not exercise the glossary", found)
	}
}
