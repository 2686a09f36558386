package registry

import (
	"bytes"
	"encoding/hex"
	"encoding/json"

	"github.com/citychain/citychain/chain/internal/module"
)

var _ module.Exporter = (*Keeper)(nil)

// ExportGenesis implements module.Exporter: the module's state as a
// genesis section, read in key order. Registries, proposals, schemas,
// records, history steps, grants, pending approvals and queued deadlines
// are written out; the record counts, the counts by state, the state and
// field indexes and the deadline pointers are not: InitGenesis rebuilds
// them (App.Export checks the rebuild). A state with no key exports no
// section, so the golden state hashes of chains without registries do not
// move.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	var g Genesis
	return module.ExportSection(Codespace, k.kv(ctx), &g, func(key, value []byte) error {
		switch key[0] {
		case prefixRegistry:
			return module.AppendJSON(&g.Registries, value)
		case prefixProposal:
			return module.AppendJSON(&g.Proposals, value)
		case prefixSchema:
			g.Schemas = append(g.Schemas, GenesisSchema{ID: hex.EncodeToString(key[1:]), Schema: bytes.Clone(value)})
		case prefixRecord:
			return module.AppendJSON(&g.Records, value)
		case prefixStep:
			name, rest, _ := bytes.Cut(key[1:], []byte{0})
			s := GenesisStep{Registry: string(name), ID: idOf(rest[:8])}
			if err := json.Unmarshal(value, &s.Step); err != nil {
				return err
			}
			g.History = append(g.History, s)
		case prefixGrant:
			return module.AppendJSON(&g.Grants, value)
		case prefixApproval:
			return module.AppendJSON(&g.Approvals, value)
		case prefixDeadline:
			return module.AppendJSON(&g.Deadlines, value)
		case prefixCount, prefixTally, prefixInState, prefixIndex, prefixDue:
			// derived: rebuilt by InitGenesis
		default:
			return module.ErrUnknownKey
		}
		return nil
	}, func() error { return nil })
}
