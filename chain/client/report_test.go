package client

import (
	"errors"
	"testing"

	"github.com/citychain/citychain/chain/tx"
)

// TestVerifySeries checks the odometer series check of a proven record
// without a chain: a faithful series passes, any change fails.
func TestVerifySeries(t *testing.T) {
	pts := []tx.OdometerPoint{
		{Interval: 100, ValueM: 1_000, TimeMs: 3_000_000, Device: "ev-1", Seq: 1},
		{Interval: 101, ValueM: 1_500, TimeMs: 3_030_000, Device: "ev-1", Seq: 2},
		{Interval: 103, ValueM: 2_500, TimeMs: 3_090_000, Device: "ev-1", Seq: 4},
	}
	var d tx.HexBytes
	for _, p := range pts[:len(pts)-1] {
		d = tx.OdometerDigest(d, p)
	}
	sum := tx.OdometerSummary{Points: uint64(len(pts)), Last: &pts[len(pts)-1], Digest: d}
	if err := verifySeries("V", 7, sum, pts); err != nil {
		t.Fatalf("faithful series: got %v, want no error", err)
	}
	if err := verifySeries("V", 7, tx.OdometerSummary{}, []tx.OdometerPoint{}); err != nil {
		t.Fatalf("empty series: got %v, want no error", err)
	}
	for _, tc := range []struct {
		name string
		pts  func() []tx.OdometerPoint
	}{
		{"a point's value changed", func() []tx.OdometerPoint { p := append([]tx.OdometerPoint(nil), pts...); p[1].ValueM = 1_400; return p }},
		{"a point dropped", func() []tx.OdometerPoint { return []tx.OdometerPoint{pts[0], pts[2]} }},
		{"a point added", func() []tx.OdometerPoint { return append(append([]tx.OdometerPoint(nil), pts...), pts[2]) }},
		{"the last point changed", func() []tx.OdometerPoint { p := append([]tx.OdometerPoint(nil), pts...); p[2].Seq = 5; return p }},
		{"the order changed", func() []tx.OdometerPoint { return []tx.OdometerPoint{pts[1], pts[0], pts[2]} }},
		{"none", func() []tx.OdometerPoint { return []tx.OdometerPoint{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := verifySeries("V", 7, sum, tc.pts())
			var se *SeriesError
			if !errors.As(err, &se) || !errors.Is(err, ErrMismatch) || se.VIN != "V" || se.Height != 7 {
				t.Fatalf("got %v, want a *SeriesError of V at height 7 that is an ErrMismatch", err)
			}
		})
	}
}
