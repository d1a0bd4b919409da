// Package classify is the fifth stage: it cuts each aligned document into
// classification units — every English sentence of a bilingual document
// (carrying its alignment bead's Chinese), every Chinese sentence of a
// Chinese-only one — and labels each: commitment or not; who commits
// (actor), how (modality, strength), in which field (sector); the named
// mechanisms, amounts, years and resolution numbers it mentions.
//
// The rules are data: rules/lexicon.yaml (cues, actors, extraction),
// rules/sectors.yaml (taxonomy and crosswalk), the sources folder's
// mechanisms.yaml (the registry of named mechanisms) and overrides.yaml (a
// curator's corrections by unit id, applied last and recorded as such).
package classify

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/policyledger/policyledger/hanzi"
	"github.com/policyledger/policyledger/schemas"
	"github.com/policyledger/policyledger/segment"
)

// Stage labels commitments in every document of the run.
type Stage struct{}

// Name implements the pipeline's stage contract.
func (Stage) Name() string { return "classify" }

// Prepare loads the rules, the mechanism registry and the overrides,
// publishes the sector taxonomy and the registry for release, and returns
// the function that labels one document and applies its overrides.
func (Stage) Prepare(ctx context.Context, st *schemas.State) (schemas.DocFunc, error) {
	r, err := LoadRules()
	if err != nil {
		return nil, err
	}
	reg, err := LoadMechanisms(st.Sources)
	if err != nil {
		return nil, err
	}
	overrides, err := LoadOverrides(st.Sources, r)
	if err != nil {
		return nil, err
	}
	st.Sectors, st.Mechanisms = r.Sectors, reg.list
	return func(d *schemas.Document, t *schemas.Tally) error {
		out, err := Document(*d, r, reg)
		if err != nil {
			return err
		}
		if err := overrides.ApplyDoc(&out); err != nil {
			return err
		}
		*d = out
		for _, c := range d.Commitments {
			if c.IsCommitment {
				t.Count("classify.commitments", 1)
				t.Count("classify.modality."+c.Modality, 1)
				t.Count("classify.sector."+c.Sector, 1)
			}
		}
		return nil
	}, nil
}

// Document labels every unit of one aligned document. It is pure.
func Document(d schemas.Document, r *Rules, reg *Registry) (schemas.Document, error) {
	units, err := Units(d)
	if err != nil {
		return d, err
	}
	headings := map[string][]string{}
	for _, c := range d.Clauses {
		headings[c.ID] = c.HeadingPath
		if d.Script == "Hant" {
			headings[c.ID] = make([]string, len(c.HeadingPath))
			for i, h := range c.HeadingPath {
				headings[c.ID][i] = hanzi.Simplified(h)
			}
		}
	}
	seen := map[string]bool{}
	w := newWork()
	w.u = r.union(reg)
	for i := range units {
		u := &units[i]
		// The rules and the registry are written in simplified characters:
		// a traditional text is labelled through its simplified form and
		// keeps its own.
		m := *u
		if d.Script == "Hant" {
			m.TextZh = hanzi.Simplified(u.TextZh)
			if u.Lang == "zh" {
				m.Text = hanzi.Simplified(u.Text)
			}
		}
		r.label(&m, d.Source.DocumentType, headings[u.ClauseID], w)
		m.Text, m.TextZh = u.Text, u.TextZh
		mt, mz := m.Text, m.TextZh
		if d.Script == "Hant" {
			mz = hanzi.Simplified(mz)
			if u.Lang == "zh" {
				mt = hanzi.Simplified(mt)
			}
		}
		*u = m
		u.MechanismIDs = reg.find(mt, mz, w)
		u.AmountValue, u.AmountCurrency, u.Years, u.Resolutions = r.extract([]string{mt, mz}, w)
		for _, title := range reg.Unknown(mz) {
			if !seen[title] {
				seen[title] = true
				d.Warnings = append(d.Warnings, fmt.Sprintf("classify: %s names %s, which sources/mechanisms.yaml does not list: add it if it is a mechanism", u.UnitID, title))
			}
		}
	}
	d.Commitments = units
	return d, nil
}

// Units cuts a document into classification units: the English sentences
// of bilingual clauses, the Chinese sentences of the others, each tied to
// the alignment bead that holds it.
func Units(d schemas.Document) ([]schemas.Commitment, error) {
	beads := map[string][]schemas.Sentence{}
	for _, s := range d.Sentences {
		beads[s.ClauseID] = append(beads[s.ClauseID], s)
	}
	var units []schemas.Commitment
	var at []int // reused: units are substrings of the clause's text, not of this
	for _, c := range d.Clauses {
		if !c.IsText() {
			continue
		}
		lang, text, sentences := "zh", c.TextZh, segment.Zh
		if c.TextEn != "" {
			lang, text, sentences = "en", c.TextEn, segment.En
		}
		spans := sentences(text)
		at = runeOffsets(at, text)
		prefix := c.ID + "/" + lang
		for k, sp := range spans {
			u := schemas.Commitment{
				UnitID: prefix + strconv.Itoa(k+1), DocID: c.DocID, ClauseID: c.ID,
				Lang: lang, Ordinal: k + 1, Text: text[at[sp.Start]:at[sp.End]],
			}
			for _, b := range beads[c.ID] {
				start, end := b.ZhStart, b.ZhEnd
				if lang == "en" {
					start, end = b.EnStart, b.EnEnd
				}
				if start >= 0 && sp.Start >= start && sp.Start < end {
					u.SentenceID, u.TextZh, u.Complete = b.ID, b.Zh, b.Complete
					break
				}
			}
			if u.SentenceID == "" {
				return nil, fmt.Errorf("classify: %s: unit %s lies in no alignment bead: run align before classify", d.Source.ID, u.UnitID)
			}
			units = append(units, u)
		}
	}
	return units, nil
}

// runeOffsets returns the byte offset of each rune of text, and its
// length after them, over at: a span of runes is then a substring, not a
// copy through []rune (which was a tenth of classification).
func runeOffsets(at []int, text string) []int {
	at = at[:0]
	for i := range text {
		at = append(at, i)
	}
	return append(at, len(text))
}

// Label classifies one unit in place.
func (r *Rules) Label(u *schemas.Commitment, docType string, headings []string) {
	r.label(u, docType, headings, nil)
}

// label is Label with a document's work area (nil: none).
func (r *Rules) label(u *schemas.Commitment, docType string, headings []string, w *work) {
	u.ClassifierVersion, u.LabelSource = r.Version, "rule"
	present := r.cueGate.present(u.Text, w)
	if id := r.notCommitment(u.Lang, u.Text, present); id != "" {
		u.RuleIDs, u.Confidence = []string{"commitment:" + id}, 0.8
		return
	}
	m, ok := r.firstCue(u.Lang, u.Text, present)
	if !ok {
		u.RuleIDs, u.Confidence = []string{"commitment:no-cue"}, 0.75
		return
	}
	u.IsCommitment = true
	u.Modality = m.Modality
	u.Strength = "soft"
	if r.firm[m.Modality] {
		u.Strength = "firm"
	}
	actor, actorRule := r.actor(u.Lang, u.Text, m, docType)
	u.Actor = actor
	sector, sectorRule := r.sector([]string{u.Text, u.TextZh}, headings, w)
	u.Sector = sector
	u.RuleIDs = []string{"commitment:" + m.ID, "modality:" + m.ID, "actor:" + actorRule, "sector:" + sectorRule}
	u.Confidence = 0.85
	if u.Lang == "en" && u.TextZh != "" {
		if zm, ok := r.firstCue("zh", u.TextZh, r.cueGate.present(u.TextZh, w)); ok {
			agree := zm.Modality == m.Modality
			u.ModalityZh, u.LanguagesAgree = zm.Modality, &agree
			u.Confidence = 0.65
			if agree {
				u.Confidence = 0.95
			}
			sort.Strings(u.RuleIDs)
		}
	}
}
