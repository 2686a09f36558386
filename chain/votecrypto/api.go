// Package votecrypto is the cryptography of the voting module, specified
// byte for byte in docs/voting-verification.md so that an outsider can
// re-implement every check: exponential ElGamal on ristretto255 (RFC 9496)
// with disjunctive Chaum-Pedersen proofs (each option 0 or 1, the sum in
// [min_choices, max_choices]) verified in one multi-scalar multiplication
// per ballot; a Pedersen/Feldman DKG among n trustees with threshold k and
// on-chain complaints; decryption shares with DLEQ proofs against the
// tally's own ciphertext; Lagrange combination; blind RSA credentials
// (RFC 9474, RSABSSA-SHA384-PSSZERO-Deterministic, circl); and the
// re-verification of a whole election from chain data alone.
//
// The package is deterministic: no map iteration order, no floats, no
// goroutines, no clock. Randomness is read only from an io.Reader argument
// (provers), never by a verifier. Group arithmetic is curve25519-voi's
// ristretto255 (its Pippenger/Straus multiscalar multiplication).
package votecrypto

import (
	"crypto/rsa"
	"io"

	"github.com/citychain/citychain/chain/tx"
)

// Secret is a scalar mod ℓ, 32 bytes little-endian (canonical).
type Secret [32]byte

// NewSecret draws a uniform non-zero scalar from rand.
func NewSecret(rand io.Reader) (Secret, error) { panic("todo") }

// Public returns s·G.
func (s Secret) Public() tx.Elem { panic("todo") }

// ValidPoint reports whether e is a canonical ristretto255 encoding of a
// point other than the identity.
func ValidPoint(e tx.Elem) bool { panic("todo") }

// ---- ballots ----

// BallotParams is what a ballot is made and checked against.
type BallotParams struct {
	ChainID    string
	Election   uint64
	Key        tx.Elem // the election key Y
	Options    int
	MinChoices uint32
	MaxChoices uint32
}

// EncryptBallot fills m.Choices and m.Sum for choices (one per option),
// using m.Election and m.BallotKey as the proofs' context. It refuses a
// number of choices outside [MinChoices, MaxChoices].
func EncryptBallot(rand io.Reader, p BallotParams, m *tx.MsgVotingCast, choices []bool) error { panic("todo") }

// BallotError names the part of a ballot that failed: Option is the
// option's index, or -1 for the sum proof, or -2 for the ballot's shape.
type BallotError struct {
	Option int
	Reason string
}

func (e *BallotError) Error() string { panic("todo") }

// VerifyBallot checks m's shape (one choice per option, two branches each,
// max−min+1 sum branches, canonical points and scalars) and every proof
// against p, in one multi-scalar multiplication; when it fails, it checks
// the parts one by one to return the *BallotError of the first bad part.
func VerifyBallot(p BallotParams, m *tx.MsgVotingCast) error { panic("todo") }

// ---- tally ----

// EmptyTally returns n ciphertexts of the identity (the tally of no
// ballot).
func EmptyTally(n int) []tx.VoteCiphertext { panic("todo") }

// AddBallot returns tally + weight·(each choice's ciphertext), or minus
// when sub (a re-vote removes the key's previous ballot).
func AddBallot(tally []tx.VoteCiphertext, choices []tx.VoteChoice, weight uint64, sub bool) ([]tx.VoteCiphertext, error) {
	panic("todo")
}

// ---- DKG ----

// Polynomial is a dealer's secret polynomial of degree threshold−1.
type Polynomial []Secret

// NewPolynomial draws a polynomial with threshold coefficients.
func NewPolynomial(rand io.Reader, threshold int) (Polynomial, error) { panic("todo") }

// Commitments returns the Feldman commitments a_t·G.
func (p Polynomial) Commitments() []tx.Elem { panic("todo") }

// Eval returns f(j).
func (p Polynomial) Eval(j uint32) Secret { panic("todo") }

// KeyContext and DealContext are the contexts of the trustee's proofs of
// knowledge (of its DKG key, of its a_0).
func KeyContext(chainID string, election uint64, trustee uint32) []byte  { panic("todo") }
func DealContext(chainID string, election uint64, trustee uint32) []byte { panic("todo") }

// ProveKnowledge proves knowledge of x for x·G under ctx (Schnorr).
func ProveKnowledge(rand io.Reader, x Secret, ctx []byte) (tx.VoteSchnorr, error) { panic("todo") }

// VerifyKnowledge checks a proof of knowledge of log_G X under ctx.
func VerifyKnowledge(X tx.Elem, pok tx.VoteSchnorr, ctx []byte) bool { panic("todo") }

// EncryptShare encrypts dealer's f(to) to the recipient's DKG key.
func EncryptShare(rand io.Reader, chainID string, election uint64, dealer, to uint32, recipientKey tx.Elem, share Secret) (tx.VoteEncShare, error) {
	panic("todo")
}

// DecryptShare decrypts a share with the recipient's DKG secret.
func DecryptShare(chainID string, election uint64, dealer uint32, recipient Secret, es tx.VoteEncShare) (Secret, error) {
	panic("todo")
}

// VerifyShare is the Feldman check: share·G = Σ_t j^t·C_t.
func VerifyShare(commitments []tx.Elem, j uint32, share Secret) bool { panic("todo") }

// Complaint reveals the key of a share sent to the complainer (K = x·R)
// with the proof that log_G E = log_R K.
func Complaint(rand io.Reader, chainID string, election uint64, dealer, complainer uint32, recipient Secret, es tx.VoteEncShare) (tx.Elem, tx.VoteDLEQ, error) {
	panic("todo")
}

// JudgeComplaint checks a complaint: the proof must verify (else
// ErrBadComplaint); then it decrypts the share with K and returns whether
// the share fails its Feldman check (the dealer is at fault).
func JudgeComplaint(chainID string, election uint64, dealer, complainer uint32, complainerKey tx.Elem, es tx.VoteEncShare,
	K tx.Elem, proof tx.VoteDLEQ, commitments []tx.Elem) (dealerAtFault bool, err error) {
	panic("todo")
}

// ElectionKey is Y = Σ C_{i,0} over the qualified dealers' commitments.
func ElectionKey(deals [][]tx.Elem) (tx.Elem, error) { panic("todo") }

// VerificationKey is Y_j = Σ_i Σ_t j^t·C_{i,t}: trustee j's public share.
func VerificationKey(deals [][]tx.Elem, j uint32) (tx.Elem, error) { panic("todo") }

// ---- decryption ----

// DecryptionShare computes D = x·A for option of the tally with its DLEQ
// proof (log_G Y_j = log_A D), for trustee j.
func DecryptionShare(rand io.Reader, chainID string, election uint64, j uint32, option int, x Secret, A tx.Elem) (tx.VoteDecShare, error) {
	panic("todo")
}

// VerifyDecryptionShare checks a share against trustee j's verification
// key Yj and the tally's own A for option.
func VerifyDecryptionShare(chainID string, election uint64, j uint32, option int, Yj, A tx.Elem, s tx.VoteDecShare) bool {
	panic("todo")
}

// Combine returns M_o = B_o − Σ λ_j·D_{j,o} for every option, from the
// shares of the trustees at indices (exactly threshold of them, distinct).
// shares[i][o] is indices[i]'s share of option o.
func Combine(indices []uint32, shares [][]tx.Elem, tally []tx.VoteCiphertext) ([]tx.Elem, error) { panic("todo") }

// CheckCounts reports whether M_o = counts_o·G for every option.
func CheckCounts(M []tx.Elem, counts []uint64) error { panic("todo") }

// SolveCounts finds counts_o ≤ max with M_o = counts_o·G (baby-step
// giant-step); off chain only.
func SolveCounts(M []tx.Elem, max uint64) ([]uint64, error) { panic("todo") }

// ---- blind RSA credentials (RFC 9474) ----

// NewCredentialKey generates the commission's RSA key for one weight class.
func NewCredentialKey(rand io.Reader, bits int) (*rsa.PrivateKey, error) { panic("todo") }

// MarshalCredentialKey encodes a public key as PKIX DER.
func MarshalCredentialKey(pk *rsa.PublicKey) ([]byte, error) { panic("todo") }

// ParseCredentialKey decodes PKIX DER and checks 2048 to 4096 bits and
// e = 65537.
func ParseCredentialKey(der []byte) (*rsa.PublicKey, error) { panic("todo") }

// Blind blinds msg for pk; the state finalizes the signature.
func Blind(rand io.Reader, pk *rsa.PublicKey, msg []byte) (blinded []byte, state BlindState, err error) { panic("todo") }

// BlindState is what unblinding needs (kept by the voter until issued).
type BlindState struct {
	Inverse []byte `json:"inverse"` // r⁻¹ mod n, big-endian
	Salt    []byte `json:"salt,omitempty"`
	Message []byte `json:"message"`
}

// Finalize unblinds the commission's blind signature into the credential
// and verifies it.
func Finalize(pk *rsa.PublicKey, state BlindState, blindSig []byte) ([]byte, error) { panic("todo") }

// BlindSign signs a blinded message (the commission).
func BlindSign(sk *rsa.PrivateKey, blinded []byte) ([]byte, error) { panic("todo") }

// CheckBlinded checks a blinded message's form: modulus length, below n.
func CheckBlinded(pk *rsa.PublicKey, blinded []byte) error { panic("todo") }

// CheckBlindSig checks sig^e mod n = blinded.
func CheckBlindSig(pk *rsa.PublicKey, blinded, sig []byte) error { panic("todo") }

// VerifyCredential verifies a credential (an RSA-PSS signature, RFC 9474)
// over msg.
func VerifyCredential(pk *rsa.PublicKey, msg, sig []byte) error { panic("todo") }

// ---- whole elections ----

// ElectionData is everything the chain records of an election.
type ElectionData struct {
	ChainID  string
	Election tx.VoteElection
	Trustees []tx.VoteTrustee
	Requests []tx.VoteRequest
	Ballots  []tx.VoteBallot // in cast order (Seq 1, 2, ...)
}

// Report is what VerifyElection found.
type Report struct {
	Ballots      int                 `json:"ballots"`
	Counted      int                 `json:"counted"`
	Tally        []tx.VoteCiphertext `json:"tally"`
	TallyMatches bool                `json:"tally_matches"`
	Result       []uint64            `json:"result,omitempty"`
	Problems     []string            `json:"problems,omitempty"`
}

// VerifyElection re-verifies an election from chain data alone: the DKG
// (proofs of knowledge, the election key and verification keys from the
// qualified deals), every request's blind signature, every ballot's
// credential and proofs, the last ballot per key, ballot keys ≤
// credentials per class, the tally recomputed and compared, every
// decryption share's proof against it, and the published result. It
// returns every problem it found (an empty Problems is a clean election).
func VerifyElection(d *ElectionData) (*Report, error) { panic("todo") }
