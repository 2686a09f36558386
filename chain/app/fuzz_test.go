package app_test

import (
	"context"
	"crypto/ed25519"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// FuzzCheckTx: CheckTx never panics on any bytes, rejects what does not
// decode with a "tx" code, and never admits a transaction whose signature
// does not verify or that is for another chain.
func FuzzCheckTx(f *testing.F) {
	h := apptest.New(f, apptest.Options{})
	h.Deliver(nil)
	g := newGenerator(f, 99)
	for range 40 {
		st := g.next()
		f.Add(st.raw)
		f.Add(mutate(st.raw, func(b []byte) []byte { b[len(b)/2] ^= 0x20; return b }))
	}
	good := apptest.SignSeq(f, alice, apptest.ChainID, 0, send(bob.Addr, apptest.SCN(1)))
	f.Add(good)
	f.Add(good[:len(good)-64])
	f.Add([]byte{})
	f.Add([]byte("\x01\x00\x00\x00\x00"))
	f.Add(make([]byte, tx.MaxTxBytes+1))
	a := h.App
	f.Fuzz(func(t *testing.T, raw []byte) {
		res, err := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: raw, Type: abci.CheckTxType_New})
		if err != nil {
			t.Fatalf("CheckTx returned an error instead of a code: %v", err)
		}
		d, derr := tx.Decode(raw)
		if derr != nil {
			if res.Code == 0 || res.Codespace != app.Codespace {
				t.Fatalf("undecodable bytes (%v): got %s/%d, want a %q code", derr, res.Codespace, res.Code, app.Codespace)
			}
			return
		}
		if res.Code != 0 {
			if res.Codespace == "" || res.Log == "" {
				t.Fatalf("rejection without codespace or log: %+v", res)
			}
			return
		}
		if !ed25519.Verify(ed25519.PublicKey(d.Body.Signer), tx.SignBytes(d.BodyBytes), d.Signature) {
			t.Fatal("CheckTx admitted a transaction whose signature does not verify")
		}
		if d.Body.ChainID != apptest.ChainID {
			t.Fatalf("CheckTx admitted a transaction for chain %q", d.Body.ChainID)
		}
	})
}
