package identity

import (
	"bytes"
	"slices"
	"strconv"
	"time"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// load returns identity id, or ErrUnknown.
func load(kv store.KV, id tx.Address) (*Identity, error) {
	v := getIdentity(kv, id)
	if v == nil {
		return nil, ErrUnknown.Wrapf("identity %s is not registered", id)
	}
	return v, nil
}

// requireOffice returns ErrNotOffice unless signer is a registration
// office; what says what it may not do.
func (k *Keeper) requireOffice(ctx *module.Context, signer tx.Address, what string) error {
	if !k.isOffice(ctx, signer) {
		return ErrNotOffice.Wrapf("%s may not %s: only a %s may", signer, what, tx.RoleRegistrationOffice)
	}
	return nil
}

// deviceOrOffice checks who changes identity v: a registration office
// while v is not revoked, or a device key of v in use while v is active
// (a suspended identity is changed by an office only: whoever holds a
// lost phone may not act for its owner).
func (k *Keeper) deviceOrOffice(ctx *module.Context, signer tx.Address, v *Identity) error {
	if v.Status == tx.IdentityRevoked {
		return ErrRevoked.Wrapf("identity %s was revoked at height %d", v.ID, v.StatusHeight)
	}
	if k.isOffice(ctx, signer) {
		return nil
	}
	if v.KeyInUse(signer) < 0 {
		return ErrNotAuthorised.Wrapf("%s is neither a device key of identity %s in use nor a %s", signer, v.ID, tx.RoleRegistrationOffice)
	}
	if v.Status != tx.IdentityActive {
		return ErrNotActive.Wrapf("identity %s is %s: only a %s may change it", v.ID, v.Status, tx.RoleRegistrationOffice)
	}
	return nil
}

// checkCardList checks a card list: an existing suspension list and, for
// a new identity (office), one a registration office owns (so a card's
// suspension never sets the bits of an issuer's eligibility lists).
func (k *Keeper) checkCardList(ctx *module.Context, list string, office bool) error {
	l, ok := k.lists.List(ctx, list)
	switch {
	case !ok:
		return ErrBadCardList.Wrapf("card_list %q: no such status list (credentials/create_list it first)", list)
	case l.Purpose != tx.StatusSuspension:
		return ErrBadCardList.Wrapf("card_list %q: a %s list, want a %s list", list, l.Purpose, tx.StatusSuspension)
	case office && !k.auth.HasRole(ctx, l.Owner, tx.RoleRegistrationOffice):
		return ErrBadCardList.Wrapf("card_list %q: its owner %s is not a %s", list, l.Owner, tx.RoleRegistrationOffice)
	}
	return nil
}

// checkCopies checks the commitments add of new copies of v, which keeps
// kept of its own: within the maximum, and none already recorded (an old
// copy's bit may be set: it is never issued again).
func checkCopies(v *Identity, kept int, p Params, add []tx.Hash32) error {
	if n := kept + len(add); n > int(p.MaxCardCopies) {
		return ErrTooManyCopies.Wrapf("identity %s would hold %d card-copy commitments, the maximum is %d", v.ID, n, p.MaxCardCopies)
	}
	for i, c := range add {
		if slices.Contains(v.Commitments, c) {
			return ErrDuplicateCommitment.Wrapf("commitments[%d]: %s is already recorded for identity %s", i, c, v.ID)
		}
	}
	return nil
}

func (k *Keeper) register(ctx *module.Context, signer tx.Address, m *tx.MsgIdentityRegister) error {
	if err := k.requireOffice(ctx, signer, "register identities"); err != nil {
		return err
	}
	kv := k.kv(ctx)
	id := m.DeviceKey.Address()
	if v := getIdentity(kv, id); v != nil {
		return ErrExists.Wrapf("identity %s (device key %s) was registered at height %d", id, m.DeviceKey, v.RegisteredHeight)
	}
	if owner, used := k.IdentityOfKey(ctx, id); used {
		return ErrKeyUsed.Wrapf("device_key %s was added to identity %s", m.DeviceKey, owner)
	}
	if err := k.checkCardList(ctx, m.CardList, true); err != nil {
		return err
	}
	v := &Identity{
		ID:     id,
		Keys:   []IdentityKey{{Key: m.DeviceKey, AddedHeight: ctx.Height, AddedTime: ctx.Time}},
		Status: tx.IdentityActive, StatusHeight: ctx.Height, StatusTime: ctx.Time,
		Office: signer, RegisteredHeight: ctx.Height, RegisteredTime: ctx.Time,
		CardList: m.CardList, Commitments: []tx.Hash32{},
	}
	if err := checkCopies(v, 0, k.Params(ctx), m.Commitments); err != nil {
		return err
	}
	v.Commitments = append(v.Commitments, m.Commitments...)
	putIdentity(kv, v)
	kv.Set(keyIndexKey(id), id[:])
	c := counters(kv)
	c.Identities++
	c.Active++
	putCounters(kv, c)
	// The citizen signs suspend and add_device with the device key.
	k.auth.EnsureAccount(ctx, id)
	ctx.Emit("identity.registered", "id", id.String(), "office", signer.String(), "card_list", m.CardList,
		"copies", strconv.Itoa(len(m.Commitments)))
	return nil
}

func (k *Keeper) addDevice(ctx *module.Context, signer tx.Address, m *tx.MsgIdentityAddDevice) error {
	kv := k.kv(ctx)
	v, err := load(kv, m.ID)
	if err != nil {
		return err
	}
	if err := k.deviceOrOffice(ctx, signer, v); err != nil {
		return err
	}
	if !tx.VerifyAddDevicePoP(ctx.ChainID, m.ID, m.Key, m.PoP) {
		return ErrBadPoP.Wrapf("pop: not key %s's signature of the add_device message for identity %s on chain %s", m.Key, m.ID, ctx.ChainID)
	}
	addr := m.Key.Address()
	if owner, used := k.IdentityOfKey(ctx, addr); used {
		return ErrKeyUsed.Wrapf("key %s (account %s) was added to identity %s", m.Key, addr, owner)
	}
	if n, max := v.ActiveKeys(), int(k.Params(ctx).MaxDeviceKeys); n >= max {
		return ErrTooManyKeys.Wrapf("identity %s has %d device keys in use, the maximum is %d (remove one first)", v.ID, n, max)
	}
	if len(v.Keys) >= tx.MaxDeviceKeyHistory {
		return ErrTooManyKeys.Wrapf("identity %s has had %d device keys, the most its record keeps", v.ID, len(v.Keys))
	}
	v.Keys = append(v.Keys, IdentityKey{Key: m.Key, AddedHeight: ctx.Height, AddedTime: ctx.Time})
	putIdentity(kv, v)
	kv.Set(keyIndexKey(addr), v.ID[:])
	k.auth.EnsureAccount(ctx, addr)
	ctx.Emit("identity.device_added", "id", v.ID.String(), "key", m.Key.String(), "by", signer.String())
	return nil
}

func (k *Keeper) removeDevice(ctx *module.Context, signer tx.Address, m *tx.MsgIdentityRemoveDevice) error {
	kv := k.kv(ctx)
	v, err := load(kv, m.ID)
	if err != nil {
		return err
	}
	if err := k.deviceOrOffice(ctx, signer, v); err != nil {
		return err
	}
	i := slices.IndexFunc(v.Keys, func(dk IdentityKey) bool { return dk.RemovedHeight == 0 && bytes.Equal(dk.Key, m.Key) })
	if i < 0 {
		return ErrUnknownKey.Wrapf("key %s is not a device key of identity %s in use", m.Key, v.ID)
	}
	if v.ActiveKeys() == 1 {
		return ErrLastKey.Wrapf("key %s is identity %s's last device key in use; add another first", m.Key, v.ID)
	}
	v.Keys[i].RemovedHeight = ctx.Height
	putIdentity(kv, v)
	ctx.Emit("identity.device_removed", "id", v.ID.String(), "key", m.Key.String(), "by", signer.String())
	return nil
}

func (k *Keeper) addCardCopies(ctx *module.Context, signer tx.Address, m *tx.MsgIdentityAddCardCopies) error {
	if err := k.requireOffice(ctx, signer, "add card copies"); err != nil {
		return err
	}
	kv := k.kv(ctx)
	v, err := load(kv, m.ID)
	if err != nil {
		return err
	}
	switch v.Status {
	case tx.IdentityRevoked:
		return ErrRevoked.Wrapf("identity %s was revoked at height %d", v.ID, v.StatusHeight)
	case tx.IdentitySuspended:
		return ErrNotActive.Wrapf("identity %s is suspended: reinstate it with the new copies", v.ID)
	}
	if err := checkCopies(v, len(v.Commitments), k.Params(ctx), m.Commitments); err != nil {
		return err
	}
	v.Commitments = append(v.Commitments, m.Commitments...)
	putIdentity(kv, v)
	ctx.Emit("identity.card_copies_added", "id", v.ID.String(), "copies", strconv.Itoa(len(m.Commitments)),
		"total", strconv.Itoa(len(v.Commitments)), "by", signer.String())
	return nil
}

// reveal opens every unrevealed commitment of v with rs (refusing an
// opening that matches none and a reveal that leaves one unopened) and
// sets each opened copy's bit in v's card list, in the commitments'
// order. A copy whose index is beyond the list's size has no bit (no
// verifier accepts it): it is skipped, so that an office's wrong
// commitment never blocks a suspension. It returns how many bits it set
// and how many copies it skipped.
func (k *Keeper) reveal(ctx *module.Context, v *Identity, rs []tx.CardReveal) (set, skipped int, err error) {
	open := v.Commitments[v.Revealed:]
	of := make(map[tx.Hash32]int, len(rs)) // commitment -> reveal; lookups only
	for i, r := range rs {
		c := r.Commitment(v.CardList)
		if !slices.Contains(open, c) {
			return 0, 0, ErrRevealMismatch.Wrapf("reveal[%d] (idx %d): opens no unrevealed commitment of identity %s in %s (wrong idx or salt, or already revealed)",
				i, r.Idx, v.ID, v.CardList)
		}
		of[c] = i
	}
	if len(of) < len(open) {
		return 0, 0, ErrRevealIncomplete.Wrapf("identity %s has %d unrevealed card copies, the reveal opens %d: every copy must be opened",
			v.ID, len(open), len(of))
	}
	l, ok := k.lists.List(ctx, v.CardList)
	for _, c := range open {
		idx := rs[of[c]].Idx
		if ok && idx >= l.Size {
			skipped++
			continue
		}
		if err := k.lists.SetCardStatus(ctx, v.CardList, idx, true); err != nil {
			return 0, 0, err
		}
		set++
	}
	v.Revealed = uint32(len(v.Commitments))
	return set, skipped, nil
}

// setStatus moves v to status at the block and counts it.
func setStatus(ctx *module.Context, kv store.KV, v *Identity, status string) {
	c := counters(kv)
	*c.status(v.Status)--
	*c.status(status)++
	putCounters(kv, c)
	v.Status, v.StatusHeight, v.StatusTime = status, ctx.Height, ctx.Time
	putIdentity(kv, v)
}

func (k *Keeper) suspend(ctx *module.Context, signer tx.Address, m *tx.MsgIdentitySuspend) error {
	kv := k.kv(ctx)
	v, err := load(kv, m.ID)
	if err != nil {
		return err
	}
	if err := k.deviceOrOffice(ctx, signer, v); err != nil {
		return err
	}
	if v.Status != tx.IdentityActive {
		return ErrNotActive.Wrapf("identity %s is already %s (since height %d)", v.ID, v.Status, v.StatusHeight)
	}
	set, skipped, err := k.reveal(ctx, v, m.Reveal)
	if err != nil {
		return err
	}
	setStatus(ctx, kv, v, tx.IdentitySuspended)
	ctx.Emit("identity.suspended", "id", v.ID.String(), "by", signer.String(), "reason", m.Reason,
		"bits_set", strconv.Itoa(set), "skipped", strconv.Itoa(skipped))
	return nil
}

func (k *Keeper) reinstate(ctx *module.Context, signer tx.Address, m *tx.MsgIdentityReinstate) error {
	if err := k.requireOffice(ctx, signer, "reinstate identities"); err != nil {
		return err
	}
	kv := k.kv(ctx)
	v, err := load(kv, m.ID)
	if err != nil {
		return err
	}
	switch v.Status {
	case tx.IdentityRevoked:
		return ErrRevoked.Wrapf("identity %s was revoked at height %d; revocation is final", v.ID, v.StatusHeight)
	case tx.IdentityActive:
		return ErrNotSuspended.Wrapf("identity %s is active", v.ID)
	}
	// The new copies replace the old, whose bits stay set.
	if err := checkCopies(v, 0, k.Params(ctx), m.Commitments); err != nil {
		return err
	}
	v.Commitments, v.Revealed = append([]tx.Hash32{}, m.Commitments...), 0
	setStatus(ctx, kv, v, tx.IdentityActive)
	ctx.Emit("identity.reinstated", "id", v.ID.String(), "by", signer.String(), "copies", strconv.Itoa(len(m.Commitments)))
	return nil
}

func (k *Keeper) revoke(ctx *module.Context, signer tx.Address, m *tx.MsgIdentityRevoke) error {
	if err := k.requireOffice(ctx, signer, "revoke identities"); err != nil {
		return err
	}
	kv := k.kv(ctx)
	v, err := load(kv, m.ID)
	if err != nil {
		return err
	}
	if v.Status == tx.IdentityRevoked {
		return ErrRevoked.Wrapf("identity %s was revoked at height %d", v.ID, v.StatusHeight)
	}
	set, skipped, err := k.reveal(ctx, v, m.Reveal)
	if err != nil {
		return err
	}
	setStatus(ctx, kv, v, tx.IdentityRevoked)
	ctx.Emit("identity.revoked", "id", v.ID.String(), "by", signer.String(), "reason", m.Reason,
		"bits_set", strconv.Itoa(set), "skipped", strconv.Itoa(skipped))
	return nil
}
