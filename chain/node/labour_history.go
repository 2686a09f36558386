package node

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/internal/labour"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/tx"
)

// The devnet's labour history (docs/labour.md, "The devnet story"). Block
// time on a devnet is real time, so a pay day paid late with days of
// interest needs a past: the genesis seeds the shop's last weeks. The shop
// employs two part-time workers on weekly contracts countersigned about
// three weeks before the genesis; their shifts were clocked through the
// shop's terminal. The last pay day, six days before the genesis, paid
// worker 1 on time; the shop's fund did not hold worker 2's pay, whose
// statement is still pending: the chain's first blocks close the weeks
// since (due at the next pay day) and mark it late, and the devnet's
// labour story has the shop deposit and worker 2 paid with the interest.
// The site terminal of the prime contractor is registered too, for the
// story's day worker on the public-works project.
const (
	// ShopTerminal is the shop's work terminal and SiteTerminal the
	// prime's; their keys are the devnet keyring's keys of the same names
	// (a demo: a real terminal keeps its key in its secure element).
	ShopTerminal = "shop-terminal"
	SiteTerminal = "site-terminal"
	// historyPayDayAgo is how many days before the genesis' date the last
	// pay day was.
	historyPayDayAgo = 6
	// historyLeftover is what the shop's fund held after the last pay day
	// paid worker 1 (won): less than worker 2's pay.
	historyLeftover = 60_000
)

// ShopWorkers are the keys of the shop's two part-time workers, worker 1
// first.
var ShopWorkers = []string{"worker1", "worker2"}

// shopSchedules are the workers' contracted weeks: worker 1 Monday to
// Friday, 3 hours from 09:00 (15 h: a weekly holiday allowance of 30,960
// won at 10,320 won an hour); worker 2 Wednesday to Saturday, 5 hours from
// 14:00 with a 30-minute break (20 h: 41,280 won).
var shopSchedules = [][]tx.WorkDay{
	{{Day: "mon", Start: "09:00", Minutes: 180}, {Day: "tue", Start: "09:00", Minutes: 180}, {Day: "wed", Start: "09:00", Minutes: 180},
		{Day: "thu", Start: "09:00", Minutes: 180}, {Day: "fri", Start: "09:00", Minutes: 180}},
	{{Day: "wed", Start: "14:00", Minutes: 300, BreakMinutes: 30}, {Day: "thu", Start: "14:00", Minutes: 300, BreakMinutes: 30},
		{Day: "fri", Start: "14:00", Minutes: 300, BreakMinutes: 30}, {Day: "sat", Start: "14:00", Minutes: 300, BreakMinutes: 30}},
}

// shopWage is both workers' hourly wage: the 2026 minimum.
const shopWage = 10_320

// keyOf returns the named key of kr, creating it when missing.
func keyOf(kr *keyring.Keyring, name string) (*keyring.Key, error) {
	k, err := kr.Get(name)
	if errors.Is(err, keyring.ErrNotFound) {
		k, err = kr.Add(name)
	}
	return k, err
}

// addLabourHistory adds the shop's history as of now to st: the work
// terminals (registered to the shop and the prime, which st must hold),
// the workers' accounts (holding the pay they received), the contracts,
// shifts, statements and the shop's fund, and the module accounts' ukrw.
func addLabourHistory(kr *keyring.Keyring, st *app.AppState, now time.Time) error {
	shop, err := kr.Get("shop")
	if err != nil {
		return fmt.Errorf("labour history: %w", err)
	}
	prime, err := kr.Get("prime")
	if err != nil {
		return fmt.Errorf("labour history: %w", err)
	}
	for _, t := range []struct {
		id, site string
		owner    tx.Address
	}{{ShopTerminal, "Mapo-gu shop", shop.Address}, {SiteTerminal, "Mapo bridge site", prime.Address}} {
		k, err := keyOf(kr, t.id)
		if err != nil {
			return err
		}
		st.Devices.Devices = append(st.Devices.Devices, tx.MsgDeviceRegister{ID: t.id, Kind: tx.KindWorkTerminal, Owner: t.owner, PubKey: k.PubKey,
			Metadata: tx.DeviceMetadata{SerialNumber: t.id, Manufacturer: "citychain-sim", Model: "work terminal", Site: t.site}})
	}

	// The last pay day, the week it paid (X) and the one before: each
	// worker was paid for the week before X on its pay day, worker 1 for X.
	payDay := tx.DayStart(now.Unix()) - historyPayDayAgo*86400
	weekday := uint32(tx.ISOWeekdayOf(payDay))
	weekX := tx.WeekStart(payDay) - 7*86400
	first := weekX - 7*86400
	today := tx.DayStart(now.Unix())
	rules := tx.DefaultLabourRules()

	g := &labour.Genesis{}
	fund := tx.LabourFund{Owner: shop.Address}
	var withheld uint64
	for i, name := range ShopWorkers {
		w, err := keyOf(kr, name)
		if err != nil {
			return err
		}
		c := tx.LabourContract{ID: uint64(i + 1), Employer: shop.Address, Status: tx.LabourActive,
			MsgLabourOffer: tx.MsgLabourOffer{
				Worker: w.Address, Start: tx.DateOf(first), Schedule: shopSchedules[i], HourlyWage: shopWage,
				PayCycle: tx.PayWeekly, PayDay: weekday, WeeklyHoliday: "sun",
				Leave: historyCommit("annual leave: as the Labor Standards Act", name), Place: historyCommit("place: the shop, Mapo-gu", name),
				Duties: historyCommit("duties: counter and stock", name), WorkerID: historyCommit("worker identity", name),
				Terms: historyCommit("part-time employment contract", name),
			},
			// Signed on the Saturday before the first week, at 10:00.
			Countersigned: first - 2*86400 + 10*3600,
			ClosedThrough: weekX + 7*86400,
		}
		// Every scheduled day from the start to yesterday, worked through
		// the terminal at the scheduled times.
		for day := first; day < today; day += 86400 {
			if d, ok := tx.ScheduleDay(c.Schedule, day); ok {
				at, _ := time.ParseInLocation("15:04", d.Start, tx.KST) // validated schedule
				in := day + int64(at.Hour()*3600+at.Minute()*60)
				c.Shifts++
				s := tx.Shift{Contract: c.ID, ID: c.Shifts, In: in, Out: in + int64(d.Minutes+d.BreakMinutes)*60,
					InBy: ShopTerminal, OutBy: ShopTerminal, Minutes: uint64(d.Minutes)}
				c.LastEvent = s.Out
				g.Shifts = append(g.Shifts, s)
			}
		}
		g.Contracts = append(g.Contracts, c)
	}
	// The two weeks' statements, in id order: the first week's (both paid
	// on their pay day), then week X's (worker 1's paid, worker 2's
	// pending: the fund was short).
	var nets [2]uint64
	for wk, ws := range []int64{first, weekX} {
		for i := range g.Contracts {
			c := &g.Contracts[i]
			id := uint64(len(g.Statements) + 1)
			var minutes uint64
			for j := range g.Shifts {
				if s := &g.Shifts[j]; s.Contract == c.ID && s.In >= ws && s.In < ws+7*86400 {
					minutes += s.Minutes
					s.Statement = id
				}
			}
			weekly := tx.WeeklyMinutes(c.Schedule)
			items, gross := tx.WeekGross(c.HourlyWage, minutes, tx.AllowanceNumerator(weekly, true))
			s := tx.WageStatement{ID: id, Contract: c.ID, Employer: c.Employer, Worker: c.Worker, WorkerID: c.WorkerID,
				From: ws, To: ws + 7*86400, Due: tx.PayDue(c.PayCycle, c.PayDay, ws, 0), Items: items, GrossKRW: gross,
				Deductions: tx.Deductions(rules, tx.PayDue(c.PayCycle, c.PayDay, ws, 0), gross, weekly), NetKRW: gross,
				Status: tx.StatementPaid}
			for _, d := range s.Deductions {
				s.NetKRW -= d.AmountKRW
			}
			if wk == 1 && i == 1 {
				s.Status = tx.StatementPending
				fund.OwedKRW += gross
			} else {
				s.PaidAt = s.Due + 90 // the first block after midnight
				fund.DepositedKRW += gross
				fund.PaidKRW += gross
				withheld += gross - s.NetKRW
				nets[i] += s.NetKRW
			}
			g.Statements = append(g.Statements, s)
		}
	}
	// What the fund held after the pay day: worker 1's pay went out,
	// worker 2's did not fit.
	fund.DepositedKRW += historyLeftover
	fund.BalanceKRW = historyLeftover
	g.Funds = []tx.LabourFund{fund}
	if historyLeftover >= g.Statements[len(g.Statements)-1].GrossKRW {
		return errors.New("labour history: the shop's fund would hold worker 2's pay")
	}

	for i, name := range ShopWorkers {
		w, _ := kr.Get(name)
		st.AddAccount(w.Address, false, nil, []tx.Coin{scn(100), tx.WonCoin(nets[i])})
	}
	st.Fund(tx.ModuleAddress(tx.ModuleAccountLabourEscrow), tx.WonCoin(historyLeftover))
	st.Fund(tx.ModuleAddress(tx.ModuleAccountLabourWithheld), tx.WonCoin(withheld))
	st.Labour = g
	return nil
}

// historyCommit is a demo commitment to a contract field: SHA-256 of the
// text and the worker's key name (real parties salt it with a secret).
func historyCommit(text, worker string) tx.Hash32 {
	return sha256.Sum256([]byte(text + "\x00" + worker))
}
