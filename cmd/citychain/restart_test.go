package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// TestKillRestart runs the devnet as a real process, kills it with SIGKILL
// while transfers are in flight, three times, and checks after each restart
// that the height did not go back and that the recipient's balance is
// exactly the sum of the transfers the chain reports as included: nothing
// lost, nothing applied twice.
func TestKillRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a real devnet process")
	}
	bin := filepath.Join(t.TempDir(), "citychain")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	home := t.TempDir()
	rpcAddr, p2pAddr := local.FreeAddr(t), local.FreeAddr(t)
	start := func() *exec.Cmd {
		t.Helper()
		cmd := exec.Command(bin, "devnet", "--home", home, "--rpc-laddr", "tcp://"+rpcAddr, "--p2p-laddr", "tcp://"+p2pAddr,
			"--timeout-commit", "100ms", "--log-level", "none", "--chain-only")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		// The devnet dies with the test, also when it fails mid-round.
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		ready := make(chan error, 1)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if strings.Contains(sc.Text(), "devnet running") {
					ready <- nil
					for sc.Scan() {
					}
					return
				}
			}
			ready <- fmt.Errorf("devnet exited before it was running")
		}()
		select {
		case err := <-ready:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			t.Fatal("devnet did not start within 60s")
		}
		return cmd
	}

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := start()
	kr, err := keyring.Open(node.KeyringDir(home))
	if err != nil {
		t.Fatal(err)
	}
	alice, _ := kr.Get("alice")
	bob, _ := kr.Get("bob")
	c, err := client.New("http://" + rpcAddr)
	if err != nil {
		t.Fatal(err)
	}
	balanceOf := func(addr tx.Address, height int64) uint64 {
		t.Helper()
		res, err := c.Query(ctx, "/bank/balance", []byte(fmt.Sprintf(`{"address":%q,"denom":"ukrw"}`, addr)), height, false)
		if err != nil {
			t.Fatal(err)
		}
		v, err := tx.DecodeAmount(res.Value)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	bob0 := balanceOf(bob.Address, 0)
	var hashes []string
	var raws [][]byte
	var lastHeight int64
	for round := 0; round < 3; round++ {
		// Send a burst of transfers with consecutive sequences, then kill
		// the node while some are still in the mempool or in a block.
		acc, err := c.Account(ctx, alice.Address)
		if err != nil {
			t.Fatal(err)
		}
		for i := uint64(0); i < 40; i++ {
			raw, err := tx.Build(alice.Private, node.DevnetChainID, acc.Sequence+i, "", &tx.MsgSend{To: bob.Address, Amount: tx.Coin{Amount: 7, Denom: tx.DenomKRW}})
			if err != nil {
				t.Fatal(err)
			}
			h, err := c.Broadcast(ctx, raw)
			if err != nil {
				t.Fatalf("round %d tx %d: %v", round, i, err)
			}
			hashes = append(hashes, h)
			raws = append(raws, raw)
			if i == 20 {
				if _, err := c.WaitTx(ctx, h); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()

		cmd = start()
		st, err := c.RPC().Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.SyncInfo.LatestBlockHeight < lastHeight {
			t.Fatalf("round %d: height went back from %d to %d", round, lastHeight, st.SyncInfo.LatestBlockHeight)
		}
		lastHeight = st.SyncInfo.LatestBlockHeight
		// The block the node was deciding when it died is in its consensus
		// WAL and may still commit after the restart, with transfers the
		// lost mempool no longer holds; after it nothing of this round can.
		// Read alice's sequence and bob's balance at one height past it,
		// once a later block is stored (the node saves a block before the
		// app commits its state).
		h := lastHeight + 2
		for {
			st, err := c.RPC().Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.SyncInfo.LatestBlockHeight > h {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		// Alice's transfers all succeed, so her sequence counts the included
		// ones; they are exactly the first hashes, in sequence order.
		res, err := c.Query(ctx, "/auth/account", []byte(alice.Address.String()), h, false)
		if err != nil {
			t.Fatal(err)
		}
		var acc2 client.Account
		if err := json.Unmarshal(res.Value, &acc2); err != nil {
			t.Fatal(err)
		}
		included := int(acc2.Sequence)
		if included < 21*(round+1) || included > len(hashes) {
			t.Fatalf("round %d: alice's sequence %d, want between %d (waited for) and %d (sent)", round, included, 21*(round+1), len(hashes))
		}
		if got, want := balanceOf(bob.Address, h)-bob0, uint64(included)*7; got != want {
			t.Fatalf("round %d: bob received %d ukrw, alice's %d included transfers of 7 make %d", round, got, included, want)
		}
		for i, h := range hashes[:included] {
			wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			_, err := c.WaitTx(wctx, h)
			cancel()
			if err != nil {
				t.Fatalf("round %d: included transfer %d (%s) not found: %v", round, i, h, err)
			}
		}
		// Resubmitting a transaction that is already included is rejected
		// (by the app's sequence check, or before it by the mempool's cache
		// of transactions committed since the restart): nothing is applied
		// twice.
		var te *client.TxError
		_, err = c.Broadcast(ctx, raws[included-1])
		inCache := err != nil && strings.Contains(err.Error(), "tx already exists in cache")
		if !inCache && (!errors.As(err, &te) || !errors.Is(te, tx.CodeAuthWrongSequence)) {
			t.Fatalf("round %d: replay of an included transfer: got %v, want %v (or the mempool's cache)", round, err, tx.CodeAuthWrongSequence)
		}
		t.Logf("round %d: %d of %d transfers included before the kill", round, included, len(hashes))
		// Let the rest of this round's transfers settle or be dropped
		// before the next round reads alice's sequence.
		hashes, raws = hashes[:included], raws[:included]
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
}
