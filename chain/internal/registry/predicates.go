package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/citychain/citychain/chain/internal/credentials"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
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

func orNone(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "absent"
	}
	return string(raw)
}

// credentialPredicate checks one piece of evidence for a credential of
// schema with the credentials module's check (credentials.Keeper.
// CheckEvidence: anchor, Merkle path, iss and vct, then schema, expiry and
// status bit), the cnf key having signed tx.RegistryEvidenceMessage for
// this record, version, transition and signer. Evidence that does not
// verify is ErrBadEvidence; a genuine credential that does not meet the
// predicate is ErrPredicate.
func (k *Keeper) credentialPredicate(ctx *module.Context, schema string, ev *tx.RegistryEvidence, registry string, rec *Record,
	transition string, signer tx.Address) error {
	msg := tx.RegistryEvidenceMessage(ctx.ChainID, registry, rec.ID, rec.Version, transition, signer, ev.JWT)
	what := fmt.Sprintf("%s/%d version %d %s for %s", registry, rec.ID, rec.Version, transition, signer)
	_, err := k.creds.CheckEvidence(ctx, schema, ev, msg, what)
	if err == nil {
		return nil
	}
	var e *credentials.EvidenceError
	if errors.As(err, &e) && e.Genuine {
		return ErrPredicate.Wrapf("%s", e.Msg)
	}
	return ErrBadEvidence.Wrapf("%v", err)
}
