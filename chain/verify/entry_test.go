package verify_test

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/verify"
	"github.com/citychain/citychain/chain/wallet"
)

// entryAt checks a response at a reader.
func entryAt(t *testing.T, src verify.Source, nonces *verify.NonceCache, ch wallet.Challenge, resp *wallet.EntryResponse, now time.Time) *verify.EntryResult {
	t.Helper()
	res, err := verify.Entry(context.Background(), src, nonces, ch, resp, now)
	if err != nil {
		t.Fatalf("entry at %s/%s: %v", ch.Facility, ch.Reader, err)
	}
	return res
}

func admitted(t *testing.T, res *verify.EntryResult) {
	t.Helper()
	if !res.Admitted || res.Reason != "" || res.Pseudonym == nil {
		t.Fatalf("entry at %s/%s: got %+v, want admitted with a pseudonym", res.Facility, res.Reader, res)
	}
}

func refused(t *testing.T, res *verify.EntryResult, reason string, detailHas ...string) {
	t.Helper()
	if res.Admitted || res.Reason != reason {
		t.Fatalf("entry at %s/%s: got admitted=%t reason %q (%s), want refused %q", res.Facility, res.Reader, res.Admitted, res.Reason, res.Detail, reason)
	}
	for _, s := range detailHas {
		if !strings.Contains(res.Detail, s) {
			t.Fatalf("entry at %s/%s: detail %q, want it to mention %q", res.Facility, res.Reader, res.Detail, s)
		}
	}
}

// keyOf is a wallet key as a harness signer.
func keyOf(name string, priv ed25519.PrivateKey) apptest.Key {
	pub := tx.PubKey(priv.Public().(ed25519.PublicKey))
	return apptest.Key{Name: name, Priv: priv, Pub: pub, Addr: pub.Address()}
}

// TestEntryReplays: a response is admitted once, at the reader it was made
// for, within 60 s: replayed to another reader (with its own challenge, or
// with the first one's nonce), checked twice, or checked after 60 s it is
// refused.
func TestEntryReplays(t *testing.T) {
	w := newWorld(t)
	now := w.now()
	gate1 := verify.NewNonceCache()
	ch, resp := w.respond(library, "gate-1", now)

	res := entryAt(t, w.src, gate1, ch, resp, now.Add(2*time.Second))
	admitted(t, res)
	if len(res.Claims) != 1 || res.Claims[0] != "resident_seoul" || res.Token {
		t.Fatalf("claims %v token %t, want [resident_seoul] and no token", res.Claims, res.Token)
	}
	if want := tx.Pseudonym(library, w.slotKeyOf(t, library)); *res.Pseudonym != want {
		t.Fatalf("pseudonym %s, want %s", res.Pseudonym, want)
	}
	// The same nonce twice at the same reader.
	refused(t, entryAt(t, w.src, gate1, ch, resp, now.Add(3*time.Second)), verify.ReasonReplayed, "already accepted")

	// At another reader of the same facility: its own challenge...
	ch2, err := verify.NewChallenge(library, "gate-2", now)
	if err != nil {
		t.Fatal(err)
	}
	refused(t, entryAt(t, w.src, verify.NewNonceCache(), ch2, resp, now.Add(3*time.Second)), verify.ReasonReplayed, "the reader issued")
	// ...or one carrying gate-1's nonce: the key binding names gate-1.
	ch2.Nonce = ch.Nonce
	refused(t, entryAt(t, w.src, verify.NewNonceCache(), ch2, resp, now.Add(3*time.Second)), verify.ReasonWrongReader, library+"/gate-1")

	// After 60 s, at the reader it was made for, with a fresh cache.
	refused(t, entryAt(t, w.src, verify.NewNonceCache(), ch, resp, now.Add(61*time.Second)), verify.ReasonExpiredResponse)
	// A response whose key binding is 61 s older than a fresh challenge.
	ch3, err := verify.NewChallenge(library, "gate-1", now.Add(61*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	old, err := w.w.Entry(ch3, []string{"resident_seoul"}, now)
	if err != nil {
		t.Fatal(err)
	}
	refused(t, entryAt(t, w.src, verify.NewNonceCache(), ch3, old, now.Add(62*time.Second)), verify.ReasonExpiredResponse, "key binding signed")

	// The cache forgets a nonce once it could no longer be accepted.
	if gate1.Len() != 1 {
		t.Fatalf("gate-1 remembers %d nonces, want 1", gate1.Len())
	}
	if !gate1.Accept("other", now.Add(2*time.Minute)) || gate1.Len() != 1 {
		t.Fatalf("after 2 minutes gate-1 remembers %d nonces, want only the new one", gate1.Len())
	}

	// A copy without a key binding that is not a printed token.
	noKB := *resp
	noKB.Card.SDJWT = resp.Card.SDJWT[:strings.LastIndex(resp.Card.SDJWT, "~")+1]
	refused(t, entryAt(t, w.src, verify.NewNonceCache(), ch, &noKB, now.Add(2*time.Second)), verify.ReasonBadSignature, "not a printed token")
	// A response whose residency copy is another slot's.
	mixed := *resp
	mixed.Claims = []wallet.Envelope{w.presentUnused(t, ch.Aud(), ch.Nonce, now, "resident_seoul")}
	refused(t, entryAt(t, w.src, verify.NewNonceCache(), ch, &mixed, now.Add(2*time.Second)), verify.ReasonBadSignature, "one slot key")
}

// slotKeyOf is the slot key the wallet shows facility.
func (w *world) slotKeyOf(t *testing.T, facility string) tx.PubKey {
	t.Helper()
	s, ok := w.w.FacilitySlot(facility)
	if !ok {
		t.Fatalf("the wallet has no slot for %s", facility)
	}
	return tx.PubKey(w.w.SlotKey(s).Public().(ed25519.PublicKey))
}

// TestEntryPseudonymsAndPolicy: two facilities see two pseudonyms, each
// the same at every visit; a facility registered after the cards were
// issued admits the holder with no transaction of the holder's; a
// facility's policy claims must be disclosed true; a barred pseudonym is
// refused at its facility only.
func TestEntryPseudonymsAndPolicy(t *testing.T) {
	w := newWorld(t)
	visit := func(facility string) *verify.EntryResult {
		t.Helper()
		now := w.now()
		ch, resp := w.respond(facility, "door", now)
		return entryAt(t, w.src, verify.NewNonceCache(), ch, resp, now)
	}
	lib, pl := visit(library), visit(pool)
	admitted(t, lib)
	admitted(t, pl)
	if *lib.Pseudonym == *pl.Pseudonym {
		t.Fatalf("library and pool see the same pseudonym %s", lib.Pseudonym)
	}
	if again := visit(library); *again.Pseudonym != *lib.Pseudonym {
		t.Fatalf("second library visit: pseudonym %s, want %s", again.Pseudonym, lib.Pseudonym)
	}

	// A facility registered now admits the existing holder: the only
	// transaction is the facility's registration.
	seq := w.h.Seq(keyOf("device", w.device))
	w.run("later facility", facReg, &tx.MsgIdentityRegisterFacility{ID: later, Name: "Seongdong youth centre", Kind: "youth_centre", Claims: []string{"resident_seoul"}})
	res := visit(later)
	admitted(t, res)
	if *res.Pseudonym == *lib.Pseudonym || *res.Pseudonym == *pl.Pseudonym {
		t.Fatalf("the new facility sees an old pseudonym %s", res.Pseudonym)
	}
	if got := w.h.Seq(keyOf("device", w.device)); got != seq {
		t.Fatalf("the holder's sequence moved from %d to %d", seq, got)
	}

	// The seniors' centre requires age_over_65, disclosed false.
	refused(t, visit(seniors), verify.ReasonClaimMissing, "age_over_65")

	// The library bars its pseudonym; the pool still admits.
	w.run("bar", facReg, &tx.MsgIdentityBar{Facility: library, Pseudonym: *lib.Pseudonym, Reason: "damaged books"})
	refused(t, visit(library), verify.ReasonBarred, lib.Pseudonym.String(), "damaged books")
	admitted(t, visit(pool))
	// A bar with an end admits again after it.
	w.run("bar until", facReg, &tx.MsgIdentityBar{Facility: library, Pseudonym: *lib.Pseudonym, Until: w.now().Add(time.Hour), Reason: "one hour"})
	now := w.now().Add(2 * time.Hour)
	ch, resp := w.respond(library, "door", now)
	admitted(t, entryAt(t, w.src, verify.NewNonceCache(), ch, resp, now))

	// An unregistered facility.
	ch, err := verify.NewChallenge("nowhere", "door", w.now())
	if err != nil {
		t.Fatal(err)
	}
	refused(t, entryAt(t, w.src, nil, ch, resp, w.now()), verify.ReasonReplayed)
	resp.Challenge = ch
	refused(t, entryAt(t, w.src, nil, ch, resp, w.now()), verify.ReasonUnknownFacility, "nowhere")
}

// TestEntrySuspended: once the holder's device suspends the identity
// (opening every card-copy commitment), no card copy enters anywhere from
// the next block; before that block it does.
func TestEntrySuspended(t *testing.T) {
	w := newWorld(t)
	now := w.now()
	ch, resp := w.respond(library, "door", now)
	chPool, respPool := w.respond(pool, "door", now)
	admitted(t, entryAt(t, w.src, verify.NewNonceCache(), ch, resp, now))

	id := keyOf("device", w.device)
	var reveal []tx.CardReveal
	for _, r := range w.w.Reveals() {
		reveal = append(reveal, r.CardReveal)
	}
	w.run("suspend", id, &tx.MsgIdentitySuspend{ID: id.Addr, Reason: "phone stolen", Reveal: reveal})
	refused(t, entryAt(t, w.src, verify.NewNonceCache(), ch, resp, now), verify.ReasonSuspended, w.cards)
	refused(t, entryAt(t, w.src, verify.NewNonceCache(), chPool, respPool, now), verify.ReasonSuspended)
	// Every other copy too: a facility never visited.
	ch, resp = w.respond(seniors, "door", w.now())
	refused(t, entryAt(t, w.src, verify.NewNonceCache(), ch, resp, w.now()), verify.ReasonSuspended)
}

// TestEntryRevokedCredential: a revoked residency credential keeps its
// holder out of the library (which requires it) but not the pool.
func TestEntryRevokedCredential(t *testing.T) {
	w := newWorld(t)
	now := w.now()
	ch, resp := w.respond(library, "door", now)
	chPool, respPool := w.respond(pool, "door", now)
	var idx []uint32
	for _, c := range w.res.Copies {
		idx = append(idx, c.Status.Idx)
	}
	w.run("revoke", issuer, &tx.MsgCredentialSetStatus{List: w.resList, Indices: idx, Value: true})
	refused(t, entryAt(t, w.src, verify.NewNonceCache(), ch, resp, now), verify.ReasonRevoked, w.resList)
	admitted(t, entryAt(t, w.src, verify.NewNonceCache(), chPool, respPool, now))
}
