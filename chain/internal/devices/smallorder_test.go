package devices_test

import (
	"slices"
	"testing"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/signature/signaturetest"
)

// TestSmallOrderDeviceKeyRefused: a device cannot be registered with, or
// rotated to, a small-order key (every published ZIP-215 vector key), under
// which anyone could sign its readings: the transaction is refused as an
// invalid message naming the key, and the registry is unchanged.
func TestSmallOrderDeviceKeyRefused(t *testing.T) {
	h := newChain(t)
	h.RunOK("register", h.Sign(installer, register("inv-1", alice.Addr, key1)))
	for i, v := range signaturetest.ZIP215Vectors() {
		if i%13 != 0 { // every small-order point and encoding appears among these
			continue
		}
		bad := tx.PubKey(v.PubKey)
		m := register("inv-bad", alice.Addr, key2)
		m.PubKey = bad
		h.RunFail("register with "+v.Name, h.Sign(installer, m), tx.CodeTxInvalidMsg, "pubkey "+bad.String(), "small-order")
		h.RunFail("rotate to "+v.Name, h.Sign(installer, &tx.MsgDeviceRotate{ID: "inv-1", PubKey: bad}), tx.CodeTxInvalidMsg, "pubkey "+bad.String(), "small-order")
	}
	if _, ok := h.Device("inv-bad"); ok {
		t.Error("inv-bad was registered")
	}
	if d, ok := h.Device("inv-1"); !ok || d.KeyEpoch != 1 || !slices.Equal(d.PubKey, key1.Pub) {
		t.Errorf("inv-1: got %+v, want epoch 1 with its registered key", d)
	}
}
