// Package simulators runs simulated field devices as real Modbus TCP
// servers: SunSpec solar inverters (common model 1 and three-phase inverter
// model 103, lifetime energy as acc32) and EV odometer units. Production
// and trips are deterministic per seed and follow a Clock, so tests can
// drive time by hand and the devnet can run days in minutes. Faults
// (exception replies, slow replies, timeouts, dropped connections, counter
// rollback, counter reset after a firmware swap) can be scheduled in the
// config or switched at run time.
//
// Start a fleet, point a Modbus client at Device.Addr, and use Device.Read
// as the oracle for what the device reports.
package simulators
