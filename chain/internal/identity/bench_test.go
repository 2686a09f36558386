package identity_test

import (
	"fmt"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// BenchmarkSuspend64 measures a block holding one suspension that reveals
// 64 card copies (64 commitments recomputed, 64 bits set in the card
// list, each one chunk read and written).
func BenchmarkSuspend64(b *testing.B) {
	h := start(b)
	i := 0
	for b.Loop() {
		b.StopTimer()
		k := apptest.NewKey(fmt.Sprintf("bench-%d", i))
		i++
		cs, hs := issue(k.Name, tx.MaxCardCopies)
		h.Deliver([][]byte{h.Sign(office, &tx.MsgIdentityRegister{DeviceKey: k.Pub, CardList: cardList, Commitments: hs})})
		raw := h.Sign(k, &tx.MsgIdentitySuspend{ID: k.Addr, Reason: "lost", Reveal: reveal(cs)})
		b.StartTimer()
		res := h.Deliver([][]byte{raw})
		if res.TxResults[0].Code != 0 {
			b.Fatalf("suspend: %s", res.TxResults[0].Log)
		}
	}
}
