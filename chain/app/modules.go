package app

import (
	"fmt"

	"github.com/citychain/citychain/chain/internal/auth"
	"github.com/citychain/citychain/chain/internal/bank"
	"github.com/citychain/citychain/chain/internal/certificates"
	"github.com/citychain/citychain/chain/internal/contracts"
	"github.com/citychain/citychain/chain/internal/credentials"
	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/identity"
	"github.com/citychain/citychain/chain/internal/labour"
	"github.com/citychain/citychain/chain/internal/market"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/internal/mileage"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/registry"
	"github.com/citychain/citychain/chain/internal/validators"
	"github.com/citychain/citychain/chain/internal/vehicles"
	"github.com/citychain/citychain/chain/internal/voting"
	"github.com/citychain/citychain/chain/tx"
)

// prefixApp is the store prefix of the app's own metadata (chain id, last
// block time). Every other first byte of a state key names the module that
// owns it, in the module list below.
const prefixApp byte = 0x00

// row is one module of the chain. Its keeper is the module: it implements
// module.Module (InitGenesis, Handle, Query), module.Exporter
// (ExportGenesis) and, when it has end-of-block work, module.EndBlocker.
// Its genesis section's type is the field of AppState named after it.
type row struct {
	// prefix is the first byte of every state key the module owns; a byte
	// is never reused.
	prefix byte
	// msgs are the module's message types, their decoders and signers, and
	// the roles it defines (chain/tx; tx.Modules lists them in this order).
	msgs tx.ModuleMsgs
	// build constructs the keeper from the keepers built before it; it
	// keeps in k the keepers later modules depend on.
	build func(k *keepers, prefix byte) module.Module
}

// moduleList is every module of the chain, in its fixed order: the order of
// genesis initialisation, of export and of end-of-block work. Adding a
// module is adding its row (and its AppState field when generated networks
// configure it).
//
// Bytes reserved for the modules still to come: health 0x0d, donations
// 0x0e, trustfunds 0x0f.
var moduleList = []row{
	{0x01, tx.AuthMsgs, func(k *keepers, p byte) module.Module {
		k.auth = auth.NewKeeper(p)
		return k.auth
	}},
	{0x02, tx.BankMsgs, func(k *keepers, p byte) module.Module {
		k.bank = bank.NewKeeper(p, k.auth)
		return k.bank
	}},
	{0x03, tx.DeviceMsgs, func(k *keepers, p byte) module.Module {
		k.devices = devices.NewKeeper(p, k.auth)
		return k.devices
	}},
	{0x04, tx.MeteringMsgs, func(k *keepers, p byte) module.Module {
		k.metering = metering.NewKeeper(p, k.devices, k.auth)
		return k.metering
	}},
	{0x05, tx.MarketMsgs, func(k *keepers, p byte) module.Module {
		return market.NewKeeper(p, k.bank, k.devices, k.metering, k.auth)
	}},
	{0x06, tx.MileageMsgs, func(k *keepers, p byte) module.Module {
		return mileage.NewKeeper(p, k.bank, k.auth, k.devices, k.metering)
	}},
	{0x07, tx.VehicleMsgs, func(k *keepers, p byte) module.Module {
		v := vehicles.NewKeeper(p, k.bank, k.auth, k.devices, k.metering)
		// The vehicles module keeps each vehicle's odometer series from the
		// readings metering accepts, and owns its bound devices' ownership.
		k.metering.SetOdometers(v)
		k.devices.SetBindings(v)
		return v
	}},
	{0x0b, tx.CredentialMsgs, func(k *keepers, p byte) module.Module {
		k.credentials = credentials.NewKeeper(p, k.auth)
		return k.credentials
	}},
	{0x0c, tx.CertificateMsgs, func(k *keepers, p byte) module.Module {
		return certificates.NewKeeper(p, k.auth)
	}},
	{0x10, tx.IdentityMsgs, func(k *keepers, p byte) module.Module {
		k.identity = identity.NewKeeper(p, k.auth, k.credentials)
		return k.identity
	}},
	{0x11, tx.RegistryMsgs, func(k *keepers, p byte) module.Module {
		return registry.NewKeeper(p, k.auth, k.credentials)
	}},
	{0x0a, tx.VotingMsgs, func(k *keepers, p byte) module.Module {
		return voting.NewKeeper(p, k.auth, k.identity, k.credentials)
	}},
	{0x08, tx.LabourMsgs, func(k *keepers, p byte) module.Module {
		k.labour = labour.NewKeeper(p, k.auth, k.bank, k.devices)
		return k.labour
	}},
	{0x09, tx.ContractMsgs, func(k *keepers, p byte) module.Module {
		c := contracts.NewKeeper(p, k.auth, k.bank, k.labour)
		// Labour pays a project's workers from the pool this module
		// funds, for the project's prime and subcontractors only.
		k.labour.SetProjects(c)
		return c
	}},
	{0x12, tx.ValidatorMsgs, func(k *keepers, p byte) module.Module {
		k.validators = validators.NewKeeper(p, k.auth)
		return k.validators
	}},
}

// keepers holds the keepers other modules or the app itself depend on.
type keepers struct {
	auth       *auth.Keeper
	bank       *bank.Keeper
	devices    *devices.Keeper
	metering   *metering.Keeper
	validators *validators.Keeper
	// credentials is the credentials keeper: identity sets the citizen
	// card's status bits through it; registry checks credential
	// predicates against its anchors and status lists.
	credentials *credentials.Keeper
	// identity is the identity keeper: voting checks that a proposer,
	// supporter or voter signs with a device key of an active identity.
	identity *identity.Keeper
	// labour is the labour keeper: contracts funds a project's labour pool
	// through it and reads the pool's wage lines for its arrears view.
	labour *labour.Keeper
}

// wire builds the keepers of rows, in order, and returns the modules. It
// refuses a list whose names, prefixes or message sets disagree: a module
// named twice, a prefix used twice or by the app, a keeper whose name is not
// its row's, or an order other than tx.Modules' (which the envelope decodes).
func wire(rows []row) (*keepers, []module.Module, error) {
	k := &keepers{}
	mods := make([]module.Module, 0, len(rows))
	codec := tx.Modules()
	if len(codec) != len(rows) {
		return nil, nil, fmt.Errorf("module list: %d modules, but chain/tx lists messages of %d", len(rows), len(codec))
	}
	var prefixes [256]string
	prefixes[prefixApp] = "app"
	for i, r := range rows {
		m := r.build(k, r.prefix)
		name := m.Name()
		switch {
		case name != r.msgs.Module:
			return nil, nil, fmt.Errorf("module list row %d: keeper %q listed with the messages of %q", i, name, r.msgs.Module)
		case codec[i].Module != name:
			return nil, nil, fmt.Errorf("module list row %d: %q, but chain/tx lists %q at that place", i, name, codec[i].Module)
		case prefixes[r.prefix] != "":
			return nil, nil, fmt.Errorf("module list: %q and %q share store prefix 0x%02x", prefixes[r.prefix], name, r.prefix)
		}
		for _, prev := range mods {
			if prev.Name() == name {
				return nil, nil, fmt.Errorf("module list: %q listed twice", name)
			}
		}
		prefixes[r.prefix] = name
		mods = append(mods, m)
	}
	return k, mods, nil
}
