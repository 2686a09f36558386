package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/citychain/citychain/chain/tx"
)

// ErrNotVerified reports a proof that does not verify against the signed
// header of the block after the state it proves.
var ErrNotVerified = errors.New("PROOF NOT VERIFIED")

// ErrMismatch reports answers of the node that contradict proven state.
var ErrMismatch = errors.New("MISMATCH")

// SeriesError is an odometer series that does not match the odometer
// summary of the vehicle record proven at the same height.
type SeriesError struct {
	VIN    string
	Height int64
	Err    error // from tx.VerifyOdometerSeries
}

func (e *SeriesError) Error() string {
	return fmt.Sprintf("%v: vehicle %s at height %d: %v", ErrMismatch, e.VIN, e.Height, e.Err)
}

func (e *SeriesError) Unwrap() []error { return []error{ErrMismatch, e.Err} }

// Proven is a read of one state key and what its proof was verified
// against.
type Proven struct {
	Result       *QueryResult
	Verification *Verification
}

// VehicleReport is a vehicle's whole history read at one height with every
// part proven: the vehicle record is proven against the signed header of
// the next block, its whole odometer series is read at the same height and
// checked against the record's odometer summary (tx.VerifyOdometerSeries),
// and the subsidy programme the record names, if any, is proven at the
// same height. Vehicle and Programme are the proven bytes.
//
// A VIN that is not registered has a report with its absence proven and no
// history: Found is false.
type VehicleReport struct {
	VIN    string
	Height int64
	VehicleHistory
	// Summary is the proven record's odometer summary the series matched.
	Summary tx.OdometerSummary
	// VehicleProof proves the record (or its absence) at Height.
	VehicleProof Proven
	// ProgrammeID and ProgrammeProof are the subsidy's programme and its
	// proof at Height; nil without a subsidy.
	ProgrammeID    string
	ProgrammeProof *Proven
}

// Found reports whether the vehicle is registered.
func (r *VehicleReport) Found() bool { return r.VehicleProof.Result.Found() }

// maxOdometerPage is the node's largest odometer page.
const maxOdometerPage = 1000

// VehicleReport reads and proves a vehicle's whole history at height (0:
// the latest). A proof that does not verify is an ErrNotVerified, answers
// that contradict the proven record an ErrMismatch (a series that does not
// match it a *SeriesError).
func (c *Client) VehicleReport(ctx context.Context, vin string, height int64) (*VehicleReport, error) {
	raw, res, err := c.Vehicle(ctx, vin, ReadOpts{Height: height, Prove: true})
	if err != nil {
		return nil, err
	}
	ver, err := c.Verify(ctx, res)
	if err != nil {
		return nil, fmt.Errorf("%w: vehicle %s: %w", ErrNotVerified, vin, err)
	}
	rep := &VehicleReport{VIN: vin, Height: res.Height, VehicleProof: Proven{Result: res, Verification: ver}}
	if raw == nil {
		return rep, nil
	}
	var v struct {
		Odometer tx.OdometerSummary `json:"odometer"`
		Subsidy  *struct {
			Programme string `json:"programme"`
		} `json:"subsidy"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, &AnswerError{Path: res.Path, Err: fmt.Errorf("decode proven vehicle %s: %w", vin, err)}
	}
	points, err := c.odometerSeries(ctx, vin, res.Height, v.Odometer.Points)
	if err != nil {
		return nil, err
	}
	if err := verifySeries(vin, res.Height, v.Odometer, points); err != nil {
		return nil, err
	}
	rep.Vehicle, rep.Odometer, rep.Summary = raw, points, v.Odometer
	if v.Subsidy != nil {
		id := v.Subsidy.Programme
		prog, pres, err := c.VehicleProgramme(ctx, id, ReadOpts{Height: res.Height, Prove: true})
		if err != nil {
			return nil, err
		}
		pver, err := c.Verify(ctx, pres)
		if err != nil {
			return nil, fmt.Errorf("%w: programme %q: %w", ErrNotVerified, id, err)
		}
		if pres.Height != res.Height || prog == nil {
			return nil, fmt.Errorf("%w: vehicle %s's subsidy names programme %q, absent at height %d", ErrMismatch, vin, id, res.Height)
		}
		rep.Programme, rep.ProgrammeID, rep.ProgrammeProof = prog, id, &Proven{Result: pres, Verification: pver}
	}
	return rep, nil
}

// verifySeries checks a vehicle's odometer series against the odometer
// summary of its record proven at height.
func verifySeries(vin string, height int64, sum tx.OdometerSummary, points []tx.OdometerPoint) error {
	if err := tx.VerifyOdometerSeries(points, sum.Digest, sum.Last, sum.Points); err != nil {
		return &SeriesError{VIN: vin, Height: height, Err: err}
	}
	return nil
}

// odometerSeries reads a vehicle's whole odometer series at height,
// following each page's next until there is none. It stops early once the
// node returns more points than the proven record counts (want), or a page
// that does not advance.
func (c *Client) odometerSeries(ctx context.Context, vin string, height int64, want uint64) ([]tx.OdometerPoint, error) {
	limit := c.OdometerPageLimit
	if limit == 0 {
		limit = maxOdometerPage
	}
	points := []tx.OdometerPoint{}
	var from uint64
	for {
		data := requestJSON(tx.OdometerRequest{VIN: vin, From: from, Limit: limit})
		res, err := c.Query(ctx, "/vehicles/odometer", data, height, false)
		if err != nil {
			return nil, err
		}
		if res.Height != height || !res.Found() {
			return nil, fmt.Errorf("%w: odometer of %s from interval %d: answered at height %d (found %t), want height %d",
				ErrMismatch, vin, from, res.Height, res.Found(), height)
		}
		var page tx.OdometerPage
		if err := json.Unmarshal(res.Value, &page); err != nil {
			return nil, &AnswerError{Path: res.Path, Err: fmt.Errorf("decode odometer page of %s from interval %d: %w", vin, from, err)}
		}
		points = append(points, page.Points...)
		if page.Next == nil || uint64(len(points)) > want {
			return points, nil
		}
		if len(page.Points) == 0 || *page.Next <= page.Points[len(page.Points)-1].Interval {
			return nil, fmt.Errorf("%w: odometer page of %s from interval %d does not advance (next %d)", ErrMismatch, vin, from, *page.Next)
		}
		from = *page.Next
	}
}
