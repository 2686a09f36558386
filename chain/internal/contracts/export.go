package contracts

import (
	"encoding/json"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

var _ module.Exporter = (*Keeper)(nil)

// ExportGenesis implements module.Exporter: the module's state as a
// genesis section, read in key order. The parameters (when stored),
// contracts, instalments and arrears lines are written out; the due queue
// and the party index are not: InitGenesis rebuilds them (App.Export
// checks the rebuild). A state with no key (a chain on the default
// parameters without contracts) exports no section, so golden state
// hashes do not move.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	var g Genesis
	return module.ExportSection(Codespace, k.kv(ctx), &g, func(key, value []byte) error {
		switch key[0] {
		case prefixParams:
			g.Params = &tx.ContractsParams{}
			return json.Unmarshal(value, g.Params)
		case prefixContract:
			return module.AppendJSON(&g.Contracts, value)
		case prefixInstalment:
			return module.AppendJSON(&g.Instalments, value)
		case prefixLine:
			return module.AppendJSON(&g.Lines, value)
		case prefixDue, prefixParty:
			// derived: rebuilt by InitGenesis
		default:
			return module.ErrUnknownKey
		}
		return nil
	}, func() error { return nil })
}
