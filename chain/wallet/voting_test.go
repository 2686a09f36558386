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

// Voting evidence is one never-shown residency copy's issuer JWT, its
// anchor proof, the copy's cnf key's signature of the voting evidence
// message (chain, purpose, id, identity, JWT) and the disclosure of the
// residency claim, whose digest is in the JWT's _sd and whose value is
// true. The slot is spent under "voting:<purpose>:<id>", so the next call
// takes another copy; a copy whose claim is false, no unused copy, a bad
// target, a missing schema: refused, nothing spent.
func TestVotingEligibility(t *testing.T) {
	x := newWorld(t)
	req, err := x.w.Request(3)
	if err != nil {
		t.Fatal(err)
	}
	issue := func(keys []tx.PubKey, resident bool) *wallet.Batch {
		t.Helper()
		b, err := wallet.IssueBatch(wallet.BatchSpec{Key: x.issuer, Iss: addr(x.issuer), Vct: "residency", Now: now,
			Exp: now.AddDate(1, 0, 0), List: x.credList, Alloc: x.credAlloc},
			wallet.SameClaims(keys, []sdjwt.Claim{{Name: "resident_seoul", Value: resident}, {Name: "age_over_65", Value: false}}))
		if err != nil {
			t.Fatal(err)
		}
		x.deliver(b, nil)
		return b
	}
	b := issue(req.HolderKeys[:2], true)
	identity := tx.AddressOf(x.pub(seedKey(20)))
	target := wallet.VotingTarget{ChainID: "citychain-devnet", Purpose: wallet.VotingCredential, ID: 4, Identity: identity}

	// Refusals spend nothing.
	for _, bad := range []struct {
		t    wallet.VotingTarget
		want string
	}{
		{wallet.VotingTarget{ChainID: "c", Purpose: "vote", ID: 1, Identity: identity}, `purpose "vote"`},
		{wallet.VotingTarget{ChainID: "c", Purpose: wallet.VotingSupport, Identity: identity}, "id: 0"},
		{wallet.VotingTarget{ChainID: "c", Purpose: wallet.VotingPropose, ID: 3, Identity: identity}, "id: 3, want 0"},
		{wallet.VotingTarget{Purpose: wallet.VotingPropose}, "identity: the zero address"},
	} {
		if _, err := x.w.VotingEligibility(bad.t, "residency", "resident_seoul", now); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Fatalf("target %+v: %v, want %q", bad.t, err, bad.want)
		}
	}
	if _, err := x.w.VotingEligibility(target, "parking", "resident_seoul", now); !errors.Is(err, wallet.ErrNoCredential) {
		t.Fatalf("no such schema: %v", err)
	}
	if _, err := x.w.VotingEligibility(target, "residency", "resident_busan", now); !errors.Is(err, wallet.ErrNoUnusedCopy) ||
		!strings.Contains(err.Error(), `claim "resident_busan"`) {
		t.Fatalf("no copy with the claim: %v", err)
	}
	if n := x.w.Unused(); n != 3 {
		t.Fatalf("refusals spent slots: %d unused, want 3", n)
	}

	check := func(ev *tx.VotingEligibility, slot uint32, tg wallet.VotingTarget) {
		t.Helper()
		leaf := sha256.Sum256([]byte(ev.Evidence.JWT))
		if !tx.VerifyMerklePath(b.Root, leaf[:], ev.Evidence.Index, uint64(b.Count), ev.Evidence.Path) || ev.Evidence.Anchor != 1 {
			t.Fatalf("anchor proof of leaf %d does not verify", ev.Evidence.Index)
		}
		v, err := sdjwt.VerifyIssued(ev.Evidence.JWT+"~"+ev.Disclosure+"~", x.pub(x.issuer))
		if err != nil {
			t.Fatal(err)
		}
		if yes, ok := v.Bool("resident_seoul"); !ok || !yes || len(v.Disclosed) != 1 {
			t.Fatalf("disclosed %v, want resident_seoul = true only", v.Disclosed)
		}
		if !v.Holder.Equal(x.w.SlotKey(slot).Public().(ed25519.PublicKey)) {
			t.Fatalf("cnf key is not slot %d's", slot)
		}
		msg := tx.VotingEvidenceMessage(tg.ChainID, tg.Purpose, tg.ID, tg.Identity, ev.Evidence.JWT)
		if !ed25519.Verify(v.Holder, msg, ev.Evidence.HolderSig) {
			t.Fatal("holder_sig does not verify with the cnf key")
		}
		for _, o := range []wallet.VotingTarget{
			{ChainID: tg.ChainID, Purpose: tg.Purpose, ID: tg.ID + 1, Identity: tg.Identity},
			{ChainID: tg.ChainID, Purpose: wallet.VotingSupport, ID: tg.ID, Identity: tg.Identity},
			{ChainID: tg.ChainID, Purpose: tg.Purpose, ID: tg.ID, Identity: tx.AddressOf(x.pub(seedKey(21)))},
		} {
			if ed25519.Verify(v.Holder, tx.VotingEvidenceMessage(o.ChainID, o.Purpose, o.ID, o.Identity, ev.Evidence.JWT), ev.Evidence.HolderSig) {
				t.Fatalf("holder_sig also verifies for %+v", o)
			}
		}
	}
	ev, err := x.w.VotingEligibility(target, "residency", "resident_seoul", now)
	if err != nil {
		t.Fatal(err)
	}
	check(ev, 0, target)
	propose := wallet.VotingTarget{ChainID: "citychain-devnet", Purpose: wallet.VotingPropose, Identity: identity}
	ev2, err := x.w.VotingEligibility(propose, "residency", "resident_seoul", now)
	if err != nil {
		t.Fatal(err)
	}
	check(ev2, 1, propose)
	if ev2.Evidence.JWT == ev.Evidence.JWT {
		t.Fatal("the second evidence reuses the first copy")
	}
	if got := x.w.VerifierSlots(wallet.VotingVerifier(wallet.VotingCredential, 4)); !slices.Equal(got, []uint32{0}) {
		t.Fatalf("slots recorded for voting:credential:4: %v", got)
	}
	if got := wallet.VotingVerifier(wallet.VotingPropose, 0); got != "voting:propose:0" {
		t.Fatalf("verifier name %q", got)
	}

	// Slot 2 holds a copy saying the holder is not a resident: refused,
	// not spent; then no unused copy is left.
	issue(req.HolderKeys[2:], false)
	if _, err := x.w.VotingEligibility(target, "residency", "resident_seoul", now); err == nil || !strings.Contains(err.Error(), "resident_seoul = false") {
		t.Fatalf("a copy saying false: %v", err)
	}
	if n := x.w.Unused(); n != 1 {
		t.Fatalf("%d unused, want 1 (the refused copy's slot)", n)
	}
	w2, err := wallet.Open(x.w.Path(), pin)
	if err != nil {
		t.Fatal(err)
	}
	if got := w2.VerifierSlots(wallet.VotingVerifier(wallet.VotingPropose, 0)); !slices.Equal(got, []uint32{1}) {
		t.Fatalf("reopened: slots shown for proposing %v, want [1]", got)
	}
}
