package labour

import (
	"cmp"
	"slices"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Query implements module.Module. Every request is JSON. Paths (see
// README):
//
//	rules          {}                           -> tx.LabourRules (by kind, rows in date order)
//	contract       tx.LabourContractRequest     -> tx.LabourContract, provable
//	contracts      tx.LabourContractsRequest    -> tx.LabourContractPage (by id; an employer's or a worker's)
//	shift          tx.LabourShiftRequest        -> tx.Shift, provable
//	shifts         tx.LabourShiftsRequest       -> tx.LabourShiftPage (a contract's, by id)
//	statement      tx.LabourStatementRequest    -> tx.WageStatement, provable
//	statements     tx.LabourStatementsRequest   -> tx.LabourStatementPage (by id)
//	fund           tx.LabourFundRequest         -> tx.LabourFund, provable
//	project_line   tx.LabourProjectLineRequest  -> tx.LabourProjectLine, provable (absence too: owed 0, paid 0)
//	project_lines  tx.LabourProjectLinesRequest -> tx.LabourProjectLinePage (a project's, by worker)
//	stats          {}                           -> tx.LabourStats
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	kv := q.Store(k.prefix)
	full := func(key []byte) *module.QueryResult {
		return &module.QueryResult{Key: append([]byte{k.prefix}, key...)}
	}
	switch q.Path {
	case "rules", "stats":
		if len(q.Data) > 0 {
			var req struct{}
			if err := q.DecodeRequest(&req, q.Path); err != nil {
				return nil, err
			}
		}
		if q.Path == "stats" {
			return module.JSON(getStats(kv))
		}
		return module.JSON(rulesAnswer(kv))
	case "contract":
		var req tx.LabourContractRequest
		if err := q.DecodeRequest(&req, q.Path); err != nil {
			return nil, err
		}
		return full(contractKey(req.ID)), nil
	case "shift":
		var req tx.LabourShiftRequest
		if err := q.DecodeRequest(&req, q.Path); err != nil {
			return nil, err
		}
		return full(shiftKey(req.Contract, req.ID)), nil
	case "statement":
		var req tx.LabourStatementRequest
		if err := q.DecodeRequest(&req, q.Path); err != nil {
			return nil, err
		}
		return full(statementKey(req.ID)), nil
	case "fund":
		var req tx.LabourFundRequest
		if err := q.DecodeRequest(&req, q.Path); err != nil {
			return nil, err
		}
		if (req.Project == "") == req.Owner.IsZero() {
			return nil, module.ErrBadQuery.Wrapf("fund request: want an owner or a project")
		}
		if req.Project != "" {
			if err := tx.ValidateProjectID(req.Project); err != nil {
				return nil, module.ErrBadQuery.Wrapf("fund request: %v", err)
			}
		}
		return full(fundKey(fundID(req.Owner, req.Project))), nil
	case "project_line":
		var req tx.LabourProjectLineRequest
		if err := q.DecodeRequest(&req, q.Path); err != nil {
			return nil, err
		}
		if err := tx.ValidateProjectID(req.Project); err != nil {
			return nil, module.ErrBadQuery.Wrapf("project_line request: %v", err)
		}
		return full(lineKey(req.Project, req.Worker)), nil
	case "contracts":
		return contractsPage(q, kv)
	case "shifts":
		return shiftsPage(q, kv)
	case "statements":
		return statementsPage(q, kv)
	case "project_lines":
		return linesPage(q, kv)
	}
	return nil, module.ErrUnknownQuery.Wrapf("labour/%s", q.Path)
}

// rulesAnswer is the rule table by kind (tx.RuleKinds order), each kind's
// rows in date order.
func rulesAnswer(kv store.KV) tx.LabourRules {
	rows := rules(kv)
	slices.SortStableFunc(rows, func(a, b tx.LabourRule) int {
		return cmp.Compare(slices.Index(tx.RuleKinds, a.Kind), slices.Index(tx.RuleKinds, b.Kind))
	})
	return tx.LabourRules{Params: params(kv), Rules: rows}
}

// idStart is the first key of a page of ids under pfx after id after.
func idStart(pfx []byte, after uint64) []byte {
	if after == 0 {
		return pfx
	}
	if after == ^uint64(0) {
		return store.PrefixEnd(pfx)
	}
	return append(append([]byte{}, pfx...), u64(after+1)...)
}

func limitOf(l uint32) (uint64, error) {
	return module.PageLimit(uint64(l), tx.DefaultListLimit, tx.MaxListLimit)
}

func contractsPage(q *module.Query, kv store.KV) (*module.QueryResult, error) {
	var req tx.LabourContractsRequest
	if err := q.DecodeRequest(&req, q.Path); err != nil {
		return nil, err
	}
	limit, err := limitOf(req.Limit)
	if err != nil {
		return nil, err
	}
	pfx, index := []byte{prefixContract}, false
	switch {
	case !req.Employer.IsZero() && !req.Worker.IsZero():
		return nil, module.ErrBadQuery.Wrapf("contracts request: want an employer or a worker, not both")
	case !req.Employer.IsZero():
		pfx, index = append([]byte{prefixByEmployer}, req.Employer[:]...), true
	case !req.Worker.IsZero():
		pfx, index = append([]byte{prefixByWorker}, req.Worker[:]...), true
	}
	p := &tx.LabourContractPage{Contracts: []tx.LabourContract{}}
	next := module.EachPage(kv, pfx, idStart(pfx, req.After), store.PrefixEnd(pfx), limit, func(key, v []byte) bool {
		if index {
			c := getContract(kv, idOf(key[len(pfx):]))
			if c == nil {
				return false
			}
			p.Contracts = append(p.Contracts, *c)
			return true
		}
		var c tx.LabourContract
		store.DecodeJSON(v, &c)
		p.Contracts = append(p.Contracts, c)
		return true
	})
	if next != nil {
		p.Next = idOf(next)
	}
	return module.JSON(p)
}

func shiftsPage(q *module.Query, kv store.KV) (*module.QueryResult, error) {
	var req tx.LabourShiftsRequest
	if err := q.DecodeRequest(&req, q.Path); err != nil {
		return nil, err
	}
	limit, err := limitOf(req.Limit)
	if err != nil {
		return nil, err
	}
	if !kv.Has(contractKey(req.Contract)) {
		return nil, module.ErrNotFound.Wrapf("no contract %d", req.Contract)
	}
	pfx := shiftPrefix(req.Contract)
	p := &tx.LabourShiftPage{Shifts: []tx.Shift{}}
	next := module.EachPage(kv, pfx, idStart(pfx, req.After), store.PrefixEnd(pfx), limit, func(_, v []byte) bool {
		var s tx.Shift
		store.DecodeJSON(v, &s)
		p.Shifts = append(p.Shifts, s)
		return true
	})
	if next != nil {
		p.Next = idOf(next)
	}
	return module.JSON(p)
}

// statementsPage pages statements by id through the narrowest index the
// request names (contract, worker, employer, late), the other filters
// applied to each statement.
func statementsPage(q *module.Query, kv store.KV) (*module.QueryResult, error) {
	var req tx.LabourStatementsRequest
	if err := q.DecodeRequest(&req, q.Path); err != nil {
		return nil, err
	}
	limit, err := limitOf(req.Limit)
	if err != nil {
		return nil, err
	}
	var pfx []byte
	switch {
	case req.Contract != 0:
		pfx = with(prefixStmtContract, req.Contract)
	case !req.Worker.IsZero():
		pfx = append([]byte{prefixStmtWorker}, req.Worker[:]...)
	case !req.Employer.IsZero():
		pfx = append([]byte{prefixStmtEmployer}, req.Employer[:]...)
	case req.Late:
		pfx = []byte{prefixLate}
	default:
		pfx = []byte{prefixStatement}
	}
	p := &tx.LabourStatementPage{Statements: []tx.WageStatement{}}
	next := module.EachPage(kv, pfx, idStart(pfx, req.After), store.PrefixEnd(pfx), limit, func(key, _ []byte) bool {
		s := getStatement(kv, idOf(key[len(key)-8:]))
		switch {
		case s == nil,
			req.Contract != 0 && s.Contract != req.Contract,
			!req.Worker.IsZero() && s.Worker != req.Worker,
			!req.Employer.IsZero() && s.Employer != req.Employer,
			req.Late && s.Status != tx.StatementLate:
			return false
		}
		p.Statements = append(p.Statements, *s)
		return true
	})
	if next != nil {
		p.Next = idOf(next)
	}
	return module.JSON(p)
}

func linesPage(q *module.Query, kv store.KV) (*module.QueryResult, error) {
	var req tx.LabourProjectLinesRequest
	if err := q.DecodeRequest(&req, q.Path); err != nil {
		return nil, err
	}
	if err := tx.ValidateProjectID(req.Project); err != nil {
		return nil, module.ErrBadQuery.Wrapf("project_lines request: %v", err)
	}
	limit, err := limitOf(req.Limit)
	if err != nil {
		return nil, err
	}
	pfx := linePrefix(req.Project)
	start := pfx
	if !req.After.IsZero() {
		start = module.After(pfx, req.After[:])
	}
	p := &tx.LabourProjectLinePage{Lines: []tx.LabourProjectLine{}}
	next := module.EachPage(kv, pfx, start, store.PrefixEnd(pfx), limit, func(_, v []byte) bool {
		var l tx.LabourProjectLine
		store.DecodeJSON(v, &l)
		p.Lines = append(p.Lines, l)
		return true
	})
	if next != nil {
		copy(p.Next[:], next)
	}
	return module.JSON(p)
}
