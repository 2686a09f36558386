package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/internal/validators"
)

// Exported is the committed state at one height written as genesis: the
// chain id, the block time (the new genesis time), the app state (one
// section per module, in module-list order) and the validator set.
type Exported struct {
	ChainID    string
	Height     int64
	Time       time.Time
	AppState   json.RawMessage
	Validators []abci.ValidatorUpdate
}

// Export writes the committed state at height (0: the last committed
// height) as a genesis app state. InitChain of the result on a fresh node,
// with the same chain id, time and validators, gives a state with the same
// StateHash.
func (a *App) Export(height int64) (*Exported, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	kv, height, err := a.committedAt(height)
	if err != nil {
		return nil, err
	}
	ctx := module.NewContext(kv, chainIDOf(kv), height, blockTimeOf(kv))
	var buf bytes.Buffer
	buf.WriteByte('{')
	n := 0
	for _, m := range a.modules {
		raw, err := m.ExportGenesis(ctx)
		if err != nil {
			return nil, fmt.Errorf("export module %s at height %d: %w", m.Name(), height, err)
		}
		if raw == nil {
			continue
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		name, _ := json.Marshal(m.Name())
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(raw)
		n++
	}
	buf.WriteByte('}')
	e := &Exported{
		ChainID: chainIDOf(kv), Height: height, Time: blockTimeOf(kv), AppState: buf.Bytes(),
		Validators: validators.Updates(&validators.Set{}, a.keepers.validators.Set(ctx)),
	}
	if err := a.checkImport(kv, e); err != nil {
		return nil, err
	}
	return e, nil
}

// checkImport loads e into an empty scratch state, as a new chain's
// InitChain would, and fails naming the first key (and the module owning
// it) where that state differs from kv: an export that cannot rebuild the
// state exactly is never written.
func (a *App) checkImport(kv store.KV, e *Exported) error {
	scratch := store.NewCache(store.NewMemTree())
	if err := a.loadGenesis(scratch, &abci.RequestInitChain{
		Time: e.Time, ChainId: e.ChainID, InitialHeight: 1, AppStateBytes: e.AppState, Validators: e.Validators,
	}); err != nil {
		return fmt.Errorf("export at height %d does not import: %w", e.Height, err)
	}
	key, exported, imported, differ := store.FirstDifference(kv, scratch)
	if !differ {
		return nil
	}
	owner := "app"
	for i, m := range a.modules {
		if moduleList[i].prefix == key[0] {
			owner = m.Name()
		}
	}
	return fmt.Errorf("export at height %d: module %s: key %X (%q) holds %q, its import writes %q", e.Height, owner, key, key, exported, imported)
}

// StateHash is a digest of every key and value of the committed state at
// height (0: the last), in key order. Unlike the app hash (the IAVL root,
// which also covers the version each node was written at), it depends only
// on the contents, so an exported and re-imported chain has the same one.
func (a *App) StateHash(height int64) ([]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	kv, _, err := a.committedAt(height)
	if err != nil {
		return nil, err
	}
	return contentHash(kv), nil
}

// contentHash is the StateHash of kv: SHA-256 over every key and value, each
// preceded by its length, in key order.
func contentHash(kv store.KV) []byte {
	h := sha256.New()
	var n [8]byte
	store.Each(kv, nil, nil, func(k, v []byte) bool {
		binary.BigEndian.PutUint64(n[:], uint64(len(k)))
		h.Write(n[:])
		h.Write(k)
		binary.BigEndian.PutUint64(n[:], uint64(len(v)))
		h.Write(n[:])
		h.Write(v)
		return true
	})
	return h.Sum(nil)
}

// committedAt returns the committed state at height (0: the last; the
// genesis state before the first commit) and the height it is at.
func (a *App) committedAt(height int64) (store.KV, int64, error) {
	last := a.tree.Version()
	if height == 0 {
		height = last
	}
	if height < 0 || height > last {
		return nil, 0, fmt.Errorf("height %d: the last committed height is %d", height, last)
	}
	if height == 0 {
		return a.committed, 0, nil
	}
	snap, err := a.tree.Snapshot(height)
	if err != nil {
		return nil, 0, err
	}
	return snap, height, nil
}
