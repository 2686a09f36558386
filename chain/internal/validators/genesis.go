package validators

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
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
	// Set, when given (an exported chain), is the validator set as it was
	// recorded, names and update heights included. The genesis file's
	// validators must then be exactly its keys and powers.
	Set *Set `json:"set,omitempty"`
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
	if g.Set != nil {
		if err := validateSet(g.Set, g.Params); err != nil {
			return ErrInvalidGenesis.Wrapf("set: %v", err)
		}
		k.putSet(ctx, g.Set)
	}
	return nil
}

// validateSet checks a set given in genesis: at most max_validators
// validators, sorted by key and each listed once, each with its address, a
// power of 1 to tx.MaxValidatorPower and a valid name, and the total of
// their powers.
func validateSet(s *Set, p Params) error {
	if s.Validators == nil {
		return fmt.Errorf("validators: want a list")
	}
	if len(s.Validators) > int(p.MaxValidators) {
		return fmt.Errorf("%d validators, params.max_validators is %d", len(s.Validators), p.MaxValidators)
	}
	var total uint64
	for i, v := range s.Validators {
		switch {
		case len(v.PubKey) != 32:
			return fmt.Errorf("validators[%d].pub_key: want a 32-byte ed25519 key", i)
		case i > 0 && bytes.Compare(s.Validators[i-1].PubKey, v.PubKey) >= 0:
			return fmt.Errorf("validators[%d].pub_key %s: want keys sorted, each listed once", i, v.PubKey)
		case v.Address != v.PubKey.Address():
			return fmt.Errorf("validators[%d].address %s: the address of pub_key %s is %s", i, v.Address, v.PubKey, v.PubKey.Address())
		case v.Power < 1 || v.Power > tx.MaxValidatorPower:
			return fmt.Errorf("validators[%d].power %d: want 1 to %d", i, v.Power, tx.MaxValidatorPower)
		case v.UpdatedHeight < 0:
			return fmt.Errorf("validators[%d].updated_height %d: want 0 or more", i, v.UpdatedHeight)
		}
		if err := tx.ValidateValidatorName(v.Name); err != nil {
			return fmt.Errorf("validators[%d]: %w", i, err)
		}
		total += v.Power // at most 10,000 validators of at most 10^12
	}
	if total != s.TotalPower {
		return fmt.Errorf("total_power %d: the validators' powers sum to %d", s.TotalPower, total)
	}
	return nil
}

// InitValidators records the genesis validator set CometBFT passes to
// InitChain, after InitGenesis (which may be skipped: the parameters then
// take their defaults). Every key must be ed25519 and every power between 1
// and tx.MaxValidatorPower.
//
// When the genesis section carried the set (an exported chain), the set
// stays as recorded and vals must be exactly its keys and powers.
func (k *Keeper) InitValidators(ctx *module.Context, vals []abci.ValidatorUpdate) error {
	if !k.kv(ctx).Has(paramsKey) {
		k.putParams(ctx, DefaultParams())
	}
	if k.kv(ctx).Has(setKey) {
		return agree(k.Set(ctx), vals)
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

// agree checks that the genesis file's validators are exactly the keys and
// powers of the set the genesis section carried, in any order.
func agree(set *Set, vals []abci.ValidatorUpdate) error {
	if len(vals) != len(set.Validators) {
		return ErrInvalidGenesis.Wrapf("%d genesis validators, the validators section's set has %d", len(vals), len(set.Validators))
	}
	seen := make([]bool, len(set.Validators))
	for i, v := range vals {
		pub := v.PubKey.GetEd25519()
		j, found := set.find(pub)
		switch {
		case len(pub) != 32:
			return ErrInvalidGenesis.Wrapf("genesis validator %d: want a 32-byte ed25519 key, got %s", i, v.PubKey.String())
		case !found:
			return ErrInvalidGenesis.Wrapf("genesis validator %d: key %s is not in the validators section's set", i, tx.PubKey(pub))
		case seen[j]:
			return ErrInvalidGenesis.Wrapf("genesis validator %d: key %s listed twice", i, tx.PubKey(pub))
		case v.Power < 0 || uint64(v.Power) != set.Validators[j].Power:
			return ErrInvalidGenesis.Wrapf("genesis validator %d: key %s has power %d, the validators section's set gives it %d", i, tx.PubKey(pub), v.Power, set.Validators[j].Power)
		}
		seen[j] = true
	}
	return nil
}

var _ module.Exporter = (*Keeper)(nil)

// ExportGenesis implements module.Exporter: the parameters and the set.
// The genesis file's validators are the set's keys and powers (see
// Updates).
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	var (
		g         Genesis
		hasParams bool
	)
	return module.ExportSection(Codespace, k.kv(ctx), &g, func(key, value []byte) error {
		switch {
		case bytes.Equal(key, paramsKey):
			hasParams = true
			if err := store.DecodeExact(value, &g.Params); err != nil {
				return fmt.Errorf("params: %w", err)
			}
		case bytes.Equal(key, setKey):
			g.Set = &Set{}
			if err := store.DecodeExact(value, g.Set); err != nil {
				return fmt.Errorf("set: %w", err)
			}
		default:
			return module.ErrUnknownKey
		}
		return nil
	}, func() error {
		if !hasParams || g.Set == nil {
			return errors.New("the state has no parameters or no set; InitChain always records both")
		}
		if err := validateSet(g.Set, g.Params); err != nil {
			return fmt.Errorf("set: %w", err)
		}
		return nil
	})
}
