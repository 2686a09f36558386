package voting_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/internal/voting"
	"github.com/citychain/citychain/chain/tx"
)

// TestExportEmpty: a chain that never voted, on the default parameters,
// exports no voting section (its state hash is the one it had before the
// module existed); one whose genesis set parameters exports them, and
// the params query answers them (the defaults otherwise).
func TestExportEmpty(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	h.Block()
	if _, sections := h.ExportSections(t); sections[voting.Codespace] != nil {
		t.Fatalf("a chain that never voted exports %s", sections[voting.Codespace])
	}
	var p tx.VotingParams
	h.QueryJSON(t, "/voting/params", []byte(`{}`), &p)
	if p != voting.DefaultParams() {
		t.Fatalf("params %+v, want the defaults", p)
	}

	c := newChain(t, smallParams(false))
	_, sections := c.h.ExportSections(t)
	g := apptest.DecodeSection[voting.Genesis](t, sections, voting.Codespace)
	if g.Params == nil || *g.Params != *smallParams(false) || len(g.Proposals) != 0 {
		t.Fatalf("exported %+v", g)
	}
	if p := query[tx.VotingParams](c, "params", struct{}{}); p != *smallParams(false) {
		t.Fatalf("params %+v", p)
	}
	c.h.ExportRoundTrip(t)
}

// TestGenesisChecks: InitGenesis refuses bad parameters and state that a
// running chain could not have written, naming the field.
func TestGenesisChecks(t *testing.T) {
	k := voting.NewKeeper(0x0a, nil, nil, nil)
	ctx := newCtx()
	for _, c := range []struct {
		name, section, want string
	}{
		{"unknown field", `{"parms":{}}`, "parms"},
		{"zero threshold", `{"params":{"department_threshold":0,"forum_threshold":1,"mayor_threshold":1,"department_days":1,"forum_days":1,"mayor_days":1,"support_days":1,"complaint_blocks":1}}`, "thresholds"},
		{"thresholds out of order", `{"params":{"department_threshold":5,"forum_threshold":4,"mayor_threshold":9,"department_days":1,"forum_days":1,"mayor_days":1,"support_days":1,"complaint_blocks":1}}`, "thresholds"},
		{"no complaint blocks", `{"params":{"department_threshold":1,"forum_threshold":1,"mayor_threshold":1,"department_days":1,"forum_days":1,"mayor_days":1,"support_days":1,"complaint_blocks":0}}`, "complaint_blocks"},
		{"a bad schema", `{"params":{"residency_schema":"Res idency","residency_claim":"x","department_threshold":1,"forum_threshold":1,"mayor_threshold":1,"department_days":1,"forum_days":1,"mayor_days":1,"support_days":1,"complaint_blocks":1}}`, "residency_schema"},
		{"a proposal id gap", `{"proposals":[{"id":2,"levels":[{},{},{}],"status":"open"}]}`, "proposals[0].id"},
		{"a support of no proposal", `{"supports":[{"proposal":3,"identity":"` + strings.Repeat("ab", 20) + `","height":1}]}`, "supports[0].proposal"},
	} {
		err := k.InitGenesis(ctx, json.RawMessage(c.section))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error naming %q", c.name, err, c.want)
		}
	}
}

func newCtx() *module.Context {
	return module.NewContext(store.NewCache(store.NewMemTree()), "c", 1, time.Unix(0, 0))
}
