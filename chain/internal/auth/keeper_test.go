package auth

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
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
