package app_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

var meterKey = apptest.NewKey("meter-1")

func proofOf(t *testing.T, res *abci.ResponseQuery) *ics23.CommitmentProof {
	t.Helper()
	if res.ProofOps == nil || len(res.ProofOps.Ops) != 1 {
		t.Fatalf("query %x: got proof ops %v, want exactly one", res.Key, res.ProofOps)
	}
	op := res.ProofOps.Ops[0]
	if op.Type != app.ProofOpType || !bytes.Equal(op.Key, res.Key) {
		t.Fatalf("proof op: got type %q key %x, want %q %x", op.Type, op.Key, app.ProofOpType, res.Key)
	}
	var p ics23.CommitmentProof
	if err := p.Unmarshal(op.Data); err != nil {
		t.Fatalf("decode proof: %v", err)
	}
	return &p
}

// TestQueryProofs proves present and absent keys of every provable query
// against the app hash FinalizeBlock returned for the queried height, and
// checks a tampered value, key or root fails.
func TestQueryProofs(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.Block(h.Sign(apptest.Installer, &tx.MsgDeviceRegister{ID: "meter-1", Kind: tx.KindSolarInverter, Owner: alice.Addr, PubKey: meterKey.Pub}))
	b2 := h.Block(h.Sign(alice, send(bob.Addr, apptest.SCN(7))))
	apptest.RequireOK(t, "send", b2.TxResult(0))
	h.Block(h.Sign(alice, send(bob.Addr, apptest.SCN(1)))) // height 3 moves on; height 2 stays provable

	cases := []struct {
		name   string
		path   string
		data   []byte
		absent bool
		check  func(t *testing.T, v []byte)
	}{
		{"balance", "/bank/balance", apptest.BalanceRequest(bob.Addr, tx.DenomSCoin), false, func(t *testing.T, v []byte) {
			if got, want := binary.BigEndian.Uint64(v), apptest.SCN(10_007).Amount; got != want {
				t.Errorf("bob at height 2: got %d, want %d", got, want)
			}
		}},
		{"absent balance", "/bank/balance", apptest.BalanceRequest(apptest.Stranger.Addr, tx.DenomKRW), true, nil},
		{"absent balance of unknown denom", "/bank/balance", apptest.BalanceRequest(bob.Addr, "uxyz"), true, nil},
		{"supply", "/bank/supply", []byte(tx.DenomKRW), false, func(t *testing.T, v []byte) {
			want := apptest.KRW(10_000_000_000).Amount + 2*apptest.KRW(1_000_000).Amount
			if got := binary.BigEndian.Uint64(v); got != want {
				t.Errorf("ukrw supply: got %d, want %d", got, want)
			}
		}},
		{"account", "/auth/account", []byte(alice.Addr.String()), false, func(t *testing.T, v []byte) {
			var a struct {
				Sequence uint64    `json:"sequence"`
				PubKey   tx.PubKey `json:"pubkey"`
			}
			if err := json.Unmarshal(v, &a); err != nil || a.Sequence != 1 || !bytes.Equal(a.PubKey, alice.Pub) {
				t.Errorf("alice at height 2: got %s (%v), want sequence 1 and her key", v, err)
			}
		}},
		{"absent account", "/auth/account", []byte(apptest.Stranger.Addr.String()), true, nil},
		{"roles", "/auth/roles", []byte(apptest.Treasury.Addr.String()), false, func(t *testing.T, v []byte) {
			if string(v) != `["issuer/uscn","treasury"]` {
				t.Errorf("treasury roles: got %s", v)
			}
		}},
		{"device", "/devices/device", []byte("meter-1"), false, func(t *testing.T, v []byte) {
			var d struct {
				Owner    tx.Address `json:"owner"`
				KeyEpoch uint32     `json:"key_epoch"`
			}
			if err := json.Unmarshal(v, &d); err != nil || d.Owner != alice.Addr || d.KeyEpoch != 1 {
				t.Errorf("meter-1: got %s (%v)", v, err)
			}
		}},
		{"absent device", "/devices/device", []byte("meter-2"), true, nil},
		{"store", "/store", append([]byte{0x02, 0x01}, append(bob.Addr[:], tx.DenomSCoin...)...), false, func(t *testing.T, v []byte) {
			if got, want := binary.BigEndian.Uint64(v), apptest.SCN(10_007).Amount; got != want {
				t.Errorf("raw bob balance: got %d, want %d", got, want)
			}
		}},
		{"store chain id", "/store", []byte{0x00, 0x01}, false, func(t *testing.T, v []byte) {
			if string(v) != apptest.ChainID {
				t.Errorf("raw chain id: got %q", v)
			}
		}},
		{"absent store key", "/store", []byte{0x7f, 0x01}, true, nil},
	}
	const height = 2
	root := h.Hashes[height]
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := h.Query(c.path, c.data, height, true)
			if res.Height != height {
				t.Errorf("height: got %d, want %d", res.Height, height)
			}
			if c.absent {
				apptest.RequireCode(t, "query", res, tx.CodeAppNotFound, "no value")
				if res.Value != nil {
					t.Errorf("absent key has value %x", res.Value)
				}
			} else {
				apptest.RequireOK(t, "query", res)
				c.check(t, res.Value)
			}
			p := proofOf(t, res)
			var want []byte
			if !c.absent {
				want = res.Value
			}
			if err := store.VerifyProof(root, p, res.Key, want); err != nil {
				t.Fatalf("proof does not verify against the height-%d app hash: %v", height, err)
			}
			if err := store.VerifyProof(h.Hashes[height+1], p, res.Key, want); err == nil {
				t.Error("proof verifies against the next height's app hash too")
			}
			if c.absent {
				if err := store.VerifyProof(root, p, res.Key, []byte{1}); err == nil {
					t.Error("an absence proof verifies as membership")
				}
				return
			}
			tampered := bytes.Clone(res.Value)
			tampered[len(tampered)-1] ^= 1
			if err := store.VerifyProof(root, p, res.Key, tampered); err == nil {
				t.Error("a tampered value verifies")
			}
			if err := store.VerifyProof(root, p, append(bytes.Clone(res.Key), 0), res.Value); err == nil {
				t.Error("the value verifies under another key")
			}
			if err := store.VerifyProof(root, p, res.Key, nil); err == nil {
				t.Error("an existence proof verifies as absence")
			}
		})
	}
	// Without prove there is no proof; height 0 is the latest.
	res := h.Query("/bank/balance", apptest.BalanceRequest(bob.Addr, tx.DenomSCoin), 0, false)
	if res.ProofOps != nil || res.Height != 3 || binary.BigEndian.Uint64(res.Value) != apptest.SCN(10_008).Amount {
		t.Errorf("latest bob balance: got height %d value %x proof %v", res.Height, res.Value, res.ProofOps)
	}
}

// TestQueryErrors: unknown paths, bad heights and bad data are clear codes
// in the "app" codespace, never a panic or an empty success.
func TestQueryErrors(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	apptest.RequireCode(t, "before the first block", h.Query("/bank/supply", []byte("uscn"), 0, false), tx.CodeAppBadQuery, "height 0")
	h.Block()
	h.Block()
	cases := []struct {
		name   string
		path   string
		data   string
		height int64
		code   tx.Code
		log    []string
	}{
		{"unknown module", "/vault/balance", "", 0, tx.CodeAppUnknownQuery, []string{`no module "vault"`}},
		{"empty path", "", "", 0, tx.CodeAppUnknownQuery, nil},
		{"unknown bank path", "/bank/richest", "", 0, tx.CodeAppUnknownQuery, []string{"bank/richest"}},
		{"unknown auth path", "/auth/keys", "", 0, tx.CodeAppUnknownQuery, []string{"auth/keys"}},
		{"unknown devices path", "/devices/all", "", 0, tx.CodeAppUnknownQuery, []string{"devices/all"}},
		{"future height", "/bank/supply", "uscn", 3, tx.CodeAppBadQuery, []string{"height 3", "1 to 2"}},
		{"negative height", "/bank/supply", "uscn", -1, tx.CodeAppBadQuery, []string{"height -1"}},
		{"bad balance request", "/bank/balance", "{", 0, tx.CodeAppBadQuery, []string{"balance request"}},
		{"balance request with unknown field", "/bank/balance", `{"address":"` + alice.Addr.String() + `","denom":"uscn","x":1}`, 0, tx.CodeAppBadQuery, []string{"unknown field"}},
		{"balance request with bad denom", "/bank/balance", `{"address":"` + alice.Addr.String() + `","denom":"US"}`, 0, tx.CodeAppBadQuery, []string{`"US"`}},
		{"bad supply denom", "/bank/supply", "u$", 0, tx.CodeAppBadQuery, []string{`"u$"`}},
		{"bad address", "/auth/account", "zz", 0, tx.CodeAppBadQuery, []string{`"zz"`}},
		{"upper-case address", "/bank/balances", "DFA81C8262E369FF029B91EE8AD26101C522783F", 0, tx.CodeAppBadQuery, []string{"lowercase"}},
		{"bad role", "/auth/members", "king", 0, tx.CodeAppBadQuery, []string{`"king"`}},
		{"bad device id", "/devices/device", "Meter 1", 0, tx.CodeAppBadQuery, []string{`"Meter 1"`}},
		{"bad owner", "/devices/by_owner", "nobody", 0, tx.CodeAppBadQuery, []string{`"nobody"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			apptest.RequireCode(t, "query", h.Query(c.path, []byte(c.data), c.height, true), c.code, c.log...)
		})
	}
}

// TestQueryLists covers the list queries (no proofs).
func TestQueryLists(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.Block()
	if got := h.Balances(alice.Addr); len(got) != 2 || got[0] != apptest.KRW(1_000_000) || got[1] != apptest.SCN(10_000) {
		t.Errorf("alice balances: got %v, want ukrw then uscn", got)
	}
	if got := h.Balances(apptest.Stranger.Addr); got == nil || len(got) != 0 {
		t.Errorf("stranger balances: got %#v, want an empty list", got)
	}
	if got := h.Members(tx.RoleInstaller); len(got) != 1 || got[0] != apptest.Installer.Addr {
		t.Errorf("installers: got %v", got)
	}
	if got := h.Members(tx.RoleTreasury); len(got) != 1 || got[0] != apptest.Treasury.Addr {
		t.Errorf("treasury: got %v", got)
	}
	res := h.Query("/bank/supplies", nil, 0, false)
	apptest.RequireOK(t, "supplies", res)
	var sup []tx.Coin
	if err := json.Unmarshal(res.Value, &sup); err != nil || len(sup) != 2 || sup[0].Denom != tx.DenomKRW || sup[1].Denom != tx.DenomSCoin {
		t.Errorf("supplies: got %s (%v)", res.Value, err)
	}
	if got := h.DevicesByOwner(alice.Addr); got == nil || len(got) != 0 {
		t.Errorf("alice devices: got %#v, want an empty list", got)
	}
}

// TestQueryStoreNeedsKey: "/store" answers the value of one raw key. With
// no key it must say so; it currently answers success with no value and,
// although a proof was asked for, no proof.
func TestQueryStoreNeedsKey(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.Block()
	res := h.Query("/store", nil, 0, true)
	apptest.RequireCode(t, "/store without a key", res, tx.CodeAppBadQuery)
}
