package testnet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/citychain/citychain/cmd/citychain/local"
)

// startNet builds bin/citychain and bin/edge-agent from this tree into a
// temporary directory and starts a network with them in another, skipping
// (or failing under CI) when Mosquitto or influxd is missing.
func startNet(t *testing.T, ctx context.Context) *Network {
	t.Helper()
	if _, err := local.MosquittoBinary(); err != nil {
		local.SkipOrFail(t, err)
	}
	if _, err := local.InfluxdBinary(); err != nil {
		local.SkipOrFail(t, err)
	}
	root, err := local.FindRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	for _, b := range []string{"citychain", "edge-agent"} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, b), "./cmd/"+b)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build ./cmd/%s: %v\n%s", b, err, out)
		}
	}
	dir := t.TempDir()
	started := time.Now()
	n, err := Start(ctx, Config{Dir: dir, Bin: bin, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		dumpLogs(t, dir)
		t.Fatal(err)
	}
	t.Logf("network started in %s", time.Since(started).Round(time.Millisecond))
	return n
}

func dumpLogs(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(dir, "logs"))
	for _, e := range entries {
		t.Logf("--- %s\n%s", e.Name(), tail(filepath.Join(dir, "logs", e.Name()), 15))
	}
}

// blockHeader is what the test reads of a block at a height.
type blockHeader struct {
	Hash, AppHash string
}

func header(ctx context.Context, rpcURL string, h int64) (blockHeader, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/block?height=%d", rpcURL, h), nil)
	if err != nil {
		return blockHeader{}, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return blockHeader{}, err
	}
	defer res.Body.Close()
	var out struct {
		Result struct {
			BlockID struct {
				Hash string `json:"hash"`
			} `json:"block_id"`
			Block struct {
				Header struct {
					AppHash string `json:"app_hash"`
				} `json:"header"`
			} `json:"block"`
		} `json:"result"`
		Error json.RawMessage `json:"error"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return blockHeader{}, err
	}
	if len(out.Error) > 0 && !bytes.Equal(out.Error, []byte("null")) {
		return blockHeader{}, fmt.Errorf("block %d at %s: %s", h, rpcURL, out.Error)
	}
	return blockHeader{Hash: out.Result.BlockID.Hash, AppHash: out.Result.Block.Header.AppHash}, nil
}

// Four validator processes advance together with equal app hashes, the
// edge agents' readings get anchored on chain through the real settlement
// process, and Close leaves no process of the network behind.
func TestNetwork(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	n := startNet(t, ctx)
	began := time.Now()
	closed := false
	defer func() {
		if !closed {
			_ = n.Close()
		}
	}()
	if len(n.Validators) != 4 || len(n.Agents) != 2 {
		t.Fatalf("got %d validators and %d agents, want 4 and 2", len(n.Validators), len(n.Agents))
	}

	// Every validator advances past a common height with the same block
	// and app hash there.
	var target int64
	for _, v := range n.Validators {
		h, err := Height(ctx, v.RPCURL)
		if err != nil {
			t.Fatal(err)
		}
		target = max(target, h+3)
	}
	var want blockHeader
	for _, v := range n.Validators {
		if err := poll(ctx, 100*time.Millisecond, func() bool {
			h, err := Height(ctx, v.RPCURL)
			return err == nil && h >= target
		}); err != nil {
			t.Fatalf("validator %d did not reach height %d: %v", v.Index, target, err)
		}
		got, err := header(ctx, v.RPCURL, target)
		if err != nil {
			t.Fatal(err)
		}
		if got.AppHash == "" || got.Hash == "" {
			t.Fatalf("validator %d: block %d has no hash: %+v", v.Index, target, got)
		}
		if v.Index == 0 {
			want = got
		} else if got != want {
			t.Fatalf("validator %d at height %d: got %+v, want %+v (validator 0)", v.Index, target, got, want)
		}
	}

	// Readings get anchored: some interval has an anchor with readings.
	first := uint64(began.Unix()) / n.IntervalSeconds
	var anchored Anchor
	err := poll(ctx, 500*time.Millisecond, func() bool {
		now := uint64(time.Now().Unix()) / n.IntervalSeconds
		for iv := first; iv <= now; iv++ {
			a, found, err := AnchorOf(ctx, n.RPC(), iv)
			if err == nil && found && a.Count > 0 {
				anchored = a
				return true
			}
		}
		return false
	})
	if err != nil {
		dumpLogs(t, n.Dir())
		t.Fatalf("no interval anchored: %v", err)
	}
	t.Logf("interval %d anchored with %d readings at height %d, %s after start", anchored.Interval, anchored.Count, anchored.Height, time.Since(began).Round(time.Millisecond))

	// The broker refuses anonymous clients and lets the observer in.
	for _, c := range []struct {
		user, password string
		ok             bool
	}{{"", "", false}, {n.MQTTObserver, n.MQTTObserverPassword, true}, {n.MQTTObserver, "wrong", false}} {
		o := mqtt.NewClientOptions().AddBroker(n.Mosquitto.URL()).SetClientID("test-" + c.user).SetUsername(c.user).SetPassword(c.password).SetAutoReconnect(false)
		cl := mqtt.NewClient(o)
		tok := cl.Connect()
		if !tok.WaitTimeout(10 * time.Second) {
			t.Fatalf("MQTT connect as %q: no answer", c.user)
		}
		if got := tok.Error() == nil; got != c.ok {
			t.Errorf("MQTT connect as %q with password %q: got ok=%v (%v), want %v", c.user, c.password, got, tok.Error(), c.ok)
		}
		if cl.IsConnected() {
			cl.Disconnect(100)
		}
	}

	var pids []int
	for _, p := range n.Procs() {
		if !p.Running() {
			t.Fatalf("%s is not running\n%s", p.Name(), tail(p.LogPath(), 20))
		}
		pids = append(pids, p.PID())
	}
	pids = append(pids, n.Mosquitto.PID(), n.Influx.PID())
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	closed = true
	for _, pid := range pids {
		if err := processAlive(pid); err == nil {
			t.Errorf("process %d still alive after Close", pid)
		}
	}
	if left := processesUnder(n.Dir()); len(left) > 0 {
		t.Errorf("processes left behind with %s on their command line: %v", n.Dir(), left)
	}
}

// processAlive reports nil while pid exists and is not a zombie.
func processAlive(pid int) error {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return err
	}
	// A zombie is dead.
	if i := bytes.LastIndexByte(b, ')'); i > 0 && i+2 < len(b) && b[i+2] == 'Z' {
		return errors.New("zombie")
	}
	return nil
}

// processesUnder lists the pids whose command line mentions dir.
func processesUnder(dir string) []string {
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(b, []byte(dir)) {
			continue
		}
		out = append(out, e.Name()+": "+string(bytes.ReplaceAll(b, []byte{0}, []byte{' '})))
	}
	return out
}
