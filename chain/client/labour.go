package client

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/citychain/citychain/chain/tx"
)

// Typed queries of the labour module (see read.go): the dated rule table,
// employment contracts, their shifts, wage statements, escrow funds (an
// employer's or a public-works project's labour pool) and the project
// lines of the arrears view, decoded into the chain's types (chain/tx).
// The provable reads (a contract, a shift, a statement, a fund, a project
// line) take ReadOpts and prove presence or absence; the lists are pages
// answered at a height.

// LabourRules reads the effective rule table: the built-in rows and those
// added since, by kind in date order, and the module's parameters
// (/labour/rules).
func (c *Client) LabourRules(ctx context.Context, height int64) (*tx.LabourRules, error) {
	r, err := answer[tx.LabourRules](ctx, c, "/labour/rules", requestJSON(struct{}{}), height)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// LabourContract reads employment contract id (/labour/contract); nil when
// there is none (with o.Prove, proven absent).
func (c *Client) LabourContract(ctx context.Context, id uint64, o ReadOpts) (*tx.LabourContract, *QueryResult, error) {
	return readJSON[tx.LabourContract](ctx, c, "/labour/contract", requestJSON(tx.LabourContractRequest{ID: id}), o)
}

// LabourContracts is a page of contracts in id order, all or those of
// req.Employer or req.Worker (/labour/contracts).
func (c *Client) LabourContracts(ctx context.Context, req tx.LabourContractsRequest, height int64) (*tx.LabourContractPage, int64, error) {
	return pageAnswer[tx.LabourContractPage](ctx, c, "/labour/contracts", requestJSON(req), height)
}

// LabourShift reads shift id of a contract (/labour/shift); nil when there
// is none.
func (c *Client) LabourShift(ctx context.Context, contract, id uint64, o ReadOpts) (*tx.Shift, *QueryResult, error) {
	return readJSON[tx.Shift](ctx, c, "/labour/shift", requestJSON(tx.LabourShiftRequest{Contract: contract, ID: id}), o)
}

// LabourShifts is a page of a contract's shifts in id order
// (/labour/shifts).
func (c *Client) LabourShifts(ctx context.Context, req tx.LabourShiftsRequest, height int64) (*tx.LabourShiftPage, int64, error) {
	return pageAnswer[tx.LabourShiftPage](ctx, c, "/labour/shifts", requestJSON(req), height)
}

// LabourStatement reads wage statement id (/labour/statement); nil when
// there is none.
func (c *Client) LabourStatement(ctx context.Context, id uint64, o ReadOpts) (*tx.WageStatement, *QueryResult, error) {
	return readJSON[tx.WageStatement](ctx, c, "/labour/statement", requestJSON(tx.LabourStatementRequest{ID: id}), o)
}

// LabourStatements is a page of statements in id order, all or those of
// req.Contract, req.Worker or req.Employer, or (req.Late) the late ones
// (/labour/statements).
func (c *Client) LabourStatements(ctx context.Context, req tx.LabourStatementsRequest, height int64) (*tx.LabourStatementPage, int64, error) {
	return pageAnswer[tx.LabourStatementPage](ctx, c, "/labour/statements", requestJSON(req), height)
}

// LabourFund reads an escrow fund (/labour/fund): an employer's
// (req.Owner) or a project's labour pool (req.Project); nil when there is
// none.
func (c *Client) LabourFund(ctx context.Context, req tx.LabourFundRequest, o ReadOpts) (*tx.LabourFund, *QueryResult, error) {
	return readJSON[tx.LabourFund](ctx, c, "/labour/fund", requestJSON(req), o)
}

// LabourProjectLine reads a worker's line of a project's arrears view
// (/labour/project_line): wages owed and paid from the project's labour
// pool. nil when the worker has none (owed 0, paid 0; with o.Prove, proven
// absent).
func (c *Client) LabourProjectLine(ctx context.Context, project string, worker tx.Address, o ReadOpts) (*tx.LabourProjectLine, *QueryResult, error) {
	return readJSON[tx.LabourProjectLine](ctx, c, "/labour/project_line", requestJSON(tx.LabourProjectLineRequest{Project: project, Worker: worker}), o)
}

// LabourProjectLines is a page of a project's worker lines in worker
// address order (/labour/project_lines).
func (c *Client) LabourProjectLines(ctx context.Context, req tx.LabourProjectLinesRequest, height int64) (*tx.LabourProjectLinePage, int64, error) {
	return pageAnswer[tx.LabourProjectLinePage](ctx, c, "/labour/project_lines", requestJSON(req), height)
}

// LabourStats reads the module's totals (/labour/stats).
func (c *Client) LabourStats(ctx context.Context, height int64) (*tx.LabourStats, error) {
	s, err := answer[tx.LabourStats](ctx, c, "/labour/stats", requestJSON(struct{}{}), height)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// LabourContractShifts reads every shift of a contract, all pages at one
// height (0: the latest when the first page is read), and returns that
// height.
func (c *Client) LabourContractShifts(ctx context.Context, contract uint64, height int64) ([]tx.Shift, int64, error) {
	var out []tx.Shift
	h, err := idPages(ctx, height, func(ctx context.Context, after uint64, h int64) (uint64, int64, error) {
		p, at, err := c.LabourShifts(ctx, tx.LabourShiftsRequest{Contract: contract, After: after, Limit: tx.MaxListLimit}, h)
		if err != nil {
			return 0, 0, err
		}
		out = append(out, p.Shifts...)
		return p.Next, at, nil
	})
	return out, h, err
}

// StatementCheck is a wage statement recomputed by the client from the
// chain's own rule table and the contract's shifts, read at one height:
// the minutes and weekly-holiday numerator it finds, the statement it
// computes, and each field where the chain's statement differs.
type StatementCheck struct {
	Statement uint64 `json:"statement"`
	Height    int64  `json:"height"`
	// Minutes are the paid minutes of the shifts on the statement;
	// AllowanceNumerator is the weekly-holiday allowance of its weeks (see
	// tx.AllowanceNumerator).
	Minutes            uint64 `json:"minutes"`
	AllowanceNumerator uint64 `json:"allowance_numerator"`
	// Want is the statement as recomputed (the fields the pay arithmetic
	// sets; the rest copied from the chain's).
	Want       tx.WageStatement `json:"recomputed"`
	Mismatches []string         `json:"mismatches"`
}

// OK reports whether the chain's statement is the one recomputed.
func (s *StatementCheck) OK() bool { return len(s.Mismatches) == 0 }

// LabourCheckStatement reads statement id, the rule table, its contract and
// every shift of the contract at one height (0: the latest) and recomputes
// the statement with the chain's pay arithmetic (CheckWageStatement). An
// absent statement or contract is ErrNotFound.
func (c *Client) LabourCheckStatement(ctx context.Context, id uint64, height int64) (*StatementCheck, error) {
	st, res, err := c.LabourStatement(ctx, id, ReadOpts{Height: height})
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, fmt.Errorf("statement %d: %w", id, ErrNotFound)
	}
	h := res.Height
	rules, err := c.LabourRules(ctx, h)
	if err != nil {
		return nil, err
	}
	ct, _, err := c.LabourContract(ctx, st.Contract, ReadOpts{Height: h})
	if err != nil {
		return nil, err
	}
	if ct == nil {
		return nil, fmt.Errorf("statement %d: its contract %d: %w", id, st.Contract, ErrNotFound)
	}
	shifts, _, err := c.LabourContractShifts(ctx, st.Contract, h)
	if err != nil {
		return nil, err
	}
	chk := CheckWageStatement(rules.Rules, ct, shifts, st)
	chk.Height = h
	return chk, nil
}

// CheckWageStatement recomputes statement st of contract ct from the rule
// table rules (in date order per kind) and every shift of the contract:
//
//   - each shift's paid minutes from its times (a correction that applied
//     moved them): tx.PaidMinutes;
//   - the statement's minutes: the shifts that name it;
//   - the weekly holiday allowance of each week from From to To, when the
//     statement pays weeks (tx.WeekAllowance; a weekly or monthly cycle, or a daily
//     contract's week-end statement that no shift names): every scheduled
//     day of the week inside the contract's period has a shift clocked in
//     that day and the employment continues past the week;
//   - items and gross by tx.WeekGross at the contract's wage, deductions by
//     tx.Deductions at the due time, the net, and for a paid statement the
//     days late and the interest by tx.LateInterest.
func CheckWageStatement(rules []tx.LabourRule, ct *tx.LabourContract, shifts []tx.Shift, st *tx.WageStatement) *StatementCheck {
	chk := &StatementCheck{Statement: st.ID, Mismatches: []string{}}
	differ := func(field string, got, want any) {
		if fmt.Sprint(got) != fmt.Sprint(want) {
			chk.Mismatches = append(chk.Mismatches, fmt.Sprintf("%s: the statement has %v, recomputed %v", field, got, want))
		}
	}
	differ("contract", st.Contract, ct.ID)
	differ("employer", st.Employer, ct.Employer)
	differ("worker", st.Worker, ct.Worker)
	differ("worker_id", st.WorkerID, ct.WorkerID)
	differ("project", st.Project, ct.Project)

	var named int
	for _, s := range shifts {
		if s.Out > s.In {
			differ(fmt.Sprintf("shift %d minutes", s.ID), s.Minutes, tx.PaidMinutes(ct.Schedule, s.In, s.Out))
		}
		if s.Statement == st.ID {
			named++
			chk.Minutes += s.Minutes
		}
	}
	if ct.PayCycle != tx.PayDaily || named == 0 {
		chk.AllowanceNumerator = weekAllowances(ct, shifts, st.From, st.To)
	}

	items, gross := tx.WeekGross(ct.HourlyWage, chk.Minutes, chk.AllowanceNumerator)
	want := *st
	want.Items, want.GrossKRW = items, gross
	want.Deductions = tx.Deductions(rules, st.Due, gross, tx.WeeklyMinutes(ct.Schedule))
	want.NetKRW = gross
	for _, d := range want.Deductions {
		want.NetKRW -= min(want.NetKRW, d.AmountKRW)
	}
	if st.Status == tx.StatementPaid {
		want.DaysLate = tx.DaysLate(st.Due, st.PaidAt)
		want.InterestKRW = tx.LateInterest(rules, tx.RuleLateInterest, gross, st.Due, st.PaidAt)
	}
	chk.Want = want
	differ("items", jsonText(st.Items), jsonText(want.Items))
	differ("gross_krw", st.GrossKRW, want.GrossKRW)
	differ("deductions", jsonText(st.Deductions), jsonText(want.Deductions))
	differ("net_krw", st.NetKRW, want.NetKRW)
	differ("days_late", st.DaysLate, want.DaysLate)
	differ("interest_krw", st.InterestKRW, want.InterestKRW)
	return chk
}

// weekAllowances is the weekly holiday allowance numerator of the weeks
// from the week holding from up to to (tx.WeekAllowance of each), with the
// days worked read from the shifts' clock-ins (a correction moves them).
func weekAllowances(ct *tx.LabourContract, shifts []tx.Shift, from, to int64) uint64 {
	worked := map[int64]bool{}
	for _, s := range shifts {
		worked[tx.DayStart(s.In)] = true
	}
	var sum uint64
	for w := tx.WeekStart(from); w < max(to, from+1); w += 7 * 86400 {
		sum += tx.WeekAllowance(ct, w, func(day int64) bool { return worked[day] })
	}
	return sum
}

// jsonText is v as JSON, for comparing lists field by field.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
