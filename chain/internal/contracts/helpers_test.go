package contracts_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/contracts"
	"github.com/citychain/citychain/chain/tx"
)

// The parties of the test contracts.
var (
	owner      = apptest.NewKey("contracts/owner")  // agency: the owner
	agency2    = apptest.NewKey("contracts/agency") // another agency, with little money
	prime      = apptest.NewKey("contracts/prime")
	poorPrime  = apptest.NewKey("contracts/poor-prime") // no ukrw of its own
	supervisor = apptest.NewKey("contracts/supervisor")
	arbiter    = apptest.NewKey("contracts/arbiter")
	guarantor  = apptest.NewKey("contracts/guarantor")
	guarantor2 = apptest.NewKey("contracts/guarantor-2") // holds the role, guarantees no test contract
	court      = apptest.NewKey("contracts/court")
	sub1       = apptest.NewKey("contracts/sub-1")
	sub2       = apptest.NewKey("contracts/sub-2")
	sub3       = apptest.NewKey("contracts/sub-3")
	outsider   = apptest.NewKey("contracts/outsider") // an account with no role in any contract
)

var escrow = contracts.EscrowAddress

const million = 1_000_000

// accounts are the demo accounts and the contracts' parties.
func accounts() []apptest.Account {
	return append(apptest.DemoAccounts(),
		apptest.Account{Key: owner, Roles: []string{tx.RoleAgency}, Coins: []tx.Coin{apptest.KRW(100_000_000_000)}},
		apptest.Account{Key: agency2, Roles: []string{tx.RoleAgency}, Coins: []tx.Coin{apptest.KRW(1_000)}},
		apptest.Account{Key: prime, Coins: []tx.Coin{apptest.KRW(1_000_000_000)}},
		apptest.Account{Key: poorPrime},
		apptest.Account{Key: supervisor, Roles: []string{tx.RoleWorksSupervisor}},
		apptest.Account{Key: arbiter, Roles: []string{tx.RoleArbitrator}},
		apptest.Account{Key: guarantor, Roles: []string{tx.RoleGuarantor}},
		apptest.Account{Key: guarantor2, Roles: []string{tx.RoleGuarantor}},
		apptest.Account{Key: court, Roles: []string{tx.RoleCourtRegistry}},
		apptest.Account{Key: sub1},
		apptest.Account{Key: sub2},
		apptest.Account{Key: sub3},
		apptest.Account{Key: outsider, Coins: []tx.Coin{apptest.KRW(1_000)}},
		apptest.Account{Key: worker},
	)
}

// newChain starts a chain with accounts() and, when section is not nil,
// that contracts genesis section.
func newChain(t testing.TB, section any) *apptest.Harness {
	t.Helper()
	st := apptest.BuildAppState(accounts(), nil)
	raw := apptest.MustJSON(t, st)
	if section != nil {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		m[contracts.Codespace] = apptest.MustJSON(t, section)
		raw = apptest.MustJSON(t, m)
	}
	h := apptest.New(t, apptest.Options{Accounts: accounts(), AppState: raw})
	h.Block()
	return h
}

func hash(s string) tx.Hash32 { return sha256.Sum256([]byte(s)) }

// newMsg is a contract id of prime with subcontractors sub1 (10,000,000
// won) and sub2 (6,000,000 won), equipment 3,000,000 and materials
// 2,000,000 won, no labour pool, and three milestones (30 %, 30 %, 40 %)
// due at the end of 2026.
func newMsg(id string) *tx.MsgContractsCreate {
	return &tx.MsgContractsCreate{
		ID: id, Prime: prime.Addr, Supervisor: supervisor.Addr, Arbiter: arbiter.Addr, Guarantor: guarantor.Addr,
		Pools: tx.ContractPools{Subcontract: 16_000_000, Equipment: 3_000_000, Materials: 2_000_000},
		Subcontractors: []tx.Subcontractor{
			{Address: sub1.Addr, ShareKRW: 10_000_000, Scope: hash("scope 1")},
			{Address: sub2.Addr, ShareKRW: 6_000_000, Scope: hash("scope 2")},
		},
		Milestones: []tx.Milestone{
			{Name: "foundations", Due: "2026-12-31", WeightBP: 3000},
			{Name: "structure", Due: "2026-12-31", WeightBP: 3000},
			{Name: "finishing", Due: "2026-12-31", WeightBP: 4000},
		},
		Terms: hash("terms of " + id),
	}
}

func total(m *tx.MsgContractsCreate) uint64 { t, _ := m.Pools.Total(); return t }

func ms(contract string, i uint32) tx.MsgContractsMilestone {
	return tx.MsgContractsMilestone{Contract: contract, Milestone: i}
}

func deliverMsg(contract string, i uint32) *tx.MsgContractsDeliver {
	return &tx.MsgContractsDeliver{MsgContractsMilestone: ms(contract, i)}
}

func approveMsg(contract string, i uint32) *tx.MsgContractsApprove {
	return &tx.MsgContractsApprove{MsgContractsMilestone: ms(contract, i)}
}

// create runs a contract's creation by owner.
func create(t testing.TB, h *apptest.Harness, m *tx.MsgContractsCreate) *abci.ExecTxResult {
	t.Helper()
	return h.RunOK("create "+m.ID, h.Sign(owner, m))
}

// deliverApprove delivers and approves milestone i of contract.
func deliverApprove(t testing.TB, h *apptest.Harness, contract string, i uint32) *abci.ExecTxResult {
	t.Helper()
	h.RunOK("deliver", h.Sign(prime, deliverMsg(contract, i)))
	return h.RunOK("approve", h.Sign(supervisor, approveMsg(contract, i)))
}

func query[T any](t testing.TB, h *apptest.Harness, path string, req any) T {
	t.Helper()
	var v T
	h.QueryJSON(t, "/contracts/"+path, apptest.MustJSON(t, req), &v)
	return v
}

func contract(t testing.TB, h *apptest.Harness, id string) tx.Contract {
	t.Helper()
	return query[tx.Contract](t, h, "contract", tx.ContractRequest{ID: id})
}

// instalment is the instalment of (contract, milestone, sub), nil when
// there is none.
func instalment(t testing.TB, h *apptest.Harness, id string, i uint32, sub tx.Address) *tx.Instalment {
	t.Helper()
	res := h.Query("/contracts/instalment", apptest.MustJSON(t, tx.InstalmentRequest{Contract: id, Milestone: i, Subcontractor: sub}), 0, false)
	if tx.CodeAppNotFound.Matches(res.Codespace, res.Code) {
		return nil
	}
	apptest.RequireOK(t, "instalment query", res)
	var in tx.Instalment
	if err := json.Unmarshal(res.Value, &in); err != nil {
		t.Fatal(err)
	}
	return &in
}

// line is a party's arrears line (zeros when absent).
func line(t testing.TB, h *apptest.Harness, id, tier string, party tx.Address) tx.ArrearsLine {
	t.Helper()
	res := h.Query("/contracts/line", apptest.MustJSON(t, tx.ArrearsLineRequest{Contract: id, Tier: tier, Party: party}), 0, false)
	l := tx.ArrearsLine{Contract: id, Tier: tier, Party: party}
	if tx.CodeAppNotFound.Matches(res.Codespace, res.Code) {
		return l
	}
	apptest.RequireOK(t, "line query", res)
	if err := json.Unmarshal(res.Value, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

func arrears(t testing.TB, h *apptest.Harness, id string) tx.ContractArrears {
	t.Helper()
	return query[tx.ContractArrears](t, h, "arrears", tx.ContractRequest{ID: id})
}

// ukrw is addr's committed ukrw.
func ukrw(h *apptest.Harness, addr tx.Address) uint64 { return h.Balance(addr, tx.DenomKRW) }

// snapshot is what a refused message must leave as it was: the ukrw of
// every party and of the escrow, and the raw state of the contracts named.
type snapshot struct {
	balances  map[tx.Address]uint64
	contracts map[string][]byte
}

func snap(t testing.TB, h *apptest.Harness, ids ...string) snapshot {
	t.Helper()
	s := snapshot{balances: map[tx.Address]uint64{}, contracts: map[string][]byte{}}
	for _, k := range []apptest.Key{owner, agency2, prime, poorPrime, supervisor, arbiter, guarantor, court, sub1, sub2, sub3, outsider} {
		s.balances[k.Addr] = ukrw(h, k.Addr)
	}
	s.balances[escrow] = ukrw(h, escrow)
	for _, id := range ids {
		res := h.Query("/contracts/contract", apptest.MustJSON(t, tx.ContractRequest{ID: id}), 0, false)
		s.contracts[id] = res.Value
	}
	return s
}

// unchanged fails unless h holds what s recorded.
func (s snapshot) unchanged(t testing.TB, h *apptest.Harness, what string) {
	t.Helper()
	now := snap(t, h)
	for addr, v := range s.balances {
		if now.balances[addr] != v {
			t.Errorf("%s: %s holds %d ukrw, had %d", what, addr, now.balances[addr], v)
		}
	}
	for id, v := range s.contracts {
		res := h.Query("/contracts/contract", apptest.MustJSON(t, tx.ContractRequest{ID: id}), 0, false)
		if !bytes.Equal(res.Value, v) {
			t.Errorf("%s: contract %s is %s, was %s", what, id, res.Value, v)
		}
	}
}

// fail runs a message as k that the keeper refuses with code, naming
// logHas, and checks it changed nothing.
func fail(t testing.TB, h *apptest.Harness, what string, k apptest.Key, m tx.Msg, code tx.Code, logHas ...string) {
	t.Helper()
	var ids []string
	switch m := m.(type) {
	case *tx.MsgContractsCreate:
		ids = []string{m.ID}
	case *tx.MsgContractsDeliver:
		ids = []string{m.Contract}
	case *tx.MsgContractsApprove:
		ids = []string{m.Contract}
	case *tx.MsgContractsPaySub:
		ids = []string{m.Contract}
	case *tx.MsgContractsAgreeDirect:
		ids = []string{m.Contract}
	case *tx.MsgContractsAttest:
		ids = []string{m.Contract}
	case *tx.MsgContractsRequestDirect:
		ids = []string{m.Contract}
	case *tx.MsgContractsDispute:
		ids = []string{m.Contract}
	case *tx.MsgContractsResolve:
		ids = []string{m.Contract}
	}
	before := snap(t, h, ids...)
	h.RunFail(what, h.Sign(k, m), code, logHas...)
	before.unchanged(t, h, what)
}

// days is n days.
func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// blockTime is the time of h's next block, unix seconds.
func nextTime(h *apptest.Harness) int64 { return h.BlockTime(h.Height + 1).Unix() }

// event returns the attribute key of the first event typ, failing when
// there is none.
func event(t testing.TB, evs []abci.Event, typ, key string) string {
	t.Helper()
	v, ok := apptest.Attr(evs, typ, key)
	if !ok {
		t.Fatalf("no %s event with %s in %v", typ, key, evs)
	}
	return v
}
