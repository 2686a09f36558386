package prod

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cometbft/cometbft/types"

	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/cmd/citychain/local"
)

func readOps(t *testing.T) (root string, doc []byte) {
	t.Helper()
	root, err := local.FindRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	doc, err = os.ReadFile(filepath.Join(root, "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	return root, doc
}

// docBlock is the shell code between <!-- name:begin --> and
// <!-- name:end --> in docs/operations.md, without fences and indentation.
func docBlock(t *testing.T, name string) string {
	t.Helper()
	_, doc := readOps(t)
	_, rest, ok := strings.Cut(string(doc), "<!-- "+name+":begin -->\n")
	block, _, ok2 := strings.Cut(rest, "<!-- "+name+":end -->")
	if !ok || !ok2 {
		t.Fatalf("docs/operations.md: no %s block", name)
	}
	var out strings.Builder
	for _, line := range strings.Split(block, "\n") {
		line = strings.TrimPrefix(line, "   ")
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			continue
		}
		out.WriteString(line + "\n")
	}
	return out.String()
}

// runDocBlock runs a block of docs/operations.md with sh -e in dir (the
// repository root when empty), after replacing each key of repl (which must
// occur) by its value, with the built binaries and influxd first on PATH.
func runDocBlock(t *testing.T, name, dir string, repl map[string]string, env ...string) string {
	t.Helper()
	script := docBlock(t, name)
	for old, new := range repl {
		if !strings.Contains(script, old) {
			t.Fatalf("docs/operations.md %s block: %q not found", name, old)
		}
		script = strings.ReplaceAll(script, old, new)
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	if dir == "" {
		dir, _ = readOps(t)
	}
	// The built binaries come first: influxd's folder (bin/) may hold an
	// older citychain from a make build.
	path := os.Getenv("PATH")
	if p, err := local.InfluxdBinary(); err == nil {
		path = filepath.Dir(p) + string(os.PathListSeparator) + path
	}
	if binDir != "" {
		path = binDir + string(os.PathListSeparator) + path
	}
	cmd := exec.Command("sh", "-e", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "PATH="+path), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docs/operations.md %s block: %v\n--- script\n%s--- output\n%s", name, err, script, out)
	}
	return string(out)
}

// The four-machine procedure, run as written on this machine: the
// testnet homes, the genesis edit, deploy/prod/config.toml installed with
// each node's moniker, peers and external address; every home then loads
// as `citychain node` loads it.
func TestDocFourMachineSetup(t *testing.T) {
	buildBinaries(t)
	for _, tool := range []string{"jq", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "deploy", "prod"), 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("config.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "deploy", "prod", "config.toml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	runDocBlock(t, "ops-testnet", dir, nil)
	generated := map[int]string{}
	for i := range 4 {
		c, err := node.LoadConfig(filepath.Join(dir, "net", "node"+string(rune('0'+i))))
		if err != nil {
			t.Fatal(err)
		}
		generated[i] = c.P2P.PersistentPeers
	}
	runDocBlock(t, "ops-genesis", dir, nil)
	runDocBlock(t, "ops-config", dir, nil)

	hosts := []string{"203.0.113.11", "203.0.113.12", "203.0.113.13", "203.0.113.14"}
	var genesis []byte
	for i := range 4 {
		home := filepath.Join(dir, "net", "node"+string(rune('0'+i)))
		c, err := node.LoadConfig(home)
		if err != nil {
			t.Fatalf("node%d after the documented config step: %v", i, err)
		}
		if c.Moniker != "validator"+string(rune('0'+i)) || c.P2P.PersistentPeers != generated[i] || c.P2P.ExternalAddress != "tcp://"+hosts[i]+":26656" {
			t.Errorf("node%d: got moniker %q peers %q external %q, want validator%d, %q, tcp://%s:26656",
				i, c.Moniker, c.P2P.PersistentPeers, c.P2P.ExternalAddress, i, generated[i], hosts[i])
		}
		if !c.Mempool.Recheck || c.Mempool.MaxTxBytes != 65536 || !c.Instrumentation.Prometheus {
			t.Errorf("node%d: config.toml is not deploy/prod's", i)
		}
		g, err := os.ReadFile(node.GenesisFile(home))
		if err != nil {
			t.Fatal(err)
		}
		if genesis != nil && !bytes.Equal(g, genesis) {
			t.Errorf("node%d: genesis differs from node0's", i)
		}
		genesis = g
	}
	doc, err := types.GenesisDocFromJSON(genesis)
	if err != nil {
		t.Fatalf("edited genesis: %v", err)
	}
	if doc.ConsensusParams.Block.MaxBytes != 4<<20 || doc.ConsensusParams.Evidence.MaxBytes != 1<<20 || len(doc.Validators) != 4 {
		t.Errorf("edited genesis: got block.max_bytes %d evidence.max_bytes %d, %d validators",
			doc.ConsensusParams.Block.MaxBytes, doc.ConsensusParams.Evidence.MaxBytes, len(doc.Validators))
	}
}

// cliHelp caches `citychain PATH... --help`.
type cliHelp struct {
	bin   string
	cache map[string]string
}

func (h *cliHelp) help(t *testing.T, path []string) string {
	key := strings.Join(path, " ")
	if s, ok := h.cache[key]; ok {
		return s
	}
	out, err := exec.Command(h.bin, append(slices.Clone(path), "--help")...).CombinedOutput()
	if err != nil {
		t.Fatalf("citychain %s --help: %v\n%s", key, err, out)
	}
	h.cache[key] = string(out)
	return string(out)
}

var (
	helpFlag = regexp.MustCompile(`(?m)^\s+(?:-(\w), )?--([a-z0-9-]+)( [a-zA-Z]+)?\s{2,}`)
	helpSub  = regexp.MustCompile(`^\s{2}([a-z][a-z0-9-]*)\s+\S`)
)

// flags maps each flag (long and short name) of a help text to whether it
// takes a value.
func flags(help string) map[string]bool {
	m := map[string]bool{}
	for _, f := range helpFlag.FindAllStringSubmatch(help, -1) {
		m[f[2]] = f[3] != ""
		if f[1] != "" {
			m[f[1]] = f[3] != ""
		}
	}
	return m
}

func subcommands(help string) []string {
	_, rest, ok := strings.Cut(help, "Available Commands:\n")
	if !ok {
		return nil
	}
	var subs []string
	for _, line := range strings.Split(rest, "\n") {
		m := helpSub.FindStringSubmatch(line)
		if m == nil {
			break
		}
		subs = append(subs, m[1])
	}
	return subs
}

// docCommands are the citychain invocations in docs/operations.md: in
// shell blocks at a command position, and in inline code starting with
// "citychain ".
func docCommands(doc string) []string {
	var cmds []string
	inBlock := false
	var cont string
	atCmd := regexp.MustCompile(`(?:^|\$\(|[;|&]\s*|\bdo\s+)\s*(?:/usr/local/bin/|bin/)?citychain\s+(.*)`)
	for _, line := range strings.Split(doc, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			inBlock = !inBlock && trimmed == "```sh"
			continue
		}
		if inBlock {
			if s, ok := strings.CutSuffix(trimmed, "\\"); ok {
				cont += s + " "
				continue
			}
			trimmed, cont = cont+trimmed, ""
			if c, _, _ := strings.Cut(trimmed, " #"); c != "" {
				trimmed = c
			}
			if m := atCmd.FindStringSubmatch(trimmed); m != nil {
				args, _, _ := strings.Cut(m[1], "|")
				cmds = append(cmds, strings.TrimSpace(args))
			}
			continue
		}
		for _, m := range regexp.MustCompile("`citychain ([^`]+)`").FindAllStringSubmatch(line, -1) {
			cmds = append(cmds, m[1])
		}
	}
	return cmds
}

// Every citychain command in docs/operations.md names a real subcommand and
// only flags it accepts (checked against the built binary's --help).
func TestDocCommands(t *testing.T) {
	bin := filepath.Join(buildBinaries(t), "citychain")
	root, doc := readOps(t)
	h := &cliHelp{bin: bin, cache: map[string]string{}}
	cmds := docCommands(string(doc))
	if len(cmds) < 10 {
		t.Fatalf("found %d citychain commands in docs/operations.md: the scan is broken", len(cmds))
	}
	for _, c := range cmds {
		toks := strings.Fields(strings.NewReplacer(`"`, "", "'", "").Replace(c))
		var path []string
		help := h.help(t, nil)
		positional := false
		for i := 0; i < len(toks); i++ {
			tok := toks[i]
			if strings.HasPrefix(tok, "-") {
				name, _, hasValue := strings.Cut(strings.TrimLeft(tok, "-"), "=")
				takes, ok := flags(help)[name]
				if !ok {
					t.Errorf("docs/operations.md `citychain %s`: %s is not a flag of `citychain %s`", c, tok, strings.Join(path, " "))
					break
				}
				if takes && !hasValue {
					i++
				}
				continue
			}
			if !positional && slices.Contains(subcommands(help), tok) {
				path = append(path, tok)
				help = h.help(t, path)
				continue
			}
			positional = true
		}
		if len(path) == 0 {
			t.Errorf("docs/operations.md `citychain %s`: no citychain subcommand", c)
		} else {
			t.Logf("citychain %s", strings.Join(path, " "))
		}
	}
	// The edge agent's commands (its flag package prints "-name").
	agentBin := filepath.Join(filepath.Dir(bin), "edge-agent")
	agentCmds := regexp.MustCompile(`(?m)\bedge-agent (keygen|run)((?: +--?[a-z-]+(?:[ =][^ -]\S*)?)*)`).FindAllStringSubmatch(string(doc), -1)
	if len(agentCmds) == 0 {
		t.Error("docs/operations.md: no edge-agent command found")
	}
	for _, m := range agentCmds {
		out, _ := exec.Command(agentBin, m[1], "--help").CombinedOutput()
		for _, tok := range strings.Fields(m[2]) {
			name, _, _ := strings.Cut(strings.TrimLeft(tok, "-"), "=")
			if !strings.HasPrefix(tok, "-") {
				continue
			}
			if !regexp.MustCompile(`(?m)^\s+-` + regexp.QuoteMeta(name) + `\b`).Match(out) {
				t.Errorf("docs/operations.md `edge-agent %s%s`: -%s not in `edge-agent %s --help`:\n%s", m[1], m[2], name, m[1], out)
			}
		}
	}
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"testnet-up", "testnet-down", "build"} {
		if bytes.Contains(doc, []byte("make "+target)) && !regexp.MustCompile(`(?m)^`+target+`:`).Match(mk) {
			t.Errorf("docs/operations.md: make %s: no such Makefile target", target)
		}
	}
}

// The app-hash check of docs/operations.md ("Upgrades"), run as written
// against a real node (a one-validator devnet home on free ports).
func TestDocAppHashCheck(t *testing.T) {
	for _, tool := range []string{"curl", "jq", "base64", "od"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	n := local.Devnet(t, t.TempDir(), node.DevnetOptions{TimeoutCommit: 200 * time.Millisecond})
	rpc := strings.TrimPrefix(n.RPCAddress(), "http://")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := n.WaitForHeight(ctx, 3); err != nil {
		t.Fatal(err)
	}
	out := runDocBlock(t, "ops-apphash", "", map[string]string{"127.0.0.1:26657": rpc})
	if !regexp.MustCompile(`app hash at height \d+ agrees: [0-9A-F]{64}\n`).MatchString(out) {
		t.Fatalf("app-hash check: got %q, want agreement with a 64-hex hash", out)
	}
}

// The lagging-node restore of docs/operations.md, run as written (paths
// moved, systemctl done by the test, nodes run as `citychain node`
// processes): a full node that never ran gets a stopped validator's data/,
// keeps its own priv_validator_state.json, starts at the copied height with
// no peer reachable, then follows the chain.
func TestDocSnapshotRestore(t *testing.T) {
	if _, err := exec.LookPath("tar"); err != nil {
		t.Skip("tar not installed")
	}
	bin := filepath.Join(buildBinaries(t), "citychain")
	base := t.TempDir()
	vHome, fHome := filepath.Join(base, "validator"), filepath.Join(base, "full")
	addr := func() string {
		p, err := local.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("127.0.0.1:%d", p)
	}
	vRPC, vP2P, fRPC, fP2P := addr(), addr(), addr(), addr()
	if _, err := node.EnsureDevnet(vHome, node.DevnetOptions{RPCListen: "tcp://" + vRPC, P2PListen: "tcp://" + vP2P, TimeoutCommit: 100 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	vid, err := node.ShowValidator(vHome)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := node.Join(node.JoinOptions{Home: fHome, Moniker: "full", Genesis: node.GenesisFile(vHome),
		PersistentPeers: vid.NodeID + "@" + vP2P, RPCListen: "tcp://" + fRPC, P2PListen: "tcp://" + fP2P,
		TimeoutCommit: 100 * time.Millisecond, LocalNetwork: true}); err != nil {
		t.Fatal(err)
	}
	vNode := startNode(t, bin, vHome, vRPC)
	vNode.waitHeight(t, 10)
	vNode.stop(t)

	tgz := filepath.Join(base, "data.tgz")
	repl := func(m map[string]string) map[string]string {
		m["systemctl stop citychain-node"], m["systemctl start citychain-node"] = ":", ":"
		return m
	}
	runDocBlock(t, "ops-snapshot-source", "", repl(map[string]string{"/var/lib/citychain/node": vHome, "/tmp/data.tgz": tgz}))
	ownState, err := os.ReadFile(filepath.Join(fHome, "data", "priv_validator_state.json"))
	if err != nil {
		t.Fatal(err)
	}
	runDocBlock(t, "ops-snapshot-restore", "", repl(map[string]string{"/var/lib/citychain/node": fHome, "/tmp/data.tgz": tgz,
		"/root/priv_validator_state.json.keep": filepath.Join(base, "keep.json"), "chown -R citychain:citychain data": ":"}))
	if got, err := os.ReadFile(filepath.Join(fHome, "data", "priv_validator_state.json")); err != nil || !bytes.Equal(got, ownState) {
		t.Fatalf("restored node's priv_validator_state.json: got %s (%v), want its own %s", got, err, ownState)
	}
	if _, err := os.Stat(filepath.Join(fHome, "data", "cs.wal")); err == nil {
		t.Error("the copied data/ carries the source's cs.wal")
	}

	// The validator is still stopped: the full node can only have the
	// copied blocks and state.
	fNode := startNode(t, bin, fHome, fRPC)
	copied := fNode.waitHeight(t, 1)
	if copied < 10 {
		t.Fatalf("restored node starts at height %d, want the copied height >= 10", copied)
	}
	vNode = startNode(t, bin, vHome, vRPC)
	vNode.waitHeight(t, copied+5)
	fNode.waitHeight(t, copied+5)
}

// nodeProc is a `citychain node` process.
type nodeProc struct {
	cmd    *exec.Cmd
	rpc    string
	exited chan struct{}
	log    *bytes.Buffer
}

func startNode(t *testing.T, bin, home, rpc string) *nodeProc {
	t.Helper()
	p := &nodeProc{rpc: rpc, exited: make(chan struct{}), log: &bytes.Buffer{}}
	p.cmd = exec.Command(bin, "node", "--home", home, "--log-level", "error")
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.stop(t) })
	return p
}

func (p *nodeProc) stop(t *testing.T) {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
		t.Errorf("citychain node did not stop on SIGTERM within 30 s")
	}
}

// waitHeight polls /status (a node has no height event over plain HTTP)
// until the latest height is at least h, and returns it.
func (p *nodeProc) waitHeight(t *testing.T, h int64) int64 {
	t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(2 * time.Minute)
	for {
		if res, err := http.Get("http://" + p.rpc + "/status"); err == nil {
			var st struct {
				Result struct {
					SyncInfo struct {
						Height string `json:"latest_block_height"`
					} `json:"sync_info"`
				} `json:"result"`
			}
			err := json.NewDecoder(res.Body).Decode(&st)
			res.Body.Close()
			if got, perr := strconv.ParseInt(st.Result.SyncInfo.Height, 10, 64); err == nil && perr == nil && got >= h {
				return got
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("citychain node exited:\n%s", p.log)
		case <-deadline:
			t.Fatalf("citychain node at %s not at height %d after 2 minutes", p.rpc, h)
		case <-tick.C:
		}
	}
}

// The breaking-upgrade procedure of docs/operations.md ("Changed state
// format"), run as written on a stopped devnet validator (paths moved,
// systemctl done by the test): the export at the last height, then the new
// genesis installed over a fresh data/; the node starts a new chain at
// height 1 with the old balances and sequences, under the new chain id.
func TestDocExportUpgrade(t *testing.T) {
	bin := filepath.Join(buildBinaries(t), "citychain")
	base := t.TempDir()
	home := filepath.Join(base, "node")
	p, err := local.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	rpc := fmt.Sprintf("127.0.0.1:%d", p)
	p2p, err := local.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := node.EnsureDevnet(home, node.DevnetOptions{RPCListen: "tcp://" + rpc, P2PListen: fmt.Sprintf("tcp://127.0.0.1:%d", p2p), TimeoutCommit: 100 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	cli := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, append([]string{"--home", home, "--node", "http://" + rpc}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("citychain %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	balance := func() string {
		t.Helper()
		var b struct{ Result struct{ Amount string } }
		if err := json.Unmarshal([]byte(cli("query", "bank", "balance", "bob", "-o", "json")), &b); err != nil {
			t.Fatal(err)
		}
		return b.Result.Amount
	}
	n := startNode(t, bin, home, rpc)
	n.waitHeight(t, 2)
	cli("tx", "bank", "send", "treasury", "bob", "1234567uscn")
	before := balance()
	n.stop(t)

	exp, err := node.Export(home, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	out := runDocBlock(t, "ops-export", base, map[string]string{
		"/var/lib/citychain/node": home, "--height H": fmt.Sprintf("--height %d", exp.Height),
	})
	if want := fmt.Sprintf("exported height %d of %s to genesis-2.json; state hash %X (a fresh import reproduces it)", exp.Height, node.DevnetChainID, exp.StateHash); !strings.Contains(out, want) {
		t.Fatalf("export block: got %q, want %q", out, want)
	}
	runDocBlock(t, "ops-export-install", base, map[string]string{"/var/lib/citychain/node": home})

	n = startNode(t, bin, home, rpc)
	n.waitHeight(t, 2)
	res, err := http.Get("http://" + rpc + "/status")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Result struct {
			NodeInfo struct{ Network string } `json:"node_info"`
			SyncInfo struct {
				Height string `json:"latest_block_height"`
			} `json:"sync_info"`
		}
	}
	err = json.NewDecoder(res.Body).Decode(&st)
	res.Body.Close()
	if err != nil || st.Result.NodeInfo.Network != "citychain-2" {
		t.Fatalf("upgraded node: network %q (%v), want citychain-2", st.Result.NodeInfo.Network, err)
	}
	if h, _ := strconv.ParseInt(st.Result.SyncInfo.Height, 10, 64); h >= exp.Height+2 {
		t.Fatalf("upgraded node at height %d: the new chain should have started again at 1 (export at %d)", h, exp.Height)
	}
	if got := balance(); got != before {
		t.Fatalf("bob's balance on the new chain: got %s, want %s", got, before)
	}
	// The treasury's sequence continues: it can send again on the new chain.
	cli("tx", "bank", "send", "treasury", "bob", "1uscn")
	if _, err := os.Stat(filepath.Join(home, "data.citychain-1", "citystate.db")); err != nil {
		t.Errorf("the old chain's data was not kept: %v", err)
	}
}
