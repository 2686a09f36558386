package labour

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Genesis is the module's genesis section. A new chain needs none: the
// parameters default (DefaultParams) and the rule table is
// tx.DefaultLabourRules. The lists carry a running chain's state as
// ExportGenesis writes it, each in store key order; a devnet may seed a
// shop's history with them (contracts started weeks ago and their shifts:
// the first blocks close the past weeks and pay them or mark them late).
// The id counters, statistics, project totals, indexes and the week-closing
// and payment queues are rebuilt from them.
type Genesis struct {
	// Params, when set, are stored (when not the defaults).
	Params *tx.LabourParams `json:"params,omitempty"`
	// Rules are the rows added to the built-in table, by kind and date.
	Rules []tx.LabourRule `json:"rules,omitempty"`
	// Contracts, by id from 1; Shifts by contract and id from 1.
	Contracts []tx.LabourContract `json:"contracts,omitempty"`
	Shifts    []tx.Shift          `json:"shifts,omitempty"`
	// Statements, by id from 1.
	Statements []tx.WageStatement `json:"statements,omitempty"`
	// Funds, employers' (by owner) then projects' (by project); their
	// balances add up to the labour/escrow account's ukrw.
	Funds []tx.LabourFund `json:"funds,omitempty"`
	// Lines are the project lines, by project and worker.
	Lines []tx.LabourProjectLine `json:"lines,omitempty"`
	// Accruals are the monthly statements still taking weeks, by contract.
	Accruals []Accrual `json:"accruals,omitempty"`
	// Retry names the funds to retry in the next end-of-block work.
	Retry []FundRef `json:"retry,omitempty"`
}

// FundRef names a fund: an employer's (Owner) or a project's labour pool.
type FundRef struct {
	Owner   tx.Address `json:"owner,omitzero"`
	Project string     `json:"project,omitempty"`
}

// ValidateParams checks the parameters: 1 to 100,000 units of end-of-block
// work a block.
func ValidateParams(p tx.LabourParams) error {
	if p.MaxPaymentsPerBlock < 1 || p.MaxPaymentsPerBlock > maxParamsPerBlock {
		return fmt.Errorf("params.max_payments_per_block %d: want 1 to %d", p.MaxPaymentsPerBlock, maxParamsPerBlock)
	}
	return nil
}

// InitGenesis implements module.Module. No section (or an empty one)
// writes nothing.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	if g.Params != nil {
		if err := ValidateParams(*g.Params); err != nil {
			return ErrInvalidGenesis.Wrapf("%v", err)
		}
	}
	if err := k.checkState(ctx, &g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	writeState(k.kv(ctx), &g)
	return nil
}

// inOrder fails unless key is after prev (the lists are in store key
// order, without duplicates).
func inOrder(what string, i int, prev, key []byte) error {
	if i > 0 && bytes.Compare(prev, key) >= 0 {
		return fmt.Errorf("%s[%d]: out of store key order or a duplicate of %s[%d]", what, i, what, i-1)
	}
	return nil
}

// sums are what a section's statements add up to, per fund and per
// project line.
type sums struct {
	owed, late uint64
}

// checkState checks a section's records as a running chain writes them.
func (k *Keeper) checkState(ctx *module.Context, g *Genesis) error {
	if err := checkRules(g.Rules); err != nil {
		return err
	}
	for i := range g.Contracts {
		if err := checkContract(i, &g.Contracts[i]); err != nil {
			return err
		}
	}
	contract := func(id uint64) *tx.LabourContract {
		if id == 0 || id > uint64(len(g.Contracts)) {
			return nil
		}
		return &g.Contracts[id-1]
	}
	if err := checkShifts(g, contract); err != nil {
		return err
	}
	funds := map[string]*sums{}     // by fund id; lookups only
	lines := map[string][2]uint64{} // by line key: owed, paid; lookups only
	var withheld uint64
	for i := range g.Statements {
		s := &g.Statements[i]
		if err := checkStatement(i, s, contract(s.Contract)); err != nil {
			return err
		}
		id := string(fundOf(s))
		if funds[id] == nil {
			funds[id] = &sums{}
		}
		switch s.Status {
		case tx.StatementPending:
			funds[id].owed += s.GrossKRW
		case tx.StatementLate:
			funds[id].owed += s.GrossKRW
			funds[id].late++
		case tx.StatementPaid:
			withheld += s.GrossKRW - s.NetKRW
		}
		if s.Project != "" && s.Status != tx.StatementPending {
			l := lines[string(lineKey(s.Project, s.Worker))]
			if s.Status == tx.StatementLate {
				l[0] += s.GrossKRW
			} else {
				l[1] += s.GrossKRW
			}
			lines[string(lineKey(s.Project, s.Worker))] = l
		}
	}
	for i, s := range g.Shifts {
		if s.Statement == 0 {
			continue
		}
		if s.Statement > uint64(len(g.Statements)) || g.Statements[s.Statement-1].Contract != s.Contract {
			return fmt.Errorf("shifts[%d].statement %d: not a statement of contract %d", i, s.Statement, s.Contract)
		}
	}
	var prev []byte
	var balance uint64
	have := map[string]bool{} // fund ids listed; lookups only
	for i, f := range g.Funds {
		if (f.Project == "") == f.Owner.IsZero() {
			return fmt.Errorf("funds[%d]: want an owner or a project, not both", i)
		}
		if f.Project != "" {
			if err := tx.ValidateProjectID(f.Project); err != nil {
				return fmt.Errorf("funds[%d].project: %v", i, err)
			}
		}
		id := fundID(f.Owner, f.Project)
		if err := inOrder("funds", i, prev, id); err != nil {
			return err
		}
		prev = id
		have[string(id)] = true
		want := sums{}
		if s := funds[string(id)]; s != nil {
			want = *s
		}
		switch {
		case f.BalanceKRW+f.PaidKRW+f.WithdrawnKRW != f.DepositedKRW:
			return fmt.Errorf("funds[%d]: balance %d + paid %d + withdrawn %d, want deposited %d", i, f.BalanceKRW, f.PaidKRW, f.WithdrawnKRW, f.DepositedKRW)
		case f.OwedKRW != want.owed || f.Late != want.late:
			return fmt.Errorf("funds[%d]: owed %d, late %d, but its statements owe %d with %d late", i, f.OwedKRW, f.Late, want.owed, want.late)
		case f.Project != "" && f.WithdrawnKRW != 0:
			return fmt.Errorf("funds[%d]: a project's labour pool withdrawn %d", i, f.WithdrawnKRW)
		}
		balance += f.BalanceKRW
	}
	for i := range g.Statements {
		if !have[string(fundOf(&g.Statements[i]))] {
			return fmt.Errorf("statements[%d]: its fund is not in funds", i)
		}
	}
	if got := k.bank.Balance(ctx, EscrowAddress, tx.DenomKRW); got != balance*tx.UKRWPerWon {
		return fmt.Errorf("funds: the balances add up to %d won, but %s (labour/escrow) holds %d ukrw", balance, EscrowAddress, got)
	}
	if got := k.bank.Balance(ctx, WithheldAddress, tx.DenomKRW); got < withheld*tx.UKRWPerWon {
		return fmt.Errorf("statements: %d won withheld from paid wages, but %s (labour/withheld) holds %d ukrw", withheld, WithheldAddress, got)
	}
	prev = nil
	for i, l := range g.Lines {
		key := lineKey(l.Project, l.Worker)
		if err := inOrder("lines", i, prev, key); err != nil {
			return err
		}
		prev = key
		want, ok := lines[string(key)]
		if !ok || want != [2]uint64{l.OwedKRW, l.PaidKRW} {
			return fmt.Errorf("lines[%d]: owed %d, paid %d, but the project's statements of %s give owed %d, paid %d", i, l.OwedKRW, l.PaidKRW, l.Worker, want[0], want[1])
		}
		delete(lines, string(key))
	}
	if len(lines) > 0 {
		return fmt.Errorf("lines: %d project lines of late or paid statements are missing", len(lines))
	}
	if err := checkAccruals(g, contract); err != nil {
		return err
	}
	prev = nil
	for i, r := range g.Retry {
		id := fundID(r.Owner, r.Project)
		if err := inOrder("retry", i, prev, id); err != nil {
			return err
		}
		prev = id
		if !have[string(id)] {
			return fmt.Errorf("retry[%d]: no such fund", i)
		}
	}
	return nil
}

// checkRules checks the added rows: valid, in key order, each after the
// rows of its kind before it (built in or added).
func checkRules(rows []tx.LabourRule) error {
	all := tx.DefaultLabourRules()
	var prev []byte
	for i, r := range rows {
		m := tx.MsgLabourSetRule(r)
		if err := m.ValidateBasic(); err != nil {
			return fmt.Errorf("rules[%d]: %v", i, err)
		}
		key := ruleKey(r.Kind, r.Effective)
		if err := inOrder("rules", i, prev, key); err != nil {
			return err
		}
		prev = key
		for _, d := range all {
			if d.Kind == r.Kind && d.Effective >= r.Effective {
				return fmt.Errorf("rules[%d]: %s from %s, not after the %s row of %s", i, r.Kind, r.Effective, d.Kind, d.Effective)
			}
		}
		all = append(all, r)
	}
	return nil
}

// checkContract checks contract i of a section.
func checkContract(i int, c *tx.LabourContract) error {
	f := fmt.Sprintf("contracts[%d]", i)
	if c.ID != uint64(i+1) {
		return fmt.Errorf("%s.id %d: want %d (ids from 1, in order)", f, c.ID, i+1)
	}
	if err := c.MsgLabourOffer.ValidateBasic(); err != nil {
		return fmt.Errorf("%s: %v", f, err)
	}
	switch {
	case c.Employer.IsZero() || c.Employer == c.Worker:
		return fmt.Errorf("%s.employer %s: want an account other than the worker", f, c.Employer)
	case c.Open > c.Shifts:
		return fmt.Errorf("%s.open %d: it has %d shifts", f, c.Open, c.Shifts)
	}
	if c.EndedOn != "" {
		if _, err := tx.ParseDate("ended_on", c.EndedOn); err != nil {
			return fmt.Errorf("%s: %v", f, err)
		}
		if c.EndedOn < c.Start || c.End != "" && c.EndedOn > c.End {
			return fmt.Errorf("%s.ended_on %s: outside the contract's period", f, c.EndedOn)
		}
	}
	switch c.Status {
	case tx.LabourOffered:
		if c.Countersigned != 0 || c.Shifts != 0 || c.LastEvent != 0 || c.ClosedThrough != 0 || c.EndedOn != "" {
			return fmt.Errorf("%s: offered, but countersigned, ended or clocked", f)
		}
	case tx.LabourActive, tx.LabourEnded:
		if c.Countersigned == 0 {
			if c.Status == tx.LabourEnded && c.Shifts == 0 && c.ClosedThrough == 0 && c.LastEvent == 0 {
				return nil // ended before it was countersigned
			}
			return fmt.Errorf("%s: %s without a countersignature", f, c.Status)
		}
		if c.ClosedThrough != tx.WeekStart(c.ClosedThrough) || c.ClosedThrough < tx.WeekStart(max(startDayOf(c), c.Countersigned)) {
			return fmt.Errorf("%s.closed_through %d: want a Monday 00:00 KST from the week of its start or countersignature", f, c.ClosedThrough)
		}
		if c.Status == tx.LabourEnded && c.Open != 0 {
			return fmt.Errorf("%s: ended with shift %d open", f, c.Open)
		}
	default:
		return fmt.Errorf("%s.status %q", f, c.Status)
	}
	return nil
}

// checkShifts checks the shifts: every contract's 1 to Shifts, in key
// order, clocked in one after another, all complete but the open one,
// with the paid minutes their times give.
func checkShifts(g *Genesis, contract func(uint64) *tx.LabourContract) error {
	var prev *tx.Shift
	short := func(p *tx.Shift) error {
		if p != nil && p.ID != contract(p.Contract).Shifts {
			return fmt.Errorf("shifts: contract %d has %d shifts, %d listed", p.Contract, contract(p.Contract).Shifts, p.ID)
		}
		return nil
	}
	for i := range g.Shifts {
		s := &g.Shifts[i]
		f := fmt.Sprintf("shifts[%d]", i)
		c := contract(s.Contract)
		if c == nil {
			return fmt.Errorf("%s.contract %d: no such contract", f, s.Contract)
		}
		want := uint64(1)
		switch {
		case prev == nil:
		case prev.Contract == s.Contract:
			want = prev.ID + 1
		case prev.Contract > s.Contract:
			return fmt.Errorf("%s: contract %d after contract %d: out of store key order", f, s.Contract, prev.Contract)
		default:
			if err := short(prev); err != nil {
				return err
			}
		}
		switch {
		case s.ID != want || s.ID > c.Shifts:
			return fmt.Errorf("%s: shift %d of contract %d, want shift %d of %d (in key order, ids from 1)", f, s.ID, s.Contract, want, c.Shifts)
		case s.In <= 0 || want > 1 && s.In < prev.Out:
			return fmt.Errorf("%s.in %d: want a time not before the shift before ended", f, s.In)
		case (s.ID == c.Open) != (s.Out == 0):
			return fmt.Errorf("%s: open %v, but the contract's open shift is %d", f, s.Out == 0, c.Open)
		case s.Out != 0 && (s.Out < s.In || s.Out-s.In > maxShiftSeconds):
			return fmt.Errorf("%s.out %d: want 0 to 24 hours after in %d", f, s.Out, s.In)
		case s.Out != 0 && s.Minutes != tx.PaidMinutes(c.Schedule, s.In, s.Out):
			return fmt.Errorf("%s.minutes %d: its times give %d", f, s.Minutes, tx.PaidMinutes(c.Schedule, s.In, s.Out))
		case s.InBy == "":
			return fmt.Errorf("%s.in_by: want worker or a device", f)
		}
		prev = s
	}
	if err := short(prev); err != nil {
		return err
	}
	for i := range g.Contracts {
		if c := &g.Contracts[i]; c.Shifts > 0 && !hasShift(g.Shifts, c.ID) {
			return fmt.Errorf("contracts[%d]: %d shifts, none listed", i, c.Shifts)
		}
	}
	return nil
}

func hasShift(shifts []tx.Shift, contract uint64) bool {
	lo, hi := 0, len(shifts)
	for lo < hi {
		mid := (lo + hi) / 2
		if shifts[mid].Contract < contract {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo < len(shifts) && shifts[lo].Contract == contract
}

// checkStatement checks statement i of a section against its contract.
func checkStatement(i int, s *tx.WageStatement, c *tx.LabourContract) error {
	f := fmt.Sprintf("statements[%d]", i)
	if s.ID != uint64(i+1) {
		return fmt.Errorf("%s.id %d: want %d (ids from 1, in order)", f, s.ID, i+1)
	}
	if c == nil {
		return fmt.Errorf("%s.contract %d: no such contract", f, s.Contract)
	}
	if s.Employer != c.Employer || s.Worker != c.Worker || s.WorkerID != c.WorkerID || s.Project != c.Project {
		return fmt.Errorf("%s: parties, worker id or project differ from contract %d's", f, c.ID)
	}
	var items, deductions uint64
	for _, it := range s.Items {
		items += it.AmountKRW
	}
	for _, d := range s.Deductions {
		deductions += d.AmountKRW
	}
	switch {
	case s.GrossKRW == 0 || items != s.GrossKRW:
		return fmt.Errorf("%s.gross_krw %d: its items add up to %d", f, s.GrossKRW, items)
	case deductions > s.GrossKRW || s.NetKRW != s.GrossKRW-deductions:
		return fmt.Errorf("%s.net_krw %d: gross %d less deductions %d", f, s.NetKRW, s.GrossKRW, deductions)
	case s.Due == 0 || s.To < s.From:
		return fmt.Errorf("%s: due %d, from %d, to %d", f, s.Due, s.From, s.To)
	}
	switch s.Status {
	case tx.StatementPending, tx.StatementLate:
		if s.PaidAt != 0 || s.DaysLate != 0 || s.InterestKRW != 0 {
			return fmt.Errorf("%s: %s, but paid", f, s.Status)
		}
	case tx.StatementPaid:
		if s.PaidAt < s.Due && tx.DaysLate(s.Due, s.PaidAt) != 0 || s.DaysLate != tx.DaysLate(s.Due, s.PaidAt) {
			return fmt.Errorf("%s.days_late %d: paid at %d for %d", f, s.DaysLate, s.PaidAt, s.Due)
		}
	default:
		return fmt.Errorf("%s.status %q", f, s.Status)
	}
	return nil
}

// checkAccruals checks the monthly statements still taking weeks.
func checkAccruals(g *Genesis, contract func(uint64) *tx.LabourContract) error {
	var prev uint64
	for i, a := range g.Accruals {
		f := fmt.Sprintf("accruals[%d]", i)
		if i > 0 && a.Contract <= prev {
			return fmt.Errorf("%s: out of store key order or a duplicate", f)
		}
		prev = a.Contract
		c := contract(a.Contract)
		if c == nil || c.PayCycle != tx.PayMonthly {
			return fmt.Errorf("%s.contract %d: not a monthly contract", f, a.Contract)
		}
		if a.Statement == 0 || a.Statement > uint64(len(g.Statements)) {
			return fmt.Errorf("%s.statement %d: no such statement", f, a.Statement)
		}
		s := &g.Statements[a.Statement-1]
		if _, gross := tx.WeekGross(c.HourlyWage, a.Minutes, a.AllowanceNum); s.Contract != c.ID || s.Status != tx.StatementPending || s.Due != a.Due || s.GrossKRW != gross {
			return fmt.Errorf("%s: statement %d is not contract %d's pending statement due %d of gross %d", f, a.Statement, c.ID, a.Due, gross)
		}
	}
	return nil
}

// writeState writes a checked section and what is derived from it.
func writeState(kv store.KV, g *Genesis) {
	if g.Params != nil && *g.Params != DefaultParams() {
		store.PutJSON(kv, []byte{prefixParams}, g.Params)
	}
	for i := range g.Rules {
		store.PutJSON(kv, ruleKey(g.Rules[i].Kind, g.Rules[i].Effective), &g.Rules[i])
	}
	var st tx.LabourStats
	for i := range g.Shifts {
		putShift(kv, &g.Shifts[i])
	}
	for i := range g.Contracts {
		c := &g.Contracts[i]
		putContract(kv, c)
		indexContract(kv, c)
		st.Contracts++
		st.Shifts += c.Shifts
		if c.Status == tx.LabourActive {
			st.Active++
			st.Queued++
			openIn := int64(0)
			if c.Open != 0 {
				openIn = getShift(kv, c.ID, c.Open).In
			}
			kv.Set(closeKey(closeTime(c, openIn), c.ID), []byte{1})
		}
	}
	for i := range g.Statements {
		s := &g.Statements[i]
		putStatement(kv, s)
		indexStatement(kv, s)
		st.Statements++
		fund := fundOf(s)
		switch s.Status {
		case tx.StatementPending:
			kv.Set(dueKey(s.Due, s.ID), fund)
			kv.Set(fundQueueKey(fund, s.Due, s.ID), []byte{1})
			st.Queued++
		case tx.StatementLate:
			kv.Set(fundQueueKey(fund, s.Due, s.ID), []byte{1})
			kv.Set(lateKey(s.ID), []byte{1})
			st.Late++
		case tx.StatementPaid:
			st.Paid++
			st.PaidKRW += s.GrossKRW
			st.InterestKRW += s.InterestKRW
			st.WithheldKRW += s.GrossKRW - s.NetKRW
		}
	}
	for i := range g.Funds {
		f := &g.Funds[i]
		store.PutJSON(kv, fundKey(fundID(f.Owner, f.Project)), f)
		st.EscrowKRW += f.BalanceKRW
	}
	for i := range g.Lines {
		l := &g.Lines[i]
		store.PutJSON(kv, lineKey(l.Project, l.Worker), l)
		owed, paid := totals(kv, l.Project)
		setTotals(kv, l.Project, owed+l.OwedKRW, paid+l.PaidKRW)
	}
	for i := range g.Accruals {
		store.PutJSON(kv, accrualKey(g.Accruals[i].Contract), &g.Accruals[i])
	}
	for _, r := range g.Retry {
		kv.Set(retryKey(fundID(r.Owner, r.Project)), []byte{1})
		st.Queued++
	}
	if len(g.Contracts) > 0 || len(g.Funds) > 0 {
		store.PutJSON(kv, []byte{prefixStats}, &st)
	}
}
