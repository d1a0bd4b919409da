package align

import (
	"context"
	"strings"
	"testing"

	"github.com/policyledger/policyledger/segment"

	"github.com/google/go-cmp/cmp"

	"github.com/policyledger/policyledger/anchors"
	"github.com/policyledger/policyledger/schemas"
)

func TestPair(t *testing.T) {
	zh := "中方愿同拉方加强合作。双方将举办论坛。"
	en := "China stands ready to strengthen cooperation with LAC. The two sides will hold a forum."
	a := &Aligner{Model: Model{Ratio: 2.9, Variance: 6}, Weights: DefaultWeights}
	got := a.Pair(zh, en)
	var beads []string
	for _, s := range got {
		beads = append(beads, s.Bead+" "+s.Zh+" | "+s.En)
		if s.Score == nil || *s.Score < 0 || *s.Score > 1 {
			t.Errorf("score %v out of [0,1]", s.Score)
		}
		if string([]rune(zh)[s.ZhStart:s.ZhEnd]) != s.Zh || string([]rune(en)[s.EnStart:s.EnEnd]) != s.En {
			t.Errorf("offsets of %q / %q are wrong", s.Zh, s.En)
		}
	}
	want := []string{
		"1-1 中方愿同拉方加强合作。 | China stands ready to strengthen cooperation with LAC.",
		"1-1 双方将举办论坛。 | The two sides will hold a forum.",
	}
	if diff := cmp.Diff(want, beads); diff != "" {
		t.Errorf("Pair (-want +got):\n%s", diff)
	}

	// One Chinese sentence translated as two English ones.
	got = a.Pair("中国坚定奉行独立自主的和平外交政策,践行全人类共同价值。", "China pursues an independent foreign policy of peace. It is dedicated to the common values of humanity.")
	if len(got) != 1 || got[0].Bead != "1-2" {
		t.Errorf("Pair of one zh and two en = %d beads %v; want one 1-2", len(got), got)
	}
}

func TestEstimate(t *testing.T) {
	docs := []schemas.Document{{Clauses: []schemas.Clause{
		{TextZh: strings.Repeat("中", 10), TextEn: strings.Repeat("e", 30)},
		{TextZh: strings.Repeat("中", 20), TextEn: strings.Repeat("e", 60)},
		{TextZh: "只有中文"}, // monolingual clauses do not count
	}}}
	m := Estimate(docs)
	if m.Ratio != 3 || m.Variance != minVariance || m.Pairs != 2 {
		t.Errorf("Estimate = %+v; want ratio 3, variance at its floor, 2 pairs", m)
	}
	if m := Estimate(nil); m.Ratio != 0 {
		t.Errorf("Estimate(nil) = %+v; want zero", m)
	}
}

func TestDocumentChineseOnly(t *testing.T) {
	d := schemas.Document{Source: schemas.Source{ID: "t"}, Clauses: []schemas.Clause{
		{ID: "t/art1", DocID: "t", TitleZh: "政治"},
		{ID: "t/art1/item1", DocID: "t", TextZh: "加强交往。扩大合作。", Complete: false, SourceLine: 3},
	}}
	got, err := Document(d, &Aligner{}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	want := []schemas.Sentence{
		{ID: "t/art1/item1/s1", ClauseID: "t/art1/item1", DocID: "t", Ordinal: 1, Zh: "加强交往。", ZhStart: 0, ZhEnd: 5, EnStart: -1, EnEnd: -1, Complete: true},
		// The clause was cut off by the capture: its last sentence is incomplete.
		{ID: "t/art1/item1/s2", ClauseID: "t/art1/item1", DocID: "t", Ordinal: 2, Zh: "扩大合作。", ZhStart: 5, ZhEnd: 10, EnStart: -1, EnEnd: -1},
	}
	if diff := cmp.Diff(want, got.Sentences); diff != "" {
		t.Errorf("sentences (-want +got):\n%s", diff)
	}
	// Declared bilingual, the same clause has no English: 1-0 beads, each
	// flagged with the snapshot line, never a quiet Chinese-only row.
	bi := d
	bi.Source.Languages = []string{"zh", "en"}
	got, err = Document(bi, &Aligner{}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range got.Sentences {
		if s.Bead != "1-0" || !s.NeedsReview || !strings.Contains(s.ReviewReason, "no English") || !strings.Contains(s.ReviewReason, "line 3") {
			t.Errorf("%s: bead %q needs_review %v reason %q; want a flagged 1-0 bead naming line 3", s.ID, s.Bead, s.NeedsReview, s.ReviewReason)
		}
	}
	// A bilingual clause with no model is an error, not a silent guess.
	d.Clauses[1].TextEn = "Strengthen exchanges."
	if _, err := Document(d, &Aligner{}, 0.5); err == nil {
		t.Error("Document with an empty model and English succeeded; want an error")
	}
}

func TestStageCounts(t *testing.T) {
	st := &schemas.State{Docs: []schemas.Document{{Source: schemas.Source{ID: "t"}, Clauses: []schemas.Clause{
		{ID: "t/p1", DocID: "t", TextZh: "甲乙丙。", TextEn: "Alpha beta gamma."},
	}}}}
	if err := schemas.RunAll(context.Background(), st, Stage{}); err != nil {
		t.Fatal(err)
	}
	if st.Counts["align.bead_1-1"] != 1 {
		t.Errorf("counts = %v", st.Counts)
	}
}

// BenchmarkPair reports sentences aligned per second on a typical paragraph.
func BenchmarkPair(b *testing.B) {
	zh := strings.Repeat("中方愿同拉方加强在贸易、投资和金融领域的合作。双方将继续举办论坛。", 3)
	en := strings.Repeat("China stands ready to strengthen cooperation with LAC in trade, investment and finance. The two sides will continue to hold the forum. ", 3)
	a := &Aligner{Model: Model{Ratio: 2.9, Variance: 6}, Glossary: anchors.NewGlossary(), Weights: DefaultWeights}
	n := len(segment.Zh(zh)) + len(segment.En(en))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Pair(zh, en)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "sentences/s")
}

// TestLengthReview: a one-sentence paragraph has no other reading, so its
// bead's posterior is 1 whatever it says; lengths that do not fit at all
// still flag it.
func TestLengthReview(t *testing.T) {
	d := schemas.Document{Source: schemas.Source{ID: "t", Languages: []string{"zh", "en"}}, Clauses: []schemas.Clause{
		// 20 characters of Chinese: the model expects about 93 of English
		// (sd 24); these 176 sit over three deviations off.
		{ID: "t/p1", DocID: "t", TextZh: "中方愿同拉方加强贸易投资金融和科技领域合作。", TextEn: "China will work with LAC countries to strengthen cooperation in trade, investment, finance, science, technology, culture, tourism, health, education and the environment alike.", Complete: true},
	}}
	got, err := Document(d, &Aligner{Model: DefaultModel.Model(), Glossary: anchors.NewGlossary(), Weights: DefaultWeights}, 0.8)
	if err != nil {
		t.Fatal(err)
	}
	s := got.Sentences[0]
	if *s.Score < 0.8 || !s.NeedsReview || !strings.Contains(s.ReviewReason, "length score") {
		t.Errorf("bead %s score %v length %v needs_review %v reason %q; want flagged for its length", s.Bead, *s.Score, *s.LengthScore, s.NeedsReview, s.ReviewReason)
	}
}

// TestRuneText: cutting by rune offsets gives what converting through
// []rune gave, for valid text (substrings) and for text with bad bytes
// (U+FFFD for them).
func TestRuneText(t *testing.T) {
	for _, text := range []string{"", "中拉论坛。China and 𠀀 LAC.", "ab\xffc中\xe4\xb8", "é\u0301x"} {
		rs := []rune(text)
		rt := newRuneText(text)
		for start := 0; start <= len(rs); start++ {
			for end := start; end <= len(rs); end++ {
				sp := segment.Span{Start: start, End: end}
				if got, want := rt.slice(sp), string(rs[start:end]); got != want {
					t.Fatalf("newRuneText(%q).slice(%v) = %q; want %q", text, sp, got, want)
				}
			}
		}
	}
}
