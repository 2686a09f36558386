package verify_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"slices"
	"testing"

	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/verify"
	"github.com/citychain/citychain/chain/wallet"
)

// tokenGym accepts printed tokens and requires resident_seoul.
const tokenGym = "mapo-token-gym"

// issueTokens has the office issue n printed tokens for the citizen's
// identity (identity/add_card_copies with their commitments), anchors
// them and imports them into the wallet.
func (w *world) issueTokens(n int) *wallet.Batch {
	w.t.Helper()
	spec := wallet.BatchSpec{Key: office.Priv, Iss: office.Addr.String(), Now: w.now(), Exp: w.now().AddDate(1, 0, 0), List: w.cards, Alloc: w.alloc("cards")}
	id, err := tx.ParseAddress(w.w.Identity())
	if err != nil {
		w.t.Fatal(err)
	}
	items := make([]wallet.Item, n)
	for i := range items {
		items[i] = wallet.TokenItem(id.String(), []sdjwt.Claim{{Name: "name", Value: "Kim Minji"}, {Name: "birth_date", Value: "1990-04-02"}})
	}
	b, err := wallet.IssueCardBatch(spec, items)
	if err != nil {
		w.t.Fatal(err)
	}
	blk := w.run("tokens", office, &tx.MsgCredentialAnchor{Schema: wallet.VctCard, Root: b.Root, Count: b.Count},
		&tx.MsgIdentityAddCardCopies{ID: id, Commitments: b.Commitments})
	w.deliver(b, w.attr(blk, "credentials.anchored", "id"))
	return b
}

// printed is the wallet's token n as read back from its printed text.
func (w *world) printed(n int, claims ...string) *wallet.PrintedToken {
	w.t.Helper()
	tok, err := w.w.PrintToken(n, claims, w.now())
	if err != nil {
		w.t.Fatal(err)
	}
	text, err := tok.Text()
	if err != nil {
		w.t.Fatal(err)
	}
	back, err := wallet.ParsePrintedToken([]byte(text))
	if err != nil {
		w.t.Fatal(err)
	}
	return back
}

// showToken shows a printed token to a fresh challenge of reader at
// facility.
func (w *world) showToken(t *testing.T, tok *wallet.PrintedToken, facility string) *verify.EntryResult {
	t.Helper()
	now := w.now()
	ch, err := verify.NewChallenge(facility, "door", now)
	if err != nil {
		t.Fatal(err)
	}
	return entryAt(t, w.src, verify.NewNonceCache(), ch, tok.Response(ch), now)
}

// TestEntryPrintedToken: a printed token (a card copy of scope "token",
// no key binding) is admitted where the facility accepts tokens and
// refused (token_not_accepted) where it does not, even inside a wallet's
// key-bound response; being paper it is admitted again and again (the
// reduced scope), under its own key's pseudonym; a key binding cannot be
// added to it; the claims a token facility requires come from credentials
// issued to the token's key; and the identity's suspension opens the
// tokens' commitments too, so no token enters anywhere from the next
// block.
func TestEntryPrintedToken(t *testing.T) {
	w := newWorld(t)
	w.run("token facility", facReg, &tx.MsgIdentityRegisterFacility{ID: tokenGym, Name: "Mapo gym", Kind: "gym", Claims: []string{"resident_seoul"}, AcceptsTokens: true})
	tb := w.issueTokens(2)
	tokens := w.w.Tokens()
	if len(tokens) != 2 {
		t.Fatalf("the wallet keeps %d tokens, want 2", len(tokens))
	}
	tok := w.printed(0)

	// The pool accepts tokens: admitted, as a token, under the token key's
	// pseudonym; shown again (a copy of the paper) it is admitted again.
	res := w.showToken(t, tok, pool)
	admitted(t, res)
	if !res.Token || *res.Pseudonym != tx.Pseudonym(pool, tokens[0].Holder) {
		t.Fatalf("token at the pool: token %t pseudonym %s, want a token under %s", res.Token, res.Pseudonym, tx.Pseudonym(pool, tokens[0].Holder))
	}
	again := w.showToken(t, tok, pool)
	admitted(t, again)
	if *again.Pseudonym != *res.Pseudonym {
		t.Fatalf("the same token under two pseudonyms")
	}
	// Another token is another pseudonym.
	if other := w.showToken(t, w.printed(1), pool); *other.Pseudonym == *res.Pseudonym {
		t.Fatal("two tokens under one pseudonym")
	}

	// The library and the seniors' centre expect a wallet's key binding.
	refused(t, w.showToken(t, tok, library), verify.ReasonTokenNotAccepted, library)
	refused(t, w.showToken(t, tok, seniors), verify.ReasonTokenNotAccepted)
	// Slipped into a wallet's key-bound response in place of its card.
	now := w.now()
	ch, resp := w.respond(library, "gate-1", now)
	swapped := *resp
	swapped.Card = tok.Card
	refused(t, entryAt(t, w.src, verify.NewNonceCache(), ch, &swapped, now), verify.ReasonTokenNotAccepted)
	admitted(t, entryAt(t, w.src, verify.NewNonceCache(), ch, resp, now))
	// A key binding by any key but the discarded token key fails.
	s, err := sdjwt.Parse(tok.Card.SDJWT)
	if err != nil {
		t.Fatal(err)
	}
	_, forger, _ := ed25519.GenerateKey(rand.Reader)
	ch, _ = verify.NewChallenge(library, "gate-1", now)
	forged := *tok.Response(ch)
	if forged.Card.SDJWT, err = s.Present(nil, forger, ch.Aud(), ch.Nonce, now); err != nil {
		t.Fatal(err)
	}
	refused(t, entryAt(t, w.src, verify.NewNonceCache(), ch, &forged, now), verify.ReasonBadSignature, "cnf key")

	// The gym requires resident_seoul: the token alone, or with the
	// wallet's slot credential, is refused; with a credential issued to
	// the token's key it is admitted.
	refused(t, w.showToken(t, tok, tokenGym), verify.ReasonClaimMissing, "resident_seoul")
	ch, resp = w.respond(tokenGym, "door", w.now())
	admitted(t, entryAt(t, w.src, verify.NewNonceCache(), ch, resp, w.now()))
	mixed := *tok.Response(ch)
	mixed.Claims = resp.Claims
	refused(t, entryAt(t, w.src, verify.NewNonceCache(), ch, &mixed, w.now()), verify.ReasonBadSignature, "one slot key")
	treq, err := w.w.RequestTokens()
	if err != nil {
		t.Fatal(err)
	}
	w.issueResidency(treq.HolderKeys, false)
	res = w.showToken(t, w.printed(0, "resident_seoul"), tokenGym)
	admitted(t, res)
	if !res.Token || !slices.Equal(res.Claims, []string{"resident_seoul"}) {
		t.Fatalf("token at the gym: %+v", res)
	}

	// The suspension must open every live commitment of the identity: the
	// tokens' are among them, and the wallet holds their openings.
	id := keyOf("device", w.device)
	var rec tx.Identity
	if r, err := getJSON[tx.Identity](w.src, "/identity/identity", []byte(id.Addr.String())); err != nil || r == nil {
		t.Fatalf("identity record: %v", err)
	} else {
		rec = *r
	}
	var reveal []tx.CardReveal
	var opened []tx.Hash32
	for _, r := range w.w.Reveals() {
		reveal = append(reveal, r.CardReveal)
		opened = append(opened, r.Hash())
	}
	for _, c := range tb.Commitments {
		if !slices.Contains(rec.Commitments, c) || !slices.Contains(opened, c) {
			t.Fatalf("token commitment %s: on chain %t, opened by the wallet %t", c, slices.Contains(rec.Commitments, c), slices.Contains(opened, c))
		}
	}
	if len(reveal) != len(rec.Commitments) {
		t.Fatalf("the wallet opens %d commitments, the identity has %d", len(reveal), len(rec.Commitments))
	}
	w.run("suspend", id, &tx.MsgIdentitySuspend{ID: id.Addr, Reason: "card and tokens lost", Reveal: reveal})
	refused(t, w.showToken(t, tok, pool), verify.ReasonSuspended, w.cards)
	refused(t, w.showToken(t, w.printed(1), pool), verify.ReasonSuspended)
	refused(t, w.showToken(t, w.printed(0, "resident_seoul"), tokenGym), verify.ReasonSuspended)
}
