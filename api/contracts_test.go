package api

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citychain/citychain/api/apiclient"
	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/tx"
)

// The public-works fixture on the shared chain, built with real
// transactions: the authority makes fresh keys an agency (the owner), a
// works supervisor, an arbitrator and a guarantor; the bank funds the
// owner in won. The owner creates contract apiWorks (100,000,000 won:
// subcontract 60,000,000 for two subcontractors, 40,000,000 and
// 20,000,000; labour 20,000,000; equipment and materials 10,000,000 each;
// two milestones of 50 % each). Owner, prime and subcontractor 2 agree
// to pay subcontractor 2 directly. The prime delivers milestone 0, the
// supervisor approves it (subcontractor 1's share goes to the prime, who
// owes it an instalment; subcontractor 2's is paid directly; the labour
// share funds the project's labour pool) and the prime pays
// subcontractor 1's instalment. Milestone 1 is delivered and approved
// too; its instalment to subcontractor 1 stays unpaid.
const apiWorks = "api-bridge"

type worksWorld struct {
	owner, prime, supervisor, arbiter, guarantor tx.Address
	subs                                         []tx.Address
	primeKey                                     *keyring.Key
}

var (
	worksOnce sync.Once
	worksW    worksWorld
	worksErr  error
)

func worksFixture(t *testing.T, c *testChain) worksWorld {
	t.Helper()
	worksOnce.Do(func() { worksW, worksErr = buildWorks(t, c) })
	if worksErr != nil {
		t.Fatalf("public-works fixture: %v", worksErr)
	}
	return worksW
}

// fixtureKeys gets (or adds) the named keys and has the treasury fund
// each with one S-Coin for fees.
func fixtureKeys(ctx context.Context, t *testing.T, c *testChain, nc *client.Client, names ...string) (map[string]*keyring.Key, error) {
	keys := map[string]*keyring.Key{}
	var funds []tx.Msg
	for _, n := range names {
		k, err := c.keys.Get(n)
		if errors.Is(err, keyring.ErrNotFound) {
			k, err = c.keys.Add(n)
		}
		if err != nil {
			return nil, err
		}
		keys[n] = k
		funds = append(funds, &tx.MsgSend{To: k.Address, Amount: tx.Coin{Amount: 1_000_000, Denom: tx.DenomSCoin}})
	}
	if _, err := nc.Submit(ctx, c.key(t, "treasury").Private, "api fixture", funds...); err != nil {
		return nil, fmt.Errorf("fund fixture keys: %w", err)
	}
	return keys, nil
}

// won is n whole won in ukrw.
func won(n uint64) tx.Coin { return tx.Coin{Amount: n * tx.UKRWPerWon, Denom: tx.DenomKRW} }

func buildWorks(t *testing.T, c *testChain) (worksWorld, error) {
	var w worksWorld
	nc, err := client.New(c.rpc)
	if err != nil {
		return w, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	keys, err := fixtureKeys(ctx, t, c, nc, "works-owner", "works-prime", "works-supervisor", "works-arbiter", "works-guarantor", "works-sub-1", "works-sub-2")
	if err != nil {
		return w, err
	}
	owner, prime, sup := keys["works-owner"], keys["works-prime"], keys["works-supervisor"]
	sub1, sub2 := keys["works-sub-1"], keys["works-sub-2"]
	w.owner, w.prime, w.supervisor, w.primeKey = owner.Address, prime.Address, sup.Address, prime
	w.arbiter, w.guarantor = keys["works-arbiter"].Address, keys["works-guarantor"].Address
	w.subs = []tx.Address{sub1.Address, sub2.Address}
	submit := func(k *keyring.Key, msgs ...tx.Msg) error {
		if _, err := nc.Submit(ctx, k.Private, "api works test", msgs...); err != nil {
			return fmt.Errorf("%s %s: %w", k.Name, msgs[0].Type(), err)
		}
		return nil
	}
	for _, g := range []*tx.MsgRoleGrant{
		{Address: w.owner, Role: tx.RoleAgency}, {Address: w.supervisor, Role: tx.RoleWorksSupervisor},
		{Address: w.arbiter, Role: tx.RoleArbitrator}, {Address: w.guarantor, Role: tx.RoleGuarantor},
	} {
		if err := submit(c.key(t, "authority"), g); err != nil {
			return w, err
		}
	}
	if err := submit(c.key(t, "kbank"), &tx.MsgSend{To: w.owner, Amount: won(100_000_000)}); err != nil {
		return w, err
	}
	create := &tx.MsgContractsCreate{
		ID: apiWorks, Prime: w.prime, Supervisor: w.supervisor, Arbiter: w.arbiter, Guarantor: w.guarantor,
		Pools: tx.ContractPools{Subcontract: 60_000_000, Labour: 20_000_000, Equipment: 10_000_000, Materials: 10_000_000},
		Subcontractors: []tx.Subcontractor{
			{Address: sub1.Address, ShareKRW: 40_000_000, Scope: sha256.Sum256([]byte("earthworks"))},
			{Address: sub2.Address, ShareKRW: 20_000_000, Scope: sha256.Sum256([]byte("steel"))},
		},
		Milestones: []tx.Milestone{{Name: "foundation", Due: "2099-01-31", WeightBP: 5000}, {Name: "deck", Due: "2099-06-30", WeightBP: 5000}},
		Terms:      sha256.Sum256([]byte("api-bridge contract")),
	}
	if err := submit(owner, create); err != nil {
		return w, err
	}
	agree := &tx.MsgContractsAgreeDirect{Contract: apiWorks, Subcontractor: sub2.Address}
	for _, k := range []*keyring.Key{owner, prime, sub2} {
		if err := submit(k, agree); err != nil {
			return w, err
		}
	}
	for ms := range uint32(2) {
		m := tx.MsgContractsMilestone{Contract: apiWorks, Milestone: ms}
		if err := submit(prime, &tx.MsgContractsDeliver{MsgContractsMilestone: m}); err != nil {
			return w, err
		}
		if err := submit(sup, &tx.MsgContractsApprove{MsgContractsMilestone: m}); err != nil {
			return w, err
		}
		if ms == 0 {
			if err := submit(prime, &tx.MsgContractsPaySub{Contract: apiWorks, Milestone: 0, Subcontractor: sub1.Address}); err != nil {
				return w, err
			}
		}
	}
	return w, nil
}

func TestContractsRoutes(t *testing.T) {
	c := getChain(t)
	w := worksFixture(t, c)
	ts := startServer(t, c, nil)
	base := "/v1/contracts/" + apiWorks
	sub1, sub2 := w.subs[0], w.subs[1]

	t.Run("params", func(t *testing.T) {
		var p tx.ContractsParams
		ts.getJSON(t, "/v1/contracts/params", &p)
		if p.MaxDuePerBlock == 0 || len(p.LateRates) == 0 || p.LateRates[0].Kind != tx.RuleLateInterest || p.LateRates[0].Value != tx.DefaultSubLateRate {
			t.Fatalf("got %+v, want the default 15.5 %% late rate", p)
		}
	})
	t.Run("contracts, by party", func(t *testing.T) {
		var p AfterPage[tx.Contract]
		ts.getJSON(t, "/v1/contracts?party="+sub2.String(), &p)
		if len(p.Items) != 1 || p.Items[0].ID != apiWorks || p.NextAfter != "" {
			t.Fatalf("subcontractor 2's contracts: got %+v", p)
		}
		ts.getJSON(t, "/v1/contracts?limit=1", &p)
		if len(p.Items) != 1 {
			t.Fatalf("first page: got %+v", p)
		}
		ts.getJSON(t, "/v1/contracts?party="+w.supervisor.String()+"&after="+apiWorks, &p)
		if len(p.Items) != 0 {
			t.Fatalf("after the supervisor's only contract: got %+v", p.Items)
		}
	})
	t.Run("contract with proof", func(t *testing.T) {
		var r registryState[tx.Contract]
		ts.getJSON(t, base+"?prove=true", &r)
		k := r.Result
		if k.ID != apiWorks || k.Owner != w.owner || k.Prime != w.prime || len(k.Milestones) != 2 ||
			k.Milestones[0].Status != tx.MilestoneApproved || k.Milestones[1].Status != tx.MilestoneApproved ||
			k.ReleasedKRW != 100_000_000 || k.EscrowKRW != 0 || len(k.Subcontractors) != 2 ||
			k.Subcontractors[0].Direct || !k.Subcontractors[1].Direct || k.Subcontractors[1].Ground != tx.GroundAgreement {
			t.Fatalf("got %+v, want both milestones released and subcontractor 2 paid directly by agreement", k)
		}
		wantVerified(t, "contract", r.Height, r.Proof, true)
		var absent registryState[json.RawMessage]
		ts.getJSON(t, "/v1/contracts/no-such-works?prove=true", &absent)
		if string(absent.Result) != "null" {
			t.Fatalf("absent contract: got %s, want null", absent.Result)
		}
		wantVerified(t, "absent contract", absent.Height, absent.Proof, false)
	})
	t.Run("instalments", func(t *testing.T) {
		var l ContractInstalments
		ts.getJSON(t, base+"/instalments", &l)
		if l.Contract != apiWorks || len(l.Instalments) != 2 || l.Instalments[0].Milestone != 0 || l.Instalments[1].Milestone != 1 {
			t.Fatalf("got %+v, want subcontractor 1's two instalments", l)
		}
		for i, in := range l.Instalments {
			if in.Subcontractor != sub1 || in.PrincipalKRW != 20_000_000 || (in.PaidAt != 0) != (i == 0) {
				t.Fatalf("instalment %d: got %+v, want 20,000,000 won to subcontractor 1, only the first paid", i, in)
			}
		}
		var r AccruedResponse
		var in tx.Instalment
		ts.getJSON(t, base+"/instalments/1/"+sub1.String()+"?prove=true", &r)
		b, _ := json.Marshal(r.Result)
		if err := json.Unmarshal(b, &in); err != nil || in.Milestone != 1 || in.PaidAt != 0 || in.Missed {
			t.Fatalf("instalment 1: got %s (%v)", b, err)
		}
		if r.Accrued != nil {
			t.Fatalf("instalment 1 is due 15 days after its approval: got accrued %+v", r.Accrued)
		}
		if r.Proof == nil || !r.Proof.Verified || r.Proof.HeaderHeight != r.Height+1 || r.Proof.Value == "" {
			t.Fatalf("instalment 1: got proof %+v", r.Proof)
		}
		var absent AccruedResponse
		ts.getJSON(t, base+"/instalments/0/"+sub2.String()+"?prove=true", &absent)
		if absent.Result != nil || absent.Accrued != nil || absent.Proof == nil || !absent.Proof.Verified || absent.Proof.Value != "" {
			t.Fatalf("subcontractor 2 (paid directly) has no instalment: got %+v", absent)
		}
	})
	t.Run("arrears", func(t *testing.T) {
		var a tx.ContractArrears
		ts.getJSON(t, base+"/arrears", &a)
		if a.Contract != apiWorks || len(a.Tiers) != 3 {
			t.Fatalf("got %+v, want three tiers", a)
		}
		// Prime: equipment and materials (10,000,000 a milestone); subcontract:
		// subcontractor 1 owed its second instalment, paid its first,
		// subcontractor 2 paid 20,000,000 directly.
		want := []tx.ArrearsTier{{Tier: tx.TierPrime, PaidKRW: 20_000_000}, {Tier: tx.TierSubcontract, OwedKRW: 20_000_000, PaidKRW: 40_000_000}}
		if !slices.Equal(a.Tiers[:2], want) {
			t.Fatalf("got tiers %+v, want %+v", a.Tiers[:2], want)
		}
		if a.Tiers[2].Tier != tx.TierLabour {
			t.Fatalf("third tier: got %+v, want labour", a.Tiers[2])
		}
	})
	t.Run("lines, proven present and absent", func(t *testing.T) {
		var r registryState[tx.ArrearsLine]
		ts.getJSON(t, base+"/lines/subcontract/"+sub2.String()+"?prove=true", &r)
		if r.Result.Party != sub2 || r.Result.PaidKRW != 20_000_000 || r.Result.OwedKRW != 0 {
			t.Fatalf("subcontractor 2's line: got %+v, want 20,000,000 paid directly", r.Result)
		}
		wantVerified(t, "subcontractor 2's line", r.Height, r.Proof, true)
		ts.getJSON(t, base+"/lines/subcontract/"+sub1.String()+"?prove=true", &r)
		if r.Result.PaidKRW != 20_000_000 || r.Result.OwedKRW != 20_000_000 {
			t.Fatalf("subcontractor 1's line: got %+v, want 20,000,000 paid and 20,000,000 owed", r.Result)
		}
		wantVerified(t, "subcontractor 1's line", r.Height, r.Proof, true)
		// The guarantor has no line: owed 0, proven by the line's absence;
		// without a proof the zero line all the same.
		for _, q := range []string{"?prove=true", ""} {
			var z registryState[tx.ArrearsLine]
			ts.getJSON(t, base+"/lines/subcontract/"+w.guarantor.String()+q, &z)
			if z.Result != (tx.ArrearsLine{Contract: apiWorks, Tier: tx.TierSubcontract, Party: w.guarantor}) {
				t.Fatalf("absent line%s: got %+v, want the zero line", q, z.Result)
			}
			if q != "" {
				wantVerified(t, "absent line", z.Height, z.Proof, false)
			}
		}
	})
	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			path, field string
			code        int
			detail      string
		}{
			{"/v1/contracts/no-such-works", "", 404, "no-such-works does not exist"},
			{"/v1/contracts/no-such-works/instalments", "", 404, "no-such-works does not exist"},
			{"/v1/contracts/no-such-works/arrears", "", 404, "no-such-works does not exist"},
			{"/v1/contracts/no-such-works/lines/prime/" + w.prime.String(), "", 404, "no-such-works does not exist"},
			{base + "/instalments/0/" + sub2.String(), "", 404, "has no instalment for milestone 0"},
			{"/v1/contracts/Bad_ID", "id", 400, ""},
			{"/v1/contracts/" + strings.Repeat("a", 33), "id", 400, ""},
			{base + "/instalments/x/" + sub1.String(), "milestone", 400, ""},
			{base + "/instalments/64/" + sub1.String(), "milestone", 400, ""},
			{base + "/instalments/0/xyz", "subcontractor", 400, ""},
			{base + "/lines/labour/" + sub1.String(), "tier", 400, ""},
			{base + "/lines/prime/xyz", "party", 400, ""},
			{"/v1/contracts?party=xyz", "party", 400, ""},
			{"/v1/contracts?after=Nope", "after", 400, ""},
			{"/v1/contracts?limit=0", "limit", 400, ""},
			{base + "?prove=maybe", "prove", 400, ""},
		} {
			code, h, b := ts.do(t, "GET", tc.path, nil)
			p := wantProblem(t, tc.path, code, h, b, tc.code)
			if p.Field != tc.field || !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("%s: got field %q detail %q, want field %q and %q", tc.path, p.Field, p.Detail, tc.field, tc.detail)
			}
		}
	})
}

// TestGoClientContracts: the client's contracts methods read the fixture
// through the API.
func TestGoClientContracts(t *testing.T) {
	c := getChain(t)
	w := worksFixture(t, c)
	ts := startServer(t, c, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl := apiclient.New(ts.url, apiclient.WithAPIKey(testKey))
	sub1 := w.subs[0].String()

	p, err := cl.ContractsParams(ctx)
	if err != nil || len(p.LateRates) == 0 || p.LateRates[0].Value != tx.DefaultSubLateRate {
		t.Fatalf("params: got %+v, %v", p, err)
	}
	ks, err := cl.Contracts(ctx, apiclient.ContractsQuery{Party: w.prime.String()})
	if err != nil || !slices.ContainsFunc(ks.Items, func(k apiclient.Contract) bool { return k.ID == apiWorks }) {
		t.Fatalf("the prime's contracts: got %+v, %v", ks, err)
	}
	k, err := cl.Contract(ctx, apiWorks, true)
	if err != nil || k.Result == nil || k.Result.Pools.Labour != 20_000_000 || len(k.Result.Subcontractors) != 2 || !k.Proof.Verified {
		t.Fatalf("contract: got %+v, %v", k, err)
	}
	absent, err := cl.Contract(ctx, "no-such-works", true)
	if err != nil || absent.Result != nil || !absent.Proof.Verified || absent.Proof.Value != "" {
		t.Fatalf("absent contract: got %+v, %v", absent, err)
	}
	_, err = cl.Contract(ctx, "no-such-works", false)
	var pe *apiclient.Problem
	if !errors.As(err, &pe) || pe.Status != http.StatusNotFound {
		t.Fatalf("absent contract without proof: got %v, want a 404 problem", err)
	}
	ins, err := cl.ContractInstalments(ctx, apiWorks)
	if err != nil || len(ins.Instalments) != 2 || ins.Instalments[0].Subcontractor != sub1 || ins.Instalments[0].PaidAt == 0 {
		t.Fatalf("instalments: got %+v, %v", ins, err)
	}
	in, err := cl.ContractInstalment(ctx, apiWorks, 1, sub1, true)
	if err != nil || in.Result == nil || in.Result.PrincipalKRW != 20_000_000 || in.Accrued != nil || !in.Proof.Verified {
		t.Fatalf("instalment: got %+v, %v", in, err)
	}
	a, err := cl.ContractArrears(ctx, apiWorks)
	if err != nil || len(a.Tiers) != 3 || a.Tiers[1].Tier != "subcontract" || a.Tiers[1].OwedKRW != 20_000_000 {
		t.Fatalf("arrears: got %+v, %v", a, err)
	}
	l, err := cl.ContractLine(ctx, apiWorks, "prime", w.arbiter.String(), true)
	if err != nil || l.Result.Party != w.arbiter.String() || l.Result.OwedKRW != 0 || !l.Proof.Verified || l.Proof.Value != "" {
		t.Fatalf("the arbiter's (absent) line: got %+v, %v", l, err)
	}
}
