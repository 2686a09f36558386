package node

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cometbft/cometbft/types"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/tx"
)

// DevnetChainID is the chain id of a devnet.
const DevnetChainID = "citychain-devnet"

// DevnetOptions configures a devnet home.
type DevnetOptions struct {
	ChainID       string
	RPCListen     string
	P2PListen     string
	TimeoutCommit time.Duration
	// IntervalSeconds is the settlement interval; 0 means DevnetInterval.
	IntervalSeconds uint64
	// Devices are registered at genesis; DeviceOwners maps each device to
	// the name of an account key, created in the keyring if missing.
	Devices      []tx.MsgDeviceRegister
	DeviceOwners []string
	// Households are extra citizen accounts (key names), funded with
	// 10,000 S-Coin each.
	Households []string
}

// DevnetInterval is a devnet's settlement interval, short so a demo
// settles several intervals in minutes.
const DevnetInterval = 30

// A devnet's mileage reward period (in settlement intervals) and the
// baseline distance per period its EVs are enrolled with.
const (
	DevnetMileagePeriod = 10
	DevnetBaselineKm    = 10
)

// KeyringDir is where a home keeps its account keys.
func KeyringDir(home string) string { return filepath.Join(home, "keys") }

// EnsureDevnet creates a single-validator devnet home in dir unless one
// exists there: CometBFT config and keys, demo account keys in dir/keys and
// a genesis funding them. It reports whether it created the home.
func EnsureDevnet(dir string, o DevnetOptions) (bool, error) {
	if _, err := os.Stat(GenesisFile(dir)); err == nil {
		return false, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return false, fmt.Errorf("devnet home %s: %w", dir, err)
	}
	if o.ChainID == "" {
		o.ChainID = DevnetChainID
	}
	pub, _, err := InitValidator(ValidatorHome{
		Home: dir, Moniker: "devnet", RPCListen: o.RPCListen, P2PListen: o.P2PListen,
		TimeoutCommit: o.TimeoutCommit, LocalNetwork: true,
	})
	if err != nil {
		return false, err
	}
	kr, err := keyring.Open(KeyringDir(dir))
	if err != nil {
		return false, err
	}
	st, err := worldAppState(kr, o.IntervalSeconds, o.Devices, o.DeviceOwners, o.Households)
	if err == nil {
		err = addAccounts(kr, st, CivicAccounts())
	}
	if err == nil {
		err = addLabourHistory(kr, st, time.Now())
	}
	if err != nil {
		return false, fmt.Errorf("devnet: %w", err)
	}
	g, err := NewGenesis(o.ChainID, []types.GenesisValidator{{Address: pub.Address(), PubKey: pub, Power: 10, Name: "devnet"}}, st)
	if err != nil {
		return false, err
	}
	if err := g.SaveAs(GenesisFile(dir)); err != nil {
		return false, fmt.Errorf("write genesis: %w", err)
	}
	return true, nil
}

// worldAppState is the genesis state of a devnet or testnet: the demo
// accounts, the households and device owners (10,000 S-Coin each), the
// devices registered to their owners, the settlement interval (0:
// DevnetInterval), and mileage with short reward periods and every EV
// enrolled with a baseline, so a demo sees rewards within minutes.
func worldAppState(kr *keyring.Keyring, intervalSeconds uint64, devices []tx.MsgDeviceRegister, deviceOwners, households []string) (*app.AppState, error) {
	accounts := DemoAccounts()
	known := map[string]bool{}
	for _, a := range accounts {
		known[a.Name] = true
	}
	for _, owner := range append(append([]string(nil), deviceOwners...), households...) {
		if !known[owner] {
			known[owner] = true
			accounts = append(accounts, Account{Name: owner, Coins: []tx.Coin{scn(10_000)}})
		}
	}
	st, err := BuildAppState(kr, accounts)
	if err != nil {
		return nil, err
	}
	if len(deviceOwners) != len(devices) {
		return nil, fmt.Errorf("%d devices but %d owners", len(devices), len(deviceOwners))
	}
	for i, d := range devices {
		owner, err := kr.Get(deviceOwners[i])
		if err != nil {
			return nil, err
		}
		d.Owner = owner.Address
		st.Devices.Devices = append(st.Devices.Devices, d)
	}
	st.Metering.Params.IntervalSeconds = intervalSeconds
	if intervalSeconds == 0 {
		st.Metering.Params.IntervalSeconds = DevnetInterval
	}
	st.Mileage.Params.PeriodIntervals = DevnetMileagePeriod
	st.Mileage.Params.SettleDelayIntervals = 2
	for _, d := range devices {
		if d.Kind == tx.KindEVOdometer {
			st.Mileage.Vehicles = append(st.Mileage.Vehicles, tx.MsgMileageEnrollVehicle{Device: d.ID, BaselineKm: DevnetBaselineKm})
		}
	}
	return st, nil
}

// TestnetOptions configures an N-validator network's homes.
type TestnetOptions struct {
	Validators int
	ChainID    string
	// Hosts lists each validator's host; empty means all on 127.0.0.1 with
	// ports spaced by PortStep.
	Hosts []string
	// P2PPort and RPCPort are the first validator's ports (26656, 26657).
	P2PPort, RPCPort int
	// PortStep separates the ports of validators on one host (10).
	PortStep      int
	TimeoutCommit time.Duration
	// IntervalSeconds, Devices, DeviceOwners and Households are as in
	// DevnetOptions. With none of them set the genesis holds the demo
	// accounts only and the default metering and mileage parameters.
	IntervalSeconds uint64
	Devices         []tx.MsgDeviceRegister
	DeviceOwners    []string
	Households      []string
}

// Testnet writes OUTPUT/node0..N-1 homes sharing one genesis, peers wired to
// each other, and the demo account keys in OUTPUT/keys.
func Testnet(out string, o TestnetOptions) error {
	if o.Validators < 1 {
		return fmt.Errorf("testnet: --validators %d: want at least 1", o.Validators)
	}
	if len(o.Hosts) > 0 && len(o.Hosts) != o.Validators {
		return fmt.Errorf("testnet: %d hosts given for %d validators", len(o.Hosts), o.Validators)
	}
	if o.ChainID == "" {
		o.ChainID = "citychain-testnet"
	}
	if o.P2PPort == 0 {
		o.P2PPort = 26656
	}
	if o.RPCPort == 0 {
		o.RPCPort = 26657
	}
	if o.PortStep == 0 {
		o.PortStep = 10
	}
	if _, err := os.Stat(filepath.Join(out, "node0")); err == nil {
		return fmt.Errorf("testnet: %s already holds a network; remove it first", out)
	}
	local := len(o.Hosts) == 0
	hostPort := func(i int, base int) (string, int) {
		if local {
			return "127.0.0.1", base + i*o.PortStep
		}
		return o.Hosts[i], base
	}
	type vinfo struct {
		home, p2p string
		id        string
	}
	vals := make([]vinfo, o.Validators)
	var gvals []types.GenesisValidator
	for i := range vals {
		home := filepath.Join(out, "node"+strconv.Itoa(i))
		ph, pp := hostPort(i, o.P2PPort)
		_, rp := hostPort(i, o.RPCPort)
		listenHost := ph
		if !local {
			listenHost = "0.0.0.0"
		}
		moniker := "validator" + strconv.Itoa(i)
		pub, id, err := InitValidator(ValidatorHome{
			Home: home, Moniker: moniker,
			RPCListen:     "tcp://" + net.JoinHostPort(listenHost, strconv.Itoa(rp)),
			P2PListen:     "tcp://" + net.JoinHostPort(listenHost, strconv.Itoa(pp)),
			TimeoutCommit: o.TimeoutCommit, LocalNetwork: local,
		})
		if err != nil {
			return err
		}
		vals[i] = vinfo{home: home, p2p: net.JoinHostPort(ph, strconv.Itoa(pp)), id: string(id)}
		gvals = append(gvals, types.GenesisValidator{Address: pub.Address(), PubKey: pub, Power: 10, Name: moniker})
	}
	kr, err := keyring.Open(filepath.Join(out, "keys"))
	if err != nil {
		return err
	}
	var st *app.AppState
	if o.IntervalSeconds == 0 && len(o.Devices) == 0 && len(o.DeviceOwners) == 0 && len(o.Households) == 0 {
		st, err = BuildAppState(kr, DemoAccounts())
	} else {
		st, err = worldAppState(kr, o.IntervalSeconds, o.Devices, o.DeviceOwners, o.Households)
	}
	if err == nil {
		err = addAccounts(kr, st, CivicAccounts())
	}
	if err == nil {
		err = addLabourHistory(kr, st, time.Now())
	}
	if err != nil {
		return fmt.Errorf("testnet: %w", err)
	}
	g, err := NewGenesis(o.ChainID, gvals, st)
	if err != nil {
		return err
	}
	for i, v := range vals {
		var peers []string
		for j, p := range vals {
			if j != i {
				peers = append(peers, p.id+"@"+p.p2p)
			}
		}
		ph, pp := hostPort(i, o.P2PPort)
		_, rp := hostPort(i, o.RPCPort)
		listenHost := ph
		if !local {
			listenHost = "0.0.0.0"
		}
		if _, _, err := InitValidator(ValidatorHome{
			Home: v.home, Moniker: "validator" + strconv.Itoa(i),
			RPCListen:       "tcp://" + net.JoinHostPort(listenHost, strconv.Itoa(rp)),
			P2PListen:       "tcp://" + net.JoinHostPort(listenHost, strconv.Itoa(pp)),
			PersistentPeers: strings.Join(peers, ","), TimeoutCommit: o.TimeoutCommit, LocalNetwork: local,
		}); err != nil {
			return err
		}
		if err := g.SaveAs(GenesisFile(v.home)); err != nil {
			return fmt.Errorf("write genesis of %s: %w", v.home, err)
		}
		// Each validator home gets the network's keys too, so CLI commands
		// with --home nodeN can sign.
		if err := copyDir(kr.Dir(), KeyringDir(v.home)); err != nil {
			return err
		}
	}
	return nil
}

func copyDir(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("copy keys: %w", err)
	}
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return fmt.Errorf("copy keys: %w", err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return fmt.Errorf("copy keys: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			return fmt.Errorf("copy keys: %w", err)
		}
	}
	return nil
}
