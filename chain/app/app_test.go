package app_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

var (
	alice = apptest.Alice
	bob   = apptest.Bob
)

func send(to tx.Address, c tx.Coin) *tx.MsgSend { return &tx.MsgSend{To: to, Amount: c} }

// TestBlockLifecycle runs a block through every ABCI step and checks the
// results, events, app hash, Info and queries.
func TestBlockLifecycle(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	if len(h.GenesisHash) == 0 {
		t.Fatal("InitChain returned no app hash")
	}
	if info := h.Info(); info.LastBlockHeight != 0 || len(info.LastBlockAppHash) != 0 {
		t.Fatalf("Info before the first block: got height %d hash %X, want 0 and none", info.LastBlockHeight, info.LastBlockAppHash)
	}
	b := h.Block(
		h.Sign(alice, send(bob.Addr, apptest.SCN(3))),
		h.Sign(alice, send(bob.Addr, apptest.KRW(2)), send(apptest.Stranger.Addr, apptest.SCN(1))),
	)
	for i, c := range b.Check {
		apptest.RequireOK(t, fmt.Sprintf("CheckTx %d", i), c)
	}
	if len(b.Txs) != 2 {
		t.Fatalf("block has %d txs, want 2", len(b.Txs))
	}
	for i := range b.Txs {
		apptest.RequireOK(t, fmt.Sprintf("tx %d", i), b.TxResult(i))
	}
	if b.Height != 1 || h.Height != 1 {
		t.Fatalf("height: got %d, want 1", b.Height)
	}
	if bytes.Equal(b.Result.AppHash, h.GenesisHash) {
		t.Fatal("app hash did not change with the block")
	}
	evs := b.TxResult(1).Events
	if !apptest.HasEvent(evs, "message", "action", tx.TypeBankSend, "sender", alice.Addr.String(), "index", "1") {
		t.Errorf("tx 1 lacks the message event of message 1: %v", evs)
	}
	if !apptest.HasEvent(evs, "bank.transfer", "from", alice.Addr.String(), "to", apptest.Stranger.Addr.String(), "amount", "1000000uscn") {
		t.Errorf("tx 1 lacks the transfer to the stranger: %v", evs)
	}
	if !apptest.HasEvent(evs, "auth.account_created", "address", apptest.Stranger.Addr.String()) {
		t.Errorf("tx 1 lacks the account creation of the stranger: %v", evs)
	}
	if got, want := h.Balance(bob.Addr, tx.DenomSCoin), apptest.SCN(10_003).Amount; got != want {
		t.Errorf("bob uscn: got %d, want %d", got, want)
	}
	if got, want := h.Balance(bob.Addr, tx.DenomKRW), apptest.KRW(1_000_002).Amount; got != want {
		t.Errorf("bob ukrw: got %d, want %d", got, want)
	}
	if a, ok := h.Account(alice.Addr); !ok || a.Sequence != 2 || !bytes.Equal(a.PubKey, alice.Pub) {
		t.Errorf("alice account: got %+v %v, want sequence 2 and her public key", a, ok)
	}
	if a, ok := h.Account(apptest.Stranger.Addr); !ok || a.Sequence != 0 || a.PubKey != nil {
		t.Errorf("stranger account: got %+v %v, want a new account with no key", a, ok)
	}
	// An empty block still commits a new height; the hash moves because the
	// block time is state.
	e := h.Block()
	if e.Height != 2 || bytes.Equal(e.Result.AppHash, b.Result.AppHash) {
		t.Errorf("empty block: height %d hash %X, want height 2 and a new hash", e.Height, e.Result.AppHash)
	}
}

func mutate(raw []byte, f func([]byte) []byte) []byte { return f(bytes.Clone(raw)) }

// TestTxRejections covers every rejection of the "tx" codespace, at CheckTx
// and (for transactions CometBFT could deliver) at FinalizeBlock.
func TestTxRejections(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	good := apptest.SignSeq(t, alice, apptest.ChainID, 0, send(bob.Addr, apptest.SCN(1)))
	body := func(edit func(m map[string]any)) []byte {
		m := apptest.Body(t, alice, apptest.ChainID, 0, send(bob.Addr, apptest.SCN(1)))
		edit(m)
		return apptest.SignBody(alice, apptest.MustJSON(t, m))
	}
	msgValue := func(typ, value string) []byte {
		b := fmt.Sprintf(`{"chain_id":%q,"signer":"%s","sequence":0,"msgs":[{"type":%q,"value":%s}]}`, apptest.ChainID, alice.Pub, typ, value)
		return apptest.SignBody(alice, []byte(b))
	}
	manyMsgs := make([]tx.Msg, tx.MaxMsgs+1)
	for i := range manyMsgs {
		manyMsgs[i] = send(bob.Addr, apptest.SCN(1))
	}
	cases := []struct {
		name string
		raw  []byte
		code tx.Code
		log  []string
		// decodes: the envelope decodes, so a proposal carrying it is valid
		decodes bool
	}{
		{"empty", nil, tx.CodeTxMalformed, []string{"0 bytes"}, false},
		{"junk", []byte("hello, chain"), tx.CodeTxMalformed, []string{"12 bytes", "minimum"}, false},
		{"oversize", make([]byte, tx.MaxTxBytes+1), tx.CodeTxTooLarge, []string{"65537 bytes", "limit 65536"}, false},
		{"version", mutate(good, func(b []byte) []byte { b[0] = 2; return b }), tx.CodeTxMalformed, []string{"envelope version 2"}, false},
		{"length too long", mutate(good, func(b []byte) []byte { b[4]++; return b }), tx.CodeTxMalformed, []string{"body length"}, false},
		{"length too short", mutate(good, func(b []byte) []byte { b[4]--; return b }), tx.CodeTxMalformed, []string{"body length"}, false},
		{"trailing byte", append(bytes.Clone(good), 0), tx.CodeTxMalformed, []string{"body length"}, false},
		{"truncated signature", good[:len(good)-1], tx.CodeTxMalformed, []string{"body length"}, false},
		{"body not json", apptest.SignBody(alice, []byte("not json")), tx.CodeTxMalformed, []string{"body"}, false},
		{"unknown field", body(func(m map[string]any) { m["fee"] = "1uscn" }), tx.CodeTxMalformed, []string{`unknown field "fee"`}, false},
		{"duplicate key", apptest.SignBody(alice, []byte(fmt.Sprintf(`{"chain_id":%q,"chain_id":"x","signer":"%s","sequence":0,"msgs":[]}`, apptest.ChainID, alice.Pub))), tx.CodeTxMalformed, []string{`duplicate key "chain_id"`}, false},
		{"trailing json", apptest.SignBody(alice, append(apptest.MustJSON(t, apptest.Body(t, alice, apptest.ChainID, 0, send(bob.Addr, apptest.SCN(1)))), []byte(" {}")...)), tx.CodeTxMalformed, []string{"trailing data"}, false},
		{"no msgs", body(func(m map[string]any) { m["msgs"] = []any{} }), tx.CodeTxMalformed, []string{"msgs", "at least one"}, false},
		{"too many msgs", apptest.SignSeq(t, alice, apptest.ChainID, 0, manyMsgs...), tx.CodeTxMalformed, []string{"65 messages", "limit 64"}, false},
		{"memo too long", body(func(m map[string]any) { m["memo"] = strings.Repeat("m", tx.MaxMemo+1) }), tx.CodeTxMalformed, []string{"memo", "257 bytes"}, false},
		{"empty chain id", body(func(m map[string]any) { m["chain_id"] = "" }), tx.CodeTxMalformed, []string{"chain_id"}, false},
		{"short signer", body(func(m map[string]any) { m["signer"] = "abcd" }), tx.CodeTxMalformed, []string{"public key", "abcd"}, false},
		{"negative sequence", body(func(m map[string]any) { m["sequence"] = -1 }), tx.CodeTxMalformed, []string{"sequence"}, false},
		{"fractional sequence", apptest.SignBody(alice, []byte(fmt.Sprintf(`{"chain_id":%q,"signer":"%s","sequence":1.5,"msgs":[]}`, apptest.ChainID, alice.Pub))), tx.CodeTxMalformed, []string{"sequence"}, false},
		{"unknown message type", msgValue("bank/steal", `{}`), tx.CodeTxUnknownMsg, []string{`"bank/steal"`}, false},
		{"message of unknown module", msgValue("vault/open", `{}`), tx.CodeTxUnknownMsg, []string{`"vault/open"`}, false},
		{"zero amount", msgValue(tx.TypeBankSend, fmt.Sprintf(`{"to":"%s","amount":"0uscn"}`, bob.Addr)), tx.CodeTxInvalidMsg, []string{"amount", "positive", "0uscn"}, false},
		{"missing recipient", msgValue(tx.TypeBankSend, `{"amount":"5uscn"}`), tx.CodeTxInvalidMsg, []string{"to:", "want an address"}, false},
		{"bad role", msgValue(tx.TypeRoleGrant, fmt.Sprintf(`{"address":"%s","role":"king"}`, bob.Addr)), tx.CodeTxInvalidMsg, []string{`role "king"`}, false},
		{"bad device id", msgValue(tx.TypeDeviceRevoke, `{"id":"Meter#1","reason":""}`), tx.CodeTxInvalidMsg, []string{`"Meter#1"`}, false},
		// A value that does not decode into the message (a malformed
		// address or amount) is reported as malformed (code 2), not as
		// an invalid message.
		{"bad denom", msgValue(tx.TypeBankSend, fmt.Sprintf(`{"to":"%s","amount":"5USCN"}`, bob.Addr)), tx.CodeTxMalformed, []string{"5USCN", "denomination"}, false},
		{"leading zero amount", msgValue(tx.TypeBankSend, fmt.Sprintf(`{"to":"%s","amount":"05uscn"}`, bob.Addr)), tx.CodeTxMalformed, []string{"05uscn", "leading zeros"}, false},
		{"malformed address", msgValue(tx.TypeBankSend, `{"to":"xyz","amount":"5uscn"}`), tx.CodeTxMalformed, []string{`"xyz"`}, false},
		{"unknown message field", msgValue(tx.TypeBankBurn, `{"amount":"5uscn","from":"me"}`), tx.CodeTxMalformed, []string{`unknown field "from"`}, false},
		{"bad signature", mutate(good, func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), tx.CodeTxBadSignature, []string{"signature does not verify", alice.Addr.String()}, false},
		{"signature of another key", tx.Encode(mustDecode(t, good).BodyBytes, mustDecode(t, apptest.SignSeq(t, bob, apptest.ChainID, 0, send(alice.Addr, apptest.SCN(1)))).Signature), tx.CodeTxBadSignature, []string{"signature does not verify"}, false},
		{"signed without domain tag", tx.Encode(mustDecode(t, good).BodyBytes, signRaw(alice, mustDecode(t, good).BodyBytes)), tx.CodeTxBadSignature, []string{"signature does not verify"}, false},
		{"wrong chain id", apptest.SignSeq(t, alice, "citychain-other", 0, send(bob.Addr, apptest.SCN(1))), tx.CodeTxWrongChainID, []string{`"citychain-other"`, apptest.ChainID}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			apptest.RequireCode(t, "CheckTx", h.CheckTx(c.raw), c.code, c.log...)
		})
	}
	// Every one of them, in a block: undecodable ones make the proposal
	// invalid; all are rejected with the same code at FinalizeBlock and
	// change nothing but the block time.
	for _, c := range cases {
		st := h.ProcessProposal([][]byte{good, c.raw})
		want := abci.ResponseProcessProposal_REJECT
		if c.decodes {
			want = abci.ResponseProcessProposal_ACCEPT
		}
		if st != want {
			t.Errorf("%s: ProcessProposal got %v, want %v", c.name, st, want)
		}
	}
	var raws [][]byte
	for _, c := range cases {
		raws = append(raws, c.raw)
	}
	res := h.Deliver(raws)
	for i, c := range cases {
		apptest.RequireCode(t, "FinalizeBlock "+c.name, res.TxResults[i], c.code, c.log...)
		if len(res.TxResults[i].Events) != 0 {
			t.Errorf("%s: rejected tx emitted events %v", c.name, res.TxResults[i].Events)
		}
	}
	if a, _ := h.Account(alice.Addr); a.Sequence != 0 {
		t.Errorf("alice sequence after only rejected txs: got %d, want 0", a.Sequence)
	}
	if got, want := h.Balance(bob.Addr, tx.DenomSCoin), apptest.SCN(10_000).Amount; got != want {
		t.Errorf("bob uscn: got %d, want %d", got, want)
	}
}

// TestTxCaseVariantKeyRejected: the body is decoded by encoding/json,
// which matches keys case-insensitively, so "Chain_ID" or "SEQUENCE" would be
// taken for chain_id and sequence. docs/transactions.md promises that
// unknown fields are rejected and that any JSON parser reads a signed body
// the same way; a strict parser in another language rejects or ignores
// "Chain_ID", so the chain must reject it too. Paired with a lower-case key
// the duplicate-key check does not see it either, and the two readings of
// the same signed bytes differ.
func TestTxCaseVariantKeyRejected(t *testing.T) {
	cases := map[string]string{
		"renamed": fmt.Sprintf(`{"Chain_ID":%q,"signer":"%s","sequence":0,"msgs":[{"type":"bank/send","value":{"to":"%s","amount":"1uscn"}}]}`,
			apptest.ChainID, alice.Pub, bob.Addr),
		"shadowing": fmt.Sprintf(`{"chain_id":"other-chain","signer":"%s","sequence":0,"msgs":[{"type":"bank/send","value":{"to":"%s","amount":"1uscn","AMOUNT":"9000000uscn"}}],"CHAIN_ID":%q}`,
			alice.Pub, bob.Addr, apptest.ChainID),
	}
	for _, name := range []string{"renamed", "shadowing"} {
		t.Run(name, func(t *testing.T) {
			h := apptest.New(t, apptest.Options{})
			raw := apptest.SignBody(alice, []byte(cases[name]))
			if d, err := tx.Decode(raw); err == nil {
				t.Errorf("tx.Decode accepted a body with a case-variant key, reading chain_id %q and messages %s: %s",
					d.Body.ChainID, apptest.MustJSON(t, d.Msgs), cases[name])
			}
			apptest.RequireCode(t, "CheckTx", h.CheckTx(raw), tx.CodeTxMalformed)
		})
	}
}

func mustDecode(t *testing.T, raw []byte) *tx.Tx {
	t.Helper()
	d, err := tx.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCheckTxMempoolView: several pending transactions of one account with
// consecutive sequences are admitted; a gap, a repeat and a stale sequence
// are not; the view resets to committed state after Commit.
func TestCheckTxMempoolView(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	for i := range 4 {
		apptest.RequireOK(t, fmt.Sprintf("pending tx %d", i), h.Submit(h.Sign(alice, send(bob.Addr, apptest.SCN(1)))))
	}
	apptest.RequireCode(t, "gap", h.CheckTx(apptest.SignSeq(t, alice, apptest.ChainID, 5, send(bob.Addr, apptest.SCN(1)))),
		tx.CodeAuthWrongSequence, "expects sequence 4, got 5")
	apptest.RequireCode(t, "repeat of a pending sequence", h.CheckTx(apptest.SignSeq(t, alice, apptest.ChainID, 2, send(bob.Addr, apptest.SCN(2)))),
		tx.CodeAuthWrongSequence, "expects sequence 4, got 2")
	// Funds are tracked too: alice may not spend twice what she has.
	apptest.RequireCode(t, "overdraft across pending txs", h.CheckTx(h.Sign(alice, send(bob.Addr, apptest.SCN(9_997)))),
		tx.CodeBankInsufficientFunds, "needs 9997000000uscn")
	h.SetSeq(alice, 4)
	b := h.Block()
	if len(b.Txs) != 4 {
		t.Fatalf("block: got %d txs, want the 4 pending ones", len(b.Txs))
	}
	for i := range b.Txs {
		apptest.RequireOK(t, fmt.Sprintf("block tx %d", i), b.TxResult(i))
	}
	if a, _ := h.Account(alice.Addr); a.Sequence != 4 {
		t.Fatalf("alice sequence: got %d, want 4", a.Sequence)
	}
	// Replays of included transactions are stale now.
	for i, raw := range b.Txs {
		apptest.RequireCode(t, fmt.Sprintf("replay %d", i), h.CheckTx(raw), tx.CodeAuthWrongSequence, fmt.Sprintf("expects sequence 4, got %d", i))
	}
	apptest.RequireOK(t, "next sequence", h.CheckTx(apptest.SignSeq(t, alice, apptest.ChainID, 4, send(bob.Addr, apptest.SCN(1)))))
}

// TestCheckTxRejectedTxDoesNotConsumeSequence: a transaction CheckTx
// rejects never enters the mempool, so the mempool view must not count its
// sequence. Otherwise the account's corrected transaction (same sequence) is
// refused until the next block, and one with the following sequence is
// admitted although it can only fail in the block.
func TestCheckTxRejectedTxDoesNotConsumeSequence(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	apptest.RequireCode(t, "overdraft", h.CheckTx(apptest.SignSeq(t, alice, apptest.ChainID, 0, send(bob.Addr, apptest.SCN(1_000_000)))), tx.CodeBankInsufficientFunds)
	next := apptest.SignSeq(t, alice, apptest.ChainID, 1, send(bob.Addr, apptest.SCN(1)))
	if res := h.CheckTx(next); res.Code == 0 {
		t.Errorf("CheckTx admitted sequence 1 after sequence 0 was rejected; in a block it fails with %v",
			apptest.Of(h.Deliver([][]byte{next}).TxResults[0]))
	}
	apptest.RequireOK(t, "corrected tx with sequence 0", h.CheckTx(apptest.SignSeq(t, alice, apptest.ChainID, 0, send(bob.Addr, apptest.SCN(1)))))
}

// TestFailedTxConsumesSequence: in a block, a transaction whose message
// fails still consumes its sequence, so it cannot be replayed, and changes
// nothing else (all or nothing across messages).
func TestFailedTxConsumesSequence(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.Block()
	before := h.Balance(bob.Addr, tx.DenomSCoin)
	raw := apptest.SignSeq(t, alice, apptest.ChainID, 0,
		send(bob.Addr, apptest.SCN(1)), send(bob.Addr, apptest.SCN(1_000_000)))
	res := h.Deliver([][]byte{raw})
	apptest.RequireCode(t, "second message overdraws", res.TxResults[0], tx.CodeBankInsufficientFunds, "message 1 (bank/send)")
	if got := h.Balance(bob.Addr, tx.DenomSCoin); got != before {
		t.Errorf("bob after failed tx: got %d, want %d (first message rolled back)", got, before)
	}
	if a, _ := h.Account(alice.Addr); a.Sequence != 1 || !bytes.Equal(a.PubKey, alice.Pub) {
		t.Errorf("alice after failed tx: got %+v, want sequence 1 with her key", a)
	}
	apptest.RequireCode(t, "replay", h.Deliver([][]byte{raw}).TxResults[0], tx.CodeAuthWrongSequence, "expects sequence 1, got 0")
	// The same transaction twice in one block: the second is a replay.
	ok := apptest.SignSeq(t, alice, apptest.ChainID, 1, send(bob.Addr, apptest.SCN(1)))
	res = h.Deliver([][]byte{ok, ok})
	apptest.RequireOK(t, "first copy", res.TxResults[0])
	apptest.RequireCode(t, "second copy", res.TxResults[1], tx.CodeAuthWrongSequence, "expects sequence 2, got 1")
}

// TestPrepareProposal keeps the order, drops what does not decode or
// verify, and stops at the byte limit.
func TestPrepareProposal(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	a := h.Sign(alice, send(bob.Addr, apptest.SCN(1)))
	b := h.Sign(bob, send(alice.Addr, apptest.SCN(1)))
	bad := mutate(a, func(x []byte) []byte { x[len(x)-1] ^= 0xff; return x })
	c := h.Sign(alice, send(bob.Addr, apptest.SCN(1)))
	res, err := h.App.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{
		MaxTxBytes: int64(len(a) + len(b) + len(c)), Txs: [][]byte{b, []byte("junk"), a, bad, c, a}, Height: 1, Time: apptest.BlockTime(1),
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]byte{b, a, c}; !equalTxs(res.Txs, want) {
		t.Errorf("PrepareProposal: got %d txs, want b, a, c", len(res.Txs))
	}
	res, err = h.App.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{
		MaxTxBytes: int64(len(a) + len(b) - 1), Txs: [][]byte{b, a}, Height: 1, Time: apptest.BlockTime(1),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !equalTxs(res.Txs, [][]byte{b}) {
		t.Errorf("PrepareProposal over the byte limit: got %d txs, want only the first", len(res.Txs))
	}
}

func equalTxs(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// TestInitChainRejectsBadGenesis: a genesis the modules cannot load is an
// error, not a silent start.
func TestInitChainRejectsBadGenesis(t *testing.T) {
	cases := map[string]string{
		"not json":          `[`,
		"unknown module":    `{"vault":{}}`,
		"unknown field":     `{"bank":{"denoms":["uscn"],"balances":[],"extra":1}}`,
		"no authority":      `{"auth":{"authorities":[],"accounts":[]}}`,
		"bad denom":         `{"bank":{"denoms":["USCN"],"balances":[]}}`,
		"undeclared denom":  `{"bank":{"denoms":["uscn"],"balances":[{"address":"00112233445566778899aabbccddeeff00112233","coins":["5ukrw"]}]}}`,
		"bad role":          `{"auth":{"authorities":["00112233445566778899aabbccddeeff00112233"],"accounts":[{"address":"00112233445566778899aabbccddeeff00112233","roles":["king"]}]}}`,
		"bad device":        `{"devices":{"devices":[{"id":"Bad!","kind":"solar_inverter","owner":"00112233445566778899aabbccddeeff00112233","pubkey":"` + alice.Pub.String() + `","metadata":{}}]}}`,
		"duplicate device":  `{"devices":{"devices":[` + dev("m1") + `,` + dev("m1") + `]}}`,
		"supply overflow":   `{"bank":{"denoms":["uscn"],"balances":[{"address":"00112233445566778899aabbccddeeff00112233","coins":["18446744073709551615uscn","1uscn"]}]}}`,
		"initial height 5x": "",
	}
	for name, st := range cases {
		t.Run(name, func(t *testing.T) {
			a, err := app.New(dbm.NewMemDB(), app.Config{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			req := &abci.RequestInitChain{ChainId: apptest.ChainID, Time: apptest.GenesisTime, AppStateBytes: []byte(st), InitialHeight: 1}
			if name == "initial height 5x" {
				req.InitialHeight = 5
			}
			if _, err := a.InitChain(context.Background(), req); err == nil {
				t.Errorf("InitChain accepted %s", st)
			}
		})
	}
}

func dev(id string) string {
	b, _ := json.Marshal(tx.MsgDeviceRegister{ID: id, Kind: tx.KindSolarInverter, Owner: alice.Addr, PubKey: alice.Pub})
	return string(b)
}

func signRaw(k apptest.Key, msg []byte) []byte { return ed25519.Sign(k.Priv, msg) }

// TestRecheck: after a block from another proposer spends what a pending
// transaction relied on, or uses its sequence, the recheck drops it; the
// pending transactions that still fit stay, and the mempool view counts
// them, so the account's next transaction is admitted.
func TestRecheck(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.Block()
	pendingA := h.Sign(alice, send(bob.Addr, apptest.SCN(9_000)))
	pendingB := h.Sign(bob, send(alice.Addr, apptest.SCN(1)))
	pendingB2 := h.Sign(bob, send(alice.Addr, apptest.SCN(2)))
	for _, raw := range [][]byte{pendingA, pendingB, pendingB2} {
		apptest.RequireOK(t, "submit", h.Submit(raw))
	}
	// Another proposer's block: alice spends with the same sequence
	// elsewhere, and bob's first pending transaction is included.
	other := apptest.SignSeq(t, alice, apptest.ChainID, 0, send(apptest.Stranger.Addr, apptest.SCN(5_000)))
	b := h.ProposeBlock([][]byte{other, pendingB})
	apptest.RequireOK(t, "other proposer's tx", b.TxResult(0))
	apptest.RequireOK(t, "bob's included tx", b.TxResult(1))
	dropped := h.Recheck(b.Txs)
	if len(dropped) != 1 || !bytes.Equal(dropped[0], pendingA) {
		t.Fatalf("recheck dropped %d txs, want alice's stale one", len(dropped))
	}
	if m := h.Mempool(); len(m) != 1 || !bytes.Equal(m[0], pendingB2) {
		t.Fatalf("mempool after recheck: %d txs, want bob's second", len(m))
	}
	apptest.RequireOK(t, "bob's third tx after recheck", h.CheckTx(apptest.SignSeq(t, bob, apptest.ChainID, 2, send(alice.Addr, apptest.SCN(3)))))
	apptest.RequireCode(t, "alice's stale sequence", h.CheckTx(apptest.SignSeq(t, alice, apptest.ChainID, 0, send(bob.Addr, apptest.SCN(1)))), tx.CodeAuthWrongSequence)
}
