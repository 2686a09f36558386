package registry

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
)

// checkPredicates checks a transition's predicates when it runs, in
// order, over data (the record's data after the transition's patch).
// Credential predicates take the evidence in order, one each; evidence
// left over is refused.
func (k *Keeper) checkPredicates(ctx *module.Context, kv store.KV, r *Registry, t *tx.RegistryTransition, rec *Record, data []byte,
	evidence []tx.RegistryEvidence, signer tx.Address) error {
	next := 0
	for i := range t.Requires {
		p := &t.Requires[i]
		switch {
		case p.Record != nil:
			if err := recordPredicate(kv, p.Record, data); err != nil {
				return ErrPredicate.Wrapf("%s requires[%d]: %v", t.Name, i, err)
			}
		case p.Credential != nil:
			if next >= len(evidence) {
				return ErrPredicate.Wrapf("%s requires[%d]: a credential of schema %q: no evidence[%d] given", t.Name, i, p.Credential.Schema, next)
			}
			if err := k.credentialPredicate(ctx, p.Credential.Schema, &evidence[next], r.Name, rec, t.Name, signer); err != nil {
				return err
			}
			next++
		}
	}
	if next < len(evidence) {
		return ErrBadEvidence.Wrapf("evidence[%d]: %s has no credential predicate left to take it", next, t.Name)
	}
	return nil
}

// recordPredicate holds when the record of p.Registry whose id is data's
// integer property p.Field is in one of p.States.
func recordPredicate(kv store.KV, p *tx.RecordPredicate, data []byte) error {
	m, err := members(data)
	if err != nil {
		return err
	}
	raw := m[p.Field]
	id, err := strconv.ParseUint(string(raw), 10, 64)
	if err != nil || id == 0 {
		return predicateError("field %q is %s, want the id of a record of %q", p.Field, orNone(raw), p.Registry)
	}
	other := getRecord(kv, p.Registry, id)
	if other == nil {
		return predicateError("record %s/%d (field %q) does not exist", p.Registry, id, p.Field)
	}
	if !slices.Contains(p.States, other.State) {
		return predicateError("record %s/%d is %s, want one of %v", p.Registry, id, other.State, p.States)
	}
	return nil
}

func predicateError(format string, a ...any) error { return fmt.Errorf(format, a...) }

var errNotJWS = errors.New("want a compact JWS: three dot-separated parts")

func orNone(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "absent"
	}
	return string(raw)
}

// credentialPredicate checks one piece of evidence for a credential of
// schema: the JWT is a leaf (SHA-256 of the JWT) of a credentials anchor
// under its RFC 6962 path; the payload's iss and vct are the anchor's
// issuer and schema (the anchor, made by an issuer accredited for its
// schema, attests the JWT: its signature is not checked again); the cnf
// key signed tx.RegistryEvidenceMessage for this record, version,
// transition and signer. Then the credential must be of schema, unexpired
// at block time and its status bit, if it has one, clear. Evidence that
// does not verify is ErrBadEvidence; a genuine credential that does not
// meet the predicate is ErrPredicate.
func (k *Keeper) credentialPredicate(ctx *module.Context, schema string, ev *tx.RegistryEvidence, registry string, rec *Record,
	transition string, signer tx.Address) error {
	leaf := sha256.Sum256([]byte(ev.JWT))
	a := k.creds.Anchor(ctx, ev.Anchor)
	if a == nil {
		return ErrBadEvidence.Wrapf("anchor %d: no such credentials anchor", ev.Anchor)
	}
	if !tx.VerifyMerklePath(a.Root, leaf[:], ev.Index, uint64(a.Count), ev.Path) {
		return ErrBadEvidence.Wrapf("jwt %s is not leaf %d of anchor %d (root %s, %d leaves)", tx.Hash32(leaf), ev.Index, a.ID, a.Root, a.Count)
	}
	p, err := payloadOf(ev.JWT)
	if err != nil {
		return ErrBadEvidence.Wrapf("jwt payload: %v", err)
	}
	if p.Iss != a.Issuer.String() || p.Vct != a.Schema {
		return ErrBadEvidence.Wrapf("jwt iss %q vct %q: anchor %d is issuer %s's, of schema %q", p.Iss, p.Vct, a.ID, a.Issuer, a.Schema)
	}
	holder, err := p.HolderKey()
	if err != nil {
		return ErrBadEvidence.Wrapf("%v", err)
	}
	msg := tx.RegistryEvidenceMessage(ctx.ChainID, registry, rec.ID, rec.Version, transition, signer, ev.JWT)
	if !tx.VerifyRegistryEvidence(holder, msg, ev.HolderSig) {
		return ErrBadEvidence.Wrapf("holder_sig: not a signature by the credential's holder key (cnf) of %s/%d version %d %s for %s",
			registry, rec.ID, rec.Version, transition, signer)
	}
	if a.Schema != schema {
		return ErrPredicate.Wrapf("credential of anchor %d is of schema %q, want %q", a.ID, a.Schema, schema)
	}
	if p.Expired(ctx.Time) {
		return ErrPredicate.Wrapf("credential of schema %q expired at %d (block time %d)", schema, p.Exp, ctx.Time.Unix())
	}
	if p.Status != nil {
		set, err := k.creds.Status(ctx, p.Status.List, p.Status.Idx)
		if err != nil {
			return ErrBadEvidence.Wrapf("status %s/%d: %v", p.Status.List, p.Status.Idx, err)
		}
		if set {
			return ErrPredicate.Wrapf("credential of schema %q is revoked or suspended (status %s index %d is set)", schema, p.Status.List, p.Status.Idx)
		}
	}
	return nil
}

// payloadOf decodes a compact JWS's payload as an SD-JWT payload, without
// checking the signature.
func payloadOf(jwt string) (*sdjwt.Payload, error) {
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
