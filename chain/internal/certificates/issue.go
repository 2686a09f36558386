package certificates

import (
	"time"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// day is the unit of a kind's validity_days.
const day = 24 * time.Hour

// expiry is when a certificate of a kind valid for days, anchored at t,
// expires; zero for no expiry. validity_days is at most
// tx.MaxCertificateValidity, far inside time.Duration's range.
func expiry(t time.Time, days uint32) time.Time {
	if days == 0 {
		return time.Time{}
	}
	return t.Add(time.Duration(days) * day)
}

// issue anchors a batch of certificates: its cost is a handful of reads
// and three writes, whatever the batch's count.
func (k *Keeper) issue(ctx *module.Context, signer tx.Address, m *tx.MsgCertificateIssue) error {
	kv := k.kv(ctx)
	kind := k.kind(kv, m.Kind)
	if kind == nil {
		return ErrUnknownKind.Wrapf("kind %q", m.Kind)
	}
	if kind.Agency != signer {
		return ErrNotKindAgency.Wrapf("kind %q is issued by agency %s, not %s", m.Kind, kind.Agency, signer)
	}
	switch a := k.agency(kv, signer); {
	case a == nil:
		return module.ErrInternal.Wrapf("kind %q names agency %s, which has no record", m.Kind, signer)
	case a.Status == tx.AgencyRevoked:
		return ErrAgencyRevoked.Wrapf("agency %s was revoked at height %d", signer, a.StatusHeight)
	case a.Status != tx.AgencyActive:
		return ErrAgencyNotActive.Wrapf("agency %s is %s since height %d: %s", signer, a.Status, a.StatusHeight, a.Reason)
	}
	key, err := k.ownKey(kv, signer, m.Key)
	if err != nil {
		return err
	}
	switch {
	case key.RevokedHeight != 0:
		return ErrKeyRevoked.Wrapf("key %s was revoked at height %d (compromised from height %d)", m.Key, key.RevokedHeight, key.CompromisedHeight)
	case key.RetiredHeight != 0:
		return ErrKeyRetired.Wrapf("key %s was retired at height %d", m.Key, key.RetiredHeight)
	}
	c := counters(kv)
	an := Anchor{ID: c.NextAnchor, Kind: m.Kind, Agency: signer, Key: m.Key, Root: m.Root, Count: m.Count,
		Height: ctx.Height, Time: ctx.Time, Expires: expiry(ctx.Time, kind.ValidityDays)}
	store.PutJSON(kv, anchorKey(an.ID), an)
	kv.Set(kindAnchorKey(an.Kind, an.ID), []byte{1})
	c.NextAnchor++
	c.Anchors++
	c.Certificates += uint64(m.Count)
	store.PutJSON(kv, countersKey, c)
	expires := ""
	if !an.Expires.IsZero() {
		expires = an.Expires.UTC().Format(time.RFC3339)
	}
	ctx.Emit("certificates.issued", "id", module.U64(an.ID), "kind", an.Kind, "agency", signer.String(), "key", m.Key.String(),
		"root", m.Root.String(), "count", module.U64(uint64(m.Count)), "expires", expires)
	return nil
}

// revoke records the revocation of one certificate of an anchor, proven by
// its Merkle path.
func (k *Keeper) revoke(ctx *module.Context, signer tx.Address, m *tx.MsgCertificateRevoke) error {
	kv := k.kv(ctx)
	an := k.anchor(kv, m.Anchor)
	if an == nil {
		return ErrUnknownAnchor.Wrapf("anchor %d", m.Anchor)
	}
	if an.Agency != signer && !k.roles.HasRole(ctx, signer, tx.RoleCertificateRegistrar) {
		return ErrNotAnchorAgency.Wrapf("anchor %d was issued by agency %s; %s is neither it nor a certificate_registrar", m.Anchor, an.Agency, signer)
	}
	if m.Index >= uint64(an.Count) {
		return ErrBadPath.Wrapf("index %d: anchor %d holds %d certificates (indices 0 to %d)", m.Index, m.Anchor, an.Count, an.Count-1)
	}
	if !tx.VerifyMerklePath(an.Root, m.Leaf[:], m.Index, uint64(an.Count), m.Path) {
		return ErrBadPath.Wrapf("leaf %s at index %d with a path of %d hashes does not lead to anchor %d's root %s", m.Leaf, m.Index, len(m.Path), m.Anchor, an.Root)
	}
	if old := k.Revocation(ctx, m.Leaf); old != nil {
		return ErrAlreadyRevoked.Wrapf("leaf %s was revoked at height %d: %s", m.Leaf, old.Height, old.Reason)
	}
	store.PutJSON(kv, revocationKey(m.Leaf), Revocation{Leaf: m.Leaf, Anchor: m.Anchor, Index: m.Index, Height: ctx.Height,
		Time: ctx.Time, Reason: m.Reason, By: signer})
	c := counters(kv)
	c.Revocations++
	store.PutJSON(kv, countersKey, c)
	ctx.Emit("certificates.revoked", "leaf", m.Leaf.String(), "anchor", module.U64(m.Anchor), "index", module.U64(m.Index),
		"agency", an.Agency.String(), "by", signer.String(), "reason", m.Reason)
	return nil
}
