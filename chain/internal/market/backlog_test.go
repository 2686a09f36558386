package market

import (
	"encoding/json"
	"fmt"
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

// TestBacklog: when block time jumps over several intervals (a chain halted
// for a while), the intervals clear oldest first, at most
// max_intervals_per_block per block, none skipped; settlement too.
func TestBacklog(t *testing.T) {
	kv := store.NewCache(store.NewMemTree())
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	ctx := module.NewContext(kv, "backlog", 1, t0)
	ak := auth.NewKeeper(0x01)
	bk := bank.NewKeeper(0x02, ak)
	dk := devices.NewKeeper(0x03, ak)
	mk := metering.NewKeeper(0x04, dk, ak)
	k := NewKeeper(0x05, bk, dk, mk, ak)
	seller, buyer := addr("seller", 0), addr("buyer", 0)
	raw, _ := json.Marshal(bank.Genesis{Denoms: []string{Denom}, Balances: []bank.GenesisBalance{{Address: buyer, Coins: []tx.Coin{{Amount: 1e12, Denom: Denom}}}}})
	if err := bk.InitGenesis(ctx, raw); err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	p.MaxIntervalsPerBlock, p.DeliveryDeadlineIntervals = 2, 0
	raw, _ = json.Marshal(Genesis{Params: p})
	if err := k.InitGenesis(ctx, raw); err != nil {
		t.Fatal(err)
	}
	if err := dk.Register(ctx, &tx.MsgDeviceRegister{ID: "inv", Kind: tx.KindSolarInverter, Owner: seller, PubKey: make(tx.PubKey, 32)}); err != nil {
		t.Fatal(err)
	}
	cur := mk.CurrentInterval(ctx)
	for i := cur + 1; i <= cur+5; i++ {
		if err := k.Handle(ctx, seller, &tx.MsgOffer{Device: "inv", Interval: i, Wh: 1_000, MinPrice: 10}); err != nil {
			t.Fatal(err)
		}
		if err := k.Handle(ctx, buyer, &tx.MsgBid{Interval: i, Wh: 1_000, MaxPrice: 10}); err != nil {
			t.Fatal(err)
		}
	}
	// The next block is 10 intervals later: everything is due.
	at := t0.Add(10 * 900 * time.Second)
	var cleared, settled []string
	for h := int64(2); h < 6; h++ {
		c := module.NewContext(kv, "backlog", h, at)
		if err := k.EndBlock(c); err != nil {
			t.Fatal(err)
		}
		var cl, st []uint64
		for _, ev := range c.Events() {
			switch ev.Type {
			case "market.cleared":
				cl = append(cl, atoi(ev.Attributes[0].Value))
			case "market.settled":
				st = append(st, atoi(ev.Attributes[0].Value))
			}
		}
		cleared = append(cleared, fmt.Sprint(rel(cl, cur)))
		settled = append(settled, fmt.Sprint(rel(st, cur)))
	}
	if got, want := fmt.Sprint(cleared), "[[1 2] [3 4] [5] []]"; got != want {
		t.Errorf("cleared per block: got %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(settled), "[[1 2] [3 4] [5] []]"; got != want {
		t.Errorf("settled per block: got %s, want %s", got, want)
	}
	if b := bk.Balance(ctx, k.Escrow, Denom); b != 0 {
		t.Errorf("escrow after the backlog: %d", b)
	}
}

func atoi(s string) uint64 {
	var n uint64
	fmt.Sscan(s, &n)
	return n
}

func rel(s []uint64, base uint64) []uint64 {
	out := []uint64{}
	for _, v := range s {
		out = append(out, v-base)
	}
	return out
}
