package vehicles

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

var _ module.Exporter = (*Keeper)(nil)

// ExportGenesis implements module.Exporter: the module's state as a genesis
// section, read in key order. Records (params, counters, vehicles with
// their odometer series, programmes, transfers) are written out; indexes
// (device bindings, owners' vehicles, citizens' subsidies) are not:
// InitGenesis rebuilds them from the vehicles.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	kv := k.kv(ctx)
	var g Genesis
	var hasParams, found bool
	var err error
	decode := func(key, value []byte, v any) bool {
		if err = json.Unmarshal(value, v); err != nil {
			err = fmt.Errorf("key %x: %w", key, err)
		}
		return err == nil
	}
	store.Each(kv, nil, nil, func(key, value []byte) bool {
		found = true
		switch key[0] {
		case prefixParams:
			hasParams = true
			return decode(key, value, &g.Params)
		case prefixCounter:
			g.Counters = &Counters{}
			return decode(key, value, g.Counters)
		case prefixVehicle:
			g.Vehicles = append(g.Vehicles, GenesisVehicle{})
			return decode(key, value, &g.Vehicles[len(g.Vehicles)-1].Vehicle)
		case prefixOdometer:
			// The vehicles (0x02) come before their points (0x03): the
			// points of a VIN follow each other, in interval order.
			if len(key) < 1+8 {
				err = fmt.Errorf("key %x: an odometer point key of %d bytes", key, len(key))
				return false
			}
			vin := string(key[1 : len(key)-8])
			v := vehicleOf(&g, vin)
			if v == nil {
				err = fmt.Errorf("key %x: an odometer point of %q, which is not a registered vehicle", key, vin)
				return false
			}
			var p tx.OdometerPoint
			if !decode(key, value, &p) {
				return false
			}
			if p.Interval != binary.BigEndian.Uint64(key[len(key)-8:]) {
				err = fmt.Errorf("key %x: the point of interval %d is stored under another interval", key, p.Interval)
				return false
			}
			v.OdometerSeries = append(v.OdometerSeries, p)
		case prefixProgramme:
			g.Programmes = append(g.Programmes, Programme{})
			return decode(key, value, &g.Programmes[len(g.Programmes)-1])
		case prefixTransfer:
			g.Transfers = append(g.Transfers, Transfer{})
			return decode(key, value, &g.Transfers[len(g.Transfers)-1])
		case prefixDevice, prefixOwner, prefixCitizen:
			// indexes: rebuilt by InitGenesis, checked below
		default:
			err = fmt.Errorf("key %x: no vehicles key family has prefix %#02x", key, key[0])
			return false
		}
		return true
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("export vehicles state: %w", err)
	case !found:
		return nil, nil
	case !hasParams:
		return nil, fmt.Errorf("export vehicles state: no params are stored (the chain started without a vehicles section), which a section cannot reproduce")
	}
	raw, err := json.Marshal(g)
	if err != nil {
		return nil, err
	}
	return raw, nil
}
