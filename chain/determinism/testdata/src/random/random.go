// Package random plants randomness violations.
package random

import (
	crand "crypto/rand"   // want `import of crypto/rand: randomness differs between nodes`
	"hash/maphash"        // want `import of hash/maphash: its seed is random per process`
	"math/rand"           // want `import of math/rand: randomness differs between nodes`
	randv2 "math/rand/v2" // want `import of math/rand/v2: randomness differs between nodes`
)

func pick(n int) int {
	var b [8]byte
	_, _ = crand.Read(b[:])
	_ = maphash.MakeSeed()
	return rand.Intn(n) + randv2.IntN(n)
}
