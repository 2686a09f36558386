// Package apptest drives the real citychain ABCI application the way
// CometBFT does, for tests: InitChain from a genesis app state, then per
// block CheckTx (a small mempool with recheck), PrepareProposal,
// ProcessProposal, FinalizeBlock at an increasing height and a fixed,
// advancing block time, Commit, and Query. Keys come from fixed seeds, so
// every run is the same.
package apptest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/internal/auth"
	"github.com/citychain/citychain/chain/internal/bank"
	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/validators"
	"github.com/citychain/citychain/chain/tx"
)

// ChainID is the chain id of every harness chain.
const ChainID = "citychain-test"

// GenesisTime is the genesis time; block h is at GenesisTime + h·BlockInterval.
var GenesisTime = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// BlockInterval is the block time step.
const BlockInterval = 5 * time.Second

// MaxBlockTxBytes is the byte limit given to PrepareProposal.
const MaxBlockTxBytes = 4 << 20

// Key is a deterministic ed25519 test key.
type Key struct {
	Name string
	Priv ed25519.PrivateKey
	Pub  tx.PubKey
	Addr tx.Address
}

// NewKey derives the key of name from a fixed seed.
func NewKey(name string) Key {
	seed := sha256.Sum256([]byte("citychain/apptest/" + name))
	priv := ed25519.NewKeyFromSeed(seed[:])
	pub := tx.PubKey(priv.Public().(ed25519.PublicKey))
	return Key{Name: name, Priv: priv, Pub: pub, Addr: pub.Address()}
}

// Account is a genesis account, as chain/node builds them.
type Account struct {
	Key       Key
	Authority bool
	Roles     []string
	Coins     []tx.Coin
}

// SCN is n whole S-Coin in micro-units.
func SCN(n uint64) tx.Coin { return tx.Coin{Amount: n * 1_000_000, Denom: tx.DenomSCoin} }

// KRW is n won in micro-units.
func KRW(n uint64) tx.Coin { return tx.Coin{Amount: n * 1_000_000, Denom: tx.DenomKRW} }

// The demo keys, named as in chain/node.DemoAccounts.
var (
	Authority = NewKey("authority")
	Treasury  = NewKey("treasury")
	KBank     = NewKey("kbank")
	Installer = NewKey("installer")
	GridOp    = NewKey("gridop")
	Registrar = NewKey("registrar")
	Agency    = NewKey("agency")
	// Settlement is the settlement relay: it alone submits signed readings.
	Settlement = NewKey("settlement")
	Alice      = NewKey("alice")
	Bob        = NewKey("bob")
	Inspector  = NewKey("inspector")
	Insurer    = NewKey("insurer")
	Garage     = NewKey("garage")
	Dealer     = NewKey("dealer")
	// Stranger has no account.
	Stranger = NewKey("stranger")
)

// DemoAccounts mirrors chain/node.DemoAccounts with the harness keys.
func DemoAccounts() []Account {
	return []Account{
		{Key: Authority, Authority: true, Coins: []tx.Coin{SCN(1_000)}},
		{Key: Treasury, Roles: []string{tx.RoleTreasury, tx.IssuerRole(tx.DenomSCoin)}, Coins: []tx.Coin{SCN(1_000_000_000)}},
		{Key: KBank, Roles: []string{tx.IssuerRole(tx.DenomKRW)}, Coins: []tx.Coin{KRW(10_000_000_000)}},
		{Key: Installer, Roles: []string{tx.RoleInstaller}, Coins: []tx.Coin{SCN(1_000)}},
		{Key: GridOp, Roles: []string{tx.RoleGridOperator}, Coins: []tx.Coin{SCN(1_000)}},
		{Key: Registrar, Roles: []string{tx.RoleVehicleRegistrar}, Coins: []tx.Coin{SCN(1_000)}},
		{Key: Agency, Roles: []string{tx.RoleAgency, tx.RoleMileageIssuer}, Coins: []tx.Coin{SCN(1_000)}},
		{Key: Settlement, Roles: []string{tx.RoleSettlement}, Coins: []tx.Coin{SCN(1_000)}},
		{Key: Inspector, Roles: []string{tx.RoleInspector}, Coins: []tx.Coin{SCN(1_000)}},
		{Key: Insurer, Roles: []string{tx.RoleInsurer}, Coins: []tx.Coin{SCN(1_000)}},
		{Key: Garage, Roles: []string{tx.RoleRepairShop}, Coins: []tx.Coin{SCN(1_000)}},
		{Key: Dealer, Roles: []string{tx.RoleDealer}, Coins: []tx.Coin{SCN(1_000)}},
		{Key: Alice, Coins: []tx.Coin{SCN(10_000), KRW(1_000_000)}},
		{Key: Bob, Coins: []tx.Coin{SCN(10_000), KRW(1_000_000)}},
	}
}

// BuildAppState builds the genesis app state the way chain/node does.
func BuildAppState(accounts []Account, devs []tx.MsgDeviceRegister) *app.AppState {
	st := app.DefaultAppState()
	st.Devices.Devices = append(st.Devices.Devices, devs...)
	for _, a := range accounts {
		st.AddAccount(a.Key.Addr, a.Authority, a.Roles, a.Coins)
	}
	return st
}

// Options configure a harness.
type Options struct {
	// Dir, when set, stores the state in a goleveldb database in Dir (for
	// restart tests); otherwise it is in memory.
	Dir string
	// Accounts default to DemoAccounts.
	Accounts []Account
	// Devices are registered at genesis.
	Devices []tx.MsgDeviceRegister
	// AppState, when set, replaces the state built from Accounts and Devices.
	AppState []byte
	// Validators are the genesis validators InitChain gets; nil means
	// GenesisValidators().
	Validators []abci.ValidatorUpdate
	// Config configures the application.
	Config app.Config
	// GenesisTime, when set, is InitChain's time instead of GenesisTime (an
	// exported state's block time).
	GenesisTime time.Time
}

// Validator0 is the consensus key of the harness's one genesis validator.
var Validator0 = NewKey("validator0")

// ValidatorUpdate is the ABCI validator update of k's ed25519 key at power.
func ValidatorUpdate(k Key, power int64) abci.ValidatorUpdate {
	return abci.ValidatorUpdate{PubKey: cmtcrypto.PublicKey{Sum: &cmtcrypto.PublicKey_Ed25519{Ed25519: k.Pub}}, Power: power}
}

// GenesisValidators is the default genesis validator set: Validator0 at
// power 10.
func GenesisValidators() []abci.ValidatorUpdate {
	return []abci.ValidatorUpdate{ValidatorUpdate(Validator0, 10)}
}

// Harness is one application under test.
type Harness struct {
	tb   testing.TB
	opts Options
	App  *app.App
	db   dbm.DB

	// Height is the last committed height; Pending the height finalized but
	// not committed yet (0 when none).
	Height  int64
	Pending int64
	// GenesisHash is the app hash InitChain returned.
	GenesisHash []byte
	// Hashes are the app hashes FinalizeBlock returned, by height.
	Hashes map[int64][]byte

	mempool [][]byte
	seqs    map[tx.Address]uint64
	// skip is the time Skip added to every block after the call.
	skip time.Duration
}

// New opens a fresh application and runs InitChain. The application is
// closed when the test ends.
func New(tb testing.TB, o Options) *Harness {
	tb.Helper()
	h := Open(tb, o)
	st := o.AppState
	if st == nil {
		accts := o.Accounts
		if accts == nil {
			accts = DemoAccounts()
		}
		b, err := json.Marshal(BuildAppState(accts, o.Devices))
		if err != nil {
			tb.Fatal(err)
		}
		st = b
	}
	vals := o.Validators
	if vals == nil {
		vals = GenesisValidators()
	}
	gt := GenesisTime
	if !o.GenesisTime.IsZero() {
		gt = o.GenesisTime
	}
	res, err := h.App.InitChain(context.Background(), &abci.RequestInitChain{
		Time: gt, ChainId: ChainID, InitialHeight: 1, AppStateBytes: st, Validators: vals,
	})
	if err != nil {
		tb.Fatalf("InitChain: %v", err)
	}
	h.GenesisHash = res.AppHash
	return h
}

// Open opens the application over the options' database without InitChain
// and reads Info to learn the last committed height.
func Open(tb testing.TB, o Options) *Harness {
	tb.Helper()
	h := &Harness{tb: tb, opts: o, Hashes: map[int64][]byte{}, seqs: map[tx.Address]uint64{}}
	h.open()
	tb.Cleanup(func() { h.Close() })
	return h
}

func (h *Harness) open() {
	h.tb.Helper()
	var db dbm.DB = dbm.NewMemDB()
	if h.opts.Dir != "" {
		ldb, err := dbm.NewGoLevelDB("state", h.opts.Dir, nil)
		if err != nil {
			h.tb.Fatalf("open goleveldb in %s: %v", h.opts.Dir, err)
		}
		db = ldb
	}
	a, err := app.New(db, h.opts.Config, nil)
	if err != nil {
		h.tb.Fatalf("app.New: %v", err)
	}
	h.App, h.db = a, db
	info := h.Info()
	h.Height, h.Pending = info.LastBlockHeight, 0
	if info.LastBlockHeight > 0 {
		h.Hashes[info.LastBlockHeight] = info.LastBlockAppHash
	}
}

// Close closes the application (and its database). It is safe to call twice.
func (h *Harness) Close() {
	if h.App == nil {
		return
	}
	if err := h.App.Close(); err != nil {
		h.tb.Errorf("close app: %v", err)
	}
	h.App, h.db = nil, nil
}

// Reopen closes the application, dropping anything not committed (as a
// crash would), and opens it again over the same directory. The mempool is
// lost, as in a restarted node.
func (h *Harness) Reopen() {
	h.tb.Helper()
	if h.opts.Dir == "" {
		h.tb.Fatal("Reopen needs Options.Dir")
	}
	h.Close()
	h.mempool = nil
	h.open()
}

// Info calls Info.
func (h *Harness) Info() *abci.ResponseInfo {
	h.tb.Helper()
	res, err := h.App.Info(context.Background(), &abci.RequestInfo{})
	if err != nil {
		h.tb.Fatalf("Info: %v", err)
	}
	return res
}

// BlockTime is the time of block height.
func BlockTime(height int64) time.Time { return GenesisTime.Add(time.Duration(height) * BlockInterval) }

// BlockTime is the time of block height on h: its genesis time (GenesisTime
// unless Options.GenesisTime set another, as an imported export does) plus
// height·BlockInterval, plus what Skip added.
func (h *Harness) BlockTime(height int64) time.Time {
	gt := GenesisTime
	if !h.opts.GenesisTime.IsZero() {
		gt = h.opts.GenesisTime
	}
	return gt.Add(time.Duration(height)*BlockInterval + h.skip)
}

// Skip moves the clock of the blocks after the last committed one forward
// by d (a week of pay, a due date), as if the chain had been idle: block
// times stay increasing.
func (h *Harness) Skip(d time.Duration) {
	if d < 0 {
		h.tb.Fatalf("apptest: Skip(%v): block time never goes back", d)
	}
	h.skip += d
}

// ---- transactions ----

// SignSeq signs msgs as k with an explicit sequence; it does not touch the
// harness's sequence tracking.
func SignSeq(tb testing.TB, k Key, chainID string, seq uint64, msgs ...tx.Msg) []byte {
	tb.Helper()
	raw, err := tx.Build(k.Priv, chainID, seq, "", msgs...)
	if err != nil {
		tb.Fatalf("build tx: %v", err)
	}
	return raw
}

// Seq is the sequence the harness will give k's next transaction: the
// committed one the first time k signs, then counted up by Sign.
func (h *Harness) Seq(k Key) uint64 {
	if s, ok := h.seqs[k.Addr]; ok {
		return s
	}
	if h.Height == 0 {
		return 0 // nothing is queryable before the first commit
	}
	if a, ok := h.Account(k.Addr); ok {
		return a.Sequence
	}
	return 0
}

// SetSeq sets the sequence of k's next transaction.
func (h *Harness) SetSeq(k Key, seq uint64) { h.seqs[k.Addr] = seq }

// Sign signs msgs as k with its next sequence and counts it as used.
func (h *Harness) Sign(k Key, msgs ...tx.Msg) []byte {
	h.tb.Helper()
	s := h.Seq(k)
	h.seqs[k.Addr] = s + 1
	return SignSeq(h.tb, k, ChainID, s, msgs...)
}

// ---- blocks ----

// CheckTx calls CheckTx for a new transaction; it does not touch the mempool.
func (h *Harness) CheckTx(raw []byte) *abci.ResponseCheckTx {
	h.tb.Helper()
	return h.checkTx(raw, abci.CheckTxType_New)
}

func (h *Harness) checkTx(raw []byte, typ abci.CheckTxType) *abci.ResponseCheckTx {
	h.tb.Helper()
	res, err := h.App.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: raw, Type: typ})
	if err != nil {
		h.tb.Fatalf("CheckTx: %v", err)
	}
	return res
}

// Submit runs CheckTx and, when it passes, adds the transaction to the
// mempool.
func (h *Harness) Submit(raw []byte) *abci.ResponseCheckTx {
	h.tb.Helper()
	res := h.CheckTx(raw)
	if res.Code == abci.CodeTypeOK {
		h.mempool = append(h.mempool, raw)
	}
	return res
}

// Mempool returns the transactions waiting in the mempool.
func (h *Harness) Mempool() [][]byte { return h.mempool }

// Block is the outcome of one block.
type Block struct {
	Height int64
	// Check holds the CheckTx results of the transactions given to Block.
	Check []*abci.ResponseCheckTx
	// Txs are the transactions of the block, as proposed.
	Txs    [][]byte
	Result *abci.ResponseFinalizeBlock
}

// TxResult returns the result of the i-th transaction of the block.
func (b *Block) TxResult(i int) *abci.ExecTxResult { return b.Result.TxResults[i] }

// Block submits txs to the mempool (CheckTx) and then produces the next
// block from the mempool, as a CometBFT validator would.
func (h *Harness) Block(txs ...[]byte) *Block {
	h.tb.Helper()
	var checks []*abci.ResponseCheckTx
	for _, raw := range txs {
		checks = append(checks, h.Submit(raw))
	}
	b := h.ProposeBlock(h.mempool)
	b.Check = checks
	h.Recheck(b.Txs)
	return b
}

// Recheck does what CometBFT's mempool does after a commit: the included
// transactions leave the mempool, the rest are rechecked against the new
// state (CheckTx of type Recheck, in order) and dropped when they no longer
// pass. It returns the dropped transactions.
func (h *Harness) Recheck(included [][]byte) (dropped [][]byte) {
	h.tb.Helper()
	in := map[[32]byte]int{}
	for _, raw := range included {
		in[tx.Hash(raw)]++
	}
	var left [][]byte
	for _, raw := range h.mempool {
		hh := tx.Hash(raw)
		if in[hh] > 0 {
			in[hh]--
			continue
		}
		if h.checkTx(raw, abci.CheckTxType_Recheck).Code == abci.CodeTypeOK {
			left = append(left, raw)
		} else {
			dropped = append(dropped, raw)
		}
	}
	h.mempool = left
	return dropped
}

// ProposeBlock runs PrepareProposal on txs (whatever they are, as a
// proposer with its own mempool may), ProcessProposal (which must accept),
// FinalizeBlock and Commit.
func (h *Harness) ProposeBlock(txs [][]byte) *Block {
	h.tb.Helper()
	ctx := context.Background()
	height := h.Height + 1
	prep, err := h.App.PrepareProposal(ctx, &abci.RequestPrepareProposal{
		MaxTxBytes: MaxBlockTxBytes, Txs: txs, Height: height, Time: h.BlockTime(height), ProposerAddress: proposer[:],
	})
	if err != nil {
		h.tb.Fatalf("PrepareProposal at %d: %v", height, err)
	}
	proc, err := h.App.ProcessProposal(ctx, &abci.RequestProcessProposal{
		Txs: prep.Txs, Hash: blockHash(height), Height: height, Time: h.BlockTime(height), ProposerAddress: proposer[:],
	})
	if err != nil {
		h.tb.Fatalf("ProcessProposal at %d: %v", height, err)
	}
	if proc.Status != abci.ResponseProcessProposal_ACCEPT {
		h.tb.Fatalf("ProcessProposal at %d: got %v for the app's own proposal, want ACCEPT", height, proc.Status)
	}
	res := h.Finalize(prep.Txs)
	h.Commit()
	return &Block{Height: height, Txs: prep.Txs, Result: res}
}

// ProcessProposal asks the app to vote on a proposal of txs at the next
// height.
func (h *Harness) ProcessProposal(txs [][]byte) abci.ResponseProcessProposal_ProposalStatus {
	h.tb.Helper()
	height := h.Height + 1
	proc, err := h.App.ProcessProposal(context.Background(), &abci.RequestProcessProposal{
		Txs: txs, Hash: blockHash(height), Height: height, Time: h.BlockTime(height), ProposerAddress: proposer[:],
	})
	if err != nil {
		h.tb.Fatalf("ProcessProposal at %d: %v", height, err)
	}
	return proc.Status
}

var proposer = sha256.Sum256([]byte("apptest/proposer"))

func blockHash(height int64) []byte {
	s := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("apptest/block/"), uint64(height)))
	return s[:]
}

// Finalize runs FinalizeBlock for the next height on txs without
// committing, checks there is one result per transaction and records the
// app hash.
func (h *Harness) Finalize(txs [][]byte) *abci.ResponseFinalizeBlock {
	h.tb.Helper()
	height := h.Height + 1
	res, err := h.App.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{
		Txs: txs, Hash: blockHash(height), Height: height, Time: h.BlockTime(height), ProposerAddress: proposer[:],
	})
	if err != nil {
		h.tb.Fatalf("FinalizeBlock at %d: %v", height, err)
	}
	if len(res.TxResults) != len(txs) {
		h.tb.Fatalf("FinalizeBlock at %d: got %d results for %d transactions", height, len(res.TxResults), len(txs))
	}
	if len(res.AppHash) == 0 {
		h.tb.Fatalf("FinalizeBlock at %d: empty app hash", height)
	}
	h.Pending = height
	h.Hashes[height] = bytes.Clone(res.AppHash)
	return res
}

// Commit commits the finalized block and checks Info agrees.
func (h *Harness) Commit() {
	h.tb.Helper()
	if h.Pending == 0 {
		h.tb.Fatal("Commit without FinalizeBlock")
	}
	if _, err := h.App.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		h.tb.Fatalf("Commit at %d: %v", h.Pending, err)
	}
	h.Height, h.Pending = h.Pending, 0
	info := h.Info()
	if info.LastBlockHeight != h.Height || !bytes.Equal(info.LastBlockAppHash, h.Hashes[h.Height]) {
		h.tb.Fatalf("Info after commit: got height %d hash %X, want %d %X",
			info.LastBlockHeight, info.LastBlockAppHash, h.Height, h.Hashes[h.Height])
	}
}

// Deliver finalizes and commits txs as the next block, with no CheckTx and
// no proposal round (as a node replaying blocks does).
func (h *Harness) Deliver(txs [][]byte) *abci.ResponseFinalizeBlock {
	h.tb.Helper()
	res := h.Finalize(txs)
	h.Commit()
	return res
}

// ---- queries ----

// Query runs an ABCI query.
func (h *Harness) Query(path string, data []byte, height int64, prove bool) *abci.ResponseQuery {
	h.tb.Helper()
	res, err := h.App.Query(context.Background(), &abci.RequestQuery{Path: path, Data: data, Height: height, Prove: prove})
	if err != nil {
		h.tb.Fatalf("Query %s: %v", path, err)
	}
	return res
}

// BalanceRequest is the data of a /bank/balance query.
func BalanceRequest(addr tx.Address, denom string) []byte {
	b, _ := json.Marshal(bank.BalanceRequest{Address: addr, Denom: denom})
	return b
}

// Balance is addr's committed balance of denom.
func (h *Harness) Balance(addr tx.Address, denom string) uint64 {
	h.tb.Helper()
	res := h.Query("/bank/balance", BalanceRequest(addr, denom), 0, false)
	return h.amount(res, "balance")
}

// Supply is the committed supply of denom.
func (h *Harness) Supply(denom string) uint64 {
	h.tb.Helper()
	return h.amount(h.Query("/bank/supply", []byte(denom), 0, false), "supply")
}

func (h *Harness) amount(res *abci.ResponseQuery, what string) uint64 {
	h.tb.Helper()
	if tx.CodeAppNotFound.Matches(res.Codespace, res.Code) {
		return 0
	}
	if res.Code != 0 || len(res.Value) != 8 {
		h.tb.Fatalf("query %s: code %s/%d %q value %x", what, res.Codespace, res.Code, res.Log, res.Value)
	}
	return binary.BigEndian.Uint64(res.Value)
}

// Balances queries every balance of addr.
func (h *Harness) Balances(addr tx.Address) []tx.Coin {
	h.tb.Helper()
	var out []tx.Coin
	h.QueryJSON(h.tb, "/bank/balances", []byte(addr.String()), &out)
	return out
}

// Account is addr's committed account.
func (h *Harness) Account(addr tx.Address) (auth.Account, bool) {
	h.tb.Helper()
	res := h.Query("/auth/account", []byte(addr.String()), 0, false)
	var a auth.Account
	if tx.CodeAppNotFound.Matches(res.Codespace, res.Code) {
		return a, false
	}
	if res.Code != 0 {
		h.tb.Fatalf("query account %s: %s/%d %s", addr, res.Codespace, res.Code, res.Log)
	}
	if err := json.Unmarshal(res.Value, &a); err != nil {
		h.tb.Fatalf("decode account %s: %v", addr, err)
	}
	return a, true
}

// Roles are addr's committed roles.
func (h *Harness) Roles(addr tx.Address) []string {
	h.tb.Helper()
	res := h.Query("/auth/roles", []byte(addr.String()), 0, false)
	if tx.CodeAppNotFound.Matches(res.Codespace, res.Code) {
		return nil
	}
	var roles []string
	if res.Code != 0 {
		h.tb.Fatalf("query roles %s: %s/%d %s", addr, res.Codespace, res.Code, res.Log)
	}
	if err := json.Unmarshal(res.Value, &roles); err != nil {
		h.tb.Fatalf("decode roles: %v", err)
	}
	return roles
}

// Members are the addresses holding role.
func (h *Harness) Members(role string) []tx.Address {
	h.tb.Helper()
	var out []tx.Address
	h.QueryJSON(h.tb, "/auth/members", []byte(role), &out)
	return out
}

// Validators is the committed validator set.
func (h *Harness) Validators() validators.Set {
	h.tb.Helper()
	var s validators.Set
	h.QueryJSON(h.tb, "/validators/set", nil, &s)
	return s
}

// Device is the committed device id.
func (h *Harness) Device(id string) (devices.Device, bool) {
	h.tb.Helper()
	res := h.Query("/devices/device", []byte(id), 0, false)
	var d devices.Device
	if tx.CodeAppNotFound.Matches(res.Codespace, res.Code) {
		return d, false
	}
	if res.Code != 0 {
		h.tb.Fatalf("query device %q: %s/%d %s", id, res.Codespace, res.Code, res.Log)
	}
	if err := json.Unmarshal(res.Value, &d); err != nil {
		h.tb.Fatalf("decode device %q: %v", id, err)
	}
	return d, true
}

// DevicesByOwner are the devices owned by addr.
func (h *Harness) DevicesByOwner(addr tx.Address) []devices.Device {
	h.tb.Helper()
	var out []devices.Device
	h.QueryJSON(h.tb, "/devices/by_owner", []byte(addr.String()), &out)
	return out
}

// QueryJSON queries path with data at the latest height and decodes the
// JSON answer into v; a failed query or decoding fails tb.
func (h *Harness) QueryJSON(tb testing.TB, path string, data []byte, v any) {
	tb.Helper()
	res := h.Query(path, data, 0, false)
	if res.Code != 0 {
		tb.Fatalf("query %s %q: %s/%d %s", path, data, res.Codespace, res.Code, res.Log)
	}
	if err := json.Unmarshal(res.Value, v); err != nil {
		tb.Fatalf("decode %s: %v (%s)", path, err, res.Value)
	}
}

// ---- results ----

// Result is the part of a CheckTx, ExecTx or Query response tests look at.
type Result struct {
	Codespace string
	Code      uint32
	Log       string
}

// Of extracts a Result from an ABCI response.
func Of(res any) Result {
	switch r := res.(type) {
	case *abci.ResponseCheckTx:
		return Result{r.Codespace, r.Code, r.Log}
	case *abci.ExecTxResult:
		return Result{r.Codespace, r.Code, r.Log}
	case *abci.ResponseQuery:
		return Result{r.Codespace, r.Code, r.Log}
	}
	panic(fmt.Sprintf("apptest.Of: %T", res))
}

// RequireOK fails unless res succeeded.
func RequireOK(tb testing.TB, what string, res any) {
	tb.Helper()
	if r := Of(res); r.Code != 0 {
		tb.Fatalf("%s: got %s/%d %q, want success", what, r.Codespace, r.Code, r.Log)
	}
}

// RequireCode fails unless res failed with code (a chain/tx result code)
// and its log contains every one of logHas.
func RequireCode(tb testing.TB, what string, res any, code tx.Code, logHas ...string) {
	tb.Helper()
	r := Of(res)
	if !code.Matches(r.Codespace, r.Code) {
		tb.Fatalf("%s: got %s/%d %q, want %s/%d", what, r.Codespace, r.Code, r.Log, code.Codespace, code.Code)
	}
	for _, s := range logHas {
		if !strings.Contains(r.Log, s) {
			tb.Errorf("%s: log %q does not mention %q", what, r.Log, s)
		}
	}
}

// Attr returns the value of attribute key of the first event of type typ,
// and whether there is one.
func Attr(evs []abci.Event, typ, key string) (string, bool) {
	return (&client.TxResult{Events: evs}).Attr(typ, key)
}

// HasEvent reports whether evs has an event of type typ whose attributes
// include every key/value pair of kv.
func HasEvent(evs []abci.Event, typ string, kv ...string) bool {
next:
	for _, e := range evs {
		if e.Type != typ {
			continue
		}
		for i := 0; i+1 < len(kv); i += 2 {
			found := false
			for _, a := range e.Attributes {
				if a.Key == kv[i] && a.Value == kv[i+1] {
					found = true
					break
				}
			}
			if !found {
				continue next
			}
		}
		return true
	}
	return false
}

// SignBody signs arbitrary body bytes as k and frames them, for envelopes
// tx.Build would never produce.
func SignBody(k Key, body []byte) []byte {
	return tx.Encode(body, ed25519.Sign(k.Priv, tx.SignBytes(body)))
}

// Body returns the JSON body k would sign for msgs, as a generic map a test
// can change before SignBody.
func Body(tb testing.TB, k Key, chainID string, seq uint64, msgs ...tx.Msg) map[string]any {
	tb.Helper()
	raw := SignSeq(tb, k, chainID, seq, msgs...)
	t, err := tx.Decode(raw)
	if err != nil {
		tb.Fatalf("decode own tx: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(t.BodyBytes, &m); err != nil {
		tb.Fatal(err)
	}
	return m
}

// MustJSON marshals v.
func MustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// Run checks one transaction (CheckTx) and then proposes it alone in the
// next block whatever CheckTx said, as a proposer with another mempool
// might, returning both results. A transaction PrepareProposal drops (its
// signer has no account) must have failed CheckTx and make ProcessProposal
// reject a proposal carrying it; it is then delivered directly, as in a
// block a byzantine majority accepted, to show FinalizeBlock rejects it too.
func (h *Harness) Run(raw []byte) (*abci.ResponseCheckTx, *abci.ExecTxResult) {
	h.tb.Helper()
	check := h.CheckTx(raw)
	prep, err := h.App.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{
		MaxTxBytes: MaxBlockTxBytes, Txs: [][]byte{raw}, Height: h.Height + 1, Time: h.BlockTime(h.Height + 1), ProposerAddress: proposer[:],
	})
	if err != nil {
		h.tb.Fatalf("PrepareProposal at %d: %v", h.Height+1, err)
	}
	if len(prep.Txs) == 0 {
		if check.Code == abci.CodeTypeOK {
			h.tb.Fatalf("Run: the proposal dropped a transaction CheckTx accepted")
		}
		if st := h.ProcessProposal([][]byte{raw}); st != abci.ResponseProcessProposal_REJECT {
			h.tb.Fatalf("Run: PrepareProposal dropped the transaction but ProcessProposal says %v", st)
		}
		return check, h.Deliver([][]byte{raw}).TxResults[0]
	}
	b := h.ProposeBlock([][]byte{raw})
	if len(b.Txs) != 1 {
		h.tb.Fatalf("Run: the proposal dropped the transaction (CheckTx said %v)", Of(check))
	}
	return check, b.TxResult(0)
}

// RunOK runs one transaction and fails unless CheckTx and FinalizeBlock
// both accept it; it returns the block result (with its events).
func (h *Harness) RunOK(what string, raw []byte) *abci.ExecTxResult {
	h.tb.Helper()
	check, res := h.Run(raw)
	RequireOK(h.tb, what+" (CheckTx)", check)
	RequireOK(h.tb, what+" (FinalizeBlock)", res)
	return res
}

// RunFail runs one transaction and fails unless CheckTx and FinalizeBlock
// both reject it with code, with a log mentioning logHas.
func (h *Harness) RunFail(what string, raw []byte, code tx.Code, logHas ...string) *abci.ExecTxResult {
	h.tb.Helper()
	check, res := h.Run(raw)
	RequireCode(h.tb, what+" (CheckTx)", check, code, logHas...)
	RequireCode(h.tb, what+" (FinalizeBlock)", res, code, logHas...)
	if len(res.Events) != 0 {
		h.tb.Errorf("%s: a failed transaction emitted events %v", what, res.Events)
	}
	return res
}
