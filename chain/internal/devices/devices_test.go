package devices_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/tx"
)

var (
	alice     = apptest.Alice
	bob       = apptest.Bob
	installer = apptest.Installer
	authority = apptest.Authority
	stranger  = apptest.Stranger
	// installer2 is a second installer, who installed none of the devices
	// unless a test says so.
	installer2 = apptest.NewKey("installer-2")
	key1       = apptest.NewKey("devices-test-key-1")
	key2       = apptest.NewKey("devices-test-key-2")
	key3       = apptest.NewKey("devices-test-key-3")
)

func register(id string, owner tx.Address, k apptest.Key) *tx.MsgDeviceRegister {
	return &tx.MsgDeviceRegister{ID: id, Kind: tx.KindSolarInverter, Owner: owner, PubKey: k.Pub,
		Metadata: tx.DeviceMetadata{SerialNumber: "SN-" + id, Manufacturer: "Acme", RatedPowerW: 6000, Site: "roof A"}}
}

func newChain(t *testing.T) *apptest.Harness {
	h := apptest.New(t, apptest.Options{Accounts: accounts()})
	h.Block()
	return h
}

// accounts are the demo accounts and installer2.
func accounts() []apptest.Account {
	return append(apptest.DemoAccounts(), apptest.Account{Key: installer2, Roles: []string{tx.RoleInstaller}, Coins: []tx.Coin{apptest.SCN(10)}})
}

// requireUnchanged fails unless the device is as it was before (a refused
// transaction changed nothing).
func requireUnchanged(t *testing.T, h *apptest.Harness, before devices.Device) {
	t.Helper()
	after, _ := h.Device(before.ID)
	if !reflect.DeepEqual(after, before) {
		t.Fatalf("a refused transaction changed %q:\ngot  %+v\nwant %+v", before.ID, after, before)
	}
}

func ids(ds []devices.Device) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

func TestRegister(t *testing.T) {
	h := newChain(t)
	h.RunFail("register by non-installer", h.Sign(alice, register("inv-1", alice.Addr, key1)),
		tx.CodeDeviceNotInstaller, alice.Addr.String(), `"installer"`)
	res := h.RunOK("register", h.Sign(installer, register("inv-1", alice.Addr, key1)))
	if !apptest.HasEvent(res.Events, "devices.registered", "device", "inv-1", "kind", tx.KindSolarInverter, "owner", alice.Addr.String(), "key_epoch", "1",
		"installer", installer.Addr.String()) {
		t.Errorf("register events: %v", res.Events)
	}
	height := h.Height
	d, ok := h.Device("inv-1")
	if !ok || d.Owner != alice.Addr || d.Installer != installer.Addr || d.Status != devices.StatusActive || d.KeyEpoch != 1 || !slices.Equal(d.PubKey, key1.Pub) ||
		d.Registered != height || len(d.Keys) != 1 || d.Keys[0].FromHeight != height || d.Keys[0].ToHeight != 0 ||
		!d.Keys[0].FromTime.Equal(h.BlockTime(height)) || !d.Keys[0].ToTime.IsZero() ||
		d.Metadata.SerialNumber != "SN-inv-1" || d.Metadata.RatedPowerW != 6000 {
		t.Errorf("registered device: got %+v", d)
	}
	h.RunFail("duplicate id", h.Sign(installer, register("inv-1", bob.Addr, key2)), tx.CodeDeviceExists, `"inv-1"`)
	if d, _ := h.Device("inv-1"); d.Owner != alice.Addr {
		t.Error("a duplicate registration changed the device")
	}
	// Registering for an unknown owner creates the owner's account.
	res = h.RunOK("register for a new owner", h.Sign(installer, register("inv-2", stranger.Addr, key2)))
	if !apptest.HasEvent(res.Events, "auth.account_created", "address", stranger.Addr.String()) {
		t.Errorf("no account_created for the new owner: %v", res.Events)
	}
	if got := ids(h.DevicesByOwner(stranger.Addr)); !slices.Equal(got, []string{"inv-2"}) {
		t.Errorf("stranger's devices: got %v", got)
	}
	// The same key on two devices is allowed (it is the device's business).
	h.RunOK("register with a key in use elsewhere", h.Sign(installer, register("inv-3", alice.Addr, key1)))
	if got := ids(h.DevicesByOwner(alice.Addr)); !slices.Equal(got, []string{"inv-1", "inv-3"}) {
		t.Errorf("alice's devices: got %v", got)
	}
	// Another installer's registration makes it the installer of record.
	h.RunOK("register by a second installer", h.Sign(installer2, register("inv-4", bob.Addr, key3)))
	if d, _ := h.Device("inv-4"); d.Installer != installer2.Addr {
		t.Errorf("inv-4 installer of record: got %s, want %s", d.Installer, installer2.Addr)
	}
}

func TestUnknownDevice(t *testing.T) {
	h := newChain(t)
	h.RunFail("revoke unknown", h.Sign(installer, &tx.MsgDeviceRevoke{ID: "ghost"}), tx.CodeDeviceUnknown, `"ghost"`)
	h.RunFail("rotate unknown", h.Sign(installer, &tx.MsgDeviceRotate{ID: "ghost", PubKey: key1.Pub}), tx.CodeDeviceUnknown, `"ghost"`)
	h.RunFail("transfer unknown", h.Sign(alice, &tx.MsgDeviceTransfer{ID: "ghost", NewOwner: bob.Addr}), tx.CodeDeviceUnknown, `"ghost"`)
}

// TestRotate: only the installer of record or an authority rotates a key;
// the owner alone, another installer and a stranger are refused and change
// nothing. Each rotation closes the old epoch at the block's height and
// time.
func TestRotate(t *testing.T) {
	h := newChain(t)
	h.RunOK("register", h.Sign(installer, register("ev-7", alice.Addr, key1)))
	before, _ := h.Device("ev-7")
	h.RunFail("rotate by the owner alone", h.Sign(alice, &tx.MsgDeviceRotate{ID: "ev-7", PubKey: key2.Pub}),
		tx.CodeDeviceOwnerAlone, alice.Addr.String(), `owns "ev-7"`, installer.Addr.String())
	requireUnchanged(t, h, before)
	h.RunFail("rotate by an installer who did not install it", h.Sign(installer2, &tx.MsgDeviceRotate{ID: "ev-7", PubKey: key2.Pub}),
		tx.CodeDeviceNotItsInstaller, installer2.Addr.String(), `installer of record of "ev-7" (`+installer.Addr.String()+`)`)
	requireUnchanged(t, h, before)
	h.RunFail("rotate by a stranger", h.Sign(bob, &tx.MsgDeviceRotate{ID: "ev-7", PubKey: key2.Pub}),
		tx.CodeDeviceNotItsInstaller, bob.Addr.String(), `"ev-7"`)
	requireUnchanged(t, h, before)
	h.RunFail("rotate to the current key", h.Sign(installer, &tx.MsgDeviceRotate{ID: "ev-7", PubKey: key1.Pub}),
		tx.CodeDeviceSameKey, "epoch 1")
	requireUnchanged(t, h, before)

	res := h.RunOK("rotate by the installer of record", h.Sign(installer, &tx.MsgDeviceRotate{ID: "ev-7", PubKey: key2.Pub}))
	if !apptest.HasEvent(res.Events, "devices.key_rotated", "device", "ev-7", "key_epoch", "2") {
		t.Errorf("rotate events: %v", res.Events)
	}
	rotated := h.Height
	h.RunFail("rotate back to a previous key", h.Sign(installer, &tx.MsgDeviceRotate{ID: "ev-7", PubKey: key1.Pub}),
		tx.CodeDeviceSameKey, key1.Pub.String(), "epoch 1")
	h.RunOK("rotate by an authority", h.Sign(authority, &tx.MsgDeviceRotate{ID: "ev-7", PubKey: key3.Pub}))
	d, _ := h.Device("ev-7")
	if d.KeyEpoch != 3 || !slices.Equal(d.PubKey, key3.Pub) || len(d.Keys) != 3 || d.Installer != installer.Addr {
		t.Fatalf("after two rotations: got epoch %d, %d keys, installer %s", d.KeyEpoch, len(d.Keys), d.Installer)
	}
	for i, want := range []apptest.Key{key1, key2, key3} {
		k := d.Keys[i]
		if k.Epoch != uint32(i+1) || !slices.Equal(k.PubKey, want.Pub) {
			t.Errorf("key %d: got epoch %d key %s", i, k.Epoch, k.PubKey)
		}
	}
	if d.Keys[0].ToHeight != rotated || d.Keys[1].FromHeight != rotated || d.Keys[1].ToHeight != h.Height || d.Keys[2].FromHeight != h.Height || d.Keys[2].ToHeight != 0 {
		t.Errorf("key validity heights: %+v (rotations at %d and %d)", d.Keys, rotated, h.Height)
	}
	t1, t2 := h.BlockTime(rotated), h.BlockTime(h.Height)
	if !d.Keys[0].ToTime.Equal(t1) || !d.Keys[1].FromTime.Equal(t1) || !d.Keys[1].ToTime.Equal(t2) || !d.Keys[2].FromTime.Equal(t2) || !d.Keys[2].ToTime.IsZero() {
		t.Errorf("key validity times: %+v (rotations at %s and %s)", d.Keys, t1, t2)
	}
	h.RunFail("rotate to any earlier key", h.Sign(installer, &tx.MsgDeviceRotate{ID: "ev-7", PubKey: key2.Pub}), tx.CodeDeviceSameKey, "epoch 2")
}

// TestRevoke: only the installer of record or an authority revokes a
// device; the owner alone and another installer are refused.
func TestRevoke(t *testing.T) {
	h := newChain(t)
	h.RunOK("register a", h.Sign(installer, register("a", alice.Addr, key1)))
	h.RunOK("register b", h.Sign(installer, register("b", alice.Addr, key2)))
	before, _ := h.Device("a")
	h.RunFail("revoke by a stranger", h.Sign(bob, &tx.MsgDeviceRevoke{ID: "a", Reason: "mine now"}), tx.CodeDeviceNotItsInstaller, bob.Addr.String())
	h.RunFail("revoke by the owner alone", h.Sign(alice, &tx.MsgDeviceRevoke{ID: "a", Reason: "replaced"}), tx.CodeDeviceOwnerAlone, alice.Addr.String())
	h.RunFail("revoke by an installer who did not install it", h.Sign(installer2, &tx.MsgDeviceRevoke{ID: "a", Reason: "replaced"}),
		tx.CodeDeviceNotItsInstaller, installer2.Addr.String())
	requireUnchanged(t, h, before)
	res := h.RunOK("revoke by the installer of record", h.Sign(installer, &tx.MsgDeviceRevoke{ID: "a", Reason: "replaced"}))
	if !apptest.HasEvent(res.Events, "devices.revoked", "device", "a", "reason", "replaced") {
		t.Errorf("revoke events: %v", res.Events)
	}
	revokedAt := h.Height
	d, _ := h.Device("a")
	if d.Status != devices.StatusRevoked || d.RevokedHeight != revokedAt || d.RevokeReason != "replaced" || d.Keys[0].ToHeight != revokedAt ||
		!d.Keys[0].ToTime.Equal(h.BlockTime(revokedAt)) {
		t.Errorf("revoked device: got %+v", d)
	}
	h.RunFail("revoke twice", h.Sign(installer, &tx.MsgDeviceRevoke{ID: "a"}), tx.CodeDeviceRevoked, `"a"`, "revoked at height")
	h.RunFail("rotate a revoked device", h.Sign(installer, &tx.MsgDeviceRotate{ID: "a", PubKey: key3.Pub}), tx.CodeDeviceRevoked)
	h.RunFail("transfer a revoked device", h.Sign(alice, &tx.MsgDeviceTransfer{ID: "a", NewOwner: bob.Addr}), tx.CodeDeviceRevoked)
	h.RunFail("reassign a revoked device", h.Sign(authority, &tx.MsgDeviceReassignInstaller{ID: "a", Installer: installer2.Addr}), tx.CodeDeviceRevoked)
	h.RunFail("register over a revoked id", h.Sign(installer, register("a", bob.Addr, key3)), tx.CodeDeviceExists)
	h.RunOK("revoke by an authority", h.Sign(authority, &tx.MsgDeviceRevoke{ID: "b", Reason: "fault"}))
	// Revoked devices stay listed under their owner.
	if got := ids(h.DevicesByOwner(alice.Addr)); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("alice's devices: got %v", got)
	}
}

// TestReassignInstaller: only an authority names a new installer of
// record, which must hold the installer role; the old installer then can
// no longer rotate or revoke, the new one can.
func TestReassignInstaller(t *testing.T) {
	h := newChain(t)
	h.RunOK("register", h.Sign(installer, register("pv-9", alice.Addr, key1)))
	before, _ := h.Device("pv-9")
	to2 := &tx.MsgDeviceReassignInstaller{ID: "pv-9", Installer: installer2.Addr}
	h.RunFail("reassign by the installer of record", h.Sign(installer, to2), tx.CodeDeviceNotAuthority, installer.Addr.String(), `"pv-9"`)
	h.RunFail("reassign by the other installer", h.Sign(installer2, to2), tx.CodeDeviceNotAuthority, installer2.Addr.String())
	h.RunFail("reassign by the owner", h.Sign(alice, to2), tx.CodeDeviceNotAuthority, alice.Addr.String())
	h.RunFail("reassign to an account without the installer role", h.Sign(authority, &tx.MsgDeviceReassignInstaller{ID: "pv-9", Installer: bob.Addr}),
		tx.CodeDeviceNotInstaller, "installer "+bob.Addr.String(), `"installer"`)
	h.RunFail("reassign to the installer of record", h.Sign(authority, &tx.MsgDeviceReassignInstaller{ID: "pv-9", Installer: installer.Addr}),
		tx.CodeDeviceSameInstaller, installer.Addr.String())
	h.RunFail("reassign an unknown device", h.Sign(authority, &tx.MsgDeviceReassignInstaller{ID: "ghost", Installer: installer2.Addr}), tx.CodeDeviceUnknown, `"ghost"`)
	requireUnchanged(t, h, before)
	seq := h.Seq(authority)
	apptest.RequireCode(t, "no installer", h.CheckTx(h.Sign(authority, &tx.MsgDeviceReassignInstaller{ID: "pv-9"})), tx.CodeTxInvalidMsg, "installer")
	h.SetSeq(authority, seq)

	res := h.RunOK("reassign by an authority", h.Sign(authority, to2))
	if !apptest.HasEvent(res.Events, "devices.installer_reassigned", "device", "pv-9", "from", installer.Addr.String(), "to", installer2.Addr.String(),
		"by", authority.Addr.String()) {
		t.Errorf("reassign events: %v", res.Events)
	}
	if d, _ := h.Device("pv-9"); d.Installer != installer2.Addr || d.Owner != alice.Addr || d.KeyEpoch != 1 {
		t.Fatalf("after reassignment: got %+v", d)
	}
	h.RunFail("the old installer rotates", h.Sign(installer, &tx.MsgDeviceRotate{ID: "pv-9", PubKey: key2.Pub}),
		tx.CodeDeviceNotItsInstaller, installer.Addr.String(), installer2.Addr.String())
	h.RunFail("the old installer revokes", h.Sign(installer, &tx.MsgDeviceRevoke{ID: "pv-9"}), tx.CodeDeviceNotItsInstaller)
	h.RunOK("the new installer rotates", h.Sign(installer2, &tx.MsgDeviceRotate{ID: "pv-9", PubKey: key2.Pub}))
	h.RunOK("the new installer revokes", h.Sign(installer2, &tx.MsgDeviceRevoke{ID: "pv-9", Reason: "decommissioned"}))
}

// TestGenesisInstaller: genesis devices get the section's installer of
// record; without one only an authority manages them, until it reassigns
// them to an installer.
func TestGenesisInstaller(t *testing.T) {
	devs := []tx.MsgDeviceRegister{*register("g-1", alice.Addr, key1)}
	h := apptest.New(t, apptest.Options{Accounts: accounts(), Devices: devs})
	h.Block()
	if d, _ := h.Device("g-1"); d.Installer != installer.Addr || !d.Keys[0].FromTime.Equal(h.BlockTime(0)) {
		t.Fatalf("genesis device: got installer %s, keys %+v; want %s (the first installer account), from the genesis time", d.Installer, d.Keys, installer.Addr)
	}
	h.RunFail("another installer rotates a genesis device", h.Sign(installer2, &tx.MsgDeviceRotate{ID: "g-1", PubKey: key2.Pub}), tx.CodeDeviceNotItsInstaller)
	h.RunOK("its installer rotates it", h.Sign(installer, &tx.MsgDeviceRotate{ID: "g-1", PubKey: key2.Pub}))

	st := apptest.BuildAppState(accounts(), devs)
	st.Devices.Installer = tx.Address{}
	h = apptest.New(t, apptest.Options{AppState: apptest.MustJSON(t, st)})
	h.Block()
	d, _ := h.Device("g-1")
	if !d.Installer.IsZero() {
		t.Fatalf("genesis device without an installer: got installer %s", d.Installer)
	}
	h.RunFail("an installer rotates a device with no installer of record", h.Sign(installer, &tx.MsgDeviceRotate{ID: "g-1", PubKey: key2.Pub}),
		tx.CodeDeviceNotItsInstaller, "none")
	h.RunFail("the owner rotates it", h.Sign(alice, &tx.MsgDeviceRotate{ID: "g-1", PubKey: key2.Pub}), tx.CodeDeviceOwnerAlone)
	requireUnchanged(t, h, d)
	h.RunOK("an authority rotates it", h.Sign(authority, &tx.MsgDeviceRotate{ID: "g-1", PubKey: key2.Pub}))
	res := h.RunOK("an authority gives it an installer", h.Sign(authority, &tx.MsgDeviceReassignInstaller{ID: "g-1", Installer: installer2.Addr}))
	if !apptest.HasEvent(res.Events, "devices.installer_reassigned", "device", "g-1", "from", "", "to", installer2.Addr.String()) {
		t.Errorf("reassign events: %v", res.Events)
	}
	h.RunOK("the new installer rotates it", h.Sign(installer2, &tx.MsgDeviceRotate{ID: "g-1", PubKey: key3.Pub}))

	// The section's installer must hold the role.
	st = apptest.BuildAppState(accounts(), devs)
	st.Devices.Installer = bob.Addr
	err := apptest.ImportSections(&app.Exported{ChainID: apptest.ChainID, Time: apptest.GenesisTime, Validators: apptest.GenesisValidators()},
		sectionsOf(t, st))
	if err == nil || !strings.Contains(err.Error(), "installer "+bob.Addr.String()+`: does not hold role "installer"`) {
		t.Errorf("genesis installer without the role: got %v", err)
	}
}

// sectionsOf splits an app state into its sections.
func sectionsOf(t *testing.T, st *app.AppState) map[string]json.RawMessage {
	t.Helper()
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(apptest.MustJSON(t, st), &sections); err != nil {
		t.Fatal(err)
	}
	return sections
}

func TestTransfer(t *testing.T) {
	h := newChain(t)
	h.RunOK("register", h.Sign(installer, register("pv-1", alice.Addr, key1)))
	h.RunFail("transfer by installer", h.Sign(installer, &tx.MsgDeviceTransfer{ID: "pv-1", NewOwner: bob.Addr}),
		tx.CodeDeviceNotOwner, installer.Addr.String(), `does not own "pv-1"`)
	h.RunFail("transfer by non-owner", h.Sign(bob, &tx.MsgDeviceTransfer{ID: "pv-1", NewOwner: bob.Addr}), tx.CodeDeviceNotOwner)
	h.RunFail("transfer to same owner", h.Sign(alice, &tx.MsgDeviceTransfer{ID: "pv-1", NewOwner: alice.Addr}),
		tx.CodeDeviceSameOwner, alice.Addr.String())
	res := h.RunOK("transfer", h.Sign(alice, &tx.MsgDeviceTransfer{ID: "pv-1", NewOwner: bob.Addr}))
	if !apptest.HasEvent(res.Events, "devices.transferred", "device", "pv-1", "from", alice.Addr.String(), "to", bob.Addr.String()) {
		t.Errorf("transfer events: %v", res.Events)
	}
	if d, _ := h.Device("pv-1"); d.Owner != bob.Addr || d.KeyEpoch != 1 {
		t.Errorf("transferred device: got %+v", d)
	}
	if got := h.DevicesByOwner(alice.Addr); len(got) != 0 {
		t.Errorf("old owner still lists %v", ids(got))
	}
	if got := ids(h.DevicesByOwner(bob.Addr)); !slices.Equal(got, []string{"pv-1"}) {
		t.Errorf("new owner lists %v", got)
	}
	h.RunFail("old owner rotates", h.Sign(alice, &tx.MsgDeviceRotate{ID: "pv-1", PubKey: key2.Pub}), tx.CodeDeviceNotItsInstaller)
	h.RunFail("new owner rotates", h.Sign(bob, &tx.MsgDeviceRotate{ID: "pv-1", PubKey: key2.Pub}), tx.CodeDeviceOwnerAlone)
	if d, _ := h.Device("pv-1"); d.Installer != installer.Addr {
		t.Errorf("transfer changed the installer of record: got %s", d.Installer)
	}
	h.RunOK("its installer rotates after the transfer", h.Sign(installer, &tx.MsgDeviceRotate{ID: "pv-1", PubKey: key2.Pub}))
	// To an address with no account (which creates it) and back.
	h.RunOK("transfer twice", h.Sign(bob, &tx.MsgDeviceTransfer{ID: "pv-1", NewOwner: stranger.Addr}))
	h.RunOK("transfer back", apptest.SignSeq(t, stranger, apptest.ChainID, 0, &tx.MsgDeviceTransfer{ID: "pv-1", NewOwner: alice.Addr}))
	for _, c := range []struct {
		owner tx.Address
		want  []string
	}{{alice.Addr, []string{"pv-1"}}, {bob.Addr, nil}, {stranger.Addr, nil}} {
		if got := ids(h.DevicesByOwner(c.owner)); !slices.Equal(got, c.want) {
			t.Errorf("devices of %s: got %v, want %v", c.owner, got, c.want)
		}
	}
}
