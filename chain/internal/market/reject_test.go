package market_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/market"
	"github.com/citychain/citychain/chain/tx"
)

// TestRejections runs every rejection path of the market messages, each
// with its codespace, code and a log naming what was wrong, in CheckTx and
// in FinalizeBlock.
func TestRejections(t *testing.T) {
	w := newWorld(t, testParams())
	// inv-c is revoked; inv-a gets a fraud flag (a reading whose value goes
	// backwards).
	w.ok("revoke inv-c", apptest.Installer, &tx.MsgDeviceRevoke{ID: "inv-c", Reason: "test"})
	w.submit(w.invA.read(t, w.nowMs(), 500))
	w.submit(w.invA.read(t, w.nowMs(), 400))

	cur := w.next()
	i := cur + 5 // far enough for the blocks below to stay before it
	open := w.order(apptest.Bob, &tx.MsgOffer{Device: "inv-b", Interval: i, Wh: 10, MinPrice: 1})
	done := w.order(apptest.Bob, &tx.MsgOffer{Device: "inv-b", Interval: i, Wh: 10, MinPrice: 1})
	w.ok("cancel", apptest.Bob, &tx.MsgCancel{OrderID: done})

	cases := []struct {
		name   string
		signer apptest.Key
		msg    tx.Msg
		code   tx.Code
		log    string
	}{
		{"zero energy", apptest.Bob, &tx.MsgOffer{Device: "inv-b", Interval: i, Wh: 0}, tx.CodeTxInvalidMsg, "wh"},
		{"zero interval", carol, &tx.MsgBid{Interval: 0, Wh: 1, MaxPrice: 1}, tx.CodeTxInvalidMsg, "interval"},
		{"zero bid price", carol, &tx.MsgBid{Interval: i, Wh: 1, MaxPrice: 0}, tx.CodeTxInvalidMsg, "max_price"},
		{"bad device id", apptest.Bob, &tx.MsgOffer{Device: "INV", Interval: i, Wh: 1}, tx.CodeTxInvalidMsg, "device"},
		{"cancel order 0", apptest.Bob, &tx.MsgCancel{}, tx.CodeTxInvalidMsg, "order_id"},
		{"unknown device", apptest.Bob, &tx.MsgOffer{Device: "inv-x", Interval: i, Wh: 1}, tx.CodeMarketUnknownDevice, "inv-x"},
		{"odometer offers", apptest.Bob, &tx.MsgOffer{Device: "ev-1", Interval: i, Wh: 1}, tx.CodeMarketNotSolar, "ev_odometer"},
		{"revoked device", apptest.Alice, &tx.MsgOffer{Device: "inv-c", Interval: i, Wh: 1}, tx.CodeMarketDeviceInactive, "inv-c"},
		{"not the owner", carol, &tx.MsgOffer{Device: "inv-b", Interval: i, Wh: 1}, tx.CodeMarketNotDeviceOwner, carol.Addr.String()},
		{"fraud flag", apptest.Alice, &tx.MsgOffer{Device: "inv-a", Interval: i, Wh: 1}, tx.CodeMarketDeviceFlagged, "flagged"},
		{"current interval", carol, &tx.MsgBid{Interval: cur - 1, Wh: 1, MaxPrice: 1}, tx.CodeMarketGateClosed, "later intervals"},
		{"beyond horizon", carol, &tx.MsgBid{Interval: cur + 100, Wh: 1, MaxPrice: 1}, tx.CodeMarketBeyondHorizon, "up to interval"},
		{"order too large", carol, &tx.MsgBid{Interval: i, Wh: 1_000_001, MaxPrice: 1}, tx.CodeMarketOrderTooLarge, "1000000"},
		{"price cap", carol, &tx.MsgBid{Interval: i, Wh: 1, MaxPrice: 1_000_000_001}, tx.CodeMarketPriceTooHigh, "1000000000"},
		{"offer price cap", apptest.Bob, &tx.MsgOffer{Device: "inv-b", Interval: i, Wh: 1, MinPrice: 1_000_000_001}, tx.CodeMarketPriceTooHigh, "price"},
		{"escrow unfunded", frank, &tx.MsgBid{Interval: i, Wh: 1_000_000, MaxPrice: 1_000_000}, tx.CodeBankInsufficientFunds, "insufficient"},
		{"unknown order", carol, &tx.MsgCancel{OrderID: 999}, tx.CodeMarketUnknownOrder, "999"},
		{"someone else's order", carol, &tx.MsgCancel{OrderID: open}, tx.CodeMarketNotOrderOwner, apptest.Bob.Addr.String()},
		{"cancelled twice", apptest.Bob, &tx.MsgCancel{OrderID: done}, tx.CodeMarketOrderNotOpen, "cancelled"},
	}
	for _, c := range cases {
		before := w.bal(c.signer.Addr)
		if c.code.Codespace == tx.CodespaceTx {
			// Invalid messages never reach a block: CheckTx rejects them and
			// PrepareProposal drops them.
			res := w.CheckTx(apptest.SignSeq(t, c.signer, apptest.ChainID, w.Seq(c.signer), c.msg))
			apptest.RequireCode(t, c.name, res, c.code, c.log)
			continue
		}
		w.RunFail(c.name, w.Sign(c.signer, c.msg), c.code, c.log)
		if got := w.bal(c.signer.Addr); got != before {
			t.Errorf("%s: a rejected order moved money: balance %d, was %d", c.name, got, before)
		}
	}

	// Open order limit (5 per account): carol has none yet.
	for n := 0; n < 5; n++ {
		w.order(carol, &tx.MsgBid{Interval: i, Wh: 1, MaxPrice: 1})
	}
	w.RunFail("sixth open order", w.Sign(carol, &tx.MsgBid{Interval: i, Wh: 1, MaxPrice: 1}), tx.CodeMarketTooManyOrders, "5 open orders")
	// Once the interval clears, the orders are no longer open.
	w.enter(i)
	w.order(carol, &tx.MsgBid{Interval: i + 1, Wh: 1, MaxPrice: 1})

	// Cancel at gate closure: the mempool (at the last block's time) still
	// accepts it, the block in the new interval rejects it.
	j := w.next() + 1
	late := w.order(carol, &tx.MsgBid{Interval: j, Wh: 1, MaxPrice: 1})
	w.until(j)
	check, res := w.Run(w.Sign(carol, &tx.MsgCancel{OrderID: late}))
	apptest.RequireOK(t, "cancel at gate closure (CheckTx, previous interval)", check)
	apptest.RequireCode(t, "cancel at gate closure (FinalizeBlock)", res, tx.CodeMarketGateClosed, "the block is in interval")
	if o := w.getOrder(late); o.Status != market.StatusUnmatched {
		t.Errorf("order after gate closure: got %s, want unmatched", o.Status)
	}
}

// TestOverflow: with the limits at their genesis bounds, the largest
// escrow (10^9 Wh at 10^12 uscn/kWh: 10^18 uscn) is computed without
// wrapping and refused for want of funds; a 1 GWh trade clears and
// settles, and a shortfall penalty larger than the seller's balance takes
// the balance and no more. (The overflow guards the bounds make
// unreachable are tested on the keeper with out-of-bound parameters:
// TestOverflowGuards.)
func TestOverflow(t *testing.T) {
	p := testParams()
	p.MaxOrderWh, p.MaxPrice = market.MaxOrderWhMax, market.MaxPriceMax
	w := newWorld(t, p)
	i := w.next() + 2
	w.RunFail("escrow beyond the balance", w.Sign(carol, &tx.MsgBid{Interval: i, Wh: market.MaxOrderWhMax, MaxPrice: market.MaxPriceMax}),
		tx.CodeBankInsufficientFunds, "needs 1000000000000000000uscn")
	w.RunFail("order above the bound", w.Sign(carol, &tx.MsgBid{Interval: i, Wh: market.MaxOrderWhMax + 1, MaxPrice: 1}), tx.CodeMarketOrderTooLarge)
	w.RunFail("price above the bound", w.Sign(carol, &tx.MsgBid{Interval: i, Wh: 1, MaxPrice: market.MaxPriceMax + 1}), tx.CodeMarketPriceTooHigh)

	const gwh = market.MaxOrderWhMax
	w.order(apptest.Bob, &tx.MsgOffer{Device: "inv-b", Interval: i, Wh: gwh, MinPrice: 1})
	treasury := w.bal(apptest.Treasury.Addr)
	bob := w.bal(apptest.Bob.Addr)
	w.order(apptest.Treasury, &tx.MsgBid{Interval: i, Wh: gwh, MaxPrice: 1_000_000}) // escrow 10^12 uscn

	w.enter(i)
	const price = 1 + (1_000_000-1)/2 // the midpoint of 1 and 10^6
	const cost = gwh * price / 1000   // 5·10^11 uscn
	if c := w.clearing(i); c == nil || c.Price != price || c.VolumeWh != gwh || c.OfferWh != gwh {
		t.Fatalf("clearing: got %+v, want price %d, volume %d", c, price, gwh)
	}
	// No reading by the deadline (2 intervals): nothing delivered; the
	// treasury gets the whole cost back, and the penalty (10 %% of it, 5·10^10)
	// takes all of bob's 10^10 balance, no more.
	w.enter(i + 3)
	s := w.settlements(i)
	if s.Settlement == nil || s.Settlement.Reason != "deadline" || s.Settlement.DeliveredWh != 0 || s.Settlement.Refunds != cost || s.Settlement.Penalties != bob {
		t.Fatalf("settlement: got %+v, want a deadline settlement refunding %d with penalty %d", s.Settlement, uint64(cost), bob)
	}
	if got := w.bal(apptest.Bob.Addr); got != 0 {
		t.Errorf("bob after the penalty: got %d, want 0", got)
	}
	if got := w.bal(apptest.Treasury.Addr); got != treasury+bob {
		t.Errorf("treasury: got %d, want %d", got, treasury+bob)
	}
}

// TestGenesisValidation: bad parameters stop InitChain with a message
// naming the field, the value and the bound; parameters at their bounds
// are accepted.
func TestGenesisValidation(t *testing.T) {
	cases := []struct {
		name   string
		change func(p *market.Params)
		log    []string // empty: accepted
	}{
		{"fee without operator", func(p *market.Params) { p.GridOperator = tx.Address{} }, []string{"params.grid_operator: none", "grid_fee_bps is 100"}},
		{"operator without the role", func(p *market.Params) { p.GridOperator = carol.Addr }, []string{"grid_operator"}},
		{"fee above 100 %", func(p *market.Params) { p.GridFeeBps = 10_001 }, []string{"params.grid_fee_bps: 10001, want 0 to 10000"}},
		{"penalty above 100 %", func(p *market.Params) { p.PenaltyBps = 10_001 }, []string{"params.penalty_bps: 10001, want 0 to 10000"}},
		{"no horizon", func(p *market.Params) { p.HorizonIntervals = 0 }, []string{"params.horizon_intervals: 0, want 1 to 35136"}},
		{"horizon past a year", func(p *market.Params) { p.HorizonIntervals = market.HorizonIntervalsMax + 1 }, []string{"params.horizon_intervals: 35137, want 1 to 35136"}},
		{"no orders", func(p *market.Params) { p.MaxOpenOrders = 0 }, []string{"params.max_open_orders: 0"}},
		{"too many open orders", func(p *market.Params) { p.MaxOpenOrders = 1_001 }, []string{"params.max_open_orders: 1001, want 1 to 1000"}},
		{"no order size", func(p *market.Params) { p.MaxOrderWh = 0 }, []string{"params.max_order_wh: 0"}},
		{"order past 1 GWh", func(p *market.Params) { p.MaxOrderWh = 1_000_000_001 }, []string{"params.max_order_wh: 1000000001, want 1 to 1000000000"}},
		{"no price", func(p *market.Params) { p.MaxPrice = 0 }, []string{"params.max_price: 0"}},
		{"price whose escrow could overflow", func(p *market.Params) { p.MaxPrice = math.MaxUint64 }, []string{"params.max_price: 18446744073709551615, want 1 to 1000000000000"}},
		{"deadline past 30 days", func(p *market.Params) { p.DeliveryDeadlineIntervals = 2_881 }, []string{"params.delivery_deadline_intervals: 2881, want 0 to 2880"}},
		{"no clearing", func(p *market.Params) { p.MaxIntervalsPerBlock = 0 }, []string{"params.max_intervals_per_block: 0"}},
		{"unbounded clearing", func(p *market.Params) { p.MaxIntervalsPerBlock = 1 << 40 }, []string{"params.max_intervals_per_block: 1099511627776, want 1 to 64"}},
		{"every error at once", func(p *market.Params) { p.MaxOpenOrders, p.MaxPrice = 0, 0 }, []string{"params.max_open_orders: 0", "params.max_price: 0"}},
		{"escrow as operator", func(p *market.Params) { p.GridOperator = escrow }, []string{`is the "market" module account`}},
		{"mileage budget as operator", func(p *market.Params) { p.GridOperator = tx.ModuleAddress("mileage") }, []string{`is the "mileage" module account`}},
		{"everything at its bound", func(p *market.Params) {
			p.HorizonIntervals, p.MaxOpenOrders, p.MaxOrderWh, p.MaxPrice = market.HorizonIntervalsMax, market.MaxOpenOrdersMax, market.MaxOrderWhMax, market.MaxPriceMax
			p.DeliveryDeadlineIntervals, p.MaxIntervalsPerBlock, p.GridFeeBps, p.PenaltyBps = market.DeliveryDeadlineIntervalsMax, market.MaxIntervalsPerBlockMax, 10_000, 10_000
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := testParams()
			c.change(&p)
			h := apptest.Open(t, apptest.Options{})
			_, err := h.App.InitChain(context.Background(), &abci.RequestInitChain{
				Time: apptest.GenesisTime, ChainId: apptest.ChainID, InitialHeight: 1, AppStateBytes: genesis(t, accounts(), nil, p),
			})
			if len(c.log) == 0 {
				if err != nil {
					t.Fatalf("InitChain %+v: got %v, want accepted", p, err)
				}
				return
			}
			for _, w := range c.log {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Fatalf("InitChain: got %v, want an error naming %q", err, w)
				}
			}
		})
	}
	// The largest escrow the bounds allow fits in 64 bits.
	if most, ok := tx.MulUint64(market.MaxOrderWhMax/1000, market.MaxPriceMax); !ok || most == math.MaxUint64 {
		t.Fatal("max_order_wh × max_price overflows at the bounds")
	}
	// Unknown fields are rejected too.
	h := apptest.Open(t, apptest.Options{})
	var sections map[string]json.RawMessage
	_ = json.Unmarshal(genesis(t, accounts(), nil, testParams()), &sections)
	sections["market"] = json.RawMessage(`{"params":{"horizon":3}}`)
	if _, err := h.App.InitChain(context.Background(), &abci.RequestInitChain{
		Time: apptest.GenesisTime, ChainId: apptest.ChainID, InitialHeight: 1, AppStateBytes: apptest.MustJSON(t, sections),
	}); err == nil || !strings.Contains(err.Error(), "horizon") {
		t.Fatalf("unknown field: got %v", err)
	}
}

// TestDefaultGenesis: the genesis chain/node and apptest build has the
// default parameters with the first grid operator receiving a 2 % fee.
func TestDefaultGenesis(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.Block()
	var p market.Params
	res := h.Query("/market/params", nil, 0, true)
	if res.Code != 0 || res.ProofOps == nil || json.Unmarshal(res.Value, &p) != nil {
		t.Fatalf("params: %s/%d %s", res.Codespace, res.Code, res.Log)
	}
	want := market.DefaultParams()
	want.GridOperator, want.GridFeeBps = apptest.GridOp.Addr, 200
	if p != want {
		t.Fatalf("params: got %+v, want %+v", p, want)
	}
}
