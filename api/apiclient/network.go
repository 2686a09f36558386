package apiclient

import (
	"context"
	"time"
)

// Status is the network's state.
type Status struct {
	ChainID         string    `json:"chain_id"`
	Height          int64     `json:"height"`
	BlockTime       time.Time `json:"block_time"`
	Validators      int       `json:"validators"`
	AvgBlockSeconds float64   `json:"avg_block_seconds"`
	IntervalSeconds uint64    `json:"interval_seconds"`
	CurrentInterval uint64    `json:"current_interval"`
}

// Status reads the network status.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	var s Status
	err := c.get(ctx, "/v1/status", &s)
	return &s, err
}
