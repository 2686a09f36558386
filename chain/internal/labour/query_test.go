package labour_test

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// raw runs a labour query at the last height, with a proof when prove.
func (c *chain) raw(path string, req any, prove bool) *abci.ResponseQuery {
	c.t.Helper()
	return c.h.Query("/labour/"+path, apptest.MustJSON(c.t, req), 0, prove)
}

// proven checks a provable answer's proof against the app hash of its
// height: membership of the value, or absence when the query answered
// not found (which it returns as true).
func (c *chain) proven(what string, res *abci.ResponseQuery) (absent bool) {
	c.t.Helper()
	if res.Key == nil || res.ProofOps == nil || len(res.ProofOps.Ops) != 1 || res.ProofOps.Ops[0].Type != app.ProofOpType {
		c.t.Fatalf("%s: key %x proof %v: want a key and one %s proof", what, res.Key, res.ProofOps, app.ProofOpType)
	}
	var p ics23.CommitmentProof
	if err := p.Unmarshal(res.ProofOps.Ops[0].Data); err != nil {
		c.t.Fatal(err)
	}
	value := res.Value
	if tx.CodeAppNotFound.Matches(res.Codespace, res.Code) {
		value, absent = nil, true
	} else if res.Code != 0 {
		c.t.Fatalf("%s: %s/%d %s", what, res.Codespace, res.Code, res.Log)
	}
	if err := store.VerifyProof(c.h.Hashes[res.Height], &p, res.Key, value); err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
	return absent
}

// TestQueries: the single-item answers are provable, absence too (an
// absent project line is owed 0, paid 0: S7); the lists page; bad
// requests are refused.
func TestQueries(t *testing.T) {
	c := busy(t)
	for _, q := range []struct {
		path   string
		req    any
		absent bool
	}{
		{"contract", tx.LabourContractRequest{ID: 1}, false},
		{"contract", tx.LabourContractRequest{ID: 99}, true},
		{"shift", tx.LabourShiftRequest{Contract: 1, ID: 2}, false},
		{"statement", tx.LabourStatementRequest{ID: 1}, false},
		{"fund", tx.LabourFundRequest{Owner: shop.Addr}, false},
		{"fund", tx.LabourFundRequest{Project: "road-1"}, true},
		{"project_line", tx.LabourProjectLineRequest{Project: "road-1", Worker: worker1.Addr}, true},
	} {
		if got := c.proven(q.path, c.raw(q.path, q.req, true)); got != q.absent {
			t.Errorf("%s %+v: absent %v, want %v", q.path, q.req, got, q.absent)
		}
	}
	late := query[tx.LabourStatementPage](c, "statements", tx.LabourStatementsRequest{Late: true, Limit: 1})
	if len(late.Statements) != 1 || late.Statements[0].Status != tx.StatementLate || late.Next == 0 {
		t.Fatalf("late %+v", late)
	}
	rest := query[tx.LabourStatementPage](c, "statements", tx.LabourStatementsRequest{Late: true, After: late.Next})
	if len(rest.Statements) == 0 || rest.Statements[0].ID <= late.Next || rest.Next != 0 {
		t.Fatalf("late, page 2 %+v", rest)
	}
	mine := query[tx.LabourStatementPage](c, "statements", tx.LabourStatementsRequest{Worker: worker3.Addr, Late: true})
	for _, s := range mine.Statements {
		if s.Worker != worker3.Addr || s.Status != tx.StatementLate {
			t.Fatalf("worker 3's late statements %+v", mine)
		}
	}
	if len(mine.Statements) != 2 {
		t.Fatalf("worker 3's late statements %+v", mine)
	}
	if p := query[tx.LabourProjectLinePage](c, "project_lines", tx.LabourProjectLinesRequest{Project: "road-1"}); len(p.Lines) != 0 {
		t.Fatalf("lines %+v", p)
	}
	for _, b := range []struct {
		path string
		req  any
	}{
		{"fund", tx.LabourFundRequest{}},
		{"fund", tx.LabourFundRequest{Owner: shop.Addr, Project: "road-1"}},
		{"project_line", tx.LabourProjectLineRequest{Project: "Road"}},
		{"statements", tx.LabourStatementsRequest{Limit: tx.MaxListLimit + 1}},
		{"contracts", tx.LabourContractsRequest{Employer: shop.Addr, Worker: worker1.Addr}},
		{"contract", map[string]any{"idd": 1}},
	} {
		apptest.RequireCode(t, b.path, c.raw(b.path, b.req, false), tx.CodeAppBadQuery)
	}
	apptest.RequireCode(t, "unknown path", c.raw("wages", struct{}{}, false), tx.CodeAppUnknownQuery)
}
