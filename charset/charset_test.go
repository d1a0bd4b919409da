package charset

import (
	"os"
	"testing"

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
