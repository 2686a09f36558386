package market

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
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

// TestOverflowGuards: the genesis bounds keep every escrow and interval
// total of valid orders inside 64 bits; the checked arithmetic behind them
// still refuses cleanly (market code 13, nothing written) when the limits
// are 2^64-1, as in a store whose parameters were written without the
// bounds.
func TestOverflowGuards(t *testing.T) {
	kv := store.NewCache(store.NewMemTree())
	ctx := module.NewContext(kv, "overflow", 1, time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	ak := auth.NewKeeper(0x01)
	bk := bank.NewKeeper(0x02, ak)
	dk := devices.NewKeeper(0x03, ak)
	mk := metering.NewKeeper(0x04, dk, ak)
	k := NewKeeper(0x05, bk, dk, mk, ak)
	seller, other, buyer := addr("seller", 0), addr("seller", 1), addr("buyer", 0)
	raw, _ := json.Marshal(bank.Genesis{Denoms: []string{Denom}, Balances: []bank.GenesisBalance{{Address: buyer, Coins: []tx.Coin{{Amount: math.MaxUint64, Denom: Denom}}}}})
	if err := bk.InitGenesis(ctx, raw); err != nil {
		t.Fatal(err)
	}
	raw, _ = json.Marshal(metering.Genesis{Params: metering.DefaultParams()})
	if err := mk.InitGenesis(ctx, raw); err != nil {
		t.Fatal(err)
	}
	raw, _ = json.Marshal(Genesis{Params: DefaultParams()})
	if err := k.InitGenesis(ctx, raw); err != nil {
		t.Fatal(err)
	}
	for i, owner := range []tx.Address{seller, other} {
		if err := dk.Register(ctx, &tx.MsgDeviceRegister{ID: []string{"inv-a", "inv-b"}[i], Kind: tx.KindSolarInverter, Owner: owner, PubKey: make(tx.PubKey, 32)}); err != nil {
			t.Fatal(err)
		}
	}
	p := DefaultParams()
	p.MaxOrderWh, p.MaxPrice, p.MaxOpenOrders = math.MaxUint64, math.MaxUint64, 10
	if p.Validate() == nil {
		t.Fatal("limits at 2^64-1 pass the genesis bounds")
	}
	putJSON(k.kv(ctx), paramsKey, p) // past InitGenesis, which refuses them
	i := mk.CurrentInterval(ctx) + 2

	refused := func(what string, signer tx.Address, m tx.Msg, want string) {
		t.Helper()
		next := getU64(k.kv(ctx), nextOrderKey)
		err := k.Handle(ctx, signer, m)
		if !errors.Is(err, ErrOverflow) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want ErrOverflow naming %q", what, err, want)
		}
		if got := getU64(k.kv(ctx), nextOrderKey); got != next {
			t.Errorf("%s: an order was placed", what)
		}
	}
	refused("escrow overflow", buyer, &tx.MsgBid{Interval: i, Wh: math.MaxUint64, MaxPrice: math.MaxUint64}, "escrow")
	refused("escrow just past 2^64", buyer, &tx.MsgBid{Interval: i, Wh: math.MaxUint64, MaxPrice: 1001}, "escrow")
	if err := k.Handle(ctx, seller, &tx.MsgOffer{Device: "inv-a", Interval: i, Wh: math.MaxUint64, MinPrice: 1}); err != nil {
		t.Fatal(err)
	}
	refused("offered total overflow", other, &tx.MsgOffer{Device: "inv-b", Interval: i, Wh: 1, MinPrice: 1}, "offers' total")
	const huge = 999_000_000_000_000_000
	if err := k.Handle(ctx, buyer, &tx.MsgBid{Interval: i, Wh: huge, MaxPrice: 1}); err != nil {
		t.Fatal(err)
	}
	refused("bid total overflow", buyer, &tx.MsgBid{Interval: i, Wh: math.MaxUint64 - huge + 1, MaxPrice: 1}, "bids' total")
}
