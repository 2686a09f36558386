package verify_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/verify"
	"github.com/citychain/citychain/chain/wallet"
)

// issueFamily issues family relation certificates to n fresh slots of the
// wallet, anchors them with the court's key and imports them; it returns
// the batch and its anchor's id and height.
func (w *world) issueFamily(t *testing.T, n int) (*wallet.Batch, uint64, int64) {
	t.Helper()
	req, err := w.w.Request(n)
	if err != nil {
		t.Fatal(err)
	}
	spec := wallet.BatchSpec{Key: courtKey.Priv, Iss: court.Addr.String(), Now: w.now()}
	b, err := wallet.IssueCertificates(spec, family, wallet.SameClaims(req.HolderKeys, []sdjwt.Claim{
		{Name: "holder_name", Value: "Kim Minji"}, {Name: "spouse_exists", Value: true}, {Name: "spouse_name", Value: "Lee Junho"}, {Name: "children_count", Value: 1}}))
	if err != nil {
		t.Fatal(err)
	}
	blk := w.run("issue certificates", court, &tx.MsgCertificateIssue{Kind: family, Key: courtKey.Pub, Root: b.Root, Count: b.Count})
	id := w.attr(blk, "certificates.issued", "id")
	w.deliver(b, id)
	return b, id, blk.Height
}

// present has the wallet present the family certificate's fields to
// verifierID for nonce at now.
func (w *world) present(t *testing.T, verifierID, nonce string, now time.Time, fields ...string) (wallet.CertificateRequest, *wallet.Presentation) {
	t.Helper()
	req := wallet.CertificateRequest{Verifier: verifierID, Nonce: nonce, Kind: family, Fields: fields}
	p, err := w.w.PresentCertificate(req, now)
	if err != nil {
		t.Fatal(err)
	}
	return req, p
}

// certAt checks a certificate presentation.
func certAt(t *testing.T, src verify.Source, req wallet.CertificateRequest, p *wallet.Presentation, now time.Time) *verify.CertificateResult {
	t.Helper()
	res, err := verify.Certificate(context.Background(), src, nil, req, p, now)
	if err != nil {
		t.Fatalf("certificate to %s: %v", req.Verifier, err)
	}
	return res
}

func certVerdict(t *testing.T, res *verify.CertificateResult, want string, detailHas ...string) {
	t.Helper()
	if res.Verdict != want || (want == verify.VerdictValid) != (res.Fields != nil) {
		t.Fatalf("certificate to %s: got %s/%s (%s) fields %v, want %s", res.Verifier, res.Verdict, res.Reason, res.Detail, res.Fields, want)
	}
	for _, s := range detailHas {
		if !strings.Contains(res.Detail, s) {
			t.Fatalf("certificate to %s: detail %q, want it to mention %q", res.Verifier, res.Detail, s)
		}
	}
}

// TestCertificate: a certificate discloses only the requested field to
// the bank; replayed to another agency it fails; asking more than it
// discloses fails; 91 days on it is expired, not revoked; its own
// revocation revokes it.
func TestCertificate(t *testing.T) {
	w := newWorld(t)
	b, id, height := w.issueFamily(t, 4)
	now := w.now()
	req, p := w.present(t, bankID, "loan-7", now, "spouse_exists")
	res := certAt(t, w.src, req, p, now)
	certVerdict(t, res, verify.VerdictValid, "valid until")
	if len(res.Fields) != 1 || string(res.Fields["spouse_exists"]) != "true" || res.Anchor != id || res.AnchorHeight != height || *res.Agency != court.Addr {
		t.Fatalf("result %+v, want only spouse_exists=true from anchor %d at height %d of %s", res, id, height, court.Addr)
	}
	if want := w.h.BlockTime(height).Add(90 * 24 * time.Hour); !res.Expires.Equal(want) {
		t.Fatalf("expires %s, want %s (90 days after the anchor)", res.Expires, want)
	}

	// Replayed to another agency (its own request, the same nonce).
	other := wallet.CertificateRequest{Verifier: "nps-agency", Nonce: "loan-7", Kind: family, Fields: []string{"spouse_exists"}}
	certVerdict(t, certAt(t, w.src, other, p, now), verify.VerdictInvalid, "for verifier \"hana-bank\"")
	other.Verifier = bankID
	other.Nonce = "loan-8"
	certVerdict(t, certAt(t, w.src, other, p, now), verify.VerdictInvalid, "loan-7")
	// A presentation signed for the bank but relabelled for the agency.
	relabelled := *p
	relabelled.Verifier = "nps-agency"
	other = wallet.CertificateRequest{Verifier: "nps-agency", Nonce: "loan-7", Kind: family, Fields: []string{"spouse_exists"}}
	r := certAt(t, w.src, other, &relabelled, now)
	if r.Reason != verify.ReasonWrongReader {
		t.Fatalf("relabelled presentation: reason %q (%s), want %q", r.Reason, r.Detail, verify.ReasonWrongReader)
	}
	// Asking for more than was disclosed.
	more := req
	more.Fields = []string{"spouse_exists", "children_count"}
	certVerdict(t, certAt(t, w.src, more, p, now), verify.VerdictInvalid, "children_count")

	// 91 days on: expired, not revoked.
	late := now.Add(91 * 24 * time.Hour)
	req2, p2 := w.present(t, bankID, "loan-9", late, "spouse_exists")
	certVerdict(t, certAt(t, w.src, req2, p2, late), verify.VerdictExpired, "expired at")

	// Its own revocation: the copy the bank was shown.
	var c wallet.IssuedCopy
	for _, cp := range b.Copies {
		if cp.HolderKey.String() == w.holderOf(t, p).String() {
			c = cp
		}
	}
	w.run("revoke", court, &tx.MsgCertificateRevoke{Anchor: id, Index: c.Index, Leaf: c.Leaf, Path: c.Path, Reason: "issued in error"})
	certVerdict(t, certAt(t, w.src, req, p, now), verify.VerdictRevoked, "issued in error")
	// Every copy's verdict follows its own leaf.
	for i, cp := range b.Copies {
		env := w.certEnvelope(t, b, i, id, "audit", "a-1")
		want := verify.VerdictValid
		if cp.Leaf == c.Leaf {
			want = verify.VerdictRevoked
		}
		ar := wallet.CertificateRequest{Verifier: "audit", Nonce: "a-1", Kind: family, Fields: []string{"spouse_exists"}}
		certVerdict(t, certAt(t, w.src, ar, &wallet.Presentation{Verifier: "audit", Nonce: "a-1", Envelopes: []wallet.Envelope{env}}, now), want)
	}

	// A snapshot does not answer for certificates.
	if _, err := verify.Certificate(context.Background(), w.snapshot(t, 0), nil, req, p, now); !errors.Is(err, verify.ErrNotInSnapshot) {
		t.Fatalf("certificate from a snapshot: got %v, want ErrNotInSnapshot", err)
	}
}

// holderOf is the holder key of a presentation's one envelope.
func (w *world) holderOf(t *testing.T, p *wallet.Presentation) tx.PubKey {
	t.Helper()
	s, err := sdjwt.Parse(p.Envelopes[0].SDJWT)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := s.UnverifiedPayload()
	if err != nil {
		t.Fatal(err)
	}
	k, err := pl.HolderKey()
	if err != nil {
		t.Fatal(err)
	}
	return tx.PubKey(k)
}

// certEnvelope presents copy i of batch b (anchored as id) for aud and
// nonce, disclosing spouse_exists, signed by its slot key.
func (w *world) certEnvelope(t *testing.T, b *wallet.Batch, i int, id uint64, aud, nonce string) wallet.Envelope {
	t.Helper()
	cp := b.Copies[i]
	s, err := sdjwt.Parse(cp.SDJWT)
	if err != nil {
		t.Fatal(err)
	}
	pres, err := s.Present([]string{"spouse_exists"}, w.w.SlotKey(w.slotOf(t, cp.HolderKey)), aud, nonce, w.now())
	if err != nil {
		t.Fatal(err)
	}
	return wallet.Envelope{Format: wallet.Format, Module: wallet.ModuleCertificates, SDJWT: pres,
		Anchor: wallet.AnchorProof{ID: id, Index: cp.Index, Count: uint64(b.Count), Path: cp.Path}}
}

// TestCertificateIssuerRevoked: the cert-verifier-js #308 case. A key
// declared compromised from a height revokes what it anchored from that
// height, with no revocation entry of the certificates' own; what it
// anchored before stays valid. A revoked agency revokes everything it
// issued; a suspended one reads issuer_suspended.
func TestCertificateIssuerRevoked(t *testing.T) {
	w := newWorld(t)
	early, earlyID, _ := w.issueFamily(t, 2)
	lateB, lateID, lateHeight := w.issueFamily(t, 2)
	check := func(b *wallet.Batch, id uint64, want string, detailHas ...string) {
		t.Helper()
		env := w.certEnvelope(t, b, 0, id, "audit", "x")
		req := wallet.CertificateRequest{Verifier: "audit", Nonce: "x", Kind: family, Fields: []string{"spouse_exists"}}
		certVerdict(t, certAt(t, w.src, req, &wallet.Presentation{Verifier: "audit", Nonce: "x", Envelopes: []wallet.Envelope{env}}, w.now()), want, detailHas...)
	}
	check(early, earlyID, verify.VerdictValid)
	check(lateB, lateID, verify.VerdictValid)

	w.run("compromised", certReg, &tx.MsgCertificateRevokeKey{Key: courtKey.Pub, CompromisedHeight: lateHeight})
	for _, c := range lateB.Copies {
		if r, _ := w.src.Revocation(context.Background(), c.Leaf); r != nil {
			t.Fatalf("leaf %s has a revocation entry of its own", c.Leaf)
		}
	}
	check(lateB, lateID, verify.VerdictRevoked, "compromised")
	check(early, earlyID, verify.VerdictValid)

	w.run("suspend agency", certReg, &tx.MsgCertificateSetAgencyStatus{Agency: court.Addr, Status: tx.AgencySuspended, Reason: "audit"})
	check(early, earlyID, verify.VerdictIssuerSuspended, "suspended")
	w.run("revoke agency", certReg, &tx.MsgCertificateSetAgencyStatus{Agency: court.Addr, Status: tx.AgencyRevoked, Reason: "fraud"})
	check(early, earlyID, verify.VerdictRevoked, "fraud")
}
