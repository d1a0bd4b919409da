package release

import (
	"fmt"
	"sort"
	"strings"

	"github.com/policyledger/policyledger/schemas"
)

// SchemaReference renders the tables' columns as Markdown. The project
// README and every data card embed it, so neither can drift from schemas.
func SchemaReference(heading string) string {
	var b strings.Builder
	for _, t := range schemas.Tables() {
		fmt.Fprintf(&b, "%s `%s`\n\n%s\n\n", heading, t.Name, t.Description)
		fmt.Fprintf(&b, "Primary key: `%s`.", strings.Join(t.PrimaryKey, ", "))
		for _, fk := range t.ForeignKeys {
			fmt.Fprintf(&b, " `%s` → `%s.%s`.", strings.Join(fk.Fields, ", "), fk.RefTable, strings.Join(fk.RefFields, ", "))
		}
		b.WriteString("\n\n| column | type | null | description |\n|---|---|---|---|\n")
		for _, f := range t.Fields {
			null := ""
			if f.Nullable {
				null = "yes"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", f.Name, f.Kind.Name(), null, strings.ReplaceAll(f.Description, "|", `\|`))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// card renders the release's README.md: what the data is, what is in the
// folder, how it was made, its fields, known limitations, how to load it and
// how to cite it. Everything in it comes from the run's inputs.
func card(ds schemas.Dataset, opt Options, docs *schemas.SummaryList, files map[string]fileInfo, rowCounts map[string]int, extra []string) string {
	version := opt.Version
	var b strings.Builder
	fmt.Fprintf(&b, "# %s — version %s\n\n%s\n\n", ds.Title, version, ds.Description)

	b.WriteString("## Documents\n\n| doc_id | title | languages | clauses | sentences | commitments | truncated |\n|---|---|---|---|---|---|---|\n")
	for d := range docs.All() {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %d | %d | %d | %t |\n", d.Source.ID, sourceTitle(d.Source), strings.Join(d.Source.Languages, ", "), d.Clauses, d.Sentences, d.Commitments, d.Truncated)
	}

	b.WriteString("\n## Files\n\nEvery table comes in three formats with the same columns and rows: Parquet (zstd, typed, lists as LIST), CSV (RFC 4180, UTF-8, `\\n` line ends, header row, nulls as empty fields, lists as JSON arrays) and JSON Lines (one object per row, explicit nulls).\n\n| file | rows | bytes | sha256 |\n|---|---|---|---|\n")
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		rows := ""
		if table, _, ok := strings.Cut(n, "."); ok {
			if c, ok := rowCounts[table]; ok {
				rows = fmt.Sprint(c)
			}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %d | `%s` |\n", n, rows, files[n].bytes, files[n].hash)
	}
	b.WriteString("\n`review.csv` lists the alignment beads that need a person's check (CSV only). Also here: `datapackage.json` (Frictionless Tabular Data Package: every resource with its schema, keys, size and hash), `CHANGELOG.md`, and `SHA256SUMS` (check with `sha256sum -c SHA256SUMS`).\n")
	for _, e := range extra {
		fmt.Fprintf(&b, "%s\n", e)
	}

	b.WriteString("\n## How it was made\n\nA pure function of pinned snapshots, the manifest and the code: **fetch** (verify each snapshot against its pinned sha256) → **clean** (NFC, strip web boilerplate, attribution rows, posting times and truncation notes into document metadata) → **parse** (each document's own hierarchy and labels, stable clause ids) → **align** (sentence split; Chinese–English beads by a dynamic programme over a Gale–Church length model shipped as versioned data, plus shared numbers, Latin tokens and glossary terms; each bead scored by its posterior probability; paragraphs without translation, and paragraphs whose translation fits a neighbour's better, flagged) → **classify** (rule-based: each English sentence of a bilingual document, each Chinese sentence of a Chinese-only one, labelled commitment or not, with actor, modality, strength, sector, named mechanisms, amounts, years and resolutions; the rules are versioned data, and a curator's overrides are applied last and marked) → **release** (these files). Rebuilding from the same inputs gives byte-identical files.\n\n")
	b.WriteString("## How commitments are coded\n\n")
	b.WriteString("- A unit is one English sentence of a bilingual document (with its alignment bead's Chinese) or one Chinese sentence of a Chinese-only one. It is a commitment when it states a specific future or continued action by an identifiable actor; history, facts, principles and evaluations are not.\n")
	b.WriteString("- A bare Chinese imperative with no stated subject (加强…, 推动…, 深化…, the usual form of an action plan's items) is coded `modality = will`, `strength = firm`; its actor is the side the unit names (双方/我们 → both, 中方 → china, 拉方 → lac), else the issuer: `china` for a policy paper, `both` for a jointly adopted plan.\n")
	b.WriteString("- English passives — \"Efforts will be made to…\", \"… will be held\" — are coded `will` (or `continue`), `firm`, with the issuing side as actor unless the sentence says \"the two sides\". Where the Chinese of the bead reads otherwise (愿, ready), `modality_zh` says so and `languages_agree` is false.\n")
	b.WriteString("- `modality` comes from the first main verb: will, ready, continue, support, welcome, encourage, explore, call, oppose; `strength` is firm for will and continue, soft otherwise.\n")
	b.WriteString("- A unit the capture cut off mid-text has `complete = false` (in `clauses`, `sentences` and `commitments` alike): its labels describe a fragment, and what follows it in the document is missing.\n")
	b.WriteString("- `rule_ids` names the rule behind each label and `confidence` how sure the rules are; `label_source = override` marks a curator's correction, with its reason.\n\n")
	b.WriteString("## Known limitations\n\n")
	for d := range docs.All() {
		if d.Truncated {
			note := ""
			if d.TruncationNote != nil {
				note = *d.TruncationNote
			}
			fmt.Fprintf(&b, "- `%s` is truncated: the captured copy stops with the note “%s”. Its last clause has `complete = false`; clauses after it are missing.\n", d.Source.ID, note)
		}
		if d.Source.PublishedDate == nil {
			fmt.Fprintf(&b, "- `%s`: the publication date is not stated in the source and is null.\n", d.Source.ID)
		}
	}
	b.WriteString("- `posted_at` is the capturing site's local time; its time zone is not stated.\n")
	fmt.Fprintf(&b, "- Sentence alignment is automatic (lengths plus shared numbers, Latin tokens and glossary terms). `score` is each bead's posterior probability. The %d beads that need a person's check — scoring below %.2f, in a paragraph without translation, or in a paragraph whose translation looks swapped or shifted — are flagged `needs_review` with a `review_reason` and listed in `review.csv`: check them before quoting.\n", rowCounts["review"], opt.ReviewThreshold)
	for d := range docs.All() {
		if len(d.Warnings) > 0 {
			fmt.Fprintf(&b, "- `%s` has quality `review`: %d warning(s) in `documents.warnings` (missing or misaligned translations, duplicated clauses, empty headings…). Read them before relying on it.\n", d.Source.ID, len(d.Warnings))
		}
	}
	b.WriteString("- Commitment labels come from rules measured against a hand-labelled sample of one policy paper and one action plan (see the project README for the figures); other documents may use phrasings the rules do not know. `rule_ids` and `confidence` say how each label was reached; `languages_agree = false` marks units whose Chinese and English suggest different modalities.\n")
	b.WriteString("- Mechanism names are matched against a curated registry; a mechanism it does not list is not linked. English names are null where no document prints one.\n")

	b.WriteString("\n## Loading\n\nDuckDB:\n\n```sql\n-- paragraphs of the policy paper\nSELECT c.clause_id, c.label, c.text_zh, c.text_en\nFROM 'clauses.parquet' c\nWHERE c.doc_id = 'lac-policy-2025' AND c.kind = 'paragraph'\nORDER BY c.ordinal;\n```\n\n```sql\n-- commitments by document and modality\nSELECT doc_id, modality, count(*) AS commitments\nFROM 'commitments.parquet'\nWHERE is_commitment\nGROUP BY ALL ORDER BY ALL;\n```\n\npandas:\n\n```python\nimport pandas as pd\nclauses = pd.read_csv('clauses.csv', keep_default_na=False, na_values=[''])\ncommitments = pd.read_json('commitments.jsonl', lines=True, dtype=False)\nprint(clauses.groupby('doc_id').size())\nprint(commitments[commitments.is_commitment].groupby(['doc_id', 'modality']).size())\n```\n\n")
	b.WriteString("## Fields\n\n")
	b.WriteString(SchemaReference("###"))
	b.WriteString("## Licence\n\n")
	for _, l := range ds.Licenses {
		fmt.Fprintf(&b, "- %s (%s): %s\n", l.Name, l.Path, l.Title)
	}
	b.WriteString("- The source texts keep their own rights; see `documents.licence_note`.\n")
	fmt.Fprintf(&b, "\n## How to cite\n\n%s\n", strings.ReplaceAll(ds.Citation, "{version}", version))
	return b.String()
}
