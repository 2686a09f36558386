package tx

import (
	"errors"
	"fmt"
	"slices"
)

// Message types of the contracts module: public-works contracts whose
// money the owner agency deposits in escrow at creation, with a breakdown
// (pools, subcontractors and their shares, milestones with instalment due
// dates, the arbiter) no one can change afterwards. The supervising
// agency's approval of a milestone releases its money: the labour share to
// the project's labour pool (module labour pays the workers from their
// timesheets), the equipment and materials shares to the prime, and each
// subcontractor's share directly to it once a ground of the Subcontracting
// Act art. 14 holds, else to the prime, who then owes it by the legal due
// date with 15.5 % interest when late. See docs/contracts.md.
const (
	TypeContractsCreate        = "contracts/create"
	TypeContractsDeliver       = "contracts/deliver"
	TypeContractsApprove       = "contracts/approve"
	TypeContractsPaySub        = "contracts/pay_subcontractor"
	TypeContractsAgreeDirect   = "contracts/agree_direct"
	TypeContractsAttest        = "contracts/attest"
	TypeContractsRequestDirect = "contracts/request_direct"
	TypeContractsDispute       = "contracts/dispute"
	TypeContractsResolve       = "contracts/resolve"
)

// Roles of the contracts module. The owner agency holds the agency role
// (declared with the other roles).
const (
	RoleWorksSupervisor = "works_supervisor" // approves milestones of the contracts naming it
	RoleCourtRegistry   = "court_registry"   // attests a prime's insolvency or loss of licence
	RoleGuarantor       = "guarantor"        // payment-guarantee institution: attests a guarantee breach
	RoleArbitrator      = "arbitrator"       // resolves disputes of the contracts naming it
)

// Grounds of direct payment (Subcontracting Act art. 14(1)).
const (
	GroundInsolvency      = "insolvency"         // 1: the prime is insolvent or lost its licence (court_registry attests), the sub requests
	GroundAgreement       = "agreement"          // 2: owner, prime and sub agreed: at once
	GroundMissed          = "missed_instalments" // 3: the prime missed 2 or more instalments: detected at the second missed due date
	GroundGuaranteeBreach = "guarantee_breach"   // 4: the prime broke its payment-guarantee duty (the guarantor attests), the sub requests
)

// Milestone statuses.
const (
	MilestoneOpen      = "open"
	MilestoneDelivered = "delivered"
	MilestoneApproved  = "approved" // released
	MilestoneFrozen    = "frozen"   // disputed: only the arbiter resolves it
	MilestoneRefunded  = "refunded" // the arbiter returned its money to the owner
)

// Dispute outcomes.
const (
	OutcomeRelease = "release" // the milestone is approved and released at once
	OutcomeRefund  = "refund"  // its money goes back to the owner agency
)

// Arrears tiers.
const (
	TierPrime       = "prime"       // owner → prime (released to the prime)
	TierSubcontract = "subcontract" // prime → subcontractor, or owner → subcontractor directly
	TierLabour      = "labour"      // project labour pool → workers (module labour)
)

// Bounds of the contracts messages.
const (
	MaxSubcontractors  = 64
	MaxMilestones      = 64
	MaxMilestoneName   = 64
	WeightDenominator  = 10_000 // milestone weights are basis points of each pool
	PaymentTermDays    = 60     // art. 13: at most 60 days after delivery
	PrimePaidTermDays  = 15     // art. 13: 15 days after the owner paid the prime
	DefaultSubLateRate = 15_500 // 15.5 % a year, parts per 100,000 (FTC notice)
	MissedForDirectPay = 2      // art. 14(1)3
)

// ContractPools is the breakdown of a contract's money in won.
type ContractPools struct {
	Subcontract uint64 `json:"subcontract_krw"`
	Labour      uint64 `json:"labour_krw"`
	Equipment   uint64 `json:"equipment_krw"`
	Materials   uint64 `json:"materials_krw"`
}

// Total returns the pools' sum, false on overflow beyond MaxKRW.
func (p ContractPools) Total() (uint64, bool) {
	t := p.Subcontract + p.Labour + p.Equipment + p.Materials
	ok := p.Subcontract <= MaxKRW && p.Labour <= MaxKRW && p.Equipment <= MaxKRW && p.Materials <= MaxKRW && t <= MaxKRW
	return t, ok
}

// Subcontractor is one subcontractor of a contract and its share (won) of
// the subcontract pool; Scope commits to the subcontract's document.
type Subcontractor struct {
	Address  Address `json:"address"`
	ShareKRW uint64  `json:"share_krw"`
	Scope    Hash32  `json:"scope"`
}

// Milestone is one milestone: a name, its instalment due date (the
// contract term of its payment, KST date) and its weight (basis points of
// every pool and every subcontractor's share; the last milestone takes
// what the others' floors leave).
type Milestone struct {
	Name     string `json:"name"`
	Due      string `json:"due"`
	WeightBP uint32 `json:"weight_bp"`
}

// MsgContractsCreate creates public-works contract ID; the signer (role
// agency) is its owner and deposits the pools' total in escrow. Nothing of
// it can be changed afterwards.
type MsgContractsCreate struct {
	ID             string          `json:"id"`
	Prime          Address         `json:"prime"`
	Supervisor     Address         `json:"supervisor"`
	Arbiter        Address         `json:"arbiter"`
	Guarantor      Address         `json:"guarantor"`
	Pools          ContractPools   `json:"pools"`
	Subcontractors []Subcontractor `json:"subcontractors"`
	Milestones     []Milestone     `json:"milestones"`
	Terms          Hash32          `json:"terms"`
}

func (*MsgContractsCreate) Type() string { return TypeContractsCreate }

// ValidateBasic implements Msg. Each error names its field.
func (m *MsgContractsCreate) ValidateBasic() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(contractID("id", m.ID))
	add(requireAddress("prime", m.Prime))
	add(requireAddress("supervisor", m.Supervisor))
	add(requireAddress("arbiter", m.Arbiter))
	add(requireAddress("guarantor", m.Guarantor))
	total, ok := m.Pools.Total()
	switch {
	case !ok:
		add(fmt.Errorf("pools: more than %d won", uint64(MaxKRW)))
	case total == 0:
		add(errors.New("pools: want a positive total"))
	}
	if len(m.Subcontractors) > MaxSubcontractors {
		add(fmt.Errorf("subcontractors: %d, limit %d", len(m.Subcontractors), MaxSubcontractors))
	}
	var shares uint64
	for i, s := range m.Subcontractors {
		add(requireAddress(fmt.Sprintf("subcontractors[%d].address", i), s.Address))
		if s.ShareKRW == 0 || s.ShareKRW > MaxKRW {
			add(fmt.Errorf("subcontractors[%d].share_krw %d: want 1 to %d won", i, s.ShareKRW, uint64(MaxKRW)))
		}
		if s.Scope == (Hash32{}) {
			add(fmt.Errorf("subcontractors[%d].scope: want the subcontract's SHA-256", i))
		}
		if s.Address == m.Prime {
			add(fmt.Errorf("subcontractors[%d].address: is the prime", i))
		}
		if slices.ContainsFunc(m.Subcontractors[:i], func(o Subcontractor) bool { return o.Address == s.Address }) {
			add(fmt.Errorf("subcontractors[%d].address: listed twice", i))
		}
		shares += min(s.ShareKRW, MaxKRW)
	}
	if ok && shares != m.Pools.Subcontract {
		add(fmt.Errorf("subcontractors: shares add up to %d won, the subcontract pool is %d", shares, m.Pools.Subcontract))
	}
	if len(m.Milestones) == 0 || len(m.Milestones) > MaxMilestones {
		add(fmt.Errorf("milestones: %d, want 1 to %d", len(m.Milestones), MaxMilestones))
	}
	var weights uint64
	prev := ""
	for i, ms := range m.Milestones {
		if len(ms.Name) == 0 || len(ms.Name) > MaxMilestoneName {
			add(fmt.Errorf("milestones[%d].name: want 1 to %d bytes", i, MaxMilestoneName))
		}
		if _, err := ParseDate(fmt.Sprintf("milestones[%d].due", i), ms.Due); err != nil {
			add(err)
		} else if ms.Due < prev {
			add(fmt.Errorf("milestones[%d].due %s: before the previous milestone's %s", i, ms.Due, prev))
		} else {
			prev = ms.Due
		}
		if ms.WeightBP == 0 {
			add(fmt.Errorf("milestones[%d].weight_bp: want a positive weight", i))
		}
		weights += uint64(ms.WeightBP)
	}
	if len(m.Milestones) > 0 && weights != WeightDenominator {
		add(fmt.Errorf("milestones: weights add up to %d basis points, want %d", weights, WeightDenominator))
	}
	if m.Terms == (Hash32{}) {
		add(errors.New("terms: want the contract document's SHA-256"))
	}
	return errors.Join(errs...)
}

// contractID checks a contract id (ValidateProjectID), naming field.
func contractID(field, id string) error {
	if err := ValidateProjectID(id); err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	return nil
}

// MilestoneShare is the part of amount released at milestone i of ms:
// floor(amount × weight / 10,000), the last milestone taking the rest, so
// the parts add up to amount exactly.
func MilestoneShare(ms []Milestone, i int, amount uint64) uint64 {
	if i == len(ms)-1 {
		var before uint64
		for j := range i {
			before += MilestoneShare(ms, j, amount)
		}
		return amount - before
	}
	// amount ≤ MaxKRW and weight ≤ 10,000: the product fits in 64 bits.
	return amount * uint64(ms[i].WeightBP) / WeightDenominator
}

// MsgContractsMilestone names a milestone of a contract (by index from 0).
type MsgContractsMilestone struct {
	Contract  string `json:"contract"`
	Milestone uint32 `json:"milestone"`
}

func (m *MsgContractsMilestone) validate() error { return contractID("contract", m.Contract) }

// MsgContractsDeliver records the prime's delivery of a milestone (the
// start of the 60-day payment term). Only the prime may send it.
type MsgContractsDeliver struct{ MsgContractsMilestone }

func (*MsgContractsDeliver) Type() string { return TypeContractsDeliver }

// ValidateBasic implements Msg.
func (m *MsgContractsDeliver) ValidateBasic() error { return m.validate() }

// MsgContractsApprove approves a delivered milestone and releases its
// money. Only the contract's supervisor (role works_supervisor) may send
// it; a frozen milestone is refused.
type MsgContractsApprove struct{ MsgContractsMilestone }

func (*MsgContractsApprove) Type() string { return TypeContractsApprove }

// ValidateBasic implements Msg.
func (m *MsgContractsApprove) ValidateBasic() error { return m.validate() }

// MsgContractsPaySub pays a subcontractor's instalment the prime owes for
// a milestone: the principal plus the interest accrued to the block's date,
// from the prime's ukrw. Only the prime may send it.
type MsgContractsPaySub struct {
	Contract      string  `json:"contract"`
	Milestone     uint32  `json:"milestone"`
	Subcontractor Address `json:"subcontractor"`
}

func (*MsgContractsPaySub) Type() string { return TypeContractsPaySub }

// ValidateBasic implements Msg.
func (m *MsgContractsPaySub) ValidateBasic() error {
	return errors.Join(contractID("contract", m.Contract), requireAddress("subcontractor", m.Subcontractor))
}

// MsgContractsAgreeDirect is one party's signature of a three-party
// direct-payment agreement for Subcontractor: the owner, the prime and the
// subcontractor each send it; with the third the ground holds at once.
type MsgContractsAgreeDirect struct {
	Contract      string  `json:"contract"`
	Subcontractor Address `json:"subcontractor"`
}

func (*MsgContractsAgreeDirect) Type() string { return TypeContractsAgreeDirect }

// ValidateBasic implements Msg.
func (m *MsgContractsAgreeDirect) ValidateBasic() error {
	return errors.Join(contractID("contract", m.Contract), requireAddress("subcontractor", m.Subcontractor))
}

// MsgContractsAttest attests a ground against the contract's prime:
// insolvency (role court_registry) or guarantee_breach (the contract's
// guarantor, holding role guarantor). Evidence commits to the document.
type MsgContractsAttest struct {
	Contract string `json:"contract"`
	Ground   string `json:"ground"`
	Evidence Hash32 `json:"evidence"`
}

func (*MsgContractsAttest) Type() string { return TypeContractsAttest }

// ValidateBasic implements Msg.
func (m *MsgContractsAttest) ValidateBasic() error {
	var errs []error
	errs = append(errs, contractID("contract", m.Contract))
	if m.Ground != GroundInsolvency && m.Ground != GroundGuaranteeBreach {
		errs = append(errs, fmt.Errorf("ground %q: want %s or %s", m.Ground, GroundInsolvency, GroundGuaranteeBreach))
	}
	if m.Evidence == (Hash32{}) {
		errs = append(errs, errors.New("evidence: want the attested document's SHA-256"))
	}
	return errors.Join(errs...)
}

// MsgContractsRequestDirect is a subcontractor's request for direct
// payment on an attested ground (insolvency or guarantee_breach). Only a
// subcontractor of the contract may send it.
type MsgContractsRequestDirect struct {
	Contract string `json:"contract"`
	Ground   string `json:"ground"`
}

func (*MsgContractsRequestDirect) Type() string { return TypeContractsRequestDirect }

// ValidateBasic implements Msg.
func (m *MsgContractsRequestDirect) ValidateBasic() error {
	var errs []error
	errs = append(errs, contractID("contract", m.Contract))
	if m.Ground != GroundInsolvency && m.Ground != GroundGuaranteeBreach {
		errs = append(errs, fmt.Errorf("ground %q: want %s or %s (agreement: contracts/agree_direct; missed instalments need no request)", m.Ground, GroundInsolvency, GroundGuaranteeBreach))
	}
	return errors.Join(errs...)
}

// MsgContractsDispute freezes one milestone (open or delivered): no
// approval until the arbiter resolves it. The owner, the prime, a
// subcontractor or the supervisor may send it; Reason commits to the
// claim.
type MsgContractsDispute struct {
	Contract  string `json:"contract"`
	Milestone uint32 `json:"milestone"`
	Reason    Hash32 `json:"reason"`
}

func (*MsgContractsDispute) Type() string { return TypeContractsDispute }

// ValidateBasic implements Msg.
func (m *MsgContractsDispute) ValidateBasic() error {
	var errs []error
	errs = append(errs, contractID("contract", m.Contract))
	if m.Reason == (Hash32{}) {
		errs = append(errs, errors.New("reason: want the claim's SHA-256"))
	}
	return errors.Join(errs...)
}

// MsgContractsResolve resolves a frozen milestone: release (approved and
// released at once) or refund (its money back to the owner). Only the
// contract's arbiter may send it.
type MsgContractsResolve struct {
	Contract  string `json:"contract"`
	Milestone uint32 `json:"milestone"`
	Outcome   string `json:"outcome"`
}

func (*MsgContractsResolve) Type() string { return TypeContractsResolve }

// ValidateBasic implements Msg.
func (m *MsgContractsResolve) ValidateBasic() error {
	var errs []error
	errs = append(errs, contractID("contract", m.Contract))
	if m.Outcome != OutcomeRelease && m.Outcome != OutcomeRefund {
		errs = append(errs, fmt.Errorf("outcome %q: want %s or %s", m.Outcome, OutcomeRelease, OutcomeRefund))
	}
	return errors.Join(errs...)
}

// ContractMsgs is the contracts module's part of the transaction contract.
var ContractMsgs = ModuleMsgs{
	Module: "contracts",
	Roles:  []string{RoleWorksSupervisor, RoleCourtRegistry, RoleGuarantor, RoleArbitrator},
	Msgs: []MsgDef{
		{Type: TypeContractsCreate, New: func() Msg { return &MsgContractsCreate{} }, Signer: RoleAgency + " (the owner agency)"},
		{Type: TypeContractsDeliver, New: func() Msg { return &MsgContractsDeliver{} }, Signer: "the contract's prime"},
		{Type: TypeContractsApprove, New: func() Msg { return &MsgContractsApprove{} }, Signer: "the contract's supervisor (" + RoleWorksSupervisor + ")"},
		{Type: TypeContractsPaySub, New: func() Msg { return &MsgContractsPaySub{} }, Signer: "the contract's prime"},
		{Type: TypeContractsAgreeDirect, New: func() Msg { return &MsgContractsAgreeDirect{} }, Signer: "the owner, the prime or the subcontractor"},
		{Type: TypeContractsAttest, New: func() Msg { return &MsgContractsAttest{} }, Signer: RoleCourtRegistry + " (insolvency) or the contract's guarantor"},
		{Type: TypeContractsRequestDirect, New: func() Msg { return &MsgContractsRequestDirect{} }, Signer: "a subcontractor of the contract"},
		{Type: TypeContractsDispute, New: func() Msg { return &MsgContractsDispute{} }, Signer: "the owner, the prime, a subcontractor or the supervisor"},
		{Type: TypeContractsResolve, New: func() Msg { return &MsgContractsResolve{} }, Signer: "the contract's arbiter (" + RoleArbitrator + ")"},
	},
}

// CodespaceContracts is the codespace of the contracts module's result codes.
const CodespaceContracts = "contracts"

// Result codes of the contracts module (see Code). Frozen.
var (
	CodeContractsInvalidGenesis   = Code{CodespaceContracts, 2}  // invalid contracts genesis
	CodeContractsNotAgency        = Code{CodespaceContracts, 3}  // signer lacks the agency role
	CodeContractsExists           = Code{CodespaceContracts, 4}  // a contract with that id exists: terms are never replaced
	CodeContractsBadParty         = Code{CodespaceContracts, 5}  // supervisor, arbiter or guarantor lacks its role, or a party is the owner
	CodeContractsInsufficient     = Code{CodespaceContracts, 6}  // the owner (create) or the prime (pay) lacks the ukrw
	CodeContractsUnknown          = Code{CodespaceContracts, 7}  // no such contract
	CodeContractsUnknownMilestone = Code{CodespaceContracts, 8}  // no such milestone
	CodeContractsNotParty         = Code{CodespaceContracts, 9}  // signer is not the party the message needs
	CodeContractsMilestoneState   = Code{CodespaceContracts, 10} // milestone not in a status that allows it (e.g. approve before delivery)
	CodeContractsFrozen           = Code{CodespaceContracts, 11} // the milestone is disputed: only the arbiter acts on it
	CodeContractsUnknownSub       = Code{CodespaceContracts, 12} // not a subcontractor of the contract
	CodeContractsNothingOwed      = Code{CodespaceContracts, 13} // no unpaid instalment for that milestone and subcontractor
	CodeContractsNoGround         = Code{CodespaceContracts, 14} // the ground is not attested for this contract
	CodeContractsAlreadyDirect    = Code{CodespaceContracts, 15} // the subcontractor is already paid directly, or already agreed
)

// Query types of the contracts module.

// ContractsParams are the contracts module's genesis parameters.
type ContractsParams struct {
	// LateRates are the dated late-payment rates (kind "late_interest",
	// parts per 100,000 a year); default 15,500 from 2000-01-01.
	LateRates []LabourRule `json:"late_rates"`
	// MaxDuePerBlock bounds the instalment due dates end-of-block work
	// examines in one block (default 2,000).
	MaxDuePerBlock uint32 `json:"max_due_per_block"`
}

// DefaultContractsParams are the parameters of a chain whose genesis sets
// none: 15.5 % a year from 2000-01-01 (DefaultSubLateRate) and 2,000 due
// dates per block.
func DefaultContractsParams() ContractsParams {
	return ContractsParams{
		LateRates:      []LabourRule{{Kind: RuleLateInterest, Effective: "2000-01-01", Value: DefaultSubLateRate}},
		MaxDuePerBlock: 2_000,
	}
}

// ContractMilestone is a milestone as stored.
type ContractMilestone struct {
	Milestone
	Status    string `json:"status"`
	Delivered int64  `json:"delivered,omitempty"` // block time, unix seconds
	Approved  int64  `json:"approved,omitempty"`
	Dispute   Hash32 `json:"dispute,omitzero"`
	// DisputedBy is the party that froze it.
	DisputedBy Address `json:"disputed_by,omitzero"`
}

// ContractSub is a subcontractor as stored: its share, whether it is paid
// directly and on which ground, the agreement signatures and the count of
// instalments the prime missed.
type ContractSub struct {
	Subcontractor
	Direct  bool     `json:"direct"`
	Ground  string   `json:"ground,omitempty"`
	Agreed  []string `json:"agreed,omitempty"` // "owner", "prime", "subcontractor", as they signed
	Missed  uint32   `json:"missed"`
	PaidKRW uint64   `json:"paid_krw"`
	OwedKRW uint64   `json:"owed_krw"`
}

// Contract is a public-works contract as stored (/contracts/contract).
type Contract struct {
	ID             string              `json:"id"`
	Owner          Address             `json:"owner"`
	Prime          Address             `json:"prime"`
	Supervisor     Address             `json:"supervisor"`
	Arbiter        Address             `json:"arbiter"`
	Guarantor      Address             `json:"guarantor"`
	Pools          ContractPools       `json:"pools"`
	Subcontractors []ContractSub       `json:"subcontractors"`
	Milestones     []ContractMilestone `json:"milestones"`
	Terms          Hash32              `json:"terms"`
	Created        int64               `json:"created"`
	// Attested lists the grounds attested against the prime.
	Attested []string `json:"attested,omitempty"`
	// EscrowKRW is what the escrow still holds for the contract.
	EscrowKRW   uint64 `json:"escrow_krw"`
	ReleasedKRW uint64 `json:"released_krw"`
	RefundedKRW uint64 `json:"refunded_krw"`
}

// Instalment is what the prime owes a subcontractor for a milestone
// (/contracts/instalment): due at the earliest of the milestone's due date,
// delivery + 60 days and approval + 15 days; interest from the day after.
type Instalment struct {
	Contract      string  `json:"contract"`
	Milestone     uint32  `json:"milestone"`
	Subcontractor Address `json:"subcontractor"`
	PrincipalKRW  uint64  `json:"principal_krw"`
	Due           int64   `json:"due"`
	Missed        bool    `json:"missed"`
	PaidAt        int64   `json:"paid_at,omitempty"`
	InterestKRW   uint64  `json:"interest_krw,omitempty"`
}

// ArrearsLine is one party's line of a contract's arrears view
// (/contracts/line): in tier prime or subcontract, what was released or
// owed to Party and what was paid. Owed counts principal still unpaid
// (interest is computed by LateInterest at the date asked).
type ArrearsLine struct {
	Contract string  `json:"contract"`
	Tier     string  `json:"tier"`
	Party    Address `json:"party"`
	OwedKRW  uint64  `json:"owed_krw"`
	PaidKRW  uint64  `json:"paid_krw"`
	// OverdueKRW is the part of Owed past its due date (a missed
	// instalment).
	OverdueKRW uint64 `json:"overdue_krw"`
}

// ArrearsTier totals one tier of a contract.
type ArrearsTier struct {
	Tier       string `json:"tier"`
	OwedKRW    uint64 `json:"owed_krw"`
	PaidKRW    uint64 `json:"paid_krw"`
	OverdueKRW uint64 `json:"overdue_krw"`
}

// ContractArrears answers /contracts/arrears: the tiers of one contract
// (the labour tier from module labour's project lines).
type ContractArrears struct {
	Contract string        `json:"contract"`
	Tiers    []ArrearsTier `json:"tiers"`
}

// ContractRequest names a contract (/contracts/contract, /contracts/arrears).
type ContractRequest struct {
	ID string `json:"id"`
}

// ContractsRequest pages contracts (/contracts/contracts) by id, those
// where Party takes part when set.
type ContractsRequest struct {
	Party Address `json:"party,omitzero"`
	After string  `json:"after,omitempty"`
	Limit uint32  `json:"limit,omitempty"`
}

// ContractPage is a page of contracts.
type ContractPage struct {
	Contracts []Contract `json:"contracts"`
	Next      string     `json:"next,omitempty"`
}

// InstalmentRequest names an instalment (/contracts/instalment).
type InstalmentRequest struct {
	Contract      string  `json:"contract"`
	Milestone     uint32  `json:"milestone"`
	Subcontractor Address `json:"subcontractor"`
}

// InstalmentsRequest lists a contract's instalments (/contracts/instalments).
type InstalmentsRequest struct {
	Contract string `json:"contract"`
}

// InstalmentList lists instalments in (milestone, subcontractor) order.
type InstalmentList struct {
	Instalments []Instalment `json:"instalments"`
}

// ArrearsLineRequest names one line (/contracts/line).
type ArrearsLineRequest struct {
	Contract string  `json:"contract"`
	Tier     string  `json:"tier"`
	Party    Address `json:"party"`
}
