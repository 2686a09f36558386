package simulators

// EV odometer register map (0-based holding/input registers); the table in
// docs/ev-odometer-registers.md documents it.
const (
	evBase         = 1000
	evAddrMagic    = 1000 // "EVOD", 2 registers
	evAddrVersion  = 1002 // map version
	evAddrLen      = 1003 // registers in the map from evBase
	evAddrOdometer = 1004 // uint32 metres, high word first
	evAddrVIN      = 1006 // 9 registers, 17 ASCII characters + NUL
	evAddrSpeed    = 1015 // uint16, 0.1 km/h
	evAddrSoC      = 1016 // uint16, 0.1 %
	evAddrCharging = 1017 // 0 or 1
	evAddrStatus   = 1018 // 0 parked, 1 driving, 2 charging
	evAddrTrips    = 1019 // uint16 trips completed (wraps)
	evAddrFirmware = 1020 // uint16 firmware version
	evAddrTag      = 1021 // 8 registers, 16 ASCII characters, writable
	evAddrTime     = 1029 // uint32 device time, Unix seconds, high word first
	evMapLen       = 31

	evMapVersion = 1
)

// EV status values.
const (
	evParked   = 0
	evDriving  = 1
	evCharging = 2
)

// evRegisters builds the whole EV map from evBase for reading r.
func (d *Device) evRegisters(r Reading) []uint16 {
	regs := make([]uint16, evMapLen)
	at := func(addr int) []uint16 { return regs[addr-evBase:] }
	putString(at(evAddrMagic)[:2], "EVOD")
	regs[evAddrVersion-evBase] = evMapVersion
	regs[evAddrLen-evBase] = evMapLen
	odo := uint32(r.Counter)
	at(evAddrOdometer)[0], at(evAddrOdometer)[1] = uint16(odo>>16), uint16(odo)
	putString(at(evAddrVIN)[:9], d.vin)
	regs[evAddrSpeed-evBase] = r.SpeedDeciKmh
	regs[evAddrSoC-evBase] = r.SoCPermille
	status := uint16(evParked)
	switch {
	case r.Driving:
		status = evDriving
	case r.Charging:
		status = evCharging
		regs[evAddrCharging-evBase] = 1
	}
	regs[evAddrStatus-evBase] = status
	regs[evAddrTrips-evBase] = uint16(r.Trips)
	regs[evAddrFirmware-evBase] = d.fw
	copy(at(evAddrTag)[:8], d.tag[:])
	unix := uint32(r.Time.Unix())
	at(evAddrTime)[0], at(evAddrTime)[1] = uint16(unix>>16), uint16(unix)
	return regs
}
