// Package identity is the Seoul citizen card on chain: each citizen's
// identity (the device keys of the wallet, the status, and commitments to
// the status-list indices of the card copies an office issued, which a
// suspension reveals and sets in the credentials module's suspension
// list), and the facilities (libraries, pools, youth centres...) with
// their entry policies and the pseudonyms they bar. No personal data is
// on chain: keys, hashes and status bits only.
package identity

import (
	"encoding/binary"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Auth is what identity needs of the auth module.
type Auth interface {
	HasRole(ctx *module.Context, addr tx.Address, role string) bool
	EnsureAccount(ctx *module.Context, addr tx.Address)
}

// CardLists is what identity needs of the credentials module: the card's
// suspension lists and their bits.
type CardLists interface {
	// SetCardStatus sets (on) or clears bit idx of a suspension list,
	// without a signer check.
	SetCardStatus(ctx *module.Context, list string, idx uint32, on bool) error
	// List returns a status list's metadata.
	List(ctx *module.Context, id string) (*tx.StatusList, bool)
}

// The records, declared in chain/tx (which clients import).
type (
	// Identity is a citizen's identity record.
	Identity = tx.Identity
	// IdentityKey is one device key of an identity.
	IdentityKey = tx.IdentityKey
	// Facility is a registered facility.
	Facility = tx.Facility
	// Bar is a pseudonym barred from a facility.
	Bar = tx.Bar
	// Params are the module's parameters.
	Params = tx.IdentityParams
	// Stats are the module's counts.
	Stats = tx.IdentityStats
)

// Keeper owns the identity module's state.
type Keeper struct {
	prefix byte
	auth   Auth
	lists  CardLists
}

var _ module.Module = (*Keeper)(nil)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte, auth Auth, lists CardLists) *Keeper {
	return &Keeper{prefix: prefix, auth: auth, lists: lists}
}

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

// Counters are the module's running counts: identities by status,
// facilities and bars. Facilities by kind are counted under their own
// keys (0x07 | kind).
type Counters struct {
	Identities uint64 `json:"identities"`
	Active     uint64 `json:"active"`
	Suspended  uint64 `json:"suspended"`
	Revoked    uint64 `json:"revoked"`
	Facilities uint64 `json:"facilities"`
	Bars       uint64 `json:"bars"`
}

// status returns the counter of an identity status.
func (c *Counters) status(s string) *uint64 {
	switch s {
	case tx.IdentitySuspended:
		return &c.Suspended
	case tx.IdentityRevoked:
		return &c.Revoked
	}
	return &c.Active
}

func counters(kv store.KV) Counters {
	var c Counters
	store.GetJSON(kv, counterKey, &c)
	return c
}

func putCounters(kv store.KV, c Counters) { store.PutJSON(kv, counterKey, c) }

// addKind adds d (+1 or -1) to the count of facilities of kind; a count
// of zero is deleted.
func addKind(kv store.KV, kind string, d int) {
	n := store.GetUint64(kv, kindKey(kind))
	if d < 0 {
		n--
	} else {
		n++
	}
	if n == 0 {
		kv.Delete(kindKey(kind))
		return
	}
	kv.Set(kindKey(kind), binary.BigEndian.AppendUint64(nil, n))
}

func getIdentity(kv store.KV, id tx.Address) *Identity {
	var v Identity
	if !store.GetJSON(kv, identityKey(id), &v) {
		return nil
	}
	return &v
}

func putIdentity(kv store.KV, v *Identity) { store.PutJSON(kv, identityKey(v.ID), v) }

func getFacility(kv store.KV, id string) *Facility {
	var f Facility
	if !store.GetJSON(kv, facilityKey(id), &f) {
		return nil
	}
	return &f
}

func getBar(kv store.KV, facility string, p tx.Hash32) *Bar {
	var b Bar
	if !store.GetJSON(kv, barKey(facility, p), &b) {
		return nil
	}
	return &b
}

// Identity returns the identity id, or nil.
func (k *Keeper) Identity(ctx *module.Context, id tx.Address) *Identity {
	return getIdentity(k.kv(ctx), id)
}

// IdentityOfKey returns the id of the identity a device key address was
// ever added to, or false.
func (k *Keeper) IdentityOfKey(ctx *module.Context, addr tx.Address) (tx.Address, bool) {
	b := k.kv(ctx).Get(keyIndexKey(addr))
	var id tx.Address
	if len(b) != tx.AddressLen {
		return id, false
	}
	copy(id[:], b)
	return id, true
}

// Facility returns the facility id, or nil.
func (k *Keeper) Facility(ctx *module.Context, id string) *Facility {
	return getFacility(k.kv(ctx), id)
}

// Barred returns the bar of pseudonym at facility, or nil.
func (k *Keeper) Barred(ctx *module.Context, facility string, pseudonym tx.Hash32) *Bar {
	return getBar(k.kv(ctx), facility, pseudonym)
}

// Params returns the module's parameters: the stored ones, or the defaults.
func (k *Keeper) Params(ctx *module.Context) Params { return params(k.kv(ctx)) }

func params(kv store.KV) Params {
	p := DefaultParams()
	store.GetJSON(kv, paramsKey, &p)
	return p
}

// Stats returns the module's counts.
func (k *Keeper) Stats(ctx *module.Context) Stats { return stats(k.kv(ctx)) }

func stats(kv store.KV) Stats {
	c := counters(kv)
	s := Stats{Identities: c.Identities, Active: c.Active, Suspended: c.Suspended, Revoked: c.Revoked,
		Facilities: c.Facilities, Bars: c.Bars, ByKind: []tx.KindCount{}}
	store.EachPrefix(kv, []byte{prefixKind}, func(key, value []byte) bool {
		if len(value) == 8 {
			s.ByKind = append(s.ByKind, tx.KindCount{Kind: string(key[1:]), Count: binary.BigEndian.Uint64(value)})
		}
		return true
	})
	return s
}

// isOffice reports whether signer is a registration office.
func (k *Keeper) isOffice(ctx *module.Context, signer tx.Address) bool {
	return k.auth.HasRole(ctx, signer, tx.RoleRegistrationOffice)
}

// Handle implements module.Module.
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	switch m := msg.(type) {
	case *tx.MsgIdentityRegister:
		return k.register(ctx, signer, m)
	case *tx.MsgIdentityAddDevice:
		return k.addDevice(ctx, signer, m)
	case *tx.MsgIdentityRemoveDevice:
		return k.removeDevice(ctx, signer, m)
	case *tx.MsgIdentityAddCardCopies:
		return k.addCardCopies(ctx, signer, m)
	case *tx.MsgIdentitySuspend:
		return k.suspend(ctx, signer, m)
	case *tx.MsgIdentityReinstate:
		return k.reinstate(ctx, signer, m)
	case *tx.MsgIdentityRevoke:
		return k.revoke(ctx, signer, m)
	case *tx.MsgIdentityRegisterFacility:
		return k.registerFacility(ctx, signer, m)
	case *tx.MsgIdentityUpdateFacility:
		return k.updateFacility(ctx, signer, m)
	case *tx.MsgIdentityBar:
		return k.bar(ctx, signer, m)
	case *tx.MsgIdentityUnbar:
		return k.unbar(ctx, signer, m)
	}
	return module.ErrInternal.Wrapf("identity cannot handle %s", msg.Type())
}
