package devices_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/tx"
)

// exportChain is a registry with history: a genesis device, devices with
// rotated keys, revoked ones, ones that changed owner and one reassigned to
// another installer.
func exportChain(t *testing.T) *apptest.Harness {
	t.Helper()
	h := apptest.New(t, apptest.Options{Accounts: accounts(), Devices: []tx.MsgDeviceRegister{*register("genesis-1", bob.Addr, key3)}})
	h.Block()
	h.RunOK("register", h.Sign(installer, register("inv-1", alice.Addr, key1)))
	h.RunOK("register odometer", h.Sign(installer, &tx.MsgDeviceRegister{ID: "ev-1", Kind: tx.KindEVOdometer, Owner: bob.Addr, PubKey: key2.Pub,
		Metadata: tx.DeviceMetadata{VIN: "KMHXX00XXXX000001"}}))
	h.RunOK("register another", h.Sign(installer, register("inv-2", alice.Addr, key2)))
	h.RunOK("rotate", h.Sign(installer, &tx.MsgDeviceRotate{ID: "inv-1", PubKey: key2.Pub}))
	h.RunOK("rotate again", h.Sign(authority, &tx.MsgDeviceRotate{ID: "inv-1", PubKey: key3.Pub}))
	h.RunOK("rotate then revoke", h.Sign(installer, &tx.MsgDeviceRotate{ID: "inv-2", PubKey: key1.Pub}))
	h.RunOK("revoke", h.Sign(installer, &tx.MsgDeviceRevoke{ID: "inv-2", Reason: "replaced"}))
	h.RunOK("revoke a genesis device", h.Sign(installer, &tx.MsgDeviceRevoke{ID: "genesis-1"}))
	h.RunOK("reassign", h.Sign(authority, &tx.MsgDeviceReassignInstaller{ID: "ev-1", Installer: installer2.Addr}))
	h.RunOK("transfer", h.Sign(bob, &tx.MsgDeviceTransfer{ID: "ev-1", NewOwner: stranger.Addr}))
	h.RunOK("transfer a rotated device", h.Sign(alice, &tx.MsgDeviceTransfer{ID: "inv-1", NewOwner: bob.Addr}))
	return h
}

// TestExportRoundTrip: the export of the registry imported gives the same
// state, and the imported registry keeps its rules: a revoked device stays
// revoked, an earlier key cannot come back, the new owner transfers, the
// installer of record (and only it) rotates, the key history keeps its
// heights and times.
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
	want, _ := h.Device("inv-1")
	if got, _ := imported.Device("inv-1"); !reflect.DeepEqual(got, want) || got.Installer != installer.Addr || len(got.Keys) != 3 || got.Keys[1].ToTime.IsZero() {
		t.Errorf("imported inv-1: got %+v, want %+v", got, want)
	}
	if got, _ := imported.Device("ev-1"); got.Installer != installer2.Addr {
		t.Errorf("imported ev-1: installer %s, want %s", got.Installer, installer2.Addr)
	}
	imported.RunFail("rotate a revoked device", imported.Sign(installer, &tx.MsgDeviceRotate{ID: "inv-2", PubKey: key3.Pub}), tx.CodeDeviceRevoked)
	imported.RunFail("rotate back to an earlier key", imported.Sign(installer, &tx.MsgDeviceRotate{ID: "inv-1", PubKey: key1.Pub}), tx.CodeDeviceSameKey, "epoch 1")
	imported.RunFail("the owner rotates", imported.Sign(bob, &tx.MsgDeviceRotate{ID: "inv-1", PubKey: key1.Pub}), tx.CodeDeviceOwnerAlone)
	imported.RunFail("the former installer rotates", imported.Sign(installer, &tx.MsgDeviceRotate{ID: "ev-1", PubKey: key1.Pub}), tx.CodeDeviceNotItsInstaller)
	imported.RunOK("the reassigned installer rotates", imported.Sign(installer2, &tx.MsgDeviceRotate{ID: "ev-1", PubKey: key1.Pub}))
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
		{"replaced key without an end time", func(d *devices.Device) {
			if d.ID == "inv-1" {
				d.Keys[0].ToTime = time.Time{}
			}
		}, []string{"invalid devices genesis", `device "inv-1"`, "keys[0]: to_height", `to_time ""`}},
		{"key starting before the previous one ends", func(d *devices.Device) {
			if d.ID == "inv-1" {
				d.Keys[2].FromTime = d.Keys[2].FromTime.Add(-time.Second)
			}
		}, []string{"invalid devices genesis", `device "inv-1"`, "keys[2].from_time", "where the previous key ends"}},
		{"key with no start time", func(d *devices.Device) {
			if d.ID == "ev-1" {
				d.Keys[0].FromTime = time.Time{}
			}
		}, []string{"invalid devices genesis", `device "ev-1"`, "keys[0].from_time"}},
		{"key ending before it starts", func(d *devices.Device) {
			if d.ID == "genesis-1" {
				d.Keys[0].ToTime = d.Keys[0].FromTime.Add(-time.Second)
			}
		}, []string{"invalid devices genesis", `device "genesis-1"`, "keys[0].to_time", "before its from_time"}},
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

// TestInstallerWithoutRole: an installer of record that no longer holds the
// installer role (here: an export edited so, as after a role revocation)
// is imported as it is, but can no longer rotate or revoke; an authority
// still can.
func TestInstallerWithoutRole(t *testing.T) {
	h := exportChain(t)
	exp, sections := h.ExportSections(t)
	edited := apptest.EditSection(t, sections, "devices", func(g *devices.Genesis) {
		for i := range g.Records {
			if g.Records[i].ID == "inv-1" {
				g.Records[i].Installer = alice.Addr // holds no role
			}
		}
	})
	imported := apptest.New(t, apptest.Options{AppState: apptest.MustJSON(t, edited), GenesisTime: exp.Time, Validators: exp.Validators})
	imported.Block()
	before, _ := imported.Device("inv-1")
	if before.Installer != alice.Addr {
		t.Fatalf("imported installer: got %s, want %s", before.Installer, alice.Addr)
	}
	imported.RunFail("rotate by an installer of record without the role", imported.Sign(alice, &tx.MsgDeviceRotate{ID: "inv-1", PubKey: key1.Pub}),
		tx.CodeDeviceNotInstaller, alice.Addr.String(), `installed "inv-1" but no longer holds role "installer"`)
	imported.RunFail("revoke by an installer of record without the role", imported.Sign(alice, &tx.MsgDeviceRevoke{ID: "inv-1"}), tx.CodeDeviceNotInstaller)
	requireUnchanged(t, imported, before)
	imported.RunOK("an authority rotates it", imported.Sign(authority, &tx.MsgDeviceRotate{ID: "inv-1", PubKey: apptest.NewKey("devices-test-key-4").Pub}))
}
