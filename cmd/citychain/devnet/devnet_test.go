package devnet_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	influxdb2 "github.com/influxdata/influxdb-client-go/v2"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/devnet"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/simulators"
)

type readingKey struct {
	device string
	seq    uint64
}

// TestDevnetEndToEnd runs the whole pipeline against a real Mosquitto and a
// real InfluxDB: simulated inverters and EVs on a manual clock, their edge
// agents, settlement, the chain with its market. It checks that every
// reading the agents published is stored in InfluxDB exactly once, that
// intervals are anchored and their markets settled, and, once the clock
// stops, that the chain's cumulative value of every device equals the
// simulator's.
func TestDevnetEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole system")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	mosq, err := local.StartMosquitto(ctx, t.TempDir(), local.MosquittoOptions{})
	if err != nil {
		local.SkipOrFail(t, err)
	}
	t.Cleanup(func() { _ = mosq.Stop() })

	// An independent subscriber records everything the agents publish.
	var mu sync.Mutex
	published := map[readingKey]bool{}
	opts := mqtt.NewClientOptions().AddBroker(mosq.URL()).SetClientID("e2e-observer").SetCleanSession(false)
	obs := mqtt.NewClient(opts)
	if tok := obs.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("observer connect: %v", tok.Error())
	}
	defer obs.Disconnect(100)
	if tok := obs.Subscribe(reading.TopicPrefix+"+", 1, func(_ mqtt.Client, m mqtt.Message) {
		r, err := reading.Decode(m.Payload())
		if err != nil {
			t.Errorf("observer: undecodable reading on %s: %v", m.Topic(), err)
			return
		}
		mu.Lock()
		published[readingKey{r.DeviceID, r.Seq}] = true
		mu.Unlock()
	}); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("observer subscribe: %v", tok.Error())
	}

	home := t.TempDir()
	seoul := time.FixedZone("KST", 9*3600)
	clock := simulators.NewManualClock(time.Date(2026, 6, 21, 10, 0, 0, 0, seoul))
	sys, err := devnet.Start(ctx, devnet.Config{
		Home: home, RPCListen: "tcp://" + local.FreeAddr(t), P2PListen: "tcp://" + local.FreeAddr(t),
		TimeoutCommit: 200 * time.Millisecond, CometLogLevel: "none",
		MQTTURL: mosq.URL(), InfluxListen: "127.0.0.1:0",
		Inverters: 3, EVs: 2, SimBasePort: 0, PollInterval: 250 * time.Millisecond, GatewaySize: 3,
		IntervalSeconds: 6, SettlementGrace: 2 * time.Second, Clock: clock,
	})
	if err != nil {
		local.SkipOrFail(t, err)
	}
	closed := false
	defer func() {
		if !closed {
			if err := sys.Close(); err != nil {
				t.Error(err)
			}
		}
	}()
	c, err := client.New(sys.Node.RPCAddress())
	if err != nil {
		t.Fatal(err)
	}

	// Simulated time runs at 300x: two simulated minutes every 400 ms.
	stop := make(chan struct{})
	var advancing sync.WaitGroup
	advancing.Add(1)
	go func() {
		defer advancing.Done()
		tk := time.NewTicker(400 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tk.C:
				clock.Advance(2 * time.Minute)
			}
		}
	}()

	latestInterval := func() uint64 {
		st, err := c.RPC().Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return uint64(st.SyncInfo.LatestBlockTime.Unix()) / 6
	}
	// Settlement anchors only intervals with readings, so start from the
	// first interval that begins after every device has published: the
	// one current when Start returned may end before the agents' first
	// poll on a loaded machine.
	for {
		mu.Lock()
		seen := map[string]bool{}
		for k := range published {
			seen[k.device] = true
		}
		mu.Unlock()
		if len(seen) == len(sys.Manifest.Devices) {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("only %d of %d devices published before the deadline", len(seen), len(sys.Manifest.Devices))
		}
		time.Sleep(100 * time.Millisecond)
	}
	first := latestInterval() + 1
	// Wait for three intervals anchored with their markets cleared and
	// delivery settled.
	settled := 0
	for i := first; settled < 3; {
		if ctx.Err() != nil {
			t.Fatalf("only %d intervals settled before the deadline (from %d)", settled, first)
		}
		if i >= latestInterval() {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		r, err := devnet.Report(ctx, c, i, 6)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Anchored || (r.Cleared && !r.Settled) {
			if latestInterval() > i+8 {
				t.Fatalf("interval %d not settled 8 intervals later: %s", i, r)
			}
			time.Sleep(200 * time.Millisecond)
			continue
		}
		t.Log(r)
		if r.Cleared && r.Settled {
			settled++
			if r.DeliveredWh > r.TradedWh {
				t.Errorf("interval %d: delivered %d Wh > traded %d Wh", i, r.DeliveredWh, r.TradedWh)
			}
		}
		i++
	}

	// The vehicle story: every EV registered, subsidised and inspected, and
	// the first one sold by the dealer once it has an odometer history.
	type ev struct {
		VIN    string `json:"vin"`
		Owners []struct {
			Owner      tx.Address `json:"owner"`
			FromHeight int64      `json:"from_height"`
			Price      *tx.Coin   `json:"price"`
		} `json:"owners"`
		Subsidy *struct {
			Status     string   `json:"status"`
			ClawedBack *tx.Coin `json:"clawed_back"`
		} `json:"subsidy"`
		BatteryHealth []struct{} `json:"battery_health"`
		Inspections   []struct{} `json:"inspections"`
		Flags         []struct{} `json:"flags"`
		Odometer      struct {
			Points uint64            `json:"points"`
			Last   *tx.OdometerPoint `json:"last"`
			Digest tx.HexBytes       `json:"digest"`
		} `json:"odometer"`
	}
	var sold struct {
		Vehicle  ev                 `json:"vehicle"`
		Odometer []tx.OdometerPoint `json:"odometer"`
	}
	for {
		if ctx.Err() != nil {
			t.Fatalf("the first EV was not sold: %+v", sold.Vehicle)
		}
		if err := c.QueryJSON(ctx, "/vehicles/report", []byte(devnet.DemoVIN(0)), &sold); err == nil && len(sold.Vehicle.Owners) == 2 {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	v := sold.Vehicle
	if v.Owners[1].Owner == v.Owners[0].Owner || v.Owners[1].Price == nil || v.Owners[1].Price.Amount != 4_000_000_000 ||
		v.Subsidy == nil || v.Subsidy.Status != "clawed_back" || v.Subsidy.ClawedBack == nil || v.Subsidy.ClawedBack.Amount == 0 ||
		len(v.BatteryHealth) != 1 || len(v.Inspections) != 1 || v.Odometer.Points < 2 || len(v.Flags) != 0 {
		t.Fatalf("the sold EV: %+v", v)
	}
	if err := tx.VerifyOdometerSeries(sold.Odometer, v.Odometer.Digest, v.Odometer.Last, v.Odometer.Points); err != nil {
		t.Fatal(err)
	}
	var second ev
	if err := c.QueryJSON(ctx, "/vehicles/vehicle", []byte(devnet.DemoVIN(1)), &second); err != nil {
		t.Fatal(err)
	}
	if second.Subsidy == nil || second.Subsidy.Status != "held" || len(second.BatteryHealth) != 1 || len(second.Owners) != 1 {
		t.Fatalf("the second EV: %+v", second)
	}
	t.Logf("EV %s sold at height %d with %d odometer points, clawback %s", v.VIN, v.Owners[1].FromHeight, v.Odometer.Points, v.Subsidy.ClawedBack)

	// Stop the clock: from now on every poll reads the same counters. Once an
	// interval that began after that is anchored, the chain holds them.
	close(stop)
	advancing.Wait()
	frozen := latestInterval() + 1
	for {
		if ctx.Err() != nil {
			t.Fatal("no interval anchored after the clock stopped")
		}
		res, err := c.Query(ctx, "/metering/anchor", []byte(strconv.FormatUint(frozen, 10)), 0, false)
		if err != nil {
			t.Fatal(err)
		}
		if res.Found() {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, d := range sys.Fleet.Devices() {
		res, err := c.Query(ctx, "/metering/device", []byte(d.ID()), 0, false)
		if err != nil {
			t.Fatal(err)
		}
		var st struct {
			Value uint64          `json:"value"`
			Fraud json.RawMessage `json:"fraud"`
		}
		if err := json.Unmarshal(res.Value, &st); err != nil {
			t.Fatalf("device %s state: %v (%s)", d.ID(), err, res.Value)
		}
		if want := d.Read().Counter; st.Value != want {
			t.Errorf("device %s: chain value %d, simulator counter %d", d.ID(), st.Value, want)
		}
		if string(st.Fraud) != "null" {
			t.Errorf("device %s flagged: %s", d.ID(), st.Fraud)
		}
	}

	// Every published reading is in InfluxDB exactly once, and nothing else.
	ic := influxdb2.NewClient(sys.InfluxURL, sys.InfluxToken)
	defer ic.Close()
	stored := func() (map[readingKey]int, error) {
		q := fmt.Sprintf(`from(bucket:%q) |> range(start: 0) |> filter(fn: (r) => r._measurement == "readings" and r._field == "seq")`, sys.InfluxBucket)
		res, err := ic.QueryAPI("").Query(ctx, q)
		if err != nil {
			return nil, err
		}
		out := map[readingKey]int{}
		for res.Next() {
			rec := res.Record()
			seq, _ := rec.Value().(int64)
			out[readingKey{rec.ValueByKey("device").(string), uint64(seq)}]++
		}
		return out, res.Err()
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := stored()
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		missing, extra, dup := 0, 0, 0
		for k := range published {
			if got[k] == 0 {
				missing++
			}
		}
		for k, n := range got {
			if !published[k] {
				extra++
			}
			if n > 1 {
				dup++
			}
		}
		total := len(published)
		mu.Unlock()
		if missing == 0 && extra == 0 && dup == 0 {
			t.Logf("%d readings published, all stored once", total)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("InfluxDB vs published: %d missing, %d not published, %d duplicated (of %d)", missing, extra, dup, total)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if st := sys.Settlement.Stats(); st.RejectedTotal() != 0 {
		t.Errorf("settlement rejected honest readings: %v", st.Rejected)
	}

	// The citizen story ran alongside (citizen.go; its checks are in
	// TestCitizenStory): it reports when done.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(250 * time.Millisecond) {
		raw, err := os.ReadFile(filepath.Join(devnet.CitizenDir(home), "story.json"))
		if err == nil {
			var rep devnet.StoryReport
			if err := json.Unmarshal(raw, &rep); err != nil {
				t.Fatal(err)
			}
			if len(rep.Pseudonyms) != 3 || rep.RevokedEntry == nil || rep.RevokedEntry.Admitted {
				t.Fatalf("citizen story: %s", raw)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the citizen story did not finish in a minute: %v", err)
		}
	}

	// The registry story ran alongside (registry_story.go; its checks are
	// in TestRegistryStory): once it reports, the records it names are on
	// chain in the states it moved them to.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(250 * time.Millisecond) {
		raw, err := os.ReadFile(filepath.Join(devnet.RegistryDir(home), "story.json"))
		if err == nil {
			var rep devnet.RegistryStoryReport
			if err := json.Unmarshal(raw, &rep); err != nil {
				t.Fatal(err)
			}
			if len(rep.Registries) < 2 || len(rep.Records) < 5 || !strings.Contains(rep.Refused, "microchip_id") {
				t.Fatalf("registry story: %s", raw)
			}
			want := map[string]string{"Mapo Scholarship Trust": "active", "Hangang Wetlands Trust": "refused",
				"Seoul Elder Care Trust": "applied", "Bori": "registered", "Nabi": "lost"}
			for _, r := range rep.Records {
				rec, _, err := c.RegistryRecord(ctx, r.Registry, r.ID, client.ReadOpts{})
				if err != nil || rec == nil {
					t.Fatalf("registry story: %s %d: %v %v", r.Registry, r.ID, rec, err)
				}
				if rec.State != want[r.Label] {
					t.Errorf("registry story: %s %d (%s) is %s, want %s", r.Registry, r.ID, r.Label, rec.State, want[r.Label])
				}
				delete(want, r.Label)
			}
			if len(want) != 0 {
				t.Errorf("registry story: no record of %v", want)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the registry story did not finish in a minute: %v", err)
		}
	}

	// After the vehicle and citizen stories and the settled market
	// intervals, the stopped node's state exports to a genesis whose fresh import is the same state.
	closed = true
	if err := sys.Close(); err != nil {
		t.Fatal(err)
	}
	exp, err := node.Export(home, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := node.VerifyExport(exp); err != nil {
		t.Fatal(err)
	}
	for _, section := range []string{`"vehicles":{`, `"market":{`, `"metering":{`, `"mileage":{`, `"registry":{`} {
		if !strings.Contains(string(exp.Genesis.AppState), section) {
			t.Errorf("exported app state has no %s section", section)
		}
	}
	t.Logf("exported height %d: %d bytes of app state, state hash %X", exp.Height, len(exp.Genesis.AppState), exp.StateHash)
}
