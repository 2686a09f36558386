package api

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/reading/readingtest"
)

// testOdometer is an EV's odometer unit on the shared test chain: it signs
// cumulative readings in metres.
type testOdometer struct {
	id, owner string // owner: a key name
	priv      ed25519.PrivateKey
	seq       uint64
}

func newTestOdometer(id, owner string) *testOdometer {
	return &testOdometer{id: id, owner: owner, priv: readingtest.Key("api-test/" + id)}
}

func (o *testOdometer) register() tx.MsgDeviceRegister {
	return tx.MsgDeviceRegister{ID: o.id, Kind: tx.KindEVOdometer, PubKey: tx.PubKey(o.priv.Public().(ed25519.PublicKey)),
		Metadata: tx.DeviceMetadata{SerialNumber: o.id, Manufacturer: "test", Model: "EV odometer unit"}}
}

// sign signs the unit's next reading of value metres at t.
func (o *testOdometer) sign(t testing.TB, at time.Time, value uint64) tx.HexBytes {
	t.Helper()
	o.seq++
	return readingtest.Wire(t, o.priv, reading.Reading{DeviceID: o.id, KeyEpoch: 1, Seq: o.seq, TimeMs: at.UnixMilli(), Kind: reading.KindOdometerM, Value: value})
}

// The shared chain's EV odometers: alice's and bob's.
var (
	odoAlice      = newTestOdometer("ev-test", "alice")
	odoBob        = newTestOdometer("ev-test-2", "bob")
	testOdometers = []*testOdometer{odoAlice, odoBob}
)

// The fixture's vehicles: alice's Ioniq 5 (odometer series, subsidy,
// battery, inspection, accident) and bob's EV6, sold to alice through a
// dealer.
const (
	vinIoniq   = "1M8GDM9AXKP042788"
	programme  = "ev-2026"
	ioniqLastM = 1_030_000
)

var vinEV6 = vinOf("KNAC381AP5123456")

// vinOf makes a valid VIN from a 16-character body (the check digit goes
// in at position 9).
func vinOf(body string) string {
	v := body[:8] + "0" + body[8:]
	d, err := tx.VINCheckDigit(v)
	if err != nil {
		panic(err)
	}
	return v[:8] + string(d) + v[9:]
}

// vehicleWorld is what vehicleFixture put on chain.
type vehicleWorld struct {
	transfer uint64 // the EV6's completed transfer
	points   int    // the Ioniq's odometer points
}

var (
	vehiclesOnce sync.Once
	vehiclesW    vehicleWorld
	vehiclesErr  error
)

// vehicleFixture registers the fixture's vehicles on the shared chain on
// first use, with the demo accounts' roles: the registrar registers, alice
// relays the odometer's signed readings, the agency creates a programme
// and approves the Ioniq's subsidy, the inspector records battery health
// and an inspection, the insurer an accident, and the dealer sells the EV6
// from bob to alice (both accept).
func vehicleFixture(t *testing.T, c *testChain) vehicleWorld {
	t.Helper()
	vehiclesOnce.Do(func() { vehiclesW, vehiclesErr = buildVehicles(t, c) })
	if vehiclesErr != nil {
		t.Fatalf("vehicle fixture: %v", vehiclesErr)
	}
	return vehiclesW
}

func buildVehicles(t *testing.T, c *testChain) (vehicleWorld, error) {
	nc, err := client.New(c.rpc)
	if err != nil {
		return vehicleWorld{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	alice, bob := c.key(t, "alice").Address, c.key(t, "bob").Address
	doc := func(s string) tx.HexBytes { h := sha256.Sum256([]byte(s)); return h[:] }
	now := time.Now()
	var world vehicleWorld
	reads := []tx.HexBytes{
		odoAlice.sign(t, now.Add(-6*time.Minute), 1_000_000),
		odoAlice.sign(t, now.Add(-4*time.Minute), 1_012_500),
		odoAlice.sign(t, now.Add(-2*time.Minute), ioniqLastM),
	}
	steps := []struct {
		key  string
		msgs []tx.Msg
	}{
		{"registrar", []tx.Msg{
			&tx.MsgVehicleRegister{VIN: vinIoniq, Model: "Hyundai Ioniq 5", Year: 2024, Owner: alice, OdometerDevice: odoAlice.id,
				Battery: tx.Battery{CapacityWh: 77_400, Chemistry: "nmc", PassportID: "KR-BP-IONIQ5-0001"}},
			&tx.MsgVehicleRegister{VIN: vinEV6, Model: "Kia EV6", Year: 2023, Owner: bob, OdometerDevice: odoBob.id,
				Battery: tx.Battery{CapacityWh: 58_000, Chemistry: "lfp", PassportID: "KR-BP-EV6-0002"}},
		}},
		{"settlement", []tx.Msg{&tx.MsgSubmitReadings{Readings: reads}}},
		{"agency", []tx.Msg{
			&tx.MsgVehicleCreateProgramme{ID: programme, Name: "Seoul EV purchase subsidy 2026", Amount: tx.Coin{Amount: 100_000_000, Denom: tx.DenomSCoin},
				Budget: tx.Coin{Amount: 500_000_000, Denom: tx.DenomSCoin}, HoldingPeriodSeconds: 2 * 365 * 24 * 3600},
			&tx.MsgVehicleApproveSubsidy{Programme: programme, VIN: vinIoniq},
		}},
		{"inspector", []tx.Msg{
			&tx.MsgVehicleRecordBattery{VIN: vinIoniq, SOHBP: 9_650, DocHash: doc("battery report")},
			&tx.MsgVehicleRecordInspection{VIN: vinIoniq, DocHash: doc("inspection report"), Result: tx.InspectionPass, OdometerM: ioniqLastM, SOHBP: 9_650},
		}},
		{"insurer", []tx.Msg{&tx.MsgVehicleRecordAccident{VIN: vinIoniq, OccurredAt: now.Add(-30 * 24 * time.Hour).Unix(), Severity: tx.SeverityMinor, Summary: "rear bumper, parking"}}},
		{"dealer", []tx.Msg{&tx.MsgVehicleProposeTransfer{VIN: vinEV6, Buyer: alice, Price: tx.Coin{Amount: 2_000_000_000, Denom: tx.DenomSCoin}}}},
	}
	for _, st := range steps {
		res, err := nc.Submit(ctx, c.key(t, st.key).Private, "api vehicles test", st.msgs...)
		if err != nil {
			return world, fmt.Errorf("%s: %s: %w", st.key, st.msgs[0].Type(), err)
		}
		if st.key == "alice" {
			for _, e := range res.Events {
				if e.Type == "metering.reading_rejected" {
					return world, fmt.Errorf("odometer reading rejected: %v", e.Attributes)
				}
			}
		}
		if id, ok := res.Attr("vehicles.transfer_proposed", "id"); ok {
			if world.transfer, err = strconv.ParseUint(id, 10, 64); err != nil {
				return world, fmt.Errorf("transfer id %q: %w", id, err)
			}
		}
	}
	for _, k := range []string{"bob", "alice"} {
		res, err := nc.Submit(ctx, c.key(t, k).Private, "api vehicles test", &tx.MsgVehicleAcceptTransfer{ID: world.transfer})
		if err != nil {
			return world, fmt.Errorf("%s accepts transfer %d: %w", k, world.transfer, err)
		}
		if k == "alice" {
			if _, ok := res.Attr("vehicles.title_transferred", "vin"); !ok {
				return world, fmt.Errorf("transfer %d: accepted by both, no title_transferred event in %v", world.transfer, res.Events)
			}
		}
	}
	world.points = len(reads)
	return world, nil
}

// Views of the answers, as much as the tests check.
type (
	summaryView struct {
		VIN       string `json:"vin"`
		Model     string `json:"model"`
		Owner     string `json:"owner"`
		Flagged   bool   `json:"flagged"`
		OdometerM uint64 `json:"odometer_m"`
		SOHBP     uint64 `json:"soh_bp"`
		Subsidy   string `json:"subsidy"`
	}
	vehicleView struct {
		VIN    string `json:"vin"`
		Owner  string `json:"owner"`
		Owners []struct {
			Owner    string `json:"owner"`
			Transfer uint64 `json:"transfer"`
		} `json:"owners"`
		Accidents     []json.RawMessage `json:"accidents"`
		Inspections   []json.RawMessage `json:"inspections"`
		BatteryHealth []json.RawMessage `json:"battery_health"`
		Subsidy       *struct {
			Programme string `json:"programme"`
			Amount    string `json:"amount"`
			Status    string `json:"status"`
		} `json:"subsidy"`
		Odometer struct {
			Points uint64 `json:"points"`
		} `json:"odometer"`
	}
	reportView struct {
		Height int64 `json:"height"`
		Result struct {
			Vehicle   vehicleView        `json:"vehicle"`
			Odometer  []tx.OdometerPoint `json:"odometer"`
			Programme *struct {
				ID        string `json:"id"`
				Remaining string `json:"remaining"`
			} `json:"programme"`
		} `json:"result"`
		Proof          *Proof       `json:"proof"`
		Series         *SeriesCheck `json:"series"`
		ProgrammeProof *Proof       `json:"programme_proof"`
	}
)

func TestVehicles(t *testing.T) {
	c := getChain(t)
	w := vehicleFixture(t, c)
	ts := startServer(t, c, nil)
	alice, bob := c.key(t, "alice").Address.String(), c.key(t, "bob").Address.String()

	t.Run("list", func(t *testing.T) {
		var p struct {
			Items      []summaryView `json:"items"`
			NextCursor string        `json:"next_cursor"`
		}
		ts.getJSON(t, "/v1/vehicles", &p)
		byVIN := map[string]summaryView{}
		for _, s := range p.Items {
			byVIN[s.VIN] = s
		}
		io, ev6 := byVIN[vinIoniq], byVIN[vinEV6]
		if io.Model != "Hyundai Ioniq 5" || io.Owner != alice || io.OdometerM != ioniqLastM || io.SOHBP != 9_650 || io.Subsidy != "held" || io.Flagged {
			t.Fatalf("got Ioniq %+v, want alice's with %d m, 9650 bp, subsidy held, not flagged", io, ioniqLastM)
		}
		if ev6.Model != "Kia EV6" || ev6.Owner != alice {
			t.Fatalf("got EV6 %+v, want alice's (bought from bob)", ev6)
		}
		if p.NextCursor != "" {
			t.Fatalf("got next_cursor %q with %d vehicles, want none", p.NextCursor, len(p.Items))
		}
	})
	t.Run("list pages", func(t *testing.T) {
		var seen []string
		path := "/v1/vehicles?owner=" + alice + "&limit=1"
		for range 3 {
			var p AfterPage[json.RawMessage]
			ts.getJSON(t, path, &p)
			for _, it := range p.Items {
				var s summaryView
				_ = json.Unmarshal(it, &s)
				seen = append(seen, s.VIN)
			}
			if p.NextCursor == "" {
				break
			}
			if p.NextAfter != seen[len(seen)-1] {
				t.Fatalf("got next_after %q, want the page's last VIN %s", p.NextAfter, seen[len(seen)-1])
			}
			path = "/v1/vehicles?owner=" + alice + "&limit=1&cursor=" + p.NextCursor
		}
		want := []string{vinIoniq, vinEV6}
		if vinEV6 < vinIoniq {
			want = []string{vinEV6, vinIoniq}
		}
		if strings.Join(seen, ",") != strings.Join(want, ",") {
			t.Fatalf("got alice's vehicles %v page by page, want %v", seen, want)
		}
		var p AfterPage[json.RawMessage]
		ts.getJSON(t, "/v1/vehicles?owner="+alice+"&after="+want[0], &p)
		if len(p.Items) != 1 || !strings.Contains(string(p.Items[0]), want[1]) {
			t.Fatalf("after=%s: got %s, want only %s", want[0], p.Items, want[1])
		}
		ts.getJSON(t, "/v1/vehicles?owner="+bob, &p)
		if len(p.Items) != 0 {
			t.Fatalf("bob's vehicles: got %s, want none (he sold the EV6)", p.Items)
		}
	})
	t.Run("record with proof", func(t *testing.T) {
		var r struct {
			Height int64       `json:"height"`
			Result vehicleView `json:"result"`
			Proof  *Proof      `json:"proof"`
		}
		ts.getJSON(t, "/v1/vehicles/"+vinIoniq+"?prove=true", &r)
		if r.Result.VIN != vinIoniq || r.Result.Owner != alice || r.Result.Odometer.Points != uint64(w.points) {
			t.Fatalf("got %+v, want the Ioniq of alice with %d odometer points", r.Result, w.points)
		}
		if r.Proof == nil || !r.Proof.Verified || r.Proof.HeaderHeight != r.Height+1 || r.Proof.Value == "" {
			t.Fatalf("got proof %+v, want verified against header %d", r.Proof, r.Height+1)
		}
	})
	t.Run("report with proof", func(t *testing.T) {
		var r reportView
		ts.getJSON(t, "/v1/vehicles/"+vinIoniq+"/report?prove=true", &r)
		if r.Proof == nil || !r.Proof.Verified || r.Proof.HeaderHeight != r.Height+1 {
			t.Fatalf("got proof %+v, want the record verified against header %d", r.Proof, r.Height+1)
		}
		if r.Series == nil || !r.Series.Verified || r.Series.Points != uint64(w.points) || len(r.Series.Digest) != sha256.Size {
			t.Fatalf("got series check %+v, want %d points verified against a 32-byte digest", r.Series, w.points)
		}
		v := r.Result.Vehicle
		if len(r.Result.Odometer) != w.points || r.Result.Odometer[w.points-1].ValueM != ioniqLastM || r.Result.Odometer[0].Device != odoAlice.id {
			t.Fatalf("got odometer %+v, want %d points from %s ending at %d m", r.Result.Odometer, w.points, odoAlice.id, ioniqLastM)
		}
		if len(v.Accidents) != 1 || len(v.Inspections) != 1 || len(v.BatteryHealth) != 2 || v.Subsidy == nil || v.Subsidy.Status != "held" || v.Subsidy.Amount != "100000000uscn" {
			t.Fatalf("got vehicle %+v, want one accident, one inspection, two battery measurements (the inspector's and the inspection's) and a held 100000000uscn subsidy", v)
		}
		if p := r.Result.Programme; p == nil || p.ID != programme || p.Remaining != "400000000uscn" {
			t.Fatalf("got programme %+v, want %s with 400000000uscn remaining", p, programme)
		}
		if pp := r.ProgrammeProof; pp == nil || !pp.Verified || pp.HeaderHeight != r.Height+1 {
			t.Fatalf("got programme proof %+v, want it verified against header %d", pp, r.Height+1)
		}
	})
	t.Run("report", func(t *testing.T) {
		var r reportView
		ts.getJSON(t, "/v1/vehicles/"+vinEV6+"/report", &r)
		o := r.Result.Vehicle.Owners
		if r.Height < 1 || r.Proof != nil || r.Series != nil || len(o) != 2 || o[0].Owner != bob || o[1].Owner != alice || o[1].Transfer != w.transfer {
			t.Fatalf("got %+v, want the EV6's owners bob then alice (transfer %d) without proof", r, w.transfer)
		}
		if r.Result.Programme != nil || len(r.Result.Odometer) != 0 {
			t.Fatalf("got programme %+v and odometer %v, want neither", r.Result.Programme, r.Result.Odometer)
		}
	})
	t.Run("odometer pages", func(t *testing.T) {
		var p OdometerPage
		ts.getJSON(t, "/v1/vehicles/"+vinIoniq+"/odometer?limit=2", &p)
		if p.VIN != vinIoniq || len(p.Items) != 2 || p.NextFrom == nil || p.NextCursor == "" {
			t.Fatalf("got %+v, want 2 points and a next page", p)
		}
		next := *p.NextFrom
		var q OdometerPage
		ts.getJSON(t, "/v1/vehicles/"+vinIoniq+"/odometer?limit=2&cursor="+p.NextCursor, &q)
		if len(q.Items) != w.points-2 || q.NextFrom != nil || q.NextCursor != "" || q.Items[0].Interval != next {
			t.Fatalf("got %+v, want the last %d points from interval %d", q, w.points-2, next)
		}
		ts.getJSON(t, "/v1/vehicles/"+vinIoniq+"/odometer?from="+strconv.FormatUint(next, 10), &q)
		if len(q.Items) != w.points-2 || q.Items[0].Interval != next {
			t.Fatalf("from=%d: got %+v, want %d points", next, q, w.points-2)
		}
	})
	for _, tc := range []struct{ path, want string }{
		{"/v1/vehicles/by-device/" + odoAlice.id + "?prove=true", `"vin": "` + vinIoniq + `"`},
		{"/v1/vehicles/by-device/" + odoBob.id, `"vin": "` + vinEV6 + `"`},
		{"/v1/vehicles/programmes", `"id": "` + programme + `"`},
		{"/v1/vehicles/programmes/" + programme + "?prove=true", `"verified": true`},
		{"/v1/vehicles/programmes/" + programme, `"remaining": "400000000uscn"`},
		{"/v1/vehicles/transfers/" + strconv.FormatUint(w.transfer, 10) + "?prove=true", `"status": "completed"`},
		{"/v1/vehicles/transfers/" + strconv.FormatUint(w.transfer, 10), `"seller": "` + bob + `"`},
		{"/v1/vehicles/citizens/" + alice + "?prove=true", `"vin": "` + vinIoniq + `"`},
		{"/v1/vehicles/stats", `"subsidies": 1`},
		{"/v1/vehicles/stats", `"transfers": 1`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			code, _, b := ts.do(t, "GET", tc.path, nil)
			if code != 200 || !contains(string(b), tc.want) {
				t.Fatalf("GET %s: got %d %.600s, want 200 containing %s", tc.path, code, b, tc.want)
			}
			if strings.Contains(tc.path, "prove=true") && !contains(string(b), `"verified": true`) {
				t.Fatalf("GET %s: got %.600s, want a verified proof", tc.path, b)
			}
		})
	}
	unknown := vinOf("WVWZZZ1JZXW00000")
	for _, tc := range []struct {
		path, field, detail string
		code                int
	}{
		{"/v1/vehicles/1M8GDM9A1KP042788", "vin", "check digit", 400},
		{"/v1/vehicles/1M8GDM9AXKP04278", "vin", "16 characters", 400},
		{"/v1/vehicles/1M8GDM9AXKP04278O", "vin", "position 17", 400},
		{"/v1/vehicles/1m8gdm9axkp042788/report", "vin", "", 400},
		{"/v1/vehicles/1M8GDM9A1KP042788/odometer", "vin", "check digit", 400},
		{"/v1/vehicles/" + unknown, "", "", 404},
		{"/v1/vehicles/" + unknown + "/report", "", "not registered", 404},
		{"/v1/vehicles/" + unknown + "/report?prove=true", "", "not registered", 404},
		{"/v1/vehicles/" + unknown + "/odometer", "", "not registered", 404},
		{"/v1/vehicles/" + vinIoniq + "/history", "", "report and odometer", 404},
		{"/v1/vehicles/" + vinIoniq + "?prove=yes", "prove", "", 400},
		{"/v1/vehicles/" + vinIoniq + "/report?prove=yes", "prove", "", 400},
		{"/v1/vehicles/" + vinIoniq + "/odometer?limit=1001", "limit", "", 400},
		{"/v1/vehicles/" + vinIoniq + "/odometer?from=x", "from", "", 400},
		{"/v1/vehicles/" + vinIoniq + "/odometer?from=1&cursor=" + encodeCursor("2"), "cursor", "", 400},
		{"/v1/vehicles?owner=xyz", "owner", "", 400},
		{"/v1/vehicles?limit=101", "limit", "", 400},
		{"/v1/vehicles?after=nope", "after", "", 400},
		{"/v1/vehicles?after=" + vinIoniq + "&cursor=" + encodeCursor(vinIoniq), "cursor", "", 400},
		{"/v1/vehicles/by-device/NOPE!", "device", "", 400},
		{"/v1/vehicles/by-device/ev-none", "", "", 404},
		{"/v1/vehicles/programmes/Bad_Id", "id", "", 400},
		{"/v1/vehicles/programmes/none", "", "", 404},
		{"/v1/vehicles/programmes?after=Bad_Id", "after", "", 400},
		{"/v1/vehicles/transfers/0", "id", "", 400},
		{"/v1/vehicles/transfers/x", "id", "", 400},
		{"/v1/vehicles/transfers/999999", "", "", 404},
		{"/v1/vehicles/citizens/xyz", "address", "", 400},
		{"/v1/vehicles/citizens/" + bob, "", "", 404},
	} {
		t.Run("problem "+tc.path, func(t *testing.T) {
			code, h, b := ts.do(t, "GET", tc.path, nil)
			p := wantProblem(t, tc.path, code, h, b, tc.code)
			if p.Field != tc.field || !strings.Contains(p.Detail, tc.detail) {
				t.Fatalf("GET %s: got field %q detail %q, want field %q and a detail with %q", tc.path, p.Field, p.Detail, tc.field, tc.detail)
			}
			if tc.field != "" && p.Expected == "" {
				t.Fatalf("GET %s: got no expected in %s", tc.path, b)
			}
		})
	}
	t.Run("vehicles transaction through /v1/txs", func(t *testing.T) {
		nc, _ := client.New(c.rpc)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		garage := c.key(t, "garage")
		acc, err := nc.Account(ctx, garage.Address)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := tx.Build(garage.Private, "citychain-devnet", acc.Sequence, "",
			&tx.MsgVehicleRecordAccident{VIN: vinEV6, OccurredAt: time.Now().Add(-time.Hour).Unix(), Severity: tx.SeverityModerate, Summary: "front wing, repaired"})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(SubmitRequest{TxBase64: base64.StdEncoding.EncodeToString(raw)})
		code, _, b := ts.do(t, "POST", "/v1/txs", strings.NewReader(string(body)), "Content-Type", "application/json")
		var st TxStatus
		if err := json.Unmarshal(b, &st); code != http.StatusAccepted || err != nil {
			t.Fatalf("submit: got %d %s, want 202", code, b)
		}
		waitFor(t, "the accident record to commit", 20*time.Second, func() bool {
			ts.getJSON(t, "/v1/txs/"+st.Hash, &st)
			return st.Status != "pending"
		})
		if st.Status != "committed" {
			t.Fatalf("got %+v, want committed", st)
		}
		var r reportView
		ts.getJSON(t, "/v1/vehicles/"+vinEV6+"/report?prove=true", &r)
		if len(r.Result.Vehicle.Accidents) == 0 || r.Series == nil || !r.Series.Verified {
			t.Fatalf("got %+v, want the EV6's accident in a verified report", r)
		}
	})
}
