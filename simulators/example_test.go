package simulators_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/goburrow/modbus"

	"github.com/citychain/citychain/simulators"
)

// A solar inverter on a free loopback port, driven by a manual clock, read
// with an ordinary Modbus client and compared with the oracle.
func ExampleStart() {
	kst := time.FixedZone("KST", 9*3600)
	clock := simulators.NewManualClock(time.Date(2025, 6, 21, 0, 0, 0, 0, kst))
	fleet, err := simulators.Start(context.Background(), simulators.Config{
		Devices: []simulators.DeviceConfig{{Kind: simulators.KindSolarInverter, ID: "inv-1", Seed: 1}},
	}, simulators.WithClock(clock))
	if err != nil {
		panic(err)
	}
	defer fleet.Close()
	inv, _ := fleet.Device("inv-1")

	h := modbus.NewTCPClientHandler(inv.Addr())
	h.SlaveId = inv.UnitID()
	defer h.Close()
	c := modbus.NewClient(h)

	b, err := c.ReadHoldingRegisters(40000, 2)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s\n", b)

	clock.Advance(18 * time.Hour)
	b, err = c.ReadHoldingRegisters(40094, 2) // WH, acc32
	if err != nil {
		panic(err)
	}
	fmt.Println(binary.BigEndian.Uint32(b) == uint32(inv.Read().Counter), inv.Read().Counter > 0)

	if err := inv.SetFault(simulators.Fault{Mode: simulators.FaultException, Code: 4}); err != nil {
		panic(err)
	}
	_, err = c.ReadHoldingRegisters(40000, 2)
	fmt.Println(err)
	// Output:
	// SunS
	// true true
	// modbus: exception '4' (server device failure), function '131'
}
