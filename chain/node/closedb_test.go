package node

import (
	"testing"

	cfg "github.com/cometbft/cometbft/config"
)

// A read racing a node's shutdown must not see "leveldb: closed" (the block
// store panics on it); reads before Close keep their errors and values.
func TestClosableDBReadsAfterClose(t *testing.T) {
	c := cfg.DefaultConfig()
	c.SetRoot(t.TempDir())
	c.DBBackend = "goleveldb"
	db, err := shutdownSafeDBProvider(&cfg.DBContext{ID: "blockstore", Config: c})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Set([]byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Get([]byte("k")); err != nil || string(v) != "v" {
		t.Fatalf("Get before Close = %q, %v; want v", v, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Get([]byte("k")); err != nil || v != nil {
		t.Fatalf("Get after Close = %q, %v; want not found", v, err)
	}
	if ok, err := db.Has([]byte("k")); err != nil || ok {
		t.Fatalf("Has after Close = %v, %v; want false", ok, err)
	}
	// Without the wrapper the same read is an error, which BlockStore turns
	// into a panic.
	raw, err := cfg.DefaultDBProvider(&cfg.DBContext{ID: "raw", Config: c})
	if err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if _, err := raw.Get([]byte("k")); err == nil {
		t.Fatal("a closed goleveldb read no longer fails; the wrapper may be unnecessary")
	}
}
