package client

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/citychain/citychain/chain/tx"
)

// Typed queries of the vehicles module (see read.go). The records
// (vehicles, programmes, transfers, citizens) are relayed as the chain
// writes them (chain/internal/vehicles); the odometer series is decoded.

// VehicleHistory is a vehicle's whole history as /vehicles/report answers
// it: the record (owners, odometer devices, flags, accidents, inspections,
// battery health, subsidy, recycling), its full odometer series oldest
// first, and the subsidy programme when it has one. The record and the
// programme are the chain's JSON as stored.
type VehicleHistory struct {
	Vehicle  json.RawMessage    `json:"vehicle"`
	Odometer []tx.OdometerPoint `json:"odometer"`
	// OdometerNext is where the node's report stopped its series (it
	// carries at most 1000 points); VehicleHistory follows the odometer
	// pages from there and clears it.
	OdometerNext *uint64         `json:"odometer_next,omitempty"`
	Programme    json.RawMessage `json:"programme,omitempty"`
}

// VehicleList is a page of vehicles as /vehicles/list answers it, each
// summary as the chain wrote it; Next, when set, is the After of the next
// page.
type VehicleList struct {
	Vehicles []json.RawMessage `json:"vehicles"`
	Next     string            `json:"next,omitempty"`
}

// ProgrammeList is a page of subsidy programmes as /vehicles/programmes
// answers it, each as the chain stores it; Next, when set, is the id to
// list after.
type ProgrammeList struct {
	Programmes []json.RawMessage `json:"programmes"`
	Next       string            `json:"next,omitempty"`
}

// VehicleParams reads the vehicles parameters (/vehicles/params).
func (c *Client) VehicleParams(ctx context.Context, o ReadOpts) (json.RawMessage, *QueryResult, error) {
	return readRaw(ctx, c, "/vehicles/params", nil, o)
}

// Vehicle reads a vehicle's record (/vehicles/vehicle); nil when the VIN
// is not registered.
func (c *Client) Vehicle(ctx context.Context, vin string, o ReadOpts) (json.RawMessage, *QueryResult, error) {
	return readRaw(ctx, c, "/vehicles/vehicle", []byte(vin), o)
}

// VehicleByDevice reads the VIN an odometer device is bound to
// (/vehicles/by_device); "" when none.
func (c *Client) VehicleByDevice(ctx context.Context, device string, o ReadOpts) (string, *QueryResult, error) {
	return readValue(ctx, c, "/vehicles/by_device", []byte(device), o, func(b []byte) (string, error) {
		var vin string
		if b == nil {
			return "", nil
		}
		if err := json.Unmarshal(b, &vin); err != nil {
			return "", fmt.Errorf("device %s: stored binding %q is not a JSON string: %w", device, b, err)
		}
		return vin, nil
	})
}

// VehicleProgramme reads a subsidy programme (/vehicles/programme).
func (c *Client) VehicleProgramme(ctx context.Context, id string, o ReadOpts) (json.RawMessage, *QueryResult, error) {
	return readRaw(ctx, c, "/vehicles/programme", []byte(id), o)
}

// VehicleCitizen reads the one subsidy an account received
// (/vehicles/citizen).
func (c *Client) VehicleCitizen(ctx context.Context, addr tx.Address, o ReadOpts) (json.RawMessage, *QueryResult, error) {
	return readRaw(ctx, c, "/vehicles/citizen", []byte(addr.String()), o)
}

// VehicleTransfer reads a title transfer (/vehicles/transfer).
func (c *Client) VehicleTransfer(ctx context.Context, id uint64, o ReadOpts) (json.RawMessage, *QueryResult, error) {
	return readRaw(ctx, c, "/vehicles/transfer", []byte(strconv.FormatUint(id, 10)), o)
}

// VehicleHistory is a vehicle's whole history at height, not proven
// (/vehicles/report, then /vehicles/odometer pages at the same height for
// a series longer than the report carries; VehicleReport proves it), and
// the height the node read it at.
func (c *Client) VehicleHistory(ctx context.Context, vin string, height int64) (*VehicleHistory, int64, error) {
	var h VehicleHistory
	res, err := c.queryJSON(ctx, "/vehicles/report", []byte(vin), height, &h)
	if err != nil {
		return nil, 0, err
	}
	if h.Odometer == nil {
		h.Odometer = []tx.OdometerPoint{}
	}
	for h.OdometerNext != nil {
		from := *h.OdometerNext
		page, err := answer[tx.OdometerPage](ctx, c, "/vehicles/odometer", requestJSON(tx.OdometerRequest{VIN: vin, From: from, Limit: maxOdometerPage}), res.Height)
		if err != nil {
			return nil, 0, err
		}
		if page.Next != nil && (len(page.Points) == 0 || *page.Next <= page.Points[len(page.Points)-1].Interval || *page.Next <= from) {
			return nil, 0, fmt.Errorf("%w: odometer page of %s from interval %d does not advance (next %d)", ErrMismatch, vin, from, *page.Next)
		}
		h.Odometer = append(h.Odometer, page.Points...)
		h.OdometerNext = page.Next
	}
	return &h, res.Height, nil
}

// VehicleOdometer is a page of a vehicle's odometer series
// (/vehicles/odometer).
func (c *Client) VehicleOdometer(ctx context.Context, req tx.OdometerRequest, height int64) (*tx.OdometerPage, error) {
	p, err := answer[tx.OdometerPage](ctx, c, "/vehicles/odometer", requestJSON(req), height)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Vehicles is a page of vehicles in VIN order, all or an owner's
// (/vehicles/list).
func (c *Client) Vehicles(ctx context.Context, req tx.VehicleListRequest, height int64) (*VehicleList, error) {
	l, err := answer[VehicleList](ctx, c, "/vehicles/list", requestJSON(req), height)
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// VehicleProgrammes is a page of subsidy programmes in id order, after the
// id after ("": from the first) (/vehicles/programmes).
func (c *Client) VehicleProgrammes(ctx context.Context, after string, height int64) (*ProgrammeList, error) {
	l, err := answer[ProgrammeList](ctx, c, "/vehicles/programmes", []byte(after), height)
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// VehicleStats are the vehicles module's counts and escrow
// (/vehicles/stats).
func (c *Client) VehicleStats(ctx context.Context, height int64) (json.RawMessage, error) {
	return answer[json.RawMessage](ctx, c, "/vehicles/stats", nil, height)
}
