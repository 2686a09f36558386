package identity_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/identity"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

func library(id string) *tx.MsgIdentityRegisterFacility {
	return &tx.MsgIdentityRegisterFacility{ID: id, Name: "Seoul Library", Kind: "library", Claims: []string{"resident_seoul"}}
}

func facility(t testing.TB, h *apptest.Harness, id string) identity.Facility {
	t.Helper()
	var f identity.Facility
	h.QueryJSON(t, "/identity/facility", []byte(id), &f)
	return f
}

func stats(t testing.TB, h *apptest.Harness) identity.Stats {
	t.Helper()
	var s identity.Stats
	h.QueryJSON(t, "/identity/stats", nil, &s)
	return s
}

// TestFacilityKindsAreFreeText: a facility registrar registers a
// facility of any kind, also one no code names ("youth_centre"), and
// becomes its agency; registering touches no identity; the stats count
// facilities by kind and follow an update that changes the kind.
func TestFacilityKindsAreFreeText(t *testing.T) {
	h := start(t)
	register(t, h, phone, "phone", 2)
	before := raw(t, h, "/identity/identity", []byte(phone.Addr.String()), 0)
	h.RunOK("a library", h.Sign(facReg, library("seoul-library")))
	res := h.RunOK("a youth centre", h.Sign(facReg, &tx.MsgIdentityRegisterFacility{ID: "mapo-youth", Name: "Mapo Youth Centre", Kind: "youth_centre",
		Claims: []string{"resident_seoul", "age_under_25"}, AcceptsTokens: true}))
	if !apptest.HasEvent(res.Events, "identity.facility_registered", "facility", "mapo-youth", "kind", "youth_centre", "agency", facReg.Addr.String()) {
		t.Errorf("events: %v", res.Events)
	}
	for _, e := range res.Events {
		if strings.HasPrefix(e.Type, "identity.") && e.Type != "identity.facility_registered" {
			t.Errorf("registering a facility emitted %s", e.Type)
		}
	}
	f := facility(t, h, "mapo-youth")
	if f.Kind != "youth_centre" || f.Agency != facReg.Addr || !f.AcceptsTokens || !slices.Equal(f.Claims, []string{"resident_seoul", "age_under_25"}) {
		t.Fatalf("facility: %+v", f)
	}
	if after := raw(t, h, "/identity/identity", []byte(phone.Addr.String()), 0); !bytes.Equal(after, before) {
		t.Errorf("registering facilities changed an identity:\n%s\n%s", before, after)
	}
	s := stats(t, h)
	want := []tx.KindCount{{Kind: "library", Count: 1}, {Kind: "youth_centre", Count: 1}}
	if s.Facilities != 2 || s.Identities != 1 || s.Active != 1 || !slices.Equal(s.ByKind, want) {
		t.Fatalf("stats: %+v", s)
	}

	h.RunFail("a non-registrar", h.Sign(office, library("gangnam-library")), tx.CodeIdentityNotFacilityRegistrar, "facility_registrar")
	h.RunFail("the same id", h.Sign(facReg2, library("seoul-library")), tx.CodeIdentityFacilityExists, "seoul-library")
	invalid(t, h, "a kind with capitals", facReg, &tx.MsgIdentityRegisterFacility{ID: "x", Name: "X", Kind: "Pool"}, "kind")
	invalid(t, h, "an id with a slash", facReg, &tx.MsgIdentityRegisterFacility{ID: "a/b", Name: "X", Kind: "pool"}, "facility")

	// Update: by its agency only; the kind counts follow.
	upd := &tx.MsgIdentityUpdateFacility{ID: "seoul-library", Name: "Seoul Library & Pool", Kind: "pool", Claims: []string{}}
	h.RunFail("update by another registrar", h.Sign(facReg2, upd), tx.CodeIdentityNotFacilityAgency, facReg.Addr.String())
	h.RunFail("update an unknown facility", h.Sign(facReg, &tx.MsgIdentityUpdateFacility{ID: "nowhere", Name: "N", Kind: "pool"}), tx.CodeIdentityUnknownFacility)
	h.RunOK("update", h.Sign(facReg, upd))
	if f := facility(t, h, "seoul-library"); f.Kind != "pool" || f.Name != upd.Name || len(f.Claims) != 0 || f.UpdatedHeight != h.Height {
		t.Fatalf("updated: %+v", f)
	}
	want = []tx.KindCount{{Kind: "pool", Count: 1}, {Kind: "youth_centre", Count: 1}}
	if s := stats(t, h); !slices.Equal(s.ByKind, want) {
		t.Fatalf("by kind after the update: %+v", s.ByKind)
	}

	var page tx.FacilityPage
	h.QueryJSON(t, "/identity/facilities", apptest.MustJSON(t, tx.PageRequest{Limit: 1}), &page)
	if len(page.Facilities) != 1 || page.Facilities[0].ID != "mapo-youth" || page.Next != "mapo-youth" {
		t.Fatalf("first page: %+v", page)
	}
	var page2 tx.FacilityPage
	h.QueryJSON(t, "/identity/facilities", apptest.MustJSON(t, tx.PageRequest{After: page.Next}), &page2)
	if len(page2.Facilities) != 1 || page2.Facilities[0].ID != "seoul-library" || page2.Next != "" {
		t.Fatalf("second page: %+v", page2)
	}
}

// TestBarsByAgencyOnly: only the facility's agency bars and unbars a
// pseudonym; /identity/barred proves a bar, and proves its absence once
// lifted.
func TestBarsByAgencyOnly(t *testing.T) {
	h := start(t)
	h.RunOK("a pool", h.Sign(facReg, &tx.MsgIdentityRegisterFacility{ID: "jamsil-pool", Name: "Jamsil Pool", Kind: "pool", Claims: []string{}}))
	slot := apptest.NewKey("wallet-slot-7")
	ps := tx.Pseudonym("jamsil-pool", slot.Pub)
	until := apptest.BlockTime(h.Height + 1000)
	bar := &tx.MsgIdentityBar{Facility: "jamsil-pool", Pseudonym: ps, Until: until, Reason: "ran on the deck again"}
	for _, k := range []apptest.Key{facReg2, office, apptest.Alice} {
		h.RunFail("a bar by "+k.Name, h.Sign(k, bar), tx.CodeIdentityNotFacilityAgency, "not the agency")
	}
	h.RunFail("a bar at an unknown facility", h.Sign(facReg, &tx.MsgIdentityBar{Facility: "nowhere", Pseudonym: ps, Reason: "x"}), tx.CodeIdentityUnknownFacility)
	h.RunFail("a bar ending now", h.Sign(facReg, &tx.MsgIdentityBar{Facility: "jamsil-pool", Pseudonym: ps, Until: apptest.BlockTime(h.Height), Reason: "x"}),
		tx.CodeIdentityBarPast, "not after the block time")
	invalid(t, h, "no pseudonym", facReg, &tx.MsgIdentityBar{Facility: "jamsil-pool", Reason: "x"}, "pseudonym")
	h.RunOK("the agency bars", h.Sign(facReg, bar))

	req := apptest.MustJSON(t, tx.BarredRequest{Facility: "jamsil-pool", Pseudonym: ps})
	res := h.Query("/identity/barred", req, 0, true)
	apptest.RequireOK(t, "barred", res)
	var b identity.Bar
	if err := json.Unmarshal(res.Value, &b); err != nil || b.Pseudonym != ps || !b.Until.Equal(until) || b.By != facReg.Addr || !b.ActiveAt(until.Add(-time.Second)) || b.ActiveAt(until) {
		t.Fatalf("bar: %+v (%v)", b, err)
	}
	if err := store.VerifyProof(h.Hashes[res.Height], proofOf(t, res), res.Key, res.Value); err != nil {
		t.Fatalf("proof of the bar: %v", err)
	}
	var bars tx.BarPage
	h.QueryJSON(t, "/identity/bars", apptest.MustJSON(t, tx.BarsRequest{Facility: "jamsil-pool"}), &bars)
	if len(bars.Bars) != 1 || bars.Bars[0].Pseudonym != ps {
		t.Fatalf("bars: %+v", bars)
	}
	if s := stats(t, h); s.Bars != 1 {
		t.Errorf("stats bars: got %d, want 1", s.Bars)
	}

	h.RunFail("an unbar by another registrar", h.Sign(facReg2, &tx.MsgIdentityUnbar{Facility: "jamsil-pool", Pseudonym: ps}), tx.CodeIdentityNotFacilityAgency)
	h.RunOK("the agency unbars", h.Sign(facReg, &tx.MsgIdentityUnbar{Facility: "jamsil-pool", Pseudonym: ps}))
	h.RunFail("unbar again", h.Sign(facReg, &tx.MsgIdentityUnbar{Facility: "jamsil-pool", Pseudonym: ps}), tx.CodeIdentityNotBarred)
	res = h.Query("/identity/barred", req, 0, true)
	apptest.RequireCode(t, "barred after unbar", res, tx.CodeAppNotFound)
	if err := store.VerifyProof(h.Hashes[res.Height], proofOf(t, res), res.Key, nil); err != nil {
		t.Fatalf("proof of absence: %v", err)
	}
	if s := stats(t, h); s.Bars != 0 {
		t.Errorf("stats bars: got %d, want 0", s.Bars)
	}
}

// TestBarsPaged: a facility's bars page in pseudonym order; another
// facility's bars are not listed (even one whose id extends this one's).
func TestBarsPaged(t *testing.T) {
	h := start(t)
	for _, id := range []string{"pool", "pool-2"} {
		h.RunOK(id, h.Sign(facReg, &tx.MsgIdentityRegisterFacility{ID: id, Name: id, Kind: "pool", Claims: []string{}}))
	}
	var txs [][]byte
	var want []tx.Hash32
	for i := range 5 {
		ps := tx.Pseudonym("pool", apptest.NewKey("slot-"+string(rune('a'+i))).Pub)
		want = append(want, ps)
		txs = append(txs, h.Sign(facReg, &tx.MsgIdentityBar{Facility: "pool", Pseudonym: ps, Reason: "r"}))
		txs = append(txs, h.Sign(facReg, &tx.MsgIdentityBar{Facility: "pool-2", Pseudonym: ps, Reason: "r"}))
	}
	for _, r := range h.Block(txs...).Result.TxResults {
		apptest.RequireOK(t, "bar", r)
	}
	slices.SortFunc(want, func(a, b tx.Hash32) int { return bytes.Compare(a[:], b[:]) })
	var got []tx.Hash32
	after := ""
	for {
		var page tx.BarPage
		h.QueryJSON(t, "/identity/bars", apptest.MustJSON(t, tx.BarsRequest{Facility: "pool", PageRequest: tx.PageRequest{After: after, Limit: 2}}), &page)
		for _, b := range page.Bars {
			if b.Facility != "pool" {
				t.Fatalf("bars of pool list one of %q", b.Facility)
			}
			got = append(got, b.Pseudonym)
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if !slices.Equal(got, want) {
		t.Fatalf("bars: got %v, want %v", got, want)
	}
	res := h.Query("/identity/bars", apptest.MustJSON(t, tx.BarsRequest{Facility: "nowhere"}), 0, false)
	apptest.RequireCode(t, "bars of an unknown facility", res, tx.CodeAppNotFound)
}
