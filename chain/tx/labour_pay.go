package tx

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/big"
	"time"
)

// The pay arithmetic of the labour and contracts modules: pure integer
// functions the chain runs at consensus and clients re-run to check a
// statement. Every amount is whole won; each result has one final rounding
// (down).

// HolidayAllowanceMinutes is the number of paid minutes the weekly holiday
// allowance (주휴수당, LSA art. 55) is worth for a week: when the contracted
// weekly minutes are at least 15 hours and every contracted day was worked,
// min(contracted, 40 h) / 40 h × 8 h; else 0. In minutes: min(c, 2400)/5.
// The result is a rational number of minutes; AllowanceNumerator returns it
// × 5 so that no rounding happens before the final one.
func AllowanceNumerator(contractedMinutes uint64, allDaysWorked bool) uint64 {
	if contractedMinutes < 15*60 || !allDaysWorked {
		return 0
	}
	return min(contractedMinutes, 40*60)
}

// WeekGross computes a week's (or a shift's) pay: minutes worked at wage
// won an hour, plus the weekly holiday allowance (allowanceNum from
// AllowanceNumerator, 0 for none). It returns the items with their basis
// (the items' floors, then a "rounding" item so the items add up to the
// gross) and the gross: floor(wage × (minutes + allowanceNum/5) / 60), one
// rounding of the exact total.
func WeekGross(wage, minutes, allowanceNum uint64) ([]StatementItem, uint64) {
	// Exact total in won = wage × (5·minutes + allowanceNum) / 300.
	w := new(big.Int).SetUint64(wage)
	num := new(big.Int).Mul(w, new(big.Int).Add(new(big.Int).Mul(big.NewInt(5), new(big.Int).SetUint64(minutes)), new(big.Int).SetUint64(allowanceNum)))
	gross := new(big.Int).Quo(num, big.NewInt(300)).Uint64()
	var items []StatementItem
	var sum uint64
	if minutes > 0 {
		a := new(big.Int).Quo(new(big.Int).Mul(w, new(big.Int).SetUint64(minutes)), big.NewInt(60)).Uint64()
		items = append(items, StatementItem{Name: "hours", Minutes: minutes, HourlyWage: wage, AmountKRW: a,
			Basis: fmt.Sprintf("%d min × %d won/h ÷ 60", minutes, wage)})
		sum += a
	}
	if allowanceNum > 0 {
		a := new(big.Int).Quo(new(big.Int).Mul(w, new(big.Int).SetUint64(allowanceNum)), big.NewInt(300)).Uint64()
		items = append(items, StatementItem{Name: "weekly_holiday", Minutes: allowanceNum / 5, HourlyWage: wage, AmountKRW: a,
			Basis: fmt.Sprintf("min(%d, 2400) contracted min ÷ 2400 × 8 h × %d won/h", allowanceNum, wage)})
		sum += a
	}
	if gross > sum {
		items = append(items, StatementItem{Name: "rounding", AmountKRW: gross - sum, Basis: "one final rounding of the exact total"})
	}
	return items, gross
}

// MinimumGross is the least a week's gross may be: floor(minutes × the
// minimum wage ÷ 60). The simulation checks every paid statement against
// it.
func MinimumGross(minWage, minutes uint64) uint64 {
	return new(big.Int).Quo(new(big.Int).Mul(new(big.Int).SetUint64(minWage), new(big.Int).SetUint64(minutes)), big.NewInt(60)).Uint64()
}

// InsuredMonthly reports whether a contract's contracted weekly minutes
// reach 60 hours a month (weekly × 365 / 7 / 12): below it the worker is
// outside national pension and health insurance (and so long-term care).
func InsuredMonthly(weeklyMinutes uint64) bool {
	return weeklyMinutes*365 >= 60*60*7*12
}

// Deductions computes the employee insurance shares of gross from the
// rates in force at t: pension and health (both only when insured, see
// InsuredMonthly), long-term care (a share of the health premium) and
// employment insurance, each rounded down to the won. A rate with no row
// in force is 0.
func Deductions(rules []LabourRule, t int64, gross, weeklyMinutes uint64) []StatementDeduction {
	rate := func(kind string) uint64 { v, _ := RuleAt(rules, kind, t); return v }
	part := func(base, r uint64) uint64 {
		return new(big.Int).Quo(new(big.Int).Mul(new(big.Int).SetUint64(base), new(big.Int).SetUint64(r)), big.NewInt(RateDenominator)).Uint64()
	}
	var out []StatementDeduction
	if InsuredMonthly(weeklyMinutes) {
		p := rate(RulePension)
		out = append(out, StatementDeduction{Name: RulePension, Rate: p, BaseKRW: gross, AmountKRW: part(gross, p)})
		h := rate(RuleHealth)
		ha := part(gross, h)
		out = append(out, StatementDeduction{Name: RuleHealth, Rate: h, BaseKRW: gross, AmountKRW: ha})
		c := rate(RuleCare)
		out = append(out, StatementDeduction{Name: RuleCare, Rate: c, BaseKRW: ha, AmountKRW: part(ha, c)})
	}
	e := rate(RuleEmployment)
	out = append(out, StatementDeduction{Name: RuleEmployment, Rate: e, BaseKRW: gross, AmountKRW: part(gross, e)})
	return out
}

// DaysLate is the number of days from the KST date of due to the KST date
// of paid (0 when paid on or before the due date).
func DaysLate(due, paid int64) uint64 {
	d, p := DayStart(due), DayStart(paid)
	if p <= d {
		return 0
	}
	return uint64((p - d) / 86400)
}

// LateInterest is the interest on principal paid at paid for a payment due
// at due: each day late (the day after the due date up to the payment day)
// accrues at the rate of kind in force that day, and the total is
// floor(principal × Σ rate_day / (365 × 100,000)). A day before the kind's
// first row accrues nothing (current employees' arrears before 23 Oct 2025
// accrue none). rows must be in effective-date order.
func LateInterest(rows []LabourRule, kind string, principal uint64, due, paid int64) uint64 {
	n := DaysLate(due, paid)
	if n == 0 || principal == 0 {
		return 0
	}
	sum := new(big.Int)
	day := DayStart(due)
	// Walk the rate changes instead of every day.
	for left := n; left > 0; {
		day += 86400
		r, _ := RuleAt(rows, kind, day)
		// Days until the next row of kind takes effect (or the end).
		run := left
		for _, row := range rows {
			if row.Kind != kind {
				continue
			}
			eff, err := ParseDate("effective", row.Effective)
			if err != nil || eff <= day {
				continue
			}
			if k := uint64((eff - day) / 86400); k < run {
				run = k
			}
			break
		}
		sum.Add(sum, new(big.Int).Mul(new(big.Int).SetUint64(r), new(big.Int).SetUint64(run)))
		day += int64(run-1) * 86400
		left -= run
	}
	v := new(big.Int).Mul(new(big.Int).SetUint64(principal), sum)
	return v.Quo(v, big.NewInt(365*RateDenominator)).Uint64()
}

// PayDue is the due time of the pay of the week starting at weekStart
// (Monday 00:00 KST) under cycle and payDay: weekly, 00:00 KST of weekday
// payDay of the next week; monthly, 00:00 KST of day payDay of the month
// after the one the week ends in (its Sunday); daily, the week's end (the
// weekly allowance; shifts are due at their clock-out). When the contract
// ends (lastDay, unix 00:00 KST of the last working day, 0 for none) the
// pay is due no later than 14 days after it (LSA art. 36).
func PayDue(cycle string, payDay uint32, weekStart, lastDay int64) int64 {
	end := weekStart + 7*86400
	var due int64
	switch cycle {
	case PayWeekly:
		due = end + int64(payDay-1)*86400
	case PayMonthly:
		sun := time.Unix(end-86400, 0).In(KST)
		due = time.Date(sun.Year(), sun.Month()+1, int(payDay), 0, 0, 0, 0, KST).Unix()
	default:
		due = end
	}
	if lastDay != 0 {
		if limit := lastDay + 15*86400; due > limit {
			due = max(limit, end)
		}
	}
	return due
}

// LabourStatementHash is the hash a labour.paid event carries: SHA-256 of
// the statement's JSON as the chain stores it (encoding/json of
// WageStatement, the bytes /labour/statement answers), so a worker's copy
// can be matched to the chain's.
func LabourStatementHash(s *WageStatement) Hash32 {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a WageStatement always encodes
	}
	return sha256.Sum256(b)
}

// ISOWeekdayOf returns the ISO weekday, 1 (Monday) to 7 (Sunday), of the
// KST date of unix time t.
func ISOWeekdayOf(t int64) int { return int(time.Unix(t, 0).In(KST).Weekday()+6)%7 + 1 }

// ScheduleDay returns the schedule's entry for the KST weekday of t.
func ScheduleDay(s []WorkDay, t int64) (WorkDay, bool) {
	name := WeekdayName(ISOWeekdayOf(t))
	for _, d := range s {
		if d.Day == name {
			return d, true
		}
	}
	return WorkDay{}, false
}

// PaidMinutes are a shift's paid minutes: the whole minutes from in to out
// less the schedule's break of in's weekday (none on a day off), not below
// 0.
func PaidMinutes(s []WorkDay, in, out int64) uint64 {
	if out <= in {
		return 0
	}
	elapsed := uint64((out - in) / 60)
	d, _ := ScheduleDay(s, in)
	return elapsed - min(elapsed, uint64(d.BreakMinutes))
}

// Period returns the unix times of 00:00 KST of the contract's first day
// and of its last day (EndedOn, else End; 0 when open-ended). The dates
// were validated when stored.
func (c *LabourContract) Period() (start, last int64) {
	start, _ = ParseDate("start", c.Start)
	end := c.EndedOn
	if end == "" {
		end = c.End
	}
	if end != "" {
		last, _ = ParseDate("end", end)
	}
	return start, last
}

// WeekAllowance is the weekly holiday allowance numerator
// (AllowanceNumerator) of the week of contract c starting at weekStart
// (Monday 00:00 KST): due when the week has at least one scheduled day
// within the contract's period, every such day was worked (worked reports
// whether a shift was clocked in on the day starting at its argument) and
// the employment continues after the week.
func WeekAllowance(c *LabourContract, weekStart int64, worked func(day int64) bool) uint64 {
	start, last := c.Period()
	all, required := true, 0
	for _, d := range c.Schedule {
		day := weekStart + int64(ISOWeekday(d.Day)-1)*86400
		if day < start || last != 0 && day > last {
			continue
		}
		required++
		all = all && worked(day)
	}
	continues := last == 0 || last >= weekStart+7*86400
	return AllowanceNumerator(WeeklyMinutes(c.Schedule), all && required > 0 && continues)
}
