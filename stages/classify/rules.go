package classify

import (
	"bytes"
	"embed"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v4"

	"github.com/policyledger/policyledger/internal/rx"
	"github.com/policyledger/policyledger/schemas"
)

//go:embed rules/lexicon.yaml rules/sectors.yaml
var ruleFiles embed.FS

// lexicon is rules/lexicon.yaml as written.
type lexicon struct {
	Version       string                       `yaml:"version"`
	Modality      map[string][]cueRule         `yaml:"modality"`
	AfterWill     map[string][]string          `yaml:"after_will"`
	NonCommitment map[string][]patternRule     `yaml:"non_commitment"`
	Actor         map[string][]actorRule       `yaml:"actor"`
	Joint         map[string]string            `yaml:"joint"`
	NamedSide     map[string][]actorRule       `yaml:"named_side"`
	DefaultActor  map[string]string            `yaml:"default_actor"`
	Strength      map[string][]string          `yaml:"strength"`
	Extract       extractRules                 `yaml:"extract"`
	_             map[string]map[string]string `yaml:"-"`
}

type cueRule struct {
	ID       string `yaml:"id"`
	Modality string `yaml:"modality"`
	Pattern  string `yaml:"pattern"`
	Passive  bool   `yaml:"passive"`
}

type patternRule struct {
	ID      string `yaml:"id"`
	Pattern string `yaml:"pattern"`
}

type actorRule struct {
	ID      string `yaml:"id"`
	Actor   string `yaml:"actor"`
	Pattern string `yaml:"pattern"`
}

type extractRules struct {
	Money       []moneyRule        `yaml:"money"`
	Multipliers map[string]float64 `yaml:"multipliers"`
	Years       []string           `yaml:"years"`
	Resolutions []string           `yaml:"resolutions"`
}

type moneyRule struct {
	Pattern  string `yaml:"pattern"`
	Currency string `yaml:"currency"`
}

// Rules are the compiled rule set.
type Rules struct {
	Version       string
	cues          map[string][]cue
	afterWill     map[string][]string
	nonCommitment map[string][]namedRe
	actors        map[string][]actorRe
	joint         map[string]actorRe
	namedSide     map[string][]actorRe
	defaultActor  map[string]string
	firm          map[string]bool
	money         []moneyRe
	multipliers   map[string]float64
	years         []*regexp.Regexp
	resolutions   []*regexp.Regexp
	Sectors       []schemas.Sector
	sectorKeys    []sectorKeys
	// cueGate skips cue and extraction patterns whose literals a text
	// lacks; sectorZh and sectorEn find every sector keyword in one pass.
	cueGate            *gate
	sectorZh, sectorEn *literals
	// unions holds, per registry, one automaton for the literals that
	// look at a text as it stands (see union).
	unions sync.Map // *Registry → *union
}

type cue struct {
	cueRule
	re   *regexp.Regexp
	scan *scanner // re's search, quicker (see scanner)
}

type namedRe struct {
	id   string
	re   *regexp.Regexp
	scan *scanner
}

type actorRe struct {
	id, actor string
	re        *regexp.Regexp
	fold      foldGate
}

type moneyRe struct {
	re       *regexp.Regexp
	currency string
}

type sectorKeys struct {
	code       string
	zh, en     []string // en lower-cased
	zhID, enID []int    // the keywords' ids in Rules.sectorZh, sectorEn
}

// LoadRules reads and compiles the embedded rule files.
func LoadRules() (*Rules, error) {
	var lx lexicon
	if err := decode("rules/lexicon.yaml", &lx); err != nil {
		return nil, err
	}
	var sectors []schemas.Sector
	if err := decode("rules/sectors.yaml", &sectors); err != nil {
		return nil, err
	}
	r := &Rules{
		Version: lx.Version, cues: map[string][]cue{}, afterWill: lx.AfterWill, nonCommitment: map[string][]namedRe{},
		actors: map[string][]actorRe{}, joint: map[string]actorRe{}, namedSide: map[string][]actorRe{},
		defaultActor: lx.DefaultActor, firm: map[string]bool{}, multipliers: lx.Extract.Multipliers, Sectors: sectors,
	}
	var err error
	compile := func(where, p string) *regexp.Regexp {
		re, e := rx.Compile(p)
		if e != nil && err == nil {
			err = fmt.Errorf("classify: rules/lexicon.yaml %s: %w", where, e)
		}
		return re
	}
	for lang, list := range lx.Modality {
		for _, c := range list {
			re := compile(c.ID, c.Pattern)
			r.cues[lang] = append(r.cues[lang], cue{c, re, scannerOf(re)})
		}
	}
	for lang, list := range lx.NonCommitment {
		for _, p := range list {
			re := compile(p.ID, p.Pattern)
			r.nonCommitment[lang] = append(r.nonCommitment[lang], namedRe{p.ID, re, scannerOf(re)})
		}
	}
	actor := func(id, who, where, p string) actorRe {
		re := compile(where, p)
		if re == nil {
			return actorRe{id: id, actor: who}
		}
		return actorRe{id, who, re, newFoldGate(re)}
	}
	for lang, list := range lx.Actor {
		for _, a := range list {
			r.actors[lang] = append(r.actors[lang], actor(a.ID, a.Actor, a.ID, a.Pattern))
		}
	}
	for lang, p := range lx.Joint {
		r.joint[lang] = actor(lang+".joint", "both", "joint."+lang, p)
	}
	for lang, list := range lx.NamedSide {
		for _, a := range list {
			r.namedSide[lang] = append(r.namedSide[lang], actor("named."+a.Actor, a.Actor, "named_side", a.Pattern))
		}
	}
	for _, m := range lx.Strength["firm"] {
		r.firm[m] = true
	}
	for _, m := range lx.Extract.Money {
		r.money = append(r.money, moneyRe{compile("money", m.Pattern), m.Currency})
	}
	for _, p := range lx.Extract.Years {
		r.years = append(r.years, compile("years", p))
	}
	for _, p := range lx.Extract.Resolutions {
		r.resolutions = append(r.resolutions, compile("resolutions", p))
	}
	if err := checkKeywords(sectors); err != nil {
		return nil, err
	}
	r.sectorZh, r.sectorEn = newLiterals(), newLiterals()
	for _, s := range sectors {
		k := sectorKeys{code: s.Code, zh: s.KeywordsZh}
		for _, w := range s.KeywordsZh {
			k.zhID = append(k.zhID, r.sectorZh.add(w))
		}
		for _, e := range s.KeywordsEn {
			w := strings.ToLower(e)
			k.en = append(k.en, w)
			k.enID = append(k.enID, r.sectorEn.add(w))
		}
		r.sectorKeys = append(r.sectorKeys, k)
	}
	r.sectorZh.build()
	r.sectorEn.build()
	r.cueGate = newGate()
	for _, list := range r.cues {
		for _, c := range list {
			r.cueGate.add(c.re)
		}
	}
	for _, m := range r.money {
		r.cueGate.add(m.re)
	}
	for _, list := range r.nonCommitment {
		for _, n := range list {
			r.cueGate.add(n.re)
		}
	}
	for _, re := range append(append([]*regexp.Regexp{}, r.years...), r.resolutions...) {
		r.cueGate.add(re)
	}
	r.cueGate.lits.build()
	if err != nil {
		return nil, err
	}
	if r.Version == "" {
		return nil, fmt.Errorf("classify: rules/lexicon.yaml has no version: set one")
	}
	return r, nil
}

func decode(name string, v any) error {
	data, err := ruleFiles.ReadFile(name)
	if err != nil {
		return fmt.Errorf("classify: %s: %w", name, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("classify: %s: %s", name, strings.Join(strings.Fields(err.Error()), " "))
	}
	return nil
}

// hasSector reports whether code is in the taxonomy.
func (r *Rules) hasSector(code string) bool {
	for _, s := range r.Sectors {
		if s.Code == code {
			return true
		}
	}
	return false
}

// checkKeywords refuses an empty keyword, which would match everywhere, and
// one with a line break, which sector's counting text by text would miss.
func checkKeywords(sectors []schemas.Sector) error {
	for _, s := range sectors {
		for _, w := range slices.Concat(s.KeywordsZh, s.KeywordsEn) {
			if strings.TrimSpace(w) == "" || strings.Contains(w, "\n") {
				return fmt.Errorf("classify: rules/sectors.yaml sector %s: keyword %q is empty or holds a line break: write it on one line", s.Code, w)
			}
		}
	}
	return nil
}
