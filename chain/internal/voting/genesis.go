package voting

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Genesis is the module's genesis section. A new chain needs none: the
// parameters default (DefaultParams); Params, when set, are stored. The
// lists carry a running chain's state as ExportGenesis writes it, each in
// store key order; the id counters, the answer and support queues, the
// election schedule, the request and pending indexes, each ballot key's
// last ballot and the trackers are rebuilt from them.
type Genesis struct {
	Params              *tx.VotingParams  `json:"params,omitempty"`
	Proposals           []tx.VoteProposal `json:"proposals,omitempty"`
	Supports            []Support         `json:"supports,omitempty"`
	ProposalCredentials []CredentialUse   `json:"proposal_credentials,omitempty"`
	Elections           []tx.VoteElection `json:"elections,omitempty"`
	Trustees            []GenesisTrustee  `json:"trustees,omitempty"`
	Voters              []GenesisVoter    `json:"voters,omitempty"`
	Requests            []tx.VoteRequest  `json:"requests,omitempty"`
	ElectionCredentials []CredentialUse   `json:"election_credentials,omitempty"`
	Ballots             []tx.VoteBallot   `json:"ballots,omitempty"`
}

// CredentialUse records that a residency credential copy (SHA-256 of its
// JWT) served Identity for proposal or election ID.
type CredentialUse struct {
	ID         uint64     `json:"id"`
	Credential tx.Hash32  `json:"credential"`
	Identity   tx.Address `json:"identity"`
}

// GenesisTrustee is a trustee of Election.
type GenesisTrustee struct {
	Election uint64         `json:"election"`
	Trustee  tx.VoteTrustee `json:"trustee"`
}

// GenesisVoter is a listed voter of Election.
type GenesisVoter struct {
	Election uint64     `json:"election"`
	Identity tx.Address `json:"identity"`
	Weight   uint64     `json:"weight"`
}

// ValidateParams checks the parameters: a residency schema and claim in
// the credentials module's form (or no schema), thresholds 1 ≤ department
// ≤ forum ≤ mayor, every period at least a day, and 1 to 1,000 complaint
// blocks.
func ValidateParams(p tx.VotingParams) error {
	var errs []error
	if p.ResidencySchema != "" {
		if err := tx.ValidateSchemaID(p.ResidencySchema); err != nil {
			errs = append(errs, fmt.Errorf("params.residency_schema: %w", err))
		}
		if err := tx.ValidateClaim(p.ResidencyClaim); err != nil {
			errs = append(errs, fmt.Errorf("params.residency_claim: %w", err))
		}
	}
	if p.DepartmentThreshold < 1 || p.ForumThreshold < p.DepartmentThreshold || p.MayorThreshold < p.ForumThreshold {
		errs = append(errs, fmt.Errorf("params thresholds %d, %d, %d: want 1 ≤ department ≤ forum ≤ mayor",
			p.DepartmentThreshold, p.ForumThreshold, p.MayorThreshold))
	}
	for _, d := range []struct {
		name string
		v    uint32
	}{{"department_days", p.DepartmentDays}, {"forum_days", p.ForumDays}, {"mayor_days", p.MayorDays}, {"support_days", p.SupportDays}} {
		if d.v < 1 || d.v > 3660 {
			errs = append(errs, fmt.Errorf("params.%s %d: want 1 to 3660", d.name, d.v))
		}
	}
	if p.ComplaintBlocks < 1 || p.ComplaintBlocks > 1000 {
		errs = append(errs, fmt.Errorf("params.complaint_blocks %d: want 1 to 1000", p.ComplaintBlocks))
	}
	return errors.Join(errs...)
}

// InitGenesis implements module.Module. No section (or an empty one)
// writes nothing.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	if g.Params != nil {
		if err := ValidateParams(*g.Params); err != nil {
			return ErrInvalidGenesis.Wrapf("%v", err)
		}
	}
	if err := checkState(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	writeState(k.kv(ctx), &g)
	return nil
}

// inOrder fails unless key is after prev (the lists are in store key
// order, without duplicates).
func inOrder(what string, i int, prev, key []byte) error {
	if i > 0 && bytes.Compare(prev, key) >= 0 {
		return fmt.Errorf("%s[%d]: out of store key order or a duplicate of %s[%d]", what, i, what, i-1)
	}
	return nil
}

// checkState checks a section's records as a running chain writes them:
// each list in key order; ids from 1 without a gap; every support,
// credential use, trustee, voter, request and ballot of a proposal or
// election in the section, with the counts the records carry.
func checkState(g *Genesis) error {
	props := map[uint64]*tx.VoteProposal{} // lookups only
	var prev []byte
	for i := range g.Proposals {
		p := &g.Proposals[i]
		if p.ID != uint64(i+1) {
			return fmt.Errorf("proposals[%d].id %d: want %d (ids from 1, in order)", i, p.ID, i+1)
		}
		if len(p.Levels) != len(tx.AnswerLevels) {
			return fmt.Errorf("proposals[%d].levels: %d, want %d", i, len(p.Levels), len(tx.AnswerLevels))
		}
		if p.Status != tx.ProposalOpen && p.Status != tx.ProposalClosed {
			return fmt.Errorf("proposals[%d].status %q", i, p.Status)
		}
		props[p.ID] = p
	}
	supports := map[uint64]uint64{} // lookups only
	for i, s := range g.Supports {
		key := supportKey(s.Proposal, s.Identity)
		if err := inOrder("supports", i, prev, key); err != nil {
			return err
		}
		prev = key
		if props[s.Proposal] == nil {
			return fmt.Errorf("supports[%d].proposal %d: no such proposal", i, s.Proposal)
		}
		supports[s.Proposal]++
	}
	for _, p := range g.Proposals {
		if supports[p.ID] != p.Supports {
			return fmt.Errorf("proposal %d: supports %d, but %d supports listed", p.ID, p.Supports, supports[p.ID])
		}
	}
	for i, u := range g.ProposalCredentials {
		key := propCredKey(u.ID, u.Credential)
		if err := inOrder("proposal_credentials", i, prev, key); err != nil {
			return err
		}
		prev = key
		if props[u.ID] == nil {
			return fmt.Errorf("proposal_credentials[%d].id %d: no such proposal", i, u.ID)
		}
	}
	elections := map[uint64]*tx.VoteElection{} // lookups only
	for i := range g.Elections {
		e := &g.Elections[i]
		if e.ID != uint64(i+1) {
			return fmt.Errorf("elections[%d].id %d: want %d (ids from 1, in order)", i, e.ID, i+1)
		}
		if e.OpenHeight == 0 || e.CloseHeight < e.OpenHeight {
			return fmt.Errorf("elections[%d]: open_height %d, close_height %d", i, e.OpenHeight, e.CloseHeight)
		}
		switch e.Status {
		case tx.ElectionSetup, tx.ElectionFailed:
		case tx.ElectionOpen, tx.ElectionTallying, tx.ElectionDecided:
			if e.Key == nil || len(e.Tally) != len(e.Options) {
				return fmt.Errorf("elections[%d]: %s without its key and tally", i, e.Status)
			}
		default:
			return fmt.Errorf("elections[%d].status %q", i, e.Status)
		}
		elections[e.ID] = e
	}
	trusteesOf := map[uint64]int{} // lookups only
	for i, t := range g.Trustees {
		key := trusteeKey(t.Election, t.Trustee.Index)
		if err := inOrder("trustees", i, prev, key); err != nil {
			return err
		}
		prev = key
		e := elections[t.Election]
		if e == nil || t.Trustee.Index == 0 || int(t.Trustee.Index) > len(e.Trustees) || e.Trustees[t.Trustee.Index-1] != t.Trustee.Address {
			return fmt.Errorf("trustees[%d]: not trustee %d of election %d", i, t.Trustee.Index, t.Election)
		}
		trusteesOf[t.Election]++
	}
	for _, e := range g.Elections {
		if trusteesOf[e.ID] != len(e.Trustees) {
			return fmt.Errorf("election %d: %d trustees, %d listed", e.ID, len(e.Trustees), trusteesOf[e.ID])
		}
	}
	for i, v := range g.Voters {
		key := voterKey(v.Election, v.Identity)
		if err := inOrder("voters", i, prev, key); err != nil {
			return err
		}
		prev = key
		if e := elections[v.Election]; e == nil || class(e, v.Weight) == nil {
			return fmt.Errorf("voters[%d]: election %d has no class of weight %d", i, v.Election, v.Weight)
		}
	}
	for i, r := range g.Requests {
		key := requestKey(r.Election, r.Identity)
		if err := inOrder("requests", i, prev, key); err != nil {
			return err
		}
		prev = key
		if e := elections[r.Election]; e == nil || r.Seq == 0 || r.Seq > requested(e) || class(e, r.Weight) == nil {
			return fmt.Errorf("requests[%d]: request %d of weight %d is not one of election %d's", i, r.Seq, r.Weight, r.Election)
		}
	}
	for i, u := range g.ElectionCredentials {
		key := elecCredKey(u.ID, u.Credential)
		if err := inOrder("election_credentials", i, prev, key); err != nil {
			return err
		}
		prev = key
		if elections[u.ID] == nil {
			return fmt.Errorf("election_credentials[%d].id %d: no such election", i, u.ID)
		}
	}
	for i, b := range g.Ballots {
		key := ballotKey(b.Ballot.Election, b.Seq)
		if err := inOrder("ballots", i, prev, key); err != nil {
			return err
		}
		prev = key
		if e := elections[b.Ballot.Election]; e == nil || b.Seq == 0 || b.Seq > e.Ballots || len(b.Ballot.BallotKey) != 32 {
			return fmt.Errorf("ballots[%d]: ballot %d is not one of election %d's", i, b.Seq, b.Ballot.Election)
		}
	}
	return nil
}

// writeState writes a checked section and what is derived from it.
func writeState(kv store.KV, g *Genesis) {
	if g.Params != nil {
		store.PutJSON(kv, []byte{prefixParams}, g.Params)
	}
	for i := range g.Proposals {
		p := &g.Proposals[i]
		store.PutJSON(kv, proposalKey(p.ID), p)
		kv.Set(counterKey(counterProposals), u64(p.ID))
		if p.Status == tx.ProposalOpen {
			kv.Set(supportEndsKey(p.SupportEnds, p.ID), []byte{1})
		}
		for j, l := range p.Levels {
			if l.ReachedAt != 0 && l.AnsweredAt == 0 && !l.Overdue {
				kv.Set(answerDueKey(l.Due, p.ID, j), []byte{1})
			}
		}
	}
	for i := range g.Supports {
		s := &g.Supports[i]
		store.PutJSON(kv, supportKey(s.Proposal, s.Identity), s)
	}
	for _, u := range g.ProposalCredentials {
		kv.Set(propCredKey(u.ID, u.Credential), u.Identity[:])
	}
	for i := range g.Elections {
		e := &g.Elections[i]
		putElection(kv, e)
		kv.Set(counterKey(counterElections), u64(e.ID))
		switch e.Status {
		case tx.ElectionSetup:
			kv.Set(scheduleKey(e.OpenHeight-1, e.ID), []byte{1})
		case tx.ElectionOpen:
			kv.Set(scheduleKey(e.CloseHeight, e.ID), []byte{1})
		}
	}
	for i := range g.Trustees {
		putTrustee(kv, g.Trustees[i].Election, &g.Trustees[i].Trustee)
	}
	for _, v := range g.Voters {
		kv.Set(voterKey(v.Election, v.Identity), u64(v.Weight))
	}
	for i := range g.Requests {
		r := &g.Requests[i]
		store.PutJSON(kv, requestKey(r.Election, r.Identity), r)
		kv.Set(requestSeqKey(r.Election, r.Seq), r.Identity[:])
		if r.BlindSig == nil {
			kv.Set(pendingKey(r.Election, r.Seq), r.Identity[:])
		}
	}
	for _, u := range g.ElectionCredentials {
		kv.Set(elecCredKey(u.ID, u.Credential), u.Identity[:])
	}
	for i := range g.Ballots {
		b := &g.Ballots[i]
		store.PutJSON(kv, ballotKey(b.Ballot.Election, b.Seq), b)
		kv.Set(ballotKeyKey(b.Ballot.Election, b.Ballot.BallotKey), u64(b.Seq))
		store.PutJSON(kv, trackerKey(b.Ballot.Election, b.Tracker), trackerEntry(b))
	}
}
