package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// The vehicles module's reads (chain/internal/vehicles/query.go). The
// answers are the chain's JSON, relayed as they are; the API decodes only
// what it checks (a record's odometer summary) or pages on.

// Page sizes of the vehicles lists; the chain enforces the same bounds.
const (
	vehicleListDefault     = 50
	vehicleListMax         = 100
	vehicleOdometerDefault = 500
	vehicleOdometerMax     = 1000
)

// VehicleReport is a vehicle's whole history as /vehicles/report answers
// it: the record (owners, odometer devices, flags, accidents, inspections,
// battery health, subsidy, recycling), its full odometer series oldest
// first, and the subsidy programme when it has one.
type VehicleReport = client.VehicleHistory

// ReportResponse is a report read at one height. With prove=true, Proof
// proves the vehicle record at Height and Series says that the odometer
// series read at the same height matched the record's digest.
type ReportResponse struct {
	Height int64         `json:"height"`
	Result VehicleReport `json:"result"`
	Proof  *Proof        `json:"proof,omitempty"`
	Series *SeriesCheck  `json:"series,omitempty"`
	// ProgrammeProof proves result.programme at Height, when the vehicle
	// has a subsidy.
	ProgrammeProof *Proof `json:"programme_proof,omitempty"`
}

// SeriesCheck is the check of a report's odometer series against the
// proven vehicle record (tx.VerifyOdometerSeries): the record's point
// count and the digest folding every point but the last, which the record
// holds itself.
type SeriesCheck struct {
	Verified bool        `json:"verified"`
	Points   uint64      `json:"points"`
	Digest   tx.HexBytes `json:"digest"`
}

// OdometerPage is one page of a vehicle's odometer series, oldest first;
// NextFrom (the same page as NextCursor) is the from of the next page.
type OdometerPage struct {
	VIN string `json:"vin"`
	Page[tx.OdometerPoint]
	NextFrom *uint64 `json:"next_from,omitempty"`
}

// AfterPage is one page of a list in key order; NextAfter (the same page
// as NextCursor) is the after of the next page.
type AfterPage[T any] struct {
	Page[T]
	NextAfter string `json:"next_after,omitempty"`
}

const vinExpected = "a VIN: 17 characters of 0-9 and A-Z except I, O and Q, with the ISO 3779 check digit at position 9"

func pathVIN(r *http.Request) (string, error) {
	v := r.PathValue("vin")
	if err := tx.ValidateVIN(v); err != nil {
		return "", badField("vin", vinExpected, "%v", err)
	}
	return v, nil
}

// afterParam reads where a key-ordered list continues: ?after=KEY, or
// ?cursor= from a previous page (one or the other).
func afterParam(r *http.Request, expected string, valid func(string) error) (string, error) {
	after := r.URL.Query().Get("after")
	cur, err := cursorParam(r)
	if err != nil {
		return "", err
	}
	switch {
	case cur != "" && after != "":
		return "", badField("cursor", "either cursor or after, not both", "both cursor and after are set")
	case cur != "":
		if valid(cur) != nil {
			return "", badField("cursor", "the next_cursor of a previous page", "cursor is not one this API issued")
		}
		return cur, nil
	case after != "":
		if err := valid(after); err != nil {
			return "", badField("after", expected, "after: %v", err)
		}
	}
	return after, nil
}

// afterPageRequest reads a key-ordered list's ?after= (or ?cursor=),
// checked by valid, and ?limit= (default and maximum the chain's).
func afterPageRequest(r *http.Request, expected string, valid func(string) error) (tx.PageRequest, error) {
	after, err := afterParam(r, expected, valid)
	if err != nil {
		return tx.PageRequest{}, err
	}
	limit, err := limitParam(r, tx.DefaultListLimit, tx.MaxListLimit)
	if err != nil {
		return tx.PageRequest{}, err
	}
	return tx.PageRequest{After: after, Limit: uint64(limit)}, nil
}

func afterPage[T any](items []T, next string) AfterPage[T] {
	if items == nil {
		items = []T{}
	}
	p := AfterPage[T]{Page: Page[T]{Items: items}, NextAfter: next}
	if next != "" {
		p.NextCursor = encodeCursor(next)
	}
	return p
}

// vehicles lists vehicles in VIN order, all of them or an owner's.
func (s *Server) vehicles(w http.ResponseWriter, r *http.Request) {
	var req tx.VehicleListRequest
	if o := r.URL.Query().Get("owner"); o != "" {
		a, err := tx.ParseAddress(o)
		if err != nil {
			s.badRequest(w, r, badField("owner", "40 hex characters (a 20-byte account address)", "owner %q: %v", o, err))
			return
		}
		req.Owner = &a
	}
	after, err := afterParam(r, vinExpected, tx.ValidateVIN)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	limit, err := limitParam(r, vehicleListDefault, vehicleListMax)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	req.After, req.Limit = after, uint64(limit)
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	page, err := s.node.Vehicles(ctx, req, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(page.Vehicles, page.Next))
}

// vehicle is one vehicle's record.
func (s *Server) vehicle(w http.ResponseWriter, r *http.Request) {
	vin, err := pathVIN(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(s.node.Vehicle(ctx, vin, o))
	})
}

// vehicleView serves /v1/vehicles/{vin}/report and /v1/vehicles/{vin}/odometer
// under one pattern: net/http refuses /v1/vehicles/{vin}/report beside
// /v1/vehicles/programmes/{id} (both match /v1/vehicles/programmes/report
// and neither is more specific), while every /v1/vehicles/<literal>/{x}
// pattern is more specific than /v1/vehicles/{vin}/{view}.
func (s *Server) vehicleView(w http.ResponseWriter, r *http.Request) {
	switch v := r.PathValue("view"); v {
	case "report":
		s.vehicleReport(w, r)
	case "odometer":
		s.vehicleOdometer(w, r)
	default:
		s.problem(w, r, http.StatusNotFound, "not found", fmt.Sprintf("a vehicle has no %q; its views are report and odometer", v), nil)
	}
}

// vehicleReport answers a vehicle's whole history. With prove=true it is
// client.VehicleReport at the latest height H: the vehicle record proven
// at H, the series read at H and checked against the proven record, the
// subsidy's programme proven at H. A series that does not match is the
// node's fault (502), never a silent pass.
func (s *Server) vehicleReport(w http.ResponseWriter, r *http.Request) {
	vin, err := pathVIN(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	prove, err := wantProof(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	if !prove {
		rep, h, err := s.node.VehicleHistory(ctx, vin, 0)
		if s.reportError(w, r, vin, err) {
			return
		}
		writeJSON(w, http.StatusOK, ReportResponse{Height: h, Result: *rep})
		return
	}
	rep, err := s.node.VehicleReport(ctx, vin, 0)
	if s.reportError(w, r, vin, err) {
		return
	}
	if !rep.Found() {
		s.problem(w, r, http.StatusNotFound, "not found", fmt.Sprintf("vehicle %s is not registered (at height %d)", vin, rep.Height), nil)
		return
	}
	d := rep.Summary.Digest
	if d == nil {
		d = tx.HexBytes{}
	}
	out := ReportResponse{
		Height: rep.Height, Result: rep.VehicleHistory,
		Proof:  proofOf(rep.VehicleProof.Result, rep.VehicleProof.Verification),
		Series: &SeriesCheck{Verified: true, Points: rep.Summary.Points, Digest: d},
	}
	if p := rep.ProgrammeProof; p != nil {
		out.ProgrammeProof = proofOf(p.Result, p.Verification)
	}
	writeJSON(w, http.StatusOK, out)
}

// reportError answers a failed read of a vehicle's report; false when err
// is nil.
func (s *Server) reportError(w http.ResponseWriter, r *http.Request, vin string, err error) bool {
	var se *client.SeriesError
	var ae *client.AnswerError
	switch {
	case err == nil:
		return false
	case errors.Is(err, client.ErrNotFound):
		s.problem(w, r, http.StatusNotFound, "not found", fmt.Sprintf("vehicle %s is not registered", vin), nil)
	case errors.As(err, &se):
		s.problem(w, r, http.StatusBadGateway, "odometer series does not verify",
			fmt.Sprintf("the odometer series of %s read at height %d does not match the vehicle record proven at that height: %v", vin, se.Height, se.Err), nil)
	case errors.Is(err, client.ErrNoTrustRoot):
		s.problem(w, r, http.StatusServiceUnavailable, "no trust root",
			"this API has no trust root to verify proofs from (citychain api --trust-genesis FILE, or --trust-height H --trust-hash HASH); ask without prove=true", nil)
	case errors.Is(err, client.ErrNotVerified) && !errors.Is(err, context.DeadlineExceeded):
		s.problem(w, r, http.StatusBadGateway, "proof not verified", err.Error(), nil)
	case errors.Is(err, client.ErrMismatch), errors.As(err, &ae):
		s.problem(w, r, http.StatusBadGateway, "bad answer from node", err.Error(), nil)
	default:
		s.nodeError(w, r, err)
	}
	return true
}

// vehicleOdometer pages through a vehicle's odometer series from interval
// ?from= (or ?cursor=).
func (s *Server) vehicleOdometer(w http.ResponseWriter, r *http.Request) {
	vin, err := pathVIN(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	from, err := fromParam(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	limit, err := limitParam(r, vehicleOdometerDefault, vehicleOdometerMax)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	page, err := s.node.VehicleOdometer(ctx, tx.OdometerRequest{VIN: vin, From: from, Limit: uint64(limit)}, 0)
	if err != nil {
		if errors.Is(err, client.ErrNotFound) {
			s.problem(w, r, http.StatusNotFound, "not found", fmt.Sprintf("vehicle %s is not registered", vin), nil)
			return
		}
		s.nodeError(w, r, err)
		return
	}
	out := OdometerPage{VIN: vin, Page: Page[tx.OdometerPoint]{Items: page.Points}, NextFrom: page.Next}
	if out.Items == nil {
		out.Items = []tx.OdometerPoint{}
	}
	if page.Next != nil {
		out.NextCursor = encodeCursor(strconv.FormatUint(*page.Next, 10))
	}
	writeJSON(w, http.StatusOK, out)
}

// fromParam reads the first interval of an odometer page: ?from=N or
// ?cursor= from a previous page (one or the other).
func fromParam(r *http.Request) (uint64, error) {
	cur, err := cursorParam(r)
	if err != nil {
		return 0, err
	}
	if cur != "" {
		if r.URL.Query().Get("from") != "" {
			return 0, badField("cursor", "either cursor or from, not both", "both cursor and from are set")
		}
		n, err := strconv.ParseUint(cur, 10, 64)
		if err != nil {
			return 0, badField("cursor", "the next_cursor of a previous page", "cursor is not one this API issued")
		}
		return n, nil
	}
	return queryUint(r, "from", 0)
}

// vehicleByDevice answers the vehicle an odometer device is bound to.
func (s *Server) vehicleByDevice(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("device")
	if err := tx.ValidateDeviceID(id); err != nil {
		s.badRequest(w, r, badField("device", "1 to 64 characters of a-z 0-9 . _ -", "device id %q: %v", id, err))
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		vin, res, err := s.node.VehicleByDevice(ctx, id, o)
		if err == nil && vin == "" {
			return nil, res, errAbsent
		}
		return map[string]string{"device": id, "vin": vin}, res, err
	})
}

// vehicleProgrammes lists the subsidy programmes in id order, 100 a page.
func (s *Server) vehicleProgrammes(w http.ResponseWriter, r *http.Request) {
	after, err := afterParam(r, "a programme id (1 to 32 characters of a-z 0-9 -)", tx.ValidateProgrammeID)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	page, err := s.node.VehicleProgrammes(ctx, after, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(page.Programmes, page.Next))
}

func (s *Server) vehicleProgramme(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := tx.ValidateProgrammeID(id); err != nil {
		s.badRequest(w, r, badField("id", "a programme id (1 to 32 characters of a-z 0-9 -)", "%v", err))
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(s.node.VehicleProgramme(ctx, id, o))
	})
}

func (s *Server) vehicleTransfer(w http.ResponseWriter, r *http.Request) {
	n, err := parseUint("id", r.PathValue("id"))
	if err == nil && n == 0 {
		err = badField("id", "a transfer id (1 or more)", "transfer id 0 does not exist; ids start at 1")
	}
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(s.node.VehicleTransfer(ctx, n, o))
	})
}

// vehicleCitizen is the one subsidy an account received.
func (s *Server) vehicleCitizen(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(s.node.VehicleCitizen(ctx, a, o))
	})
}

func (s *Server) vehicleStats(w http.ResponseWriter, r *http.Request) {
	s.jsonAnswer(w, r, func(ctx context.Context) (json.RawMessage, error) { return s.node.VehicleStats(ctx, 0) })
}

// vehicleRoutes are the vehicles module's endpoints, documented in
// openapi/vehicles.json.
func (s *Server) vehicleRoutes() []route {
	return []route{
		keyed("GET", "/v1/vehicles", s.vehicles),
		keyed("GET", "/v1/vehicles/stats", s.vehicleStats),
		keyed("GET", "/v1/vehicles/programmes", s.vehicleProgrammes),
		keyed("GET", "/v1/vehicles/programmes/{id}", s.vehicleProgramme),
		keyed("GET", "/v1/vehicles/transfers/{id}", s.vehicleTransfer),
		keyed("GET", "/v1/vehicles/citizens/{address}", s.vehicleCitizen),
		keyed("GET", "/v1/vehicles/by-device/{device}", s.vehicleByDevice),
		keyed("GET", "/v1/vehicles/{vin}", s.vehicle),
		keyed("GET", "/v1/vehicles/{vin}/{view}", s.vehicleView), // report, odometer (see vehicleView)
	}
}
