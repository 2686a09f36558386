package api

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/cmd/citychain/devnet"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// noonClock runs the simulated city from noon in Seoul at 60 simulated
// seconds per second, so the inverters produce from the start.
type noonClock struct{ start time.Time }

func (c noonClock) Now() time.Time {
	kst := time.FixedZone("KST", 9*3600)
	y, m, d := c.start.In(kst).Date()
	return time.Date(y, m, d, 12, 0, 0, 0, kst).Add(60 * time.Since(c.start))
}

func artifactDir(t *testing.T) string {
	dir := os.Getenv("ARTIFACTS")
	if dir == "" {
		root, err := local.FindRepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(root, ".tmp", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// chromiumPath finds Chromium, or skips the test (fails it when CI is set).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium not installed (required when CI is set; .ci/test-deps.sh installs it)")
		}
		t.Skip("chromium not installed")
	}
	return chromium
}

// startBrowser starts headless Chromium for the test; poll waits until a
// JavaScript expression is true in the page.
func startBrowser(t *testing.T, ctx context.Context, chromium string) (bctx context.Context, poll func(what, expr string)) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:0:0],
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1100))
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	poll = func(what, expr string) {
		t.Helper()
		if _, err := chromedp.Run(bctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(2*time.Minute), chromedp.WithPollingInterval(200*time.Millisecond))); err != nil {
			html, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`document.body.outerHTML`))
			t.Fatalf("waiting for %s (%s): %v\npage: %.2000s", what, expr, err, html)
		}
	}
	return bctx, poll
}

// TestDashboardBrowser opens the dashboard of a running devnet in headless
// Chromium: charts with data, a live update, a device page, a verified
// proof, the first simulated EV (registered by the devnet's vehicle story)
// on the vehicles page with its verified report and odometer series, and
// screenshots in $ARTIFACTS (or .tmp/artifacts).
func TestDashboardBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	if _, err := local.InfluxdBinary(); err != nil {
		local.SkipOrFail(t, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	sys, err := devnet.Start(ctx, devnet.Config{
		Home: t.TempDir(), RPCListen: "tcp://" + local.FreeAddr(t), P2PListen: "tcp://" + local.FreeAddr(t),
		MQTTListen: "127.0.0.1:0", InfluxListen: "127.0.0.1:0", SimBasePort: 0,
		Inverters: 4, EVs: 1, GatewaySize: 5, PollInterval: 500 * time.Millisecond,
		TimeoutCommit: 300 * time.Millisecond, CometLogLevel: "none", Clock: noonClock{time.Now()},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := sys.Close(); err != nil {
			t.Error(err)
		}
	}()
	nc, err := client.New(sys.Node.RPCAddress())
	if err != nil {
		t.Fatal(err)
	}
	trust, err := client.TrustGenesisFile(sys.Node.Config().GenesisFile())
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{AnonymousReads: true, AnonymousRate: 200, AnonymousBurst: 400,
		Influx: &InfluxConfig{URL: sys.InfluxURL, Token: sys.InfluxToken, Bucket: sys.InfluxBucket}, Trust: &trust}, nc)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, scancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(sctx, ln) }()
	defer func() { scancel(); <-served }()
	base := "http://" + ln.Addr().String()

	bctx, poll := startBrowser(t, ctx, chromium)
	if _, err := chromedp.Run(bctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	poll("the network status", `/^[0-9,]+$/.test(document.getElementById("height").textContent) && document.getElementById("validators").textContent === "1"`)
	poll("the live stream", `document.getElementById("live").classList.contains("on")`)
	h0, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.getElementById("height").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	poll("a live update from the event stream", `Number(document.body.dataset.updates || 0) > 0 && document.getElementById("height").textContent !== `+fmt.Sprintf("%q", h0))
	poll("the block chart with data", `Number(document.querySelector("#chart-blocks svg")?.dataset.points || 0) > 2`)
	poll("S-Coin supply", `/SCN$/.test(document.getElementById("supply").textContent)`)
	poll("live solar production per site from InfluxDB", `document.querySelectorAll("#sites tr td.n").length > 0 && document.querySelectorAll("#devices a.device-link").length > 0`)
	poll("the solar chart with metered energy on chain", `Number(document.querySelector("#chart-solar svg")?.dataset.points || 0) > 0`)

	// Click through to a solar inverter and verify its reading proof.
	dev, err := chromedp.Run(bctx,
		chromedp.Evaluate[string](`[...document.querySelectorAll("#devices a.device-link")].map(a => a.textContent).find(d => d.startsWith("inv")) || ""`))
	if err != nil || dev == "" {
		t.Fatalf("no inverter in the device list: %v", err)
	}
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.querySelector('#devices a[href="#device/`+dev+`"]').click() === undefined`)); err != nil {
		t.Fatal(err)
	}
	poll("the device page", `!document.getElementById("device").hidden && document.getElementById("dev-info").textContent.includes("solar_inverter")`)
	poll("the device's reading chart", `Number(document.querySelector("#chart-readings svg")?.dataset.points || 0) > 1`)
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.getElementById("verify").click() === undefined`)); err != nil {
		t.Fatal(err)
	}
	poll("the proof verification", `document.getElementById("verify-result").className !== ""`)
	verdict, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.getElementById("verify-result").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(verdict, "proof verified") {
		t.Fatalf("got verdict %q, want the proof verified", verdict)
	}
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(artifactDir(t), "dashboard-device.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}

	// The first simulated EV, registered by the devnet's vehicle story: its
	// report with a verified proof and the odometer series its signed
	// readings build, refreshed live.
	vin := devnet.DemoVIN(0)
	waitFor(t, "the devnet to register "+vin, 2*time.Minute, func() bool {
		res, err := nc.Query(ctx, "/vehicles/vehicle", []byte(vin), 0, false)
		return err == nil && res.Found()
	})
	if _, err := chromedp.Run(bctx, chromedp.Navigate(base+"/#vehicle/"+vin)); err != nil {
		t.Fatal(err)
	}
	poll("the simulated EV in the vehicle list", fmt.Sprintf(`!!document.querySelector('#veh-list tr[data-vin=%q]')`, vin))
	poll("its verified report with odometer points", fmt.Sprintf(`document.getElementById("vr-vin").textContent === %q`, vin)+
		` && document.getElementById("vr-verify").className === "ok" && Number(document.querySelector("#chart-odometer svg")?.dataset.points || 0) > 0`)
	if png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(artifactDir(t), "dashboard-vehicles.png"), png, 0o644)
	}

	if _, err := chromedp.Run(bctx, chromedp.Navigate(base+"/")); err == nil {
		poll("the overview again", `!document.getElementById("overview").hidden && Number(document.querySelector("#chart-blocks svg")?.dataset.points || 0) > 2`)
		if png, err := chromedp.Run(bctx, chromedp.FullScreenshot(90)); err == nil {
			_ = os.WriteFile(filepath.Join(artifactDir(t), "dashboard-overview.png"), png, 0o644)
		}
	}
	t.Logf("verdict: %s; screenshots in %s", verdict, filepath.Dir(shot))
	if code, _, _ := (&testServer{url: base}).do(t, "GET", "/healthz", nil); code != 200 {
		t.Fatalf("healthz after the browser session: %d", code)
	}
}

// TestVehiclesBrowser opens the dashboard's vehicles page in headless
// Chromium against the shared chain with vehicleFixture's vehicles: the
// list shows them with odometer, battery health, flag and subsidy; the VIN
// lookup shows the report read with proof and verified (owners, odometer
// chart, flags, accidents, inspections, battery health, subsidy); a bad
// VIN shows the API's reason; and a screenshot goes to $ARTIFACTS (or
// .tmp/artifacts).
func TestVehiclesBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	c := getChain(t)
	w := vehicleFixture(t, c)
	ts := startServer(t, c, func(cfg *Config) { cfg.AnonymousReads, cfg.AnonymousRate, cfg.AnonymousBurst = true, 200, 400 })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bctx, poll := startBrowser(t, ctx, chromium)
	run := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](js+`; true`)); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(id string) string { return fmt.Sprintf(`(document.getElementById(%q).textContent || "")`, id) }
	lookup := func(vin string) {
		t.Helper()
		run("look up "+vin, fmt.Sprintf(`document.getElementById("vininput").value = %q; document.getElementById("vinform").requestSubmit()`, vin))
	}
	if _, err := chromedp.Run(bctx, chromedp.Navigate(ts.url+"/#vehicles")); err != nil {
		t.Fatal(err)
	}
	row := fmt.Sprintf(`(document.querySelector('#veh-list tr[data-vin=%q]')?.textContent || "")`, vinIoniq)
	poll("the Ioniq in the vehicle list", row+`.includes("Hyundai Ioniq 5") && `+row+`.includes("1,030") && `+row+`.includes("96.50 %") && `+
		row+`.includes("clean") && `+row+`.includes("held") && !document.getElementById("vehicles").hidden && document.getElementById("overview").hidden`)
	poll("the EV6 in the vehicle list", fmt.Sprintf(`!!document.querySelector('#veh-list tr[data-vin=%q]')`, vinEV6))
	poll("the vehicle counts", text("veh-count")+` === "2" && `+text("veh-subsidies")+` === "1" && `+text("veh-escrow")+`.includes("SCN")`)

	lookup(vinIoniq)
	poll("the Ioniq's verified report", `!document.getElementById("veh-report").hidden && `+text("vr-vin")+fmt.Sprintf(` === %q`, vinIoniq)+
		` && document.getElementById("vr-verify").className === "ok" && `+text("vr-verify")+fmt.Sprintf(`.includes("odometer series of %d points verified against the proven record")`, w.points))
	poll("the odometer chart and table", fmt.Sprintf(`Number(document.querySelector("#chart-odometer svg")?.dataset.points || 0) === %d && document.querySelectorAll("#vr-odometer tr").length === %d`, w.points, w.points+1)+
		` && `+text("vr-odometer")+`.includes("1,030")`)
	poll("the rest of the history", text("vr-owners")+`.includes("registration") && `+text("vr-flags")+`.includes("never went back") && `+
		text("vr-accidents")+`.includes("rear bumper, parking") && `+text("vr-inspections")+`.includes("pass") && `+text("vr-soh")+` === "96.50 %" && `+
		text("vr-subsidy")+fmt.Sprintf(`.includes(%q)`, programme)+` && `+text("vr-subsidy")+`.includes("held") && `+text("vr-subsidy")+`.includes("100 SCN")`)
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(artifactDir(t), "dashboard-vehicle.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}

	// The EV6 from its link in the list: two owners, the second by transfer.
	run("open the EV6", fmt.Sprintf(`document.querySelector('#veh-list a[href="#vehicle/%s"]').click()`, vinEV6))
	poll("the EV6's report", text("vr-vin")+fmt.Sprintf(` === %q`, vinEV6)+` && document.getElementById("vr-verify").className === "ok" && `+
		`document.querySelectorAll("#vr-owners tr").length === 3 && `+text("vr-owners")+fmt.Sprintf(`.includes("transfer #%d")`, w.transfer)+` && `+text("vr-subsidy")+`.includes("no subsidy")`)

	lookup("1M8GDM9A1KP042788")
	poll("the API's reason for a bad VIN", text("vin-error")+`.includes("check digit") && document.getElementById("veh-report").hidden`)
	t.Logf("vehicles page verified; screenshot %s", shot)
}
