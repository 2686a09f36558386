package identity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// DefaultParams: 8 device keys in use and 64 card copies per identity, the
// most the messages allow.
func DefaultParams() Params {
	return Params{MaxDeviceKeys: tx.MaxDeviceKeys, MaxCardCopies: tx.MaxCardCopies}
}

// validateParams checks the parameters' bounds.
func validateParams(p Params) error {
	if p.MaxDeviceKeys == 0 || p.MaxDeviceKeys > tx.MaxDeviceKeys {
		return fmt.Errorf("params.max_device_keys %d: want 1 to %d", p.MaxDeviceKeys, tx.MaxDeviceKeys)
	}
	if p.MaxCardCopies == 0 || p.MaxCardCopies > tx.MaxCardCopies {
		return fmt.Errorf("params.max_card_copies %d: want 1 to %d", p.MaxCardCopies, tx.MaxCardCopies)
	}
	return nil
}

// Genesis is the module's genesis section. A new chain needs none: the
// parameters default (DefaultParams) and identities, facilities and bars
// are created by transactions; a section with no field writes nothing.
// The record lists carry a running chain's state, as ExportGenesis
// writes it, in store key order; the device-key index, the counters and
// the facilities-by-kind counts are rebuilt from them.
type Genesis struct {
	// Params, when set, are stored; absent, the defaults apply.
	Params     *Params    `json:"params,omitempty"`
	Identities []Identity `json:"identities,omitempty"`
	Facilities []Facility `json:"facilities,omitempty"`
	Bars       []Bar      `json:"bars,omitempty"`
}

// InitGenesis implements module.Module. No section (or an empty one)
// writes nothing.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	var g Genesis
	if len(raw) > 0 && string(raw) != "null" {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&g); err != nil {
			return ErrInvalidGenesis.Wrapf("%v", err)
		}
	}
	p := DefaultParams()
	if g.Params != nil {
		if err := validateParams(*g.Params); err != nil {
			return ErrInvalidGenesis.Wrapf("%v", err)
		}
		p = *g.Params
	}
	if err := k.checkState(ctx, &g, p); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	kv := k.kv(ctx)
	if g.Params != nil {
		store.PutJSON(kv, paramsKey, g.Params)
	}
	writeState(kv, &g)
	for i := range g.Identities {
		for _, dk := range g.Identities[i].Keys {
			k.auth.EnsureAccount(ctx, dk.Key.Address())
		}
	}
	return nil
}

// writeState writes a section's records and what is derived from them:
// the device-key index, the counters and the facilities by kind.
func writeState(kv store.KV, g *Genesis) {
	var c Counters
	for i := range g.Identities {
		v := &g.Identities[i]
		putIdentity(kv, v)
		for _, dk := range v.Keys {
			kv.Set(keyIndexKey(dk.Key.Address()), v.ID[:])
		}
		c.Identities++
		*c.status(v.Status)++
	}
	for i := range g.Facilities {
		f := &g.Facilities[i]
		store.PutJSON(kv, facilityKey(f.ID), f)
		addKind(kv, f.Kind, +1)
		c.Facilities++
	}
	for i := range g.Bars {
		b := &g.Bars[i]
		store.PutJSON(kv, barKey(b.Facility, b.Pseudonym), b)
		c.Bars++
	}
	if c.Identities > 0 || c.Facilities > 0 {
		putCounters(kv, c)
	}
}

// checkState checks a section's records: each list in key order without
// duplicates; each identity's id the address of its first key, its keys
// valid and in no other identity, at least one and at most max_device_keys
// in use, its status known and a suspended or revoked identity's
// commitments all revealed, its card list an existing suspension list;
// each facility valid; each bar of a registered facility. It returns the
// first problem, naming the field and the value.
func (k *Keeper) checkState(ctx *module.Context, g *Genesis, p Params) error {
	owner := map[tx.Address]tx.Address{} // key address -> identity; lookups only
	for i := range g.Identities {
		v := &g.Identities[i]
		f := fmt.Sprintf("identities[%d]", i)
		if err := checkIdentity(v, p); err != nil {
			return fmt.Errorf("%s (%s): %w", f, v.ID, err)
		}
		if i > 0 && bytes.Compare(v.ID[:], g.Identities[i-1].ID[:]) <= 0 {
			return fmt.Errorf("%s.id: %s, want after the previous identity's %s (ascending, unique)", f, v.ID, g.Identities[i-1].ID)
		}
		for j, dk := range v.Keys {
			a := dk.Key.Address()
			if other, dup := owner[a]; dup {
				return fmt.Errorf("%s.keys[%d]: key %s is also a key of identity %s", f, j, dk.Key, other)
			}
			owner[a] = v.ID
		}
		if err := k.checkCardList(ctx, v.CardList, false); err != nil {
			return fmt.Errorf("%s.card_list: %w", f, err)
		}
	}
	facilities := map[string]bool{} // lookups only
	for i := range g.Facilities {
		fa := &g.Facilities[i]
		f := fmt.Sprintf("facilities[%d]", i)
		if err := (&tx.MsgIdentityRegisterFacility{ID: fa.ID, Name: fa.Name, Kind: fa.Kind, Claims: fa.Claims}).ValidateBasic(); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		switch {
		case i > 0 && fa.ID <= g.Facilities[i-1].ID:
			return fmt.Errorf("%s.id: %q, want after the previous facility's %q (ascending, unique)", f, fa.ID, g.Facilities[i-1].ID)
		case fa.Agency.IsZero():
			return fmt.Errorf("%s.agency: want the facility's agency, got none", f)
		case fa.Claims == nil:
			return fmt.Errorf("%s.claims: want a list (empty for none), got null", f)
		}
		facilities[fa.ID] = true
	}
	for i := range g.Bars {
		b := &g.Bars[i]
		f := fmt.Sprintf("bars[%d]", i)
		if err := (&tx.MsgIdentityBar{Facility: b.Facility, Pseudonym: b.Pseudonym, Reason: b.Reason}).ValidateBasic(); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if !facilities[b.Facility] {
			return fmt.Errorf("%s.facility: %q is not in facilities", f, b.Facility)
		}
		if i > 0 && bytes.Compare(barKey(b.Facility, b.Pseudonym), barKey(g.Bars[i-1].Facility, g.Bars[i-1].Pseudonym)) <= 0 {
			return fmt.Errorf("%s: facility %q pseudonym %s, want after the previous bar (in facility, then pseudonym order, unique)", f, b.Facility, b.Pseudonym)
		}
	}
	return nil
}

// checkIdentity checks one identity record on its own.
func checkIdentity(v *Identity, p Params) error {
	if len(v.Keys) == 0 {
		return fmt.Errorf("keys: want at least the first device key, got none")
	}
	if v.Keys[0].Key.Address() != v.ID {
		return fmt.Errorf("id: want the address of the first device key %s (%s)", v.Keys[0].Key, v.Keys[0].Key.Address())
	}
	if len(v.Keys) > tx.MaxDeviceKeyHistory {
		return fmt.Errorf("keys: %d, want at most %d", len(v.Keys), tx.MaxDeviceKeyHistory)
	}
	for j, dk := range v.Keys {
		if err := tx.ValidatePubKey(fmt.Sprintf("keys[%d].key", j), dk.Key); err != nil {
			return err
		}
		if slices.ContainsFunc(v.Keys[:j], func(o IdentityKey) bool { return bytes.Equal(o.Key, dk.Key) }) {
			return fmt.Errorf("keys[%d]: key %s listed twice", j, dk.Key)
		}
	}
	if n := v.ActiveKeys(); n == 0 || n > int(p.MaxDeviceKeys) {
		return fmt.Errorf("keys: %d in use, want 1 to %d", n, p.MaxDeviceKeys)
	}
	switch v.Status {
	case tx.IdentityActive, tx.IdentitySuspended, tx.IdentityRevoked:
	default:
		return fmt.Errorf("status %q: want %s", v.Status, strings.Join([]string{tx.IdentityActive, tx.IdentitySuspended, tx.IdentityRevoked}, ", "))
	}
	if v.Office.IsZero() {
		return fmt.Errorf("office: want the registering office, got none")
	}
	if err := (&tx.MsgIdentityRegister{DeviceKey: v.Keys[0].Key, CardList: v.CardList, Commitments: v.Commitments}).ValidateBasic(); err != nil {
		return err
	}
	switch n := uint32(len(v.Commitments)); {
	case v.Commitments == nil:
		return fmt.Errorf("commitments: want a list (empty for none), got null")
	case n > p.MaxCardCopies:
		return fmt.Errorf("commitments: %d, want at most %d", n, p.MaxCardCopies)
	case v.Revealed > n:
		return fmt.Errorf("revealed %d: more than the %d commitments", v.Revealed, n)
	case v.Status != tx.IdentityActive && v.Revealed != n:
		return fmt.Errorf("revealed %d: a %s identity has all its %d commitments revealed", v.Revealed, v.Status, n)
	}
	return nil
}
