package vehicles_test

import (
	"strconv"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/vehicles"
	"github.com/citychain/citychain/chain/tx"
)

// rival is a second licensed dealer, the one the owner never asked.
var rival = apptest.NewKey("rival dealer")

// TestDealerCannotLockVehicle: a dealer proposes to sell alice's car,
// which she never asked for, and keeps proposing. Before, the proposal
// was the vehicle's one open transfer and refused every other dealer's
// (vehicles code 22) until it expired seven days later. Now a proposal
// locks nothing: the vehicle record is unchanged, the dealer alice chose
// proposes beside it, alice accepts hers (only that locks the vehicle),
// the sale goes through, and the unwanted proposal is closed as
// superseded and can no longer be accepted.
func TestDealerCannotLockVehicle(t *testing.T) {
	odo := newOdometer("ev-a", apptest.Alice)
	accounts := append(apptest.DemoAccounts(), apptest.Account{Key: rival, Roles: []string{tx.RoleDealer}, Coins: []tx.Coin{scn(10)}})
	st := apptest.BuildAppState(accounts, []tx.MsgDeviceRegister{solar, odo.register()})
	st.Metering.Params = metering.DefaultParams()
	st.Vehicles = vehicles.Genesis{Params: vehicles.DefaultParams()}
	h := apptest.New(t, apptest.Options{AppState: apptest.MustJSON(t, st)})
	vin := vinOf(t, "KMHKN81AFPU12345")
	h.RunOK("register", h.Sign(apptest.Registrar, register(vin, apptest.Alice.Addr, "ev-a")))
	before := vehicle(t, h, vin)

	// The rival proposes a sale to a buyer of its choosing, three times.
	unwanted := proposeBy(t, h, rival, vin, apptest.Insurer.Addr, scn(1))
	unwanted2 := proposeBy(t, h, rival, vin, apptest.Insurer.Addr, scn(2))
	if tr := transfer(t, h, unwanted); tr.Status != vehicles.TransferSuperseded {
		t.Fatalf("the rival's first proposal after its second: %+v", tr)
	}
	unwanted = unwanted2
	if v := vehicle(t, h, vin); v.OpenTransfer != 0 || v.Owner != before.Owner || len(v.Owners) != len(before.Owners) {
		t.Fatalf("an unaccepted proposal changed the vehicle: open_transfer %d, owner %s", v.OpenTransfer, v.Owner)
	}

	// Alice's own dealer proposes beside it (before: vehicles code 22).
	chosen := proposeBy(t, h, apptest.Dealer, vin, apptest.Bob.Addr, scn(5))
	var open vehicles.Proposals
	h.QueryJSON(t, "/vehicles/proposals", []byte(vin), &open)
	if len(open.Transfers) != 2 {
		t.Fatalf("open proposals: got %+v, want the rival's and the chosen dealer's", open.Transfers)
	}
	// The rival's buyer accepting moves and locks nothing without alice.
	h.RunOK("the rival's buyer accepts", h.Sign(apptest.Insurer, &tx.MsgVehicleAcceptTransfer{ID: unwanted}))
	if v := vehicle(t, h, vin); v.OpenTransfer != 0 || v.Owner != apptest.Alice.Addr {
		t.Fatalf("a buyer's acceptance changed the vehicle: open_transfer %d, owner %s", v.OpenTransfer, v.Owner)
	}
	h.RunOK("alice accepts her dealer's proposal", h.Sign(apptest.Alice, &tx.MsgVehicleAcceptTransfer{ID: chosen}))
	if v := vehicle(t, h, vin); v.OpenTransfer != chosen {
		t.Fatalf("alice's acceptance: open_transfer %d, want %d", v.OpenTransfer, chosen)
	}
	// Once alice accepted one, the vehicle is locked for her choice only.
	h.RunFail("the rival proposes again", h.Sign(rival, &tx.MsgVehicleProposeTransfer{VIN: vin, Buyer: apptest.Insurer.Addr, Price: scn(3)}),
		tx.CodeVehicleTransferOpen, "its owner accepted transfer")
	h.RunFail("alice accepts a second one", h.Sign(apptest.Alice, &tx.MsgVehicleAcceptTransfer{ID: unwanted}), tx.CodeVehicleTransferOpen, "cancel it first")

	res := h.RunOK("bob accepts: the sale", h.Sign(apptest.Bob, &tx.MsgVehicleAcceptTransfer{ID: chosen}))
	if !apptest.HasEvent(res.Events, "vehicles.title_transferred", "vin", vin, "to", apptest.Bob.Addr.String()) ||
		!apptest.HasEvent(res.Events, "vehicles.transfer_closed", "vin", vin, "status", vehicles.TransferSuperseded) {
		t.Fatalf("sale events: %v", res.Events)
	}
	if v := vehicle(t, h, vin); v.Owner != apptest.Bob.Addr || v.OpenTransfer != 0 {
		t.Fatalf("after the sale: owner %s, open_transfer %d", v.Owner, v.OpenTransfer)
	}
	if tr := transfer(t, h, unwanted); tr.Status != vehicles.TransferSuperseded {
		t.Fatalf("the rival's proposal after the sale: %+v", tr)
	}
	h.RunFail("alice accepts the rival's after the sale", h.Sign(apptest.Alice, &tx.MsgVehicleAcceptTransfer{ID: unwanted}),
		tx.CodeVehicleTransferClosed, "superseded")
	h.QueryJSON(t, "/vehicles/proposals", []byte(vin), &open)
	if len(open.Transfers) != 0 {
		t.Fatalf("open proposals after the sale: %+v", open.Transfers)
	}
	// The export carries the closed proposals and rebuilds an empty index.
	h.ExportRoundTrip(t)
}

// TestOwnerCancelsUnwantedProposal: the owner (or the buyer, or the
// dealer) may cancel any proposal; cancelling one the owner had accepted
// lifts the lock.
func TestOwnerCancelsUnwantedProposal(t *testing.T) {
	odo := newOdometer("ev-a", apptest.Alice)
	h := start(t, vehicles.DefaultParams(), odo)
	vin := vinOf(t, "KMHKN81AFPU12345")
	h.RunOK("register", h.Sign(apptest.Registrar, register(vin, apptest.Alice.Addr, "ev-a")))
	id := propose(t, h, vin, apptest.Bob.Addr, scn(1))
	h.RunOK("alice cancels the unwanted proposal", h.Sign(apptest.Alice, &tx.MsgVehicleCancelTransfer{ID: id}))
	if tr := transfer(t, h, id); tr.Status != vehicles.TransferCancelled {
		t.Fatalf("cancelled proposal: %+v", tr)
	}
	id = propose(t, h, vin, apptest.Bob.Addr, scn(1))
	h.RunOK("alice accepts", h.Sign(apptest.Alice, &tx.MsgVehicleAcceptTransfer{ID: id}))
	h.RunOK("alice changes her mind", h.Sign(apptest.Alice, &tx.MsgVehicleCancelTransfer{ID: id}))
	if v := vehicle(t, h, vin); v.OpenTransfer != 0 {
		t.Fatalf("a cancelled acceptance kept the lock: open_transfer %d", v.OpenTransfer)
	}
	propose(t, h, vin, apptest.Bob.Addr, scn(2))
}

func proposeBy(t testing.TB, h *apptest.Harness, dealer apptest.Key, vin string, buyer tx.Address, price tx.Coin) uint64 {
	t.Helper()
	res := h.RunOK("propose", h.Sign(dealer, &tx.MsgVehicleProposeTransfer{VIN: vin, Buyer: buyer, Price: price}))
	id, err := strconv.ParseUint(attr(t, res.Events, "vehicles.transfer_proposed", "id"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
