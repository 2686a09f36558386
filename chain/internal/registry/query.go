package registry

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// IDRequest names a proposal (a definition id) or a schema (a schema id)
// by its 64 lowercase hex characters.
type IDRequest struct {
	ID string `json:"id"`
}

// Query implements module.Module. Every request is JSON. Paths (see
// README):
//
//	registry     tx.RegistryRequest           -> tx.Registry, provable (absence too)
//	registries   tx.RegistryPageRequest       -> tx.RegistryPage (after: a name)
//	count        tx.RegistryRequest           -> tx.RegistryCount
//	proposal     IDRequest (def id)           -> tx.RegistryProposal, provable
//	proposals    tx.RegistryPageRequest       -> tx.RegistryProposalPage (after: a def id)
//	schema       IDRequest (schema id)        -> the schema's canonical JSON, provable
//	record       tx.RegistryRecordRequest     -> tx.RegistryRecord, provable
//	records      tx.RegistryRecordsRequest    -> tx.RegistryRecordPage (by id; in a state)
//	history      tx.RegistryRecordRequest     -> []tx.RegistryStep, oldest first
//	approvals    tx.RegistryRecordRequest     -> []tx.RegistryApproval
//	index        tx.RegistryIndexRequest      -> tx.RegistryIDPage
//	index_entry  tx.RegistryIndexEntryRequest -> the record id (8, BE) when indexed, provable (absence too)
//	grant        tx.RegistryGrantRequest      -> tx.RegistryGrant, provable
//	grants       tx.RegistryPageRequest       -> tx.RegistryGrantPage (after: "role/grantee")
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	kv := q.Store(k.prefix)
	full := func(key []byte) *module.QueryResult {
		return &module.QueryResult{Key: append([]byte{k.prefix}, key...)}
	}
	switch q.Path {
	case "registry", "count":
		var req tx.RegistryRequest
		if err := decode(q, &req, "name", func() error { return tx.ValidateRegistryName("name", req.Name) }); err != nil {
			return nil, err
		}
		if q.Path == "registry" {
			return full(registryKey(req.Name)), nil
		}
		r, err := found(kv, req.Name)
		if err != nil {
			return nil, err
		}
		return module.JSON(count(kv, r))
	case "registries":
		return registriesPage(q, kv)
	case "proposal", "schema":
		var req IDRequest
		var id tx.Hash32
		if err := decode(q, &req, q.Path, func() (err error) { id, err = tx.ParseHash32(req.ID); return err }); err != nil {
			return nil, err
		}
		if q.Path == "proposal" {
			return full(proposalKey(id)), nil
		}
		return full(schemaKey(id)), nil
	case "proposals":
		return proposals(q, kv)
	case "record", "history", "approvals":
		var req tx.RegistryRecordRequest
		if err := decode(q, &req, q.Path, func() error { return tx.ValidateRegistryName("registry", req.Registry) }); err != nil {
			return nil, err
		}
		if q.Path == "record" {
			return full(recordKey(req.Registry, req.ID)), nil
		}
		if !kv.Has(recordKey(req.Registry, req.ID)) {
			return nil, module.ErrNotFound.Wrapf("registry %q has no record %d", req.Registry, req.ID)
		}
		if q.Path == "history" {
			steps := []Step{}
			store.EachPrefix(kv, stepPrefix(req.Registry, req.ID), func(_, v []byte) bool {
				var s Step
				store.DecodeJSON(v, &s)
				steps = append(steps, s)
				return true
			})
			return module.JSON(steps)
		}
		aps := []Approval{}
		store.EachPrefix(kv, approvalPrefix(req.Registry, req.ID), func(_, v []byte) bool {
			var a Approval
			store.DecodeJSON(v, &a)
			aps = append(aps, a)
			return true
		})
		return module.JSON(aps)
	case "records":
		return recordPage(q, kv)
	case "index":
		return k.index(q, kv)
	case "index_entry":
		var req tx.RegistryIndexEntryRequest
		if err := q.DecodeRequest(&req, q.Path); err != nil {
			return nil, err
		}
		value, err := k.indexedValue(kv, req.Registry, req.Field, req.Value)
		if err != nil {
			return nil, err
		}
		return full(indexKey(req.Registry, req.Field, value, req.ID)), nil
	case "grant":
		var req tx.RegistryGrantRequest
		if err := decode(q, &req, q.Path, func() error {
			if err := tx.ValidateRegistryName("registry", req.Registry); err != nil {
				return err
			}
			return tx.ValidateRegistryName("role", req.Role)
		}); err != nil {
			return nil, err
		}
		return full(grantKey(req.Registry, req.Role, req.Grantee)), nil
	case "grants":
		return grants(q, kv)
	}
	return nil, module.ErrUnknownQuery.Wrapf("registry/%s", q.Path)
}

// decode decodes the query's JSON request into req and runs check on it;
// either failing is ErrBadQuery.
func decode(q *module.Query, req any, what string, check func() error) error {
	if err := q.DecodeRequest(req, what); err != nil {
		return err
	}
	if err := check(); err != nil {
		return module.ErrBadQuery.Wrapf("%s request: %v", what, err)
	}
	return nil
}

// found returns the enabled registry name or ErrNotFound.
func found(kv store.KV, name string) (*Registry, error) {
	r := getRegistry(kv, name)
	if r == nil {
		return nil, module.ErrNotFound.Wrapf("no enabled registry %q", name)
	}
	return r, nil
}

// count is a registry's record count and its records by state, in the
// definition's state order.
func count(kv store.KV, r *Registry) tx.RegistryCount {
	c := tx.RegistryCount{Registry: r.Name, Records: records(kv, r.Name), States: []tx.RegistryTally{}}
	for _, st := range r.Def.States {
		c.States = append(c.States, tx.RegistryTally{State: st.Name, Records: store.GetUint64(kv, tallyKey(r.Name, st.Name))})
	}
	return c
}

func limitOf(limit uint64) (uint64, error) {
	return module.PageLimit(limit, tx.DefaultListLimit, tx.MaxListLimit)
}

func registriesPage(q *module.Query, kv store.KV) (*module.QueryResult, error) {
	var req tx.RegistryPageRequest
	if err := q.DecodeRequest(&req, q.Path); err != nil {
		return nil, err
	}
	limit, err := limitOf(req.Limit)
	if err != nil {
		return nil, err
	}
	pfx := []byte{prefixRegistry}
	start := pfx
	if req.After != "" {
		if err := tx.ValidateRegistryName("after", req.After); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		start = module.After(pfx, []byte(req.After))
	}
	page := tx.RegistryPage{Registries: []Registry{}}
	next := module.EachPage(kv, pfx, start, store.PrefixEnd(pfx), limit, func(_, v []byte) bool {
		var r Registry
		store.DecodeJSON(v, &r)
		page.Registries = append(page.Registries, r)
		return true
	})
	page.Next = string(next)
	return module.JSON(page)
}

func proposals(q *module.Query, kv store.KV) (*module.QueryResult, error) {
	var req tx.RegistryPageRequest
	if err := q.DecodeRequest(&req, q.Path); err != nil {
		return nil, err
	}
	limit, err := limitOf(req.Limit)
	if err != nil {
		return nil, err
	}
	pfx := []byte{prefixProposal}
	start := pfx
	if req.After != "" {
		id, err := tx.ParseHash32(req.After)
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("after: %v; want the next of a previous page", err)
		}
		start = module.After(pfx, id[:])
	}
	page := tx.RegistryProposalPage{Proposals: []Proposal{}}
	next := module.EachPage(kv, pfx, start, store.PrefixEnd(pfx), limit, func(_, v []byte) bool {
		var p Proposal
		store.DecodeJSON(v, &p)
		page.Proposals = append(page.Proposals, p)
		return true
	})
	if next != nil {
		page.Next = tx.Hash32(next).String()
	}
	return module.JSON(page)
}

// recordPage pages a registry's records by id, or those in one state
// (through the state index).
func recordPage(q *module.Query, kv store.KV) (*module.QueryResult, error) {
	var req tx.RegistryRecordsRequest
	if err := decode(q, &req, q.Path, func() error { return tx.ValidateRegistryName("registry", req.Registry) }); err != nil {
		return nil, err
	}
	limit, err := limitOf(req.Limit)
	if err != nil {
		return nil, err
	}
	r, err := found(kv, req.Registry)
	if err != nil {
		return nil, err
	}
	page := tx.RegistryRecordPage{Records: []Record{}}
	var pfx []byte
	var take func(key, value []byte) bool
	if req.State == "" {
		pfx = recordPrefix(r.Name)
		take = func(_, v []byte) bool {
			var rec Record
			store.DecodeJSON(v, &rec)
			page.Records = append(page.Records, rec)
			return true
		}
	} else {
		if r.Def.State(req.State) == nil {
			return nil, module.ErrBadQuery.Wrapf("state %q: registry %q declares no such state", req.State, r.Name)
		}
		pfx = inStatePrefix(r.Name, req.State)
		take = func(key, _ []byte) bool {
			rec := getRecord(kv, r.Name, idOf(key[len(key)-8:]))
			if rec == nil {
				return false
			}
			page.Records = append(page.Records, *rec)
			return true
		}
	}
	start := pfx
	if req.After != 0 {
		start = module.After(pfx, u64(req.After))
	}
	if next := module.EachPage(kv, pfx, start, store.PrefixEnd(pfx), limit, take); next != nil {
		page.Next = idOf(next)
	}
	return module.JSON(page)
}

// indexedValue checks that field is an index of registry name and returns
// value as the index stores it (an integer property's value in canonical
// decimal form).
func (k *Keeper) indexedValue(kv store.KV, name, field, value string) (string, error) {
	if err := tx.ValidateRegistryName("registry", name); err != nil {
		return "", module.ErrBadQuery.Wrapf("%v", err)
	}
	r, err := found(kv, name)
	if err != nil {
		return "", err
	}
	if !contains(r.Def.Indexes, field) {
		return "", module.ErrBadQuery.Wrapf("field %q: registry %q indexes %v", field, name, r.Def.Indexes)
	}
	if s := k.schema(kv, r.SchemaID); s != nil {
		if p, ok := s.Property(field); ok && p.Type == "integer" {
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				return "", module.ErrBadQuery.Wrapf("value %q: field %q is an integer, want its decimal form", value, field)
			}
			return strconv.FormatInt(n, 10), nil
		}
	}
	if len(value) > 0xffff {
		return "", module.ErrBadQuery.Wrapf("value: %d bytes, too long", len(value))
	}
	return value, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (k *Keeper) index(q *module.Query, kv store.KV) (*module.QueryResult, error) {
	var req tx.RegistryIndexRequest
	if err := q.DecodeRequest(&req, q.Path); err != nil {
		return nil, err
	}
	limit, err := limitOf(req.Limit)
	if err != nil {
		return nil, err
	}
	value, err := k.indexedValue(kv, req.Registry, req.Field, req.Value)
	if err != nil {
		return nil, err
	}
	pfx := indexPrefix(req.Registry, req.Field, value)
	start := pfx
	if req.After != 0 {
		start = module.After(pfx, u64(req.After))
	}
	page := tx.RegistryIDPage{IDs: []uint64{}}
	next := module.EachPage(kv, pfx, start, store.PrefixEnd(pfx), limit, func(key, _ []byte) bool {
		if len(key) != len(pfx)+8 {
			return false
		}
		page.IDs = append(page.IDs, idOf(key[len(pfx):]))
		return true
	})
	if next != nil {
		page.Next = idOf(next)
	}
	return module.JSON(page)
}

func grants(q *module.Query, kv store.KV) (*module.QueryResult, error) {
	var req tx.RegistryPageRequest
	if err := decode(q, &req, q.Path, func() error { return tx.ValidateRegistryName("registry", req.Registry) }); err != nil {
		return nil, err
	}
	limit, err := limitOf(req.Limit)
	if err != nil {
		return nil, err
	}
	if _, err := found(kv, req.Registry); err != nil {
		return nil, err
	}
	pfx := grantPrefix(req.Registry)
	start := pfx
	if req.After != "" {
		role, grantee, ok := strings.Cut(req.After, "/")
		a, err := tx.ParseAddress(grantee)
		if !ok || err != nil || tx.ValidateRegistryName("role", role) != nil {
			return nil, module.ErrBadQuery.Wrapf("after %q: want \"role/grantee\", the next of a previous page", req.After)
		}
		start = module.After(pfx, append(append([]byte(role), 0x00), a[:]...))
	}
	page := tx.RegistryGrantPage{Grants: []Grant{}}
	next := module.EachPage(kv, pfx, start, store.PrefixEnd(pfx), limit, func(_, v []byte) bool {
		var g Grant
		store.DecodeJSON(v, &g)
		page.Grants = append(page.Grants, g)
		return true
	})
	if next != nil {
		role, grantee, _ := bytes.Cut(next, []byte{0})
		var a tx.Address
		copy(a[:], grantee)
		page.Next = string(role) + "/" + a.String()
	}
	return module.JSON(page)
}
