package mileage_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/mileage"
	"github.com/citychain/citychain/chain/tx"
)

// simModel is what the simulation expects, rebuilt from the events alone.
type simModel struct {
	budget   uint64
	balances map[tx.Address]uint64 // mileage balances
	deltas   map[string]uint64     // device/interval -> metres
	signedAt map[string]int64      // device/seq -> reading time (ms)
	lastMs   map[string]int64      // device -> time of the last accepted reading
	flags    map[string][]flagSpan
	settled  map[string]bool // device/period
	seen     map[string]int  // outcome -> count, for the coverage check
}

type flagSpan struct{ from, clear int64 } // clear 0: still flagged

// TestSimulation drives random readings (with rollbacks), fraud clearing,
// awards (some by non-issuers), spends (some at unregistered shops or above
// the balance), funding (and refused plain sends to the budget and the held
// account) and blocks across many periods, over many seeds, on
// two applications fed the same blocks. After every block it checks: the
// same app hash on both; the S-Coin supply unchanged and held by the known
// accounts; the budget and held accounts equal to what the events say; every
// mileage balance equal to its awards minus spends and expiries; each
// vehicle period settled once, in order, with the distance the metering
// events add up to, the reward of the formula, forfeited exactly when a
// fraud flag overlapped it, and paid + unpaid = reward.
func TestSimulation(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 8
	}
	seen := map[string]int{}
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { _ = simulate(t, uint64(seed), 120, seen) })
	}
	// The seeds must reach every outcome the invariants are about.
	for _, o := range []string{"paid", "partial", "unpaid", "forfeited", "no_reward", "bonus", "awarded", "spent", "expired",
		"funded", "fraud_cleared", "bank/8", "mileage/2", "mileage/5", "mileage/6", "mileage/7", "mileage/8", "metering/8"} {
		if seen[o] == 0 && !testing.Short() {
			t.Errorf("no seed reached outcome %q (%v)", o, seen)
		}
	}
	t.Logf("outcomes: %v", seen)
}

// simulate runs one seed and returns the app hash of its last block.
func simulate(t *testing.T, seed uint64, blocks int, seen map[string]int) []byte {
	rng := rand.New(rand.NewPCG(seed, 0x6d696c65))
	const interval = 10
	p := testParams()
	p.PeriodIntervals, p.SettleDelayIntervals = 3, 1 // 30-second periods, settled 10 s after their end
	p.UscnPerKm, p.MaxKmPerPeriod = 100_000, 5
	p.AwardExpirySeconds = 40 + rng.Uint64N(60)
	p.MaxVehiclesPerBlock, p.MaxExpiriesPerBlock = 2, 2
	odos := []*odometer{newOdometer("ev-a", apptest.Alice), newOdometer("ev-b", apptest.Bob), newOdometer("ev-c", apptest.Bob)}
	baselines := map[string]uint64{"ev-a": 0, "ev-b": 5, "ev-c": 3}
	s := setup{intervalSeconds: interval, params: p, budget: 2_000_000 + rng.Uint64N(20_000_000), odometers: odos,
		merchants: []tx.MsgMileageRegisterMerchant{{Address: busCard.Addr, Name: "T-money", Category: tx.MerchantTransit}}}
	for _, o := range odos {
		s.enrolled = append(s.enrolled, tx.MsgMileageEnrollVehicle{Device: o.id, BaselineKm: baselines[o.id]})
	}
	raw := s.appState(t)
	h1 := apptest.New(t, apptest.Options{AppState: raw})
	h2 := apptest.New(t, apptest.Options{AppState: raw})
	if !bytes.Equal(h1.GenesisHash, h2.GenesisHash) {
		t.Fatal("genesis hashes differ")
	}
	var supply uint64 // read after the first block (nothing is queryable before)
	holders := []tx.Address{mileage.BudgetAddress, mileage.HeldAddress, busCard.Addr, guOffice.Addr, apptest.Stranger.Addr}
	for _, a := range apptest.DemoAccounts() {
		holders = append(holders, a.Key.Addr)
	}
	citizens := []apptest.Key{apptest.Alice, apptest.Bob, apptest.Stranger}
	m := &simModel{budget: s.budget, balances: map[tx.Address]uint64{}, deltas: map[string]uint64{}, signedAt: map[string]int64{},
		lastMs: map[string]int64{}, flags: map[string][]flagSpan{}, settled: map[string]bool{}, seen: seen}
	p0 := uint64(apptest.GenesisTime.Unix()) / interval / p.PeriodIntervals
	strangerHasAccount := false
	var refused map[int]bool // tx index -> a plain bank/send to a mileage account, which must fail

	for b := 0; b < blocks; b++ {
		var txs [][]byte
		refused = map[int]bool{}
		nowMs := nextMs(h1)
		for n := rng.IntN(5); n > 0; n-- {
			switch r := rng.IntN(100); {
			case r < 35: // readings
				var rs []tx.HexBytes
				for _, o := range odos {
					if rng.IntN(2) == 0 {
						continue
					}
					move := int64(rng.IntN(3_000))
					if rng.IntN(25) == 0 {
						move = -1 - int64(rng.IntN(500)) // rollback: rejected and flagged
					}
					rs = append(rs, o.sign(t, nowMs, move))
					m.signedAt[fmt.Sprintf("%s/%d", o.id, o.seq)] = nowMs
				}
				if len(rs) > 0 {
					txs = append(txs, h1.Sign(apptest.Settlement, &tx.MsgSubmitReadings{Readings: rs}))
				}
			case r < 55: // awards, some by a citizen (rejected), some above the budget
				issuer := apptest.Agency
				if rng.IntN(5) == 0 {
					issuer = apptest.Alice
				}
				to := []tx.Address{apptest.Alice.Addr, apptest.Bob.Addr, apptest.Stranger.Addr, busCard.Addr}[rng.IntN(4)]
				txs = append(txs, h1.Sign(issuer, &tx.MsgMileageAward{To: to, Amount: uscn(1 + rng.Uint64N(3_000_000)), ReasonCode: "ev_driving"}))
			case r < 80: // spends, some at an unregistered shop, some above the balance
				k := citizens[rng.IntN(len(citizens))]
				if k.Addr == apptest.Stranger.Addr && !strangerHasAccount {
					continue
				}
				merchant := busCard.Addr
				if rng.IntN(4) == 0 {
					merchant = []tx.Address{shop.Addr, guOffice.Addr}[rng.IntN(2)]
				}
				amt := 1 + rng.Uint64N(m.balances[k.Addr]*3/2+10)
				txs = append(txs, h1.Sign(k, &tx.MsgMileageSpend{Merchant: merchant, Amount: uscn(amt)}))
			case r < 87: // funding by message; a plain send to the budget or the held account is refused
				amt := 1 + rng.Uint64N(2_000_000)
				if rng.IntN(2) == 0 {
					txs = append(txs, h1.Sign(apptest.Treasury, &tx.MsgMileageFund{Amount: uscn(amt)}))
				} else {
					to := []tx.Address{mileage.BudgetAddress, mileage.HeldAddress}[rng.IntN(2)]
					refused[len(txs)] = true
					txs = append(txs, h1.Sign(apptest.Treasury, &tx.MsgSend{To: to, Amount: uscn(amt)}))
				}
			case r < 92: // the district office becomes a merchant (once)
				txs = append(txs, h1.Sign(apptest.Agency, &tx.MsgMileageRegisterMerchant{Address: guOffice.Addr, Name: "Jung-gu", Category: tx.MerchantLocalTax}))
			default: // clear a fraud flag (rejected when there is none)
				o := odos[rng.IntN(len(odos))]
				txs = append(txs, h1.Sign(apptest.Registrar, &tx.MsgClearFraud{Device: o.id, Reason: "inspected"}))
			}
		}
		blk := h1.ProposeBlock(txs)
		blk2 := h2.ProposeBlock(txs)
		if !bytes.Equal(h1.Hashes[h1.Height], h2.Hashes[h2.Height]) {
			t.Fatalf("height %d: app hashes differ", h1.Height)
		}
		if len(blk.Txs) != len(txs) {
			t.Fatalf("height %d: %d of %d txs proposed", h1.Height, len(blk.Txs), len(txs))
		}
		for i := range blk.Result.TxResults {
			r1, r2 := blk.TxResult(i), blk2.TxResult(i)
			if r1.Code != r2.Code || r1.Log != r2.Log {
				t.Fatalf("height %d tx %d: results differ", h1.Height, i)
			}
			if r1.Code != 0 {
				seen[fmt.Sprintf("%s/%d", r1.Codespace, r1.Code)]++
			}
			if refused[i] {
				apptest.RequireCode(t, fmt.Sprintf("height %d tx %d: bank/send to a mileage account", h1.Height, i), r1, tx.CodeBankModuleAccount)
			}
			if r1.Code == 0 {
				m.apply(t, h1, p, interval, r1.Events)
			}
			if r1.Code == 0 && !strangerHasAccount {
				if _, ok := apptest.Attr(r1.Events, "auth.account_created", "address"); ok {
					_, strangerHasAccount = h1.Account(apptest.Stranger.Addr)
				}
			}
		}
		m.apply(t, h1, p, interval, blk.Result.Events)
		if b == 0 {
			supply = h1.Supply("uscn")
		}
		m.check(t, h1, supply, holders)
	}
	// Every period the cursor passed is settled for every vehicle, once.
	cur := budget(t, h1).Cursor
	if cur.Period <= p0+5 {
		t.Fatalf("cursor %+v: too few periods settled in %d blocks", cur, blocks)
	}
	for per := p0; per < cur.Period; per++ {
		for _, o := range odos {
			if !m.settled[fmt.Sprintf("%s/%d", o.id, per)] {
				t.Fatalf("%s period %d skipped", o.id, per)
			}
		}
	}
	return h1.Hashes[h1.Height]
}

// apply folds one result's events into the model, checking each vehicle
// settlement against it.
func (m *simModel) apply(t *testing.T, h *apptest.Harness, p mileage.Params, interval uint64, evs []abci.Event) {
	t.Helper()
	now := apptest.BlockTime(h.Height).Unix()
	for _, e := range evs {
		a := map[string]string{}
		for _, kv := range e.Attributes {
			a[kv.Key] = kv.Value
		}
		addr := func(k string) tx.Address {
			v, err := tx.ParseAddress(a[k])
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		if typ, ok := strings.CutPrefix(e.Type, "mileage."); ok {
			m.seen[typ]++
		}
		if e.Type == "metering.fraud_cleared" {
			m.seen["fraud_cleared"]++
		}
		switch e.Type {
		case "metering.reading_accepted":
			m.deltas[a["device"]+"/"+a["interval"]] += num(t, a["delta"])
			m.lastMs[a["device"]] = m.signedAt[a["device"]+"/"+a["seq"]]
		case "metering.fraud_flagged":
			m.flags[a["device"]] = append(m.flags[a["device"]], flagSpan{from: now})
		case "metering.fraud_cleared":
			f := m.flags[a["device"]]
			if len(f) == 0 || f[len(f)-1].clear != 0 {
				t.Fatalf("cleared a flag the model does not have: %v", a)
			}
			f[len(f)-1].clear = now
		case "mileage.funded":
			m.budget += num(t, a["amount"])
		case "mileage.awarded":
			amt := num(t, a["amount"])
			if amt > m.budget {
				t.Fatalf("award of %d with a budget of %d", amt, m.budget)
			}
			m.budget -= amt
			m.balances[addr("to")] += amt
		case "mileage.spent":
			amt := num(t, a["amount"])
			if amt > m.balances[addr("from")] {
				t.Fatalf("spent %d of a balance of %d", amt, m.balances[addr("from")])
			}
			m.balances[addr("from")] -= amt
		case "mileage.expired":
			amt := num(t, a["amount"])
			m.balances[addr("address")] -= amt
			m.budget += amt
		case "mileage.vehicle_settled":
			dev, per := a["device"], num(t, a["period"])
			key := fmt.Sprintf("%s/%d", dev, per)
			if m.settled[key] {
				t.Fatalf("%s settled twice", key)
			}
			m.settled[key] = true
			first := per * p.PeriodIntervals
			var dist uint64
			for i := first; i < first+p.PeriodIntervals; i++ {
				dist += m.deltas[fmt.Sprintf("%s/%d", dev, i)]
			}
			startSec, endSec := int64(first*interval), int64((first+p.PeriodIntervals)*interval)
			if uint64(now) < uint64(endSec)+p.SettleDelayIntervals*interval {
				t.Fatalf("%s settled at %d, before its end %d plus the delay", key, now, endSec)
			}
			flagged := false
			for _, f := range m.flags[dev] {
				if f.clear == 0 || f.clear >= startSec {
					flagged = true
				}
			}
			want := mileage.Reward(p, dist, num(t, a["baseline_km"]), m.lastMs[dev]/1000 >= endSec)
			if flagged {
				want.Reward = 0
			}
			paid, unpaid, reward := num(t, a["paid"]), num(t, a["unpaid"]), num(t, a["reward"])
			if num(t, a["distance_m"]) != dist || reward != want.Reward || paid+unpaid != reward ||
				(a["status"] == mileage.StatusForfeited) != flagged {
				t.Fatalf("%s: event %v; model distance %d flagged %v reward %d", key, a, dist, flagged, want.Reward)
			}
			if paid > m.budget {
				t.Fatalf("%s: paid %d from a budget of %d", key, paid, m.budget)
			}
			if unpaid > 0 && paid != m.budget {
				t.Fatalf("%s: %d unpaid while the budget still had %d after paying %d", key, unpaid, m.budget-paid, paid)
			}
			m.budget -= paid
			m.seen[a["status"]]++
			if a["bonus"] != "0" {
				m.seen["bonus"]++
			}
		}
	}
}

func (m *simModel) check(t *testing.T, h *apptest.Harness, supply uint64, holders []tx.Address) {
	t.Helper()
	if s := h.Supply("uscn"); s != supply {
		t.Fatalf("height %d: supply %d, want %d", h.Height, s, supply)
	}
	var sum uint64
	for _, a := range holders {
		sum += h.Balance(a, "uscn")
	}
	if sum != supply {
		t.Fatalf("height %d: known accounts hold %d of a supply of %d", h.Height, sum, supply)
	}
	b := budget(t, h)
	if b.Budget.Amount != m.budget {
		t.Fatalf("height %d: budget %d, events say %d", h.Height, b.Budget.Amount, m.budget)
	}
	var held uint64
	for addr, bal := range m.balances {
		if got := account(t, h, addr).Balance; got != bal {
			t.Fatalf("height %d: %s mileage balance %d, events say %d", h.Height, addr, got, bal)
		}
		held += bal
	}
	if b.Held.Amount != held {
		t.Fatalf("height %d: held account %d, mileage balances sum to %d", h.Height, b.Held.Amount, held)
	}
}
