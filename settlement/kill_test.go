package settlement_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/settlement"
)

// childEnv carries a child replica's configuration (JSON) from the test.
const childEnv = "SETTLEMENT_TEST_CHILD"

type childSpec struct {
	Config  settlement.Config
	Node    string
	Keyring string
}

// TestMain runs a settlement replica as this test binary's child when
// asked to, so a test can SIGKILL a real process.
func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(runChild(spec))
	}
	os.Exit(m.Run())
}

func runChild(spec string) int {
	var c childSpec
	if err := json.Unmarshal([]byte(spec), &c); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	cl, err := client.New(c.Node)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	kr, err := keyring.Open(c.Keyring)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	k, err := kr.Get("settlement")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	svc, err := settlement.New(c.Config, slog.New(slog.NewTextHandler(os.Stderr, nil)), settlement.Deps{Chain: cl, Key: k.Private})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := svc.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func (e *env) startChild(cfg settlement.Config) *exec.Cmd {
	e.t.Helper()
	spec, err := json.Marshal(childSpec{Config: cfg, Node: e.rpc, Keyring: node.KeyringDir(filepath.Join(e.home, "chain"))})
	if err != nil {
		e.t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(spec))
	logf, err := os.OpenFile(filepath.Join(e.home, "child.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		e.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logf.Close()
	})
	return cmd
}

// A settlement process SIGKILLed while readings are in flight (received,
// not yet stored or acknowledged, or stored and not yet on chain) and
// started again: every interval anchored once, every (device, seq) stored
// once, the chain has every device's last reading.
func TestSettleSIGKILL(t *testing.T) {
	devs := []string{"inv-1", "inv-2", "ev-3"}
	e := newEnv(t, 2, device{devs[0], tx.KindSolarInverter}, device{devs[1], tx.KindSolarInverter}, device{devs[2], tx.KindEVOdometer})
	cfg := e.config("settle-killed")
	// The child's session must exist before readings are published: run an
	// in-process replica with the same client id once to create it.
	r := e.start(cfg)
	r.stop()
	child := e.startChild(cfg)
	killedAt := -1
	per := e.stream(devs, 1, 50, 100*time.Millisecond, func(i int) {
		if killedAt < 0 && (len(e.stored()["inv-1"]) >= 15 || i == 35) {
			killedAt = i
			if err := child.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = child.Wait()
			child = e.startChild(cfg)
		}
	})
	e.checkSettled(per, devs, 50)
	if killedAt < 0 {
		t.Fatal("never killed")
	}
	t.Logf("killed after publishing round %d", killedAt)
}
