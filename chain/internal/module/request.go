package module

import (
	"bytes"
	"encoding/json"
)

// DecodeRequest decodes the query's JSON request into v, refusing unknown
// fields; what names the request in the ErrBadQuery it returns.
func (q *Query) DecodeRequest(v any, what string) error {
	dec := json.NewDecoder(bytes.NewReader(q.Data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return ErrBadQuery.Wrapf("%s request: %v", what, err)
	}
	return nil
}

// PageLimit is the page size a query asked for: def when it asked for none
// (0), ErrBadQuery above max.
func PageLimit(limit, def, max uint64) (uint64, error) {
	if limit == 0 {
		return def, nil
	}
	if limit > max {
		return 0, ErrBadQuery.Wrapf("limit %d: want at most %d", limit, max)
	}
	return limit, nil
}
