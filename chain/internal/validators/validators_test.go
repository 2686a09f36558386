package validators_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/validators"
	"github.com/citychain/citychain/chain/tx"
)

var (
	authority = apptest.Authority
	alice     = apptest.Alice
	val0      = apptest.Validator0
	val1      = apptest.NewKey("validators-test-1")
	val2      = apptest.NewKey("validators-test-2")
	val3      = apptest.NewKey("validators-test-3")
)

func setPower(k apptest.Key, power uint64, name string) *tx.MsgValidatorSetPower {
	return &tx.MsgValidatorSetPower{PubKey: k.Pub, Power: power, Name: name}
}

func newChain(t *testing.T, o apptest.Options) *apptest.Harness {
	h := apptest.New(t, o)
	h.Block()
	return h
}

// powers maps public key hex to power.
func powers(s validators.Set) map[string]uint64 {
	out := map[string]uint64{}
	for _, v := range s.Validators {
		out[v.PubKey.String()] = v.Power
	}
	return out
}

func update(k apptest.Key, power int64) string { return fmt.Sprintf("%s:%d", k.Pub, power) }

func updates(res *abci.ResponseFinalizeBlock) []string {
	var out []string
	for _, u := range res.ValidatorUpdates {
		out = append(out, fmt.Sprintf("%x:%d", u.PubKey.GetEd25519(), u.Power))
	}
	return out
}

// TestGenesisSet: the validators CometBFT passes to InitChain are the
// module's set, with CometBFT's validator addresses; /validators/set is
// provable.
func TestGenesisSet(t *testing.T) {
	h := newChain(t, apptest.Options{Validators: []abci.ValidatorUpdate{apptest.ValidatorUpdate(val1, 7), apptest.ValidatorUpdate(val0, 10)}})
	s := h.Validators()
	if len(s.Validators) != 2 || s.TotalPower != 17 {
		t.Fatalf("genesis set: got %+v, want 2 validators of total power 17", s)
	}
	if !bytes.Equal(s.Validators[0].PubKey, minKey(val0, val1).Pub) {
		t.Errorf("set order: got %s first, want the smaller key", s.Validators[0].PubKey)
	}
	for _, v := range s.Validators {
		want := cmted25519.PubKey(v.PubKey).Address()
		if !bytes.Equal(v.Address[:], want) {
			t.Errorf("validator %s: address %s, CometBFT's is %X", v.PubKey, v.Address, want)
		}
	}
	res := h.Query("/validators/set", nil, 0, true)
	apptest.RequireOK(t, "query", res)
	if res.ProofOps == nil || len(res.ProofOps.Ops) != 1 || res.ProofOps.Ops[0].Type != app.ProofOpType {
		t.Fatalf("query with prove: got proof %v, want one %s op", res.ProofOps, app.ProofOpType)
	}
	var p validators.Params
	if err := json.Unmarshal(h.Query("/validators/params", nil, 0, false).Value, &p); err != nil || p.MaxValidators != validators.DefaultMaxValidators {
		t.Errorf("params without a genesis section: got %+v %v, want the default", p, err)
	}
	apptest.RequireCode(t, "unknown path", h.Query("/validators/nope", nil, 0, false), tx.CodeAppUnknownQuery)
}

func minKey(a, b apptest.Key) apptest.Key {
	if bytes.Compare(a.Pub, b.Pub) < 0 {
		return a
	}
	return b
}

// TestSetPower: add, change, rename and remove validators, each block
// returning the resulting validator updates.
func TestSetPower(t *testing.T) {
	h := newChain(t, apptest.Options{})
	b := h.Block(h.Sign(authority, setPower(val1, 5, "fifth")))
	apptest.RequireOK(t, "add", b.TxResult(0))
	if got, want := updates(b.Result), []string{update(val1, 5)}; !equal(got, want) {
		t.Errorf("add: updates %v, want %v", got, want)
	}
	if !apptest.HasEvent(b.TxResult(0).Events, "validators.power_set", "pub_key", val1.Pub.String(), "address", val1.Addr.String(),
		"name", "fifth", "power", "5", "previous_power", "0") {
		t.Errorf("add events: %v", b.TxResult(0).Events)
	}
	s := h.Validators()
	if got := powers(s); len(got) != 2 || got[val1.Pub.String()] != 5 || s.TotalPower != 15 {
		t.Fatalf("set after add: %+v", s)
	}
	for _, v := range s.Validators {
		if bytes.Equal(v.PubKey, val1.Pub) && (v.Name != "fifth" || v.UpdatedHeight != b.Height) {
			t.Errorf("added validator: got %+v, want name fifth at height %d", v, b.Height)
		}
	}

	b = h.Block(h.Sign(authority, setPower(val1, 8, "")))
	if got, want := updates(b.Result), []string{update(val1, 8)}; !equal(got, want) {
		t.Errorf("change: updates %v, want %v", got, want)
	}
	for _, v := range h.Validators().Validators {
		if bytes.Equal(v.PubKey, val1.Pub) && v.Name != "fifth" {
			t.Errorf("a power change without a name dropped the name: %+v", v)
		}
	}
	b = h.Block(h.Sign(authority, setPower(val1, 8, "renamed")))
	if len(b.Result.ValidatorUpdates) != 0 {
		t.Errorf("rename only: updates %v, want none", updates(b.Result))
	}
	b = h.Block()
	if len(b.Result.ValidatorUpdates) != 0 {
		t.Errorf("empty block: updates %v", updates(b.Result))
	}

	// Several changes in one block: one update per key, sorted by key; a
	// key added and removed in the same block is no update at all.
	b = h.Block(
		h.Sign(authority, setPower(val3, 3, "")),
		h.Sign(authority, setPower(val2, 2, ""), setPower(val2, 4, "")),
		h.Sign(authority, setPower(val1, 0, "")),
		h.Sign(authority, setPower(val3, 0, "")),
	)
	for i := range b.Txs {
		apptest.RequireOK(t, fmt.Sprintf("tx %d", i), b.TxResult(i))
	}
	want := []string{update(val1, 0), update(val2, 4)}
	if bytes.Compare(val2.Pub, val1.Pub) < 0 {
		want = []string{update(val2, 4), update(val1, 0)}
	}
	if got := updates(b.Result); !equal(got, want) {
		t.Errorf("one block of changes: updates %v, want %v (sorted by key)", got, want)
	}
	if got := powers(h.Validators()); len(got) != 2 || got[val0.Pub.String()] != 10 || got[val2.Pub.String()] != 4 {
		t.Errorf("set after the block: %v", got)
	}
	// The genesis validator can go once another remains.
	b = h.Block(h.Sign(authority, setPower(val0, 0, "")))
	apptest.RequireOK(t, "remove the genesis validator", b.TxResult(0))
	if got, want := updates(b.Result), []string{update(val0, 0)}; !equal(got, want) {
		t.Errorf("remove: updates %v, want %v", got, want)
	}
	h.RunFail("remove the last validator", h.Sign(authority, setPower(val2, 0, "")), tx.CodeValidatorEmptySet, val2.Pub.String(), "last validator")
}

func equal(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

// TestSetPowerRejections: every way set_power is refused, with its
// codespace and code, at CheckTx and FinalizeBlock.
func TestSetPowerRejections(t *testing.T) {
	g := apptest.BuildAppState(apptest.DemoAccounts(), nil)
	g.Validators = &validators.Genesis{Params: validators.Params{MaxValidators: 2}}
	h := newChain(t, apptest.Options{AppState: apptest.MustJSON(t, g)})

	h.RunFail("not an authority", h.Sign(alice, setPower(val1, 5, "")), tx.CodeValidatorNotAuthority, alice.Addr.String(), "may not change the validator set")
	h.RunFail("a role holder is no authority", h.Sign(apptest.Treasury, setPower(val1, 5, "")), tx.CodeValidatorNotAuthority)
	h.RunFail("power 0 for an unknown key", h.Sign(authority, setPower(val1, 0, "")), tx.CodeValidatorUnknown, val1.Pub.String(), "not a validator")
	h.RunFail("remove the last validator", h.Sign(authority, setPower(val0, 0, "")), tx.CodeValidatorEmptySet, val0.Pub.String(), "last validator")
	h.RunOK("second validator", h.Sign(authority, setPower(val1, 5, "")))
	h.RunFail("third beyond max_validators 2", h.Sign(authority, setPower(val2, 5, "")), tx.CodeValidatorTooMany, "3 validators", "max_validators is 2")
	h.RunOK("changing a member at the maximum", h.Sign(authority, setPower(val1, 6, "")))
	if got := powers(h.Validators()); len(got) != 2 || got[val1.Pub.String()] != 6 {
		t.Errorf("set after the rejections: %v", got)
	}

	// Checks of the message on its own ("tx" codespace): the envelope
	// refuses it before any state is read.
	msg := func(value string) []byte {
		body := fmt.Sprintf(`{"chain_id":%q,"signer":"%s","sequence":%d,"msgs":[{"type":"validators/set_power","value":%s}]}`,
			apptest.ChainID, authority.Pub, h.Seq(authority), value)
		return apptest.SignBody(authority, []byte(body))
	}
	for _, c := range []struct {
		name, value string
		code        tx.Code
		log         []string
	}{
		{"short key", `{"pub_key":"` + strings.Repeat("ab", 31) + `","power":1}`, tx.CodeTxMalformed, []string{"want 64 hex characters, got 62"}},
		{"long key", `{"pub_key":"` + strings.Repeat("ab", 33) + `","power":1}`, tx.CodeTxMalformed, []string{"want 64 hex characters, got 66"}},
		{"no key", `{"power":1}`, tx.CodeTxInvalidMsg, []string{"pub_key", "32-byte ed25519"}},
		{"power above the bound", `{"pub_key":"` + val2.Pub.String() + `","power":1000000000001}`, tx.CodeTxInvalidMsg, []string{"power 1000000000001", "at most 1000000000000"}},
		{"negative power", `{"pub_key":"` + val2.Pub.String() + `","power":-1}`, tx.CodeTxMalformed, []string{"power"}},
		{"long name", `{"pub_key":"` + val2.Pub.String() + `","power":1,"name":"` + strings.Repeat("n", 65) + `"}`, tx.CodeTxInvalidMsg, []string{"65 bytes, limit 64"}},
		{"control character in name", `{"pub_key":"` + val2.Pub.String() + `","power":1,"name":"a\u0007b"}`, tx.CodeTxInvalidMsg, []string{"printable"}},
		{"unknown field", `{"pub_key":"` + val2.Pub.String() + `","power":1,"address":"x"}`, tx.CodeTxMalformed, []string{`unknown field "address"`}},
	} {
		apptest.RequireCode(t, c.name, h.CheckTx(msg(c.value)), c.code, c.log...)
	}
}

// TestInitGenesis: a genesis the module cannot record is refused.
func TestInitGenesis(t *testing.T) {
	secp := abci.ValidatorUpdate{PubKey: cmtcrypto.PublicKey{Sum: &cmtcrypto.PublicKey_Secp256K1{Secp256K1: bytes.Repeat([]byte{2}, 33)}}, Power: 1}
	base := apptest.BuildAppState(apptest.DemoAccounts(), nil)
	withParams := func(raw string) []byte {
		b := apptest.MustJSON(t, base)
		return append(b[:len(b)-1], []byte(`,"validators":`+raw+`}`)...)
	}
	cases := []struct {
		name  string
		st    []byte
		vals  []abci.ValidatorUpdate
		wants string
	}{
		{"max_validators 0", withParams(`{"params":{"max_validators":0}}`), apptest.GenesisValidators(), "max_validators 0"},
		{"max_validators too high", withParams(`{"params":{"max_validators":10001}}`), apptest.GenesisValidators(), "want 1 to 10000"},
		{"unknown field", withParams(`{"params":{"max_validators":3},"validators":[]}`), apptest.GenesisValidators(), "unknown field"},
		{"more genesis validators than max", withParams(`{"params":{"max_validators":1}}`),
			[]abci.ValidatorUpdate{apptest.ValidatorUpdate(val0, 1), apptest.ValidatorUpdate(val1, 1)}, "2 genesis validators"},
		{"power above the bound", nil, []abci.ValidatorUpdate{apptest.ValidatorUpdate(val0, 1_000_000_000_001)}, "power 1000000000001"},
		{"not ed25519", nil, []abci.ValidatorUpdate{secp}, "ed25519"},
		{"listed twice", nil, []abci.ValidatorUpdate{apptest.ValidatorUpdate(val0, 1), apptest.ValidatorUpdate(val0, 2)}, "listed twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := app.New(dbm.NewMemDB(), app.Config{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			st := c.st
			if st == nil {
				st = apptest.MustJSON(t, base)
			}
			_, err = a.InitChain(context.Background(), &abci.RequestInitChain{
				ChainId: apptest.ChainID, Time: apptest.GenesisTime, InitialHeight: 1, AppStateBytes: st, Validators: c.vals,
			})
			if err == nil || !strings.Contains(err.Error(), c.wants) || !strings.Contains(err.Error(), "invalid validators genesis") {
				t.Errorf("InitChain: got %v, want an invalid validators genesis mentioning %q", err, c.wants)
			}
		})
	}
}

// TestUpdatesDeterministic: the same blocks of set_power, through the
// proposal path on one app and replayed on another, give the same app
// hashes and the same validator updates, in the same order.
func TestUpdatesDeterministic(t *testing.T) {
	a := newChain(t, apptest.Options{})
	b := newChain(t, apptest.Options{})
	keys := []apptest.Key{val1, val2, val3, apptest.NewKey("validators-test-4"), apptest.NewKey("validators-test-5")}
	for round := range 4 {
		var txs [][]byte
		for i, k := range keys {
			power := uint64((round*7 + i*3) % 5) // some 0s: removals (or refused removals of unknown keys)
			txs = append(txs, a.Sign(authority, setPower(k, power, fmt.Sprintf("v%d", i))))
		}
		ra := a.ProposeBlock(txs).Result
		rb := b.Deliver(txs)
		if !bytes.Equal(ra.AppHash, rb.AppHash) {
			t.Fatalf("round %d: app hashes differ: %X %X", round, ra.AppHash, rb.AppHash)
		}
		if got, want := updates(rb), updates(ra); !equal(got, want) {
			t.Fatalf("round %d: updates differ: %v / %v", round, got, want)
		}
		if round == 0 && len(ra.ValidatorUpdates) == 0 {
			t.Fatal("round 0 changed nothing")
		}
		for i := 1; i < len(ra.ValidatorUpdates); i++ {
			if bytes.Compare(ra.ValidatorUpdates[i-1].PubKey.GetEd25519(), ra.ValidatorUpdates[i].PubKey.GetEd25519()) >= 0 {
				t.Fatalf("round %d: updates not sorted by key: %v", round, updates(ra))
			}
		}
	}
}
