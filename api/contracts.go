package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// The contracts module's reads (chain/internal/contracts,
// docs/contracts.md): public-works contracts with their fixed breakdown,
// milestones and subcontractors, the instalments the prime owes its
// subcontractors, and the public arrears view: owed and paid per tier
// (prime, subcontract, labour) and per party, each party's line provable,
// its absence too. An unpaid instalment past its due date answers, beside
// the stored instalment, the interest accrued as of the block read
// (accrued, as for a late wage statement). Writes are signed transactions
// (POST /v1/txs).

// ContractInstalments are a contract's instalments in (milestone,
// subcontractor) order.
type ContractInstalments struct {
	Contract    string          `json:"contract"`
	Instalments []tx.Instalment `json:"instalments"`
}

const (
	contractsTierExpected      = "prime or subcontract (a worker's line of the labour tier: /v1/labour/projects/{project}/lines/{worker})"
	contractsMilestoneExpected = "a milestone index: a decimal integer from 0"
)

// contractsError answers a node error of a read under contract id; an
// unknown contract is a 404 naming it.
func (s *Server) contractsError(w http.ResponseWriter, r *http.Request, id string, err error) {
	if errors.Is(err, tx.CodeContractsUnknown) || errors.Is(err, client.ErrNotFound) {
		s.problem(w, r, http.StatusNotFound, "not found", fmt.Sprintf("public-works contract %s does not exist", id), nil)
		return
	}
	s.nodeError(w, r, err)
}

// contractsParams are the module's parameters: the dated late-payment
// rates and the bound on due dates examined per block.
func (s *Server) contractsParams(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, err := s.node.ContractsParams(ctx, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	if p.LateRates == nil {
		p.LateRates = []tx.LabourRule{}
	}
	writeJSON(w, http.StatusOK, p)
}

// contractsList lists contracts in id order, all or those a party takes
// part in.
func (s *Server) contractsList(w http.ResponseWriter, r *http.Request) {
	var req tx.ContractsRequest
	var err error
	if req.Party, err = queryAddr(r, "party"); err != nil {
		s.badRequest(w, r, err)
		return
	}
	after, err := afterParam(r, "a contract id: the next_after of a previous page", tx.ValidateProjectID)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	limit, err := limitParam(r, tx.DefaultListLimit, tx.MaxListLimit)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	req.After, req.Limit = after, uint32(limit)
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.Contracts(ctx, req, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Contracts, p.Next))
}

// contract is one contract: parties, pools, subcontractors (share,
// direct payment and its ground, missed instalments, paid and owed),
// milestones (status, delivery, approval, dispute) and its escrow.
func (s *Server) contract(w http.ResponseWriter, r *http.Request) {
	id, err := pathProject(r, "id")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		what := fmt.Sprintf("public-works contract %s does not exist", id)
		return namedRead(what, o)(stored(s.node.Contract(ctx, id, o)))
	})
}

// contractInstalments lists a contract's instalments (the chain answers
// an unknown contract not found).
func (s *Server) contractInstalments(w http.ResponseWriter, r *http.Request) {
	id, err := pathProject(r, "id")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	l, err := s.node.ContractInstalments(ctx, id, 0)
	if err != nil {
		s.contractsError(w, r, id, err)
		return
	}
	if l.Instalments == nil {
		l.Instalments = []tx.Instalment{}
	}
	writeJSON(w, http.StatusOK, ContractInstalments{Contract: id, Instalments: l.Instalments})
}

// pathInstalment reads {id}, {milestone} and {subcontractor}.
func pathInstalment(r *http.Request) (tx.InstalmentRequest, error) {
	id, err := pathProject(r, "id")
	if err != nil {
		return tx.InstalmentRequest{}, err
	}
	v := r.PathValue("milestone")
	ms, err := strconv.ParseUint(v, 10, 32)
	if err != nil || ms >= tx.MaxMilestones {
		return tx.InstalmentRequest{}, badField("milestone", contractsMilestoneExpected+fmt.Sprintf(" below %d", tx.MaxMilestones),
			"milestone %q: want 0 to %d", v, tx.MaxMilestones-1)
	}
	sub, err := pathAddr(r, "subcontractor", addressExpected)
	if err != nil {
		return tx.InstalmentRequest{}, err
	}
	return tx.InstalmentRequest{Contract: id, Milestone: uint32(ms), Subcontractor: sub}, nil
}

// contractInstalment is what the prime owes a subcontractor for a
// milestone; unpaid past its due date, the answer adds the interest
// accrued as of the block read (accrued).
func (s *Server) contractInstalment(w http.ResponseWriter, r *http.Request) {
	req, err := pathInstalment(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	var in *tx.Instalment
	read := func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		v, res, err := s.node.ContractInstalment(ctx, req, o)
		in = v
		what := fmt.Sprintf("public-works contract %s has no instalment for milestone %d and subcontractor %s", req.Contract, req.Milestone, req.Subcontractor)
		return namedRead(what, o)(stored(v, res, err))
	}
	s.provableAccrued(w, r, read, func(ctx context.Context, res *client.QueryResult) (*LateAccrual, error) {
		if in.PaidAt != 0 {
			return nil, nil
		}
		return s.instalmentAccrual(ctx, in, res.Height)
	})
}

// instalmentAccrual is an unpaid instalment's accrual as of the block at
// height once its due time passed (nil before), at the contracts module's
// late rates.
func (s *Server) instalmentAccrual(ctx context.Context, in *tx.Instalment, height int64) (*LateAccrual, error) {
	at, err := s.blockTime(ctx, height)
	if err != nil || at <= in.Due {
		return nil, err
	}
	p, err := s.node.ContractsParams(ctx, height)
	if err != nil {
		return nil, err
	}
	return lateAccrual(p.LateRates, in.PrincipalKRW, in.Due, at), nil
}

// contractArrears is a contract's arrears view by tier: prime,
// subcontract and labour (from the labour module's project lines).
func (s *Server) contractArrears(w http.ResponseWriter, r *http.Request) {
	id, err := pathProject(r, "id")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	a, err := s.node.ContractArrears(ctx, id, 0)
	if err != nil {
		s.contractsError(w, r, id, err)
		return
	}
	if a.Tiers == nil {
		a.Tiers = []tx.ArrearsTier{}
	}
	writeJSON(w, http.StatusOK, a)
}

// contractLine is one party's line of a contract's arrears view in tier
// prime or subcontract. Never a 404 for a known contract: a party with no
// line is owed 0 and was paid 0, and with prove=true that is proven by the
// proof of the line's absence.
func (s *Server) contractLine(w http.ResponseWriter, r *http.Request) {
	id, err := pathProject(r, "id")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	tier := r.PathValue("tier")
	if tier != tx.TierPrime && tier != tx.TierSubcontract {
		s.badRequest(w, r, badField("tier", contractsTierExpected, "tier %q: want %s or %s", tier, tx.TierPrime, tx.TierSubcontract))
		return
	}
	party, err := pathAddr(r, "party", addressExpected)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		v, res, err := stored(s.node.ContractLine(ctx, tx.ArrearsLineRequest{Contract: id, Tier: tier, Party: party}, o))
		if err != nil || v != nil {
			return v, res, err
		}
		if !o.Prove {
			if err := s.projectExists(ctx, id, res.Height); err != nil {
				return nil, nil, err
			}
		}
		return tx.ArrearsLine{Contract: id, Tier: tier, Party: party}, res, nil
	})
}

// contractsRoutes are the contracts module's endpoints
// (openapi/contracts.json). /v1/contracts/params is more specific than
// /v1/contracts/{id}: a contract named "params" is read in the list
// (/v1/contracts?party=) and through its sub-routes, which still match.
func (s *Server) contractsRoutes() []route {
	return []route{
		keyed("GET", "/v1/contracts", s.contractsList),
		keyed("GET", "/v1/contracts/params", s.contractsParams),
		keyed("GET", "/v1/contracts/{id}", s.contract),
		keyed("GET", "/v1/contracts/{id}/instalments", s.contractInstalments),
		keyed("GET", "/v1/contracts/{id}/instalments/{milestone}/{subcontractor}", s.contractInstalment),
		keyed("GET", "/v1/contracts/{id}/arrears", s.contractArrears),
		keyed("GET", "/v1/contracts/{id}/lines/{tier}/{party}", s.contractLine),
	}
}
