package sunspec

import (
	"errors"
	"testing"
	"time"

	"github.com/goburrow/modbus"

	"github.com/citychain/citychain/edge/internal/mbtest"
	"github.com/citychain/citychain/edge/internal/register"
)

func client(t *testing.T, srv *mbtest.Server) modbus.Client {
	t.Helper()
	h := modbus.NewTCPClientHandler(srv.Addr())
	h.Timeout = 2 * time.Second
	h.SlaveId = 1
	t.Cleanup(func() { h.Close() })
	return modbus.NewClient(h)
}

func server(t *testing.T) *mbtest.Server {
	t.Helper()
	srv, err := mbtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func TestDiscoverAndRead(t *testing.T) {
	for _, model := range []uint16{101, 102, 103} {
		srv := server(t)
		inv := srv.SunSpecInverter(DefaultBase, model)
		srv.SetUint32(inv+offWH, 123456)
		srv.Set(inv+offWHSF, 0xFFFF) // -1
		srv.Set(inv+offW, 4200)
		srv.Set(inv+offWSF, 0) // 0
		c := client(t, srv)
		got, err := Discover(c, DefaultBase)
		if err != nil {
			t.Fatalf("model %d: %v", model, err)
		}
		if want := (Inverter{Model: model, Addr: 40070}); got != want {
			t.Fatalf("Discover = %+v, want %+v", got, want)
		}
		v, err := got.Read(c)
		if err != nil {
			t.Fatal(err)
		}
		if want := (Values{WH: 123456, WHSF: -1, PowerW: 4200, HasW: true}); v != want {
			t.Errorf("Read = %+v, want %+v", v, want)
		}
	}
}

func TestDiscoverSkipsOtherModels(t *testing.T) {
	srv := server(t)
	srv.Set(40000, 0x5375, 0x6e53)
	srv.Set(40002, 1, 66)     // common
	srv.Set(40070, 120, 26)   // nameplate
	srv.Set(40098, 103, 50)   // inverter
	srv.Set(40150, 0xFFFF, 0) // end
	srv.SetUint32(40098+offWH, 7)
	srv.Set(40098+offWHSF, 3)
	srv.Set(40098+offW, 0x8000) // W not implemented
	c := client(t, srv)
	inv, err := Discover(c, DefaultBase)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Addr != 40098 {
		t.Fatalf("inverter at %d, want 40098", inv.Addr)
	}
	v, err := inv.Read(c)
	if err != nil {
		t.Fatal(err)
	}
	if v.HasW || v.WH != 7 || v.WHSF != 3 {
		t.Errorf("Read = %+v, want WH 7, WHSF 3, no W", v)
	}
}

func TestDiscoverErrors(t *testing.T) {
	t.Run("no marker", func(t *testing.T) {
		srv := server(t)
		if _, err := Discover(client(t, srv), DefaultBase); !errors.Is(err, ErrNotSunSpec) {
			t.Errorf("err = %v, want ErrNotSunSpec", err)
		}
	})
	t.Run("no inverter", func(t *testing.T) {
		srv := server(t)
		srv.Set(40000, 0x5375, 0x6e53, 1, 66)
		srv.Set(40070, 0xFFFF, 0)
		if _, err := Discover(client(t, srv), DefaultBase); !errors.Is(err, ErrNoInverter) {
			t.Errorf("err = %v, want ErrNoInverter", err)
		}
	})
	t.Run("endless chain", func(t *testing.T) {
		srv := server(t)
		srv.Set(40000, 0x5375, 0x6e53) // every following header reads (0, 0)
		if _, err := Discover(client(t, srv), DefaultBase); !errors.Is(err, ErrNoInverter) {
			t.Errorf("err = %v, want ErrNoInverter", err)
		}
	})
	t.Run("short model", func(t *testing.T) {
		srv := server(t)
		srv.Set(40000, 0x5375, 0x6e53, 103, 10)
		if _, err := Discover(client(t, srv), DefaultBase); err == nil {
			t.Error("short inverter model accepted")
		}
	})
	t.Run("wh not implemented", func(t *testing.T) {
		srv := server(t)
		inv := srv.SunSpecInverter(DefaultBase, 103) // WH reads 0: acc32 not implemented
		c := client(t, srv)
		if _, err := (Inverter{Model: 103, Addr: inv}).Read(c); !errors.Is(err, register.ErrNotImplemented) {
			t.Errorf("err = %v, want ErrNotImplemented", err)
		}
		srv.SetUint32(inv+offWH, 5)
		srv.Set(inv+offWHSF, 0x8000)
		if _, err := (Inverter{Model: 103, Addr: inv}).Read(c); !errors.Is(err, register.ErrNotImplemented) {
			t.Errorf("WH_SF: err = %v, want ErrNotImplemented", err)
		}
	})
}
