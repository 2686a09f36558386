package vehicles

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

var _ module.Exporter = (*Keeper)(nil)

// ExportGenesis implements module.Exporter: the module's state as a genesis
// section, read in key order. Records (params, counters, vehicles with
// their odometer series, programmes, transfers) are written out; indexes
// (device bindings, owners' vehicles, citizens' subsidies, dealers'
// proposals) are not: InitGenesis rebuilds them from the vehicles and the
// open transfers.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	var g Genesis
	var hasParams bool
	return module.ExportSection(Codespace, k.kv(ctx), &g, func(key, value []byte) error {
		switch key[0] {
		case prefixParams:
			hasParams = true
			return json.Unmarshal(value, &g.Params)
		case prefixCounter:
			g.Counters = &Counters{}
			return json.Unmarshal(value, g.Counters)
		case prefixVehicle:
			g.Vehicles = append(g.Vehicles, GenesisVehicle{})
			return json.Unmarshal(value, &g.Vehicles[len(g.Vehicles)-1].Vehicle)
		case prefixOdometer:
			// The vehicles (0x02) come before their points (0x03): the
			// points of a VIN follow each other, in interval order.
			if len(key) < 1+8 {
				return fmt.Errorf("an odometer point key of %d bytes", len(key))
			}
			vin := string(key[1 : len(key)-8])
			v := vehicleOf(&g, vin)
			if v == nil {
				return fmt.Errorf("an odometer point of %q, which is not a registered vehicle", vin)
			}
			var p tx.OdometerPoint
			if err := json.Unmarshal(value, &p); err != nil {
				return err
			}
			if p.Interval != binary.BigEndian.Uint64(key[len(key)-8:]) {
				return fmt.Errorf("the point of interval %d is stored under another interval", p.Interval)
			}
			v.OdometerSeries = append(v.OdometerSeries, p)
		case prefixProgramme:
			return module.AppendJSON(&g.Programmes, value)
		case prefixTransfer:
			return module.AppendJSON(&g.Transfers, value)
		case prefixDevice, prefixOwner, prefixCitizen, prefixProposal:
			// indexes: rebuilt by InitGenesis (App.Export checks the rebuild)
		default:
			return module.ErrUnknownKey
		}
		return nil
	}, module.RequireParams(&hasParams))
}
