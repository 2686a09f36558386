package certificates

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Parameter bounds, checked at genesis by ValidateParams.
const (
	// MaxMaxKeysPerAgency bounds the keys of an agency record, which lists
	// them (and so its size: every key change rewrites it).
	MaxMaxKeysPerAgency = 4096
	// MaxMaxKindsPerAgency bounds the kinds an agency record lists.
	MaxMaxKindsPerAgency = 1024
)

// DefaultParams: 256 keys per agency (decades of yearly rotation), 64
// kinds per agency.
func DefaultParams() Params { return Params{MaxKeysPerAgency: 256, MaxKindsPerAgency: 64} }

// ValidateParams checks the parameters' bounds.
func ValidateParams(p Params) error {
	if p.MaxKeysPerAgency == 0 || p.MaxKeysPerAgency > MaxMaxKeysPerAgency {
		return ErrInvalidGenesis.Wrapf("params.max_keys_per_agency %d: want 1 to %d", p.MaxKeysPerAgency, MaxMaxKeysPerAgency)
	}
	if p.MaxKindsPerAgency == 0 || p.MaxKindsPerAgency > MaxMaxKindsPerAgency {
		return ErrInvalidGenesis.Wrapf("params.max_kinds_per_agency %d: want 1 to %d", p.MaxKindsPerAgency, MaxMaxKindsPerAgency)
	}
	return nil
}

// Genesis is the module's genesis section. A new chain sets Params and,
// optionally, Kinds (a devnet registers tx.DevnetKinds). The other fields
// carry a running chain's state, as ExportGenesis writes it. Every list is
// in store key order: kinds by id, agencies by address, keys by their
// bytes, anchors by id, revocations by leaf.
type Genesis struct {
	// Params, when set, are written to state; absent, nothing is written
	// and the defaults apply (a chain started without a section and
	// exported has none).
	Params *Params `json:"params,omitempty"`
	// Kinds are the registered kinds; height 0 for one given at genesis.
	Kinds []Kind `json:"kinds,omitempty"`
	// Agencies are the agencies' statuses. An agency a kind names but the
	// list leaves out is active from genesis. Their kinds and keys lists
	// are rebuilt from Kinds and Keys.
	Agencies []GenesisAgency `json:"agencies,omitempty"`
	// Keys are the agencies' issuing keys with their history.
	Keys []Key `json:"keys,omitempty"`
	// Anchors are the issuance anchors. The per-kind index is rebuilt
	// from them.
	Anchors []Anchor `json:"anchors,omitempty"`
	// Revocations are the certificates' revocations.
	Revocations []Revocation `json:"revocations,omitempty"`
	// NextAnchor is the id of the next anchor (0: one past the last of
	// Anchors). The other counts are recomputed from the records.
	NextAnchor uint64 `json:"next_anchor,omitempty"`
}

// GenesisAgency is an agency's status in a genesis section.
type GenesisAgency struct {
	Address      tx.Address `json:"address"`
	Status       string     `json:"status"`
	Reason       string     `json:"reason,omitempty"`
	StatusHeight int64      `json:"status_height"`
	StatusTime   time.Time  `json:"status_time,omitzero"`
}

// DefaultGenesis returns the default genesis section: the default
// parameters and nothing registered.
func DefaultGenesis() Genesis {
	p := DefaultParams()
	return Genesis{Params: &p}
}

// InitGenesis implements module.Module. An absent section writes nothing:
// the parameters then read as their defaults. A section writes its
// parameters (when it has them), its records, the indexes derived from
// them (each agency's kinds and keys, each kind's anchors) and, when it
// registers a kind, the counters.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	p := DefaultParams()
	if g.Params != nil {
		if err := ValidateParams(*g.Params); err != nil {
			return err
		}
		p = *g.Params
	}
	st, err := checkState(&g, p)
	if err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	kv := k.kv(ctx)
	if g.Params != nil {
		store.PutJSON(kv, paramsKey, g.Params)
	}
	for i := range g.Kinds {
		store.PutJSON(kv, kindKey(g.Kinds[i].ID), &g.Kinds[i])
	}
	for _, a := range st.agencies {
		store.PutJSON(kv, agencyKey(a.Address), a)
	}
	for i := range g.Keys {
		store.PutJSON(kv, keyKey(g.Keys[i].Key), &g.Keys[i])
	}
	for i := range g.Anchors {
		a := &g.Anchors[i]
		store.PutJSON(kv, anchorKey(a.ID), a)
		kv.Set(kindAnchorKey(a.Kind, a.ID), []byte{1})
	}
	for i := range g.Revocations {
		store.PutJSON(kv, revocationKey(g.Revocations[i].Leaf), &g.Revocations[i])
	}
	if len(g.Kinds) > 0 {
		store.PutJSON(kv, countersKey, st.counters)
	}
	return nil
}

// genesisState is what checkState derives from a section.
type genesisState struct {
	// agencies are the agency records in address order.
	agencies []*Agency
	counters Counters
}

// checkState checks a section's records against each other and derives
// the agency records and the counters. It returns the first problem,
// naming the field and the value.
func checkState(g *Genesis, p Params) (*genesisState, error) {
	st := &genesisState{counters: Counters{NextAnchor: 1}}
	kinds := make(map[string]*Kind, len(g.Kinds))          // lookups only
	agencies := make(map[tx.Address]*Agency, len(g.Kinds)) // lookups only
	var order []tx.Address                                 // agencies, in order of first use
	for i := range g.Kinds {
		kd := &g.Kinds[i]
		f := fmt.Sprintf("kinds[%d]", i)
		msg := tx.MsgCertificateRegisterKind{ID: kd.ID, Name: kd.Name, Agency: kd.Agency, ValidityDays: kd.ValidityDays, Fields: kd.Fields}
		if err := msg.ValidateBasic(); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if i > 0 && kd.ID <= g.Kinds[i-1].ID {
			return nil, fmt.Errorf("%s.id: %q, want after the previous kind's %q (ascending, unique)", f, kd.ID, g.Kinds[i-1].ID)
		}
		if kd.Height < 0 {
			return nil, fmt.Errorf("%s.height: %d, want 0 (genesis) or a block height", f, kd.Height)
		}
		kinds[kd.ID] = kd
		a := agencies[kd.Agency]
		if a == nil {
			a = &Agency{Address: kd.Agency, Status: tx.AgencyActive, Kinds: []string{}, Keys: []tx.PubKey{}}
			agencies[kd.Agency] = a
			order = append(order, kd.Agency)
		}
		if uint64(len(a.Kinds)) >= uint64(p.MaxKindsPerAgency) {
			return nil, fmt.Errorf("%s: agency %s has more than params.max_kinds_per_agency %d kinds", f, kd.Agency, p.MaxKindsPerAgency)
		}
		a.Kinds = append(a.Kinds, kd.ID) // kinds are in id order
	}
	for i := range g.Agencies {
		ga := &g.Agencies[i]
		f := fmt.Sprintf("agencies[%d]", i)
		a := agencies[ga.Address]
		switch {
		case i > 0 && bytes.Compare(ga.Address[:], g.Agencies[i-1].Address[:]) <= 0:
			return nil, fmt.Errorf("%s.address: %s, want after the previous agency's %s (ascending, unique)", f, ga.Address, g.Agencies[i-1].Address)
		case a == nil:
			return nil, fmt.Errorf("%s.address: %s is the agency of no kind in kinds", f, ga.Address)
		case ga.StatusHeight < 0:
			return nil, fmt.Errorf("%s.status_height: %d, want 0 (genesis) or a block height", f, ga.StatusHeight)
		case len(ga.Reason) > tx.MaxCertificateReason:
			return nil, fmt.Errorf("%s.reason: %d bytes, want at most %d", f, len(ga.Reason), tx.MaxCertificateReason)
		}
		if err := tx.ValidateAgencyStatus(ga.Status); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		a.Status, a.Reason, a.StatusHeight, a.StatusTime = ga.Status, ga.Reason, ga.StatusHeight, ga.StatusTime
	}
	keys := make(map[string]*Key, len(g.Keys)) // lookups only
	for i := range g.Keys {
		key := &g.Keys[i]
		f := fmt.Sprintf("keys[%d]", i)
		if err := tx.ValidatePubKey(f+".key", key.Key); err != nil {
			return nil, err
		}
		a := agencies[key.Agency]
		switch {
		case i > 0 && bytes.Compare(key.Key, g.Keys[i-1].Key) <= 0:
			return nil, fmt.Errorf("%s.key: %s, want after the previous key %s (ascending, unique)", f, key.Key, g.Keys[i-1].Key)
		case a == nil:
			return nil, fmt.Errorf("%s.agency: %s is the agency of no kind in kinds", f, key.Agency)
		case key.FromHeight < 0:
			return nil, fmt.Errorf("%s.from_height: %d, want 0 (genesis) or a block height", f, key.FromHeight)
		case key.RetiredHeight != 0 && key.RetiredHeight < key.FromHeight:
			return nil, fmt.Errorf("%s.retired_height: %d, before from_height %d", f, key.RetiredHeight, key.FromHeight)
		case (key.RevokedHeight == 0) != (key.CompromisedHeight == 0):
			return nil, fmt.Errorf("%s: revoked_height %d with compromised_height %d; a revoked key, and only one, has both", f, key.RevokedHeight, key.CompromisedHeight)
		case key.RevokedHeight != 0 && (key.CompromisedHeight < key.FromHeight || key.CompromisedHeight > key.RevokedHeight):
			return nil, fmt.Errorf("%s.compromised_height: %d, want from from_height %d to revoked_height %d", f, key.CompromisedHeight, key.FromHeight, key.RevokedHeight)
		case uint64(len(a.Keys)) >= uint64(p.MaxKeysPerAgency):
			return nil, fmt.Errorf("%s: agency %s has more than params.max_keys_per_agency %d keys", f, key.Agency, p.MaxKeysPerAgency)
		}
		a.Keys = append(a.Keys, key.Key) // keys are in byte order
		keys[string(key.Key)] = key
	}
	anchors := make(map[uint64]*Anchor, len(g.Anchors)) // lookups only
	for i := range g.Anchors {
		an := &g.Anchors[i]
		f := fmt.Sprintf("anchors[%d]", i)
		kd, key := kinds[an.Kind], keys[string(an.Key)]
		switch {
		case an.ID == 0:
			return nil, fmt.Errorf("%s.id: 0, want ids from 1", f)
		case i > 0 && an.ID <= g.Anchors[i-1].ID:
			return nil, fmt.Errorf("%s.id: %d, want above the previous anchor's %d (ascending, unique)", f, an.ID, g.Anchors[i-1].ID)
		case kd == nil:
			return nil, fmt.Errorf("%s.kind: %q is not in kinds", f, an.Kind)
		case an.Agency != kd.Agency:
			return nil, fmt.Errorf("%s.agency: %s, but kind %q is issued by %s", f, an.Agency, an.Kind, kd.Agency)
		case key == nil || key.Agency != an.Agency:
			return nil, fmt.Errorf("%s.key: %s is not a key of agency %s in keys", f, an.Key, an.Agency)
		case an.Height < key.FromHeight || key.RetiredHeight != 0 && an.Height > key.RetiredHeight:
			return nil, fmt.Errorf("%s.height: %d, outside the issuing window of key %s (from %d, retired %d)", f, an.Height, an.Key, key.FromHeight, key.RetiredHeight)
		case an.Count == 0 || an.Count > tx.MaxCertificatesPerAnchor:
			return nil, fmt.Errorf("%s.count: %d, want 1 to %d", f, an.Count, tx.MaxCertificatesPerAnchor)
		case an.Root.IsZero():
			return nil, fmt.Errorf("%s.root: all zero, want a Merkle root", f)
		case !an.Expires.Equal(expiry(an.Time, kd.ValidityDays)):
			return nil, fmt.Errorf("%s.expires: %s, but kind %q's %d validity days from %s give %s", f, an.Expires.Format(time.RFC3339),
				an.Kind, kd.ValidityDays, an.Time.Format(time.RFC3339), expiry(an.Time, kd.ValidityDays).Format(time.RFC3339))
		}
		anchors[an.ID] = an
		st.counters.Anchors++
		st.counters.Certificates += uint64(an.Count)
	}
	for i := range g.Revocations {
		r := &g.Revocations[i]
		f := fmt.Sprintf("revocations[%d]", i)
		an := anchors[r.Anchor]
		switch {
		case i > 0 && bytes.Compare(r.Leaf[:], g.Revocations[i-1].Leaf[:]) <= 0:
			return nil, fmt.Errorf("%s.leaf: %s, want after the previous revocation's %s (ascending, unique)", f, r.Leaf, g.Revocations[i-1].Leaf)
		case an == nil:
			return nil, fmt.Errorf("%s.anchor: %d is not in anchors", f, r.Anchor)
		case r.Index >= uint64(an.Count):
			return nil, fmt.Errorf("%s.index: %d, but anchor %d holds %d certificates", f, r.Index, r.Anchor, an.Count)
		case len(r.Reason) == 0 || len(r.Reason) > tx.MaxCertificateReason:
			return nil, fmt.Errorf("%s.reason: %d bytes, want 1 to %d", f, len(r.Reason), tx.MaxCertificateReason)
		}
		st.counters.Revocations++
	}
	if n := len(g.Anchors); n > 0 {
		last := g.Anchors[n-1].ID
		switch {
		case g.NextAnchor == 0:
			st.counters.NextAnchor = last + 1
		case g.NextAnchor <= last:
			return nil, fmt.Errorf("next_anchor: %d, want above the last anchor's id %d", g.NextAnchor, last)
		}
	}
	if g.NextAnchor != 0 {
		st.counters.NextAnchor = g.NextAnchor
	}
	if len(g.Kinds) == 0 && g.NextAnchor > 1 {
		return nil, fmt.Errorf("next_anchor: %d with no kinds; anchors need a kind", g.NextAnchor)
	}
	st.counters.Kinds, st.counters.Agencies, st.counters.Keys = uint64(len(g.Kinds)), uint64(len(agencies)), uint64(len(g.Keys))
	// The agency records in address order, as the store holds them.
	for _, a := range sortedAddresses(order) {
		st.agencies = append(st.agencies, agencies[a])
	}
	return st, nil
}

// sortedAddresses returns the addresses in byte order.
func sortedAddresses(list []tx.Address) []tx.Address {
	out := slices.Clone(list)
	slices.SortFunc(out, func(a, b tx.Address) int { return bytes.Compare(a[:], b[:]) })
	return out
}
