package client

import (
	"context"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/votecrypto"
)

// Typed queries of the voting module (see read.go): proposals and their
// supports, elections, their trustees (DKG and decryption records),
// credential requests, ballots and trackers, decoded into the chain's
// types (chain/tx). The provable reads (a proposal, a support, an
// election, a trustee, a request, a tracker) take ReadOpts and prove
// presence or absence; the lists are pages answered at a height.

// VotingParams reads the voting module's parameters (/voting/params).
func (c *Client) VotingParams(ctx context.Context, height int64) (*tx.VotingParams, error) {
	p, err := answer[tx.VotingParams](ctx, c, "/voting/params", requestJSON(struct{}{}), height)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// VoteProposal reads proposal id (/voting/proposal); nil when there is none.
func (c *Client) VoteProposal(ctx context.Context, id uint64, o ReadOpts) (*tx.VoteProposal, *QueryResult, error) {
	return readJSON[tx.VoteProposal](ctx, c, "/voting/proposal", requestJSON(tx.VotingIDRequest{ID: id}), o)
}

// VoteProposals is a page of proposals in id order (/voting/proposals).
func (c *Client) VoteProposals(ctx context.Context, req tx.VotingPageRequest, height int64) (*tx.VoteProposalPage, int64, error) {
	return pageAnswer[tx.VoteProposalPage](ctx, c, "/voting/proposals", requestJSON(req), height)
}

// VoteSupport is a recorded support of a proposal.
type VoteSupport struct {
	Proposal uint64     `json:"proposal"`
	Identity tx.Address `json:"identity"`
	Height   uint64     `json:"height"`
}

// VoteSupport reads whether identity supported proposal (/voting/support);
// nil when it did not (with o.Prove, proven absent).
func (c *Client) VoteSupport(ctx context.Context, proposal uint64, identity tx.Address, o ReadOpts) (*VoteSupport, *QueryResult, error) {
	return readJSON[VoteSupport](ctx, c, "/voting/support", requestJSON(tx.VotingItemRequest{ID: proposal, Identity: identity}), o)
}

// VoteElection reads election id (/voting/election); nil when none.
func (c *Client) VoteElection(ctx context.Context, id uint64, o ReadOpts) (*tx.VoteElection, *QueryResult, error) {
	return readJSON[tx.VoteElection](ctx, c, "/voting/election", requestJSON(tx.VotingIDRequest{ID: id}), o)
}

// VoteElections is a page of elections in id order (/voting/elections).
func (c *Client) VoteElections(ctx context.Context, req tx.VotingPageRequest, height int64) (*tx.VoteElectionPage, int64, error) {
	return pageAnswer[tx.VoteElectionPage](ctx, c, "/voting/elections", requestJSON(req), height)
}

// VoteTrustees reads every trustee of an election, by index
// (/voting/trustees).
func (c *Client) VoteTrustees(ctx context.Context, election uint64, height int64) ([]tx.VoteTrustee, error) {
	return answer[[]tx.VoteTrustee](ctx, c, "/voting/trustees", requestJSON(tx.VotingIDRequest{ID: election}), height)
}

// VoteTrustee reads trustee index (1-based) of an election
// (/voting/trustee); nil when there is none.
func (c *Client) VoteTrustee(ctx context.Context, election uint64, index uint32, o ReadOpts) (*tx.VoteTrustee, *QueryResult, error) {
	return readJSON[tx.VoteTrustee](ctx, c, "/voting/trustee", requestJSON(tx.VotingItemRequest{Election: election, Index: index}), o)
}

// VoteRequest reads an identity's credential request in an election
// (/voting/request); nil when it made none.
func (c *Client) VoteRequest(ctx context.Context, election uint64, identity tx.Address, o ReadOpts) (*tx.VoteRequest, *QueryResult, error) {
	return readJSON[tx.VoteRequest](ctx, c, "/voting/request", requestJSON(tx.VotingItemRequest{Election: election, Identity: identity}), o)
}

// VoteRequests is a page of an election's credential requests in request
// order, all or (req.Pending) those not yet issued (/voting/requests).
func (c *Client) VoteRequests(ctx context.Context, req tx.VotingPageRequest, height int64) (*tx.VoteRequestPage, int64, error) {
	return pageAnswer[tx.VoteRequestPage](ctx, c, "/voting/requests", requestJSON(req), height)
}

// VoteBallots is a page of an election's ballots in cast order, replaced
// ones included (/voting/ballots).
func (c *Client) VoteBallots(ctx context.Context, req tx.VotingPageRequest, height int64) (*tx.VoteBallotPage, int64, error) {
	return pageAnswer[tx.VoteBallotPage](ctx, c, "/voting/ballots", requestJSON(req), height)
}

// VoteTracker reads the ballot a tracker names (/voting/tracker); nil
// when no ballot of the election has it (with o.Prove, proven absent
// against the header).
func (c *Client) VoteTracker(ctx context.Context, election uint64, tracker tx.Hash32, o ReadOpts) (*tx.VoteTrackerEntry, *QueryResult, error) {
	return readJSON[tx.VoteTrackerEntry](ctx, c, "/voting/tracker", requestJSON(tx.VotingItemRequest{Election: election, Tracker: tracker}), o)
}

// VoteElectionData completes election e, read at height, with everything
// else the chain records of it at that height: its trustees, every
// credential request and every ballot (all pages, each at height, or
// ErrMismatch). It is what votecrypto.VerifyElection checks; chainID is
// the chain's id (ChainID), which every proof binds.
func (c *Client) VoteElectionData(ctx context.Context, chainID string, e *tx.VoteElection, height int64) (*votecrypto.ElectionData, error) {
	d := &votecrypto.ElectionData{ChainID: chainID, Election: *e}
	var err error
	if d.Trustees, err = c.VoteTrustees(ctx, e.ID, height); err != nil {
		return nil, err
	}
	// page reads every page of one list: get reads the page of req at h,
	// keeps its items and returns its next id.
	page := func(get func(context.Context, tx.VotingPageRequest, int64) (uint64, int64, error)) error {
		_, err := idPages(ctx, height, func(ctx context.Context, after uint64, h int64) (uint64, int64, error) {
			return get(ctx, tx.VotingPageRequest{Election: e.ID, After: after, Limit: tx.MaxListLimit}, h)
		})
		return err
	}
	if err := page(func(ctx context.Context, req tx.VotingPageRequest, h int64) (uint64, int64, error) {
		p, at, err := c.VoteRequests(ctx, req, h)
		if err != nil {
			return 0, 0, err
		}
		d.Requests = append(d.Requests, p.Requests...)
		return p.Next, at, nil
	}); err != nil {
		return nil, err
	}
	if err := page(func(ctx context.Context, req tx.VotingPageRequest, h int64) (uint64, int64, error) {
		p, at, err := c.VoteBallots(ctx, req, h)
		if err != nil {
			return 0, 0, err
		}
		d.Ballots = append(d.Ballots, p.Ballots...)
		return p.Next, at, nil
	}); err != nil {
		return nil, err
	}
	return d, nil
}
