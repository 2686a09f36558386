package certificates

import (
	"strconv"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// registerKind records a new kind and creates its agency's record (active)
// or adds the kind to it.
func (k *Keeper) registerKind(ctx *module.Context, signer tx.Address, m *tx.MsgCertificateRegisterKind) error {
	if !k.roles.HasRole(ctx, signer, tx.RoleCertificateRegistrar) {
		return ErrNotRegistrar.Wrapf("%s", signer)
	}
	kv := k.kv(ctx)
	if old := k.kind(kv, m.ID); old != nil {
		return ErrKindExists.Wrapf("kind %q was registered at height %d for agency %s; a kind is immutable, register a new id", m.ID, old.Height, old.Agency)
	}
	c := counters(kv)
	a := k.agency(kv, m.Agency)
	switch {
	case a == nil:
		a = &Agency{Address: m.Agency, Status: tx.AgencyActive, StatusHeight: ctx.Height, StatusTime: ctx.Time, Kinds: []string{}, Keys: []tx.PubKey{}}
		c.Agencies++
	case a.Status == tx.AgencyRevoked:
		return ErrAgencyRevoked.Wrapf("agency %s was revoked at height %d; kind %q cannot name it", m.Agency, a.StatusHeight, m.ID)
	case uint64(len(a.Kinds)) >= uint64(params(kv).MaxKindsPerAgency):
		return ErrTooMany.Wrapf("agency %s has %d kinds, the maximum (params.max_kinds_per_agency)", m.Agency, len(a.Kinds))
	}
	a.Kinds = insertKind(a.Kinds, m.ID)
	kind := Kind{ID: m.ID, Name: m.Name, Agency: m.Agency, ValidityDays: m.ValidityDays, Fields: m.Fields, Height: ctx.Height, Time: ctx.Time}
	store.PutJSON(kv, kindKey(m.ID), kind)
	store.PutJSON(kv, agencyKey(m.Agency), a)
	c.Kinds++
	store.PutJSON(kv, countersKey, c)
	ctx.Emit("certificates.kind_registered", "kind", m.ID, "agency", m.Agency.String(),
		"validity_days", module.U64(uint64(m.ValidityDays)), "fields", fieldsString(m.Fields))
	return nil
}

// setAgencyStatus sets an agency's status; revoked is final.
func (k *Keeper) setAgencyStatus(ctx *module.Context, signer tx.Address, m *tx.MsgCertificateSetAgencyStatus) error {
	if !k.roles.HasRole(ctx, signer, tx.RoleCertificateRegistrar) {
		return ErrNotRegistrar.Wrapf("%s", signer)
	}
	kv := k.kv(ctx)
	a := k.agency(kv, m.Agency)
	switch {
	case a == nil:
		return ErrUnknownAgency.Wrapf("agency %s: no kind names it", m.Agency)
	case a.Status == tx.AgencyRevoked:
		return ErrAgencyRevoked.Wrapf("agency %s was revoked at height %d; its status is final", m.Agency, a.StatusHeight)
	}
	a.Status, a.Reason, a.StatusHeight, a.StatusTime = m.Status, m.Reason, ctx.Height, ctx.Time
	store.PutJSON(kv, agencyKey(m.Agency), a)
	ctx.Emit("certificates.agency_status_set", "agency", m.Agency.String(), "status", m.Status, "reason", m.Reason)
	return nil
}

// addKey records a new issuing key of the signer's agency.
func (k *Keeper) addKey(ctx *module.Context, signer tx.Address, m *tx.MsgCertificateAddKey) error {
	kv := k.kv(ctx)
	a := k.agency(kv, signer)
	switch {
	case a == nil:
		return ErrNotAgency.Wrapf("%s: no kind names it as its agency", signer)
	case a.Status == tx.AgencyRevoked:
		return ErrAgencyRevoked.Wrapf("agency %s was revoked at height %d", signer, a.StatusHeight)
	}
	if old := k.key(kv, m.Key); old != nil {
		return ErrKeyExists.Wrapf("key %s was added by agency %s at height %d", m.Key, old.Agency, old.FromHeight)
	}
	if uint64(len(a.Keys)) >= uint64(params(kv).MaxKeysPerAgency) {
		return ErrTooMany.Wrapf("agency %s has %d keys, the maximum (params.max_keys_per_agency)", signer, len(a.Keys))
	}
	a.Keys = insertKey(a.Keys, m.Key)
	store.PutJSON(kv, keyKey(m.Key), Key{Key: m.Key, Agency: signer, FromHeight: ctx.Height, FromTime: ctx.Time})
	store.PutJSON(kv, agencyKey(signer), a)
	c := counters(kv)
	c.Keys++
	store.PutJSON(kv, countersKey, c)
	ctx.Emit("certificates.key_added", "key", m.Key.String(), "agency", signer.String())
	return nil
}

// ownKey returns the key pub when signer is its agency.
func (k *Keeper) ownKey(kv store.KV, signer tx.Address, pub tx.PubKey) (*Key, error) {
	key := k.key(kv, pub)
	switch {
	case key == nil:
		return nil, ErrUnknownKey.Wrapf("key %s", pub)
	case key.Agency != signer:
		return nil, ErrNotKeyAgency.Wrapf("key %s belongs to agency %s, not %s", pub, key.Agency, signer)
	}
	return key, nil
}

// retireKey ends a key's issuance from this height.
func (k *Keeper) retireKey(ctx *module.Context, signer tx.Address, m *tx.MsgCertificateRetireKey) error {
	kv := k.kv(ctx)
	key, err := k.ownKey(kv, signer, m.Key)
	if err != nil {
		return err
	}
	switch {
	case key.RevokedHeight != 0:
		return ErrKeyRevoked.Wrapf("key %s was revoked at height %d", m.Key, key.RevokedHeight)
	case key.RetiredHeight != 0:
		return ErrKeyRetired.Wrapf("key %s was retired at height %d", m.Key, key.RetiredHeight)
	}
	key.RetiredHeight, key.RetiredTime = ctx.Height, ctx.Time
	store.PutJSON(kv, keyKey(m.Key), key)
	ctx.Emit("certificates.key_retired", "key", m.Key.String(), "agency", signer.String())
	return nil
}

// revokeKey declares a key compromised from a height, or moves an earlier
// declaration to an earlier height.
func (k *Keeper) revokeKey(ctx *module.Context, signer tx.Address, m *tx.MsgCertificateRevokeKey) error {
	kv := k.kv(ctx)
	key := k.key(kv, m.Key)
	if key == nil {
		return ErrUnknownKey.Wrapf("key %s", m.Key)
	}
	if key.Agency != signer && !k.roles.HasRole(ctx, signer, tx.RoleCertificateRegistrar) {
		return ErrNotKeyAgency.Wrapf("key %s belongs to agency %s; %s is neither it nor a certificate_registrar", m.Key, key.Agency, signer)
	}
	if m.CompromisedHeight < key.FromHeight || m.CompromisedHeight > ctx.Height {
		return ErrCompromisedRange.Wrapf("compromised_height %d: want from the key's from_height %d to the current height %d",
			m.CompromisedHeight, key.FromHeight, ctx.Height)
	}
	if key.RevokedHeight != 0 && m.CompromisedHeight >= key.CompromisedHeight {
		return ErrKeyRevoked.Wrapf("key %s is already compromised from height %d; a new revoke_key may only move compromised_height earlier, not to %d",
			m.Key, key.CompromisedHeight, m.CompromisedHeight)
	}
	key.CompromisedHeight, key.RevokedHeight, key.RevokedTime, key.RevokedBy = m.CompromisedHeight, ctx.Height, ctx.Time, signer
	store.PutJSON(kv, keyKey(m.Key), key)
	ctx.Emit("certificates.key_revoked", "key", m.Key.String(), "agency", key.Agency.String(),
		"compromised_height", strconv.FormatInt(m.CompromisedHeight, 10), "by", signer.String())
	return nil
}
