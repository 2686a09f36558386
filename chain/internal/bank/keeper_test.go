package bank

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

type accounts struct{ created []tx.Address }

func (a *accounts) EnsureAccount(_ *module.Context, addr tx.Address) {
	a.created = append(a.created, addr)
}
func (a *accounts) HasRole(*module.Context, tx.Address, string) bool { return true }

func newKeeper(t *testing.T, genesis string) (*Keeper, *module.Context) {
	t.Helper()
	k := NewKeeper(0x02, &accounts{})
	ctx := module.NewContext(store.NewCache(store.NewMemTree()), "c", 1, time.Unix(0, 0))
	if err := k.InitGenesis(ctx, []byte(genesis)); err != nil {
		t.Fatal(err)
	}
	return k, ctx
}

var (
	addrA = tx.Address{1}
	addrB = tx.Address{2}
)

// TestBalanceOverflowGuards: with a consistent state no balance can pass
// the supply, so these guards only fire on a state that breaks the
// invariant; they must refuse rather than wrap.
func TestBalanceOverflowGuards(t *testing.T) {
	k, ctx := newKeeper(t, `{"denoms":["uscn"],"balances":[]}`)
	k.setBalance(ctx, addrB, "uscn", math.MaxUint64)
	k.setBalance(ctx, addrA, "uscn", 5)
	if err := k.Send(ctx, addrA, addrB, tx.Coin{Amount: 1, Denom: "uscn"}); !errors.Is(err, ErrOverflow) {
		t.Errorf("send onto a full balance: got %v, want ErrOverflow", err)
	}
	if err := k.Mint(ctx, addrB, tx.Coin{Amount: 1, Denom: "uscn"}); !errors.Is(err, ErrOverflow) {
		t.Errorf("mint onto a full balance: got %v, want ErrOverflow", err)
	}
	if got := k.Balance(ctx, addrA, "uscn"); got != 5 {
		t.Errorf("sender after refused send: got %d", got)
	}
}

func TestInitGenesis(t *testing.T) {
	k, ctx := newKeeper(t, `{"denoms":["uscn","ukrw"],"balances":[{"address":"`+addrA.String()+`","coins":["5uscn","7uscn","1ukrw"]}]}`)
	if k.Balance(ctx, addrA, "uscn") != 12 || k.Supply(ctx, "uscn") != 12 || k.Supply(ctx, "ukrw") != 1 {
		t.Errorf("genesis balances: %v supply %d", k.Balances(ctx, addrA), k.Supply(ctx, "uscn"))
	}
	if !k.HasDenom(ctx, "ukrw") || k.HasDenom(ctx, "uxyz") {
		t.Error("HasDenom")
	}
	for name, g := range map[string]string{
		"bad denom":        `{"denoms":["U"],"balances":[]}`,
		"undeclared denom": `{"denoms":["uscn"],"balances":[{"address":"` + addrA.String() + `","coins":["5ukrw"]}]}`,
		"overflow":         `{"denoms":["uscn"],"balances":[{"address":"` + addrA.String() + `","coins":["18446744073709551615uscn"]},{"address":"` + addrB.String() + `","coins":["1uscn"]}]}`,
		"unknown field":    `{"denoms":[],"balances":[],"supply":[]}`,
	} {
		k := NewKeeper(0x02, &accounts{})
		ctx := module.NewContext(store.NewCache(store.NewMemTree()), "c", 1, time.Unix(0, 0))
		if err := k.InitGenesis(ctx, []byte(g)); !errors.Is(err, ErrInvalidGenesis) {
			t.Errorf("%s: got %v, want ErrInvalidGenesis", name, err)
		}
	}
}

func TestAmountEncoding(t *testing.T) {
	for _, v := range []uint64{0, 1, math.MaxUint64} {
		if got, err := DecodeAmount(EncodeAmount(v)); err != nil || got != v {
			t.Errorf("amount %d: got %d, %v", v, got, err)
		}
	}
	if v, err := DecodeAmount(nil); err != nil || v != 0 {
		t.Errorf("absent amount: got %d, %v", v, err)
	}
	if _, err := DecodeAmount([]byte{1, 2, 3}); err == nil {
		t.Error("3-byte amount accepted")
	}
}
