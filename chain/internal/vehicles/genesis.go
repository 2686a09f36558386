package vehicles

import (
	"bytes"
	"encoding/json"

	"github.com/citychain/citychain/chain/internal/module"
)

// Params are the module's genesis parameters.
type Params struct {
	// TransferTTLSeconds is how long a proposed title transfer stays open.
	TransferTTLSeconds uint64 `json:"transfer_ttl_seconds"`
	// MaxRecords bounds each of a vehicle's lists (owners, accidents,
	// inspections, battery measurements, flags, odometer devices).
	MaxRecords uint64 `json:"max_records"`
}

// Parameter bounds.
const (
	MaxTransferTTLSeconds = 365 * 24 * 3600
	MaxMaxRecords         = 4096
)

// DefaultParams: transfer proposals open for 7 days, 256 records of each
// kind per vehicle.
func DefaultParams() Params { return Params{TransferTTLSeconds: 7 * 24 * 3600, MaxRecords: 256} }

// Validate checks the parameters' bounds.
func (p Params) Validate() error {
	if p.TransferTTLSeconds == 0 || p.TransferTTLSeconds > MaxTransferTTLSeconds {
		return ErrInvalidGenesis.Wrapf("transfer_ttl_seconds %d: want 1 to %d", p.TransferTTLSeconds, MaxTransferTTLSeconds)
	}
	if p.MaxRecords == 0 || p.MaxRecords > MaxMaxRecords {
		return ErrInvalidGenesis.Wrapf("max_records %d: want 1 to %d", p.MaxRecords, MaxMaxRecords)
	}
	return nil
}

// Genesis is the module's genesis section. Vehicles, programmes and
// transfers start empty: they are created by transactions.
type Genesis struct {
	Params Params `json:"params"`
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
	putJSON(k.kv(ctx), paramsKey, g.Params)
	return nil
}

// Params returns the module's parameters.
func (k *Keeper) Params(ctx *module.Context) Params {
	p := DefaultParams()
	getJSON(k.kv(ctx), paramsKey, &p)
	return p
}
