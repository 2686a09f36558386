package wallet_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/wallet"
)

// Registry evidence is one never-shown copy's issuer JWT (no disclosure),
// its anchor proof (verifying against the batch root) and the copy's cnf
// key's signature bound to the chain, record, version, transition and
// signer; the slot is spent (saved), so a second call takes another copy
// and a slot shown to a verifier before is never used; refusals (no such
// schema, every copy expired, no unused copy left, a bad target) are
// clear and spend nothing.
func TestRegistryEvidence(t *testing.T) {
	x := newWorld(t)
	req, err := x.w.Request(3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := wallet.IssueBatch(wallet.BatchSpec{Key: x.issuer, Iss: addr(x.issuer), Vct: "residency", Now: now,
		Exp: now.AddDate(1, 0, 0), List: x.credList, Alloc: x.credAlloc},
		wallet.SameClaims(req.HolderKeys, []sdjwt.Claim{{Name: "resident_seoul", Value: true}}))
	if err != nil {
		t.Fatal(err)
	}
	x.deliver(b, nil)
	anchor := x.anchor
	signer := tx.AddressOf(x.pub(seedKey(20)))
	target := wallet.RegistryTarget{ChainID: "citychain-devnet", Registry: "pets", ID: 7, Version: 2, Transition: "approve", Signer: signer}

	// Refusals spend nothing.
	if _, err := x.w.RegistryEvidence(target, []string{"parking_permit"}, now); !errors.Is(err, wallet.ErrNoCredential) ||
		!strings.Contains(err.Error(), `schema "parking_permit"`) {
		t.Fatalf("unknown schema: %v", err)
	}
	if _, err := x.w.RegistryEvidence(target, []string{"residency"}, now.AddDate(2, 0, 0)); !errors.Is(err, wallet.ErrCredentialExpired) ||
		!strings.Contains(err.Error(), "3 copies, the latest expired at") {
		t.Fatalf("expired: %v", err)
	}
	bad := target
	bad.ID, bad.Transition = 0, "Approve!"
	if _, err := x.w.RegistryEvidence(bad, []string{"residency"}, now); err == nil || !strings.Contains(err.Error(), "id: 0") ||
		!strings.Contains(err.Error(), "transition") {
		t.Fatalf("bad target: %v", err)
	}
	if _, err := x.w.RegistryEvidence(target, []string{"residency", "Residency"}, now); err == nil || !strings.Contains(err.Error(), "schemas[1]") {
		t.Fatalf("bad schema id: %v", err)
	}
	if _, err := x.w.RegistryEvidence(target, nil, now); err == nil || !strings.Contains(err.Error(), "0 schemas, want 1 to 4") {
		t.Fatalf("no schema: %v", err)
	}
	if n := x.w.Unused(); n != 3 {
		t.Fatalf("refusals spent slots: %d unused, want 3", n)
	}

	// A verifier is shown slot 0 first: the registry never gets it.
	pk := seedKey(11)
	reg := tx.Verifier{ID: "library", Key: tx.PubKey(x.pub(pk)), Purpose: "membership", Claims: []string{"resident_seoul"}}
	vr := wallet.VerifierRequest{Verifier: "library", Nonce: "n-1", Claims: []string{"resident_seoul"}}
	vr.Sign(pk)
	if _, err := x.w.Present(vr, reg, now); err != nil {
		t.Fatal(err)
	}

	check := func(ev tx.RegistryEvidence, slot uint32) {
		t.Helper()
		if ev.Anchor != anchor || strings.Contains(ev.JWT, "~") {
			t.Fatalf("evidence anchor %d, jwt %q: want anchor %d and the bare issuer JWT", ev.Anchor, ev.JWT, anchor)
		}
		leaf := sha256.Sum256([]byte(ev.JWT))
		if !tx.VerifyMerklePath(b.Root, leaf[:], ev.Index, uint64(b.Count), ev.Path) {
			t.Fatalf("path of leaf %d does not verify against the anchor root %s", ev.Index, b.Root)
		}
		v, err := sdjwt.VerifyIssued(ev.JWT+"~", x.pub(x.issuer))
		if err != nil {
			t.Fatal(err)
		}
		if v.Payload.Vct != "residency" || len(v.Disclosed) != 0 {
			t.Fatalf("vct %q, disclosed %v", v.Payload.Vct, v.Disclosed)
		}
		if !v.Holder.Equal(x.w.SlotKey(slot).Public().(ed25519.PublicKey)) {
			t.Fatalf("cnf key is not slot %d's", slot)
		}
		msg := func(t wallet.RegistryTarget) []byte {
			return tx.RegistryEvidenceMessage(t.ChainID, t.Registry, t.ID, t.Version, t.Transition, t.Signer, ev.JWT)
		}
		if !tx.VerifyRegistryEvidence(v.Holder, msg(target), ev.HolderSig) {
			t.Fatal("holder_sig does not verify with the cnf key")
		}
		for _, other := range []func(*wallet.RegistryTarget){
			func(o *wallet.RegistryTarget) { o.Version = 3 },
			func(o *wallet.RegistryTarget) { o.Signer = tx.AddressOf(x.pub(seedKey(21))) },
			func(o *wallet.RegistryTarget) { o.ChainID = "citychain-testnet" },
			func(o *wallet.RegistryTarget) { o.Transition = "reject" },
		} {
			o := target
			other(&o)
			if tx.VerifyRegistryEvidence(v.Holder, msg(o), ev.HolderSig) {
				t.Fatalf("holder_sig also verifies for %+v", o)
			}
		}
		m := &tx.MsgRegistryTransition{Registry: target.Registry, ID: target.ID, Version: target.Version, Transition: target.Transition,
			Evidence: []tx.RegistryEvidence{ev}}
		if err := m.ValidateBasic(); err != nil {
			t.Fatal(err)
		}
	}
	one := func() tx.RegistryEvidence {
		t.Helper()
		evs, err := x.w.RegistryEvidence(target, []string{"residency"}, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 {
			t.Fatalf("%d pieces of evidence, want 1", len(evs))
		}
		return evs[0]
	}
	ev1 := one()
	check(ev1, 1)
	// Two credentials need two unused slots; one is left: all or nothing.
	if _, err := x.w.RegistryEvidence(target, []string{"residency", "residency"}, now); !errors.Is(err, wallet.ErrNoUnusedCopy) {
		t.Fatalf("two copies from one unused slot: %v", err)
	}
	if n := x.w.Unused(); n != 1 {
		t.Fatalf("a refused call spent slots: %d unused, want 1", n)
	}
	ev2 := one()
	check(ev2, 2)
	if ev2.JWT == ev1.JWT || ev2.Index == ev1.Index {
		t.Fatal("the second evidence reuses the first copy")
	}
	if got := x.w.VerifierSlots(wallet.RegistryVerifier("pets")); !slices.Equal(got, []uint32{1, 2}) {
		t.Fatalf("slots recorded for the registry: %v, want [1 2]", got)
	}
	if _, err := x.w.RegistryEvidence(target, []string{"residency"}, now); !errors.Is(err, wallet.ErrNoUnusedCopy) ||
		!strings.Contains(err.Error(), "registry pets") {
		t.Fatalf("exhausted: %v", err)
	}
	// Spent slots survive a reopen and are never shown again.
	w2, err := wallet.Open(x.w.Path(), pin)
	if err != nil {
		t.Fatal(err)
	}
	if w2.Unused() != 0 {
		t.Fatalf("reopened: %d unused", w2.Unused())
	}
	if _, err := w2.RequestSlots([]uint32{1}); err == nil || !strings.Contains(err.Error(), "spent") {
		t.Fatalf("more copies for a slot shown to a registry: %v", err)
	}
	vr.Nonce = "n-2"
	vr.Sign(pk)
	if _, err := w2.Present(vr, reg, now); !errors.Is(err, wallet.ErrNoUnusedCopy) {
		t.Fatalf("a verifier after the registry: %v, want no unused copy", err)
	}
}

// Several credential predicates: one piece of evidence per schema, in the
// order asked, each from its own slot.
func TestRegistryEvidenceSeveral(t *testing.T) {
	x := newWorld(t)
	req, err := x.w.Request(2)
	if err != nil {
		t.Fatal(err)
	}
	issue := func(vct string, keys []tx.PubKey) {
		t.Helper()
		b, err := wallet.IssueBatch(wallet.BatchSpec{Key: x.issuer, Iss: addr(x.issuer), Vct: vct, Now: now, Exp: now.AddDate(1, 0, 0)},
			wallet.SameClaims(keys, []sdjwt.Claim{{Name: "ok", Value: true}}))
		if err != nil {
			t.Fatal(err)
		}
		x.deliver(b, nil)
	}
	issue("residency", req.HolderKeys)
	issue("dog_licence", req.HolderKeys[1:])
	target := wallet.RegistryTarget{ChainID: "c", Registry: "pets", ID: 1, Version: 1, Transition: "approve", Signer: tx.AddressOf(x.pub(seedKey(20)))}
	evs, err := x.w.RegistryEvidence(target, []string{"dog_licence", "residency"}, now)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		vct  string
		slot uint32
	}{{"dog_licence", 1}, {"residency", 0}} {
		v, err := sdjwt.VerifyIssued(evs[i].JWT+"~", x.pub(x.issuer))
		if err != nil {
			t.Fatal(err)
		}
		if v.Payload.Vct != want.vct || !v.Holder.Equal(x.w.SlotKey(want.slot).Public().(ed25519.PublicKey)) {
			t.Fatalf("evidence[%d]: vct %q, want %q from slot %d", i, v.Payload.Vct, want.vct, want.slot)
		}
	}
	if got := x.w.VerifierSlots(wallet.RegistryVerifier("pets")); !slices.Equal(got, []uint32{1, 0}) || x.w.Unused() != 0 {
		t.Fatalf("slots recorded %v, %d unused", got, x.w.Unused())
	}
}
