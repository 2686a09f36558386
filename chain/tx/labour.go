package tx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Message types of the labour module: part-time employment contracts with
// every field the Part-time Act (art. 17) requires, countersigned by the
// worker; signed timesheets; pay computed at consensus (hours, the weekly
// holiday allowance, the dated minimum wage and insurance shares) and paid
// on the pay day from the employer's escrow in end-of-block work, with
// late-pay interest and a wage statement for every payment. See
// docs/labour.md.
const (
	TypeLabourSetRule     = "labour/set_rule"
	TypeLabourDeposit     = "labour/deposit"
	TypeLabourWithdraw    = "labour/withdraw"
	TypeLabourOffer       = "labour/offer"
	TypeLabourCountersign = "labour/countersign"
	TypeLabourEnd         = "labour/end"
	TypeLabourClock       = "labour/clock"
	TypeLabourCorrect     = "labour/correct"
)

// RoleLabourMinistry sets the dated rule table (minimum wage, insurance
// shares, late-pay interest).
const RoleLabourMinistry = "labour_ministry"

// KindWorkTerminal is the device kind of a workplace time clock: registered
// like a meter (devices/register by an installer, owned by the employer),
// its key signs clock events (LabourClockMessage). It measures no reading.
const KindWorkTerminal = "work_terminal"

// UKRWPerWon is the number of ukrw in one won. The labour and contracts
// modules count in whole won and move won × UKRWPerWon ukrw.
const UKRWPerWon = 1_000_000

// WonCoin is won whole won as a ukrw coin (won ≤ MaxKRW, so it fits).
func WonCoin(won uint64) Coin { return Coin{Amount: won * UKRWPerWon, Denom: DenomKRW} }

// Rule kinds of the dated rule table. Rates are in parts per 100,000
// (4.75 % is 4750); the long-term care rate is a share of the health
// premium; the minimum wage is won per hour.
const (
	RuleMinWage      = "min_wage"
	RulePension      = "pension"
	RuleHealth       = "health"
	RuleCare         = "care"
	RuleEmployment   = "employment"
	RuleLateInterest = "late_interest"
)

// RuleKinds lists the rule kinds, in their fixed order.
var RuleKinds = []string{RuleMinWage, RulePension, RuleHealth, RuleCare, RuleEmployment, RuleLateInterest}

// RateDenominator is the denominator of every rate: parts per 100,000.
const RateDenominator = 100_000

// Pay cycles of a contract.
const (
	PayDaily   = "daily"   // each shift paid at its clock-out (the block after at the latest); the weekly allowance at the week's end
	PayWeekly  = "weekly"  // a week (Monday to Sunday, KST) paid on weekday pay_day (1 = Monday) of the next week
	PayMonthly = "monthly" // the weeks ending in a month paid on day pay_day (1 to 28) of the next month
)

// Clock actions.
const (
	ClockIn  = "in"
	ClockOut = "out"
)

// Contract statuses.
const (
	LabourOffered = "offered" // waiting for the worker's countersignature
	LabourActive  = "active"  // countersigned: shifts may be clocked
	LabourEnded   = "ended"   // past its end date (set by labour/end or the offer's end)
)

// Wage statement statuses.
const (
	StatementPending = "pending" // accumulating or waiting for its due time
	StatementLate    = "late"    // due, the escrow was short: interest accrues
	StatementPaid    = "paid"
)

// Bounds of the labour messages.
const (
	MaxHourlyWage     = 10_000_000         // won an hour
	MaxKRW            = 10_000_000_000_000 // 10 trillion won: the largest amount in one message or fund
	MaxScheduleDays   = 7
	MaxDayMinutes     = 24 * 60
	MaxClockSkew      = 60        // seconds a terminal's clock may run ahead of the block time
	MaxClockDelay     = 24 * 3600 // seconds a terminal's stamp may be relayed after it was signed
	MaxProjectID      = 32
	labourClockDomain = "citychain/labour/clock/v1"
)

// KST is Korea Standard Time (UTC+9, no daylight saving): the time zone of
// every date and week of the labour and contracts modules.
var KST = time.FixedZone("KST", 9*3600)

// Weekdays as the schedule names them, Monday first (ISO 8601).
var weekdayNames = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// ISOWeekday returns 1 (Monday) to 7 (Sunday) for a schedule day name, or 0.
func ISOWeekday(name string) int {
	return slices.Index(weekdayNames, name) + 1
}

// WeekdayName returns the schedule name of ISO weekday d (1 = "mon").
func WeekdayName(d int) string {
	if d < 1 || d > 7 {
		return ""
	}
	return weekdayNames[d-1]
}

// ParseDate parses a "YYYY-MM-DD" date at 00:00 KST and returns its unix
// seconds. field names the field in the error.
func ParseDate(field, s string) (int64, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, KST)
	if err != nil || t.Format(time.DateOnly) != s {
		return 0, fmt.Errorf("%s %q: want a date YYYY-MM-DD", field, s)
	}
	return t.Unix(), nil
}

// DateOf returns the KST date of unix time t as "YYYY-MM-DD".
func DateOf(t int64) string { return time.Unix(t, 0).In(KST).Format(time.DateOnly) }

// DayStart returns the unix time of 00:00 KST of the day holding t.
func DayStart(t int64) int64 {
	const off = 9 * 3600
	return (t+off)/86400*86400 - off - boolInt((t+off)%86400 < 0)*86400
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// WeekStart returns the unix time of Monday 00:00 KST of the week holding t.
func WeekStart(t int64) int64 {
	d := DayStart(t)
	wd := int64(time.Unix(d, 0).In(KST).Weekday()+6) % 7 // Monday = 0
	return d - wd*86400
}

// WorkDay is one working day of a contract's schedule: the weekday, the
// start time (HH:MM, KST), the paid minutes and the unpaid break minutes.
type WorkDay struct {
	Day          string `json:"day"`
	Start        string `json:"start"`
	Minutes      uint32 `json:"minutes"`
	BreakMinutes uint32 `json:"break_minutes"`
}

// MsgLabourSetRule adds a row to the dated rule table: from Effective
// (a date after the block's date) Value holds for Kind. Rows are never
// changed or removed; a later row supersedes an earlier one from its date.
type MsgLabourSetRule struct {
	Kind      string `json:"kind"`
	Effective string `json:"effective"`
	Value     uint64 `json:"value"`
}

func (*MsgLabourSetRule) Type() string { return TypeLabourSetRule }

// ValidateBasic implements Msg.
func (m *MsgLabourSetRule) ValidateBasic() error {
	var errs []error
	if !slices.Contains(RuleKinds, m.Kind) {
		errs = append(errs, fmt.Errorf("kind %q: want one of %v", m.Kind, RuleKinds))
	}
	if _, err := ParseDate("effective", m.Effective); err != nil {
		errs = append(errs, err)
	}
	switch {
	case m.Kind == RuleMinWage && (m.Value == 0 || m.Value > MaxHourlyWage):
		errs = append(errs, fmt.Errorf("value %d: a minimum wage is 1 to %d won an hour", m.Value, MaxHourlyWage))
	case m.Kind != RuleMinWage && m.Value > RateDenominator:
		errs = append(errs, fmt.Errorf("value %d: a rate is 0 to %d parts per %d", m.Value, RateDenominator, RateDenominator))
	}
	return errors.Join(errs...)
}

// MsgLabourDeposit moves AmountKRW won (as ukrw) from the signer into its
// escrow fund, from which its workers are paid.
type MsgLabourDeposit struct {
	AmountKRW uint64 `json:"amount_krw"`
}

func (*MsgLabourDeposit) Type() string { return TypeLabourDeposit }

// ValidateBasic implements Msg.
func (m *MsgLabourDeposit) ValidateBasic() error { return requireKRW("amount_krw", m.AmountKRW) }

// MsgLabourWithdraw takes AmountKRW won back from the signer's own fund:
// at most the fund's balance less what its contracts owe (pending and late
// statements). A project's labour pool can never be withdrawn.
type MsgLabourWithdraw struct {
	AmountKRW uint64 `json:"amount_krw"`
}

func (*MsgLabourWithdraw) Type() string { return TypeLabourWithdraw }

// ValidateBasic implements Msg.
func (m *MsgLabourWithdraw) ValidateBasic() error { return requireKRW("amount_krw", m.AmountKRW) }

func requireKRW(field string, v uint64) error {
	if v == 0 || v > MaxKRW {
		return fmt.Errorf("%s %d: want 1 to %d won", field, v, uint64(MaxKRW))
	}
	return nil
}

// MsgLabourOffer is an employment contract offered by its employer (the
// signer) to Worker. It carries every field the Part-time Act art. 17
// requires, personal data as commitments (SHA-256 of salted text the
// parties keep): the period (Start, End; no End for an open-ended
// contract), the working days with the hours of each (Schedule), the wage
// (HourlyWage, paid in ukrw into the worker's chain wallet), the pay cycle
// and day, the weekly holiday, the annual leave terms, the place and the
// duties. Project names a public-works contract (module contracts) whose
// labour pool pays this contract; the employer must then be the project's
// prime or one of its subcontractors.
type MsgLabourOffer struct {
	Worker        Address   `json:"worker"`
	Project       string    `json:"project,omitempty"`
	Start         string    `json:"start"`
	End           string    `json:"end,omitempty"`
	Schedule      []WorkDay `json:"schedule"`
	HourlyWage    uint64    `json:"hourly_wage"`
	PayCycle      string    `json:"pay_cycle"`
	PayDay        uint32    `json:"pay_day"`
	WeeklyHoliday string    `json:"weekly_holiday"`
	Leave         Hash32    `json:"leave"`
	Place         Hash32    `json:"place"`
	Duties        Hash32    `json:"duties"`
	WorkerID      Hash32    `json:"worker_id"`
	Terms         Hash32    `json:"terms"`
}

func (*MsgLabourOffer) Type() string { return TypeLabourOffer }

// ValidateBasic implements Msg. Each error names its field.
func (m *MsgLabourOffer) ValidateBasic() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(requireAddress("worker", m.Worker))
	if m.Project != "" {
		add(ValidateProjectID(m.Project))
	}
	start, err := ParseDate("start", m.Start)
	add(err)
	if m.End != "" {
		end, err := ParseDate("end", m.End)
		add(err)
		if err == nil && start != 0 && end < start {
			add(fmt.Errorf("end %s: before start %s", m.End, m.Start))
		}
	}
	add(ValidateSchedule(m.Schedule))
	if m.HourlyWage == 0 || m.HourlyWage > MaxHourlyWage {
		add(fmt.Errorf("hourly_wage %d: want 1 to %d won", m.HourlyWage, MaxHourlyWage))
	}
	switch m.PayCycle {
	case PayDaily:
		if m.PayDay != 0 {
			add(fmt.Errorf("pay_day %d: a daily cycle pays at each clock-out, want 0", m.PayDay))
		}
	case PayWeekly:
		if m.PayDay < 1 || m.PayDay > 7 {
			add(fmt.Errorf("pay_day %d: a weekly cycle wants a weekday 1 (Monday) to 7 (Sunday)", m.PayDay))
		}
	case PayMonthly:
		if m.PayDay < 1 || m.PayDay > 28 {
			add(fmt.Errorf("pay_day %d: a monthly cycle wants a day 1 to 28", m.PayDay))
		}
	default:
		add(fmt.Errorf("pay_cycle %q: want %s, %s or %s", m.PayCycle, PayDaily, PayWeekly, PayMonthly))
	}
	if d := ISOWeekday(m.WeeklyHoliday); d == 0 {
		add(fmt.Errorf("weekly_holiday %q: want a day mon to sun", m.WeeklyHoliday))
	} else if slices.ContainsFunc(m.Schedule, func(w WorkDay) bool { return w.Day == m.WeeklyHoliday }) {
		add(fmt.Errorf("weekly_holiday %q: is a working day of the schedule", m.WeeklyHoliday))
	}
	for _, f := range [...]struct {
		name string
		h    Hash32
	}{{"leave", m.Leave}, {"place", m.Place}, {"duties", m.Duties}, {"worker_id", m.WorkerID}, {"terms", m.Terms}} {
		if f.h == (Hash32{}) {
			add(fmt.Errorf("%s: want the SHA-256 commitment the Part-time Act art. 17 requires, got none", f.name))
		}
	}
	return errors.Join(errs...)
}

// ValidateSchedule checks a schedule: 1 to 7 distinct days, each with a
// start HH:MM, 1 to 1440 paid minutes and a break that fits the day.
func ValidateSchedule(s []WorkDay) error {
	if len(s) == 0 || len(s) > MaxScheduleDays {
		return fmt.Errorf("schedule: %d days, want the working days (1 to %d) with the hours of each", len(s), MaxScheduleDays)
	}
	var errs []error
	seen := map[string]bool{}
	for i, d := range s {
		switch {
		case ISOWeekday(d.Day) == 0:
			errs = append(errs, fmt.Errorf("schedule[%d].day %q: want mon to sun", i, d.Day))
		case seen[d.Day]:
			errs = append(errs, fmt.Errorf("schedule[%d].day %q: listed twice", i, d.Day))
		}
		seen[d.Day] = true
		if _, err := time.Parse("15:04", d.Start); err != nil || len(d.Start) != 5 {
			errs = append(errs, fmt.Errorf("schedule[%d].start %q: want HH:MM", i, d.Start))
		}
		if d.Minutes == 0 || d.Minutes+d.BreakMinutes > MaxDayMinutes {
			errs = append(errs, fmt.Errorf("schedule[%d].minutes %d (break %d): want the day's hours, 1 to %d minutes with the break", i, d.Minutes, d.BreakMinutes, MaxDayMinutes))
		}
	}
	return errors.Join(errs...)
}

// WeeklyMinutes is the contracted (소정) minutes of a week: the sum of the
// schedule's paid minutes.
func WeeklyMinutes(s []WorkDay) uint64 {
	var n uint64
	for _, d := range s {
		n += uint64(d.Minutes)
	}
	return n
}

// ValidateProjectID checks a public-works contract id: 1 to 32 of
// [a-z0-9-].
func ValidateProjectID(id string) error {
	if len(id) == 0 || len(id) > MaxProjectID {
		return fmt.Errorf("project %q: want 1 to %d characters of a-z, 0-9 and '-'", id, MaxProjectID)
	}
	for _, c := range []byte(id) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("project %q: want only a-z, 0-9 and '-'", id)
		}
	}
	return nil
}

// MsgLabourCountersign is the worker's signature of contract Contract:
// Terms must equal the offer's terms commitment (the worker signs what it
// read). Only the contract's worker may send it.
type MsgLabourCountersign struct {
	Contract uint64 `json:"contract"`
	Terms    Hash32 `json:"terms"`
}

func (*MsgLabourCountersign) Type() string { return TypeLabourCountersign }

// ValidateBasic implements Msg.
func (m *MsgLabourCountersign) ValidateBasic() error {
	var errs []error
	if m.Contract == 0 {
		errs = append(errs, errors.New("contract: want a contract id"))
	}
	if m.Terms == (Hash32{}) {
		errs = append(errs, errors.New("terms: want the offer's terms commitment"))
	}
	return errors.Join(errs...)
}

// MsgLabourEnd ends contract Contract after date End (the last working
// day); the employer or the worker may send it, with End not before the
// block's date nor after the contract's own end. The last pay is due no
// later than 14 days after End (LSA art. 36).
type MsgLabourEnd struct {
	Contract uint64 `json:"contract"`
	End      string `json:"end"`
}

func (*MsgLabourEnd) Type() string { return TypeLabourEnd }

// ValidateBasic implements Msg.
func (m *MsgLabourEnd) ValidateBasic() error {
	var errs []error
	if m.Contract == 0 {
		errs = append(errs, errors.New("contract: want a contract id"))
	}
	if _, err := ParseDate("end", m.End); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// TerminalStamp is a clock event signed by a workplace terminal (a device
// of kind work_terminal owned by the contract's employer): the device, its
// key epoch, the event's time (unix seconds) and the ed25519 signature of
// LabourClockMessage.
type TerminalStamp struct {
	Device    string `json:"device"`
	KeyEpoch  uint32 `json:"key_epoch"`
	At        int64  `json:"at"`
	Signature []byte `json:"signature"`
}

// MsgLabourClock clocks the worker of contract Contract in or out. Signed
// by the worker, the event's time is the block time; with a Terminal stamp
// anyone may relay it (the employer's gateway) and the stamp's time counts:
// at most MaxClockSkew seconds after the block time, at most MaxClockDelay
// before it, and after the contract's previous event.
type MsgLabourClock struct {
	Contract uint64         `json:"contract"`
	Action   string         `json:"action"`
	Terminal *TerminalStamp `json:"terminal,omitempty"`
}

func (*MsgLabourClock) Type() string { return TypeLabourClock }

// ValidateBasic implements Msg.
func (m *MsgLabourClock) ValidateBasic() error {
	var errs []error
	if m.Contract == 0 {
		errs = append(errs, errors.New("contract: want a contract id"))
	}
	if m.Action != ClockIn && m.Action != ClockOut {
		errs = append(errs, fmt.Errorf("action %q: want %s or %s", m.Action, ClockIn, ClockOut))
	}
	if t := m.Terminal; t != nil {
		if err := ValidateDeviceID(t.Device); err != nil {
			errs = append(errs, fmt.Errorf("terminal.device: %w", err))
		}
		if t.KeyEpoch == 0 {
			errs = append(errs, errors.New("terminal.key_epoch: want the device's key epoch (1 or more)"))
		}
		if t.At <= 0 {
			errs = append(errs, fmt.Errorf("terminal.at %d: want unix seconds", t.At))
		}
		if len(t.Signature) != 64 {
			errs = append(errs, fmt.Errorf("terminal.signature: %d bytes, want a 64-byte ed25519 signature", len(t.Signature)))
		}
	}
	return errors.Join(errs...)
}

// LabourClockMessage is what a workplace terminal signs for a clock event:
// "citychain/labour/clock/v1" 0x00 chain id 0x00 the contract (8 bytes big
// endian) the action ("in" or "out") 0x00 the time (8 bytes big endian,
// unix seconds) the device id.
func LabourClockMessage(chainID string, contract uint64, action string, at int64, device string) []byte {
	b := make([]byte, 0, 64+len(chainID)+len(device))
	b = append(b, labourClockDomain...)
	b = append(b, 0)
	b = append(b, chainID...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint64(b, contract)
	b = append(b, action...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint64(b, uint64(at))
	return append(b, device...)
}

// MsgLabourCorrect corrects shift Shift of contract Contract to In and Out
// (unix seconds). The worker's correction applies. The employer's applies
// when it does not lower the shift's paid minutes; one that does is
// recorded as disputed and pay keeps the original until the worker sends
// the same correction. A shift already on a paid statement cannot change.
type MsgLabourCorrect struct {
	Contract uint64 `json:"contract"`
	Shift    uint64 `json:"shift"`
	In       int64  `json:"in"`
	Out      int64  `json:"out"`
}

func (*MsgLabourCorrect) Type() string { return TypeLabourCorrect }

// ValidateBasic implements Msg.
func (m *MsgLabourCorrect) ValidateBasic() error {
	var errs []error
	if m.Contract == 0 {
		errs = append(errs, errors.New("contract: want a contract id"))
	}
	if m.Shift == 0 {
		errs = append(errs, errors.New("shift: want the id of the shift corrected"))
	}
	if m.In <= 0 || m.Out <= m.In {
		errs = append(errs, fmt.Errorf("in %d, out %d: want unix seconds with out after in", m.In, m.Out))
	} else if m.Out-m.In > MaxDayMinutes*60 {
		errs = append(errs, fmt.Errorf("out %d: more than 24 hours after in", m.Out))
	}
	return errors.Join(errs...)
}

// LabourMsgs is the labour module's part of the transaction contract.
var LabourMsgs = ModuleMsgs{
	Module: "labour",
	Roles:  []string{RoleLabourMinistry},
	Msgs: []MsgDef{
		{Type: TypeLabourSetRule, New: func() Msg { return &MsgLabourSetRule{} }, Signer: RoleLabourMinistry},
		{Type: TypeLabourDeposit, New: func() Msg { return &MsgLabourDeposit{} }, Signer: "the employer (its own fund)"},
		{Type: TypeLabourWithdraw, New: func() Msg { return &MsgLabourWithdraw{} }, Signer: "the employer (its own fund)"},
		{Type: TypeLabourOffer, New: func() Msg { return &MsgLabourOffer{} }, Signer: "the employer"},
		{Type: TypeLabourCountersign, New: func() Msg { return &MsgLabourCountersign{} }, Signer: "the contract's worker"},
		{Type: TypeLabourEnd, New: func() Msg { return &MsgLabourEnd{} }, Signer: "the contract's employer or worker"},
		{Type: TypeLabourClock, New: func() Msg { return &MsgLabourClock{} }, Signer: "the contract's worker, or anyone relaying a terminal's stamp"},
		{Type: TypeLabourCorrect, New: func() Msg { return &MsgLabourCorrect{} }, Signer: "the contract's employer or worker"},
	},
}

// CodespaceLabour is the codespace of the labour module's result codes.
const CodespaceLabour = "labour"

// Result codes of the labour module (see Code). Frozen.
var (
	CodeLabourInvalidGenesis   = Code{CodespaceLabour, 2}  // invalid labour genesis
	CodeLabourNotMinistry      = Code{CodespaceLabour, 3}  // signer lacks labour_ministry
	CodeLabourRuleDate         = Code{CodespaceLabour, 4}  // rule row not after the block's date, or not after the kind's last row
	CodeLabourBelowMinimum     = Code{CodespaceLabour, 5}  // wage below the minimum in force (at the start, or on the shift's date)
	CodeLabourUnknownContract  = Code{CodespaceLabour, 6}  // no such contract
	CodeLabourNotParty         = Code{CodespaceLabour, 7}  // signer is not the contract's worker or employer (as the message needs)
	CodeLabourNotCountersigned = Code{CodespaceLabour, 8}  // no clock event before the worker countersigns
	CodeLabourTermsMismatch    = Code{CodespaceLabour, 9}  // countersigned terms differ from the offer's
	CodeLabourWrongStatus      = Code{CodespaceLabour, 10} // contract not in a status that allows it (already countersigned, ended...)
	CodeLabourOutsidePeriod    = Code{CodespaceLabour, 11} // clock event outside the contract's period
	CodeLabourClockState       = Code{CodespaceLabour, 12} // in while a shift is open, or out with none open
	CodeLabourBadTerminal      = Code{CodespaceLabour, 13} // terminal unknown, not a work terminal, not the employer's, revoked, or its signature fails
	CodeLabourStampTime        = Code{CodespaceLabour, 14} // stamp too far ahead of or behind the block, or not after the previous event
	CodeLabourUnknownShift     = Code{CodespaceLabour, 15} // no such shift
	CodeLabourShiftSettled     = Code{CodespaceLabour, 16} // the shift is on a statement already paid or due
	CodeLabourInsufficient     = Code{CodespaceLabour, 17} // deposit beyond the signer's ukrw, or withdrawal beyond the fund's free balance
	CodeLabourProjectEmployer  = Code{CodespaceLabour, 18} // project unknown, or the employer is not its prime or a subcontractor
	CodeLabourSelfEmployment   = Code{CodespaceLabour, 19} // worker is the employer
	CodeLabourBadEnd           = Code{CodespaceLabour, 20} // end before the block's date or after the contract's end
)

// Query types of the labour module.

// LabourRule is one row of the dated rule table.
type LabourRule struct {
	Kind      string `json:"kind"`
	Effective string `json:"effective"`
	Value     uint64 `json:"value"`
}

// LabourParams are the labour module's genesis parameters.
type LabourParams struct {
	// MaxPaymentsPerBlock bounds the end-of-block work of a block: week
	// closings plus payments attempted (default 2,000). What is left waits
	// for the next block, in due order.
	MaxPaymentsPerBlock uint32 `json:"max_payments_per_block"`
}

// LabourRules answers /labour/rules: the table by kind, rows in date order.
type LabourRules struct {
	Params LabourParams `json:"params"`
	Rules  []LabourRule `json:"rules"`
}

// RuleAt returns the value of kind in force on the KST date of unix time t
// (the last row whose effective date is not after it), and false when no
// row is in force yet. rows must be in effective-date order.
func RuleAt(rows []LabourRule, kind string, t int64) (uint64, bool) {
	d := DateOf(t)
	var v uint64
	ok := false
	for _, r := range rows {
		if r.Kind == kind && r.Effective <= d {
			v, ok = r.Value, true
		}
	}
	return v, ok
}

// LabourContract is a contract as stored (/labour/contract).
type LabourContract struct {
	ID       uint64  `json:"id"`
	Employer Address `json:"employer"`
	MsgLabourOffer
	Status string `json:"status"`
	// Countersigned is the block time (unix seconds) of the worker's
	// signature; 0 while offered.
	Countersigned int64 `json:"countersigned,omitempty"`
	// Ended is the end date set by labour/end (else End holds).
	EndedOn string `json:"ended_on,omitempty"`
	// Shifts counts the contract's shifts; Open is the open shift's id.
	Shifts uint64 `json:"shifts"`
	Open   uint64 `json:"open,omitempty"`
	// LastEvent is the time of the last clock event (unix seconds).
	LastEvent int64 `json:"last_event,omitempty"`
	// ClosedThrough is the start of the first week not yet closed.
	ClosedThrough int64 `json:"closed_through,omitempty"`
}

// Shift is one clocked shift (/labour/shift). Times are unix seconds.
type Shift struct {
	Contract uint64 `json:"contract"`
	ID       uint64 `json:"id"`
	In       int64  `json:"in"`
	Out      int64  `json:"out,omitempty"`
	// InBy, OutBy: "worker" or the terminal's device id.
	InBy  string `json:"in_by"`
	OutBy string `json:"out_by,omitempty"`
	// Minutes are the paid minutes: the elapsed whole minutes less the
	// schedule's break of that weekday (0 on a day off), never below 0.
	Minutes uint64 `json:"minutes"`
	// Corrections applied, in order; Disputed holds an employer's
	// correction that would lower pay, waiting for the worker.
	Corrections []ShiftCorrection `json:"corrections,omitempty"`
	Disputed    *ShiftCorrection  `json:"disputed,omitempty"`
	// Statement is the statement that paid or will pay the shift (0 until
	// its week is closed, or its clock-out for a daily contract).
	Statement uint64 `json:"statement,omitempty"`
}

// ShiftCorrection is one correction of a shift.
type ShiftCorrection struct {
	In     int64   `json:"in"`
	Out    int64   `json:"out"`
	By     Address `json:"by"`
	Height int64   `json:"height"`
}

// StatementItem is one pay item with its calculation basis.
type StatementItem struct {
	Name       string `json:"name"` // "hours", "weekly_holiday", "rounding"
	Basis      string `json:"basis"`
	Minutes    uint64 `json:"minutes,omitempty"`
	HourlyWage uint64 `json:"hourly_wage,omitempty"`
	AmountKRW  uint64 `json:"amount_krw"`
}

// StatementDeduction is one deduction (employee insurance share).
type StatementDeduction struct {
	Name      string `json:"name"` // pension, health, care, employment
	Rate      uint64 `json:"rate"` // parts per 100,000
	BaseKRW   uint64 `json:"base_krw"`
	AmountKRW uint64 `json:"amount_krw"`
}

// WageStatement is the statement of one payment (LSA art. 48(2)),
// /labour/statement: the contract and parties, the period, each item with
// its basis, the gross (one final rounding of the exact total: items'
// floors plus a "rounding" item), the deductions, the net, and when paid
// late the days and the interest. Its hash (LabourStatementHash) is in the
// labour.paid event and the state is provable.
type WageStatement struct {
	ID         uint64               `json:"id"`
	Contract   uint64               `json:"contract"`
	Employer   Address              `json:"employer"`
	Worker     Address              `json:"worker"`
	WorkerID   Hash32               `json:"worker_id"`
	Project    string               `json:"project,omitempty"`
	From       int64                `json:"from"`
	To         int64                `json:"to"`
	Due        int64                `json:"due"`
	Items      []StatementItem      `json:"items"`
	GrossKRW   uint64               `json:"gross_krw"`
	Deductions []StatementDeduction `json:"deductions"`
	NetKRW     uint64               `json:"net_krw"`
	Status     string               `json:"status"`
	PaidAt     int64                `json:"paid_at,omitempty"`
	DaysLate   uint64               `json:"days_late,omitempty"`
	// InterestKRW is the late-pay interest paid with the statement.
	InterestKRW uint64 `json:"interest_krw,omitempty"`
}

// LabourFund is one escrow fund (/labour/fund): an employer's (Owner set)
// or a public-works project's labour pool (Project set).
type LabourFund struct {
	Owner      Address `json:"owner,omitzero"`
	Project    string  `json:"project,omitempty"`
	BalanceKRW uint64  `json:"balance_krw"`
	// OwedKRW is the gross of its pending and late statements.
	OwedKRW      uint64 `json:"owed_krw"`
	DepositedKRW uint64 `json:"deposited_krw"`
	PaidKRW      uint64 `json:"paid_krw"`
	WithdrawnKRW uint64 `json:"withdrawn_krw"`
	// Late counts its late statements.
	Late uint64 `json:"late"`
}

// LabourProjectLine is a worker's line of a project's arrears view
// (/labour/project_line): wages owed (late statements, principal) and paid
// from the project's labour pool.
type LabourProjectLine struct {
	Project string  `json:"project"`
	Worker  Address `json:"worker"`
	OwedKRW uint64  `json:"owed_krw"`
	PaidKRW uint64  `json:"paid_krw"`
}

// LabourContractRequest names a contract (/labour/contract).
type LabourContractRequest struct {
	ID uint64 `json:"id"`
}

// LabourContractsRequest pages contracts (/labour/contracts) by id, those
// of Employer or of Worker when set.
type LabourContractsRequest struct {
	Employer Address `json:"employer,omitzero"`
	Worker   Address `json:"worker,omitzero"`
	After    uint64  `json:"after,omitempty"`
	Limit    uint32  `json:"limit,omitempty"`
}

// LabourContractPage is a page of contracts.
type LabourContractPage struct {
	Contracts []LabourContract `json:"contracts"`
	Next      uint64           `json:"next,omitempty"`
}

// LabourShiftRequest names a shift (/labour/shift).
type LabourShiftRequest struct {
	Contract uint64 `json:"contract"`
	ID       uint64 `json:"id"`
}

// LabourShiftsRequest pages a contract's shifts (/labour/shifts).
type LabourShiftsRequest struct {
	Contract uint64 `json:"contract"`
	After    uint64 `json:"after,omitempty"`
	Limit    uint32 `json:"limit,omitempty"`
}

// LabourShiftPage is a page of shifts.
type LabourShiftPage struct {
	Shifts []Shift `json:"shifts"`
	Next   uint64  `json:"next,omitempty"`
}

// LabourStatementRequest names a statement (/labour/statement).
type LabourStatementRequest struct {
	ID uint64 `json:"id"`
}

// LabourStatementsRequest pages statements (/labour/statements) by id:
// those of Contract, of Worker, of Employer, or (Late) only the late ones.
type LabourStatementsRequest struct {
	Contract uint64  `json:"contract,omitempty"`
	Worker   Address `json:"worker,omitzero"`
	Employer Address `json:"employer,omitzero"`
	Late     bool    `json:"late,omitempty"`
	After    uint64  `json:"after,omitempty"`
	Limit    uint32  `json:"limit,omitempty"`
}

// LabourStatementPage is a page of statements.
type LabourStatementPage struct {
	Statements []WageStatement `json:"statements"`
	Next       uint64          `json:"next,omitempty"`
}

// LabourFundRequest names a fund (/labour/fund): an employer's or a
// project's.
type LabourFundRequest struct {
	Owner   Address `json:"owner,omitzero"`
	Project string  `json:"project,omitempty"`
}

// LabourProjectLineRequest names a worker's line of a project
// (/labour/project_line).
type LabourProjectLineRequest struct {
	Project string  `json:"project"`
	Worker  Address `json:"worker"`
}

// LabourProjectLinesRequest pages a project's worker lines
// (/labour/project_lines), by worker address.
type LabourProjectLinesRequest struct {
	Project string  `json:"project"`
	After   Address `json:"after,omitzero"`
	Limit   uint32  `json:"limit,omitempty"`
}

// LabourProjectLinePage is a page of project lines.
type LabourProjectLinePage struct {
	Lines []LabourProjectLine `json:"lines"`
	Next  Address             `json:"next,omitzero"`
}

// LabourStats answers /labour/stats.
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
	// Queued counts the week closings and payments waiting for end-of-block
	// work.
	Queued uint64 `json:"queued"`
}
