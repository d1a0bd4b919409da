// Package charset decodes snapshot bytes to UTF-8: by a byte-order mark,
// a declared charset (a manifest's encoding, a Content-Type header, an HTML
// meta tag) or, for undeclared text that is not UTF-8, by detection between
// GB18030 and Big5. The fetch stage decodes fetched bodies with it and the
// clean stage decodes pinned snapshots, which are kept as the bytes they
// were captured in.
package charset

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

var metaCharset = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?([\w-]+)`)

// Decode turns a fetched body into UTF-8. The charset comes from, in order:
// a byte-order mark, the Content-Type header, an HTML meta tag, and, for
// undeclared bodies that are not UTF-8, detection among GB18030 (which
// covers GBK and GB2312) and Big5. A body that decodes under none of them
// is refused.
func Decode(raw []byte, contentType string) ([]byte, string, error) {
	return decode(raw, contentType, "")
}

// decode is Decode with an optional declared charset name, which wins over
// everything but a byte-order mark.
func decode(raw []byte, contentType, declared string) ([]byte, string, error) {
	switch {
	case bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}):
		return check(raw[3:], "utf-8")
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}), bytes.HasPrefix(raw, []byte{0xFE, 0xFF}):
		return decodeWith(unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), raw, "utf-16")
	}
	name := declared
	if _, params, err := mime.ParseMediaType(contentType); err == nil && name == "" {
		name = params["charset"]
	}
	if name == "" {
		head := raw
		if len(head) > 4096 {
			head = head[:4096]
		}
		if m := metaCharset.FindSubmatch(head); m != nil {
			name = string(m[1])
		}
	}
	if name != "" {
		enc, err := htmlindex.Get(name)
		if err != nil {
			return nil, "", fmt.Errorf("charset %q is not one this pipeline knows: convert the source to UTF-8", name)
		}
		canon, _ := htmlindex.Name(enc)
		if canon == "utf-8" {
			return check(raw, "utf-8")
		}
		return decodeWith(enc, raw, canon)
	}
	if utf8.Valid(raw) {
		return raw, "utf-8", nil
	}
	// Both decodings may succeed on the same bytes; the one that reads as
	// more ordinary Chinese wins (ties to GB18030). Where none does, the
	// error says how far each got: a file in one of them with a damaged
	// byte is told apart from a file in none.
	var best []byte
	bestName, bestRatio := "", 0.0
	var why []string
	for _, c := range []struct {
		enc        encoding.Encoding
		name, show string
	}{{simplifiedchinese.GB18030, "gb18030", "GB18030"}, {traditionalchinese.Big5, "big5", "Big5"}} {
		out, name, err := decodeWith(c.enc, raw, c.name)
		de, _ := err.(*decodeError)
		switch r := chineseRatio(out); {
		case de != nil && de.line > 0:
			why = append(why, fmt.Sprintf("not %s (line %d character %d)", c.show, de.line, de.char))
		case err != nil:
			why = append(why, fmt.Sprintf("not %s", c.show))
		case r < 0.3:
			why = append(why, fmt.Sprintf("not ordinary Chinese as %s (%.0f%% common characters)", c.show, r*100))
		case r > bestRatio:
			best, bestName, bestRatio = out, name, r
		}
	}
	if best != nil {
		return best, bestName, nil
	}
	line, col, _ := InvalidUTF8(raw)
	why = append([]string{fmt.Sprintf("not UTF-8 (line %d byte %d)", line, col)}, why...)
	return nil, "", fmt.Errorf("body is %s: declare its charset (Content-Type or <meta charset>) or convert it to UTF-8", strings.Join(why, ", "))
}

func check(b []byte, name string) ([]byte, string, error) {
	if line, col, ok := InvalidUTF8(b); !ok {
		return nil, "", fmt.Errorf("body declared %s is not valid %s at line %d byte %d: fix the source's encoding", name, name, line, col)
	}
	return b, name, nil
}

// InvalidUTF8 reports where b's first byte that is not UTF-8 is: its line
// and its byte in that line, from 1. ok is true when b is valid UTF-8.
func InvalidUTF8(b []byte) (line, col int, ok bool) {
	if utf8.Valid(b) {
		return 0, 0, true
	}
	line, start := 1, 0
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return line, i - start + 1, false
		}
		if r == '\n' {
			line, start = line+1, i+1
		}
		i += size
	}
	return line, 0, false
}

func decodeWith(enc encoding.Encoding, raw []byte, name string) ([]byte, string, error) {
	out, err := enc.NewDecoder().Bytes(raw)
	if err != nil {
		return nil, "", &decodeError{name: name, err: err}
	}
	if at := bytes.IndexRune(out, utf8.RuneError); at >= 0 && !bytes.Contains(raw, []byte("\uFFFD")) {
		// Each encoding here decodes a line break to a line break, and
		// what it cannot decode to U+FFFD, so the decoded text's line is
		// the file's.
		start := bytes.LastIndexByte(out[:at], '\n') + 1
		line := bytes.Count(out[:start], []byte{'\n'}) + 1
		return nil, "", &decodeError{name: name, line: line, char: utf8.RuneCount(out[start:at]) + 1}
	}
	return out, name, nil
}

// decodeError is bytes that do not decode in a charset: where the first
// such bytes are (line and character, from 1), when that is known.
type decodeError struct {
	name       string
	line, char int
	err        error
}

func (e *decodeError) Error() string {
	if e.line == 0 {
		return fmt.Sprintf("body does not decode as %s (%v): check the declared charset", e.name, e.err)
	}
	return fmt.Sprintf("body does not decode as %s at line %d character %d: check the declared charset, or mend the bytes there", e.name, e.line, e.char)
}

// common are some 500 of the most frequent Chinese characters, in simplified
// and traditional forms. A right guess of a two-byte charset gives mostly
// these; a wrong one gives rare ideographs, kana and symbols.
const common = "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切团差类拉洲论坛和作策" +
	"這來個國說們為時過還發當從動兩長樣現將與點種聲話兒問機給幾業間門東無開頭見經學對裡後麼沒於實進種關並內軍產萬體別處總場師書員報馬張難數車應記邊風戰許覺題統請愛讓認論義術結聯權該領傳紅決達辦強轉眾輕語滿寫識極黃臉錢黨雙歷視濟離雖壞興團類會著對親務製"

// chineseRatio is the share of the ideographs and kana of b that are
// common Chinese characters.
func chineseRatio(b []byte) float64 {
	var hits, n int
	for _, r := range string(b) {
		if r < 0x2E80 || r >= 0xFF00 || r >= 0x3000 && r <= 0x303F {
			continue // ASCII, punctuation, symbols, full-width forms
		}
		n++
		if strings.ContainsRune(common, r) {
			hits++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(hits) / float64(n)
}

// Names are the encodings a manifest may declare, besides auto.
var Names = []string{"utf-8", "gb18030", "gbk", "big5", "utf-16le", "utf-16be"}

// Known reports whether name is auto or one of Names.
func Known(name string) bool {
	if name == "auto" {
		return true
	}
	for _, n := range Names {
		if n == name {
			return true
		}
	}
	return false
}

// DecodeAs decodes a pinned snapshot declared in encoding name (one of
// Names, or auto: UTF-8 when the bytes are valid UTF-8, else detection). It
// returns the UTF-8 text and the encoding it was read in. An empty name is
// UTF-8, the bytes returned as they are.
func DecodeAs(raw []byte, name string) ([]byte, string, error) {
	switch name {
	case "", "utf-8":
		return raw, "utf-8", nil
	case "auto":
		return Decode(raw, "")
	case "utf-16le", "utf-16be":
		order := unicode.LittleEndian
		if name == "utf-16be" {
			order = unicode.BigEndian
		}
		return decodeWith(unicode.UTF16(order, unicode.UseBOM), raw, name)
	}
	out, enc, err := decode(raw, "", name)
	if err != nil {
		return nil, "", err
	}
	// A wrong two-byte charset often decodes without error into rare
	// ideographs: refuse text that does not read as ordinary Chinese.
	if r := chineseRatio(out); r > 0 && r < 0.3 {
		return nil, "", fmt.Errorf("decodes as %s into mostly uncommon characters (%.0f%% common): the file is in another encoding", name, r*100)
	}
	return out, enc, nil
}
