package verify_test

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/verify"
)

// BenchmarkVerifyPresentation is a verifier's whole check of one
// presentation (one residency credential, one claim) against a snapshot:
// the verifier's request against its record, the issuer signature, the
// disclosure, the key binding, the anchor's Merkle path, the accreditation
// window, the status bit and the expiry.
func BenchmarkVerifyPresentation(b *testing.B) {
	w := newWorld(b)
	now := w.now()
	req := w.request(verifier, libApp.Priv, "bench", "resident_seoul")
	p, err := w.w.Present(req, w.verifierRecord(verifier), now)
	if err != nil {
		b.Fatal(err)
	}
	snap := w.snapshot(b, 0)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := verify.Presentation(ctx, snap, nil, req, p, now)
		if err != nil || res.Verdict != verify.VerdictValid {
			b.Fatalf("got %+v %v, want valid", res, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "presentations/s")
}

// BenchmarkVerifyEntry is a reader's whole check of a card holder at a
// facility requiring one claim (the card and one credential), against a
// snapshot.
func BenchmarkVerifyEntry(b *testing.B) {
	w := newWorld(b)
	now := w.now()
	ch, resp := w.respond(library, "bench-gate", now)
	snap := w.snapshot(b, 0, library)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := verify.Entry(ctx, snap, nil, ch, resp, now)
		if err != nil || !res.Admitted {
			b.Fatalf("got %+v %v, want admitted", res, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkVerifyPresentationBaseline is the floor of
// BenchmarkVerifyPresentation: the three Ed25519 verifications a
// presentation needs (the verifier's request, the issuer JWT, the key
// binding) over messages of the same sizes, and nothing else. make bench
// prints the presentation check's rate as a ratio of it.
func BenchmarkVerifyPresentationBaseline(b *testing.B) {
	w := newWorld(b)
	now := w.now()
	req := w.request(verifier, libApp.Priv, "bench", "resident_seoul")
	p, err := w.w.Present(req, w.verifierRecord(verifier), now)
	if err != nil {
		b.Fatal(err)
	}
	parts := strings.Split(p.Envelopes[0].SDJWT, "~")
	jwt, kb := parts[0], parts[len(parts)-1]
	msgs := [][]byte{req.SignBytes(), []byte(jwt[:strings.LastIndex(jwt, ".")]), []byte(kb[:strings.LastIndex(kb, ".")])}
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	pub := key.Public().(ed25519.PublicKey)
	sigs := make([][]byte, len(msgs))
	for i, m := range msgs {
		sigs[i] = ed25519.Sign(key, m)
	}
	b.ReportAllocs()
	for b.Loop() {
		for i, m := range msgs {
			if !ed25519.Verify(pub, m, sigs[i]) {
				b.Fatal("signature does not verify")
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "presentations/s")
}
