package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// The labour module's reads (chain/internal/labour, docs/labour.md):
// the dated rule table, employment contracts with their shifts, wage
// statements, escrow funds and the labour tier of a public-works project's
// arrears view. Single items are state reads (with ?prove=true, proven
// present or absent against a signed header); lists are the chain's pages.
// One part is the API's own: a late statement's answer carries, beside the
// stored statement, the late-pay interest accrued as of the block it was
// read at (accrued), so a worker and the ministry watch it grow. Writes are
// signed transactions (POST /v1/txs).

const (
	labourProjectExpected = "a public-works contract id: 1 to 32 characters of a-z, 0-9 and '-'"
)

// LateAccrual is what a late payment has accrued as of a block: computed
// by the API from the stored item and the chain's rates at the read's
// height, never stored. Interest is tx.LateInterest: floor(principal ×
// Σ the annual rate in force each day late ÷ (365 × 100,000)), the days
// counted from the day after the due date (KST) to AsOf's date.
type LateAccrual struct {
	// AsOf is the time of the block at the read's height (unix seconds),
	// AsOfDate its KST date.
	AsOf     int64  `json:"as_of"`
	AsOfDate string `json:"as_of_date"`
	// Due is the payment's due time (unix seconds).
	Due      int64  `json:"due"`
	DaysLate uint64 `json:"days_late"`
	// RatePer100k is the annual late-payment rate in force on AsOfDate,
	// in parts per 100,000 (20 % is 20000).
	RatePer100k        uint64 `json:"rate_per_100k"`
	PrincipalKRW       uint64 `json:"principal_krw"`
	AccruedInterestKRW uint64 `json:"accrued_interest_krw"`
	// OwedKRW is principal plus interest: what paying it at AsOf takes.
	OwedKRW uint64 `json:"owed_krw"`
}

// AccruedResponse is a state read of an item that can be paid late: the
// stored item (Result, which the proof proves) and, beside it when the
// payment is late, what has accrued (LateAccrual).
type AccruedResponse struct {
	Height  int64        `json:"height"`
	Result  any          `json:"result"`
	Accrued *LateAccrual `json:"accrued,omitempty"`
	Proof   *Proof       `json:"proof,omitempty"`
}

// lateAccrual computes a late payment's accrual at asOf from rates (rows of
// kind tx.RuleLateInterest, any order).
func lateAccrual(rates []tx.LabourRule, principal uint64, due, asOf int64) *LateAccrual {
	rows := slices.Clone(rates)
	slices.SortStableFunc(rows, func(a, b tx.LabourRule) int { return strings.Compare(a.Effective, b.Effective) })
	rate, _ := tx.RuleAt(rows, tx.RuleLateInterest, asOf)
	interest := tx.LateInterest(rows, tx.RuleLateInterest, principal, due, asOf)
	return &LateAccrual{AsOf: asOf, AsOfDate: tx.DateOf(asOf), Due: due, DaysLate: tx.DaysLate(due, asOf),
		RatePer100k: rate, PrincipalKRW: principal, AccruedInterestKRW: interest, OwedKRW: principal + interest}
}

// blockTime is the time (unix seconds) of the block at height.
func (s *Server) blockTime(ctx context.Context, height int64) (int64, error) {
	h, err := s.node.RPC().Header(ctx, &height)
	if err != nil {
		return 0, fmt.Errorf("header %d: %w", height, err)
	}
	return h.Header.Time.Unix(), nil
}

// pathProject reads a path's public-works contract id.
func pathProject(r *http.Request, name string) (string, error) {
	p := r.PathValue(name)
	if err := tx.ValidateProjectID(p); err != nil {
		return "", badField(name, labourProjectExpected, "%s: %v", name, err)
	}
	return p, nil
}

// labourError answers a node error of a labour read: an unknown contract
// or shift is a 404 naming it.
func (s *Server) labourError(w http.ResponseWriter, r *http.Request, what string, err error) {
	if errors.Is(err, tx.CodeLabourUnknownContract) || errors.Is(err, tx.CodeLabourUnknownShift) || errors.Is(err, client.ErrNotFound) {
		s.problem(w, r, http.StatusNotFound, "not found", what+" does not exist", nil)
		return
	}
	s.nodeError(w, r, err)
}

// labourRules is the effective rule table (built-in rows and those added
// by the labour ministry) and the module's parameters.
func (s *Server) labourRules(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	v, err := s.node.LabourRules(ctx, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	if v.Rules == nil {
		v.Rules = []tx.LabourRule{}
	}
	writeJSON(w, http.StatusOK, v)
}

// labourStats are the module's counters.
func (s *Server) labourStats(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	v, err := s.node.LabourStats(ctx, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// labourContracts lists contracts in id order, all or an employer's or a
// worker's.
func (s *Server) labourContracts(w http.ResponseWriter, r *http.Request) {
	var req tx.LabourContractsRequest
	var err error
	if req.Employer, err = queryAddr(r, "employer"); err != nil {
		s.badRequest(w, r, err)
		return
	}
	if req.Worker, err = queryAddr(r, "worker"); err != nil {
		s.badRequest(w, r, err)
		return
	}
	after, limit, err := idPage(r, "a contract id: "+afterIDExpected)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	req.After, req.Limit = after, uint32(limit)
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.LabourContracts(ctx, req, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Contracts, idNext(p.Next)))
}

// labourContract is one employment contract: the offer's terms, status,
// countersignature, shifts counted and the first week not yet closed.
func (s *Server) labourContract(w http.ResponseWriter, r *http.Request) {
	id, err := pathUintID(r, "id", "contract")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		what := fmt.Sprintf("labour contract %d does not exist", id)
		return namedRead(what, o)(stored(s.node.LabourContract(ctx, id, o)))
	})
}

// labourShifts lists a contract's shifts in id order.
func (s *Server) labourShifts(w http.ResponseWriter, r *http.Request) {
	id, err := pathUintID(r, "id", "contract")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	after, limit, err := idPage(r, "a shift id: "+afterIDExpected)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, height, err := s.node.LabourShifts(ctx, tx.LabourShiftsRequest{Contract: id, After: after, Limit: uint32(limit)}, 0)
	what := fmt.Sprintf("labour contract %d", id)
	if err != nil {
		s.labourError(w, r, what, err)
		return
	}
	if len(p.Shifts) == 0 && after == 0 {
		// No shifts: a contract without any, or no contract at all.
		c, _, err := s.node.LabourContract(ctx, id, client.ReadOpts{Height: height})
		if err == nil && c == nil {
			err = client.ErrNotFound
		}
		if err != nil {
			s.labourError(w, r, what, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, afterPage(p.Shifts, idNext(p.Next)))
}

// labourShift is one shift: in and out times and by whom, paid minutes,
// corrections, a disputed correction and the statement that pays it.
func (s *Server) labourShift(w http.ResponseWriter, r *http.Request) {
	id, err := pathUintID(r, "id", "contract")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	shift, err := pathUintID(r, "shift", "shift")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		what := fmt.Sprintf("labour contract %d has no shift %d", id, shift)
		return namedRead(what, o)(stored(s.node.LabourShift(ctx, id, shift, o)))
	})
}

// labourStatements lists wage statements in id order: all, a contract's,
// a worker's or an employer's, or (late=true) only the late ones.
func (s *Server) labourStatements(w http.ResponseWriter, r *http.Request) {
	var req tx.LabourStatementsRequest
	var err error
	if v := r.URL.Query().Get("contract"); v != "" {
		if req.Contract, err = strconv.ParseUint(v, 10, 64); err != nil || req.Contract == 0 {
			s.badRequest(w, r, badField("contract", "a contract id: "+idExpected, "contract %q: want a decimal integer from 1", v))
			return
		}
	}
	if req.Worker, err = queryAddr(r, "worker"); err != nil {
		s.badRequest(w, r, err)
		return
	}
	if req.Employer, err = queryAddr(r, "employer"); err != nil {
		s.badRequest(w, r, err)
		return
	}
	if req.Late, err = queryBool(r, "late"); err != nil {
		s.badRequest(w, r, err)
		return
	}
	after, limit, err := idPage(r, "a statement id: "+afterIDExpected)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	req.After, req.Limit = after, uint32(limit)
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.LabourStatements(ctx, req, 0)
	if err != nil {
		s.labourError(w, r, fmt.Sprintf("labour contract %d", req.Contract), err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Statements, idNext(p.Next)))
}

// labourStatement is one wage statement: items with their basis, gross,
// deductions, net, status; a late one's answer adds the interest accrued
// as of the block read (accrued).
func (s *Server) labourStatement(w http.ResponseWriter, r *http.Request) {
	id, err := pathUintID(r, "id", "statement")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	var st *tx.WageStatement
	read := func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		v, res, err := s.node.LabourStatement(ctx, id, o)
		st = v
		return namedRead(fmt.Sprintf("wage statement %d does not exist", id), o)(stored(v, res, err))
	}
	s.provableAccrued(w, r, read, func(ctx context.Context, res *client.QueryResult) (*LateAccrual, error) {
		if st.Status != tx.StatementLate {
			return nil, nil
		}
		return s.statementAccrual(ctx, st, res.Height)
	})
}

// statementAccrual is a late statement's accrual as of the block at
// height: its gross at the chain's late_interest rows.
func (s *Server) statementAccrual(ctx context.Context, st *tx.WageStatement, height int64) (*LateAccrual, error) {
	rules, err := s.node.LabourRules(ctx, height)
	if err != nil {
		return nil, err
	}
	at, err := s.blockTime(ctx, height)
	if err != nil {
		return nil, err
	}
	return lateAccrual(rules.Rules, st.GrossKRW, st.Due, at), nil
}

// labourFund is an employer's escrow fund: balance, owed (pending and
// late statements' gross), deposited, paid, withdrawn, late count.
func (s *Server) labourFund(w http.ResponseWriter, r *http.Request) {
	owner, err := pathAddr(r, "owner", addressExpected)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		what := fmt.Sprintf("employer %s has no labour fund", owner)
		return namedRead(what, o)(stored(s.node.LabourFund(ctx, tx.LabourFundRequest{Owner: owner}, o)))
	})
}

// labourProjectFund is a public-works project's labour pool.
func (s *Server) labourProjectFund(w http.ResponseWriter, r *http.Request) {
	project, err := pathProject(r, "project")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		what := fmt.Sprintf("project %s has no labour pool", project)
		return namedRead(what, o)(stored(s.node.LabourFund(ctx, tx.LabourFundRequest{Project: project}, o)))
	})
}

// labourProjectLines lists a project's worker lines in worker address
// order.
func (s *Server) labourProjectLines(w http.ResponseWriter, r *http.Request) {
	project, err := pathProject(r, "project")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	after, err := afterParam(r, "a worker address (40 hex characters): the next_after of a previous page", func(v string) error {
		_, err := tx.ParseAddress(v)
		return err
	})
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	limit, err := limitParam(r, tx.DefaultListLimit, tx.MaxListLimit)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	req := tx.LabourProjectLinesRequest{Project: project, Limit: uint32(limit)}
	if after != "" {
		req.After, _ = tx.ParseAddress(after)
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.LabourProjectLines(ctx, req, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	next := ""
	if !p.Next.IsZero() {
		next = p.Next.String()
	}
	writeJSON(w, http.StatusOK, afterPage(p.Lines, next))
}

// labourProjectLine is a worker's line of a project's arrears view:
// wages owed (late statements' gross) and paid from the project's labour
// pool. Never a 404 for a known project: a worker with no line is owed 0
// and was paid 0, and with prove=true that is proven by the proof of the
// line's absence.
func (s *Server) labourProjectLine(w http.ResponseWriter, r *http.Request) {
	project, err := pathProject(r, "project")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	worker, err := pathAddr(r, "worker", addressExpected)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		v, res, err := stored(s.node.LabourProjectLine(ctx, project, worker, o))
		if err != nil || v != nil {
			return v, res, err
		}
		if !o.Prove {
			if err := s.projectExists(ctx, project, res.Height); err != nil {
				return nil, nil, err
			}
		}
		return tx.LabourProjectLine{Project: project, Worker: worker}, res, nil
	})
}

// projectExists is nil when public-works contract project exists at
// height, else a not-found error naming it.
func (s *Server) projectExists(ctx context.Context, project string, height int64) error {
	c, _, err := s.node.Contract(ctx, project, client.ReadOpts{Height: height})
	switch {
	case err != nil:
		return err
	case c == nil:
		return namedAbsent(fmt.Sprintf("public-works contract %s does not exist", project))
	}
	return nil
}

// labourRoutes are the labour module's endpoints (openapi/labour.json).
func (s *Server) labourRoutes() []route {
	return []route{
		keyed("GET", "/v1/labour/rules", s.labourRules),
		keyed("GET", "/v1/labour/stats", s.labourStats),
		keyed("GET", "/v1/labour/contracts", s.labourContracts),
		keyed("GET", "/v1/labour/contracts/{id}", s.labourContract),
		keyed("GET", "/v1/labour/contracts/{id}/shifts", s.labourShifts),
		keyed("GET", "/v1/labour/contracts/{id}/shifts/{shift}", s.labourShift),
		keyed("GET", "/v1/labour/statements", s.labourStatements),
		keyed("GET", "/v1/labour/statements/{id}", s.labourStatement),
		keyed("GET", "/v1/labour/funds/{owner}", s.labourFund),
		keyed("GET", "/v1/labour/projects/{project}/fund", s.labourProjectFund),
		keyed("GET", "/v1/labour/projects/{project}/lines", s.labourProjectLines),
		keyed("GET", "/v1/labour/projects/{project}/lines/{worker}", s.labourProjectLine),
	}
}
