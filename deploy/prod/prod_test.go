package prod

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/types"
	"github.com/spf13/viper"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/edge/agent"
)

// loadValidatorConfig installs config.toml in a fresh home and loads it as
// `citychain node` does (chain/node.LoadConfig: viper over CometBFT's
// defaults, SetRoot, ValidateBasic — CometBFT's own ParseConfig, with the
// home given instead of read from flags).
func loadValidatorConfig(t *testing.T) *cfg.Config {
	t.Helper()
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "config"), 0o700); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("config.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "config", "config.toml"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := node.LoadConfig(home)
	if err != nil {
		t.Fatalf("load deploy/prod/config.toml: %v", err)
	}
	if w := c.CheckDeprecated(); len(w) > 0 {
		t.Errorf("deprecated settings: %v", w)
	}
	return c
}

func viperKeys(t *testing.T, path string) []string {
	t.Helper()
	v := viper.New()
	v.SetConfigFile(path)
	if err := v.ReadInConfig(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return v.AllKeys()
}

// Viper ignores keys it does not know, so a misspelt setting would silently
// keep its default: every key must be one CometBFT writes, and the file must
// be complete.
func TestValidatorConfigKeysAreCometBFTs(t *testing.T) {
	def := filepath.Join(t.TempDir(), "default.toml")
	d := cfg.DefaultConfig()
	d.SetRoot(filepath.Dir(def))
	cfg.WriteConfigFile(def, d)
	want := viperKeys(t, def)
	got := viperKeys(t, "config.toml")
	for _, k := range got {
		if !slices.Contains(want, k) {
			t.Errorf("config.toml: key %q is not a CometBFT v0.38 setting", k)
		}
	}
	for _, k := range want {
		if !slices.Contains(got, k) {
			t.Errorf("config.toml: CometBFT setting %q missing (the file is meant to be complete)", k)
		}
	}
}

func TestValidatorConfig(t *testing.T) {
	c := loadValidatorConfig(t)
	checks := []struct {
		name      string
		got, want any
	}{
		{"mempool.recheck", c.Mempool.Recheck, true},
		{"mempool.max_tx_bytes (= chain/tx.MaxTxBytes)", c.Mempool.MaxTxBytes, tx.MaxTxBytes},
		{"mempool.size", c.Mempool.Size, 5000},
		{"mempool.max_txs_bytes", c.Mempool.MaxTxsBytes, int64(128 << 20)},
		{"mempool.broadcast", c.Mempool.Broadcast, true},
		{"consensus.timeout_propose", c.Consensus.TimeoutPropose, 3 * time.Second},
		{"consensus.timeout_propose_delta", c.Consensus.TimeoutProposeDelta, 500 * time.Millisecond},
		{"consensus.timeout_prevote", c.Consensus.TimeoutPrevote, time.Second},
		{"consensus.timeout_prevote_delta", c.Consensus.TimeoutPrevoteDelta, 500 * time.Millisecond},
		{"consensus.timeout_precommit", c.Consensus.TimeoutPrecommit, time.Second},
		{"consensus.timeout_precommit_delta", c.Consensus.TimeoutPrecommitDelta, 500 * time.Millisecond},
		{"consensus.timeout_commit", c.Consensus.TimeoutCommit, time.Second},
		{"consensus.create_empty_blocks", c.Consensus.CreateEmptyBlocks, true},
		{"consensus.double_sign_check_height", c.Consensus.DoubleSignCheckHeight, int64(0)},
		{"tx_index.indexer", c.TxIndex.Indexer, "kv"},
		{"storage.discard_abci_responses", c.Storage.DiscardABCIResponses, false},
		{"statesync.enable", c.StateSync.Enable, false},
		{"p2p.addr_book_strict", c.P2P.AddrBookStrict, true},
		{"p2p.pex", c.P2P.PexReactor, true},
		{"p2p.allow_duplicate_ip", c.P2P.AllowDuplicateIP, false},
		{"p2p.seeds", c.P2P.Seeds, ""},
		{"rpc.laddr", c.RPC.ListenAddress, "tcp://127.0.0.1:26657"},
		{"rpc.unsafe", c.RPC.Unsafe, false},
		{"instrumentation.prometheus", c.Instrumentation.Prometheus, true},
		{"instrumentation.prometheus_listen_addr", c.Instrumentation.PrometheusListenAddr, ":26660"},
		{"instrumentation.namespace", c.Instrumentation.Namespace, "cometbft"},
	}
	for _, ch := range checks {
		if fmt.Sprint(ch.got) != fmt.Sprint(ch.want) {
			t.Errorf("%s: got %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	// A transaction the chain accepts must fit the mempool and an RPC body.
	if int64(c.RPC.MaxBodyBytes) < 2*int64(tx.MaxTxBytes) {
		t.Errorf("rpc.max_body_bytes %d: a %d-byte transaction (base64 in JSON) would not fit", c.RPC.MaxBodyBytes, tx.MaxTxBytes)
	}
	if c.Mempool.MaxTxsBytes < int64(c.Mempool.MaxTxBytes) {
		t.Errorf("mempool.max_txs_bytes %d below max_tx_bytes %d", c.Mempool.MaxTxsBytes, c.Mempool.MaxTxBytes)
	}
	peers := strings.Split(c.P2P.PersistentPeers, ",")
	if len(peers) != 3 {
		t.Errorf("p2p.persistent_peers: got %d peers, want the other 3 validators of a 4-validator network", len(peers))
	}
	for _, p := range peers {
		if _, err := p2p.NewNetAddressString(p); err != nil {
			t.Errorf("p2p.persistent_peers %q: %v", p, err)
		}
	}
	host, port, err := net.SplitHostPort(strings.TrimPrefix(c.P2P.ExternalAddress, "tcp://"))
	if err != nil || net.ParseIP(host) == nil || port != "26656" {
		t.Errorf("p2p.external_address %q: want tcp://IP:26656 (%v)", c.P2P.ExternalAddress, err)
	}
}

// consensusParams is the genesis snippet between the consensus-params
// markers of config.toml, uncommented.
func consensusParams(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("config.toml")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "# consensus-params:begin\n")
	snippet, _, ok2 := strings.Cut(rest, "# consensus-params:end\n")
	if !ok || !ok2 {
		t.Fatal("config.toml: no consensus-params:begin/end block")
	}
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimRight(snippet, "\n"), "\n") {
		out.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "#"), " ") + "\n")
	}
	return out.String()
}

// The block limits live in genesis: the snippet in config.toml is a valid
// consensus_params section and consistent with the mempool's limit.
func TestGenesisConsensusParams(t *testing.T) {
	doc := fmt.Sprintf(`{"genesis_time": "2026-01-01T00:00:00Z", "chain_id": "citychain-1", "initial_height": "1", %s, "validators": [], "app_hash": ""}`, consensusParams(t))
	g, err := types.GenesisDocFromJSON([]byte(doc))
	if err != nil {
		t.Fatalf("genesis with config.toml's consensus_params: %v\n%s", err, doc)
	}
	p := g.ConsensusParams
	if p.Block.MaxBytes != 4<<20 {
		t.Errorf("block.max_bytes: got %d, want %d", p.Block.MaxBytes, 4<<20)
	}
	if p.Block.MaxBytes < tx.MaxTxBytes {
		t.Errorf("block.max_bytes %d below chain/tx.MaxTxBytes %d: the largest transaction would never fit a block", p.Block.MaxBytes, tx.MaxTxBytes)
	}
	if p.Block.MaxGas != -1 {
		t.Errorf("block.max_gas: got %d, want -1 (citychain meters no gas)", p.Block.MaxGas)
	}
	if !slices.Equal(p.Validator.PubKeyTypes, []string{types.ABCIPubKeyTypeEd25519}) {
		t.Errorf("validator.pub_key_types: got %v, want [ed25519]", p.Validator.PubKeyTypes)
	}
	if c := loadValidatorConfig(t); int64(c.Mempool.MaxTxBytes) > p.Block.MaxBytes {
		t.Errorf("mempool.max_tx_bytes %d above block.max_bytes %d", c.Mempool.MaxTxBytes, p.Block.MaxBytes)
	}
}

// config.toml says citychain never prunes: Commit asks CometBFT to retain
// every block, and old state versions stay queryable.
func TestNoPruning(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	for range 3 {
		h.Finalize(nil)
		res, err := h.App.Commit(context.Background(), &abci.RequestCommit{})
		if err != nil {
			t.Fatal(err)
		}
		if res.RetainHeight != 0 {
			t.Fatalf("Commit: got RetainHeight %d, want 0 (config.toml and docs/operations.md say nothing is pruned)", res.RetainHeight)
		}
		h.Height++
	}
	res := h.Query("/bank/balance", apptest.BalanceRequest(apptest.Alice.Addr, tx.DenomSCoin), 1, true)
	if res.Code != 0 || res.Height != 1 {
		t.Fatalf("query at height 1 after 3 blocks: got code %d height %d (%s), want the version kept", res.Code, res.Height, res.Log)
	}
}

// TestEdgeAgentSampleConfig loads deploy/prod/edge-agent.yaml with the
// agent's own loader (strict: unknown keys fail).
func TestEdgeAgentSampleConfig(t *testing.T) {
	c, err := agent.LoadConfig("edge-agent.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Metrics.Listen == "" {
		t.Error("metrics.listen empty: the edge alerts in alerts.yml need the endpoint")
	}
	if !strings.HasPrefix(c.MQTT.Broker, "ssl://") || c.MQTT.TLS.CAFile == "" {
		t.Errorf("mqtt: got broker %q ca %q, want TLS to the production broker", c.MQTT.Broker, c.MQTT.TLS.CAFile)
	}
	for _, p := range []string{c.StateDir, c.Outbox.Path} {
		if !strings.HasPrefix(p, "/var/lib/edge-agent/") {
			t.Errorf("%s: outside /var/lib/edge-agent, the edge-agent unit's only writable path", p)
		}
	}
}

// ---- InfluxDB ----

// startInfluxd runs the real influxd with deploy/prod/influxdb.conf, its
// directories moved under dir and its two listeners to free loopback ports;
// it returns the HTTP base URL and the backup RPC address.
func startInfluxd(t *testing.T, dir string) (string, string) {
	t.Helper()
	bin, err := local.InfluxdBinary()
	if err != nil {
		local.SkipOrFail(t, err)
	}
	b, err := os.ReadFile("influxdb.conf")
	if err != nil {
		t.Fatal(err)
	}
	httpPort, err := local.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	rpcPort, err := local.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	conf := string(b)
	for _, r := range []struct{ old, new string }{
		{`"/var/lib/influxdb/`, `"` + dir + `/`},
		{`bind-address = ":8086"`, fmt.Sprintf(`bind-address = "127.0.0.1:%d"`, httpPort)},
		{`bind-address = "127.0.0.1:8088"`, fmt.Sprintf(`bind-address = "127.0.0.1:%d"`, rpcPort)},
	} {
		if !strings.Contains(conf, r.old) {
			t.Fatalf("influxdb.conf: %s not found; the test moves it to the temporary directory", r.old)
		}
		conf = strings.ReplaceAll(conf, r.old, r.new)
	}
	if strings.Contains(conf, "/var/lib") {
		t.Fatal("influxdb.conf: a path outside /var/lib/influxdb/ the test does not move")
	}
	path := filepath.Join(dir, "influxdb.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "influxd.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-config", path)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	// influxd has no readiness event: poll /ping (unauthenticated) until it
	// answers 204, the process exits or a minute passes.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(time.Minute)
	for {
		if res, err := http.Get(base + "/ping"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusNoContent {
				return base, fmt.Sprintf("127.0.0.1:%d", rpcPort)
			}
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "influxd.log"))
			t.Fatalf("influxd exited with deploy/prod/influxdb.conf:\n%s", log)
		case <-deadline:
			t.Fatal("influxd not ready after a minute")
		case <-tick.C:
		}
	}
}

type influxResult struct {
	Results []struct {
		Error  string `json:"error"`
		Series []struct {
			Columns []string `json:"columns"`
			Values  [][]any  `json:"values"`
		} `json:"series"`
	} `json:"results"`
	Error string `json:"error"`
}

// influxQL posts q to /query as user (basic auth; "" for none) and returns
// the status and the decoded answer.
func influxQL(t *testing.T, base, user, pass, q string) (int, influxResult) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/query", strings.NewReader(url.Values{"q": {q}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r influxResult
	body, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("influxdb %q: status %d, body %s", q, res.StatusCode, body)
	}
	return res.StatusCode, r
}

func mustInfluxQL(t *testing.T, base, user, pass, q string) influxResult {
	t.Helper()
	code, r := influxQL(t, base, user, pass, q)
	if code != http.StatusOK || r.Error != "" {
		t.Fatalf("influxdb %q: got status %d error %q", q, code, r.Error)
	}
	for _, res := range r.Results {
		if res.Error != "" {
			t.Fatalf("influxdb %q: %s", q, res.Error)
		}
	}
	return r
}

// The production InfluxDB configuration runs (with authentication and Flux
// on, as configured), and influxdb-retention.iql, posted whole as
// docs/operations.md says, creates the database and both retention
// policies, idempotently.
func TestInfluxDBConfigAndRetention(t *testing.T) {
	v := viper.New()
	v.SetConfigFile("influxdb.conf")
	v.SetConfigType("toml")
	if err := v.ReadInConfig(); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"http.auth-enabled", "http.flux-enabled", "http.enabled", "retention.enabled", "reporting-disabled"} {
		if !v.GetBool(k) {
			t.Errorf("influxdb.conf: %s is not true", k)
		}
	}
	if _, err := exec.LookPath("curl"); err != nil {
		local.SkipOrFail(t, fmt.Errorf("curl (docs/operations.md's InfluxDB setup uses it): %w", local.ErrNotInstalled))
	}
	dir := t.TempDir()
	base, rpcAddr := startInfluxd(t, dir)
	const admin, pw = "admin", "test-password"

	// docs/operations.md's setup, as written (port moved): the admin (the
	// only statement an empty server with authentication takes), the
	// retention file, the settlement and API users.
	out := runDocBlock(t, "ops-influx-setup", "", map[string]string{"127.0.0.1:8086": strings.TrimPrefix(base, "http://")},
		"ADMIN_PASSWORD="+pw, "SETTLE_PASSWORD=settle-pw", "API_PASSWORD=api-pw")
	if strings.Contains(out, `"error"`) {
		t.Fatalf("docs/operations.md InfluxDB setup: an InfluxDB error:\n%s", out)
	}
	if code, _ := influxQL(t, base, "", "", "SHOW DATABASES"); code != http.StatusUnauthorized {
		t.Fatalf("SHOW DATABASES without credentials: got status %d, want 401 (auth-enabled)", code)
	}
	iql, err := os.ReadFile("influxdb-retention.iql")
	if err != nil {
		t.Fatal(err)
	}
	mustInfluxQL(t, base, admin, pw, string(iql)) // again: no conflict

	r := mustInfluxQL(t, base, admin, pw, `SHOW RETENTION POLICIES ON "citychain"`)
	type rp struct {
		duration, shard string
		isDefault       bool
	}
	got := map[string]rp{}
	for _, s := range r.Results[0].Series {
		for _, row := range s.Values {
			got[fmt.Sprint(row[0])] = rp{fmt.Sprint(row[1]), fmt.Sprint(row[2]), row[4] == true}
		}
	}
	want := map[string]rp{
		"readings": {"9600h0m0s", "168h0m0s", true},   // 400d, 7d shards, default
		"audit":    {"87600h0m0s", "720h0m0s", false}, // 3650d, 30d shards
	}
	for name, w := range want {
		if g, ok := got[name]; !ok || g != w {
			t.Errorf("retention policy %q: got %+v (present %v), want %+v; all: %v", name, g, ok, w, got)
		}
	}

	// The copy into "audit" documented in the .iql works as written (its
	// dates moved to the last hour, inside the 400-day policy).
	now := time.Now().UTC()
	at := now.Add(-30 * time.Minute)
	line := fmt.Sprintf("readings,device=inv-0001 seq=7i,value=1234i %d\n", at.UnixMilli())
	if code := influxWrite(t, base, "api", "api-pw", line); code != http.StatusForbidden {
		t.Errorf("write as the API's user: got status %d, want 403 (READ only)", code)
	}
	if code := influxWrite(t, base, "settle", "settle-pw", line); code != http.StatusNoContent {
		t.Fatalf("write as the settlement user: got status %d, want 204", code)
	}
	sel := regexp.MustCompile(`(?m)^--\s+(SELECT \* INTO .*)\n--\s+(WHERE .*)$`).FindStringSubmatch(string(iql))
	if sel == nil {
		t.Fatal("influxdb-retention.iql: no SELECT * INTO example")
	}
	stmt := sel[1] + " " + sel[2]
	times := regexp.MustCompile(`'[0-9T:-]+Z'`).FindAllString(stmt, -1)
	if len(times) != 2 {
		t.Fatalf("SELECT INTO example %q: want two time bounds", stmt)
	}
	stmt = strings.Replace(stmt, times[0], "'"+now.Add(-time.Hour).Format(time.RFC3339)+"'", 1)
	stmt = strings.Replace(stmt, times[1], "'"+now.Format(time.RFC3339)+"'", 1)
	mustInfluxQL(t, base, admin, pw, stmt)
	r = mustInfluxQL(t, base, admin, pw, `SELECT "value" FROM "citychain"."audit"."readings" WHERE "device" = 'inv-0001'`)
	if len(r.Results[0].Series) != 1 || len(r.Results[0].Series[0].Values) != 1 {
		t.Fatalf("audit copy: got %+v, want the one reading", r.Results[0].Series)
	}

	// Flux is on: the v2 query API settlement and the API use answers, with
	// the 1.8 token form "user:password".
	q, err := http.NewRequest(http.MethodPost, base+"/api/v2/query", strings.NewReader(`buckets() |> filter(fn: (r) => r.name == "citychain/readings")`))
	if err != nil {
		t.Fatal(err)
	}
	q.Header.Set("Content-Type", "application/vnd.flux")
	q.Header.Set("Authorization", "Token settle:settle-pw")
	res, err := http.DefaultClient.Do(q)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("citychain/readings")) {
		t.Fatalf("flux buckets(): got status %d body %s, want the citychain/readings bucket", res.StatusCode, body)
	}

	// docs/operations.md's backup and restore, as written (backup RPC port
	// and directory moved): the restored database has the reading.
	bout := runDocBlock(t, "ops-influx-backup", "", map[string]string{"127.0.0.1:8088": rpcAddr, "/backup/influx": filepath.Join(dir, "backup")})
	// A live restore loads the shards in the background: poll (there is no
	// event to wait on) for up to 30 s.
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); <-tick.C {
		r = mustInfluxQL(t, base, admin, pw, `SELECT "value" FROM "citychain_restored"."readings"."readings"`)
		if len(r.Results[0].Series) > 0 {
			break
		}
	}
	if len(r.Results[0].Series) != 1 || len(r.Results[0].Series[0].Values) != 1 {
		t.Fatalf("restored database: got %+v, want the one reading; backup and restore said:\n%s", r.Results[0].Series, bout)
	}
}

func influxWrite(t *testing.T, base, user, pass, lines string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/write?db=citychain&precision=ms", strings.NewReader(lines))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, pass)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
