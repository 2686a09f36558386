package identity

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Facilities register no citizen: a facility's verifier checks a card
// holder's presentation against the facility's policy (kind, claims) and
// bars, read from here; a new facility, or a facility of a new kind,
// needs no transaction of any citizen and no change to the chain.

// agencyFacility returns facility id if signer is its agency.
func agencyFacility(kv store.KV, signer tx.Address, id string) (*Facility, error) {
	f := getFacility(kv, id)
	if f == nil {
		return nil, ErrUnknownFacility.Wrapf("facility %q is not registered", id)
	}
	if f.Agency != signer {
		return nil, ErrNotFacilityAgency.Wrapf("%s is not the agency of facility %q (%s is)", signer, id, f.Agency)
	}
	return f, nil
}

func (k *Keeper) registerFacility(ctx *module.Context, signer tx.Address, m *tx.MsgIdentityRegisterFacility) error {
	if !k.auth.HasRole(ctx, signer, tx.RoleFacilityRegistrar) {
		return ErrNotFacilityRegistrar.Wrapf("%s may not register facilities: only a %s may", signer, tx.RoleFacilityRegistrar)
	}
	kv := k.kv(ctx)
	if f := getFacility(kv, m.ID); f != nil {
		return ErrFacilityExists.Wrapf("facility %q was registered at height %d by %s", m.ID, f.RegisteredHeight, f.Agency)
	}
	f := &Facility{ID: m.ID, Name: m.Name, Kind: m.Kind, Claims: append([]string{}, m.Claims...), AcceptsTokens: m.AcceptsTokens,
		Agency: signer, RegisteredHeight: ctx.Height, RegisteredTime: ctx.Time}
	store.PutJSON(kv, facilityKey(f.ID), f)
	addKind(kv, f.Kind, +1)
	c := counters(kv)
	c.Facilities++
	putCounters(kv, c)
	ctx.Emit("identity.facility_registered", "facility", f.ID, "kind", f.Kind, "agency", signer.String())
	return nil
}

func (k *Keeper) updateFacility(ctx *module.Context, signer tx.Address, m *tx.MsgIdentityUpdateFacility) error {
	kv := k.kv(ctx)
	f, err := agencyFacility(kv, signer, m.ID)
	if err != nil {
		return err
	}
	if f.Kind != m.Kind {
		addKind(kv, f.Kind, -1)
		addKind(kv, m.Kind, +1)
	}
	f.Name, f.Kind, f.Claims, f.AcceptsTokens = m.Name, m.Kind, append([]string{}, m.Claims...), m.AcceptsTokens
	f.UpdatedHeight = ctx.Height
	store.PutJSON(kv, facilityKey(f.ID), f)
	ctx.Emit("identity.facility_updated", "facility", f.ID, "kind", f.Kind, "agency", signer.String())
	return nil
}

func (k *Keeper) bar(ctx *module.Context, signer tx.Address, m *tx.MsgIdentityBar) error {
	kv := k.kv(ctx)
	if _, err := agencyFacility(kv, signer, m.Facility); err != nil {
		return err
	}
	until := m.Until.UTC()
	if !m.Until.IsZero() && !until.After(ctx.Time) {
		return ErrBarPast.Wrapf("until %s: not after the block time %s (leave it out to bar until unbarred)", formatTime(until), formatTime(ctx.Time))
	}
	if m.Until.IsZero() {
		until = m.Until
	}
	if getBar(kv, m.Facility, m.Pseudonym) == nil {
		c := counters(kv)
		c.Bars++
		putCounters(kv, c)
	}
	b := &Bar{Facility: m.Facility, Pseudonym: m.Pseudonym, Until: until, Reason: m.Reason, By: signer, Height: ctx.Height, Time: ctx.Time}
	store.PutJSON(kv, barKey(b.Facility, b.Pseudonym), b)
	u := ""
	if !until.IsZero() {
		u = formatTime(until)
	}
	ctx.Emit("identity.barred", "facility", b.Facility, "pseudonym", b.Pseudonym.String(), "until", u, "by", signer.String())
	return nil
}

func (k *Keeper) unbar(ctx *module.Context, signer tx.Address, m *tx.MsgIdentityUnbar) error {
	kv := k.kv(ctx)
	if _, err := agencyFacility(kv, signer, m.Facility); err != nil {
		return err
	}
	if getBar(kv, m.Facility, m.Pseudonym) == nil {
		return ErrNotBarred.Wrapf("pseudonym %s is not barred from facility %q", m.Pseudonym, m.Facility)
	}
	kv.Delete(barKey(m.Facility, m.Pseudonym))
	c := counters(kv)
	c.Bars--
	putCounters(kv, c)
	ctx.Emit("identity.unbarred", "facility", m.Facility, "pseudonym", m.Pseudonym.String(), "by", signer.String())
	return nil
}
