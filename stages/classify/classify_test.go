package classify

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/policyledger/policyledger/schemas"
)

func rules(t *testing.T) *Rules {
	t.Helper()
	r, err := LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestLabel: cues, actors and the will-handover on sentences written for
// the test.
func TestLabel(t *testing.T) {
	r := rules(t)
	tests := []struct {
		lang, docType, text, zh string
		commitment              bool
		actor, modality         string
	}{
		{"en", "policy_paper", "China will actively explore cooperation in space.", "", true, "china", "explore"},
		{"en", "policy_paper", "China will continue to host the forum.", "", true, "china", "continue"},
		{"en", "policy_paper", "China will work with LAC countries to support each other.", "", true, "china", "will"},
		{"en", "policy_paper", "The two sides will deepen counter-narcotics cooperation.", "", true, "both", "will"},
		{"en", "policy_paper", "Efforts will be made to promote exchanges between the two sides.", "", true, "both", "will"},
		{"en", "policy_paper", "Efforts will be made to promote exchanges with LAC countries.", "", true, "china", "will"},
		{"en", "policy_paper", "Universities of both sides are encouraged to carry out research.", "", true, "both", "encourage"},
		{"en", "policy_paper", "The forum will be continued.", "", true, "china", "continue"},
		{"en", "policy_paper", "China calls on the international community to act.", "", true, "china", "call"},
		{"en", "policy_paper", "In 2008, the Chinese government issued its first policy paper.", "", false, "", ""},
		{"en", "policy_paper", "LAC countries have actively explored development paths.", "", false, "", ""},
		{"en", "policy_paper", "The government appreciates that most countries support the principle.", "", false, "", ""},
		{"zh", "action_plan", "加强农业合作。", "", true, "both", "will"},
		{"zh", "action_plan", "中方愿继续加强交往合作。", "", true, "china", "ready"},
		{"zh", "action_plan", "我们将探讨举行峰会的可能性。", "", true, "both", "explore"},
		{"zh", "action_plan", "充分发挥中方对拉融资举措作用。", "", true, "both", "will"},
		{"zh", "action_plan", "鼓励拉方科技人员积极参与。", "", true, "both", "encourage"},
		{"zh", "action_plan", "会议于2021年12月3日通过线上方式举行。", "", false, "", ""},
		{"zh", "action_plan", "在充分尊重各国意愿基础上，继续提供援助。", "", true, "both", "continue"},
		{"zh", "action_plan", "外长对倡议表示欢迎，认为该倡议可以深化合作。", "", false, "", ""},
	}
	for _, tt := range tests {
		u := schemas.Commitment{Lang: tt.lang, Text: tt.text, TextZh: tt.zh}
		r.Label(&u, tt.docType, nil)
		got := []any{u.IsCommitment, u.Actor, u.Modality}
		want := []any{tt.commitment, tt.actor, tt.modality}
		if !cmp.Equal(got, want) {
			t.Errorf("Label(%q) = %v (rules %v); want %v", tt.text, got, u.RuleIDs, want)
		}
		if tt.commitment && (u.Strength == "firm") != (tt.modality == "will" || tt.modality == "continue") {
			t.Errorf("Label(%q) strength %s for %s", tt.text, u.Strength, u.Modality)
		}
	}
}

// TestLanguagesDisagree: an English "will" over a Chinese 愿 is recorded,
// with lower confidence than agreement.
func TestLanguagesDisagree(t *testing.T) {
	r := rules(t)
	dis := schemas.Commitment{Lang: "en", Text: "Efforts will be made to deepen cooperation.", TextZh: "中方愿深化合作。"}
	r.Label(&dis, "policy_paper", nil)
	agr := schemas.Commitment{Lang: "en", Text: "China stands ready to deepen cooperation.", TextZh: "中方愿深化合作。"}
	r.Label(&agr, "policy_paper", nil)
	if dis.ModalityZh != "ready" || dis.LanguagesAgree == nil || *dis.LanguagesAgree || agr.LanguagesAgree == nil || !*agr.LanguagesAgree {
		t.Fatalf("disagreement not recorded: %+v / %+v", dis, agr)
	}
	if dis.Confidence >= agr.Confidence {
		t.Errorf("confidence %v (disagree) ≥ %v (agree)", dis.Confidence, agr.Confidence)
	}
}

func TestSector(t *testing.T) {
	r := rules(t)
	tests := []struct {
		texts    []string
		headings []string
		want     string
	}{
		{[]string{"加强在航天领域交流合作，包括卫星数据共享。"}, []string{"第二条 经济务实合作", "六、航空航天"}, "space"},
		{[]string{"推动教育信息化领域合作和经验分享。"}, []string{"第二条 经济务实合作", "五、工业、信息技术"}, "education"},
		{[]string{"China supports LAC countries in playing a bigger role in international affairs."}, nil, "multilateral"},
		{[]string{"Nothing to see."}, nil, "other"},
	}
	for _, tt := range tests {
		if got, _ := r.sector(tt.texts, tt.headings, nil); got != tt.want {
			t.Errorf("sector(%q) = %s; want %s", tt.texts, got, tt.want)
		}
	}
}

func TestExtract(t *testing.T) {
	r := rules(t)
	v, cur, years, res := r.extract([]string{"拨款200万美元，落实第1540号决议（2004年）", "US$2 million under Resolution 1540 in 2004"}, nil)
	if v == nil || *v != 2e6 || cur != "USD" || !cmp.Equal(years, []string{"2004"}) || !cmp.Equal(res, []string{"1540"}) {
		t.Errorf("extract = %v %s %v %v", v, cur, years, res)
	}
	v, _, _, _ = r.extract([]string{"US$1.5 billion"}, nil)
	if v == nil || *v != 1.5e9 {
		t.Errorf("US$1.5 billion = %v", v)
	}
}

func doc() schemas.Document {
	return schemas.Document{
		Source: schemas.Source{ID: "d", DocumentType: "policy_paper"},
		Clauses: []schemas.Clause{
			{ID: "d/sec1", DocID: "d", Kind: "section", TitleZh: "航天合作"},
			{ID: "d/sec1/para1", DocID: "d", Kind: "paragraph", TextZh: "中方愿合作。双方将举办论坛。", TextEn: "China is ready to cooperate. The two sides will hold the Space Forum.", HeadingPath: []string{"(一)航天合作"}},
		},
		Sentences: []schemas.Sentence{
			{ID: "d/sec1/para1/s1", ClauseID: "d/sec1/para1", Zh: "中方愿合作。", ZhStart: 0, ZhEnd: 6, EnStart: 0, EnEnd: 28},
			{ID: "d/sec1/para1/s2", ClauseID: "d/sec1/para1", Zh: "双方将举办论坛。", ZhStart: 6, ZhEnd: 14, EnStart: 29, EnEnd: 68},
		},
	}
}

func TestDocument(t *testing.T) {
	reg, err := LoadMechanisms(fstest.MapFS{MechanismsPath: {Data: []byte("- {id: space-forum, kind: forum, zh: 航天论坛, en: Space Forum}\n- {id: forum, kind: forum, zh: 论坛, en: Forum}\n")}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Document(doc(), rules(t), reg)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, c := range got.Commitments {
		rows = append(rows, strings.Join([]string{c.UnitID, c.SentenceID, c.TextZh, c.Actor, c.Modality, c.Sector, strings.Join(c.MechanismIDs, "+")}, "|"))
	}
	want := []string{
		"d/sec1/para1/en1|d/sec1/para1/s1|中方愿合作。|china|ready|space|",
		"d/sec1/para1/en2|d/sec1/para1/s2|双方将举办论坛。|both|will|space|forum+space-forum",
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("units (-want +got):\n%s", diff)
	}
	// "Space Forum" is taken out of play before "Forum" is looked for, but
	// the Chinese 论坛 still names the shorter one.
	bad := doc()
	bad.Sentences = bad.Sentences[:1]
	if _, err := Document(bad, rules(t), reg); err == nil || !strings.Contains(err.Error(), "lies in no alignment bead") {
		t.Errorf("Document without the second bead = %v; want an error", err)
	}
}

func TestOverrides(t *testing.T) {
	r := rules(t)
	d, _ := Document(doc(), r, &Registry{})
	docs := []schemas.Document{d}
	fsys := fstest.MapFS{OverridesPath: {Data: []byte("- {unit_id: d/sec1/para1/en2, actor: china, modality: support, reason: the Chinese names China}\n- {unit_id: d/sec1/para1/en1, is_commitment: false, reason: a courtesy}\n")}}
	o, err := LoadOverrides(fsys, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Apply(docs); err != nil {
		t.Fatal(err)
	}
	c1, c2 := docs[0].Commitments[0], docs[0].Commitments[1]
	if c2.Actor != "china" || c2.Modality != "support" || c2.Strength != "soft" || c2.LabelSource != "override" || c2.OverrideReason == "" || c2.Confidence != 1 {
		t.Errorf("override not applied: %+v", c2)
	}
	if c1.IsCommitment || c1.Actor != "" || c1.LabelSource != "override" {
		t.Errorf("is_commitment override not applied: %+v", c1)
	}
	for name, yaml := range map[string]string{
		"no reason":    "- {unit_id: d/x, actor: china}\n",
		"bad actor":    "- {unit_id: d/x, actor: mexico, reason: r}\n",
		"bad sector":   "- {unit_id: d/x, sector: vibes, reason: r}\n",
		"unknown key":  "- {unit_id: d/x, colour: red, reason: r}\n",
		"bad modality": "- {unit_id: d/x, modality: maybe, reason: r}\n",
	} {
		if _, err := LoadOverrides(fstest.MapFS{OverridesPath: {Data: []byte(yaml)}}, r); err == nil || !strings.Contains(err.Error(), OverridesPath) {
			t.Errorf("%s: LoadOverrides = %v; want an error naming the file", name, err)
		}
	}
	o, _ = LoadOverrides(fstest.MapFS{OverridesPath: {Data: []byte("- {unit_id: d/nope/en1, actor: china, reason: r}\n- {unit_id: other-doc/x/en1, actor: china, reason: r}\n")}}, r)
	if err := o.Apply(docs); err == nil || !strings.Contains(err.Error(), `no unit "d/nope/en1"`) || strings.Contains(err.Error(), "other-doc") {
		t.Errorf("Apply with an unknown unit = %v; want an error for d/nope only", err)
	}
}

func TestUnknownTitles(t *testing.T) {
	reg, _ := LoadMechanisms(fstest.MapFS{MechanismsPath: {Data: []byte("- {id: paris-agreement, kind: convention, zh: 巴黎协定, en: Paris Agreement}\n")}})
	got := reg.Unknown("落实《巴黎协定》和《新协定》，发布《中国对拉丁美洲和加勒比政策文件》。")
	if !cmp.Equal(got, []string{"《新协定》"}) {
		t.Errorf("Unknown = %v; want [《新协定》]", got)
	}
}

func TestRegistryErrors(t *testing.T) {
	for name, yaml := range map[string]string{
		"duplicate":  "- {id: a, kind: forum, zh: 甲}\n- {id: a, kind: forum, zh: 乙}\n",
		"bad kind":   "- {id: a, kind: party, zh: 甲}\n",
		"bad id":     "- {id: A B, kind: forum, zh: 甲}\n",
		"no names":   "- {id: a, kind: forum}\n",
		"unknown ke": "- {id: a, kind: forum, zh: 甲, colour: red}\n",
	} {
		if _, err := LoadMechanisms(fstest.MapFS{MechanismsPath: {Data: []byte(yaml)}}); err == nil {
			t.Errorf("%s: LoadMechanisms accepted it", name)
		}
	}
}

// TestCheckKeywords: the shipped keywords pass; an empty keyword or one
// with a line break is refused with the sector named.
func TestCheckKeywords(t *testing.T) {
	r, err := LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	if err := checkKeywords(r.Sectors); err != nil {
		t.Fatalf("checkKeywords(shipped) = %v; want nil", err)
	}
	for _, bad := range [][]string{{""}, {"  "}, {"农业\n合作"}} {
		err := checkKeywords([]schemas.Sector{{Code: "agriculture", KeywordsZh: bad}})
		if err == nil || !strings.Contains(err.Error(), "sector agriculture") {
			t.Errorf("checkKeywords(%q) = %v; want an error naming the sector", bad, err)
		}
	}
}
