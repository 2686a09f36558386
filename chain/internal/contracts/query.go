package contracts

import (
	"fmt"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Query implements module.Module. Every request is JSON. Paths (see
// README):
//
//	params       {}                       -> tx.ContractsParams (the defaults when none are stored)
//	contract     tx.ContractRequest       -> tx.Contract, provable (absence too)
//	contracts    tx.ContractsRequest      -> tx.ContractPage (by id; those of a party)
//	instalment   tx.InstalmentRequest     -> tx.Instalment, provable (absence too)
//	instalments  tx.InstalmentsRequest    -> tx.InstalmentList, (milestone, subcontractor) order
//	line         tx.ArrearsLineRequest    -> tx.ArrearsLine, provable (absence too: owed 0, paid 0)
//	arrears      tx.ContractRequest       -> tx.ContractArrears: tiers prime, subcontract, labour
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	kv := q.Store(k.prefix)
	full := func(key []byte) *module.QueryResult {
		return &module.QueryResult{Key: append([]byte{k.prefix}, key...)}
	}
	switch q.Path {
	case "params":
		if len(q.Data) > 0 {
			var req struct{}
			if err := q.DecodeRequest(&req, q.Path); err != nil {
				return nil, err
			}
		}
		return module.JSON(params(kv))
	case "contract", "arrears":
		var req tx.ContractRequest
		if err := decode(q, &req, func() error { return tx.ValidateProjectID(req.ID) }); err != nil {
			return nil, err
		}
		if q.Path == "contract" {
			return full(contractKey(req.ID)), nil
		}
		return k.arrears(q, kv, req.ID)
	case "contracts":
		return contractPage(q, kv)
	case "instalment":
		var req tx.InstalmentRequest
		if err := decode(q, &req, func() error { return tx.ValidateProjectID(req.Contract) }); err != nil {
			return nil, err
		}
		return full(instalmentKey(req.Contract, req.Milestone, req.Subcontractor)), nil
	case "instalments":
		var req tx.InstalmentsRequest
		if err := decode(q, &req, func() error { return tx.ValidateProjectID(req.Contract) }); err != nil {
			return nil, err
		}
		if !kv.Has(contractKey(req.Contract)) {
			return nil, module.ErrNotFound.Wrapf("no contract %q", req.Contract)
		}
		list := tx.InstalmentList{Instalments: []tx.Instalment{}}
		// At most MaxMilestones × MaxSubcontractors instalments.
		store.EachPrefix(kv, instalmentPrefix(req.Contract), func(_, v []byte) bool {
			var in tx.Instalment
			store.DecodeJSON(v, &in)
			list.Instalments = append(list.Instalments, in)
			return true
		})
		return module.JSON(list)
	case "line":
		var req tx.ArrearsLineRequest
		if err := decode(q, &req, func() error {
			if err := tx.ValidateProjectID(req.Contract); err != nil {
				return err
			}
			if req.Tier != tx.TierPrime && req.Tier != tx.TierSubcontract {
				return fmt.Errorf("tier %q: want %s or %s (the labour tier's lines are /labour/project_line)",
					req.Tier, tx.TierPrime, tx.TierSubcontract)
			}
			return nil
		}); err != nil {
			return nil, err
		}
		return full(lineKey(req.Contract, req.Tier, req.Party)), nil
	}
	return nil, module.ErrUnknownQuery.Wrapf("contracts/%s", q.Path)
}

// decode decodes the query's JSON request into req and runs check on it;
// either failing is ErrBadQuery.
func decode(q *module.Query, req any, check func() error) error {
	if err := q.DecodeRequest(req, q.Path); err != nil {
		return err
	}
	if err := check(); err != nil {
		return module.ErrBadQuery.Wrapf("%s request: %v", q.Path, err)
	}
	return nil
}

// arrears sums a contract's lines by tier and adds the labour tier from
// the labour module's project totals (owed wages are late wages: all of
// them overdue).
func (k *Keeper) arrears(q *module.Query, kv store.KV, id string) (*module.QueryResult, error) {
	if !kv.Has(contractKey(id)) {
		return nil, module.ErrNotFound.Wrapf("no contract %q", id)
	}
	prime := tx.ArrearsTier{Tier: tx.TierPrime}
	sub := tx.ArrearsTier{Tier: tx.TierSubcontract}
	// At most one prime line and MaxSubcontractors subcontract lines.
	store.EachPrefix(kv, linePrefix(id), func(_, v []byte) bool {
		var l tx.ArrearsLine
		store.DecodeJSON(v, &l)
		t := &sub
		if l.Tier == tx.TierPrime {
			t = &prime
		}
		t.OwedKRW += l.OwedKRW
		t.PaidKRW += l.PaidKRW
		t.OverdueKRW += l.OverdueKRW
		return true
	})
	owed, paid := k.labour.ProjectTotals(q.ReadContext(), id)
	labour := tx.ArrearsTier{Tier: tx.TierLabour, OwedKRW: owed, PaidKRW: paid, OverdueKRW: owed}
	return module.JSON(tx.ContractArrears{Contract: id, Tiers: []tx.ArrearsTier{prime, sub, labour}})
}

// contractPage pages contracts by id, or those where req.Party takes part
// (through the party index).
func contractPage(q *module.Query, kv store.KV) (*module.QueryResult, error) {
	var req tx.ContractsRequest
	if err := q.DecodeRequest(&req, q.Path); err != nil {
		return nil, err
	}
	limit, err := module.PageLimit(uint64(req.Limit), tx.DefaultListLimit, tx.MaxListLimit)
	if err != nil {
		return nil, err
	}
	page := tx.ContractPage{Contracts: []tx.Contract{}}
	var pfx []byte
	var take func(key, value []byte) bool
	if req.Party.IsZero() {
		pfx = []byte{prefixContract}
		take = func(_, v []byte) bool {
			var c tx.Contract
			store.DecodeJSON(v, &c)
			page.Contracts = append(page.Contracts, c)
			return true
		}
	} else {
		pfx = partyPrefix(req.Party)
		take = func(key, _ []byte) bool {
			c := getContract(kv, string(key[len(pfx):]))
			if c == nil {
				return false
			}
			page.Contracts = append(page.Contracts, *c)
			return true
		}
	}
	start := pfx
	if req.After != "" {
		if err := tx.ValidateProjectID(req.After); err != nil {
			return nil, module.ErrBadQuery.Wrapf("after: %v; want the next of a previous page", err)
		}
		start = module.After(pfx, []byte(req.After))
	}
	page.Next = string(module.EachPage(kv, pfx, start, store.PrefixEnd(pfx), limit, take))
	return module.JSON(page)
}
