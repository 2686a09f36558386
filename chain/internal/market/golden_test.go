package market_test

import (
	"fmt"
	"testing"
)

// goldenAppHash is the app hash after the last block of seed 42's simulated
// market (five intervals), pinned before the module-list refactor (issue
// 15): a change that moves a byte of state moves it. Change it only with a
// change of consensus rules, and say so in the commit.
const goldenAppHash = "F42499D3A4280779CBEF6054A1CC6A2A4EDDEB1FFFFE6BA16BD4D8B028DA6FC1"

func TestGoldenAppHash(t *testing.T) {
	s := newSim(t, 42)
	for s.next() < s.first+5 {
		s.step()
	}
	got := fmt.Sprintf("%X", s.Hashes[int64(len(s.blocks))])
	if got != goldenAppHash {
		t.Fatalf("app hash after seed 42: got %s, want %s", got, goldenAppHash)
	}
}
