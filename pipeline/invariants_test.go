package pipeline_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/policyledger/policyledger/stages/release"
)

// TestReleaseInvariants reads a release's JSON Lines back, as a user
// would, and checks what the schema reference promises of every row
// across the tables: offsets that cut exactly the text they point to,
// hashes of the text they name, trimmed text, counts, references that
// resolve, labels present exactly on commitments, and links that run from
// the earlier document to the later one, with continuity's best link the
// best of them. The corpus is generated in every layout the parser knows
// (24 documents, dated two a week), so each layout's offsets are checked.
//
// The embedded sources are checked too: the policy paper states no date,
// so their links go by sequence.
func TestReleaseInvariants(t *testing.T) {
	for name, src := range map[string]string{"generated": writeCorpus(t, 24), "embedded": filepath.Join("..", "sources")} {
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			runIn(t, src, out, release.Auto, false)
			check := invariants{t: t, seen: map[string]int{}}
			check.run(filepath.Join(out, "releases", release.FirstVersion))
			for _, table := range []string{"documents", "clauses", "sentences", "commitments", "links", "continuity"} {
				if check.seen[table] == 0 {
					t.Errorf("%s: no rows checked", table)
				}
			}
		})
	}
}

type row = map[string]any

type invariants struct {
	t    *testing.T
	seen map[string]int // rows read per table
	errs int
}

// fail reports a broken promise, at most 20 in all.
func (c *invariants) fail(format string, a ...any) {
	c.t.Helper()
	if c.errs++; c.errs <= 20 {
		c.t.Errorf(format, a...)
	}
}

func (c *invariants) read(dir, table string, each func(r row)) {
	c.t.Helper()
	f, err := os.Open(filepath.Join(dir, table+".jsonl"))
	if err != nil {
		c.t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		var r row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			c.t.Fatalf("%s line %d: %v", table, c.seen[table]+1, err)
		}
		c.seen[table]++
		each(r)
	}
	if err := sc.Err(); err != nil {
		c.t.Fatal(err)
	}
}

// s is a column's string, "" for null; n a column's number, -1 for null.
func s(r row, k string) string { v, _ := r[k].(string); return v }
func n(r row, k string) int {
	if v, ok := r[k].(float64); ok {
		return int(v)
	}
	return -1
}

// cut is text's code points [from, to), with ok false where they are not
// inside it.
func cut(text string, from, to int) (string, bool) {
	rs := []rune(text)
	if from < 0 || to < from || to > len(rs) {
		return "", false
	}
	return string(rs[from:to]), true
}

func hash(v string) string { h := sha256.Sum256([]byte(v)); return hex.EncodeToString(h[:]) }

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func (c *invariants) trimmed(where string, r row, keys ...string) {
	c.t.Helper()
	for _, k := range keys {
		if v, ok := r[k].(string); ok && (v == "" || strings.TrimFunc(v, unicode.IsSpace) != v) {
			c.fail("%s: %s %q is empty or not trimmed", where, k, v)
		}
	}
}

func (c *invariants) run(dir string) {
	docs := map[string]row{}
	c.read(dir, "documents", func(r row) { docs[s(r, "doc_id")] = r })
	clauses := map[string]row{}
	count := map[string][2]int{} // clauses and sentences per document
	c.read(dir, "clauses", func(r row) {
		id, d := s(r, "clause_id"), docs[s(r, "doc_id")]
		if d == nil {
			c.fail("%s: document %s is not in documents", id, s(r, "doc_id"))
			return
		}
		if p := s(r, "parent_id"); p != "" && clauses[p] == nil {
			c.fail("%s: parent %s is not an earlier clause", id, p)
		}
		clauses[id] = r
		k := count[s(r, "doc_id")]
		k[0]++
		count[s(r, "doc_id")] = k
		if n(r, "ordinal") != k[0] {
			c.fail("%s: ordinal %d; want %d", id, n(r, "ordinal"), k[0])
		}
		c.trimmed(id, r, "text_zh", "text_en", "title_zh", "title_en", "label", "label_en")
		for _, side := range []struct{ text, start, end, body, title string }{
			{s(d, "clean_text"), "char_start", "char_end", "text_zh", "title_zh"},
			{first(s(d, "clean_text_en"), s(d, "clean_text")), "en_char_start", "en_char_end", "text_en", "title_en"},
		} {
			if n(r, side.start) < 0 {
				continue
			}
			span, ok := cut(side.text, n(r, side.start), n(r, side.end))
			want := first(s(r, side.body), s(r, side.title))
			switch {
			case !ok:
				c.fail("%s: %s..%s outside the document's text", id, side.start, side.end)
			case strings.TrimFunc(span, unicode.IsSpace) != span:
				c.fail("%s: %s..%s take in white space: %q", id, side.start, side.end, span)
			case !strings.Contains(span, want):
				c.fail("%s: %s..%s cut %q, which does not hold %q", id, side.start, side.end, span, want)
			}
		}
		if got, want := s(r, "text_sha256"), hash(first(s(r, "text_zh"), s(r, "title_zh"), s(r, "text_en"), s(r, "title_en"), s(r, "label"))); got != want {
			c.fail("%s: text_sha256 is not the hash of the text its description names", id)
		}
		if en := first(s(r, "text_en"), s(r, "title_en")); s(r, "text_en_sha256") != map[bool]string{true: "", false: hash(en)}[en == ""] {
			c.fail("%s: text_en_sha256 is not the hash of text_en, else title_en", id)
		}
	})
	sentences := map[string]row{}
	c.read(dir, "sentences", func(r row) {
		id, cl := s(r, "sentence_id"), clauses[s(r, "clause_id")]
		if cl == nil || s(cl, "doc_id") != s(r, "doc_id") {
			c.fail("%s: clause %s is not a clause of %s", id, s(r, "clause_id"), s(r, "doc_id"))
			return
		}
		sentences[id] = r
		k := count[s(r, "doc_id")]
		k[1]++
		count[s(r, "doc_id")] = k
		c.trimmed(id, r, "zh", "en")
		for _, side := range []struct{ text, start, end, text2 string }{{"zh", "zh_start", "zh_end", "text_zh"}, {"en", "en_start", "en_end", "text_en"}} {
			if _, ok := r[side.text].(string); !ok {
				continue
			}
			if got, ok := cut(s(cl, side.text2), n(r, side.start), n(r, side.end)); !ok || got != s(r, side.text) {
				c.fail("%s: %s..%s cut %q of the clause; the sentence is %q", id, side.start, side.end, got, s(r, side.text))
			}
		}
	})
	// review.csv (CSV only) lists exactly the beads that need review.
	review := map[string]bool{}
	for id, r := range sentences {
		if yes, _ := r["needs_review"].(bool); yes {
			review[id] = true
		}
	}
	f, err := os.Open(filepath.Join(dir, "review.csv"))
	if err != nil {
		c.t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) == 0 || recs[0][0] != "sentence_id" {
		c.t.Fatalf("review.csv: %v", err)
	}
	for _, rec := range recs[1:] {
		if !review[rec[0]] {
			c.fail("review.csv lists %s, which does not need review", rec[0])
		}
		delete(review, rec[0])
	}
	for id := range review {
		c.fail("%s needs review and is not in review.csv", id)
	}
	for id, d := range docs {
		if k := count[id]; n(d, "clause_count") != k[0] || n(d, "sentence_count") != k[1] {
			c.fail("%s: clause_count %d, sentence_count %d; the tables hold %d and %d", id, n(d, "clause_count"), n(d, "sentence_count"), k[0], k[1])
		}
	}
	mentions := map[string]int{}         // units per mechanism
	mentionedIn := map[string][]string{} // documents per mechanism, in order
	pairs := map[string]bool{}           // unit and mechanism
	perSector := map[string]int{}
	c.read(dir, "commitments", func(r row) {
		for _, m := range r["mechanism_ids"].([]any) {
			m := m.(string)
			mentions[m]++
			pairs[s(r, "unit_id")+" "+m] = true
			if ds := mentionedIn[m]; len(ds) == 0 || ds[len(ds)-1] != s(r, "doc_id") {
				mentionedIn[m] = append(ds, s(r, "doc_id"))
			}
		}
		if s(r, "sector") != "" {
			perSector[s(r, "sector")]++
		}
		id, b := s(r, "unit_id"), sentences[s(r, "sentence_id")]
		if b == nil || s(b, "clause_id") != s(r, "clause_id") || s(b, "doc_id") != s(r, "doc_id") {
			c.fail("%s: bead %s is not in its clause %s", id, s(r, "sentence_id"), s(r, "clause_id"))
			return
		}
		c.trimmed(id, r, "text")
		if !strings.Contains(s(b, s(r, "lang")), s(r, "text")) {
			c.fail("%s: text %q is not in its bead's %s %q", id, s(r, "text"), s(r, "lang"), s(b, s(r, "lang")))
		}
		if s(r, "text_zh") != s(b, "zh") {
			c.fail("%s: text_zh %q is not its bead's Chinese %q", id, s(r, "text_zh"), s(b, "zh"))
		}
		labelled := 0
		for _, k := range []string{"actor", "modality", "strength", "sector"} {
			if s(r, k) != "" {
				labelled++
			}
		}
		if yes, _ := r["is_commitment"].(bool); yes && labelled != 4 || !yes && labelled != 0 {
			c.fail("%s: is_commitment %v with %d of actor, modality, strength, sector", id, yes, labelled)
		}
		if firm := s(r, "modality") == "will" || s(r, "modality") == "continue"; labelled == 4 && (s(r, "strength") == "firm") != firm {
			c.fail("%s: modality %s with strength %s", id, s(r, "modality"), s(r, "strength"))
		}
	})
	c.read(dir, "commitment_mechanisms", func(r row) {
		if key := s(r, "unit_id") + " " + s(r, "mechanism_id"); !pairs[key] {
			c.fail("commitment_mechanisms %s: not in that unit's mechanism_ids", key)
		} else {
			delete(pairs, key)
		}
	})
	for key := range pairs {
		c.fail("commitments: %s has no row in commitment_mechanisms", key)
	}
	c.read(dir, "mechanisms", func(r row) {
		id := s(r, "mechanism_id")
		var ds []string
		for _, d := range r["documents"].([]any) {
			ds = append(ds, d.(string))
		}
		if n(r, "units") != mentions[id] || strings.Join(ds, " ") != strings.Join(mentionedIn[id], " ") {
			c.fail("mechanism %s: units %d in %v; the units name it %d times, in %v", id, n(r, "units"), ds, mentions[id], mentionedIn[id])
		}
		delete(mentions, id)
	})
	for id := range mentions {
		c.fail("commitments name mechanism %s, which mechanisms does not list", id)
	}
	c.read(dir, "sectors", func(r row) {
		if n(r, "commitments") != perSector[s(r, "sector")] {
			c.fail("sector %s: commitments %d; the commitments table has %d", s(r, "sector"), n(r, "commitments"), perSector[s(r, "sector")])
		}
		delete(perSector, s(r, "sector"))
	})
	for code := range perSector {
		c.fail("commitments use sector %s, which sectors does not list", code)
	}
	// earlier reports whether document a comes before b as links order
	// them: by date where both have one, else by sequence.
	date := func(d row) string { return first(s(d, "adopted_date"), s(d, "published_date")) }
	earlier := func(a, b row) bool {
		if date(a) != "" && date(b) != "" {
			return date(a) < date(b)
		}
		return n(a, "sequence") >= 0 && n(b, "sequence") >= 0 && n(a, "sequence") < n(b, "sequence")
	}
	best := map[string]float64{}
	c.read(dir, "links", func(r row) {
		from, to := clauses[s(r, "from_clause_id")], clauses[s(r, "to_clause_id")]
		where := fmt.Sprintf("link %s → %s", s(r, "from_clause_id"), s(r, "to_clause_id"))
		if from == nil || to == nil || s(from, "doc_id") != s(r, "from_doc_id") || s(to, "doc_id") != s(r, "to_doc_id") {
			c.fail("%s: clauses or documents do not resolve", where)
			return
		}
		if !earlier(docs[s(r, "from_doc_id")], docs[s(r, "to_doc_id")]) {
			c.fail("%s: %s does not come before %s", where, s(r, "from_doc_id"), s(r, "to_doc_id"))
		}
		score, _ := r["score"].(float64)
		if score < 0 || score > 1 || s(r, "relation") != "same" && s(r, "relation") != "extends" {
			c.fail("%s: score %v, relation %q", where, score, s(r, "relation"))
		}
		best[s(r, "from_clause_id")] = max(best[s(r, "from_clause_id")], score)
	})
	c.read(dir, "continuity", func(r row) {
		id := s(r, "clause_id")
		if clauses[id] == nil {
			c.fail("continuity %s: not a clause", id)
			return
		}
		for _, later := range r["later_doc_ids"].([]any) {
			if d := docs[later.(string)]; d == nil || !earlier(docs[s(r, "doc_id")], d) {
				c.fail("continuity %s: %v is not a later document", id, later)
			}
		}
		top, linked := best[id]
		switch score, _ := r["best_score"].(float64); s(r, "status") {
		case "continued":
			if !linked || score != top {
				c.fail("continuity %s: continued with best_score %v; its best link scores %v", id, score, top)
			}
		case "dropped":
			if linked || r["best_to_clause_id"] != nil {
				c.fail("continuity %s: dropped, yet it has a link", id)
			}
		default:
			c.fail("continuity %s: status %q", id, s(r, "status"))
		}
	})
}
