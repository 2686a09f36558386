package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/api/apiclient"
	"github.com/citychain/citychain/chain/tx"
)

// TestGoClientVoting: the client's voting methods read the voting
// fixture through the API, proofs verified, absences proven or 404.
func TestGoClientVoting(t *testing.T) {
	c := getChain(t)
	w := votingFixture(t, c)
	ts := startServer(t, c, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl := apiclient.New(ts.url, apiclient.WithAPIKey(testKey))

	p, err := cl.VotingParams(ctx)
	if err != nil || p.ResidencySchema != votingSchema || p.MayorThreshold != 1000 {
		t.Fatalf("params: got %+v, %v", p, err)
	}
	props, err := cl.VoteProposals(ctx, apiclient.VotingQuery{Limit: 1})
	if err != nil || len(props.Items) != 1 || props.Items[0].ID != 1 || props.NextAfter != "1" {
		t.Fatalf("proposals: got %+v, %v", props, err)
	}
	props, err = cl.VoteProposals(ctx, apiclient.VotingQuery{Cursor: props.NextCursor})
	if err != nil || len(props.Items) != 1 || props.Items[0].ID != 2 {
		t.Fatalf("proposals from the cursor: got %+v, %v", props, err)
	}
	pr, err := cl.VoteProposal(ctx, 1, true)
	if err != nil || pr.Result == nil || pr.Result.Supports != 2 || len(pr.Result.Levels) != 3 || pr.Proof == nil || !pr.Proof.Verified {
		t.Fatalf("proposal 1: got %+v, %v", pr, err)
	}
	sup, err := cl.VoteSupport(ctx, 1, w.citizens[2].String(), true)
	if err != nil || sup.Result != nil || sup.Proof == nil || !sup.Proof.Verified || sup.Proof.Value != "" {
		t.Fatalf("citizen 3's support of 1: got %+v, %v; want absent, proven", sup, err)
	}
	_, err = cl.VoteSupport(ctx, 1, w.citizens[2].String(), false)
	var pe *apiclient.Problem
	if !errors.As(err, &pe) || pe.Status != http.StatusNotFound {
		t.Fatalf("support without proof: got %v, want a 404 problem", err)
	}

	es, err := cl.VoteElections(ctx, apiclient.VotingQuery{})
	if err != nil || !slices.ContainsFunc(es.Items, func(e apiclient.VoteElection) bool { return e.ID == w.election }) {
		t.Fatalf("elections: got %+v, %v", es, err)
	}
	e, err := cl.VoteElection(ctx, w.election, true)
	if err != nil || e.Result == nil || e.Result.Status != tx.ElectionDecided || !slices.Equal(e.Result.Result, []uint64{0, 2, 1}) ||
		len(e.Result.Tally) != 3 || e.Result.Key == "" || !e.Proof.Verified {
		t.Fatalf("election: got %+v, %v", e, err)
	}
	trs, err := cl.VoteTrustees(ctx, w.election)
	if err != nil || len(trs) != 3 || trs[1].Address == "" || len(trs[1].Decryption) != 3 || trs[1].Decryption[0].Proof.R == "" {
		t.Fatalf("trustees: got %+v, %v", trs, err)
	}
	tr, err := cl.VoteTrustee(ctx, w.election, 3, true)
	if err != nil || tr.Result == nil || tr.Result.Index != 3 || len(tr.Result.Commitments) != 2 || !tr.Proof.Verified {
		t.Fatalf("trustee 3: got %+v, %v", tr, err)
	}
	rqs, err := cl.VoteRequests(ctx, w.election, apiclient.VotingQuery{Pending: true})
	if err != nil || len(rqs.Items) != 0 {
		t.Fatalf("pending requests: got %+v, %v", rqs, err)
	}
	rqs, err = cl.VoteRequests(ctx, w.election, apiclient.VotingQuery{After: 1, Limit: 1})
	if err != nil || len(rqs.Items) != 1 || rqs.Items[0].Seq != 2 || rqs.NextAfter != "2" {
		t.Fatalf("requests after 1: got %+v, %v", rqs, err)
	}
	rq, err := cl.VoteRequest(ctx, w.election, w.citizens[0].String(), true)
	if err != nil || rq.Result == nil || rq.Result.BlindSig == "" || !rq.Proof.Verified {
		t.Fatalf("request: got %+v, %v", rq, err)
	}
	bs, err := cl.VoteBallots(ctx, w.election, apiclient.VotingQuery{})
	if err != nil || len(bs.Items) != 4 || !bs.Items[0].Superseded || len(bs.Items[3].Ballot.Choices) != 3 || bs.Items[3].Tracker != w.trackers[3].String() {
		t.Fatalf("ballots: got %+v, %v", bs, err)
	}
	tk, err := cl.VoteTracker(ctx, w.election, w.trackers[0].String(), true)
	if err != nil || tk.Result == nil || !tk.Result.Superseded || tk.Result.Seq != 1 || !tk.Proof.Verified || tk.Proof.Key == "" {
		t.Fatalf("tracker: got %+v, %v", tk, err)
	}
	tk, err = cl.VoteTracker(ctx, w.election, strings.Repeat("cd", 32), true)
	if err != nil || tk.Result != nil || !tk.Proof.Verified || tk.Proof.Value != "" {
		t.Fatalf("unknown tracker: got %+v, %v; want absent, proven", tk, err)
	}
	v, err := cl.VerifyElection(ctx, w.election)
	if err != nil || !v.Clean || v.Report.Ballots != 4 || v.Report.Counted != 3 || !v.Report.TallyMatches || !slices.Equal(v.Report.Result, []uint64{0, 2, 1}) {
		t.Fatalf("verify: got %+v, %v", v, err)
	}
	_, err = cl.VerifyElection(ctx, 999)
	if !errors.As(err, &pe) || pe.Status != http.StatusNotFound {
		t.Fatalf("verify an unknown election: got %v, want a 404 problem", err)
	}
}
