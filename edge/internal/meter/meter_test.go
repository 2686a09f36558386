package meter

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/citychain/citychain/edge/internal/mbtest"
	"github.com/citychain/citychain/edge/internal/register"
)

func server(t *testing.T) *mbtest.Server {
	t.Helper()
	srv, err := mbtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func newMeter(t *testing.T, cfg Config) *Meter {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestRegisterMap(t *testing.T) {
	srv := server(t)
	srv.Set(100, 0x1234, 0x5678) // uint32 / acc32
	srv.Set(200, 0xFFFE)         // scale -2
	srv.Set(300, 0xFFFF)         // int16 -1
	srv.Set(301, 0x8000)         // not implemented sf
	sr := uint16(200)
	bad := uint16(301)
	ctx := context.Background()
	cases := []struct {
		name string
		rm   RegisterMap
		want Sample
		err  error
	}{
		{"uint32", RegisterMap{Address: 100, Type: register.Uint32}, Sample{Raw: 0x12345678}, nil},
		{"uint32 low first scale 3", RegisterMap{Address: 100, Type: register.Uint32, WordOrder: register.LowFirst, Scale: 3}, Sample{Raw: 0x56781234, Scale: 3}, nil},
		{"acc32 with scale register", RegisterMap{Address: 100, Type: register.Acc32, ScaleRegister: &sr}, Sample{Raw: 0x12345678, Acc32: true, Scale: -2}, nil},
		{"uint16", RegisterMap{Address: 101, Type: register.Uint16}, Sample{Raw: 0x5678}, nil},
		{"negative int16", RegisterMap{Address: 300, Type: register.Int16}, Sample{}, ErrNegative},
		{"uint16 not implemented", RegisterMap{Address: 300, Type: register.Uint16}, Sample{}, register.ErrNotImplemented},
		{"scale register not implemented", RegisterMap{Address: 100, Type: register.Uint32, ScaleRegister: &bad}, Sample{}, register.ErrNotImplemented},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := newMeter(t, Config{Address: srv.Addr(), UnitID: 1, Register: tc.rm})
			got, err := m.Read(ctx)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{Address: "x:1", Register: RegisterMap{Type: "float"}},
		{Address: "x:1", Register: RegisterMap{Type: register.Uint16, WordOrder: "mixed"}},
		{Address: "x:1", Register: RegisterMap{Type: register.Uint16, Scale: 11}},
		{Address: "x:1", Register: RegisterMap{Type: register.Uint32, Address: 0xFFFF}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}

func TestSunSpec(t *testing.T) {
	srv := server(t)
	inv := srv.SunSpecInverter(40000, 103)
	srv.SetUint32(inv+24, 0xFFFFFFF0)
	srv.Set(inv+26, 1)
	srv.Set(inv+14, 1500, 0xFFFF) // 150.0 W
	m := newMeter(t, Config{Address: srv.Addr(), UnitID: 1, SunSpec: true})
	got, err := m.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := (Sample{Raw: 0xFFFFFFF0, Acc32: true, Scale: 1, PowerW: 150, HasW: true}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// TestReconnect: a transaction-id mismatch and a timeout each fail one read,
// drop the connection, and the next read succeeds on a new connection.
func TestReconnect(t *testing.T) {
	srv := server(t)
	srv.SetUint32(10, 42)
	m := newMeter(t, Config{Address: srv.Addr(), UnitID: 1, Timeout: 200 * time.Millisecond,
		Register: RegisterMap{Address: 10, Type: register.Uint32}})
	ctx := context.Background()
	if _, err := m.Read(ctx); err != nil {
		t.Fatal(err)
	}
	if got := srv.Accepts(); got != 1 {
		t.Fatalf("accepts = %d, want 1", got)
	}
	srv.BadTxID(1)
	if _, err := m.Read(ctx); err == nil {
		t.Fatal("read with a wrong transaction id succeeded")
	}
	if s, err := m.Read(ctx); err != nil || s.Raw != 42 {
		t.Fatalf("read after mismatch = %+v, %v", s, err)
	}
	if got := srv.Accepts(); got != 2 {
		t.Fatalf("accepts after mismatch = %d, want 2", got)
	}
	srv.Silent(1)
	if _, err := m.Read(ctx); err == nil {
		t.Fatal("read without a reply succeeded")
	}
	if s, err := m.Read(ctx); err != nil || s.Raw != 42 {
		t.Fatalf("read after timeout = %+v, %v", s, err)
	}
	if got := srv.Accepts(); got != 3 {
		t.Fatalf("accepts after timeout = %d, want 3", got)
	}
}
