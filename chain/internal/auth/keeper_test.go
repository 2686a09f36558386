package auth

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

func key(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("auth-keeper-test/" + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func newCtx() *module.Context {
	return module.NewContext(store.NewCache(store.NewMemTree()), "c", 1, time.Unix(0, 0))
}

func decoded(t *testing.T, priv ed25519.PrivateKey, seq uint64) *tx.Tx {
	t.Helper()
	raw, err := tx.Build(priv, "c", seq, "", &tx.MsgBurn{Amount: tx.Coin{Amount: 1, Denom: "uscn"}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := tx.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func requireErr(t *testing.T, what string, err error, want *module.Error, mention ...string) {
	t.Helper()
	cs, code, log := module.Codes(err)
	if !errors.Is(err, want) || cs != Codespace || code != want.Code {
		t.Fatalf("%s: got %v (%s/%d), want %s/%d", what, err, cs, code, want.Codespace, want.Code)
	}
	for _, m := range mention {
		if !strings.Contains(log, m) {
			t.Errorf("%s: log %q does not mention %q", what, log, m)
		}
	}
}

// TestAntePubKeyMismatch: an address is a hash of its key, so a mismatch
// needs a SHA-256 collision and no transaction can cause one; the check
// still holds when the stored key differs (a corrupted or migrated store).
func TestAntePubKeyMismatch(t *testing.T) {
	k := NewKeeper(0x01)
	ctx := newCtx()
	priv := key("a")
	d := decoded(t, priv, 0)
	other := tx.PubKey(key("b").Public().(ed25519.PublicKey))
	k.setAccount(ctx, &Account{Address: d.Signer(), PubKey: other})
	requireErr(t, "mismatch", k.Ante(ctx, d), ErrPubKeyMismatch, d.Signer().String())
	if a := k.Account(ctx, d.Signer()); a.Sequence != 0 {
		t.Errorf("sequence after a rejected ante: %d", a.Sequence)
	}
}

// TestAnteSequenceOverflow: the last sequence number cannot be used, so a
// sequence never wraps to 0 (which would allow replays).
func TestAnteSequenceOverflow(t *testing.T) {
	k := NewKeeper(0x01)
	ctx := newCtx()
	priv := key("a")
	d := decoded(t, priv, math.MaxUint64-1)
	k.setAccount(ctx, &Account{Address: d.Signer(), Sequence: math.MaxUint64 - 1})
	if err := k.Ante(ctx, d); err != nil {
		t.Fatalf("second-to-last sequence: %v", err)
	}
	requireErr(t, "last sequence", k.Ante(ctx, decoded(t, priv, math.MaxUint64)), ErrSequenceOverflow)
	if a := k.Account(ctx, d.Signer()); a.Sequence != math.MaxUint64 {
		t.Errorf("sequence: got %d", a.Sequence)
	}
}

func TestRequireRole(t *testing.T) {
	k := NewKeeper(0x01)
	ctx := newCtx()
	a := tx.AddressOf(key("a").Public().(ed25519.PublicKey))
	requireErr(t, "missing role", k.RequireRole(ctx, a, tx.RoleAgency), ErrMissingRole, a.String(), `"agency"`)
	if err := k.Grant(ctx, a, tx.RoleAgency); err != nil {
		t.Fatal(err)
	}
	if err := k.RequireRole(ctx, a, tx.RoleAgency); err != nil {
		t.Errorf("held role: %v", err)
	}
	if k.IsAuthority(ctx, a) {
		t.Error("a role holder is an authority")
	}
}

func TestInitGenesis(t *testing.T) {
	a := tx.AddressOf(key("a").Public().(ed25519.PublicKey)).String()
	cases := map[string]string{
		"no authorities": `{"authorities":[],"accounts":[]}`,
		"unknown field":  `{"authorities":["` + a + `"],"accounts":[],"admins":[]}`,
		"bad role":       `{"authorities":["` + a + `"],"accounts":[{"address":"` + a + `","roles":["root"]}]}`,
		"bad address":    `{"authorities":["XYZ"],"accounts":[]}`,
		"not json":       `{`,
	}
	for name, g := range cases {
		err := NewKeeper(0x01).InitGenesis(newCtx(), []byte(g))
		if !errors.Is(err, ErrInvalidGenesis) {
			t.Errorf("%s: got %v, want ErrInvalidGenesis", name, err)
		}
	}
	// A role listed twice is granted once.
	k := NewKeeper(0x01)
	ctx := newCtx()
	if err := k.InitGenesis(ctx, []byte(`{"authorities":["`+a+`"],"accounts":[{"address":"`+a+`","roles":["agency","agency"]}]}`)); err != nil {
		t.Fatal(err)
	}
	addr, _ := tx.ParseAddress(a)
	if got := k.Roles(ctx, addr); len(got) != 1 || !k.IsAuthority(ctx, addr) || k.Account(ctx, addr) == nil {
		t.Errorf("genesis account: roles %v authority %v", got, k.IsAuthority(ctx, addr))
	}
}

// TestEndBlockPruneBounded: one block's end removes at most
// MaxPrunePerBlock expired proposals, earliest first, and the next blocks
// remove the rest; proposals not yet expired stay.
func TestEndBlockPruneBounded(t *testing.T) {
	k := NewKeeper(0x01)
	ctx := newCtx()
	a := tx.AddressOf(key("a").Public().(ed25519.PublicKey))
	b := tx.AddressOf(key("b").Public().(ed25519.PublicKey))
	for _, x := range []tx.Address{a, b} {
		k.kv(ctx).Set(authorityKey(x), []byte{1})
	}
	two, ttl := uint32(2), uint64(MinProposalTTLSeconds)
	store.PutJSON(k.kv(ctx), paramsKey, tx.AuthParams{AuthorityThreshold: two, ProposalTTLSeconds: ttl})
	const n = MaxPrunePerBlock + 20
	for i := range n {
		at := module.NewContext(ctx.KV(), "c", int64(1+i%3), time.Unix(int64(i%3), 0))
		if run, err := k.Gate(at, []tx.Address{a, b}[i%2], &tx.MsgRoleGrant{Address: b, Role: tx.IssuerRole(fmt.Sprintf("u%d", i))}); err != nil || run != nil {
			t.Fatalf("proposal %d: run %v err %v", i, run, err)
		}
	}
	later := &tx.MsgRoleGrant{Address: b, Role: tx.RoleAgency}
	if _, err := k.Gate(module.NewContext(ctx.KV(), "c", 5, time.Unix(100, 0)), a, later); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		c := 0
		store.EachPrefix(k.kv(ctx), []byte{prefixProposal}, func(_, _ []byte) bool { c++; return true })
		return c
	}
	end := module.NewContext(ctx.KV(), "c", 10, time.Unix(MinProposalTTLSeconds+2, 0))
	if err := k.EndBlock(end); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != n+1-MaxPrunePerBlock {
		t.Fatalf("after one block: %d proposals, want %d", got, n+1-MaxPrunePerBlock)
	}
	if got := len(end.Events()); got != MaxPrunePerBlock {
		t.Errorf("expired events: got %d, want %d", got, MaxPrunePerBlock)
	}
	// The earliest went first: what is left expires at second 2.
	store.EachPrefix(k.kv(ctx), []byte{prefixExpiry}, func(key, _ []byte) bool {
		if n := binary.BigEndian.Uint64(key[1:9]); n != uint64(MinProposalTTLSeconds+2)*1e9 && n != uint64(100+MinProposalTTLSeconds)*1e9 {
			t.Errorf("left: expiry %d", n)
		}
		return true
	})
	if err := k.EndBlock(module.NewContext(ctx.KV(), "c", 11, time.Unix(MinProposalTTLSeconds+2, 0))); err != nil {
		t.Fatal(err)
	}
	id, _ := tx.ProposalIDOf(later)
	if got := count(); got != 1 || k.Proposal(ctx, id) == nil {
		t.Errorf("after two blocks: %d proposals, want only the later one", got)
	}
	if na, nb := k.PendingApprovals(ctx, a), k.PendingApprovals(ctx, b); na != 1 || nb != 0 {
		t.Errorf("pending approvals after the pruning: a %d, b %d; want 1 and 0", na, nb)
	}
}

func TestInitGenesisParams(t *testing.T) {
	a := tx.AddressOf(key("a").Public().(ed25519.PublicKey)).String()
	b := tx.AddressOf(key("b").Public().(ed25519.PublicKey)).String()
	two := `{"authorities":["` + a + `","` + b + `"],"accounts":[]`
	cases := map[string]string{
		two + `,"authority_threshold":3}`:                                                 "authority_threshold 3: want 1 to the number of authorities, 2",
		two + `,"authority_threshold":0}`:                                                 "authority_threshold 0: want 1 to the number of authorities, 2",
		two + `,"authority_threshold":-1}`:                                                "authority_threshold",
		two + `,"proposal_ttl_seconds":0}`:                                                "proposal_ttl_seconds 0: want 60 (a minute) to 31536000 (a year)",
		`{"authorities":["` + a + `","` + a + `"],"accounts":[],"authority_threshold":2}`: "authority_threshold 2: want 1 to the number of authorities, 1",
	}
	for g, want := range cases {
		err := NewKeeper(0x01).InitGenesis(newCtx(), []byte(g))
		if !errors.Is(err, ErrInvalidGenesis) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want ErrInvalidGenesis mentioning %q", g, err, want)
		}
	}
	k, ctx := NewKeeper(0x01), newCtx()
	if err := k.InitGenesis(ctx, []byte(two+`,"authority_threshold":2}`)); err != nil {
		t.Fatal(err)
	}
	if got := k.Params(ctx); got != (tx.AuthParams{AuthorityThreshold: 2, ProposalTTLSeconds: DefaultProposalTTLSeconds}) {
		t.Errorf("params: got %+v", got)
	}
	k, ctx = NewKeeper(0x01), newCtx()
	if err := k.InitGenesis(ctx, []byte(two+`}`)); err != nil || k.kv(ctx).Has(paramsKey) || k.Params(ctx) != DefaultParams() {
		t.Errorf("no parameters named: err %v, stored %v, params %+v", err, k.kv(ctx).Has(paramsKey), k.Params(ctx))
	}
}
