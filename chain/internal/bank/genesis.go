package bank

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Genesis is the module's section of the genesis app state.
type Genesis struct {
	// Denoms are the denominations that exist, e.g. uscn and ukrw.
	Denoms []string `json:"denoms"`
	// Balances are minted at genesis; the supply is their sum.
	Balances []GenesisBalance `json:"balances"`
	// Supplies, when given (an exported chain), are checked against the
	// supply the balances mint: one coin for every denomination.
	Supplies []tx.Coin `json:"supplies,omitempty"`
}

// GenesisBalance funds one account at genesis.
type GenesisBalance struct {
	Address tx.Address `json:"address"`
	Coins   []tx.Coin  `json:"coins"`
}

var _ module.Exporter = (*Keeper)(nil)

// InitGenesis implements module.Module.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	for _, d := range g.Denoms {
		if err := tx.ValidateDenom(d); err != nil {
			return ErrInvalidGenesis.Wrapf("%v", err)
		}
		k.kv(ctx).Set(denomKey(d), []byte{1})
		k.kv(ctx).Set(supplyKey(d), EncodeAmount(0))
	}
	for _, b := range g.Balances {
		for _, c := range b.Coins {
			if err := k.Mint(ctx, b.Address, c); err != nil {
				return ErrInvalidGenesis.Wrapf("balance of %s: %v", b.Address, err)
			}
		}
	}
	if len(g.Supplies) > 0 {
		return k.checkSupplies(ctx, g)
	}
	return nil
}

// checkSupplies checks that the section's supplies are those its balances
// minted, one per denomination.
func (k *Keeper) checkSupplies(ctx *module.Context, g Genesis) error {
	for i, c := range g.Supplies {
		if !k.HasDenom(ctx, c.Denom) {
			return ErrInvalidGenesis.Wrapf("supplies[%d]: %s: %q is not in denoms", i, c, c.Denom)
		}
		for _, prev := range g.Supplies[:i] {
			if prev.Denom == c.Denom {
				return ErrInvalidGenesis.Wrapf("supplies[%d]: %s: %q listed twice", i, c, c.Denom)
			}
		}
		if got := k.Supply(ctx, c.Denom); got != c.Amount {
			return ErrInvalidGenesis.Wrapf("supplies[%d]: %s, but the balances sum to %s", i, c, tx.Coin{Amount: got, Denom: c.Denom})
		}
	}
	for _, d := range g.Denoms {
		found := false
		for _, c := range g.Supplies {
			found = found || c.Denom == d
		}
		if !found {
			return ErrInvalidGenesis.Wrapf("supplies: no supply of denomination %q", d)
		}
	}
	return nil
}

// ExportGenesis implements module.Exporter: the denominations, every
// balance (minted again on import) and the supplies, which must be the sum
// of the balances.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	kv := k.kv(ctx)
	g := Genesis{Denoms: []string{}, Balances: []GenesisBalance{}}
	var (
		sums []tx.Coin // the balances summed per denomination

		addLen = len(tx.Address{})
	)
	add := func(c tx.Coin) error {
		for i := range sums {
			if sums[i].Denom == c.Denom {
				s, ok := tx.AddUint64(sums[i].Amount, c.Amount)
				if !ok {
					return fmt.Errorf("balances of %s sum past 2^64-1", c.Denom)
				}
				sums[i].Amount = s
				return nil
			}
		}
		sums = append(sums, c)
		return nil
	}
	return module.ExportSection(Codespace, kv, &g, func(key, value []byte) error {
		switch key[0] {
		case prefixBalance:
			if len(key) <= 1+addLen {
				return errors.New("balance key: want 0x01, a 20-byte address and a denomination")
			}
			var addr tx.Address
			copy(addr[:], key[1:])
			c := tx.Coin{Denom: string(key[1+addLen:])}
			v, e := DecodeAmount(value)
			if e != nil || v == 0 {
				return fmt.Errorf("balance of %s in %q: %x: want a non-zero 8-byte amount", addr, c.Denom, value)
			}
			c.Amount = v
			if !kv.Has(denomKey(c.Denom)) {
				return fmt.Errorf("balance of %s: %s of an unknown denomination", addr, c)
			}
			if n := len(g.Balances); n > 0 && g.Balances[n-1].Address == addr {
				g.Balances[n-1].Coins = append(g.Balances[n-1].Coins, c)
			} else {
				g.Balances = append(g.Balances, GenesisBalance{Address: addr, Coins: []tx.Coin{c}})
			}
			return add(c)
		case prefixSupply:
			denom := string(key[1:])
			v, e := DecodeAmount(value)
			if e != nil {
				return fmt.Errorf("supply of %q: %x: want an 8-byte amount", denom, value)
			}
			if !kv.Has(denomKey(denom)) {
				return fmt.Errorf("supply of %q: unknown denomination", denom)
			}
			g.Supplies = append(g.Supplies, tx.Coin{Amount: v, Denom: denom})
		case prefixDenom:
			denom := string(key[1:])
			if e := tx.ValidateDenom(denom); e != nil || !bytes.Equal(value, []byte{1}) {
				return fmt.Errorf("denomination entry = %x: want a valid denomination = 01", value)
			}
			if !kv.Has(supplyKey(denom)) {
				return fmt.Errorf("denomination %q has no supply", denom)
			}
			g.Denoms = append(g.Denoms, denom)
		default:
			return module.ErrUnknownKey
		}
		return nil
	}, func() error {
		for _, s := range g.Supplies {
			var sum uint64
			for _, c := range sums {
				if c.Denom == s.Denom {
					sum = c.Amount
				}
			}
			if sum != s.Amount {
				return fmt.Errorf("supply %s, but the balances sum to %s", s, tx.Coin{Amount: sum, Denom: s.Denom})
			}
		}
		return nil
	})
}
