package credentials

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Params are the module's genesis parameters.
type Params struct {
	// MaxWindows bounds the windows of one (issuer, schema) accreditation,
	// and so the size of its record (each accreditation rewrites it).
	MaxWindows uint64 `json:"max_windows"`
}

// MaxMaxWindows is the largest MaxWindows a genesis may set.
const MaxMaxWindows = 1024

// DefaultParams: 64 windows per issuer and schema.
func DefaultParams() Params { return Params{MaxWindows: 64} }

// Validate checks the parameters' bounds.
func (p Params) Validate() error {
	if p.MaxWindows == 0 || p.MaxWindows > MaxMaxWindows {
		return ErrInvalidGenesis.Wrapf("params.max_windows %d: want 1 to %d", p.MaxWindows, MaxMaxWindows)
	}
	return nil
}

// Params returns the module's parameters: the defaults unless a genesis
// section set them.
func (k *Keeper) Params(ctx *module.Context) Params {
	p := DefaultParams()
	getJSON(k.kv(ctx), paramsKey, &p)
	return p
}

// Genesis is the module's genesis section. A new chain sets at most Params
// (or has no section at all: the module then writes nothing and reads the
// default parameters). The other fields carry a running chain's state, as
// ExportGenesis writes it, in store key order. The claim index is rebuilt
// from the schemas.
type Genesis struct {
	// Params are written when set; absent, the defaults apply.
	Params *Params `json:"params,omitempty"`
	// Counters are the running counts (absent until the first record).
	Counters       *Counters       `json:"counters,omitempty"`
	Schemas        []Schema        `json:"schemas,omitempty"`
	Accreditations []Accreditation `json:"accreditations,omitempty"`
	Verifiers      []Verifier      `json:"verifiers,omitempty"`
	Lists          []GenesisList   `json:"lists,omitempty"`
	Anchors        []Anchor        `json:"anchors,omitempty"`
}

// GenesisList is a status list with its stored chunks.
type GenesisList struct {
	StatusList
	// Chunks are the list's chunks that hold a set bit, in chunk order;
	// the others are all zero.
	Chunks []GenesisChunk `json:"chunks,omitempty"`
}

// GenesisChunk is one stored chunk of a status list: its number and its
// tx.StatusChunkBytes bytes (base64 in JSON).
type GenesisChunk struct {
	Index uint32 `json:"index"`
	Bits  []byte `json:"bits"`
}

// InitGenesis implements module.Module. No section writes nothing.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil
	}
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	if g.Params != nil {
		if err := g.Params.Validate(); err != nil {
			return err
		}
	}
	if err := checkState(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	writeState(k.kv(ctx), &g)
	return nil
}

// writeState writes a section's records and the claim index.
func writeState(kv store.KV, g *Genesis) {
	if g.Params != nil {
		putJSON(kv, paramsKey, g.Params)
	}
	if g.Counters != nil {
		putJSON(kv, countersKey, g.Counters)
	}
	for i := range g.Schemas {
		s := &g.Schemas[i]
		putJSON(kv, schemaKey(s.ID), s)
		for _, c := range s.Claims {
			kv.Set(claimKey(c, s.ID), []byte{1})
		}
	}
	for i := range g.Accreditations {
		a := &g.Accreditations[i]
		putJSON(kv, accreditationKey(a.Issuer, a.Schema), a)
	}
	for i := range g.Verifiers {
		putJSON(kv, verifierKey(g.Verifiers[i].ID), &g.Verifiers[i])
	}
	for i := range g.Lists {
		l := &g.Lists[i]
		putJSON(kv, listKey(l.Owner, l.Name), &l.StatusList)
		for _, c := range l.Chunks {
			kv.Set(chunkKey(l.Owner, l.Name, c.Index), bytes.Clone(c.Bits))
		}
	}
	for i := range g.Anchors {
		putJSON(kv, anchorKey(g.Anchors[i].ID), &g.Anchors[i])
	}
}

// checkState checks a section's records: each valid and in store key
// order, accreditations and anchors of registered schemas, windows in
// start order without overlap and at most MaxWindows, verifiers' claims
// of registered schemas, lists' chunks in range and their set counts, the
// anchors numbered from 1, and the counters equal to what the records
// count. It returns the first problem, naming the field and value.
func checkState(g *Genesis) error {
	hasRecords := len(g.Schemas)+len(g.Accreditations)+len(g.Verifiers)+len(g.Lists)+len(g.Anchors) > 0
	if g.Counters == nil && hasRecords {
		return fmt.Errorf("counters: absent, but the section has records")
	}
	params := DefaultParams()
	if g.Params != nil {
		params = *g.Params
	}
	schemas := map[string]bool{} // lookups only
	claims := map[string]bool{}  // lookups only
	for i := range g.Schemas {
		s := &g.Schemas[i]
		f := fmt.Sprintf("schemas[%d]", i)
		if err := (&tx.MsgCredentialRegisterSchema{ID: s.ID, Name: s.Name, Claims: s.Claims}).ValidateBasic(); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if i > 0 && s.ID <= g.Schemas[i-1].ID {
			return fmt.Errorf("%s.id: %q, want after the previous schema's %q (ascending, unique)", f, s.ID, g.Schemas[i-1].ID)
		}
		schemas[s.ID] = true
		for _, c := range s.Claims {
			claims[c] = true
		}
	}
	for i := range g.Accreditations {
		a := &g.Accreditations[i]
		f := fmt.Sprintf("accreditations[%d]", i)
		switch {
		case a.Issuer.IsZero():
			return fmt.Errorf("%s.issuer: want an address", f)
		case !schemas[a.Schema]:
			return fmt.Errorf("%s.schema: %q is not in schemas", f, a.Schema)
		case i > 0 && bytes.Compare(accreditationKey(a.Issuer, a.Schema), accreditationKey(g.Accreditations[i-1].Issuer, g.Accreditations[i-1].Schema)) <= 0:
			return fmt.Errorf("%s: %s/%s, want after the previous accreditation (issuer then schema, ascending, unique)", f, a.Issuer, a.Schema)
		case len(a.Windows) == 0 || uint64(len(a.Windows)) > params.MaxWindows:
			return fmt.Errorf("%s.windows: %d, want 1 to %d (params.max_windows)", f, len(a.Windows), params.MaxWindows)
		}
		for j, w := range a.Windows {
			wf := fmt.Sprintf("%s.windows[%d]", f, j)
			switch {
			case w.From.IsZero():
				return fmt.Errorf("%s.from: want a time", wf)
			case !w.Until.IsZero() && w.Until.Before(w.From), !w.Until.IsZero() && w.Until.Equal(w.From) && w.WithdrawnHeight == 0:
				return fmt.Errorf("%s.until: %s, want after from %s", wf, formatTime(w.Until), formatTime(w.From))
			case j > 0 && !a.Windows[j-1].From.Before(w.From):
				return fmt.Errorf("%s.from: %s, want after the previous window's %s (start order)", wf, formatTime(w.From), formatTime(a.Windows[j-1].From))
			case j > 0 && a.Windows[j-1].Overlaps(w):
				return fmt.Errorf("%s: overlaps the previous window", wf)
			}
		}
	}
	var deregistered uint64
	for i := range g.Verifiers {
		v := &g.Verifiers[i]
		f := fmt.Sprintf("verifiers[%d]", i)
		if err := (&tx.MsgCredentialRegisterVerifier{ID: v.ID, Key: v.Key, Name: v.Name, Purpose: v.Purpose, Claims: v.Claims}).ValidateBasic(); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if i > 0 && v.ID <= g.Verifiers[i-1].ID {
			return fmt.Errorf("%s.id: %q, want after the previous verifier's %q (ascending, unique)", f, v.ID, g.Verifiers[i-1].ID)
		}
		for j, c := range v.Claims {
			if !claims[c] {
				return fmt.Errorf("%s.claims[%d]: %q is a claim of no schema in schemas", f, j, c)
			}
		}
		switch v.Status {
		case tx.VerifierActive:
		case tx.VerifierDeregistered:
			deregistered++
		default:
			return fmt.Errorf("%s.status: %q, want %s or %s", f, v.Status, tx.VerifierActive, tx.VerifierDeregistered)
		}
	}
	var set uint64
	for i := range g.Lists {
		l := &g.Lists[i]
		f := fmt.Sprintf("lists[%d]", i)
		if err := (&tx.MsgCredentialCreateList{Name: l.Name, Purpose: l.Purpose, Size: l.Size}).ValidateBasic(); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		switch {
		case l.Owner.IsZero():
			return fmt.Errorf("%s.owner: want an address", f)
		case l.ID != tx.StatusListID(l.Owner, l.Name):
			return fmt.Errorf("%s.id: %q, want %q", f, l.ID, tx.StatusListID(l.Owner, l.Name))
		case i > 0 && bytes.Compare(listKey(l.Owner, l.Name), listKey(g.Lists[i-1].Owner, g.Lists[i-1].Name)) <= 0:
			return fmt.Errorf("%s: %s, want after the previous list (owner then name, ascending, unique)", f, l.ID)
		}
		var n uint64
		for j, c := range l.Chunks {
			cf := fmt.Sprintf("%s.chunks[%d]", f, j)
			switch {
			case c.Index >= l.ChunkCount():
				return fmt.Errorf("%s.index: %d, want below the list's %d chunks", cf, c.Index, l.ChunkCount())
			case j > 0 && c.Index <= l.Chunks[j-1].Index:
				return fmt.Errorf("%s.index: %d, want after the previous chunk's %d (ascending, unique)", cf, c.Index, l.Chunks[j-1].Index)
			case len(c.Bits) != tx.StatusChunkBytes:
				return fmt.Errorf("%s.bits: %d bytes, want %d", cf, len(c.Bits), tx.StatusChunkBytes)
			case bytes.Equal(c.Bits, zeroChunk[:]):
				return fmt.Errorf("%s.bits: all zero, which is stored as no chunk", cf)
			}
			n += popCount(c.Bits)
		}
		if n != l.Set {
			return fmt.Errorf("%s.set: %d, but its chunks hold %d set bits", f, l.Set, n)
		}
		set += n
	}
	var anchored uint64
	for i := range g.Anchors {
		a := &g.Anchors[i]
		f := fmt.Sprintf("anchors[%d]", i)
		if err := (&tx.MsgCredentialAnchor{Schema: a.Schema, Root: a.Root, Count: a.Count}).ValidateBasic(); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		switch {
		case a.ID != uint64(i)+1:
			return fmt.Errorf("%s.id: %d, want %d (anchors are numbered from 1 without gaps)", f, a.ID, i+1)
		case a.Issuer.IsZero():
			return fmt.Errorf("%s.issuer: want an address", f)
		case !schemas[a.Schema]:
			return fmt.Errorf("%s.schema: %q is not in schemas", f, a.Schema)
		}
		anchored += uint64(a.Count)
	}
	if c := g.Counters; c != nil {
		for _, n := range []struct {
			field     string
			got, want uint64
		}{
			{"schemas", c.Schemas, uint64(len(g.Schemas))}, {"accreditations", c.Accreditations, uint64(len(g.Accreditations))},
			{"verifiers", c.Verifiers, uint64(len(g.Verifiers))}, {"deregistered", c.Deregistered, deregistered},
			{"lists", c.Lists, uint64(len(g.Lists))}, {"status_set", c.StatusSet, set},
			{"anchors", c.Anchors, uint64(len(g.Anchors))}, {"anchored", c.Anchored, anchored},
		} {
			if n.got != n.want {
				return fmt.Errorf("counters.%s: %d, but the records count %d", n.field, n.got, n.want)
			}
		}
	}
	return nil
}

// listOf returns the list of g with owner and name, or nil; g.Lists are
// in key order.
func listOf(g *Genesis, owner tx.Address, name string) *GenesisList {
	key := listKey(owner, name)
	i, ok := slices.BinarySearchFunc(g.Lists, key, func(l GenesisList, key []byte) int {
		return bytes.Compare(listKey(l.Owner, l.Name), key)
	})
	if !ok {
		return nil
	}
	return &g.Lists[i]
}
