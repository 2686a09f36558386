package apiclient

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// The labour module: part-time employment contracts countersigned by the
// worker, their shifts, wage statements, escrow funds and the labour tier
// of a public-works project's arrears view.
//
//	st, err := c.WageStatement(ctx, 7, true)               // st.Result.NetKRW, st.Proof.Verified
//	if st.Accrued != nil { fmt.Println(st.Accrued.AccruedInterestKRW) } // late: interest so far
//	late, err := c.WageStatements(ctx, apiclient.LabourQuery{Late: true})
//	line, err := c.ProjectLine(ctx, "bridge-7", worker, true) // owed 0 proven when absent
//
// The provable reads answer State[*T] (AccruedState[*T] for statements): with
// prove, an absent item is a nil Result with the proof of its absence;
// without prove, a 404 *Problem. A project line is never absent: a worker
// without one reads a zero line (proven absent with prove). Amounts are
// whole won; times unix seconds; dates YYYY-MM-DD in KST. Writes are signed
// transactions (labour/offer, labour/countersign, labour/clock, ...)
// through Submit.

// LabourRule is one row of a dated rule table.
type LabourRule struct {
	Kind      string `json:"kind"`
	Effective string `json:"effective"`
	Value     uint64 `json:"value"`
}

// LabourRules is the effective rule table and the module's parameters.
type LabourRules struct {
	Params struct {
		MaxPaymentsPerBlock uint32 `json:"max_payments_per_block"`
	} `json:"params"`
	Rules []LabourRule `json:"rules"`
}

// LabourStats are the labour module's counters.
type LabourStats struct {
	Contracts   uint64 `json:"contracts"`
	Active      uint64 `json:"active"`
	Shifts      uint64 `json:"shifts"`
	Statements  uint64 `json:"statements"`
	Paid        uint64 `json:"paid"`
	Late        uint64 `json:"late"`
	PaidKRW     uint64 `json:"paid_krw"`
	InterestKRW uint64 `json:"interest_krw"`
	WithheldKRW uint64 `json:"withheld_krw"`
	EscrowKRW   uint64 `json:"escrow_krw"`
	Queued      uint64 `json:"queued"`
}

// LabourWorkDay is one working day of a contract's schedule.
type LabourWorkDay struct {
	Day          string `json:"day"`
	Start        string `json:"start"`
	Minutes      uint32 `json:"minutes"`
	BreakMinutes uint32 `json:"break_minutes"`
}

// LabourContract is an employment contract: the offer's terms (personal
// data as SHA-256 commitments), its status and its clocking state.
type LabourContract struct {
	ID            uint64          `json:"id"`
	Employer      string          `json:"employer"`
	Worker        string          `json:"worker"`
	Project       string          `json:"project,omitempty"`
	Start         string          `json:"start"`
	End           string          `json:"end,omitempty"`
	Schedule      []LabourWorkDay `json:"schedule"`
	HourlyWage    uint64          `json:"hourly_wage"`
	PayCycle      string          `json:"pay_cycle"`
	PayDay        uint32          `json:"pay_day"`
	WeeklyHoliday string          `json:"weekly_holiday"`
	Leave         string          `json:"leave"`
	Place         string          `json:"place"`
	Duties        string          `json:"duties"`
	WorkerID      string          `json:"worker_id"`
	Terms         string          `json:"terms"`
	Status        string          `json:"status"`
	Countersigned int64           `json:"countersigned,omitempty"`
	EndedOn       string          `json:"ended_on,omitempty"`
	Shifts        uint64          `json:"shifts"`
	Open          uint64          `json:"open,omitempty"`
	LastEvent     int64           `json:"last_event,omitempty"`
	ClosedThrough int64           `json:"closed_through,omitempty"`
}

// LabourShiftCorrection is one correction of a shift.
type LabourShiftCorrection struct {
	In     int64  `json:"in"`
	Out    int64  `json:"out"`
	By     string `json:"by"`
	Height int64  `json:"height"`
}

// LabourShift is one clocked shift; InBy and OutBy are "worker" or the
// workplace terminal's device id.
type LabourShift struct {
	Contract    uint64                  `json:"contract"`
	ID          uint64                  `json:"id"`
	In          int64                   `json:"in"`
	Out         int64                   `json:"out,omitempty"`
	InBy        string                  `json:"in_by"`
	OutBy       string                  `json:"out_by,omitempty"`
	Minutes     uint64                  `json:"minutes"`
	Corrections []LabourShiftCorrection `json:"corrections,omitempty"`
	Disputed    *LabourShiftCorrection  `json:"disputed,omitempty"`
	Statement   uint64                  `json:"statement,omitempty"`
}

// StatementItem is one pay item with its calculation basis.
type StatementItem struct {
	Name       string `json:"name"`
	Basis      string `json:"basis"`
	Minutes    uint64 `json:"minutes,omitempty"`
	HourlyWage uint64 `json:"hourly_wage,omitempty"`
	AmountKRW  uint64 `json:"amount_krw"`
}

// StatementDeduction is one deduction (an employee insurance share; Rate
// in parts per 100,000).
type StatementDeduction struct {
	Name      string `json:"name"`
	Rate      uint64 `json:"rate"`
	BaseKRW   uint64 `json:"base_krw"`
	AmountKRW uint64 `json:"amount_krw"`
}

// WageStatement is the statement of one payment: period, items, gross,
// deductions, net, status (pending, late, paid) and, once paid late, the
// days and the interest paid.
type WageStatement struct {
	ID          uint64               `json:"id"`
	Contract    uint64               `json:"contract"`
	Employer    string               `json:"employer"`
	Worker      string               `json:"worker"`
	WorkerID    string               `json:"worker_id"`
	Project     string               `json:"project,omitempty"`
	From        int64                `json:"from"`
	To          int64                `json:"to"`
	Due         int64                `json:"due"`
	Items       []StatementItem      `json:"items"`
	GrossKRW    uint64               `json:"gross_krw"`
	Deductions  []StatementDeduction `json:"deductions"`
	NetKRW      uint64               `json:"net_krw"`
	Status      string               `json:"status"`
	PaidAt      int64                `json:"paid_at,omitempty"`
	DaysLate    uint64               `json:"days_late,omitempty"`
	InterestKRW uint64               `json:"interest_krw,omitempty"`
}

// LateAccrual is what a late payment has accrued as of the block the item
// was read at, computed by the server (not stored): the days late, the
// annual rate in force (parts per 100,000) and the interest so far.
type LateAccrual struct {
	AsOf               int64  `json:"as_of"`
	AsOfDate           string `json:"as_of_date"`
	Due                int64  `json:"due"`
	DaysLate           uint64 `json:"days_late"`
	RatePer100k        uint64 `json:"rate_per_100k"`
	PrincipalKRW       uint64 `json:"principal_krw"`
	AccruedInterestKRW uint64 `json:"accrued_interest_krw"`
	OwedKRW            uint64 `json:"owed_krw"`
}

// AccruedState is a State with, beside the stored item, what it has
// accrued when its payment is late (nil otherwise).
type AccruedState[T any] struct {
	Height  int64        `json:"height"`
	Result  T            `json:"result"`
	Accrued *LateAccrual `json:"accrued,omitempty"`
	Proof   *Proof       `json:"proof,omitempty"`
}

// LabourFund is an escrow fund: an employer's (Owner) or a project's
// labour pool (Project).
type LabourFund struct {
	Owner        string `json:"owner,omitempty"`
	Project      string `json:"project,omitempty"`
	BalanceKRW   uint64 `json:"balance_krw"`
	OwedKRW      uint64 `json:"owed_krw"`
	DepositedKRW uint64 `json:"deposited_krw"`
	PaidKRW      uint64 `json:"paid_krw"`
	WithdrawnKRW uint64 `json:"withdrawn_krw"`
	Late         uint64 `json:"late"`
}

// LabourProjectLine is a worker's line of a project's arrears view: wages
// owed (late) and paid from the project's labour pool.
type LabourProjectLine struct {
	Project string `json:"project"`
	Worker  string `json:"worker"`
	OwedKRW uint64 `json:"owed_krw"`
	PaidKRW uint64 `json:"paid_krw"`
}

// LabourQuery filters and pages a labour list. Employer and Worker
// (addresses) filter contracts and statements; Contract and Late
// statements. After is a page's NextAfter (an id; a worker address for
// project lines), Cursor its NextCursor; Limit 0 is the server's default.
type LabourQuery struct {
	Employer string
	Worker   string
	Contract uint64
	Late     bool
	After    string
	Cursor   string
	Limit    int
}

func (q LabourQuery) query() string {
	v := url.Values{}
	if q.Employer != "" {
		v.Set("employer", q.Employer)
	}
	if q.Worker != "" {
		v.Set("worker", q.Worker)
	}
	if q.Contract != 0 {
		v.Set("contract", strconv.FormatUint(q.Contract, 10))
	}
	if q.Late {
		v.Set("late", "true")
	}
	return pageQuery(v, q.After, q.Cursor, q.Limit)
}

func labourContractPath(id uint64) string {
	return "/v1/labour/contracts/" + strconv.FormatUint(id, 10)
}

func projectPath(project string) string { return "/v1/labour/projects/" + url.PathEscape(project) }

// getAfterPage reads a page of a list at path with the query q.
func getAfterPage[T any](ctx context.Context, c *Client, path, q string) (*AfterPage[T], error) {
	var p AfterPage[T]
	if err := c.get(ctx, path+q, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// getValue reads a single answer at path into a new T.
func getValue[T any](ctx context.Context, c *Client, path string) (*T, error) {
	var v T
	if err := c.get(ctx, path, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// LabourRules reads the effective rule table: the minimum wage, the
// insurance shares and the late-pay rate by effective date.
func (c *Client) LabourRules(ctx context.Context) (*LabourRules, error) {
	return getValue[LabourRules](ctx, c, "/v1/labour/rules")
}

// LabourStats reads the labour module's counters.
func (c *Client) LabourStats(ctx context.Context) (*LabourStats, error) {
	return getValue[LabourStats](ctx, c, "/v1/labour/stats")
}

// LabourContracts reads a page of employment contracts in id order (all,
// q.Employer's or q.Worker's).
func (c *Client) LabourContracts(ctx context.Context, q LabourQuery) (*AfterPage[LabourContract], error) {
	return getAfterPage[LabourContract](ctx, c, "/v1/labour/contracts", LabourQuery{Employer: q.Employer, Worker: q.Worker, After: q.After, Cursor: q.Cursor, Limit: q.Limit}.query())
}

// LabourContract reads employment contract id.
func (c *Client) LabourContract(ctx context.Context, id uint64, prove bool) (*State[*LabourContract], error) {
	return getState[LabourContract](ctx, c, labourContractPath(id), prove)
}

// LabourShifts reads a page of contract id's shifts in id order.
func (c *Client) LabourShifts(ctx context.Context, id uint64, q LabourQuery) (*AfterPage[LabourShift], error) {
	return getAfterPage[LabourShift](ctx, c, labourContractPath(id)+"/shifts", LabourQuery{After: q.After, Cursor: q.Cursor, Limit: q.Limit}.query())
}

// LabourShift reads shift shift of contract id.
func (c *Client) LabourShift(ctx context.Context, id, shift uint64, prove bool) (*State[*LabourShift], error) {
	return getState[LabourShift](ctx, c, fmt.Sprintf("%s/shifts/%d", labourContractPath(id), shift), prove)
}

// WageStatements reads a page of wage statements in id order (all, or
// q.Contract's, q.Worker's, q.Employer's, the late ones with q.Late).
func (c *Client) WageStatements(ctx context.Context, q LabourQuery) (*AfterPage[WageStatement], error) {
	return getAfterPage[WageStatement](ctx, c, "/v1/labour/statements", q.query())
}

// WageStatement reads wage statement id; a late one comes with Accrued,
// the interest accrued as of the block read.
func (c *Client) WageStatement(ctx context.Context, id uint64, prove bool) (*AccruedState[*WageStatement], error) {
	return getValue[AccruedState[*WageStatement]](ctx, c, "/v1/labour/statements/"+strconv.FormatUint(id, 10)+proveQ(prove))
}

// LabourFund reads employer owner's escrow fund.
func (c *Client) LabourFund(ctx context.Context, owner string, prove bool) (*State[*LabourFund], error) {
	return getState[LabourFund](ctx, c, "/v1/labour/funds/"+url.PathEscape(owner), prove)
}

// ProjectFund reads public-works project's labour pool.
func (c *Client) ProjectFund(ctx context.Context, project string, prove bool) (*State[*LabourFund], error) {
	return getState[LabourFund](ctx, c, projectPath(project)+"/fund", prove)
}

// ProjectLines reads a page of a project's worker lines in worker address
// order (q.After: a worker address).
func (c *Client) ProjectLines(ctx context.Context, project string, q LabourQuery) (*AfterPage[LabourProjectLine], error) {
	return getAfterPage[LabourProjectLine](ctx, c, projectPath(project)+"/lines", LabourQuery{After: q.After, Cursor: q.Cursor, Limit: q.Limit}.query())
}

// ProjectLine reads worker's line of a project's arrears view: a zero
// line when the worker has none (with prove, its absence proven: the
// proof's Value is empty).
func (c *Client) ProjectLine(ctx context.Context, project, worker string, prove bool) (*State[LabourProjectLine], error) {
	return getValue[State[LabourProjectLine]](ctx, c, projectPath(project)+"/lines/"+url.PathEscape(worker)+proveQ(prove))
}
