package auth

import (
	"bytes"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Query implements module.Module. Paths:
//
//	account      data: address (hex)   -> Account JSON, provable
//	roles        data: address (hex)   -> sorted role names JSON, provable
//	members      data: role name, or tx.MembersRequest JSON -> the first page
//	             of the role's holders as an array, or a tx.MemberPage
//	authorities  no data               -> the authorities' addresses
//	params       no data               -> tx.AuthParams JSON, provable when the genesis named them
//	proposal     data: id (hex)        -> tx.Proposal JSON, provable
//	proposals    data: tx.ProposalListRequest JSON (or none) -> tx.ProposalPage
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	kv := q.Store(k.prefix)
	switch q.Path {
	case "account", "roles":
		addr, err := tx.ParseAddress(string(q.Data))
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		key := accountKey(addr)
		if q.Path == "roles" {
			key = rolesKey(addr)
		}
		return &module.QueryResult{Key: append([]byte{k.prefix}, key...)}, nil
	case "members":
		var req tx.MembersRequest
		paged, err := q.ListRequest(&req, "members")
		if err != nil {
			return nil, err
		}
		if !paged {
			req.Role = string(q.Data)
		}
		page, err := membersPage(kv, req)
		if err != nil {
			return nil, err
		}
		if !paged {
			return module.JSON(page.Members)
		}
		return module.JSON(page)
	case "authorities":
		out := []tx.Address{}
		store.EachPrefix(kv, []byte{prefixAuthority}, func(key, _ []byte) bool {
			var a tx.Address
			copy(a[:], key[1:])
			out = append(out, a)
			return true
		})
		return module.JSON(out)
	case "params":
		if kv.Has(paramsKey) {
			return &module.QueryResult{Key: append([]byte{k.prefix}, paramsKey...)}, nil
		}
		return module.JSON(DefaultParams())
	case "proposal":
		id, err := tx.ParseProposalID(string(q.Data))
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return &module.QueryResult{Key: append([]byte{k.prefix}, proposalKey(id)...)}, nil
	case "proposals":
		return k.proposals(q, kv)
	}
	return nil, module.ErrUnknownQuery.Wrapf("auth/%s", q.Path)
}

// proposals answers one page of proposals in id order.
func (k *Keeper) proposals(q *module.Query, kv store.KV) (*module.QueryResult, error) {
	var req tx.ProposalListRequest
	if len(bytes.TrimSpace(q.Data)) > 0 {
		if err := q.DecodeRequest(&req, "proposals"); err != nil {
			return nil, err
		}
	}
	limit, err := module.ListLimit(req.PageRequest)
	if err != nil {
		return nil, err
	}
	p := []byte{prefixProposal}
	start := p
	if req.After != "" {
		after, err := tx.ParseProposalID(req.After)
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("after: %v", err)
		}
		start = module.After(p, after[:])
	}
	params := getParams(kv)
	page := tx.ProposalPage{Threshold: params.AuthorityThreshold, Authorities: uint32(authorityCount(kv)), Proposals: []tx.Proposal{}}
	next := module.EachPage(kv, p, start, store.PrefixEnd(p), limit, func(_, value []byte) bool {
		var pr tx.Proposal
		store.DecodeJSON(value, &pr)
		page.Proposals = append(page.Proposals, pr)
		return true
	})
	if next != nil {
		var id tx.ProposalID
		copy(id[:], next)
		page.Next = id.String()
	}
	return module.JSON(page)
}

// membersPage is a page of a role's holders in address order.
func membersPage(kv store.KV, req tx.MembersRequest) (*tx.MemberPage, error) {
	if err := tx.ValidateRole(req.Role); err != nil {
		return nil, module.ErrBadQuery.Wrapf("%v", err)
	}
	limit, err := module.ListLimit(req.PageRequest)
	if err != nil {
		return nil, err
	}
	p := membersPrefix(req.Role)
	start := p
	if req.After != "" {
		a, err := tx.ParseAddress(req.After)
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("after: %v", err)
		}
		start = module.After(p, a[:])
	}
	page := &tx.MemberPage{Members: []tx.Address{}}
	next := module.EachPage(kv, p, start, store.PrefixEnd(p), limit, func(key, _ []byte) bool {
		var a tx.Address
		copy(a[:], key[len(p):])
		page.Members = append(page.Members, a)
		return true
	})
	if next != nil {
		var a tx.Address
		copy(a[:], next)
		page.Next = a.String()
	}
	return page, nil
}
