package identity

import (
	"encoding/json"

	"github.com/citychain/citychain/chain/internal/module"
)

var _ module.Exporter = (*Keeper)(nil)

// ExportGenesis implements module.Exporter: the module's state as a
// genesis section, read in key order. Records (params when stored,
// identities, facilities, bars) are written out; the device-key index,
// the counters and the facilities-by-kind counts are not: InitGenesis
// rebuilds them (App.Export checks the rebuild). A state with no key
// exports no section.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	var g Genesis
	return module.ExportSection(Codespace, k.kv(ctx), &g, func(key, value []byte) error {
		switch key[0] {
		case prefixParams:
			g.Params = &Params{}
			return json.Unmarshal(value, g.Params)
		case prefixIdentity:
			return module.AppendJSON(&g.Identities, value)
		case prefixFacility:
			return module.AppendJSON(&g.Facilities, value)
		case prefixBar:
			return module.AppendJSON(&g.Bars, value)
		case prefixKey, prefixCounter, prefixKind:
			// derived: rebuilt by InitGenesis
		default:
			return module.ErrUnknownKey
		}
		return nil
	}, func() error { return nil })
}
