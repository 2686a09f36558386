package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/votecrypto"
)

// The voting module's reads (chain/internal/voting, docs/voting.md):
// citizen proposals with their supports and answer levels, and elections
// with their trustees (DKG and decryption records), credential requests,
// ballots and ballot trackers. Single items are state reads (with
// ?prove=true, proven present or absent against a signed header); lists
// are the chain's pages. One route is the API's own: GET
// /v1/voting/elections/{id}/verify re-verifies an election from chain data
// alone (votecrypto.VerifyElection, what `citychain vote verify` runs).
// Writes are signed transactions (POST /v1/txs).

const (
	votingAddressExpected  = "40 hex characters (the identity id: the address of its first device key)"
	votingTrackerExpected  = "64 lowercase hex characters (a ballot tracker: SHA-256 of the ballot's canonical bytes)"
	votingIndexExpected    = "a trustee index: a decimal integer from 1 to the election's number of trustees"
	votingAfterSeqExpected = "a sequence number (decimal): the next_after of a previous page"

	// MaxVerifyBallots bounds the ballots GET
	// /v1/voting/elections/{id}/verify re-verifies (re-votes included);
	// a larger election is a 422: verify it with `citychain vote verify`.
	MaxVerifyBallots = 10_000
	// MaxVerifyRequests bounds the credential requests it reads.
	MaxVerifyRequests = 50_000
	// verifyCacheSize bounds the reports of finished elections kept.
	verifyCacheSize = 16
)

// verifyBallotBound is the bound voteVerify applies: MaxVerifyBallots
// (a test lowers it).
var verifyBallotBound uint64 = MaxVerifyBallots

// VoteVerification is the answer of GET /v1/voting/elections/{id}/verify:
// the election's status and what votecrypto.VerifyElection found in the
// chain data read at Height. Clean is true when it found no problem.
type VoteVerification struct {
	Election uint64             `json:"election"`
	Height   int64              `json:"height"`
	Status   string             `json:"status"`
	Clean    bool               `json:"clean"`
	Report   *votecrypto.Report `json:"report"`
}

// namedAbsent is a read that found nothing, answered as a 404 that says
// what is missing.
type namedAbsent string

func (e namedAbsent) Error() string      { return string(e) }
func (namedAbsent) Is(target error) bool { return target == client.ErrNotFound }

// namedRead is the state read of a provable query (voting, labour,
// contracts): the stored
// value as the chain wrote it; when nothing is stored, a 404 naming what
// (without prove=true) or the proof of absence (with it).
func namedRead(what string, o client.ReadOpts) func(v json.RawMessage, res *client.QueryResult, err error) (any, *client.QueryResult, error) {
	return func(v json.RawMessage, res *client.QueryResult, err error) (any, *client.QueryResult, error) {
		view, res, err := rawOrAbsent(v, res, err)
		if errors.Is(err, errAbsent) && !o.Prove {
			return nil, res, namedAbsent(what)
		}
		return view, res, err
	}
}

// electionError answers a node error of a read under election id; an
// unknown election (the chain answers not found) is a 404 naming it.
func (s *Server) electionError(w http.ResponseWriter, r *http.Request, id uint64, err error) {
	if errors.Is(err, client.ErrNotFound) || errors.Is(err, tx.CodeVotingUnknownElection) {
		s.problem(w, r, http.StatusNotFound, "not found", fmt.Sprintf("election %d does not exist", id), nil)
		return
	}
	s.nodeError(w, r, err)
}

// votingParams are the module's parameters: the residency credential
// asked for, the thresholds and answer delays, the support period and
// the DKG's complaint blocks.
func (s *Server) votingParams(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, err := s.node.VotingParams(ctx, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// voteProposals lists proposals in id order.
func (s *Server) voteProposals(w http.ResponseWriter, r *http.Request) {
	after, limit, err := idPage(r, "a proposal id: "+afterIDExpected)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.VoteProposals(ctx, tx.VotingPageRequest{After: after, Limit: limit}, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Proposals, idNext(p.Next)))
}

// voteProposal is one proposal: supports, levels (reached, due, answered,
// overdue), status.
func (s *Server) voteProposal(w http.ResponseWriter, r *http.Request) {
	id, err := pathUintID(r, "id", "proposal")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return namedRead(fmt.Sprintf("proposal %d does not exist", id), o)(stored(s.node.VoteProposal(ctx, id, o)))
	})
}

// voteSupport is whether an identity supported a proposal; with
// prove=true, proven either way.
func (s *Server) voteSupport(w http.ResponseWriter, r *http.Request) {
	id, err := pathUintID(r, "id", "proposal")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	identity, err := pathAddr(r, "identity", votingAddressExpected)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		what := fmt.Sprintf("identity %s has not supported proposal %d", identity, id)
		return namedRead(what, o)(stored(s.node.VoteSupport(ctx, id, identity, o)))
	})
}

// voteElections lists elections in id order.
func (s *Server) voteElections(w http.ResponseWriter, r *http.Request) {
	after, limit, err := idPage(r, "an election id: "+afterIDExpected)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.VoteElections(ctx, tx.VotingPageRequest{After: after, Limit: limit}, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Elections, idNext(p.Next)))
}

// voteElection is one election: definition, status, election key,
// credential classes, ballot counts, the running (then fixed) tally and,
// once decided, the result.
func (s *Server) voteElection(w http.ResponseWriter, r *http.Request) {
	id, err := pathUintID(r, "id", "election")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return namedRead(fmt.Sprintf("election %d does not exist", id), o)(stored(s.node.VoteElection(ctx, id, o)))
	})
}

// voteTrustees lists an election's trustees by index with their DKG and
// decryption records.
func (s *Server) voteTrustees(w http.ResponseWriter, r *http.Request) {
	id, err := pathUintID(r, "id", "election")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	ts, err := s.node.VoteTrustees(ctx, id, 0)
	if err != nil {
		s.electionError(w, r, id, err)
		return
	}
	if ts == nil {
		ts = []tx.VoteTrustee{}
	}
	writeJSON(w, http.StatusOK, ts)
}

// voteTrustee is one trustee of an election.
func (s *Server) voteTrustee(w http.ResponseWriter, r *http.Request) {
	id, err := pathUintID(r, "id", "election")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	v := r.PathValue("index")
	index, err := strconv.ParseUint(v, 10, 32)
	if err != nil || index == 0 || index > tx.MaxTrustees {
		s.badRequest(w, r, badField("index", votingIndexExpected, "trustee index %q: want 1 to %d", v, tx.MaxTrustees))
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		what := fmt.Sprintf("election %d has no trustee %d", id, index)
		return namedRead(what, o)(stored(s.node.VoteTrustee(ctx, id, uint32(index), o)))
	})
}

// voteRequests lists an election's credential requests in request order,
// all or (?pending=true) those the commission has not answered.
func (s *Server) voteRequests(w http.ResponseWriter, r *http.Request) {
	id, err := pathUintID(r, "id", "election")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	pending, err := queryBool(r, "pending")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	after, limit, err := idPage(r, "a request's seq: "+votingAfterSeqExpected)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.VoteRequests(ctx, tx.VotingPageRequest{Election: id, After: after, Limit: limit, Pending: pending}, 0)
	if err != nil {
		s.electionError(w, r, id, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Requests, idNext(p.Next)))
}

// voteRequest is an identity's credential request in an election and,
// once issued, its blind signature.
func (s *Server) voteRequest(w http.ResponseWriter, r *http.Request) {
	id, err := pathUintID(r, "id", "election")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	identity, err := pathAddr(r, "identity", votingAddressExpected)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		what := fmt.Sprintf("identity %s has no credential request in election %d", identity, id)
		return namedRead(what, o)(stored(s.node.VoteRequest(ctx, id, identity, o)))
	})
}

// voteBallots lists an election's ballots in cast order, replaced ones
// included (superseded).
func (s *Server) voteBallots(w http.ResponseWriter, r *http.Request) {
	id, err := pathUintID(r, "id", "election")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	after, limit, err := idPage(r, "a ballot's seq: "+votingAfterSeqExpected)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.VoteBallots(ctx, tx.VotingPageRequest{Election: id, After: after, Limit: limit}, 0)
	if err != nil {
		s.electionError(w, r, id, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Ballots, idNext(p.Next)))
}

// voteTracker is the ballot a tracker names: a voter checks, with
// prove=true, that their ballot is recorded (and whether a later one of
// the same key replaced it), or proves that no ballot has the tracker.
func (s *Server) voteTracker(w http.ResponseWriter, r *http.Request) {
	id, err := pathUintID(r, "id", "election")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	tracker, err := tx.ParseHash32(r.PathValue("tracker"))
	if err != nil {
		s.badRequest(w, r, badField("tracker", votingTrackerExpected, "tracker %q: %v", r.PathValue("tracker"), err))
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		what := fmt.Sprintf("no ballot of election %d has tracker %s", id, tracker)
		return namedRead(what, o)(stored(s.node.VoteTracker(ctx, id, tracker, o)))
	})
}

// voteVerifier lets one election verification run at a time (each is up
// to seconds of CPU) and keeps the reports of decided and failed
// elections, which no transaction changes any more, by chain id and
// election (newServer makes slot).
type voteVerifier struct {
	slot  chan struct{}
	mu    sync.Mutex
	m     map[string]VoteVerification
	order []string
}

func (c *voteVerifier) cached(key string) (VoteVerification, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

func (c *voteVerifier) keep(key string, v VoteVerification) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]VoteVerification{}
	}
	if _, ok := c.m[key]; ok {
		return
	}
	if len(c.order) == verifyCacheSize {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	c.m[key] = v
	c.order = append(c.order, key)
}

// voteVerify re-verifies an election from chain data alone: the election,
// its trustees, every credential request and every ballot, all read at
// one height (the election's read), then votecrypto.VerifyElection. It
// refuses (422) an election with more than MaxVerifyBallots ballots or
// MaxVerifyRequests requests.
func (s *Server) voteVerify(w http.ResponseWriter, r *http.Request) {
	id, err := pathUintID(r, "id", "election")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	// call runs one node call with the node timeout.
	call := func(f func(ctx context.Context) error) error {
		ctx, cancel := s.nodeCtx(r)
		defer cancel()
		return f(ctx)
	}
	var (
		chainID string
		e       *tx.VoteElection
		height  int64
	)
	err = call(func(ctx context.Context) error {
		var err error
		if chainID, err = s.ensureChainID(ctx); err != nil {
			return err
		}
		var res *client.QueryResult
		e, res, err = s.node.VoteElection(ctx, id, client.ReadOpts{})
		if res != nil {
			height = res.Height
		}
		return err
	})
	if err != nil {
		s.electionError(w, r, id, err)
		return
	}
	if e == nil {
		s.problem(w, r, http.StatusNotFound, "not found", fmt.Sprintf("election %d does not exist", id), nil)
		return
	}
	finished := e.Status == tx.ElectionDecided || e.Status == tx.ElectionFailed
	key := chainID + "/" + strconv.FormatUint(id, 10)
	if v, ok := s.votes.cached(key); ok && finished {
		writeJSON(w, http.StatusOK, v)
		return
	}
	var requested uint64
	for _, c := range e.Classes {
		requested += c.Requested
	}
	switch {
	case e.Ballots > verifyBallotBound:
		s.problem(w, r, http.StatusUnprocessableEntity, "election too large to verify here",
			fmt.Sprintf("election %d has %d ballots; this API verifies elections of at most %d ballots: run `citychain vote verify %d` against a node",
				id, e.Ballots, verifyBallotBound, id), nil)
		return
	case requested > MaxVerifyRequests:
		s.problem(w, r, http.StatusUnprocessableEntity, "election too large to verify here",
			fmt.Sprintf("election %d has %d credential requests; this API verifies elections of at most %d requests: run `citychain vote verify %d` against a node",
				id, requested, MaxVerifyRequests, id), nil)
		return
	}
	// The election's data is read at the height of its read, whose counts
	// were bounded above: one deadline for its calls, three node calls'
	// worth (trustees, requests, ballots).
	ctx, cancel := context.WithTimeout(r.Context(), 3*s.cfg.NodeTimeout)
	d, err := s.node.VoteElectionData(ctx, chainID, e, height)
	cancel()
	var ae *client.AnswerError
	switch {
	case errors.Is(err, client.ErrMismatch), errors.As(err, &ae):
		s.problem(w, r, http.StatusBadGateway, "bad answer from node", err.Error(), nil)
		return
	case err != nil:
		s.electionError(w, r, id, err)
		return
	}
	select {
	case s.votes.slot <- struct{}{}:
	case <-r.Context().Done():
		return
	}
	rep, err := votecrypto.VerifyElection(d)
	<-s.votes.slot
	if err != nil {
		s.problem(w, r, http.StatusBadGateway, "election data does not verify",
			fmt.Sprintf("election %d read at height %d: %v", id, height, err), nil)
		return
	}
	out := VoteVerification{Election: id, Height: height, Status: e.Status, Clean: len(rep.Problems) == 0, Report: rep}
	if finished {
		s.votes.keep(key, out)
	}
	// A large election takes seconds to verify: the answer gets a write
	// deadline of its own.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
	writeJSON(w, http.StatusOK, out)
}

// votingRoutes are the voting module's endpoints (openapi/voting.json).
func (s *Server) votingRoutes() []route {
	return []route{
		keyed("GET", "/v1/voting/params", s.votingParams),
		keyed("GET", "/v1/voting/proposals", s.voteProposals),
		keyed("GET", "/v1/voting/proposals/{id}", s.voteProposal),
		keyed("GET", "/v1/voting/proposals/{id}/supports/{identity}", s.voteSupport),
		keyed("GET", "/v1/voting/elections", s.voteElections),
		keyed("GET", "/v1/voting/elections/{id}", s.voteElection),
		keyed("GET", "/v1/voting/elections/{id}/trustees", s.voteTrustees),
		keyed("GET", "/v1/voting/elections/{id}/trustees/{index}", s.voteTrustee),
		keyed("GET", "/v1/voting/elections/{id}/requests", s.voteRequests),
		keyed("GET", "/v1/voting/elections/{id}/requests/{identity}", s.voteRequest),
		keyed("GET", "/v1/voting/elections/{id}/ballots", s.voteBallots),
		keyed("GET", "/v1/voting/elections/{id}/trackers/{tracker}", s.voteTracker),
		keyed("GET", "/v1/voting/elections/{id}/verify", s.voteVerify),
	}
}
