package vehicles_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/vehicles"
	"github.com/citychain/citychain/chain/tx"
)

func TestVINCheckDigit(t *testing.T) {
	// Published example VINs with their check digits.
	for _, vin := range []string{"1M8GDM9AXKP042788", "11111111111111111", "5GZCZ43D13S812715"} {
		if err := tx.ValidateVIN(vin); err != nil {
			t.Errorf("%s: %v", vin, err)
		}
	}
	for _, c := range []struct{ vin, want string }{
		{"1M8GDM9A1KP042788", "check digit (position 9) is '1', want 'X'"},
		{"1M8GDM9AXKP04278", "16 characters, want 17"},
		{"1M8GDM9AXKP04278O", "character 'O' at position 17"},
		{"1m8GDM9AXKP042788", "character 'm' at position 2"},
	} {
		err := tx.ValidateVIN(c.vin)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.vin, err, c.want)
		}
	}
}

func TestRegister(t *testing.T) {
	odoA, odoB, odoC := newOdometer("ev-a", apptest.Alice), newOdometer("ev-b", apptest.Alice), newOdometer("ev-c", apptest.Bob)
	odoD := newOdometer("ev-d", apptest.Alice)
	odoD.vin = "1M8GDM9AXKP042788" // installed in another car
	h := start(t, vehicles.DefaultParams(), odoA, odoB, odoC, odoD)
	vin := vinOf(t, "KMHKN81AFPU12345")
	reg := func(k apptest.Key, m *tx.MsgVehicleRegister) []byte { return h.Sign(k, m) }

	h.RunFail("registration by a citizen", reg(apptest.Alice, register(vin, apptest.Alice.Addr, "ev-a")), tx.CodeVehicleNotRegistrar, "vehicle_registrar")
	h.RunFail("an unknown device", reg(apptest.Registrar, register(vin, apptest.Alice.Addr, "ev-zz")), tx.CodeVehicleUnknownDevice, "ev-zz")
	h.RunFail("a solar inverter", reg(apptest.Registrar, register(vin, apptest.Alice.Addr, "inv-1")), tx.CodeVehicleNotOdometer, "solar_inverter")
	h.RunFail("someone else's device", reg(apptest.Registrar, register(vin, apptest.Alice.Addr, "ev-c")), tx.CodeVehicleDeviceOwner)
	h.RunFail("a unit installed in another car", reg(apptest.Registrar, register(vin, apptest.Alice.Addr, "ev-d")), tx.CodeVehicleDeviceVIN, "1M8GDM9AXKP042788")
	h.RunFail("owned by a module account", reg(apptest.Registrar, register(vin, vehicles.EscrowAddress, "ev-a")), tx.CodeVehicleInvalidRecipient)
	bad := register(vin[:8]+"0"+vin[9:], apptest.Alice.Addr, "ev-a")
	if vin[8] == '0' {
		bad.VIN = vin[:8] + "1" + vin[9:]
	}
	invalid(t, h, "a bad check digit", apptest.Registrar, bad, "check digit (position 9)")
	noBattery := register(vin, apptest.Alice.Addr, "ev-a")
	noBattery.Battery.Chemistry = "lead"
	invalid(t, h, "an unknown chemistry", apptest.Registrar, noBattery, "chemistry")

	res := h.RunOK("register", reg(apptest.Registrar, register(vin, apptest.Alice.Addr, "ev-a")))
	if got := attr(t, res.Events, "vehicles.registered", "vin"); got != vin {
		t.Fatalf("registered event vin %s", got)
	}
	h.RunFail("register twice", reg(apptest.Registrar, register(vin, apptest.Bob.Addr, "ev-c")), tx.CodeVehicleExists)
	other := vinOf(t, "KMHKN81AFPU99999")
	h.RunFail("a device bound to another vehicle", reg(apptest.Registrar, register(other, apptest.Alice.Addr, "ev-a")), tx.CodeVehicleDeviceBound, vin)

	v := vehicle(t, h, vin)
	if v.Owner != apptest.Alice.Addr || v.Device != "ev-a" || v.Status != vehicles.StatusActive || v.Battery.CapacityWh != 77_400 ||
		len(v.Owners) != 1 || v.Owners[0].Owner != apptest.Alice.Addr || len(v.Devices) != 1 || v.Flagged() {
		t.Fatalf("vehicle: %+v", v)
	}
	var byDev string
	h.QueryJSON(t, "/vehicles/by_device", []byte("ev-a"), &byDev)
	if byDev != vin {
		t.Fatalf("by_device: %q", byDev)
	}
	// A bound device moves with the title only: a plain device transfer is refused.
	h.RunFail("transfer a bound device", h.Sign(apptest.Alice, &tx.MsgDeviceTransfer{ID: "ev-a", NewOwner: apptest.Bob.Addr}),
		tx.CodeDeviceBoundToVehicle, vin)

	// Rebinding: the new device must be the owner's, and the old one is free again.
	h.RunFail("bind someone else's device", h.Sign(apptest.Registrar, &tx.MsgVehicleBindOdometer{VIN: vin, Device: "ev-c"}), tx.CodeVehicleDeviceOwner)
	h.RunOK("bind", h.Sign(apptest.Registrar, &tx.MsgVehicleBindOdometer{VIN: vin, Device: "ev-b"}))
	v = vehicle(t, h, vin)
	if v.Device != "ev-b" || len(v.Devices) != 2 {
		t.Fatalf("after bind: %+v", v.Devices)
	}
	h.RunOK("register another on the freed device", reg(apptest.Registrar, register(other, apptest.Alice.Addr, "ev-a")))

	var list vehicles.ListPage
	h.QueryJSON(t, "/vehicles/list", apptest.MustJSON(t, vehicles.ListRequest{Owner: &apptest.Alice.Addr}), &list)
	if len(list.Vehicles) != 2 || list.Vehicles[0].VIN > list.Vehicles[1].VIN {
		t.Fatalf("list: %+v", list)
	}
	h.QueryJSON(t, "/vehicles/list", apptest.MustJSON(t, vehicles.ListRequest{Owner: &apptest.Bob.Addr}), &list)
	if len(list.Vehicles) != 0 {
		t.Fatalf("bob's list: %+v", list)
	}
	h.QueryJSON(t, "/vehicles/list", apptest.MustJSON(t, vehicles.ListRequest{Limit: 1}), &list)
	if len(list.Vehicles) != 1 || list.Next == "" {
		t.Fatalf("a page of one: %+v", list)
	}
	if res := h.Query("/vehicles/vehicle", []byte("1M8GDM9A1KP042788"), 0, false); res.Code == 0 || !strings.Contains(res.Log, "check digit") {
		t.Fatalf("query a bad VIN: %d %s", res.Code, res.Log)
	}
	if res := h.Query("/vehicles/report", []byte("1M8GDM9AXKP042788"), 0, false); res.Code == 0 || !strings.Contains(res.Log, "not registered") {
		t.Fatalf("report of an unknown VIN: %d %s", res.Code, res.Log)
	}
}

// TestOdometerSeries builds a vehicle's series from signed readings and
// verifies it against the record; a lower reading is refused and flags the
// vehicle for ever.
func TestOdometerSeries(t *testing.T) {
	odo := newOdometer("ev-a", apptest.Alice)
	h := start(t, vehicles.DefaultParams(), odo)
	// A reading before registration seeds the series.
	nextInterval(h)
	if n, why := submit(t, h, odo.sign(t, nextMs(h), 1_000_000)); n != 1 {
		t.Fatalf("first reading: %v", why)
	}
	vin := vinOf(t, "KMHKN81AFPU12345")
	h.RunOK("register", h.Sign(apptest.Registrar, register(vin, apptest.Alice.Addr, "ev-a")))
	if v := vehicle(t, h, vin); v.Odometer.Points != 1 || v.Odometer.Last.ValueM != 1_000_000 {
		t.Fatalf("seeded: %+v", v.Odometer)
	}
	// Two readings in one interval keep one point, the later.
	value := uint64(1_000_000)
	for i := 0; i < 5; i++ {
		nextInterval(h)
		value += 10_000
		if n, why := submit(t, h, odo.sign(t, nextMs(h), value)); n != 1 {
			t.Fatalf("reading %d: %v", i, why)
		}
		value += 500
		if n, why := submit(t, h, odo.sign(t, nextMs(h), value)); n != 1 {
			t.Fatalf("reading %d': %v", i, why)
		}
	}
	v := vehicle(t, h, vin)
	if v.Odometer.Points != 6 || v.Odometer.Last.ValueM != value || v.Flagged() {
		t.Fatalf("odometer: %+v", v.Odometer)
	}
	var r vehicles.Report
	h.QueryJSON(t, "/vehicles/report", []byte(vin), &r)
	if err := tx.VerifyOdometerSeries(r.Odometer, v.Odometer.Digest, v.Odometer.Last, v.Odometer.Points); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(r.Odometer); i++ {
		if r.Odometer[i].ValueM != 1_000_000+uint64(i)*10_500 {
			t.Fatalf("point %d: %+v", i, r.Odometer[i])
		}
	}
	// Pages at one height are the same series.
	var paged []tx.OdometerPoint
	from := uint64(0)
	for {
		var page vehicles.OdometerPage
		h.QueryJSON(t, "/vehicles/odometer", apptest.MustJSON(t, vehicles.OdometerRequest{VIN: vin, From: from, Limit: 4}), &page)
		paged = append(paged, page.Points...)
		if page.Next == nil {
			break
		}
		from = *page.Next
	}
	if err := tx.VerifyOdometerSeries(paged, v.Odometer.Digest, v.Odometer.Last, v.Odometer.Points); err != nil {
		t.Fatalf("paged: %v", err)
	}
	// A forged series does not verify: a point's value changed, a point dropped.
	forged := append([]tx.OdometerPoint{}, r.Odometer...)
	forged[2].ValueM -= 5_000
	if err := tx.VerifyOdometerSeries(forged, v.Odometer.Digest, v.Odometer.Last, v.Odometer.Points); err == nil || !strings.Contains(err.Error(), "digest") {
		t.Fatalf("forged point: %v", err)
	}
	dropped := append(append([]tx.OdometerPoint{}, r.Odometer[:2]...), r.Odometer[3:]...)
	if err := tx.VerifyOdometerSeries(dropped, v.Odometer.Digest, v.Odometer.Last, v.Odometer.Points-1); err == nil {
		t.Fatal("a series with a point dropped verified")
	}

	// A rollback: refused, flagged; later good readings are accepted but the flag stays.
	nextInterval(h)
	if n, why := submit(t, h, odo.sign(t, nextMs(h), value-200_000)); n != 0 || len(why) != 1 || why[0] != metering.ReasonRolledBack {
		t.Fatalf("rollback: accepted %d, %v", n, why)
	}
	v = vehicle(t, h, vin)
	if !v.Flagged() || v.Flags[0].Kind != vehicles.FlagOdometerRollback || v.Flags[0].ValueM != value-200_000 || v.Flags[0].PreviousM != value ||
		v.Odometer.Points != 6 || v.Odometer.Last.ValueM != value {
		t.Fatalf("after rollback: flags %+v odometer %+v", v.Flags, v.Odometer)
	}
	nextInterval(h)
	if n, why := submit(t, h, odo.sign(t, nextMs(h), value+1_000)); n != 1 {
		t.Fatalf("after the flag: %v", why)
	}
	if v = vehicle(t, h, vin); !v.Flagged() || v.Odometer.Points != 7 {
		t.Fatalf("the flag went away or the series stopped: %+v %+v", v.Flags, v.Odometer)
	}
	var st vehicles.Stats
	h.QueryJSON(t, "/vehicles/stats", nil, &st)
	if st.Counters.Flagged != 1 || st.Counters.Vehicles != 1 {
		t.Fatalf("stats: %+v", st.Counters)
	}

	// A flagged vehicle's sale waits for a registrar's review.
	id := propose(t, h, vin, apptest.Bob.Addr, scn(5_000))
	if tr := transfer(t, h, id); !tr.NeedsReview {
		t.Fatalf("transfer of a flagged vehicle: %+v", tr)
	}
	h.RunOK("seller accepts", h.Sign(apptest.Alice, &tx.MsgVehicleAcceptTransfer{ID: id}))
	h.RunOK("buyer accepts", h.Sign(apptest.Bob, &tx.MsgVehicleAcceptTransfer{ID: id}))
	if v = vehicle(t, h, vin); v.Owner != apptest.Alice.Addr {
		t.Fatal("a flagged vehicle changed hands without review")
	}
	h.RunFail("review by a dealer", h.Sign(apptest.Dealer, &tx.MsgVehicleReviewTransfer{ID: id, Approve: true, Reason: "ok"}), tx.CodeVehicleNotRegistrar)
	h.RunOK("refuse", h.Sign(apptest.Registrar, &tx.MsgVehicleReviewTransfer{ID: id, Reason: "odometer evidence"}))
	if tr := transfer(t, h, id); tr.Status != vehicles.TransferRefused {
		t.Fatalf("refused: %+v", tr)
	}
	id = propose(t, h, vin, apptest.Bob.Addr, scn(5_000))
	h.RunOK("seller accepts", h.Sign(apptest.Alice, &tx.MsgVehicleAcceptTransfer{ID: id}))
	h.RunOK("approve", h.Sign(apptest.Registrar, &tx.MsgVehicleReviewTransfer{ID: id, Approve: true, Reason: "meter replaced, documented"}))
	h.RunOK("buyer accepts last", h.Sign(apptest.Bob, &tx.MsgVehicleAcceptTransfer{ID: id}))
	if v = vehicle(t, h, vin); v.Owner != apptest.Bob.Addr || !v.Flagged() {
		t.Fatalf("after the reviewed sale: owner %s flagged %t", v.Owner, v.Flagged())
	}
	if d, _ := h.Device("ev-a"); d.Owner != apptest.Bob.Addr {
		t.Fatalf("the odometer did not move with the title: %s", d.Owner)
	}
	// Bob's first reading continues the series.
	nextInterval(h)
	if n, why := submit(t, h, odo.sign(t, nextMs(h), value+2_000)); n != 1 {
		t.Fatalf("buyer's reading: %v", why)
	}
	h.QueryJSON(t, "/vehicles/report", []byte(vin), &r)
	if r.Vehicle.Odometer.Points != 8 || len(r.Vehicle.Owners) != 2 {
		t.Fatalf("report after sale: %+v", r.Vehicle.Odometer)
	}
}

// TestRollbackAcrossMeters: a new meter bound to the vehicle must continue
// from the vehicle's odometer: a lower reading flags the vehicle.
func TestRollbackAcrossMeters(t *testing.T) {
	odoA, odoB := newOdometer("ev-a", apptest.Alice), newOdometer("ev-b", apptest.Alice)
	h := start(t, vehicles.DefaultParams(), odoA, odoB)
	vin := vinOf(t, "KMHKN81AFPU12345")
	h.RunOK("register", h.Sign(apptest.Registrar, register(vin, apptest.Alice.Addr, "ev-a")))
	nextInterval(h)
	if n, why := submit(t, h, odoA.sign(t, nextMs(h), 80_000_000)); n != 1 {
		t.Fatal(why)
	}
	h.RunOK("bind a new meter", h.Sign(apptest.Registrar, &tx.MsgVehicleBindOdometer{VIN: vin, Device: "ev-b"}))
	nextInterval(h)
	if n, why := submit(t, h, odoB.sign(t, nextMs(h), 5_000)); n != 0 || why[0] != metering.ReasonRolledBack {
		t.Fatalf("a fresh meter's low reading: accepted %d %v", n, why)
	}
	v := vehicle(t, h, vin)
	if !v.Flagged() || v.Flags[0].Device != "ev-b" || v.Odometer.Points != 1 {
		t.Fatalf("%+v %+v", v.Flags, v.Odometer)
	}
	// The old meter is no longer the vehicle's: its readings do not count.
	nextInterval(h)
	if n, why := submit(t, h, odoA.sign(t, nextMs(h), 80_100_000)); n != 1 {
		t.Fatal(why)
	}
	if v = vehicle(t, h, vin); v.Odometer.Points != 1 {
		t.Fatalf("an unbound meter extended the series: %+v", v.Odometer)
	}
}

func propose(t testing.TB, h *apptest.Harness, vin string, buyer tx.Address, price tx.Coin) uint64 {
	t.Helper()
	res := h.RunOK("propose", h.Sign(apptest.Dealer, &tx.MsgVehicleProposeTransfer{VIN: vin, Buyer: buyer, Price: price}))
	var id uint64
	if err := json.Unmarshal([]byte(attr(t, res.Events, "vehicles.transfer_proposed", "id")), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSubsidies(t *testing.T) {
	odoA, odoB, odoC := newOdometer("ev-a", apptest.Alice), newOdometer("ev-b", apptest.Alice), newOdometer("ev-c", apptest.Bob)
	h := start(t, vehicles.DefaultParams(), odoA, odoB, odoC)
	vinA, vinB, vinC := vinOf(t, "KMHKN81AFPU00001"), vinOf(t, "KMHKN81AFPU00002"), vinOf(t, "KMHKN81AFPU00003")
	h.RunOK("register a", h.Sign(apptest.Registrar, register(vinA, apptest.Alice.Addr, "ev-a")))
	h.RunOK("register b", h.Sign(apptest.Registrar, register(vinB, apptest.Alice.Addr, "ev-b")))
	h.RunOK("register c", h.Sign(apptest.Registrar, register(vinC, apptest.Bob.Addr, "ev-c")))

	prog := &tx.MsgVehicleCreateProgramme{ID: "ev-2026", Name: "EV purchase subsidy 2026", Amount: scn(300), Budget: scn(500),
		HoldingPeriodSeconds: 2 * 365 * 24 * 3600}
	h.RunFail("a programme by a citizen", h.Sign(apptest.Alice, prog), tx.CodeVehicleNotAgency)
	agencyBefore := h.Balance(apptest.Agency.Addr, tx.DenomSCoin)
	h.RunFail("a budget beyond the agency's funds", h.Sign(apptest.Agency, &tx.MsgVehicleCreateProgramme{ID: "big", Name: "x",
		Amount: scn(1), Budget: scn(2_000), HoldingPeriodSeconds: 60}), tx.CodeBankInsufficientFunds, "insufficient funds")
	h.RunOK("create", h.Sign(apptest.Agency, prog))
	h.RunFail("create twice", h.Sign(apptest.Agency, prog), tx.CodeVehicleProgrammeExists)
	if got := h.Balance(apptest.Agency.Addr, tx.DenomSCoin); got != agencyBefore-scn(500).Amount {
		t.Fatalf("agency paid %d into escrow", agencyBefore-got)
	}
	if got := h.Balance(vehicles.EscrowAddress, tx.DenomSCoin); got != scn(500).Amount {
		t.Fatalf("escrow: %d", got)
	}

	aliceBefore := h.Balance(apptest.Alice.Addr, tx.DenomSCoin)
	h.RunFail("approve by another account", h.Sign(apptest.Registrar, &tx.MsgVehicleApproveSubsidy{Programme: "ev-2026", VIN: vinA}), tx.CodeVehicleNotProgrammeAgency)
	h.RunFail("approve from an unknown programme", h.Sign(apptest.Agency, &tx.MsgVehicleApproveSubsidy{Programme: "nope", VIN: vinA}), tx.CodeVehicleUnknownProgramme)
	h.RunOK("approve a", h.Sign(apptest.Agency, &tx.MsgVehicleApproveSubsidy{Programme: "ev-2026", VIN: vinA}))
	if got := h.Balance(apptest.Alice.Addr, tx.DenomSCoin); got != aliceBefore+scn(300).Amount {
		t.Fatalf("alice received %d", got-aliceBefore)
	}
	h.RunFail("a vehicle twice", h.Sign(apptest.Agency, &tx.MsgVehicleApproveSubsidy{Programme: "ev-2026", VIN: vinA}), tx.CodeVehicleSubsidised)
	h.RunFail("a citizen twice", h.Sign(apptest.Agency, &tx.MsgVehicleApproveSubsidy{Programme: "ev-2026", VIN: vinB}), tx.CodeVehicleCitizenSubsidised, vinA)
	h.RunFail("beyond the budget", h.Sign(apptest.Agency, &tx.MsgVehicleApproveSubsidy{Programme: "ev-2026", VIN: vinC}), tx.CodeVehicleBudgetExhausted, "200000000uscn left")

	p := programme(t, h, "ev-2026")
	if p.Remaining.Amount != scn(200).Amount || p.Approved != 1 {
		t.Fatalf("programme: %+v", p)
	}
	var cs vehicles.CitizenSubsidy
	h.QueryJSON(t, "/vehicles/citizen", []byte(apptest.Alice.Addr.String()), &cs)
	if cs.VIN != vinA || cs.Programme != "ev-2026" {
		t.Fatalf("citizen: %+v", cs)
	}
	v := vehicle(t, h, vinA)
	if v.Subsidy == nil || v.Subsidy.Status != vehicles.SubsidyHeld || v.Subsidy.Holder != apptest.Alice.Addr ||
		!v.Subsidy.HoldingUntil.Equal(v.Subsidy.Time.Add(2*365*24*time.Hour)) {
		t.Fatalf("subsidy: %+v", v.Subsidy)
	}
	var r vehicles.Report
	h.QueryJSON(t, "/vehicles/report", []byte(vinA), &r)
	if r.Programme == nil || r.Programme.ID != "ev-2026" || r.Programme.Remaining != p.Remaining || r.Vehicle.Subsidy.Programme != "ev-2026" || len(r.Odometer) != 0 {
		t.Fatalf("report: %+v", r)
	}
	var st vehicles.Stats
	h.QueryJSON(t, "/vehicles/stats", nil, &st)
	if len(st.Escrow) != 1 || st.Escrow[0] != p.Remaining || st.Counters.Subsidies != 1 {
		t.Fatalf("stats: %+v, the programme has %s left", st, p.Remaining)
	}
}

func TestClawbackFormula(t *testing.T) {
	const year = 365 * 24 * 3600
	for _, c := range []struct {
		amount       uint64
		until, now   int64
		hold, clawed uint64
	}{
		{300_000_000, 1000 + year, 1000, year, 300_000_000},          // sold at once: all of it
		{300_000_000, 1000 + year, 1000 + year/4, year, 225_000_000}, // a quarter held
		{300_000_000, 1000 + year, 1000 + year, year, 0},             // held to the end
		{300_000_000, 1000 + year, 5000 + year, year, 0},             // after the end
		{1, 100, 50, 100, 0},                                     // rounds down
		{^uint64(0), 1 << 40, 0, 1 << 40, ^uint64(0)},            // no overflow in the product
		{^uint64(0), 1 << 40, 1 << 39, 1 << 40, ^uint64(0) >> 1}, // half of the largest amount
	} {
		if got := vehicles.Clawback(c.amount, c.until, c.now, c.hold); got != c.clawed {
			t.Errorf("Clawback(%d, %d, %d, %d) = %d, want %d", c.amount, c.until, c.now, c.hold, got, c.clawed)
		}
	}
}

// TestTransfer: a dealer's sale within the holding period pays the seller
// and claws the unheld part of the subsidy back, atomically.
func TestTransfer(t *testing.T) {
	odo := newOdometer("ev-a", apptest.Alice)
	p := vehicles.DefaultParams()
	p.TransferTTLSeconds = 60
	h := start(t, p, odo)
	vin := vinOf(t, "KMHKN81AFPU12345")
	h.RunOK("register", h.Sign(apptest.Registrar, register(vin, apptest.Alice.Addr, "ev-a")))
	const hold = 1000 // seconds: 200 blocks
	h.RunOK("programme", h.Sign(apptest.Agency, &tx.MsgVehicleCreateProgramme{ID: "ev", Name: "EV", Amount: scn(400), Budget: scn(400),
		HoldingPeriodSeconds: hold}))
	h.RunOK("approve", h.Sign(apptest.Agency, &tx.MsgVehicleApproveSubsidy{Programme: "ev", VIN: vin}))
	until := vehicle(t, h, vin).Subsidy.HoldingUntil

	price := tx.Coin{Amount: 20_000_000 * 1_000_000, Denom: tx.DenomKRW}
	h.RunFail("a citizen proposes", h.Sign(apptest.Alice, &tx.MsgVehicleProposeTransfer{VIN: vin, Buyer: apptest.Bob.Addr, Price: price}), tx.CodeVehicleNotDealer)
	h.RunFail("sell to the owner", h.Sign(apptest.Dealer, &tx.MsgVehicleProposeTransfer{VIN: vin, Buyer: apptest.Alice.Addr, Price: price}), tx.CodeVehicleSameOwner)
	invalid(t, h, "a price in an unknown denom", apptest.Dealer, &tx.MsgVehicleProposeTransfer{VIN: vin, Buyer: apptest.Bob.Addr,
		Price: tx.Coin{Amount: 1, Denom: "uabc"}}, "want an amount in uscn or ukrw")

	// Bob cannot pay 20 M won: the accepting transaction fails and nothing moves.
	first := propose(t, h, vin, apptest.Bob.Addr, price)
	// The dealer proposing again replaces its own proposal.
	id := propose(t, h, vin, apptest.Bob.Addr, price)
	if tr := transfer(t, h, first); tr.Status != vehicles.TransferSuperseded {
		t.Fatalf("the dealer's first proposal: %+v", tr)
	}
	h.RunFail("accept a replaced one", h.Sign(apptest.Alice, &tx.MsgVehicleAcceptTransfer{ID: first}), tx.CodeVehicleTransferClosed, "superseded")
	h.RunFail("a stranger accepts", h.Sign(apptest.Registrar, &tx.MsgVehicleAcceptTransfer{ID: id}), tx.CodeVehicleNotParty)
	h.RunFail("review of a clean vehicle", h.Sign(apptest.Registrar, &tx.MsgVehicleReviewTransfer{ID: id, Approve: true, Reason: "x"}), tx.CodeVehicleNoReview)
	h.RunOK("seller accepts", h.Sign(apptest.Alice, &tx.MsgVehicleAcceptTransfer{ID: id}))
	if v := vehicle(t, h, vin); v.OpenTransfer != id {
		t.Fatalf("the seller's acceptance did not lock the vehicle: open_transfer %d, want %d", v.OpenTransfer, id)
	}
	h.RunFail("a proposal once the owner accepted one", h.Sign(apptest.Dealer, &tx.MsgVehicleProposeTransfer{VIN: vin, Buyer: apptest.Bob.Addr, Price: price}),
		tx.CodeVehicleTransferOpen, "its owner accepted transfer")
	h.RunFail("seller accepts twice", h.Sign(apptest.Alice, &tx.MsgVehicleAcceptTransfer{ID: id}), tx.CodeVehicleAlreadyAccepted)
	bobKRW, aliceKRW := h.Balance(apptest.Bob.Addr, tx.DenomKRW), h.Balance(apptest.Alice.Addr, tx.DenomKRW)
	h.RunFail("buyer cannot pay", h.Sign(apptest.Bob, &tx.MsgVehicleAcceptTransfer{ID: id}), tx.CodeVehiclePayment, "cannot pay")
	if tr := transfer(t, h, id); tr.Status != vehicles.TransferOpen || tr.BuyerAccepted {
		t.Fatalf("a failed acceptance changed the transfer: %+v", tr)
	}
	if h.Balance(apptest.Bob.Addr, tx.DenomKRW) != bobKRW || h.Balance(apptest.Alice.Addr, tx.DenomKRW) != aliceKRW || vehicle(t, h, vin).Owner != apptest.Alice.Addr {
		t.Fatal("a failed payment moved money or the title")
	}
	h.RunOK("cancel by the buyer", h.Sign(apptest.Bob, &tx.MsgVehicleCancelTransfer{ID: id}))
	h.RunFail("accept a cancelled one", h.Sign(apptest.Alice, &tx.MsgVehicleAcceptTransfer{ID: id}), tx.CodeVehicleTransferClosed, "cancelled")

	// A proposal that expires closes when the next one is made.
	id = propose(t, h, vin, apptest.Bob.Addr, scn(1))
	for i := 0; i < 13; i++ {
		h.Block()
	}
	h.RunFail("accept an expired one", h.Sign(apptest.Alice, &tx.MsgVehicleAcceptTransfer{ID: id}), tx.CodeVehicleTransferExpired)
	old := id

	// The seller has spent its S-Coin: it cannot repay the clawback, so the
	// sale (price in won) fails as a whole.
	spend := h.Balance(apptest.Alice.Addr, tx.DenomSCoin) - 1_000_000 // keep 1 S-Coin for fees, if any
	h.RunOK("alice spends", h.Sign(apptest.Alice, &tx.MsgSend{To: apptest.Treasury.Addr, Amount: tx.Coin{Amount: spend, Denom: tx.DenomSCoin}}))
	krwPrice := tx.Coin{Amount: 500_000 * 1_000_000, Denom: tx.DenomKRW}
	id = propose(t, h, vin, apptest.Bob.Addr, krwPrice)
	if tr := transfer(t, h, old); tr.Status != vehicles.TransferExpired {
		t.Fatalf("the old proposal: %+v", tr)
	}
	h.RunOK("buyer accepts", h.Sign(apptest.Bob, &tx.MsgVehicleAcceptTransfer{ID: id}))
	bobKRW = h.Balance(apptest.Bob.Addr, tx.DenomKRW)
	h.RunFail("seller cannot repay", h.Sign(apptest.Alice, &tx.MsgVehicleAcceptTransfer{ID: id}), tx.CodeVehicleClawback, "owes")
	if h.Balance(apptest.Bob.Addr, tx.DenomKRW) != bobKRW || vehicle(t, h, vin).Owner != apptest.Alice.Addr {
		t.Fatal("a failed clawback let the sale through")
	}
	h.RunOK("alice gets her S-Coin back", h.Sign(apptest.Treasury, &tx.MsgSend{To: apptest.Alice.Addr, Amount: tx.Coin{Amount: spend, Denom: tx.DenomSCoin}}))

	aliceSCN, aliceKRW := h.Balance(apptest.Alice.Addr, tx.DenomSCoin), h.Balance(apptest.Alice.Addr, tx.DenomKRW)
	escrow := h.Balance(vehicles.EscrowAddress, tx.DenomSCoin)
	res := h.RunOK("seller accepts last", h.Sign(apptest.Alice, &tx.MsgVehicleAcceptTransfer{ID: id}))
	now := apptest.BlockTime(h.Height)
	want := vehicles.Clawback(scn(400).Amount, until.Unix(), now.Unix(), hold)
	if left := until.Sub(now); left <= 0 || want == 0 || want >= scn(400).Amount {
		t.Fatalf("the test sold outside the holding period (%s left, %d owed)", left, want)
	}
	if got := scn(400).Amount * uint64(until.Sub(now)/time.Second) / hold; got != want {
		t.Fatalf("clawback %d, the pro-rata share is %d", want, got)
	}
	if got := attr(t, res.Events, "vehicles.title_transferred", "clawback"); got != (tx.Coin{Amount: want, Denom: tx.DenomSCoin}).String() {
		t.Fatalf("clawback event %s, want %d", got, want)
	}
	if got := h.Balance(apptest.Alice.Addr, tx.DenomSCoin); got != aliceSCN-want {
		t.Fatalf("seller's S-Coin: %d, want %d", got, aliceSCN-want)
	}
	if got := h.Balance(apptest.Alice.Addr, tx.DenomKRW); got != aliceKRW+krwPrice.Amount {
		t.Fatalf("seller's won: %d, want %d", got, aliceKRW+krwPrice.Amount)
	}
	if got := h.Balance(apptest.Bob.Addr, tx.DenomKRW); got != bobKRW-krwPrice.Amount {
		t.Fatalf("buyer's won: %d", got)
	}
	if got := h.Balance(vehicles.EscrowAddress, tx.DenomSCoin); got != escrow+want || programme(t, h, "ev").Remaining.Amount != got {
		t.Fatalf("escrow %d, want %d; programme %+v", got, escrow+want, programme(t, h, "ev"))
	}
	v := vehicle(t, h, vin)
	if v.Owner != apptest.Bob.Addr || len(v.Owners) != 2 || v.Owners[1].Transfer != id || *v.Owners[1].Price != krwPrice ||
		v.Owners[1].Dealer == nil || *v.Owners[1].Dealer != apptest.Dealer.Addr || v.Subsidy.Status != vehicles.SubsidyClawedBack || v.Subsidy.ClawedBack.Amount != want || v.OpenTransfer != 0 {
		t.Fatalf("after the sale: %+v", v)
	}
	if tr := transfer(t, h, id); tr.Status != vehicles.TransferCompleted || tr.Clawback == nil || tr.Clawback.Amount != want {
		t.Fatalf("transfer: %+v", tr)
	}
	// Bob's resale owes nothing: the subsidy was Alice's.
	id = propose(t, h, vin, apptest.Alice.Addr, scn(1))
	h.RunOK("bob accepts", h.Sign(apptest.Bob, &tx.MsgVehicleAcceptTransfer{ID: id}))
	res = h.RunOK("alice accepts", h.Sign(apptest.Alice, &tx.MsgVehicleAcceptTransfer{ID: id}))
	if got := attr(t, res.Events, "vehicles.title_transferred", "clawback"); got != "0" {
		t.Fatalf("resale clawback %s", got)
	}
	var list vehicles.ListPage
	h.QueryJSON(t, "/vehicles/list", apptest.MustJSON(t, vehicles.ListRequest{Owner: &apptest.Bob.Addr}), &list)
	if len(list.Vehicles) != 0 {
		t.Fatalf("the owner index kept the seller: %+v", list)
	}
}

func TestRecordsAndRecycling(t *testing.T) {
	odo := newOdometer("ev-a", apptest.Alice)
	h := start(t, vehicles.DefaultParams(), odo)
	vin := vinOf(t, "KMHKN81AFPU12345")
	h.RunOK("register", h.Sign(apptest.Registrar, register(vin, apptest.Alice.Addr, "ev-a")))
	doc := tx.HexBytes(bytes.Repeat([]byte{0xab}, 32))

	h.RunFail("battery by a dealer", h.Sign(apptest.Dealer, &tx.MsgVehicleRecordBattery{VIN: vin, SOHBP: 9_500}), tx.CodeVehicleNotInspector)
	invalid(t, h, "battery above 100%", apptest.Inspector, &tx.MsgVehicleRecordBattery{VIN: vin, SOHBP: 10_001}, "soh_bp")
	h.RunOK("battery", h.Sign(apptest.Inspector, &tx.MsgVehicleRecordBattery{VIN: vin, SOHBP: 9_500, DocHash: doc}))
	insp := &tx.MsgVehicleRecordInspection{VIN: vin, DocHash: doc, Result: tx.InspectionPass, OdometerM: 12_345_000, Defects: 1, SOHBP: 9_400}
	h.RunFail("inspection by an insurer", h.Sign(apptest.Insurer, insp), tx.CodeVehicleNotInspector)
	invalid(t, h, "inspection without a document", apptest.Inspector, &tx.MsgVehicleRecordInspection{VIN: vin, Result: "pass"}, "doc_hash")
	h.RunOK("inspection", h.Sign(apptest.Inspector, insp))
	now := apptest.BlockTime(h.Height).Unix()
	acc := &tx.MsgVehicleRecordAccident{VIN: vin, OccurredAt: now - 3600, Severity: tx.SeverityModerate, Summary: "rear-ended at a light"}
	h.RunFail("accident by a citizen", h.Sign(apptest.Alice, acc), tx.CodeVehicleNotAccidentRecorder)
	h.RunFail("accident in the future", h.Sign(apptest.Insurer, &tx.MsgVehicleRecordAccident{VIN: vin, OccurredAt: now + 3600,
		Severity: tx.SeverityMinor, Summary: "x"}), tx.CodeVehicleFutureTime)
	invalid(t, h, "an unknown severity", apptest.Insurer, &tx.MsgVehicleRecordAccident{VIN: vin, OccurredAt: now, Severity: "bad", Summary: "x"}, "severity")
	h.RunOK("accident by an insurer", h.Sign(apptest.Insurer, acc))
	h.RunOK("accident by a repair shop", h.Sign(apptest.Garage, &tx.MsgVehicleRecordAccident{VIN: vin, OccurredAt: now, Severity: tx.SeverityMinor, Summary: "bumper", DocHash: doc}))
	h.RunFail("records of an unknown vehicle", h.Sign(apptest.Inspector, &tx.MsgVehicleRecordBattery{VIN: "1M8GDM9AXKP042788", SOHBP: 1}), tx.CodeVehicleUnknown)

	v := vehicle(t, h, vin)
	if len(v.BatteryHealth) != 2 || v.BatteryHealth[1].SOHBP != 9_400 || len(v.Inspections) != 1 || v.Inspections[0].OdometerM != 12_345_000 ||
		len(v.Accidents) != 2 || v.Accidents[0].By != apptest.Insurer.Addr || v.Accidents[1].By != apptest.Garage.Addr {
		t.Fatalf("records: %+v", v)
	}

	id := propose(t, h, vin, apptest.Bob.Addr, scn(1))
	h.RunFail("recycle by a dealer", h.Sign(apptest.Dealer, &tx.MsgVehicleRecycle{VIN: vin, Reason: "end of life"}), tx.CodeVehicleNotRecycler)
	h.RunOK("recycle", h.Sign(apptest.Inspector, &tx.MsgVehicleRecycle{VIN: vin, Reason: "battery below 60%, dismantled"}))
	if tr := transfer(t, h, id); tr.Status != vehicles.TransferVoided {
		t.Fatalf("open transfer after recycling: %+v", tr)
	}
	h.RunFail("accept after recycling", h.Sign(apptest.Alice, &tx.MsgVehicleAcceptTransfer{ID: id}), tx.CodeVehicleTransferClosed)
	h.RunFail("sell a recycled vehicle", h.Sign(apptest.Dealer, &tx.MsgVehicleProposeTransfer{VIN: vin, Buyer: apptest.Bob.Addr, Price: scn(1)}), tx.CodeVehicleRecycled)
	h.RunFail("recycle twice", h.Sign(apptest.Inspector, &tx.MsgVehicleRecycle{VIN: vin, Reason: "again"}), tx.CodeVehicleRecycled)
	h.RunFail("records after recycling", h.Sign(apptest.Inspector, &tx.MsgVehicleRecordBattery{VIN: vin, SOHBP: 1}), tx.CodeVehicleRecycled)
	v = vehicle(t, h, vin)
	if v.Status != vehicles.StatusRecycled || v.Recycling == nil || v.Recycling.By != apptest.Inspector.Addr {
		t.Fatalf("recycled: %+v", v)
	}
	var st vehicles.Stats
	h.QueryJSON(t, "/vehicles/stats", nil, &st)
	if st.Counters.Recycled != 1 {
		t.Fatalf("stats: %+v", st.Counters)
	}
}

// TestMaxRecords: a vehicle's lists are bounded; the limit is a clear error.
func TestMaxRecords(t *testing.T) {
	odo := newOdometer("ev-a", apptest.Alice)
	p := vehicles.DefaultParams()
	p.MaxRecords = 2
	h := start(t, p, odo)
	vin := vinOf(t, "KMHKN81AFPU12345")
	h.RunOK("register", h.Sign(apptest.Registrar, register(vin, apptest.Alice.Addr, "ev-a")))
	for i := 0; i < 2; i++ {
		h.RunOK("battery", h.Sign(apptest.Inspector, &tx.MsgVehicleRecordBattery{VIN: vin, SOHBP: 9_000}))
	}
	h.RunFail("a third", h.Sign(apptest.Inspector, &tx.MsgVehicleRecordBattery{VIN: vin, SOHBP: 9_000}), tx.CodeVehicleTooManyRecords, "limit is 2")
}

func TestGenesisParams(t *testing.T) {
	if err := vehicles.DefaultParams().Validate(); err != nil {
		t.Fatalf("default params: %v", err)
	}
	for _, c := range []struct {
		p    vehicles.Params
		want string
	}{
		{vehicles.Params{TransferTTLSeconds: 0, MaxRecords: 10}, "params.transfer_ttl_seconds 0: want 1 to 31536000"},
		{vehicles.Params{TransferTTLSeconds: vehicles.MaxTransferTTLSeconds + 1, MaxRecords: 10}, "params.transfer_ttl_seconds 31536001: want 1 to 31536000"},
		{vehicles.Params{TransferTTLSeconds: 60, MaxRecords: 0}, "params.max_records 0: want 1 to 4096"},
		{vehicles.Params{TransferTTLSeconds: 60, MaxRecords: vehicles.MaxMaxRecords + 1}, "params.max_records 4097: want 1 to 4096"},
		{vehicles.Params{TransferTTLSeconds: vehicles.MaxTransferTTLSeconds, MaxRecords: vehicles.MaxMaxRecords}, ""},
	} {
		st := apptest.BuildAppState(apptest.DemoAccounts(), nil)
		st.Vehicles = vehicles.Genesis{Params: c.p}
		a := apptest.Open(t, apptest.Options{})
		_, err := a.App.InitChain(t.Context(), &abci.RequestInitChain{Time: apptest.GenesisTime, ChainId: apptest.ChainID,
			InitialHeight: 1, AppStateBytes: apptest.MustJSON(t, st)})
		if c.want == "" {
			if err != nil {
				t.Errorf("genesis %+v at the bounds: got %v, want accepted", c.p, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("genesis %+v: got %v, want an error naming %s", c.p, err, c.want)
		}
	}
}
