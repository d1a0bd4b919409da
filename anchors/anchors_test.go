package anchors

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
