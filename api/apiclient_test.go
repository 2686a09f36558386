package api

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/citychain/citychain/api/apiclient"
	"github.com/citychain/citychain/chain/tx"
)

func TestGoClient(t *testing.T) {
	c := getChain(t)
	ts := startServer(t, c, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl := apiclient.New(ts.url, apiclient.WithAPIKey(testKey))
	alice, bob := c.key(t, "alice"), c.key(t, "bob")

	bal, err := cl.Balance(ctx, alice.Address.String(), "uscn", true)
	if err != nil || bal.Proof == nil || !bal.Proof.Verified || bal.Result.Address != alice.Address.String() {
		t.Fatalf("balance: got %+v, %v; want a verified proof", bal, err)
	}
	if sup, err := cl.Supply(ctx, "uscn", false); err != nil || sup.Result == "" {
		t.Fatalf("supply: got %+v, %v", sup, err)
	}
	if st, err := cl.Status(ctx); err != nil || st.ChainID != "citychain-devnet" {
		t.Fatalf("status: got %+v, %v", st, err)
	}

	stream, err := cl.Events(ctx, apiclient.EventFilter{Types: []string{"bank.transfer"}, Account: alice.Address.String()})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	acc, err := cl.Account(ctx, alice.Address.String(), false)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := tx.Build(alice.Private, "citychain-devnet", acc.Result.Sequence, "", &tx.MsgSend{To: bob.Address, Amount: tx.Coin{Amount: 77, Denom: "ukrw"}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := cl.Submit(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	if st, err = cl.WaitTx(ctx, st.Hash, 50*time.Millisecond); err != nil || st.Height == 0 {
		t.Fatalf("wait: got %+v, %v", st, err)
	}
	ev, err := stream.Next()
	if err != nil || ev.Attributes["amount"] != "77ukrw" || ev.Tx != st.Hash {
		t.Fatalf("event: got %+v, %v; want the 77ukrw transfer", ev, err)
	}

	// Replaying the same bytes: the node's cache knows them.
	_, err = cl.Submit(ctx, raw)
	var p *apiclient.Problem
	if !errors.As(err, &p) || p.Status != 409 || p.Hash != st.Hash {
		t.Fatalf("replay: got %v, want a 409 problem naming the hash", err)
	}
	_, err = apiclient.New(ts.url, apiclient.WithAPIKey("nope")).Supply(ctx, "uscn", false)
	if !errors.As(err, &p) || p.Status != 401 {
		t.Fatalf("bad key: got %v, want 401", err)
	}
}
