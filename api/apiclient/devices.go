package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// The devices module: the registry.

// Device reads a registered device (JSON as the chain stores it).
func (c *Client) Device(ctx context.Context, id string, prove bool) (*State[json.RawMessage], error) {
	var s State[json.RawMessage]
	err := c.get(ctx, "/v1/devices/"+url.PathEscape(id)+proveQ(prove), &s)
	return &s, err
}

// DevicesByOwner reads a page of an account's devices in id order (each as
// the chain stores it): cursor is the NextCursor of the previous page (""
// for the first), limit the page size (0: the server's default).
func (c *Client) DevicesByOwner(ctx context.Context, address, cursor string, limit int) (*Page[json.RawMessage], error) {
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	path := "/v1/accounts/" + url.PathEscape(address) + "/devices"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var p Page[json.RawMessage]
	if err := c.get(ctx, path, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// AllDevicesByOwner reads every page of an account's devices, following
// each page's NextCursor.
func (c *Client) AllDevicesByOwner(ctx context.Context, address string) ([]json.RawMessage, error) {
	out := []json.RawMessage{}
	cursor := ""
	for {
		p, err := c.DevicesByOwner(ctx, address, cursor, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.NextCursor == "" {
			return out, nil
		}
		if p.NextCursor == cursor {
			return nil, fmt.Errorf("devices of %s: the page after cursor %q does not advance", address, cursor)
		}
		cursor = p.NextCursor
	}
}
