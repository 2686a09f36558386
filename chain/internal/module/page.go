package module

import (
	"bytes"
	"encoding/hex"

	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Paging of list queries (tx.PageRequest). A page walks the store by key
// range from its cursor, never the whole list: its cost is the page size,
// whatever the list's length.

// ListRequest decodes a list query's request: JSON into req when the data
// is a JSON object (true), or nothing when it is the query's older plain
// form (an address, an interval), which asks for the first page with the
// default limit (false); what names the request in the ErrBadQuery.
func (q *Query) ListRequest(req any, what string) (bool, error) {
	if len(q.Data) == 0 || q.Data[0] != '{' {
		return false, nil
	}
	return true, q.DecodeRequest(req, what)
}

// ListLimit is the page size of p: tx.DefaultListLimit when it asks for
// none, ErrBadQuery above tx.MaxListLimit.
func ListLimit(p tx.PageRequest) (uint64, error) {
	return PageLimit(p.Limit, tx.DefaultListLimit, tx.MaxListLimit)
}

// After is the first key of the page after the cursor key last, within
// prefix: the smallest key greater than prefix+last (no key of a list
// holds a 0x00 byte after a variable-length part, and fixed-length keys
// have none after them).
func After(prefix, last []byte) []byte {
	k := make([]byte, 0, len(prefix)+len(last)+1)
	return append(append(append(k, prefix...), last...), 0x00)
}

// HexCursor decodes an opaque cursor: the hex of a key suffix of n bytes.
func HexCursor(field, s string, n int) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != n {
		return nil, ErrBadQuery.Wrapf("%s %q: want the next of a previous page (%d hex characters)", field, s, 2*n)
	}
	return b, nil
}

// EachPage walks the keys of [start, end) in order and passes each to
// take, which returns whether it added an item to the page, until limit
// items were taken. next is the key (without prefix: the part after the
// first len(prefix) bytes) of the last item taken when the range holds
// more keys after it, nil when the page reached the end.
func EachPage(kv store.KV, prefix, start, end []byte, limit uint64, take func(key, value []byte) bool) (next []byte) {
	var n uint64
	var last []byte
	store.Each(kv, start, end, func(key, value []byte) bool {
		if n == limit {
			next = bytes.Clone(last[len(prefix):])
			return false
		}
		if take(key, value) {
			n++
			last = append(last[:0], key...) // the iterator may reuse key
		}
		return true
	})
	return next
}
