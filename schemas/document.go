// Package schemas holds the records that flow between the pipeline's stages
// (Source, Document, Clause, Sentence) and the column definitions of the
// released tables, from which the Arrow schemas, CSV headers, JSON field names,
// datapackage.json and the README's schema reference are all generated.
//
// It is the ground floor of the module: it imports nothing of ours.
package schemas

import "fmt"

// Source is one entry of sources/sources.yaml: what a document is, where its
// snapshot lives, the sha256 it is pinned to, and how to clean and parse it.
// Metadata that the source does not state is nil, never guessed.
type Source struct {
	ID           string   `yaml:"id" json:"id"`
	TitleZh      *string  `yaml:"title_zh" json:"title_zh"`
	TitleEn      *string  `yaml:"title_en" json:"title_en"`
	Issuer       string   `yaml:"issuer" json:"issuer"`
	DocumentType string   `yaml:"document_type" json:"document_type"`
	Languages    []string `yaml:"languages" json:"languages"`
	// Layout names the grammar the snapshot is written in (see parse).
	Layout string `yaml:"layout" json:"layout"`
	// Format is text (the default) or html: a web page whose main text
	// clean extracts, one line per paragraph, before the layout applies.
	Format string `yaml:"format" json:"format,omitempty"`
	// Encoding is what the snapshot bytes are written in: utf-8 (the
	// default), gb18030, gbk, big5, utf-16le, utf-16be, or auto. Snapshots
	// are pinned as captured; clean decodes them.
	Encoding string `yaml:"encoding" json:"encoding,omitempty"`
	// PublishedDate and AdoptedDate are YYYY-MM-DD, only where the source states them.
	PublishedDate *string `yaml:"published_date" json:"published_date"`
	AdoptedDate   *string `yaml:"adopted_date" json:"adopted_date"`
	// Sequence orders documents for cross-document links where dates do
	// not: two documents are ordered by date when both have one, else by
	// sequence when both have one.
	Sequence *int `yaml:"sequence,omitempty" json:"sequence,omitempty"`
	// Attribution is who published the text, where the manifest knows it;
	// clean may find it in the text itself.
	Attribution *string `yaml:"attribution" json:"attribution"`
	URL         *string `yaml:"url" json:"url"`
	// ETag and LastModified are the validators of the pinned snapshot's
	// fetch, sent back to make a refresh conditional.
	ETag         *string `yaml:"etag" json:"etag,omitempty"`
	LastModified *string `yaml:"last_modified" json:"last_modified,omitempty"`
	CapturedVia  *string `yaml:"captured_via" json:"captured_via"`
	Licence      string  `yaml:"licence" json:"licence"`
	Snapshot     string  `yaml:"snapshot" json:"snapshot"`
	SHA256       string  `yaml:"sha256" json:"sha256"`
	// SnapshotEn and SHA256En pin the English text of a source that gives
	// Chinese and English as separate texts (layout parallel-texts).
	SnapshotEn string `yaml:"snapshot_en" json:"snapshot_en,omitempty"`
	SHA256En   string `yaml:"sha256_en" json:"sha256_en,omitempty"`
	// HeadingKinds names the heading ranks of this document, outermost first
	// (for example part, program, section).
	HeadingKinds []string   `yaml:"heading_kinds" json:"heading_kinds"`
	Clean        CleanRules `yaml:"clean" json:"clean"`
}

// CleanRules are the data-driven rules of the clean stage. Each pattern is a
// Go regular expression matched against one whole line (NFC, trimmed).
type CleanRules struct {
	// Drop removes a line and records it as boilerplate.
	Drop []Rule `yaml:"drop" json:"drop,omitempty"`
	// Attribution removes a line and keeps its text as the document's source
	// attribution; the pattern's capture groups, joined by " / ", are kept.
	Attribution []Rule `yaml:"attribution" json:"attribution,omitempty"`
	// PostedAt removes a line whose first capture group is a YYYY-MM-DD HH:MM
	// posting time and keeps it as posted_at.
	PostedAt []Rule `yaml:"posted_at" json:"posted_at,omitempty"`
	// Truncation removes a line and everything after it, marks the document
	// truncated and keeps the line as truncation_note.
	Truncation []Rule `yaml:"truncation" json:"truncation,omitempty"`
	// Replace rewrites every match inside a line with the rule's With
	// (capture groups as $1…), recording each removed fragment: for ruby or
	// pinyin annotations copied with the text (推進(jìn) → 推進).
	Replace []Rule `yaml:"replace" json:"replace,omitempty"`
}

// Rule is one named pattern.
type Rule struct {
	Name    string `yaml:"name" json:"name"`
	Pattern string `yaml:"pattern" json:"pattern"`
	// With is the replacement of a replace rule.
	With string `yaml:"with" json:"with,omitempty"`
}

// Document is a source on its way through the stages. Each stage fills in
// more of it; the release stage turns a slice of them into tables.
type Document struct {
	Source Source `json:"source"`
	// Raw is the snapshot's bytes, verified against Source.SHA256 by fetch.
	Raw []byte `json:"-"`
	// RawBytes is len(Raw), kept for reports after Raw is dropped.
	RawBytes int64 `json:"raw_bytes"`
	// RawEn is the English snapshot of a parallel-texts source.
	RawEn []byte `json:"-"`

	// Filled by clean. Encoding is what the snapshot was decoded from;
	// Script whether its Chinese is simplified (Hans) or traditional (Hant).
	Encoding    string `json:"encoding,omitempty"`
	Script      string `json:"script,omitempty"`
	Text        string `json:"text,omitempty"`
	LineNumbers []int  `json:"line_numbers,omitempty"` // snapshot line of each line of Text
	// Elements names, for a web page, the HTML element each snapshot line
	// of Text came from, so that messages can say "line 42 (<p>)".
	Elements map[int]string `json:"elements,omitempty"`
	// TextEn and LineNumbersEn are the cleaned English text of a
	// parallel-texts source; clause English offsets then point into it.
	TextEn            string    `json:"text_en,omitempty"`
	LineNumbersEn     []int     `json:"line_numbers_en,omitempty"`
	Removed           []Removal `json:"removed,omitempty"`
	SourceAttribution *string   `json:"source_attribution,omitempty"`
	PostedAt          *string   `json:"posted_at,omitempty"` // YYYY-MM-DDTHH:MM:SS, local time of the capturing site
	Truncated         bool      `json:"truncated"`
	TruncationNote    *string   `json:"truncation_note,omitempty"`
	TruncationLink    *string   `json:"truncation_link,omitempty"`

	// Filled by parse. Layout is the layout the text was read with (the
	// manifest's, or the one auto detection chose, with LayoutReason saying
	// why); GrammarVersion the heading grammar's version.
	Layout         string   `json:"layout,omitempty"`
	LayoutReason   string   `json:"layout_reason,omitempty"`
	GrammarVersion string   `json:"grammar_version,omitempty"`
	ParsedTitle    *string  `json:"parsed_title,omitempty"`
	Clauses        []Clause `json:"clauses,omitempty"`

	// Filled by align.
	Sentences []Sentence `json:"sentences,omitempty"`

	// Filled by classify: one per classification unit.
	Commitments []Commitment `json:"commitments,omitempty"`

	Warnings []string `json:"warnings,omitempty"`

	// Filled by link: what the cross-document linker compares.
	Features *DocFeatures `json:"-"`
}

// Position names a line of the snapshot for messages: "line 42", or for a
// web page "line 42 (<p>)".
func (d Document) Position(line int) string {
	if e, ok := d.Elements[line]; ok {
		return fmt.Sprintf("line %d (<%s>)", line, e)
	}
	return fmt.Sprintf("line %d", line)
}

// Removal is one line clean took out of the text, and why.
type Removal struct {
	Line   int    `json:"line"` // 1-based line in the snapshot
	Rule   string `json:"rule"` // kind/name of the rule that matched
	Action string `json:"action"`
	Text   string `json:"text"`
}

// Clause is one node of a document's own hierarchy: a heading (part,
// program, article, section) or a text unit (paragraph, item).
// Empty strings and negative offsets are released as nulls.
type Clause struct {
	ID          string   `json:"id"`
	DocID       string   `json:"doc_id"`
	Ordinal     int      `json:"ordinal"` // 1-based, document order
	ParentID    string   `json:"parent_id,omitempty"`
	Level       int      `json:"level"` // 1 = top of the document
	Kind        string   `json:"kind"`
	Label       string   `json:"label,omitempty"`    // the document's own label: 第一部分, 一、, (三), 第二条
	LabelEn     string   `json:"label_en,omitempty"` // Part I, 1., (3)
	Number      int      `json:"number,omitempty"`   // the label's numeric value
	TitleZh     string   `json:"title_zh,omitempty"`
	TitleEn     string   `json:"title_en,omitempty"`
	TextZh      string   `json:"text_zh,omitempty"`
	TextEn      string   `json:"text_en,omitempty"`
	HeadingPath []string `json:"heading_path"`
	TextSHA256  string   `json:"text_sha256"`
	// TextEnSHA256 hashes the English content; empty without English.
	TextEnSHA256 string `json:"text_en_sha256,omitempty"`
	// CharStart/CharEnd delimit, in code points of Document.Text, the clause's
	// Chinese as it stands there (label and title or text); En* the English,
	// in Document.TextEn when the document has one, else in Document.Text.
	CharStart   int  `json:"char_start"`
	CharEnd     int  `json:"char_end"`
	EnCharStart int  `json:"en_char_start"`
	EnCharEnd   int  `json:"en_char_end"`
	SourceLine  int  `json:"source_line"`
	Complete    bool `json:"complete"`
}

// IsText reports whether the clause carries body text (paragraph or item)
// rather than being a heading.
func (c Clause) IsText() bool { return c.TextZh != "" || c.TextEn != "" }

// Sentence is one alignment bead inside a text clause: one or more Chinese
// sentences paired with zero or more English ones (or the reverse).
type Sentence struct {
	ID       string `json:"id"`
	ClauseID string `json:"clause_id"`
	DocID    string `json:"doc_id"`
	Ordinal  int    `json:"ordinal"` // 1-based within the clause
	Zh       string `json:"zh,omitempty"`
	En       string `json:"en,omitempty"`
	Bead     string `json:"bead,omitempty"` // "1-1", "2-1", … ; empty for monolingual documents
	// Score is the bead's posterior probability under the aligner's model;
	// LengthScore the length model's probability alone; Anchors the numbers,
	// Latin tokens and glossary terms both sides share.
	Score       *float64 `json:"score,omitempty"`
	LengthScore *float64 `json:"length_score,omitempty"`
	Anchors     []string `json:"anchors,omitempty"`
	NeedsReview bool     `json:"needs_review,omitempty"`
	// ReviewReason says why a bead needs review, in words a person can act
	// on; empty when it does not.
	ReviewReason string `json:"review_reason,omitempty"`
	// Complete is false for the last sentence of a clause the capture cut
	// off.
	Complete bool `json:"complete"`
	// Offsets in code points within the clause's text_zh / text_en; -1 when
	// that side is empty.
	ZhStart int `json:"zh_start"`
	ZhEnd   int `json:"zh_end"`
	EnStart int `json:"en_start"`
	EnEnd   int `json:"en_end"`
}

// Commitment is one classification unit — an English sentence of a
// bilingual document, a Chinese sentence of a Chinese-only one — with what
// the classifier (or a curator's override) says of it. Labels are empty
// when IsCommitment is false.
type Commitment struct {
	UnitID     string `json:"unit_id"` // <clause_id>/en<k> or <clause_id>/zh<k>
	DocID      string `json:"doc_id"`
	ClauseID   string `json:"clause_id"`
	SentenceID string `json:"sentence_id"` // the alignment bead holding the unit
	Lang       string `json:"lang"`
	Ordinal    int    `json:"ordinal"` // k
	Text       string `json:"text"`
	TextZh     string `json:"text_zh,omitempty"` // the bead's Chinese

	IsCommitment   bool     `json:"is_commitment"`
	Actor          string   `json:"actor,omitempty"`
	Modality       string   `json:"modality,omitempty"`
	Strength       string   `json:"strength,omitempty"`
	Sector         string   `json:"sector,omitempty"`
	ModalityZh     string   `json:"modality_zh,omitempty"` // what the bead's Chinese alone says
	LanguagesAgree *bool    `json:"languages_agree,omitempty"`
	MechanismIDs   []string `json:"mechanism_ids,omitempty"`
	AmountValue    *float64 `json:"amount_value,omitempty"`
	AmountCurrency string   `json:"amount_currency,omitempty"`
	Years          []string `json:"years,omitempty"`
	Resolutions    []string `json:"resolutions,omitempty"`

	RuleIDs           []string `json:"rule_ids"`
	Confidence        float64  `json:"confidence"`
	ClassifierVersion string   `json:"classifier_version"`
	LabelSource       string   `json:"label_source"` // rule or override
	OverrideReason    string   `json:"override_reason,omitempty"`
	// Complete is false when the unit was cut off by the capture.
	Complete bool `json:"complete"`
}

// Mechanism is a named forum, initiative, plan, fund, centre, alliance,
// convention or resolution, with one id across documents.
type Mechanism struct {
	ID      string   `yaml:"id" json:"id"`
	Kind    string   `yaml:"kind" json:"kind"`
	NameZh  string   `yaml:"zh" json:"name_zh"`
	NameEn  string   `yaml:"en" json:"name_en"`
	AliasZh []string `yaml:"aliases_zh" json:"aliases_zh,omitempty"`
	AliasEn []string `yaml:"aliases_en" json:"aliases_en,omitempty"`
}

// Sector is one code of the sector taxonomy with its crosswalk.
type Sector struct {
	Code       string   `yaml:"code" json:"code"`
	Title      string   `yaml:"title" json:"title"`
	Definition string   `yaml:"definition" json:"definition"`
	DAC        *int     `yaml:"dac_crs" json:"dac_crs"`
	DACTitle   string   `yaml:"dac_crs_title" json:"dac_crs_title"`
	CAP        *int     `yaml:"cap" json:"cap"`
	CAPTitle   string   `yaml:"cap_title" json:"cap_title"`
	KeywordsZh []string `yaml:"keywords_zh" json:"-"`
	KeywordsEn []string `yaml:"keywords_en" json:"-"`
}
