package auth_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/auth"
	"github.com/citychain/citychain/chain/tx"
)

var (
	authority2 = apptest.NewKey("authority2")
	authority3 = apptest.NewKey("authority3")
)

// councilState is the demo genesis with two more authorities and
// authority_threshold k (and proposal_ttl_seconds ttl when non-zero).
func councilState(k uint32, ttl uint64) *app.AppState {
	accts := append(apptest.DemoAccounts(),
		apptest.Account{Key: authority2, Authority: true, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: authority3, Authority: true, Coins: []tx.Coin{apptest.SCN(10)}})
	st := apptest.BuildAppState(accts, nil)
	st.Auth.AuthorityThreshold = &k
	if ttl != 0 {
		st.Auth.ProposalTTLSeconds = &ttl
	}
	return st
}

// newCouncil is a chain of three authorities of which k must agree.
func newCouncil(t *testing.T, k uint32, ttl uint64) *apptest.Harness {
	t.Helper()
	h := apptest.New(t, apptest.Options{AppState: apptest.MustJSON(t, councilState(k, ttl))})
	h.Block()
	return h
}

func proposalID(t *testing.T, m tx.Msg) tx.ProposalID {
	t.Helper()
	id, err := tx.ProposalIDOf(m)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// proposal is the committed proposal id, or nil.
func proposal(t *testing.T, h *apptest.Harness, id tx.ProposalID) *tx.Proposal {
	t.Helper()
	res := h.Query("/auth/proposal", []byte(id.String()), 0, false)
	if tx.CodeAppNotFound.Matches(res.Codespace, res.Code) {
		return nil
	}
	apptest.RequireOK(t, "query proposal", res)
	var p tx.Proposal
	if err := json.Unmarshal(res.Value, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

func proposals(t *testing.T, h *apptest.Harness, req tx.ProposalListRequest) tx.ProposalPage {
	t.Helper()
	var page tx.ProposalPage
	h.QueryJSON(t, "/auth/proposals", apptest.MustJSON(t, req), &page)
	return page
}

func approve(id tx.ProposalID) *tx.MsgProposalApprove { return &tx.MsgProposalApprove{ID: id} }

// TestIssuerGrantNeedsTwoOfThree: with 2 of 3 authorities, one authority's
// grant of the S-Coin issuer role grants nothing (the would-be issuer
// cannot mint); the same authority cannot approve twice; a second
// authority's approval runs it; the grant is revocable the same way, and
// the revoked issuer can mint no more.
func TestIssuerGrantNeedsTwoOfThree(t *testing.T) {
	h := newCouncil(t, 2, 0)
	issuer := tx.IssuerRole(tx.DenomSCoin)
	grant := &tx.MsgRoleGrant{Address: bob.Addr, Role: issuer}
	id := proposalID(t, grant)
	mint := func() *tx.MsgMint { return &tx.MsgMint{To: bob.Addr, Amount: apptest.SCN(1_000_000)} }
	supply := h.Supply(tx.DenomSCoin)

	res := h.RunOK("one authority grants", h.Sign(authority, grant))
	if !apptest.HasEvent(res.Events, "auth.proposal_approved", "id", id.String(), "approvals", "1", "threshold", "2", "type", tx.TypeRoleGrant) ||
		apptest.HasEvent(res.Events, "auth.role_granted") {
		t.Fatalf("first approval events: %v", res.Events)
	}
	if got := h.Roles(bob.Addr); got != nil {
		t.Fatalf("bob roles after one approval: got %v, want none", got)
	}
	h.RunFail("the would-be issuer mints", h.Sign(bob, mint()), tx.CodeBankNotIssuer)
	h.RunFail("the same authority sends it again", h.Sign(authority, grant), tx.CodeAuthAlreadyApproved, authority.Addr.String(), "1 of 2")
	h.RunFail("the same authority approves by id", h.Sign(authority, approve(id)), tx.CodeAuthAlreadyApproved)
	h.RunFail("a non-authority approves", h.Sign(alice, approve(id)), tx.CodeAuthNotAuthority, "may not approve")
	h.RunFail("a non-authority sends the grant", h.Sign(alice, grant), tx.CodeAuthNotAuthority, "may not grant roles")
	p := proposal(t, h, id)
	if p == nil || p.State != tx.ProposalPending || !slices.Equal(p.Approvals, []tx.Address{authority.Addr}) || p.Msg.Type != tx.TypeRoleGrant {
		t.Fatalf("pending proposal: got %+v", p)
	}
	if want := apptest.BlockTime(2).Add(7 * 24 * time.Hour); !p.Expires.Equal(want) {
		t.Errorf("expires: got %s, want %s (block 2 + 7 days)", p.Expires, want)
	}

	res = h.RunOK("a second authority approves", h.Sign(authority2, approve(id)))
	if !apptest.HasEvent(res.Events, "auth.proposal_executed", "id", id.String(), "approvals", "2", "approver", authority2.Addr.String()) ||
		!apptest.HasEvent(res.Events, "auth.role_granted", "address", bob.Addr.String(), "role", issuer) {
		t.Fatalf("second approval events: %v", res.Events)
	}
	if got := h.Roles(bob.Addr); !slices.Equal(got, []string{issuer}) {
		t.Fatalf("bob roles: got %v, want %s", got, issuer)
	}
	if p := proposal(t, h, id); p == nil || p.State != tx.ProposalExecuted || p.ExecutedHeight != h.Height {
		t.Errorf("executed proposal: got %+v", p)
	}
	h.RunFail("a third approval", h.Sign(authority3, approve(id)), tx.CodeAuthProposalExecuted, "ran at height")
	h.RunOK("the new issuer mints", h.Sign(bob, mint()))
	if got, want := h.Supply(tx.DenomSCoin), supply+apptest.SCN(1_000_000).Amount; got != want {
		t.Errorf("supply: got %d, want %d", got, want)
	}

	// Revocation takes two authorities as well.
	revoke := &tx.MsgRoleRevoke{Address: bob.Addr, Role: issuer}
	h.RunOK("one authority revokes", h.Sign(authority3, revoke))
	h.RunOK("the issuer still mints", h.Sign(bob, mint()))
	res = h.RunOK("another sends the same revocation", h.Sign(authority, revoke))
	if !apptest.HasEvent(res.Events, "auth.role_revoked", "address", bob.Addr.String(), "role", issuer) {
		t.Fatalf("revocation events: %v", res.Events)
	}
	h.RunFail("the revoked issuer mints", h.Sign(bob, mint()), tx.CodeBankNotIssuer)
	if got := h.Roles(bob.Addr); got != nil {
		t.Errorf("bob roles after revocation: got %v", got)
	}

	// The same grant again is a new proposal (the executed one is replaced).
	res = h.RunOK("grant again", h.Sign(authority2, grant))
	if !apptest.HasEvent(res.Events, "auth.proposal_created", "id", id.String()) || !apptest.HasEvent(res.Events, "auth.proposal_approved", "approvals", "1") {
		t.Fatalf("a new round: events %v", res.Events)
	}
	if p := proposal(t, h, id); p == nil || p.State != tx.ProposalPending || !slices.Equal(p.Approvals, []tx.Address{authority2.Addr}) {
		t.Errorf("new round: got %+v", p)
	}
}

// TestFailingActionKeepsProposal: the approval that would run an action
// that fails fails as a whole; the proposal keeps its approvals.
func TestFailingActionKeepsProposal(t *testing.T) {
	h := newCouncil(t, 2, 0)
	grant := &tx.MsgRoleGrant{Address: apptest.Installer.Addr, Role: tx.RoleInstaller} // already held
	id := proposalID(t, grant)
	h.RunOK("propose", h.Sign(authority, grant))
	h.RunFail("the approval that runs it", h.Sign(authority2, approve(id)), tx.CodeAuthRoleHeld, "message 0 (auth/approve)")
	if p := proposal(t, h, id); p == nil || p.State != tx.ProposalPending || len(p.Approvals) != 1 {
		t.Errorf("proposal after a failed run: got %+v", p)
	}
	// Two messages, the second failing: nothing of the first is kept.
	other := &tx.MsgRoleGrant{Address: alice.Addr, Role: tx.RoleAgency}
	h.RunFail("propose, then fail", h.Sign(authority, other, send(bob.Addr, apptest.SCN(1_000_000))), tx.CodeBankInsufficientFunds, "message 1")
	h.RunFail("propose twice in one tx", h.Sign(authority3, other, other), tx.CodeAuthAlreadyApproved, "message 1")
	if p := proposal(t, h, proposalID(t, other)); p != nil {
		t.Errorf("a failed transaction left proposal %+v", p)
	}
}

// TestValidatorChangeNeedsApprovals: a validator change is an authority
// action too; CometBFT gets no update before the k-th approval.
func TestValidatorChangeNeedsApprovals(t *testing.T) {
	h := newCouncil(t, 2, 0)
	v := apptest.NewKey("validator1")
	set := &tx.MsgValidatorSetPower{PubKey: v.Pub, Power: 10, Name: "v1"}
	before := h.Validators()
	b := h.Block(h.Sign(authority, set))
	apptest.RequireOK(t, "one authority", b.TxResult(0))
	if len(b.Result.ValidatorUpdates) != 0 || len(h.Validators().Validators) != len(before.Validators) {
		t.Fatalf("one approval changed the set: updates %v, set %+v", b.Result.ValidatorUpdates, h.Validators())
	}
	h.RunFail("a non-authority", h.Sign(alice, set), tx.CodeValidatorNotAuthority)
	b = h.Block(h.Sign(authority3, set))
	apptest.RequireOK(t, "a second authority", b.TxResult(0))
	if len(b.Result.ValidatorUpdates) != 1 || b.Result.ValidatorUpdates[0].Power != 10 {
		t.Fatalf("updates after the second approval: %v", b.Result.ValidatorUpdates)
	}
	if s := h.Validators(); len(s.Validators) != len(before.Validators)+1 || s.TotalPower != before.TotalPower+10 {
		t.Errorf("set after the second approval: %+v", s)
	}
}

// TestProposalExpiry: a proposal can be approved until its expiry; after
// it, an approval is refused and the end of that block removes it, while
// sending the message again starts a new proposal.
func TestProposalExpiry(t *testing.T) {
	h := newCouncil(t, 2, auth.MinProposalTTLSeconds)
	late := &tx.MsgRoleGrant{Address: bob.Addr, Role: tx.RoleAgency}
	early := &tx.MsgRoleGrant{Address: alice.Addr, Role: tx.RoleAgency}
	lateID, earlyID := proposalID(t, late), proposalID(t, early)
	b := h.Block(h.Sign(authority, late), h.Sign(authority, early))
	for i := range 2 {
		apptest.RequireOK(t, "propose", b.TxResult(i))
	}
	expires := h.BlockTime(b.Height).Add(auth.MinProposalTTLSeconds * time.Second)
	for h.BlockTime(h.Height + 2).Before(expires) {
		h.Block()
	}
	// The last block before the expiry.
	h.RunOK("approve just before the expiry", h.Sign(authority2, approve(earlyID)))
	if got := h.Roles(alice.Addr); !slices.Equal(got, []string{tx.RoleAgency}) {
		t.Fatalf("alice roles: got %v", got)
	}
	if !h.BlockTime(h.Height + 1).Equal(expires) {
		t.Fatalf("test setup: next block at %s, expiry at %s", h.BlockTime(h.Height+1), expires)
	}
	b = h.Block(h.Sign(authority2, approve(lateID)))
	apptest.RequireCode(t, "approve at the expiry", b.TxResult(0), tx.CodeAuthProposalExpired, lateID.String(), "1 approvals")
	if !apptest.HasEvent(b.Result.Events, "auth.proposal_expired", "id", lateID.String(), "approvals", "1") {
		t.Errorf("end-of-block events: %v", b.Result.Events)
	}
	if p, q := proposal(t, h, lateID), proposal(t, h, earlyID); p != nil || q != nil {
		t.Fatalf("expired proposals still stored: %+v %+v", p, q)
	}
	h.RunFail("approve after removal", h.Sign(authority3, approve(lateID)), tx.CodeAuthUnknownProposal)
	h.RunFail("send the same message after removal, as a non-authority", h.Sign(bob, late), tx.CodeAuthNotAuthority)
	if got := h.Roles(bob.Addr); got != nil {
		t.Errorf("bob roles: got %v", got)
	}
	res := h.RunOK("send it again", h.Sign(authority2, late))
	if !apptest.HasEvent(res.Events, "auth.proposal_created", "id", lateID.String()) {
		t.Errorf("new round events: %v", res.Events)
	}
	h.RunOK("and approve", h.Sign(authority, approve(lateID)))
	if got := h.Roles(bob.Addr); !slices.Equal(got, []string{tx.RoleAgency}) {
		t.Errorf("bob roles: got %v", got)
	}
}

// TestWithdraw: an authority takes its approval back; a proposal without
// approvals is gone.
func TestWithdraw(t *testing.T) {
	h := newCouncil(t, 3, 0)
	grant := &tx.MsgRoleGrant{Address: bob.Addr, Role: tx.RoleInstaller}
	id := proposalID(t, grant)
	h.RunOK("propose", h.Sign(authority, grant))
	h.RunOK("approve", h.Sign(authority2, approve(id)))
	h.RunFail("withdraw without approving", h.Sign(authority3, &tx.MsgProposalWithdraw{ID: id}), tx.CodeAuthNotApproved)
	h.RunFail("a non-authority withdraws", h.Sign(alice, &tx.MsgProposalWithdraw{ID: id}), tx.CodeAuthNotAuthority)
	res := h.RunOK("withdraw", h.Sign(authority, &tx.MsgProposalWithdraw{ID: id}))
	if !apptest.HasEvent(res.Events, "auth.proposal_withdrawn", "id", id.String(), "approvals", "1") {
		t.Errorf("withdraw events: %v", res.Events)
	}
	h.RunOK("approve again after withdrawing", h.Sign(authority, approve(id)))
	h.RunOK("withdraw", h.Sign(authority, &tx.MsgProposalWithdraw{ID: id}))
	h.RunOK("withdraw the last approval", h.Sign(authority2, &tx.MsgProposalWithdraw{ID: id}))
	if p := proposal(t, h, id); p != nil {
		t.Fatalf("proposal without approvals: %+v", p)
	}
	h.RunFail("approve a withdrawn proposal", h.Sign(authority3, approve(id)), tx.CodeAuthUnknownProposal)
	if got := h.Roles(bob.Addr); got != nil {
		t.Errorf("bob roles: got %v", got)
	}
}

// TestOneOfOneRunsAtOnce: with the default threshold an authority action
// runs at once and leaves no proposal behind, as before proposals existed.
func TestOneOfOneRunsAtOnce(t *testing.T) {
	h := newChain(t)
	grant := &tx.MsgRoleGrant{Address: bob.Addr, Role: tx.IssuerRole(tx.DenomSCoin)}
	res := h.RunOK("grant", h.Sign(authority, grant))
	for _, e := range res.Events {
		if strings.HasPrefix(e.Type, "auth.proposal") {
			t.Errorf("1 of 1 emitted %v", e)
		}
	}
	h.RunOK("the issuer mints", h.Sign(bob, &tx.MsgMint{To: bob.Addr, Amount: apptest.SCN(1)}))
	if page := proposals(t, h, tx.ProposalListRequest{}); page.Threshold != 1 || page.Authorities != 1 || len(page.Proposals) != 0 {
		t.Errorf("proposals: got %+v", page)
	}
	h.RunFail("approve by id", h.Sign(authority, approve(proposalID(t, grant))), tx.CodeAuthUnknownProposal)
	var params tx.AuthParams
	h.QueryJSON(t, "/auth/params", nil, &params)
	if params != auth.DefaultParams() {
		t.Errorf("params: got %+v", params)
	}
}

// TestAuthorityActionsRefuseOthers: every authority action is refused to
// an account that is no authority, whatever the threshold, and leaves no
// proposal. The list of actions must cover every type marked as one.
func TestAuthorityActionsRefuseOthers(t *testing.T) {
	actions := map[string]struct {
		msg  tx.Msg
		code tx.Code
	}{
		tx.TypeRoleGrant:               {&tx.MsgRoleGrant{Address: alice.Addr, Role: tx.RoleAgency}, tx.CodeAuthNotAuthority},
		tx.TypeRoleRevoke:              {&tx.MsgRoleRevoke{Address: apptest.Agency.Addr, Role: tx.RoleAgency}, tx.CodeAuthNotAuthority},
		tx.TypeValidatorSetPower:       {&tx.MsgValidatorSetPower{PubKey: apptest.NewKey("v9").Pub, Power: 1}, tx.CodeValidatorNotAuthority},
		tx.TypeDeviceReassignInstaller: {&tx.MsgDeviceReassignInstaller{ID: "inv-1", Installer: apptest.Installer.Addr}, tx.CodeDeviceNotAuthority},
		tx.TypeRegistryEnable:          {&tx.MsgRegistryEnable{Name: "pets", Def: tx.Hash32{1}}, tx.CodeRegistryNotAuthority},
	}
	var marked []string
	for _, typ := range tx.MsgTypes() {
		if tx.IsAuthorityAction(typ) {
			marked = append(marked, typ)
			if _, ok := actions[typ]; !ok {
				t.Errorf("authority action %s has no case here", typ)
			}
		}
	}
	if len(marked) != len(actions) {
		t.Errorf("authority actions: got %v, the test has %d", marked, len(actions))
	}
	for _, k := range []uint32{1, 2} {
		h := newCouncil(t, k, 0)
		for _, typ := range marked {
			a := actions[typ]
			h.RunFail(typ, h.Sign(apptest.Registrar, a.msg), a.code)
		}
		if page := proposals(t, h, tx.ProposalListRequest{}); len(page.Proposals) != 0 || page.Threshold != k || page.Authorities != 3 {
			t.Errorf("k=%d: proposals: %+v", k, page)
		}
	}
}

// TestProposalsPaged: /auth/proposals pages in id order.
func TestProposalsPaged(t *testing.T) {
	h := newCouncil(t, 3, 0)
	var msgs []tx.Msg
	var ids []tx.ProposalID
	for _, r := range []string{tx.RoleAgency, tx.RoleInstaller, tx.RoleGridOperator, tx.RoleTreasury, tx.RoleMileageIssuer} {
		m := &tx.MsgRoleGrant{Address: bob.Addr, Role: r}
		msgs = append(msgs, m)
		ids = append(ids, proposalID(t, m))
	}
	h.RunOK("five proposals", h.Sign(authority, msgs...))
	slices.SortFunc(ids, func(a, b tx.ProposalID) int { return strings.Compare(a.String(), b.String()) })
	var got []tx.ProposalID
	req := tx.ProposalListRequest{PageRequest: tx.PageRequest{Limit: 2}}
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("too many pages")
		}
		page := proposals(t, h, req)
		for _, p := range page.Proposals {
			got = append(got, p.ID)
		}
		if page.Next == "" {
			break
		}
		req.After = page.Next
	}
	if !slices.Equal(got, ids) {
		t.Errorf("paged ids: got %v, want %v", got, ids)
	}
	apptest.RequireCode(t, "bad request", h.Query("/auth/proposals", []byte(`{"limit":1,"admin":true}`), 0, false), tx.CodeAppBadQuery)
	apptest.RequireCode(t, "limit too high", h.Query("/auth/proposals", []byte(`{"limit":1001}`), 0, false), tx.CodeAppBadQuery, "limit 1001")
	apptest.RequireCode(t, "bad cursor", h.Query("/auth/proposals", []byte(`{"after":"00"}`), 0, false), tx.CodeAppBadQuery, "after")
	apptest.RequireCode(t, "bad id", h.Query("/auth/proposal", []byte("xyz"), 0, false), tx.CodeAppBadQuery, "64 hex")
}

// TestGenesisThreshold: the threshold is 1 to the number of authorities
// and the lifetime a minute to a year; anything else is refused, naming it.
func TestGenesisThreshold(t *testing.T) {
	cases := []struct {
		name string
		k    uint32
		ttl  uint64
		want string
	}{
		{"k above n", 4, 0, "authority_threshold 4: want 1 to the number of authorities, 3"},
		{"k zero", 0, 0, "authority_threshold 0: want 1 to the number of authorities, 3"},
		{"ttl too short", 2, 59, "proposal_ttl_seconds 59: want 60"},
		{"ttl too long", 2, auth.MaxProposalTTLSeconds + 1, "proposal_ttl_seconds 31536001"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := initChain(t, councilState(c.k, c.ttl))
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "invalid auth genesis") {
				t.Fatalf("InitChain: got %v, want an error mentioning %q", err, c.want)
			}
		})
	}
	if err := initChain(t, councilState(3, auth.MaxProposalTTLSeconds)); err != nil {
		t.Errorf("3 of 3: %v", err)
	}
}

func initChain(t *testing.T, st *app.AppState) error {
	t.Helper()
	a, err := app.New(dbm.NewMemDB(), app.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	_, err = a.InitChain(context.Background(), &abci.RequestInitChain{
		ChainId: apptest.ChainID, Time: apptest.GenesisTime, InitialHeight: 1, AppStateBytes: apptest.MustJSON(t, st),
		Validators: apptest.GenesisValidators(),
	})
	return err
}

// TestPendingApprovalsBounded: one authority (a stolen key, say) cannot
// fill the state with proposals: past MaxPendingApprovals pending
// approvals its next proposal is refused, until some run or are withdrawn.
func TestPendingApprovalsBounded(t *testing.T) {
	h := newCouncil(t, 2, 0)
	denom := func(i int) string { return "u" + string(rune('a'+i/26%26)) + string(rune('a'+i%26)) }
	grant := func(i int) tx.Msg { return &tx.MsgRoleGrant{Address: bob.Addr, Role: tx.IssuerRole(denom(i))} }
	for start := 0; start < auth.MaxPendingApprovals; start += tx.MaxMsgs {
		var msgs []tx.Msg
		for i := start; i < min(start+tx.MaxMsgs, auth.MaxPendingApprovals); i++ {
			msgs = append(msgs, grant(i))
		}
		h.RunOK("proposals", h.Sign(authority, msgs...))
	}
	next := grant(auth.MaxPendingApprovals)
	h.RunFail("one proposal too many", h.Sign(authority, next), tx.CodeAuthTooManyPending, authority.Addr.String(), "100 pending proposals")
	h.RunOK("another authority proposes", h.Sign(authority2, next))
	h.RunFail("an authority that did not approve it withdraws", h.Sign(authority3, &tx.MsgProposalWithdraw{ID: proposalID(t, next)}), tx.CodeAuthNotApproved)
	h.RunOK("the first authority's approval runs it, whatever its count", h.Sign(authority, next))
	if got := h.Roles(bob.Addr); !slices.Contains(got, tx.IssuerRole(denom(auth.MaxPendingApprovals))) {
		t.Fatalf("bob roles: %v", got)
	}
	h.RunFail("still full", h.Sign(authority, grant(auth.MaxPendingApprovals+1)), tx.CodeAuthTooManyPending)
	h.RunOK("one of its proposals runs", h.Sign(authority3, approve(proposalID(t, grant(0)))))
	h.RunOK("room for one more", h.Sign(authority, grant(auth.MaxPendingApprovals+1)))
	h.RunFail("full again", h.Sign(authority, grant(auth.MaxPendingApprovals+2)), tx.CodeAuthTooManyPending)
	h.RunOK("withdraw one", h.Sign(authority, &tx.MsgProposalWithdraw{ID: proposalID(t, grant(1))}))
	h.RunOK("room again", h.Sign(authority, grant(auth.MaxPendingApprovals+2)))
	h.ExportRoundTrip(t)
}
