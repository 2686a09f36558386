package wallet_test

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/wallet"
)

var cardClaims = []sdjwt.Claim{{Name: "name", Value: "Kim Minji"}, {Name: "birth_date", Value: "1990-04-02"}}

// qrMaxBytes is what one QR code carries in byte mode at its largest
// (version 40, error correction L).
const qrMaxBytes = 2953

// TestPrintedTokens: a card batch with two printed tokens: each token is a
// card copy with the visible scope "token", its own key (no slot of the
// wallet, no key of the request), its own status index and commitment; a
// delivery of the holder's keys carries the tokens and their reveals; the
// wallet keeps the tokens apart (Entry never shows one) and prints one as
// one line of JSON without key binding, disclosing nothing of the card
// and, once a credential is issued to the token's key, exactly the claims
// asked.
func TestPrintedTokens(t *testing.T) {
	x := newWorld(t)
	req, err := x.w.Request(2)
	if err != nil {
		t.Fatal(err)
	}
	items := append(wallet.SameClaims(req.HolderKeys, cardClaims), wallet.TokenItem("", cardClaims), wallet.TokenItem("", cardClaims))
	b, err := wallet.IssueCardBatch(wallet.BatchSpec{Key: x.office, Iss: addr(x.office), Now: now, Exp: now.AddDate(5, 0, 0),
		List: x.cardList, Alloc: x.cardAlloc}, items)
	if err != nil {
		t.Fatal(err)
	}
	if b.Count != 4 || len(b.Commitments) != 4 || len(b.Reveals) != 4 {
		t.Fatalf("count %d, %d commitments, %d reveals; want 4 of each", b.Count, len(b.Commitments), len(b.Reveals))
	}
	var idx []uint32
	var tokenKeys []tx.PubKey
	for i, c := range b.Copies {
		v, err := sdjwt.VerifyIssued(c.SDJWT, x.pub(x.office))
		if err != nil {
			t.Fatal(err)
		}
		token := i >= 2
		if (c.Scope == wallet.ScopeToken) != token || (v.Payload.Scope == wallet.ScopeToken) != token || (v.Visible["scope"] != nil) != token {
			t.Fatalf("copy %d: scope %q payload %q, want a token: %t", i, c.Scope, v.Payload.Scope, token)
		}
		if v.Payload.Vct != wallet.VctCard || c.Status == nil || c.Status.List != x.cardList || b.Reveals[i].Hash() != b.Commitments[i] || b.Reveals[i].Idx != c.Status.Idx {
			t.Fatalf("copy %d: vct %q status %v: want a card copy whose commitment opens to its index", i, v.Payload.Vct, c.Status)
		}
		if slices.Contains(idx, c.Status.Idx) {
			t.Fatalf("copy %d: status index %d repeated", i, c.Status.Idx)
		}
		idx = append(idx, c.Status.Idx)
		if token {
			if len(c.HolderKey) != ed25519.PublicKeySize || slices.ContainsFunc(req.HolderKeys, func(k tx.PubKey) bool { return k.String() == c.HolderKey.String() }) ||
				slices.ContainsFunc(tokenKeys, func(k tx.PubKey) bool { return k.String() == c.HolderKey.String() }) {
				t.Fatalf("token %d: holder key %s, want a fresh key of its own", i, c.HolderKey)
			}
			tokenKeys = append(tokenKeys, c.HolderKey)
		}
	}
	// The holder's keys bring the tokens and every reveal.
	x.anchor++
	d, err := b.Delivery(x.anchor, req.HolderKeys)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Copies) != 4 || len(d.Reveals) != 4 {
		t.Fatalf("delivery: %d copies, %d reveals; want the 2 cards and the 2 tokens", len(d.Copies), len(d.Reveals))
	}
	if n, err := x.w.Import(d); err != nil || n != 4 {
		t.Fatalf("import: %d %v", n, err)
	}
	if n, err := x.w.Import(d); err != nil || n != 0 {
		t.Fatalf("import again: %d %v, want nothing added", n, err)
	}
	if docs, toks := x.w.Documents(), x.w.Tokens(); len(docs) != 2 || len(toks) != 2 ||
		toks[0].Scope != wallet.ScopeToken || toks[0].Holder.String() != tokenKeys[0].String() || toks[1].Holder.String() != tokenKeys[1].String() {
		t.Fatalf("documents %d, tokens %+v: want 2 cards and the 2 tokens apart", len(docs), toks)
	}
	reveals := x.w.Reveals()
	for _, c := range b.Commitments {
		if !slices.ContainsFunc(reveals, func(r wallet.CardReveal) bool { return r.Hash() == c }) {
			t.Fatalf("the wallet cannot open commitment %s (a suspension must open the tokens too)", c)
		}
	}
	// Entry shows slot cards only: two facilities use both slots, a third
	// finds none (the tokens are not cards of the wallet's).
	for _, f := range []string{"pool", "library", "gym"} {
		ch, _ := wallet.NewChallenge(f, "door", now)
		r, err := x.w.Entry(ch, nil, now)
		if f == "gym" {
			if !errors.Is(err, wallet.ErrNoUnusedCopy) {
				t.Fatalf("third facility: %v, want ErrNoUnusedCopy", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		card := verifyEnvelope(t, r.Card, x.pub(x.office), f+"/door", ch.Nonce)
		if card.Payload.Scope != "" {
			t.Fatalf("entry at %s showed a token", f)
		}
	}

	// Printed: the card copy, nothing disclosed, no key binding.
	tok, err := x.w.PrintToken(0, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok.Claims) != 0 || strings.Count(tok.Card.SDJWT, "~") != 1 || !strings.HasSuffix(tok.Card.SDJWT, "~") {
		t.Fatalf("token %+v: want the issuer JWT alone, ending with '~'", tok)
	}
	v, err := sdjwt.VerifyIssued(tok.Card.SDJWT, x.pub(x.office))
	if err != nil || v.Payload.Scope != wallet.ScopeToken || !v.Holder.Equal(ed25519.PublicKey(tokenKeys[0])) || len(v.Disclosed) != 0 {
		t.Fatalf("token card: %v %+v", err, v)
	}
	if !tok.Card.Anchor.Verify(b.Root, v.JWT) || tok.Card.Anchor.ID != x.anchor {
		t.Fatalf("token anchor %+v does not prove the copy", tok.Card.Anchor)
	}
	text, err := tok.Text()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text, "\n") || len(text) > qrMaxBytes {
		t.Fatalf("token text of %d bytes (one line: %t), want one line within a QR code's %d", len(text), !strings.Contains(text, "\n"), qrMaxBytes)
	}
	back, err := wallet.ParsePrintedToken([]byte(text + "\n"))
	if err != nil || back.Card.SDJWT != tok.Card.SDJWT {
		t.Fatalf("parse the printed text: %v", err)
	}
	// The office's printout of the delivery is the same copy.
	if ts := d.Tokens(); len(ts) != 2 || ts[0].Card.SDJWT != tok.Card.SDJWT || ts[0].Card.Anchor.Index != tok.Card.Anchor.Index {
		t.Fatalf("delivery tokens %+v", ts)
	}
	t.Logf("printed token (card only): %d bytes", len(text))

	// A claim needs a credential issued to the token's key.
	if _, err := x.w.PrintToken(1, []string{"resident_seoul"}, now); err == nil || !strings.Contains(err.Error(), `claim "resident_seoul"`) {
		t.Fatalf("token without credential: %v", err)
	}
	treq, err := x.w.RequestTokens()
	if err != nil || len(treq.HolderKeys) != 2 {
		t.Fatalf("request for the tokens: %v %v", treq, err)
	}
	cred, err := wallet.IssueBatch(wallet.BatchSpec{Key: x.issuer, Iss: addr(x.issuer), Vct: "seoul_benefits", Now: now,
		Exp: now.AddDate(1, 0, 0), List: x.credList, Alloc: x.credAlloc}, wallet.SameClaims(treq.HolderKeys, benefitClaims))
	if err != nil {
		t.Fatal(err)
	}
	if n := x.deliver(cred, nil); n != 2 || len(x.w.Documents()) != 2 || len(x.w.Tokens()) != 4 {
		t.Fatalf("token credentials: %d imported, %d documents, %d token documents; want 2 added to the tokens only", n, len(x.w.Documents()), len(x.w.Tokens()))
	}
	tok, err = x.w.PrintToken(1, []string{"resident_seoul", "age_over_65"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok.Claims) != 1 || !strings.HasSuffix(tok.Claims[0].SDJWT, "~") {
		t.Fatalf("token claims %+v: want one credential without key binding", tok.Claims)
	}
	cv, err := sdjwt.VerifyIssued(tok.Claims[0].SDJWT, x.pub(x.issuer))
	if err != nil || !cv.Holder.Equal(ed25519.PublicKey(tokenKeys[1])) || len(cv.Disclosed) != 2 || cv.Disclosed["birthdate"] != nil {
		t.Fatalf("token credential: %v, disclosed %v", err, cv.Disclosed)
	}
	text, _ = tok.Text()
	if len(text) > qrMaxBytes {
		t.Fatalf("token with a credential: %d bytes, more than a QR code's %d", len(text), qrMaxBytes)
	}
	t.Logf("printed token (card and one credential): %d bytes", len(text))
	// The credentials stay with the tokens: a verifier gets none of them.
	pk := seedKey(12)
	reg := tx.Verifier{ID: "v1", Key: tx.PubKey(x.pub(pk)), Claims: []string{"resident_seoul"}}
	vr := wallet.VerifierRequest{Verifier: "v1", Nonce: "n", Claims: []string{"resident_seoul"}}
	vr.Sign(pk)
	if _, err := x.w.Present(vr, reg, now); !errors.Is(err, wallet.ErrNoUnusedCopy) {
		t.Fatalf("present with only token credentials: %v, want ErrNoUnusedCopy", err)
	}

	// Refusals: no such token, an expired one, tokens outside card batches,
	// a key binding on a printed token, another format.
	if _, err := x.w.PrintToken(2, nil, now); err == nil || !strings.Contains(err.Error(), "2 printed tokens") {
		t.Fatalf("token 2 of 2: %v", err)
	}
	if _, err := x.w.PrintToken(0, nil, now.AddDate(6, 0, 0)); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("expired token: %v", err)
	}
	if _, err := wallet.IssueBatch(wallet.BatchSpec{Key: x.issuer, Iss: addr(x.issuer), Vct: "seoul_benefits", Now: now, Exp: now.AddDate(1, 0, 0)},
		[]wallet.Item{{HolderKey: req.HolderKeys[0], Token: true}}); err == nil || !strings.Contains(err.Error(), "only card batches") {
		t.Fatalf("token in a credential batch: %v", err)
	}
	bound := *tok
	bound.Card.SDJWT += "eyJhbGciOiJFZERTQSJ9.e30.c2ln"
	if _, err := bound.Text(); err == nil || !strings.Contains(err.Error(), "key binding") {
		t.Fatalf("token with a key binding: %v", err)
	}
	if _, err := wallet.ParsePrintedToken([]byte(strings.Replace(text, wallet.TokenFormat, "citychain-token/2", 1))); err == nil {
		t.Fatal("another format accepted")
	}
	if _, err := wallet.ParsePrintedToken([]byte(text + text)); err == nil {
		t.Fatal("two tokens in one text accepted")
	}
	// Kept in the file.
	again, err := wallet.Open(x.w.Path(), pin)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Tokens()) != 4 {
		t.Fatalf("reopened: %d token documents, want 4", len(again.Tokens()))
	}
}

// TestCardBatchPerHolder: a card batch pools many holders under one
// anchor; the limit of tx.MaxCardCopies copies is per holder (identity),
// printed tokens included; a delivery of one holder's keys carries that
// holder's tokens only.
func TestCardBatchPerHolder(t *testing.T) {
	x := newWorld(t)
	spec := wallet.BatchSpec{Key: x.office, Iss: addr(x.office), Now: now, Exp: now.AddDate(5, 0, 0), List: x.cardList, Alloc: x.cardAlloc}
	keyN := 0
	fresh := func() tx.PubKey {
		keyN++
		s := make([]byte, ed25519.SeedSize)
		s[0], s[1], s[2] = byte(keyN), byte(keyN>>8), 0xca
		return tx.PubKey(ed25519.NewKeyFromSeed(s).Public().(ed25519.PublicKey))
	}
	holderItems := func(holder string, copies, tokens int) []wallet.Item {
		var out []wallet.Item
		for range copies {
			out = append(out, wallet.Item{HolderKey: fresh(), Holder: holder})
		}
		for range tokens {
			out = append(out, wallet.TokenItem(holder, nil))
		}
		return out
	}
	// Three identities, 64 copies each (one of them with 2 tokens): 192
	// copies in one batch.
	items := append(holderItems("id-a", 62, 2), holderItems("id-b", 64, 0)...)
	items = append(items, holderItems("id-c", 64, 0)...)
	b, err := wallet.IssueCardBatch(spec, items)
	if err != nil {
		t.Fatal(err)
	}
	if b.Count != 192 || len(b.Commitments) != 192 {
		t.Fatalf("count %d, %d commitments; want 192", b.Count, len(b.Commitments))
	}
	d, err := b.Delivery(1, []tx.PubKey{items[0].HolderKey})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Copies) != 3 || d.Copies[1].Scope != wallet.ScopeToken || d.Copies[2].Scope != wallet.ScopeToken || len(d.Reveals) != 3 {
		t.Fatalf("delivery of one key of id-a: %d copies, want it and id-a's 2 tokens", len(d.Copies))
	}
	d, err = b.Delivery(1, []tx.PubKey{items[70].HolderKey})
	if err != nil || len(d.Copies) != 1 {
		t.Fatalf("delivery of one key of id-b: %d copies (%v), want 1: id-a's tokens are not id-b's", len(d.Copies), err)
	}

	for _, c := range []struct {
		name  string
		items []wallet.Item
		want  string
	}{
		{"65 copies of one identity", append(holderItems("id-a", 10, 0), holderItems("id-d", 65, 0)...), `items[74]: holder "id-d" has more than 64`},
		{"tokens count", holderItems("id-a", 63, 2), `holder "id-a" has more than 64`},
		{"65 copies, no holder named", holderItems("", 65, 0), `holder "" has more than 64`},
		{"more than an anchor holds", make([]wallet.Item, tx.MaxMerkleCount+1), fmt.Sprintf("items: %d, want 1 to %d", tx.MaxMerkleCount+1, tx.MaxMerkleCount)},
		{"no item", nil, "items: 0"},
	} {
		used := x.cardAlloc.Used()
		if _, err := wallet.IssueCardBatch(spec, c.items); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
		if x.cardAlloc.Used() != used {
			t.Errorf("%s: the refused batch took %d status indices", c.name, x.cardAlloc.Used()-used)
		}
	}
}
