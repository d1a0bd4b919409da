package link

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/policyledger/policyledger/schemas"
)

// referencePair is the linker's definition, written the plain way: weights
// counted into maps for each pair of documents, and each pair of clauses
// compared by a merge of their sorted vectors. Pair must give the same
// links, bit for bit.
func referencePair(a, b schemas.DocFeatures, r *Rules) []schemas.Link {
	zhOf := func(c schemas.ClauseFeatures) map[string]int { return refBigrams(c.Zh) }
	enOf := func(c schemas.ClauseFeatures) map[string]int { return c.En }
	ancOf := func(c schemas.ClauseFeatures) map[string]int { return refCounts(c.Anchors) }
	idfZh, idfEn, idfAnchor := refIDF(a, b, zhOf), refIDF(a, b, enOf), refIDF(a, b, ancOf)
	dfMech := map[string]int{}
	for _, d := range []schemas.DocFeatures{a, b} {
		for _, c := range d.Clauses {
			for _, k := range c.Mech {
				dfMech[k]++
			}
		}
	}
	all := float64(len(a.Clauses) + len(b.Clauses))
	maxIDF := math.Log((all + 1) / 3)
	var out []schemas.Link
	for _, ca := range a.Clauses {
		type cand struct {
			j           int
			score, text float64
		}
		var cands []cand
		best := 0.0
		anchorTotal := refWeightOf(ca.Anchors, idfAnchor)
		for j, cb := range b.Clauses {
			text := 0.0
			switch {
			case len(ca.Zh.Keys) > 0 && len(cb.Zh.Keys) > 0:
				text = refCoverage(refWeigh(refBigrams(ca.Zh), idfZh), refWeigh(refBigrams(cb.Zh), idfZh))
			case len(ca.En) > 0 && len(cb.En) > 0:
				text = refCoverage(refWeigh(ca.En, idfEn), refWeigh(cb.En, idfEn))
			}
			score := r.Weights.Text * text
			if shared := intersect(ca.Mech, cb.Mech); len(shared) > 0 {
				m := 0.0
				for _, k := range shared {
					m = math.Max(m, math.Log((all+1)/float64(dfMech[k]+1))/maxIDF)
				}
				score += r.Weights.Mechanism * m
			}
			if anchorTotal > 0 {
				if shared := intersect(ca.Anchors, cb.Anchors); len(shared) > 0 {
					score += r.Weights.Anchors * refWeightOf(shared, idfAnchor) / anchorTotal
				}
			}
			if len(intersect(ca.Sectors, cb.Sectors)) > 0 {
				score += r.Weights.Sector
			}
			score = math.Min(1, score)
			if score >= r.Link {
				cands = append(cands, cand{j, score, text})
				best = math.Max(best, score)
			}
		}
		for _, c := range cands {
			if c.score < r.Keep*best {
				continue
			}
			cb := b.Clauses[c.j]
			var evidence []string
			if c.text > 0 {
				evidence = append(evidence, fmt.Sprintf("text %.2f", c.text))
			}
			for _, k := range intersect(ca.Mech, cb.Mech) {
				evidence = append(evidence, "mechanism "+k)
			}
			if shared := intersect(ca.Anchors, cb.Anchors); anchorTotal > 0 && refWeightOf(shared, idfAnchor) > 0 {
				for _, k := range shared {
					evidence = append(evidence, "anchor "+k)
				}
			}
			if shared := intersect(ca.Sectors, cb.Sectors); len(shared) > 0 {
				evidence = append(evidence, "sector "+shared[0])
			}
			if shared := intersect(ca.Modal, cb.Modal); len(shared) > 0 {
				evidence = append(evidence, "modality "+shared[0])
			}
			rel := "same"
			if upgraded(ca.Modal, cb.Modal) {
				rel = "extends"
			}
			out = append(out, schemas.Link{From: ca.ID, To: cb.ID, FromDoc: a.DocID, ToDoc: b.DocID,
				Relation: rel, Score: math.Round(c.score*10000) / 10000, Evidence: evidence})
		}
	}
	return out
}

type refEntry struct {
	key string
	w   float64
}

// refIDF is each feature's inverse document frequency over the clauses of
// the two documents that have a feature of its kind.
func refIDF(a, b schemas.DocFeatures, of func(schemas.ClauseFeatures) map[string]int) map[string]float64 {
	df, n := map[string]int{}, 0
	for _, d := range []schemas.DocFeatures{a, b} {
		for _, c := range d.Clauses {
			if m := of(c); len(m) > 0 {
				n++
				for k := range m {
					df[k]++
				}
			}
		}
	}
	out := map[string]float64{}
	for k, v := range df {
		out[k] = math.Log(float64(n+1) / float64(v+1))
	}
	return out
}

func refWeigh(tf map[string]int, idf map[string]float64) []refEntry {
	var out []refEntry
	for k, n := range tf {
		if w := idf[k]; w > 0 {
			out = append(out, refEntry{k, (1 + math.Log(float64(n))) * w})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// refCoverage is the share of a's weight, summed in key order, that b holds.
func refCoverage(a, b []refEntry) float64 {
	var hit, all float64
	for i, j := 0, 0; i < len(a); i++ {
		all += a[i].w
		for j < len(b) && b[j].key < a[i].key {
			j++
		}
		if j < len(b) && b[j].key == a[i].key {
			hit += a[i].w
		}
	}
	if all == 0 {
		return 0
	}
	return hit / all
}

func refCounts(xs []string) map[string]int {
	m := map[string]int{}
	for _, x := range xs {
		m[x]++
	}
	return m
}

func refWeightOf(keys []string, idf map[string]float64) float64 {
	var w float64
	for _, k := range keys {
		w += idf[k]
	}
	return w
}

// ReferencePair is referencePair for the tests outside the package.
var ReferencePair = referencePair

// refBigrams is b as the two-character strings it counts: the reference
// orders bigrams as strings, Pair as packed numbers.
func refBigrams(b schemas.Bigrams) map[string]int {
	m := map[string]int{}
	for i, k := range b.Keys {
		m[string([]rune{rune(k >> 21), rune(k & (1<<21 - 1))})] = b.Counts[i]
	}
	return m
}

// referenceFamily is a family built the plain way: every clause's keys
// sorted together, then each found by binary search. newFamily and
// bigramFamily must give the same family.
func referenceFamily[K cmp.Ordered](vs []vec[K]) Family[K] {
	var fam Family[K]
	var all []K
	for _, v := range vs {
		if len(v.keys) > 0 {
			fam.N++
		}
		all = append(all, v.keys...)
	}
	slices.Sort(all)
	fam.Keys = append([]K{}, slices.Compact(all)...)
	fam.DF = make([]int, len(fam.Keys))
	fam.IDs = make([][]int32, len(vs))
	fam.TFW = make([][]float64, len(vs))
	fam.Post = make([][]int32, len(fam.Keys))
	for j, v := range vs {
		for k, key := range v.keys {
			i, _ := slices.BinarySearch(fam.Keys, key)
			fam.IDs[j] = append(fam.IDs[j], int32(i))
			fam.TFW[j] = append(fam.TFW[j], 1+math.Log(float64(v.counts[k])))
			fam.DF[i]++
			fam.Post[i] = append(fam.Post[i], int32(j))
		}
	}
	for i := range fam.Post {
		if fam.Post[i] == nil {
			fam.Post[i] = []int32{}
		}
	}
	return fam
}
