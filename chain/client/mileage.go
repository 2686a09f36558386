package client

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/citychain/citychain/chain/tx"
)

// Typed queries of the mileage module (see read.go). Clients relay the
// mileage answers as the chain writes them (chain/internal/mileage).

// MileageHistory is a page of an account's mileage history as
// /mileage/history answers it, each entry as the chain wrote it.
type MileageHistory struct {
	Address tx.Address        `json:"address"`
	Total   uint64            `json:"total"`
	Entries []json.RawMessage `json:"entries"`
}

// MileageAccount reads an account's mileage balance and totals
// (/mileage/account); nil when it never had mileage.
func (c *Client) MileageAccount(ctx context.Context, addr tx.Address, o ReadOpts) (json.RawMessage, *QueryResult, error) {
	return readRaw(ctx, c, "/mileage/account", []byte(addr.String()), o)
}

// MileageParams reads the mileage parameters (/mileage/params).
func (c *Client) MileageParams(ctx context.Context, o ReadOpts) (json.RawMessage, *QueryResult, error) {
	return readRaw(ctx, c, "/mileage/params", nil, o)
}

// MileagePeriod reads the summary of a vehicle reward period
// (/mileage/period).
func (c *Client) MileagePeriod(ctx context.Context, period uint64, o ReadOpts) (json.RawMessage, *QueryResult, error) {
	return readRaw(ctx, c, "/mileage/period", []byte(strconv.FormatUint(period, 10)), o)
}

// MileageHistory is a page of an account's awards, spends, expiries and
// vehicle rewards (/mileage/history).
func (c *Client) MileageHistory(ctx context.Context, req tx.MileageHistoryRequest, height int64) (*MileageHistory, error) {
	h, err := answer[MileageHistory](ctx, c, "/mileage/history", requestJSON(req), height)
	if err != nil {
		return nil, err
	}
	return &h, nil
}

// MileageVehicle is an enrolled vehicle and a page of its settled periods
// (/mileage/vehicle).
func (c *Client) MileageVehicle(ctx context.Context, req tx.MileageVehicleRequest, height int64) (json.RawMessage, error) {
	return answer[json.RawMessage](ctx, c, "/mileage/vehicle", requestJSON(req), height)
}

// MileageMerchants is a page of the registered merchants and agencies,
// after the address after when it is set (/mileage/merchants).
func (c *Client) MileageMerchants(ctx context.Context, after *tx.Address, height int64) (json.RawMessage, error) {
	var data []byte
	if after != nil {
		data = []byte(after.String())
	}
	return answer[json.RawMessage](ctx, c, "/mileage/merchants", data, height)
}

// MileageBudget is the mileage budget, the held mileage, totals and the
// settlement cursor (/mileage/budget).
func (c *Client) MileageBudget(ctx context.Context, height int64) (json.RawMessage, error) {
	return answer[json.RawMessage](ctx, c, "/mileage/budget", nil, height)
}
