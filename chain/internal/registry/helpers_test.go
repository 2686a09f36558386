package registry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/registry"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// The accounts of the registry tests, besides the demo accounts: two
// registry agencies (the district office and the ministry of justice),
// two more authorities (a council of three), officers, vets and an
// inspector who hold no chain role: their registry roles are granted
// inside the registries.
var (
	district   = apptest.NewKey("district-office") // registry_agency: owns pet_registration
	ministry   = apptest.NewKey("ministry")        // registry_agency: owns trust_filings
	authority2 = apptest.NewKey("authority-2")
	authority3 = apptest.NewKey("authority-3")
	officer    = apptest.NewKey("officer")
	officer2   = apptest.NewKey("officer-2")
	officer3   = apptest.NewKey("officer-3")
	vet        = apptest.NewKey("vet")
	inspector  = apptest.NewKey("pet-inspector")
	petOwner   = apptest.NewKey("pet-owner")
	petOwner2  = apptest.NewKey("pet-owner-2")
	accreditor = apptest.NewKey("accreditor")
	vetBoard   = apptest.NewKey("vet-board") // issues licensed_vet credentials
)

// accounts are the demo accounts and the test's accounts; with council,
// two more authorities.
func accounts(council bool) []apptest.Account {
	acc := append(apptest.DemoAccounts(),
		apptest.Account{Key: district, Roles: []string{tx.RoleRegistryAgency}, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: ministry, Roles: []string{tx.RoleRegistryAgency}, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: accreditor, Roles: []string{tx.RoleAccreditor}, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: vetBoard, Coins: []tx.Coin{apptest.SCN(10)}},
	)
	for _, k := range []apptest.Key{officer, officer2, officer3, vet, inspector, petOwner, petOwner2} {
		acc = append(acc, apptest.Account{Key: k, Coins: []tx.Coin{apptest.SCN(10)}})
	}
	if council {
		acc = append(acc, apptest.Account{Key: authority2, Authority: true, Coins: []tx.Coin{apptest.SCN(10)}},
			apptest.Account{Key: authority3, Authority: true, Coins: []tx.Coin{apptest.SCN(10)}})
	}
	return acc
}

// chain drives the real app through apptest's harness with blocks at a
// time of the test's choosing, so that a test can let months pass: each
// block is BlockInterval after the previous one unless jump moved the
// clock on. CheckTx runs on the committed state, as in a node.
type chain struct {
	t   testing.TB
	h   *apptest.Harness
	now time.Time // the last block's time
	// mirror, when set, is a second app fed the same blocks, which must
	// reach the same app hash.
	mirror *apptest.Harness
}

// newChain starts a chain of accounts(council); with council the
// authority threshold is 2 of 3.
func newChain(t testing.TB, council bool) *chain {
	t.Helper()
	st := apptest.BuildAppState(accounts(council), nil)
	if council {
		k := uint32(2)
		st.Auth.AuthorityThreshold = &k
	}
	h := apptest.New(t, apptest.Options{AppState: apptest.MustJSON(t, st)})
	c := &chain{t: t, h: h, now: apptest.GenesisTime}
	c.block()
	return c
}

// newTwinChain is newChain with a mirror app.
func newTwinChain(t testing.TB, council bool) *chain {
	t.Helper()
	c := newChain(t, council)
	st := apptest.BuildAppState(accounts(council), nil)
	if council {
		k := uint32(2)
		st.Auth.AuthorityThreshold = &k
	}
	c.mirror = apptest.New(t, apptest.Options{AppState: apptest.MustJSON(t, st)})
	finalize(t, c.mirror, c.now, nil)
	return c
}

// finalize finalizes and commits txs as h's next block at time now.
func finalize(t testing.TB, h *apptest.Harness, now time.Time, txs [][]byte) *abci.ResponseFinalizeBlock {
	t.Helper()
	height := h.Height + 1
	res, err := h.App.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Txs: txs, Height: height, Time: now})
	if err != nil {
		t.Fatalf("FinalizeBlock at %d: %v", height, err)
	}
	if _, err := h.App.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		t.Fatalf("Commit at %d: %v", height, err)
	}
	h.Height = height
	h.Hashes[height] = bytes.Clone(res.AppHash)
	return res
}

// jump moves the clock on by d before the next block.
func (c *chain) jump(d time.Duration) { c.now = c.now.Add(d) }

// block finalizes and commits txs as the next block.
func (c *chain) block(txs ...[]byte) *abci.ResponseFinalizeBlock {
	c.t.Helper()
	c.now = c.now.Add(apptest.BlockInterval)
	res := finalize(c.t, c.h, c.now, txs)
	if c.mirror != nil {
		if m := finalize(c.t, c.mirror, c.now, txs); !bytes.Equal(m.AppHash, res.AppHash) {
			c.t.Fatalf("height %d: app hash %X, the mirror's %X", c.h.Height, res.AppHash, m.AppHash)
		}
	}
	return res
}

// sign signs msgs as k.
func (c *chain) sign(k apptest.Key, msgs ...tx.Msg) []byte { return c.h.Sign(k, msgs...) }

// ok runs one transaction (CheckTx, then alone in the next block) and
// fails unless both accept it; it returns the block's result.
func (c *chain) ok(what string, k apptest.Key, m tx.Msg) *abci.ExecTxResult {
	c.t.Helper()
	raw := c.sign(k, m)
	apptest.RequireOK(c.t, what+" (CheckTx)", c.h.CheckTx(raw))
	res := c.block(raw).TxResults[0]
	apptest.RequireOK(c.t, what+" (FinalizeBlock)", res)
	return res
}

// fail runs one transaction and fails unless both CheckTx and
// FinalizeBlock refuse it with code, naming logHas, with no event.
func (c *chain) fail(what string, k apptest.Key, m tx.Msg, code tx.Code, logHas ...string) *abci.ExecTxResult {
	c.t.Helper()
	raw := c.sign(k, m)
	apptest.RequireCode(c.t, what+" (CheckTx)", c.h.CheckTx(raw), code, logHas...)
	res := c.block(raw).TxResults[0]
	apptest.RequireCode(c.t, what+" (FinalizeBlock)", res, code, logHas...)
	if len(res.Events) != 0 {
		c.t.Errorf("%s: a failed transaction emitted events %v", what, res.Events)
	}
	c.t.Logf("%s: refused: %s", what, res.Log)
	return res
}

// query runs a registry query with a JSON request and decodes the answer.
func query[T any](c *chain, path string, req any) T {
	c.t.Helper()
	var v T
	c.h.QueryJSON(c.t, "/registry/"+path, apptest.MustJSON(c.t, req), &v)
	return v
}

// raw runs a registry query at the last height, with a proof when prove.
func (c *chain) raw(path string, req any, prove bool) *abci.ResponseQuery {
	c.t.Helper()
	return c.h.Query("/registry/"+path, apptest.MustJSON(c.t, req), 0, prove)
}

// proven checks a provable answer's proof against the app hash of its
// height: membership of the value, or absence when the query answered
// not found.
func (c *chain) proven(what string, res *abci.ResponseQuery) {
	c.t.Helper()
	if res.Key == nil || res.ProofOps == nil || len(res.ProofOps.Ops) != 1 || res.ProofOps.Ops[0].Type != app.ProofOpType {
		c.t.Fatalf("%s: key %x proof %v: want a key and one %s proof", what, res.Key, res.ProofOps, app.ProofOpType)
	}
	var p ics23.CommitmentProof
	if err := p.Unmarshal(res.ProofOps.Ops[0].Data); err != nil {
		c.t.Fatal(err)
	}
	value := res.Value
	if tx.CodeAppNotFound.Matches(res.Codespace, res.Code) {
		value = nil
	} else if res.Code != 0 {
		c.t.Fatalf("%s: %s/%d %s", what, res.Codespace, res.Code, res.Log)
	}
	if err := store.VerifyProof(c.h.Hashes[res.Height], &p, res.Key, value); err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
}

func (c *chain) registry(name string) registry.Registry {
	c.t.Helper()
	return query[registry.Registry](c, "registry", tx.RegistryRequest{Name: name})
}

func (c *chain) record(name string, id uint64) registry.Record {
	c.t.Helper()
	return query[registry.Record](c, "record", tx.RegistryRecordRequest{Registry: name, ID: id})
}

func (c *chain) history(name string, id uint64) []registry.Step {
	c.t.Helper()
	return query[[]registry.Step](c, "history", tx.RegistryRecordRequest{Registry: name, ID: id})
}

func (c *chain) approvals(name string, id uint64) []registry.Approval {
	c.t.Helper()
	return query[[]registry.Approval](c, "approvals", tx.RegistryRecordRequest{Registry: name, ID: id})
}

func (c *chain) count(name string) tx.RegistryCount {
	c.t.Helper()
	return query[tx.RegistryCount](c, "count", tx.RegistryRequest{Name: name})
}

// tally is the number of records of name in state.
func (c *chain) tally(name, state string) uint64 {
	c.t.Helper()
	for _, s := range c.count(name).States {
		if s.State == state {
			return s.Records
		}
	}
	c.t.Fatalf("registry %s has no state %s", name, state)
	return 0
}

// section is the registry module's exported state.
func (c *chain) section() string {
	c.t.Helper()
	_, sections := c.h.ExportSections(c.t)
	return string(sections[registry.Codespace])
}

// propose proposes the definition text as k and returns its id.
func (c *chain) propose(k apptest.Key, def string) tx.Hash32 {
	c.t.Helper()
	res := c.ok("propose", k, &tx.MsgRegistryPropose{Def: def})
	id, ok := apptest.Attr(res.Events, "registry.proposed", "id")
	if !ok {
		c.t.Fatalf("propose: no registry.proposed event in %v", res.Events)
	}
	h, err := tx.ParseHash32(id)
	if err != nil {
		c.t.Fatal(err)
	}
	return h
}

// enable proposes def as k and has the authorities enable it (one
// authority, or two of the council).
func (c *chain) enable(k apptest.Key, def string, council bool) tx.Hash32 {
	c.t.Helper()
	id := c.propose(k, def)
	name := defName(c.t, def)
	c.ok("enable", apptest.Authority, &tx.MsgRegistryEnable{Name: name, Def: id})
	if council {
		c.ok("approve enable", authority2, &tx.MsgRegistryEnable{Name: name, Def: id})
	}
	if r := c.registry(name); r.DefID != id {
		c.t.Fatalf("registry %s: def %s, want %s enabled", name, r.DefID, id)
	}
	return id
}

func defName(t testing.TB, def string) string {
	var d struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal([]byte(def), &d); err != nil {
		t.Fatal(err)
	}
	return d.Name
}

// grant grants role of name to k as by, open-ended and not delegable.
func (c *chain) grant(by apptest.Key, name, role string, k apptest.Key) {
	c.t.Helper()
	c.ok("grant "+role+" to "+k.Name, by, &tx.MsgRegistryGrant{Registry: name, Role: role, Grantee: k.Addr})
}

// create creates a record of name as k and returns its id.
func (c *chain) create(k apptest.Key, name, data string) uint64 {
	c.t.Helper()
	res := c.ok("create", k, &tx.MsgRegistryCreate{Registry: name, Data: json.RawMessage(data)})
	id, ok := apptest.Attr(res.Events, "registry.created", "id")
	if !ok {
		c.t.Fatalf("create: no registry.created event in %v", res.Events)
	}
	var n uint64
	if err := json.Unmarshal([]byte(id), &n); err != nil {
		c.t.Fatal(err)
	}
	return n
}

// move sends transition tr of record id at its current version as k.
func (c *chain) move(k apptest.Key, name string, id uint64, tr, patch string) *abci.ExecTxResult {
	c.t.Helper()
	return c.ok(tr, k, c.moveMsg(name, id, tr, patch))
}

func (c *chain) moveMsg(name string, id uint64, tr, patch string) *tx.MsgRegistryTransition {
	c.t.Helper()
	m := &tx.MsgRegistryTransition{Registry: name, ID: id, Version: c.record(name, id).Version, Transition: tr}
	if patch != "" {
		m.Patch = json.RawMessage(patch)
	}
	return m
}

// edit returns def (JSON text) with the changes f makes to its decoded
// form (generic maps: a test can break anything).
func edit(t testing.TB, def string, f func(d map[string]any)) string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(def))
	dec.UseNumber()
	var d map[string]any
	if err := dec.Decode(&d); err != nil {
		t.Fatal(err)
	}
	f(d)
	return string(apptest.MustJSON(t, d))
}

// path walks a decoded definition: each step a map key or a slice index.
func path(d any, steps ...any) any {
	for _, s := range steps {
		switch k := s.(type) {
		case string:
			d = d.(map[string]any)[k]
		case int:
			d = d.([]any)[k]
		}
	}
	return d
}
