package client

import (
	"context"
	"fmt"

	"github.com/citychain/citychain/chain/tx"
)

// Typed queries of the identity module (see read.go): the citizen card's
// identities, the facilities and their bars, decoded into the chain's
// types (chain/tx).

// IdentityParams reads the identity module's parameters (/identity/params):
// the stored ones, or the defaults the chain applies when none are stored.
func (c *Client) IdentityParams(ctx context.Context, height int64) (*tx.IdentityParams, error) {
	p, err := answer[tx.IdentityParams](ctx, c, "/identity/params", nil, height)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Identity reads a citizen's identity record (/identity/identity): its
// device keys, status and card-copy commitments; nil when id is not
// registered (with o.Prove, proven absent).
func (c *Client) Identity(ctx context.Context, id tx.Address, o ReadOpts) (*tx.Identity, *QueryResult, error) {
	return readJSON[tx.Identity](ctx, c, "/identity/identity", []byte(id.String()), o)
}

// IdentityOfKey reads the id of the identity a device key (by its
// address) was added to (/identity/by_key); false when none.
func (c *Client) IdentityOfKey(ctx context.Context, key tx.Address, o ReadOpts) (tx.Address, bool, *QueryResult, error) {
	var id tx.Address
	v, res, err := readValue(ctx, c, "/identity/by_key", []byte(key.String()), o, func(b []byte) (bool, error) {
		switch len(b) {
		case 0:
			return false, nil
		case tx.AddressLen:
			copy(id[:], b)
			return true, nil
		}
		return false, fmt.Errorf("device key %s: stored identity id of %d bytes, want %d", key, len(b), tx.AddressLen)
	})
	return id, v, res, err
}

// Facility reads a facility (/identity/facility): its kind, required
// claims, token acceptance and agency; nil when not registered.
func (c *Client) Facility(ctx context.Context, id string, o ReadOpts) (*tx.Facility, *QueryResult, error) {
	return readJSON[tx.Facility](ctx, c, "/identity/facility", []byte(id), o)
}

// Facilities is a page of facilities in id order (/identity/facilities)
// and the height it was read at; req.After is the Next of the previous
// page.
func (c *Client) Facilities(ctx context.Context, req tx.PageRequest, height int64) (*tx.FacilityPage, int64, error) {
	return pageAnswer[tx.FacilityPage](ctx, c, "/identity/facilities", requestJSON(req), height)
}

// Barred reads the bar of pseudonym at facility (/identity/barred): nil
// when the pseudonym is not barred. With o.Prove the answer is provable
// either way: Verify checks the bar, or its absence, against the header.
// An expired bar (Bar.ActiveAt) stays stored until it is lifted.
func (c *Client) Barred(ctx context.Context, facility string, pseudonym tx.Hash32, o ReadOpts) (*tx.Bar, *QueryResult, error) {
	return readJSON[tx.Bar](ctx, c, "/identity/barred", requestJSON(tx.BarredRequest{Facility: facility, Pseudonym: pseudonym}), o)
}

// Bars is a page of a facility's bars in pseudonym order (/identity/bars)
// and the height it was read at; req.After is the Next of the previous
// page. An unknown facility is ErrNotFound.
func (c *Client) Bars(ctx context.Context, req tx.BarsRequest, height int64) (*tx.BarPage, int64, error) {
	return pageAnswer[tx.BarPage](ctx, c, "/identity/bars", requestJSON(req), height)
}

// IdentityStats are the identity module's counts (/identity/stats):
// identities by status, facilities by kind, bars.
func (c *Client) IdentityStats(ctx context.Context, height int64) (*tx.IdentityStats, error) {
	s, err := answer[tx.IdentityStats](ctx, c, "/identity/stats", nil, height)
	if err != nil {
		return nil, err
	}
	return &s, nil
}
