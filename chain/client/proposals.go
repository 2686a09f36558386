package client

import (
	"context"

	"github.com/citychain/citychain/chain/tx"
)

// Typed queries of the auth module's authority proposals (see
// chain/internal/auth/README.md).

// Proposal reads the proposal id (/auth/proposal); nil when there is none
// (it never existed, was withdrawn, or expired and was removed).
func (c *Client) Proposal(ctx context.Context, id tx.ProposalID, o ReadOpts) (*tx.Proposal, *QueryResult, error) {
	return readJSON[tx.Proposal](ctx, c, "/auth/proposal", []byte(id.String()), o)
}

// Proposals reads one page of the proposals, pending and executed, in id
// order (/auth/proposals), with the chain's threshold k and number of
// authorities n; it returns the height it was read at.
func (c *Client) Proposals(ctx context.Context, req tx.ProposalListRequest, height int64) (*tx.ProposalPage, int64, error) {
	return pageAnswer[tx.ProposalPage](ctx, c, "/auth/proposals", requestJSON(req), height)
}

// AuthParams reads the authority threshold and the proposal lifetime
// (/auth/params).
func (c *Client) AuthParams(ctx context.Context, height int64) (*tx.AuthParams, error) {
	return answer[*tx.AuthParams](ctx, c, "/auth/params", nil, height)
}

// Authorities reads the authorities' addresses (/auth/authorities).
func (c *Client) Authorities(ctx context.Context, height int64) ([]tx.Address, error) {
	return answer[[]tx.Address](ctx, c, "/auth/authorities", nil, height)
}
