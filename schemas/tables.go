package schemas

import "math"

// Tables returns the released tables in release order. Everything that
// names a column (Arrow schemas, CSV headers, JSON keys, datapackage.json,
// the data card and the README's schema reference) is generated from here.
func Tables() []Table {
	return []Table{DocumentsTable, ClausesTable, SentencesTable, CommitmentsTable, MechanismsTable, CommitmentMechanismsTable, SectorsTable, LinksTable, ContinuityTable, ReviewTable, ReviewLinksTable}
}

// DocumentsTable has one row per source document.
var DocumentsTable = Table{
	Name:        "documents",
	Title:       "Documents",
	Description: "One row per source document: its metadata as recorded in the manifest or stated in the text, what cleaning removed, the pinned snapshot, and the cleaned text that clause offsets point into.",
	PrimaryKey:  []string{"doc_id"},
	Prose:       []string{"clean_text", "clean_text_en", "warnings", "boilerplate"},
	Fields: []Field{
		{"doc_id", String, false, "Stable document identifier, e.g. lac-policy-2025."},
		{"title_zh", String, true, "Chinese title as published; null where unknown."},
		{"title_en", String, true, "English title as published; null where the document has none."},
		{"issuer", String, true, "Who issued or adopted the document; null where not yet recorded (then quality is review)."},
		{"document_type", String, true, "Kind of document, e.g. policy_paper, action_plan; null where not yet recorded."},
		{"languages", StringList, false, "Languages of the text, as BCP 47 codes (zh, en)."},
		{"encoding", String, false, "Encoding the snapshot is written in (utf-8, gb18030, big5, utf-16le…); snapshots are pinned as captured and decoded by the pipeline."},
		{"script", String, true, "Hans or Hant: whether the Chinese text is in simplified or traditional characters (traditional text is kept as published and matched through its simplified form); null without Chinese."},
		{"layout", String, false, "Layout the snapshot was read with (a name from the parser's layouts.yaml: bilingual-rows, interleaved-zh-en, same-line-en-zh, parallel-texts, monolingual-zh, monolingual-en, …): the manifest's, or the one layout: auto chose."},
		{"layout_reason", String, true, "Why layout: auto chose this layout (the line counts it saw); null when the manifest names the layout."},
		{"grammar_version", String, false, "Version of the heading grammar (numbering patterns) the document was parsed with."},
		{"published_date", Date, true, "Publication date where the source states it; null otherwise (never guessed)."},
		{"adopted_date", Date, true, "Adoption date where the text states it; null otherwise."},
		{"sequence", Int64, true, "The document's place in the manifest's own order (sources.yaml sequence), which orders documents for links and continuity where dates cannot; null where not given."},
		{"posted_at", Timestamp, true, "Posting time printed by the site the snapshot was captured from (site local time, zone not stated); null where absent."},
		{"source_attribution", String, true, "Attribution printed with the text (e.g. (来源:新华网) / (Source: Xinhua)), else the manifest's; null where unknown."},
		{"source_url", String, true, "Original URL of the text where known; null otherwise."},
		{"captured_via", String, true, "Where the snapshot was captured, when that differs from the publisher."},
		{"licence_note", String, true, "Rights note on the source text; null where not yet recorded (then quality is review)."},
		{"truncated", Bool, false, "True when the captured text stops before the document's end."},
		{"truncation_note", String, true, "The note that cut the text off, as printed; null when not truncated."},
		{"truncation_link", String, true, "Link printed with the truncation note; null when none."},
		{"boilerplate", StringList, false, "What cleaning removed, in snapshot order: whole lines (web boilerplate, attribution, posting time, truncation note) and fragments taken out by replace rules (ruby or pinyin annotations)."},
		{"snapshot_path", String, false, "Path of the snapshot inside the project's sources/ folder."},
		{"snapshot_sha256", String, false, "SHA-256 of the snapshot bytes, as pinned in sources.yaml."},
		{"snapshot_bytes", Int64, false, "Size of the snapshot in bytes."},
		{"snapshot_en_path", String, true, "Path of the English snapshot, for sources that give Chinese and English as separate texts; null otherwise."},
		{"snapshot_en_sha256", String, true, "SHA-256 of the English snapshot, as pinned; null without one."},
		{"clause_count", Int64, false, "Number of rows of this document in clauses."},
		{"sentence_count", Int64, false, "Number of rows of this document in sentences."},
		{"english_coverage", Float64, true, "Share of the text clauses that have both Chinese and English, for documents declared bilingual; null for monolingual documents. Below 1 means paragraphs without a translation (see warnings)."},
		{"quality", String, false, "ok, or review when the pipeline raised warnings about this document (missing or misaligned translations, duplicated clauses, empty headings…): read warnings before relying on it."},
		{"warnings", StringList, false, "Each quality warning with the snapshot line and what to check, in pipeline order; empty when quality is ok."},
		{"clean_text", String, false, "The cleaned text (NFC) that clauses.char_start/char_end index, in code points."},
		{"clean_text_en", String, true, "The cleaned English text of a source with separate texts, which clauses.en_char_start/en_char_end then index; null otherwise."},
	},
	Rows: documentRows,
}

// ClausesTable has one row per node of each document's own hierarchy.
var ClausesTable = Table{
	Name:        "clauses",
	Title:       "Clauses",
	Description: "One row per node of each document's own hierarchy: headings (preface, part, program, article, section) and text units (paragraph, item), in document order.",
	PrimaryKey:  []string{"clause_id"},
	Prose:       []string{"text_zh", "text_en"},
	ForeignKeys: []ForeignKey{
		{Fields: []string{"doc_id"}, RefTable: "documents", RefFields: []string{"doc_id"}},
		{Fields: []string{"parent_id"}, RefTable: "clauses", RefFields: []string{"clause_id"}},
	},
	Fields: []Field{
		{"clause_id", String, false, "Stable, readable id: document id and the structural path by the document's own numbering, e.g. lac-policy-2025/part3/prog1/sec3/para1."},
		{"doc_id", String, false, "Document the clause belongs to (documents.doc_id)."},
		{"ordinal", Int64, false, "1-based position of the clause in its document."},
		{"parent_id", String, true, "Enclosing clause (clauses.clause_id); null at the top level."},
		{"level", Int64, false, "Depth in the hierarchy, 1 at the top."},
		{"kind", String, false, "preface, part, program, article, section, paragraph or item."},
		{"label", String, true, "The document's own label as printed: 第一部分, 一、, (三), 第二条; null for unnumbered clauses."},
		{"label_en", String, true, "English label as printed (Part I, 1., (3)); null where absent."},
		{"number", Int64, true, "Numeric value of the label (第三部分 → 3, (十七) → 17); null for unnumbered clauses."},
		{"title_zh", String, true, "Chinese heading title; null for text units."},
		{"title_en", String, true, "English heading title; null where absent."},
		{"text_zh", String, true, "Chinese body text (NFC, trimmed), without the label; null for headings."},
		{"text_en", String, true, "English body text; null for headings and Chinese-only documents."},
		{"heading_path", StringList, false, "Labels and titles of the enclosing headings, outermost first."},
		{"text_sha256", String, false, "SHA-256 (hex) of the UTF-8 of the clause's content: text_zh, else title_zh; in a clause without Chinese, text_en, else title_en; else label."},
		{"text_en_sha256", String, true, "SHA-256 (hex) of text_en, else title_en; null where there is no English."},
		{"char_start", Int64, true, "Start (0-based, in code points) of the clause's Chinese in documents.clean_text; null for an English line that has no Chinese counterpart."},
		{"char_end", Int64, true, "End (exclusive) of the clause's Chinese in documents.clean_text."},
		{"en_char_start", Int64, true, "Start of the clause's English in documents.clean_text_en if the document has one, else in documents.clean_text; null without English."},
		{"en_char_end", Int64, true, "End (exclusive) of the clause's English, in the same text as en_char_start."},
		{"source_line", Int64, false, "1-based line of the snapshot where the clause starts."},
		{"complete", Bool, false, "False when the capture cut the clause off mid-text."},
	},
	Rows: clauseRows,
}

// SentencesTable has one row per alignment bead of each text clause.
var SentencesTable = Table{
	Name:        "sentences",
	Title:       "Sentences",
	Description: "One row per alignment bead inside each text clause: Chinese sentence(s) with the English sentence(s) that translate them. Chinese-only documents have one row per Chinese sentence and null English.",
	PrimaryKey:  []string{"sentence_id"},
	Prose:       []string{"zh", "en"},
	ForeignKeys: []ForeignKey{
		{Fields: []string{"clause_id"}, RefTable: "clauses", RefFields: []string{"clause_id"}},
		{Fields: []string{"doc_id"}, RefTable: "documents", RefFields: []string{"doc_id"}},
	},
	Fields: []Field{
		{"sentence_id", String, false, "Stable id: clause id and the bead's ordinal, e.g. lac-policy-2025/preface/para1/s2."},
		{"clause_id", String, false, "Clause the sentence belongs to (clauses.clause_id)."},
		{"doc_id", String, false, "Document (documents.doc_id)."},
		{"ordinal", Int64, false, "1-based position of the bead within its clause."},
		{"zh", String, true, "Chinese sentence(s) of the bead; null for a 0-1 bead."},
		{"en", String, true, "English sentence(s) of the bead; null for a 1-0 bead and for Chinese-only documents."},
		{"bead", String, true, "Bead type zh-en, e.g. 1-1, 1-2, 2-1, 1-0, 0-1; null for Chinese-only documents."},
		{"score", Float64, true, "Alignment confidence in [0,1]: the bead's posterior probability given sentence lengths and shared anchors, over all alignments of the paragraph; null for Chinese-only documents."},
		{"length_score", Float64, true, "Probability of the bead's length discrepancy under the length model alone (two-tailed, Gale–Church); 0 for 1-0 and 0-1 beads; null for Chinese-only documents."},
		{"anchors", StringList, false, "Anchors both sides of the bead share: num:<number>, latin:<token>, term:<Chinese glossary term>."},
		{"needs_review", Bool, false, "True when the bead needs a person's check (see review_reason); such beads are also listed in review.csv."},
		{"review_reason", String, true, "Why the bead needs review: its score is under the release's review threshold, its paragraph has no translation, or its paragraph's translation looks misaligned (rows swapped or shifted); null when it does not."},
		{"zh_start", Int64, true, "Start (code points) of zh within clauses.text_zh; null when zh is null."},
		{"zh_end", Int64, true, "End (exclusive) of zh within clauses.text_zh."},
		{"en_start", Int64, true, "Start (code points) of en within clauses.text_en; null when en is null."},
		{"en_end", Int64, true, "End (exclusive) of en within clauses.text_en."},
		{"complete", Bool, false, "False for the last sentence of a clause the capture cut off mid-text (clauses.complete is false)."},
	},
	Rows: sentenceRows,
}

func documentRows(data Data) [][]any {
	docs := data.Docs
	rows := make([][]any, 0, len(docs))
	for _, d := range docs {
		s := d.Source
		attribution := d.SourceAttribution
		if attribution == nil {
			attribution = s.Attribution
		}
		boilerplate := make([]string, len(d.Removed))
		for i, r := range d.Removed {
			boilerplate[i] = r.Text
		}
		layout := d.Layout
		if layout == "" {
			layout = s.Layout
		}
		quality := "ok"
		if len(d.Warnings) > 0 {
			quality = "review"
		}
		rows = append(rows, []any{
			s.ID, ptr(s.TitleZh), ptr(s.TitleEn), str(s.Issuer), str(s.DocumentType), append([]string{}, s.Languages...), encodingOf(d), str(d.Script), layout, str(d.LayoutReason), d.GrammarVersion,
			ptr(s.PublishedDate), ptr(s.AdoptedDate), sequenceOf(s), ptr(d.PostedAt), ptr(attribution), ptr(s.URL), ptr(s.CapturedVia),
			str(s.Licence), d.Truncated, ptr(d.TruncationNote), ptr(d.TruncationLink), boilerplate,
			s.Snapshot, s.SHA256, d.RawBytes, str(s.SnapshotEn), str(s.SHA256En), int64(len(d.Clauses)), int64(len(d.Sentences)),
			EnglishCoverage(d), quality, append([]string{}, d.Warnings...), d.Text, str(d.TextEn),
		})
	}
	return rows
}

func sequenceOf(s Source) any {
	if s.Sequence == nil {
		return nil
	}
	return int64(*s.Sequence)
}

func encodingOf(d Document) string {
	if d.Encoding == "" {
		return "utf-8"
	}
	return d.Encoding
}

// EnglishCoverage is the share of a bilingual document's text clauses that
// have both languages, or nil for a monolingual document.
func EnglishCoverage(d Document) any {
	langs := map[string]bool{}
	for _, l := range d.Source.Languages {
		langs[l] = true
	}
	if !langs["zh"] || !langs["en"] {
		return nil
	}
	text, both := 0, 0
	for _, c := range d.Clauses {
		if c.IsText() {
			text++
			if c.TextZh != "" && c.TextEn != "" {
				both++
			}
		}
	}
	if text == 0 {
		return nil
	}
	return math.Round(float64(both)/float64(text)*1e4) / 1e4
}

func clauseRows(data Data) [][]any {
	docs := data.Docs
	var rows [][]any
	for _, d := range docs {
		for _, c := range d.Clauses {
			var number any
			if c.Number > 0 {
				number = int64(c.Number)
			}
			rows = append(rows, []any{
				c.ID, c.DocID, int64(c.Ordinal), str(c.ParentID), int64(c.Level), c.Kind,
				str(c.Label), str(c.LabelEn), number, str(c.TitleZh), str(c.TitleEn), str(c.TextZh), str(c.TextEn),
				append([]string{}, c.HeadingPath...), c.TextSHA256, str(c.TextEnSHA256),
				offset(c.CharStart), offset(c.CharEnd), offset(c.EnCharStart), offset(c.EnCharEnd),
				int64(c.SourceLine), c.Complete,
			})
		}
	}
	return rows
}

func sentenceRows(data Data) [][]any {
	docs := data.Docs
	var rows [][]any
	for _, d := range docs {
		for _, s := range d.Sentences {
			score := float(s.Score)
			rows = append(rows, []any{
				s.ID, s.ClauseID, s.DocID, int64(s.Ordinal), str(s.Zh), str(s.En), str(s.Bead), score, float(s.LengthScore),
				append([]string{}, s.Anchors...), s.NeedsReview, str(s.ReviewReason),
				offset(s.ZhStart), offset(s.ZhEnd), offset(s.EnStart), offset(s.EnEnd), s.Complete,
			})
		}
	}
	return rows
}

func float(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// str releases an empty string as null.
func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func ptr(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// offset releases a negative offset as null.
func offset(n int) any {
	if n < 0 {
		return nil
	}
	return int64(n)
}

// ReviewTable lists the beads that need review, with the reason and both
// texts side by side, for a person to check. CSV only.
var ReviewTable = Table{
	Name:        "review",
	Title:       "Alignment beads to review",
	Description: "Sentence beads that need a person's check — alignment score under the release's review threshold, a paragraph without translation, a paragraph whose translation looks misaligned — with the reason, the snapshot line and both texts, for checking by hand before quoting.",
	Formats:     []string{"csv"},
	PrimaryKey:  []string{"sentence_id"},
	ForeignKeys: []ForeignKey{{Fields: []string{"sentence_id"}, RefTable: "sentences", RefFields: []string{"sentence_id"}}},
	Fields: []Field{
		{"sentence_id", String, false, "The bead (sentences.sentence_id)."},
		{"doc_id", String, false, "Document (documents.doc_id)."},
		{"clause_id", String, false, "The clause (clauses.clause_id)."},
		{"source_line", Int64, false, "Line of the snapshot where the clause starts."},
		{"reason", String, false, "Why the bead needs review, and what to check."},
		{"bead", String, false, "Bead type zh-en."},
		{"score", Float64, true, "Alignment confidence in [0,1]; null for a paragraph without translation."},
		{"length_score", Float64, true, "Length model probability alone; null for a paragraph without translation."},
		{"anchors", StringList, false, "Anchors both sides share."},
		{"zh", String, true, "Chinese sentence(s)."},
		{"en", String, true, "English sentence(s)."},
	},
	Rows: reviewRows,
}

func reviewRows(data Data) [][]any {
	docs := data.Docs
	var rows [][]any
	for _, d := range docs {
		lines := map[string]int{}
		for _, c := range d.Clauses {
			lines[c.ID] = c.SourceLine
		}
		for _, s := range d.Sentences {
			if !s.NeedsReview {
				continue
			}
			rows = append(rows, []any{s.ID, s.DocID, s.ClauseID, int64(lines[s.ClauseID]), s.ReviewReason, s.Bead, float(s.Score), float(s.LengthScore), append([]string{}, s.Anchors...), str(s.Zh), str(s.En)})
		}
	}
	return rows
}
