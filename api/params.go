package api

import (
	"net/http"
	"strconv"

	"github.com/citychain/citychain/chain/tx"
)

// Path and query parameters shared by the modules' routes; each refusal is
// a badField naming the parameter.

const (
	idExpected      = "a decimal integer from 1 (ids start at 1)"
	addressExpected = "40 hex characters (a 20-byte account address)"
	boolExpected    = "true or false"
	afterIDExpected = "an id (decimal): the next_after of a previous page"
)

// pathUintID reads a path's decimal id from 1.
func pathUintID(r *http.Request, name, what string) (uint64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseUint(v, 10, 64)
	if err != nil || id == 0 {
		return 0, badField(name, "the "+what+" id: "+idExpected, "%s id %q: want a decimal integer from 1 (ids start at 1)", what, v)
	}
	return id, nil
}

// pathAddr reads a path's account address; expected describes it.
func pathAddr(r *http.Request, name, expected string) (tx.Address, error) {
	a, err := tx.ParseAddress(r.PathValue(name))
	if err != nil {
		return a, badField(name, expected, "%s %q: %v", name, r.PathValue(name), err)
	}
	return a, nil
}

// queryAddr reads an optional address from ?name=.
func queryAddr(r *http.Request, name string) (tx.Address, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return tx.Address{}, nil
	}
	a, err := tx.ParseAddress(v)
	if err != nil {
		return a, badField(name, addressExpected, "%s %q: %v", name, v, err)
	}
	return a, nil
}

// queryBool reads an optional boolean from ?name=.
func queryBool(r *http.Request, name string) (bool, error) {
	switch v := r.URL.Query().Get(name); v {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	default:
		return false, badField(name, boolExpected, "%s %q is not a boolean", name, v)
	}
}

// idPage reads ?after= (or ?cursor=), a decimal id or sequence number,
// and ?limit= of a list in id order (voting, labour).
func idPage(r *http.Request, expected string) (after, limit uint64, err error) {
	a, err := afterParam(r, expected, func(s string) error {
		_, err := strconv.ParseUint(s, 10, 64)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	n, err := limitParam(r, tx.DefaultListLimit, tx.MaxListLimit)
	if err != nil {
		return 0, 0, err
	}
	if a != "" {
		after, _ = strconv.ParseUint(a, 10, 64)
	}
	return after, uint64(n), nil
}
