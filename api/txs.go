package api

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// SubmitRequest is a signed transaction, as base64 or as hex (exactly one).
type SubmitRequest struct {
	TxBase64 string `json:"tx_base64,omitempty"`
	TxHex    string `json:"tx_hex,omitempty"`
}

// TxStatus is what became of a relayed transaction.
type TxStatus struct {
	Hash string `json:"hash"`
	// Status is pending (admitted to the mempool, not yet in a block),
	// committed (in a block, succeeded) or rejected (by CheckTx, or failed
	// in its block).
	Status    string          `json:"status"`
	Height    int64           `json:"height,omitempty"`
	Codespace string          `json:"codespace,omitempty"`
	Code      uint32          `json:"code,omitempty"`
	Log       string          `json:"log,omitempty"`
	Events    []Event         `json:"events,omitempty"`
	Tx        json.RawMessage `json:"tx,omitempty"`
}

// tracker remembers relayed transactions (bounded, oldest forgotten
// first) so a transaction rejected before inclusion can still be asked
// about.
type tracker struct {
	mu    sync.Mutex
	max   int
	order []string
	m     map[string]*TxStatus
}

func newTracker(n int) *tracker { return &tracker{max: n, m: map[string]*TxStatus{}} }

func (t *tracker) put(st TxStatus) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.m[st.Hash]; !ok {
		t.order = append(t.order, st.Hash)
		if len(t.order) > t.max {
			delete(t.m, t.order[0])
			t.order = t.order[1:]
		}
	}
	t.m[st.Hash] = &st
}

func (t *tracker) get(hash string) (TxStatus, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.m[hash]
	if !ok {
		return TxStatus{}, false
	}
	return *st, true
}

func decodeSubmit(r *http.Request) ([]byte, error) {
	var req SubmitRequest
	if err := decodeBody(r, &req, `a JSON object {"tx_base64": "..."} or {"tx_hex": "..."}`, "only tx_base64 or tx_hex"); err != nil {
		return nil, err
	}
	switch {
	case req.TxBase64 != "" && req.TxHex != "":
		return nil, badField("tx_base64", "exactly one of tx_base64 and tx_hex", "both tx_base64 and tx_hex are set")
	case req.TxBase64 != "":
		b, err := base64.StdEncoding.DecodeString(req.TxBase64)
		if err != nil {
			return nil, badField("tx_base64", "standard base64 of the signed transaction bytes", "tx_base64: %v", err)
		}
		return b, nil
	case req.TxHex != "":
		b, err := hex.DecodeString(req.TxHex)
		if err != nil {
			return nil, badField("tx_hex", "hex of the signed transaction bytes", "tx_hex: %v", err)
		}
		return b, nil
	}
	return nil, badField("tx_base64", "exactly one of tx_base64 and tx_hex", "no transaction given")
}

// decodeBody decodes a request body holding exactly one JSON object into
// v, refusing unknown fields. A decoding error is a *fieldError naming the
// field at fault (want describes the body, fields the known fields), or
// the *http.MaxBytesError of a body past the limit (bodyError answers
// both).
func decodeBody(r *http.Request, v any, want, fields string) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe):
			return mbe
		case errors.As(err, &se):
			return badField("body", want, "body is not valid JSON at byte %d: %v", se.Offset, err)
		case errors.As(err, &te):
			return badField(te.Field, "a "+te.Type.String(), "field %q: %v", te.Field, err)
		case errors.Is(err, io.EOF):
			return badField("body", want, "body is empty")
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return badField(f, fields, "unknown field %q", f)
		}
		return badField("body", want, "body: %v", err)
	}
	if dec.More() {
		return badField("body", "one JSON object", "body has data after the JSON object")
	}
	return nil
}

// jsonBody refuses a request body declared as anything but JSON (415);
// a body with no Content-Type is read as JSON.
func (s *Server) jsonBody(w http.ResponseWriter, r *http.Request) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		s.problem(w, r, http.StatusUnsupportedMediaType, "unsupported media type", fmt.Sprintf("Content-Type %q: want application/json", ct), &Problem{Field: "Content-Type", Expected: "application/json"})
		return false
	}
	return true
}

// bodyError answers a request body that could not be decoded: 413 past the
// size limit, 400 naming the field otherwise.
func (s *Server) bodyError(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		s.problem(w, r, http.StatusRequestEntityTooLarge, "body too large", fmt.Sprintf("the request body exceeds %d bytes", mbe.Limit), &Problem{Field: "body", Expected: fmt.Sprintf("at most %d bytes", mbe.Limit)})
		return
	}
	s.badRequest(w, r, err)
}

// submitTx relays a signed transaction with broadcast_tx_sync: 202 with
// status pending once CheckTx admitted it, 422 with the chain's codespace,
// code and log if it refused it.
func (s *Server) submitTx(w http.ResponseWriter, r *http.Request) {
	if !s.jsonBody(w, r) {
		return
	}
	raw, err := decodeSubmit(r)
	if err != nil {
		s.bodyError(w, r, err)
		return
	}
	if _, err := tx.Decode(raw); err != nil {
		s.problem(w, r, http.StatusBadRequest, "invalid transaction", "the bytes are not a citychain transaction: "+err.Error(), &Problem{Field: "tx", Expected: "a signed transaction envelope (see docs/transactions.md)"})
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	hash, err := s.node.Broadcast(ctx, raw)
	var te *client.TxError
	switch {
	case errors.As(err, &te):
		s.metrics.relayed.WithLabelValues("rejected").Inc()
		st := TxStatus{Hash: hash, Status: "rejected", Codespace: te.Codespace, Code: te.Code, Log: te.Log}
		s.txs.put(st)
		s.problem(w, r, http.StatusUnprocessableEntity, "transaction rejected", fmt.Sprintf("CheckTx refused the transaction: %s code %d: %s", te.Codespace, te.Code, te.Log),
			&Problem{Hash: hash, Codespace: te.Codespace, Code: te.Code, Log: te.Log})
	case err != nil && strings.Contains(err.Error(), "tx already exists in cache"):
		s.metrics.relayed.WithLabelValues("duplicate").Inc()
		s.problem(w, r, http.StatusConflict, "already submitted", "the node has seen these exact bytes recently; ask GET /v1/txs/"+hash+" for their status", &Problem{Hash: hash})
	case err != nil:
		s.metrics.relayed.WithLabelValues("error").Inc()
		s.nodeError(w, r, err)
	default:
		s.metrics.relayed.WithLabelValues("pending").Inc()
		st := TxStatus{Hash: hash, Status: "pending"}
		s.txs.put(st)
		w.Header().Set("Location", "/v1/txs/"+hash)
		writeJSON(w, http.StatusAccepted, st)
	}
}

// txStatus answers from the node's transaction index first, then from the
// transactions this server relayed.
func (s *Server) txStatus(w http.ResponseWriter, r *http.Request) {
	hash := strings.ToUpper(r.PathValue("hash"))
	hb, err := hex.DecodeString(hash)
	if err != nil || len(hb) != 32 {
		s.badRequest(w, r, badField("hash", "64 hex characters (SHA-256 of the transaction bytes)", "hash %q is not a transaction hash", r.PathValue("hash")))
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	res, err := s.node.RPC().Tx(ctx, hb, false)
	if err == nil {
		st := TxStatus{Hash: hash, Status: "committed", Height: res.Height}
		if res.TxResult.Code != 0 {
			st.Status, st.Codespace, st.Code, st.Log = "rejected", res.TxResult.Codespace, res.TxResult.Code, res.TxResult.Log
		}
		for _, e := range res.TxResult.Events {
			st.Events = append(st.Events, eventOf(e, res.Height, hash))
		}
		if t, err := tx.Decode(res.Tx); err == nil {
			st.Tx, _ = json.Marshal(t)
		}
		s.txs.put(TxStatus{Hash: st.Hash, Status: st.Status, Height: st.Height, Codespace: st.Codespace, Code: st.Code, Log: st.Log})
		writeJSON(w, http.StatusOK, st)
		return
	}
	if !strings.Contains(err.Error(), "not found") {
		s.nodeError(w, r, err)
		return
	}
	if st, ok := s.txs.get(hash); ok {
		writeJSON(w, http.StatusOK, st)
		return
	}
	s.problem(w, r, http.StatusNotFound, "not found", fmt.Sprintf("transaction %s is neither in a block nor relayed by this server", hash), nil)
}
