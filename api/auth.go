package api

import (
	"context"
	"net/http"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// The auth module's reads (chain/internal/auth): accounts and their roles,
// the authorities and their proposals.

// authRoutes are the auth module's endpoints, documented in
// openapi/auth.json.
func (s *Server) authRoutes() []route {
	return []route{
		keyed("GET", "/v1/accounts/{address}", s.account),
		keyed("GET", "/v1/accounts/{address}/roles", s.roles),
		keyed("GET", "/v1/authorities", s.authorities),
		keyed("GET", "/v1/proposals", s.proposals),
		keyed("GET", "/v1/proposals/{id}", s.proposal),
	}
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.AccountState(ctx, a, o)))
	})
}

func (s *Server) roles(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		roles, res, err := s.node.Roles(ctx, a, o)
		if err == nil && roles == nil {
			return []string{}, res, nil
		}
		return rawOrAbsent(stored(roles, res, err))
	})
}

// Authorities is what /v1/authorities answers: the n authorities, the
// threshold k of them an authority action needs, and how long a proposal
// collects approvals.
type Authorities struct {
	Authorities        []tx.Address `json:"authorities"`
	Threshold          uint32       `json:"threshold"`
	ProposalTTLSeconds uint64       `json:"proposal_ttl_seconds"`
}

func (s *Server) authorities(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	addrs, err := s.node.Authorities(ctx, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	p, err := s.node.AuthParams(ctx, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	if addrs == nil {
		addrs = []tx.Address{}
	}
	writeJSON(w, http.StatusOK, Authorities{Authorities: addrs, Threshold: p.AuthorityThreshold, ProposalTTLSeconds: p.ProposalTTLSeconds})
}

// proposals pages through the authority proposals, pending and executed
// (until they expire), in id order, on the chain.
func (s *Server) proposals(w http.ResponseWriter, r *http.Request) {
	after, err := afterParam(r, "a proposal id (64 lowercase hex characters)", func(v string) error {
		_, err := tx.ParseProposalID(v)
		return err
	})
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	limit, err := limitParam(r, 50, 500)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	page, _, err := s.node.Proposals(ctx, tx.ProposalListRequest{PageRequest: tx.PageRequest{After: after, Limit: uint64(limit)}}, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	p := Page[tx.Proposal]{Items: page.Proposals}
	if p.Items == nil {
		p.Items = []tx.Proposal{}
	}
	if page.Next != "" {
		p.NextCursor = encodeCursor(page.Next)
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) proposal(w http.ResponseWriter, r *http.Request) {
	id, err := tx.ParseProposalID(r.PathValue("id"))
	if err != nil {
		s.badRequest(w, r, badField("id", "64 lowercase hex characters (a proposal id)", "%v", err))
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.Proposal(ctx, id, o)))
	})
}
