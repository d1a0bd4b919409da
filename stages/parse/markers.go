package parse

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/policyledger/policyledger/anchors"
)

// marker is what the start of a line says about its place in the hierarchy.
type marker struct {
	rank   int    // 1 = 第X部分/第X条/前言, 2 = X、, 3 = (X); 0 = none
	label  string // as printed: 第一部分, 一、, (三)
	number int    // numeric value of the label; 0 for unnumbered headings
	kind   string // fixed kind for unnumbered headings (preface), else ""
	rest   string // text after the label, trimmed
}

const cjkNum = `[零〇一二两三四五六七八九十百]+`

var (
	rank1     = regexp.MustCompile(`^(第(` + cjkNum + `)(?:部分|条|章|编))\s*(.*)$`)
	rank2     = regexp.MustCompile(`^((` + cjkNum + `)、)\s*(.*)$`)
	rank3     = regexp.MustCompile(`^([(（](` + cjkNum + `)[)）])\s*(.*)$`)
	unnumbers = map[string]string{"前言": "preface", "序言": "preface", "结束语": "conclusion", "结语": "conclusion"}

	enRank1 = regexp.MustCompile(`^((?:Part|Article|Chapter) ([IVXLC]+|\d+))\s*(.*)$`)
	enRank2 = regexp.MustCompile(`^(([IVXLC]+|\d+)\.)\s+(.*)$`)
	enRank3 = regexp.MustCompile(`^(\((\d+)\))\s*(.*)$`)
)

// zhMarker reads the marker at the start of a Chinese line.
func zhMarker(s string) marker {
	if kind, ok := unnumbers[s]; ok {
		return marker{rank: 1, kind: kind, rest: s}
	}
	for rank, re := range []*regexp.Regexp{rank1, rank2, rank3} {
		if m := re.FindStringSubmatch(s); m != nil {
			n, ok := anchors.ChineseNumber(m[2])
			if !ok {
				continue
			}
			return marker{rank: rank + 1, label: m[1], number: n, rest: strings.TrimSpace(m[3])}
		}
	}
	return marker{rest: s}
}

// enMarker reads the marker at the start of an English cell.
func enMarker(s string) marker {
	for rank, re := range []*regexp.Regexp{enRank1, enRank2, enRank3} {
		if m := re.FindStringSubmatch(s); m != nil {
			n, ok := romanOrArabic(m[2])
			if !ok {
				continue
			}
			return marker{rank: rank + 1, label: m[1], number: n, rest: strings.TrimSpace(m[3])}
		}
	}
	return marker{rest: s}
}

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

// chineseLabel renders n the way the document would, for error messages.
func chineseLabel(n int) string {
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
