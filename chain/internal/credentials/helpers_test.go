package credentials_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/credentials"
	"github.com/citychain/citychain/chain/tx"
)

// The accounts of the credentials tests, besides the demo accounts.
var (
	accreditor = apptest.NewKey("accreditor")
	office     = apptest.NewKey("registration-office")
	issuerA    = apptest.NewKey("issuer-a") // the city's welfare office
	issuerB    = apptest.NewKey("issuer-b") // the tax office
)

// accounts are the demo accounts, an accreditor, a registration office
// and two issuers without a role.
func accounts() []apptest.Account {
	return append(apptest.DemoAccounts(),
		apptest.Account{Key: accreditor, Roles: []string{tx.RoleAccreditor}, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: office, Roles: []string{tx.RoleRegistrationOffice}, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: issuerA, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: issuerB, Coins: []tx.Coin{apptest.SCN(10)}},
	)
}

// appState is the genesis app state of accounts with g as the
// credentials section (none when nil).
func appState(t testing.TB, g *credentials.Genesis) []byte {
	t.Helper()
	raw := apptest.MustJSON(t, apptest.BuildAppState(accounts(), nil))
	if g == nil {
		return raw
	}
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sections); err != nil {
		t.Fatal(err)
	}
	sections[credentials.Codespace] = apptest.MustJSON(t, g)
	return apptest.MustJSON(t, sections)
}

// start starts a chain of accounts with the credentials section g.
func start(t testing.TB, g *credentials.Genesis) *apptest.Harness {
	t.Helper()
	return apptest.New(t, apptest.Options{AppState: appState(t, g)})
}

// next is the time of the harness's next block.
func next(h *apptest.Harness) time.Time { return h.BlockTime(h.Height + 1) }

// The schemas of the tests.
var (
	seoulResident = &tx.MsgCredentialRegisterSchema{ID: "seoul_resident", Name: "Seoul residency",
		Claims: []string{"resident_seoul", "age_over_65"}}
	lowIncome = &tx.MsgCredentialRegisterSchema{ID: "low_income", Name: "Income decile",
		Claims: []string{"income_decile_le_5", "employed"}}
)

// accredit accredits issuer for schema from the next block on, open-ended.
func accredit(t testing.TB, h *apptest.Harness, issuer apptest.Key, schema string) {
	t.Helper()
	h.RunOK("accredit", h.Sign(accreditor, &tx.MsgCredentialAccredit{Issuer: issuer.Addr, Schema: schema, From: next(h)}))
}

// listID is the id of k's list name.
func listID(k apptest.Key, name string) string { return tx.StatusListID(k.Addr, name) }

func schemaOf(t testing.TB, h *apptest.Harness, id string) tx.Schema {
	t.Helper()
	var s tx.Schema
	h.QueryJSON(t, "/credentials/schema", []byte(id), &s)
	return s
}

func accreditationOf(t testing.TB, h *apptest.Harness, issuer tx.Address, schema string) tx.Accreditation {
	t.Helper()
	var a tx.Accreditation
	h.QueryJSON(t, "/credentials/accreditation", apptest.MustJSON(t, tx.AccreditationRequest{Issuer: issuer, Schema: schema}), &a)
	return a
}

func listOf(t testing.TB, h *apptest.Harness, id string) tx.StatusList {
	t.Helper()
	var l tx.StatusList
	h.QueryJSON(t, "/credentials/list", []byte(id), &l)
	return l
}

func statusOf(t testing.TB, h *apptest.Harness, id string, idx uint32) bool {
	t.Helper()
	var s tx.Status
	h.QueryJSON(t, "/credentials/status", apptest.MustJSON(t, tx.StatusRequest{List: id, Idx: idx}), &s)
	if s.List != id || s.Idx != idx || s.Chunk != idx/tx.StatusChunkBits {
		t.Fatalf("status of %s/%d: got %+v", id, idx, s)
	}
	return s.Set
}

func anchorOf(t testing.TB, h *apptest.Harness, id uint64) tx.CredentialAnchor {
	t.Helper()
	var a tx.CredentialAnchor
	h.QueryJSON(t, "/credentials/anchor", []byte(strconv.FormatUint(id, 10)), &a)
	return a
}

func stats(t testing.TB, h *apptest.Harness) tx.CredentialStats {
	t.Helper()
	var s tx.CredentialStats
	h.QueryJSON(t, "/credentials/stats", nil, &s)
	return s
}

// attr is the value of key in the first event of type typ.
func attr(t testing.TB, evs []abci.Event, typ, key string) string {
	t.Helper()
	v, ok := apptest.Attr(evs, typ, key)
	if !ok {
		t.Fatalf("no %s event with %s in %v", typ, key, evs)
	}
	return v
}

// invalid runs a message that fails ValidateBasic: CheckTx and
// FinalizeBlock reject it as tx/7 naming logHas, and its sequence is not
// used.
func invalid(t testing.TB, h *apptest.Harness, what string, k apptest.Key, m tx.Msg, logHas ...string) {
	t.Helper()
	seq := h.Seq(k)
	h.RunFail(what, h.Sign(k, m), tx.CodeTxInvalidMsg, logHas...)
	h.SetSeq(k, seq)
}

// root is a Merkle root of n made-up credential digests.
func root(seed string, n int) tx.Hash32 {
	leaves := make([][]byte, n)
	for i := range leaves {
		d := tx.Hash32{}
		copy(d[:], seed)
		d[31] = byte(i)
		d[30] = byte(i >> 8)
		leaves[i] = d[:]
	}
	return tx.MerkleRoot(leaves)
}
