// Package apiclient is the Go client of the citychain city API: typed
// reads (with proofs), transaction submission with status tracking and a
// reader of the server-sent event stream. It depends only on the standard
// library, so consumers do not pull in the chain.
package apiclient

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls one API server.
type Client struct {
	base string
	key  string
	http *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithAPIKey sends the key as Authorization: Bearer.
func WithAPIKey(key string) Option { return func(c *Client) { c.key = key } }

// WithHTTPClient replaces http.DefaultClient (event streams need one
// without a overall timeout).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// New returns a client of the API at base ("http://127.0.0.1:8080").
func New(base string, opts ...Option) *Client {
	c := &Client{base: strings.TrimRight(base, "/"), http: http.DefaultClient}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Problem is an error answer (RFC 9457).
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Field     string `json:"field,omitempty"`
	Expected  string `json:"expected,omitempty"`
	Hash      string `json:"hash,omitempty"`
	Codespace string `json:"codespace,omitempty"`
	Code      uint32 `json:"code,omitempty"`
	Log       string `json:"log,omitempty"`
	// RetryAfter is set on 429.
	RetryAfter time.Duration `json:"-"`
}

func (p *Problem) Error() string {
	s := fmt.Sprintf("api %d %s: %s", p.Status, p.Title, p.Detail)
	if p.Field != "" {
		s += fmt.Sprintf(" (field %s: want %s)", p.Field, p.Expected)
	}
	return s
}

func (c *Client) req(ctx context.Context, method, path string, body io.Reader) (*http.Response, error) {
	r, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	if c.key != "" {
		r.Header.Set("Authorization", "Bearer "+c.key)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(r)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if res.StatusCode >= 400 {
		defer res.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		p := &Problem{Status: res.StatusCode, Title: res.Status}
		_ = json.Unmarshal(b, p)
		if ra := res.Header.Get("Retry-After"); ra != "" {
			var secs int
			if _, err := fmt.Sscan(ra, &secs); err == nil {
				p.RetryAfter = time.Duration(secs) * time.Second
			}
		}
		return nil, p
	}
	return res, nil
}

func (c *Client) do(ctx context.Context, method, path string, body io.Reader, v any) error {
	res, err := c.req(ctx, method, path, body)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

func (c *Client) get(ctx context.Context, path string, v any) error {
	return c.do(ctx, http.MethodGet, path, nil, v)
}

// Proof is an ICS23 proof and the server's verification of it.
type Proof struct {
	Key          string `json:"key"`
	Value        string `json:"value"`
	ICS23        string `json:"ics23"`
	Verified     bool   `json:"verified"`
	Error        string `json:"error,omitempty"`
	HeaderHeight int64  `json:"header_height,omitempty"`
	AppHash      string `json:"app_hash,omitempty"`
	SignedPower  int64  `json:"signed_power,omitempty"`
	TotalPower   int64  `json:"total_power,omitempty"`
}

// State is a read of chain state at a height; Result is decoded into the
// caller's type.
type State[T any] struct {
	Height int64  `json:"height"`
	Result T      `json:"result"`
	Proof  *Proof `json:"proof,omitempty"`
}

// Page is one page of a list.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func proveQ(prove bool) string {
	if prove {
		return "?prove=true"
	}
	return ""
}

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

// Supply reads the total supply of a denomination (a coin string).
func (c *Client) Supply(ctx context.Context, denom string, prove bool) (*State[string], error) {
	var s State[string]
	err := c.get(ctx, "/v1/supply/"+url.PathEscape(denom)+proveQ(prove), &s)
	return &s, err
}

// Device reads a registered device (JSON as the chain stores it).
func (c *Client) Device(ctx context.Context, id string, prove bool) (*State[json.RawMessage], error) {
	var s State[json.RawMessage]
	err := c.get(ctx, "/v1/devices/"+url.PathEscape(id)+proveQ(prove), &s)
	return &s, err
}

// DeviceState reads a device's metering state.
func (c *Client) DeviceState(ctx context.Context, id string, prove bool) (*State[json.RawMessage], error) {
	var s State[json.RawMessage]
	err := c.get(ctx, "/v1/devices/"+url.PathEscape(id)+"/state"+proveQ(prove), &s)
	return &s, err
}

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

// Get reads any endpoint into v (for the ones without a typed method).
func (c *Client) Get(ctx context.Context, path string, v any) error { return c.get(ctx, path, v) }

// TxStatus is what became of a transaction.
type TxStatus struct {
	Hash      string  `json:"hash"`
	Status    string  `json:"status"` // pending, committed, rejected
	Height    int64   `json:"height,omitempty"`
	Codespace string  `json:"codespace,omitempty"`
	Code      uint32  `json:"code,omitempty"`
	Log       string  `json:"log,omitempty"`
	Events    []Event `json:"events,omitempty"`
}

// Submit relays signed transaction bytes. A transaction CheckTx refuses
// comes back as a *Problem with status 422 and the codespace, code and log.
func (c *Client) Submit(ctx context.Context, raw []byte) (*TxStatus, error) {
	body, _ := json.Marshal(map[string]string{"tx_base64": base64.StdEncoding.EncodeToString(raw)})
	var st TxStatus
	err := c.do(ctx, http.MethodPost, "/v1/txs", strings.NewReader(string(body)), &st)
	return &st, err
}

// Tx reads a transaction's status.
func (c *Client) Tx(ctx context.Context, hash string) (*TxStatus, error) {
	var st TxStatus
	err := c.get(ctx, "/v1/txs/"+url.PathEscape(hash), &st)
	return &st, err
}

// ErrRejected is returned by WaitTx for a transaction that failed.
var ErrRejected = errors.New("transaction rejected")

// WaitTx polls every interval until the transaction is committed or
// rejected.
func (c *Client) WaitTx(ctx context.Context, hash string, every time.Duration) (*TxStatus, error) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		st, err := c.Tx(ctx, hash)
		if err != nil {
			return nil, err
		}
		switch st.Status {
		case "committed":
			return st, nil
		case "rejected":
			return st, fmt.Errorf("%w: %s code %d: %s", ErrRejected, st.Codespace, st.Code, st.Log)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// Event is one chain event from the stream.
type Event struct {
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
