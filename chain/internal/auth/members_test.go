package auth_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// TestMembersPaged: /auth/members pages through a role's holders in address
// order, each exactly once; the plain role name still answers the first
// page as an array; bad pages are refused.
func TestMembersPaged(t *testing.T) {
	accounts := apptest.DemoAccounts()
	var want []tx.Address
	for i := range 23 {
		k := apptest.NewKey(fmt.Sprintf("agency-%d", i))
		accounts = append(accounts, apptest.Account{Key: k, Roles: []string{tx.RoleAgency}})
	}
	for _, a := range accounts {
		if slices.Contains(a.Roles, tx.RoleAgency) {
			want = append(want, a.Key.Addr)
		}
	}
	slices.SortFunc(want, func(a, b tx.Address) int { return bytes.Compare(a[:], b[:]) })
	h := apptest.New(t, apptest.Options{Accounts: accounts})
	h.Block()

	for _, limit := range []uint64{1, 5, 23, 100} {
		var got []tx.Address
		after, pages := "", 0
		for {
			req, _ := json.Marshal(tx.MembersRequest{Role: tx.RoleAgency, PageRequest: tx.PageRequest{After: after, Limit: limit}})
			var page tx.MemberPage
			h.QueryJSON(t, "/auth/members", req, &page)
			got = append(got, page.Members...)
			pages++
			if page.Next == "" {
				break
			}
			if uint64(len(page.Members)) != limit {
				t.Fatalf("limit %d: a page of %d with a next", limit, len(page.Members))
			}
			after = page.Next
		}
		if !slices.Equal(got, want) {
			t.Fatalf("limit %d: %d pages gave %d members, want the %d holders in address order", limit, pages, len(got), len(want))
		}
	}
	if got := h.Members(tx.RoleAgency); !slices.Equal(got, want) {
		t.Fatalf("plain role name: got %d members, want %d", len(got), len(want))
	}
	for _, c := range []struct{ req, want string }{
		{`{"role":"agency","limit":1001}`, "limit 1001"},
		{`{"role":"agency","after":"zz"}`, "after"},
		{`{"role":"nobody"}`, "role"},
		{`{"role":"agency","page":2}`, "page"},
	} {
		res := h.Query("/auth/members", []byte(c.req), 0, false)
		if res.Code == 0 || !strings.Contains(res.Log, c.want) {
			t.Errorf("%s: got code %d %q, want a refusal naming %q", c.req, res.Code, res.Log, c.want)
		}
	}
}
