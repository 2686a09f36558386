package metering

import (
	"bytes"
	"encoding/binary"
	"strconv"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
)

// RangeRequest selects a device's (or a kind's) intervals from From to To
// inclusive (declared in chain/tx, which clients import).
type RangeRequest = tx.RangeRequest

// IntervalValue is one interval's delta (declared in chain/tx).
type IntervalValue = tx.IntervalValue

// maxRange bounds the intervals one range query returns.
const maxRange = 10_000

// Query implements module.Module. Paths:
//
//	params  -> Params JSON, provable
//	device  data: device id -> DeviceState JSON, provable
//	anchor  data: interval (decimal) -> Anchor JSON, provable
//	deltas  data: RangeRequest {device, from, to} -> [IntervalValue] (non-zero only)
//	totals  data: RangeRequest {kind, from, to} -> [IntervalValue] (non-zero only)
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	full := func(key []byte) *module.QueryResult {
		return &module.QueryResult{Key: append([]byte{k.prefix}, key...)}
	}
	switch q.Path {
	case "params":
		return full(paramsKey), nil
	case "device":
		if err := tx.ValidateDeviceID(string(q.Data)); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return full(deviceKey(string(q.Data))), nil
	case "anchor":
		n, err := strconv.ParseUint(string(q.Data), 10, 64)
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("interval %q: want a decimal number", q.Data)
		}
		return full(anchorKey(n)), nil
	case "deltas", "totals":
		var req RangeRequest
		if err := q.DecodeRequest(&req, "range"); err != nil {
			return nil, err
		}
		if req.To < req.From || req.To-req.From >= maxRange {
			return nil, module.ErrBadQuery.Wrapf("range %d..%d: want from <= to and at most %d intervals", req.From, req.To, maxRange)
		}
		var prefix []byte
		if q.Path == "deltas" {
			if err := tx.ValidateDeviceID(req.Device); err != nil {
				return nil, module.ErrBadQuery.Wrapf("%v", err)
			}
			prefix = deltaPrefix(req.Device)
		} else {
			kind, err := reading.ParseKind(req.Kind)
			if err != nil {
				return nil, module.ErrBadQuery.Wrapf("%v", err)
			}
			prefix = totalPrefix(byte(kind))
		}
		out := []IntervalValue{}
		start := binary.BigEndian.AppendUint64(bytes.Clone(prefix), req.From)
		var end []byte
		if req.To == ^uint64(0) {
			end = store.PrefixEnd(prefix)
		} else {
			end = binary.BigEndian.AppendUint64(bytes.Clone(prefix), req.To+1)
		}
		store.Each(q.Store(k.prefix), start, end, func(key, value []byte) bool {
			out = append(out, IntervalValue{
				Interval: binary.BigEndian.Uint64(key[len(key)-8:]),
				Delta:    binary.BigEndian.Uint64(value),
			})
			return true
		})
		return module.JSON(out)
	}
	return nil, module.ErrUnknownQuery.Wrapf("metering/%s", q.Path)
}
