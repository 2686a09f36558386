package api

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/citychain/citychain/api/apiclient"
	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// StateResponse is a read of chain state at a height, with its proof when
// asked for.
type StateResponse struct {
	Height int64  `json:"height"`
	Result any    `json:"result"`
	Proof  *Proof `json:"proof,omitempty"`
}

// Proof is an ICS23 proof of a state key and what verifying it showed (the
// client's type: the answer's contract is one).
type Proof = apiclient.Proof

// Page is one page of a list; NextCursor, when set, fetches the next.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func (s *Server) nodeCtx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.cfg.NodeTimeout)
}

// nodeError maps an error from the node to a problem.
func (s *Server) nodeError(w http.ResponseWriter, r *http.Request, err error) {
	var qe *client.QueryError
	var fe *fieldError
	switch {
	case errors.As(err, &fe):
		s.badRequest(w, r, err)
	case errors.As(err, &qe) && tx.CodeAppBadQuery.Matches(qe.Codespace, qe.Code):
		s.problem(w, r, http.StatusBadRequest, "invalid request", qe.Log, &Problem{Codespace: qe.Codespace, Code: qe.Code, Log: qe.Log})
	case errors.As(err, &qe):
		s.problem(w, r, http.StatusBadGateway, "query failed", qe.Log, &Problem{Codespace: qe.Codespace, Code: qe.Code, Log: qe.Log})
	case errors.Is(err, client.ErrNotFound):
		s.problem(w, r, http.StatusNotFound, "not found", err.Error(), nil)
	case errors.Is(err, context.DeadlineExceeded):
		s.problem(w, r, http.StatusGatewayTimeout, "node timeout", "the node did not answer in time", nil)
	default:
		s.log.Warn("node call failed", "path", r.URL.Path, "err", err)
		s.problem(w, r, http.StatusBadGateway, "node unavailable", "the node could not be asked: "+err.Error(), nil)
	}
}

func wantProof(r *http.Request) (bool, error) { return queryBool(r, "prove") }

// stateRead reads one state key through one of the client's typed queries
// with o and returns the result to answer (see rawOrAbsent), or errAbsent
// when the key holds nothing and that is a 404, and the read it came from.
type stateRead func(ctx context.Context, o client.ReadOpts) (view any, res *client.QueryResult, err error)

// provable answers a read of one state key, with its proof when the
// request asks for one.
func (s *Server) provable(w http.ResponseWriter, r *http.Request, read stateRead) {
	s.provableAccrued(w, r, read, nil)
}

// provableAccrued answers a state read like provable and, when accrue is
// set and read found a value, with accrue's accrual (nil: none) beside the
// result (AccruedResponse).
func (s *Server) provableAccrued(w http.ResponseWriter, r *http.Request, read stateRead,
	accrue func(ctx context.Context, res *client.QueryResult) (*LateAccrual, error)) {
	prove, err := wantProof(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	view, res, err := read(ctx, client.ReadOpts{Prove: prove})
	var acc *LateAccrual
	if err == nil && view != nil && accrue != nil {
		acc, err = accrue(ctx, res)
	}
	var ae *client.AnswerError
	switch {
	case errors.Is(err, errAbsent) && !prove:
		s.problem(w, r, http.StatusNotFound, "not found", fmt.Sprintf("%s %s: nothing stored", res.Path, res.Data), nil)
		return
	case errors.As(err, &ae):
		s.problem(w, r, http.StatusBadGateway, "bad answer from node", err.Error(), nil)
		return
	case err != nil && !errors.Is(err, errAbsent):
		s.nodeError(w, r, err)
		return
	}
	var proof *Proof
	if prove {
		proof = s.verify(ctx, res)
	}
	if accrue == nil {
		writeJSON(w, http.StatusOK, StateResponse{Height: res.Height, Result: view, Proof: proof})
		return
	}
	writeJSON(w, http.StatusOK, AccruedResponse{Height: res.Height, Result: view, Accrued: acc, Proof: proof})
}

func (s *Server) verify(ctx context.Context, res *client.QueryResult) *Proof {
	if _, err := s.ensureChainID(ctx); err != nil {
		p := proofOf(res, nil)
		p.Error = err.Error()
		return p
	}
	v, err := s.node.Verify(ctx, res)
	p := proofOf(res, v)
	switch {
	case errors.Is(err, client.ErrNoTrustRoot):
		p.Error = "not verified: this API has no trust root configured (citychain api --trust-genesis FILE, or --trust-height H --trust-hash HASH); verify the proof yourself"
	case err != nil:
		p.Error = err.Error()
	}
	return p
}

// refreshTrust has the light client verify the node's latest header every
// tenth of the trusting period (at least a minute, at most a day), so the
// latest trusted header never expires while the server runs, however
// rarely a proof is asked for. It returns when ctx ends.
func (s *Server) refreshTrust(ctx context.Context) {
	p := s.cfg.Trust.TrustingPeriod
	if p == 0 {
		p = client.DefaultTrustingPeriod
	}
	t := time.NewTicker(min(max(p/10, time.Minute), 24*time.Hour))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rctx, cancel := context.WithTimeout(ctx, s.cfg.NodeTimeout)
		if err := s.node.RefreshTrust(rctx); err != nil && ctx.Err() == nil {
			s.log.Warn("refresh the trusted header", "err", err)
		}
		cancel()
	}
}

// proofOf is the proof of res, verified against v (unverified when v is
// nil).
func proofOf(res *client.QueryResult, v *client.Verification) *Proof {
	p := &Proof{Key: hex.EncodeToString(res.Key), Value: hex.EncodeToString(res.Value)}
	if b, err := res.Proof.Marshal(); err == nil {
		p.ICS23 = base64.StdEncoding.EncodeToString(b)
	}
	if v != nil {
		p.Verified, p.HeaderHeight, p.AppHash = true, v.HeaderHeight, upperHex(v.AppHash)
		p.HeaderHash, p.SignedPower, p.TotalPower = upperHex(v.HeaderHash), v.SignedPower, v.TotalPower
		p.TrustRoot = &apiclient.TrustRoot{Kind: v.Trusted.Kind, ChainID: v.Trusted.ChainID, Height: v.Trusted.Height,
			Hash: upperHex(v.Trusted.Hash), ValidatorsHash: upperHex(v.Trusted.ValidatorsHash)}
	}
	return p
}

func upperHex(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }

var errAbsent = errors.New("absent")

// rawOrAbsent is the result of a state read the API relays as the chain
// stored it; errAbsent when the key holds nothing.
func rawOrAbsent(v json.RawMessage, res *client.QueryResult, err error) (any, *client.QueryResult, error) {
	if err == nil && v == nil {
		return nil, res, errAbsent
	}
	return v, res, err
}

// stored is the stored value behind a typed query's answer, for relaying
// it as the chain wrote it.
func stored[T any](_ T, res *client.QueryResult, err error) (json.RawMessage, *client.QueryResult, error) {
	if err != nil {
		return nil, nil, err
	}
	return res.Value, res, nil
}

// jsonAnswer relays the JSON answer of one of the client's typed queries
// as it is.
func (s *Server) jsonAnswer(w http.ResponseWriter, r *http.Request, read func(ctx context.Context) (json.RawMessage, error)) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	v, err := read(ctx)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func pathAddress(r *http.Request) (tx.Address, error) {
	a, err := tx.ParseAddress(r.PathValue("address"))
	if err != nil {
		return a, badField("address", "40 hex characters (a 20-byte account address)", "address %q: %v", r.PathValue("address"), err)
	}
	return a, nil
}

func pathDevice(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if err := tx.ValidateDeviceID(id); err != nil {
		return "", badField("id", "1 to 64 characters of a-z 0-9 . _ -", "device id %q: %v", id, err)
	}
	return id, nil
}

func pathDenom(r *http.Request) (string, error) {
	d := r.PathValue("denom")
	if err := tx.ValidateDenom(d); err != nil {
		return "", badField("denom", "a denomination such as uscn or ukrw", "denom %q: %v", d, err)
	}
	return d, nil
}

func parseUint(field, s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, badField(field, "a non-negative decimal integer", "%s %q is not a non-negative integer", field, s)
	}
	return n, nil
}

func queryUint(r *http.Request, field string, def uint64) (uint64, error) {
	v := r.URL.Query().Get(field)
	if v == "" {
		return def, nil
	}
	return parseUint(field, v)
}

// limitParam reads ?limit= (1..max, default def).
func limitParam(r *http.Request, def, maxN int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxN {
		return 0, badField("limit", fmt.Sprintf("an integer from 1 to %d", maxN), "limit %q is out of range", v)
	}
	return n, nil
}

// Cursors are opaque to clients: base64url of the last key returned.
func encodeCursor(k string) string { return base64.RawURLEncoding.EncodeToString([]byte(k)) }

func cursorParam(r *http.Request) (string, error) {
	v := r.URL.Query().Get("cursor")
	if v == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return "", badField("cursor", "the next_cursor of a previous page", "cursor %q is not one this API issued", v)
	}
	return string(b), nil
}

// paginate sorts items by key and returns the page after the cursor.
func paginate[T any](r *http.Request, items []T, key func(T) string) (Page[T], error) {
	cur, err := cursorParam(r)
	if err != nil {
		return Page[T]{}, err
	}
	limit, err := limitParam(r, 50, 500)
	if err != nil {
		return Page[T]{}, err
	}
	slices.SortStableFunc(items, func(a, b T) int { return strings.Compare(key(a), key(b)) })
	i := 0
	if cur != "" {
		i, _ = slices.BinarySearchFunc(items, cur, func(a T, c string) int { return strings.Compare(key(a), c) })
		for i < len(items) && key(items[i]) <= cur {
			i++
		}
	}
	end := min(i+limit, len(items))
	p := Page[T]{Items: items[i:end]}
	if p.Items == nil {
		p.Items = []T{}
	}
	if end < len(items) {
		p.NextCursor = encodeCursor(key(items[end-1]))
	}
	return p, nil
}

// sortKey pads a number so string order is numeric order.
func sortKey(n uint64) string { return fmt.Sprintf("%020d", n) }
