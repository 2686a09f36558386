package identity_test

import (
	"slices"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// TestRegister: an office registers a citizen with its first device key
// (the id is the key's address, whose account is created) and the
// commitments of its card copies, whose bits stay clear.
func TestRegister(t *testing.T) {
	h := start(t)
	if _, ok := h.Account(phone.Addr); ok {
		t.Fatal("the phone's account exists before registration")
	}
	cs := register(t, h, phone, "phone", 3)
	v := getIdentity(t, h, phone.Addr)
	if v.ID != phone.Addr || v.Status != tx.IdentityActive || v.Office != office.Addr || v.CardList != cardList ||
		len(v.Keys) != 1 || !slices.Equal(v.Keys[0].Key, phone.Pub) || v.Keys[0].AddedHeight != h.Height ||
		len(v.Commitments) != 3 || v.Revealed != 0 || v.RegisteredHeight != h.Height {
		t.Fatalf("identity: got %+v", v)
	}
	if _, ok := h.Account(phone.Addr); !ok {
		t.Error("registration did not create the device key's account")
	}
	if b := bits(t, h, cs, 0); !allEqual(b, false) {
		t.Errorf("card bits after registration: got %v, want all clear", b)
	}
	owner := raw(t, h, "/identity/by_key", []byte(phone.Addr.String()), 0)
	if string(owner) != string(phone.Addr[:]) {
		t.Errorf("by_key: got %x, want %x", owner, phone.Addr[:])
	}

	// Refusals.
	_, hs := issue("other", 2)
	h.RunFail("registration by a non-office", h.Sign(apptest.Alice, &tx.MsgIdentityRegister{DeviceKey: tablet.Pub, CardList: cardList, Commitments: hs}),
		tx.CodeIdentityNotOffice, "registration_office")
	h.RunFail("the same key again", h.Sign(office, &tx.MsgIdentityRegister{DeviceKey: phone.Pub, CardList: cardList, Commitments: hs}),
		tx.CodeIdentityExists, phone.Addr.String())
	h.RunFail("an unknown list", h.Sign(office, &tx.MsgIdentityRegister{DeviceKey: tablet.Pub, CardList: tx.StatusListID(office.Addr, "nope"), Commitments: hs}),
		tx.CodeIdentityBadCardList, "no such status list")
	h.RunOK("a revocation list", h.Sign(office, &tx.MsgCredentialCreateList{Name: "revoked", Purpose: tx.StatusRevocation, Size: cardSize}))
	h.RunFail("a revocation list as card list", h.Sign(office, &tx.MsgIdentityRegister{DeviceKey: tablet.Pub, CardList: tx.StatusListID(office.Addr, "revoked"), Commitments: hs}),
		tx.CodeIdentityBadCardList, "a revocation list")
	invalid(t, h, "a commitment twice", office, &tx.MsgIdentityRegister{DeviceKey: tablet.Pub, CardList: cardList, Commitments: []tx.Hash32{hs[0], hs[0]}}, "listed twice")
	invalid(t, h, "a bad list id", office, &tx.MsgIdentityRegister{DeviceKey: tablet.Pub, CardList: "card", Commitments: hs}, "card_list")
	invalid(t, h, "65 copies", office, &tx.MsgIdentityRegister{DeviceKey: tablet.Pub, CardList: cardList, Commitments: make([]tx.Hash32, 65)}, "65 commitments")
	if _, ok := h.Account(tablet.Addr); ok {
		t.Error("a refused registration created the key's account")
	}
}

// TestSuspendByDevice: the citizen's own device key suspends the card,
// revealing every copy: each copy's bit is set in the card list by the
// suspend transaction's block, so readers of the next block's state (the
// committed height) refuse every copy, while the state before still had
// them clear.
func TestSuspendByDevice(t *testing.T) {
	h := start(t)
	cs := register(t, h, phone, "phone", 4)
	res := h.RunOK("suspend by the phone", h.Sign(phone, &tx.MsgIdentitySuspend{ID: phone.Addr, Reason: "phone lost", Reveal: reveal(cs)}))
	if !apptest.HasEvent(res.Events, "identity.suspended", "id", phone.Addr.String(), "by", phone.Addr.String(), "bits_set", "4") {
		t.Errorf("events: %v", res.Events)
	}
	if b := bits(t, h, cs, h.Height-1); !allEqual(b, false) {
		t.Errorf("card bits before the suspend block: got %v, want clear", b)
	}
	if b := bits(t, h, cs, h.Height); !allEqual(b, true) {
		t.Errorf("card bits after the suspend block: got %v, want all set", b)
	}
	v := getIdentity(t, h, phone.Addr)
	if v.Status != tx.IdentitySuspended || v.StatusHeight != h.Height || v.Revealed != 4 {
		t.Fatalf("identity: got %+v", v)
	}
	refused(t, h, "suspend again", phone, &tx.MsgIdentitySuspend{ID: phone.Addr, Reason: "again", Reveal: []tx.CardReveal{}}, phone.Addr, cs,
		tx.CodeIdentityNotActive, "suspended")
}

// TestSuspendByOffice: an office suspends a citizen's card the same way
// (the citizen called the office).
func TestSuspendByOffice(t *testing.T) {
	h := start(t)
	cs := register(t, h, phone, "phone", 2)
	h.RunOK("suspend by another office", h.Sign(office2, &tx.MsgIdentitySuspend{ID: phone.Addr, Reason: "reported stolen", Reveal: reveal(cs)}))
	if b := bits(t, h, cs, 0); !allEqual(b, true) {
		t.Errorf("card bits: got %v, want all set", b)
	}
	if v := getIdentity(t, h, phone.Addr); v.Status != tx.IdentitySuspended {
		t.Errorf("status: got %s", v.Status)
	}
}

// TestSuspendRevealRefused: a suspension must open every unrevealed
// commitment; a wrong salt, a wrong index, a missing copy or a stranger
// signing are refused with their codes and change nothing.
func TestSuspendRevealRefused(t *testing.T) {
	h := start(t)
	cs := register(t, h, phone, "phone", 3)
	suspend := func(r []tx.CardReveal) *tx.MsgIdentitySuspend {
		return &tx.MsgIdentitySuspend{ID: phone.Addr, Reason: "lost", Reveal: r}
	}
	wrongSalt := reveal(cs)
	wrongSalt[1].Salt[0] ^= 1
	wrongIdx := reveal(cs)
	wrongIdx[2].Idx++
	other, _ := issue("someone else", 1)
	for _, c := range []struct {
		name   string
		signer apptest.Key
		reveal []tx.CardReveal
		code   tx.Code
		log    string
	}{
		{"wrong salt", phone, wrongSalt, tx.CodeIdentityRevealMismatch, "reveal[1]"},
		{"wrong index", phone, wrongIdx, tx.CodeIdentityRevealMismatch, "reveal[2]"},
		{"a copy missing", phone, reveal(cs[:2]), tx.CodeIdentityRevealIncomplete, "3 unrevealed card copies, the reveal opens 2"},
		{"nothing revealed", phone, nil, tx.CodeIdentityRevealIncomplete, "opens 0"},
		{"another card's copy", phone, append(reveal(cs), reveal(other)...), tx.CodeIdentityRevealMismatch, "reveal[3]"},
		{"a stranger", apptest.Bob, reveal(cs), tx.CodeIdentityNotAuthorised, "neither a device key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			refused(t, h, c.name, c.signer, suspend(c.reveal), phone.Addr, cs, c.code, c.log)
		})
	}
	invalid(t, h, "a short salt", phone, suspend([]tx.CardReveal{{Idx: 1, Salt: tx.HexBytes{1, 2}}}), "reveal[0].salt")
	invalid(t, h, "no reason", phone, &tx.MsgIdentitySuspend{ID: phone.Addr, Reveal: reveal(cs)}, "reason")
	if v := getIdentity(t, h, phone.Addr); v.Status != tx.IdentityActive || v.Revealed != 0 {
		t.Fatalf("after the refusals: %+v", v)
	}
	h.RunOK("the right reveal, in another order", h.Sign(phone, suspend(reveal([]copyOf{cs[2], cs[0], cs[1]}))))
	if b := bits(t, h, cs, 0); !allEqual(b, true) {
		t.Errorf("card bits: got %v, want all set", b)
	}
}

// TestReinstateByOfficeOnly: a suspended card is reinstated by an office
// only (whoever holds the lost phone may not), with new copies: the old
// copies' bits stay set, the new ones' are clear, and a later suspension
// reveals only the new copies.
func TestReinstateByOfficeOnly(t *testing.T) {
	h := start(t)
	old := register(t, h, phone, "phone", 2)
	h.RunOK("suspend", h.Sign(phone, &tx.MsgIdentitySuspend{ID: phone.Addr, Reason: "lost", Reveal: reveal(old)}))
	fresh, hs := issue("phone/2", 3)
	refused(t, h, "reinstate by the phone", phone, &tx.MsgIdentityReinstate{ID: phone.Addr, Commitments: hs}, phone.Addr, old,
		tx.CodeIdentityNotOffice, "registration_office")
	_, oldHashes := issue("phone", 2)
	refused(t, h, "reinstate with an old copy", office, &tx.MsgIdentityReinstate{ID: phone.Addr, Commitments: oldHashes[:1]}, phone.Addr, old,
		tx.CodeIdentityDuplicateCommitment, "commitments[0]")
	h.RunOK("reinstate by an office", h.Sign(office, &tx.MsgIdentityReinstate{ID: phone.Addr, Commitments: hs}))
	v := getIdentity(t, h, phone.Addr)
	if v.Status != tx.IdentityActive || v.Revealed != 0 || !slices.Equal(v.Commitments, hs) {
		t.Fatalf("reinstated: %+v", v)
	}
	if b := bits(t, h, old, 0); !allEqual(b, true) {
		t.Errorf("old copies: got %v, want still set", b)
	}
	if b := bits(t, h, fresh, 0); !allEqual(b, false) {
		t.Errorf("new copies: got %v, want clear", b)
	}
	refused(t, h, "reinstate an active identity", office, &tx.MsgIdentityReinstate{ID: phone.Addr, Commitments: nil}, phone.Addr, fresh,
		tx.CodeIdentityNotSuspended, "active")
	refused(t, h, "suspend revealing the old copies", phone, &tx.MsgIdentitySuspend{ID: phone.Addr, Reason: "lost", Reveal: reveal(old)}, phone.Addr, fresh,
		tx.CodeIdentityRevealMismatch, "reveal[0]")
	h.RunOK("suspend again", h.Sign(phone, &tx.MsgIdentitySuspend{ID: phone.Addr, Reason: "lost again", Reveal: reveal(fresh)}))
	if b := bits(t, h, fresh, 0); !allEqual(b, true) {
		t.Errorf("new copies after the second suspension: got %v, want set", b)
	}
}

// TestRevokeIsFinal: only an office revokes; a revoked identity is never
// reinstated, suspended or changed again.
func TestRevokeIsFinal(t *testing.T) {
	h := start(t)
	cs := register(t, h, phone, "phone", 2)
	refused(t, h, "revoke by the phone", phone, &tx.MsgIdentityRevoke{ID: phone.Addr, Reason: "deceased", Reveal: reveal(cs)}, phone.Addr, cs,
		tx.CodeIdentityNotOffice, "registration_office")
	refused(t, h, "revoke without the reveal", office, &tx.MsgIdentityRevoke{ID: phone.Addr, Reason: "deceased"}, phone.Addr, cs,
		tx.CodeIdentityRevealIncomplete)
	h.RunOK("revoke", h.Sign(office, &tx.MsgIdentityRevoke{ID: phone.Addr, Reason: "deceased", Reveal: reveal(cs)}))
	if v := getIdentity(t, h, phone.Addr); v.Status != tx.IdentityRevoked || v.Revealed != 2 {
		t.Fatalf("revoked: %+v", v)
	}
	if b := bits(t, h, cs, 0); !allEqual(b, true) {
		t.Errorf("card bits: got %v, want set", b)
	}
	_, hs := issue("phone/2", 1)
	for _, c := range []struct {
		name   string
		signer apptest.Key
		msg    tx.Msg
	}{
		{"reinstate", office, &tx.MsgIdentityReinstate{ID: phone.Addr, Commitments: hs}},
		{"revoke again", office, &tx.MsgIdentityRevoke{ID: phone.Addr, Reason: "again"}},
		{"suspend", office, &tx.MsgIdentitySuspend{ID: phone.Addr, Reason: "x"}},
		{"suspend by the phone", phone, &tx.MsgIdentitySuspend{ID: phone.Addr, Reason: "x"}},
		{"add copies", office, &tx.MsgIdentityAddCardCopies{ID: phone.Addr, Commitments: hs}},
		{"add a device", office, &tx.MsgIdentityAddDevice{ID: phone.Addr, Key: tablet.Pub, PoP: pop(tablet, apptest.ChainID, phone.Addr)}},
	} {
		refused(t, h, c.name, c.signer, c.msg, phone.Addr, cs, tx.CodeIdentityRevoked, "revoked")
	}

	// From suspended: everything is revealed already, so the reveal is empty.
	cs2 := register(t, h, tablet, "tablet", 2)
	h.RunOK("suspend the tablet's card", h.Sign(tablet, &tx.MsgIdentitySuspend{ID: tablet.Addr, Reason: "lost", Reveal: reveal(cs2)}))
	refused(t, h, "revoke revealing revealed copies", office, &tx.MsgIdentityRevoke{ID: tablet.Addr, Reason: "fraud", Reveal: reveal(cs2)}, tablet.Addr, cs2,
		tx.CodeIdentityRevealMismatch)
	h.RunOK("revoke a suspended identity", h.Sign(office, &tx.MsgIdentityRevoke{ID: tablet.Addr, Reason: "fraud"}))
	if v := getIdentity(t, h, tablet.Addr); v.Status != tx.IdentityRevoked {
		t.Fatalf("tablet: %+v", v)
	}
}

// TestAddDevice: a device key of the identity (or an office) adds a key
// with the new key's proof of possession, which names the chain, the
// identity and the key: a proof for anything else is refused, as is a
// signer that is neither. The new key's account is created and it acts
// for the identity; at most 8 keys are in use; a key belongs to one
// identity; the last key is never removed, and a removed key no longer
// acts.
func TestAddDevice(t *testing.T) {
	h := start(t)
	cs := register(t, h, phone, "phone", 1)
	other := apptest.NewKey("other-citizen")
	register(t, h, other, "other", 1)
	add := func(k apptest.Key, p tx.HexBytes) *tx.MsgIdentityAddDevice {
		return &tx.MsgIdentityAddDevice{ID: phone.Addr, Key: k.Pub, PoP: p}
	}
	for _, c := range []struct {
		name string
		pop  tx.HexBytes
	}{
		{"a proof for another chain", pop(tablet, "citychain-other", phone.Addr)},
		{"a proof for another identity", pop(tablet, apptest.ChainID, other.Addr)},
		{"a proof by another key", ed25519Sign(phone, tx.AddDevicePoPMessage(apptest.ChainID, phone.Addr.String(), tablet.Pub))},
		{"a proof of another key", ed25519Sign(tablet, tx.AddDevicePoPMessage(apptest.ChainID, phone.Addr.String(), phone.Pub))},
	} {
		refused(t, h, c.name, phone, add(tablet, c.pop), phone.Addr, cs, tx.CodeIdentityBadPoP, "pop")
	}
	refused(t, h, "a stranger adds a key", apptest.Bob, add(tablet, pop(tablet, apptest.ChainID, phone.Addr)), phone.Addr, cs,
		tx.CodeIdentityNotAuthorised, "neither a device key")
	refused(t, h, "another citizen adds a key", other, add(tablet, pop(tablet, apptest.ChainID, phone.Addr)), phone.Addr, cs,
		tx.CodeIdentityNotAuthorised)
	if _, ok := h.Account(tablet.Addr); ok {
		t.Fatal("a refused add_device created the key's account")
	}
	res := h.RunOK("the phone adds the tablet", h.Sign(phone, add(tablet, pop(tablet, apptest.ChainID, phone.Addr))))
	if !apptest.HasEvent(res.Events, "identity.device_added", "id", phone.Addr.String(), "key", tablet.Pub.String()) {
		t.Errorf("events: %v", res.Events)
	}
	if _, ok := h.Account(tablet.Addr); !ok {
		t.Error("add_device did not create the new key's account")
	}
	refused(t, h, "the other citizen's key", phone, add(other, pop(other, apptest.ChainID, phone.Addr)), phone.Addr, cs,
		tx.CodeIdentityKeyUsed, other.Addr.String())
	refused(t, h, "the tablet again", phone, add(tablet, pop(tablet, apptest.ChainID, phone.Addr)), phone.Addr, cs, tx.CodeIdentityKeyUsed)

	// Up to 8 keys in use: the tablet (a device key now) and an office add six more.
	for i := range 6 {
		k := apptest.NewKey("device-" + string(rune('a'+i)))
		signer := tablet
		if i%2 == 1 {
			signer = office
		}
		h.RunOK(k.Name, h.Sign(signer, add(k, pop(k, apptest.ChainID, phone.Addr))))
	}
	ninth := apptest.NewKey("device-ninth")
	refused(t, h, "a ninth key", phone, add(ninth, pop(ninth, apptest.ChainID, phone.Addr)), phone.Addr, cs,
		tx.CodeIdentityTooManyKeys, "8 device keys in use")
	if v := getIdentity(t, h, phone.Addr); v.ActiveKeys() != 8 {
		t.Fatalf("keys in use: got %d, want 8", v.ActiveKeys())
	}

	// Removal: by the phone (of the tablet), then no longer by the tablet.
	h.RunOK("remove the tablet", h.Sign(phone, &tx.MsgIdentityRemoveDevice{ID: phone.Addr, Key: tablet.Pub}))
	refused(t, h, "the removed tablet suspends", tablet, &tx.MsgIdentitySuspend{ID: phone.Addr, Reason: "x", Reveal: reveal(cs)}, phone.Addr, cs,
		tx.CodeIdentityNotAuthorised)
	refused(t, h, "remove the tablet again", phone, &tx.MsgIdentityRemoveDevice{ID: phone.Addr, Key: tablet.Pub}, phone.Addr, cs,
		tx.CodeIdentityUnknownKey)
	h.RunOK("a ninth key once one is removed", h.Sign(phone, add(ninth, pop(ninth, apptest.ChainID, phone.Addr))))
	v := getIdentity(t, h, phone.Addr)
	for _, dk := range v.Keys {
		if dk.RemovedHeight == 0 && !slices.Equal(dk.Key, phone.Pub) {
			h.RunOK("remove "+dk.Key.String(), h.Sign(office, &tx.MsgIdentityRemoveDevice{ID: phone.Addr, Key: dk.Key}))
		}
	}
	refused(t, h, "remove the last key", office, &tx.MsgIdentityRemoveDevice{ID: phone.Addr, Key: phone.Pub}, phone.Addr, cs,
		tx.CodeIdentityLastKey, "last device key")
	if v := getIdentity(t, h, phone.Addr); v.ActiveKeys() != 1 || v.KeyInUse(phone.Addr) != 0 || len(v.Keys) != 9 {
		t.Fatalf("after removals: %+v", v)
	}
}

// TestSuspendedIdentityChangedByOfficeOnly: while a card is suspended its
// device keys may not change it (whoever found the phone cannot add a key
// or remove the owner's); an office can, so the owner replaces the lost
// phone at the office before reinstatement.
func TestSuspendedIdentityChangedByOfficeOnly(t *testing.T) {
	h := start(t)
	cs := register(t, h, phone, "phone", 1)
	h.RunOK("the phone adds the tablet", h.Sign(phone, &tx.MsgIdentityAddDevice{ID: phone.Addr, Key: tablet.Pub, PoP: pop(tablet, apptest.ChainID, phone.Addr)}))
	h.RunOK("the tablet suspends", h.Sign(tablet, &tx.MsgIdentitySuspend{ID: phone.Addr, Reason: "phone stolen", Reveal: reveal(cs)}))
	refused(t, h, "the stolen phone removes the tablet", phone, &tx.MsgIdentityRemoveDevice{ID: phone.Addr, Key: tablet.Pub}, phone.Addr, cs,
		tx.CodeIdentityNotActive, "suspended")
	k := apptest.NewKey("thief")
	refused(t, h, "the stolen phone adds a key", phone, &tx.MsgIdentityAddDevice{ID: phone.Addr, Key: k.Pub, PoP: pop(k, apptest.ChainID, phone.Addr)}, phone.Addr, cs,
		tx.CodeIdentityNotActive)
	h.RunOK("the office removes the stolen phone", h.Sign(office, &tx.MsgIdentityRemoveDevice{ID: phone.Addr, Key: phone.Pub}))
	_, hs := issue("phone/2", 2)
	h.RunOK("reinstate", h.Sign(office, &tx.MsgIdentityReinstate{ID: phone.Addr, Commitments: hs}))
	if v := getIdentity(t, h, phone.Addr); v.Status != tx.IdentityActive || v.KeyInUse(tablet.Addr) < 0 || v.KeyInUse(phone.Addr) >= 0 {
		t.Fatalf("after reinstatement: %+v", v)
	}
}

// TestAddCardCopies: an office adds copies to an active identity, up to
// 64 in all; a copy recorded twice and a non-office are refused.
func TestAddCardCopies(t *testing.T) {
	h := start(t)
	cs := register(t, h, phone, "phone", 60)
	_, more := issue("phone/more", 5)
	refused(t, h, "by the phone", phone, &tx.MsgIdentityAddCardCopies{ID: phone.Addr, Commitments: more[:4]}, phone.Addr, cs, tx.CodeIdentityNotOffice)
	refused(t, h, "to 65", office, &tx.MsgIdentityAddCardCopies{ID: phone.Addr, Commitments: more}, phone.Addr, cs,
		tx.CodeIdentityTooManyCopies, "65 card-copy commitments")
	_, mine := issue("phone", 1)
	refused(t, h, "a copy twice", office, &tx.MsgIdentityAddCardCopies{ID: phone.Addr, Commitments: mine}, phone.Addr, cs, tx.CodeIdentityDuplicateCommitment)
	h.RunOK("to 64", h.Sign(office, &tx.MsgIdentityAddCardCopies{ID: phone.Addr, Commitments: more[:4]}))
	if v := getIdentity(t, h, phone.Addr); len(v.Commitments) != 64 {
		t.Fatalf("commitments: got %d, want 64", len(v.Commitments))
	}
	refused(t, h, "unknown identity", office, &tx.MsgIdentityAddCardCopies{ID: tablet.Addr, Commitments: more[4:]}, phone.Addr, cs, tx.CodeIdentityUnknown)
}
