package votecrypto

import (
	"crypto/ed25519"
	"testing"

	"github.com/citychain/citychain/chain/tx"
)

// benchBallots makes a few distinct 5-option choose-one ballots.
func benchBallots(b *testing.B) (BallotParams, []*tx.MsgVotingCast) {
	r := seeded("bench")
	p, _ := testParams(b, r, 5, 1, 1)
	ms := make([]*tx.MsgVotingCast, 16)
	for i := range ms {
		ms[i] = castBallot(b, r, p, i%5)
	}
	return p, ms
}

// BenchmarkVerifyBallot5 is the chain's ballot check (VerifyBallot: shape,
// encodings, challenges and one multi-scalar multiplication) of a
// 5-option choose-one ballot, on one core.
func BenchmarkVerifyBallot5(b *testing.B) {
	p, ms := benchBallots(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := VerifyBallot(p, ms[i%len(ms)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ballots/s")
}

// BenchmarkVerifyBallot5Unbatched checks the same ballots one equation at a
// time (what the batch saves).
func BenchmarkVerifyBallot5Unbatched(b *testing.B) {
	p, ms := benchBallots(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := VerifyBallotUnbatched(p, ms[i%len(ms)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ballots/s")
}

// BenchmarkVerifyBallot5Parallel runs VerifyBallot on every core
// (GOMAXPROCS): a node verifying the ballots of a block's transactions in
// parallel before delivery.
func BenchmarkVerifyBallot5Parallel(b *testing.B) {
	p, ms := benchBallots(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if err := VerifyBallot(p, ms[i%len(ms)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ballots/s")
}

// BenchmarkEd25519Verify is the baseline: crypto/ed25519 verification of
// a 100-byte message, on one core.
func BenchmarkEd25519Verify(b *testing.B) {
	seed := make([]byte, ed25519.SeedSize)
	sk := ed25519.NewKeyFromSeed(seed)
	pk := sk.Public().(ed25519.PublicKey)
	msg := make([]byte, 100)
	sig := ed25519.Sign(sk, msg)
	b.ResetTimer()
	for b.Loop() {
		if !ed25519.Verify(pk, msg, sig) {
			b.Fatal("verify")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
}
