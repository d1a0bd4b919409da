package schemas

// LinksTable has one row per pair of clauses where a later document
// continues an earlier one.
var LinksTable = Table{
	Name:        "links",
	Title:       "Cross-document links",
	Description: "One row per pair of clauses where a clause of a later document continues a clause of an earlier one (documents ordered by date, adopted_date else published_date, and where dates cannot, by documents.sequence): the relation, a score and the evidence. Built by rules and weights shipped as versioned data (stages/link/rules.yaml); each link depends only on the two documents.",
	PrimaryKey:  []string{"from_clause_id", "to_clause_id"},
	ForeignKeys: []ForeignKey{
		{Fields: []string{"from_clause_id"}, RefTable: "clauses", RefFields: []string{"clause_id"}},
		{Fields: []string{"to_clause_id"}, RefTable: "clauses", RefFields: []string{"clause_id"}},
		{Fields: []string{"from_doc_id"}, RefTable: "documents", RefFields: []string{"doc_id"}},
		{Fields: []string{"to_doc_id"}, RefTable: "documents", RefFields: []string{"doc_id"}},
	},
	Fields: []Field{
		{"from_clause_id", String, false, "The earlier clause (clauses.clause_id)."},
		{"to_clause_id", String, false, "The later clause that continues it (clauses.clause_id)."},
		{"from_doc_id", String, false, "The earlier document."},
		{"to_doc_id", String, false, "The later document."},
		{"relation", String, false, "same: the later clause restates essentially the same action; extends: it continues the action in a broader, more specific or upgraded form."},
		{"score", Float64, false, "How strongly the later clause continues the earlier one, in [0,1]."},
		{"evidence", StringList, false, "What matched: text similarity (text 0.42), shared named mechanisms (mechanism <id>), shared anchors such as numbers, codes and glossary terms (anchor <key>), shared sector and modality."},
	},
	Rows:     linkRows,
	RunLevel: true,
}

func linkRows(data Data) [][]any {
	rows := make([][]any, 0, len(data.Links))
	for _, l := range data.Links {
		rows = append(rows, []any{l.From, l.To, l.FromDoc, l.ToDoc, l.Relation, l.Score, list(l.Evidence)})
	}
	return rows
}

// ContinuityTable has one row per text clause of a document that a later
// document was compared with.
var ContinuityTable = Table{
	Name:        "continuity",
	Title:       "Continuity of earlier clauses",
	Description: "One row per text clause of a document that has later documents to compare with: continued (at least one link) or dropped (none), with the best link.",
	PrimaryKey:  []string{"clause_id"},
	ForeignKeys: []ForeignKey{
		{Fields: []string{"clause_id"}, RefTable: "clauses", RefFields: []string{"clause_id"}},
		{Fields: []string{"best_to_clause_id"}, RefTable: "clauses", RefFields: []string{"clause_id"}},
		{Fields: []string{"doc_id"}, RefTable: "documents", RefFields: []string{"doc_id"}},
	},
	Fields: []Field{
		{"clause_id", String, false, "The earlier clause (clauses.clause_id)."},
		{"doc_id", String, false, "Its document."},
		{"later_doc_ids", StringList, false, "The later documents it was compared with: the next ones by date, or by documents.sequence where dates cannot order them."},
		{"status", String, false, "continued (at least one later clause continues it) or dropped (none does)."},
		{"best_to_clause_id", String, true, "The later clause of the best link; null when dropped."},
		{"best_relation", String, true, "same or extends; null when dropped."},
		{"best_score", Float64, true, "The best link's score; null when dropped."},
	},
	Rows:     continuityRows,
	RunLevel: true,
}

func continuityRows(data Data) [][]any {
	rows := make([][]any, 0, len(data.Continuity))
	for _, c := range data.Continuity {
		var to, rel, score any
		if c.Best != nil {
			to, rel, score = c.Best.To, c.Best.Relation, c.Best.Score
		}
		rows = append(rows, []any{c.ClauseID, c.DocID, list(c.LaterDocs), c.Status, to, rel, score})
	}
	return rows
}

// ReviewLinksTable lists the links a person should check: those scoring in
// the middle band, just over the linking threshold. CSV only, like review.
var ReviewLinksTable = Table{
	Name:        "review_links",
	Title:       "Cross-document links to review",
	Description: "Links whose score lies in the middle band (over the linking threshold, under the review bound), with both texts, for checking by hand before relying on them.",
	Formats:     []string{"csv"},
	PrimaryKey:  []string{"from_clause_id", "to_clause_id"},
	ForeignKeys: []ForeignKey{
		{Fields: []string{"from_clause_id", "to_clause_id"}, RefTable: "links", RefFields: []string{"from_clause_id", "to_clause_id"}},
	},
	Fields: []Field{
		{"from_clause_id", String, false, "The earlier clause."},
		{"to_clause_id", String, false, "The later clause."},
		{"relation", String, false, "same or extends."},
		{"score", Float64, false, "The link's score."},
		{"evidence", StringList, false, "What matched."},
	},
	Rows:     reviewLinkRows,
	RunLevel: true,
}

func reviewLinkRows(data Data) [][]any {
	var rows [][]any
	for _, l := range data.Links {
		if l.Score < data.LinkReview {
			rows = append(rows, []any{l.From, l.To, l.Relation, l.Score, list(l.Evidence)})
		}
	}
	return rows
}
