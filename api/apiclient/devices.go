package apiclient

import (
	"context"
	"encoding/json"
	"net/url"
)

// The devices module: the registry.

// Device reads a registered device (JSON as the chain stores it).
func (c *Client) Device(ctx context.Context, id string, prove bool) (*State[json.RawMessage], error) {
	var s State[json.RawMessage]
	err := c.get(ctx, "/v1/devices/"+url.PathEscape(id)+proveQ(prove), &s)
	return &s, err
}
