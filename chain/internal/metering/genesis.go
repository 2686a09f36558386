package metering

import (
	"bytes"
	"encoding/json"

	"github.com/citychain/citychain/chain/internal/module"
)

// Genesis is the module's section of the genesis app state.
type Genesis struct {
	Params Params `json:"params"`
}

// InitGenesis implements module.Module.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	g := Genesis{Params: DefaultParams()}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	if g.Params.IntervalSeconds == 0 {
		return ErrInvalidGenesis.Wrapf("params.interval_seconds: want a positive number of seconds")
	}
	putJSON(k.kv(ctx), paramsKey, g.Params)
	return nil
}
