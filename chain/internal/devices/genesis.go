package devices

import (
	"bytes"
	"encoding/json"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Genesis is the module's section of the genesis app state.
type Genesis struct {
	Devices []tx.MsgDeviceRegister `json:"devices"`
}

// InitGenesis implements module.Module.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	for i := range g.Devices {
		d := &g.Devices[i]
		if err := d.ValidateBasic(); err != nil {
			return ErrInvalidGenesis.Wrapf("device %d: %v", i, err)
		}
		if err := k.Register(ctx, d); err != nil {
			return ErrInvalidGenesis.Wrapf("device %d: %v", i, err)
		}
	}
	return nil
}
