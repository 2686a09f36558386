package auth_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

var (
	alice     = apptest.Alice
	bob       = apptest.Bob
	authority = apptest.Authority
	stranger  = apptest.Stranger
)

func send(to tx.Address, c tx.Coin) *tx.MsgSend { return &tx.MsgSend{To: to, Amount: c} }

func newChain(t *testing.T) *apptest.Harness {
	h := apptest.New(t, apptest.Options{})
	h.Block()
	return h
}

func TestAnteRejections(t *testing.T) {
	h := newChain(t)
	h.RunFail("unknown account", apptest.SignSeq(t, stranger, apptest.ChainID, 0, send(bob.Addr, apptest.SCN(1))),
		tx.CodeAuthUnknownAccount, stranger.Addr.String(), "must first receive funds")
	h.RunOK("first", h.Sign(alice, send(bob.Addr, apptest.SCN(1))))
	h.RunOK("second", h.Sign(alice, send(bob.Addr, apptest.SCN(1))))
	h.RunFail("stale sequence", apptest.SignSeq(t, alice, apptest.ChainID, 1, send(bob.Addr, apptest.SCN(1))),
		tx.CodeAuthWrongSequence, alice.Addr.String(), "expects sequence 2, got 1")
	h.RunFail("future sequence", apptest.SignSeq(t, alice, apptest.ChainID, 3, send(bob.Addr, apptest.SCN(1))),
		tx.CodeAuthWrongSequence, "expects sequence 2, got 3")
	h.RunFail("far future sequence", apptest.SignSeq(t, alice, apptest.ChainID, 1<<63, send(bob.Addr, apptest.SCN(1))),
		tx.CodeAuthWrongSequence, fmt.Sprintf("got %d", uint64(1)<<63))
	replay := h.Sign(alice, send(bob.Addr, apptest.SCN(1)))
	h.RunOK("replayed tx, first time", replay)
	h.RunFail("replay of an included tx", replay, tx.CodeAuthWrongSequence, "expects sequence 3, got 2")
	if a, _ := h.Account(alice.Addr); a.Sequence != 3 {
		t.Errorf("alice sequence: got %d, want 3 (rejections consume nothing)", a.Sequence)
	}
	// The stranger can sign once it received funds.
	h.RunOK("fund the stranger", h.Sign(alice, send(stranger.Addr, apptest.SCN(2))))
	h.RunOK("stranger's first tx", apptest.SignSeq(t, stranger, apptest.ChainID, 0, send(alice.Addr, apptest.SCN(1))))
	if a, ok := h.Account(stranger.Addr); !ok || a.Sequence != 1 || !slices.Equal(a.PubKey, stranger.Pub) {
		t.Errorf("stranger account: got %+v %v, want sequence 1 with its key", a, ok)
	}
}

func TestRoles(t *testing.T) {
	h := newChain(t)
	grant := func(addr tx.Address, role string) *tx.MsgRoleGrant {
		return &tx.MsgRoleGrant{Address: addr, Role: role}
	}
	revoke := func(addr tx.Address, role string) *tx.MsgRoleRevoke {
		return &tx.MsgRoleRevoke{Address: addr, Role: role}
	}

	h.RunFail("grant by non-authority", h.Sign(alice, grant(alice.Addr, tx.RoleInstaller)),
		tx.CodeAuthNotAuthority, alice.Addr.String(), "may not grant roles")
	h.RunFail("grant by a role holder who is no authority", h.Sign(apptest.Treasury, grant(bob.Addr, tx.IssuerRole(tx.DenomSCoin))),
		tx.CodeAuthNotAuthority, "may not grant roles")
	h.RunFail("revoke by non-authority", h.Sign(apptest.Installer, revoke(apptest.Installer.Addr, tx.RoleInstaller)),
		tx.CodeAuthNotAuthority, "may not revoke roles")
	h.RunFail("role already held", h.Sign(authority, grant(apptest.Installer.Addr, tx.RoleInstaller)),
		tx.CodeAuthRoleHeld, apptest.Installer.Addr.String(), `already holds "installer"`)
	h.RunFail("role not held", h.Sign(authority, revoke(bob.Addr, tx.RoleAgency)),
		tx.CodeAuthRoleNotHeld, bob.Addr.String(), `does not hold "agency"`)

	res := h.RunOK("grant", h.Sign(authority, grant(bob.Addr, tx.RoleInstaller)))
	if !apptest.HasEvent(res.Events, "auth.role_granted", "address", bob.Addr.String(), "role", tx.RoleInstaller) {
		t.Errorf("grant events: %v", res.Events)
	}
	h.RunOK("second role", h.Sign(authority, grant(bob.Addr, tx.RoleAgency)))
	if got := h.Roles(bob.Addr); !slices.Equal(got, []string{tx.RoleAgency, tx.RoleInstaller}) {
		t.Errorf("bob roles: got %v, want sorted agency, installer", got)
	}
	if got := h.Members(tx.RoleInstaller); !slices.Contains(got, bob.Addr) || len(got) != 2 {
		t.Errorf("installers: got %v, want the installer and bob", got)
	}
	// The role has effect: bob may now register a device.
	dev := apptest.NewKey("auth-test-device")
	h.RunOK("register as new installer", h.Sign(bob, &tx.MsgDeviceRegister{ID: "m1", Kind: tx.KindSolarInverter, Owner: alice.Addr, PubKey: dev.Pub}))

	res = h.RunOK("revoke", h.Sign(authority, revoke(bob.Addr, tx.RoleInstaller)))
	if !apptest.HasEvent(res.Events, "auth.role_revoked", "address", bob.Addr.String(), "role", tx.RoleInstaller) {
		t.Errorf("revoke events: %v", res.Events)
	}
	if got := h.Members(tx.RoleInstaller); slices.Contains(got, bob.Addr) || len(got) != 1 {
		t.Errorf("installers after revoking bob: got %v", got)
	}
	h.RunFail("register after revocation", h.Sign(bob, &tx.MsgDeviceRegister{ID: "m2", Kind: tx.KindSolarInverter, Owner: alice.Addr, PubKey: dev.Pub}),
		tx.CodeDeviceNotInstaller, `"installer"`)
	h.RunFail("revoke twice", h.Sign(authority, revoke(bob.Addr, tx.RoleInstaller)), tx.CodeAuthRoleNotHeld)
	h.RunOK("revoke the last role", h.Sign(authority, revoke(bob.Addr, tx.RoleAgency)))
	if got := h.Roles(bob.Addr); got != nil {
		t.Errorf("bob roles after revoking all: got %v", got)
	}
	apptest.RequireCode(t, "roles key of a role-less account", h.Query("/auth/roles", []byte(bob.Addr.String()), 0, false), tx.CodeAppNotFound)

	// Granting to an unknown address creates its account.
	res = h.RunOK("grant to a new address", h.Sign(authority, grant(stranger.Addr, tx.IssuerRole("uxyz"))))
	if !apptest.HasEvent(res.Events, "auth.account_created", "address", stranger.Addr.String()) {
		t.Errorf("grant to a new address: no account_created event in %v", res.Events)
	}
	if _, ok := h.Account(stranger.Addr); !ok {
		t.Error("grant did not create the account")
	}
	// All or nothing: a failing second message undoes the first grant.
	h.RunFail("grant then fail", h.Sign(authority, grant(alice.Addr, tx.RoleAgency), grant(alice.Addr, tx.RoleAgency)), tx.CodeAuthRoleHeld, "message 1")
	if got := h.Roles(alice.Addr); got != nil {
		t.Errorf("alice roles after a failed tx: got %v", got)
	}
}
