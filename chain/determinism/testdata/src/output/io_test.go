package output

import (
	"math/rand"
	"os"
	"testing"
	"time"
)

// Test files are not checked.
func TestNothing(t *testing.T) {
	_ = os.Getenv("HOME")
	_ = time.Now()
	_ = rand.Intn(3)
	_ = 1.5
	for range map[string]int{} {
	}
	go func() {}()
}
