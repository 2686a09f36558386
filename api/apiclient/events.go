package apiclient

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Event is one chain event from the stream: an ABCI event, or a "block"
// summary.
type Event struct {
	// ID is height-position, increasing along the stream.
	ID         string            `json:"id,omitempty"`
	Type       string            `json:"type"`
	Height     int64             `json:"height"`
	Tx         string            `json:"tx,omitempty"`
	Time       *time.Time        `json:"time,omitempty"`
	Attributes map[string]string `json:"attributes"`
}

// EventFilter selects events: Types are event types or module prefixes.
type EventFilter struct {
	Types   []string
	Account string
	Device  string
}

// Stream is an open event stream.
type Stream struct {
	body io.ReadCloser
	sc   *bufio.Scanner
}

// Events opens the server-sent event stream. Read it with Next; Close it
// when done (or cancel ctx).
func (c *Client) Events(ctx context.Context, f EventFilter) (*Stream, error) {
	q := url.Values{}
	if len(f.Types) > 0 {
		q.Set("type", strings.Join(f.Types, ","))
	}
	if f.Account != "" {
		q.Set("account", f.Account)
	}
	if f.Device != "" {
		q.Set("device", f.Device)
	}
	path := "/v1/events"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	res, err := c.req(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	return &Stream{body: res.Body, sc: sc}, nil
}

// Next blocks until the next event (io.EOF when the stream ends).
func (s *Stream) Next() (*Event, error) {
	var data strings.Builder
	for s.sc.Scan() {
		line := s.sc.Text()
		if line == "" {
			if data.Len() == 0 {
				continue
			}
			var e Event
			if err := json.Unmarshal([]byte(data.String()), &e); err != nil {
				return nil, fmt.Errorf("event data: %w", err)
			}
			return &e, nil
		}
		if d, ok := strings.CutPrefix(line, "data:"); ok {
			data.WriteString(strings.TrimPrefix(d, " "))
		}
	}
	if err := s.sc.Err(); err != nil {
		return nil, err
	}
	return nil, io.EOF
}

// Close ends the stream.
func (s *Stream) Close() error { return s.body.Close() }
