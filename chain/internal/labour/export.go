package labour

import (
	"encoding/json"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// ExportGenesis implements module.Exporter: the module's state as a
// genesis section, read in key order. The parameters (when stored), added
// rules, contracts, shifts, statements, funds, project lines, accruals
// and retry marks are written out; the statistics, totals, indexes and
// queues are not: InitGenesis rebuilds them (App.Export checks the
// rebuild). A state with no key (a chain that never used the module on
// the default parameters) exports no section, so golden state hashes do
// not move.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	var g Genesis
	return module.ExportSection(Codespace, k.kv(ctx), &g, func(key, value []byte) error {
		switch key[0] {
		case prefixParams:
			g.Params = &tx.LabourParams{}
			return json.Unmarshal(value, g.Params)
		case prefixRule:
			return module.AppendJSON(&g.Rules, value)
		case prefixContract:
			return module.AppendJSON(&g.Contracts, value)
		case prefixShift:
			return module.AppendJSON(&g.Shifts, value)
		case prefixStatement:
			return module.AppendJSON(&g.Statements, value)
		case prefixFund:
			return module.AppendJSON(&g.Funds, value)
		case prefixLine:
			return module.AppendJSON(&g.Lines, value)
		case prefixAccrual:
			return module.AppendJSON(&g.Accruals, value)
		case prefixRetry:
			g.Retry = append(g.Retry, fundRef(key[1:]))
		case prefixStats, prefixTotals, prefixByEmployer, prefixByWorker, prefixStmtContract, prefixStmtWorker,
			prefixStmtEmployer, prefixLate, prefixClose, prefixDue, prefixFundQueue:
			// derived: rebuilt by InitGenesis
		default:
			return module.ErrUnknownKey
		}
		return nil
	}, func() error { return nil })
}

// fundRef decodes a fund id.
func fundRef(id []byte) FundRef {
	if id[0] == 0x02 {
		return FundRef{Project: string(id[1 : len(id)-1])}
	}
	var r FundRef
	copy(r.Owner[:], id[1:])
	return r
}
