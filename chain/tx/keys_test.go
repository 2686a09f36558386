package tx_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/signature"
	"github.com/citychain/citychain/edge/signature/signaturetest"
)

// TestDeviceKeyRefusesSmallOrder: registering or rotating to any key of
// the published ZIP-215 vectors (small-order points, under which a
// signature of any reading verifies) is refused, naming the field and the
// key; a generated key is accepted.
func TestDeviceKeyRefusesSmallOrder(t *testing.T) {
	for _, v := range signaturetest.ZIP215Vectors() {
		k := tx.PubKey(v.PubKey)
		for _, m := range []tx.Msg{
			&tx.MsgDeviceRegister{ID: "inv-1", Kind: tx.KindSolarInverter, Owner: otherAddr, PubKey: k},
			&tx.MsgDeviceRotate{ID: "inv-1", PubKey: k},
		} {
			err := m.ValidateBasic()
			if !errors.Is(err, signature.ErrKeySmallOrder) || !strings.Contains(err.Error(), "pubkey "+k.String()) {
				t.Errorf("%s with key %s (%s): got %v, want a small-order key refusal naming pubkey", m.Type(), k, v.Name, err)
			}
		}
	}
	if err := (&tx.MsgDeviceRotate{ID: "inv-1", PubKey: pubOf(testKey("device"))}).ValidateBasic(); err != nil {
		t.Errorf("generated key: %v", err)
	}
	if err := (&tx.MsgDeviceRotate{ID: "inv-1", PubKey: make(tx.PubKey, 31)}).ValidateBasic(); err == nil || !strings.Contains(err.Error(), "got 31 bytes") {
		t.Errorf("31-byte key: got %v", err)
	}
}

// TestEnvelopeRefusesSmallOrderSigner: an envelope "signed" by a
// small-order key with a published ZIP-215 vector signature verifies under
// the rule for any body (so anyone could spend what is sent to that key's
// address), and is refused as malformed, naming the signer.
func TestEnvelopeRefusesSmallOrderSigner(t *testing.T) {
	send, err := json.Marshal(&tx.MsgSend{To: otherAddr, Amount: tx.Coin{Amount: 1, Denom: tx.DenomSCoin}})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range signaturetest.ZIP215Vectors() {
		body, err := json.Marshal(tx.Body{ChainID: "citychain-test", Signer: v.PubKey, Sequence: 0,
			Msgs: []tx.Any{{Type: tx.TypeBankSend, Value: send}}})
		if err != nil {
			t.Fatal(err)
		}
		if !signature.Verify(v.PubKey, tx.SignBytes(body), v.Signature) {
			t.Fatalf("%s: the vector's signature does not verify over an arbitrary body; the test shows nothing", v.Name)
		}
		_, err = tx.Decode(tx.Encode(body, v.Signature))
		if !errors.Is(err, tx.ErrMalformed) || !errors.Is(err, signature.ErrKeySmallOrder) || !strings.Contains(err.Error(), "signer "+tx.PubKey(v.PubKey).String()) {
			t.Errorf("%s: got %v, want a malformed envelope naming the small-order signer", v.Name, err)
		}
	}
}
