package apiclient

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// The voting module: citizen proposals with their supports and answer
// levels, and elections with a secret ballot anyone can verify: their
// trustees, credential requests, ballots and ballot trackers.
//
//	e, err := c.VoteElection(ctx, 1, true)              // e.Result, e.Proof.Verified
//	t, err := c.VoteTracker(ctx, 1, tracker, true)      // t.Result == nil: no such ballot, proven
//	v, err := c.VerifyElection(ctx, 1)                  // v.Clean, v.Report.Problems
//
// The provable reads answer State[*T]: with prove, an absent item is a
// nil Result with the proof of its absence; without prove, a 404
// *Problem. Writes are signed transactions (voting/propose, voting/cast,
// ...) through Submit. Hex fields are lowercase hex strings (addresses 40
// characters; group elements, scalars, keys and hashes 64).

// VotingParams are the voting module's parameters.
type VotingParams struct {
	ResidencySchema     string `json:"residency_schema"`
	ResidencyClaim      string `json:"residency_claim"`
	DepartmentThreshold uint64 `json:"department_threshold"`
	ForumThreshold      uint64 `json:"forum_threshold"`
	MayorThreshold      uint64 `json:"mayor_threshold"`
	DepartmentDays      uint32 `json:"department_days"`
	ForumDays           uint32 `json:"forum_days"`
	MayorDays           uint32 `json:"mayor_days"`
	SupportDays         uint32 `json:"support_days"`
	ComplaintBlocks     uint64 `json:"complaint_blocks"`
}

// VoteLevel is one answer level of a proposal (department, forum,
// mayor): reached at ReachedAt (unix seconds; 0: not yet), due at Due,
// answered at AnsweredAt by By; Overdue once Due passed unanswered.
type VoteLevel struct {
	Level      string `json:"level"`
	Threshold  uint64 `json:"threshold"`
	ReachedAt  int64  `json:"reached_at,omitempty"`
	Due        int64  `json:"due,omitempty"`
	Answer     string `json:"answer,omitempty"`
	URI        string `json:"uri,omitempty"`
	By         string `json:"by,omitempty"`
	AnsweredAt int64  `json:"answered_at,omitempty"`
	Overdue    bool   `json:"overdue,omitempty"`
	Late       bool   `json:"late,omitempty"`
}

// VoteProposal is a citizen proposal: Supports counts distinct
// identities, the proposer first.
type VoteProposal struct {
	ID          uint64      `json:"id"`
	Proposer    string      `json:"proposer"`
	Title       string      `json:"title"`
	Summary     string      `json:"summary"`
	BodyHash    string      `json:"body_hash"`
	URI         string      `json:"uri,omitempty"`
	Department  string      `json:"department"`
	Created     int64       `json:"created"`
	SupportEnds int64       `json:"support_ends"`
	Supports    uint64      `json:"supports"`
	Status      string      `json:"status"`
	Levels      []VoteLevel `json:"levels"`
}

// VoteSupport is a recorded support of a proposal.
type VoteSupport struct {
	Proposal uint64 `json:"proposal"`
	Identity string `json:"identity"`
	Height   uint64 `json:"height"`
}

// VoteCiphertext is an exponential ElGamal ciphertext (A, B).
type VoteCiphertext struct {
	A string `json:"a"`
	B string `json:"b"`
}

// VoteBranch is one branch of a disjunctive Chaum-Pedersen proof.
type VoteBranch struct {
	A string `json:"a"`
	B string `json:"b"`
	C string `json:"c"`
	R string `json:"r"`
}

// VoteChoice is one option of a ballot: its ciphertext and the proof it
// encrypts 0 or 1.
type VoteChoice struct {
	Ct    VoteCiphertext `json:"ct"`
	Proof []VoteBranch   `json:"proof"`
}

// VoteSchnorr is a proof of knowledge of a discrete logarithm.
type VoteSchnorr struct {
	T string `json:"t"`
	S string `json:"s"`
}

// VoteDLEQ is a proof of equality of two discrete logarithms.
type VoteDLEQ struct {
	A1 string `json:"a1"`
	A2 string `json:"a2"`
	R  string `json:"r"`
}

// VoteEncShare is a DKG share encrypted to trustee To.
type VoteEncShare struct {
	To uint32 `json:"to"`
	R  string `json:"r"`
	S  string `json:"s"`
}

// VoteDecShare is a trustee's decryption share of one option of the
// tally, with its proof.
type VoteDecShare struct {
	D     string   `json:"d"`
	Proof VoteDLEQ `json:"proof"`
}

// VoteClass is one weight class of an election: the commission's blind
// RSA key (PKIX DER, hex) and its credential and ballot-key counts.
type VoteClass struct {
	Weight     uint64 `json:"weight"`
	Key        string `json:"key"`
	Requested  uint64 `json:"requested"`
	Issued     uint64 `json:"issued"`
	BallotKeys uint64 `json:"ballot_keys"`
}

// VoteElection is an election: Status setup, open, tallying, decided or
// failed; Tally per option (running while open, fixed at the close);
// Result the published counts once decided.
type VoteElection struct {
	ID          uint64           `json:"id"`
	Commission  string           `json:"commission"`
	Title       string           `json:"title"`
	Question    string           `json:"question"`
	Options     []string         `json:"options"`
	MinChoices  uint32           `json:"min_choices"`
	MaxChoices  uint32           `json:"max_choices"`
	Rule        string           `json:"rule"`
	Voters      uint64           `json:"voters"`
	OpenHeight  uint64           `json:"open_height"`
	CloseHeight uint64           `json:"close_height"`
	Threshold   uint32           `json:"threshold"`
	Trustees    []string         `json:"trustees"`
	Status      string           `json:"status"`
	Created     uint64           `json:"created"`
	Qualified   []uint32         `json:"qualified,omitempty"`
	Key         string           `json:"key,omitempty"`
	Classes     []VoteClass      `json:"classes"`
	Ballots     uint64           `json:"ballots"`
	Counted     uint64           `json:"counted"`
	Tally       []VoteCiphertext `json:"tally"`
	Result      []uint64         `json:"result,omitempty"`
	DecidedAt   uint64           `json:"decided_at,omitempty"`
	Decryptors  []uint32         `json:"decryptors,omitempty"`
	Failure     string           `json:"failure,omitempty"`
}

// VoteTrustee is a trustee of an election and its DKG and decryption
// record.
type VoteTrustee struct {
	Index           uint32         `json:"index"`
	Address         string         `json:"address"`
	Key             string         `json:"key,omitempty"`
	KeyPoK          *VoteSchnorr   `json:"key_pok,omitempty"`
	Commitments     []string       `json:"commitments,omitempty"`
	DealPoK         *VoteSchnorr   `json:"deal_pok,omitempty"`
	Shares          []VoteEncShare `json:"shares,omitempty"`
	DealtAt         uint64         `json:"dealt_at,omitempty"`
	Disqualified    string         `json:"disqualified,omitempty"`
	VerificationKey string         `json:"verification_key,omitempty"`
	Decryption      []VoteDecShare `json:"decryption,omitempty"`
	DecryptedAt     uint64         `json:"decrypted_at,omitempty"`
}

// VoteRequest is an identity's credential request and, once issued, the
// commission's blind signature.
type VoteRequest struct {
	Election uint64 `json:"election"`
	Seq      uint64 `json:"seq"`
	Identity string `json:"identity"`
	Weight   uint64 `json:"weight"`
	Blinded  string `json:"blinded"`
	BlindSig string `json:"blind_sig,omitempty"`
	Height   uint64 `json:"height"`
}

// VoteCast is a ballot as cast, under its ballot key.
type VoteCast struct {
	Election   uint64       `json:"election"`
	BallotKey  string       `json:"ballot_key"`
	Weight     uint64       `json:"weight"`
	Credential string       `json:"credential"`
	Choices    []VoteChoice `json:"choices"`
	Sum        []VoteBranch `json:"sum"`
}

// VoteBallot is a recorded ballot with its tracker; Superseded when a
// later ballot of the same key counts instead.
type VoteBallot struct {
	Seq        uint64   `json:"seq"`
	Tracker    string   `json:"tracker"`
	Height     uint64   `json:"height"`
	Superseded bool     `json:"superseded"`
	Ballot     VoteCast `json:"ballot"`
}

// VoteTrackerEntry is the ballot a tracker names.
type VoteTrackerEntry struct {
	Election   uint64 `json:"election"`
	Seq        uint64 `json:"seq"`
	BallotKey  string `json:"ballot_key"`
	Height     uint64 `json:"height"`
	Superseded bool   `json:"superseded"`
}

// VoteReport is what the re-verification of an election found; no
// Problems is a clean election.
type VoteReport struct {
	Ballots      int              `json:"ballots"`
	Counted      int              `json:"counted"`
	Tally        []VoteCiphertext `json:"tally"`
	TallyMatches bool             `json:"tally_matches"`
	Result       []uint64         `json:"result,omitempty"`
	Problems     []string         `json:"problems,omitempty"`
}

// VoteVerification is an election re-verified by the server from chain
// data read at Height.
type VoteVerification struct {
	Election uint64     `json:"election"`
	Height   int64      `json:"height"`
	Status   string     `json:"status"`
	Clean    bool       `json:"clean"`
	Report   VoteReport `json:"report"`
}

// VotingQuery pages a voting list: after id (or seq) After or from the
// Cursor of a previous page, Limit items (0: the server's default).
// Pending (an election's requests only) keeps the requests not yet
// issued.
type VotingQuery struct {
	After   uint64
	Cursor  string
	Limit   int
	Pending bool
}

func (q VotingQuery) query() string {
	v := url.Values{}
	if q.Pending {
		v.Set("pending", "true")
	}
	return pageQuery(v, afterID(q.After), q.Cursor, q.Limit)
}

func electionPath(id uint64) string { return "/v1/voting/elections/" + strconv.FormatUint(id, 10) }

// getState reads a provable item into a State.
func getState[T any](ctx context.Context, c *Client, path string, prove bool) (*State[*T], error) {
	var s State[*T]
	if err := c.get(ctx, path+proveQ(prove), &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// getPage reads a page of a list.
func getPage[T any](ctx context.Context, c *Client, path string, q VotingQuery) (*AfterPage[T], error) {
	var p AfterPage[T]
	if err := c.get(ctx, path+q.query(), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// VotingParams reads the voting module's parameters.
func (c *Client) VotingParams(ctx context.Context) (*VotingParams, error) {
	var p VotingParams
	if err := c.get(ctx, "/v1/voting/params", &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// VoteProposals reads a page of proposals in id order.
func (c *Client) VoteProposals(ctx context.Context, q VotingQuery) (*AfterPage[VoteProposal], error) {
	return getPage[VoteProposal](ctx, c, "/v1/voting/proposals", q)
}

// VoteProposal reads proposal id.
func (c *Client) VoteProposal(ctx context.Context, id uint64, prove bool) (*State[*VoteProposal], error) {
	return getState[VoteProposal](ctx, c, fmt.Sprintf("/v1/voting/proposals/%d", id), prove)
}

// VoteSupport reads whether identity supported proposal id: a nil Result
// (with prove, proven) when it did not.
func (c *Client) VoteSupport(ctx context.Context, id uint64, identity string, prove bool) (*State[*VoteSupport], error) {
	return getState[VoteSupport](ctx, c, fmt.Sprintf("/v1/voting/proposals/%d/supports/%s", id, url.PathEscape(identity)), prove)
}

// VoteElections reads a page of elections in id order.
func (c *Client) VoteElections(ctx context.Context, q VotingQuery) (*AfterPage[VoteElection], error) {
	return getPage[VoteElection](ctx, c, "/v1/voting/elections", q)
}

// VoteElection reads election id.
func (c *Client) VoteElection(ctx context.Context, id uint64, prove bool) (*State[*VoteElection], error) {
	return getState[VoteElection](ctx, c, electionPath(id), prove)
}

// VoteTrustees reads every trustee of election id, by index.
func (c *Client) VoteTrustees(ctx context.Context, id uint64) ([]VoteTrustee, error) {
	var ts []VoteTrustee
	if err := c.get(ctx, electionPath(id)+"/trustees", &ts); err != nil {
		return nil, err
	}
	return ts, nil
}

// VoteTrustee reads trustee index (from 1) of election id.
func (c *Client) VoteTrustee(ctx context.Context, id uint64, index uint32, prove bool) (*State[*VoteTrustee], error) {
	return getState[VoteTrustee](ctx, c, fmt.Sprintf("%s/trustees/%d", electionPath(id), index), prove)
}

// VoteRequests reads a page of election id's credential requests in seq
// order (q.Pending: only those not yet issued).
func (c *Client) VoteRequests(ctx context.Context, id uint64, q VotingQuery) (*AfterPage[VoteRequest], error) {
	return getPage[VoteRequest](ctx, c, electionPath(id)+"/requests", q)
}

// VoteRequest reads identity's credential request in election id.
func (c *Client) VoteRequest(ctx context.Context, id uint64, identity string, prove bool) (*State[*VoteRequest], error) {
	return getState[VoteRequest](ctx, c, electionPath(id)+"/requests/"+url.PathEscape(identity), prove)
}

// VoteBallots reads a page of election id's ballots in cast order,
// replaced ones included.
func (c *Client) VoteBallots(ctx context.Context, id uint64, q VotingQuery) (*AfterPage[VoteBallot], error) {
	return getPage[VoteBallot](ctx, c, electionPath(id)+"/ballots", q)
}

// VoteTracker reads the ballot tracker names in election id: a nil
// Result (with prove, proven) when no ballot has it.
func (c *Client) VoteTracker(ctx context.Context, id uint64, tracker string, prove bool) (*State[*VoteTrackerEntry], error) {
	return getState[VoteTrackerEntry](ctx, c, electionPath(id)+"/trackers/"+url.PathEscape(tracker), prove)
}

// VerifyElection has the server re-verify election id from chain data
// (at most 10,000 ballots: a larger election is a 422 *Problem).
func (c *Client) VerifyElection(ctx context.Context, id uint64) (*VoteVerification, error) {
	var v VoteVerification
	if err := c.get(ctx, electionPath(id)+"/verify", &v); err != nil {
		return nil, err
	}
	return &v, nil
}
