package voting

import (
	"crypto/rsa"
	"fmt"
	"slices"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/votecrypto"
)

// putElection stores an election.
func putElection(kv store.KV, e *tx.VoteElection) { store.PutJSON(kv, electionKey(e.ID), e) }

func putTrustee(kv store.KV, election uint64, t *tx.VoteTrustee) {
	store.PutJSON(kv, trusteeKey(election, t.Index), t)
}

// election returns election id or ErrUnknownElection.
func election(kv store.KV, id uint64) (*tx.VoteElection, error) {
	e := getElection(kv, id)
	if e == nil {
		return nil, ErrUnknownElection.Wrapf("election %d", id)
	}
	return e, nil
}

// class returns the weight class of w, or nil.
func class(e *tx.VoteElection, w uint64) *tx.VoteClass {
	for i := range e.Classes {
		if e.Classes[i].Weight == w {
			return &e.Classes[i]
		}
	}
	return nil
}

// classKey parses a class's blind RSA key (checked when the election was
// created).
func classKey(c *tx.VoteClass) (*rsa.PublicKey, error) { return votecrypto.ParseCredentialKey(c.Key) }

// trusteeIndex returns signer's 1-based trustee index, or ErrNotTrustee.
func trusteeIndex(e *tx.VoteElection, signer tx.Address) (uint32, error) {
	for i, a := range e.Trustees {
		if a == signer {
			return uint32(i + 1), nil
		}
	}
	return 0, ErrNotTrustee.Wrapf("%s is not a trustee of election %d", signer, e.ID)
}

func (k *Keeper) createElection(ctx *module.Context, signer tx.Address, m *tx.MsgVotingCreateElection) error {
	if !k.auth.HasRole(ctx, signer, tx.RoleElectionCommission) {
		return ErrNotCommission.Wrapf("%s does not hold role %s", signer, tx.RoleElectionCommission)
	}
	kv := k.kv(ctx)
	p := params(kv)
	if err := checkElection(m, uint64(ctx.Height), p.ComplaintBlocks); err != nil {
		return ErrBadElection.Wrapf("%v", err)
	}
	id := next(kv, counterElections)
	e := &tx.VoteElection{
		ID: id, Commission: signer, Title: m.Title, Question: m.Question, Options: m.Options,
		MinChoices: m.MinChoices, MaxChoices: m.MaxChoices, Rule: m.Rule, Voters: uint64(len(m.Voters)),
		OpenHeight: m.OpenHeight, CloseHeight: m.CloseHeight, Threshold: m.Threshold, Trustees: m.Trustees,
		Status: tx.ElectionSetup, Created: uint64(ctx.Height), Classes: []tx.VoteClass{},
	}
	for _, ck := range m.CredentialKeys {
		e.Classes = append(e.Classes, tx.VoteClass{Weight: ck.Weight, Key: ck.Key})
	}
	putElection(kv, e)
	for i, a := range m.Trustees {
		putTrustee(kv, id, &tx.VoteTrustee{Index: uint32(i + 1), Address: a})
	}
	for _, v := range m.Voters {
		kv.Set(voterKey(id, v.Identity), u64(v.Weight))
	}
	kv.Set(scheduleKey(e.OpenHeight-1, id), []byte{1})
	ctx.Emit("voting.election_created", "election", module.U64(id), "commission", signer.String(),
		"open_height", module.U64(e.OpenHeight), "close_height", module.U64(e.CloseHeight))
	return nil
}

// checkElection checks an election's definition at height: options,
// choices, rule, voters and weight classes, keys, heights, trustees and
// threshold. The error names the field.
func checkElection(m *tx.MsgVotingCreateElection, height, complaintBlocks uint64) error {
	n := len(m.Options)
	if n < 2 || n > tx.MaxVoteOptions {
		return fmt.Errorf("options: %d, want 2 to %d", n, tx.MaxVoteOptions)
	}
	for i, o := range m.Options {
		if o == "" {
			return fmt.Errorf("options[%d]: empty", i)
		}
		if j := slices.Index(m.Options, o); j < i {
			return fmt.Errorf("options[%d] %q: the same as options[%d]", i, o, j)
		}
	}
	if m.MaxChoices < 1 || m.MinChoices > m.MaxChoices || int(m.MaxChoices) > n {
		return fmt.Errorf("min_choices %d, max_choices %d: want 0 ≤ min ≤ max ≤ %d options and max ≥ 1", m.MinChoices, m.MaxChoices, n)
	}
	if len(m.CredentialKeys) == 0 || len(m.CredentialKeys) > tx.MaxWeightClasses {
		return fmt.Errorf("credential_keys: %d, want 1 to %d", len(m.CredentialKeys), tx.MaxWeightClasses)
	}
	for i, ck := range m.CredentialKeys {
		if i > 0 && ck.Weight <= m.CredentialKeys[i-1].Weight {
			return fmt.Errorf("credential_keys[%d].weight %d: want the keys sorted by weight, one per weight", i, ck.Weight)
		}
		if ck.Weight == 0 || ck.Weight > tx.MaxVoteWeight {
			return fmt.Errorf("credential_keys[%d].weight %d: want 1 to %d", i, ck.Weight, tx.MaxVoteWeight)
		}
		if _, err := votecrypto.ParseCredentialKey(ck.Key); err != nil {
			return fmt.Errorf("credential_keys[%d].key: %v", i, err)
		}
	}
	switch m.Rule {
	case tx.RuleResidents:
		if len(m.Voters) != 0 {
			return fmt.Errorf("voters: %d listed; rule %s takes no list", len(m.Voters), tx.RuleResidents)
		}
		if len(m.CredentialKeys) != 1 || m.CredentialKeys[0].Weight != 1 {
			return fmt.Errorf("credential_keys: rule %s takes exactly one key, of weight 1", tx.RuleResidents)
		}
	case tx.RuleListed:
		if err := checkVoters(m.Voters, m.CredentialKeys, nil); err != nil {
			return err
		}
	default:
		return fmt.Errorf("rule %q: want %q or %q", m.Rule, tx.RuleResidents, tx.RuleListed)
	}
	if min := height + complaintBlocks + 3; m.OpenHeight < min {
		return fmt.Errorf("open_height %d: want at least %d (height %d + complaint_blocks %d + 3, for the DKG)", m.OpenHeight, min, height, complaintBlocks)
	}
	if m.CloseHeight < m.OpenHeight {
		return fmt.Errorf("close_height %d: want at least open_height %d", m.CloseHeight, m.OpenHeight)
	}
	t := len(m.Trustees)
	if t < 2 || t > tx.MaxTrustees {
		return fmt.Errorf("trustees: %d, want 2 to %d", t, tx.MaxTrustees)
	}
	for i, a := range m.Trustees {
		if a.IsZero() {
			return fmt.Errorf("trustees[%d]: want an address", i)
		}
		if j := slices.Index(m.Trustees, a); j < i {
			return fmt.Errorf("trustees[%d] %s: the same as trustees[%d]", i, a, j)
		}
	}
	if m.Threshold < 1 || int(m.Threshold) >= t {
		return fmt.Errorf("threshold %d: want 1 to %d (fewer than the %d trustees, so no one trustee can block the tally)", m.Threshold, t-1, t)
	}
	return nil
}

// checkVoters checks voters to list: weights of a class, no identity
// twice (nor already listed: listed reports whether one is).
func checkVoters(vs []tx.VoteWeight, keys []tx.VoteCredentialKey, listed func(tx.Address) bool) error {
	if len(vs) > tx.MaxVotersPerTx {
		return fmt.Errorf("voters: %d, want at most %d per transaction", len(vs), tx.MaxVotersPerTx)
	}
	seen := make(map[tx.Address]int, len(vs)) // lookups only
	for i, v := range vs {
		if v.Identity.IsZero() {
			return fmt.Errorf("voters[%d].identity: want an identity id", i)
		}
		if !slices.ContainsFunc(keys, func(k tx.VoteCredentialKey) bool { return k.Weight == v.Weight }) {
			return fmt.Errorf("voters[%d].weight %d: the election has no credential key of that weight", i, v.Weight)
		}
		if j, dup := seen[v.Identity]; dup {
			return fmt.Errorf("voters[%d] %s: listed twice (voters[%d])", i, v.Identity, j)
		}
		seen[v.Identity] = i
		if listed != nil && listed(v.Identity) {
			return fmt.Errorf("voters[%d] %s: already on the list", i, v.Identity)
		}
	}
	return nil
}

func (k *Keeper) addVoters(ctx *module.Context, signer tx.Address, m *tx.MsgVotingAddVoters) error {
	kv := k.kv(ctx)
	e, err := election(kv, m.Election)
	if err != nil {
		return err
	}
	if signer != e.Commission {
		return ErrNotCommission.Wrapf("election %d's commission is %s, not %s", e.ID, e.Commission, signer)
	}
	if e.Rule != tx.RuleListed {
		return ErrBadElection.Wrapf("voters: election %d's rule is %s, which takes no list", e.ID, e.Rule)
	}
	if e.Status != tx.ElectionSetup || uint64(ctx.Height) >= e.OpenHeight {
		return ErrWrongPhase.Wrapf("election %d is %s at height %d: voters are added before it opens at %d", e.ID, e.Status, ctx.Height, e.OpenHeight)
	}
	keys := make([]tx.VoteCredentialKey, 0, len(e.Classes))
	for _, c := range e.Classes {
		keys = append(keys, tx.VoteCredentialKey{Weight: c.Weight})
	}
	if err := checkVoters(m.Voters, keys, func(a tx.Address) bool { return kv.Has(voterKey(e.ID, a)) }); err != nil {
		return ErrBadElection.Wrapf("%v", err)
	}
	for _, v := range m.Voters {
		kv.Set(voterKey(e.ID, v.Identity), u64(v.Weight))
	}
	e.Voters += uint64(len(m.Voters))
	putElection(kv, e)
	ctx.Emit("voting.voters_added", "election", module.U64(e.ID), "added", module.U64(uint64(len(m.Voters))), "voters", module.U64(e.Voters))
	return nil
}
