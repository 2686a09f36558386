package vehicles

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Params are the module's genesis parameters.
type Params struct {
	// TransferTTLSeconds is how long a proposed title transfer stays open.
	TransferTTLSeconds uint64 `json:"transfer_ttl_seconds"`
	// MaxRecords bounds each of a vehicle's lists (owners, accidents,
	// inspections, battery measurements, flags, odometer devices).
	MaxRecords uint64 `json:"max_records"`
}

// Parameter bounds, checked at genesis by Validate.
const (
	// MaxTransferTTLSeconds: a proposal stays open at most a year (an
	// open proposal the owner accepted locks the vehicle that long).
	MaxTransferTTLSeconds = 365 * 24 * 3600
	// MaxMaxRecords bounds each list of a vehicle record, and so the
	// record's size (every record write rewrites it).
	MaxMaxRecords = 4096
)

// DefaultParams: transfer proposals open for 7 days, 256 records of each
// kind per vehicle.
func DefaultParams() Params { return Params{TransferTTLSeconds: 7 * 24 * 3600, MaxRecords: 256} }

// Validate checks the parameters' bounds.
func (p Params) Validate() error {
	if p.TransferTTLSeconds == 0 || p.TransferTTLSeconds > MaxTransferTTLSeconds {
		return ErrInvalidGenesis.Wrapf("params.transfer_ttl_seconds %d: want 1 to %d (a year)", p.TransferTTLSeconds, MaxTransferTTLSeconds)
	}
	if p.MaxRecords == 0 || p.MaxRecords > MaxMaxRecords {
		return ErrInvalidGenesis.Wrapf("params.max_records %d: want 1 to %d", p.MaxRecords, MaxMaxRecords)
	}
	return nil
}

// Genesis is the module's genesis section. A new chain sets Params only:
// vehicles, programmes and transfers are created by transactions. The
// other fields carry a running chain's state, as ExportGenesis writes it
// (see export.go), and are absent from a new chain's genesis. Lists are in
// store key order.
type Genesis struct {
	Params Params `json:"params"`
	// Counters are the running counts and the next transfer id (absent
	// until the first vehicle is registered).
	Counters *Counters `json:"counters,omitempty"`
	// Vehicles are the vehicle records with their odometer series, by VIN.
	// The device, owner and citizen-subsidy indexes are rebuilt from them.
	Vehicles []GenesisVehicle `json:"vehicles,omitempty"`
	// Programmes are the subsidy programmes, by id.
	Programmes []Programme `json:"programmes,omitempty"`
	// Transfers are the title transfers, open and closed, by id. Open ones
	// expire lazily (on the next proposal or use): there is no expiry
	// queue.
	Transfers []Transfer `json:"transfers,omitempty"`
}

// GenesisVehicle is a vehicle record and its odometer series.
type GenesisVehicle struct {
	Vehicle
	// OdometerSeries is every point of the series, oldest first: its last
	// is odometer.last, and odometer.digest folds the others.
	OdometerSeries []tx.OdometerPoint `json:"odometer_series,omitempty"`
}

// DefaultGenesis returns the default genesis section.
func DefaultGenesis() Genesis { return Genesis{Params: DefaultParams()} }

// InitGenesis implements module.Module. An absent section means the
// defaults.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	g := DefaultGenesis()
	if len(raw) > 0 && string(raw) != "null" {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&g); err != nil {
			return ErrInvalidGenesis.Wrapf("%v", err)
		}
	}
	if err := g.Params.Validate(); err != nil {
		return err
	}
	if err := k.checkState(ctx, &g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	kv := k.kv(ctx)
	putJSON(kv, paramsKey, g.Params)
	writeState(kv, &g)
	return nil
}

// writeState writes a section's exported state and the indexes derived
// from it: each vehicle's device binding, its owner's index entry and,
// when subsidised, its holder's citizen record; and each open transfer's
// entry in the dealers' proposal index.
func writeState(kv store.KV, g *Genesis) {
	if g.Counters != nil {
		putJSON(kv, counterKey, g.Counters)
	}
	for i := range g.Vehicles {
		v := &g.Vehicles[i]
		putJSON(kv, vehicleKey(v.VIN), &v.Vehicle)
		for _, p := range v.OdometerSeries {
			putJSON(kv, odometerKey(v.VIN, p.Interval), p)
		}
		putJSON(kv, deviceKey(v.Device), v.VIN)
		kv.Set(ownerKey(v.Owner, v.VIN), []byte{1})
		if s := v.Subsidy; s != nil {
			putJSON(kv, citizenKey(s.Holder), CitizenSubsidy{Address: s.Holder, VIN: v.VIN, Programme: s.Programme, Height: s.Height})
		}
	}
	for i := range g.Programmes {
		putJSON(kv, programmeKey(g.Programmes[i].ID), &g.Programmes[i])
	}
	for i := range g.Transfers {
		t := &g.Transfers[i]
		putJSON(kv, transferKey(t.ID), t)
		if t.Status == TransferOpen {
			kv.Set(proposalKey(t.VIN, t.Dealer), binary.BigEndian.AppendUint64(nil, t.ID))
		}
	}
}

// checkState checks a section's exported state: lists in key order; each
// vehicle's odometer series against its digest; one vehicle per device and
// one subsidy per citizen; open transfers of active vehicles, from their
// owner, one per dealer and vehicle, and the vehicles' open_transfer naming
// the one its seller accepted; the counters equal to what the records count; and
// the escrow holding at least the programmes' remaining budgets in each
// denomination. It returns the first problem, naming the field and value.
func (k *Keeper) checkState(ctx *module.Context, g *Genesis) error {
	if g.Counters == nil && (len(g.Vehicles) > 0 || len(g.Transfers) > 0) {
		return fmt.Errorf("counters: absent, but the section has %d vehicles and %d transfers", len(g.Vehicles), len(g.Transfers))
	}
	programmes := make(map[string]*Programme, len(g.Programmes)) // lookups only
	var denoms []string                                          // in order of first use
	need := map[string]uint64{}                                  // lookups only
	for i := range g.Programmes {
		p := &g.Programmes[i]
		f := fmt.Sprintf("programmes[%d]", i)
		switch {
		case p.ID == "":
			return fmt.Errorf("%s.id: want an id", f)
		case i > 0 && p.ID <= g.Programmes[i-1].ID:
			return fmt.Errorf("%s.id: %q, want after the previous programme's %q (ascending, unique)", f, p.ID, g.Programmes[i-1].ID)
		case p.Remaining.Denom != p.Budget.Denom || p.Amount.Denom != p.Budget.Denom:
			return fmt.Errorf("%s: amount %s, budget %s and remaining %s, want one denomination", f, p.Amount, p.Budget, p.Remaining)
		}
		programmes[p.ID] = p
		sum, seen := need[p.Budget.Denom]
		if !seen {
			denoms = append(denoms, p.Budget.Denom)
		}
		var ok bool
		if need[p.Budget.Denom], ok = tx.AddUint64(sum, p.Remaining.Amount); !ok {
			return fmt.Errorf("%s.remaining: the programmes' remaining %s pass 2^64-1", f, p.Budget.Denom)
		}
	}
	transfers := make(map[uint64]*Transfer, len(g.Transfers)) // lookups only
	var completed uint64
	for i := range g.Transfers {
		t := &g.Transfers[i]
		f := fmt.Sprintf("transfers[%d]", i)
		switch {
		case i == 0 && t.ID == 0:
			return fmt.Errorf("%s.id: 0, want ids from 1", f)
		case i > 0 && t.ID <= g.Transfers[i-1].ID:
			return fmt.Errorf("%s.id: %d, want above the previous transfer's %d (ascending, unique)", f, t.ID, g.Transfers[i-1].ID)
		case t.ID >= g.Counters.NextTransfer:
			return fmt.Errorf("%s.id: %d, want below counters.next_transfer %d", f, t.ID, g.Counters.NextTransfer)
		}
		switch t.Status {
		case TransferCompleted:
			completed++
		case TransferOpen, TransferCancelled, TransferRefused, TransferExpired, TransferVoided, TransferSuperseded:
		default:
			return fmt.Errorf("%s.status: %q, want one of %s, %s, %s, %s, %s, %s, %s", f, t.Status, TransferOpen,
				TransferCompleted, TransferCancelled, TransferRefused, TransferExpired, TransferVoided, TransferSuperseded)
		}
		transfers[t.ID] = t
	}

	vins := make(map[string]bool, len(g.Vehicles))          // lookups only
	devices := make(map[string]string, len(g.Vehicles))     // device -> VIN; lookups only
	holders := make(map[tx.Address]string, len(g.Vehicles)) // subsidy holder -> VIN; lookups only
	var recycled, flagged, subsidies uint64
	for i := range g.Vehicles {
		v := &g.Vehicles[i]
		f := fmt.Sprintf("vehicles[%d]", i)
		if err := tx.ValidateVIN(v.VIN); err != nil {
			return fmt.Errorf("%s.vin: %w", f, err)
		}
		if i > 0 && v.VIN <= g.Vehicles[i-1].VIN {
			return fmt.Errorf("%s.vin: %s, want after the previous vehicle's %s (ascending, unique)", f, v.VIN, g.Vehicles[i-1].VIN)
		}
		vins[v.VIN] = true
		switch other, bound := devices[v.Device]; {
		case v.Device == "":
			return fmt.Errorf("%s.odometer_device: want the bound device of %s", f, v.VIN)
		case bound:
			return fmt.Errorf("%s.odometer_device: %q of %s is bound to %s too", f, v.Device, v.VIN, other)
		case v.Owner.IsZero():
			return fmt.Errorf("%s.owner: want the owner of %s", f, v.VIN)
		case v.Status != StatusActive && v.Status != StatusRecycled:
			return fmt.Errorf("%s.status: %q, want %s or %s", f, v.Status, StatusActive, StatusRecycled)
		case (v.Status == StatusRecycled) != (v.Recycling != nil):
			return fmt.Errorf("%s: status %s with recycling %+v; a recycled vehicle, and only one, has a recycling record", f, v.Status, v.Recycling)
		}
		devices[v.Device] = v.VIN
		if err := checkSeries(v); err != nil {
			return fmt.Errorf("%s (%s).odometer_series: %w", f, v.VIN, err)
		}
		if s := v.Subsidy; s != nil {
			switch other, got := holders[s.Holder]; {
			case programmes[s.Programme] == nil:
				return fmt.Errorf("%s.subsidy.programme: %q of %s is not in programmes", f, s.Programme, v.VIN)
			case got:
				return fmt.Errorf("%s.subsidy.holder: %s received a subsidy for %s and for %s; a citizen gets one", f, s.Holder, other, v.VIN)
			}
			holders[s.Holder] = v.VIN
			subsidies++
		}
		if id := v.OpenTransfer; id != 0 {
			if t := transfers[id]; t == nil || t.Status != TransferOpen || t.VIN != v.VIN || !t.SellerAccepted {
				return fmt.Errorf("%s.open_transfer: %d, want an open transfer of %s its seller accepted, in transfers", f, id, v.VIN)
			}
		}
		if v.Status == StatusRecycled {
			recycled++
		}
		if v.Flagged() {
			flagged++
		}
	}
	type vinDealer struct {
		vin    string
		dealer tx.Address
	}
	open := map[vinDealer]uint64{} // lookups only
	for i := range g.Transfers {
		t := &g.Transfers[i]
		if !vins[t.VIN] {
			return fmt.Errorf("transfers[%d].vin: %q is not in vehicles", i, t.VIN)
		}
		if t.Status != TransferOpen {
			continue
		}
		v := vehicleOf(g, t.VIN)
		switch other, dup := open[vinDealer{t.VIN, t.Dealer}]; {
		case dup:
			return fmt.Errorf("transfers[%d]: transfer %d is open, and so is %d of the same dealer %s for %s; a dealer has one open proposal per vehicle", i, t.ID, other, t.Dealer, t.VIN)
		case v.Status != StatusActive:
			return fmt.Errorf("transfers[%d]: transfer %d is open, but %s is %s", i, t.ID, t.VIN, v.Status)
		case t.Seller != v.Owner:
			return fmt.Errorf("transfers[%d].seller: %s, but %s belongs to %s; an open transfer is its owner's", i, t.Seller, t.VIN, v.Owner)
		case t.SellerAccepted && v.OpenTransfer != t.ID:
			return fmt.Errorf("transfers[%d]: the seller accepted open transfer %d, but %s's open_transfer is %d", i, t.ID, t.VIN, v.OpenTransfer)
		}
		open[vinDealer{t.VIN, t.Dealer}] = t.ID
	}
	if c := g.Counters; c != nil {
		for _, n := range []struct {
			field     string
			got, want uint64
		}{
			{"vehicles", c.Vehicles, uint64(len(g.Vehicles))}, {"recycled", c.Recycled, recycled},
			{"flagged", c.Flagged, flagged}, {"subsidies", c.Subsidies, subsidies}, {"transfers", c.Transfers, completed},
		} {
			if n.got != n.want {
				return fmt.Errorf("counters.%s: %d, but the records count %d", n.field, n.got, n.want)
			}
		}
		if c.NextTransfer == 0 {
			return fmt.Errorf("counters.next_transfer: 0, want at least 1")
		}
	}
	for _, d := range denoms {
		if have := k.bank.Balance(ctx, EscrowAddress, d); have < need[d] {
			return fmt.Errorf("the subsidy escrow %s holds %d%s, but the programmes' remaining budgets add up to %d%s", EscrowAddress, have, d, need[d], d)
		}
	}
	return nil
}

// vehicleOf returns the vehicle of g with vin, or nil; g.Vehicles are in
// VIN order.
func vehicleOf(g *Genesis, vin string) *GenesisVehicle {
	i, ok := slices.BinarySearchFunc(g.Vehicles, vin, func(v GenesisVehicle, vin string) int { return strings.Compare(v.VIN, vin) })
	if !ok {
		return nil
	}
	return &g.Vehicles[i]
}

// checkSeries checks a vehicle's odometer series: one point per interval,
// in interval order, that folds into the record's digest, count and last
// point.
func checkSeries(v *GenesisVehicle) error {
	for i := 1; i < len(v.OdometerSeries); i++ {
		if a, b := v.OdometerSeries[i-1].Interval, v.OdometerSeries[i].Interval; b <= a {
			return fmt.Errorf("point %d is in interval %d, not after point %d's %d", i, b, i-1, a)
		}
	}
	o := v.Odometer
	return tx.VerifyOdometerSeries(v.OdometerSeries, o.Digest, o.Last, o.Points)
}

// Params returns the module's parameters.
func (k *Keeper) Params(ctx *module.Context) Params {
	p := DefaultParams()
	getJSON(k.kv(ctx), paramsKey, &p)
	return p
}
