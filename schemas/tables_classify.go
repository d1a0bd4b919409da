package schemas

// CommitmentsTable has one row per classification unit.
var CommitmentsTable = Table{
	Name:        "commitments",
	Title:       "Commitments",
	Description: "One row per classification unit — each English sentence of a bilingual document (with its alignment bead's Chinese), each Chinese sentence of a Chinese-only one — saying whether it is a commitment and, if so, who commits (actor), how (modality, strength), in which field (sector), through which named mechanisms, with amounts, years and resolution numbers. Filter on is_commitment to count commitments.",
	PrimaryKey:  []string{"unit_id"},
	Prose:       []string{"text", "text_zh"},
	ForeignKeys: []ForeignKey{
		{Fields: []string{"doc_id"}, RefTable: "documents", RefFields: []string{"doc_id"}},
		{Fields: []string{"clause_id"}, RefTable: "clauses", RefFields: []string{"clause_id"}},
		{Fields: []string{"sentence_id"}, RefTable: "sentences", RefFields: []string{"sentence_id"}},
		{Fields: []string{"sector"}, RefTable: "sectors", RefFields: []string{"sector"}},
	},
	Fields: []Field{
		{"unit_id", String, false, "Stable id: the clause id and the unit's position among the clause's sentences in its language, e.g. lac-policy-2025/part3/prog4/sec2/para1/en3."},
		{"doc_id", String, false, "Document (documents.doc_id)."},
		{"clause_id", String, false, "Clause (clauses.clause_id)."},
		{"sentence_id", String, false, "Alignment bead holding the unit (sentences.sentence_id)."},
		{"lang", String, false, "Language of the unit's text: en or zh."},
		{"ordinal", Int64, false, "Position of the unit among its clause's sentences in that language, from 1."},
		{"text", String, false, "The unit's sentence."},
		{"text_zh", String, true, "The Chinese of the unit's alignment bead (for Chinese units, the same as text); null for a 0-1 bead."},
		{"is_commitment", Bool, false, "True when the unit states a specific future or continued action by an identifiable actor."},
		{"actor", String, true, "Who commits: china, lac, both or other; null when not a commitment."},
		{"modality", String, true, "How: will, ready, continue, support, welcome, encourage, explore, call or oppose (the first main verb decides); null when not a commitment."},
		{"strength", String, true, "firm (will, continue) or soft (the others); null when not a commitment."},
		{"sector", String, true, "Field of the committed action (sectors.sector); null when not a commitment."},
		{"modality_zh", String, true, "For English units: the modality the bead's Chinese indicates on its own; null when it indicates none."},
		{"languages_agree", Bool, true, "For English units: whether the Chinese indicates the same modality; null when the Chinese indicates none."},
		{"mechanism_ids", StringList, false, "Named mechanisms the unit (or its Chinese) mentions (mechanisms.mechanism_id); also in commitment_mechanisms."},
		{"amount_value", Float64, true, "First money amount in the unit, in units of amount_currency (200万美元 and US$2 million both give 2000000)."},
		{"amount_currency", String, true, "ISO 4217 currency of amount_value."},
		{"years", StringList, false, "Years the unit mentions (four digits)."},
		{"resolutions", StringList, false, "Numbers of the resolutions the unit mentions (第1540号决议, Resolution 1540)."},
		{"rule_ids", StringList, false, "The rules behind each label, as label:rule (commitment:…, actor:…, modality:…, sector:…), or override."},
		{"confidence", Float64, false, "The classifier's confidence in the unit's labels, in [0,1]; lower when the two languages disagree."},
		{"classifier_version", String, false, "Version of the rule set (stages/classify/rules/lexicon.yaml)."},
		{"label_source", String, false, "rule, or override when sources/overrides.yaml corrected a label."},
		{"override_reason", String, true, "The curator's reason, for overridden units."},
		{"complete", Bool, false, "False when the unit is the last sentence of a clause the capture cut off mid-text: its labels describe a fragment."},
	},
	Rows: commitmentRows,
}

// MechanismsTable lists the named mechanisms the documents mention.
var MechanismsTable = Table{
	Name:        "mechanisms",
	Title:       "Named mechanisms",
	Description: "Named forums, initiatives, plans, funds, centres, alliances, conventions and resolutions mentioned by the documents, one id per mechanism across documents, with Chinese and English names.",
	PrimaryKey:  []string{"mechanism_id"},
	Fields: []Field{
		{"mechanism_id", String, false, "Stable, readable id, e.g. china-celac-forum."},
		{"kind", String, false, "forum, initiative, plan, programme, fund, centre, alliance, convention, resolution, organisation or mechanism."},
		{"name_zh", String, true, "Chinese name as the documents print it."},
		{"name_en", String, true, "English name as the documents (or the organisation) print it."},
		{"units", Int64, false, "Number of classification units that mention it."},
		{"documents", StringList, false, "Documents that mention it (documents.doc_id)."},
	},
	Rows:     mechanismRows,
	RunLevel: true,
}

// CommitmentMechanismsTable links units to the mechanisms they mention.
var CommitmentMechanismsTable = Table{
	Name:        "commitment_mechanisms",
	Title:       "Units × mechanisms",
	Description: "One row per (unit, mechanism) mention, to join commitments with mechanisms.",
	PrimaryKey:  []string{"unit_id", "mechanism_id"},
	ForeignKeys: []ForeignKey{
		{Fields: []string{"unit_id"}, RefTable: "commitments", RefFields: []string{"unit_id"}},
		{Fields: []string{"mechanism_id"}, RefTable: "mechanisms", RefFields: []string{"mechanism_id"}},
	},
	Fields: []Field{
		{"unit_id", String, false, "Unit (commitments.unit_id)."},
		{"mechanism_id", String, false, "Mechanism (mechanisms.mechanism_id)."},
	},
	Rows: commitmentMechanismRows,
}

// SectorsTable is the sector taxonomy with its crosswalk.
var SectorsTable = Table{
	Name:        "sectors",
	Title:       "Sectors",
	Description: "The sector codes used in commitments, with a title, a definition and, where one fits, the OECD DAC CRS 3-digit sector code and the Comparative Agendas Project (CAP) major topic, for joining with development-finance and policy-agenda data.",
	PrimaryKey:  []string{"sector"},
	Fields: []Field{
		{"sector", String, false, "Sector code."},
		{"title", String, false, "Title."},
		{"definition", String, false, "What the code covers."},
		{"dac_crs_code", Int64, true, "OECD DAC CRS 3-digit sector code that fits best; null when none does."},
		{"dac_crs_title", String, true, "Title of that CRS sector."},
		{"cap_major_topic", Int64, true, "Comparative Agendas Project major topic code that fits best; null when none does."},
		{"cap_title", String, true, "Title of that CAP major topic."},
		{"commitments", Int64, false, "Number of commitments with this sector in the release."},
	},
	Rows:     sectorRows,
	RunLevel: true,
}

func commitmentRows(data Data) [][]any {
	var rows [][]any
	for _, d := range data.Docs {
		for _, c := range d.Commitments {
			var agree any
			if c.LanguagesAgree != nil {
				agree = *c.LanguagesAgree
			}
			rows = append(rows, []any{
				c.UnitID, c.DocID, c.ClauseID, c.SentenceID, c.Lang, int64(c.Ordinal), c.Text, str(c.TextZh),
				c.IsCommitment, str(c.Actor), str(c.Modality), str(c.Strength), str(c.Sector), str(c.ModalityZh), agree,
				list(c.MechanismIDs), float(c.AmountValue), str(c.AmountCurrency), list(c.Years), list(c.Resolutions),
				list(c.RuleIDs), c.Confidence, c.ClassifierVersion, c.LabelSource, str(c.OverrideReason), c.Complete,
			})
		}
	}
	return rows
}

func mechanismRows(data Data) [][]any {
	tot := data.totals()
	var rows [][]any
	for _, m := range data.Mechanisms {
		if tot.MechanismUnits[m.ID] == 0 {
			continue // registered but not mentioned in this release
		}
		rows = append(rows, []any{m.ID, m.Kind, str(m.NameZh), str(m.NameEn), tot.MechanismUnits[m.ID], list(tot.MechanismDocs(m.ID))})
	}
	return rows
}

func commitmentMechanismRows(data Data) [][]any {
	var rows [][]any
	for _, d := range data.Docs {
		for _, c := range d.Commitments {
			for _, id := range c.MechanismIDs {
				rows = append(rows, []any{c.UnitID, id})
			}
		}
	}
	return rows
}

func sectorRows(data Data) [][]any {
	tot := data.totals()
	var rows [][]any
	for _, s := range data.Sectors {
		rows = append(rows, []any{s.Code, s.Title, s.Definition, intPtr(s.DAC), str(s.DACTitle), intPtr(s.CAP), str(s.CAPTitle), tot.SectorUnits[s.Code]})
	}
	return rows
}

// list releases a nil list as an empty one.
func list(xs []string) []string { return append([]string{}, xs...) }

func intPtr(n *int) any {
	if n == nil {
		return nil
	}
	return int64(*n)
}
