package voting

import (
	"strconv"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// day is a day in seconds: answer delays and support periods are whole
// days of block time.
const day = 86400

// levelEvents are the events a level fires when its threshold is reached,
// in tx.AnswerLevels order.
var levelEvents = []string{"voting.dept_answer_due", "voting.forum_opened", "voting.mayor_answer_due"}

func levelIndex(level string) int {
	for i, l := range tx.AnswerLevels {
		if l == level {
			return i
		}
	}
	return -1
}

func (k *Keeper) propose(ctx *module.Context, signer tx.Address, m *tx.MsgVotingPropose) error {
	if !k.auth.HasRole(ctx, m.Department, tx.RoleCityDepartment) {
		return ErrNotResponsible.Wrapf("department %s does not hold role %s", m.Department, tx.RoleCityDepartment)
	}
	identity, err := k.citizen(ctx, signer)
	if err != nil {
		return err
	}
	kv := k.kv(ctx)
	p := params(kv)
	// The evidence of a proposal is signed for id 0: the id is not known
	// before the proposal is stored.
	jwt, used, err := k.resident(ctx, p, purposePropose, 0, identity, m.Eligibility)
	if err != nil {
		return err
	}
	id := next(kv, counterProposals)
	now := ctx.Time.Unix()
	prop := &tx.VoteProposal{
		ID: id, Proposer: identity, Title: m.Title, Summary: m.Summary, BodyHash: m.BodyHash, URI: m.URI,
		Department: m.Department, Created: now, SupportEnds: now + int64(p.SupportDays)*day, Status: tx.ProposalOpen,
	}
	for i, l := range tx.AnswerLevels {
		th, _ := levelThreshold(p, i)
		prop.Levels = append(prop.Levels, tx.VoteLevel{Level: l, Threshold: th})
	}
	kv.Set(supportEndsKey(prop.SupportEnds, id), []byte{1})
	ctx.Emit("voting.proposed", "proposal", module.U64(id), "proposer", identity.String(), "department", m.Department.String(),
		"support_ends", strconv.FormatInt(prop.SupportEnds, 10))
	k.addSupport(ctx, kv, p, prop, identity, jwt, used)
	return nil
}

func (k *Keeper) support(ctx *module.Context, signer tx.Address, m *tx.MsgVotingSupport) error {
	kv := k.kv(ctx)
	prop := getProposal(kv, m.Proposal)
	if prop == nil {
		return ErrUnknownProposal.Wrapf("proposal %d", m.Proposal)
	}
	if now := ctx.Time.Unix(); now >= prop.SupportEnds {
		return ErrProposalClosed.Wrapf("proposal %d took supports until %d (block time %d)", prop.ID, prop.SupportEnds, now)
	}
	identity, err := k.citizen(ctx, signer)
	if err != nil {
		return err
	}
	if kv.Has(supportKey(prop.ID, identity)) {
		return ErrAlreadySupported.Wrapf("identity %s already supports proposal %d", identity, prop.ID)
	}
	p := params(kv)
	jwt, used, err := k.resident(ctx, p, purposeSupport, prop.ID, identity, m.Eligibility)
	if err != nil {
		return err
	}
	if used {
		if b := kv.Get(propCredKey(prop.ID, jwt)); b != nil {
			var other tx.Address
			copy(other[:], b)
			return ErrCredentialReused.Wrapf("the residency credential %s already served identity %s for proposal %d", jwt, other, prop.ID)
		}
	}
	k.addSupport(ctx, kv, p, prop, identity, jwt, used)
	return nil
}

// addSupport records identity's support of prop (and the credential copy
// it showed), counts it, opens every level whose threshold the count
// reaches and stores the proposal.
func (k *Keeper) addSupport(ctx *module.Context, kv store.KV, p tx.VotingParams, prop *tx.VoteProposal, identity tx.Address, jwt tx.Hash32, used bool) {
	store.PutJSON(kv, supportKey(prop.ID, identity), &Support{Proposal: prop.ID, Identity: identity, Height: uint64(ctx.Height)})
	if used {
		kv.Set(propCredKey(prop.ID, jwt), identity[:])
	}
	prop.Supports++
	ctx.Emit("voting.supported", "proposal", module.U64(prop.ID), "identity", identity.String(), "supports", module.U64(prop.Supports))
	now := ctx.Time.Unix()
	for i := range prop.Levels {
		l := &prop.Levels[i]
		if l.ReachedAt != 0 || prop.Supports < l.Threshold {
			continue
		}
		_, days := levelThreshold(p, i)
		l.ReachedAt = now
		l.Due = now + int64(days)*day
		kv.Set(answerDueKey(l.Due, prop.ID, i), []byte{1})
		ctx.Emit(levelEvents[i], "proposal", module.U64(prop.ID), "supports", module.U64(prop.Supports),
			"due", strconv.FormatInt(l.Due, 10))
	}
	store.PutJSON(kv, proposalKey(prop.ID), prop)
}

func (k *Keeper) answer(ctx *module.Context, signer tx.Address, m *tx.MsgVotingAnswer) error {
	kv := k.kv(ctx)
	prop := getProposal(kv, m.Proposal)
	if prop == nil {
		return ErrUnknownProposal.Wrapf("proposal %d", m.Proposal)
	}
	i := levelIndex(m.Level)
	if i < 0 || i >= len(prop.Levels) {
		return ErrLevelNotReached.Wrapf("level %q: want one of %v", m.Level, tx.AnswerLevels)
	}
	if m.Level == tx.LevelMayor {
		if !k.auth.HasRole(ctx, signer, tx.RoleMayor) {
			return ErrNotResponsible.Wrapf("the %s level is answered by a holder of role %s; %s holds none", m.Level, tx.RoleMayor, signer)
		}
	} else if signer != prop.Department {
		return ErrNotResponsible.Wrapf("the %s level of proposal %d is answered by its department %s, not %s", m.Level, prop.ID, prop.Department, signer)
	}
	l := &prop.Levels[i]
	if l.ReachedAt == 0 {
		return ErrLevelNotReached.Wrapf("proposal %d has %d supports, the %s level needs %d", prop.ID, prop.Supports, m.Level, l.Threshold)
	}
	if l.AnsweredAt != 0 {
		return ErrAlreadyAnswered.Wrapf("the %s level of proposal %d was answered at %d by %s", m.Level, prop.ID, l.AnsweredAt, l.By)
	}
	now := ctx.Time.Unix()
	kv.Delete(answerDueKey(l.Due, prop.ID, i))
	l.Answer, l.URI, l.By, l.AnsweredAt, l.Late = m.Answer, m.URI, signer, now, now > l.Due
	store.PutJSON(kv, proposalKey(prop.ID), prop)
	ctx.Emit("voting.answered", "proposal", module.U64(prop.ID), "level", m.Level, "by", signer.String(),
		"late", strconv.FormatBool(l.Late))
	return nil
}
