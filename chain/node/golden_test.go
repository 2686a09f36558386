package node

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/tx"
)

// goldenDevnetHash is the app hash after a fixed block sequence replayed on
// the devnet's genesis world (demo accounts, households, solar and EV
// devices, devnet metering and mileage parameters), with every key from a
// fixed seed. It was pinned before the module-list refactor (issue 15): the
// genesis document and the state it builds must not move a byte. Change it
// only with a change of consensus rules or of the devnet world, and say so
// in the commit.
const goldenDevnetHash = "6730B0083AD788F1A877F959AD554B8EC58E0F51F32DE675A452374D3E8C01A2"

func TestGoldenDevnetReplay(t *testing.T) {
	kr, err := keyring.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	owners := []string{"alice", "bob", "house-1"}
	for _, a := range append(DemoAccounts(), Account{Name: "house-1"}, Account{Name: "house-2"}) {
		if a.Module != "" {
			continue
		}
		seed := sha256.Sum256([]byte("citychain/apptest/" + a.Name)) // apptest.NewKey's seed
		if _, err := kr.Import(a.Name, seed[:]); err != nil {
			t.Fatal(err)
		}
	}
	devs := []tx.MsgDeviceRegister{
		{ID: "inv-1", Kind: tx.KindSolarInverter, PubKey: apptest.NewKey("inv-1").Pub, Metadata: tx.DeviceMetadata{RatedPowerW: 5000}},
		{ID: "inv-2", Kind: tx.KindSolarInverter, PubKey: apptest.NewKey("inv-2").Pub, Metadata: tx.DeviceMetadata{RatedPowerW: 3000}},
		{ID: "ev-1", Kind: tx.KindEVOdometer, PubKey: apptest.NewKey("ev-1").Pub},
	}
	st, err := worldAppState(kr, 0, devs, owners, []string{"house-2"})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	h := apptest.New(t, apptest.Options{AppState: raw})
	k := apptest.NewKey
	blocks := [][][]byte{
		{
			h.Sign(k("treasury"), &tx.MsgSend{To: k("bob").Addr, Amount: tx.Coin{Amount: 5_000_000, Denom: tx.DenomSCoin}}),
			h.Sign(k("authority"), &tx.MsgRoleGrant{Address: k("bob").Addr, Role: tx.RoleInspector}),
		},
		{
			h.Sign(k("kbank"), &tx.MsgMint{To: k("alice").Addr, Amount: tx.Coin{Amount: 7_000_000, Denom: tx.DenomKRW}}),
			h.Sign(k("alice"), &tx.MsgBurn{Amount: tx.Coin{Amount: 1_000_000, Denom: tx.DenomKRW}}),
			h.Sign(k("alice"), &tx.MsgBid{Interval: 58_027_322, Wh: 1000, MaxPrice: 200_000}),
		},
		{
			h.Sign(k("installer"), &tx.MsgDeviceRegister{ID: "inv-3", Kind: tx.KindSolarInverter, Owner: k("bob").Addr, PubKey: k("inv-3").Pub}),
			h.Sign(k("bob"), &tx.MsgSend{To: k("alice").Addr, Amount: tx.Coin{Amount: 1, Denom: tx.DenomSCoin}}),
		},
		nil,
	}
	for i, txs := range blocks {
		res := h.Deliver(txs)
		for j, r := range res.TxResults {
			if r.Code != 0 {
				t.Fatalf("block %d tx %d: %s/%d %s", i+1, j, r.Codespace, r.Code, r.Log)
			}
		}
	}
	if got := fmt.Sprintf("%X", h.Hashes[h.Height]); got != goldenDevnetHash {
		t.Fatalf("devnet replay app hash: got %s, want %s", got, goldenDevnetHash)
	}
}
