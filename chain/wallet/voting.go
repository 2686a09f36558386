package wallet

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
)

// Purposes of the voting module's residency evidence
// (tx.VotingEvidenceMessage).
const (
	VotingPropose    = "propose"
	VotingSupport    = "support"
	VotingCredential = "credential"
)

// VotingVerifierPrefix prefixes the name under which the slots shown to
// the voting module are recorded (VerifierSlots(VotingVerifier(...))). A
// verifier id has no ':', so the two never meet.
const VotingVerifierPrefix = "voting:"

// VotingVerifier is the name the slot shown for purpose and id (a
// proposal or an election; 0 for a new proposal) is recorded under:
// "voting:<purpose>:<id>".
func VotingVerifier(purpose string, id uint64) string {
	return VotingVerifierPrefix + purpose + ":" + strconv.FormatUint(id, 10)
}

// VotingTarget is what residency evidence is shown to: the chain, the
// purpose (VotingPropose with id 0, VotingSupport with the proposal,
// VotingCredential with the election) and the identity that signs.
type VotingTarget struct {
	ChainID  string
	Purpose  string
	ID       uint64
	Identity tx.Address
}

// Validate checks the target's fields.
func (t *VotingTarget) Validate() error {
	var errs []error
	if t.ChainID == "" {
		errs = append(errs, errors.New("chain id: empty"))
	}
	switch t.Purpose {
	case VotingPropose:
		if t.ID != 0 {
			errs = append(errs, fmt.Errorf("id: %d, want 0 for %s", t.ID, t.Purpose))
		}
	case VotingSupport, VotingCredential:
		if t.ID == 0 {
			errs = append(errs, fmt.Errorf("id: 0, want the proposal or election id (from 1) for %s", t.Purpose))
		}
	default:
		errs = append(errs, fmt.Errorf("purpose %q: want %s, %s or %s", t.Purpose, VotingPropose, VotingSupport, VotingCredential))
	}
	if t.Identity.IsZero() {
		errs = append(errs, errors.New("identity: the zero address, want the identity id of the signer"))
	}
	return errors.Join(errs...)
}

// VotingEligibility shows the voting module that the signer is a
// resident: one unexpired credential of schema (the chain's
// residency_schema) holding claim (residency_claim) — its issuer-signed
// JWT, anchor proof and its slot key's signature of
// tx.VotingEvidenceMessage for t — and the disclosure of claim, which
// must be true in the held copy. The copy comes from a slot never shown
// to anyone (the lowest), recorded as spent under VotingVerifier(t.Purpose,
// t.ID) and the wallet saved before returning; nothing is spent on a
// refusal. Errors: ErrNoCredential, ErrCredentialExpired, ErrNoUnusedCopy.
// The wallet cannot see a revocation: the chain refuses a revoked
// credential (CodeVotingNotResident).
func (w *Wallet) VotingEligibility(t VotingTarget, schema, claim string, now time.Time) (*tx.VotingEligibility, error) {
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("voting evidence: %w", err)
	}
	if err := tx.ValidateSchemaID(schema); err != nil {
		return nil, fmt.Errorf("voting evidence: schema: %w", err)
	}
	if claim == "" {
		return nil, errors.New("voting evidence: claim: empty, want the residency claim's name")
	}
	if err := w.schemaHeld(schema, now); err != nil {
		return nil, err
	}
	used := w.used()
	var d *Document
	for s := uint32(0); s < w.st.NextSlot && d == nil; s++ {
		if !used[s] {
			d = pick(w.st.Credentials, s, schema, []string{claim}, now)
		}
	}
	if d == nil {
		return nil, fmt.Errorf("voting %s %d: a credential of schema %q with claim %q on a slot never shown: %w", t.Purpose, t.ID, schema, claim, ErrNoUnusedCopy)
	}
	parsed, err := sdjwt.Parse(d.SDJWT)
	if err != nil {
		return nil, fmt.Errorf("slot %d: held %s copy: %w", d.Slot, schema, err)
	}
	discs, err := parsed.Select([]string{claim})
	if err != nil {
		return nil, fmt.Errorf("slot %d: held %s copy: %w", d.Slot, schema, err)
	}
	var yes bool
	if err := json.Unmarshal(discs[0].Value, &yes); err != nil || !yes {
		return nil, fmt.Errorf("slot %d: held %s copy says %s = %s, the chain wants true", d.Slot, schema, claim, discs[0].Value)
	}
	msg := tx.VotingEvidenceMessage(t.ChainID, t.Purpose, t.ID, t.Identity, parsed.JWT)
	ev := &tx.VotingEligibility{Evidence: w.evidence(d, parsed.JWT, msg), Disclosure: discs[0].Raw}
	if err := w.markSpent(VotingVerifier(t.Purpose, t.ID), []uint32{d.Slot}); err != nil {
		return nil, err
	}
	return ev, nil
}
