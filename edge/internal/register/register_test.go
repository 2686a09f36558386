package register

import (
	"errors"
	"math"
	"testing"
)

func TestDecode(t *testing.T) {
	cases := []struct {
		name  string
		words []uint16
		typ   Type
		order WordOrder
		want  int64
		err   error
	}{
		{"uint16", []uint16{1234}, Uint16, "", 1234, nil},
		{"uint16 max-1", []uint16{0xFFFE}, Uint16, "", 0xFFFE, nil},
		{"uint16 ni", []uint16{0xFFFF}, Uint16, "", 0, ErrNotImplemented},
		{"int16 positive", []uint16{0x7FFF}, Int16, "", 32767, nil},
		{"int16 negative", []uint16{0xFFFE}, Int16, "", -2, nil},
		{"int16 min+1", []uint16{0x8001}, Int16, "", -32767, nil},
		{"int16 ni", []uint16{0x8000}, Int16, "", 0, ErrNotImplemented},
		{"uint32 high first", []uint16{0x0001, 0x0002}, Uint32, HighFirst, 0x00010002, nil},
		{"uint32 default order", []uint16{0x0001, 0x0002}, Uint32, "", 0x00010002, nil},
		{"uint32 low first", []uint16{0x0001, 0x0002}, Uint32, LowFirst, 0x00020001, nil},
		{"uint32 ni", []uint16{0xFFFF, 0xFFFF}, Uint32, "", 0, ErrNotImplemented},
		{"uint32 zero", []uint16{0, 0}, Uint32, "", 0, nil},
		{"acc32", []uint16{0xFFFF, 0xFFFE}, Acc32, "", 0xFFFFFFFE, nil},
		{"acc32 low first", []uint16{0x5678, 0x1234}, Acc32, LowFirst, 0x12345678, nil},
		{"acc32 ni", []uint16{0, 0}, Acc32, "", 0, ErrNotImplemented},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode(tc.words, tc.typ, tc.order)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
	for _, bad := range []struct {
		words []uint16
		typ   Type
		order WordOrder
	}{
		{[]uint16{1}, Uint32, ""},
		{[]uint16{1, 2}, Uint16, ""},
		{[]uint16{1}, "float32", ""},
		{[]uint16{1, 2}, Uint32, "middle"},
	} {
		if _, err := Decode(bad.words, bad.typ, bad.order); err == nil {
			t.Errorf("Decode(%v, %s, %q) succeeded, want an error", bad.words, bad.typ, bad.order)
		}
	}
}

func TestScale(t *testing.T) {
	cases := []struct {
		v    uint64
		sf   int
		want uint64
		err  error
	}{
		{12345, 0, 12345, nil},
		{12345, 1, 123450, nil},
		{12345, 3, 12345000, nil},
		{12345, -1, 1234, nil},
		{12345, -2, 123, nil},
		{12345, -5, 0, nil},
		{math.MaxUint64, 0, math.MaxUint64, nil},
		{math.MaxUint64 / 10, 1, math.MaxUint64 / 10 * 10, nil},
		{math.MaxUint64/10 + 1, 1, 0, ErrOverflow},
		{1 << 40, 10, 0, ErrOverflow},
	}
	for _, tc := range cases {
		got, err := ScaleUint(tc.v, tc.sf)
		if !errors.Is(err, tc.err) || got != tc.want {
			t.Errorf("ScaleUint(%d, %d) = %d, %v; want %d, %v", tc.v, tc.sf, got, err, tc.want, tc.err)
		}
	}
	if _, err := ScaleUint(1, 20); err == nil {
		t.Error("ScaleUint(1, 20) succeeded")
	}
	if got := ScaleFloat(-1234, -1); math.Abs(got+123.4) > 1e-9 {
		t.Errorf("ScaleFloat(-1234, -1) = %v, want -123.4", got)
	}
}

func TestScaleFactor(t *testing.T) {
	cases := []struct {
		word uint16
		want int
		ok   bool
	}{
		{0, 0, true}, {2, 2, true}, {0xFFFF, -1, true}, {0xFFFD, -3, true},
		{10, 10, true}, {0xFFF6, -10, true}, {11, 0, false}, {0x8000, 0, false},
	}
	for _, tc := range cases {
		got, err := ScaleFactor(tc.word)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ScaleFactor(%#04x) = %d, %v; want %d, ok=%v", tc.word, got, err, tc.want, tc.ok)
		}
	}
	if _, err := ScaleFactor(0x8000); !errors.Is(err, ErrNotImplemented) {
		t.Errorf("ScaleFactor(0x8000) err = %v, want ErrNotImplemented", err)
	}
}

func TestAcc32Rollover(t *testing.T) {
	var s Acc32State
	steps := []struct {
		raw  uint32
		want uint64
		err  error
	}{
		{100, 100, nil},
		{100, 100, nil},
		{math.MaxUint32 - 5, math.MaxUint32 - 5, nil},
		{3, 1<<32 + 3, nil},                 // wrap
		{1 << 31, 1<<32 + 1<<31, nil},       // half way
		{10, 0, ErrBackwards},               // a drop of ~2^31: reset, not wrap
		{1<<31 + 7, 1<<32 + 1<<31 + 7, nil}, // state unchanged by the error
		{1, 2<<32 + 1, nil},                 // second wrap
	}
	for i, st := range steps {
		got, next, err := s.Extend(st.raw)
		if !errors.Is(err, st.err) {
			t.Fatalf("step %d Extend(%d): err = %v, want %v", i, st.raw, err, st.err)
		}
		if err != nil {
			if next != s {
				t.Fatalf("step %d: state changed on error: %+v, want %+v", i, next, s)
			}
			continue
		}
		if got != st.want {
			t.Fatalf("step %d Extend(%d) = %d, want %d", i, st.raw, got, st.want)
		}
		s = next
	}
}

// FuzzDecode checks that decoding never panics, that the scaled cumulative
// value is monotonic for a monotonic accumulator, and that Extend never
// returns a smaller value than before.
func FuzzDecode(f *testing.F) {
	f.Add(uint16(1), uint16(2), uint32(5), int16(-1), byte(0))
	f.Add(uint16(0xFFFF), uint16(0xFFFF), uint32(1), int16(3), byte(3))
	f.Add(uint16(0), uint16(0), uint32(0), int16(0x7FFF), byte(7))
	f.Fuzz(func(t *testing.T, w0, w1 uint16, delta uint32, sf int16, sel byte) {
		types := []Type{Uint16, Int16, Uint32, Acc32}
		typ := types[int(sel)%len(types)]
		order := HighFirst
		if sel&4 != 0 {
			order = LowFirst
		}
		words := []uint16{w0, w1}[:typ.Words()]
		v, err := Decode(words, typ, order)
		if err != nil {
			if !errors.Is(err, ErrNotImplemented) {
				t.Fatalf("Decode(%v, %s): unexpected error %v", words, typ, err)
			}
			return
		}
		if typ != Int16 && v < 0 {
			t.Fatalf("Decode(%v, %s) = %d, negative for an unsigned type", words, typ, v)
		}
		if typ == Acc32 {
			var s Acc32State
			a, s, err := s.Extend(uint32(v))
			if err != nil {
				t.Fatal(err)
			}
			// Advance by delta (mod 2^32) if that is a legal forward step.
			if delta > 1<<31 {
				return
			}
			b, _, err := s.Extend(uint32(v) + delta)
			if err != nil {
				t.Fatalf("forward step %d from %d: %v", delta, v, err)
			}
			if b != a+uint64(delta) {
				t.Fatalf("Extend: got %d, want %d", b, a+uint64(delta))
			}
			e := int(sf % 20)
			sa, errA := ScaleUint(a, e)
			sb, errB := ScaleUint(b, e)
			if errA == nil && errB == nil && sb < sa {
				t.Fatalf("scaled value decreased: %d -> %d (sf %d)", sa, sb, e)
			}
		}
	})
}
