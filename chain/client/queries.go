package client

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/citychain/citychain/chain/tx"
)

// Typed queries of the auth, bank, devices, metering and validators
// modules (see read.go; the paged lists in pages.go).

// AccountState reads the account at addr (/auth/account); nil when the
// address never received or sent anything.
func (c *Client) AccountState(ctx context.Context, addr tx.Address, o ReadOpts) (*tx.Account, *QueryResult, error) {
	return readJSON[tx.Account](ctx, c, "/auth/account", []byte(addr.String()), o)
}

// Roles reads the roles addr holds, sorted (/auth/roles); nil when none.
func (c *Client) Roles(ctx context.Context, addr tx.Address, o ReadOpts) ([]string, *QueryResult, error) {
	path := "/auth/roles"
	return readValue(ctx, c, path, []byte(addr.String()), o, func(b []byte) ([]string, error) {
		var roles []string
		if b == nil {
			return nil, nil
		}
		if err := json.Unmarshal(b, &roles); err != nil {
			return nil, fmt.Errorf("query %s: decode answer: %w", path, err)
		}
		return roles, nil
	})
}

// Balance reads addr's balance of denom (/bank/balance); 0 when it holds
// none.
func (c *Client) Balance(ctx context.Context, addr tx.Address, denom string, o ReadOpts) (uint64, *QueryResult, error) {
	data := requestJSON(tx.BalanceRequest{Address: addr, Denom: denom})
	return readValue(ctx, c, "/bank/balance", data, o, tx.DecodeAmount)
}

// Supply reads the total supply of denom (/bank/supply); 0 when none was
// minted.
func (c *Client) Supply(ctx context.Context, denom string, o ReadOpts) (uint64, *QueryResult, error) {
	return readValue(ctx, c, "/bank/supply", []byte(denom), o, tx.DecodeAmount)
}

// Balances is every balance of addr (/bank/balances).
func (c *Client) Balances(ctx context.Context, addr tx.Address, height int64) ([]tx.Coin, error) {
	return answer[[]tx.Coin](ctx, c, "/bank/balances", []byte(addr.String()), height)
}

// Supplies is the total supply of every denomination (/bank/supplies).
func (c *Client) Supplies(ctx context.Context, height int64) ([]tx.Coin, error) {
	return answer[[]tx.Coin](ctx, c, "/bank/supplies", nil, height)
}

// Device reads a registered device (/devices/device); nil when none has
// the id.
func (c *Client) Device(ctx context.Context, id string, o ReadOpts) (*tx.Device, *QueryResult, error) {
	return readJSON[tx.Device](ctx, c, "/devices/device", []byte(id), o)
}

// DeviceList is a page of an account's devices in id order
// (/devices/by_owner) and the state height it was read at.
type DeviceList struct {
	tx.DevicePage
	Height int64 `json:"-"`
}

// DevicesByOwner is a page of the devices an account holds, in id order
// (/devices/by_owner).
func (c *Client) DevicesByOwner(ctx context.Context, req tx.DevicesByOwnerRequest, height int64) (*DeviceList, error) {
	p, h, err := pageAnswer[DeviceList](ctx, c, "/devices/by_owner", requestJSON(req), height)
	if err != nil {
		return nil, err
	}
	p.Height = h
	return p, nil
}

// MeteringParams reads the metering parameters (/metering/params).
func (c *Client) MeteringParams(ctx context.Context, o ReadOpts) (*tx.MeteringParams, *QueryResult, error) {
	return readJSON[tx.MeteringParams](ctx, c, "/metering/params", nil, o)
}

// DeviceState reads a device's last accepted reading and fraud flag
// (/metering/device), as the chain stores it.
func (c *Client) DeviceState(ctx context.Context, id string, o ReadOpts) (json.RawMessage, *QueryResult, error) {
	return readRaw(ctx, c, "/metering/device", []byte(id), o)
}

// Anchor reads the anchor of a metering interval (/metering/anchor); nil
// while the interval is not anchored.
func (c *Client) Anchor(ctx context.Context, interval uint64, o ReadOpts) (*tx.Anchor, *QueryResult, error) {
	return readJSON[tx.Anchor](ctx, c, "/metering/anchor", []byte(strconv.FormatUint(interval, 10)), o)
}

// Deltas is a device's non-zero delta in each interval from from to to
// inclusive (/metering/deltas).
func (c *Client) Deltas(ctx context.Context, device string, from, to uint64, height int64) ([]tx.IntervalValue, error) {
	data := requestJSON(tx.RangeRequest{Device: device, From: from, To: to})
	return answer[[]tx.IntervalValue](ctx, c, "/metering/deltas", data, height)
}

// Totals is the non-zero total of a reading kind (energy_wh, odometer_m)
// in each interval from from to to inclusive (/metering/totals).
func (c *Client) Totals(ctx context.Context, kind string, from, to uint64, height int64) ([]tx.IntervalValue, error) {
	data := requestJSON(tx.RangeRequest{Kind: kind, From: from, To: to})
	return answer[[]tx.IntervalValue](ctx, c, "/metering/totals", data, height)
}

// ValidatorSet reads the validator set in state (/validators/set), as the
// chain stores it.
func (c *Client) ValidatorSet(ctx context.Context, o ReadOpts) (json.RawMessage, *QueryResult, error) {
	return readRaw(ctx, c, "/validators/set", nil, o)
}
