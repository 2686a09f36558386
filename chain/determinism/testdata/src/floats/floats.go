// Package floats plants floating-point violations.
package floats

import (
	"math"
	"time"
)

const half = 0.5 // want `floating point \(untyped float\)`

const million int64 = 1e6 // an integer constant written with an exponent: fine

const billion = 1e9 // untyped, but an integer value: fine

var scaled = billion * 1.5 // want `floating point \(float64\)`

type ratio float64 // want `floating point \(float64\)`

type price struct {
	perKWh float32 // want `floating point \(float32\)`
}

func share(a, b uint64) float64 { // want `floating point \(float64\)`
	return float64(a) / float64(b) // want `floating point \(float64\)`
}

func use(r ratio, p price, d time.Duration) uint64 { // want `floating point \(ratio\)`
	x := 1.5                                          // want `floating point \(float64\)`
	y := math.Sqrt(2)                                 // want `floating point \(float64\)`
	z := complex(1, 2)                                // want `floating point \(complex128\)`
	s := d.Seconds()                                  // want `floating point \(float64\)`
	_, _, _, _ = x, y, z, s                           // want `floating point`
	_ = r                                             // want `floating point \(ratio\)`
	_ = p.perKWh                                      // want `floating point \(float32\)`
	return uint64(million) + billion + math.MaxUint32 // integer constants from math: fine
}

func generic[F ~float64 | ~int](f F) F { // want `floating point`
	return f // want `floating point`
}
