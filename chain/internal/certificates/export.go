package certificates

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

var _ module.Exporter = (*Keeper)(nil)

// ExportGenesis implements module.Exporter: the module's state as a genesis
// section, read in key order. Records (params, kinds, agencies' statuses,
// keys, anchors, revocations, the next anchor id) are written out; what is
// derived from them (each agency's lists of kinds and keys, each kind's
// anchor index, the counts) is not: InitGenesis rebuilds it, and App.Export
// checks the rebuild. A state the module never wrote exports no section.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	var g Genesis
	return module.ExportSection(Codespace, k.kv(ctx), &g, func(key, value []byte) error {
		switch key[0] {
		case prefixParams:
			g.Params = &Params{}
			return json.Unmarshal(value, g.Params)
		case prefixKind:
			return module.AppendJSON(&g.Kinds, value)
		case prefixAgency:
			var a tx.Agency
			if err := json.Unmarshal(value, &a); err != nil {
				return err
			}
			g.Agencies = append(g.Agencies, GenesisAgency{Address: a.Address, Status: a.Status, Reason: a.Reason,
				StatusHeight: a.StatusHeight, StatusTime: a.StatusTime})
		case prefixKey:
			return module.AppendJSON(&g.Keys, value)
		case prefixAnchor:
			if len(key) != 1+8 {
				return fmt.Errorf("an anchor key of %d bytes", len(key))
			}
			if err := module.AppendJSON(&g.Anchors, value); err != nil {
				return err
			}
			if id := g.Anchors[len(g.Anchors)-1].ID; id != binary.BigEndian.Uint64(key[1:]) {
				return fmt.Errorf("anchor %d is stored under another id", id)
			}
		case prefixRevocation:
			return module.AppendJSON(&g.Revocations, value)
		case prefixCounters:
			var c Counters
			if err := json.Unmarshal(value, &c); err != nil {
				return err
			}
			g.NextAnchor = c.NextAnchor
		case prefixKindAnchor:
			// an index: rebuilt by InitGenesis
		default:
			return module.ErrUnknownKey
		}
		return nil
	}, func() error { return nil })
}
