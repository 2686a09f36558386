// Package apiclient is the Go client of the citychain city API: typed
// reads (with proofs), transaction submission with status tracking and a
// reader of the server-sent event stream. It depends only on the standard
// library, so consumers do not pull in the chain.
package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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

// Proof is an ICS23 proof of a state key and what the server's
// verification of it showed.
type Proof struct {
	// Key and Value are the proven store key and stored bytes (hex; value
	// empty for a proof of absence).
	Key   string `json:"key"`
	Value string `json:"value"`
	// ICS23 is the CommitmentProof, protobuf, base64.
	ICS23 string `json:"ics23"`
	// Verified is the result of checking the proof against the app hash of
	// the next block's header, which the server's light client verified
	// from its trust root (TrustRoot). Error says why when false (no trust
	// root configured, a node not on the trusted chain, a bad proof).
	Verified     bool   `json:"verified"`
	Error        string `json:"error,omitempty"`
	HeaderHeight int64  `json:"header_height,omitempty"`
	HeaderHash   string `json:"header_hash,omitempty"`
	AppHash      string `json:"app_hash,omitempty"`
	SignedPower  int64  `json:"signed_power,omitempty"`
	TotalPower   int64  `json:"total_power,omitempty"`
	// TrustRoot is what the header was verified from.
	TrustRoot *TrustRoot `json:"trust_root,omitempty"`
}

// TrustRoot is the trust root the server verified a header from: kind
// "genesis" (the genesis validators, hashing to ValidatorsHash, signed the
// chain's first block, Height and Hash) or "header" (the trusted header
// at Height with Hash). Hashes are upper-case hex.
type TrustRoot struct {
	Kind           string `json:"kind"`
	ChainID        string `json:"chain_id"`
	Height         int64  `json:"height"`
	Hash           string `json:"hash"`
	ValidatorsHash string `json:"validators_hash,omitempty"`
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

// Get reads any endpoint into v (for the ones without a typed method).
func (c *Client) Get(ctx context.Context, path string, v any) error { return c.get(ctx, path, v) }
