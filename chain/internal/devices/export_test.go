package devices_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/tx"
)

// exportChain is a registry with history: a genesis device, devices with
// rotated keys, revoked ones and ones that changed owner.
func exportChain(t *testing.T) *apptest.Harness {
	t.Helper()
	h := apptest.New(t, apptest.Options{Devices: []tx.MsgDeviceRegister{*register("genesis-1", bob.Addr, key3)}})
	h.Block()
	h.RunOK("register", h.Sign(installer, register("inv-1", alice.Addr, key1)))
	h.RunOK("register odometer", h.Sign(installer, &tx.MsgDeviceRegister{ID: "ev-1", Kind: tx.KindEVOdometer, Owner: bob.Addr, PubKey: key2.Pub,
		Metadata: tx.DeviceMetadata{VIN: "KMHXX00XXXX000001"}}))
	h.RunOK("register another", h.Sign(installer, register("inv-2", alice.Addr, key2)))
	h.RunOK("rotate", h.Sign(alice, &tx.MsgDeviceRotate{ID: "inv-1", PubKey: key2.Pub}))
	h.RunOK("rotate again", h.Sign(installer, &tx.MsgDeviceRotate{ID: "inv-1", PubKey: key3.Pub}))
	h.RunOK("rotate then revoke", h.Sign(alice, &tx.MsgDeviceRotate{ID: "inv-2", PubKey: key1.Pub}))
	h.RunOK("revoke", h.Sign(alice, &tx.MsgDeviceRevoke{ID: "inv-2", Reason: "replaced"}))
	h.RunOK("revoke a genesis device", h.Sign(installer, &tx.MsgDeviceRevoke{ID: "genesis-1"}))
	h.RunOK("transfer", h.Sign(bob, &tx.MsgDeviceTransfer{ID: "ev-1", NewOwner: stranger.Addr}))
	h.RunOK("transfer a rotated device", h.Sign(alice, &tx.MsgDeviceTransfer{ID: "inv-1", NewOwner: bob.Addr}))
	return h
}

// TestExportRoundTrip: the export of the registry imported gives the same
// state, and the imported registry keeps its rules: a revoked device stays
// revoked, an earlier key cannot come back, the new owner manages.
func TestExportRoundTrip(t *testing.T) {
	h := exportChain(t)
	imported := h.ExportRoundTrip(t)

	imported.Block()
	if got := ids(imported.DevicesByOwner(bob.Addr)); !slices.Equal(got, []string{"genesis-1", "inv-1"}) {
		t.Errorf("imported devices of bob: got %v", got)
	}
	if got := ids(imported.DevicesByOwner(alice.Addr)); !slices.Equal(got, []string{"inv-2"}) {
		t.Errorf("imported devices of alice: got %v", got)
	}
	imported.RunFail("rotate a revoked device", imported.Sign(alice, &tx.MsgDeviceRotate{ID: "inv-2", PubKey: key3.Pub}), tx.CodeDeviceRevoked)
	imported.RunFail("rotate back to an earlier key", imported.Sign(bob, &tx.MsgDeviceRotate{ID: "inv-1", PubKey: key1.Pub}), tx.CodeDeviceSameKey, "epoch 1")
	imported.RunFail("the old owner transfers", imported.Sign(alice, &tx.MsgDeviceTransfer{ID: "inv-1", NewOwner: alice.Addr}), tx.CodeDeviceNotOwner)
	imported.RunOK("the new owner transfers", imported.Sign(bob, &tx.MsgDeviceTransfer{ID: "inv-1", NewOwner: alice.Addr}))
	imported.RunFail("register over an exported id", imported.Sign(installer, register("ev-1", alice.Addr, key1)), tx.CodeDeviceExists)
}

// TestImportRejectsCorruptSection: records edited into something the
// registry never holds are refused, naming the device and the field.
func TestImportRejectsCorruptSection(t *testing.T) {
	h := exportChain(t)
	exp, sections := h.ExportSections(t)
	cases := []struct {
		name string
		edit func(d *devices.Device)
		want []string
	}{
		{"current key not the last of the history", func(d *devices.Device) {
			if d.ID == "inv-1" {
				d.PubKey = key1.Pub
			}
		}, []string{"invalid devices genesis", `device "inv-1"`, "pubkey " + key1.Pub.String(), "want the last key"}},
		{"epoch gap", func(d *devices.Device) {
			if d.ID == "inv-1" {
				d.Keys[1].Epoch = 3
			}
		}, []string{"invalid devices genesis", `device "inv-1"`, "keys[1].epoch 3: want 2"}},
		{"revoked device reactivated", func(d *devices.Device) {
			if d.ID == "inv-2" {
				d.Status = devices.StatusActive
			}
		}, []string{"invalid devices genesis", `device "inv-2"`, `status "active" with revoked_height`}},
		{"unknown status", func(d *devices.Device) {
			if d.ID == "ev-1" {
				d.Status = "lost"
			}
		}, []string{"invalid devices genesis", `device "ev-1"`, `status "lost"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := apptest.ImportSections(exp, apptest.EditSection(t, sections, "devices", func(g *devices.Genesis) {
				for i := range g.Records {
					c.edit(&g.Records[i])
				}
			}))
			for _, w := range c.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Fatalf("import: got %v, want an error mentioning %q", err, w)
				}
			}
		})
	}
	err := apptest.ImportSections(exp, apptest.EditSection(t, sections, "devices", func(g *devices.Genesis) {
		g.Devices = append(g.Devices, *register("ev-1", alice.Addr, key1))
	}))
	if err == nil || !strings.Contains(err.Error(), `records[0]: device "ev-1" is already registered`) {
		t.Errorf("a record of a device also registered: got %v", err)
	}
}
