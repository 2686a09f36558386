package verify_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/verify"
	"github.com/citychain/citychain/chain/wallet"
)

var jsonUnmarshal = json.Unmarshal

func (w *world) verifierRecord(id string) tx.Verifier {
	w.t.Helper()
	if _, err := w.src.Head(context.Background(), w.now()); err != nil {
		w.t.Fatal(err)
	}
	v, err := w.src.Verifier(context.Background(), id)
	if err != nil || v == nil {
		w.t.Fatalf("verifier %s: %v %v", id, v, err)
	}
	return *v
}

// revokeResidency sets the bits of every residency copy.
func (w *world) revokeResidency(t *testing.T) {
	t.Helper()
	var idx []uint32
	for _, c := range w.res.Copies {
		idx = append(idx, c.Status.Idx)
	}
	w.run("revoke residency", issuer, &tx.MsgCredentialSetStatus{List: w.resList, Indices: idx, Value: true})
}

func presentationAt(t *testing.T, src verify.Source, req wallet.VerifierRequest, p *wallet.Presentation, now time.Time) *verify.PresentationResult {
	t.Helper()
	res, err := verify.Presentation(context.Background(), src, nil, req, p, now)
	if err != nil {
		t.Fatalf("presentation to %s: %v", req.Verifier, err)
	}
	return res
}

func valid(t *testing.T, res *verify.PresentationResult) {
	t.Helper()
	if res.Verdict != verify.VerdictValid || res.Reason != "" {
		t.Fatalf("presentation to %s: got %s/%s (%s), want valid", res.Verifier, res.Verdict, res.Reason, res.Detail)
	}
}

func verdict(t *testing.T, res *verify.PresentationResult, want, reason string, detailHas ...string) {
	t.Helper()
	if res.Verdict != want || res.Reason != reason || res.Claims != nil {
		t.Fatalf("presentation to %s: got %s/%s (%s) claims %v, want %s/%s and no claims", res.Verifier, res.Verdict, res.Reason, res.Detail, res.Claims, want, reason)
	}
	for _, s := range detailHas {
		if !strings.Contains(res.Detail, s) {
			t.Fatalf("presentation to %s: detail %q, want it to mention %q", res.Verifier, res.Detail, s)
		}
	}
}

// TestPresentation: a registered verifier gets exactly the claims it
// asked; a request outside its registered claims is refused by the wallet
// and by the verifier's own check; a presentation disclosing more than
// asked, replayed to another verifier, or answering another nonce is
// invalid; a revoked credential never verifies.
func TestPresentation(t *testing.T) {
	w := newWorld(t)
	now := w.now()
	req := w.request(verifier, libApp.Priv, "library-42", "resident_seoul")
	p, err := w.w.Present(req, w.verifierRecord(verifier), now)
	if err != nil {
		t.Fatal(err)
	}
	res := presentationAt(t, w.src, req, p, now.Add(time.Second))
	valid(t, res)
	if len(res.Claims) != 1 || string(res.Claims["resident_seoul"]) != "true" {
		t.Fatalf("claims %v, want only resident_seoul=true", res.Claims)
	}
	if len(res.Credentials) != 1 || res.Credentials[0].Schema != residency || res.Credentials[0].Anchor != w.resID || res.Credentials[0].Issuer != issuer.Addr {
		t.Fatalf("credentials %+v, want the residency anchor %d of %s", res.Credentials, w.resID, issuer.Addr)
	}
	// The wallet never used that slot for anything else.
	for _, f := range []string{library, pool} {
		if s, ok := w.w.FacilitySlot(f); ok && s == w.slotOfVerifier(t, verifier) {
			t.Fatalf("facility %s and verifier %s share slot %d", f, verifier, s)
		}
	}
	// A nonce cache accepts the request's nonce once.
	cache := verify.NewNonceCache()
	for i, want := range []string{"", verify.ReasonReplayed} {
		r, err := verify.Presentation(context.Background(), w.src, cache, req, p, now)
		if err != nil || r.Reason != want {
			t.Fatalf("check %d with a nonce cache: got %+v %v, want reason %q", i, r, err, want)
		}
	}

	// A library asking for income: the wallet refuses, and so does the
	// verifier's own check of its request.
	greedy := w.request(verifier, libApp.Priv, "library-43", "resident_seoul", "income_decile_le_5")
	if _, err := w.w.Present(greedy, w.verifierRecord(verifier), now); err == nil || !strings.Contains(err.Error(), "income_decile_le_5") {
		t.Fatalf("wallet on a request outside the purpose: got %v, want a refusal naming the claim", err)
	}
	verdict(t, presentationAt(t, w.src, greedy, p, now), verify.VerdictInvalid, verify.ReasonBadRequest, "income_decile_le_5")
	// A request not signed by the registered key.
	forged := w.request(verifier, bankApp.Priv, "library-44", "resident_seoul")
	verdict(t, presentationAt(t, w.src, forged, p, now), verify.VerdictInvalid, verify.ReasonBadRequest, "signature")

	// The bank asks for both claims; a presentation disclosing more than a
	// request asks is invalid.
	bankReq := w.request(bankID, bankApp.Priv, "bank-1", "resident_seoul", "income_decile_le_5")
	bp, err := w.w.Present(bankReq, w.verifierRecord(bankID), now)
	if err != nil {
		t.Fatal(err)
	}
	valid(t, presentationAt(t, w.src, bankReq, bp, now))
	narrow := w.request(bankID, bankApp.Priv, "bank-1", "resident_seoul")
	verdict(t, presentationAt(t, w.src, narrow, bp, now), verify.VerdictInvalid, verify.ReasonClaimNotRequested, "income_decile_le_5")
	// Fewer than asked.
	fewer := &wallet.Presentation{Verifier: bankID, Nonce: "bank-1", Envelopes: []wallet.Envelope{w.presentUnused(t, bankID, "bank-1", now, "resident_seoul")}}
	verdict(t, presentationAt(t, w.src, bankReq, fewer, now), verify.VerdictInvalid, verify.ReasonClaimMissing, "income_decile_le_5")

	// Replayed to another verifier, or to the same with another nonce, or
	// after 60 s.
	replay := w.request(bankID, bankApp.Priv, "library-42", "resident_seoul")
	verdict(t, presentationAt(t, w.src, replay, p, now), verify.VerdictInvalid, verify.ReasonWrongReader, verifier)
	again := w.request(verifier, libApp.Priv, "library-45", "resident_seoul")
	verdict(t, presentationAt(t, w.src, again, p, now), verify.VerdictInvalid, verify.ReasonReplayed)
	verdict(t, presentationAt(t, w.src, req, p, now.Add(61*time.Second)), verify.VerdictInvalid, verify.ReasonExpiredResponse)
	// A presentation whose disclosure was tampered with.
	tampered := *p
	tampered.Envelopes = []wallet.Envelope{p.Envelopes[0]}
	tampered.Envelopes[0].SDJWT = strings.Replace(p.Envelopes[0].SDJWT, "~", "~"+w.disclosure(t, "resident_seoul")+"~", 1)
	verdict(t, presentationAt(t, w.src, req, &tampered, now), verify.VerdictInvalid, verify.ReasonBadSignature)

	// Revoked: never valid again.
	w.revokeResidency(t)
	verdict(t, presentationAt(t, w.src, req, p, now), verify.VerdictRevoked, verify.ReasonRevoked, w.resList)
	r2 := w.request(verifier, libApp.Priv, "library-46", "resident_seoul")
	p2, err := w.w.Present(r2, w.verifierRecord(verifier), w.now())
	if err != nil {
		t.Fatal(err)
	}
	verdict(t, presentationAt(t, w.src, r2, p2, w.now()), verify.VerdictRevoked, verify.ReasonRevoked)
}

func (w *world) slotOfVerifier(t *testing.T, id string) uint32 {
	t.Helper()
	s := w.w.VerifierSlots(id)
	if len(s) != 1 {
		t.Fatalf("verifier %s was shown slots %v, want one", id, s)
	}
	return s[0]
}

// presentUnused presents names of the residency copy of a slot no
// facility or verifier has seen, bound to aud and nonce.
func (w *world) presentUnused(t *testing.T, aud, nonce string, now time.Time, names ...string) wallet.Envelope {
	t.Helper()
	seen := map[uint32]bool{}
	for _, f := range []string{library, pool, seniors, later} {
		if s, ok := w.w.FacilitySlot(f); ok {
			seen[s] = true
		}
	}
	for _, v := range []string{verifier, bankID} {
		for _, s := range w.w.VerifierSlots(v) {
			seen[s] = true
		}
	}
	for _, d := range w.w.Documents() {
		if seen[d.Slot] || d.Vct != residency {
			continue
		}
		s, err := sdjwt.Parse(d.SDJWT)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Present(names, w.w.SlotKey(d.Slot), aud, nonce, now)
		if err != nil {
			t.Fatal(err)
		}
		return wallet.Envelope{Format: wallet.Format, Module: d.Module, SDJWT: p, Anchor: d.Anchor}
	}
	t.Fatal("no residency copy of an unused slot")
	return wallet.Envelope{}
}

// disclosure is a disclosure of name from another copy (its digest is in
// no other copy's _sd).
func (w *world) disclosure(t *testing.T, name string) string {
	t.Helper()
	d, err := sdjwt.NewDisclosure(nil, name, false)
	if err != nil {
		t.Fatal(err)
	}
	return d.Raw
}

// TestPresentationAccreditation: withdrawing an issuer's accreditation
// keeps what it anchored before valid and refuses its later anchors (the
// chain refuses the anchor; a copy pointing at an earlier anchor does not
// verify against it); a schema the issuer was never accredited for is
// not_accredited.
func TestPresentationAccreditation(t *testing.T) {
	w := newWorld(t)
	w.run("withdraw", accreditor, &tx.MsgCredentialWithdraw{Issuer: issuer.Addr, Schema: residency})
	now := w.now()
	req := w.request(verifier, libApp.Priv, "n-1", "resident_seoul")
	p, err := w.w.Present(req, w.verifierRecord(verifier), now)
	if err != nil {
		t.Fatal(err)
	}
	valid(t, presentationAt(t, w.src, req, p, now))

	// A batch issued after the withdrawal cannot be anchored...
	more, err := w.w.Request(1)
	if err != nil {
		t.Fatal(err)
	}
	spec := wallet.BatchSpec{Key: issuer.Priv, Iss: issuer.Addr.String(), Vct: residency, Now: now, Exp: now.AddDate(0, 1, 0), List: w.resList, Alloc: w.alloc("residency")}
	b, err := wallet.IssueBatch(spec, wallet.SameClaims(more.HolderKeys, []sdjwt.Claim{{Name: "resident_seoul", Value: true}}))
	if err != nil {
		t.Fatal(err)
	}
	w.h.RunFail("anchor after withdrawal", w.h.Sign(issuer, &tx.MsgCredentialAnchor{Schema: residency, Root: b.Root, Count: b.Count}), tx.CodeCredentialNotAccredited)
	// ...and its copy, presented with the earlier anchor's id, does not
	// verify against that anchor.
	copyKey := w.w.SlotKey(w.slotOf(t, more.HolderKeys[0]))
	s, err := sdjwt.Parse(b.Copies[0].SDJWT)
	if err != nil {
		t.Fatal(err)
	}
	pres, err := s.Present([]string{"resident_seoul"}, copyKey, verifier, "n-2", now)
	if err != nil {
		t.Fatal(err)
	}
	req2 := w.request(verifier, libApp.Priv, "n-2", "resident_seoul")
	env := wallet.Envelope{Format: wallet.Format, Module: wallet.ModuleCredentials, SDJWT: pres,
		Anchor: wallet.AnchorProof{ID: w.resID, Index: 0, Count: uint64(w.res.Count), Path: w.res.Copies[0].Path}}
	verdict(t, presentationAt(t, w.src, req2, &wallet.Presentation{Verifier: verifier, Nonce: "n-2", Envelopes: []wallet.Envelope{env}}, now),
		verify.VerdictInvalid, verify.ReasonNotAnchored)

	// The office, accredited for cards only, signs a "residency" copy and
	// anchors it as a card batch: the anchor's schema is not the copy's.
	spec = wallet.BatchSpec{Key: office.Priv, Iss: office.Addr.String(), Vct: residency, Now: now, Exp: now.AddDate(0, 1, 0)}
	b, err = wallet.IssueBatch(spec, wallet.SameClaims(more.HolderKeys, []sdjwt.Claim{{Name: "resident_seoul", Value: true}}))
	if err != nil {
		t.Fatal(err)
	}
	id := w.attr(w.run("office anchor", office, &tx.MsgCredentialAnchor{Schema: wallet.VctCard, Root: b.Root, Count: b.Count}), "credentials.anchored", "id")
	s, _ = sdjwt.Parse(b.Copies[0].SDJWT)
	pres, _ = s.Present([]string{"resident_seoul"}, copyKey, verifier, "n-3", now)
	req3 := w.request(verifier, libApp.Priv, "n-3", "resident_seoul")
	env = wallet.Envelope{Format: wallet.Format, Module: wallet.ModuleCredentials, SDJWT: pres, Anchor: wallet.AnchorProof{ID: id, Count: 1}}
	verdict(t, presentationAt(t, w.src, req3, &wallet.Presentation{Verifier: verifier, Nonce: "n-3", Envelopes: []wallet.Envelope{env}}, now),
		verify.VerdictInvalid, verify.ReasonNotAnchored, "schema")

	// A state in which the issuer's window began after its anchor (which
	// the chain never holds: it checks the window at anchoring) is
	// refused as not accredited.
	snap := w.snapshot(t, 0)
	for i := range snap.Accreditations {
		if snap.Accreditations[i].Issuer == issuer.Addr {
			snap.Accreditations[i].Windows[0].From = now
		}
	}
	if err := snap.Index(); err != nil {
		t.Fatal(err)
	}
	verdict(t, presentationAt(t, snap, req, p, now), verify.VerdictNotAccredited, verify.ReasonNotAccredited, residency)
}

// slotOf is the wallet slot of a holder key.
func (w *world) slotOf(t *testing.T, key tx.PubKey) uint32 {
	t.Helper()
	for s := uint32(0); s < 64; s++ {
		if tx.PubKey(w.w.SlotKey(s).Public().(ed25519.PublicKey)).String() == key.String() {
			return s
		}
	}
	t.Fatalf("no slot has key %s", key)
	return 0
}
