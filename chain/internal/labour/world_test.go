package labour_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/auth"
	"github.com/citychain/citychain/chain/internal/bank"
	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/labour"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Store prefixes of the modules as the app wires them.
const (
	prefixAuth    byte = 0x01
	prefixBank    byte = 0x02
	prefixDevices byte = 0x03
	prefixLabour  byte = 0x08
)

// projects stands for the contracts module: which employers each project
// employs (its prime and subcontractors).
type projects struct {
	employers map[string][]tx.Address // looked up only
}

func (p *projects) ProjectEmployer(_ *module.Context, project string, employer tx.Address) (exists, employs bool) {
	e, ok := p.employers[project]
	return ok, slices.Contains(e, employer)
}

// world is the labour keeper over the real auth, bank and devices
// keepers on one in-memory state, driven directly: each message in its
// own cache written only when it succeeds, the end-of-block work at a
// block time of the test's choosing.
type world struct {
	tb     testing.TB
	tree   *store.Tree
	state  *store.Cache
	auth   *auth.Keeper
	bank   *bank.Keeper
	k      *labour.Keeper
	proj   *projects
	now    time.Time
	height int64
	events []abci.Event // of the last message or block
}

// member is a genesis account of a world.
type member struct {
	addr  tx.Address
	roles []string
	won   uint64
}

// newWorld starts a world at genesis time t with members, the contracts
// escrow holding escrowWon, and the labour section g (none when nil).
func newWorld(tb testing.TB, t time.Time, escrowWon uint64, g *labour.Genesis, members ...member) *world {
	tb.Helper()
	tree := store.NewMemTree()
	w := &world{tb: tb, tree: tree, state: store.NewCache(tree), now: t, height: 1, proj: &projects{employers: map[string][]tx.Address{}}}
	w.auth = auth.NewKeeper(prefixAuth)
	w.bank = bank.NewKeeper(prefixBank, w.auth)
	dev := devices.NewKeeper(prefixDevices, w.auth)
	w.k = labour.NewKeeper(prefixLabour, w.auth, w.bank, dev)
	w.k.SetProjects(w.proj)
	ag := auth.Genesis{Authorities: []tx.Address{apptest.Authority.Addr}, Accounts: []auth.GenesisAccount{{Address: apptest.Authority.Addr}}}
	bg := bank.Genesis{Denoms: []string{tx.DenomSCoin, tx.DenomKRW}}
	for _, m := range members {
		ag.Accounts = append(ag.Accounts, auth.GenesisAccount{Address: m.addr, Roles: m.roles})
		if m.won > 0 {
			bg.Balances = append(bg.Balances, bank.GenesisBalance{Address: m.addr, Coins: []tx.Coin{apptest.KRW(m.won)}})
		}
	}
	if escrowWon > 0 {
		bg.Balances = append(bg.Balances, bank.GenesisBalance{Address: labour.ContractsEscrow, Coins: []tx.Coin{apptest.KRW(escrowWon)}})
	}
	ctx := w.ctx(w.state)
	for _, step := range []struct {
		m   module.Module
		raw any
	}{{w.auth, ag}, {w.bank, bg}, {dev, devices.Genesis{Devices: []tx.MsgDeviceRegister{}}}} {
		if err := step.m.InitGenesis(ctx, apptest.MustJSON(tb, step.raw)); err != nil {
			tb.Fatalf("genesis of %s: %v", step.m.Name(), err)
		}
	}
	if g != nil {
		if err := w.k.InitGenesis(ctx, apptest.MustJSON(tb, g)); err != nil {
			tb.Fatalf("labour genesis: %v", err)
		}
	}
	return w
}

func (w *world) ctx(kv store.KV) *module.Context {
	return module.NewContext(kv, apptest.ChainID, w.height, w.now)
}

// run handles one message as signer at the world's time, as the app
// would: its checks, then the keeper in a cache kept only on success.
func (w *world) run(signer tx.Address, m tx.Msg) error {
	if err := m.ValidateBasic(); err != nil {
		return err
	}
	c := store.NewCache(w.state)
	ctx := w.ctx(c)
	if err := w.k.Handle(ctx, signer, m); err != nil {
		return err
	}
	c.Write()
	w.events = ctx.Events()
	return nil
}

// must runs m and fails the test when it is refused.
func (w *world) must(what string, signer tx.Address, m tx.Msg) {
	w.tb.Helper()
	if err := w.run(signer, m); err != nil {
		w.tb.Fatalf("%s: %v", what, err)
	}
}

// refused runs m and fails the test unless it is refused with code and
// leaves the state as it was.
func (w *world) refused(what string, signer tx.Address, m tx.Msg, code tx.Code) {
	w.tb.Helper()
	before := w.hash()
	err := w.run(signer, m)
	if cs, n, _ := module.Codes(err); err == nil || !code.Matches(cs, n) {
		w.tb.Fatalf("%s: got %v, want %s/%d", what, err, code.Codespace, code.Code)
	}
	if w.hash() != before {
		w.tb.Fatalf("%s: refused, but the state changed", what)
	}
	w.tb.Logf("%s: refused: %v", what, err)
}

// fundProject is the contracts module releasing won to project's pool.
func (w *world) fundProject(project string, won uint64) error {
	c := store.NewCache(w.state)
	if err := w.k.FundProject(w.ctx(c), project, won); err != nil {
		return err
	}
	c.Write()
	return nil
}

// block runs the end-of-block work at time t.
func (w *world) block(t time.Time) {
	w.tb.Helper()
	if t.Before(w.now) {
		w.tb.Fatalf("block at %v before %v", t, w.now)
	}
	w.now = t
	w.height++
	c := store.NewCache(w.state)
	ctx := w.ctx(c)
	if err := w.k.EndBlock(ctx); err != nil {
		w.tb.Fatalf("end block at %v: %v", t, err)
	}
	c.Write()
	w.events = ctx.Events()
	w.commit()
}

// commit writes the state into the tree as a new version, as a chain
// commits a block.
func (w *world) commit() {
	w.tb.Helper()
	w.state.Write()
	if _, _, err := w.tree.Commit(); err != nil {
		w.tb.Fatal(err)
	}
}

// at moves the world's clock to t without a block (messages run at t).
func (w *world) at(t time.Time) { w.now = t }

// hash is a digest of the whole state.
func (w *world) hash() string {
	var b []byte
	store.Each(w.state, nil, nil, func(k, v []byte) bool {
		b = append(b, k...)
		b = append(b, 0xff)
		b = append(b, v...)
		b = append(b, 0xfe)
		return true
	})
	return string(b)
}

func (w *world) krw(a tx.Address) uint64 {
	return w.bank.Balance(w.ctx(w.state), a, tx.DenomKRW) / tx.UKRWPerWon
}

// section exports the labour section and decodes it.
func (w *world) section() (json.RawMessage, labour.Genesis) {
	w.tb.Helper()
	raw, err := w.k.ExportGenesis(w.ctx(w.state))
	if err != nil {
		w.tb.Fatal(err)
	}
	var g labour.Genesis
	if raw != nil {
		if err := json.Unmarshal(raw, &g); err != nil {
			w.tb.Fatal(err)
		}
	}
	return raw, g
}

// reimport imports the labour section into a fresh state holding the same
// auth and bank state, and fails unless the labour keys (derived ones
// included) are the same and the second export is byte-identical.
func (w *world) reimport() {
	w.tb.Helper()
	raw, _ := w.section()
	fresh := store.NewCache(store.NewMemTree())
	// The bank and auth keys as they are (the labour genesis reads the
	// escrow balances).
	store.Each(w.state, nil, nil, func(k, v []byte) bool {
		if k[0] != prefixLabour {
			fresh.Set(k, v)
		}
		return true
	})
	ctx := w.ctx(fresh)
	if err := w.k.InitGenesis(ctx, raw); err != nil {
		w.tb.Fatalf("import the export: %v\n%s", err, raw)
	}
	pfx := []byte{prefixLabour}
	if k, a, b, differ := store.FirstDifference(store.NewPrefixed(w.state, pfx), store.NewPrefixed(fresh, pfx)); differ {
		w.tb.Fatalf("import differs at key %x: %q, imported %q", k, a, b)
	}
	again, err := w.k.ExportGenesis(ctx)
	if err != nil || string(again) != string(raw) {
		w.tb.Fatalf("export of the import: %v\n%s\nwant\n%s", err, again, raw)
	}
}
