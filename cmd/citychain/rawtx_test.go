package main

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
)

type rawTx struct{ hex, hash string }

// signedTransfer signs a 1 uscn transfer from alice to bob at alice's next
// sequence, without broadcasting it.
func signedTransfer(t *testing.T, home, rpc string) rawTx {
	t.Helper()
	alice, bob := local.Key(t, node.KeyringDir(home), "alice"), local.Key(t, node.KeyringDir(home), "bob")
	c, err := client.New(rpc)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := c.Account(context.Background(), alice.Address)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := tx.Build(alice.Private, node.DevnetChainID, acc.Sequence, "", &tx.MsgSend{To: bob.Address, Amount: tx.Coin{Amount: 1, Denom: tx.DenomSCoin}})
	if err != nil {
		t.Fatal(err)
	}
	h := tx.Hash(raw)
	return rawTx{hex: hex.EncodeToString(raw), hash: strings.ToUpper(hex.EncodeToString(h[:]))}
}
