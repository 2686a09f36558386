package votes

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"io"
	"slices"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/votecrypto"
)

// DefaultCredentialBits is the modulus size of the commission's keys.
const DefaultCredentialBits = 2048

// CommissionKey is the commission's blind RSA key for the voters of one
// weight (PKCS #8 DER private key).
type CommissionKey struct {
	Weight uint64      `json:"weight"`
	Key    tx.HexBytes `json:"key"`
}

// CommissionState holds the commission's credential keys of one election
// (or of a draft, before create_election), sorted by weight.
type CommissionState struct {
	Keys []CommissionKey `json:"keys"`
}

// NewCommission generates one RSA key of bits per weight (distinct, 1 to
// tx.MaxVoteWeight, at most tx.MaxWeightClasses), sorted by weight.
func NewCommission(rand io.Reader, weights []uint64, bits int) (*CommissionState, error) {
	if len(weights) == 0 || len(weights) > tx.MaxWeightClasses {
		return nil, fmt.Errorf("weights: %d, want 1 to %d", len(weights), tx.MaxWeightClasses)
	}
	if bits < tx.MinCredentialKeyBits || bits > tx.MaxCredentialKeyBits {
		return nil, fmt.Errorf("bits: %d, want %d to %d", bits, tx.MinCredentialKeyBits, tx.MaxCredentialKeyBits)
	}
	ws := slices.Clone(weights)
	slices.Sort(ws)
	for i, w := range ws {
		if w == 0 || w > tx.MaxVoteWeight {
			return nil, fmt.Errorf("weight %d: want 1 to %d", w, tx.MaxVoteWeight)
		}
		if i > 0 && ws[i-1] == w {
			return nil, fmt.Errorf("weight %d: given twice", w)
		}
	}
	c := &CommissionState{}
	for _, w := range ws {
		sk, err := votecrypto.NewCredentialKey(rand, bits)
		if err != nil {
			return nil, fmt.Errorf("key of weight %d: %w", w, err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(sk)
		if err != nil {
			return nil, fmt.Errorf("key of weight %d: %w", w, err)
		}
		c.Keys = append(c.Keys, CommissionKey{Weight: w, Key: der})
	}
	return c, nil
}

// private decodes the key of weight.
func (c *CommissionState) private(weight uint64) (*rsa.PrivateKey, error) {
	for _, k := range c.Keys {
		if k.Weight != weight {
			continue
		}
		p, err := x509.ParsePKCS8PrivateKey(k.Key)
		if err != nil {
			return nil, fmt.Errorf("commission key of weight %d: %w", weight, err)
		}
		sk, ok := p.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("commission key of weight %d: a %T, want RSA", weight, p)
		}
		return sk, nil
	}
	return nil, fmt.Errorf("weight %d: the commission holds no key for it", weight)
}

// CredentialKeys are the public keys for create_election, by weight.
func (c *CommissionState) CredentialKeys() ([]tx.VoteCredentialKey, error) {
	out := make([]tx.VoteCredentialKey, 0, len(c.Keys))
	for _, k := range c.Keys {
		sk, err := c.private(k.Weight)
		if err != nil {
			return nil, err
		}
		der, err := votecrypto.MarshalCredentialKey(&sk.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("key of weight %d: %w", k.Weight, err)
		}
		out = append(out, tx.VoteCredentialKey{Weight: k.Weight, Key: der})
	}
	return out, nil
}

// Matches checks that e's credential keys are this commission's.
func (c *CommissionState) Matches(e *tx.VoteElection) error {
	if e == nil {
		return errNoElection
	}
	keys, err := c.CredentialKeys()
	if err != nil {
		return err
	}
	for _, cl := range e.Classes {
		i := slices.IndexFunc(keys, func(k tx.VoteCredentialKey) bool { return k.Weight == cl.Weight })
		if i < 0 || !bytes.Equal(keys[i].Key, cl.Key) {
			return fmt.Errorf("election %d: its credential key of weight %d is not one of these commission keys", e.ID, cl.Weight)
		}
	}
	return nil
}

// Issue blind-signs a credential request with the key of its weight.
func (c *CommissionState) Issue(r *tx.VoteRequest) (*tx.MsgVotingIssueCredential, error) {
	sk, err := c.private(r.Weight)
	if err != nil {
		return nil, fmt.Errorf("request %d of election %d (identity %s): %w", r.Seq, r.Election, r.Identity, err)
	}
	sig, err := votecrypto.BlindSign(sk, r.Blinded)
	if err != nil {
		return nil, fmt.Errorf("request %d of election %d (identity %s): %w", r.Seq, r.Election, r.Identity, err)
	}
	return &tx.MsgVotingIssueCredential{Election: r.Election, Identity: r.Identity, BlindSig: sig}, nil
}
