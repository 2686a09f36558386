package apiclient

import (
	"context"
	"fmt"
	"net/url"
)

// The contracts module: public-works contracts with their fixed
// breakdown, the instalments the prime owes its subcontractors, and the
// public arrears view by tier and party.
//
//	k, err := c.Contract(ctx, "bridge-7", true)                      // k.Result.Milestones, k.Proof.Verified
//	a, err := c.ContractArrears(ctx, "bridge-7")                     // a.Tiers: prime, subcontract, labour
//	l, err := c.ContractLine(ctx, "bridge-7", "subcontract", sub, true) // a zero line, proven, when absent
//
// Amounts are whole won; times unix seconds; dates YYYY-MM-DD in KST.
// Writes are signed transactions (contracts/create, contracts/approve,
// contracts/pay_subcontractor, ...) through Submit.

// ContractsParams are the contracts module's parameters: the dated
// late-payment rates (kind late_interest) and the due dates examined per
// block.
type ContractsParams struct {
	LateRates      []LabourRule `json:"late_rates"`
	MaxDuePerBlock uint32       `json:"max_due_per_block"`
}

// ContractPools is the breakdown of a contract's money.
type ContractPools struct {
	Subcontract uint64 `json:"subcontract_krw"`
	Labour      uint64 `json:"labour_krw"`
	Equipment   uint64 `json:"equipment_krw"`
	Materials   uint64 `json:"materials_krw"`
}

// ContractSub is a subcontractor: its share, whether it is paid directly
// and on which ground, the agreement's signatures (owner, prime,
// subcontractor), instalments the prime missed, paid and owed.
type ContractSub struct {
	Address  string   `json:"address"`
	ShareKRW uint64   `json:"share_krw"`
	Scope    string   `json:"scope"`
	Direct   bool     `json:"direct"`
	Ground   string   `json:"ground,omitempty"`
	Agreed   []string `json:"agreed,omitempty"`
	Missed   uint32   `json:"missed"`
	PaidKRW  uint64   `json:"paid_krw"`
	OwedKRW  uint64   `json:"owed_krw"`
}

// ContractMilestone is a milestone: weight (basis points), instalment due
// date, status (open, delivered, approved, frozen, refunded).
type ContractMilestone struct {
	Name       string `json:"name"`
	Due        string `json:"due"`
	WeightBP   uint32 `json:"weight_bp"`
	Status     string `json:"status"`
	Delivered  int64  `json:"delivered,omitempty"`
	Approved   int64  `json:"approved,omitempty"`
	Dispute    string `json:"dispute,omitempty"`
	DisputedBy string `json:"disputed_by,omitempty"`
}

// Contract is a public-works contract.
type Contract struct {
	ID             string              `json:"id"`
	Owner          string              `json:"owner"`
	Prime          string              `json:"prime"`
	Supervisor     string              `json:"supervisor"`
	Arbiter        string              `json:"arbiter"`
	Guarantor      string              `json:"guarantor"`
	Pools          ContractPools       `json:"pools"`
	Subcontractors []ContractSub       `json:"subcontractors"`
	Milestones     []ContractMilestone `json:"milestones"`
	Terms          string              `json:"terms"`
	Created        int64               `json:"created"`
	Attested       []string            `json:"attested,omitempty"`
	EscrowKRW      uint64              `json:"escrow_krw"`
	ReleasedKRW    uint64              `json:"released_krw"`
	RefundedKRW    uint64              `json:"refunded_krw"`
}

// Instalment is what the prime owes a subcontractor for a milestone.
type Instalment struct {
	Contract      string `json:"contract"`
	Milestone     uint32 `json:"milestone"`
	Subcontractor string `json:"subcontractor"`
	PrincipalKRW  uint64 `json:"principal_krw"`
	Due           int64  `json:"due"`
	Missed        bool   `json:"missed"`
	PaidAt        int64  `json:"paid_at,omitempty"`
	InterestKRW   uint64 `json:"interest_krw,omitempty"`
}

// ContractInstalments are a contract's instalments in (milestone,
// subcontractor) order.
type ContractInstalments struct {
	Contract    string       `json:"contract"`
	Instalments []Instalment `json:"instalments"`
}

// ArrearsTier totals one tier (prime, subcontract, labour) of a
// contract's arrears view.
type ArrearsTier struct {
	Tier       string `json:"tier"`
	OwedKRW    uint64 `json:"owed_krw"`
	PaidKRW    uint64 `json:"paid_krw"`
	OverdueKRW uint64 `json:"overdue_krw"`
}

// ContractArrears is a contract's arrears view by tier.
type ContractArrears struct {
	Contract string        `json:"contract"`
	Tiers    []ArrearsTier `json:"tiers"`
}

// ArrearsLine is one party's line in tier prime or subcontract.
type ArrearsLine struct {
	Contract   string `json:"contract"`
	Tier       string `json:"tier"`
	Party      string `json:"party"`
	OwedKRW    uint64 `json:"owed_krw"`
	PaidKRW    uint64 `json:"paid_krw"`
	OverdueKRW uint64 `json:"overdue_krw"`
}

// ContractsQuery pages contracts: those Party (an address) takes part in
// when set; After a page's NextAfter (a contract id), Cursor its
// NextCursor; Limit 0 is the server's default.
type ContractsQuery struct {
	Party  string
	After  string
	Cursor string
	Limit  int
}

func contractPath(id string) string { return "/v1/contracts/" + url.PathEscape(id) }

// ContractsParams reads the contracts module's parameters.
func (c *Client) ContractsParams(ctx context.Context) (*ContractsParams, error) {
	return getValue[ContractsParams](ctx, c, "/v1/contracts/params")
}

// Contracts reads a page of public-works contracts in id order.
func (c *Client) Contracts(ctx context.Context, q ContractsQuery) (*AfterPage[Contract], error) {
	v := url.Values{}
	if q.Party != "" {
		v.Set("party", q.Party)
	}
	return getAfterPage[Contract](ctx, c, "/v1/contracts", pageQuery(v, q.After, q.Cursor, q.Limit))
}

// Contract reads public-works contract id.
func (c *Client) Contract(ctx context.Context, id string, prove bool) (*State[*Contract], error) {
	return getState[Contract](ctx, c, contractPath(id), prove)
}

// ContractInstalments reads every instalment of contract id.
func (c *Client) ContractInstalments(ctx context.Context, id string) (*ContractInstalments, error) {
	return getValue[ContractInstalments](ctx, c, contractPath(id)+"/instalments")
}

// ContractInstalment reads what the prime owes subcontractor for
// milestone (from 0) of contract id; unpaid past its due time it comes
// with Accrued, the interest accrued as of the block read.
func (c *Client) ContractInstalment(ctx context.Context, id string, milestone uint32, subcontractor string, prove bool) (*AccruedState[*Instalment], error) {
	path := fmt.Sprintf("%s/instalments/%d/%s", contractPath(id), milestone, url.PathEscape(subcontractor))
	return getValue[AccruedState[*Instalment]](ctx, c, path+proveQ(prove))
}

// ContractArrears reads contract id's arrears view by tier.
func (c *Client) ContractArrears(ctx context.Context, id string) (*ContractArrears, error) {
	return getValue[ContractArrears](ctx, c, contractPath(id)+"/arrears")
}

// ContractLine reads party's line in tier (prime or subcontract) of
// contract id: a zero line when it has none (with prove, its absence
// proven: the proof's Value is empty).
func (c *Client) ContractLine(ctx context.Context, id, tier, party string, prove bool) (*State[ArrearsLine], error) {
	path := contractPath(id) + "/lines/" + url.PathEscape(tier) + "/" + url.PathEscape(party)
	return getValue[State[ArrearsLine]](ctx, c, path+proveQ(prove))
}
