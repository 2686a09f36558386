package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// The auth module: accounts, the authorities and their proposals.

// Account is an account's public key and sequence number.
type Account struct {
	Address  string `json:"address"`
	PubKey   string `json:"pubkey,omitempty"`
	Sequence uint64 `json:"sequence"`
}

// Account reads an account.
func (c *Client) Account(ctx context.Context, address string, prove bool) (*State[Account], error) {
	var s State[Account]
	err := c.get(ctx, "/v1/accounts/"+url.PathEscape(address)+proveQ(prove), &s)
	return &s, err
}

// Authorities are the n authorities, the threshold k of them an authority
// action (a role grant or revocation, a validator change) needs, and how
// long a proposal collects approvals.
type Authorities struct {
	Authorities        []string `json:"authorities"`
	Threshold          uint32   `json:"threshold"`
	ProposalTTLSeconds uint64   `json:"proposal_ttl_seconds"`
}

// Authorities reads the authorities and their threshold.
func (c *Client) Authorities(ctx context.Context) (*Authorities, error) {
	var a Authorities
	if err := c.get(ctx, "/v1/authorities", &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// Proposal is an authority action waiting for, or run by, enough
// approvals: Msg is the proposed message ({"type", "value"}), State
// "pending" or "executed".
type Proposal struct {
	ID             string          `json:"id"`
	Msg            json.RawMessage `json:"msg"`
	Approvals      []string        `json:"approvals"`
	CreatedHeight  int64           `json:"created_height"`
	Expires        time.Time       `json:"expires"`
	State          string          `json:"state"`
	ExecutedHeight int64           `json:"executed_height,omitempty"`
}

// Proposal reads one proposal by id.
func (c *Client) Proposal(ctx context.Context, id string, prove bool) (*State[Proposal], error) {
	var s State[Proposal]
	err := c.get(ctx, "/v1/proposals/"+url.PathEscape(id)+proveQ(prove), &s)
	return &s, err
}

// Proposals reads a page of proposals in id order: cursor is the
// NextCursor of the previous page ("" for the first), limit the page size
// (0: the server's default).
func (c *Client) Proposals(ctx context.Context, cursor string, limit int) (*Page[Proposal], error) {
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	path := "/v1/proposals"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var p Page[Proposal]
	if err := c.get(ctx, path, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// AllProposals reads every page of proposals, following each page's
// NextCursor.
func (c *Client) AllProposals(ctx context.Context) ([]Proposal, error) {
	out := []Proposal{}
	cursor := ""
	for {
		p, err := c.Proposals(ctx, cursor, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.NextCursor == "" {
			return out, nil
		}
		if p.NextCursor == cursor {
			return nil, fmt.Errorf("proposals: the page after cursor %q does not advance", cursor)
		}
		cursor = p.NextCursor
	}
}
