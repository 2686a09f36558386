package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/reading/readingtest"
)

// TestVehiclesCLI runs the vehicles commands against a devnet node: two
// vehicles of alice, one bound to a second odometer whose signed readings
// build a five-point series, subsidised, inspected, in an accident and sold
// to bob through a dealer; the other sold, cancelled and recycled. Its
// report is proven with the series read in pages at the proof's height.
func TestVehiclesCLI(t *testing.T) {
	home, rpc := startDevnet(t)
	run := func(args ...string) string { t.Helper(); return mustCLI(t, home, rpc, args...) }
	fails := func(want string, args ...string) {
		t.Helper()
		if _, err := cli(t, home, rpc, args...); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("citychain %s: got %v, want an error with %q", strings.Join(args, " "), err, want)
		}
	}
	decode := func(out string, v any) {
		t.Helper()
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("decode %q: %v", out, err)
		}
	}
	alice, bob := local.Key(t, node.KeyringDir(home), "alice"), local.Key(t, node.KeyringDir(home), "bob")

	// Odometer devices of alice: a1 and b for the two vehicles, a2 to
	// replace a1.
	devKeys := map[string]ed25519.PrivateKey{}
	for _, id := range []string{"ev-cli-a1", "ev-cli-a2", "ev-cli-b"} {
		seed := sha256.Sum256([]byte("vehicles-cli/" + id))
		devKeys[id] = ed25519.NewKeyFromSeed(seed[:])
		pub := hex.EncodeToString(devKeys[id].Public().(ed25519.PublicKey))
		run("tx", "device", "register", id, "--kind", tx.KindEVOdometer, "--owner", "alice", "--pubkey", pub, "--from", "installer")
	}

	const vinA = "1M8GDM9AXKP042788"
	if err := tx.ValidateVIN(vinA); err != nil {
		t.Fatal(err)
	}
	vinB := vinOf(t, "KMHK3819PU123456")
	registerArgs := func(vin, device, from string) []string {
		return []string{"tx", "vehicles", "register", vin, "--model", "Hyundai Ioniq 5", "--year", "2024", "--capacity-wh", "77400",
			"--chemistry", "nmc", "--passport", "KR-BP-" + vin[11:], "--owner", "alice", "--device", device, "--from", from}
	}
	fails("check digit", registerArgs(vinA[:8]+"1"+vinA[9:], "ev-cli-a1", "registrar")...)
	fails("vehicles code 2", registerArgs(vinA, "ev-cli-a1", "alice")...)
	fails(`"device" not set`, append(registerArgs(vinA, "ev-cli-a1", "registrar")[:16], "--from", "registrar")...)
	run(registerArgs(vinA, "ev-cli-a1", "registrar")...)
	fails("vehicles code 4", registerArgs(vinA, "ev-cli-b", "registrar")...)
	fails("vehicles code 8", registerArgs(vinB, "ev-cli-a1", "registrar")...)
	run(registerArgs(vinB, "ev-cli-b", "registrar")...)
	run("tx", "vehicles", "bind-odometer", vinA, "ev-cli-a2", "--from", "registrar")

	// Five signed readings of a2, in five past metering intervals, relayed
	// by the settlement relay.
	var readings []tx.HexBytes
	base := (time.Now().Unix()/node.DevnetInterval - 20) * node.DevnetInterval
	for i := range 5 {
		readings = append(readings, readingtest.Wire(t, devKeys["ev-cli-a2"], reading.Reading{DeviceID: "ev-cli-a2", KeyEpoch: 1, Seq: uint64(i + 1),
			TimeMs: (base + int64(i)*node.DevnetInterval + 1) * 1000, Kind: reading.KindOdometerM, Value: uint64(1000 * (i + 1))}))
	}
	c, err := client.New(rpc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	relay := local.Key(t, node.KeyringDir(home), "settlement") // only the settlement relay submits readings
	res, err := c.Submit(ctx, relay.Private, "", &tx.MsgSubmitReadings{Readings: readings})
	if err != nil {
		t.Fatal(err)
	}
	accepted := 0
	for _, e := range res.Events {
		if e.Type == "metering.reading_accepted" {
			accepted++
		}
	}
	if accepted != 5 {
		t.Fatalf("readings: got %d accepted, want 5 (events %v)", accepted, res.Events)
	}

	// A subsidy programme; alice's first vehicle is subsidised once.
	fails("whole number of seconds", "tx", "vehicles", "create-programme", "ev-2025", "100000000uscn", "300000000uscn",
		"--name", "EV 2025", "--holding-period", "1500ms", "--from", "agency")
	fails("vehicles code 10", "tx", "vehicles", "create-programme", "ev-2025", "100000000uscn", "300000000uscn",
		"--name", "EV 2025", "--holding-period", "8760h", "--from", "alice")
	run("tx", "vehicles", "create-programme", "ev-2025", "100000000uscn", "300000000uscn", "--name", "EV 2025", "--holding-period", "8760h", "--from", "agency")
	fails("vehicles code 13", "tx", "vehicles", "approve-subsidy", "ev-2025", vinA, "--from", "registrar")
	run("tx", "vehicles", "approve-subsidy", "ev-2025", vinA, "--from", "agency")
	fails("vehicles code 15", "tx", "vehicles", "approve-subsidy", "ev-2025", vinA, "--from", "agency")
	fails("vehicles code 16", "tx", "vehicles", "approve-subsidy", "ev-2025", vinB, "--from", "agency")

	// Battery health, an inspection and accidents.
	sum := sha256.Sum256([]byte("inspection report"))
	doc := hex.EncodeToString(sum[:])
	for _, c := range []struct{ soh, want string }{
		{"91.555%", "at most 2 decimals"}, {"91.5", "write a percentage"}, {"0", "out of range"}, {"100.01%", "out of range"},
		{"9x", "want basis points"}, {"%", "want basis points"},
	} {
		fails(c.want, "tx", "vehicles", "record-battery", vinA, c.soh, "--from", "inspector")
	}
	fails("--doc-hash", "tx", "vehicles", "record-battery", vinA, "90%", "--doc-hash", "abc", "--from", "inspector")
	fails("vehicles code 17", "tx", "vehicles", "record-battery", vinA, "90%", "--from", "alice")
	run("tx", "vehicles", "record-battery", vinA, "91.5%", "--doc-hash", doc, "--from", "inspector")
	run("tx", "vehicles", "record-battery", vinA, "9100", "--from", "inspector")
	fails("--odometer-km or --odometer-m", "tx", "vehicles", "record-inspection", vinA, "--doc-hash", doc, "--result", "pass", "--from", "inspector")
	fails("result", "tx", "vehicles", "record-inspection", vinA, "--doc-hash", doc, "--result", "ok", "--odometer-m", "1", "--from", "inspector")
	run("tx", "vehicles", "record-inspection", vinA, "--doc-hash", doc, "--result", "pass", "--odometer-km", "12.5", "--defects", "2",
		"--soh", "90%", "--from", "inspector")
	fails("vehicles code 18", "tx", "vehicles", "record-accident", vinA, "--occurred", "2025-01-02T03:04:05Z", "--severity", "minor",
		"--summary", "rear bumper", "--from", "alice")
	fails("vehicles code 20", "tx", "vehicles", "record-accident", vinA, "--occurred", time.Now().Add(time.Hour).Format(time.RFC3339),
		"--severity", "minor", "--summary", "rear bumper", "--from", "insurer")
	fails("RFC 3339", "tx", "vehicles", "record-accident", vinA, "--occurred", "yesterday", "--severity", "minor", "--summary", "x", "--from", "insurer")
	run("tx", "vehicles", "record-accident", vinA, "--occurred", "2025-01-02T03:04:05Z", "--severity", "minor", "--summary", "rear bumper", "--from", "insurer")
	run("tx", "vehicles", "record-accident", vinA, "--occurred", "2025-02-03T04:05:06+09:00", "--severity", "moderate", "--summary", "door",
		"--doc-hash", doc, "--from", "garage")

	// A dealer sells vehicle A to bob for 15,000 won (in micro-units).
	var prop struct {
		Height     int64
		TransferID uint64 `json:"transfer_id"`
	}
	fails("vehicles code 21", "tx", "vehicles", "propose-transfer", vinA, "bob", "15000000000ukrw", "--from", "alice")
	fails("price", "tx", "vehicles", "propose-transfer", vinA, "bob", "15000000000uabc", "--from", "dealer")
	decode(run("tx", "vehicles", "propose-transfer", vinA, "bob", "15000000000ukrw", "--from", "dealer", "-o", "json"), &prop)
	if prop.TransferID != 1 || prop.Height == 0 {
		t.Fatalf("propose-transfer: got %+v, want transfer 1", prop)
	}
	id := strconv.FormatUint(prop.TransferID, 10)
	fails("exactly one of --approve and --refuse", "tx", "vehicles", "review-transfer", id, "--reason", "ok", "--from", "registrar")
	fails("vehicles code 29", "tx", "vehicles", "review-transfer", id, "--approve", "--reason", "ok", "--from", "registrar")
	fails("vehicles code 27", "tx", "vehicles", "accept-transfer", id, "--from", "dealer")
	fails("transfer id", "tx", "vehicles", "accept-transfer", "0", "--from", "alice")
	run("tx", "vehicles", "accept-transfer", id, "--from", "alice")
	// The owner's acceptance locks the vehicle: no other proposal now.
	fails("vehicles code 22", "tx", "vehicles", "propose-transfer", vinA, "bob", "1ukrw", "--from", "dealer")
	fails("vehicles code 28", "tx", "vehicles", "accept-transfer", id, "--from", "alice")
	run("tx", "vehicles", "accept-transfer", id, "--from", "bob")
	for who, want := range map[string]string{"alice": "1015000000000ukrw", "bob": "985000000000ukrw"} {
		var bal struct{ Result struct{ Amount string } }
		decode(run("query", "bank", "balance", who, "--denom", "ukrw", "-o", "json"), &bal)
		if bal.Result.Amount != want {
			t.Fatalf("%s's balance after the sale: got %s, want %s", who, bal.Result.Amount, want)
		}
	}
	var tr struct {
		Result struct {
			Status   string
			Price    string
			Clawback string
		}
		Proof struct{ Verified bool }
	}
	decode(run("query", "vehicles", "transfer", id, "--prove", "--trust-genesis", node.GenesisFile(home), "-o", "json"), &tr)
	if tr.Result.Status != "completed" || tr.Result.Price != "15000000000ukrw" || !strings.HasSuffix(tr.Result.Clawback, "uscn") || !tr.Proof.Verified {
		t.Fatalf("transfer: got %+v, want completed at 15000000000ukrw with a uscn clawback, verified", tr)
	}

	// The report of A, proven, the series read two points a page.
	old := odometerPageLimit
	odometerPageLimit = 2
	t.Cleanup(func() { odometerPageLimit = old })
	type report struct {
		Height int64
		Result struct {
			Vehicle struct {
				Owner  string
				Owners []struct {
					Owner    string
					Transfer uint64
					Price    string
				}
				Devices     []struct{ Device string }
				Accidents   []struct{ Severity string }
				Inspections []struct {
					Result    string
					OdometerM uint64 `json:"odometer_m"`
					Defects   uint64
				}
				BatteryHealth []struct {
					SOHBP uint64 `json:"soh_bp"`
				} `json:"battery_health"`
				Subsidy  struct{ Status string }
				Odometer struct{ Points uint64 }
			}
			Odometer []struct {
				Interval uint64
				ValueM   uint64 `json:"value_m"`
			}
			Programme struct{ ID string }
		}
		Proof struct {
			Verified       bool
			HeaderHeight   int64 `json:"header_height"`
			OdometerPoints int   `json:"odometer_points"`
			Programme      string
		}
	}
	var rep report
	decode(run("query", "vehicles", "report", vinA, "--prove", "--trust-genesis", node.GenesisFile(home), "-o", "json"), &rep)
	v := rep.Result.Vehicle
	if !rep.Proof.Verified || rep.Proof.HeaderHeight != rep.Height+1 || rep.Proof.OdometerPoints != 5 || rep.Proof.Programme != "ev-2025" {
		t.Fatalf("report proof: got %+v at height %d, want verified with 5 points and programme ev-2025", rep.Proof, rep.Height)
	}
	if len(v.Owners) != 2 || v.Owners[0].Owner != alice.Address.String() || v.Owners[1].Owner != bob.Address.String() ||
		v.Owners[1].Transfer != 1 || v.Owners[1].Price != "15000000000ukrw" || v.Owner != bob.Address.String() {
		t.Fatalf("report owners: got %+v (owner %s), want alice then bob by transfer 1 at 15000000000ukrw", v.Owners, v.Owner)
	}
	if len(rep.Result.Odometer) != 5 || rep.Result.Odometer[4].ValueM != 5000 || v.Odometer.Points != 5 {
		t.Fatalf("report odometer: got %+v (record counts %d), want 5 points up to 5000 m", rep.Result.Odometer, v.Odometer.Points)
	}
	if len(v.Devices) != 2 || len(v.Accidents) != 2 || len(v.Inspections) != 1 || v.Inspections[0].OdometerM != 12_500 || v.Inspections[0].Defects != 2 || len(v.BatteryHealth) != 3 || v.BatteryHealth[0].SOHBP != 9150 ||
		v.BatteryHealth[2].SOHBP != 9000 || v.Subsidy.Status != "clawed_back" || rep.Result.Programme.ID != "ev-2025" {
		t.Fatalf("report records: got %+v", v)
	}
	if out := run("query", "vehicles", "report", vinA, "--prove", "--trust-genesis", node.GenesisFile(home)); !strings.Contains(out, "proof verified") || !strings.Contains(out, "series of 5 points") {
		t.Fatalf("report text: %s", out)
	}
	if out := run("query", "vehicles", "report", vinA, "-o", "json"); !strings.Contains(out, `"value_m": 5000`) {
		t.Fatalf("report unproven: %s", out)
	}

	// Vehicle B: a proposal bob cancels, an empty series that verifies,
	// recycling, then no more transfers.
	decode(run("tx", "vehicles", "propose-transfer", vinB, "bob", "100000000uscn", "--from", "dealer", "-o", "json"), &prop)
	if prop.TransferID != 2 {
		t.Fatalf("second proposal: got %+v, want transfer 2", prop)
	}
	if out := run("tx", "vehicles", "cancel-transfer", "2", "--from", "bob"); !strings.Contains(out, "committed at height") {
		t.Fatalf("cancel-transfer: %s", out)
	}
	var repB report
	decode(run("query", "vehicles", "report", vinB, "--prove", "--trust-genesis", node.GenesisFile(home), "-o", "json"), &repB)
	if !repB.Proof.Verified || repB.Proof.OdometerPoints != 0 || len(repB.Result.Odometer) != 0 || repB.Result.Vehicle.Odometer.Points != 0 ||
		repB.Proof.Programme != "" {
		t.Fatalf("report of B: got %+v, want a verified empty series", repB)
	}
	fails("give --reason", "tx", "vehicles", "recycle", vinB, "--from", "inspector")
	fails("vehicles code 33", "tx", "vehicles", "recycle", vinB, "--reason", "battery end of life", "--from", "dealer")
	run("tx", "vehicles", "recycle", vinB, "--reason", "battery end of life", "--from", "inspector")
	fails("vehicles code 19", "tx", "vehicles", "propose-transfer", vinB, "bob", "1uscn", "--from", "dealer")

	// The other queries.
	if out := run("query", "vehicles", "params", "-o", "json"); !strings.Contains(out, "transfer_ttl_seconds") {
		t.Fatalf("params: %s", out)
	}
	var veh struct {
		Result struct{ Status string }
		Proof  struct{ Verified bool }
	}
	decode(run("query", "vehicles", "vehicle", vinB, "--prove", "--trust-genesis", node.GenesisFile(home), "-o", "json"), &veh)
	if veh.Result.Status != "recycled" || !veh.Proof.Verified {
		t.Fatalf("vehicle B: got %+v, want recycled, verified", veh)
	}
	type odometerPage struct {
		Points []struct{ Interval uint64 }
		Next   *uint64
	}
	var p1, p2 odometerPage
	decode(run("query", "vehicles", "odometer", vinA, "--limit", "2", "-o", "json"), &p1)
	if len(p1.Points) != 2 || p1.Next == nil {
		t.Fatalf("odometer page: got %+v, want 2 points and a next", p1)
	}
	decode(run("query", "vehicles", "odometer", vinA, "--from", strconv.FormatUint(*p1.Next, 10), "-o", "json"), &p2)
	if len(p2.Points) != 3 || p2.Next != nil || p2.Points[0].Interval != *p1.Next {
		t.Fatalf("odometer second page: got %+v, want the last 3 points from %d", p2, *p1.Next)
	}
	type listPage struct {
		Vehicles []struct{ VIN string }
		Next     string
	}
	var bobs, l1, l2 listPage
	decode(run("query", "vehicles", "list", "--owner", "bob", "-o", "json"), &bobs)
	if len(bobs.Vehicles) != 1 || bobs.Vehicles[0].VIN != vinA {
		t.Fatalf("bob's vehicles: got %+v, want %s", bobs, vinA)
	}
	decode(run("query", "vehicles", "list", "--limit", "1", "-o", "json"), &l1)
	if len(l1.Vehicles) != 1 || l1.Next == "" {
		t.Fatalf("list page: got %+v, want one vehicle and a next", l1)
	}
	decode(run("query", "vehicles", "list", "--after", l1.Next, "-o", "json"), &l2)
	if len(l2.Vehicles) != 1 || l2.Next != "" || l2.Vehicles[0].VIN == l1.Vehicles[0].VIN {
		t.Fatalf("list second page: got %+v after %+v, want the other vehicle", l2, l1)
	}
	var bound struct{ Result string }
	decode(run("query", "vehicles", "by-device", "ev-cli-a2", "-o", "json"), &bound)
	if bound.Result != vinA {
		t.Fatalf("by-device: got %q, want %s", bound.Result, vinA)
	}
	fails("not found", "query", "vehicles", "by-device", "ev-cli-a1")
	var prog struct {
		Result struct {
			Approved   uint64
			ClawedBack uint64 `json:"clawed_back"`
		}
	}
	decode(run("query", "vehicles", "programme", "ev-2025", "-o", "json"), &prog)
	if prog.Result.Approved != 1 || prog.Result.ClawedBack == 0 {
		t.Fatalf("programme: got %+v, want 1 approved and the clawback returned to the budget", prog)
	}
	if out := run("query", "vehicles", "programmes", "-o", "json"); !strings.Contains(out, `"ev-2025"`) {
		t.Fatalf("programmes: %s", out)
	}
	type citizen struct {
		Result struct {
			VIN        string
			Subsidised *bool
		}
	}
	var ca, cb citizen
	decode(run("query", "vehicles", "citizen", "alice", "-o", "json"), &ca)
	if ca.Result.VIN != vinA {
		t.Fatalf("citizen alice: got %+v, want %s", ca, vinA)
	}
	decode(run("query", "vehicles", "citizen", "bob", "-o", "json"), &cb)
	if cb.Result.Subsidised == nil || *cb.Result.Subsidised || cb.Result.VIN != "" {
		t.Fatalf("citizen bob: got %+v, want not subsidised", cb)
	}
	var stats struct {
		Counters struct{ Vehicles, Recycled, Transfers, Subsidies uint64 }
	}
	decode(run("query", "vehicles", "stats", "-o", "json"), &stats)
	if c := stats.Counters; c.Vehicles != 2 || c.Recycled != 1 || c.Transfers != 1 || c.Subsidies != 1 {
		t.Fatalf("stats: got %+v, want 2 vehicles, 1 recycled, 1 transfer, 1 subsidy", c)
	}
	unknown := vinOf(t, "1M8GDM9AKP042789")
	fails("not found", "query", "vehicles", "vehicle", unknown)
	fails("not found", "query", "vehicles", "report", unknown)
	fails("not found", "query", "vehicles", "report", unknown, "--prove", "--trust-genesis", node.GenesisFile(home))
	fails("check digit", "query", "vehicles", "report", vinA[:8]+"1"+vinA[9:])
}

// vinOf makes a valid VIN from a 16-character body: the ISO 3779 check
// digit is inserted at position 9.
func vinOf(t *testing.T, body string) string {
	t.Helper()
	vin := body[:8] + "0" + body[8:]
	d, err := tx.VINCheckDigit(vin)
	if err != nil {
		t.Fatal(err)
	}
	return vin[:8] + string(d) + vin[9:]
}

// TestVehiclesParse checks the strict readers of the vehicles commands'
// arguments: battery health, kilometres, document hashes and durations.
func TestVehiclesParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64 // 0: an error
	}{
		{"9150", 9150}, {"1", 1}, {"10000", 10_000}, {"91.5%", 9150}, {"91.55%", 9155}, {"100%", 10_000}, {"0.01%", 1}, {"7%", 700},
		{"0", 0}, {"10001", 0}, {"0%", 0}, {"100.01%", 0}, {"91.555%", 0}, {"91.5", 0}, {".5%", 0}, {"91.%", 0}, {"%", 0}, {"", 0},
		{"+91%", 0}, {" 91%", 0}, {"9e3", 0}, {"91,5%", 0}, {"18446744073709551616", 0},
	} {
		t.Run("soh "+c.in, func(t *testing.T) {
			got, err := parseSOH("SOH", c.in)
			if c.want == 0 {
				if err == nil || !strings.Contains(err.Error(), "SOH") || !strings.Contains(err.Error(), strconv.Quote(c.in)) {
					t.Fatalf("got %d, %v; want an error naming SOH and %q", got, err, c.in)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %d, %v; want %d", got, err, c.want)
			}
		})
	}
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"12.5", 12_500, true}, {"0", 0, true}, {"45210.123", 45_210_123, true}, {"7", 7000, true},
		{"1.2345", 0, false}, {"-1", 0, false}, {"1.", 0, false}, {"", 0, false}, {"1e3", 0, false},
	} {
		t.Run("km "+c.in, func(t *testing.T) {
			got, err := parseDecimal(c.in, 3)
			if (err == nil) != c.ok || got != c.want {
				t.Fatalf("got %d, %v; want %d (ok %t)", got, err, c.want, c.ok)
			}
		})
	}
	sum := sha256.Sum256([]byte("doc"))
	if h, err := parseDocHash("--doc-hash", hex.EncodeToString(sum[:])); err != nil || string(h) != string(sum[:]) {
		t.Fatalf("doc hash: got %x, %v; want %x", []byte(h), err, sum)
	}
	if h, err := parseDocHash("--doc-hash", ""); err != nil || h != nil {
		t.Fatalf("empty doc hash: got %x, %v; want none", []byte(h), err)
	}
	for _, bad := range []string{"abc", hex.EncodeToString(sum[:31]), hex.EncodeToString(sum[:]) + "00", "zz" + hex.EncodeToString(sum[1:])} {
		if _, err := parseDocHash("--doc-hash", bad); err == nil || !strings.Contains(err.Error(), "--doc-hash") {
			t.Fatalf("doc hash %q: got %v, want an error naming --doc-hash", bad, err)
		}
	}
	if s, err := wholeSeconds("--holding-period", 8760*time.Hour); err != nil || s != 31_536_000 {
		t.Fatalf("8760h: got %d, %v; want 31536000", s, err)
	}
	for _, bad := range []time.Duration{0, -time.Hour, 1500 * time.Millisecond} {
		if _, err := wholeSeconds("--holding-period", bad); err == nil {
			t.Fatalf("holding period %s: got no error", bad)
		}
	}
}
