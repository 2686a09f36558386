package verify

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/wallet"
)

// binding is what a copy's key binding must say.
type binding struct {
	aud, nonce string
	now        time.Time // the reader's clock
	// optional: a copy without a key binding is accepted (a printed
	// token); it is verified as issued.
	optional bool
}

// presented is a copy whose issuer signature, disclosures and key binding
// verified.
type presented struct {
	env    *wallet.Envelope
	v      *sdjwt.Verified
	holder tx.PubKey
	bound  bool // it carried a key binding (false: a token)
}

// verifyCopy checks an envelope's shape, the issuer signature by the key
// its header names, every disclosure, and the key binding against b. It
// reads no chain state: whether that key may issue is the anchor's
// business.
func verifyCopy(env *wallet.Envelope, module string, b binding) (*presented, error) {
	if err := env.Validate(); err != nil {
		return nil, refuse(ReasonMalformed, "envelope: %v", err)
	}
	if env.Module != module {
		return nil, refuse(ReasonMalformed, "envelope module %q, want %q", env.Module, module)
	}
	s, err := sdjwt.Parse(env.SDJWT)
	if err != nil {
		return nil, refuse(ReasonMalformed, "%v", err)
	}
	kid, err := s.KID()
	if err != nil {
		return nil, refuse(ReasonMalformed, "%v", err)
	}
	key, err := hex.DecodeString(kid)
	if err != nil || len(key) != ed25519.PublicKeySize {
		return nil, refuse(ReasonBadSignature, "issuer JWT kid %q: want the issuer's ed25519 public key in hex", kid)
	}
	if s.KB == "" {
		if !b.optional {
			return nil, refuse(ReasonBadSignature, "no key binding: the presentation ends with '~' (a copy must be signed by its holder key for %q)", b.aud)
		}
		v, err := sdjwt.VerifyIssued(env.SDJWT, key)
		if err != nil {
			return nil, refuse(ReasonBadSignature, "%v", err)
		}
		return &presented{env: env, v: v, holder: tx.PubKey(v.Holder)}, nil
	}
	kb, err := kbPayload(s.KB)
	if err != nil {
		return nil, refuse(ReasonMalformed, "%v", err)
	}
	// The signatures and sd_hash first, against what the binding says;
	// then what it says against what the reader expects, so that each
	// mismatch has its own reason.
	v, err := sdjwt.Verify(env.SDJWT, sdjwt.Options{IssuerKey: key, Aud: kb.Aud, Nonce: kb.Nonce, Now: time.Unix(kb.Iat, 0)})
	if err != nil {
		return nil, refuse(ReasonBadSignature, "%v", err)
	}
	switch age := b.now.Sub(time.Unix(kb.Iat, 0)); {
	case kb.Aud != b.aud:
		return nil, refuse(ReasonWrongReader, "key binding is for %q, this is %q", kb.Aud, b.aud)
	case kb.Nonce != b.nonce:
		return nil, refuse(ReasonReplayed, "key binding answers nonce %q, not this request's %q", kb.Nonce, b.nonce)
	case age > ResponseWindow || age < -ResponseWindow:
		return nil, refuse(ReasonExpiredResponse, "key binding signed at %s, %s from the reader's clock %s (at most %s)",
			time.Unix(kb.Iat, 0).UTC().Format(time.RFC3339), age.Round(time.Second), b.now.UTC().Format(time.RFC3339), ResponseWindow)
	}
	return &presented{env: env, v: v, holder: tx.PubKey(v.Holder), bound: true}, nil
}

// kbPayload decodes a KB-JWT's payload without checking its signature
// (sdjwt.Verify does).
func kbPayload(kb string) (*sdjwt.KBPayload, error) {
	parts := strings.Split(kb, ".")
	if len(parts) != 3 {
		return nil, refuse(ReasonMalformed, "kb-jwt: not a compact JWS")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, refuse(ReasonMalformed, "kb-jwt: payload is not base64url")
	}
	var p sdjwt.KBPayload
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, refuse(ReasonMalformed, "kb-jwt: payload: %v", err)
	}
	return &p, nil
}

// sameHolder checks that every copy is held by the first one's key.
func sameHolder(copies []*presented) error {
	for _, c := range copies[1:] {
		if !bytes.Equal(c.holder, copies[0].holder) {
			return refuse(ReasonBadSignature, "copy of %s is held by key %s, the first copy by %s: every copy must be held by one slot key",
				c.v.Payload.Vct, c.holder, copies[0].holder)
		}
	}
	return nil
}

// checkCredential checks a verified credential (or card) copy against the
// chain: its anchor is the issuer's, of its schema, and the Merkle path
// leads from its leaf to the anchor's root; the issuer was accredited for
// the schema at the anchor's block time (a later withdrawal keeps it);
// its status bit (if it has one; a card must) is clear in its issuer's
// list; it has not expired at
// now. It returns the anchor.
func checkCredential(ctx context.Context, src Source, c *presented, now time.Time) (*tx.CredentialAnchor, error) {
	p := c.v.Payload
	iss, err := tx.ParseAddress(p.Iss)
	if err != nil {
		return nil, refuse(ReasonMalformed, "iss %q: want the issuer's account address: %v", p.Iss, err)
	}
	if kid := tx.PubKey(mustHex(c.v.KID)); kid.Address() != iss {
		return nil, refuse(ReasonBadSignature, "signed by key %s (address %s), not by the issuer %s", c.v.KID, kid.Address(), iss)
	}
	id := c.env.Anchor.ID
	a, err := src.CredentialAnchor(ctx, id)
	switch {
	case err != nil:
		return nil, err
	case a == nil:
		return nil, refuse(ReasonNotAnchored, "credentials anchor %d does not exist", id)
	case a.Issuer != iss:
		return nil, refuse(ReasonNotAnchored, "anchor %d is issuer %s's, the copy's issuer is %s", id, a.Issuer, iss)
	case a.Schema != p.Vct:
		return nil, refuse(ReasonNotAnchored, "anchor %d is of schema %q, the copy's vct is %q", id, a.Schema, p.Vct)
	}
	leaf := c.v.Leaf()
	if !tx.VerifyMerklePath(a.Root, leaf[:], c.env.Anchor.Index, uint64(a.Count), c.env.Anchor.Path) {
		return nil, refuse(ReasonNotAnchored, "the Merkle path of index %d does not lead from the copy's leaf %s to anchor %d's root %s (%d leaves)",
			c.env.Anchor.Index, tx.Hash32(leaf), id, a.Root, a.Count)
	}
	acc, err := src.Accreditation(ctx, iss, p.Vct)
	if err != nil {
		return nil, err
	}
	if acc == nil || !acc.CoversAnchor(a.Height, a.Time) {
		return nil, refuse(ReasonNotAccredited, "issuer %s was not accredited for %q at anchor %d's time %s",
			iss, p.Vct, id, a.Time.UTC().Format(time.RFC3339))
	}
	if err := checkStatus(ctx, src, iss, p.Status, p.Vct == wallet.VctCard); err != nil {
		return nil, err
	}
	if p.Expired(now) {
		return nil, refuse(ReasonExpired, "%s copy expired at %s", p.Vct, time.Unix(p.Exp, 0).UTC().Format(time.RFC3339))
	}
	return a, nil
}

// checkStatus checks a copy's status entry: a list of its issuer, the
// index inside it, the bit clear. A card copy must have one (its
// suspension must reach every reader); a credential without one was
// issued irrevocable (its exp bounds it).
func checkStatus(ctx context.Context, src Source, iss tx.Address, st *sdjwt.Status, required bool) error {
	if st == nil {
		if required {
			return refuse(ReasonBadStatus, "the card copy names no status list entry: it could never be suspended")
		}
		return nil
	}
	l, err := src.StatusList(ctx, st.List)
	switch {
	case err != nil:
		return err
	case l == nil:
		return refuse(ReasonBadStatus, "status list %q does not exist", st.List)
	case l.Owner != iss:
		return refuse(ReasonBadStatus, "status list %q is %s's, not the issuer %s's", st.List, l.Owner, iss)
	case st.Idx >= l.Size:
		return refuse(ReasonBadStatus, "status index %d is outside list %q of %d entries", st.Idx, st.List, l.Size)
	}
	set, err := src.StatusBit(ctx, st.List, st.Idx)
	if err != nil {
		return err
	}
	if !set {
		return nil
	}
	if l.Purpose == tx.StatusSuspension {
		return refuse(ReasonSuspended, "status bit %d of suspension list %q is set", st.Idx, st.List)
	}
	return refuse(ReasonRevoked, "status bit %d of revocation list %q is set", st.Idx, st.List)
}

// mustHex decodes hex already checked by verifyCopy.
func mustHex(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}

// disclosedTrue reports whether the copy discloses claim as JSON true.
func disclosedTrue(v *sdjwt.Verified, claim string) bool {
	b, ok := v.Bool(claim)
	return ok && b
}
