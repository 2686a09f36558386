package market

import (
	"cmp"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/internal/auth"
	"github.com/citychain/citychain/chain/internal/bank"
	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// benchBook is an interval's book of n orders (half offers, half bids from
// 200 sellers and 200 buyers, random prices and volumes) committed to an
// IAVL tree by the real keepers, as the chain would hold it at gate closure.
type benchBook struct {
	tree     *store.Tree
	k        *Keeper
	params   Params
	interval uint64
	at       time.Time // a block time in the interval
	offers   Book
	bids     Book
}

var benchBooks = map[int]*benchBook{}

func addr(kind string, n int) tx.Address {
	s := sha256.Sum256(fmt.Appendf(nil, "bench/%s/%d", kind, n))
	var a tx.Address
	copy(a[:], s[:])
	return a
}

func newBenchBook(b *testing.B, n int) *benchBook {
	if bb, ok := benchBooks[n]; ok {
		return bb
	}
	const owners = 200
	tree := store.NewMemTree()
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	c := store.NewCache(tree)
	ctx := module.NewContext(c, "bench", 0, t0)
	ak := auth.NewKeeper(0x01)
	bk := bank.NewKeeper(0x02, ak)
	dk := devices.NewKeeper(0x03, ak)
	mk := metering.NewKeeper(0x04, dk, ak)
	k := NewKeeper(0x05, bk, dk, mk, ak)

	var balances []bank.GenesisBalance
	for i := range owners {
		balances = append(balances, bank.GenesisBalance{Address: addr("buyer", i), Coins: []tx.Coin{{Amount: 1 << 50, Denom: Denom}}})
	}
	mustInit := func(m module.Module, v any) {
		raw, _ := json.Marshal(v)
		if err := m.InitGenesis(ctx, raw); err != nil {
			b.Fatal(err)
		}
	}
	mustInit(bk, bank.Genesis{Denoms: []string{Denom}, Balances: balances})
	mustInit(mk, metering.Genesis{Params: metering.DefaultParams()})
	p := DefaultParams()
	p.MaxOpenOrders, p.MaxOrderWh, p.MaxPrice = MaxOpenOrdersMax, 10_000, 200_000 // n/400 orders per account
	mustInit(k, Genesis{Params: p})
	for i := range owners {
		pub := sha256.Sum256(fmt.Appendf(nil, "bench/key/%d", i))
		if err := dk.Register(ctx, &tx.MsgDeviceRegister{ID: fmt.Sprintf("inv-%d", i), Kind: tx.KindSolarInverter, Owner: addr("seller", i), PubKey: pub[:]}); err != nil {
			b.Fatal(err)
		}
	}
	interval := mk.CurrentInterval(ctx) + 1
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	for i := range n {
		wh := 1 + rng.Uint64N(10_000)
		// Offers around 100,000 uscn/kWh and bids around 95,000: about half
		// of the book crosses.
		var err error
		if i%2 == 0 {
			o := i / 2 % owners
			err = k.Handle(ctx, addr("seller", o), &tx.MsgOffer{Device: fmt.Sprintf("inv-%d", o), Interval: interval, Wh: wh, MinPrice: 50_000 + rng.Uint64N(100_000)})
		} else {
			err = k.Handle(ctx, addr("buyer", i/2%owners), &tx.MsgBid{Interval: interval, Wh: wh, MaxPrice: 45_000 + rng.Uint64N(100_000)})
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	c.Write()
	if _, _, err := tree.Commit(); err != nil {
		b.Fatal(err)
	}
	bb := &benchBook{tree: tree, k: k, params: p, interval: interval,
		at: time.Unix(int64(interval*metering.DefaultParams().IntervalSeconds), 0).UTC()}
	view := module.NewContext(store.NewCache(tree), "bench", 1, bb.at)
	bb.offers = loadBook(k.kv(view), interval, sideAsk)
	bb.bids = loadBook(k.kv(view), interval, sideBid)
	if len(bb.offers)+len(bb.bids) != n {
		b.Fatalf("book has %d orders, want %d", len(bb.offers)+len(bb.bids), n)
	}
	benchBooks[n] = bb
	return bb
}

// BenchmarkClear measures the clearing function as EndBlock calls it, over
// the IAVL tree: reading the book, matching, writing trades and closed
// orders, refunding escrow through the bank. Each iteration runs on a fresh
// cache over the same committed book.
func BenchmarkClear(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			bb := newBenchBook(b, n)
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				ctx := module.NewContext(store.NewCache(bb.tree), "bench", 2, bb.at)
				b.StartTimer()
				if err := bb.k.Clear(ctx, bb.params, bb.interval); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			ctx := module.NewContext(store.NewCache(bb.tree), "bench", 2, bb.at)
			_ = bb.k.Clear(ctx, bb.params, bb.interval)
			c := bb.k.Clearing(ctx, bb.interval)
			b.ReportMetric(float64(c.Trades), "trades")
		})
	}
}

// BenchmarkSort is the baseline: sorting the same orders in memory into
// matching order (offers by ascending price, bids by descending price, ties
// by id), from a shuffled copy.
func BenchmarkSort(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			bb := newBenchBook(b, n)
			rng := rand.New(rand.NewPCG(7, 7))
			offers, bids := slices.Clone(bb.offers), slices.Clone(bb.bids)
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				rng.Shuffle(len(offers), func(i, j int) { offers[i], offers[j] = offers[j], offers[i] })
				rng.Shuffle(len(bids), func(i, j int) { bids[i], bids[j] = bids[j], bids[i] })
				b.StartTimer()
				slices.SortFunc(offers, func(x, y *Order) int { return cmp.Or(cmp.Compare(x.Price, y.Price), cmp.Compare(x.ID, y.ID)) })
				slices.SortFunc(bids, func(x, y *Order) int { return cmp.Or(cmp.Compare(y.Price, x.Price), cmp.Compare(x.ID, y.ID)) })
			}
		})
	}
}
