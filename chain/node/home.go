package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	cfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/types"
	cmttime "github.com/cometbft/cometbft/types/time"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/tx"
)

// Account is an account a generated network starts with: its key is created
// in the network's keyring under Name.
type Account struct {
	Name      string
	Authority bool
	Roles     []string
	Coins     []tx.Coin
	// Module, when set, makes this the keyless account of that module
	// (tx.ModuleAddress(Module)), e.g. the mileage budget: it is only
	// funded, no key is created and it holds no roles.
	Module string
}

// scn is n whole S-Coin in micro-units.
func scn(n uint64) tx.Coin { return tx.Coin{Amount: n * 1_000_000, Denom: tx.DenomSCoin} }

// krw is n won in micro-units.
func krw(n uint64) tx.Coin { return tx.Coin{Amount: n * 1_000_000, Denom: tx.DenomKRW} }

// DemoAccounts are the accounts of a devnet or testnet: an authority that
// grants roles, the S-Coin treasury (issuer of uscn), the partner bank
// (issuer of ukrw), an installer, a grid operator, a vehicle registrar, a
// city agency, the settlement relay, a vehicle inspector, an insurer, a
// repair shop (garage), a used-car dealer, two citizens, and the mileage budget
// (funded from the treasury's share of the genesis supply).
func DemoAccounts() []Account {
	return []Account{
		{Name: "authority", Authority: true, Coins: []tx.Coin{scn(1_000)}},
		{Name: "treasury", Roles: []string{tx.RoleTreasury, tx.IssuerRole(tx.DenomSCoin)}, Coins: []tx.Coin{scn(999_000_000)}},
		{Name: "kbank", Roles: []string{tx.IssuerRole(tx.DenomKRW)}, Coins: []tx.Coin{krw(10_000_000_000)}},
		{Name: "installer", Roles: []string{tx.RoleInstaller}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "gridop", Roles: []string{tx.RoleGridOperator}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "registrar", Roles: []string{tx.RoleVehicleRegistrar}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "agency", Roles: []string{tx.RoleAgency, tx.RoleMileageIssuer}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "settlement", Roles: []string{tx.RoleSettlement}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "inspector", Roles: []string{tx.RoleInspector}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "insurer", Roles: []string{tx.RoleInsurer}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "garage", Roles: []string{tx.RoleRepairShop}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "dealer", Roles: []string{tx.RoleDealer}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "alice", Coins: []tx.Coin{scn(10_000), krw(1_000_000)}},
		{Name: "bob", Coins: []tx.Coin{scn(10_000), krw(1_000_000)}},
		{Name: "mileage budget", Module: "mileage", Coins: []tx.Coin{scn(1_000_000)}},
	}
}

// CivicAccounts are the accounts of the citizen services a devnet or
// testnet adds to DemoAccounts (kept apart so the pinned devnet genesis of
// the golden replay does not move): the accreditor of eligibility issuers
// (EBSI's trusted-issuer authority), a district registration office that
// registers citizen cards, the welfare office that issues eligibility
// credentials, the civil-records registrar of certificate kinds, the court
// (family relation certificates) and the interior ministry (resident
// registration) as issuing agencies, which are also registry agencies
// (role registry_agency: the devnet's registry story has the court propose
// the public-interest trust filings and the ministry pet registration), the
// culture department that registers facilities, the library's verifier
// key, and the direct democracy roles (docs/voting.md): the election
// commission, a city department that answers citizen proposals, the mayor,
// and three election trustees (no role: an election names its trustees);
// for part-time pay and public works (docs/labour.md, docs/contracts.md):
// the labour ministry, a shop that employs part-time workers, the public
// works agency that owns contracts (role agency, holding KRW), its
// supervising agency, a payment guarantor, an arbiter, a prime contractor
// and a subcontractor; the court also attests insolvency (court_registry).
func CivicAccounts() []Account {
	return []Account{
		{Name: "accreditor", Roles: []string{tx.RoleAccreditor}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "office", Roles: []string{tx.RoleRegistrationOffice}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "welfare", Coins: []tx.Coin{scn(1_000)}},
		{Name: "records", Roles: []string{tx.RoleCertificateRegistrar}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "court", Roles: []string{tx.RoleRegistryAgency, tx.RoleCourtRegistry}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "mois", Roles: []string{tx.RoleRegistryAgency}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "culture", Roles: []string{tx.RoleFacilityRegistrar}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "library", Coins: []tx.Coin{scn(1_000)}},
		{Name: "commission", Roles: []string{tx.RoleElectionCommission}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "department", Roles: []string{tx.RoleCityDepartment}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "mayor", Roles: []string{tx.RoleMayor}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "trustee1", Coins: []tx.Coin{scn(1_000)}},
		{Name: "trustee2", Coins: []tx.Coin{scn(1_000)}},
		{Name: "trustee3", Coins: []tx.Coin{scn(1_000)}},
		{Name: "ministry", Roles: []string{tx.RoleLabourMinistry}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "shop", Coins: []tx.Coin{scn(1_000), krw(5_000_000)}},
		{Name: "works", Roles: []string{tx.RoleAgency}, Coins: []tx.Coin{scn(1_000), krw(2_000_000_000)}},
		{Name: "supervisor", Roles: []string{tx.RoleWorksSupervisor}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "guarantor", Roles: []string{tx.RoleGuarantor}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "arbiter", Roles: []string{tx.RoleArbitrator}, Coins: []tx.Coin{scn(1_000)}},
		{Name: "prime", Coins: []tx.Coin{scn(1_000), krw(100_000_000)}},
		{Name: "subcontractor", Coins: []tx.Coin{scn(1_000)}},
	}
}

// addAccounts creates (or reuses) a key in kr for each account and adds it
// to st, funded and with its roles; a module's account is only funded.
func addAccounts(kr *keyring.Keyring, st *app.AppState, accounts []Account) error {
	for _, a := range accounts {
		if a.Module != "" {
			st.Fund(tx.ModuleAddress(a.Module), a.Coins...)
			continue
		}
		key, err := kr.Get(a.Name)
		if errors.Is(err, keyring.ErrNotFound) {
			key, err = kr.Add(a.Name)
		}
		if err != nil {
			return err
		}
		st.AddAccount(key.Address, a.Authority, a.Roles, a.Coins)
	}
	return nil
}

// BuildAppState creates a key for each account in kr (reusing existing keys
// of the same name) and returns the genesis app state funding them.
func BuildAppState(kr *keyring.Keyring, accounts []Account) (*app.AppState, error) {
	st := app.DefaultAppState()
	if err := addAccounts(kr, st, accounts); err != nil {
		return nil, err
	}
	return st, nil
}

// ValidatorHome describes one validator home to create.
type ValidatorHome struct {
	Home    string
	Moniker string
	// RPCListen and P2PListen are listen addresses ("tcp://host:port").
	RPCListen string
	P2PListen string
	// PersistentPeers is "id@host:port,...".
	PersistentPeers string
	// TimeoutCommit overrides CometBFT's default (1 s) when non-zero.
	TimeoutCommit time.Duration
	// LocalNetwork allows several nodes on one IP address.
	LocalNetwork bool
}

// InitValidator writes config.toml, the node key and the validator key of a
// home (keeping keys that exist) and returns the validator's public key and
// node id.
func InitValidator(v ValidatorHome) (crypto.PubKey, p2p.ID, error) {
	c := cfg.DefaultConfig()
	c.SetRoot(v.Home)
	c.Moniker = v.Moniker
	if v.RPCListen != "" {
		c.RPC.ListenAddress = v.RPCListen
	}
	if v.P2PListen != "" {
		c.P2P.ListenAddress = v.P2PListen
	}
	c.P2P.PersistentPeers = v.PersistentPeers
	if v.LocalNetwork {
		c.P2P.AllowDuplicateIP = true
		c.P2P.AddrBookStrict = false
	}
	// Peer exchange only helps a node find peers it was not told about; a
	// node with no peers (a devnet) or a fixed local set does not need it,
	// and its address book's background saver would otherwise outlive Stop.
	if v.LocalNetwork || v.PersistentPeers == "" {
		c.P2P.PexReactor = false
	}
	if v.TimeoutCommit > 0 {
		c.Consensus.TimeoutCommit = v.TimeoutCommit
	}
	c.TxIndex.Indexer = "kv"
	if err := os.MkdirAll(filepath.Join(v.Home, "config"), 0o700); err != nil {
		return nil, "", fmt.Errorf("create home %s: %w", v.Home, err)
	}
	if err := os.MkdirAll(filepath.Join(v.Home, "data"), 0o700); err != nil {
		return nil, "", fmt.Errorf("create home %s: %w", v.Home, err)
	}
	cfg.WriteConfigFile(filepath.Join(v.Home, "config", "config.toml"), c)
	pv := privval.LoadOrGenFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile())
	nk, err := p2p.LoadOrGenNodeKey(c.NodeKeyFile())
	if err != nil {
		return nil, "", fmt.Errorf("node key: %w", err)
	}
	pub, err := pv.GetPubKey()
	if err != nil {
		return nil, "", fmt.Errorf("validator key: %w", err)
	}
	return pub, nk.ID(), nil
}

// NewGenesis builds a genesis document for chainID with the given
// validators (equal power) and app state.
func NewGenesis(chainID string, validators []types.GenesisValidator, st *app.AppState) (*types.GenesisDoc, error) {
	raw, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encode app state: %w", err)
	}
	g := &types.GenesisDoc{
		GenesisTime:     cmttime.Now(),
		ChainID:         chainID,
		InitialHeight:   1,
		ConsensusParams: types.DefaultConsensusParams(),
		Validators:      validators,
		AppState:        raw,
	}
	if err := g.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	return g, nil
}

// GenesisFile is where a home keeps its genesis.
func GenesisFile(home string) string { return filepath.Join(home, "config", "genesis.json") }
