package auth

import (
	"bytes"
	"crypto/ed25519"
	"testing"

	"github.com/citychain/citychain/chain/tx"
)

// castTx is a transaction of priv at seq carrying a voting/cast of its own
// key (the message that opens its signer's account), plus extra messages.
func castTx(t *testing.T, priv ed25519.PrivateKey, seq uint64, extra ...tx.Msg) *tx.Tx {
	t.Helper()
	pub := tx.PubKey(priv.Public().(ed25519.PublicKey))
	cast := &tx.MsgVotingCast{Election: 1, BallotKey: pub, Weight: 1, Credential: tx.HexBytes{1},
		Choices: []tx.VoteChoice{{Proof: []tx.VoteBranch{{}, {}}}}}
	raw, err := tx.Build(priv, "c", seq, "", append([]tx.Msg{cast}, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	d, err := tx.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestAnteOpening: a key with no account gets through Ante only with one
// voting/cast at sequence 0, and Ante creates nothing for it (a refused
// cast can be sent again); any other transaction of an unknown key is
// ErrUnknownAccount. Open creates the account at sequence 1 with the key,
// once; from then on the key's transactions take the ordinary path.
func TestAnteOpening(t *testing.T) {
	k := NewKeeper(0x01)
	ctx := newCtx()
	priv := key("ballot")
	pub := tx.PubKey(priv.Public().(ed25519.PublicKey))
	addr := pub.Address()

	if err := k.Ante(ctx, castTx(t, priv, 0)); err != nil {
		t.Fatalf("a cast at sequence 0 from a key with no account: %v", err)
	}
	if k.Account(ctx, addr) != nil {
		t.Fatal("Ante created an account for an opening transaction; only its message's success may")
	}
	if err := k.Ante(ctx, castTx(t, priv, 0)); err != nil {
		t.Fatalf("the same cast again: %v", err)
	}
	requireErr(t, "a cast at sequence 1 from a key with no account", k.Ante(ctx, castTx(t, priv, 1)), ErrUnknownAccount, addr.String())
	requireErr(t, "a cast with another message", k.Ante(ctx, castTx(t, priv, 0, &tx.MsgBurn{Amount: tx.Coin{Amount: 1, Denom: "uscn"}})),
		ErrUnknownAccount, addr.String())
	requireErr(t, "another message at sequence 0", k.Ante(ctx, decoded(t, priv, 0)), ErrUnknownAccount, addr.String())

	if err := k.Open(ctx, pub); err != nil {
		t.Fatal(err)
	}
	acc := k.Account(ctx, addr)
	if acc == nil || acc.Sequence != 1 || !bytes.Equal(acc.PubKey, pub) {
		t.Fatalf("opened account %+v, want sequence 1 with the ballot key", acc)
	}
	evs := ctx.Events()
	if len(evs) != 1 || evs[0].Type != "auth.account_created" {
		t.Fatalf("Open emitted %v, want one auth.account_created", evs)
	}
	requireErr(t, "opening it again", k.Open(ctx, pub), ErrWrongSequence, "already exists")
	requireErr(t, "the first cast replayed", k.Ante(ctx, castTx(t, priv, 0)), ErrWrongSequence, "expects sequence 1")
	if err := k.Ante(ctx, castTx(t, priv, 1)); err != nil {
		t.Fatalf("the key's next cast at sequence 1: %v", err)
	}
	if err := k.Ante(ctx, decoded(t, priv, 2)); err != nil {
		t.Fatalf("an ordinary transaction of the opened account: %v", err)
	}
}
