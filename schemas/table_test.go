package schemas

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

var snake = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// TestTablesWellFormed: names are snake_case and unique, keys name real
// columns, foreign keys point at real tables, every column is described.
func TestTablesWellFormed(t *testing.T) {
	tables := map[string]Table{}
	for _, tb := range Tables() {
		tables[tb.Name] = tb
	}
	for _, tb := range Tables() {
		cols := map[string]Field{}
		for _, f := range tb.Fields {
			if !snake.MatchString(f.Name) || cols[f.Name].Name != "" || strings.TrimSpace(f.Description) == "" {
				t.Errorf("%s.%s: bad, repeated or undescribed column", tb.Name, f.Name)
			}
			cols[f.Name] = f
		}
		for _, k := range tb.PrimaryKey {
			if f, ok := cols[k]; !ok || f.Nullable {
				t.Errorf("%s: primary key %s missing or nullable", tb.Name, k)
			}
		}
		for _, fk := range tb.ForeignKeys {
			ref, ok := tables[fk.RefTable]
			if !ok {
				t.Errorf("%s: foreign key to unknown table %s", tb.Name, fk.RefTable)
				continue
			}
			for i, f := range fk.Fields {
				if _, ok := cols[f]; !ok {
					t.Errorf("%s: foreign key column %s missing", tb.Name, f)
				}
				if !strings.Contains(strings.Join(ref.Header(), ","), fk.RefFields[i]) {
					t.Errorf("%s: foreign key target %s.%s missing", tb.Name, fk.RefTable, fk.RefFields[i])
				}
			}
		}
		if got := tb.ArrowSchema().NumFields(); got != len(tb.Fields) {
			t.Errorf("%s: Arrow schema has %d fields; want %d", tb.Name, got, len(tb.Fields))
		}
	}
}

// TestRowsMatchFields builds rows from a document with empty optional parts
// and checks each against its table.
func TestRowsMatchFields(t *testing.T) {
	score := 0.25
	dac := 151
	docs := []Document{{
		Commitments: []Commitment{{UnitID: "d/p1/zh1", DocID: "d", ClauseID: "d/p1", SentenceID: "d/p1/s1", Lang: "zh", Ordinal: 1, Text: "甲。",
			IsCommitment: true, Actor: "both", Modality: "will", Strength: "firm", Sector: "politics", MechanismIDs: []string{"m"}, RuleIDs: []string{"x"}, ClassifierVersion: "1", LabelSource: "rule"}},
		Source:    Source{ID: "d", Languages: []string{"zh"}},
		Clauses:   []Clause{{ID: "d/p1", DocID: "d", Kind: "paragraph", TextZh: "甲。", HeadingPath: nil, EnCharStart: -1, EnCharEnd: -1}},
		Sentences: []Sentence{{ID: "d/p1/s1", ClauseID: "d/p1", DocID: "d", Zh: "甲。", En: "A.", Bead: "1-1", Score: &score, LengthScore: &score, NeedsReview: true}},
	}}
	link := Link{From: "d/p1", To: "e/p1", FromDoc: "d", ToDoc: "e", Relation: "same", Score: 0.5}
	data := Data{Docs: docs, Mechanisms: []Mechanism{{ID: "m", Kind: "forum", NameZh: "论坛"}}, Sectors: []Sector{{Code: "politics", Title: "P", Definition: "d", DAC: &dac}},
		Links: []Link{link}, Continuity: []Continuity{{ClauseID: "d/p1", DocID: "d", Status: "continued", Best: &link}}, LinkReview: 0.6}
	for _, tb := range Tables() {
		rows := tb.Rows(data)
		if len(rows) != 1 {
			t.Fatalf("%s: %d rows; want 1", tb.Name, len(rows))
		}
		if err := tb.CheckRow(rows[0]); err != nil {
			t.Errorf("%s: %v", tb.Name, err)
		}
	}
	if got := ClausesTable.Rows(data)[0][13]; got == nil {
		t.Error("heading_path of a top-level clause is null; want an empty list")
	}
}

func TestCheckRow(t *testing.T) {
	tb := Table{Name: "t", Fields: []Field{{"a", String, false, "x"}, {"b", Int64, true, "y"}, {"c", StringList, false, "z"}}}
	tests := []struct {
		name string
		row  []any
		want string
	}{
		{"ok", []any{"s", int64(1), []string{}}, ""},
		{"null allowed", []any{"s", nil, []string{"x"}}, ""},
		{"too short", []any{"s"}, "1 values, want 3"},
		{"null not allowed", []any{nil, nil, []string{}}, "column a is null"},
		{"wrong type", []any{"s", 1, []string{}}, "column b holds int"},
	}
	for _, tt := range tests {
		err := tb.CheckRow(tt.row)
		if (err == nil) != (tt.want == "") || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: CheckRow(%v) = %v; want %q", tt.name, tt.row, err, tt.want)
		}
	}
}

// TestProseColumns: every prose column names a text column of its table.
func TestProseColumns(t *testing.T) {
	for _, tb := range Tables() {
		for _, name := range tb.Prose {
			ok := false
			for _, f := range tb.Fields {
				ok = ok || f.Name == name && (f.Kind == String || f.Kind == StringList)
			}
			if !ok {
				t.Errorf("%s: prose column %q is not a text column of the table", tb.Name, name)
			}
		}
	}
}

// TestDocumentSequence: documents.sequence is the manifest's sequence, the
// order links follow where dates cannot, and null where none is given.
func TestDocumentSequence(t *testing.T) {
	col := slices.IndexFunc(DocumentsTable.Fields, func(f Field) bool { return f.Name == "sequence" })
	if col < 0 {
		t.Fatal("documents has no sequence column")
	}
	two := 2
	rows := DocumentsTable.Rows(Data{Docs: []Document{{Source: Source{ID: "a", Sequence: &two}}, {Source: Source{ID: "b"}}}})
	if got := rows[0][col]; got != int64(2) {
		t.Errorf("sequence 2 released as %#v", got)
	}
	if got := rows[1][col]; got != nil {
		t.Errorf("no sequence released as %#v; want null", got)
	}
}
