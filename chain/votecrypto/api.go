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

// The implementation is split by subject: group.go (encodings, the
// hash to scalars, contexts), proofs.go (Schnorr and DLEQ), ballot.go
// (ballots and the tally), dkg.go (DKG, decryption shares, Lagrange,
// counts), credential.go (blind RSA) and election.go (VerifyElection).

// Secret is a scalar mod ℓ, 32 bytes little-endian (canonical).
type Secret [32]byte
