package local

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/node"
)

// StartDevnet creates the devnet home at home with o, on free loopback RPC
// and P2P addresses where o leaves them empty, runs its node in this
// process and waits for its first block. The caller stops the node.
func StartDevnet(ctx context.Context, home string, o node.DevnetOptions) (*node.Node, error) {
	for _, addr := range []*string{&o.RPCListen, &o.P2PListen} {
		if *addr != "" {
			continue
		}
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		*addr = fmt.Sprintf("tcp://127.0.0.1:%d", port)
	}
	if _, err := node.EnsureDevnet(home, o); err != nil {
		return nil, err
	}
	n, err := node.Start(node.Options{Home: home, CometLogLevel: "none"})
	if err != nil {
		return nil, err
	}
	if err := n.WaitForHeight(ctx, 1); err != nil {
		return nil, errors.Join(err, n.Stop())
	}
	return n, nil
}

// Devnet is StartDevnet for one test: the node stops when the test ends, and
// an error fails the test.
func Devnet(tb testing.TB, home string, o node.DevnetOptions) *node.Node {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := StartDevnet(ctx, home, o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := n.Stop(); err != nil {
			tb.Error(err)
		}
	})
	return n
}

// FreeAddr is a host:port on 127.0.0.1 from FreePort; an error fails the
// test.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	port, err := FreePort()
	if err != nil {
		tb.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", port)
}

// Key returns the key name from the keyring in dir (a devnet's is
// node.KeyringDir(home)); an error fails the test.
func Key(tb testing.TB, dir, name string) *keyring.Key {
	tb.Helper()
	kr, err := keyring.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	k, err := kr.Get(name)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}
