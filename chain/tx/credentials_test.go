package tx

import (
	"testing"
	"time"
)

// TestCoversAnchor: an anchor is covered by a window containing its time,
// and by a window withdrawn in the anchor's own block (the anchor ran first:
// the chain refuses one after the withdrawal); not by a window withdrawn in
// another block at the same instant, nor outside every window.
func TestCoversAnchor(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	acc := Accreditation{Windows: []AccreditationWindow{
		{From: t0, Until: t0.Add(time.Minute), Height: 2, WithdrawnHeight: 12},
		{From: t0.Add(time.Hour)},
	}}
	for _, c := range []struct {
		height int64
		at     time.Time
		want   bool
	}{
		{5, t0, true},
		{11, t0.Add(59 * time.Second), true},
		{12, t0.Add(time.Minute), true},  // anchored in the withdrawal's block, before it
		{13, t0.Add(time.Minute), false}, // another block at the same instant
		{14, t0.Add(30 * time.Minute), false},
		{1, t0.Add(-time.Second), false},
		{99, t0.Add(2 * time.Hour), true}, // the open-ended window
	} {
		if got := acc.CoversAnchor(c.height, c.at); got != c.want {
			t.Errorf("CoversAnchor(%d, %s) = %v, want %v", c.height, c.at.Format(time.TimeOnly), got, c.want)
		}
	}
}
