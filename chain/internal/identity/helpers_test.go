package identity_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/identity"
	"github.com/citychain/citychain/chain/tx"
)

// The test keys: two registration offices, two facility registrars (each
// the agency of the facilities it registers) and citizens' phones.
var (
	office   = apptest.NewKey("office")
	office2  = apptest.NewKey("office-2")
	facReg   = apptest.NewKey("facility-registrar")
	facReg2  = apptest.NewKey("facility-registrar-2")
	phone    = apptest.NewKey("citizen-phone")
	tablet   = apptest.NewKey("citizen-tablet")
	cardName = "seoul-card"
	cardSize = uint32(tx.MinStatusListSize)
	cardList = tx.StatusListID(office.Addr, cardName)
)

// accounts are the demo accounts with the offices and facility registrars.
func accounts() []apptest.Account {
	return append(apptest.DemoAccounts(),
		apptest.Account{Key: office, Roles: []string{tx.RoleRegistrationOffice}, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: office2, Roles: []string{tx.RoleRegistrationOffice}, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: facReg, Roles: []string{tx.RoleFacilityRegistrar}, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: facReg2, Roles: []string{tx.RoleFacilityRegistrar}, Coins: []tx.Coin{apptest.SCN(10)}},
	)
}

// start starts a chain with the accounts and the office's card list (a
// suspension list) created in block 1.
func start(t testing.TB) *apptest.Harness {
	t.Helper()
	h := apptest.New(t, apptest.Options{Accounts: accounts()})
	h.RunOK("create the card list", h.Sign(office, &tx.MsgCredentialCreateList{Name: cardName, Purpose: tx.StatusSuspension, Size: cardSize}))
	return h
}

// copyOf is one card copy as the office issued it: its status index and the
// commitment's salt.
type copyOf struct {
	idx  uint32
	salt [tx.CardSaltLen]byte
}

// issue makes n card copies with distinct indices derived from seed and
// returns them and their commitments in cardList.
func issue(seed string, n int) ([]copyOf, []tx.Hash32) {
	var cs []copyOf
	var hs []tx.Hash32
	for i := 0; len(cs) < n; i++ {
		d := sha256.Sum256([]byte(seed + "/" + string(rune('a'+i))))
		c := copyOf{idx: binary.BigEndian.Uint32(d[:4]) % cardSize}
		copy(c.salt[:], d[4:20])
		cs = append(cs, c)
		hs = append(hs, tx.CardCommitment(cardList, c.idx, c.salt))
	}
	return cs, hs
}

// reveal opens the copies.
func reveal(cs []copyOf) []tx.CardReveal {
	out := []tx.CardReveal{}
	for _, c := range cs {
		out = append(out, tx.CardReveal{Idx: c.idx, Salt: append(tx.HexBytes{}, c.salt[:]...)})
	}
	return out
}

// pop is key's proof of possession for adding it to identity id on the
// harness chain.
func pop(k apptest.Key, chainID string, id tx.Address) tx.HexBytes {
	return ed25519.Sign(k.Priv, tx.AddDevicePoPMessage(chainID, id.String(), k.Pub))
}

// register registers a citizen with device key k and n card copies.
func register(t testing.TB, h *apptest.Harness, k apptest.Key, seed string, n int) []copyOf {
	t.Helper()
	cs, hs := issue(seed, n)
	h.RunOK("register "+k.Name, h.Sign(office, &tx.MsgIdentityRegister{DeviceKey: k.Pub, CardList: cardList, Commitments: hs}))
	return cs
}

func getIdentity(t testing.TB, h *apptest.Harness, id tx.Address) identity.Identity {
	t.Helper()
	var v identity.Identity
	h.QueryJSON(t, "/identity/identity", []byte(id.String()), &v)
	return v
}

// raw is the stored bytes of a query's answer at height (0: latest).
func raw(t testing.TB, h *apptest.Harness, path string, data []byte, height int64) []byte {
	t.Helper()
	return h.Query(path, data, height, false).Value
}

// bit reads bit idx of the card list at height (0: latest).
func bit(t testing.TB, h *apptest.Harness, idx uint32, height int64) bool {
	t.Helper()
	res := h.Query("/credentials/status", apptest.MustJSON(t, tx.StatusRequest{List: cardList, Idx: idx}), height, false)
	apptest.RequireOK(t, "status query", res)
	var s tx.Status
	if err := json.Unmarshal(res.Value, &s); err != nil {
		t.Fatal(err)
	}
	return s.Set
}

// bits reads the copies' bits at height.
func bits(t testing.TB, h *apptest.Harness, cs []copyOf, height int64) []bool {
	t.Helper()
	var out []bool
	for _, c := range cs {
		out = append(out, bit(t, h, c.idx, height))
	}
	return out
}

func allEqual(bs []bool, v bool) bool {
	for _, b := range bs {
		if b != v {
			return false
		}
	}
	return true
}

// refused runs a transaction that must fail with code (mentioning
// logHas) and checks it changed nothing of the module's or the card
// list's state: the identity and the card bits are as before.
func refused(t testing.TB, h *apptest.Harness, what string, k apptest.Key, m tx.Msg, id tx.Address, cs []copyOf, code tx.Code, logHas ...string) {
	t.Helper()
	before := raw(t, h, "/identity/identity", []byte(id.String()), 0)
	bitsBefore := bits(t, h, cs, 0)
	h.RunFail(what, h.Sign(k, m), code, logHas...)
	if after := raw(t, h, "/identity/identity", []byte(id.String()), 0); !bytes.Equal(after, before) {
		t.Errorf("%s: the refused transaction changed the identity\nbefore %s\nafter  %s", what, before, after)
	}
	if after := bits(t, h, cs, 0); !equalBools(after, bitsBefore) {
		t.Errorf("%s: the refused transaction changed card bits %v to %v", what, bitsBefore, after)
	}
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// invalid runs a message that fails ValidateBasic (tx code 7, naming
// logHas); its sequence is not used.
func invalid(t testing.TB, h *apptest.Harness, what string, k apptest.Key, m tx.Msg, logHas ...string) {
	t.Helper()
	seq := h.Seq(k)
	h.RunFail(what, h.Sign(k, m), tx.CodeTxInvalidMsg, logHas...)
	h.SetSeq(k, seq)
}

// proofOf decodes the one ICS23 proof of a query answer.
func proofOf(t testing.TB, res *abci.ResponseQuery) *ics23.CommitmentProof {
	t.Helper()
	if res.ProofOps == nil || len(res.ProofOps.Ops) != 1 || res.ProofOps.Ops[0].Type != app.ProofOpType {
		t.Fatalf("query %x: got proof ops %v, want one %s", res.Key, res.ProofOps, app.ProofOpType)
	}
	var p ics23.CommitmentProof
	if err := p.Unmarshal(res.ProofOps.Ops[0].Data); err != nil {
		t.Fatal(err)
	}
	return &p
}

// ed25519Sign signs msg with k.
func ed25519Sign(k apptest.Key, msg []byte) tx.HexBytes { return ed25519.Sign(k.Priv, msg) }
