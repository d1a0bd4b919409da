package align

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/policyledger/policyledger/anchors"
)

// TestAnchorsOverruleLength: a short sentence translated loosely makes the
// lengths favour one 2-2 bead; the year both second sentences share splits
// it into two 1-1 beads.
func TestAnchorsOverruleLength(t *testing.T) {
	zh := []string{"中国同拉美地区虽然相距遥远,但双方人民友好交往源远流长。", "1949年新中国成立伊始,中拉之间以民间交往为主。"}
	en := []string{
		"Though far apart, the peoples have a long history of friendship.",
		"In the early days since the founding of the People's Republic of China in 1949, the relations were primarily characterized by people-to-people exchanges.",
	}
	m := Model{Ratio: 4.7, Variance: 29}
	lengthOnly := (&Aligner{Model: m}).Beads(zh, en)
	withAnchors := (&Aligner{Model: m, Glossary: anchors.NewGlossary(), Weights: DefaultWeights}).Beads(zh, en)
	if got := describe(lengthOnly); got != "1,2:1,2" {
		t.Errorf("length only: %s; want the 2-2 bead this case is built to provoke", got)
	}
	if got := describe(withAnchors); got != "1:1 2:2" {
		t.Errorf("with anchors: %s; want 1:1 2:2", got)
	}
	if last := withAnchors[len(withAnchors)-1]; !cmp.Equal(last.Anchors, []string{"num:1949"}) {
		t.Errorf("second bead anchors = %v; want [num:1949]", last.Anchors)
	}
}

// TestScoresArePosteriors: an unambiguous paragraph scores near 1; scores
// stay in [0,1].
func TestScoresArePosteriors(t *testing.T) {
	a := &Aligner{Model: Model{Ratio: 4.7, Variance: 29}, Glossary: anchors.NewGlossary(), Weights: DefaultWeights}
	beads := a.Beads([]string{"双方同意在2024年举行峰会。"}, []string{"The two sides agreed to hold a summit in 2024."})
	if len(beads) != 1 || beads[0].Score < 0.99 || beads[0].Score > 1 {
		t.Errorf("single pair beads = %+v; want one bead scoring ~1", beads)
	}
}

// TestHasWide: the byte scan answers as decoding every rune would, for
// every code point from U+2F00 to U+FFFF (full-width forms, the
// ideographic space and their neighbours) alone and among other text,
// and for bytes that start no valid sequence.
func TestHasWide(t *testing.T) {
	ref := func(s string) bool {
		for _, r := range s {
			if r >= 0xFF01 && r <= 0xFFEE || r == 0x3000 {
				return true
			}
		}
		return false
	}
	texts := []string{"", "abc", "中方\xef", "\xef\xbc", "\xef\xbc\x81", "a\xe3\x80", "\xe3\x80\x80", "\xef\xef\xbc\x81", "x\xef\xbf\xbdy"}
	for r := rune(0x2F00); r <= 0xFFFF; r++ {
		texts = append(texts, string(r), "中拉"+string(r)+"合作", "\xef"+string(r))
	}
	wide := 0
	for _, s := range texts {
		if got, want := hasWide(s), ref(s); got != want {
			t.Fatalf("hasWide(%q) = %v; want %v", s, got, want)
		} else if got {
			wide++
		}
	}
	if wide < 3*239 {
		t.Fatalf("only %d wide texts: the test does not reach the full-width forms", wide)
	}
}

// TestLengthCostIsDefinition: lengthCost, which skips Erfc and Log far
// out, is exactly −log max(lengthProb, 1e-12) for every pair of lengths a
// paragraph's sentences or lines make, under models around the shipped
// one and at its edges (no variance, no ratio).
func TestLengthCostIsDefinition(t *testing.T) {
	models := []Model{{Ratio: 4.7, Variance: 29}, {Ratio: 2.9, Variance: 12.5}, {Ratio: 0.4, Variance: 3}, {Ratio: 6, Variance: 80}, {Ratio: 3}, {Variance: 10}, {}}
	floor := 0
	for _, m := range models {
		for zl := 0; zl <= 400; zl++ {
			for el := 0; el <= 1600; el++ {
				want := -math.Log(math.Max(lengthProb(zl, el, m), 1e-12))
				if got := lengthCost(zl, el, m); got != want {
					t.Fatalf("lengthCost(%d, %d, %+v) = %v; the definition gives %v", zl, el, m, got, want)
				}
				if want == floorCost {
					floor++
				}
			}
		}
	}
	if floor == 0 {
		t.Fatal("no pair is at the floor: the shortcut is not tested")
	}
}
