package client_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/reading/readingtest"
)

func freeListen(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprintf("tcp://%s", l.Addr())
}

const (
	vin       = "1M8GDM9AXKP042788"
	programme = "ev-client"
	odometer  = "ev-client-odo"
)

// unregistered is a valid VIN nobody registered.
func unregistered(t *testing.T) string {
	t.Helper()
	v := "WVWZZZ1J0XW000001"
	d, err := tx.VINCheckDigit(v)
	if err != nil {
		t.Fatal(err)
	}
	return v[:8] + string(d) + v[9:]
}

// world is a devnet node with alice's vehicle on it: registered with its
// odometer unit, three odometer points, and a subsidy.
type world struct {
	c    *client.Client
	keys *keyring.Keyring
}

func (w *world) addr(t *testing.T, name string) tx.Address {
	t.Helper()
	k, err := w.keys.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return k.Address
}

func (w *world) submit(ctx context.Context, t *testing.T, from string, msgs ...tx.Msg) {
	t.Helper()
	k, err := w.keys.Get(from)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.c.Submit(ctx, k.Private, "client test", msgs...); err != nil {
		t.Fatalf("%s: %s: %v", from, msgs[0].Type(), err)
	}
}

func startWorld(ctx context.Context, t *testing.T) *world {
	t.Helper()
	odo := readingtest.Key("client-test/" + odometer)
	reg := tx.MsgDeviceRegister{ID: odometer, Kind: tx.KindEVOdometer, PubKey: tx.PubKey(odo.Public().(ed25519.PublicKey)),
		Metadata: tx.DeviceMetadata{SerialNumber: odometer, Manufacturer: "test", Model: "EV odometer unit"}}
	home := t.TempDir()
	if _, err := node.EnsureDevnet(home, node.DevnetOptions{RPCListen: freeListen(t), P2PListen: freeListen(t), TimeoutCommit: 100 * time.Millisecond,
		Devices: []tx.MsgDeviceRegister{reg}, DeviceOwners: []string{"alice"}}); err != nil {
		t.Fatal(err)
	}
	n, err := node.Start(node.Options{Home: home, CometLogLevel: "none"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Stop() })
	if err := n.WaitForHeight(ctx, 2); err != nil {
		t.Fatal(err)
	}
	kr, err := keyring.Open(node.KeyringDir(home))
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, n.RPCAddress(), genesisTrust(t, home)) // proofs verify from the devnet's genesis
	w := &world{c: c, keys: kr}
	alice := w.addr(t, "alice")
	w.submit(ctx, t, "registrar", &tx.MsgVehicleRegister{VIN: vin, Model: "Hyundai Ioniq 5", Year: 2024, Owner: alice, OdometerDevice: odometer,
		Battery: tx.Battery{CapacityWh: 77_400, Chemistry: "nmc", PassportID: "KR-BP-0001"}})
	now := time.Now()
	var reads []tx.HexBytes
	for i, ago := range []time.Duration{6 * time.Minute, 4 * time.Minute, 2 * time.Minute} {
		reads = append(reads, readingtest.Wire(t, odo, reading.Reading{DeviceID: odometer, KeyEpoch: 1, Seq: uint64(i + 1),
			TimeMs: now.Add(-ago).UnixMilli(), Kind: reading.KindOdometerM, Value: uint64(1_000 * (i + 1))}))
	}
	w.submit(ctx, t, "settlement", &tx.MsgSubmitReadings{Readings: reads})
	// Alice signs one transaction, so her account has a key and a sequence.
	w.submit(ctx, t, "alice", &tx.MsgSend{To: w.addr(t, "bob"), Amount: tx.Coin{Amount: 1, Denom: tx.DenomSCoin}})
	w.submit(ctx, t, "agency",
		&tx.MsgVehicleCreateProgramme{ID: programme, Name: "client test subsidy", Amount: tx.Coin{Amount: 1_000_000, Denom: tx.DenomSCoin},
			Budget: tx.Coin{Amount: 5_000_000, Denom: tx.DenomSCoin}, HoldingPeriodSeconds: 3600},
		&tx.MsgVehicleApproveSubsidy{Programme: programme, VIN: vin})
	return w
}

// TestQueries runs the typed queries against a devnet node: each decodes
// the chain's answer, reports absence as a nil value with its read (proven
// with Prove) or as ErrNotFound, and the vehicle report proves every part.
func TestQueries(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w := startWorld(ctx, t)
	c := w.c
	alice, nobody := w.addr(t, "alice"), tx.Address{1}
	latest, proven := client.ReadOpts{}, client.ReadOpts{Prove: true}
	must := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	verify := func(t *testing.T, res *client.QueryResult) {
		t.Helper()
		v, err := c.Verify(ctx, res)
		if err != nil || v.HeaderHeight != res.Height+1 {
			t.Fatalf("verify %s %s: got %+v, %v; want verified against header %d", res.Path, res.Data, v, err, res.Height+1)
		}
	}

	t.Run("auth", func(t *testing.T) {
		a, res, err := c.AccountState(ctx, alice, proven)
		must(t, err)
		if a == nil || a.Address != alice || a.Sequence == 0 || len(a.PubKey) != ed25519.PublicKeySize {
			t.Fatalf("got account %+v, want alice's after her transaction", a)
		}
		verify(t, res)
		if a, res, err := c.AccountState(ctx, nobody, proven); err != nil || a != nil || res.Found() {
			t.Fatalf("unknown account: got %+v, %v; want nil, proven absent", a, err)
		} else {
			verify(t, res)
		}
		if _, err := c.Account(ctx, nobody); !errors.Is(err, client.ErrNotFound) {
			t.Fatalf("Account of an unknown address: got %v, want ErrNotFound", err)
		}
		roles, _, err := c.Roles(ctx, w.addr(t, "agency"), latest)
		must(t, err)
		if !slices.Contains(roles, tx.RoleAgency) {
			t.Fatalf("got agency roles %v, want %s among them", roles, tx.RoleAgency)
		}
		if roles, _, err := c.Roles(ctx, alice, latest); err != nil || roles != nil {
			t.Fatalf("alice's roles: got %v, %v; want none", roles, err)
		}
	})
	t.Run("bank", func(t *testing.T) {
		bal, res, err := c.Balance(ctx, alice, tx.DenomKRW, proven)
		must(t, err)
		verify(t, res)
		all, err := c.Balances(ctx, alice, 0)
		must(t, err)
		if bal == 0 || !slices.Contains(all, tx.Coin{Amount: bal, Denom: tx.DenomKRW}) {
			t.Fatalf("got balance %d and balances %v, want the one among the others", bal, all)
		}
		if n, _, err := c.Balance(ctx, nobody, tx.DenomKRW, latest); err != nil || n != 0 {
			t.Fatalf("balance of an unknown account: got %d, %v; want 0", n, err)
		}
		sup, _, err := c.Supply(ctx, tx.DenomSCoin, latest)
		must(t, err)
		sups, err := c.Supplies(ctx, 0)
		must(t, err)
		if sup == 0 || !slices.Contains(sups, tx.Coin{Amount: sup, Denom: tx.DenomSCoin}) {
			t.Fatalf("got supply %d and supplies %v, want the one among the others", sup, sups)
		}
	})
	t.Run("devices and metering", func(t *testing.T) {
		d, res, err := c.Device(ctx, odometer, proven)
		must(t, err)
		if d == nil || d.Kind != tx.KindEVOdometer || d.Owner != alice || d.KeyEpoch != 1 || len(d.Keys) != 1 {
			t.Fatalf("got device %+v, want alice's odometer at key epoch 1", d)
		}
		verify(t, res)
		var stored tx.Device
		if err := json.Unmarshal(res.Value, &stored); err != nil || stored.ID != odometer {
			t.Fatalf("stored value %s: %v", res.Value, err)
		}
		owned, err := c.DevicesByOwner(ctx, tx.DevicesByOwnerRequest{Owner: alice}, 0)
		must(t, err)
		if len(owned.Devices) != 1 || owned.Devices[0].ID != odometer || owned.Next != "" || owned.Height == 0 {
			t.Fatalf("got alice's devices %+v, want the odometer, the whole list, with its height", owned)
		}
		if _, _, err := c.Device(ctx, "NOT VALID", latest); !errors.Is(err, tx.CodeAppBadQuery) {
			t.Fatalf("a bad device id: got %v, want the node's bad query code", err)
		}
		p, _, err := c.MeteringParams(ctx, latest)
		must(t, err)
		if p == nil || p.IntervalSeconds != node.DevnetInterval {
			t.Fatalf("got metering params %+v, want %d-second intervals", p, node.DevnetInterval)
		}
		st, _, err := c.DeviceState(ctx, odometer, latest)
		must(t, err)
		if !bytes.Contains(st, []byte(`"seq":3`)) {
			t.Fatalf("got device state %s, want the third reading", st)
		}
		a, res, err := c.Anchor(ctx, 1, proven)
		if err != nil || a != nil {
			t.Fatalf("anchor of interval 1: got %+v, %v; want none", a, err)
		}
		verify(t, res)
		to := uint64(time.Now().Unix()/node.DevnetInterval + 1)
		totals, err := c.Totals(ctx, reading.KindOdometerM.String(), to-100, to, 0)
		must(t, err)
		deltas, err := c.Deltas(ctx, odometer, to-100, to, 0)
		must(t, err)
		if len(deltas) == 0 || !slices.Equal(deltas, totals) {
			t.Fatalf("got deltas %v and odometer totals %v, want the one device's deltas", deltas, totals)
		}
		set, res, err := c.ValidatorSet(ctx, proven)
		must(t, err)
		if !bytes.Equal(set, res.Value) || len(set) == 0 {
			t.Fatalf("got validator set %s, want the stored value %s", set, res.Value)
		}
	})
	t.Run("market and mileage", func(t *testing.T) {
		params, _, err := c.MarketParams(ctx, latest)
		must(t, err)
		if clr, res, err := c.MarketClearing(ctx, 1, latest); err != nil || clr != nil || res.Found() {
			t.Fatalf("clearing of interval 1: got %s, %v; want none", clr, err)
		}
		mp, _, err := c.MileageParams(ctx, latest)
		must(t, err)
		if len(params) == 0 || len(mp) == 0 {
			t.Fatalf("got market params %s and mileage params %s, want both", params, mp)
		}
		one := uint64(1)
		pages := map[string]func() (any, error){
			"orders":      func() (any, error) { return c.MarketOrders(ctx, tx.MarketOrdersRequest{Owner: alice}, 0) },
			"trades":      func() (any, error) { return c.MarketTrades(ctx, tx.MarketTradesRequest{Interval: &one}, 0) },
			"trades of":   func() (any, error) { return c.MarketTrades(ctx, tx.MarketTradesRequest{Account: &alice}, 0) },
			"book":        func() (any, error) { return c.MarketBook(ctx, tx.MarketIntervalRequest{Interval: 1}, 0) },
			"settlements": func() (any, error) { return c.MarketSettlement(ctx, tx.MarketIntervalRequest{Interval: 1}, 0) },
		}
		for name, read := range pages {
			if v, err := read(); err != nil || v == nil {
				t.Fatalf("%s: got %+v, %v; want a page", name, v, err)
			}
		}
		for name, read := range map[string]func() (json.RawMessage, error){
			"budget":    func() (json.RawMessage, error) { return c.MileageBudget(ctx, 0) },
			"merchants": func() (json.RawMessage, error) { return c.MileageMerchants(ctx, nil, 0) },
		} {
			if v, err := read(); err != nil || !json.Valid(v) {
				t.Fatalf("%s: got %s, %v; want a JSON answer", name, v, err)
			}
		}
		h, err := c.MileageHistory(ctx, tx.MileageHistoryRequest{Address: alice}, 0)
		must(t, err)
		if h.Address != alice || h.Total != uint64(len(h.Entries)) {
			t.Fatalf("got mileage history %+v, want alice's, complete", h)
		}
	})
	t.Run("vehicles", func(t *testing.T) {
		rec, _, err := c.Vehicle(ctx, vin, latest)
		must(t, err)
		bound, _, err := c.VehicleByDevice(ctx, odometer, latest)
		must(t, err)
		prog, _, err := c.VehicleProgramme(ctx, programme, latest)
		must(t, err)
		cit, _, err := c.VehicleCitizen(ctx, alice, latest)
		must(t, err)
		if rec == nil || bound != vin || prog == nil || !bytes.Contains(cit, []byte(vin)) {
			t.Fatalf("got record %s, binding %q, programme %s, citizen %s; want alice's subsidised vehicle", rec, bound, prog, cit)
		}
		if tr, res, err := c.VehicleTransfer(ctx, 1, proven); err != nil || tr != nil {
			t.Fatalf("transfer 1: got %s, %v; want none", tr, err)
		} else {
			verify(t, res)
		}
		list, err := c.Vehicles(ctx, tx.VehicleListRequest{Owner: &alice}, 0)
		must(t, err)
		progs, err := c.VehicleProgrammes(ctx, "", 0)
		must(t, err)
		if len(list.Vehicles) != 1 || list.Next != "" || len(progs.Programmes) != 1 {
			t.Fatalf("got vehicles %+v and programmes %+v, want one of each", list, progs)
		}
		page, err := c.VehicleOdometer(ctx, tx.OdometerRequest{VIN: vin, Limit: 2}, 0)
		must(t, err)
		if page.VIN != vin || len(page.Points) != 2 || page.Next == nil {
			t.Fatalf("got odometer page %+v, want 2 of 3 points and a next", page)
		}
		if _, _, err := c.VehicleHistory(ctx, unregistered(t), 0); !errors.Is(err, client.ErrNotFound) {
			t.Fatalf("history of an unregistered VIN: got %v, want ErrNotFound", err)
		}

		c.OdometerPageLimit = 1 // read the series a point a page
		rep, err := c.VehicleReport(ctx, vin, 0)
		must(t, err)
		if !rep.Found() || len(rep.Odometer) != 3 || rep.Summary.Points != 3 || rep.Odometer[2].ValueM != 3_000 {
			t.Fatalf("got report %+v, want the 3-point series", rep)
		}
		if v := rep.VehicleProof.Verification; v == nil || v.HeaderHeight != rep.Height+1 || rep.VehicleProof.Result.Height != rep.Height {
			t.Fatalf("got vehicle proof %+v at height %d, want it verified against header %d", v, rep.Height, rep.Height+1)
		}
		if p := rep.ProgrammeProof; rep.ProgrammeID != programme || p == nil || p.Verification == nil || p.Result.Height != rep.Height || !bytes.Equal(rep.Programme, p.Result.Value) {
			t.Fatalf("got programme %q with proof %+v, want %s proven at height %d", rep.ProgrammeID, p, programme, rep.Height)
		}
		hist, at, err := c.VehicleHistory(ctx, vin, rep.Height)
		must(t, err)
		want, _ := json.Marshal(hist)
		got, _ := json.Marshal(rep.VehicleHistory)
		if at != rep.Height || !bytes.Equal(got, want) {
			t.Fatalf("proven report at height %d:\n%s\nwant /vehicles/report's at height %d:\n%s", rep.Height, got, at, want)
		}

		none, err := c.VehicleReport(ctx, unregistered(t), 0)
		must(t, err)
		if none.Found() || none.VehicleProof.Verification == nil || none.Vehicle != nil || none.ProgrammeProof != nil {
			t.Fatalf("report of an unregistered VIN: got %+v, want its absence proven and nothing else", none)
		}
	})
}
