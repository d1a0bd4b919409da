package segment

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/policyledger/policyledger/internal/randtext"
)

const (
	zhEnders = "。！？"
	closers  = "”’」』）)》〉】\"'"
)

// zhRef is Zh as first written, over a copy of the text as runes: the
// definition Zh must keep (FuzzSegment compares them).
//
// Zh splits Chinese text into sentences. A sentence ends at 。！？ or
// at …… that ends the text or is followed by a closer, taking any closing
// quotes or brackets after it; ； does not end a sentence. The spans cover
// the text without gaps, so their concatenation is the text.
func zhRef(text string) []Span {
	rs := []rune(text)
	var spans []Span
	start := 0
	for i := 0; i < len(rs); i++ {
		end := -1
		switch {
		case strings.ContainsRune(zhEnders, rs[i]):
			end = i + 1
		case rs[i] == '…' && i+1 < len(rs) && rs[i+1] == '…':
			j := i + 2
			if j == len(rs) || strings.ContainsRune(closers, rs[j]) {
				end = j
			} else {
				i++
			}
		}
		if end < 0 {
			continue
		}
		// Several enders in a row (？！) stay in one sentence.
		for end < len(rs) && (strings.ContainsRune(zhEnders, rs[end]) || strings.ContainsRune(closers, rs[end])) {
			end++
		}
		spans = append(spans, Span{start, end})
		start, i = end, end-1
	}
	if start < len(rs) {
		spans = append(spans, Span{start, len(rs)})
	}
	return spans
}

// enRef is En as first written (see zhRef).
//
// En splits English text into sentences. A sentence ends at . ! or ?
// (with closing quotes and brackets kept) followed by white space or the end
// of the text, except after an abbreviation. Spans exclude the white space
// between sentences; text[span] joined by that white space is the text.
func enRef(text string) []Span {
	rs := []rune(text)
	var spans []Span
	start := 0
	for start < len(rs) && unicode.IsSpace(rs[start]) {
		start++
	}
	for i := start; i < len(rs); i++ {
		if rs[i] != '.' && rs[i] != '!' && rs[i] != '?' {
			continue
		}
		end := i + 1
		for end < len(rs) && (strings.ContainsRune(closers, rs[end]) || rs[end] == '.' || rs[end] == '!' || rs[end] == '?') {
			end++
		}
		if end < len(rs) && !unicode.IsSpace(rs[end]) {
			continue
		}
		if rs[i] == '.' && !endsSentenceRef(rs, start, i, end) {
			continue
		}
		spans = append(spans, Span{start, end})
		start = end
		for start < len(rs) && unicode.IsSpace(rs[start]) {
			start++
		}
		i = start - 1
	}
	if start < len(rs) {
		end := len(rs)
		for end > start && unicode.IsSpace(rs[end-1]) {
			end--
		}
		spans = append(spans, Span{start, end})
	}
	return spans
}

// endsSentence decides whether the period at rs[dot] ends a sentence.
func endsSentenceRef(rs []rune, start, dot, end int) bool {
	w := dot
	for w > start && !unicode.IsSpace(rs[w-1]) && rs[w-1] != '(' {
		w--
	}
	word := string(rs[w : dot+1])
	if word == "etc." {
		n := end
		for n < len(rs) && unicode.IsSpace(rs[n]) {
			n++
		}
		return n == len(rs) || unicode.IsUpper(rs[n])
	}
	return !abbreviations[word]
}

func texts(s string, spans []Span) []string {
	rs := []rune(s)
	var out []string
	for _, sp := range spans {
		out = append(out, string(rs[sp.Start:sp.End]))
	}
	return out
}

func TestSegmentZh(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"two sentences", "甲乙。丙丁！", []string{"甲乙。", "丙丁！"}},
		{"semicolon does not end", "甲；乙。", []string{"甲；乙。"}},
		{"closing quote kept", "他说“好。”然后走了。", []string{"他说“好。”", "然后走了。"}},
		{"question then exclamation", "真的吗？！是的。", []string{"真的吗？！", "是的。"}},
		{"ellipsis at end", "等等……", []string{"等等……"}},
		{"ellipsis inside", "甲……乙。", []string{"甲……乙。"}},
		{"no terminator", "2020年7月22日中拉应对新冠肺炎疫情", []string{"2020年7月22日中拉应对新冠肺炎疫情"}},
		{"bracket after", "见《文件》。）下文。", []string{"见《文件》。）", "下文。"}},
	}
	for _, tt := range tests {
		if got := texts(tt.in, Zh(tt.in)); !cmp.Equal(got, tt.want) {
			t.Errorf("%s: Zh(%q) = %q; want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestSegmentEn(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"two sentences", "China acts. LAC agrees.", []string{"China acts.", "LAC agrees."}},
		{"U.N. abbreviation", "The U.N. Charter holds. Next one.", []string{"The U.N. Charter holds.", "Next one."}},
		{"No. before number", "Resolution No. 1540 applies. Yes.", []string{"Resolution No. 1540 applies.", "Yes."}},
		{"e.g. and i.e.", "Areas, e.g. trade, i.e. goods. Done.", []string{"Areas, e.g. trade, i.e. goods.", "Done."}},
		{"etc. before lowercase", "Trade, energy, etc. are areas. Next.", []string{"Trade, energy, etc. are areas.", "Next."}},
		{"etc. before capital", "Trade, energy, etc. China agrees.", []string{"Trade, energy, etc.", "China agrees."}},
		{"closing quote kept", `He said "Yes." Then left.`, []string{`He said "Yes."`, "Then left."}},
		{"decimal", "It grew 2.5 percent. Good.", []string{"It grew 2.5 percent.", "Good."}},
		{"question", "Why? Because.", []string{"Why?", "Because."}},
		{"no terminator", "Efforts will be made", []string{"Efforts will be made"}},
		{"parenthesis", "It joined (GDI). Then more.", []string{"It joined (GDI).", "Then more."}},
	}
	for _, tt := range tests {
		if got := texts(tt.in, En(tt.in)); !cmp.Equal(got, tt.want) {
			t.Errorf("%s: En(%q) = %q; want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// FuzzSegment: segmentation never loses or changes a character.
func FuzzSegment(f *testing.F) {
	for _, s := range []string{"甲。乙！", "U.N. No. 5. etc. Next.", "“好。”", "……", " a. b ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Zh(s), zhRef(s); !cmp.Equal(got, want) {
			t.Fatalf("Zh(%q) = %v; the runes' definition gives %v", s, got, want)
		}
		if got, want := En(s), enRef(s); !cmp.Equal(got, want) {
			t.Fatalf("En(%q) = %v; the runes' definition gives %v", s, got, want)
		}
		if !utf8.ValidString(s) {
			return
		}
		rs := []rune(s)
		var b strings.Builder
		prev := 0
		for _, sp := range Zh(s) {
			if sp.Start != prev || sp.End <= sp.Start {
				t.Fatalf("Zh(%q): span %v after %d", s, sp, prev)
			}
			b.WriteString(string(rs[sp.Start:sp.End]))
			prev = sp.End
		}
		if b.String() != s {
			t.Fatalf("Zh(%q) joins to %q", s, b.String())
		}
		prev = 0
		for _, sp := range En(s) {
			if sp.Start < prev || sp.End <= sp.Start || strings.TrimSpace(string(rs[prev:sp.Start])) != "" {
				t.Fatalf("En(%q): span %v after %d drops text", s, sp, prev)
			}
			prev = sp.End
		}
		if strings.TrimSpace(string(rs[prev:])) != "" {
			t.Fatalf("En(%q) drops the tail %q", s, string(rs[prev:]))
		}
	})
}

// TestSegmentMatchesRunes: Zh and En give the spans of their definitions
// over runes (zhRef, enRef) on random texts made of what they look at:
// enders, ellipses, closers, abbreviations, white space of one and three
// bytes, and bytes that are not UTF-8.
func TestSegmentMatchesRunes(t *testing.T) {
	parts := []string{"。", "！", "？", "…", "……", "”", "’", "」", "）", ")", "》", "\"", "'", "；",
		".", "!", "?", "(", " ", "\u3000", "\n", "etc.", "U.N.", "No.", "e.g.", "Trade", "a", "甲", "\xff", "\xe3\x80", "\x80"}
	rng := rand.New(rand.NewPCG(1, 2))
	for k := 0; k < 100000; k++ {
		s := randtext.Join(rng, parts, 16)
		if got, want := Zh(s), zhRef(s); !cmp.Equal(got, want) {
			t.Fatalf("Zh(%q) = %v; the runes' definition gives %v", s, got, want)
		}
		if got, want := En(s), enRef(s); !cmp.Equal(got, want) {
			t.Fatalf("En(%q) = %v; the runes' definition gives %v", s, got, want)
		}
	}
}
