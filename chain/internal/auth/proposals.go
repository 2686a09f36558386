package auth

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Defaults and bounds of the auth parameters.
const (
	// DefaultAuthorityThreshold runs an authority action on one authority's
	// word, as a devnet does.
	DefaultAuthorityThreshold = 1
	// DefaultProposalTTLSeconds is seven days.
	DefaultProposalTTLSeconds = 7 * 24 * 3600
	// MinProposalTTLSeconds and MaxProposalTTLSeconds bound
	// proposal_ttl_seconds: a minute to a year.
	MinProposalTTLSeconds = 60
	MaxProposalTTLSeconds = 365 * 24 * 3600
	// MaxPrunePerBlock bounds the expired proposals one block's end
	// removes; the rest go at the end of the next blocks.
	MaxPrunePerBlock = 100
	// MaxPendingApprovals bounds the pending proposals one authority has
	// approved at once, so a single (stolen) authority key cannot fill the
	// state with proposals: n authorities hold at most n times as many.
	MaxPendingApprovals = 100
)

// DefaultParams are the parameters of a genesis that names neither.
func DefaultParams() tx.AuthParams {
	return tx.AuthParams{AuthorityThreshold: DefaultAuthorityThreshold, ProposalTTLSeconds: DefaultProposalTTLSeconds}
}

// validateParams checks p against the n authorities of the genesis.
func validateParams(p tx.AuthParams, n int) error {
	if p.AuthorityThreshold < 1 || int64(p.AuthorityThreshold) > int64(n) {
		return ErrInvalidGenesis.Wrapf("authority_threshold %d: want 1 to the number of authorities, %d", p.AuthorityThreshold, n)
	}
	if p.ProposalTTLSeconds < MinProposalTTLSeconds || p.ProposalTTLSeconds > MaxProposalTTLSeconds {
		return ErrInvalidGenesis.Wrapf("proposal_ttl_seconds %d: want %d (a minute) to %d (a year)", p.ProposalTTLSeconds, MinProposalTTLSeconds, MaxProposalTTLSeconds)
	}
	return nil
}

// Params returns the module's parameters (the defaults when the genesis
// named none).
func (k *Keeper) Params(ctx *module.Context) tx.AuthParams { return getParams(k.kv(ctx)) }

func getParams(kv store.KV) tx.AuthParams {
	var p tx.AuthParams
	if !store.GetJSON(kv, paramsKey, &p) {
		return DefaultParams()
	}
	return p
}

// Proposal returns the proposal id, or nil.
func (k *Keeper) Proposal(ctx *module.Context, id tx.ProposalID) *tx.Proposal {
	return getProposal(k.kv(ctx), id)
}

func getProposal(kv store.KV, id tx.ProposalID) *tx.Proposal {
	var p tx.Proposal
	if !store.GetJSON(kv, proposalKey(id), &p) {
		return nil
	}
	return &p
}

func (k *Keeper) putProposal(ctx *module.Context, p *tx.Proposal) {
	store.PutJSON(k.kv(ctx), proposalKey(p.ID), p)
}

func (k *Keeper) deleteProposal(ctx *module.Context, p *tx.Proposal) {
	k.kv(ctx).Delete(proposalKey(p.ID))
	k.kv(ctx).Delete(expiryKey(p.Expires, p.ID))
}

// PendingApprovals is how many pending proposals addr has approved.
func (k *Keeper) PendingApprovals(ctx *module.Context, addr tx.Address) uint64 {
	return store.GetUint64(k.kv(ctx), pendingKey(addr))
}

// countPending adds 1 to, or takes 1 from, addr's pending approvals.
func (k *Keeper) countPending(ctx *module.Context, addr tx.Address, up bool) {
	kv := k.kv(ctx)
	n := store.GetUint64(kv, pendingKey(addr))
	switch {
	case up:
		n++
	case n > 0:
		n--
	}
	if n == 0 {
		kv.Delete(pendingKey(addr))
		return
	}
	kv.Set(pendingKey(addr), binary.BigEndian.AppendUint64(nil, n))
}

// release takes a pending proposal out of its approvers' pending counts
// (it runs, expires or is replaced).
func (k *Keeper) release(ctx *module.Context, p *tx.Proposal) {
	if p.State != tx.ProposalPending {
		return
	}
	for _, a := range p.Approvals {
		k.countPending(ctx, a, false)
	}
}

// expired reports whether p can no longer be approved at ctx's block time.
func expired(ctx *module.Context, p *tx.Proposal) bool { return !ctx.Time.Before(p.Expires) }

// Gate decides whether msg, sent by signer, runs now, and returns the
// message the app routes to its module:
//
//   - msg itself for a message that is no authority action, for an
//     authority action sent by an account that is no authority (its module
//     refuses it with its own code) and for any authority action when the
//     threshold is 1;
//   - for an authority action of an authority under a threshold k > 1: nil
//     while the action is a proposal with fewer than k approvals (the
//     signer's approval is recorded; sending the message again, or
//     auth/approve with its id, approves it), msg when the signer's is the
//     k-th approval;
//   - for auth/approve: nil, or the proposal's message when this approval
//     is the k-th.
//
// The message then runs in the same transaction with signer as its signer;
// if it fails, the transaction fails and the approval is not recorded.
func (k *Keeper) Gate(ctx *module.Context, signer tx.Address, msg tx.Msg) (tx.Msg, error) {
	if m, ok := msg.(*tx.MsgProposalApprove); ok {
		return k.approve(ctx, signer, m.ID)
	}
	if !tx.IsAuthorityAction(msg.Type()) || !k.IsAuthority(ctx, signer) {
		return msg, nil
	}
	params := k.Params(ctx)
	if params.AuthorityThreshold <= 1 {
		return msg, nil
	}
	canon, err := tx.CanonicalMsg(msg)
	if err != nil {
		return nil, module.ErrInternal.Wrapf("%v", err)
	}
	id, err := canon.ProposalID()
	if err != nil {
		return nil, module.ErrInternal.Wrapf("%v", err)
	}
	p := k.Proposal(ctx, id)
	if p != nil && p.State == tx.ProposalPending && !expired(ctx, p) {
		return k.addApproval(ctx, signer, p, msg, params)
	}
	// A new proposal, or a new round of one that ran or expired.
	if p != nil {
		k.release(ctx, p)
		k.deleteProposal(ctx, p)
		if p.State == tx.ProposalPending {
			ctx.Emit("auth.proposal_expired", "id", id.String(), "type", p.Msg.Type, "approvals", module.U64(uint64(len(p.Approvals))))
		}
	}
	p = &tx.Proposal{
		ID: id, Msg: canon, Approvals: []tx.Address{}, CreatedHeight: ctx.Height,
		Expires: ctx.Time.Add(time.Duration(params.ProposalTTLSeconds) * time.Second).UTC(), State: tx.ProposalPending,
	}
	k.kv(ctx).Set(expiryKey(p.Expires, id), []byte{1})
	ctx.Emit("auth.proposal_created", "id", id.String(), "type", canon.Type, "proposer", signer.String(), "expires", p.Expires.Format(time.RFC3339Nano))
	return k.addApproval(ctx, signer, p, msg, params)
}

// approve records signer's approval of the pending proposal id and returns
// its message once the approvals reach the threshold.
func (k *Keeper) approve(ctx *module.Context, signer tx.Address, id tx.ProposalID) (tx.Msg, error) {
	if !k.IsAuthority(ctx, signer) {
		return nil, ErrNotAuthority.Wrapf("%s may not approve proposals", signer)
	}
	p, err := k.pending(ctx, id)
	if err != nil {
		return nil, err
	}
	msg, err := tx.DecodeMsg(p.Msg.Type, p.Msg.Value)
	if err != nil {
		return nil, module.ErrInternal.Wrapf("proposal %s: stored message: %v", id, err)
	}
	return k.addApproval(ctx, signer, p, msg, k.Params(ctx))
}

// pending returns the proposal id if it can still be approved.
func (k *Keeper) pending(ctx *module.Context, id tx.ProposalID) (*tx.Proposal, error) {
	p := k.Proposal(ctx, id)
	switch {
	case p == nil:
		return nil, ErrUnknownProposal.Wrapf("no proposal %s (it never existed, was withdrawn, or expired and was removed)", id)
	case p.State == tx.ProposalExecuted:
		return nil, ErrProposalExecuted.Wrapf("proposal %s (%s) ran at height %d", id, p.Msg.Type, p.ExecutedHeight)
	case expired(ctx, p):
		return nil, ErrProposalExpired.Wrapf("proposal %s (%s) expired at %s with %d approvals", id, p.Msg.Type, p.Expires.Format(time.RFC3339), len(p.Approvals))
	}
	return p, nil
}

// addApproval adds signer's approval to p and returns msg (p's message)
// when it is the threshold-th, nil before.
func (k *Keeper) addApproval(ctx *module.Context, signer tx.Address, p *tx.Proposal, msg tx.Msg, params tx.AuthParams) (tx.Msg, error) {
	if slices.Contains(p.Approvals, signer) {
		return nil, ErrAlreadyApproved.Wrapf("%s already approved proposal %s (%s): %d of %d approvals, another authority must approve it",
			signer, p.ID, p.Msg.Type, len(p.Approvals), params.AuthorityThreshold)
	}
	n := uint64(len(p.Approvals)) + 1
	if n >= uint64(params.AuthorityThreshold) {
		k.release(ctx, p)
		p.Approvals = append(p.Approvals, signer)
		p.State, p.ExecutedHeight = tx.ProposalExecuted, ctx.Height
		k.putProposal(ctx, p)
		ctx.Emit("auth.proposal_executed", "id", p.ID.String(), "type", p.Msg.Type, "approver", signer.String(),
			"approvals", module.U64(n), "threshold", module.U64(uint64(params.AuthorityThreshold)))
		return msg, nil
	}
	if c := k.PendingApprovals(ctx, signer); c >= MaxPendingApprovals {
		return nil, ErrTooManyPending.Wrapf("%s has approved %d pending proposals, the most an authority may; wait until some run or expire, or withdraw one", signer, c)
	}
	k.countPending(ctx, signer, true)
	p.Approvals = append(p.Approvals, signer)
	k.putProposal(ctx, p)
	ctx.Emit("auth.proposal_approved", "id", p.ID.String(), "type", p.Msg.Type, "approver", signer.String(),
		"approvals", module.U64(n), "threshold", module.U64(uint64(params.AuthorityThreshold)),
		"expires", p.Expires.Format(time.RFC3339Nano))
	return nil, nil
}

// withdraw takes signer's approval back from a pending proposal; a
// proposal left without approvals is removed.
func (k *Keeper) withdraw(ctx *module.Context, signer tx.Address, id tx.ProposalID) error {
	if !k.IsAuthority(ctx, signer) {
		return ErrNotAuthority.Wrapf("%s may not withdraw approvals", signer)
	}
	p, err := k.pending(ctx, id)
	if err != nil {
		return err
	}
	i := slices.Index(p.Approvals, signer)
	if i < 0 {
		return ErrNotApproved.Wrapf("%s has not approved proposal %s (%s)", signer, id, p.Msg.Type)
	}
	p.Approvals = slices.Delete(p.Approvals, i, i+1)
	k.countPending(ctx, signer, false)
	if len(p.Approvals) == 0 {
		k.deleteProposal(ctx, p)
	} else {
		k.putProposal(ctx, p)
	}
	ctx.Emit("auth.proposal_withdrawn", "id", id.String(), "type", p.Msg.Type, "approver", signer.String(),
		"approvals", module.U64(uint64(len(p.Approvals))))
	return nil
}

var _ module.EndBlocker = (*Keeper)(nil)

// EndBlock removes the proposals, pending or executed, that expired at or
// before the block time, at most MaxPrunePerBlock of them, earliest first
// (in expiry index order: expiry time, then id).
func (k *Keeper) EndBlock(ctx *module.Context) error {
	kv := k.kv(ctx)
	var due []tx.ProposalID
	store.Each(kv, []byte{prefixExpiry}, expiryEnd(ctx.Time), func(key, _ []byte) bool {
		var id tx.ProposalID
		copy(id[:], key[1+8:])
		due = append(due, id)
		return len(due) < MaxPrunePerBlock
	})
	for _, id := range due {
		p := getProposal(kv, id)
		if p == nil {
			return module.ErrInternal.Wrapf("expiry index names proposal %s, which is not stored", id)
		}
		k.release(ctx, p)
		k.deleteProposal(ctx, p)
		if p.State == tx.ProposalPending {
			ctx.Emit("auth.proposal_expired", "id", id.String(), "type", p.Msg.Type, "approvals", module.U64(uint64(len(p.Approvals))))
		}
	}
	return nil
}

// authorityCount is n, the number of authorities.
func authorityCount(kv store.KV) int {
	n := 0
	store.EachPrefix(kv, []byte{prefixAuthority}, func(_, _ []byte) bool {
		n++
		return true
	})
	return n
}

// validateProposal checks a proposal given in genesis (an exported chain):
// its id is its message's, the message is a valid authority action in its
// canonical encoding, its approvals are distinct authorities, fewer than
// the threshold while pending and exactly the threshold once executed.
func validateProposal(kv store.KV, p *tx.Proposal, params tx.AuthParams) error {
	msg, err := tx.DecodeMsg(p.Msg.Type, p.Msg.Value)
	if err != nil {
		return err
	}
	if !tx.IsAuthorityAction(p.Msg.Type) {
		return fmt.Errorf("msg: %s is not an authority action", p.Msg.Type)
	}
	canon, err := tx.CanonicalMsg(msg)
	if err != nil {
		return err
	}
	if !bytes.Equal(canon.Value, p.Msg.Value) {
		return fmt.Errorf("msg: value %s is not in its canonical encoding %s", p.Msg.Value, canon.Value)
	}
	if id, _ := canon.ProposalID(); id != p.ID {
		return fmt.Errorf("id %s: the message's id is %s", p.ID, id)
	}
	if len(p.Approvals) == 0 {
		return fmt.Errorf("approvals: want at least one")
	}
	for i, a := range p.Approvals {
		if !kv.Has(authorityKey(a)) {
			return fmt.Errorf("approvals[%d]: %s is not an authority", i, a)
		}
		if slices.Contains(p.Approvals[:i], a) {
			return fmt.Errorf("approvals[%d]: %s approves twice", i, a)
		}
	}
	n, k := len(p.Approvals), int(params.AuthorityThreshold)
	switch p.State {
	case tx.ProposalPending:
		if n >= k {
			return fmt.Errorf("pending with %d approvals, but authority_threshold %d would have run it", n, k)
		}
		if p.ExecutedHeight != 0 {
			return fmt.Errorf("pending with executed_height %d", p.ExecutedHeight)
		}
	case tx.ProposalExecuted:
		if n != k {
			return fmt.Errorf("executed with %d approvals, authority_threshold is %d", n, k)
		}
		if p.ExecutedHeight < p.CreatedHeight {
			return fmt.Errorf("executed_height %d is before created_height %d", p.ExecutedHeight, p.CreatedHeight)
		}
	default:
		return fmt.Errorf("state %q: want %q or %q", p.State, tx.ProposalPending, tx.ProposalExecuted)
	}
	if p.CreatedHeight < 0 {
		return fmt.Errorf("created_height %d: want 0 or more", p.CreatedHeight)
	}
	if p.Expires.IsZero() || p.Expires.Location() != time.UTC {
		return fmt.Errorf("expires %s: want a UTC time", p.Expires)
	}
	return nil
}
