package apiclient

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

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
