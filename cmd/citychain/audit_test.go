package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/reading/readingtest"
	"github.com/citychain/citychain/settlement"
)

// citychain audit against a devnet whose readings a real settlement
// service stored in a real InfluxDB and anchored: status 0 when clean, 1
// when a stored interval was deleted, 2 for bad usage or an unreachable
// store.
func TestAuditCLI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	mq, err := local.StartMosquitto(ctx, filepath.Join(dir, "mosquitto"), local.MosquittoOptions{})
	if err != nil {
		local.SkipOrFail(t, err)
	}
	t.Cleanup(func() { _ = mq.Stop() })
	db, err := local.StartInfluxDB(ctx, filepath.Join(dir, "influxdb"), local.InfluxDBOptions{})
	if err != nil {
		local.SkipOrFail(t, err)
	}
	t.Cleanup(func() { _ = db.Stop() })

	seed := sha256.Sum256([]byte("audit-cli/inv-1"))
	devKey := ed25519.NewKeyFromSeed(seed[:])
	home := filepath.Join(dir, "chain")
	rpc := local.Devnet(t, home, node.DevnetOptions{
		TimeoutCommit: 100 * time.Millisecond, IntervalSeconds: 1,
		Devices:      []tx.MsgDeviceRegister{{ID: "inv-1", Kind: tx.KindSolarInverter, PubKey: tx.PubKey(devKey.Public().(ed25519.PublicKey))}},
		DeviceOwners: []string{"alice"},
	}).RPCAddress()
	c, err := client.New(rpc)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := keyring.Open(node.KeyringDir(home))
	if err != nil {
		t.Fatal(err)
	}
	sk, err := kr.Get("settlement")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := settlement.New(settlement.Config{
		MQTTURL: mq.URL(), Group: "settle", ClientID: "settle-audit-cli",
		InfluxURL: db.URL, InfluxToken: local.Token, InfluxBucket: db.Bucket,
		FlushInterval: 5 * time.Millisecond, RetryMin: 20 * time.Millisecond, RetryMax: 500 * time.Millisecond,
		Grace: 1500 * time.Millisecond, Tick: 200 * time.Millisecond, TxTimeout: 10 * time.Second,
	}, nil, settlement.Deps{Chain: c, Key: sk.Private})
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- svc.Run(sctx) }()
	t.Cleanup(func() { stop(); <-done; _ = svc.Close() })
	select {
	case <-svc.Ready():
	case err := <-done:
		t.Fatalf("settlement ended: %v", err)
	}

	pub := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(mq.URL()).SetClientID("audit-cli-pub"))
	if tok := pub.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publisher connect: %v", tok.Error())
	}
	defer pub.Disconnect(100)
	first := time.Now()
	intervals := map[uint64]bool{}
	for seq := uint64(1); seq <= 25; seq++ {
		now := time.Now().UnixMilli()
		w := readingtest.Wire(t, devKey, reading.Reading{DeviceID: "inv-1", KeyEpoch: 1, Seq: seq, TimeMs: now, Kind: reading.KindEnergyWh, Value: 1000 + 5*seq})
		if tok := pub.Publish(reading.Topic("inv-1"), 1, false, w); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("publish: %v", tok.Error())
		}
		intervals[uint64(now)/1000] = true
		time.Sleep(100 * time.Millisecond) // the device's pace: the workload, not a wait
	}
	var lo, hi uint64 = ^uint64(0), 0
	for i := range intervals {
		lo, hi = min(lo, i), max(hi, i)
	}
	for i := lo; i <= hi; i++ {
		deadline := time.Now().Add(time.Minute)
		for c.QueryJSON(ctx, "/metering/anchor", []byte(strconv.FormatUint(i, 10)), &json.RawMessage{}) != nil {
			if time.Now().After(deadline) {
				t.Fatalf("interval %d not anchored after a minute", i)
			}
			time.Sleep(50 * time.Millisecond) // polling the chain: no event to wait on here
		}
	}

	influx := []string{"--influx-url", db.URL, "--influx-token", local.Token, "--influx-bucket", db.Bucket, "--trust-genesis", node.GenesisFile(home)}
	run := func(args ...string) (string, int) {
		out, err := cli(t, home, rpc, append(append([]string{"audit"}, influx...), args...)...)
		if err == nil {
			return out, 0
		}
		return out + "\nerror: " + err.Error(), exitCode(err)
	}
	lastArgs := []string{"--from", first.UTC().Format(time.RFC3339), "--to", "last", "--grace", "2s"}
	if out, code := run(lastArgs...); code != 0 || !strings.Contains(out, "clean:") {
		t.Fatalf("clean audit: got status %d:\n%s", code, out)
	}
	out, code := run("--from", strconv.FormatUint(lo, 10), "--to", strconv.FormatUint(hi, 10), "-o", "json")
	var rep struct {
		Clean     bool `json:"clean"`
		Intervals []struct {
			Stored uint64 `json:"stored"`
			OK     bool   `json:"ok"`
		} `json:"intervals"`
	}
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || !rep.Clean || len(rep.Intervals) != int(hi-lo+1) {
		t.Fatalf("clean audit, JSON: got status %d (%v), %d intervals, want 0 and %d:\n%s", code, err, len(rep.Intervals), hi-lo+1, out)
	}

	// Every stored reading of one anchored interval deleted.
	gone := lo + 1
	q := fmt.Sprintf(`DELETE FROM "readings" WHERE "device" = 'inv-1' AND time >= %d AND time < %d`, gone*1_000_000_000, (gone+1)*1_000_000_000)
	res, err := http.PostForm(db.URL+"/query", url.Values{"db": {db.Database}, "q": {q}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || strings.Contains(string(body), `"error"`) {
		t.Fatalf("influxdb %s: status %d: %s", q, res.StatusCode, body)
	}
	out, code = run(lastArgs...)
	if code != 1 || !strings.Contains(out, fmt.Sprintf("interval %d [missing_readings]", gone)) || !strings.Contains(out, "NOT CLEAN") {
		t.Fatalf("audit after deleting interval %d: got status %d, want 1 and a missing_readings finding:\n%s", gone, code, out)
	}

	for _, bad := range [][]string{
		{"--from", strconv.FormatUint(hi, 10), "--to", strconv.FormatUint(lo, 10)},
		{"--from", "yesterday"},
		{"--to", "last"},
		{"--from", "last-3", "--bogus"},
		{"--from", "0", "--to", "200000"},
		{"--from", "last", "--influx-url", "http://127.0.0.1:1"},
	} {
		out, code := run(bad...)
		if code != 2 {
			t.Errorf("audit %v: got status %d, want 2:\n%s", bad, code, out)
		}
		t.Logf("audit %v: status %d: %s", bad, code, out[strings.LastIndex(out, "error: "):])
	}
}
