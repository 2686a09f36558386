package auth_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/auth"
	"github.com/citychain/citychain/chain/tx"
)

// TestExportRoundTrip: accounts with keys and sequences (a failed message
// consumes one too), accounts created by a grant or a transfer, roles
// granted and revoked; the export imported gives the same state, and the
// imported chain goes on from it.
func TestExportRoundTrip(t *testing.T) {
	h := newChain(t)
	h.RunOK("grant", h.Sign(authority, &tx.MsgRoleGrant{Address: bob.Addr, Role: tx.RoleInstaller}))
	h.RunOK("second grant", h.Sign(authority, &tx.MsgRoleGrant{Address: bob.Addr, Role: tx.RoleAgency}))
	h.RunOK("revoke", h.Sign(authority, &tx.MsgRoleRevoke{Address: bob.Addr, Role: tx.RoleInstaller}))
	h.RunOK("revoke a genesis role", h.Sign(authority, &tx.MsgRoleRevoke{Address: apptest.Dealer.Addr, Role: tx.RoleDealer}))
	h.RunOK("grant to a new address", h.Sign(authority, &tx.MsgRoleGrant{Address: stranger.Addr, Role: tx.IssuerRole("uxyz")}))
	h.RunOK("send", h.Sign(alice, send(stranger.Addr, apptest.SCN(3))))
	h.RunFail("failed send", h.Sign(alice, send(bob.Addr, apptest.SCN(1_000_000))), tx.CodeBankInsufficientFunds)
	h.RunOK("stranger's first tx", h.Sign(stranger, send(alice.Addr, apptest.SCN(1))))
	h.RunOK("fund a keyless account", h.Sign(bob, send(apptest.NewKey("auth-export-new").Addr, apptest.SCN(1))))

	imported := h.ExportRoundTrip(t)

	imported.Block()
	if a, ok := imported.Account(alice.Addr); !ok || a.Sequence != 2 || !slices.Equal(a.PubKey, alice.Pub) {
		t.Errorf("imported alice: got %+v %v, want sequence 2 with her key", a, ok)
	}
	if got := imported.Roles(bob.Addr); !slices.Equal(got, []string{tx.RoleAgency}) {
		t.Errorf("imported bob roles: got %v, want agency", got)
	}
	imported.RunFail("replay of alice's last sequence", apptest.SignSeq(t, alice, apptest.ChainID, 1, send(bob.Addr, apptest.SCN(1))),
		tx.CodeAuthWrongSequence, "expects sequence 2, got 1")
	imported.RunOK("alice's next tx", imported.Sign(alice, send(bob.Addr, apptest.SCN(1))))
	imported.RunOK("the authority grants on", imported.Sign(authority, &tx.MsgRoleGrant{Address: bob.Addr, Role: tx.RoleInstaller}))
	imported.RunFail("revoked role", imported.Sign(apptest.Dealer, &tx.MsgRoleRevoke{Address: bob.Addr, Role: tx.RoleAgency}),
		tx.CodeAuthNotAuthority, "may not revoke roles")
}

// TestImportRejectsCorruptSection: an exported section edited into
// something no chain holds is refused, naming the account.
func TestImportRejectsCorruptSection(t *testing.T) {
	h := newChain(t)
	h.RunOK("alice signs", h.Sign(alice, send(bob.Addr, apptest.SCN(1))))
	h.RunOK("bob signs", h.Sign(bob, send(alice.Addr, apptest.SCN(1))))
	exp, sections := h.ExportSections(t)
	cases := []struct {
		name string
		edit func(g *auth.Genesis)
		want []string
	}{
		{"another account's key", func(g *auth.Genesis) {
			i := account(t, g, alice.Addr)
			g.Accounts[i].PubKey = bob.Pub
		}, []string{"invalid auth genesis", alice.Addr.String(), "pubkey " + bob.Pub.String(), "key of address " + bob.Addr.String()}},
		{"account restored twice", func(g *auth.Genesis) {
			g.Accounts = append(g.Accounts, g.Accounts[account(t, g, bob.Addr)])
		}, []string{"invalid auth genesis", bob.Addr.String(), "given twice"}},
		{"unknown role", func(g *auth.Genesis) {
			i := account(t, g, bob.Addr)
			g.Accounts[i].Roles = append(g.Accounts[i].Roles, "root")
		}, []string{"invalid auth genesis", bob.Addr.String(), `role "root"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := apptest.ImportSections(exp, apptest.EditSection(t, sections, "auth", c.edit))
			for _, w := range c.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Fatalf("import: got %v, want an error mentioning %q", err, w)
				}
			}
		})
	}
}

func account(t *testing.T, g *auth.Genesis, addr tx.Address) int {
	t.Helper()
	for i, a := range g.Accounts {
		if a.Address == addr {
			return i
		}
	}
	t.Fatalf("no account %s in the exported section", addr)
	return 0
}

// TestExportRoundTripProposals: pending and executed proposals, with their
// approvals, expiry and the parameters, are exported and imported exactly;
// on the imported chain a pending proposal runs with the next approval and
// an executed one still refuses approvals.
func TestExportRoundTripProposals(t *testing.T) {
	h := newCouncil(t, 2, 3600)
	pending := &tx.MsgRoleGrant{Address: bob.Addr, Role: tx.IssuerRole(tx.DenomSCoin)}
	ran := &tx.MsgRoleGrant{Address: alice.Addr, Role: tx.RoleAgency}
	set := &tx.MsgValidatorSetPower{PubKey: apptest.NewKey("validator1").Pub, Power: 5, Name: "<v1>"}
	h.RunOK("propose", h.Sign(authority, pending))
	h.RunOK("propose a validator", h.Sign(authority3, set))
	h.RunOK("propose and run", h.Sign(authority2, ran))
	h.RunOK("run", h.Sign(authority3, approve(proposalID(t, ran))))
	_, sections := h.ExportSections(t)
	g := apptest.DecodeSection[auth.Genesis](t, sections, "auth")
	if g.AuthorityThreshold == nil || *g.AuthorityThreshold != 2 || g.ProposalTTLSeconds == nil || *g.ProposalTTLSeconds != 3600 || len(g.Proposals) != 3 {
		t.Fatalf("exported section: %s", sections["auth"])
	}

	imported := h.ExportRoundTrip(t)
	imported.Block()
	p := proposal(t, imported, proposalID(t, pending))
	if p == nil || p.State != tx.ProposalPending || !slices.Equal(p.Approvals, []tx.Address{authority.Addr}) {
		t.Fatalf("imported pending proposal: %+v", p)
	}
	imported.RunFail("approve twice after import", imported.Sign(authority, approve(p.ID)), tx.CodeAuthAlreadyApproved)
	imported.RunOK("the second approval runs it", imported.Sign(authority2, pending))
	if got := imported.Roles(bob.Addr); !slices.Equal(got, []string{tx.IssuerRole(tx.DenomSCoin)}) {
		t.Errorf("imported bob roles: got %v", got)
	}
	imported.RunFail("approve an executed proposal", imported.Sign(authority, approve(proposalID(t, ran))), tx.CodeAuthProposalExecuted)
	imported.RunOK("approve the validator", imported.Sign(authority, approve(proposalID(t, set))))
	if s := imported.Validators(); len(s.Validators) != 2 {
		t.Errorf("imported validators: %+v", s)
	}
}

// TestImportRejectsCorruptProposals: an exported proposal edited into one
// no chain could hold is refused, naming it and what is wrong.
func TestImportRejectsCorruptProposals(t *testing.T) {
	h := newCouncil(t, 2, 0)
	h.RunOK("propose", h.Sign(authority, &tx.MsgRoleGrant{Address: bob.Addr, Role: tx.RoleAgency}))
	h.RunOK("propose another", h.Sign(authority2, &tx.MsgRoleGrant{Address: bob.Addr, Role: tx.RoleInstaller}))
	exp, sections := h.ExportSections(t)
	k := func(v uint32) *uint32 { return &v }
	cases := []struct {
		name string
		edit func(g *auth.Genesis)
		want []string
	}{
		{"another message", func(g *auth.Genesis) {
			g.Proposals[0].Msg.Value = json.RawMessage(`{"address":"` + alice.Addr.String() + `","role":"agency"}`)
		}, []string{"proposals[0]", "the message's id is"}},
		{"not canonical", func(g *auth.Genesis) {
			g.Proposals[0].Msg.Value = json.RawMessage(`{"role":"agency","address":"` + bob.Addr.String() + `"}`)
		}, []string{"proposals[0]", "canonical"}},
		{"not an authority action", func(g *auth.Genesis) {
			g.Proposals[0].Msg = tx.Any{Type: tx.TypeBankSend, Value: json.RawMessage(`{"to":"` + bob.Addr.String() + `","amount":"1uscn"}`)}
		}, []string{"proposals[0]", "bank/send is not an authority action"}},
		{"approved by a non-authority", func(g *auth.Genesis) {
			g.Proposals[0].Approvals = []tx.Address{alice.Addr}
		}, []string{"proposals[0]", alice.Addr.String() + " is not an authority"}},
		{"approved twice", func(g *auth.Genesis) {
			g.Proposals[0].Approvals = append(g.Proposals[0].Approvals, g.Proposals[0].Approvals[0])
		}, []string{"proposals[0]", "approves twice"}},
		{"pending with enough approvals", func(g *auth.Genesis) {
			g.Proposals[0].Approvals = []tx.Address{authority.Addr, authority2.Addr}
		}, []string{"proposals[0]", "pending with 2 approvals"}},
		{"threshold raised above n", func(g *auth.Genesis) { g.AuthorityThreshold = k(4) }, []string{"authority_threshold 4"}},
		{"threshold lowered under the pending approvals", func(g *auth.Genesis) { g.AuthorityThreshold = k(1) }, []string{"pending with 1 approvals"}},
		{"unknown state", func(g *auth.Genesis) { g.Proposals[1].State = "vetoed" }, []string{"proposals[1]", `state "vetoed"`}},
		{"out of order", func(g *auth.Genesis) {
			g.Proposals[0], g.Proposals[1] = g.Proposals[1], g.Proposals[0]
		}, []string{"proposals[1]", "increasing id order"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := apptest.ImportSections(exp, apptest.EditSection(t, sections, "auth", c.edit))
			for _, w := range append(c.want, "invalid auth genesis") {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Fatalf("import: got %v, want an error mentioning %q", err, w)
				}
			}
		})
	}
}
