// Package credentials is the chain's eligibility-attestation module: the
// registry of credential schemas (yes/no predicate claims), the issuers
// accredited for them over time windows, the verifiers registered with a
// purpose, the status lists (revocation and suspension bitstrings, stored
// in chunks so a status change costs the same whatever the list's size),
// and the Merkle anchors of issued credentials. No personal data is on
// chain: the credentials themselves are SD-JWTs in the citizens' wallets.
// See README.md.
package credentials

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Auth is what credentials needs of the auth module.
type Auth interface {
	HasRole(ctx *module.Context, addr tx.Address, role string) bool
}

// Keeper owns the credentials module's state.
type Keeper struct {
	prefix byte
	auth   Auth
}

var _ module.Module = (*Keeper)(nil)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte, auth Auth) *Keeper { return &Keeper{prefix: prefix, auth: auth} }

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

// The module's records are the query types of chain/tx.
type (
	// Schema is a registered credential schema.
	Schema = tx.Schema
	// Accreditation is an issuer's windows for one schema.
	Accreditation = tx.Accreditation
	// AccreditationWindow is one window of an accreditation.
	AccreditationWindow = tx.AccreditationWindow
	// Verifier is a registered relying party.
	Verifier = tx.Verifier
	// StatusList is a status list's metadata.
	StatusList = tx.StatusList
	// Anchor is an anchored batch of issued credentials.
	Anchor = tx.CredentialAnchor
	// Counters are the module's running counts (the stats query's
	// answer); the next anchor id is Anchors + 1.
	Counters = tx.CredentialStats
)

// ---- state helpers ----

func getJSON(kv store.KV, key []byte, v any) bool { return store.GetJSON(kv, key, v) }

func putJSON(kv store.KV, key []byte, v any) { store.PutJSON(kv, key, v) }

func counters(kv store.KV) Counters {
	var c Counters
	getJSON(kv, countersKey, &c)
	return c
}

func schema(kv store.KV, id string) *Schema {
	var s Schema
	if !getJSON(kv, schemaKey(id), &s) {
		return nil
	}
	return &s
}

func accreditation(kv store.KV, issuer tx.Address, schema string) *Accreditation {
	var a Accreditation
	if !getJSON(kv, accreditationKey(issuer, schema), &a) {
		return nil
	}
	return &a
}

func verifier(kv store.KV, id string) *Verifier {
	var v Verifier
	if !getJSON(kv, verifierKey(id), &v) {
		return nil
	}
	return &v
}

func list(kv store.KV, owner tx.Address, name string) *StatusList {
	var l StatusList
	if !getJSON(kv, listKey(owner, name), &l) {
		return nil
	}
	return &l
}

// Schema returns the schema with id, or nil.
func (k *Keeper) Schema(ctx *module.Context, id string) *Schema { return schema(k.kv(ctx), id) }

// Accreditation returns issuer's accreditation for schema, or nil.
func (k *Keeper) Accreditation(ctx *module.Context, issuer tx.Address, schemaID string) *Accreditation {
	return accreditation(k.kv(ctx), issuer, schemaID)
}

// Accredited reports whether issuer is accredited for schema at the block
// time of ctx.
func (k *Keeper) Accredited(ctx *module.Context, issuer tx.Address, schemaID string) bool {
	a := k.Accreditation(ctx, issuer, schemaID)
	return a != nil && a.ActiveAt(ctx.Time) != nil
}

// Verifier returns the verifier with id, or nil.
func (k *Keeper) Verifier(ctx *module.Context, id string) *Verifier { return verifier(k.kv(ctx), id) }

// List returns the status list with id ("<owner address>/<name>"); false
// when there is none (or id is not a list id).
func (k *Keeper) List(ctx *module.Context, id string) (*tx.StatusList, bool) {
	owner, name, err := tx.ParseStatusListID(id)
	if err != nil {
		return nil, false
	}
	l := list(k.kv(ctx), owner, name)
	return l, l != nil
}

// Anchor returns the anchor with id, or nil.
func (k *Keeper) Anchor(ctx *module.Context, id uint64) *Anchor {
	var a Anchor
	if !getJSON(k.kv(ctx), anchorKey(id), &a) {
		return nil
	}
	return &a
}

// Counters returns the module's running counts.
func (k *Keeper) Counters(ctx *module.Context) Counters { return counters(k.kv(ctx)) }

// Handle implements module.Module.
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	switch m := msg.(type) {
	case *tx.MsgCredentialRegisterSchema:
		return k.registerSchema(ctx, signer, m)
	case *tx.MsgCredentialAccredit:
		return k.accredit(ctx, signer, m)
	case *tx.MsgCredentialWithdraw:
		return k.withdraw(ctx, signer, m)
	case *tx.MsgCredentialRegisterVerifier:
		return k.registerVerifier(ctx, signer, m)
	case *tx.MsgCredentialDeregisterVerifier:
		return k.deregisterVerifier(ctx, signer, m)
	case *tx.MsgCredentialCreateList:
		return k.createList(ctx, signer, m)
	case *tx.MsgCredentialSetStatus:
		return k.setStatus(ctx, signer, m)
	case *tx.MsgCredentialAnchor:
		return k.anchor(ctx, signer, m)
	}
	return module.ErrInternal.Wrapf("credentials cannot handle %s", msg.Type())
}

func (k *Keeper) requireAccreditor(ctx *module.Context, signer tx.Address) error {
	if !k.auth.HasRole(ctx, signer, tx.RoleAccreditor) {
		return ErrNotAccreditor.Wrapf("%s", signer)
	}
	return nil
}
