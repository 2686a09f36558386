package local

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/cometbft/cometbft/types"

	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
)

// CouncilDevnet is Devnet for a devnet whose genesis names more
// authorities: besides the demo "authority", a key for each of names
// (created in the home's keyring), of which threshold must approve an
// authority action (auth genesis authority_threshold). An error fails the
// test.
func CouncilDevnet(tb testing.TB, home string, o node.DevnetOptions, names []string, threshold uint32) *node.Node {
	tb.Helper()
	for _, addr := range []*string{&o.RPCListen, &o.P2PListen} {
		if *addr == "" {
			*addr = "tcp://" + FreeAddr(tb)
		}
	}
	if err := ensureCouncil(home, o, names, threshold); err != nil {
		tb.Fatal(err)
	}
	return Devnet(tb, home, o)
}

func ensureCouncil(home string, o node.DevnetOptions, names []string, threshold uint32) error {
	created, err := node.EnsureDevnet(home, o)
	if err != nil || !created {
		return err
	}
	kr, err := keyring.Open(node.KeyringDir(home))
	if err != nil {
		return err
	}
	var addrs []tx.Address
	for _, n := range names {
		k, err := kr.Add(n)
		if err != nil {
			return fmt.Errorf("council devnet: %w", err)
		}
		addrs = append(addrs, k.Address)
	}
	g, err := types.GenesisDocFromFile(node.GenesisFile(home))
	if err != nil {
		return err
	}
	var st map[string]json.RawMessage
	if err := json.Unmarshal(g.AppState, &st); err != nil {
		return fmt.Errorf("council devnet: app state: %w", err)
	}
	var auth map[string]json.RawMessage
	if err := json.Unmarshal(st["auth"], &auth); err != nil {
		return fmt.Errorf("council devnet: auth section: %w", err)
	}
	var authorities []tx.Address
	if err := json.Unmarshal(auth["authorities"], &authorities); err != nil {
		return fmt.Errorf("council devnet: authorities: %w", err)
	}
	for _, set := range []struct {
		key string
		v   any
	}{{"authorities", append(authorities, addrs...)}, {"authority_threshold", threshold}} {
		if auth[set.key], err = json.Marshal(set.v); err != nil {
			return err
		}
	}
	if st["auth"], err = json.Marshal(auth); err != nil {
		return err
	}
	if g.AppState, err = json.Marshal(st); err != nil {
		return err
	}
	if err := os.Remove(node.GenesisFile(home)); err != nil {
		return err
	}
	return g.SaveAs(node.GenesisFile(home))
}
