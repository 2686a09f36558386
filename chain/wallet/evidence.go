package wallet

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
)

// ErrNoCredential is returned by RegistryEvidence when the wallet holds no
// credential of the schema asked for.
var ErrNoCredential = errors.New("the wallet holds no credential of that schema: ask an issuer accredited for it")

// ErrCredentialExpired is returned by RegistryEvidence when every
// credential of the schema the wallet holds has expired.
var ErrCredentialExpired = errors.New("every credential of that schema the wallet holds has expired: ask the issuer for a new one")

// RegistryVerifierPrefix prefixes the name under which the slots shown to
// a registry are recorded (VerifierSlots(RegistryVerifier(name))). A
// verifier id has no ':', so the two never meet.
const RegistryVerifierPrefix = "registry:"

// RegistryVerifier is the name the slots shown to registry are recorded
// under.
func RegistryVerifier(registry string) string { return RegistryVerifierPrefix + registry }

// RegistryTarget is the transition a credential is shown to: the chain,
// the record (registry, id, version at the time of the transaction), the
// transition and the address that signs the transaction.
type RegistryTarget struct {
	ChainID    string
	Registry   string
	ID         uint64
	Version    uint64
	Transition string
	Signer     tx.Address
}

// Validate checks the target's fields.
func (t *RegistryTarget) Validate() error {
	var errs []error
	if t.ChainID == "" {
		errs = append(errs, errors.New("chain id: empty"))
	}
	if err := tx.ValidateRegistryName("registry", t.Registry); err != nil {
		errs = append(errs, err)
	}
	if t.ID == 0 {
		errs = append(errs, errors.New("id: 0, want a record id (from 1)"))
	}
	if t.Version == 0 {
		errs = append(errs, errors.New("version: 0, want the record's version (from 1)"))
	}
	if err := tx.ValidateRegistryName("transition", t.Transition); err != nil {
		errs = append(errs, err)
	}
	if t.Signer.IsZero() {
		errs = append(errs, errors.New("signer: the zero address, want the transaction signer's address"))
	}
	return errors.Join(errs...)
}

// RegistryEvidence shows one unexpired credential of each of schemas
// (their vct), in order, to a registry transition's credential
// predicates: for each, the issuer-signed JWT of one copy (no
// disclosures), its anchor proof and its slot key's signature of
// tx.RegistryEvidenceMessage for t. The JWT goes on chain in the clear and
// names the slot key (cnf), so every copy is taken from its own slot never
// shown to anyone (the lowest), and those slots are recorded as spent
// (under RegistryVerifier(t.Registry)) and the wallet saved before
// returning. It is all or nothing: a refusal spends no slot. Errors:
// ErrNoCredential, ErrCredentialExpired, or ErrNoUnusedCopy when every
// unexpired copy is on a slot already shown. The wallet cannot see a
// revocation: the chain refuses a revoked credential.
func (w *Wallet) RegistryEvidence(t RegistryTarget, schemas []string, now time.Time) ([]tx.RegistryEvidence, error) {
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("registry evidence: %w", err)
	}
	if len(schemas) == 0 || len(schemas) > tx.MaxRegistryEvidence {
		return nil, fmt.Errorf("registry evidence: %d schemas, want 1 to %d", len(schemas), tx.MaxRegistryEvidence)
	}
	used := w.used()
	var (
		out   []tx.RegistryEvidence
		slots []uint32
	)
	for i, schema := range schemas {
		if err := tx.ValidateSchemaID(schema); err != nil {
			return nil, fmt.Errorf("schemas[%d]: %w", i, err)
		}
		if err := w.schemaHeld(schema, now); err != nil {
			return nil, err
		}
		var d *Document
		for s := uint32(0); s < w.st.NextSlot && d == nil; s++ {
			if !used[s] && !slices.Contains(slots, s) {
				d = pick(w.st.Credentials, s, schema, nil, now)
			}
		}
		if d == nil {
			return nil, fmt.Errorf("registry %s: a credential of schema %q on a slot never shown: %w", t.Registry, schema, ErrNoUnusedCopy)
		}
		parsed, err := sdjwt.Parse(d.SDJWT)
		if err != nil {
			return nil, fmt.Errorf("slot %d: held %s copy: %w", d.Slot, schema, err)
		}
		msg := tx.RegistryEvidenceMessage(t.ChainID, t.Registry, t.ID, t.Version, t.Transition, t.Signer, parsed.JWT)
		out = append(out, w.evidence(d, parsed.JWT, msg))
		slots = append(slots, d.Slot)
	}
	if err := w.markSpent(RegistryVerifier(t.Registry), slots); err != nil {
		return nil, err
	}
	return out, nil
}

// evidence is the chain's evidence of held copy d: its issuer JWT, its
// anchor proof and its slot key's signature of msg.
func (w *Wallet) evidence(d *Document, jwt string, msg []byte) tx.RegistryEvidence {
	return tx.RegistryEvidence{
		JWT:       jwt,
		Anchor:    d.Anchor.ID,
		Index:     d.Anchor.Index,
		Path:      slices.Clone(d.Anchor.Path),
		HolderSig: ed25519.Sign(w.SlotKey(d.Slot), msg),
	}
}

// schemaHeld checks that the wallet holds an unexpired credential of
// schema on some slot.
func (w *Wallet) schemaHeld(schema string, now time.Time) error {
	held := 0
	var latest int64
	for i := range w.st.Credentials {
		d := &w.st.Credentials[i]
		if d.Vct != schema {
			continue
		}
		if !d.expired(now) {
			return nil
		}
		held++
		latest = max(latest, d.Exp)
	}
	if held == 0 {
		return fmt.Errorf("schema %q: %w", schema, ErrNoCredential)
	}
	return fmt.Errorf("schema %q: %d copies, the latest expired at %s: %w",
		schema, held, time.Unix(latest, 0).UTC().Format(time.RFC3339), ErrCredentialExpired)
}

// markSpent records slots as shown to verifier and saves; on a failed
// save nothing is recorded.
func (w *Wallet) markSpent(verifier string, slots []uint32) error {
	if w.st.Verifiers == nil {
		w.st.Verifiers = map[string][]uint32{}
	}
	old, had := w.st.Verifiers[verifier]
	w.st.Verifiers[verifier] = append(slices.Clone(old), slots...)
	if err := w.Save(); err != nil {
		if had {
			w.st.Verifiers[verifier] = old
		} else {
			delete(w.st.Verifiers, verifier)
		}
		return err
	}
	return nil
}
