package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/regschema"
	"github.com/citychain/citychain/chain/tx"
)

// Genesis is the module's genesis section. A new chain needs none:
// registries are proposed and enabled by transactions. The lists carry a
// running chain's state as ExportGenesis writes it, each in store key
// order; the record counts, the counts by state, the state and field
// indexes and the deadline pointers are rebuilt from them.
type Genesis struct {
	Registries []Registry      `json:"registries,omitempty"`
	Proposals  []Proposal      `json:"proposals,omitempty"`
	Schemas    []GenesisSchema `json:"schemas,omitempty"`
	Records    []Record        `json:"records,omitempty"`
	History    []GenesisStep   `json:"history,omitempty"`
	Grants     []Grant         `json:"grants,omitempty"`
	Approvals  []Approval      `json:"approvals,omitempty"`
	Deadlines  []Deadline      `json:"deadlines,omitempty"`
}

// GenesisSchema is a stored schema: its id and canonical JSON.
type GenesisSchema struct {
	ID     string          `json:"id"`
	Schema json.RawMessage `json:"schema"`
}

// GenesisStep is one history step of record ID of Registry.
type GenesisStep struct {
	Registry string `json:"registry"`
	ID       uint64 `json:"id"`
	Step     Step   `json:"step"`
}

// InitGenesis implements module.Module. No section (or an empty one)
// writes nothing.
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
	if err := k.checkState(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	k.writeState(ctx, &g)
	return nil
}

// writeState writes a checked section and what is derived from it.
func (k *Keeper) writeState(ctx *module.Context, g *Genesis) {
	kv := k.kv(ctx)
	defs := map[string]*tx.RegistryDef{} // lookups only
	for i := range g.Registries {
		r := &g.Registries[i]
		putJSON(kv, registryKey(r.Name), r)
		defs[r.Name] = &r.Def
	}
	for i := range g.Proposals {
		putJSON(kv, proposalKey(g.Proposals[i].ID), &g.Proposals[i])
	}
	for _, s := range g.Schemas {
		id, _ := schemaIDBytes(s.ID)
		kv.Set(schemaKey(id), s.Schema)
	}
	for i := range g.Records {
		rec := &g.Records[i]
		putJSON(kv, recordKey(rec.Registry, rec.ID), rec)
		kv.Set(countKey(rec.Registry), u64(rec.ID)) // ids run 1..n in order
		addTally(kv, rec.Registry, rec.State, +1)
		kv.Set(inStateKey(rec.Registry, rec.State, rec.ID), []byte{1})
		setIndexes(kv, rec.Registry, rec.ID, indexEntries(defs[rec.Registry], rec.Data))
	}
	for i := range g.History {
		s := &g.History[i]
		putJSON(kv, stepKey(s.Registry, s.ID, s.Step.Version), &s.Step)
	}
	for i := range g.Grants {
		gr := &g.Grants[i]
		putJSON(kv, grantKey(gr.Registry, gr.Role, gr.Grantee), gr)
		k.auth.EnsureAccount(ctx, gr.Grantee)
	}
	for i := range g.Approvals {
		a := &g.Approvals[i]
		putJSON(kv, approvalKey(a.Registry, a.ID, a.Version, a.Transition, a.PatchHash), a)
	}
	for i := range g.Deadlines {
		d := &g.Deadlines[i]
		putJSON(kv, deadlineKey(d.Due, d.Registry, d.ID), d)
		kv.Set(dueKey(d.Registry, d.ID), dueBytes(d.Due))
	}
}

// inOrder fails unless key is after prev (the lists are in store key
// order, without duplicates).
func inOrder(what string, i int, prev, key []byte) error {
	if i > 0 && bytes.Compare(prev, key) >= 0 {
		return fmt.Errorf("%s[%d]: out of store key order or a duplicate of %s[%d]", what, i, what, i-1)
	}
	return nil
}

// checkState checks a section's records, as a running chain could have
// written them, and puts the schemas, definitions and record data in
// canonical form. It returns the first problem, naming the field and
// the value.
func (k *Keeper) checkState(g *Genesis) error {
	schemas := map[string]*regschema.Schema{} // lookups only
	var prev []byte
	for i := range g.Schemas {
		s := &g.Schemas[i]
		id, ok := schemaIDBytes(s.ID)
		if !ok {
			return fmt.Errorf("schemas[%d].id %q: want 64 lowercase hex characters", i, s.ID)
		}
		if err := inOrder("schemas", i, prev, schemaKey(id)); err != nil {
			return err
		}
		prev = schemaKey(id)
		c, err := regschema.Compile(s.Schema)
		if err != nil {
			return fmt.Errorf("schemas[%d] (%s): %v", i, s.ID, err)
		}
		if c.ID() != s.ID {
			return fmt.Errorf("schemas[%d].id %s: the schema's id is %s", i, s.ID, c.ID())
		}
		s.Schema = c.Canonical()
		schemas[s.ID] = c
	}
	regs := map[string]*Registry{} // lookups only
	for i := range g.Registries {
		r := &g.Registries[i]
		f := fmt.Sprintf("registries[%d]", i)
		if err := inOrder("registries", i, prev, registryKey(r.Name)); err != nil {
			return err
		}
		prev = registryKey(r.Name)
		if r.Name != r.Def.Name {
			return fmt.Errorf("%s.name %q: the definition is of %q", f, r.Name, r.Def.Name)
		}
		if r.Owner.IsZero() {
			return fmt.Errorf("%s.owner: want the registry's owner, got none", f)
		}
		if err := k.checkDef(&r.Def, r.DefID, schemas); err != nil {
			return fmt.Errorf("%s (%s): %w", f, r.Name, err)
		}
		if r.SchemaID != mustID(r.Def.Schema) {
			return fmt.Errorf("%s.schema_id %s: the definition's schema is %s", f, r.SchemaID, mustID(r.Def.Schema))
		}
		n := len(r.Versions)
		if n == 0 || r.Versions[n-1] != (tx.RegistryVersionInfo{Version: r.Def.Version, DefID: r.DefID, SchemaID: r.SchemaID, Height: r.Enabled}) {
			return fmt.Errorf("%s.versions: want the enabled version (%s, def %s, enabled at %d) last", f, r.Def.Version, r.DefID, r.Enabled)
		}
		for j, v := range r.Versions {
			if schemas[v.SchemaID] == nil {
				return fmt.Errorf("%s.versions[%d].schema_id %s: not in schemas", f, j, v.SchemaID)
			}
		}
		regs[r.Name] = r
	}
	for i := range g.Proposals {
		p := &g.Proposals[i]
		f := fmt.Sprintf("proposals[%d]", i)
		if err := inOrder("proposals", i, prev, proposalKey(p.ID)); err != nil {
			return err
		}
		prev = proposalKey(p.ID)
		if p.Proposer.IsZero() {
			return fmt.Errorf("%s.proposer: want the proposing account, got none", f)
		}
		if err := k.checkDef(&p.Def, p.ID, nil); err != nil {
			return fmt.Errorf("%s (%s): %w", f, p.ID, err)
		}
	}
	if err := k.checkRecords(g, regs, schemas); err != nil {
		return err
	}
	return checkGrants(g, regs)
}

func mustID(schema []byte) string {
	id, _ := regschema.ID(schema)
	return id
}

// checkDef validates a definition, puts its schema in canonical form and
// checks its id; with schemas, its schema must be one of them.
func (k *Keeper) checkDef(d *tx.RegistryDef, id tx.Hash32, schemas map[string]*regschema.Schema) error {
	s, err := k.validateDef(d)
	if err != nil {
		return err
	}
	d.Schema = s.Canonical()
	got, err := tx.RegistryDefID(d)
	if err != nil {
		return err
	}
	if got != id {
		return fmt.Errorf("definition id %s: the definition's id is %s", id, got)
	}
	if schemas != nil && schemas[s.ID()] == nil {
		return fmt.Errorf("schema %s: not in schemas", s.ID())
	}
	return nil
}

// recordRef names a record.
type recordRef struct {
	registry string
	id       uint64
}

func (k *Keeper) checkRecords(g *Genesis, regs map[string]*Registry, schemas map[string]*regschema.Schema) error {
	recs := map[recordRef]*Record{} // lookups only
	var prev []byte
	for i := range g.Records {
		rec := &g.Records[i]
		f := fmt.Sprintf("records[%d]", i)
		key := recordKey(rec.Registry, rec.ID)
		if err := inOrder("records", i, prev, key); err != nil {
			return err
		}
		r := regs[rec.Registry]
		if r == nil {
			return fmt.Errorf("%s.registry %q: not in registries", f, rec.Registry)
		}
		want := uint64(1)
		if i > 0 && g.Records[i-1].Registry == rec.Registry {
			want = g.Records[i-1].ID + 1
		}
		if rec.ID != want {
			return fmt.Errorf("%s.id %d: want %d (a registry's ids run from 1 without a gap)", f, rec.ID, want)
		}
		if rec.ID > r.Def.Limits.MaxRecords {
			return fmt.Errorf("%s.id %d: registry %q holds at most %d records", f, rec.ID, rec.Registry, r.Def.Limits.MaxRecords)
		}
		prev = key
		if r.Def.State(rec.State) == nil {
			return fmt.Errorf("%s.state %q: registry %q declares no such state", f, rec.State, rec.Registry)
		}
		s := schemas[rec.Schema]
		if s == nil {
			return fmt.Errorf("%s.schema %s: not in schemas", f, rec.Schema)
		}
		data, err := regschema.Canonical(rec.Data)
		if err != nil {
			return fmt.Errorf("%s.data: %v", f, err)
		}
		if err := s.Validate(data); err != nil {
			return fmt.Errorf("%s.data: breaks schema %s: %v", f, rec.Schema, err)
		}
		rec.Data = data
		if rec.Version == 0 || rec.Creator.IsZero() {
			return fmt.Errorf("%s: version %d creator %s: want a version from 1 and the creator", f, rec.Version, rec.Creator)
		}
		recs[recordRef{rec.Registry, rec.ID}] = rec
	}
	// History: every record's steps 1..version, in order, the last one
	// ending in the record's state.
	next := map[recordRef]uint64{} // lookups only
	for i := range g.History {
		s := &g.History[i]
		f := fmt.Sprintf("history[%d]", i)
		key := stepKey(s.Registry, s.ID, s.Step.Version)
		if err := inOrder("history", i, prev, key); err != nil {
			return err
		}
		prev = key
		ref := recordRef{s.Registry, s.ID}
		rec := recs[ref]
		if rec == nil {
			return fmt.Errorf("%s: record %s/%d is not in records", f, s.Registry, s.ID)
		}
		if s.Step.Version != next[ref]+1 {
			return fmt.Errorf("%s.step.version %d: want %d (versions run from 1 without a gap)", f, s.Step.Version, next[ref]+1)
		}
		next[ref] = s.Step.Version
		if s.Step.Version == rec.Version && s.Step.To != rec.State {
			return fmt.Errorf("%s.step.to %q: the record's last step ends in its state %q", f, s.Step.To, rec.State)
		}
	}
	for i := range g.Records {
		rec := &g.Records[i]
		if n := next[recordRef{rec.Registry, rec.ID}]; n != rec.Version {
			return fmt.Errorf("records[%d] (%s/%d): version %d, but its history has %d steps", i, rec.Registry, rec.ID, rec.Version, n)
		}
	}
	for i := range g.Approvals {
		a := &g.Approvals[i]
		f := fmt.Sprintf("approvals[%d]", i)
		key := approvalKey(a.Registry, a.ID, a.Version, a.Transition, a.PatchHash)
		if err := inOrder("approvals", i, prev, key); err != nil {
			return err
		}
		prev = key
		rec := recs[recordRef{a.Registry, a.ID}]
		if rec == nil {
			return fmt.Errorf("%s: record %s/%d is not in records", f, a.Registry, a.ID)
		}
		t := regs[a.Registry].Def.Transition(a.Transition)
		switch {
		case t == nil:
			return fmt.Errorf("%s.transition %q: registry %q has no such transition", f, a.Transition, a.Registry)
		case a.Version != rec.Version:
			return fmt.Errorf("%s.version %d: the record is at version %d", f, a.Version, rec.Version)
		case a.Needed != t.K() || len(a.Signers) == 0 || uint32(len(a.Signers)) >= a.Needed:
			return fmt.Errorf("%s: %d signers, needed %d: want 1 to %d signers of the %d the transition needs", f, len(a.Signers), a.Needed, t.K()-1, t.K())
		}
		for j, s := range a.Signers {
			if slices.Contains(a.Signers[:j], s) {
				return fmt.Errorf("%s.signers[%d]: %s listed twice", f, j, s)
			}
		}
	}
	queued := map[recordRef]bool{} // lookups only
	for i := range g.Deadlines {
		d := &g.Deadlines[i]
		f := fmt.Sprintf("deadlines[%d]", i)
		key := deadlineKey(d.Due, d.Registry, d.ID)
		if err := inOrder("deadlines", i, prev, key); err != nil {
			return err
		}
		prev = key
		ref := recordRef{d.Registry, d.ID}
		rec := recs[ref]
		switch {
		case rec == nil:
			return fmt.Errorf("%s: record %s/%d is not in records", f, d.Registry, d.ID)
		case d.State != rec.State || d.Version != rec.Version:
			return fmt.Errorf("%s: state %q version %d: the record is %q at version %d", f, d.State, d.Version, rec.State, rec.Version)
		case queued[ref]:
			return fmt.Errorf("%s: a second deadline of record %s/%d", f, d.Registry, d.ID)
		}
		queued[ref] = true
	}
	return nil
}

func checkGrants(g *Genesis, regs map[string]*Registry) error {
	var prev []byte
	for i := range g.Grants {
		gr := &g.Grants[i]
		f := fmt.Sprintf("grants[%d]", i)
		key := grantKey(gr.Registry, gr.Role, gr.Grantee)
		if err := inOrder("grants", i, prev, key); err != nil {
			return err
		}
		prev = key
		r := regs[gr.Registry]
		switch {
		case r == nil:
			return fmt.Errorf("%s.registry %q: not in registries", f, gr.Registry)
		case !r.Def.HasRole(gr.Role):
			return fmt.Errorf("%s.role %q: registry %q declares no such role", f, gr.Role, gr.Registry)
		case gr.Grantee.IsZero() || gr.Granter.IsZero():
			return fmt.Errorf("%s: want a grantee and a granter", f)
		case gr.Depth == 0 || gr.Depth > tx.MaxRegistryDelegation:
			return fmt.Errorf("%s.depth %d: want 1 to %d", f, gr.Depth, tx.MaxRegistryDelegation)
		case gr.Depth == 1 && gr.Granter != r.Owner:
			return fmt.Errorf("%s: a depth-1 grant is the owner's (%s), not %s's", f, r.Owner, gr.Granter)
		case gr.Expires < 0:
			return fmt.Errorf("%s.expires %d: want unix seconds or 0", f, gr.Expires)
		}
	}
	return nil
}
