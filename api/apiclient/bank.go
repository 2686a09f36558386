package apiclient

import (
	"context"
	"net/url"
)

// The bank module: balances and supplies.

// Balance is an account's balance of one denomination; Amount is a coin
// string such as "1500000uscn".
type Balance struct {
	Address string `json:"address"`
	Amount  string `json:"amount"`
}

// Balance reads one balance; with prove the answer carries the verified
// proof.
func (c *Client) Balance(ctx context.Context, address, denom string, prove bool) (*State[Balance], error) {
	var s State[Balance]
	err := c.get(ctx, "/v1/accounts/"+url.PathEscape(address)+"/balances/"+url.PathEscape(denom)+proveQ(prove), &s)
	return &s, err
}

// Balances reads every balance of an account (coin strings).
func (c *Client) Balances(ctx context.Context, address string) ([]string, error) {
	var v struct {
		Balances []string `json:"balances"`
	}
	err := c.get(ctx, "/v1/accounts/"+url.PathEscape(address)+"/balances", &v)
	return v.Balances, err
}

// Supply reads the total supply of a denomination (a coin string).
func (c *Client) Supply(ctx context.Context, denom string, prove bool) (*State[string], error) {
	var s State[string]
	err := c.get(ctx, "/v1/supply/"+url.PathEscape(denom)+proveQ(prove), &s)
	return &s, err
}
