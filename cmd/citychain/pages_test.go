package main

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// TestDevicesCLIPages lists an account's devices a page at a time through
// the command line: one device a page by hand (--after the previous
// next) and with --all, both the same list as one big page, in id order.
func TestDevicesCLIPages(t *testing.T) {
	var devs []tx.MsgDeviceRegister
	var owners []string
	for i := range 5 {
		seed := make([]byte, ed25519.SeedSize)
		copy(seed, fmt.Sprintf("cli paging device %d", i))
		id := fmt.Sprintf("inv-page-%d", 4-i) // registered in reverse id order
		devs = append(devs, tx.MsgDeviceRegister{ID: id, Kind: tx.KindSolarInverter, PubKey: tx.PubKey(ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)),
			Metadata: tx.DeviceMetadata{SerialNumber: id, Manufacturer: "test", Model: "t", RatedPowerW: 5000, Site: "roof"}})
		owners = append(owners, "alice")
	}
	home, err := os.MkdirTemp("", "citychain-pages-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(home) })
	rpc := local.Devnet(t, home, node.DevnetOptions{TimeoutCommit: 150 * time.Millisecond, Devices: devs, DeviceOwners: owners}).RPCAddress()

	type page struct {
		Devices []struct {
			ID string `json:"id"`
		} `json:"devices"`
		Next string `json:"next"`
	}
	list := func(args ...string) page {
		t.Helper()
		var p page
		if err := json.Unmarshal([]byte(mustCLI(t, home, rpc, append([]string{"query", "devices", "alice"}, args...)...)), &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	whole := list()
	var want []string
	for _, d := range whole.Devices {
		want = append(want, d.ID)
	}
	if strings.Join(want, ",") != "inv-page-0,inv-page-1,inv-page-2,inv-page-3,inv-page-4" || whole.Next != "" {
		t.Fatalf("alice's devices on one page: got %+v, want the five in id order", whole)
	}
	var got []string
	after := ""
	for range len(want) + 1 {
		args := []string{"--limit", "1"}
		if after != "" {
			args = append(args, "--after", after)
		}
		p := list(args...)
		if len(p.Devices) != 1 {
			t.Fatalf("page after %q: got %+v, want one device", after, p)
		}
		got = append(got, p.Devices[0].ID)
		if after = p.Next; after == "" {
			break
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("one a page by hand: got %v, want %v", got, want)
	}
	if all := list("--limit", "2", "--all"); !reflect.DeepEqual(all, whole) {
		t.Fatalf("--limit 2 --all: got %+v, want %+v", all, whole)
	}
	if out, err := cli(t, home, rpc, "query", "devices", "alice", "--after", "NOT AN ID"); err == nil || !strings.Contains(err.Error(), "after") {
		t.Fatalf("--after a bad id: got %v %s, want the node's refusal", err, out)
	}
}
