package link

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/policyledger/policyledger/schemas"
)

func doc(id, date string, seq *int, clauses ...schemas.ClauseFeatures) schemas.DocFeatures {
	return schemas.DocFeatures{DocID: id, Date: date, Sequence: seq, Clauses: clauses}
}

func zh(id, text string, mech ...string) schemas.ClauseFeatures {
	return schemas.ClauseFeatures{ID: id, Zh: bigrams(text), Mech: mech}
}

func intp(n int) *int { return &n }

func rules(t *testing.T) *Rules {
	t.Helper()
	r, err := LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestPair: a later paragraph that restates an item, among other things,
// continues it; an unrelated one does not; a shared named mechanism is
// evidence.
func TestPair(t *testing.T) {
	a := doc("plan", "2021-12-03", nil,
		zh("plan/i1", "继续办好中拉科技创新论坛。", "sti-forum"),
		zh("plan/i2", "推动并发展家庭农业。"),
		zh("plan/i3", "加强民航领域互利友好合作。"))
	b := doc("paper", "2025-05-13", nil,
		zh("paper/p1", "加强政府间科技创新合作机制建设，继续办好中拉科技创新论坛，深入实施科技伙伴计划。", "sti-forum"),
		zh("paper/p2", "深化体育交流与合作，鼓励双方体育组织加强联系。"),
		zh("paper/p3", "举办中拉文明对话大会。"))
	links := Pair(a, b, rules(t))
	if len(links) != 1 || links[0].From != "plan/i1" || links[0].To != "paper/p1" {
		t.Fatalf("links = %+v; want only plan/i1 → paper/p1", links)
	}
	if ev := strings.Join(links[0].Evidence, ","); !strings.Contains(ev, "mechanism sti-forum") || !strings.Contains(ev, "text ") {
		t.Errorf("evidence %q; want the text score and the shared mechanism", ev)
	}
	// The same inputs give the same links, bit for bit.
	if again := Pair(a, b, rules(t)); !reflect.DeepEqual(links, again) {
		t.Error("Pair is not deterministic")
	}
}

// TestCorpusOrderAndIndependence: links run from the earlier document to
// the later by date, else by sequence; a pair that cannot be ordered is
// said, not guessed; and the links between two documents do not change
// when a third joins the run.
func TestCorpusOrderAndIndependence(t *testing.T) {
	r := rules(t)
	// Weights are counted over the two documents' clauses: each has a few.
	plan := doc("plan", "", intp(1), zh("plan/i1", "继续办好中拉科技创新论坛。", "sti-forum"),
		zh("plan/i2", "推动并发展家庭农业。"), zh("plan/i3", "加强民航领域互利友好合作。"))
	paper := doc("paper", "", intp(2), zh("paper/p1", "继续办好中拉科技创新论坛，深入实施科技伙伴计划。", "sti-forum"),
		zh("paper/p2", "深化体育交流与合作，鼓励双方体育组织加强联系。"), zh("paper/p3", "举办中拉文明对话大会。"))
	other := doc("speech", "", nil, zh("speech/p1", "继续办好中拉科技创新论坛。", "sti-forum"))
	run := func(docs ...schemas.DocFeatures) ([]schemas.Link, []schemas.Continuity, []string) {
		links, cont, notes, err := Corpus(len(docs), func(i int) (schemas.DocFeatures, error) { return docs[i], nil }, r)
		if err != nil {
			t.Fatal(err)
		}
		return links, cont, notes
	}
	// Manifest order paper, plan: the plan still comes first by sequence.
	links, cont, _ := run(paper, plan)
	if len(links) != 1 || links[0].FromDoc != "plan" || links[0].ToDoc != "paper" {
		t.Fatalf("links = %+v; want plan → paper", links)
	}
	if len(cont) != 3 || cont[0].ClauseID != "plan/i1" || cont[0].Status != "continued" || cont[1].Status != "dropped" {
		t.Errorf("continuity = %+v; want plan/i1 continued, the others dropped", cont)
	}
	links3, _, notes := run(paper, plan, other)
	var between []schemas.Link
	for _, l := range links3 {
		if l.FromDoc == "plan" && l.ToDoc == "paper" {
			between = append(between, l)
		}
	}
	if !reflect.DeepEqual(between, links) {
		t.Errorf("a third document changed the links between the first two: %+v, was %+v", between, links)
	}
	if !strings.Contains(strings.Join(notes, "\n"), "speech") || !strings.Contains(strings.Join(notes, "\n"), "sequence in sources.yaml") {
		t.Errorf("notes %q; want the document that cannot be ordered named, with the remedy", notes)
	}
}

// TestCorpusWindow: a document reaches the next Window later dates even
// when many documents share its date (they are not linked to each other),
// and a document with only a sequence is named when dated documents cannot
// be ordered against it.
func TestCorpusWindow(t *testing.T) {
	r := rules(t)
	var docs []schemas.DocFeatures
	for k := 0; k < 5*r.Window; k++ {
		id := fmt.Sprintf("same%02d", k)
		docs = append(docs, doc(id, "2020-01-01", nil, zh(id+"/i1", "继续办好中拉科技创新论坛。", "sti-forum"),
			zh(id+"/i2", "推动并发展家庭农业。")))
	}
	docs = append(docs,
		doc("later", "2021-01-01", nil, zh("later/p1", "继续办好中拉科技创新论坛，深入实施科技伙伴计划。", "sti-forum"),
			zh("later/p2", "举办中拉文明对话大会。")),
		doc("undated", "", intp(7), zh("undated/p1", "继续办好中拉科技创新论坛。")))
	links, cont, notes, err := Corpus(len(docs), func(i int) (schemas.DocFeatures, error) { return docs[i], nil }, r)
	if err != nil {
		t.Fatal(err)
	}
	to := map[string]int{}
	for _, l := range links {
		to[l.ToDoc]++
		if l.ToDoc != "later" {
			t.Errorf("link %s → %s; documents of one date are not ordered", l.From, l.To)
		}
	}
	if to["later"] != 5*r.Window {
		t.Errorf("%d documents of 2020-01-01 link to the one of 2021; want all %d", to["later"], 5*r.Window)
	}
	if len(cont) != 2*5*r.Window {
		t.Errorf("%d continuity rows; want one per clause of a document with a later one (%d)", len(cont), 2*5*r.Window)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "undated") || !strings.Contains(notes[0], "sources.yaml") {
		t.Errorf("notes %q; want one naming the document with only a sequence, with the remedy", notes)
	}
}

// TestFeaturesOfUnorderedDocument: a document with neither a date nor a
// sequence is in no pair, so its clauses are not featurised; the same
// document with a sequence is, and Corpus still names the first one.
func TestFeaturesOfUnorderedDocument(t *testing.T) {
	d := schemas.Document{
		Source:  schemas.Source{ID: "undated"},
		Clauses: []schemas.Clause{{ID: "undated/p1", TextZh: "继续办好中拉科技创新论坛。", TextEn: "China will continue to hold the forum."}},
	}
	f := Features(d, nil, rules(t))
	if f.DocID != "undated" || len(f.Clauses) != 0 {
		t.Fatalf("features of an undated document without a sequence = %+v; want its head only", f)
	}
	d.Source.Sequence = intp(1)
	if g := Features(d, nil, rules(t)); len(g.Clauses) != 1 || len(g.Clauses[0].Zh.Keys) == 0 || len(g.Clauses[0].En) == 0 {
		t.Fatalf("features with a sequence = %+v; want the clause's bigrams and words", g)
	}
	feats := []schemas.DocFeatures{f, doc("dated", "2025-01-01", nil, zh("dated/p1", "继续办好中拉科技创新论坛。"))}
	_, _, notes, err := Corpus(len(feats), func(i int) (schemas.DocFeatures, error) { return feats[i], nil }, rules(t))
	if err != nil || len(notes) != 1 || !strings.Contains(notes[0], "undated is not linked") {
		t.Fatalf("notes = %q, err %v; want one saying undated is not linked", notes, err)
	}
}

// TestBigrams: pairs of adjacent Han characters, counted; anything else
// breaks a run.
func TestBigrams(t *testing.T) {
	b := bigrams("中拉论坛2025年中拉𠀀论坛，a中")
	got := refBigrams(b)
	want := map[string]int{"中拉": 2, "拉论": 1, "论坛": 2, "年中": 1, "拉𠀀": 1, "𠀀论": 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("bigrams = %v; want %v", got, want)
	}
	if !slices.IsSorted(b.Keys) || len(b.Keys) != len(b.Counts) {
		t.Errorf("bigrams = %v: want keys in order, a count each", b)
	}
	if got := bigrams("no Han here"); got.Keys != nil || got.Counts != nil {
		t.Errorf("bigrams(no Han) = %v; want none", got)
	}
}

// referenceWords is words as first written: lower-case the text, split it
// at every non-letter.
func referenceWords(s string) map[string]int {
	out := map[string]int{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len(w) < 3 || stopwords[w] {
			continue
		}
		if len(w) > 4 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			w = w[:len(w)-1]
		}
		out[w]++
	}
	return out
}

// TestWordsIsReference: the in-place splitting of ASCII text counts the
// same words as the reference, on the English of the policy paper and on
// edge cases (capitals, long words, digits, plurals, non-ASCII).
func TestWordsIsReference(t *testing.T) {
	b, err := os.ReadFile("../../sources/snapshots/lac-policy-2025.zh-en.txt")
	if err != nil {
		t.Fatal(err)
	}
	texts := strings.Split(string(b), "\n")
	texts = append(texts, "", "a", "THE Belt-and-Road Initiative's PROGRAMS", "COVID-19 vaccines, 2025s",
		strings.Repeat("Pneumonoultramicroscopicsilicovolcanoconiosis", 3)+" ok", "São Paulo and İstanbul", "ZZZ zz Zzz", "[]{}@`")
	for _, s := range texts {
		if got, want := words(s), referenceWords(s); !reflect.DeepEqual(got, want) && len(got)+len(want) > 0 {
			t.Fatalf("words(%.60q) = %v; want %v", s, got, want)
		}
	}
}

func FuzzWords(f *testing.F) {
	f.Add("The Two Sides will CONTINUE programs")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := words(s), referenceWords(s); !reflect.DeepEqual(got, want) && len(got)+len(want) > 0 {
			t.Fatalf("words(%q) = %v; want %v", s, got, want)
		}
	})
}

// TestBigramKeysSortAsStrings: packed keys order bigrams as their strings
// are ordered, across the BMP and the supplementary planes, so that sums
// over features in key order are the same as with string keys.
func TestBigramKeysSortAsStrings(t *testing.T) {
	chars := []rune("〇一丁中拉论坛㐀䶵豈龥𠀀𪛖𫝀丽𰀀")
	var text strings.Builder
	for _, a := range chars {
		for _, b := range chars {
			text.WriteRune(a)
			text.WriteRune(b)
			text.WriteString("，")
		}
	}
	bg := bigrams(text.String())
	if len(bg.Keys) != len(chars)*len(chars) {
		t.Fatalf("bigrams = %d keys; want %d", len(bg.Keys), len(chars)*len(chars))
	}
	var strs []string
	for _, k := range bg.Keys { // in key order
		strs = append(strs, string([]rune{rune(k >> 21), rune(k & (1<<21 - 1))}))
	}
	if !slices.IsSorted(strs) {
		t.Errorf("bigrams in key order are not in string order: %q", strs)
	}
}

// TestEncodeDocIsEncodeRandom: on random documents, encodeDoc gives
// Encode(Features) byte for byte: words that repeat within a clause and
// across clauses, capitals, plurals, common words, accented letters,
// clauses without English or without text, and documents that are not
// featurised at all.
func TestEncodeDocIsEncodeRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	pool := strings.Fields("forum Forum FORUMS energy trade Trade science farming investments culture exchange the China will " +
		"class classes São Paulo İstanbul Belt-and-Road COVID-19 2025 programmes Programmes pneumonoultramicroscopicsilicovolcanoconiosis")
	han := []rune("合作论坛中拉科技创新农业发展能源贸易投资文化交流")
	texts := 0
	for k := 0; k < 300; k++ {
		d := schemas.Document{Source: schemas.Source{ID: fmt.Sprintf("d%d", k)}}
		switch rng.IntN(4) {
		case 0:
			d.Source.Sequence = intp(k)
		case 1, 2:
			date := "2024-01-01"
			d.Source.AdoptedDate = &date
		} // else neither: not featurised
		for c := rng.IntN(12); c > 0; c-- {
			cl := schemas.Clause{ID: fmt.Sprintf("d%d/p%d", k, len(d.Clauses)+1)}
			if rng.IntN(3) > 0 {
				var s []rune
				for i := rng.IntN(20); i > 0; i-- {
					s = append(s, han[rng.IntN(len(han))])
				}
				cl.TextZh = string(s)
			}
			if rng.IntN(3) > 0 {
				var ws []string
				for i := rng.IntN(15); i > 0; i-- {
					ws = append(ws, pool[rng.IntN(len(pool))])
				}
				cl.TextEn = strings.Join(ws, " ")
			}
			if cl.IsText() {
				texts++
			}
			d.Clauses = append(d.Clauses, cl)
			if rng.IntN(2) == 0 {
				d.Commitments = append(d.Commitments, schemas.Commitment{ClauseID: cl.ID, IsCommitment: true, Sector: "trade", Modality: "will", MechanismIDs: []string{"bri"}})
			}
		}
		f := Features(d, nil, rules(t))
		want, err := Encode(f)
		if err != nil {
			t.Fatal(err)
		}
		got, n, err := encodeDoc(d, nil, rules(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Clauses) == 0 {
			want = nil // a document without clauses to compare carries no prepared form
		}
		if !bytes.Equal(got.Prepared, want) || n != len(f.Clauses) || got.Clauses != nil {
			t.Fatalf("%s: encodeDoc gives %d bytes for %d clauses; Encode(Features) %d bytes for %d\n%+v", d.Source.ID, len(got.Prepared), n, len(want), len(f.Clauses), d.Clauses)
		}
	}
	if texts < 500 {
		t.Fatalf("only %d text clauses: the test compares too little", texts)
	}
}
