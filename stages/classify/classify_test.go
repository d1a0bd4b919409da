package classify

import (
	"context"
	"testing"

	"github.com/policyledger/policyledger/schemas"
)

// TestSkip: until the classifier exists, the stage says so and changes nothing.
func TestSkip(t *testing.T) {
	st := &schemas.State{Docs: []schemas.Document{{Source: schemas.Source{ID: "d"}}}}
	skip, reason := Stage{}.Skip(st)
	if !skip || reason != SkipReason {
		t.Errorf("Skip = %v %q; want true %q", skip, reason, SkipReason)
	}
	if err := (Stage{}).Run(context.Background(), st); err != nil || len(st.Docs) != 1 || len(st.Failures) != 0 {
		t.Errorf("Run = %v, docs %d, failures %d; want a no-op", err, len(st.Docs), len(st.Failures))
	}
}
