package schemas

// DocFeatures is what the cross-document linker keeps of a document: its
// place in time and, per text clause, what continuity is judged on.
type DocFeatures struct {
	DocID    string
	Date     string // adopted_date, else published_date; "" when neither
	Sequence *int
	Clauses  []ClauseFeatures
	// Prepared is the linker's own form of Clauses (link.Encode), made
	// with the document's other stages so that the run's end only
	// compares; a document may carry it instead of Clauses.
	Prepared []byte
}

// ClauseFeatures are one text clause's features for linking.
type ClauseFeatures struct {
	ID      string
	Zh      Bigrams        // character bigrams of the simplified Chinese
	En      map[string]int // content words of the English
	Anchors []string       // numbers, Latin tokens, glossary terms (one key space for both languages)
	Mech    []string       // mechanism ids its units name
	Sectors []string       // sectors of its commitments
	Modal   []string       // modalities of its commitments
}

// Bigrams are a text's pairs of adjacent characters with their counts, in
// key order. A key is the pair's two characters packed as first<<21 |
// second (a character has at most 21 bits), which orders keys as the
// two-character strings are ordered; numbers are cheaper to count, sort
// and compare than strings.
type Bigrams struct {
	Keys   []uint64
	Counts []int
}

// Link is one clause of a later document continuing a clause of an
// earlier one.
type Link struct {
	From, To       string // clause ids
	FromDoc, ToDoc string
	Relation       string // same or extends
	Score          float64
	Evidence       []string
}

// Continuity is an earlier clause's fate in the later documents it was
// compared with: continued, with its best link, or dropped.
type Continuity struct {
	ClauseID, DocID string
	LaterDocs       []string
	Status          string // continued or dropped
	Best            *Link
}
