// Package voting is the direct-democracy module (service 7): citizen
// proposals with Democracy Seoul's thresholds, and elections with a secret
// ballot anyone can verify (exponential ElGamal on ristretto255 with
// zero-knowledge proofs, a DKG among k-of-n trustees, blind RSA voting
// credentials). See README.md and docs/voting-verification.md.
package voting

import (
	"github.com/citychain/citychain/chain/internal/auth"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
	"sync"
)

// Codespace of the voting module's errors.
const Codespace = tx.CodespaceVoting

// Auth is what the voting module needs of the auth module: roles, and the
// accounts a ballot opens.
type Auth interface {
	HasRole(ctx *module.Context, addr tx.Address, role string) bool
	EnsureAccount(ctx *module.Context, addr tx.Address)
	// Account returns the account at addr, or nil.
	Account(ctx *module.Context, addr tx.Address) *auth.Account
	// Open opens the account of a key that has none at sequence 1.
	Open(ctx *module.Context, key tx.PubKey) error
}

// Identities is what the voting module needs of the identity module.
type Identities interface {
	IdentityOfKey(ctx *module.Context, addr tx.Address) (tx.Address, bool)
	Identity(ctx *module.Context, id tx.Address) *tx.Identity
}

// Credentials is what the voting module needs of the credentials module
// to check residency evidence (credentials.Keeper.CheckEvidence, whose
// errors are *credentials.EvidenceError).
type Credentials interface {
	CheckEvidence(ctx *module.Context, schema string, ev *tx.RegistryEvidence, msg []byte, what string) (*sdjwt.Payload, error)
}

// Keeper owns the voting module's state.
type Keeper struct {
	prefix byte
	auth   Auth
	ids    Identities
	creds  Credentials

	// ballots memoises the ballots whose proofs verified, by a digest of
	// everything votecrypto.VerifyBallot reads (ballotDigest), so a ballot
	// CheckTx verified is not verified again in FinalizeBlock. A hit
	// answers what verifying again would: the memo changes no outcome,
	// only the work. Read by key only.
	mu      sync.Mutex
	ballots map[tx.Hash32]struct{}
}

// maxBallotMemo bounds the verified-ballot memo; when full it starts over.
const maxBallotMemo = 8192

var (
	_ module.Module     = (*Keeper)(nil)
	_ module.EndBlocker = (*Keeper)(nil)
	_ module.Exporter   = (*Keeper)(nil)
)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte, auth Auth, ids Identities, creds Credentials) *Keeper {
	return &Keeper{prefix: prefix, auth: auth, ids: ids, creds: creds, ballots: map[tx.Hash32]struct{}{}}
}

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

// Support is a recorded support of a proposal (the voting/support query's
// answer, stored under the provable support key).
type Support struct {
	Proposal uint64     `json:"proposal"`
	Identity tx.Address `json:"identity"`
	Height   uint64     `json:"height"`
}

// DefaultParams are the parameters of a chain whose genesis sets none:
// the residency schema and claim the devnet's welfare office issues,
// Seoul's thresholds (50, 100, 1,000 supporters), 30 days for each
// answer (the real delays are not confirmed: a genesis may set others),
// 30 days of supports, and 2 blocks for DKG complaints.
func DefaultParams() tx.VotingParams {
	return tx.VotingParams{
		ResidencySchema: "residency", ResidencyClaim: "resident_seoul",
		DepartmentThreshold: 50, ForumThreshold: 100, MayorThreshold: 1000,
		DepartmentDays: 30, ForumDays: 30, MayorDays: 30,
		SupportDays: 30, ComplaintBlocks: 2,
	}
}

// Params returns the module's parameters: the stored ones, or the
// defaults.
func (k *Keeper) Params(ctx *module.Context) tx.VotingParams { return params(k.kv(ctx)) }

func params(kv store.KV) tx.VotingParams {
	var p tx.VotingParams
	if store.GetJSON(kv, []byte{prefixParams}, &p) {
		return p
	}
	return DefaultParams()
}

// levelThreshold returns the threshold and answer days of level i
// (tx.AnswerLevels order).
func levelThreshold(p tx.VotingParams, i int) (uint64, uint32) {
	switch i {
	case 0:
		return p.DepartmentThreshold, p.DepartmentDays
	case 1:
		return p.ForumThreshold, p.ForumDays
	}
	return p.MayorThreshold, p.MayorDays
}

// Proposal returns proposal id, or nil.
func (k *Keeper) Proposal(ctx *module.Context, id uint64) *tx.VoteProposal {
	return getProposal(k.kv(ctx), id)
}

// Election returns election id, or nil.
func (k *Keeper) Election(ctx *module.Context, id uint64) *tx.VoteElection {
	return getElection(k.kv(ctx), id)
}

func getProposal(kv store.KV, id uint64) *tx.VoteProposal {
	var p tx.VoteProposal
	if !store.GetJSON(kv, proposalKey(id), &p) {
		return nil
	}
	return &p
}

func getElection(kv store.KV, id uint64) *tx.VoteElection {
	var e tx.VoteElection
	if !store.GetJSON(kv, electionKey(id), &e) {
		return nil
	}
	return &e
}

func getTrustee(kv store.KV, election uint64, index uint32) *tx.VoteTrustee {
	var t tx.VoteTrustee
	if !store.GetJSON(kv, trusteeKey(election, index), &t) {
		return nil
	}
	return &t
}

// trustees returns every trustee of an election, by index.
func trustees(kv store.KV, e *tx.VoteElection) []tx.VoteTrustee {
	out := make([]tx.VoteTrustee, 0, len(e.Trustees))
	for i := range e.Trustees {
		if t := getTrustee(kv, e.ID, uint32(i+1)); t != nil {
			out = append(out, *t)
		}
	}
	return out
}

func getRequest(kv store.KV, election uint64, identity tx.Address) *tx.VoteRequest {
	var r tx.VoteRequest
	if !store.GetJSON(kv, requestKey(election, identity), &r) {
		return nil
	}
	return &r
}

func getBallot(kv store.KV, election, seq uint64) *tx.VoteBallot {
	var b tx.VoteBallot
	if !store.GetJSON(kv, ballotKey(election, seq), &b) {
		return nil
	}
	return &b
}

// next increments and returns a counter (ids from 1).
func next(kv store.KV, which byte) uint64 {
	n := store.GetUint64(kv, counterKey(which)) + 1
	kv.Set(counterKey(which), u64(n))
	return n
}

// Handle implements module.Module.
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	switch m := msg.(type) {
	case *tx.MsgVotingPropose:
		return k.propose(ctx, signer, m)
	case *tx.MsgVotingSupport:
		return k.support(ctx, signer, m)
	case *tx.MsgVotingAnswer:
		return k.answer(ctx, signer, m)
	case *tx.MsgVotingCreateElection:
		return k.createElection(ctx, signer, m)
	case *tx.MsgVotingAddVoters:
		return k.addVoters(ctx, signer, m)
	case *tx.MsgVotingDKGKey:
		return k.dkgKey(ctx, signer, m)
	case *tx.MsgVotingDKGDeal:
		return k.dkgDeal(ctx, signer, m)
	case *tx.MsgVotingDKGComplain:
		return k.dkgComplain(ctx, signer, m)
	case *tx.MsgVotingRequestCredential:
		return k.requestCredential(ctx, signer, m)
	case *tx.MsgVotingIssueCredential:
		return k.issueCredential(ctx, signer, m)
	case *tx.MsgVotingCast:
		return k.cast(ctx, signer, m)
	case *tx.MsgVotingDecrypt:
		return k.decrypt(ctx, signer, m)
	case *tx.MsgVotingPublish:
		return k.publish(ctx, signer, m)
	}
	return module.ErrInternal.Wrapf("voting cannot handle %s", msg.Type())
}
