package node

import (
	"sync/atomic"

	cmtdb "github.com/cometbft/cometbft-db"
	cfg "github.com/cometbft/cometbft/config"
)

// shutdownSafeDBProvider opens CometBFT's stores like cfg.DefaultDBProvider
// but makes a read after Close report "not found" instead of an error.
//
// CometBFT v0.38 closes the block store in Node.OnStop without joining the
// consensus reactor's per-peer queryMaj23Routine: a routine that passed its
// "still running?" check before the switch stopped may sleep and then call
// BlockStore.LoadBlockCommit on the closed database, and the store panics on
// any read error ("panic: leveldb: closed"). Seen in CI when a test stopped
// one of several connected in-process validators. A node that is stopping
// has nothing left to serve, so "not found" makes that routine skip its send
// and exit at the top of its loop. Reads before Close are untouched.
func shutdownSafeDBProvider(ctx *cfg.DBContext) (cmtdb.DB, error) {
	db, err := cfg.DefaultDBProvider(ctx)
	if err != nil {
		return nil, err
	}
	return &closableDB{DB: db}, nil
}

type closableDB struct {
	cmtdb.DB
	closed atomic.Bool
}

func (d *closableDB) Get(key []byte) ([]byte, error) {
	if d.closed.Load() {
		return nil, nil
	}
	v, err := d.DB.Get(key)
	if err != nil && d.closed.Load() {
		return nil, nil
	}
	return v, err
}

func (d *closableDB) Has(key []byte) (bool, error) {
	if d.closed.Load() {
		return false, nil
	}
	ok, err := d.DB.Has(key)
	if err != nil && d.closed.Load() {
		return false, nil
	}
	return ok, err
}

func (d *closableDB) Close() error {
	d.closed.Store(true)
	return d.DB.Close()
}
