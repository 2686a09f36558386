package registry

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/regschema"
	"github.com/citychain/citychain/chain/tx"
)

// validateDef checks a definition whole and compiles its schema; a bad
// part is refused with that part's code.
func (k *Keeper) validateDef(d *tx.RegistryDef) (*regschema.Schema, error) {
	s, err := d.Validate()
	if err != nil {
		var de *tx.RegistryDefError
		if errors.As(err, &de) {
			return nil, defError(de.Part).Wrapf("%v", de.Err)
		}
		return nil, module.ErrInternal.Wrapf("%v", err)
	}
	return s, nil
}

// decodeDef decodes a definition's JSON text strictly (unknown fields
// refused), as tx.ParseRegistryDef does, without validating it.
func decodeDef(text string) (*tx.RegistryDef, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	var d tx.RegistryDef
	if err := dec.Decode(&d); err != nil {
		return nil, ErrMalformedDef.Wrapf("%v", err)
	}
	if dec.More() {
		return nil, ErrMalformedDef.Wrapf("data after the definition")
	}
	return &d, nil
}

// propose stores a definition as a proposal: a new registry (the signer
// holds registry_agency) or a new version of one the signer owns.
func (k *Keeper) propose(ctx *module.Context, signer tx.Address, m *tx.MsgRegistryPropose) error {
	kv := k.kv(ctx)
	def, err := decodeDef(m.Def)
	if err != nil {
		if !k.auth.HasRole(ctx, signer, tx.RoleRegistryAgency) {
			return ErrNotAgency.Wrapf("%s may not propose registries", signer)
		}
		return err
	}
	cur := getRegistry(kv, def.Name)
	switch {
	case cur == nil && !k.auth.HasRole(ctx, signer, tx.RoleRegistryAgency):
		return ErrNotAgency.Wrapf("%s may not propose registry %q", signer, def.Name)
	case cur != nil && cur.Owner != signer:
		return ErrNotOwner.Wrapf("registry %q is owned by %s: only its owner proposes a new version, not %s", def.Name, cur.Owner, signer)
	}
	s, err := k.validateDef(def)
	if err != nil {
		return err
	}
	// The definition is kept with its schema in canonical form: the same
	// definition (its id is over the canonical form anyway), stored the
	// way it is read back from an export.
	def.Schema = s.Canonical()
	id, err := tx.RegistryDefID(def)
	if err != nil {
		return module.ErrInternal.Wrapf("definition id: %v", err)
	}
	if kv.Has(proposalKey(id)) {
		return ErrProposalExists.Wrapf("definition %s (%s %s) is already proposed", id, def.Name, def.Version)
	}
	if cur != nil {
		for _, v := range cur.Versions {
			if v.DefID == id {
				return ErrProposalExists.Wrapf("definition %s is %s version %s, enabled at height %d", id, def.Name, v.Version, v.Height)
			}
		}
		if err := k.checkNext(kv, cur, def, s); err != nil {
			return err
		}
	}
	p := Proposal{ID: id, Proposer: signer, Def: *def, Height: ctx.Height}
	putJSON(kv, proposalKey(id), &p)
	ctx.Emit("registry.proposed", "registry", def.Name, "id", id.String(), "version", def.Version, "proposer", signer.String())
	return nil
}

// checkNext checks that def may follow cur, the enabled version: a later
// version; for the same major version a schema that only adds optional
// properties (regschema.CheckMinor); and, once the registry holds
// records, every state that holds some and the same indexes (a new version
// never strands a record in a state it no longer declares, nor leaves an
// index that does not cover every record).
func (k *Keeper) checkNext(kv store.KV, cur *Registry, def *tx.RegistryDef, s *regschema.Schema) error {
	from, err := tx.ParseRegistryVersion(cur.Def.Version)
	if err != nil {
		return module.ErrInternal.Wrapf("stored version: %v", err)
	}
	to, err := tx.ParseRegistryVersion(def.Version)
	if err != nil {
		return module.ErrInternal.Wrapf("version: %v", err) // Validate checked it
	}
	if !from.Less(to) {
		return ErrVersion.Wrapf("%s version %s: want after the enabled version %s", def.Name, to, from)
	}
	if to.Major == from.Major {
		old := k.schema(kv, cur.SchemaID)
		if old == nil {
			return module.ErrInternal.Wrapf("registry %q: no stored schema %s", cur.Name, cur.SchemaID)
		}
		if err := regschema.CheckMinor(old, s); err != nil {
			return ErrIncompatible.Wrapf("schema of minor version %s against %s: %v", to, from, err)
		}
	}
	if records(kv, cur.Name) == 0 {
		return nil
	}
	for _, st := range cur.Def.States {
		if n := store.GetUint64(kv, tallyKey(cur.Name, st.Name)); n > 0 && def.State(st.Name) == nil {
			return ErrIncompatible.Wrapf("states: %d records are in state %q, which version %s no longer declares", n, st.Name, to)
		}
	}
	if !slices.Equal(cur.Def.Indexes, def.Indexes) {
		return ErrIncompatible.Wrapf("indexes: %v, want %v: a registry that holds records keeps its indexes", def.Indexes, cur.Def.Indexes)
	}
	return nil
}

// enable runs a proposal: the authorities' action that makes a definition
// the registry's enabled version.
func (k *Keeper) enable(ctx *module.Context, signer tx.Address, m *tx.MsgRegistryEnable) error {
	if !k.auth.IsAuthority(ctx, signer) {
		return ErrNotAuthority.Wrapf("%s may not enable registries: registry/enable is an authority action", signer)
	}
	kv := k.kv(ctx)
	p := getProposal(kv, m.Def)
	if p == nil || p.Def.Name != m.Name {
		return ErrUnknownProposal.Wrapf("no proposal %s for registry %q", m.Def, m.Name)
	}
	s, err := k.compile(p.Def.Schema)
	if err != nil {
		return module.ErrInternal.Wrapf("proposal %s: stored schema: %v", p.ID, err)
	}
	r := getRegistry(kv, m.Name)
	if r != nil {
		if p.Proposer != r.Owner {
			return ErrNotOwner.Wrapf("proposal %s was made by %s, registry %q is owned by %s", p.ID, p.Proposer, r.Name, r.Owner)
		}
		if err := k.checkNext(kv, r, &p.Def, s); err != nil {
			return err
		}
	} else {
		r = &Registry{Name: m.Name, Owner: p.Proposer}
	}
	kv.Delete(proposalKey(p.ID))
	putSchema(kv, s)
	r.Def, r.DefID, r.SchemaID, r.Enabled = p.Def, p.ID, s.ID(), ctx.Height
	r.Versions = append(r.Versions, tx.RegistryVersionInfo{Version: p.Def.Version, DefID: p.ID, SchemaID: s.ID(), Height: ctx.Height})
	putJSON(kv, registryKey(r.Name), r)
	ctx.Emit("registry.enabled", "registry", r.Name, "version", p.Def.Version, "def", p.ID.String(), "schema", s.ID(),
		"owner", r.Owner.String())
	return nil
}
