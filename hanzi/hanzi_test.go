package hanzi

import (
	"os"
	"testing"
	"unicode"
)

func TestSimplified(t *testing.T) {
	for in, want := range map[string]string{
		"中國對拉丁美洲和加勒比政策文件":         "中国对拉丁美洲和加勒比政策文件",
		"第一條 推進領域合作":              "第一条 推进领域合作",
		"already simplified 中拉论坛": "already simplified 中拉论坛",
	} {
		if got := Simplified(in); got != want {
			t.Errorf("Simplified(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestScript: the two released documents read as simplified; the same text
// in traditional characters reads as traditional.
func TestScript(t *testing.T) {
	for _, path := range []string{"../sources/snapshots/celac-jap-2022-2024.zh.md", "../sources/snapshots/lac-policy-2025.zh-en.txt"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := Script(string(b)); got != "Hans" {
			t.Errorf("Script(%s) = %s; want Hans", path, got)
		}
	}
	if got := Script("中國與拉美國家的合作，推進各領域交流。"); got != "Hant" {
		t.Errorf("Script(traditional) = %s; want Hant", got)
	}
}

// TestIsHan: IsHan answers as the Unicode table does, for every code point.
func TestIsHan(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if IsHan(r) != unicode.Is(unicode.Han, r) {
			t.Fatalf("IsHan(%U) = %v; the table says %v", r, IsHan(r), !IsHan(r))
		}
	}
}
