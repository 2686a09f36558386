package validators

import (
	"bytes"
	"encoding/json"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// DefaultMaxValidators is the default bound on the validator set's size.
const DefaultMaxValidators = 100

// maxMaxValidators bounds the max_validators parameter itself: the whole
// set is one state value and one FinalizeBlock diff.
const maxMaxValidators = 10_000

// Params are the module's genesis parameters.
type Params struct {
	// MaxValidators bounds the number of validators set_power may reach.
	MaxValidators uint32 `json:"max_validators"`
}

// DefaultParams are the parameters of a genesis without a validators
// section.
func DefaultParams() Params { return Params{MaxValidators: DefaultMaxValidators} }

// Validate checks the parameters.
func (p Params) Validate() error {
	if p.MaxValidators < 1 || p.MaxValidators > maxMaxValidators {
		return fmt.Errorf("params.max_validators %d: want 1 to %d", p.MaxValidators, maxMaxValidators)
	}
	return nil
}

// Genesis is the module's section of the genesis app state. The validators
// themselves come from the genesis file's validator list, which CometBFT
// passes to InitChain (see InitValidators).
type Genesis struct {
	Params Params `json:"params"`
}

// DefaultGenesis is the section a generated network writes.
func DefaultGenesis() Genesis { return Genesis{Params: DefaultParams()} }

// InitGenesis implements module.Module.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	if err := g.Params.Validate(); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	k.putParams(ctx, g.Params)
	return nil
}

// InitValidators records the genesis validator set CometBFT passes to
// InitChain, after InitGenesis (which may be skipped: the parameters then
// take their defaults). Every key must be ed25519 and every power between 1
// and tx.MaxValidatorPower.
func (k *Keeper) InitValidators(ctx *module.Context, vals []abci.ValidatorUpdate) error {
	if !k.kv(ctx).Has(paramsKey) {
		k.putParams(ctx, DefaultParams())
	}
	p := k.Params(ctx)
	if len(vals) > int(p.MaxValidators) {
		return ErrInvalidGenesis.Wrapf("%d genesis validators, params.max_validators is %d", len(vals), p.MaxValidators)
	}
	set := &Set{Validators: []Validator{}}
	for i, v := range vals {
		pub := v.PubKey.GetEd25519()
		if len(pub) != 32 {
			return ErrInvalidGenesis.Wrapf("genesis validator %d: want a 32-byte ed25519 key, got %s", i, v.PubKey.String())
		}
		if v.Power < 1 || uint64(v.Power) > tx.MaxValidatorPower {
			return ErrInvalidGenesis.Wrapf("genesis validator %d: power %d: want 1 to %d", i, v.Power, tx.MaxValidatorPower)
		}
		if _, found := set.find(pub); found {
			return ErrInvalidGenesis.Wrapf("genesis validator %d: key %s listed twice", i, tx.PubKey(pub))
		}
		set.put(Validator{PubKey: tx.PubKey(bytes.Clone(pub)), Power: uint64(v.Power)})
	}
	k.putSet(ctx, set)
	return nil
}
