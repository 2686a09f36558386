// Command apiclient is the example of docs/api.md: with only the city API,
// it reads a balance with its proof, streams events, and submits a signed
// S-Coin transfer, waiting for its block.
//
//	go run ./docs/examples/apiclient -api http://127.0.0.1:8080 -key ck_... \
//	    -seed <64 hex: the sender's ed25519 seed> -to <address> -amount 1000uscn
package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/citychain/citychain/api/apiclient"
	"github.com/citychain/citychain/chain/tx"
)

func main() {
	base := flag.String("api", "http://127.0.0.1:8080", "city API")
	key := flag.String("key", os.Getenv("CITYCHAIN_API_KEY"), "API key (or $CITYCHAIN_API_KEY)")
	seedHex := flag.String("seed", "", "sender's ed25519 seed, 64 hex characters (a keyring file's \"seed\")")
	to := flag.String("to", "", "recipient address")
	amount := flag.String("amount", "1000uscn", "amount to send")
	chainID := flag.String("chain-id", "citychain-devnet", "chain id the transaction is signed for")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *base, *key, *seedHex, *to, *amount, *chainID); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, base, key, seedHex, to, amount, chainID string) error {
	c := apiclient.New(base, apiclient.WithAPIKey(key))
	seed, err := hex.DecodeString(seedHex)
	if err != nil || len(seed) != ed25519.SeedSize {
		return errors.New("-seed: want 64 hex characters")
	}
	priv := ed25519.NewKeyFromSeed(seed)
	from := tx.AddressOf(priv.Public().(ed25519.PublicKey))
	coin, err := tx.ParseCoin(amount)
	if err != nil {
		return fmt.Errorf("-amount: %w", err)
	}
	toAddr, err := tx.ParseAddress(to)
	if err != nil {
		return fmt.Errorf("-to: %w", err)
	}

	// 1. A balance with its proof, verified by the server against the
	// header of the next block, which its light client verified from the
	// server's trust root.
	bal, err := c.Balance(ctx, from.String(), coin.Denom, true)
	if err != nil {
		return err
	}
	fmt.Printf("balance of %s: %s at height %d; proof verified=%v (app hash %s, signed %d/%d)\n",
		from, bal.Result.Amount, bal.Height, bal.Proof.Verified, bal.Proof.AppHash, bal.Proof.SignedPower, bal.Proof.TotalPower)
	if tr := bal.Proof.TrustRoot; tr != nil {
		fmt.Printf("header %d (%s) verified from the server's trust root: %s of %s, height %d hash %s\n",
			bal.Proof.HeaderHeight, bal.Proof.HeaderHash, tr.Kind, tr.ChainID, tr.Height, tr.Hash)
	} else {
		fmt.Printf("not verified by the server: %s\n", bal.Proof.Error)
	}

	// 2. Stream the sender's bank events while the transfer goes through.
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	stream, err := c.Events(sctx, apiclient.EventFilter{Types: []string{"bank"}, Account: from.String()})
	if err != nil {
		return err
	}
	defer stream.Close()

	// 3. Build and sign the transfer at the account's next sequence, submit
	// it, and wait for its block.
	acc, err := c.Account(ctx, from.String(), false)
	if err != nil {
		return err
	}
	raw, err := tx.Build(priv, chainID, acc.Result.Sequence, "apiclient example", &tx.MsgSend{To: toAddr, Amount: coin})
	if err != nil {
		return err
	}
	st, err := c.Submit(ctx, raw)
	if err != nil {
		return err // a *apiclient.Problem with codespace, code and log if CheckTx refused it
	}
	fmt.Printf("submitted %s: %s\n", st.Hash, st.Status)
	if st, err = c.WaitTx(ctx, st.Hash, 200*time.Millisecond); err != nil {
		return err
	}
	fmt.Printf("committed at height %d\n", st.Height)

	ev, err := stream.Next()
	if err != nil {
		return err
	}
	fmt.Printf("event %s at height %d: %v\n", ev.Type, ev.Height, ev.Attributes)
	return nil
}
