package settlement_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/reading/readingtest"
	"github.com/citychain/citychain/settlement"
	"github.com/citychain/citychain/settlement/internal/store"
)

// env is a whole settlement test bed: an in-process devnet, a real
// Mosquitto and a real InfluxDB, each on free loopback ports.
type env struct {
	t         testing.TB
	ctx       context.Context
	home      string
	chain     *client.Client
	rpc       string
	settleKey ed25519.PrivateKey
	installer ed25519.PrivateKey
	mq        *local.Mosquitto
	db        *local.InfluxDB
	interval  uint64
	keys      map[string]ed25519.PrivateKey
	kinds     map[string]reading.Kind
}

type device struct {
	id   string
	kind string // tx.KindSolarInverter or tx.KindEVOdometer
}

func deviceKey(id string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("settlement-test-device/" + id))
	return ed25519.NewKeyFromSeed(seed[:])
}

func newEnv(t testing.TB, intervalSeconds uint64, devices ...device) *env {
	t.Helper()
	return newEnvWith(t, local.MosquittoOptions{}, intervalSeconds, devices...)
}

func newEnvWith(t testing.TB, mqOpts local.MosquittoOptions, intervalSeconds uint64, devices ...device) *env {
	t.Helper()
	return newEnvApp(t, mqOpts, nil, intervalSeconds, devices...)
}

// newEnvApp is newEnvWith whose node runs the application wrap returns
// around the citychain app (nil: the app itself).
func newEnvApp(t testing.TB, mqOpts local.MosquittoOptions, wrap func(*app.App) abci.Application, intervalSeconds uint64, devices ...device) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	e := &env{t: t, ctx: ctx, home: t.TempDir(), interval: intervalSeconds, keys: map[string]ed25519.PrivateKey{}, kinds: map[string]reading.Kind{}}

	var err error
	if e.mq, err = local.StartMosquitto(ctx, filepath.Join(e.home, "mosquitto"), mqOpts); err != nil {
		local.SkipOrFail(t, err)
	}
	t.Cleanup(func() { _ = e.mq.Stop() })
	if e.db, err = local.StartInfluxDB(ctx, filepath.Join(e.home, "influxdb"), local.InfluxDBOptions{}); err != nil {
		local.SkipOrFail(t, err)
	}
	t.Cleanup(func() { _ = e.db.Stop() })

	chainHome := filepath.Join(e.home, "chain")
	o := node.DevnetOptions{TimeoutCommit: 100 * time.Millisecond, IntervalSeconds: intervalSeconds}
	for _, d := range devices {
		k := deviceKey(d.id)
		e.keys[d.id] = k
		e.kinds[d.id] = reading.KindEnergyWh
		if d.kind == tx.KindEVOdometer {
			e.kinds[d.id] = reading.KindOdometerM
		}
		o.Devices = append(o.Devices, tx.MsgDeviceRegister{ID: d.id, Kind: d.kind, PubKey: tx.PubKey(k.Public().(ed25519.PublicKey))})
		o.DeviceOwners = append(o.DeviceOwners, "alice")
	}
	if wrap == nil {
		e.rpc = local.Devnet(t, chainHome, o).RPCAddress()
	} else {
		e.rpc = startWrapped(t, ctx, chainHome, o, wrap)
	}
	if e.chain, err = client.New(e.rpc); err != nil {
		t.Fatal(err)
	}
	trust, err := client.TrustGenesisFile(node.GenesisFile(chainHome)) // proofs (audit, anchors) verify from it
	if err != nil {
		t.Fatal(err)
	}
	if err := e.chain.SetTrust(trust); err != nil {
		t.Fatal(err)
	}
	e.settleKey = local.Key(t, node.KeyringDir(chainHome), "settlement").Private
	e.installer = local.Key(t, node.KeyringDir(chainHome), "installer").Private
	return e
}

// config is a test replica's configuration: short grace and ticks, no
// device cache (revocations take effect at once).
func (e *env) config(clientID string) settlement.Config {
	return settlement.Config{
		MQTTURL: e.mq.URL(), Group: "settle", ClientID: clientID,
		InfluxURL: e.db.URL, InfluxToken: local.Token, InfluxBucket: e.db.Bucket,
		FlushInterval: 5 * time.Millisecond, RetryMin: 20 * time.Millisecond, RetryMax: 500 * time.Millisecond,
		DeviceTTL: -1, Grace: 1500 * time.Millisecond, Tick: 200 * time.Millisecond, TxTimeout: 10 * time.Second,
	}
}

// replica is a running settlement service.
type replica struct {
	*settlement.Service
	cancel context.CancelFunc
	done   chan error
}

func (e *env) start(cfg settlement.Config) *replica {
	e.t.Helper()
	var logger *slog.Logger
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})).With("replica", cfg.ClientID)
	}
	svc, err := settlement.New(cfg, logger, settlement.Deps{Chain: e.chain, Key: e.settleKey})
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	r := &replica{Service: svc, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- svc.Run(ctx) }()
	e.t.Cleanup(r.stop)
	select {
	case <-svc.Ready():
	case err := <-r.done:
		e.t.Fatalf("settlement %s ended before subscribing: %v", cfg.ClientID, err)
	case <-e.ctx.Done():
		e.t.Fatalf("settlement %s never subscribed", cfg.ClientID)
	}
	return r
}

// stop cancels the replica and waits for Run to return.
func (r *replica) stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	<-r.done
	_ = r.Close()
	r.cancel = nil
}

func (e *env) sign(dev string, seq uint64, timeMs int64, value uint64) []byte {
	e.t.Helper()
	key, ok := e.keys[dev]
	if !ok {
		key = deviceKey(dev)
	}
	kind, ok := e.kinds[dev]
	if !ok {
		kind = reading.KindEnergyWh
	}
	return readingtest.Wire(e.t, key, reading.Reading{DeviceID: dev, KeyEpoch: 1, Seq: seq, TimeMs: timeMs, Kind: kind, Value: value})
}

func (e *env) publisher() mqtt.Client {
	e.t.Helper()
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(e.mq.URL()).SetClientID(fmt.Sprintf("pub-%d", time.Now().UnixNano())))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		e.t.Fatalf("publisher connect: %v", tok.Error())
	}
	e.t.Cleanup(func() { c.Disconnect(100) })
	return c
}

// publish sends wires on their devices' topics (a malformed wire goes to
// topicDevice's topic) and waits for every PUBACK.
func (e *env) publish(c mqtt.Client, wires ...[]byte) {
	e.t.Helper()
	var toks []mqtt.Token
	for _, w := range wires {
		dev := "unknown"
		if r, err := reading.Decode(w); err == nil {
			dev = r.DeviceID
		}
		toks = append(toks, c.Publish(reading.Topic(dev), 1, false, w))
	}
	for _, tok := range toks {
		if !tok.WaitTimeout(30*time.Second) || tok.Error() != nil {
			e.t.Fatalf("publish: %v", tok.Error())
		}
	}
}

// stored reads every stored reading back: device -> seqs, in the order
// returned (a (device, seq) stored twice would appear twice).
func (e *env) stored() map[string][]uint64 {
	e.t.Helper()
	st, err := store.New(store.Config{URL: e.db.URL, Token: local.Token, Bucket: e.db.Bucket})
	if err != nil {
		e.t.Fatal(err)
	}
	defer st.Close()
	all, err := st.Range(e.ctx, time.Unix(0, 0), time.Now().Add(24*time.Hour))
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string][]uint64{}
	for _, r := range all {
		out[r.DeviceID] = append(out[r.DeviceID], r.Seq)
	}
	return out
}

// waitFor polls cond (there is no event to wait on across processes).
func (e *env) waitFor(what string, timeout time.Duration, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) || e.ctx.Err() != nil {
			e.t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func handled(s settlement.Stats) uint64 { return s.Accepted + s.Duplicates + s.RejectedTotal() }

func scrape(t testing.TB, svc *settlement.Service) string {
	t.Helper()
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func metricLine(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix+" ") {
			return l
		}
	}
	return ""
}

func splitHostPort(addr string) (string, string, error) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return addr, "", fmt.Errorf("address %q has no port", addr)
	}
	return addr[:i], addr[i+1:], nil
}

// startWrapped runs a devnet node in home whose application is wrap around
// the citychain app (state in memory), and returns its RPC address.
func startWrapped(t testing.TB, ctx context.Context, home string, o node.DevnetOptions, wrap func(*app.App) abci.Application) string {
	t.Helper()
	o.RPCListen, o.P2PListen = "tcp://"+local.FreeAddr(t), "tcp://"+local.FreeAddr(t)
	if _, err := node.EnsureDevnet(home, o); err != nil {
		t.Fatal(err)
	}
	n, err := node.Start(node.Options{Home: home, CometLogLevel: "none", NewApp: func(string) (abci.Application, error) {
		a, err := app.New(dbm.NewMemDB(), app.Config{}, nil)
		if err != nil {
			return nil, err
		}
		return wrap(a), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := n.Stop(); err != nil {
			t.Error(err)
		}
	})
	if err := n.WaitForHeight(ctx, 1); err != nil {
		t.Fatal(err)
	}
	return n.RPCAddress()
}
