package app_test

import (
	"fmt"
	"testing"
)

// goldenAppHash is the app hash after 40 generated blocks of seed 7 (the
// blocks TestDeterminism replays), pinned before the module-list refactor
// (issue 15): a change that moves a byte of state moves it. Change it only
// with a change of consensus rules, and say so in the commit.
const goldenAppHash = "C33F95CBC6150978F7D0A6B33F4FBE606029BBA22C1D6F00DCBC379BC8FFC2DF"

func TestGoldenAppHash(t *testing.T) {
	h := newSimHarness(t, "")
	for _, txs := range genBlocks(t, 7, 40) {
		h.Deliver(txs)
	}
	if got := fmt.Sprintf("%X", h.Hashes[h.Height]); got != goldenAppHash {
		t.Fatalf("app hash after 40 blocks of seed 7: got %s, want %s", got, goldenAppHash)
	}
}
