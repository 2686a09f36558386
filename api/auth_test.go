package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/api/apiclient"
	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// TestProposalRoutes: on a devnet of two authorities that must both
// approve, a grant by one is a pending proposal the API lists and proves;
// the other's approval runs it, and the API shows it executed.
func TestProposalRoutes(t *testing.T) {
	home := t.TempDir()
	n := local.CouncilDevnet(t, home, node.DevnetOptions{TimeoutCommit: 100 * time.Millisecond}, []string{"authority2"}, 2)
	kr, err := keyring.Open(node.KeyringDir(home))
	if err != nil {
		t.Fatal(err)
	}
	c := &testChain{home: home, rpc: n.RPCAddress(), keys: kr}
	ts := startServer(t, c, nil)
	cl := apiclient.New(ts.url, apiclient.WithAPIKey(testKey))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	a, err := cl.Authorities(ctx)
	if err != nil || a.Threshold != 2 || len(a.Authorities) != 2 || a.ProposalTTLSeconds != 7*24*3600 {
		t.Fatalf("authorities: got %+v %v", a, err)
	}
	nc, err := client.New(n.RPCAddress())
	if err != nil {
		t.Fatal(err)
	}
	authority, second, bob := c.key(t, "authority"), c.key(t, "authority2"), c.key(t, "bob")
	grant := &tx.MsgRoleGrant{Address: bob.Address, Role: tx.RoleInstaller}
	id, _ := tx.ProposalIDOf(grant)
	if _, err := nc.Submit(ctx, authority.Private, "", grant); err != nil {
		t.Fatal(err)
	}
	all, err := cl.AllProposals(ctx)
	if err != nil || len(all) != 1 || all[0].ID != id.String() || all[0].State != "pending" || len(all[0].Approvals) != 1 ||
		!strings.Contains(string(all[0].Msg), `"auth/grant_role"`) {
		t.Fatalf("proposals: got %+v %v", all, err)
	}
	p, err := cl.Proposal(ctx, id.String(), true)
	if err != nil || p.Result.State != "pending" || p.Proof == nil || !p.Proof.Verified {
		t.Fatalf("proposal with proof: got %+v %v", p, err)
	}
	if _, err := nc.Submit(ctx, second.Private, "", &tx.MsgProposalApprove{ID: id}); err != nil {
		t.Fatal(err)
	}
	if p, err = cl.Proposal(ctx, id.String(), false); err != nil || p.Result.State != "executed" || len(p.Result.Approvals) != 2 {
		t.Fatalf("executed proposal: got %+v %v", p, err)
	}
	for _, tc := range []struct {
		path, field string
		code        int
	}{
		{"/v1/proposals/xyz", "id", 400},
		{"/v1/proposals/" + strings.Repeat("0", 64), "", 404},
		{"/v1/proposals?after=zz", "after", 400},
		{"/v1/proposals?limit=501", "limit", 400},
	} {
		code, h, b := ts.do(t, "GET", tc.path, nil)
		if p := wantProblem(t, tc.path, code, h, b, tc.code); p.Field != tc.field {
			t.Errorf("GET %s: got field %q, want %q (%s)", tc.path, p.Field, tc.field, b)
		}
	}
}
