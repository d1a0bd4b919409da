// Package classify is the fifth stage: it will label commitments (actor,
// modality, strength, sector, named mechanisms) in the aligned sentences.
//
// The classifier is not built yet. The stage holds its place in the stage
// list and declares itself skipped with a typed reason, so that a run says
// plainly that no commitments were produced rather than emitting an empty
// or guessed table.
package classify

import (
	"context"

	"github.com/policyledger/policyledger/schemas"
)

// Stage is the commitment classifier's place in the pipeline.
type Stage struct{}

// Name implements the pipeline's stage contract.
func (Stage) Name() string { return "classify" }

// SkipReason is why the stage did not run.
const SkipReason = "the commitment classifier is not built yet: no commitments table in this release"

// Skip implements the pipeline's optional Skipper.
func (Stage) Skip(*schemas.State) (bool, string) { return true, SkipReason }

// Run does nothing: Skip always says the stage is skipped.
func (Stage) Run(context.Context, *schemas.State) error { return nil }
