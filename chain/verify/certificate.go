package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/wallet"
)

// CertificateResult is a verifier's verdict on a certificate
// presentation.
type CertificateResult struct {
	// Verdict is valid, revoked, expired, issuer_suspended or invalid.
	Verdict  string `json:"verdict"`
	Reason   string `json:"reason,omitempty"`
	Detail   string `json:"detail"`
	Verifier string `json:"verifier"`
	Kind     string `json:"kind"`
	// Agency, Anchor, AnchorHeight and Expires describe the certificate
	// once its anchor is read.
	Agency       *tx.Address `json:"agency,omitempty"`
	Anchor       uint64      `json:"anchor,omitempty"`
	AnchorHeight int64       `json:"anchor_height,omitempty"`
	Expires      time.Time   `json:"expires,omitzero"`
	// Fields are the disclosed fields (only when valid).
	Fields map[string]json.RawMessage `json:"fields,omitempty"`
	Head   Head                       `json:"head"`
}

// Certificate checks a civil certificate presented for the verifier's
// request, at the verifier's clock now: one envelope of the requested
// kind whose issuer signature verifies with the key its anchor names,
// bound to the verifier id and the request's nonce within ResponseWindow
// (replayed to another verifier or agency it is wrong_reader), disclosing
// exactly the requested fields; its leaf in the anchor (not_anchored);
// then the chain's verdict (tx.CertificateVerdict) over the anchor, its
// key, its agency and its own revocation entry, read (with an Online
// source with a trust root: proven, absence included): invalid when the
// key could not have issued the anchor, revoked by its own entry or by
// its issuer's (the key compromised at or before the anchor's height, or
// the agency revoked) even without an entry of its own, expired when the
// anchor's expiry has passed (not revoked), issuer_suspended, or valid.
// nonces, when not nil, accepts each request nonce once.
//
// An error is a failure to read the chain, not a verdict.
func Certificate(ctx context.Context, src Source, nonces *NonceCache, req wallet.CertificateRequest, p *wallet.Presentation, now time.Time) (*CertificateResult, error) {
	res := &CertificateResult{Verifier: req.Verifier, Kind: req.Kind}
	use := &nonceUse{c: nonces}
	err := certificate(ctx, src, use, req, p, now, res)
	reason, detail, failure := asRefusal(err)
	if failure != nil {
		use.release()
		return nil, failure
	}
	res.Verdict = verdictOf(reason)
	if reason != "" {
		res.Reason, res.Detail, res.Fields = reason, detail, nil
	}
	return res, nil
}

func certificate(ctx context.Context, src Source, nonces *nonceUse, req wallet.CertificateRequest, p *wallet.Presentation, now time.Time, res *CertificateResult) error {
	if err := req.Validate(); err != nil {
		return refuse(ReasonBadRequest, "%v", err)
	}
	head, err := src.Head(ctx, now)
	if err != nil {
		return err
	}
	res.Head = head
	copies, err := boundCopies(p, req.Verifier, req.Nonce, wallet.ModuleCertificates, now)
	if err != nil {
		return err
	}
	if len(copies) != 1 {
		return refuse(ReasonMalformed, "%d envelopes, want the one certificate of kind %q", len(copies), req.Kind)
	}
	c := copies[0]
	pl := c.v.Payload
	kind, ok := strings.CutPrefix(pl.Vct, wallet.CertificateVctPrefix)
	if !ok || kind != req.Kind {
		return refuse(ReasonMalformed, "the certificate's vct is %q, the request asks for %q", pl.Vct, wallet.CertificateVct(req.Kind))
	}
	agency, err := tx.ParseAddress(pl.Iss)
	if err != nil {
		return refuse(ReasonMalformed, "iss %q: want the agency's address: %v", pl.Iss, err)
	}
	for name := range c.v.Disclosed {
		if !slices.Contains(req.Fields, name) {
			return refuse(ReasonClaimNotRequested, "field %q was disclosed, the request asked only for %v", name, req.Fields)
		}
	}
	for _, name := range req.Fields {
		if _, ok := c.v.Disclosed[name]; !ok {
			return refuse(ReasonClaimMissing, "requested field %q is not disclosed", name)
		}
	}
	if !nonces.take(req.Nonce, now) {
		return refuse(ReasonReplayed, "nonce %q was already accepted by verifier %q", req.Nonce, req.Verifier)
	}
	id := c.env.Anchor.ID
	a, err := src.CertificateAnchor(ctx, id)
	switch {
	case err != nil:
		return err
	case a == nil:
		return refuse(ReasonNotAnchored, "certificates anchor %d does not exist", id)
	case a.Agency != agency:
		return refuse(ReasonNotAnchored, "anchor %d is agency %s's, the certificate's iss is %s", id, a.Agency, agency)
	case a.Kind != kind:
		return refuse(ReasonNotAnchored, "anchor %d is of kind %q, the certificate's is %q", id, a.Kind, kind)
	case !bytes.Equal(a.Key, mustHex(c.v.KID)):
		return refuse(ReasonBadSignature, "the certificate is signed by key %s, anchor %d names key %s", c.v.KID, id, a.Key)
	}
	res.Agency, res.Anchor, res.AnchorHeight, res.Expires = &a.Agency, a.ID, a.Height, a.Expires
	leaf := c.v.Leaf()
	if !tx.VerifyMerklePath(a.Root, leaf[:], c.env.Anchor.Index, uint64(a.Count), c.env.Anchor.Path) {
		return refuse(ReasonNotAnchored, "the Merkle path of index %d does not lead from the certificate's leaf %s to anchor %d's root %s (%d leaves)",
			c.env.Anchor.Index, tx.Hash32(leaf), id, a.Root, a.Count)
	}
	key, err := src.AgencyKey(ctx, a.Key)
	if err != nil {
		return err
	}
	ag, err := src.Agency(ctx, a.Agency)
	if err != nil {
		return err
	}
	if key == nil || ag == nil {
		return refuse(ReasonInvalidIssuer, "anchor %d's key %s or agency %s is not on the chain", id, a.Key, a.Agency)
	}
	rev, err := src.Revocation(ctx, leaf)
	if err != nil {
		return err
	}
	verdict, why := tx.CertificateVerdict(*a, *key, *ag, rev, now)
	switch verdict {
	case tx.VerdictValid:
		res.Fields = c.v.Disclosed
		res.Detail = fmt.Sprintf("%s, read at height %d", why, head.Height)
		return nil
	case tx.VerdictRevoked:
		return refuse(ReasonRevoked, "%s", why)
	case tx.VerdictExpired:
		return refuse(ReasonExpired, "%s", why)
	case tx.VerdictIssuerSuspended:
		return refuse(ReasonIssuerSuspended, "%s", why)
	}
	return refuse(ReasonInvalidIssuer, "%s", why)
}
