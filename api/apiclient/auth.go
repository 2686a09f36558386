package apiclient

import (
	"context"
	"net/url"
)

// The auth module: accounts.

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
