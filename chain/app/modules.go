package app

import (
	"github.com/citychain/citychain/chain/internal/auth"
	"github.com/citychain/citychain/chain/internal/bank"
	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/market"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/mileage"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/validators"
	"github.com/citychain/citychain/chain/internal/vehicles"
)

// Store prefixes: the first byte of every state key names the module that
// owns it. Listed here, in one place, for every module of the chain; a byte
// is never reused. Planned modules keep their byte reserved.
const (
	prefixApp        byte = 0x00 // app metadata (chain id, last block time)
	prefixAuth       byte = 0x01
	prefixBank       byte = 0x02
	prefixDevices    byte = 0x03
	prefixMetering   byte = 0x04
	prefixMarket     byte = 0x05
	prefixMileage    byte = 0x06
	prefixVehicles   byte = 0x07
	prefixValidators byte = 0x12
	// Reserved for the modules still to come, in this order: labour 0x08, contracts 0x09,
	// voting 0x0a, credentials 0x0b, certificates 0x0c, health 0x0d,
	// donations 0x0e, trustfunds 0x0f, identity 0x10, registry 0x11.
	// validators took 0x12, the first byte after the reserved ones.
)

// keepers holds every module keeper, wired explicitly.
type keepers struct {
	auth       *auth.Keeper
	bank       *bank.Keeper
	devices    *devices.Keeper
	metering   *metering.Keeper
	market     *market.Keeper
	mileage    *mileage.Keeper
	vehicles   *vehicles.Keeper
	validators *validators.Keeper
}

// wire builds the keepers and returns the modules in their fixed order: the
// order of genesis initialisation and of end-of-block work.
func wire() (*keepers, []module.Module) {
	k := &keepers{}
	k.auth = auth.NewKeeper(prefixAuth)
	k.bank = bank.NewKeeper(prefixBank, k.auth)
	k.devices = devices.NewKeeper(prefixDevices, k.auth)
	k.metering = metering.NewKeeper(prefixMetering, k.devices, k.auth)
	k.market = market.NewKeeper(prefixMarket, k.bank, k.devices, k.metering, k.auth)
	k.mileage = mileage.NewKeeper(prefixMileage, k.bank, k.auth, k.devices, k.metering)
	k.vehicles = vehicles.NewKeeper(prefixVehicles, k.bank, k.auth, k.devices, k.metering)
	// The vehicles module keeps each vehicle's odometer series from the
	// readings metering accepts, and owns its bound devices' ownership.
	k.metering.SetOdometers(k.vehicles)
	k.devices.SetBindings(k.vehicles)
	k.validators = validators.NewKeeper(prefixValidators, k.auth)
	return k, []module.Module{k.auth, k.bank, k.devices, k.metering, k.market, k.mileage, k.vehicles, k.validators}
}
