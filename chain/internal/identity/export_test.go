package identity_test

import (
	"encoding/json"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/identity"
	"github.com/citychain/citychain/chain/tx"
)

// TestNoSectionWritesNothing: a chain whose genesis has no identity
// section holds no identity key (so the golden state hashes of chains
// without one do not move) and exports no section; the parameters read
// as the defaults.
func TestNoSectionWritesNothing(t *testing.T) {
	h := apptest.New(t, apptest.Options{Accounts: accounts()})
	h.Block()
	_, sections := h.ExportSections(t)
	if s, ok := sections[tx.CodespaceIdentity]; ok && string(s) != "null" {
		t.Fatalf("a fresh chain exports an identity section %s", s)
	}
	var p identity.Params
	h.QueryJSON(t, "/identity/params", nil, &p)
	if p != identity.DefaultParams() {
		t.Fatalf("params: got %+v, want the defaults", p)
	}
	if res := h.Query("/identity/params", nil, 0, false); res.Key != nil {
		t.Errorf("params of a fresh chain answer from key %x: nothing should be stored", res.Key)
	}
	if s := stats(t, h); s.Identities != 0 || s.Facilities != 0 || len(s.ByKind) != 0 {
		t.Errorf("stats: %+v", s)
	}
}

// busyChain builds identities in every state (active with several keys,
// one removed; suspended; reinstated; revoked), facilities of two kinds
// (one updated) and bars with and without an end.
func busyChain(t *testing.T) *apptest.Harness {
	t.Helper()
	h := start(t)
	register(t, h, phone, "phone", 3)
	h.RunOK("add the tablet", h.Sign(phone, &tx.MsgIdentityAddDevice{ID: phone.Addr, Key: tablet.Pub, PoP: pop(tablet, apptest.ChainID, phone.Addr)}))
	watch := apptest.NewKey("watch")
	h.RunOK("add a watch", h.Sign(office, &tx.MsgIdentityAddDevice{ID: phone.Addr, Key: watch.Pub, PoP: pop(watch, apptest.ChainID, phone.Addr)}))
	h.RunOK("remove the watch", h.Sign(tablet, &tx.MsgIdentityRemoveDevice{ID: phone.Addr, Key: watch.Pub}))
	_, more := issue("phone/more", 2)
	h.RunOK("more copies", h.Sign(office, &tx.MsgIdentityAddCardCopies{ID: phone.Addr, Commitments: more}))

	for i, state := range []string{"suspended", "reinstated", "revoked"} {
		k := apptest.NewKey("citizen-" + state)
		c := register(t, h, k, state, 1+i)
		switch state {
		case "suspended":
			h.RunOK(state, h.Sign(k, &tx.MsgIdentitySuspend{ID: k.Addr, Reason: "lost", Reveal: reveal(c)}))
		case "reinstated":
			h.RunOK("suspend", h.Sign(office, &tx.MsgIdentitySuspend{ID: k.Addr, Reason: "lost", Reveal: reveal(c)}))
			_, hs := issue(state+"/2", 2)
			h.RunOK(state, h.Sign(office2, &tx.MsgIdentityReinstate{ID: k.Addr, Commitments: hs}))
		case "revoked":
			h.RunOK(state, h.Sign(office, &tx.MsgIdentityRevoke{ID: k.Addr, Reason: "deceased", Reveal: reveal(c)}))
		}
	}
	h.RunOK("a library", h.Sign(facReg, library("seoul-library")))
	h.RunOK("a pool", h.Sign(facReg2, &tx.MsgIdentityRegisterFacility{ID: "jamsil-pool", Name: "Jamsil Pool", Kind: "pool", Claims: []string{}, AcceptsTokens: true}))
	h.RunOK("a youth centre", h.Sign(facReg, &tx.MsgIdentityRegisterFacility{ID: "mapo-youth", Name: "Mapo", Kind: "youth_centre", Claims: []string{"age_under_25"}}))
	h.RunOK("the library becomes a pool", h.Sign(facReg, &tx.MsgIdentityUpdateFacility{ID: "seoul-library", Name: "Library and Pool", Kind: "pool", Claims: []string{"resident_seoul"}}))
	h.RunOK("a bar", h.Sign(facReg2, &tx.MsgIdentityBar{Facility: "jamsil-pool", Pseudonym: tx.Pseudonym("jamsil-pool", phone.Pub), Reason: "r"}))
	h.RunOK("a bar with an end", h.Sign(facReg, &tx.MsgIdentityBar{Facility: "seoul-library", Pseudonym: tx.Pseudonym("seoul-library", tablet.Pub),
		Until: apptest.BlockTime(h.Height + 100), Reason: "noise"}))
	h.RunOK("a lifted bar", h.Sign(facReg, &tx.MsgIdentityBar{Facility: "seoul-library", Pseudonym: tx.Pseudonym("seoul-library", phone.Pub), Reason: "r"}))
	h.RunOK("lift it", h.Sign(facReg, &tx.MsgIdentityUnbar{Facility: "seoul-library", Pseudonym: tx.Pseudonym("seoul-library", phone.Pub)}))
	return h
}

// TestExportRoundTrip: every record (identities in each state with their
// key histories, facilities, bars) is exported and the import rebuilds
// the same state (the device-key index, the counters and the counts by
// kind included); the imported chain goes on working.
func TestExportRoundTrip(t *testing.T) {
	h := busyChain(t)
	_, sections := h.ExportSections(t)
	g := apptest.DecodeSection[identity.Genesis](t, sections, tx.CodespaceIdentity)
	if len(g.Identities) != 4 || len(g.Facilities) != 3 || len(g.Bars) != 2 || g.Params != nil {
		t.Fatalf("exported: %d identities, %d facilities, %d bars, params %v", len(g.Identities), len(g.Facilities), len(g.Bars), g.Params)
	}
	imported := h.ExportRoundTrip(t)
	imported.Block()
	want := stats(t, h)
	got := stats(t, imported)
	if string(apptest.MustJSON(t, got)) != string(apptest.MustJSON(t, want)) {
		t.Fatalf("stats after import: got %+v, want %+v", got, want)
	}
	// The imported chain still knows who may act: a removed key may not,
	// the tablet suspends, and the watch's key stays used.
	watch := apptest.NewKey("watch")
	imported.RunFail("the removed watch suspends", imported.Sign(watch, &tx.MsgIdentitySuspend{ID: phone.Addr, Reason: "x"}), tx.CodeIdentityNotAuthorised)
	first, _ := issue("phone", 3)
	more, _ := issue("phone/more", 2)
	imported.RunOK("suspend on the imported chain", imported.Sign(tablet, &tx.MsgIdentitySuspend{ID: phone.Addr, Reason: "lost",
		Reveal: append(reveal(first), reveal(more)...)}))
	imported.RunFail("the watch's key for another identity", imported.Sign(office, &tx.MsgIdentityRegister{DeviceKey: watch.Pub, CardList: cardList}),
		tx.CodeIdentityKeyUsed)
}

// TestGenesisParams: a section with parameters stores them (and nothing
// else), and they bound the messages.
func TestGenesisParams(t *testing.T) {
	st := apptest.BuildAppState(accounts(), nil)
	raw := apptest.MustJSON(t, st)
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sections); err != nil {
		t.Fatal(err)
	}
	sections[tx.CodespaceIdentity] = json.RawMessage(`{"params":{"max_device_keys":2,"max_card_copies":3}}`)
	h := apptest.New(t, apptest.Options{AppState: apptest.MustJSON(t, sections)})
	h.RunOK("the card list", h.Sign(office, &tx.MsgCredentialCreateList{Name: cardName, Purpose: tx.StatusSuspension, Size: cardSize}))
	var p identity.Params
	h.QueryJSON(t, "/identity/params", nil, &p)
	if p.MaxDeviceKeys != 2 || p.MaxCardCopies != 3 {
		t.Fatalf("params: %+v", p)
	}
	_, hs := issue("phone", 4)
	h.RunFail("4 copies", h.Sign(office, &tx.MsgIdentityRegister{DeviceKey: phone.Pub, CardList: cardList, Commitments: hs}), tx.CodeIdentityTooManyCopies, "maximum is 3")
	register(t, h, phone, "phone", 3)
	h.RunOK("a second key", h.Sign(phone, &tx.MsgIdentityAddDevice{ID: phone.Addr, Key: tablet.Pub, PoP: pop(tablet, apptest.ChainID, phone.Addr)}))
	k := apptest.NewKey("third")
	h.RunFail("a third key", h.Sign(phone, &tx.MsgIdentityAddDevice{ID: phone.Addr, Key: k.Pub, PoP: pop(k, apptest.ChainID, phone.Addr)}), tx.CodeIdentityTooManyKeys, "maximum is 2")
	h.ExportRoundTrip(t)
}

// TestImportRefusesBadState: an edited export that no chain could have
// written is refused, naming what is wrong.
func TestImportRefusesBadState(t *testing.T) {
	h := busyChain(t)
	exp, sections := h.ExportSections(t)
	edit := func(f func(g *identity.Genesis)) map[string]json.RawMessage {
		return apptest.EditSection(t, sections, tx.CodespaceIdentity, f)
	}
	for _, c := range []struct {
		name string
		edit func(g *identity.Genesis)
		want string
	}{
		{"id not the first key's address", func(g *identity.Genesis) { g.Identities[0].ID[0] ^= 1 }, "want the address of the first device key"},
		{"a key of two identities", func(g *identity.Genesis) {
			g.Identities[1].Keys = append(g.Identities[1].Keys, g.Identities[0].Keys[len(g.Identities[0].Keys)-1])
		}, "is also a key of identity"},
		{"suspended with a copy unrevealed", func(g *identity.Genesis) {
			for i := range g.Identities {
				if g.Identities[i].Status == tx.IdentitySuspended {
					g.Identities[i].Revealed--
				}
			}
		}, "has all its"},
		{"no key in use", func(g *identity.Genesis) {
			for i := range g.Identities[0].Keys {
				g.Identities[0].Keys[i].RemovedHeight = 5
			}
		}, "0 in use"},
		{"an unknown status", func(g *identity.Genesis) { g.Identities[0].Status = "lost" }, `status "lost"`},
		{"an unknown card list", func(g *identity.Genesis) { g.Identities[0].CardList = tx.StatusListID(office2.Addr, "x") }, "no such status list"},
		{"identities out of order", func(g *identity.Genesis) { g.Identities[0], g.Identities[1] = g.Identities[1], g.Identities[0] }, "ascending"},
		{"a bar of an unknown facility", func(g *identity.Genesis) { g.Bars[0].Facility = "nowhere" }, `"nowhere" is not in facilities`},
		{"a facility kind with capitals", func(g *identity.Genesis) { g.Facilities[0].Kind = "Pool" }, "kind"},
		{"params out of range", func(g *identity.Genesis) { g.Params = &identity.Params{MaxDeviceKeys: 9, MaxCardCopies: 64} }, "max_device_keys 9"},
		{"more keys than the params allow", func(g *identity.Genesis) { g.Params = &identity.Params{MaxDeviceKeys: 1, MaxCardCopies: 64} }, "2 in use, want 1 to 1"},
	} {
		t.Run(c.name, func(t *testing.T) { apptest.RequireImportRefused(t, exp, edit(c.edit), c.want) })
	}
}
