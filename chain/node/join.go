package node

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cometbft/cometbft/crypto"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/types"
)

// JoinOptions describes a new node home for an existing network.
type JoinOptions struct {
	Home    string
	Moniker string
	// Genesis is the path of the network's genesis file; it is copied into
	// the home byte for byte.
	Genesis string
	// PersistentPeers is "id@host:port,..." of nodes of the network.
	PersistentPeers string
	// RPCListen and P2PListen are listen addresses ("tcp://host:port");
	// empty keeps CometBFT's defaults.
	RPCListen, P2PListen string
	// TimeoutCommit overrides CometBFT's default (1 s) when non-zero; use
	// the network's value.
	TimeoutCommit time.Duration
	// LocalNetwork allows several nodes on one IP address (a network on
	// one machine).
	LocalNetwork bool
}

// Identity is what an operator hands to the network's authority: the node
// id (for peers) and the validator's consensus key.
type Identity struct {
	Home    string `json:"home"`
	Moniker string `json:"moniker"`
	NodeID  string `json:"node_id"`
	// PubKey is the validator's ed25519 public key, 64 lowercase hex
	// characters: the PUBKEY_HEX of `citychain tx validator set-power`.
	PubKey string `json:"pub_key"`
	// Address is CometBFT's validator address (upper-case hex, as in
	// /validators and commit signatures).
	Address string `json:"address"`
}

// Join writes a node home for an existing network: config.toml with the
// peers, a new node key and validator key (existing ones are kept), and the
// network's genesis. The node starts as a full node; it becomes a validator
// once the authority sets a power for its key. Only a new home is written: a
// directory that already holds a genesis is refused, and so is a validator
// key placed there beforehand that is a genesis validator's.
func Join(o JoinOptions) (*Identity, error) {
	if o.Home == "" {
		return nil, errors.New("join: --home: want the directory of the new node home")
	}
	if o.Moniker == "" {
		return nil, errors.New("join: --moniker: want a name for the node")
	}
	if o.Genesis == "" {
		return nil, errors.New("join: --genesis: want the network's genesis file")
	}
	raw, err := os.ReadFile(o.Genesis)
	if err != nil {
		return nil, fmt.Errorf("join: --genesis: %w", err)
	}
	g, err := types.GenesisDocFromJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("join: --genesis %s: not a CometBFT genesis file: %w", o.Genesis, err)
	}
	if err := ValidatePeers(o.PersistentPeers); err != nil {
		return nil, fmt.Errorf("join: --persistent-peers: %w", err)
	}
	if _, err := os.Stat(GenesisFile(o.Home)); err == nil {
		return nil, fmt.Errorf("join: --home %s already holds a node home (%s); use a new directory", o.Home, GenesisFile(o.Home))
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("join: %w", err)
	}
	// A validator key placed in the home beforehand is kept; it must not be
	// one of the network's genesis validators.
	keyFile := filepath.Join(o.Home, "config", "priv_validator_key.json")
	if _, err := os.Stat(keyFile); err == nil {
		pub, err := readValidatorKey(keyFile)
		if err != nil {
			return nil, err
		}
		for _, v := range g.Validators {
			if bytes.Equal(v.PubKey.Bytes(), pub.Bytes()) {
				return nil, fmt.Errorf("join: %s is the key of the network's genesis validator %q; two nodes with one key double-sign: remove it to get a new key", keyFile, v.Name)
			}
		}
	}
	if _, _, err := InitValidator(ValidatorHome{
		Home: o.Home, Moniker: o.Moniker, RPCListen: o.RPCListen, P2PListen: o.P2PListen,
		PersistentPeers: o.PersistentPeers, TimeoutCommit: o.TimeoutCommit, LocalNetwork: o.LocalNetwork,
	}); err != nil {
		return nil, err
	}
	id, err := ShowValidator(o.Home)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(GenesisFile(o.Home), raw, 0o600); err != nil {
		return nil, fmt.Errorf("join: write genesis: %w", err)
	}
	return id, nil
}

// ShowValidator reads the node id and validator key of a home.
func ShowValidator(home string) (*Identity, error) {
	c, err := LoadConfig(home)
	if err != nil {
		return nil, err
	}
	nk, err := p2p.LoadNodeKey(c.NodeKeyFile())
	if err != nil {
		return nil, fmt.Errorf("node key of %s: %w", home, err)
	}
	pub, err := readValidatorKey(c.PrivValidatorKeyFile())
	if err != nil {
		return nil, err
	}
	return &Identity{
		Home: home, Moniker: c.Moniker, NodeID: string(nk.ID()),
		PubKey: hex.EncodeToString(pub.Bytes()), Address: pub.Address().String(),
	}, nil
}

// readValidatorKey reads the public key of a CometBFT validator key file
// (privval.LoadFilePV would exit the process on a bad file).
func readValidatorKey(path string) (crypto.PubKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("validator key: %w", err)
	}
	var k privval.FilePVKey
	if err := cmtjson.Unmarshal(b, &k); err != nil {
		return nil, fmt.Errorf("validator key %s: %w", path, err)
	}
	if k.PubKey == nil || k.PubKey.Type() != "ed25519" {
		return nil, fmt.Errorf("validator key %s: want an ed25519 key", path)
	}
	return k.PubKey, nil
}

// ValidatePeers checks a persistent-peers list, "id@host:port,...", without
// resolving any host: each id is a 40-character hex node id and each port
// 1 to 65535.
func ValidatePeers(list string) error {
	if strings.TrimSpace(list) == "" {
		return nil
	}
	for _, p := range strings.Split(list, ",") {
		id, addr, ok := strings.Cut(strings.TrimSpace(p), "@")
		if !ok {
			return fmt.Errorf("peer %q: want ID@HOST:PORT", p)
		}
		if len(id) != 40 {
			return fmt.Errorf("peer %q: node id %q: want 40 hex characters (citychain show-validator prints it)", p, id)
		}
		if _, err := hex.DecodeString(id); err != nil {
			return fmt.Errorf("peer %q: node id %q: want 40 hex characters", p, id)
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil || host == "" {
			return fmt.Errorf("peer %q: address %q: want HOST:PORT", p, addr)
		}
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			return fmt.Errorf("peer %q: port %q: want 1 to 65535", p, port)
		}
	}
	return nil
}
