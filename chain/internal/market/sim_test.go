package market_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/market"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/tx"
)

// simParams make the simulation busy: a short horizon and deadline, a fee
// and a penalty, and one interval cleared and settled per block at most.
func simParams() market.Params {
	return market.Params{
		HorizonIntervals: 3, MaxOpenOrders: 12, MaxOrderWh: 5_000, MaxPrice: 200_000,
		DeliveryDeadlineIntervals: 1, GridFeeBps: 150, GridOperator: apptest.GridOp.Addr, PenaltyBps: 2_000,
		MaxIntervalsPerBlock: 1,
	}
}

type sim struct {
	*world
	rng      *rand.Rand
	sellers  map[string]apptest.Key // device -> owner
	devs     []*meter
	values   map[string]uint64
	keys     []apptest.Key
	everyone []tx.Address
	supply   uint64
	lastID   uint64
	first    uint64 // first interval an order may be for
	anchored map[uint64]bool
	revoked  map[string]bool
	blocks   [][][]byte // the transactions of every block, for replay
	// owners is each device's ownership history: who owned it from which
	// height (a transfer in block H takes effect for H's end of block).
	owners             map[string][]ownership
	transfers, dropped int // devices transferred; offers cancelled at gate closure because of one
}

type ownership struct {
	from  int64
	owner tx.Address
}

// ownerAt is the owner of device dev after the transactions of block h.
func (s *sim) ownerAt(dev string, h int64) tx.Address {
	var a tx.Address
	for _, o := range s.owners[dev] {
		if o.from <= h {
			a = o.owner
		}
	}
	return a
}

func newSim(t *testing.T, seed uint64) *sim {
	w := newWorld(t, simParams())
	s := &sim{
		world: w, rng: rand.New(rand.NewPCG(seed, seed^0x5eed)),
		sellers:  map[string]apptest.Key{"inv-a": apptest.Alice, "inv-b": apptest.Bob, "inv-c": apptest.Alice, "inv-f": frank},
		devs:     []*meter{w.invA, w.invB, w.invC, w.invF},
		values:   map[string]uint64{},
		keys:     []apptest.Key{apptest.Alice, apptest.Bob, carol, dave, erin, frank},
		anchored: map[uint64]bool{}, revoked: map[string]bool{}, owners: map[string][]ownership{},
	}
	for dev, k := range s.sellers {
		s.owners[dev] = []ownership{{0, k.Addr}}
	}
	for _, a := range accounts() {
		s.everyone = append(s.everyone, a.Key.Addr)
	}
	s.everyone = append(s.everyone, escrow)
	s.blocks = append(s.blocks, w.Block().Txs) // state is queryable after the first commit
	s.supply = w.Supply(tx.DenomSCoin)
	s.first = w.next()
	return s
}

// step builds one block of random market and metering transactions,
// produces it and checks the invariants.
func (s *sim) step() {
	t := s.t
	t.Helper()
	cur := s.next()
	var txs [][]byte
	// Orders and cancels: at most one transaction per key per block, so a
	// rejected one never leaves a sequence gap behind it.
	for _, k := range s.keys {
		if s.rng.IntN(2) != 0 {
			continue
		}
		i := cur + uint64(s.rng.IntN(5)) // sometimes the current interval or beyond the horizon: rejected
		wh := 1 + uint64(s.rng.IntN(6_000))
		price := uint64(s.rng.IntN(150_000))
		var m tx.Msg
		switch r := s.rng.IntN(10); {
		case r < 4:
			var devs []string
			for _, d := range s.devs {
				if s.sellers[d.id].Addr == k.Addr {
					devs = append(devs, d.id)
				}
			}
			if len(devs) == 0 {
				continue
			}
			m = &tx.MsgOffer{Device: devs[s.rng.IntN(len(devs))], Interval: i, Wh: wh, MinPrice: price}
		case r < 8:
			m = &tx.MsgBid{Interval: i, Wh: wh, MaxPrice: 1 + price}
		case r == 9 && s.rng.IntN(4) == 0:
			// Now and then an owner sells an inverter to another key, with
			// its open offers still in the book: those must never pay the
			// old owner for the new owner's energy.
			var devs []string
			for _, d := range s.devs {
				if s.sellers[d.id].Addr == k.Addr && !s.revoked[d.id] {
					devs = append(devs, d.id)
				}
			}
			if len(devs) == 0 {
				continue
			}
			to := s.keys[s.rng.IntN(len(s.keys))]
			if to.Addr == k.Addr {
				continue
			}
			m = &tx.MsgDeviceTransfer{ID: devs[s.rng.IntN(len(devs))], NewOwner: to.Addr}
		default:
			if s.lastID == 0 {
				continue
			}
			m = &tx.MsgCancel{OrderID: 1 + s.rng.Uint64N(s.lastID)}
		}
		txs = append(txs, s.Sign(k, m))
	}
	// Readings: each active inverter now and then reports what it produced
	// (0 to 1 kWh a block); rarely one rolls back (fraud flag) or is
	// revoked by its installer.
	var rs []tx.HexBytes
	for _, d := range s.devs {
		switch r := s.rng.IntN(1000); {
		case r < 3 && !s.revoked[d.id]:
			txs = append(txs, s.Sign(settler, &tx.MsgSubmitReadings{Readings: []tx.HexBytes{d.read(t, s.nowMs(), s.values[d.id]/2)}}))
		case r < 5 && !s.revoked[d.id]:
			s.revoked[d.id] = true
			txs = append(txs, s.Sign(apptest.Installer, &tx.MsgDeviceRevoke{ID: d.id, Reason: "sim"}))
		case r < 500:
			s.values[d.id] += uint64(s.rng.IntN(1_000))
			rs = append(rs, d.read(t, s.nowMs(), s.values[d.id]))
		}
	}
	if len(rs) > 0 {
		txs = append(txs, s.Sign(settler, &tx.MsgSubmitReadings{Readings: rs}))
	}
	// Anchors: the settlement relay anchors a closed interval, late or not
	// at all (then the deadline settles it).
	if prev := cur - 1; cur > s.first && !s.anchored[prev] && s.rng.IntN(8) == 0 {
		s.anchored[prev] = true
		txs = append(txs, s.Sign(settler, &tx.MsgAnchor{Interval: prev, Root: make(tx.HexBytes, 32), Count: 1}))
	}

	b := s.Block(txs...)
	s.blocks = append(s.blocks, b.Txs)
	for n := range b.Txs {
		for _, ev := range b.TxResult(n).Events {
			if ev.Type == "devices.transferred" {
				dev, _ := apptest.Attr([]abci.Event{ev}, ev.Type, "device")
				to, _ := apptest.Attr([]abci.Event{ev}, ev.Type, "to")
				for _, k := range s.keys {
					if k.Addr.String() == to {
						s.sellers[dev] = k
						s.owners[dev] = append(s.owners[dev], ownership{b.Height, k.Addr})
						s.transfers++
					}
				}
				continue
			}
			if ev.Type != "market.order_placed" {
				continue
			}
			id, _ := strconv.ParseUint(ev.Attributes[0].Value, 10, 64)
			if id <= s.lastID {
				t.Fatalf("height %d: order id %d after %d", b.Height, id, s.lastID)
			}
			s.lastID = id
		}
	}
	for _, ev := range b.Result.Events {
		if v, _ := apptest.Attr([]abci.Event{ev}, "market.order_cancelled", "reason"); v != market.CancelDeviceTransferred {
			continue
		}
		dev, _ := apptest.Attr([]abci.Event{ev}, ev.Type, "device")
		owner, _ := apptest.Attr([]abci.Event{ev}, ev.Type, "owner")
		if s.ownerAt(dev, b.Height).String() == owner {
			t.Fatalf("height %d: an offer of %s's owner %s was cancelled as transferred", b.Height, dev, owner)
		}
		s.dropped++
	}
	// Resynchronise the sequences with the chain (rejected transactions
	// did not consume theirs).
	for _, k := range append(s.keys, settler) {
		a, _ := s.Account(k.Addr)
		s.SetSeq(k, a.Sequence)
	}
	s.check(b.Height)
}

// check verifies the invariants on committed state.
func (s *sim) check(height int64) {
	t := s.t
	t.Helper()
	// Supply conserved, and every uscn is in a known account.
	var total uint64
	for _, a := range s.everyone {
		total += s.bal(a)
	}
	if sup := s.Supply(tx.DenomSCoin); sup != s.supply || total != sup {
		t.Fatalf("height %d: supply %d (genesis %d), balances sum to %d", height, sup, s.supply, total)
	}
	// Escrow = open bids' escrow + unsettled trades' cost.
	committed := uint64(apptest.BlockTime(height).Unix()) / intervalSeconds
	var held uint64
	seen := map[uint64]bool{}
	for _, k := range s.keys {
		var orders []market.Order
		s.queryJSON("/market/orders", []byte(k.Addr.String()), &orders)
		for _, o := range orders {
			if o.Status == market.StatusOpen {
				if o.Interval <= committed {
					t.Fatalf("height %d (interval %d): order %d for interval %d still open after gate closure", height, committed, o.ID, o.Interval)
				}
				held += o.Escrow
			}
			if seen[o.ID] {
				t.Fatalf("order %d listed twice", o.ID)
			}
			seen[o.ID] = true
		}
	}
	for i := s.first; i <= committed; i++ {
		v := s.settlements(i)
		delivered := map[string]uint64{}
		for _, tr := range v.Trades {
			if !tr.Settled {
				held += tr.Cost
				continue
			}
			if tr.Paid+tr.Refund != tr.Cost || tr.Fee > tr.Paid || tr.DeliveredWh > tr.Wh {
				t.Fatalf("height %d: trade %d/%d does not add up: %+v", height, i, tr.Seq, tr)
			}
			// A seller is paid only for a device it owned from the gate
			// closure to the settlement; otherwise the trade is voided.
			c := s.clearing(i)
			owned := s.ownerAt(tr.Device, c.Height) == tr.Seller && s.ownerAt(tr.Device, tr.SettledHeight) == tr.Seller
			if s.ownerAt(tr.Device, c.Height) != tr.Seller {
				t.Fatalf("height %d: trade %d/%d cleared at height %d for seller %s, but %s owned %s then",
					height, i, tr.Seq, c.Height, tr.Seller, s.ownerAt(tr.Device, c.Height), tr.Device)
			}
			if voided := tr.Void != ""; voided == owned || (voided && (tr.Paid != 0 || tr.Penalty != 0)) {
				t.Fatalf("height %d: trade %d/%d of %s settled at height %d (owner then %s): %+v",
					height, i, tr.Seq, tr.Device, tr.SettledHeight, s.ownerAt(tr.Device, tr.SettledHeight), tr)
			}

			delivered[tr.Device] += tr.DeliveredWh
		}
		if (v.Settlement != nil) != (len(v.Trades) > 0 && v.Trades[0].Settled) {
			t.Fatalf("height %d interval %d: settlement %+v with trades %+v", height, i, v.Settlement, v.Trades)
		}
		for _, d := range s.devs {
			if delivered[d.id] == 0 {
				continue
			}
			req := apptest.MustJSON(t, metering.RangeRequest{Device: d.id, From: i, To: i})
			var deltas []metering.IntervalValue
			s.queryJSON("/metering/deltas", req, &deltas)
			if len(deltas) != 1 || delivered[d.id] > deltas[0].Delta {
				t.Fatalf("height %d: %s settled %d Wh as delivered in interval %d, metered %v", height, d.id, delivered[d.id], i, deltas)
			}
		}
	}
	if got := s.bal(escrow); got != held {
		t.Fatalf("height %d: market escrow holds %d, open bids and unsettled trades %d", height, got, held)
	}
}

// TestSimulation runs random markets over many seeds and checks the
// invariants after every block.
func TestSimulation(t *testing.T) {
	seeds, intervals := 32, 10
	if testing.Short() {
		seeds, intervals = 3, 6
	}
	var trades, settled, anchored, shortfalls, transfers, dropped, voided int
	for seed := range uint64(seeds) {
		t.Run("seed="+strconv.FormatUint(seed, 10), func(t *testing.T) {
			s := newSim(t, seed)
			for s.next() < s.first+uint64(intervals) {
				s.step()
			}
			transfers += s.transfers
			dropped += s.dropped
			for i := s.first; i < s.first+uint64(intervals); i++ {
				v := s.settlements(i)
				trades += len(v.Trades)
				for _, tr := range v.Trades {
					if tr.Void != "" {
						voided++
					}
				}
				if v.Settlement != nil {
					settled++
					if v.Settlement.Reason == "anchored" {
						anchored++
					}
					if v.Settlement.DeliveredWh < v.Settlement.TradedWh {
						shortfalls++
					}
				}
			}
		})
	}
	// The simulation must exercise what it checks.
	if trades < seeds*5 || settled < seeds*2 || anchored == 0 || anchored == settled || shortfalls == 0 {
		t.Fatalf("the simulation traded %d times and settled %d intervals (%d anchored, %d short) over %d seeds: too little to check anything",
			trades, settled, anchored, shortfalls, seeds)
	}
	if !testing.Short() && (transfers == 0 || dropped == 0 || voided == 0) {
		t.Fatalf("the simulation transferred %d devices, cancelled %d offers and voided %d trades for it: too little to check", transfers, dropped, voided)
	}
	t.Logf("%d trades, %d settled intervals (%d anchored, %d short) over %d seeds; %d device transfers, %d offers cancelled and %d trades voided for them",
		trades, settled, anchored, shortfalls, seeds, transfers, dropped, voided)
}

// TestDeterminism replays a simulated history into a second app (as a
// replaying node does, without CheckTx or proposals): same app hash at every
// height, and the same market state.
func TestDeterminism(t *testing.T) {
	s := newSim(t, 42)
	for s.next() < s.first+5 {
		s.step()
	}
	r := newWorld(t, simParams())
	if !bytes.Equal(r.GenesisHash, s.GenesisHash) {
		t.Fatalf("genesis hashes differ")
	}
	for n, txs := range s.blocks {
		res := r.Deliver(txs)
		if h := int64(n + 1); !bytes.Equal(res.AppHash, s.Hashes[h]) {
			t.Fatalf("height %d: app hash %X, replay %X", h, s.Hashes[h], res.AppHash)
		}
	}
	for i := s.first; i < s.first+5; i++ {
		a, _ := json.Marshal(s.settlements(i))
		b, _ := json.Marshal((&world{Harness: r.Harness, t: t}).settlements(i))
		if !bytes.Equal(a, b) {
			t.Fatalf("interval %d: %s / %s", i, a, b)
		}
	}
}
