package segment

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

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
