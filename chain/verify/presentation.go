package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/wallet"
)

// PresentationResult is a verifier's verdict on a credential
// presentation.
type PresentationResult struct {
	// Verdict is valid, revoked, suspended, expired, not_accredited or
	// invalid.
	Verdict string `json:"verdict"`
	// Reason is the refusal's stable reason (Reason* constants; for the
	// verdicts other than invalid, the verdict itself); empty when valid.
	Reason   string `json:"reason,omitempty"`
	Detail   string `json:"detail"`
	Verifier string `json:"verifier"`
	// Claims are the disclosed claims (only when valid).
	Claims map[string]json.RawMessage `json:"claims,omitempty"`
	// Credentials name what was presented: schema, issuer and anchor.
	Credentials []PresentedCredential `json:"credentials,omitempty"`
	Head        Head                  `json:"head"`
}

// PresentedCredential is one credential of a presentation.
type PresentedCredential struct {
	Schema string     `json:"schema"`
	Issuer tx.Address `json:"issuer"`
	Anchor uint64     `json:"anchor"`
	Height int64      `json:"anchor_height"`
}

// Presentation checks a holder's presentation against the verifier's own
// request, at the verifier's clock now. The request must match the
// verifier's registered record (wallet.VerifierRequest.CheckAgainst:
// bad_request); the presentation must answer it (verifier and nonce);
// every envelope must be a credential whose issuer signature verifies,
// bound to the verifier id and the request's nonce within ResponseWindow
// of now (bad_signature, wrong_reader, replayed, expired_response), all
// held by one key; each anchored by its issuer (not_anchored), the
// issuer accredited for the schema at the anchor's time (withdrawing the
// accreditation later keeps it valid: not_accredited otherwise), its
// status bit clear (revoked, suspended) and not expired (expired); and the
// claims disclosed must be exactly the requested ones (claim_missing,
// claim_not_requested). nonces, when not nil, accepts each request nonce
// once.
//
// An error is a failure to read the chain, not a verdict.
func Presentation(ctx context.Context, src Source, nonces *NonceCache, req wallet.VerifierRequest, p *wallet.Presentation, now time.Time) (*PresentationResult, error) {
	res := &PresentationResult{Verifier: req.Verifier}
	use := &nonceUse{c: nonces}
	err := presentation(ctx, src, use, req, p, now, res)
	reason, detail, failure := asRefusal(err)
	if failure != nil {
		use.release()
		return nil, failure
	}
	res.Verdict = verdictOf(reason)
	if reason != "" {
		res.Reason, res.Detail, res.Claims, res.Credentials = reason, detail, nil, nil
	}
	return res, nil
}

func presentation(ctx context.Context, src Source, nonces *nonceUse, req wallet.VerifierRequest, p *wallet.Presentation, now time.Time, res *PresentationResult) error {
	head, err := src.Head(ctx, now)
	if err != nil {
		return err
	}
	res.Head = head
	reg, err := src.Verifier(ctx, req.Verifier)
	if err != nil {
		return err
	}
	if reg == nil {
		return refuse(ReasonBadRequest, "verifier %q is not registered", req.Verifier)
	}
	if err := req.CheckAgainst(*reg); err != nil {
		return refuse(ReasonBadRequest, "%v", err)
	}
	copies, err := boundCopies(p, req.Verifier, req.Nonce, wallet.ModuleCredentials, now)
	if err != nil {
		return err
	}
	disclosed := map[string]json.RawMessage{}
	for _, c := range copies {
		for name, v := range c.v.Disclosed {
			if !slices.Contains(req.Claims, name) {
				return refuse(ReasonClaimNotRequested, "claim %q of the %s copy was disclosed, the request asked only for %v", name, c.v.Payload.Vct, req.Claims)
			}
			disclosed[name] = v
		}
	}
	for _, name := range req.Claims {
		if _, ok := disclosed[name]; !ok {
			return refuse(ReasonClaimMissing, "requested claim %q is not disclosed", name)
		}
	}
	if !nonces.take(req.Nonce, now) {
		return refuse(ReasonReplayed, "nonce %q was already accepted by verifier %q", req.Nonce, req.Verifier)
	}
	for _, c := range copies {
		a, err := checkCredential(ctx, src, c, now)
		if err != nil {
			return err
		}
		res.Credentials = append(res.Credentials, PresentedCredential{Schema: a.Schema, Issuer: a.Issuer, Anchor: a.ID, Height: a.Height})
	}
	res.Claims = disclosed
	names := make([]string, 0, len(disclosed))
	for n := range disclosed {
		names = append(names, n)
	}
	sort.Strings(names)
	res.Detail = fmt.Sprintf("%d credential(s) valid at height %d; disclosed %v", len(copies), head.Height, names)
	return nil
}

// boundCopies verifies every envelope of a presentation as bound to aud
// and nonce, all held by one key.
func boundCopies(p *wallet.Presentation, aud, nonce, module string, now time.Time) ([]*presented, error) {
	switch {
	case p == nil || len(p.Envelopes) == 0:
		return nil, refuse(ReasonMalformed, "the presentation holds no envelope")
	case p.Verifier != aud:
		return nil, refuse(ReasonWrongReader, "the presentation is for verifier %q, this is %q", p.Verifier, aud)
	case p.Nonce != nonce:
		return nil, refuse(ReasonReplayed, "the presentation answers nonce %q, the request's is %q", p.Nonce, nonce)
	}
	b := binding{aud: aud, nonce: nonce, now: now}
	var copies []*presented
	for i := range p.Envelopes {
		c, err := verifyCopy(&p.Envelopes[i], module, b)
		if err != nil {
			return nil, err
		}
		copies = append(copies, c)
	}
	return copies, sameHolder(copies)
}
