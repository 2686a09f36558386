package devices_test

import (
	"slices"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/tx"
)

var (
	alice     = apptest.Alice
	bob       = apptest.Bob
	installer = apptest.Installer
	stranger  = apptest.Stranger
	key1      = apptest.NewKey("devices-test-key-1")
	key2      = apptest.NewKey("devices-test-key-2")
	key3      = apptest.NewKey("devices-test-key-3")
)

func register(id string, owner tx.Address, k apptest.Key) *tx.MsgDeviceRegister {
	return &tx.MsgDeviceRegister{ID: id, Kind: tx.KindSolarInverter, Owner: owner, PubKey: k.Pub,
		Metadata: tx.DeviceMetadata{SerialNumber: "SN-" + id, Manufacturer: "Acme", RatedPowerW: 6000, Site: "roof A"}}
}

func newChain(t *testing.T) *apptest.Harness {
	h := apptest.New(t, apptest.Options{})
	h.Block()
	return h
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
	if !apptest.HasEvent(res.Events, "devices.registered", "device", "inv-1", "kind", tx.KindSolarInverter, "owner", alice.Addr.String(), "key_epoch", "1") {
		t.Errorf("register events: %v", res.Events)
	}
	height := h.Height
	d, ok := h.Device("inv-1")
	if !ok || d.Owner != alice.Addr || d.Status != devices.StatusActive || d.KeyEpoch != 1 || !slices.Equal(d.PubKey, key1.Pub) ||
		d.Registered != height || len(d.Keys) != 1 || d.Keys[0].FromHeight != height || d.Keys[0].ToHeight != 0 ||
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
}

func TestUnknownDevice(t *testing.T) {
	h := newChain(t)
	h.RunFail("revoke unknown", h.Sign(installer, &tx.MsgDeviceRevoke{ID: "ghost"}), tx.CodeDeviceUnknown, `"ghost"`)
	h.RunFail("rotate unknown", h.Sign(installer, &tx.MsgDeviceRotate{ID: "ghost", PubKey: key1.Pub}), tx.CodeDeviceUnknown, `"ghost"`)
	h.RunFail("transfer unknown", h.Sign(alice, &tx.MsgDeviceTransfer{ID: "ghost", NewOwner: bob.Addr}), tx.CodeDeviceUnknown, `"ghost"`)
}

func TestRotate(t *testing.T) {
	h := newChain(t)
	h.RunOK("register", h.Sign(installer, register("ev-7", alice.Addr, key1)))
	h.RunFail("rotate by stranger", h.Sign(bob, &tx.MsgDeviceRotate{ID: "ev-7", PubKey: key2.Pub}),
		tx.CodeDeviceNotOwner, bob.Addr.String(), `"ev-7"`)
	h.RunFail("rotate to the current key", h.Sign(alice, &tx.MsgDeviceRotate{ID: "ev-7", PubKey: key1.Pub}),
		tx.CodeDeviceSameKey, "epoch 1")
	res := h.RunOK("rotate by owner", h.Sign(alice, &tx.MsgDeviceRotate{ID: "ev-7", PubKey: key2.Pub}))
	if !apptest.HasEvent(res.Events, "devices.key_rotated", "device", "ev-7", "key_epoch", "2") {
		t.Errorf("rotate events: %v", res.Events)
	}
	rotated := h.Height
	h.RunFail("rotate back to a previous key", h.Sign(alice, &tx.MsgDeviceRotate{ID: "ev-7", PubKey: key1.Pub}),
		tx.CodeDeviceSameKey, key1.Pub.String(), "epoch 1")
	h.RunOK("rotate by installer", h.Sign(installer, &tx.MsgDeviceRotate{ID: "ev-7", PubKey: key3.Pub}))
	d, _ := h.Device("ev-7")
	if d.KeyEpoch != 3 || !slices.Equal(d.PubKey, key3.Pub) || len(d.Keys) != 3 {
		t.Fatalf("after two rotations: got epoch %d, %d keys", d.KeyEpoch, len(d.Keys))
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
	h.RunFail("rotate to any earlier key", h.Sign(installer, &tx.MsgDeviceRotate{ID: "ev-7", PubKey: key2.Pub}), tx.CodeDeviceSameKey, "epoch 2")
}

func TestRevoke(t *testing.T) {
	h := newChain(t)
	h.RunOK("register a", h.Sign(installer, register("a", alice.Addr, key1)))
	h.RunOK("register b", h.Sign(installer, register("b", alice.Addr, key2)))
	h.RunFail("revoke by stranger", h.Sign(bob, &tx.MsgDeviceRevoke{ID: "a", Reason: "mine now"}), tx.CodeDeviceNotOwner, bob.Addr.String())
	res := h.RunOK("revoke by owner", h.Sign(alice, &tx.MsgDeviceRevoke{ID: "a", Reason: "replaced"}))
	if !apptest.HasEvent(res.Events, "devices.revoked", "device", "a", "reason", "replaced") {
		t.Errorf("revoke events: %v", res.Events)
	}
	revokedAt := h.Height
	d, _ := h.Device("a")
	if d.Status != devices.StatusRevoked || d.RevokedHeight != revokedAt || d.RevokeReason != "replaced" || d.Keys[0].ToHeight != revokedAt {
		t.Errorf("revoked device: got %+v", d)
	}
	h.RunFail("revoke twice", h.Sign(alice, &tx.MsgDeviceRevoke{ID: "a"}), tx.CodeDeviceRevoked, `"a"`, "revoked at height")
	h.RunFail("rotate a revoked device", h.Sign(alice, &tx.MsgDeviceRotate{ID: "a", PubKey: key3.Pub}), tx.CodeDeviceRevoked)
	h.RunFail("transfer a revoked device", h.Sign(alice, &tx.MsgDeviceTransfer{ID: "a", NewOwner: bob.Addr}), tx.CodeDeviceRevoked)
	h.RunFail("register over a revoked id", h.Sign(installer, register("a", bob.Addr, key3)), tx.CodeDeviceExists)
	h.RunOK("revoke by installer", h.Sign(installer, &tx.MsgDeviceRevoke{ID: "b", Reason: "fault"}))
	// Revoked devices stay listed under their owner.
	if got := ids(h.DevicesByOwner(alice.Addr)); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("alice's devices: got %v", got)
	}
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
	h.RunFail("old owner rotates", h.Sign(alice, &tx.MsgDeviceRotate{ID: "pv-1", PubKey: key2.Pub}), tx.CodeDeviceNotOwner)
	h.RunOK("new owner rotates", h.Sign(bob, &tx.MsgDeviceRotate{ID: "pv-1", PubKey: key2.Pub}))
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
