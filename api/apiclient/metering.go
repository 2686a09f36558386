package apiclient

import (
	"context"
	"encoding/json"
	"net/url"
)

// The metering module: device state.

// DeviceState reads a device's metering state.
func (c *Client) DeviceState(ctx context.Context, id string, prove bool) (*State[json.RawMessage], error) {
	var s State[json.RawMessage]
	err := c.get(ctx, "/v1/devices/"+url.PathEscape(id)+"/state"+proveQ(prove), &s)
	return &s, err
}
