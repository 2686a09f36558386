package client

import (
	"context"
	"encoding/json"
	"fmt"
)

// The typed queries. Each module query the CLI, the API or settlement use
// has one method, which builds the query's path and data and decodes the
// answer into the chain's type (declared in chain/tx), or returns the
// chain's JSON as it is (json.RawMessage) when clients only relay it.
//
// A provable query reads one state key: it takes ReadOpts and returns the
// decoded value (the zero value when the key holds nothing: absence is not
// an error) with the *QueryResult it came from, whose Value is the stored
// bytes, for relaying them, and whose Proof, with ReadOpts.Prove, Verify
// checks. The other queries answer JSON computed by the node at a height
// (0: the latest); an absent answer is ErrNotFound.

// ReadOpts say how a provable query reads.
type ReadOpts struct {
	// Height is the state height to read (0: the latest).
	Height int64
	// Prove fetches the ICS23 proof of the answer; Verify checks it.
	Prove bool
}

// AnswerError is an answer from the node that does not decode as the
// query's answer.
type AnswerError struct {
	Path string
	Err  error
}

func (e *AnswerError) Error() string { return e.Err.Error() }

func (e *AnswerError) Unwrap() error { return e.Err }

// readValue runs a provable query and decodes the stored value (nil when
// absent) with decode.
func readValue[T any](ctx context.Context, c *Client, path string, data []byte, o ReadOpts, decode func([]byte) (T, error)) (T, *QueryResult, error) {
	var zero T
	res, err := c.Query(ctx, path, data, o.Height, o.Prove)
	if err != nil {
		return zero, nil, err
	}
	v, err := decode(res.Value)
	if err != nil {
		return zero, nil, &AnswerError{Path: path, Err: err}
	}
	return v, res, nil
}

// readJSON runs a provable query whose stored value is JSON and decodes it
// into a new T; nil when absent.
func readJSON[T any](ctx context.Context, c *Client, path string, data []byte, o ReadOpts) (*T, *QueryResult, error) {
	return readValue(ctx, c, path, data, o, func(b []byte) (*T, error) {
		if b == nil {
			return nil, nil
		}
		v := new(T)
		if err := json.Unmarshal(b, v); err != nil {
			return nil, fmt.Errorf("query %s: decode answer: %w", path, err)
		}
		return v, nil
	})
}

// readRaw runs a provable query whose stored value clients relay as it
// is.
func readRaw(ctx context.Context, c *Client, path string, data []byte, o ReadOpts) (json.RawMessage, *QueryResult, error) {
	return readValue(ctx, c, path, data, o, func(b []byte) (json.RawMessage, error) { return b, nil })
}

// answer runs a query with a JSON answer at height and decodes it into a T
// (json.RawMessage: the answer as it is).
func answer[T any](ctx context.Context, c *Client, path string, data []byte, height int64) (T, error) {
	var v T
	if _, err := c.queryJSON(ctx, path, data, height, &v); err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// requestJSON is the JSON data of a query, its keys sorted: the bytes
// clients sent before the typed queries (the chain reads any order), which
// a not-found error quotes. The request types marshal without error.
func requestJSON(req any) []byte {
	b, err := json.Marshal(req)
	var fields map[string]json.RawMessage
	if err == nil {
		err = json.Unmarshal(b, &fields)
	}
	if err == nil {
		b, err = json.Marshal(fields)
	}
	if err != nil {
		panic(fmt.Sprintf("client: marshal query request %T: %v", req, err))
	}
	return b
}
