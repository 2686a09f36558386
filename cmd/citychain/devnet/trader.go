package devnet

import (
	"context"
	"fmt"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
)

// Households bid for energy in the devnet's market.
const Households = 5

func householdNames() []string {
	var out []string
	for i := range Households {
		out = append(out, fmt.Sprintf("household%02d", i+1))
	}
	return out
}

// trader plays the devnet's market participants: before each delivery
// interval's gate closure, every prosumer offers 80% of its inverter's
// forecast production (its present power held over the interval) and every
// household bids for a share of the expected supply.
type trader struct {
	s        *System
	c        *client.Client
	kr       *keyring.Keyring
	interval uint64 // seconds
	done     uint64 // last delivery interval traded
}

func (s *System) newTrader(c *client.Client, intervalSeconds uint64) (*trader, error) {
	kr, err := keyring.Open(node.KeyringDir(s.cfg.Home))
	if err != nil {
		return nil, err
	}
	return &trader{s: s, c: c, kr: kr, interval: intervalSeconds}, nil
}

// run places the orders of the interval after the current one, once per
// interval, until ctx ends.
func (t *trader) run(ctx context.Context) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		st, err := t.c.RPC().Status(ctx)
		if err != nil {
			continue
		}
		next := uint64(st.SyncInfo.LatestBlockTime.Unix())/t.interval + 1
		if next <= t.done {
			continue
		}
		t.done = next
		t.trade(ctx, next)
	}
}

func (t *trader) trade(ctx context.Context, interval uint64) {
	log := t.s.cfg.Logger.With("part", "trader", "interval", interval)
	chainID, err := t.c.ChainID(ctx)
	if err != nil {
		return
	}
	send := func(name string, msg tx.Msg) {
		key, err := t.kr.Get(name)
		if err != nil {
			log.Warn("no key", "account", name, "err", err)
			return
		}
		acc, err := t.c.Account(ctx, key.Address)
		if err != nil {
			log.Warn("no account", "account", name, "err", err)
			return
		}
		raw, err := tx.Build(key.Private, chainID, acc.Sequence, "devnet trader", msg)
		if err != nil {
			log.Warn("build order", "err", err)
			return
		}
		if _, err := t.c.Broadcast(ctx, raw); err != nil {
			log.Warn("order rejected", "account", name, "err", err)
		}
	}
	// Wh an inverter at power P watts makes in one interval of simulated time.
	simSeconds := float64(t.interval) * t.s.Manifest.Speed
	var supply uint64
	for i, d := range t.s.Manifest.Devices {
		if d.Kind != tx.KindSolarInverter {
			continue
		}
		sd, ok := t.s.Fleet.Device(d.ID)
		if !ok {
			continue
		}
		wh := uint64(float64(sd.Read().PowerW) * simSeconds / 3600 * 0.8)
		if wh == 0 {
			continue
		}
		supply += wh
		send(d.Owner, &tx.MsgOffer{Device: d.ID, Interval: interval, Wh: wh, MinPrice: 90_000 + uint64(i%5)*5_000})
	}
	if supply == 0 {
		return
	}
	for i, h := range householdNames() {
		// Together the households want about 70% of the offered energy, at
		// maximum prices spread around the offers'.
		wh := supply * 14 / 100
		send(h, &tx.MsgBid{Interval: interval, Wh: wh, MaxPrice: 95_000 + uint64(i)*10_000})
	}
}
