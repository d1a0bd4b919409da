package classify

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/policyledger/policyledger/schemas"
)

// MechanismsPath and OverridesPath are the curator files in the sources
// folder.
const (
	MechanismsPath = "mechanisms.yaml"
	OverridesPath  = "overrides.yaml"
)

var mechanismKinds = map[string]bool{
	"forum": true, "initiative": true, "plan": true, "programme": true, "fund": true, "centre": true, "alliance": true,
	"convention": true, "resolution": true, "organisation": true, "mechanism": true, "declaration": true, "event": true,
}

// Registry is the curated list of named mechanisms, one id per mechanism
// however many names the documents give it.
type Registry struct {
	list   []schemas.Mechanism
	en, zh []named
	// litsEn and litsZh find every name of en and zh in one pass.
	litsEn, litsZh *literals
}

func readStrict(fsys fs.FS, name string, v any) (bool, error) {
	if fsys == nil {
		return false, nil
	}
	data, err := fs.ReadFile(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("classify: read %s: %w", name, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && err.Error() != "EOF" {
		return false, fmt.Errorf("classify: %s: %s: fix the entry", name, strings.Join(strings.Fields(err.Error()), " "))
	}
	return true, nil
}

// LoadMechanisms reads the registry; a sources folder without one gives an
// empty registry.
func LoadMechanisms(fsys fs.FS) (*Registry, error) {
	var list []schemas.Mechanism
	if _, err := readStrict(fsys, MechanismsPath, &list); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, m := range list {
		where := fmt.Sprintf("classify: %s entry %d (%q)", MechanismsPath, i+1, m.ID)
		switch {
		case m.ID == "" || strings.ToLower(m.ID) != m.ID || strings.ContainsAny(m.ID, " /"):
			return nil, fmt.Errorf("%s: id must be lowercase words joined by '-'", where)
		case seen[m.ID]:
			return nil, fmt.Errorf("%s: duplicate id", where)
		case !mechanismKinds[m.Kind]:
			return nil, fmt.Errorf("%s: unknown kind %q", where, m.Kind)
		case m.NameZh == "" && m.NameEn == "":
			return nil, fmt.Errorf("%s: needs zh or en", where)
		}
		seen[m.ID] = true
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	g := &Registry{list: list}
	g.index()
	return g, nil
}

// Find returns the ids of the registered mechanisms named in the texts
// (English and Chinese names as printed), sorted. Longer names are matched
// first and take their text out of play, so "China-CELAC Forum" is not also
// found inside "China-CELAC Forum of Ministers of Agriculture".
func (g *Registry) Find(en, zh string) []string { return g.find(en, zh, nil) }

// find is Find with a document's work area (nil: none).
func (g *Registry) find(en, zh string, w *work) []string {
	if w == nil {
		w = &work{}
	}
	found := map[string]bool{}
	// with the work area's union for this registry, a text's names are
	// among the counts its other readers share
	var toEn, toZh []int
	if u := w.u; u != nil && u.reg == g {
		toEn, toZh = u.namesEn, u.namesZh
	}
	for _, t := range []struct {
		text  string
		names []named
		lits  *literals
		toU   []int // name literal → union word; nil: no union
	}{{en, g.en, g.litsEn, toEn}, {zh, g.zh, g.litsZh, toZh}} {
		text := t.text
		// Only names that occur in the text can match: replacing one with
		// a NUL never makes another appear.
		var present []int
		switch {
		case t.toU != nil:
			present = w.scan(text).counts
		case t.lits != nil:
			w.names = t.lits.countsInto(w.names, text, nil)
			present = w.names
		}
		for _, n := range t.names {
			id := n.lit
			if t.toU != nil {
				id = t.toU[n.lit]
			}
			if present != nil && present[id] == 0 {
				continue
			}
			if strings.Contains(text, n.name) {
				found[n.id] = true
				text = strings.ReplaceAll(text, n.name, "\x00")
			}
		}
	}
	ids := make([]string, 0, len(found))
	for id := range found {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

type named struct {
	name, id string
	lit      int // the name's id in the registry's literals
}

var bookTitle = regexp.MustCompile(`《[^》]+》`)

// Unknown lists the titles in 《…》 that name no registered mechanism and
// are not the document's own kind of text, for a curator to look at.
func (g *Registry) Unknown(zh string) []string {
	var out []string
	for _, t := range bookTitle.FindAllString(zh, -1) {
		inner := strings.Trim(t, "《》")
		known := false
		for _, n := range g.zh {
			if strings.Contains(inner, n.name) || strings.Contains(n.name, inner) {
				known = true
				break
			}
		}
		if !known && !strings.HasSuffix(inner, "政策文件") {
			out = append(out, t)
		}
	}
	return out
}

// index builds the name lists, longest first (ties by name, for a fixed order).
func (g *Registry) index() {
	for _, m := range g.list {
		for _, n := range append([]string{m.NameEn}, m.AliasEn...) {
			if n != "" {
				g.en = append(g.en, named{name: n, id: m.ID})
			}
		}
		for _, n := range append([]string{m.NameZh}, m.AliasZh...) {
			if n != "" {
				g.zh = append(g.zh, named{name: n, id: m.ID})
			}
		}
	}
	for _, l := range [][]named{g.en, g.zh} {
		sort.Slice(l, func(i, j int) bool {
			if len(l[i].name) != len(l[j].name) {
				return len(l[i].name) > len(l[j].name)
			}
			return l[i].name < l[j].name
		})
	}
	g.litsEn, g.litsZh = newLiterals(), newLiterals()
	for i := range g.en {
		g.en[i].lit = g.litsEn.add(g.en[i].name)
	}
	for i := range g.zh {
		g.zh[i].lit = g.litsZh.add(g.zh[i].name)
	}
	g.litsEn.build()
	g.litsZh.build()
}

// Override is one curator correction.
type Override struct {
	UnitID       string  `yaml:"unit_id"`
	IsCommitment *bool   `yaml:"is_commitment"`
	Actor        *string `yaml:"actor"`
	Modality     *string `yaml:"modality"`
	Sector       *string `yaml:"sector"`
	Reason       string  `yaml:"reason"`
}

// Overrides are the curator's corrections, in file order.
type Overrides struct {
	list  []Override
	rules *Rules
}

var (
	actors     = map[string]bool{"china": true, "lac": true, "both": true, "other": true}
	modalities = map[string]bool{"will": true, "ready": true, "continue": true, "support": true, "welcome": true, "encourage": true, "explore": true, "call": true, "oppose": true}
)

// LoadOverrides reads and checks the overrides file.
func LoadOverrides(fsys fs.FS, r *Rules) (*Overrides, error) {
	var list []Override
	if _, err := readStrict(fsys, OverridesPath, &list); err != nil {
		return nil, err
	}
	for i, o := range list {
		where := fmt.Sprintf("classify: %s entry %d (unit %q)", OverridesPath, i+1, o.UnitID)
		switch {
		case o.UnitID == "":
			return nil, fmt.Errorf("%s: unit_id is required", where)
		case strings.TrimSpace(o.Reason) == "":
			return nil, fmt.Errorf("%s: say why in reason", where)
		case o.Actor != nil && !actors[*o.Actor]:
			return nil, fmt.Errorf("%s: actor %q is not one of china, lac, both, other", where, *o.Actor)
		case o.Modality != nil && !modalities[*o.Modality]:
			return nil, fmt.Errorf("%s: modality %q is not a known modality", where, *o.Modality)
		case o.Sector != nil && !r.hasSector(*o.Sector):
			return nil, fmt.Errorf("%s: sector %q is not in the taxonomy", where, *o.Sector)
		}
	}
	return &Overrides{list: list, rules: r}, nil
}

// Apply corrects the units of docs (see ApplyDoc).
func (o *Overrides) Apply(docs []schemas.Document) error {
	var errs []error
	for i := range docs {
		errs = append(errs, o.ApplyDoc(&docs[i]))
	}
	return errors.Join(errs...)
}

// ApplyDoc corrects the units of one document with the overrides that
// name it. An override naming a unit the document does not have is an
// error (a typo would otherwise be silent); overrides of documents not in
// the run are never looked at.
func (o *Overrides) ApplyDoc(d *schemas.Document) error {
	var index map[string]*schemas.Commitment
	var errs []error
	for i, ov := range o.list {
		if doc, _, _ := strings.Cut(ov.UnitID, "/"); doc != d.Source.ID {
			continue
		}
		if index == nil {
			index = make(map[string]*schemas.Commitment, len(d.Commitments))
			for ci := range d.Commitments {
				index[d.Commitments[ci].UnitID] = &d.Commitments[ci]
			}
		}
		c, ok := index[ov.UnitID]
		if !ok {
			errs = append(errs, fmt.Errorf("classify: %s entry %d: no unit %q in %s: check the id against commitments.unit_id", OverridesPath, i+1, ov.UnitID, d.Source.ID))
			continue
		}
		if ov.IsCommitment != nil {
			c.IsCommitment = *ov.IsCommitment
		}
		if ov.Actor != nil {
			c.Actor = *ov.Actor
		}
		if ov.Modality != nil {
			c.Modality = *ov.Modality
		}
		if ov.Sector != nil {
			c.Sector = *ov.Sector
		}
		if c.IsCommitment {
			c.Strength = "soft"
			if o.rules.firm[c.Modality] {
				c.Strength = "firm"
			}
		} else {
			c.Actor, c.Modality, c.Strength, c.Sector, c.ModalityZh, c.LanguagesAgree = "", "", "", "", "", nil
		}
		c.LabelSource, c.OverrideReason, c.Confidence = "override", ov.Reason, 1
		c.RuleIDs = append(c.RuleIDs, "override")
	}
	return errors.Join(errs...)
}
