package regschema

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"unicode/utf16"
)

// compareUTF16 agrees with comparing the strings' UTF-16 encodings.
func TestCompareUTF16(t *testing.T) {
	ref := func(a, b string) int {
		return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
	}
	alphabet := []rune{'a', 'b', 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfb33, 0xffff, 0x10000, 0x1f600, 0x10ffff}
	r := rand.New(rand.NewPCG(8785, 1))
	word := func() string {
		rs := make([]rune, r.IntN(4))
		for i := range rs {
			rs[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(rs)
	}
	for range 20000 {
		a, b := word(), word()
		if got, want := compareUTF16(a, b), ref(a, b); cmp.Compare(got, 0) != cmp.Compare(want, 0) {
			t.Fatalf("compareUTF16(%q, %q) = %d, want %d", a, b, got, want)
		}
	}
}
