package verify_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/verify"
	"github.com/citychain/citychain/chain/wallet"
)

// snapshot reads a snapshot of the harness's committed state the way
// verify.FetchSnapshot reads one through a node (same queries, pages
// followed to the end), with facilities' records and bars, saves it and
// loads it back with maxAge.
func (w *world) snapshot(t testing.TB, maxAge time.Duration, facilities ...string) *verify.Snapshot {
	t.Helper()
	h := w.h
	s := &verify.Snapshot{Format: verify.SnapshotFormat, At: verify.Head{ChainID: "citychain-test", Height: h.Height, Time: h.BlockTime(h.Height)}}
	pages := func(path string, req func(after string) any, each func(raw []byte) string) {
		after := ""
		for {
			res := h.Query(path, mustJSON(req(after)), 0, false)
			if res.Code != 0 {
				t.Fatalf("%s: %s", path, res.Log)
			}
			if after = each(res.Value); after == "" {
				return
			}
		}
	}
	decode := func(raw []byte, v any) {
		t.Helper()
		if err := jsonUnmarshal(raw, v); err != nil {
			t.Fatal(err)
		}
	}
	pages("/credentials/accreditations", func(a string) any { return tx.AccreditationsRequest{PageRequest: tx.PageRequest{After: a}} }, func(raw []byte) string {
		var p tx.AccreditationPage
		decode(raw, &p)
		s.Accreditations = append(s.Accreditations, p.Accreditations...)
		return p.Next
	})
	pages("/credentials/anchors", func(a string) any { return tx.PageRequest{After: a} }, func(raw []byte) string {
		var p tx.CredentialAnchorPage
		decode(raw, &p)
		s.CredentialAnchors = append(s.CredentialAnchors, p.Anchors...)
		return p.Next
	})
	pages("/credentials/verifiers", func(a string) any { return tx.PageRequest{After: a} }, func(raw []byte) string {
		var p tx.VerifierPage
		decode(raw, &p)
		s.Verifiers = append(s.Verifiers, p.Verifiers...)
		return p.Next
	})
	pages("/credentials/lists", func(a string) any { return tx.StatusListsRequest{PageRequest: tx.PageRequest{After: a}} }, func(raw []byte) string {
		var p tx.StatusListPage
		decode(raw, &p)
		for _, l := range p.Lists {
			sl := verify.SnapshotList{StatusList: l}
			for c := range l.Size / tx.StatusChunkBits {
				res := h.Query("/credentials/status_chunk", mustJSON(tx.StatusChunkRequest{List: l.ID, Chunk: c}), 0, false)
				chunk := res.Value
				if res.Code != 0 {
					chunk = make([]byte, tx.StatusChunkBytes)
				}
				sl.Bits = append(sl.Bits, chunk...)
			}
			s.Lists = append(s.Lists, sl)
		}
		return p.Next
	})
	for _, id := range facilities {
		f := verify.SnapshotFacility{Facility: w.facility(id)}
		pages("/identity/bars", func(a string) any { return tx.BarsRequest{Facility: id, PageRequest: tx.PageRequest{After: a}} }, func(raw []byte) string {
			var p tx.BarPage
			decode(raw, &p)
			f.Bars = append(f.Bars, p.Bars...)
			return p.Next
		})
		s.Facilities = append(s.Facilities, f)
	}
	if err := s.Index(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "snapshot.json")
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := verify.LoadSnapshot(path, maxAge)
	if err != nil {
		t.Fatal(err)
	}
	return loaded
}

// TestSnapshotEntry: an offline reader admits from a snapshot, refuses
// what the snapshot shows suspended or barred, refuses everything once
// the snapshot is older than its bound (24 h by default), and cannot
// answer for a facility or list it was not fetched with.
func TestSnapshotEntry(t *testing.T) {
	w := newWorld(t)
	now := w.now()
	ch, resp := w.respond(library, "offline-gate", now)
	lib := w.snapshot(t, 0, library)
	admitted(t, entryAt(t, lib, verify.NewNonceCache(), ch, resp, now))

	// The holder was barred after the snapshot: the offline reader learns
	// it with the next snapshot.
	res := entryAt(t, w.src, verify.NewNonceCache(), ch, resp, now)
	w.run("bar", facReg, &tx.MsgIdentityBar{Facility: library, Pseudonym: *res.Pseudonym, Reason: "noise"})
	admitted(t, entryAt(t, lib, verify.NewNonceCache(), ch, resp, now))
	refused(t, entryAt(t, w.snapshot(t, 0, library), verify.NewNonceCache(), ch, resp, now), verify.ReasonBarred)

	// 25 hours later the snapshot is refused whatever the response.
	later := lib.At.Time.Add(25 * time.Hour)
	ch2, resp2 := w.respond(pool, "offline-gate", later)
	pl := w.snapshot(t, 0, pool)
	refused(t, entryAt(t, pl, verify.NewNonceCache(), ch2, resp2, later), verify.ReasonSnapshotTooOld, "24h0m0s")
	// A reader that sets a longer bound knowingly still admits.
	admitted(t, entryAt(t, w.snapshotWith(t, pl, 48*time.Hour), verify.NewNonceCache(), ch2, resp2, later))

	// Suspension reaches an offline reader with its next snapshot.
	id := keyOf("device", w.device)
	var reveal []tx.CardReveal
	for _, r := range w.w.Reveals() {
		reveal = append(reveal, r.CardReveal)
	}
	w.run("suspend", id, &tx.MsgIdentitySuspend{ID: id.Addr, Reason: "lost", Reveal: reveal})
	ch3, resp3 := w.respond(pool, "offline-gate", w.now())
	refused(t, entryAt(t, w.snapshot(t, 0, pool), verify.NewNonceCache(), ch3, resp3, w.now()), verify.ReasonSuspended)

	// A list the snapshot lacks is a failure to read, not a verdict, and
	// gives the nonce back: the reader can check again with the list.
	partial := w.snapshotWith(t, lib, 0)
	partial.Lists = partial.Lists[:0]
	if err := partial.Index(); err != nil {
		t.Fatal(err)
	}
	cache := verify.NewNonceCache()
	ch4, resp4 := w.respond(library, "gate-4", lib.At.Time.Add(time.Minute))
	if _, err := verify.Entry(context.Background(), partial, cache, ch4, resp4, lib.At.Time.Add(time.Minute)); !errors.Is(err, verify.ErrNotInSnapshot) {
		t.Fatalf("entry from a snapshot without lists: got %v, want ErrNotInSnapshot", err)
	}
	admitted(t, entryAt(t, lib, cache, ch4, resp4, lib.At.Time.Add(time.Minute)))

	// A facility the snapshot does not hold is a failure to read, not a
	// verdict.
	if _, err := verify.Entry(context.Background(), pl, nil, ch, resp, now); !errors.Is(err, verify.ErrNotInSnapshot) {
		t.Fatalf("entry at the library from the pool's snapshot: got %v, want ErrNotInSnapshot", err)
	}
}

// snapshotWith is s loaded again with another bound.
func (w *world) snapshotWith(t *testing.T, s *verify.Snapshot, maxAge time.Duration) *verify.Snapshot {
	t.Helper()
	path := filepath.Join(t.TempDir(), "snapshot.json")
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	out, err := verify.LoadSnapshot(path, maxAge)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSnapshotPresentation: a verifier checks a presentation offline; a
// revocation after the snapshot shows with the next one.
func TestSnapshotPresentation(t *testing.T) {
	w := newWorld(t)
	now := w.now()
	req := w.request(verifier, libApp.Priv, "n-1", "resident_seoul")
	p, err := w.w.Present(req, w.verifierRecord(verifier), now)
	if err != nil {
		t.Fatal(err)
	}
	snap := w.snapshot(t, 0)
	valid(t, presentationAt(t, snap, req, p, now))
	w.revokeResidency(t)
	valid(t, presentationAt(t, snap, req, p, now))
	verdict(t, presentationAt(t, w.snapshot(t, 0), req, p, now), verify.VerdictRevoked, verify.ReasonRevoked)
}

// request is a verifier's signed request.
func (w *world) request(id string, key []byte, nonce string, claims ...string) wallet.VerifierRequest {
	r := wallet.VerifierRequest{Verifier: id, Nonce: nonce, Claims: claims}
	r.Sign(key)
	return r
}
