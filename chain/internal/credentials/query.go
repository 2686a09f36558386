package credentials

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"strconv"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Query request types (declared in chain/tx, which clients import).
type (
	// AccreditationRequest names one accreditation.
	AccreditationRequest = tx.AccreditationRequest
	// AccreditationsRequest pages through accreditations.
	AccreditationsRequest = tx.AccreditationsRequest
	// StatusRequest asks for one bit of a list.
	StatusRequest = tx.StatusRequest
	// StatusChunkRequest asks for one chunk of a list.
	StatusChunkRequest = tx.StatusChunkRequest
	// StatusListsRequest pages through status lists.
	StatusListsRequest = tx.StatusListsRequest
)

// Query implements module.Module. Paths (see README):
//
//	params                                       -> Params
//	schema          data: schema id              -> tx.Schema, provable
//	schemas         data: tx.PageRequest         -> tx.SchemaPage (after: a schema id)
//	accreditation   data: {"issuer","schema"}    -> tx.Accreditation, provable
//	accreditations  data: {"issuer","after","limit"} -> tx.AccreditationPage (after: opaque hex)
//	verifier        data: verifier id            -> tx.Verifier, provable
//	verifiers       data: tx.PageRequest         -> tx.VerifierPage (after: a verifier id)
//	list            data: list id                -> tx.StatusList, provable
//	lists           data: {"owner","after","limit"} -> tx.StatusListPage (after: opaque hex)
//	status          data: {"list","idx"}         -> tx.Status
//	status_chunk    data: {"list","chunk"}       -> the chunk's 1024 raw bytes, provable (absent: all zero)
//	anchor          data: id (decimal)           -> tx.CredentialAnchor, provable
//	anchors         data: tx.PageRequest         -> tx.CredentialAnchorPage (after: an id)
//	stats                                        -> tx.CredentialStats
//
// status and status_chunk refuse an unknown list with ErrUnknownList, an
// index or chunk past the list's size with ErrBadQuery.
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	kv := q.Store(k.prefix)
	full := func(key []byte) *module.QueryResult {
		return &module.QueryResult{Key: append([]byte{k.prefix}, key...)}
	}
	switch q.Path {
	case "params":
		p := DefaultParams()
		getJSON(kv, paramsKey, &p)
		return module.JSON(p)
	case "schema":
		if err := tx.ValidateSchemaID(string(q.Data)); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return full(schemaKey(string(q.Data))), nil
	case "schemas":
		return idPage(q, kv, prefixSchema, "schemas", tx.ValidateSchemaID, func(p *tx.SchemaPage) *[]Schema { return &p.Schemas }, func(p *tx.SchemaPage, n string) { p.Next = n })
	case "accreditation":
		var req AccreditationRequest
		if err := q.DecodeRequest(&req, "accreditation"); err != nil {
			return nil, err
		}
		if err := tx.ValidateSchemaID(req.Schema); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return full(accreditationKey(req.Issuer, req.Schema)), nil
	case "accreditations":
		var req AccreditationsRequest
		if _, err := q.ListRequest(&req, "accreditations"); err != nil {
			return nil, err
		}
		page := tx.AccreditationPage{Accreditations: []Accreditation{}}
		next, err := hexPage(kv, prefixAccreditation, req.Issuer, req.PageRequest, func(v []byte) {
			var a Accreditation
			store.DecodeJSON(v, &a)
			page.Accreditations = append(page.Accreditations, a)
		})
		if err != nil {
			return nil, err
		}
		page.Next = next
		return module.JSON(page)
	case "verifier":
		if err := tx.ValidateVerifierID(string(q.Data)); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return full(verifierKey(string(q.Data))), nil
	case "verifiers":
		return idPage(q, kv, prefixVerifier, "verifiers", tx.ValidateVerifierID, func(p *tx.VerifierPage) *[]Verifier { return &p.Verifiers }, func(p *tx.VerifierPage, n string) { p.Next = n })
	case "list":
		owner, name, err := tx.ParseStatusListID(string(q.Data))
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return full(listKey(owner, name)), nil
	case "lists":
		var req StatusListsRequest
		if _, err := q.ListRequest(&req, "lists"); err != nil {
			return nil, err
		}
		page := tx.StatusListPage{Lists: []StatusList{}}
		next, err := hexPage(kv, prefixList, req.Owner, req.PageRequest, func(v []byte) {
			var l StatusList
			store.DecodeJSON(v, &l)
			page.Lists = append(page.Lists, l)
		})
		if err != nil {
			return nil, err
		}
		page.Next = next
		return module.JSON(page)
	case "status":
		var req StatusRequest
		if err := q.DecodeRequest(&req, "status"); err != nil {
			return nil, err
		}
		l, err := queryList(kv, req.List)
		if err != nil {
			return nil, err
		}
		if req.Idx >= l.Size {
			return nil, module.ErrBadQuery.Wrapf("idx %d: want below the size %d of %s", req.Idx, l.Size, req.List)
		}
		c, _, _ := tx.StatusBit(req.Idx)
		return module.JSON(tx.Status{List: l.ID, Idx: req.Idx, Set: bitOf(kv, l, req.Idx), Chunk: c})
	case "status_chunk":
		var req StatusChunkRequest
		if err := q.DecodeRequest(&req, "status_chunk"); err != nil {
			return nil, err
		}
		l, err := queryList(kv, req.List)
		if err != nil {
			return nil, err
		}
		if req.Chunk >= l.ChunkCount() {
			return nil, module.ErrBadQuery.Wrapf("chunk %d: want below the %d chunks of %s", req.Chunk, l.ChunkCount(), req.List)
		}
		return full(chunkKey(l.Owner, l.Name, req.Chunk)), nil
	case "anchor":
		n, err := strconv.ParseUint(string(q.Data), 10, 64)
		if err != nil || n == 0 {
			return nil, module.ErrBadQuery.Wrapf("anchor id %q: want a decimal number from 1", q.Data)
		}
		return full(anchorKey(n)), nil
	case "anchors":
		var req tx.PageRequest
		if _, err := q.ListRequest(&req, "anchors"); err != nil {
			return nil, err
		}
		limit, err := module.ListLimit(req)
		if err != nil {
			return nil, err
		}
		pfx := []byte{prefixAnchor}
		start := pfx
		if req.After != "" {
			n, err := strconv.ParseUint(req.After, 10, 64)
			if err != nil {
				return nil, module.ErrBadQuery.Wrapf("after %q: want an anchor id (decimal)", req.After)
			}
			start = module.After(pfx, binary.BigEndian.AppendUint64(nil, n))
		}
		page := tx.CredentialAnchorPage{Anchors: []Anchor{}}
		next := module.EachPage(kv, pfx, start, store.PrefixEnd(pfx), limit, func(_, v []byte) bool {
			var a Anchor
			store.DecodeJSON(v, &a)
			page.Anchors = append(page.Anchors, a)
			return true
		})
		if next != nil {
			page.Next = strconv.FormatUint(binary.BigEndian.Uint64(next), 10)
		}
		return module.JSON(page)
	case "stats":
		return module.JSON(counters(kv))
	}
	return nil, module.ErrUnknownQuery.Wrapf("credentials/%s", q.Path)
}

// queryList reads the list a query names: ErrBadQuery for a malformed id,
// ErrUnknownList for an unknown one (not ErrNotFound, which clients read
// as an absent chunk, all clear).
func queryList(kv store.KV, id string) (*StatusList, error) {
	owner, name, err := tx.ParseStatusListID(id)
	if err != nil {
		return nil, module.ErrBadQuery.Wrapf("%v", err)
	}
	l := list(kv, owner, name)
	if l == nil {
		return nil, ErrUnknownList.Wrapf("%s", id)
	}
	return l, nil
}

// idPage answers a page of the records under prefix, keyed by an id that
// check validates; the cursor is the last id.
func idPage[P any, T any](q *module.Query, kv store.KV, prefix byte, what string, check func(string) error, items func(*P) *[]T, setNext func(*P, string)) (*module.QueryResult, error) {
	var req tx.PageRequest
	if _, err := q.ListRequest(&req, what); err != nil {
		return nil, err
	}
	limit, err := module.ListLimit(req)
	if err != nil {
		return nil, err
	}
	pfx := []byte{prefix}
	start := pfx
	if req.After != "" {
		if err := check(req.After); err != nil {
			return nil, module.ErrBadQuery.Wrapf("after: %v", err)
		}
		start = module.After(pfx, []byte(req.After))
	}
	page := new(P)
	list := items(page)
	*list = []T{}
	next := module.EachPage(kv, pfx, start, store.PrefixEnd(pfx), limit, func(_, v []byte) bool {
		var t T
		store.DecodeJSON(v, &t)
		*list = append(*list, t)
		return true
	})
	if next != nil {
		setNext(page, string(next))
	}
	return module.JSON(page)
}

// hexPage walks a page of the records under prefix | address (20) | name,
// all or one address's, and returns the next cursor: the hex of the last
// key after prefix.
func hexPage(kv store.KV, prefix byte, addr *tx.Address, req tx.PageRequest, add func(v []byte)) (string, error) {
	limit, err := module.ListLimit(req)
	if err != nil {
		return "", err
	}
	pfx := []byte{prefix}
	rng := pfx
	if addr != nil {
		rng = append([]byte{prefix}, addr[:]...)
	}
	start := rng
	if req.After != "" {
		after, err := hex.DecodeString(req.After)
		if err != nil || len(after) <= tx.AddressLen || addr != nil && !bytes.HasPrefix(after, addr[:]) {
			return "", module.ErrBadQuery.Wrapf("after %q: want the next of a previous page", req.After)
		}
		start = module.After(pfx, after)
	}
	next := module.EachPage(kv, pfx, start, store.PrefixEnd(rng), limit, func(_, v []byte) bool {
		add(v)
		return true
	})
	if next == nil {
		return "", nil
	}
	return hex.EncodeToString(next), nil
}
