package link

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/policyledger/policyledger/schemas"
)

// Pair links the clauses of the earlier document a to those of the later
// document b.
func Pair(a, b schemas.DocFeatures, r *Rules) []schemas.Link {
	return Prepare(a).pair(Prepare(b), r, &scratch{}, nil)
}

// Prepared is what Pair needs of a document whichever document it is
// paired with: per kind of text feature, every feature in key order with
// the number of clauses holding it and which they are, and each clause's
// features with their term weights. Made once per document (with its other
// stages, see Encode), it makes a pair cost lookups and sums; the weights
// that depend on the pair (inverse document frequencies over both
// documents) are computed for the earlier document's features only, the
// only ones that are summed.
type Prepared struct {
	DocID    string
	Clauses  []ClauseMeta
	Zh       Family[uint64] // character bigrams
	En, Anc  Family[string] // English words, anchors
	MechKeys []string       // every mechanism, sorted
	MechDF   []int          // clauses naming each
}

// ClauseMeta is what a pair reads of a clause besides its text features.
type ClauseMeta struct {
	ID                            string
	HasZh, HasEn                  bool
	Mech, Anchors, Sectors, Modal []string // sorted sets
	// One bit per element of each set (a hash of it, modulo 64): two sets
	// whose masks share no bit share no element, which settles most pairs
	// of clauses without comparing strings.
	MechMask, AnchorMask, SectorMask uint64
}

// mask is the set's bits for ClauseMeta.
func mask(xs []string) uint64 {
	var m uint64
	for _, x := range xs {
		h := uint64(14695981039346656037) // FNV-1a
		for i := 0; i < len(x); i++ {
			h = (h ^ uint64(x[i])) * 1099511628211
		}
		m |= 1 << (h & 63)
	}
	return m
}

// Family is one kind of feature of a document's clauses, with keys of
// type K (packed bigrams, words, anchors).
type Family[K cmp.Ordered] struct {
	N    int       // clauses with a feature of this kind
	Keys []K       // every feature, sorted
	DF   []int     // clauses holding each feature
	Post [][]int32 // the clauses holding each feature, in order
	// per clause: its features (positions in Keys, so in key order) and
	// their term weights 1 + ln(count)
	IDs [][]int32
	TFW [][]float64
}

// vec is one clause's features of a family, in key order, with their
// counts.
type vec[K cmp.Ordered] struct {
	keys   []K
	counts []int
}

// vecOf is the features counted in m as a vec, in no order: newFlat
// puts each clause's features in key order by their numbers, which sorts
// integers instead of each clause's strings.
func vecOf(m map[string]int) vec[string] {
	if len(m) == 0 {
		return vec[string]{}
	}
	v := vec[string]{keys: make([]string, 0, len(m)), counts: make([]int, 0, len(m))}
	for k, n := range m {
		v.keys, v.counts = append(v.keys, k), append(v.counts, n)
	}
	return v
}

// flat is a family before it is indexed, as Encode writes it: every
// feature, sorted, and per clause (lens) its features' positions in keys,
// ascending, with their counts; ids and counts hold every clause's in
// turn. index makes the Family from it (and Decode from its bytes).
type flat[K cmp.Ordered] struct {
	keys   []K
	lens   []int
	ids    []int32
	counts []int
}

// numbering makes a flat family clause by clause: add counts a feature
// in the current clause, end closes the clause. Features are numbered by
// a map in the order first met, and only the distinct ones are sorted, at
// the end: sorting every clause's keys together and finding each again by
// binary search was half of preparing a document.
type numbering[K cmp.Ordered] struct {
	number map[K]int32
	met    []K
	last   []int32 // per number, the position of its entry in ids when it is the current clause's
	fl     flat[K] // ids are numbers, not positions, until done
	start  int     // the current clause's first entry
}

func newNumbering[K cmp.Ordered](entries int) *numbering[K] {
	return &numbering[K]{number: make(map[K]int32, entries/2), fl: flat[K]{ids: make([]int32, 0, entries), counts: make([]int, 0, entries)}}
}

// add counts n more of k in the current clause.
func (b *numbering[K]) add(k K, n int) {
	id, ok := b.number[k]
	if !ok {
		id = int32(len(b.met))
		b.number[k], b.met, b.last = id, append(b.met, k), append(b.last, -1)
	}
	if at := b.last[id]; int(at) >= b.start {
		b.fl.counts[at] += n
		return
	}
	b.last[id] = int32(len(b.fl.ids))
	b.fl.ids, b.fl.counts = append(b.fl.ids, id), append(b.fl.counts, n)
}

// end closes the current clause.
func (b *numbering[K]) end() {
	b.fl.lens = append(b.fl.lens, len(b.fl.ids)-b.start)
	b.start = len(b.fl.ids)
}

// done sorts the features, puts each clause's in key order (by sorting
// their numbers) and returns the family.
func (b *numbering[K]) done() flat[K] {
	fl := b.fl
	fl.keys = slices.Clip(append(make([]K, 0, len(b.met)), b.met...))
	slices.Sort(fl.keys)
	rank := make([]int32, len(fl.keys))
	for i, k := range fl.keys {
		rank[b.number[k]] = int32(i)
	}
	for i, id := range fl.ids {
		fl.ids[i] = rank[id]
	}
	var pairs []uint64 // a clause's (number, count) pairs, to sort
	at := 0
	for _, n := range fl.lens {
		cl, c := fl.ids[at:at+n], fl.counts[at:at+n]
		at += n
		if slices.IsSorted(cl) {
			continue
		}
		pairs = pairs[:0]
		for i, id := range cl {
			pairs = append(pairs, uint64(id)<<32|uint64(uint32(c[i])))
		}
		slices.Sort(pairs)
		for i, p := range pairs {
			cl[i], c[i] = int32(p>>32), int(uint32(p))
		}
	}
	return fl
}

// newFlat is the flat family of clauses vs, whose keys are distinct
// within each clause, in any order.
func newFlat[K cmp.Ordered](vs []vec[K]) flat[K] {
	entries := 0
	for _, v := range vs {
		entries += len(v.keys)
	}
	b := newNumbering[K](entries)
	for _, v := range vs {
		for i, k := range v.keys {
			b.add(k, v.counts[i])
		}
		b.end()
	}
	return b.done()
}

// newFamily indexes the features of a document's clauses, whose keys are
// distinct within each clause, in any order.
func newFamily[K cmp.Ordered](vs []vec[K]) Family[K] {
	return index(newFlat(vs))
}

// A bigram key has 42 bits (two characters of 21), which leaves 22 for the
// position of its entry among the family's entries: key and position pack
// into one uint64.
const (
	entryBits = 22
	keyBits   = 64 - entryBits
)

// bigramFlat is newFlat for character bigrams, by a radix sort of the
// packed entries on their key bits. The sort is stable, so the entries of
// a key stay in clause order; walking them numbers the keys without a map.
// Families too large to pack (over four million entries) or with wider
// keys take newFlat.
func bigramFlat(vs []vec[uint64]) flat[uint64] {
	entries := 0
	for _, v := range vs {
		entries += len(v.keys)
	}
	if entries >= 1<<entryBits {
		return newFlat(vs)
	}
	packed := make([]uint64, 0, entries)
	for _, v := range vs {
		for _, k := range v.keys {
			if k >= 1<<keyBits {
				return newFlat(vs)
			}
			packed = append(packed, k<<entryBits|uint64(len(packed)))
		}
	}
	radixSortKeys(packed, make([]uint64, len(packed)))
	fl := flat[uint64]{ids: make([]int32, entries), keys: make([]uint64, 0, entries/2), lens: make([]int, len(vs)), counts: make([]int, 0, entries)}
	for _, p := range packed {
		if k := p >> entryBits; len(fl.keys) == 0 || k != fl.keys[len(fl.keys)-1] {
			fl.keys = append(fl.keys, k)
		}
		fl.ids[p&(1<<entryBits-1)] = int32(len(fl.keys) - 1)
	}
	fl.keys = slices.Clip(fl.keys)
	for j, v := range vs {
		fl.lens[j] = len(v.keys)
		fl.counts = append(fl.counts, v.counts[:len(v.keys)]...)
	}
	return fl
}

// bigramFamily indexes a document's character bigrams (see bigramFlat).
func bigramFamily(vs []vec[uint64]) Family[uint64] {
	return index(bigramFlat(vs))
}

// radixSortKeys sorts packed entries by their key bits, stably (least
// significant digit first, 11 bits a pass), with tmp (as long) as scratch.
func radixSortKeys(xs, tmp []uint64) {
	const digit = 11
	var count [1 << digit]int
	src, dst := xs, tmp
	for shift := uint(entryBits); shift < 64; shift += digit {
		clear(count[:])
		for _, x := range src {
			count[x>>shift&(1<<digit-1)]++
		}
		if len(src) == 0 || count[src[0]>>shift&(1<<digit-1)] == len(src) {
			continue // every entry has this digit: the pass would move none
		}
		sum := 0
		for i, c := range count {
			count[i], sum = sum, sum+c
		}
		for _, x := range src {
			d := x >> shift & (1<<digit - 1)
			dst[count[d]] = x
			count[d]++
		}
		src, dst = dst, src
	}
	if len(xs) > 0 && &src[0] != &xs[0] {
		copy(xs, src)
	}
}

// index makes the family of a flat one: document frequencies, postings
// and term weights.
func index[K cmp.Ordered](fl flat[K]) Family[K] {
	fam := Family[K]{Keys: fl.keys, DF: make([]int, len(fl.keys)), IDs: make([][]int32, len(fl.lens)), TFW: make([][]float64, len(fl.lens))}
	// Every clause's ids and weights, and every feature's postings, are
	// slices of three arrays of one entry per (clause, feature).
	tfw, post := make([]float64, len(fl.ids)), make([]int32, len(fl.ids))
	at := 0
	for j, n := range fl.lens {
		if n == 0 {
			continue
		}
		fam.N++
		start := at
		for range n {
			fam.DF[fl.ids[at]]++
			tfw[at] = termWeight(fl.counts[at])
			at++
		}
		fam.IDs[j], fam.TFW[j] = fl.ids[start:at:at], tfw[start:at:at]
	}
	fam.Post = make([][]int32, len(fl.keys))
	at = 0
	for id, n := range fam.DF {
		fam.Post[id] = post[at : at : at+n]
		at += n
	}
	for j := range fl.lens {
		for _, id := range fam.IDs[j] {
			fam.Post[id] = append(fam.Post[id], int32(j))
		}
	}
	return fam
}

// termWeight is 1 + ln(n), the weight of a feature n times in a clause.
func termWeight(n int) float64 {
	if n == 1 {
		return 1 // 1 + ln 1, the common case
	}
	return 1 + math.Log(float64(n))
}

// draft is a document's prepared form before its families are indexed:
// what Encode writes, and Prepare indexes.
type draft struct {
	docID    string
	clauses  []ClauseMeta
	zh       flat[uint64]
	en, anc  flat[string]
	mechKeys []string
	mechDF   []int
}

// Prepare makes a document's prepared form from its features.
func Prepare(f schemas.DocFeatures) *Prepared {
	d := draftOf(f)
	return &Prepared{DocID: d.docID, Clauses: d.clauses, Zh: index(d.zh), En: index(d.en), Anc: index(d.anc), MechKeys: d.mechKeys, MechDF: d.mechDF}
}

// draftOf drafts the prepared form of features whose clauses hold their
// words.
func draftOf(f schemas.DocFeatures) *draft {
	en := make([]vec[string], len(f.Clauses))
	for j, c := range f.Clauses {
		en[j] = vecOf(c.En)
	}
	return draftWith(f, newFlat(en))
}

// draftWith drafts the prepared form of f with the clauses' words en (the
// words in f's clauses are not read).
func draftWith(f schemas.DocFeatures, en flat[string]) *draft {
	zh, anc := make([]vec[uint64], len(f.Clauses)), make([]vec[string], len(f.Clauses))
	for j, c := range f.Clauses {
		zh[j] = vec[uint64]{keys: c.Zh.Keys, counts: c.Zh.Counts}
		anc[j] = vecOf(counts(c.Anchors))
	}
	d := &draft{docID: f.DocID, zh: bigramFlat(zh), en: en, anc: newFlat(anc)}
	df := map[string]int{}
	for j, c := range f.Clauses {
		d.clauses = append(d.clauses, ClauseMeta{ID: c.ID, HasZh: len(c.Zh.Keys) > 0, HasEn: j < len(en.lens) && en.lens[j] > 0,
			Mech: c.Mech, Anchors: c.Anchors, Sectors: c.Sectors, Modal: c.Modal,
			MechMask: mask(c.Mech), AnchorMask: mask(c.Anchors), SectorMask: mask(c.Sectors)})
		for _, k := range c.Mech {
			df[k]++
		}
	}
	d.mechKeys = slices.Sorted(maps.Keys(df))
	for _, k := range d.mechKeys {
		d.mechDF = append(d.mechDF, df[k])
	}
	return d
}

func (p *Prepared) mechDF(k string) int {
	if i, ok := slices.BinarySearch(p.MechKeys, k); ok {
		return p.MechDF[i]
	}
	return 0
}

// against is one family of the earlier document seen against the later:
// each earlier feature's weight over the two documents, and the later
// clauses holding it.
type against struct {
	idf  []float64
	post [][]int32
	logs []float64 // the weight of a feature by its document frequency + 1, NaN until computed
}

// against pairs the sorted keys of the two families by a merge.
func (fam *Family[K]) against(later *Family[K], x *against) {
	n := float64(fam.N + later.N + 1)
	x.idf, x.post = grow(x.idf, len(fam.Keys)), grow(x.post, len(fam.Keys))
	// A weight depends on the feature only through its frequency, which
	// takes few values: each is computed once (a logarithm per feature of
	// every pair was a tenth of the comparisons).
	x.logs = grow(x.logs, fam.N+later.N+2)
	for i := range x.logs {
		x.logs[i] = math.NaN()
	}
	j := 0
	for i, k := range fam.Keys {
		df := fam.DF[i]
		for j < len(later.Keys) && later.Keys[j] < k {
			j++
		}
		x.post[i] = nil
		if j < len(later.Keys) && later.Keys[j] == k {
			df += later.DF[j]
			x.post[i] = later.Post[j]
		}
		if math.IsNaN(x.logs[df+1]) {
			x.logs[df+1] = math.Log(n / float64(df+1))
		}
		x.idf[i] = x.logs[df+1]
	}
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// hits adds, for each later clause, the weight of earlier clause j's
// features it holds (in key order), and returns clause j's total weight:
// the same sums, in the same order, as a merge of the two clauses' sorted
// vectors (see referencePair in the tests).
func (fam *Family[K]) hits(j int, x *against, num []float64) float64 {
	var all float64
	for k, id := range fam.IDs[j] {
		idf := x.idf[id]
		if idf <= 0 {
			continue // a feature every clause has
		}
		w := fam.TFW[j][k] * idf
		all += w
		for _, l := range x.post[id] {
			num[l] += w
		}
	}
	return all
}

// scratch is one goroutine's working memory for pair.
type scratch struct {
	zh, en, anc          against
	numZh, numEn, numAnc []float64
	hitAnc               []int32
	cands                []cand
	said                 map[[2]string]string // evidence by kind and key
	scores               map[string]string    // text evidence by score
	buf                  []byte
}

// evidence is kind+" "+key, made once per goroutine: the same few
// mechanisms, anchors, sectors and modalities are the evidence of most
// links (an allocation each was a twentieth of a run's). The key is
// copied, since a document's strings share its decoded bytes, which the
// map must not keep.
func (s *scratch) evidence(kind, key string) string {
	if e, ok := s.said[[2]string{kind, key}]; ok {
		return e
	}
	if s.said == nil {
		s.said = map[[2]string]string{}
	}
	e := kind + " " + key
	s.said[[2]string{kind, strings.Clone(key)}] = e
	return e
}

// textEvidence is fmt.Sprintf("text %.2f", score), made once per goroutine
// for each of the few values.
func (s *scratch) textEvidence(score float64) string {
	s.buf = strconv.AppendFloat(append(s.buf[:0], "text "...), score, 'f', 2, 64)
	if e, ok := s.scores[string(s.buf)]; ok {
		return e
	}
	if s.scores == nil {
		s.scores = map[string]string{}
	}
	e := string(s.buf)
	s.scores[e] = e
	return e
}

type cand struct {
	j           int
	score, text float64
}

// pair appends the links from the clauses of a (earlier) to those of b
// (later) to out.
func (a *Prepared) pair(b *Prepared, r *Rules, s *scratch, out []schemas.Link) []schemas.Link {
	a.Zh.against(&b.Zh, &s.zh)
	a.En.against(&b.En, &s.en)
	a.Anc.against(&b.Anc, &s.anc)
	// Mechanisms: how rare among all the clauses of the two documents,
	// relative to one that only the two linked clauses name.
	all := float64(len(a.Clauses) + len(b.Clauses))
	maxIDF := math.Log((all + 1) / 3)
	mechIDF := func(k string) float64 { return math.Log((all + 1) / float64(a.mechDF(k)+b.mechDF(k)+1)) }
	s.numZh, s.numEn = grow(s.numZh, len(b.Clauses)), grow(s.numEn, len(b.Clauses))
	s.numAnc, s.hitAnc = grow(s.numAnc, len(b.Clauses)), grow(s.hitAnc, len(b.Clauses))
	numZh, numEn, numAnc, hitAnc := s.numZh, s.numEn, s.numAnc, s.hitAnc
	clear(numZh)
	clear(numEn)
	clear(numAnc)
	clear(hitAnc)
	for i, ca := range a.Clauses {
		totZh, totEn := a.Zh.hits(i, &s.zh, numZh), a.En.hits(i, &s.en, numEn)
		cands := s.cands[:0]
		best := 0.0
		// The weights of earlier clause i's anchors, in key order: all of
		// them, and for each later clause those it holds (numAnc), with
		// how many it holds (hitAnc).
		anchorTotal := 0.0
		for _, id := range a.Anc.IDs[i] {
			w := s.anc.idf[id]
			anchorTotal += w
			for _, l := range s.anc.post[id] {
				numAnc[l] += w
				hitAnc[l]++
			}
		}
		for j, cb := range b.Clauses {
			text := 0.0
			switch {
			case ca.HasZh && cb.HasZh:
				if totZh > 0 {
					text = numZh[j] / totZh
				}
			case ca.HasEn && cb.HasEn:
				if totEn > 0 {
					text = numEn[j] / totEn
				}
			}
			score := r.Weights.Text * text
			if ca.MechMask&cb.MechMask != 0 {
				// A mechanism many clauses name (the Belt and Road
				// Initiative) says less than a forum named once.
				m, shared := 0.0, false
				for _, k := range ca.Mech {
					if has(cb.Mech, k) {
						m, shared = math.Max(m, mechIDF(k)/maxIDF), true
					}
				}
				if shared {
					score += r.Weights.Mechanism * m
				}
			}
			if anchorTotal > 0 && hitAnc[j] > 0 {
				score += r.Weights.Anchors * numAnc[j] / anchorTotal
			}
			if ca.SectorMask&cb.SectorMask != 0 && meets(ca.Sectors, cb.Sectors) {
				score += r.Weights.Sector
			}
			score = math.Min(1, score)
			if score >= r.Link {
				cands = append(cands, cand{j, score, text})
				best = math.Max(best, score)
			}
		}
		s.cands = cands
		clear(numZh)
		clear(numEn)
		for _, c := range cands {
			if c.score < r.Keep*best {
				continue
			}
			cb := b.Clauses[c.j]
			var evidence []string
			if c.text > 0 {
				evidence = append(evidence, s.textEvidence(c.text))
			}
			for _, k := range intersect(ca.Mech, cb.Mech) {
				evidence = append(evidence, s.evidence("mechanism", k))
			}
			if shared := intersect(ca.Anchors, cb.Anchors); anchorTotal > 0 && numAnc[c.j] > 0 {
				for _, k := range shared {
					evidence = append(evidence, s.evidence("anchor", k))
				}
			}
			if shared := intersect(ca.Sectors, cb.Sectors); len(shared) > 0 {
				evidence = append(evidence, s.evidence("sector", shared[0]))
			}
			if shared := intersect(ca.Modal, cb.Modal); len(shared) > 0 {
				evidence = append(evidence, s.evidence("modality", shared[0]))
			}
			rel := "same"
			if upgraded(ca.Modal, cb.Modal) {
				rel = "extends"
			}
			out = append(out, schemas.Link{From: ca.ID, To: cb.ID, FromDoc: a.DocID, ToDoc: b.DocID,
				Relation: rel, Score: math.Round(c.score*10000) / 10000, Evidence: evidence})
		}
		clear(numAnc)
		clear(hitAnc)
	}
	return out
}

func counts(xs []string) map[string]int {
	if len(xs) == 0 {
		return nil
	}
	m := make(map[string]int, len(xs))
	for _, x := range xs {
		m[x]++
	}
	return m
}

// has reports whether the sorted xs holds x.
func has(xs []string, x string) bool {
	if len(xs) <= 8 { // most sets are a sector or two: compare, don't search
		for _, y := range xs {
			if y == x {
				return true
			}
		}
		return false
	}
	_, ok := slices.BinarySearch(xs, x)
	return ok
}

// meets reports whether the sorted a and b share an element.
func meets(a, b []string) bool {
	for _, x := range a {
		if has(b, x) {
			return true
		}
	}
	return false
}

// upgraded reports whether the later clause commits where the earlier one
// only explored (探讨, 探索, explore): the action has moved on.
func upgraded(earlier, later []string) bool {
	return len(intersect(earlier, []string{"explore"})) > 0 && len(later) > 0 && len(intersect(later, []string{"explore"})) == 0
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		i := sort.SearchStrings(b, x)
		if i < len(b) && b[i] == x {
			out = append(out, x)
		}
	}
	return out
}
