package simulators

import (
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/citychain/citychain/simulators/mbserver"
)

// Device is one simulated device. It is the register bank served over
// Modbus and the test oracle: Read tells what the device reports now.
type Device struct {
	cfg    DeviceConfig
	clock  Clock
	start  time.Time
	logger *slog.Logger
	solar  *solarModel // KindSolarInverter
	ev     *evModel    // KindEVOdometer
	vin    string      // KindEVOdometer
	sf     inverterScales

	mu       sync.Mutex
	offset   int64 // added to the counter by rollback and reset faults
	fw       uint16
	comm     Fault // set at run time
	schedule []scheduledFault
	addr     string
	da       uint16    // SunSpec model 1 device address (writable)
	tag      [8]uint16 // EV asset tag (writable)
}

var (
	_ mbserver.Unit    = (*Device)(nil)
	_ mbserver.Faulter = (*Device)(nil)
)

type scheduledFault struct {
	Fault
	at   time.Time
	done bool // counter fault applied, or communication fault cleared
}

// Reading is what a device reports at an instant.
type Reading struct {
	Time time.Time // simulated
	// Counter is the cumulative counter the device reports: lifetime Wh for
	// an inverter (before the acc32 register wraps at 2^32), odometer
	// metres for an EV. Rollback and reset faults change it.
	Counter uint64
	// Physical is the energy (Wh) or distance (m) truly produced since
	// Start, unaffected by faults.
	Physical uint64
	PowerW   int64 // inverter: AC power

	SpeedDeciKmh uint16 // EV: 0.1 km/h
	SoCPermille  uint16 // EV: state of charge, 0.1 %
	Charging     bool   // EV: plugged in and charging
	Driving      bool   // EV: on a trip (speed may be 0 in traffic)
	Trips        uint32 // EV: trips completed since Start
	Firmware     uint16 // firmware version: 1, +1 after each reset fault
}

func newDevice(cfg DeviceConfig, clock Clock, start time.Time, logger *slog.Logger) *Device {
	d := &Device{
		cfg:    cfg,
		clock:  clock,
		start:  start,
		logger: logger.With("device", cfg.ID, "kind", string(cfg.Kind)),
		fw:     1,
		da:     uint16(cfg.unitID()),
	}
	switch cfg.Kind {
	case KindSolarInverter:
		if d.cfg.RatedPowerW == 0 {
			d.cfg.RatedPowerW = DefaultRatedPowerW
		}
		if d.cfg.Serial == "" {
			d.cfg.Serial = cfg.ID
		}
		d.solar = newSolarModel(cfg.Seed, d.cfg.RatedPowerW, start)
		d.sf = newInverterScales(d.cfg.RatedPowerW)
	case KindEVOdometer:
		d.vin = cfg.VIN
		if d.vin == "" {
			d.vin = defaultVIN(cfg.Seed)
		}
		d.ev = newEVModel(cfg.Seed, start)
	}
	for _, f := range cfg.faults() {
		d.schedule = append(d.schedule, scheduledFault{Fault: f, at: start.Add(f.After)})
	}
	sort.SliceStable(d.schedule, func(i, j int) bool { return d.schedule[i].at.Before(d.schedule[j].at) })
	return d
}

// ID returns the device id.
func (d *Device) ID() string { return d.cfg.ID }

// Kind returns the device kind.
func (d *Device) Kind() Kind { return d.cfg.Kind }

// UnitID returns the Modbus unit id.
func (d *Device) UnitID() uint8 { return d.cfg.unitID() }

// VIN returns the EV's VIN ("" for an inverter).
func (d *Device) VIN() string { return d.vin }

// Addr returns the bound listen address, "" before the fleet listens.
func (d *Device) Addr() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.addr
}

func (d *Device) setAddr(a string) {
	d.mu.Lock()
	d.addr = a
	d.mu.Unlock()
}

// Read returns what the device reports at the clock's current time.
func (d *Device) Read() Reading { return d.ReadAt(d.clock.Now()) }

// ReadAt returns what the device reports at simulated time t. Scheduled
// counter faults due by t are applied first; faults already applied stay
// applied even when t lies before them.
func (d *Device) ReadAt(t time.Time) Reading {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.applyDueLocked(t)
	return d.readLocked(t)
}

func (d *Device) readLocked(t time.Time) Reading {
	r := Reading{Time: t, Firmware: d.fw}
	switch d.cfg.Kind {
	case KindSolarInverter:
		r.Physical = d.solar.energyWh(t)
		r.PowerW = d.solar.power(t)
	case KindEVOdometer:
		s := d.ev.snapshot(t)
		r.Physical = s.distMM / 1000
		r.SpeedDeciKmh = uint16(s.speed)
		r.SoCPermille = uint16(s.socPm)
		r.Charging = s.charging
		r.Driving = s.driving
		r.Trips = s.trips
	}
	r.Counter = d.counterLocked(r.Physical)
	return r
}

func (d *Device) initial() uint64 {
	if d.cfg.Kind == KindSolarInverter {
		return d.cfg.InitialWh
	}
	return uint64(d.cfg.InitialOdometerM)
}

func (d *Device) counterLocked(physical uint64) uint64 {
	c := int64(d.initial()+physical) + d.offset
	return uint64(max(c, 0))
}

func (d *Device) physicalAt(t time.Time) uint64 {
	if d.cfg.Kind == KindSolarInverter {
		return d.solar.energyWh(t)
	}
	return d.ev.snapshot(t).distMM / 1000
}

// applyDueLocked applies the scheduled counter faults due by t, each as of
// its own scheduled time.
func (d *Device) applyDueLocked(t time.Time) {
	for i := range d.schedule {
		s := &d.schedule[i]
		if s.done || s.Mode.comm() || s.at.After(t) {
			continue
		}
		d.applyCounterFaultLocked(s.Fault, s.at)
		s.done = true
	}
}

func (d *Device) applyCounterFaultLocked(f Fault, at time.Time) {
	phys := d.physicalAt(at)
	before := d.counterLocked(phys)
	switch f.Mode {
	case FaultRollback:
		d.offset -= int64(min(f.Amount, before))
	case FaultReset:
		d.offset = -int64(d.initial() + phys)
		d.fw++
	}
	d.logger.Info("fault applied", "mode", string(f.Mode), "at", at, "counter_before", before, "counter_after", d.counterLocked(phys))
}

// SetFault injects f now. A communication fault (exception, slow, timeout,
// drop) replaces the active one until ClearFault; rollback and reset change
// the counter once. After and Duration are ignored.
func (d *Device) SetFault(f Fault) error {
	f.After, f.Duration = 0, 0
	if err := f.validate(); err != nil {
		return fmt.Errorf("set fault on device %s: %w", d.cfg.ID, err)
	}
	now := d.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.applyDueLocked(now)
	if f.Mode.comm() {
		d.comm = f
		d.logger.Info("fault set", "mode", string(f.Mode), "code", f.Code, "delay", f.Delay)
		return nil
	}
	d.applyCounterFaultLocked(f, now)
	return nil
}

// ClearFault ends the active communication fault, whether set at run time or
// scheduled. Counter changes stay.
func (d *Device) ClearFault() {
	now := d.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.comm = Fault{}
	for i := range d.schedule {
		if s := &d.schedule[i]; s.Mode.comm() && !s.at.After(now) {
			s.done = true
		}
	}
	d.logger.Info("fault cleared")
}

// Fault returns the active communication fault (Mode "" when none).
func (d *Device) Fault() Fault {
	now := d.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.activeCommLocked(now)
}

func (d *Device) activeCommLocked(now time.Time) Fault {
	if d.comm.Mode != FaultNone {
		return d.comm
	}
	var active Fault
	for _, s := range d.schedule {
		if s.done || !s.Mode.comm() || s.at.After(now) {
			continue
		}
		if s.Duration == 0 || now.Before(s.at.Add(s.Duration)) {
			active = s.Fault // the latest started wins
		}
	}
	return active
}

// CommFault implements mbserver.Faulter.
func (d *Device) CommFault() mbserver.Fault {
	f := d.Fault()
	switch f.Mode {
	case FaultException:
		return mbserver.Fault{Kind: mbserver.FaultException, Code: mbserver.ExceptionCode(f.Code)}
	case FaultSlow:
		return mbserver.Fault{Kind: mbserver.FaultDelay, Delay: f.Delay}
	case FaultTimeout:
		return mbserver.Fault{Kind: mbserver.FaultNoReply}
	case FaultDrop:
		return mbserver.Fault{Kind: mbserver.FaultDrop}
	}
	return mbserver.Fault{}
}

// ReadRegisters implements mbserver.Unit: FC 3 and 4 read the same bank.
func (d *Device) ReadRegisters(_ uint8, addr, qty uint16) ([]uint16, error) {
	now := d.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.applyDueLocked(now)
	base, regs := d.registersLocked(d.readLocked(now))
	lo := int(addr) - int(base)
	if lo < 0 || lo+int(qty) > len(regs) {
		return nil, mbserver.IllegalDataAddress
	}
	return regs[lo : lo+int(qty)], nil
}

func (d *Device) registersLocked(r Reading) (uint16, []uint16) {
	if d.cfg.Kind == KindSolarInverter {
		return sunspecBase, d.sunspecRegisters(r)
	}
	return evBase, d.evRegisters(r)
}

// WriteRegisters implements mbserver.Unit. Writable: the SunSpec model 1
// device address (DA, 1..247) and the EV asset tag.
func (d *Device) WriteRegisters(addr uint16, vals []uint16) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	end := int(addr) + len(vals)
	switch d.cfg.Kind {
	case KindSolarInverter:
		if addr != addrDA || len(vals) != 1 {
			return mbserver.IllegalDataAddress
		}
		if vals[0] < 1 || vals[0] > 247 {
			return mbserver.IllegalDataValue
		}
		d.da = vals[0]
	case KindEVOdometer:
		if addr < evAddrTag || end > evAddrTag+len(d.tag) {
			return mbserver.IllegalDataAddress
		}
		copy(d.tag[addr-evAddrTag:], vals)
	}
	return nil
}

// putString writes s as ASCII, two characters per register (first character
// in the high byte), NUL padded, into regs.
func putString(regs []uint16, s string) {
	for i := range regs {
		var hi, lo byte
		if 2*i < len(s) {
			hi = s[2*i]
		}
		if 2*i+1 < len(s) {
			lo = s[2*i+1]
		}
		regs[i] = uint16(hi)<<8 | uint16(lo)
	}
}
