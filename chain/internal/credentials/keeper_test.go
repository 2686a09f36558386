package credentials_test

import (
	"errors"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/auth"
	"github.com/citychain/citychain/chain/internal/credentials"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Store prefixes of the modules as the app wires them.
const (
	prefixAuth        byte = 0x01
	prefixCredentials byte = 0x0b
)

// keeperOver returns the credentials keeper with a real auth keeper over
// kv, and a context at height 1, the genesis time.
func keeperOver(kv store.KV) (*credentials.Keeper, *auth.Keeper, *module.Context) {
	a := auth.NewKeeper(prefixAuth)
	return credentials.NewKeeper(prefixCredentials, a), a, module.NewContext(kv, apptest.ChainID, 1, apptest.GenesisTime)
}

// TestSetCardStatus: the identity module's entry point sets and clears
// one bit of a suspension list, and refuses other lists.
func TestSetCardStatus(t *testing.T) {
	k, a, ctx := keeperOver(store.NewMemTree())
	if err := a.Grant(ctx, office.Addr, tx.RoleRegistrationOffice); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*tx.MsgCredentialCreateList{
		{Name: "card", Purpose: tx.StatusSuspension, Size: tx.MinStatusListSize},
		{Name: "revoked", Purpose: tx.StatusRevocation, Size: tx.MinStatusListSize},
	} {
		if err := k.Handle(ctx, office.Addr, m); err != nil {
			t.Fatal(err)
		}
	}
	card := listID(office, "card")
	l, ok := k.List(ctx, card)
	if !ok || l.ID != card || l.Purpose != tx.StatusSuspension || l.Set != 0 {
		t.Fatalf("List(%s): got %+v, %t", card, l, ok)
	}
	if _, ok := k.List(ctx, listID(office, "none")); ok {
		t.Fatal("List of an unknown list: found")
	}
	if _, ok := k.List(ctx, "not a list id"); ok {
		t.Fatal("List of a malformed id: found")
	}
	before := len(ctx.Events())
	if err := k.SetCardStatus(ctx, card, 131_071, true); err != nil {
		t.Fatal(err)
	}
	if evs := ctx.Events()[before:]; len(evs) != 1 || evs[0].Type != "credentials.status_set" {
		t.Fatalf("events: got %v", evs)
	}
	if on, err := k.Status(ctx, card, 131_071); err != nil || !on {
		t.Fatalf("bit 131071 after SetCardStatus: %t, %v", on, err)
	}
	if l, _ := k.List(ctx, card); l.Set != 1 {
		t.Fatalf("set count: got %d", l.Set)
	}
	if err := k.SetCardStatus(ctx, card, 131_071, false); err != nil {
		t.Fatal(err)
	}
	if on, _ := k.Status(ctx, card, 131_071); on {
		t.Fatal("bit 131071 still set after clearing")
	}
	for _, c := range []struct {
		name string
		list string
		idx  uint32
		want tx.Code
	}{
		{"revocation list", listID(office, "revoked"), 1, tx.CodeCredentialNotSuspension},
		{"unknown list", listID(office, "none"), 1, tx.CodeCredentialUnknownList},
		{"malformed id", "card", 1, tx.CodeCredentialUnknownList},
		{"index past the size", card, tx.MinStatusListSize, tx.CodeCredentialIndexRange},
	} {
		if err := k.SetCardStatus(ctx, c.list, c.idx, true); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	if c := k.Counters(ctx); c.Lists != 2 || c.StatusSet != 0 {
		t.Errorf("counters: got %+v", c)
	}
}
