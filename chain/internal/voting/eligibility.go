package voting

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/citychain/citychain/chain/internal/credentials"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
)

// Evidence purposes (tx.VotingEvidenceMessage).
const (
	purposePropose    = "propose"
	purposeSupport    = "support"
	purposeCredential = "credential"
)

// citizen returns the identity of which signer is a device key in use,
// when the identity is active: who proposes, supports or asks for a
// voting credential. Anything else is ErrNotEligible.
func (k *Keeper) citizen(ctx *module.Context, signer tx.Address) (tx.Address, error) {
	id, ok := k.ids.IdentityOfKey(ctx, signer)
	if !ok {
		return id, ErrNotEligible.Wrapf("signer %s is not a device key of any identity", signer)
	}
	v := k.ids.Identity(ctx, id)
	if v == nil || v.KeyInUse(signer) < 0 {
		return id, ErrNotEligible.Wrapf("signer %s is no longer a device key in use of identity %s", signer, id)
	}
	if v.Status != tx.IdentityActive {
		return id, ErrNotEligible.Wrapf("identity %s is %s (since height %d), not %s", id, v.Status, v.StatusHeight, tx.IdentityActive)
	}
	return id, nil
}

// resident checks that identity is a resident when the parameters name a
// residency schema: el's evidence is a genuine credential of the schema
// (credentials.Keeper.CheckEvidence), its holder key signed
// tx.VotingEvidenceMessage for purpose, id and identity, and its
// disclosure is of the residency claim, listed in the credential's _sd,
// with the value true. It returns the SHA-256 of the credential's JWT
// (the copy, which serves one identity per proposal or election) and
// whether a credential was checked at all (none is with no schema).
func (k *Keeper) resident(ctx *module.Context, p tx.VotingParams, purpose string, id uint64, identity tx.Address,
	el *tx.VotingEligibility) (tx.Hash32, bool, error) {
	if p.ResidencySchema == "" {
		return tx.Hash32{}, false, nil
	}
	if el == nil {
		return tx.Hash32{}, false, ErrNotResident.Wrapf("eligibility: none given; a credential of schema %q disclosing %s = true is required",
			p.ResidencySchema, p.ResidencyClaim)
	}
	ev := &el.Evidence
	msg := tx.VotingEvidenceMessage(ctx.ChainID, purpose, id, identity, ev.JWT)
	what := fmt.Sprintf("%s %d for identity %s", purpose, id, identity)
	payload, err := k.creds.CheckEvidence(ctx, p.ResidencySchema, ev, msg, what)
	if payload == nil {
		return tx.Hash32{}, false, ErrBadEvidence.Wrapf("eligibility.evidence: %v", err)
	}
	d, derr := sdjwt.ParseDisclosure(el.Disclosure)
	if derr != nil {
		return tx.Hash32{}, false, ErrBadEvidence.Wrapf("eligibility.disclosure: %v", derr)
	}
	if payload.SDAlg != sdjwt.AlgSHA {
		return tx.Hash32{}, false, ErrBadEvidence.Wrapf("eligibility.evidence: _sd_alg %q, want %q", payload.SDAlg, sdjwt.AlgSHA)
	}
	if !slices.Contains(payload.SD, d.Digest) {
		return tx.Hash32{}, false, ErrBadEvidence.Wrapf("eligibility.disclosure: its digest %s is not in the credential's _sd", d.Digest)
	}
	if d.Name != p.ResidencyClaim {
		return tx.Hash32{}, false, ErrBadEvidence.Wrapf("eligibility.disclosure: discloses %q, want %q", d.Name, p.ResidencyClaim)
	}
	if err != nil {
		var e *credentials.EvidenceError
		if errors.As(err, &e) && e.Genuine {
			return tx.Hash32{}, false, ErrNotResident.Wrapf("eligibility.evidence: %s", e.Msg)
		}
		return tx.Hash32{}, false, ErrBadEvidence.Wrapf("eligibility.evidence: %v", err)
	}
	var yes bool
	if json.Unmarshal(d.Value, &yes) != nil || !yes {
		return tx.Hash32{}, false, ErrNotResident.Wrapf("eligibility.disclosure: claim %s is %s, want true", d.Name, d.Value)
	}
	return sha256.Sum256([]byte(ev.JWT)), true, nil
}
