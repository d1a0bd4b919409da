package classify

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/policyledger/policyledger/internal/utf8x"
)

func parseFloat(s string) (float64, error) { return strconv.ParseFloat(s, 64) }

// match is a cue found in a text.
type match struct {
	cue
	pos, end int // byte offsets of the cue
}

// firstCue finds the cue that decides a text's modality: the earliest
// (ties to the earlier rule); a generic will cue hands over to a special
// verb that follows it.
//
// present is r.cueGate.present(text).
func (r *Rules) firstCue(lang, text string, present []bool) (match, bool) {
	var best match
	found := false
	for _, c := range r.cues[lang] {
		if !r.cueGate.may(c.re, present) {
			continue
		}
		loc := c.scan.FindStringSubmatchIndex(text)
		if loc == nil {
			continue
		}
		pos := loc[0]
		if i := c.re.SubexpIndex("cue"); i > 0 && loc[2*i] >= 0 {
			pos = loc[2*i]
		}
		if !found || pos < best.pos {
			best, found = match{c, pos, loc[1]}, true
		}
	}
	if !found || best.Modality != "will" || best.Passive {
		return best, found
	}
	// After "will"/将: skip adverbs, and let a special verb decide.
	rest := strings.TrimLeft(text[best.end:], " ")
	for {
		w, tail, _ := strings.Cut(rest, " ")
		if !contains(r.afterWill[lang], strings.ToLower(w)) {
			break
		}
		rest = tail
	}
	for _, c := range r.cues[lang] {
		if c.Modality == "will" || c.Passive || !r.cueGate.may(c.re, present) {
			continue // (rest is part of text: what it holds, text holds)
		}
		if loc := c.scan.FindStringIndex(rest); loc != nil && strings.TrimSpace(rest[:loc[0]]) == "" {
			return match{c, best.pos, best.end}, true
		}
	}
	return best, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// notCommitment returns the id of a non-commitment pattern the text
// matches, or "".
func (r *Rules) notCommitment(lang, text string, present []bool) string {
	for _, n := range r.nonCommitment[lang] {
		if r.cueGate.may(n.re, present) && n.scan.MatchString(text) {
			return n.id
		}
	}
	return ""
}

// actor decides who commits: the subject before an active cue, else (for
// subjectless and passive units) both when the unit says the two sides,
// else the side it names, else the document's issuer.
func (r *Rules) actor(lang, text string, m match, docType string) (actor, rule string) {
	if !m.Passive {
		left := text[:m.pos]
		for _, a := range r.actors[lang] {
			if a.fold.may(left) && a.re.MatchString(left) {
				return a.actor, a.id
			}
		}
	}
	if j, ok := r.joint[lang]; ok && j.fold.may(text) && j.re.MatchString(text) {
		return j.actor, j.id
	}
	clause := deciding(text, m.pos)
	for _, a := range r.namedSide[lang] {
		if a.fold.may(clause) && a.re.MatchString(clause) {
			return a.actor, lang + "." + a.id
		}
	}
	if d, ok := r.defaultActor[docType]; ok {
		return d, "default." + docType
	}
	return "other", "default.other"
}

// lower is strings.ToLower(s), quicker on Chinese text: when no rune would
// change it returns s, deciding without the case tables for ASCII and for
// the blocks of Chinese text that have no case (general punctuation, CJK
// symbols through the unified ideographs, full-width punctuation and
// digits: TestLower checks every code point of them).
func lower(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				return strings.ToLower(s)
			}
			i++
			continue
		}
		r, size := utf8x.Decode3(s[i:])
		if size == 0 {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if !caseless(r) {
			return strings.ToLower(s)
		}
		i += size
	}
	return s
}

func caseless(r rune) bool {
	return r >= 0x2000 && r <= 0x206F || r >= 0x3000 && r <= 0x9FFF || r >= 0xFF01 && r <= 0xFF20
}

// deciding returns the clause of text that holds byte offset pos: from the
// last clause mark before it to the next one.
func deciding(text string, pos int) string {
	start := strings.LastIndexAny(text[:pos], "，；：。,;:") + 1
	if start > 0 {
		_, size := utf8.DecodeRuneInString(text[start-1:])
		start = start - 1 + size
	}
	end := strings.IndexAny(text[pos:], "，；：。,;:")
	if end < 0 {
		return text[start:]
	}
	return text[start : pos+end]
}

// sector scores the taxonomy's keywords: each occurrence in the unit's
// texts counts 1 (English keywords match at the start of a word), and a
// sector named by a heading gets 0.75 from the nearest heading and 0.25
// from each other one. The best score wins, ties to the earlier sector; no
// keyword at all gives "other".
//
// The work area, when not nil, keeps the keyword counts of headings, which
// every unit under them repeats.
func (r *Rules) sector(texts []string, headings []string, w *work) (code, rule string) {
	if w == nil {
		w = &work{}
	}
	memo := w.memo
	// Counted text by text: no keyword holds a line break, so none spans
	// two texts, and a text's start is a word's start.
	w.zh, w.en = reuse(w.zh, len(r.sectorZh.words)), reuse(w.en, len(r.sectorEn.words))
	for _, t := range texts {
		if w.u != nil {
			e := w.scan(t)
			for _, id := range e.touched {
				if k := w.u.toSector[id]; k >= 0 {
					w.zh[k] += e.counts[id]
				}
			}
		} else {
			r.sectorZh.addCounts(w.zh, t, nil)
		}
		r.sectorEn.addCounts(w.en, lower(t), wordStart)
	}
	zh, en := w.zh, w.en
	inHeading := make([][]int, len(headings))
	for i, h := range headings {
		c, ok := memo[h]
		if !ok {
			c = r.sectorZh.counts(h, nil)
			if memo != nil {
				memo[h] = c
			}
		}
		inHeading[i] = c
	}
	best, bestScore := "other", 0.0
	for _, k := range r.sectorKeys {
		score := 0.0
		for _, id := range k.zhID {
			score += float64(zh[id])
		}
		for _, id := range k.enID {
			score += float64(en[id])
		}
		for i := range headings {
			weight := 0.25
			if i == len(headings)-1 {
				weight = 0.75
			}
			for _, id := range k.zhID {
				if inHeading[i][id] > 0 {
					score += weight
					break
				}
			}
		}
		if score > bestScore+1e-9 {
			best, bestScore = k.code, score
		}
	}
	if bestScore == 0 {
		return "other", "sector.none"
	}
	return best, "sector.keywords"
}

// extract finds money amounts, years and resolution numbers.
func (r *Rules) extract(texts []string, w *work) (value *float64, currency string, years, resolutions []string) {
	seenY, seenR := map[string]bool{}, map[string]bool{}
	for _, t := range texts {
		if !strings.ContainsAny(t, "0123456789") {
			continue // every amount, year and resolution has a digit
		}
		present := r.cueGate.present(t, w)
		for _, m := range r.money {
			if value != nil {
				break
			}
			if !r.cueGate.may(m.re, present) {
				continue
			}
			if sm := m.re.FindStringSubmatch(t); sm != nil {
				v, err := parseFloat(sm[1])
				if err != nil {
					continue
				}
				if len(sm) > 2 && sm[2] != "" {
					v *= r.multipliers[sm[2]]
				}
				v = math.Round(v*100) / 100
				value, currency = &v, m.currency
			}
		}
		for _, re := range r.years {
			if !r.cueGate.may(re, present) {
				continue
			}
			for _, sm := range re.FindAllStringSubmatch(t, -1) {
				if !seenY[sm[1]] {
					seenY[sm[1]] = true
					years = append(years, sm[1])
				}
			}
		}
		for _, re := range r.resolutions {
			if !r.cueGate.may(re, present) {
				continue
			}
			for _, sm := range re.FindAllStringSubmatch(t, -1) {
				if !seenR[sm[1]] {
					seenR[sm[1]] = true
					resolutions = append(resolutions, sm[1])
				}
			}
		}
	}
	sort.Strings(years)
	sort.Strings(resolutions)
	return value, currency, years, resolutions
}
