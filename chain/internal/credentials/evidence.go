package credentials

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
)

// EvidenceError is why CheckEvidence refused a piece of credential
// evidence. Genuine tells the two kinds apart: false, the evidence does
// not verify (anchor, Merkle path, payload, holder signature, status list
// lookup); true, it shows a genuine credential that does not meet the
// check (another schema, expired, or its status bit set). Callers map the
// two to their own result codes.
type EvidenceError struct {
	Genuine bool
	Msg     string
}

func (e *EvidenceError) Error() string { return e.Msg }

func badEvidence(format string, a ...any) error {
	return &EvidenceError{Msg: fmt.Sprintf(format, a...)}
}

func notMet(format string, a ...any) error {
	return &EvidenceError{Genuine: true, Msg: fmt.Sprintf(format, a...)}
}

// errNotJWS is a JWT that is not three dot-separated parts.
var errNotJWS = errors.New("want a compact JWS: three dot-separated parts")

// CheckEvidence checks one piece of evidence for a credential of schema
// at the block time of ctx: the JWT is a leaf (SHA-256 of the JWT) of a
// credentials anchor under its RFC 6962 path; the payload's iss and vct
// are the anchor's issuer and schema (the anchor, made by an issuer
// accredited for its schema, attests the JWT: its signature is not
// checked again); the cnf key signed msg (the caller's evidence message,
// which binds the evidence to its use; what describes that use in the
// error). Then the credential must be of schema, unexpired at block time
// and its status bit, if it has one, clear.
//
// It returns the payload whenever the evidence verifies, even when the
// credential does not meet the check, so that a caller can finish its own
// verification (a disclosure against the payload's _sd) before it reports
// a genuine credential's failure. The error, when there is one, is an
// *EvidenceError.
func (k *Keeper) CheckEvidence(ctx *module.Context, schema string, ev *tx.RegistryEvidence, msg []byte, what string) (*sdjwt.Payload, error) {
	leaf := sha256.Sum256([]byte(ev.JWT))
	a := k.Anchor(ctx, ev.Anchor)
	if a == nil {
		return nil, badEvidence("anchor %d: no such credentials anchor", ev.Anchor)
	}
	if !tx.VerifyMerklePath(a.Root, leaf[:], ev.Index, uint64(a.Count), ev.Path) {
		return nil, badEvidence("jwt %s is not leaf %d of anchor %d (root %s, %d leaves)", tx.Hash32(leaf), ev.Index, a.ID, a.Root, a.Count)
	}
	p, err := PayloadOf(ev.JWT)
	if err != nil {
		return nil, badEvidence("jwt payload: %v", err)
	}
	if p.Iss != a.Issuer.String() || p.Vct != a.Schema {
		return nil, badEvidence("jwt iss %q vct %q: anchor %d is issuer %s's, of schema %q", p.Iss, p.Vct, a.ID, a.Issuer, a.Schema)
	}
	holder, err := p.HolderKey()
	if err != nil {
		return nil, badEvidence("%v", err)
	}
	if !tx.VerifyRegistryEvidence(holder, msg, ev.HolderSig) {
		return nil, badEvidence("holder_sig: not a signature by the credential's holder key (cnf) of %s", what)
	}
	if a.Schema != schema {
		return p, notMet("credential of anchor %d is of schema %q, want %q", a.ID, a.Schema, schema)
	}
	if p.Expired(ctx.Time) {
		return p, notMet("credential of schema %q expired at %d (block time %d)", schema, p.Exp, ctx.Time.Unix())
	}
	if p.Status != nil {
		set, err := k.Status(ctx, p.Status.List, p.Status.Idx)
		if err != nil {
			return nil, badEvidence("status %s/%d: %v", p.Status.List, p.Status.Idx, err)
		}
		if set {
			return p, notMet("credential of schema %q is revoked or suspended (status %s index %d is set)", schema, p.Status.List, p.Status.Idx)
		}
	}
	return p, nil
}

// PayloadOf decodes a compact JWS's payload as an SD-JWT payload, without
// checking the signature (the caller trusts it through an anchor).
func PayloadOf(jwt string) (*sdjwt.Payload, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, errNotJWS
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var p sdjwt.Payload
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, err
	}
	return &p, nil
}
