package devices_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// TestByOwnerPages fills an account with more devices than a page holds
// and pages through them with several limits: every device exactly once,
// in id order, none of another owner's, and an empty next on the last
// page. A limit above the maximum and a cursor that is no device id are
// refused with the bad query code; the older plain request gets the first
// page with the default limit.
func TestByOwnerPages(t *testing.T) {
	const n = 2*tx.DefaultListLimit + 37
	var devs []tx.MsgDeviceRegister
	var want []string
	for i := range n {
		// Registered out of order: the pages follow the store's key order.
		id := fmt.Sprintf("dev-%03d", (i*7919)%n)
		devs = append(devs, *register(id, alice.Addr, key1))
		want = append(want, id)
	}
	for i := range 3 {
		devs = append(devs, *register(fmt.Sprintf("dev-%03d-b", i), bob.Addr, key2))
	}
	slices.Sort(want)
	h := apptest.New(t, apptest.Options{Accounts: accounts(), Devices: devs})
	h.Block()

	page := func(req tx.DevicesByOwnerRequest) tx.DevicePage {
		t.Helper()
		var p tx.DevicePage
		h.QueryJSON(t, "/devices/by_owner", apptest.MustJSON(t, req), &p)
		return p
	}
	for _, limit := range []uint64{1, 7, 0, tx.MaxListLimit} {
		t.Run(fmt.Sprintf("limit %d", limit), func(t *testing.T) {
			var got []string
			req := tx.DevicesByOwnerRequest{Owner: alice.Addr, PageRequest: tx.PageRequest{Limit: limit}}
			size := limit
			if size == 0 {
				size = tx.DefaultListLimit
			}
			for pages := 0; ; pages++ {
				if pages > n {
					t.Fatalf("more than %d pages", n)
				}
				p := page(req)
				if uint64(len(p.Devices)) > size {
					t.Fatalf("page after %q: got %d devices, want at most %d", req.After, len(p.Devices), size)
				}
				for _, d := range p.Devices {
					if d.Owner != alice.Addr {
						t.Fatalf("page after %q: device %s of %s, want only alice's", req.After, d.ID, d.Owner)
					}
					got = append(got, d.ID)
				}
				if p.Next == "" {
					break
				}
				if len(p.Devices) == 0 || p.Next != p.Devices[len(p.Devices)-1].ID {
					t.Fatalf("page after %q: next %q, want the last device of the page", req.After, p.Next)
				}
				req.After = p.Next
			}
			if !slices.Equal(got, want) {
				t.Fatalf("paged through %d devices %v, want each of the %d exactly once in id order", len(got), got, len(want))
			}
		})
	}

	var first []tx.Device
	h.QueryJSON(t, "/devices/by_owner", []byte(alice.Addr.String()), &first)
	if len(first) != tx.DefaultListLimit || first[0].ID != want[0] || first[len(first)-1].ID != want[tx.DefaultListLimit-1] {
		t.Fatalf("plain request: got %d devices, want the first %d", len(first), tx.DefaultListLimit)
	}
	if p := page(tx.DevicesByOwnerRequest{Owner: stranger.Addr}); len(p.Devices) != 0 || p.Next != "" || p.Devices == nil {
		t.Fatalf("an account without devices: got %+v, want an empty list", p)
	}

	for _, c := range []struct {
		name string
		data []byte
		log  string
	}{
		{"limit over the maximum", apptest.MustJSON(t, tx.DevicesByOwnerRequest{Owner: alice.Addr, PageRequest: tx.PageRequest{Limit: tx.MaxListLimit + 1}}), "limit 1001: want at most 1000"},
		{"cursor not a device id", apptest.MustJSON(t, tx.DevicesByOwnerRequest{Owner: alice.Addr, PageRequest: tx.PageRequest{After: "NOT AN ID"}}), "after"},
		{"unknown field", []byte(`{"owner":"` + alice.Addr.String() + `","page":2}`), `unknown field "page"`},
		{"plain data not an address", []byte("nobody"), `"nobody"`},
	} {
		apptest.RequireCode(t, c.name, h.Query("/devices/by_owner", c.data, 0, false), tx.CodeAppBadQuery, c.log)
	}
}
