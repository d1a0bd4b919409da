package pipeline

import (
	"context"
	"fmt"

	"github.com/policyledger/policyledger/schemas"
)

// gate is the quality gate before release: with strict set, every document
// that has a quality warning fails, so a scheduled run cannot publish what
// a person would want to look at first.
type gate struct{ strict bool }

func gateStep(strict bool, why string) step { return step{gate{strict: strict}, why} }

func (gate) Name() string { return "quality" }

// Skip: without --strict, warnings are released in documents.warnings and
// the report, and nothing fails here.
func (g gate) Skip(*schemas.State) (bool, string) {
	if !g.strict {
		return true, "warnings are reported, not failed (--strict fails them)"
	}
	return false, ""
}

func (gate) Prepare(context.Context, *schemas.State) (schemas.DocFunc, error) {
	return func(d *schemas.Document, _ *schemas.Tally) error {
		if n := len(d.Warnings); n > 0 {
			return fmt.Errorf("quality: %s: %d warning(s) and --strict is set; the first: %s: fix the source (or its manifest entry), or run without --strict", d.Source.ID, n, d.Warnings[0])
		}
		return nil
	}, nil
}
