package auth_test

import (
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
