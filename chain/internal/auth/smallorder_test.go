package auth_test

import (
	"encoding/json"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/signature"
	"github.com/citychain/citychain/edge/signature/signaturetest"
)

// TestSmallOrderSignerRefused: coins sent to the address of a small-order
// key cannot be taken by anyone. Under ZIP-215 a published vector
// signature verifies over any body for such a key, so without the check
// the first transaction would set the account's key and spend; the
// envelope is refused as malformed and nothing changes.
func TestSmallOrderSignerRefused(t *testing.T) {
	h := newChain(t)
	vs := signaturetest.ZIP215Vectors()
	for _, v := range []signaturetest.Vector{vs[0], vs[17], vs[len(vs)-1]} {
		addr := tx.PubKey(v.PubKey).Address()
		h.RunOK("fund "+v.Name, h.Sign(alice, send(addr, apptest.SCN(5))))
		msg, err := json.Marshal(send(stranger.Addr, apptest.SCN(5)))
		if err != nil {
			t.Fatal(err)
		}
		body, err := json.Marshal(tx.Body{ChainID: apptest.ChainID, Signer: v.PubKey, Msgs: []tx.Any{{Type: tx.TypeBankSend, Value: msg}}})
		if err != nil {
			t.Fatal(err)
		}
		if !signature.Verify(v.PubKey, tx.SignBytes(body), v.Signature) {
			t.Fatalf("%s: the vector signature does not verify over the body; the test shows nothing", v.Name)
		}
		h.RunFail("spend from "+v.Name, tx.Encode(body, v.Signature), tx.CodeTxMalformed, "signer "+tx.PubKey(v.PubKey).String(), "small-order")
		if got := h.Balance(addr, tx.DenomSCoin); got != apptest.SCN(5).Amount {
			t.Errorf("%s: balance %d, want %d untouched", v.Name, got, apptest.SCN(5).Amount)
		}
		if a, ok := h.Account(addr); !ok || a.PubKey != nil || a.Sequence != 0 {
			t.Errorf("%s: account %+v, want no key set and sequence 0", v.Name, a)
		}
	}
	if got := h.Balance(stranger.Addr, tx.DenomSCoin); got != 0 {
		t.Errorf("stranger balance: got %d, want 0", got)
	}
}
