package app_test

import (
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// castFrom is a voting/cast of k's own key, at seq, for an election that
// does not exist: every check before the voting module's passes, the
// module refuses it.
func castFrom(t *testing.T, k apptest.Key, seq uint64, extra ...tx.Msg) []byte {
	t.Helper()
	cast := &tx.MsgVotingCast{Election: 7, BallotKey: k.Pub, Weight: 1, Credential: tx.HexBytes{1},
		Choices: []tx.VoteChoice{{Proof: []tx.VoteBranch{{}, {}}}}}
	return apptest.SignSeq(t, k, apptest.ChainID, seq, append([]tx.Msg{cast}, extra...)...)
}

// TestOpeningCast: a key with no account reaches the voting module only
// with a transaction of exactly one voting/cast at sequence 0. The
// proposer keeps such a transaction (App.proposable) and the block runs
// it; a cast the module refuses opens no account and consumes no
// sequence, so the same transaction is judged again on its merits (here
// again refused by the module, not as a replay). Any other transaction of
// an unknown key (another message, a cast at sequence 1, a cast with a
// second message) is refused as from an unknown account, in CheckTx, by
// PrepareProposal and ProcessProposal, and in FinalizeBlock. (A cast that
// succeeds opens its key's account at sequence 1: see the voting
// module's TestElection.)
func TestOpeningCast(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.Block()
	ballot := apptest.NewKey("fresh-ballot-key")

	raw := castFrom(t, ballot, 0)
	h.RunFail("a cast for no election", raw, tx.CodeVotingUnknownElection, "election 7")
	if _, ok := h.Account(ballot.Addr); ok {
		t.Fatal("a refused cast opened its key's account")
	}
	h.RunFail("the same cast again", raw, tx.CodeVotingUnknownElection, "election 7")

	h.RunFail("a cast at sequence 1", castFrom(t, ballot, 1), tx.CodeAuthUnknownAccount, ballot.Addr.String())
	h.RunFail("a cast with a second message", castFrom(t, ballot, 0, &tx.MsgSend{To: apptest.Bob.Addr, Amount: apptest.SCN(1)}),
		tx.CodeAuthUnknownAccount, ballot.Addr.String())
	h.RunFail("another message", apptest.SignSeq(t, ballot, apptest.ChainID, 0, &tx.MsgSend{To: apptest.Bob.Addr, Amount: apptest.SCN(1)}),
		tx.CodeAuthUnknownAccount, ballot.Addr.String())
	for _, k := range []apptest.Key{ballot, apptest.Stranger} {
		if _, ok := h.Account(k.Addr); ok {
			t.Fatalf("%s has an account", k.Name)
		}
	}
}
