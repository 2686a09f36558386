package voting

import (
	"crypto/rand"
	"testing"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/votecrypto"
)

// TestBallotMemo: the memo of verified ballots answers only for the same
// ballot under the same parameters; a changed ballot or another election
// key is verified again (and refused), and a refused ballot is not kept.
func TestBallotMemo(t *testing.T) {
	k := NewKeeper(0x0a, nil, nil, nil)
	x, err := votecrypto.NewSecret(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p := votecrypto.BallotParams{ChainID: "memo", Election: 1, Key: x.Public(), Options: 3, MinChoices: 1, MaxChoices: 1}
	m := &tx.MsgVotingCast{Election: 1, BallotKey: make(tx.PubKey, 32), Weight: 1}
	if err := votecrypto.EncryptBallot(rand.Reader, p, m, []bool{false, true, false}); err != nil {
		t.Fatal(err)
	}
	if err := k.verifyBallot(p, m); err != nil {
		t.Fatalf("a valid ballot: %v", err)
	}
	if err := k.verifyBallot(p, m); err != nil || len(k.ballots) != 1 {
		t.Fatalf("again: %v, memo %d entries", err, len(k.ballots))
	}
	y, _ := votecrypto.NewSecret(rand.Reader)
	other := p
	other.Key = y.Public()
	if err := k.verifyBallot(other, m); err == nil {
		t.Fatal("the same ballot under another election key was accepted (memo hit across parameters)")
	}
	bad := *m
	bad.Sum = append([]tx.VoteBranch(nil), m.Sum...)
	bad.Sum[0].R = bad.Sum[0].C
	for range 2 {
		if err := k.verifyBallot(p, &bad); err == nil {
			t.Fatal("a changed sum proof was accepted")
		}
	}
	if len(k.ballots) != 1 {
		t.Fatalf("memo holds %d entries, want only the valid ballot", len(k.ballots))
	}
}
