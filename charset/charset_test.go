package charset

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

func TestDecode(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("中国—拉共体论坛")
	big5, _ := traditionalchinese.Big5.NewEncoder().String("中國與拉美國家的合作")
	tests := []struct {
		name, ct string
		raw      []byte
		want     string
		enc      string
	}{
		{"utf-8", "", []byte("中文"), "中文", "utf-8"},
		{"utf-8 bom", "", []byte("\xef\xbb\xbf中文"), "中文", "utf-8"},
		{"utf-16le bom", "", []byte{0xff, 0xfe, 0x2d, 0x4e, 0x87, 0x65}, "中文", "utf-16"},
		{"header gbk", "text/html; charset=GBK", []byte(gbk), "中国—拉共体论坛", "gbk"},
		{"meta gb2312", "text/html", append([]byte(`<meta charset="gb2312">`), gbk...), `<meta charset="gb2312">中国—拉共体论坛`, "gbk"},
		{"sniffed gbk", "", []byte(gbk), "中国—拉共体论坛", "gb18030"},
		{"sniffed big5", "", []byte(big5), "中國與拉美國家的合作", "big5"},
	}
	for _, tt := range tests {
		out, enc, err := Decode(tt.raw, tt.ct)
		if err != nil || string(out) != tt.want || enc != tt.enc {
			t.Errorf("%s: Decode = %q, %s, %v; want %q, %s", tt.name, out, enc, err, tt.want, tt.enc)
		}
	}
	// The action plan's whole snapshot, as a GBK site would serve it.
	plan, _ := os.ReadFile("../sources/snapshots/celac-jap-2022-2024.zh.md")
	enc, err := simplifiedchinese.GB18030.NewEncoder().Bytes(plan)
	if err != nil {
		t.Fatal(err)
	}
	if out, name, err := Decode(enc, ""); err != nil || name != "gb18030" || string(out) != string(plan) {
		t.Errorf("action plan in GB18030: %s, %v, equal=%v", name, err, string(out) == string(plan))
	}
	for name, raw := range map[string][]byte{"binary": {0x00, 0x01, 0xff, 0xfe, 0x80}, "latin-1 bytes": []byte("caf\xe9 \xe0 la carte")} {
		if _, _, err := Decode(raw, ""); err == nil {
			t.Errorf("%s: Decode accepted it", name)
		}
	}
	if _, _, err := Decode([]byte("ok \xc3\x28"), "text/plain; charset=utf-8"); err == nil {
		t.Error("invalid UTF-8 declared as UTF-8 was accepted")
	}
}

// TestDecodeAs: a snapshot declared in an encoding decodes to the same text;
// a declared encoding the bytes do not fit is an error.
func TestDecodeAs(t *testing.T) {
	plan, err := os.ReadFile("../sources/snapshots/celac-jap-2022-2024.zh.md")
	if err != nil {
		t.Fatal(err)
	}
	gb, _ := simplifiedchinese.GB18030.NewEncoder().Bytes(plan)
	big5, _ := traditionalchinese.Big5.NewEncoder().String("中國與拉美國家的合作")
	for _, tt := range []struct {
		name, enc, want string
		raw             []byte
	}{
		{"gb18030", "gb18030", string(plan), gb},
		{"gbk", "gbk", string(plan), gb},
		{"auto", "auto", string(plan), gb},
		{"big5", "big5", "中國與拉美國家的合作", []byte(big5)},
		{"utf-16le", "utf-16le", "中文", []byte{0x2d, 0x4e, 0x87, 0x65}},
		{"utf-16be", "utf-16be", "中文", []byte{0x4e, 0x2d, 0x65, 0x87}},
		{"utf-8", "", string(plan), plan},
	} {
		out, _, err := DecodeAs(tt.raw, tt.enc)
		if err != nil || string(out) != tt.want {
			t.Errorf("%s: DecodeAs(%s) = %.20q, %v; want %.20q", tt.name, tt.enc, out, err, tt.want)
		}
	}
	if _, _, err := DecodeAs(gb, "big5"); err == nil {
		t.Error("the plan in GB18030, declared big5, decoded without error")
	}
	if _, _, err := DecodeAs([]byte{0x81, 0x20, 0xff, 0x00}, "big5"); err == nil {
		t.Error("bytes that are not Big5, declared big5, decoded without error")
	}
}

// TestErrorsSayWhere: bytes that do not decode are named by line and
// character, so that a file in the declared charset with one damaged byte
// is told apart from a file in another charset. Each damaged byte is put
// by hand where the expectation says.
func TestErrorsSayWhere(t *testing.T) {
	gb := func(s string) []byte { b, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s)); return b }
	b5 := func(s string) []byte { b, _ := traditionalchinese.Big5.NewEncoder().Bytes([]byte(s)); return b }
	// damage sets the byte after the encoded prefix to 0xFF, which opens
	// no character in GB18030 or Big5.
	damage := func(enc func(string) []byte, prefix, text string) []byte {
		b := enc(text)
		b[len(enc(prefix))] = 0xFF
		return b
	}
	gbText := "第一行\n第二行 AB\n中国同拉美合作\n"
	b5Text := "第一行\n中國與拉美國家的合作\n"
	utf16 := []byte{'a', 0, 'b', 0, '\n', 0, 'c', 0, 0x00, 0xD8, '\n', 0} // "ab\nc" and a lone surrogate
	for _, tt := range []struct {
		name, enc string
		raw       []byte
		want      string
	}{
		{"gb18030", "gb18030", damage(gb, "第一行\n第二行 AB\n中国同拉", gbText), "does not decode as gb18030 at line 3 character 5"},
		{"gbk", "gbk", damage(gb, "第一", gbText), "does not decode as gbk at line 1 character 3"},
		{"big5", "big5", damage(b5, "第一行\n中國與拉美國家的", b5Text), "does not decode as big5 at line 2 character 9"},
		{"utf-16le", "utf-16le", utf16, "does not decode as utf-16le at line 2 character 2"},
		{"auto", "auto", damage(gb, "第一行\n第二行 AB\n中国同拉", gbText), "not UTF-8 (line 1 byte 1), not GB18030 (line 3 character 5), not Big5 ("},
	} {
		_, _, err := DecodeAs(tt.raw, tt.enc)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: DecodeAs = %v; want an error saying %q", tt.name, err, tt.want)
		}
	}
	if _, _, err := Decode([]byte("ok\nab\xffc"), "text/plain; charset=utf-8"); err == nil || !strings.Contains(err.Error(), "at line 2 byte 3") {
		t.Errorf("invalid UTF-8 declared as UTF-8: %v; want it to say line 2 byte 3", err)
	}
}

// FuzzDecodeAs: whatever the bytes and the declared encoding, decoding
// returns UTF-8 or a one-line error, never a panic; and UTF-8 input
// detected as such comes back unchanged.
func FuzzDecodeAs(f *testing.F) {
	gb, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte("中国同拉美合作\n第二行"))
	b5, _ := traditionalchinese.Big5.NewEncoder().Bytes([]byte("中國與拉美國家的合作"))
	for _, raw := range [][]byte{gb, b5, []byte("中文 text\n"), {0xff, 0xfe, 0x2d, 0x4e}, {0xef, 0xbb, 0xbf, 0xe4}, {0x81, 0x20, 0xff}} {
		for i := range Names {
			f.Add(raw, uint8(i))
		}
		f.Add(raw, uint8(len(Names)))
	}
	f.Fuzz(func(t *testing.T, raw []byte, pick uint8) {
		name := "auto"
		if int(pick) < len(Names) {
			name = Names[pick]
		}
		out, got, err := DecodeAs(raw, name)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("%s: error of more than one line: %q", name, err)
			}
			return
		}
		if name != "utf-8" && !utf8.Valid(out) {
			t.Fatalf("%s: decoded (as %s) to invalid UTF-8: %q", name, got, out)
		}
		if name == "auto" && utf8.Valid(raw) && !bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}) && !bytes.Equal(out, raw) {
			t.Fatalf("auto changed valid UTF-8: %q -> %q", raw, out)
		}
	})
}
