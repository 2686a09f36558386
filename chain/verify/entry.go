package verify

import (
	"context"
	"fmt"
	"time"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/wallet"
)

// ScopeToken is the visible "scope" claim of a printed token: a card copy
// shown without a key binding, admitted only where the facility accepts
// tokens (wallet.ScopeToken).
const ScopeToken = wallet.ScopeToken

// EntryResult is a reader's decision on a card holder at the door.
type EntryResult struct {
	Admitted bool `json:"admitted"`
	// Reason is the stable reason of a refusal (Reason* constants); empty
	// when admitted.
	Reason string `json:"reason,omitempty"`
	// Detail says in words what was checked or wrong.
	Detail   string `json:"detail"`
	Facility string `json:"facility"`
	Reader   string `json:"reader"`
	// Pseudonym is the holder's pairwise pseudonym at the facility
	// (tx.Pseudonym of the facility and the card copy's slot key), set
	// once the card's signatures verified: a reader logs and bars by it.
	Pseudonym *tx.Hash32 `json:"pseudonym,omitempty"`
	// Token is set for a printed token (no key binding).
	Token bool `json:"token,omitempty"`
	// Claims are the facility's required claims the holder proved.
	Claims []string `json:"claims,omitempty"`
	// Head is the chain state the decision read.
	Head Head `json:"head"`
}

// NewChallenge is a reader's challenge with a fresh random 32-byte nonce
// (wallet.NewChallenge).
func NewChallenge(facility, reader string, now time.Time) (wallet.Challenge, error) {
	return wallet.NewChallenge(facility, reader, now)
}

// Entry decides on a card holder's response to the challenge the reader
// issued, at the reader's clock now. Admitted requires, in this order:
// a source fresh enough (snapshot_too_old); the challenge no older than
// ResponseWindow and answered by the response (expired_response,
// replayed); the facility registered (unknown_facility); a card copy
// (not_card) whose issuer signature and key binding verify
// (bad_signature) for "<facility>/<reader>" (wrong_reader), the
// challenge's nonce (replayed) and an iat within ResponseWindow of now
// (expired_response), the nonce not accepted before by this reader
// (nonces; replayed); the card anchored by its issuer (not_anchored), the
// issuer accredited for citizen_card at the anchor's time
// (not_accredited), its status bit clear (suspended, revoked), not
// expired (expired); the holder's pseudonym not barred (barred); and
// every claim of the facility's policy disclosed true by a credential
// held by the same slot key and passing the same checks (claim_missing,
// or that credential's reason).
//
// A printed token (a card copy with the visible claim scope "token" and no
// key binding; wallet.PrintedToken.Response makes it the answer to the
// reader's challenge) is admitted only where the facility accepts tokens
// (token_not_accepted), whatever else it carries; a token is one copy,
// suspended and revoked through its own status bit like every copy, but
// being paper it proves neither the reader nor the time nor who shows it:
// the same token is admitted again and again (the reduced scope of a
// bearer copy). Its claims come from credentials issued to the token's own
// key, shown without key binding too; its pseudonym is the token key's.
//
// An error is a failure to read the chain, not a refusal.
func Entry(ctx context.Context, src Source, nonces *NonceCache, issued wallet.Challenge, resp *wallet.EntryResponse, now time.Time) (*EntryResult, error) {
	if err := issued.Validate(); err != nil {
		return nil, fmt.Errorf("the reader's challenge: %w", err)
	}
	res := &EntryResult{Facility: issued.Facility, Reader: issued.Reader}
	use := &nonceUse{c: nonces}
	err := entry(ctx, src, use, issued, resp, now, res)
	reason, detail, failure := asRefusal(err)
	if failure != nil {
		use.release()
		return nil, failure
	}
	if reason != "" {
		res.Reason, res.Detail, res.Claims = reason, detail, nil
		return res, nil
	}
	res.Admitted = true
	return res, nil
}

func entry(ctx context.Context, src Source, nonces *nonceUse, issued wallet.Challenge, resp *wallet.EntryResponse, now time.Time, res *EntryResult) error {
	head, err := src.Head(ctx, now)
	if err != nil {
		return err
	}
	res.Head = head
	if age := now.Sub(issued.Time); age > ResponseWindow {
		return refuse(ReasonExpiredResponse, "challenge issued at %s, %s ago (at most %s)", issued.Time.UTC().Format(time.RFC3339), age.Round(time.Second), ResponseWindow)
	}
	if resp == nil {
		return refuse(ReasonMalformed, "no response")
	}
	if resp.Challenge.Nonce != issued.Nonce {
		return refuse(ReasonReplayed, "the response answers challenge nonce %q, the reader issued %q", resp.Challenge.Nonce, issued.Nonce)
	}
	fac, err := src.Facility(ctx, issued.Facility)
	if err != nil {
		return err
	}
	if fac == nil {
		return refuse(ReasonUnknownFacility, "facility %q is not registered", issued.Facility)
	}
	b := binding{aud: issued.Aud(), nonce: issued.Nonce, now: now, optional: true}
	card, err := verifyCopy(&resp.Card, wallet.ModuleCredentials, b)
	if err != nil {
		return err
	}
	if vct := card.v.Payload.Vct; vct != wallet.VctCard {
		return refuse(ReasonNotCard, "the copy shown is a %q, not a %q", vct, wallet.VctCard)
	}
	token := isToken(card)
	if !card.bound && !token {
		return refuse(ReasonBadSignature, "no key binding, and the copy is not a printed token (visible scope %q)", ScopeToken)
	}
	res.Token = token
	if token && !fac.AcceptsTokens {
		return refuse(ReasonTokenNotAccepted, "facility %q does not accept printed tokens", fac.ID)
	}
	copies := []*presented{card}
	b.optional = token
	for i := range resp.Claims {
		c, err := verifyCopy(&resp.Claims[i], wallet.ModuleCredentials, b)
		if err != nil {
			return err
		}
		copies = append(copies, c)
	}
	if err := sameHolder(copies); err != nil {
		return err
	}
	ps := tx.Pseudonym(fac.ID, card.holder)
	res.Pseudonym = &ps
	if !nonces.take(issued.Nonce, now) {
		return refuse(ReasonReplayed, "nonce %s was already accepted by reader %q", issued.Nonce, issued.Reader)
	}
	if _, err := checkCredential(ctx, src, card, now); err != nil {
		return err
	}
	bar, err := src.Bar(ctx, fac.ID, ps)
	if err != nil {
		return err
	}
	if bar != nil && bar.ActiveAt(now) {
		until := "until lifted"
		if !bar.Until.IsZero() {
			until = "until " + bar.Until.UTC().Format(time.RFC3339)
		}
		return refuse(ReasonBarred, "pseudonym %s is barred from %q %s: %s", ps, fac.ID, until, bar.Reason)
	}
	for _, c := range copies[1:] {
		if _, err := checkCredential(ctx, src, c, now); err != nil {
			return err
		}
	}
	for _, claim := range fac.Claims {
		found := false
		for _, c := range copies[1:] {
			if disclosedTrue(c.v, claim) {
				found = true
				break
			}
		}
		if !found {
			return refuse(ReasonClaimMissing, "facility %q requires %q, which no credential of the holder discloses as true", fac.ID, claim)
		}
	}
	res.Claims = fac.Claims
	what := "card"
	if token {
		what = "printed token"
	}
	res.Detail = fmt.Sprintf("%s valid at height %d; %d required claim(s) proven; not barred", what, head.Height, len(fac.Claims))
	return nil
}

// isToken reports whether a card copy is a printed token: its visible
// claim scope is "token" (in the signed payload: a holder can neither add
// nor remove it).
func isToken(c *presented) bool { return c.v.Payload.Scope == ScopeToken }
