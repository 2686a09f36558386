package tx

import (
	"crypto/sha256"
	"encoding/binary"
)

// Message types of the voting module (service 7, docs/voting.md): citizen
// proposals with Democracy Seoul's thresholds, and elections with a secret
// ballot anyone can verify (docs/voting-verification.md). The chain holds
// no plaintext vote: ballots are exponential ElGamal ciphertexts on
// ristretto255 with zero-knowledge proofs (chain/votecrypto), cast under a
// fresh ballot key that carries a blind RSA credential (RFC 9474) the
// election commission issued to an identity without seeing the key.
const (
	TypeVotingPropose           = "voting/propose"
	TypeVotingSupport           = "voting/support"
	TypeVotingAnswer            = "voting/answer"
	TypeVotingCreateElection    = "voting/create_election"
	TypeVotingAddVoters         = "voting/add_voters"
	TypeVotingDKGKey            = "voting/dkg_key"
	TypeVotingDKGDeal           = "voting/dkg_deal"
	TypeVotingDKGComplain       = "voting/dkg_complain"
	TypeVotingRequestCredential = "voting/request_credential"
	TypeVotingIssueCredential   = "voting/issue_credential"
	TypeVotingCast              = "voting/cast"
	TypeVotingDecrypt           = "voting/decrypt"
	TypeVotingPublish           = "voting/publish"
)

// Roles of the voting module (granted by an authority with auth/grant_role).
const (
	// RoleElectionCommission creates elections (the creating account is
	// the election's commission: it adds voters to a listed election and
	// issues the blind credentials).
	RoleElectionCommission = "election_commission"
	// RoleCityDepartment is named by a proposal as the department that
	// answers it at the department threshold and records its forum.
	RoleCityDepartment = "city_department"
	// RoleMayor answers a proposal that reached the mayor's threshold.
	RoleMayor = "mayor"
)

// Answer levels of a proposal: each opens when the proposal's distinct
// supporters reach the level's threshold (genesis parameters: 50, 100 and
// 1,000, as Seoul has them since 2020) and is due within the level's days.
const (
	LevelDepartment = "department"
	LevelForum      = "forum"
	LevelMayor      = "mayor"
)

// AnswerLevels lists the answer levels in threshold order.
var AnswerLevels = []string{LevelDepartment, LevelForum, LevelMayor}

// Eligibility rules of an election.
const (
	// RuleResidents: any active identity presenting an unrevoked Seoul
	// residency credential (the same check as a proposal's supporter);
	// every voter weighs 1.
	RuleResidents = "residents"
	// RuleListed: only the active identities on the election's voter list,
	// with the list's weights, fixed before the election opens.
	RuleListed = "listed"
)

// Election statuses.
const (
	ElectionSetup    = "setup"    // created; trustees run the DKG, voters get credentials
	ElectionOpen     = "open"     // open_height ≤ height ≤ close_height: ballots are cast
	ElectionTallying = "tallying" // after close_height: the tally is fixed, trustees decrypt
	ElectionDecided  = "decided"  // the result is published and verified
	ElectionFailed   = "failed"   // fewer than threshold trustees qualified in the DKG
)

// Proposal statuses.
const (
	ProposalOpen   = "open"   // taking supports until support_ends
	ProposalClosed = "closed" // support period over
)

// Bounds of the voting messages.
const (
	MaxVoteTitle     = 200
	MaxVoteText      = 2000 // question, summary, answer
	MaxVoteURI       = 512
	MaxVoteOptions   = 16
	MaxOptionText    = 200
	MaxTrustees      = 16
	MaxVotersPerTx   = 500
	MaxVoteWeight    = 1_000_000
	MaxWeightClasses = 8
	// Blind RSA credential keys: 2048 to 4096-bit moduli, e = 65537.
	MinCredentialKeyBits = 2048
	MaxCredentialKeyBits = 4096
)

// Domain tags of the voting hashes and signed messages.
const (
	votingEvidenceDomain   = "citychain/vote/evidence/v1\x00"
	votingCredentialDomain = "citychain/vote/credential/v1\x00"
	ballotDomain           = "citychain/vote/ballot/v1\x00"
)

// Elem is a ristretto255 group element (its canonical 32-byte encoding,
// RFC 9496) or a scalar (32 bytes little-endian, below the group order),
// written as 64 lowercase hex characters.
type Elem = Hash32

// VoteCiphertext is an exponential ElGamal ciphertext (A, B) = (r·G,
// m·G + r·Y) under the election key Y.
type VoteCiphertext struct {
	A Elem `json:"a"`
	B Elem `json:"b"`
}

// VoteBranch is one branch of a disjunctive Chaum-Pedersen proof: the
// commitments (A, B), the branch's challenge C and response R.
type VoteBranch struct {
	A Elem `json:"a"`
	B Elem `json:"b"`
	C Elem `json:"c"`
	R Elem `json:"r"`
}

// VoteChoice is one option of a ballot: its ciphertext (0 or 1) and the
// proof that it is 0 or 1 (two branches, for 0 then 1).
type VoteChoice struct {
	Ct    VoteCiphertext `json:"ct"`
	Proof []VoteBranch   `json:"proof"`
}

// VoteSchnorr is a proof of knowledge of x with X = x·G: T = w·G,
// S = w + c·x.
type VoteSchnorr struct {
	T Elem `json:"t"`
	S Elem `json:"s"`
}

// VoteDLEQ is a Chaum-Pedersen proof that log_G X = log_H Z: commitments
// A1 = w·G, A2 = w·H, response R = w + c·x.
type VoteDLEQ struct {
	A1 Elem `json:"a1"`
	A2 Elem `json:"a2"`
	R  Elem `json:"r"`
}

// VoteEncShare is a DKG share f_i(j) encrypted to trustee j's DKG key
// E_j: R = ρ·G and S = f_i(j) + H_share(ρ·E_j, ...) mod ℓ.
type VoteEncShare struct {
	To uint32 `json:"to"` // the recipient's trustee index (1..n)
	R  Elem   `json:"r"`
	S  Elem   `json:"s"`
}

// VoteDecShare is a trustee's decryption share of one option of the
// tally: D = x_j·A with the proof that log_G Y_j = log_A D.
type VoteDecShare struct {
	D     Elem     `json:"d"`
	Proof VoteDLEQ `json:"proof"`
}

// VoteWeight is one voter of a listed election: an identity (its id,
// the address of its first device key) and its weight.
type VoteWeight struct {
	Identity Address `json:"identity"`
	Weight   uint64  `json:"weight"`
}

// VoteCredentialKey is a blind RSA public key of the commission (PKIX DER
// SubjectPublicKeyInfo, hex) for the voters of one weight.
type VoteCredentialKey struct {
	Weight uint64   `json:"weight"`
	Key    HexBytes `json:"key"`
}

// VotingEligibility shows that the signer is a Seoul resident: a
// credential of the residency schema (the registry's evidence shape, its
// holder key signing VotingEvidenceMessage) and the disclosure of its
// residency claim (params residency_claim), which must be true.
type VotingEligibility struct {
	Evidence   RegistryEvidence `json:"evidence"`
	Disclosure string           `json:"disclosure"`
}

// ---- proposals ----

// MsgVotingPropose files a citizen proposal. The signer is a device key of
// an active identity, which becomes the proposer and its first supporter.
type MsgVotingPropose struct {
	Title       string             `json:"title"`
	Summary     string             `json:"summary"`
	BodyHash    Hash32             `json:"body_hash"`
	URI         string             `json:"uri,omitempty"`
	Department  Address            `json:"department"`
	Eligibility *VotingEligibility `json:"eligibility,omitempty"`
}

func (*MsgVotingPropose) Type() string { return TypeVotingPropose }

// MsgVotingSupport supports a proposal: each identity counts once.
type MsgVotingSupport struct {
	Proposal    uint64             `json:"proposal"`
	Eligibility *VotingEligibility `json:"eligibility,omitempty"`
}

func (*MsgVotingSupport) Type() string { return TypeVotingSupport }

// MsgVotingAnswer records a level's answer: the department (department and
// forum levels) or the mayor. The answer text is public.
type MsgVotingAnswer struct {
	Proposal uint64 `json:"proposal"`
	Level    string `json:"level"`
	Answer   string `json:"answer"`
	URI      string `json:"uri,omitempty"`
}

func (*MsgVotingAnswer) Type() string { return TypeVotingAnswer }

// ---- elections ----

// MsgVotingCreateElection creates an election; the signer (role
// election_commission) is its commission. Voters choose between
// min_choices and max_choices options (1 and 1: choose one). Trustees are
// indexed 1..n in list order; any threshold of them decrypt the tally
// (1 ≤ threshold < n).
type MsgVotingCreateElection struct {
	Title          string              `json:"title"`
	Question       string              `json:"question"`
	Options        []string            `json:"options"`
	MinChoices     uint32              `json:"min_choices"`
	MaxChoices     uint32              `json:"max_choices"`
	Rule           string              `json:"rule"`
	Voters         []VoteWeight        `json:"voters,omitempty"`
	CredentialKeys []VoteCredentialKey `json:"credential_keys"`
	OpenHeight     uint64              `json:"open_height"`
	CloseHeight    uint64              `json:"close_height"`
	Trustees       []Address           `json:"trustees"`
	Threshold      uint32              `json:"threshold"`
}

func (*MsgVotingCreateElection) Type() string { return TypeVotingCreateElection }

// MsgVotingAddVoters adds voters to a listed election before it opens
// (the commission only). A voter listed twice is refused.
type MsgVotingAddVoters struct {
	Election uint64       `json:"election"`
	Voters   []VoteWeight `json:"voters"`
}

func (*MsgVotingAddVoters) Type() string { return TypeVotingAddVoters }

// MsgVotingDKGKey registers a trustee's DKG encryption key E = x·G (with a
// proof of knowledge of x): the key its shares are encrypted to.
type MsgVotingDKGKey struct {
	Election uint64      `json:"election"`
	Key      Elem        `json:"key"`
	PoK      VoteSchnorr `json:"pok"`
}

func (*MsgVotingDKGKey) Type() string { return TypeVotingDKGKey }

// MsgVotingDKGDeal is a trustee's deal: the Feldman commitments
// C_t = a_t·G of its polynomial of degree threshold−1 (C_0 with a proof of
// knowledge), and f(j) encrypted to every other trustee j.
type MsgVotingDKGDeal struct {
	Election    uint64         `json:"election"`
	Commitments []Elem         `json:"commitments"`
	PoK         VoteSchnorr    `json:"pok"`
	Shares      []VoteEncShare `json:"shares"`
}

func (*MsgVotingDKGDeal) Type() string { return TypeVotingDKGDeal }

// MsgVotingDKGComplain accuses a dealer of a share that fails its Feldman
// check: the complainer reveals the share's key K = x·R with the proof
// that log_G E = log_R K, so the chain decrypts the share and judges. A
// dealer found wrong is disqualified (named in state and an event); a
// complaint against a good share is refused.
type MsgVotingDKGComplain struct {
	Election uint64   `json:"election"`
	Dealer   uint32   `json:"dealer"`
	Key      Elem     `json:"key"`
	Proof    VoteDLEQ `json:"proof"`
}

func (*MsgVotingDKGComplain) Type() string { return TypeVotingDKGComplain }

// MsgVotingRequestCredential asks the commission for a blind credential:
// the blinded message of RFC 9474 (RSABSSA-SHA384-PSSZERO-Deterministic)
// over VotingCredentialMessage of a fresh ballot key, under the key of the
// voter's weight. Signed by a device key of the voter's identity; one
// request per identity and election.
type MsgVotingRequestCredential struct {
	Election    uint64             `json:"election"`
	Blinded     HexBytes           `json:"blinded"`
	Eligibility *VotingEligibility `json:"eligibility,omitempty"`
}

func (*MsgVotingRequestCredential) Type() string { return TypeVotingRequestCredential }

// MsgVotingIssueCredential answers a request with the blind signature
// (checked: sig^e mod n is the blinded message). The commission only.
type MsgVotingIssueCredential struct {
	Election uint64   `json:"election"`
	Identity Address  `json:"identity"`
	BlindSig HexBytes `json:"blind_sig"`
}

func (*MsgVotingIssueCredential) Type() string { return TypeVotingIssueCredential }

// MsgVotingCast casts a ballot. It is signed by the ballot key itself,
// which has no account before its first ballot: the credential is the
// message's authorisation and the message opens the key's account
// (ModuleMsgs.Opening). A later ballot of the same key replaces the earlier one.
type MsgVotingCast struct {
	Election   uint64       `json:"election"`
	BallotKey  PubKey       `json:"ballot_key"`
	Weight     uint64       `json:"weight"`
	Credential HexBytes     `json:"credential"`
	Choices    []VoteChoice `json:"choices"`
	// Sum proves the sum of the choices is between min_choices and
	// max_choices: one branch per value, from min_choices up.
	Sum []VoteBranch `json:"sum"`
}

func (*MsgVotingCast) Type() string { return TypeVotingCast }

// MsgVotingDecrypt is a trustee's decryption shares of the fixed tally,
// one per option, each proven against the tally's own ciphertext.
// Refused before the close.
type MsgVotingDecrypt struct {
	Election uint64         `json:"election"`
	Shares   []VoteDecShare `json:"shares"`
}

func (*MsgVotingDecrypt) Type() string { return TypeVotingDecrypt }

// MsgVotingPublish publishes the result once threshold trustees have
// decrypted: the chain combines the shares of the first threshold
// trustees (by index) and accepts the counts only if B − Σλ_j·D_j equals
// count·G for every option. Anyone may send it.
type MsgVotingPublish struct {
	Election uint64   `json:"election"`
	Counts   []uint64 `json:"counts"`
}

func (*MsgVotingPublish) Type() string { return TypeVotingPublish }

// VotingMsgs is the voting module's part of the transaction contract.
var VotingMsgs = ModuleMsgs{
	Module: "voting",
	Roles:  []string{RoleElectionCommission, RoleCityDepartment, RoleMayor},
	// A ballot key has no account before its first ballot: voting/cast
	// opens it.
	Opening: []string{TypeVotingCast},
	Msgs: []MsgDef{
		{Type: TypeVotingPropose, New: func() Msg { return &MsgVotingPropose{} }, Signer: "a device key of an active identity (a Seoul resident)"},
		{Type: TypeVotingSupport, New: func() Msg { return &MsgVotingSupport{} }, Signer: "a device key of an active identity (a Seoul resident)"},
		{Type: TypeVotingAnswer, New: func() Msg { return &MsgVotingAnswer{} }, Signer: "the proposal's department (" + RoleCityDepartment + "), or a " + RoleMayor},
		{Type: TypeVotingCreateElection, New: func() Msg { return &MsgVotingCreateElection{} }, Signer: RoleElectionCommission},
		{Type: TypeVotingAddVoters, New: func() Msg { return &MsgVotingAddVoters{} }, Signer: "the election's commission"},
		{Type: TypeVotingDKGKey, New: func() Msg { return &MsgVotingDKGKey{} }, Signer: "one of the election's trustees"},
		{Type: TypeVotingDKGDeal, New: func() Msg { return &MsgVotingDKGDeal{} }, Signer: "one of the election's trustees"},
		{Type: TypeVotingDKGComplain, New: func() Msg { return &MsgVotingDKGComplain{} }, Signer: "one of the election's trustees"},
		{Type: TypeVotingRequestCredential, New: func() Msg { return &MsgVotingRequestCredential{} }, Signer: "a device key of an eligible identity"},
		{Type: TypeVotingIssueCredential, New: func() Msg { return &MsgVotingIssueCredential{} }, Signer: "the election's commission"},
		{Type: TypeVotingCast, New: func() Msg { return &MsgVotingCast{} }, Signer: "the ballot key (opens its account)"},
		{Type: TypeVotingDecrypt, New: func() Msg { return &MsgVotingDecrypt{} }, Signer: "one of the election's trustees"},
		{Type: TypeVotingPublish, New: func() Msg { return &MsgVotingPublish{} }, Signer: "anyone"},
	},
}

// VotingEvidenceMessage is what a residency credential's holder key signs
// to show it to the voting module: "citychain/vote/evidence/v1" 0x00
// chain id 0x00 purpose ("propose", "support" or "credential") 0x00 the
// proposal or election id (8 bytes big-endian; 0 for propose) the
// identity (40 hex) 0x00 SHA-256 of the JWT (64 hex).
func VotingEvidenceMessage(chainID, purpose string, id uint64, identity Address, jwt string) []byte {
	jh := sha256.Sum256([]byte(jwt))
	b := make([]byte, 0, 160)
	b = append(b, votingEvidenceDomain...)
	b = append(b, chainID...)
	b = append(b, 0)
	b = append(b, purpose...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint64(b, id)
	b = append(b, identity.String()...)
	b = append(b, 0)
	return append(b, Hash32(jh).String()...)
}

// VotingCredentialMessage is the message a blind credential signs:
// "citychain/vote/credential/v1" 0x00 chain id 0x00 the election id
// (8 bytes big-endian) the ballot key (32 bytes).
func VotingCredentialMessage(chainID string, election uint64, ballotKey PubKey) []byte {
	b := make([]byte, 0, len(votingCredentialDomain)+len(chainID)+1+8+len(ballotKey))
	b = append(b, votingCredentialDomain...)
	b = append(b, chainID...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint64(b, election)
	return append(b, ballotKey...)
}

// BallotBytes is the canonical encoding of a ballot, which its tracker
// hashes (docs/voting-verification.md): "citychain/vote/ballot/v1" 0x00,
// the election (8 bytes big-endian), the ballot key (32 bytes), the weight
// (8), the credential (4-byte length, bytes), the number of choices (4),
// each choice's A, B, number of branches (4) and branches (A, B, C, R),
// then the number of sum branches (4) and the branches. Integers are big
// endian; elements are their 32 bytes.
func BallotBytes(m *MsgVotingCast) []byte {
	b := make([]byte, 0, 128+len(m.Credential)+len(m.Choices)*(64+4+2*128)+4+len(m.Sum)*128)
	b = append(b, ballotDomain...)
	b = binary.BigEndian.AppendUint64(b, m.Election)
	b = append(b, m.BallotKey...)
	b = binary.BigEndian.AppendUint64(b, m.Weight)
	b = binary.BigEndian.AppendUint32(b, uint32(len(m.Credential)))
	b = append(b, m.Credential...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(m.Choices)))
	for _, c := range m.Choices {
		b = append(b, c.Ct.A[:]...)
		b = append(b, c.Ct.B[:]...)
		b = appendBranches(b, c.Proof)
	}
	return appendBranches(b, m.Sum)
}

func appendBranches(b []byte, bs []VoteBranch) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(bs)))
	for _, x := range bs {
		b = append(b, x.A[:]...)
		b = append(b, x.B[:]...)
		b = append(b, x.C[:]...)
		b = append(b, x.R[:]...)
	}
	return b
}

// BallotTracker is a ballot's tracker: SHA-256 of BallotBytes. The voter
// keeps it to check, with an inclusion proof, that the ballot was
// recorded and counted.
func BallotTracker(m *MsgVotingCast) Hash32 { return sha256.Sum256(BallotBytes(m)) }

// CodespaceVoting is the codespace of the voting module's result codes.
const CodespaceVoting = "voting"

// Result codes of the voting module (see Code). Frozen: a released code
// never changes meaning.
var (
	CodeVotingInvalidGenesis   = Code{CodespaceVoting, 2}  // invalid voting genesis
	CodeVotingNotEligible      = Code{CodespaceVoting, 3}  // signer is not a device key of an active identity, or not on the list
	CodeVotingBadEvidence      = Code{CodespaceVoting, 4}  // residency evidence does not verify (anchor, path, holder signature, disclosure)
	CodeVotingNotResident      = Code{CodespaceVoting, 5}  // genuine credential that does not show residency (schema, expired, revoked, claim false)
	CodeVotingUnknownProposal  = Code{CodespaceVoting, 6}  // no such proposal
	CodeVotingAlreadySupported = Code{CodespaceVoting, 7}  // the identity (or the credential copy) already supported
	CodeVotingProposalClosed   = Code{CodespaceVoting, 8}  // support period over
	CodeVotingNotResponsible   = Code{CodespaceVoting, 9}  // signer may not answer at this level
	CodeVotingLevelNotReached  = Code{CodespaceVoting, 10} // the level's threshold is not reached
	CodeVotingAlreadyAnswered  = Code{CodespaceVoting, 11} // the level is already answered
	CodeVotingNotCommission    = Code{CodespaceVoting, 12} // signer lacks election_commission, or is not the election's commission
	CodeVotingBadElection      = Code{CodespaceVoting, 13} // election definition refused (options, heights, trustees, threshold, keys, voters)
	CodeVotingUnknownElection  = Code{CodespaceVoting, 14} // no such election
	CodeVotingWrongPhase       = Code{CodespaceVoting, 15} // not allowed in the election's status or at this height (e.g. a share before the close)
	CodeVotingNotTrustee       = Code{CodespaceVoting, 16} // signer is not one of the election's trustees
	CodeVotingDKGRepeat        = Code{CodespaceVoting, 17} // the trustee already registered its key or dealt
	CodeVotingBadDKG           = Code{CodespaceVoting, 18} // malformed DKG key or deal (proof of knowledge, commitments, shares)
	CodeVotingComplaintRefused = Code{CodespaceVoting, 19} // complaint's proof fails, or the share is valid
	CodeVotingAlreadyRequested = Code{CodespaceVoting, 20} // the identity already asked for a credential in this election
	CodeVotingBadRequest       = Code{CodespaceVoting, 21} // blinded message malformed for the key
	CodeVotingNoRequest        = Code{CodespaceVoting, 22} // no such credential request
	CodeVotingAlreadyIssued    = Code{CodespaceVoting, 23} // the request already has its credential
	CodeVotingBadBlindSig      = Code{CodespaceVoting, 24} // the blind signature does not verify against the request
	CodeVotingBadCredential    = Code{CodespaceVoting, 25} // the ballot's credential does not verify for its key and weight
	CodeVotingCredentialsSpent = Code{CodespaceVoting, 26} // as many ballot keys as credentials issued: a new key is refused
	CodeVotingBadBallot        = Code{CodespaceVoting, 27} // ballot malformed or a proof fails (the log names the option)
	CodeVotingBadShare         = Code{CodespaceVoting, 28} // a decryption share's proof fails (the log names the trustee and option)
	CodeVotingShareRepeat      = Code{CodespaceVoting, 29} // the trustee already decrypted
	CodeVotingNotEnoughShares  = Code{CodespaceVoting, 30} // fewer than threshold trustees decrypted
	CodeVotingWrongResult      = Code{CodespaceVoting, 31} // counts do not match the decrypted tally
	CodeVotingAlreadyPublished = Code{CodespaceVoting, 32} // the result is already published
	CodeVotingCredentialReused = Code{CodespaceVoting, 33} // this residency credential copy already served another identity here
)

// ---- query answers ----

// VotingParams are the voting module's parameters (genesis).
type VotingParams struct {
	// ResidencySchema is the credential schema a resident presents; empty
	// means an active identity suffices (no credential asked).
	ResidencySchema string `json:"residency_schema"`
	// ResidencyClaim is the schema's yes/no claim that must be disclosed
	// true (resident_seoul).
	ResidencyClaim string `json:"residency_claim"`
	// Thresholds of distinct supporters and the days each level's answer
	// is due in, in AnswerLevels order.
	DepartmentThreshold uint64 `json:"department_threshold"`
	ForumThreshold      uint64 `json:"forum_threshold"`
	MayorThreshold      uint64 `json:"mayor_threshold"`
	DepartmentDays      uint32 `json:"department_days"`
	ForumDays           uint32 `json:"forum_days"`
	MayorDays           uint32 `json:"mayor_days"`
	// SupportDays is how long a proposal takes supports.
	SupportDays uint32 `json:"support_days"`
	// ComplaintBlocks: deals are accepted up to open_height −
	// complaint_blocks − 1, complaints up to open_height − 1.
	ComplaintBlocks uint64 `json:"complaint_blocks"`
}

// VoteLevel is one answer level of a proposal.
type VoteLevel struct {
	Level      string  `json:"level"`
	Threshold  uint64  `json:"threshold"`
	ReachedAt  int64   `json:"reached_at,omitempty"` // unix seconds (block time)
	Due        int64   `json:"due,omitempty"`
	Answer     string  `json:"answer,omitempty"`
	URI        string  `json:"uri,omitempty"`
	By         Address `json:"by,omitzero"`
	AnsweredAt int64   `json:"answered_at,omitempty"`
	// Overdue: the due time passed with no answer (set at the first block
	// after it; stays set, with Late, once a late answer comes).
	Overdue bool `json:"overdue,omitempty"`
	Late    bool `json:"late,omitempty"`
}

// VoteProposal is a proposal as stored.
type VoteProposal struct {
	ID          uint64      `json:"id"`
	Proposer    Address     `json:"proposer"` // the identity
	Title       string      `json:"title"`
	Summary     string      `json:"summary"`
	BodyHash    Hash32      `json:"body_hash"`
	URI         string      `json:"uri,omitempty"`
	Department  Address     `json:"department"`
	Created     int64       `json:"created"`
	SupportEnds int64       `json:"support_ends"`
	Supports    uint64      `json:"supports"`
	Status      string      `json:"status"`
	Levels      []VoteLevel `json:"levels"`
}

// VoteTrustee is a trustee of an election and its DKG and decryption
// record.
type VoteTrustee struct {
	Index        uint32         `json:"index"`
	Address      Address        `json:"address"`
	Key          *Elem          `json:"key,omitempty"`
	KeyPoK       *VoteSchnorr   `json:"key_pok,omitempty"`
	Commitments  []Elem         `json:"commitments,omitempty"`
	DealPoK      *VoteSchnorr   `json:"deal_pok,omitempty"`
	Shares       []VoteEncShare `json:"shares,omitempty"`
	DealtAt      uint64         `json:"dealt_at,omitempty"`
	Disqualified string         `json:"disqualified,omitempty"` // why (the complaint that proved a bad share)
	// VerificationKey is Y_j, fixed when the election opens.
	VerificationKey *Elem          `json:"verification_key,omitempty"`
	Decryption      []VoteDecShare `json:"decryption,omitempty"`
	DecryptedAt     uint64         `json:"decrypted_at,omitempty"`
}

// VoteClass counts one weight class's credentials and ballot keys.
type VoteClass struct {
	Weight     uint64   `json:"weight"`
	Key        HexBytes `json:"key"`
	Requested  uint64   `json:"requested"`
	Issued     uint64   `json:"issued"`
	BallotKeys uint64   `json:"ballot_keys"`
}

// VoteElection is an election as stored.
type VoteElection struct {
	ID          uint64    `json:"id"`
	Commission  Address   `json:"commission"`
	Title       string    `json:"title"`
	Question    string    `json:"question"`
	Options     []string  `json:"options"`
	MinChoices  uint32    `json:"min_choices"`
	MaxChoices  uint32    `json:"max_choices"`
	Rule        string    `json:"rule"`
	Voters      uint64    `json:"voters"` // listed voters
	OpenHeight  uint64    `json:"open_height"`
	CloseHeight uint64    `json:"close_height"`
	Threshold   uint32    `json:"threshold"`
	Trustees    []Address `json:"trustees"`
	Status      string    `json:"status"`
	Created     uint64    `json:"created"` // height
	// Qualified are the trustees whose deals count (indices), fixed at
	// the opening; Key is the election key Y (their C_0 summed).
	Qualified []uint32    `json:"qualified,omitempty"`
	Key       *Elem       `json:"key,omitempty"`
	Classes   []VoteClass `json:"classes"`
	// Ballots counts every ballot cast (re-votes included); Counted the
	// ballot keys whose last ballot is in the tally.
	Ballots uint64 `json:"ballots"`
	Counted uint64 `json:"counted"`
	// Tally is Σ weight·ciphertext of each ballot key's last ballot, per
	// option: running while open, fixed at the close.
	Tally []VoteCiphertext `json:"tally"`
	// Result is the published counts (weights included), once decided.
	Result    []uint64 `json:"result,omitempty"`
	DecidedAt uint64   `json:"decided_at,omitempty"`
	// Decryptors are the trustees whose shares made the result.
	Decryptors []uint32 `json:"decryptors,omitempty"`
	Failure    string   `json:"failure,omitempty"`
}

// VoteRequest is an identity's credential request and, once issued, its
// blind signature.
type VoteRequest struct {
	Election uint64   `json:"election"`
	Seq      uint64   `json:"seq"` // order of the request in the election, from 1
	Identity Address  `json:"identity"`
	Weight   uint64   `json:"weight"`
	Blinded  HexBytes `json:"blinded"`
	BlindSig HexBytes `json:"blind_sig,omitempty"`
	Height   uint64   `json:"height"`
}

// VoteBallot is a recorded ballot: the message as cast, its tracker, its
// order in the election, the height, and whether a later ballot of the
// same key replaced it.
type VoteBallot struct {
	Seq        uint64        `json:"seq"`
	Tracker    Hash32        `json:"tracker"`
	Height     uint64        `json:"height"`
	Superseded bool          `json:"superseded"`
	Ballot     MsgVotingCast `json:"ballot"`
}

// VoteTrackerEntry is what the provable tracker key holds.
type VoteTrackerEntry struct {
	Election   uint64 `json:"election"`
	Seq        uint64 `json:"seq"`
	BallotKey  PubKey `json:"ballot_key"`
	Height     uint64 `json:"height"`
	Superseded bool   `json:"superseded"`
}

// VotingIDRequest names a proposal or an election.
type VotingIDRequest struct {
	ID uint64 `json:"id"`
}

// VotingPageRequest pages proposals, elections, an election's requests
// (Pending: only those not yet issued) or ballots.
type VotingPageRequest struct {
	Election uint64 `json:"election,omitempty"`
	After    uint64 `json:"after,omitempty"`
	Limit    uint64 `json:"limit,omitempty"`
	Pending  bool   `json:"pending,omitempty"`
}

// VotingItemRequest names an election's item: a request (Identity), a
// tracker, a trustee (Index) or a support (ID = proposal, Identity).
type VotingItemRequest struct {
	Election uint64  `json:"election,omitempty"`
	ID       uint64  `json:"id,omitempty"`
	Identity Address `json:"identity,omitzero"`
	Tracker  Hash32  `json:"tracker,omitzero"`
	Index    uint32  `json:"index,omitempty"`
}

// Pages of the voting queries.
type (
	VoteProposalPage struct {
		Proposals []VoteProposal `json:"proposals"`
		Next      uint64         `json:"next,omitempty"`
	}
	VoteElectionPage struct {
		Elections []VoteElection `json:"elections"`
		Next      uint64         `json:"next,omitempty"`
	}
	VoteRequestPage struct {
		Requests []VoteRequest `json:"requests"`
		Next     uint64        `json:"next,omitempty"`
	}
	VoteBallotPage struct {
		Ballots []VoteBallot `json:"ballots"`
		Next    uint64       `json:"next,omitempty"`
	}
)
