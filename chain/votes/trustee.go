package votes

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/votecrypto"
)

// Received is a DKG share a trustee received from a dealer and checked
// against the dealer's Feldman commitments.
type Received struct {
	Dealer uint32    `json:"dealer"`
	Share  tx.Hash32 `json:"share"` // f_dealer(index), a scalar
}

// TrusteeState is what trustee Index (1-based) of an election keeps: its
// DKG encryption secret, its dealing polynomial (degree threshold−1), the
// shares it received (by dealer) and the dealers it complained about.
// Secrets are scalars as 64 hex characters (tx.Hash32).
type TrusteeState struct {
	ChainID   string      `json:"chain_id"`
	Election  uint64      `json:"election"`
	Index     uint32      `json:"index"`
	Trustees  uint32      `json:"trustees"` // n
	Threshold uint32      `json:"threshold"`
	DKGSecret tx.Hash32   `json:"dkg_secret"`
	Poly      []tx.Hash32 `json:"poly"`
	Received  []Received  `json:"received,omitempty"` // by dealer
	// Complained are the dealers whose share to this trustee failed its
	// check (a complaint was built for each).
	Complained []uint32 `json:"complained,omitempty"`
}

// NewTrustee draws trustee index's DKG secret and polynomial for e.
func NewTrustee(rand io.Reader, chainID string, e *tx.VoteElection, index uint32) (*TrusteeState, error) {
	if e == nil {
		return nil, errNoElection
	}
	if chainID == "" {
		return nil, errors.New("chain id: empty")
	}
	if index == 0 || int(index) > len(e.Trustees) {
		return nil, fmt.Errorf("trustee index %d: election %d has trustees 1 to %d", index, e.ID, len(e.Trustees))
	}
	if e.Threshold == 0 || int(e.Threshold) >= len(e.Trustees) {
		return nil, fmt.Errorf("election %d: threshold %d of %d trustees", e.ID, e.Threshold, len(e.Trustees))
	}
	x, err := votecrypto.NewSecret(rand)
	if err != nil {
		return nil, fmt.Errorf("DKG secret: %w", err)
	}
	p, err := votecrypto.NewPolynomial(rand, int(e.Threshold))
	if err != nil {
		return nil, fmt.Errorf("polynomial: %w", err)
	}
	t := &TrusteeState{ChainID: chainID, Election: e.ID, Index: index, Trustees: uint32(len(e.Trustees)), Threshold: e.Threshold,
		DKGSecret: tx.Hash32(x)}
	for _, a := range p {
		t.Poly = append(t.Poly, tx.Hash32(a))
	}
	return t, nil
}

// TrusteeIndex is the 1-based index of addr among e's trustees, 0 if none.
func TrusteeIndex(e *tx.VoteElection, addr tx.Address) uint32 {
	for i, a := range e.Trustees {
		if a == addr {
			return uint32(i + 1)
		}
	}
	return 0
}

func (t *TrusteeState) secret() votecrypto.Secret { return votecrypto.Secret(t.DKGSecret) }

func (t *TrusteeState) poly() votecrypto.Polynomial {
	p := make(votecrypto.Polynomial, len(t.Poly))
	for i, a := range t.Poly {
		p[i] = votecrypto.Secret(a)
	}
	return p
}

// KeyMsg registers the trustee's DKG encryption key with its proof of
// knowledge.
func (t *TrusteeState) KeyMsg(rand io.Reader) (*tx.MsgVotingDKGKey, error) {
	x := t.secret()
	pok, err := votecrypto.ProveKnowledge(rand, x, votecrypto.KeyContext(t.ChainID, t.Election, t.Index))
	if err != nil {
		return nil, err
	}
	return &tx.MsgVotingDKGKey{Election: t.Election, Key: x.Public(), PoK: pok}, nil
}

// DealMsg is the trustee's deal: its Feldman commitments with the proof
// of knowledge of a_0, and f(j) encrypted to every other trustee j's DKG
// key (trustees as the chain lists them, by index). Every trustee must
// have registered its key.
func (t *TrusteeState) DealMsg(rand io.Reader, trustees []tx.VoteTrustee) (*tx.MsgVotingDKGDeal, error) {
	if err := t.checkList(trustees); err != nil {
		return nil, err
	}
	p := t.poly()
	pok, err := votecrypto.ProveKnowledge(rand, p[0], votecrypto.DealContext(t.ChainID, t.Election, t.Index))
	if err != nil {
		return nil, err
	}
	m := &tx.MsgVotingDKGDeal{Election: t.Election, Commitments: p.Commitments(), PoK: pok}
	for _, r := range trustees {
		if r.Index == t.Index {
			continue
		}
		if r.Key == nil {
			return nil, fmt.Errorf("trustee %d (%s) has no DKG key yet: deal once every trustee registered one", r.Index, r.Address)
		}
		es, err := votecrypto.EncryptShare(rand, t.ChainID, t.Election, t.Index, r.Index, *r.Key, p.Eval(r.Index))
		if err != nil {
			return nil, fmt.Errorf("share to trustee %d: %w", r.Index, err)
		}
		m.Shares = append(m.Shares, es)
	}
	return m, nil
}

// checkList checks that trustees is the chain's list for this state.
func (t *TrusteeState) checkList(trustees []tx.VoteTrustee) error {
	if uint32(len(trustees)) != t.Trustees {
		return fmt.Errorf("trustees: %d listed, election %d has %d", len(trustees), t.Election, t.Trustees)
	}
	for i, r := range trustees {
		if r.Index != uint32(i+1) {
			return fmt.Errorf("trustees[%d]: index %d, want %d (the chain's list, by index)", i, r.Index, i+1)
		}
	}
	return nil
}

// Receive decrypts and Feldman-checks the share every dealer that dealt
// sent this trustee, keeping the good ones (Received) and returning a
// complaint against each dealer whose share fails (recorded in
// Complained; the caller saves the state and sends them). A dealer
// already received or complained about is skipped; dealers that have not
// dealt yet are left for a later call.
func (t *TrusteeState) Receive(rand io.Reader, trustees []tx.VoteTrustee) ([]*tx.MsgVotingDKGComplain, error) {
	if err := t.checkList(trustees); err != nil {
		return nil, err
	}
	var out []*tx.MsgVotingDKGComplain
	for _, d := range trustees {
		if d.Index == t.Index || len(d.Commitments) == 0 || d.Disqualified != "" ||
			slices.ContainsFunc(t.Received, func(r Received) bool { return r.Dealer == d.Index }) || slices.Contains(t.Complained, d.Index) {
			continue
		}
		var es *tx.VoteEncShare
		for i := range d.Shares {
			if d.Shares[i].To == t.Index {
				es = &d.Shares[i]
			}
		}
		if es == nil {
			return nil, fmt.Errorf("dealer %d sent no share to trustee %d (the chain accepts a deal only with one share for each other trustee)", d.Index, t.Index)
		}
		share, err := votecrypto.DecryptShare(t.ChainID, t.Election, d.Index, t.secret(), *es)
		if err == nil && votecrypto.VerifyShare(d.Commitments, t.Index, share) {
			t.Received = append(t.Received, Received{Dealer: d.Index, Share: tx.Hash32(share)})
			continue
		}
		K, proof, err := votecrypto.Complaint(rand, t.ChainID, t.Election, d.Index, t.Index, t.secret(), *es)
		if err != nil {
			return nil, fmt.Errorf("complaint against dealer %d: %w", d.Index, err)
		}
		out = append(out, &tx.MsgVotingDKGComplain{Election: t.Election, Dealer: d.Index, Key: K, Proof: proof})
		t.Complained = append(t.Complained, d.Index)
	}
	slices.SortFunc(t.Received, func(a, b Received) int { return int(a.Dealer) - int(b.Dealer) })
	return out, nil
}

// KeyShare is the trustee's share x_j of the election key: the sum of
// f_i(j) over e's qualified dealers (its own included). It needs every
// qualified dealer's share received (Receive).
func (t *TrusteeState) KeyShare(e *tx.VoteElection) (votecrypto.Secret, error) {
	if e == nil {
		return votecrypto.Secret{}, errNoElection
	}
	if len(e.Qualified) == 0 {
		return votecrypto.Secret{}, fmt.Errorf("election %d is %s: its qualified dealers are fixed when it opens at height %d", e.ID, e.Status, e.OpenHeight)
	}
	shares := make([]votecrypto.Secret, 0, len(e.Qualified))
	for _, q := range e.Qualified {
		if q == t.Index {
			shares = append(shares, t.poly().Eval(t.Index))
			continue
		}
		i := slices.IndexFunc(t.Received, func(r Received) bool { return r.Dealer == q })
		if i < 0 {
			return votecrypto.Secret{}, fmt.Errorf("trustee %d holds no share from qualified dealer %d: run the check (Receive) first", t.Index, q)
		}
		shares = append(shares, votecrypto.Secret(t.Received[i].Share))
	}
	return votecrypto.SumSecrets(shares...), nil
}

// DecryptMsg is the trustee's decryption shares of e's fixed tally, one
// per option, each with its proof. Its key share must match the
// verification key the chain fixed for it (trustees, by index).
func (t *TrusteeState) DecryptMsg(rand io.Reader, e *tx.VoteElection, trustees []tx.VoteTrustee) (*tx.MsgVotingDecrypt, error) {
	if e == nil {
		return nil, errNoElection
	}
	if err := t.checkList(trustees); err != nil {
		return nil, err
	}
	x, err := t.KeyShare(e)
	if err != nil {
		return nil, err
	}
	if y := trustees[t.Index-1].VerificationKey; y == nil || *y != x.Public() {
		return nil, fmt.Errorf("trustee %d: its key share does not match the verification key the chain fixed for it (%v)", t.Index, y)
	}
	if len(e.Tally) != len(e.Options) {
		return nil, fmt.Errorf("election %d: tally of %d ciphertexts for %d options", e.ID, len(e.Tally), len(e.Options))
	}
	m := &tx.MsgVotingDecrypt{Election: t.Election}
	for o, ct := range e.Tally {
		s, err := votecrypto.DecryptionShare(rand, t.ChainID, t.Election, t.Index, o, x, ct.A)
		if err != nil {
			return nil, fmt.Errorf("option %d: %w", o+1, err)
		}
		m.Shares = append(m.Shares, s)
	}
	return m, nil
}

// PublishMsg combines the decryption shares of the first threshold
// trustees (by index) that decrypted e's tally, solves the counts (off
// chain: a bounded discrete log, the bound being the sum of the counted
// ballot keys' weights) and returns the publish message the chain checks.
func PublishMsg(e *tx.VoteElection, trustees []tx.VoteTrustee) (*tx.MsgVotingPublish, error) {
	if e == nil {
		return nil, errNoElection
	}
	var (
		idx    []uint32
		shares [][]tx.Elem
	)
	for _, r := range trustees {
		if len(r.Decryption) == 0 || uint32(len(idx)) == e.Threshold {
			continue
		}
		if len(r.Decryption) != len(e.Options) {
			return nil, fmt.Errorf("trustee %d: %d decryption shares for %d options", r.Index, len(r.Decryption), len(e.Options))
		}
		ds := make([]tx.Elem, len(r.Decryption))
		for o, s := range r.Decryption {
			ds[o] = s.D
		}
		idx, shares = append(idx, r.Index), append(shares, ds)
	}
	if uint32(len(idx)) < e.Threshold {
		return nil, fmt.Errorf("election %d: %d trustees decrypted, %d needed", e.ID, len(idx), e.Threshold)
	}
	M, err := votecrypto.Combine(idx, shares, e.Tally)
	if err != nil {
		return nil, err
	}
	var max uint64
	for _, c := range e.Classes {
		max += c.Weight * c.BallotKeys
	}
	counts, err := votecrypto.SolveCounts(M, max)
	if err != nil {
		return nil, fmt.Errorf("election %d: counts up to %d: %w", e.ID, max, err)
	}
	if err := votecrypto.CheckCounts(M, counts); err != nil {
		return nil, err
	}
	return &tx.MsgVotingPublish{Election: e.ID, Counts: counts}, nil
}
