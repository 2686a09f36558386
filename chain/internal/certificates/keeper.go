// Package certificates is the register of civil certificates (전자증명서):
// certificate kinds with their issuing agency, validity and disclosable
// fields; the agencies' status and issuing-key history (added, retired,
// revoked as compromised from a height); issuance anchors, each the Merkle
// root of a batch of SD-JWT certificates signed off chain with one key; and
// per-certificate revocations stored under the certificate's leaf digest,
// provable present or absent. No personal data is on chain: the
// certificates themselves live in the holders' wallets. The verdict rules a
// verifier applies to these records are tx.CertificateVerdict (README.md).
package certificates

import (
	"bytes"
	"slices"
	"strings"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Roles is what certificates needs of the auth module.
type Roles interface {
	HasRole(ctx *module.Context, addr tx.Address, role string) bool
}

// Keeper owns the certificates module's state.
type Keeper struct {
	prefix byte
	roles  Roles
}

var _ module.Module = (*Keeper)(nil)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte, roles Roles) *Keeper { return &Keeper{prefix: prefix, roles: roles} }

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

// Records, declared in chain/tx (clients decode them).
type (
	// Kind is a registered certificate kind.
	Kind = tx.CertificateKind
	// Agency is an issuing agency with its kinds and keys.
	Agency = tx.Agency
	// Key is one issuing key of an agency.
	Key = tx.AgencyKey
	// Anchor is one issuance batch.
	Anchor = tx.CertificateAnchor
	// Revocation is one certificate's revocation.
	Revocation = tx.Revocation
	// Params are the module's parameters.
	Params = tx.CertificateParams
	// Counters are the module's running counts and the next anchor id
	// (/certificates/stats).
	Counters = tx.CertificateStats
)

// ---- state helpers ----

func (k *Keeper) kind(kv store.KV, id string) *Kind {
	var v Kind
	if !store.GetJSON(kv, kindKey(id), &v) {
		return nil
	}
	return &v
}

func (k *Keeper) agency(kv store.KV, a tx.Address) *Agency {
	var v Agency
	if !store.GetJSON(kv, agencyKey(a), &v) {
		return nil
	}
	return &v
}

func (k *Keeper) key(kv store.KV, pub tx.PubKey) *Key {
	var v Key
	if !store.GetJSON(kv, keyKey(pub), &v) {
		return nil
	}
	return &v
}

func (k *Keeper) anchor(kv store.KV, id uint64) *Anchor {
	var v Anchor
	if !store.GetJSON(kv, anchorKey(id), &v) {
		return nil
	}
	return &v
}

func counters(kv store.KV) Counters {
	c := Counters{NextAnchor: 1}
	store.GetJSON(kv, countersKey, &c)
	return c
}

// Kind returns the kind id, or nil.
func (k *Keeper) Kind(ctx *module.Context, id string) *Kind { return k.kind(k.kv(ctx), id) }

// Agency returns the agency of address a, or nil.
func (k *Keeper) Agency(ctx *module.Context, a tx.Address) *Agency { return k.agency(k.kv(ctx), a) }

// Key returns the issuing key pub, or nil.
func (k *Keeper) Key(ctx *module.Context, pub tx.PubKey) *Key { return k.key(k.kv(ctx), pub) }

// Anchor returns the anchor id, or nil.
func (k *Keeper) Anchor(ctx *module.Context, id uint64) *Anchor { return k.anchor(k.kv(ctx), id) }

// Revocation returns the revocation of leaf, or nil.
func (k *Keeper) Revocation(ctx *module.Context, leaf tx.Hash32) *Revocation {
	var v Revocation
	if !store.GetJSON(k.kv(ctx), revocationKey(leaf), &v) {
		return nil
	}
	return &v
}

// Params returns the module's parameters (the defaults when the genesis
// set none).
func (k *Keeper) Params(ctx *module.Context) Params { return params(k.kv(ctx)) }

func params(kv store.KV) Params {
	p := DefaultParams()
	store.GetJSON(kv, paramsKey, &p)
	return p
}

// insertKind adds id to a sorted list of kind ids.
func insertKind(list []string, id string) []string {
	i, _ := slices.BinarySearch(list, id)
	return slices.Insert(list, i, id)
}

// insertKey adds pub to a list of keys sorted by their bytes.
func insertKey(list []tx.PubKey, pub tx.PubKey) []tx.PubKey {
	i, _ := slices.BinarySearchFunc(list, pub, func(a, b tx.PubKey) int { return bytes.Compare(a, b) })
	return slices.Insert(list, i, pub)
}

// Handle implements module.Module.
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	switch m := msg.(type) {
	case *tx.MsgCertificateRegisterKind:
		return k.registerKind(ctx, signer, m)
	case *tx.MsgCertificateSetAgencyStatus:
		return k.setAgencyStatus(ctx, signer, m)
	case *tx.MsgCertificateAddKey:
		return k.addKey(ctx, signer, m)
	case *tx.MsgCertificateRetireKey:
		return k.retireKey(ctx, signer, m)
	case *tx.MsgCertificateRevokeKey:
		return k.revokeKey(ctx, signer, m)
	case *tx.MsgCertificateIssue:
		return k.issue(ctx, signer, m)
	case *tx.MsgCertificateRevoke:
		return k.revoke(ctx, signer, m)
	}
	return module.ErrInternal.Wrapf("certificates cannot handle %s", msg.Type())
}

// fieldsString lists a kind's fields for its event.
func fieldsString(fields []string) string { return strings.Join(fields, ",") }
