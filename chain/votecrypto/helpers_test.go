package votecrypto

import (
	"crypto/ed25519"
	"crypto/rsa"
	"io"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/citychain/citychain/chain/tx"
)

// seeded returns a deterministic randomness source (ChaCha8 from a
// 32-byte seed made of the label).
func seeded(label string) io.Reader {
	var seed [32]byte
	copy(seed[:], label)
	return rand.NewChaCha8(seed)
}

// detPrime draws a prime of exactly bits bits (top two bits set) with
// p−1 coprime to 65537, deterministically from r.
func detPrime(t testing.TB, r io.Reader, bits int) *big.Int {
	buf := make([]byte, bits/8)
	e := big.NewInt(credentialE)
	one := big.NewInt(1)
	for {
		if _, err := io.ReadFull(r, buf); err != nil {
			t.Fatal(err)
		}
		buf[0] |= 0xc0
		buf[len(buf)-1] |= 1
		p := new(big.Int).SetBytes(buf)
		for i := 0; i < 4096; i++ {
			if p.ProbablyPrime(20) {
				pm1 := new(big.Int).Sub(p, one)
				if new(big.Int).GCD(nil, nil, pm1, e).Cmp(one) == 0 {
					return p
				}
			}
			p.Add(p, big.NewInt(2))
		}
	}
}

// detRSAKey generates an RSA key deterministically from r (test vectors
// must regenerate byte for byte; crypto/rsa.GenerateKey ignores its
// reader since Go 1.26).
func detRSAKey(t testing.TB, r io.Reader, bits int) *rsa.PrivateKey {
	for {
		p := detPrime(t, r, bits/2)
		q := detPrime(t, r, bits/2)
		if p.Cmp(q) == 0 {
			continue
		}
		n := new(big.Int).Mul(p, q)
		if n.BitLen() != bits {
			continue
		}
		phi := new(big.Int).Mul(new(big.Int).Sub(p, big.NewInt(1)), new(big.Int).Sub(q, big.NewInt(1)))
		d := new(big.Int).ModInverse(big.NewInt(credentialE), phi)
		if d == nil {
			continue
		}
		sk := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: credentialE}, D: d, Primes: []*big.Int{p, q}}
		sk.Precompute()
		if err := sk.Validate(); err != nil {
			t.Fatal(err)
		}
		return sk
	}
}

// testParams returns ballot parameters under a fresh election key (its
// secret too).
func testParams(t testing.TB, r io.Reader, options int, min, max uint32) (BallotParams, Secret) {
	x, err := NewSecret(r)
	if err != nil {
		t.Fatal(err)
	}
	return BallotParams{ChainID: "citychain-test", Election: 3, Key: x.Public(), Options: options,
		MinChoices: min, MaxChoices: max}, x
}

// ballotKey draws an ed25519 ballot key.
func ballotKey(t testing.TB, r io.Reader) tx.PubKey {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(r, seed); err != nil {
		t.Fatal(err)
	}
	return tx.PubKey(ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey))
}

// castBallot encrypts choices (a list of chosen option indices) into a
// ballot for p.
func castBallot(t testing.TB, r io.Reader, p BallotParams, chosen ...int) *tx.MsgVotingCast {
	t.Helper()
	choices := make([]bool, p.Options)
	for _, c := range chosen {
		choices[c] = true
	}
	m := &tx.MsgVotingCast{Election: p.Election, BallotKey: ballotKey(t, r), Weight: 1, Credential: []byte{1, 2, 3}}
	if err := EncryptBallot(r, p, m, choices); err != nil {
		t.Fatal(err)
	}
	return m
}

// decryptWith decrypts a ciphertext with the election secret and solves
// the count (small).
func decryptWith(t testing.TB, x Secret, ct tx.VoteCiphertext) uint64 {
	t.Helper()
	// M = B − x·A: a decryption share with trustee secret x and λ = 1.
	s, err := DecryptionShare(seeded("dec"), "c", 1, 1, 0, x, ct.A)
	if err != nil {
		t.Fatal(err)
	}
	M, err := Combine([]uint32{1}, [][]tx.Elem{{s.D}}, []tx.VoteCiphertext{ct})
	if err != nil {
		t.Fatal(err)
	}
	c, err := SolveCounts(M, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return c[0]
}
