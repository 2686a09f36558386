package voting

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Query implements module.Module. Every request is JSON. Paths (see
// README):
//
//	params     {}                                     -> tx.VotingParams
//	proposal   tx.VotingIDRequest                     -> tx.VoteProposal, provable (absence too)
//	proposals  tx.VotingPageRequest (after: an id)    -> tx.VoteProposalPage
//	support    tx.VotingItemRequest{ID, Identity}     -> Support, provable (absence too)
//	election   tx.VotingIDRequest                     -> tx.VoteElection, provable
//	elections  tx.VotingPageRequest (after: an id)    -> tx.VoteElectionPage
//	trustees   tx.VotingIDRequest (the election)      -> []tx.VoteTrustee, by index
//	trustee    tx.VotingItemRequest{Election, Index}  -> tx.VoteTrustee, provable
//	request    tx.VotingItemRequest{Election, Identity} -> tx.VoteRequest, provable
//	requests   tx.VotingPageRequest{Election, After: a seq, Pending} -> tx.VoteRequestPage
//	ballots    tx.VotingPageRequest{Election, After: a seq} -> tx.VoteBallotPage
//	tracker    tx.VotingItemRequest{Election, Tracker} -> tx.VoteTrackerEntry, provable (absence too)
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	kv := q.Store(k.prefix)
	full := func(key []byte) *module.QueryResult {
		return &module.QueryResult{Key: append([]byte{k.prefix}, key...)}
	}
	switch q.Path {
	case "params":
		if len(q.Data) > 0 {
			var req struct{}
			if err := q.DecodeRequest(&req, q.Path); err != nil {
				return nil, err
			}
		}
		return module.JSON(params(kv))
	case "proposal", "election", "trustees":
		var req tx.VotingIDRequest
		if err := q.DecodeRequest(&req, q.Path); err != nil {
			return nil, err
		}
		switch q.Path {
		case "proposal":
			return full(proposalKey(req.ID)), nil
		case "election":
			return full(electionKey(req.ID)), nil
		}
		e := getElection(kv, req.ID)
		if e == nil {
			return nil, module.ErrNotFound.Wrapf("no election %d", req.ID)
		}
		return module.JSON(trustees(kv, e))
	case "support", "trustee", "request", "tracker":
		var req tx.VotingItemRequest
		if err := q.DecodeRequest(&req, q.Path); err != nil {
			return nil, err
		}
		switch q.Path {
		case "support":
			return full(supportKey(req.ID, req.Identity)), nil
		case "trustee":
			return full(trusteeKey(req.Election, req.Index)), nil
		case "request":
			return full(requestKey(req.Election, req.Identity)), nil
		}
		return full(trackerKey(req.Election, req.Tracker)), nil
	case "proposals", "elections", "requests", "ballots":
		return page(q, kv)
	}
	return nil, module.ErrUnknownQuery.Wrapf("voting/%s", q.Path)
}

// page answers the list queries: pages by id (proposals, elections) or by
// seq within an election (requests, pending requests, ballots).
func page(q *module.Query, kv store.KV) (*module.QueryResult, error) {
	var req tx.VotingPageRequest
	if err := q.DecodeRequest(&req, q.Path); err != nil {
		return nil, err
	}
	limit, err := module.PageLimit(req.Limit, tx.DefaultListLimit, tx.MaxListLimit)
	if err != nil {
		return nil, err
	}
	var pfx []byte
	switch q.Path {
	case "proposals":
		pfx = []byte{prefixProposal}
	case "elections":
		pfx = []byte{prefixElection}
	default:
		if req.Election == 0 || !kv.Has(electionKey(req.Election)) {
			return nil, module.ErrNotFound.Wrapf("no election %d", req.Election)
		}
		switch {
		case q.Path == "ballots":
			pfx = with(prefixBallot, req.Election)
		case req.Pending:
			pfx = with(prefixPending, req.Election)
		default:
			pfx = with(prefixRequestSeq, req.Election)
		}
	}
	start := pfx
	if req.After != 0 {
		start = append(append([]byte{}, pfx...), u64(req.After+1)...)
		if req.After == ^uint64(0) {
			start = store.PrefixEnd(pfx)
		}
	}
	var out any
	var take func(key, value []byte) bool
	switch q.Path {
	case "proposals":
		p := &tx.VoteProposalPage{Proposals: []tx.VoteProposal{}}
		out, take = p, func(_, v []byte) bool {
			var x tx.VoteProposal
			store.DecodeJSON(v, &x)
			p.Proposals = append(p.Proposals, x)
			return true
		}
	case "elections":
		p := &tx.VoteElectionPage{Elections: []tx.VoteElection{}}
		out, take = p, func(_, v []byte) bool {
			var x tx.VoteElection
			store.DecodeJSON(v, &x)
			p.Elections = append(p.Elections, x)
			return true
		}
	case "ballots":
		p := &tx.VoteBallotPage{Ballots: []tx.VoteBallot{}}
		out, take = p, func(_, v []byte) bool {
			var x tx.VoteBallot
			store.DecodeJSON(v, &x)
			p.Ballots = append(p.Ballots, x)
			return true
		}
	default:
		p := &tx.VoteRequestPage{Requests: []tx.VoteRequest{}}
		out, take = p, func(_, v []byte) bool {
			var id tx.Address
			copy(id[:], v)
			r := getRequest(kv, req.Election, id)
			if r == nil {
				return false
			}
			p.Requests = append(p.Requests, *r)
			return true
		}
	}
	next := module.EachPage(kv, pfx, start, store.PrefixEnd(pfx), limit, take)
	if next != nil {
		n := idOf(next)
		switch p := out.(type) {
		case *tx.VoteProposalPage:
			p.Next = n
		case *tx.VoteElectionPage:
			p.Next = n
		case *tx.VoteBallotPage:
			p.Next = n
		case *tx.VoteRequestPage:
			p.Next = n
		}
	}
	return module.JSON(out)
}
