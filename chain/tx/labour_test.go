package tx

import (
	"crypto/sha256"
	"encoding/json"
	"sort"
	"testing"
	"time"
)

func date(t *testing.T, s string) int64 {
	t.Helper()
	v, err := ParseDate("date", s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestDefaultLabourRules: the built-in table is in (effective, kind)
// order, every row valid, and a copy each call.
func TestDefaultLabourRules(t *testing.T) {
	rows := DefaultLabourRules()
	if !sort.SliceIsSorted(rows, func(i, j int) bool { return rows[i].Effective < rows[j].Effective }) {
		t.Fatalf("rows out of date order: %+v", rows)
	}
	for i, r := range rows {
		m := MsgLabourSetRule(r)
		if err := m.ValidateBasic(); err != nil {
			t.Errorf("row %d %+v: %v", i, r, err)
		}
	}
	rows[0].Value = 1
	if DefaultLabourRules()[0].Value != 10_030 {
		t.Fatal("DefaultLabourRules shares its rows")
	}
}

// TestMinimumWageByDate (P2): 10,030 won on 2025-12-31, 10,320 from
// 2026-01-01 (00:00 KST, which is 15:00 UTC the day before); none before
// 2025.
func TestMinimumWageByDate(t *testing.T) {
	rows := DefaultLabourRules()
	for _, c := range []struct {
		at   time.Time
		want uint64
		ok   bool
	}{
		{time.Date(2024, 12, 31, 23, 0, 0, 0, KST), 0, false},
		{time.Date(2025, 12, 31, 23, 59, 59, 0, KST), 10_030, true},
		{time.Date(2025, 12, 31, 15, 0, 0, 0, time.UTC), 10_320, true}, // 2026-01-01 00:00 KST
		{time.Date(2025, 12, 31, 14, 59, 59, 0, time.UTC), 10_030, true},
		{time.Date(2026, 6, 1, 9, 0, 0, 0, KST), 10_320, true},
	} {
		got, ok := RuleAt(rows, RuleMinWage, c.at.Unix())
		if got != c.want || ok != c.ok {
			t.Errorf("%v: got %d %v, want %d %v", c.at, got, ok, c.want, c.ok)
		}
	}
	// A wage of 10,100 for 2025-12-31 is at least its minimum; for
	// 2026-01-01 it is below.
	if floor, _ := RuleAt(rows, RuleMinWage, date(t, "2025-12-31")); 10_100 < floor {
		t.Error("10,100 below the 2025 minimum")
	}
	if floor, _ := RuleAt(rows, RuleMinWage, date(t, "2026-01-01")); 10_100 >= floor {
		t.Error("10,100 not below the 2026 minimum")
	}
}

// TestWeeklyHoliday (P3): at 10,320 won an hour the allowance is 0 for
// 14.5 contracted hours, 30,960 for 15, 41,280 for 20, 82,560 for 45
// (capped at 40), and 0 with a contracted day missed.
func TestWeeklyHoliday(t *testing.T) {
	for _, c := range []struct {
		hours10 uint64 // contracted hours × 10
		all     bool
		want    uint64
	}{
		{145, true, 0}, {150, true, 30_960}, {200, true, 41_280}, {400, true, 82_560}, {450, true, 82_560}, {150, false, 0}, {450, false, 0},
	} {
		num := AllowanceNumerator(c.hours10*6, c.all)
		items, gross := WeekGross(10_320, 0, num)
		if gross != c.want {
			t.Errorf("%d.%d h, all days %v: gross %d, want %d", c.hours10/10, c.hours10%10, c.all, gross, c.want)
		}
		if c.want > 0 && (len(items) != 1 || items[0].Name != "weekly_holiday" || items[0].AmountKRW != c.want) {
			t.Errorf("%d h: items %+v", c.hours10/10, items)
		}
	}
	// Hours and the allowance with one final rounding: 913 minutes at
	// 10,037 won (152,729.68) and the allowance of 901 contracted minutes
	// (30,144.43) are floor(10,037 × (5 × 913 + 901) / 300) = 182,874: the
	// items' floors and a rounding item of 1.
	items, gross := WeekGross(10_037, 913, AllowanceNumerator(901, true))
	var sum uint64
	for _, it := range items {
		sum += it.AmountKRW
	}
	if gross != 182_874 || sum != gross || items[len(items)-1].Name != "rounding" || items[len(items)-1].AmountKRW != 1 {
		t.Errorf("913 min: gross %d, items %+v", gross, items)
	}
	if got := MinimumGross(10_320, 900); got != 154_800 {
		t.Errorf("MinimumGross: %d", got)
	}
}

// TestLateInterestGolden (P5): 1,000,000 won thirty days late at 20 % is
// 16,438; days before 2025-10-23 accrue none; paid on the due date,
// nothing.
func TestLateInterestGolden(t *testing.T) {
	rows := DefaultLabourRules()
	due := date(t, "2026-02-09")
	for _, c := range []struct {
		paid int64
		want uint64
	}{
		{due, 0},
		{due + 86400 - 1, 0},
		{date(t, "2026-03-11") + 10*3600, 16_438},
		{date(t, "2026-02-10"), 547}, // one day: floor(1,000,000 × 20,000 / 36,500,000)
	} {
		if got := LateInterest(rows, RuleLateInterest, 1_000_000, due, c.paid); got != c.want {
			t.Errorf("paid %s: got %d, want %d", DateOf(c.paid), got, c.want)
		}
	}
	// Due 2025-10-01, paid 2025-10-31: 30 days late, of which 9 (23 to 31
	// October) accrue: floor(1,000,000 × 9 × 20,000 / 36,500,000) = 4,931.
	if got := LateInterest(rows, RuleLateInterest, 1_000_000, date(t, "2025-10-01"), date(t, "2025-10-31")); got != 4_931 {
		t.Errorf("across the 2025-10-23 start: got %d, want 4,931", got)
	}
	if got := LateInterest(rows, RuleLateInterest, 1_000_000, date(t, "2025-09-01"), date(t, "2025-10-22")); got != 0 {
		t.Errorf("before 2025-10-23: got %d, want 0", got)
	}
	// Interest never decreases with a later payment.
	var prev uint64
	for d := int64(0); d < 400; d++ {
		got := LateInterest(rows, RuleLateInterest, 777_777, date(t, "2025-10-10"), date(t, "2025-10-10")+d*86400)
		if got < prev {
			t.Fatalf("day %d: %d after %d", d, got, prev)
		}
		prev = got
	}
}

// TestDeductionsGolden (P7): 1,000,000 won in 2026 with contracted hours
// of 60 a month or more: pension 47,500, health 35,950, long-term care
// 4,723 (13.14 % of the health premium, rounded down), employment 9,000;
// under 60 hours a month, employment insurance only.
func TestDeductionsGolden(t *testing.T) {
	rows := DefaultLabourRules()
	at := date(t, "2026-03-10")
	got := Deductions(rows, at, 1_000_000, 15*60)
	want := []StatementDeduction{
		{Name: RulePension, Rate: 4_750, BaseKRW: 1_000_000, AmountKRW: 47_500},
		{Name: RuleHealth, Rate: 3_595, BaseKRW: 1_000_000, AmountKRW: 35_950},
		{Name: RuleCare, Rate: 13_140, BaseKRW: 35_950, AmountKRW: 4_723},
		{Name: RuleEmployment, Rate: 900, BaseKRW: 1_000_000, AmountKRW: 9_000},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("deduction %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	// 60 h a month is 302,400 / 365 ≈ 828.5 minutes a week: 830 reach it,
	// 828 do not.
	if !InsuredMonthly(830) || InsuredMonthly(828) {
		t.Errorf("InsuredMonthly around 60 h a month")
	}
	if got := Deductions(rows, at, 1_000_000, 828); len(got) != 1 || got[0].Name != RuleEmployment || got[0].AmountKRW != 9_000 {
		t.Errorf("under 60 h a month: %+v", got)
	}
	if got := Deductions(rows, date(t, "2025-06-10"), 1_000_000, 900); got[0].AmountKRW != 45_000 || got[1].AmountKRW != 35_450 {
		t.Errorf("2025 rates: %+v", got)
	}
}

// TestWeekAndDayStart: weeks are Monday 00:00 KST to Monday 00:00 KST,
// days 00:00 KST (15:00 UTC the day before), before 1970 too.
func TestWeekAndDayStart(t *testing.T) {
	mon := time.Date(2026, 1, 5, 0, 0, 0, 0, KST).Unix()
	for _, c := range []struct {
		at         time.Time
		day, week  int64
		isoWeekday int
	}{
		{time.Date(2026, 1, 5, 0, 0, 0, 0, KST), mon, mon, 1},
		{time.Date(2026, 1, 4, 23, 59, 59, 0, KST), mon - 86400, mon - 7*86400, 7},
		{time.Date(2026, 1, 4, 15, 0, 0, 0, time.UTC), mon, mon, 1}, // Monday 00:00 KST
		{time.Date(2026, 1, 11, 23, 59, 59, 0, KST), mon + 6*86400, mon, 7},
		{time.Date(2026, 1, 7, 12, 0, 0, 0, KST), mon + 2*86400, mon, 3},
	} {
		if got := DayStart(c.at.Unix()); got != c.day {
			t.Errorf("DayStart(%v): %d, want %d", c.at, got, c.day)
		}
		if got := WeekStart(c.at.Unix()); got != c.week {
			t.Errorf("WeekStart(%v): %d, want %d", c.at, got, c.week)
		}
	}
	old := time.Date(1969, 12, 31, 8, 0, 0, 0, KST).Unix() // negative unix time
	if got, want := DayStart(old), time.Date(1969, 12, 31, 0, 0, 0, 0, KST).Unix(); got != want {
		t.Errorf("DayStart before 1970: %d, want %d", got, want)
	}
	if got, want := WeekStart(old), time.Date(1969, 12, 29, 0, 0, 0, 0, KST).Unix(); got != want {
		t.Errorf("WeekStart before 1970: %d, want %d", got, want)
	}
}

// TestPayDueAndDaysLate: weekly pay on weekday pay_day of the next week;
// monthly on pay_day of the month after the week's Sunday; daily at the
// week's end; never more than 14 days after the last day (the 15th day's
// 00:00) but not before the week ends. Days late count KST dates.
func TestPayDueAndDaysLate(t *testing.T) {
	w := date(t, "2026-01-26") // a Monday; its Sunday is 1 February
	for _, c := range []struct {
		cycle   string
		payDay  uint32
		lastDay string
		want    string
	}{
		{PayWeekly, 1, "", "2026-02-02"},
		{PayWeekly, 5, "", "2026-02-06"},
		{PayMonthly, 10, "", "2026-03-10"}, // the week ends in February
		{PayDaily, 0, "", "2026-02-02"},
		{PayMonthly, 10, "2026-01-28", "2026-02-12"}, // 14 days after the last day
		{PayWeekly, 7, "2026-01-10", "2026-02-02"},   // the limit passed: the week's end
		{PayWeekly, 7, "2026-01-20", "2026-02-04"},   // 14 days after the last day
	} {
		last := int64(0)
		if c.lastDay != "" {
			last = date(t, c.lastDay)
		}
		if got := PayDue(c.cycle, c.payDay, w, last); DateOf(got) != c.want || got != DayStart(got) {
			t.Errorf("%s %d last %q: due %s, want %s 00:00", c.cycle, c.payDay, c.lastDay, DateOf(got), c.want)
		}
	}
	// A week ending in January (Sunday 25 January) is paid in February.
	if got := PayDue(PayMonthly, 10, date(t, "2026-01-19"), 0); DateOf(got) != "2026-02-10" {
		t.Errorf("monthly, week of 19 January: %s", DateOf(got))
	}
	due := date(t, "2026-02-02")
	for _, c := range []struct {
		paid int64
		want uint64
	}{
		{due - 1, 0}, {due, 0}, {due + 86400 - 1, 0}, {due + 86400, 1}, {due + 30*86400 + 3600, 30},
	} {
		if got := DaysLate(due, c.paid); got != c.want {
			t.Errorf("DaysLate paid %d s after due: %d, want %d", c.paid-due, got, c.want)
		}
	}
}

// TestLabourStatementHash: the hash is SHA-256 of the statement's JSON.
func TestLabourStatementHash(t *testing.T) {
	s := &WageStatement{ID: 7, Contract: 2, GrossKRW: 100, NetKRW: 99, Status: StatementPaid,
		Items: []StatementItem{{Name: "hours", Basis: "10 min × 600 won/h ÷ 60", Minutes: 10, HourlyWage: 600, AmountKRW: 100}}}
	b, _ := json.Marshal(s)
	if got := LabourStatementHash(s); got != sha256.Sum256(b) {
		t.Fatalf("hash %s", got)
	}
}
