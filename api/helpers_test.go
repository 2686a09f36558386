package api

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// testChain is one in-process devnet node shared by the package's tests.
type testChain struct {
	home, rpc string
	keys      *keyring.Keyring
	devPriv   ed25519.PrivateKey // the key of device "inv-test"
}

var (
	chainOnce sync.Once
	chain     *testChain
	chainErr  error
	stopChain func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	if stopChain != nil {
		stopChain()
	}
	os.Exit(code)
}

// getChain starts the shared node on first use: a devnet with a solar
// inverter "inv-test" owned by alice and the EV odometers testOdometers
// (vehicles are registered on first use by vehicleFixture).
func getChain(t testing.TB) *testChain {
	t.Helper()
	chainOnce.Do(func() {
		home, err := os.MkdirTemp("", "citychain-api-test-")
		if err != nil {
			chainErr = err
			return
		}
		seed := make([]byte, ed25519.SeedSize)
		copy(seed, "inv-test device key seed .......")
		devPriv := ed25519.NewKeyFromSeed(seed)
		reg := tx.MsgDeviceRegister{ID: "inv-test", Kind: tx.KindSolarInverter, PubKey: tx.PubKey(devPriv.Public().(ed25519.PublicKey)),
			Metadata: tx.DeviceMetadata{SerialNumber: "inv-test", Manufacturer: "test", Model: "t", RatedPowerW: 5000, Site: "City Hall"}}
		devs, owners := []tx.MsgDeviceRegister{reg}, []string{"alice"}
		for _, o := range testOdometers {
			devs, owners = append(devs, o.register()), append(owners, o.owner)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		n, err := local.StartDevnet(ctx, home, node.DevnetOptions{TimeoutCommit: 100 * time.Millisecond, Devices: devs, DeviceOwners: owners})
		if err != nil {
			chainErr = err
			return
		}
		stopChain = func() { _ = n.Stop(); _ = os.RemoveAll(home) }
		if chainErr = n.WaitForHeight(ctx, 2); chainErr != nil {
			return
		}
		kr, err := keyring.Open(node.KeyringDir(home))
		if err != nil {
			chainErr = err
			return
		}
		chain = &testChain{home: home, rpc: n.RPCAddress(), keys: kr, devPriv: devPriv}
	})
	if chainErr != nil {
		t.Fatalf("start devnet node: %v", chainErr)
	}
	return chain
}

func (c *testChain) key(t testing.TB, name string) *keyring.Key {
	t.Helper()
	k, err := c.keys.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

const testKey = "ck_test_key_for_the_api_tests"

// testServer is an API server on a free loopback port.
type testServer struct {
	*Server
	url  string
	addr string
}

func startServer(t testing.TB, c *testChain, mod func(*Config)) *testServer {
	t.Helper()
	nc, err := client.New(c.rpc)
	if err != nil {
		t.Fatal(err)
	}
	trust, err := client.TrustGenesisFile(node.GenesisFile(c.home))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Keys: []KeyConfig{{Name: "tester", SHA256: HashKey(testKey), Rate: 1000, Burst: 1000}}, Trust: &trust}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg, nc)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return &testServer{Server: s, url: "http://" + ln.Addr().String(), addr: ln.Addr().String()}
}

// do makes a request with the test key; it returns status, headers and
// body.
func (ts *testServer) do(t testing.TB, method, path string, body io.Reader, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, ts.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testKey)
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, b
}

func (ts *testServer) getJSON(t testing.TB, path string, v any) {
	t.Helper()
	code, _, b := ts.do(t, "GET", path, nil)
	if code != http.StatusOK {
		t.Fatalf("GET %s: got %d %s, want 200", path, code, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, b)
	}
}

// wantProblem checks a problem document with the status.
func wantProblem(t testing.TB, what string, code int, hdr http.Header, body []byte, status int) Problem {
	t.Helper()
	if code != status {
		t.Fatalf("%s: got status %d (%s), want %d", what, code, body, status)
	}
	if ct := hdr.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("%s: got Content-Type %q, want application/problem+json", what, ct)
	}
	var p Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("%s: problem %s: %v", what, body, err)
	}
	if p.Status != status || p.Title == "" || p.Detail == "" {
		t.Fatalf("%s: got problem %+v, want status %d with title and detail", what, p, status)
	}
	return p
}

// waitFor polls cond (a request against the system) until it holds.
func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		<-tick.C
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
