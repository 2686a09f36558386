package votes

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/votecrypto"
)

// VoterState is what a voter keeps for one election: the seed of a fresh
// ballot key (never linked to the identity on chain), the blinding state
// of the credential request, the credential once the commission issued it
// and unblinded, and the trackers of the ballots cast (the last one
// counts). One file per identity and election (VoterFile), written before
// the request is sent.
type VoterState struct {
	ChainID  string `json:"chain_id"`
	Election uint64 `json:"election"`
	// Identity is the identity that asks for the credential (its id);
	// informational, never sent with a ballot.
	Identity tx.Address `json:"identity,omitempty"`
	Weight   uint64     `json:"weight"`
	// BallotSeed is the ed25519 seed of the ballot key.
	BallotSeed tx.HexBytes           `json:"ballot_seed"`
	Blind      votecrypto.BlindState `json:"blind"`
	Blinded    tx.HexBytes           `json:"blinded"`
	Credential tx.HexBytes           `json:"credential,omitempty"`
	// Trackers are the trackers of the ballots cast, in order.
	Trackers []tx.Hash32 `json:"trackers,omitempty"`
}

// NewVoter draws a ballot key and blinds its credential message
// (tx.VotingCredentialMessage) under e's credential key of weight: the
// request's blinded message.
func NewVoter(rand io.Reader, chainID string, e *tx.VoteElection, weight uint64) (*VoterState, error) {
	if e == nil {
		return nil, errNoElection
	}
	if chainID == "" {
		return nil, errors.New("chain id: empty")
	}
	der, err := classKey(e, weight)
	if err != nil {
		return nil, err
	}
	pk, err := votecrypto.ParseCredentialKey(der)
	if err != nil {
		return nil, fmt.Errorf("election %d: credential key of weight %d: %w", e.ID, weight, err)
	}
	v := &VoterState{ChainID: chainID, Election: e.ID, Weight: weight, BallotSeed: make([]byte, ed25519.SeedSize)}
	if _, err := io.ReadFull(rand, v.BallotSeed); err != nil {
		return nil, fmt.Errorf("ballot key: %w", err)
	}
	msg := tx.VotingCredentialMessage(chainID, e.ID, v.BallotPub())
	blinded, st, err := votecrypto.Blind(rand, pk, msg)
	if err != nil {
		return nil, fmt.Errorf("blind: %w", err)
	}
	v.Blinded, v.Blind = blinded, st
	return v, nil
}

// BallotKey is the ballot key (the key that signs the ballots).
func (v *VoterState) BallotKey() ed25519.PrivateKey { return ed25519.NewKeyFromSeed(v.BallotSeed) }

// BallotPub is the ballot key's public key.
func (v *VoterState) BallotPub() tx.PubKey {
	return tx.PubKey(v.BallotKey().Public().(ed25519.PublicKey))
}

// BallotAddress is the address of the ballot key's account (opened by
// its first ballot).
func (v *VoterState) BallotAddress() tx.Address { return v.BallotPub().Address() }

// Request is the credential request carrying the blinded message, signed
// by a device key of the voter's identity; ev is its residency evidence
// (nil when the chain asks for none).
func (v *VoterState) Request(ev *tx.VotingEligibility) *tx.MsgVotingRequestCredential {
	return &tx.MsgVotingRequestCredential{Election: v.Election, Blinded: slices.Clone(v.Blinded), Eligibility: ev}
}

// Finalize unblinds the commission's blind signature into the credential
// and verifies it against e's key of the voter's weight.
func (v *VoterState) Finalize(e *tx.VoteElection, blindSig []byte) error {
	if e == nil {
		return errNoElection
	}
	if e.ID != v.Election {
		return fmt.Errorf("election %d: this voter state is for election %d", e.ID, v.Election)
	}
	der, err := classKey(e, v.Weight)
	if err != nil {
		return err
	}
	pk, err := votecrypto.ParseCredentialKey(der)
	if err != nil {
		return fmt.Errorf("election %d: credential key of weight %d: %w", e.ID, v.Weight, err)
	}
	cred, err := votecrypto.Finalize(pk, v.Blind, blindSig)
	if err != nil {
		return fmt.Errorf("credential of election %d: %w", e.ID, err)
	}
	v.Credential = cred
	return nil
}

// Ballot encrypts choices (one per option of e) into a ballot signed by
// the ballot key, with its proofs, and appends its tracker to Trackers
// (the caller saves the state). The credential must be finalized and the
// election's key fixed (it is from the opening).
func (v *VoterState) Ballot(rand io.Reader, e *tx.VoteElection, choices []bool) (*tx.MsgVotingCast, error) {
	if e == nil {
		return nil, errNoElection
	}
	if e.ID != v.Election {
		return nil, fmt.Errorf("election %d: this voter state is for election %d", e.ID, v.Election)
	}
	if len(v.Credential) == 0 {
		return nil, fmt.Errorf("election %d: no credential yet (the commission has not issued it, or it was not finalized)", e.ID)
	}
	if e.Key == nil {
		return nil, fmt.Errorf("election %d is %s: its key is fixed when it opens at height %d", e.ID, e.Status, e.OpenHeight)
	}
	if len(choices) != len(e.Options) {
		return nil, fmt.Errorf("choices: %d, election %d has %d options", len(choices), e.ID, len(e.Options))
	}
	m := &tx.MsgVotingCast{Election: v.Election, BallotKey: v.BallotPub(), Weight: v.Weight, Credential: slices.Clone(v.Credential)}
	p := votecrypto.BallotParams{ChainID: v.ChainID, Election: e.ID, Key: *e.Key, Options: len(e.Options), MinChoices: e.MinChoices, MaxChoices: e.MaxChoices}
	if err := votecrypto.EncryptBallot(rand, p, m, choices); err != nil {
		return nil, err
	}
	v.Trackers = append(v.Trackers, tx.BallotTracker(m))
	return m, nil
}

// Choices turns 1-based option numbers into one choice per option,
// refusing a number out of range, twice, or a count outside e's
// [min_choices, max_choices].
func Choices(e *tx.VoteElection, options []uint32) ([]bool, error) {
	if e == nil {
		return nil, errNoElection
	}
	out := make([]bool, len(e.Options))
	for _, o := range options {
		if o == 0 || int(o) > len(e.Options) {
			return nil, fmt.Errorf("option %d: election %d has options 1 to %d", o, e.ID, len(e.Options))
		}
		if out[o-1] {
			return nil, fmt.Errorf("option %d: chosen twice", o)
		}
		out[o-1] = true
	}
	if n := uint32(len(options)); n < e.MinChoices || n > e.MaxChoices {
		return nil, fmt.Errorf("%d options chosen: election %d takes %d to %d", n, e.ID, e.MinChoices, e.MaxChoices)
	}
	return out, nil
}
