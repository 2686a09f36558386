package node

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"

	abci "github.com/cometbft/cometbft/abci/types"
	cryptoenc "github.com/cometbft/cometbft/crypto/encoding"
	"github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/citychain/citychain/chain/app"
)

// Exported is a node's committed state written as the genesis of a new
// chain, with the state hash it carries.
type Exported struct {
	Genesis *types.GenesisDoc
	// Height is the height the state was exported at.
	Height int64
	// SourceChainID is the exported chain's id (Genesis.ChainID may name a
	// new chain).
	SourceChainID string
	// StateHash is the content digest of the exported state
	// (app.App.StateHash); importing Genesis gives the same one.
	StateHash []byte
}

// Export reads the committed state of a stopped node's home at height (0:
// the last committed height) and writes it as a genesis document: the
// block time becomes the genesis time, the validator set the genesis
// validators (named as in the home's genesis), and the consensus parameters
// are the home's. chainID, when set, names the new chain (the state's chain
// id then differs in that one value). The node must not be running: its
// state database is locked while it runs.
func Export(home string, height int64, chainID string) (*Exported, error) {
	c, err := LoadConfig(home)
	if err != nil {
		return nil, err
	}
	old, err := types.GenesisDocFromFile(c.GenesisFile())
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	db, err := dbm.NewGoLevelDB("citystate", c.DBDir(), nil)
	if err != nil {
		return nil, fmt.Errorf("export: open app state in %s (stop the node first): %w", c.DBDir(), err)
	}
	defer db.Close()
	a, err := app.New(db, app.Config{}, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	exp, err := a.Export(height)
	if err != nil {
		return nil, err
	}
	hash, err := a.StateHash(exp.Height)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, v := range old.Validators {
		names[v.PubKey.Address().String()] = v.Name
	}
	vals := make([]types.GenesisValidator, 0, len(exp.Validators))
	for i, u := range exp.Validators {
		pub, err := cryptoenc.PubKeyFromProto(u.PubKey)
		if err != nil {
			return nil, fmt.Errorf("export: validator %d: %w", i, err)
		}
		vals = append(vals, types.GenesisValidator{Address: pub.Address(), PubKey: pub, Power: u.Power, Name: names[pub.Address().String()]})
	}
	if chainID == "" {
		chainID = exp.ChainID
	}
	g := &types.GenesisDoc{
		GenesisTime:     exp.Time,
		ChainID:         chainID,
		InitialHeight:   1,
		ConsensusParams: old.ConsensusParams,
		Validators:      vals,
		AppState:        exp.AppState,
	}
	if err := g.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("export: genesis: %w", err)
	}
	return &Exported{Genesis: g, Height: exp.Height, SourceChainID: exp.ChainID, StateHash: hash}, nil
}

// importStateHash loads g into a fresh in-memory application, as a new
// node's InitChain does, and returns the resulting state's hash: an export
// whose import reproduces its StateHash carried the whole state.
func importStateHash(g *types.GenesisDoc) ([]byte, error) {
	a, err := app.New(dbm.NewMemDB(), app.Config{}, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	defer a.Close()
	vals := make([]abci.ValidatorUpdate, 0, len(g.Validators))
	for _, v := range g.Validators {
		vals = append(vals, abci.UpdateValidator(v.PubKey.Bytes(), v.Power, v.PubKey.Type()))
	}
	if _, err := a.InitChain(context.Background(), &abci.RequestInitChain{
		Time: g.GenesisTime, ChainId: g.ChainID, InitialHeight: g.InitialHeight, AppStateBytes: g.AppState, Validators: vals,
	}); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	return a.StateHash(0)
}

// VerifyExport imports e's genesis into a fresh application and fails
// unless it reproduces the exported state hash. A genesis renamed to a new
// chain is checked under the exported chain's id, the one value a new name
// changes.
func VerifyExport(e *Exported) error {
	g := *e.Genesis
	g.ChainID = e.SourceChainID
	got, err := importStateHash(&g)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, e.StateHash) {
		return fmt.Errorf("export at height %d: a fresh import gives state hash %X, the exported state has %X", e.Height, got, e.StateHash)
	}
	return nil
}
