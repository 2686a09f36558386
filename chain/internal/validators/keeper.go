// Package validators is the validator-set module: the CometBFT validator
// set as chain state (recorded from the genesis validators at InitChain),
// changed by validators/set_power, an authority action that runs once k of
// the n authorities approve it (the auth module's Gate, before Handle). The app returns
// the difference a block made to the set as FinalizeBlock's validator
// updates, which CometBFT applies two blocks later.
package validators

import (
	"bytes"
	"slices"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Validator is one member of the set.
type Validator struct {
	PubKey tx.PubKey `json:"pub_key"`
	// Address is CometBFT's validator address of the key (the first 20
	// bytes of its SHA-256), as in /validators and commit signatures.
	Address tx.Address `json:"address"`
	Power   uint64     `json:"power"`
	Name    string     `json:"name,omitempty"`
	// UpdatedHeight is the height of the last set_power for this key (0 for
	// a genesis validator never changed since).
	UpdatedHeight int64 `json:"updated_height"`
}

// Set is the validator set, sorted by public key.
type Set struct {
	Validators []Validator `json:"validators"`
	TotalPower uint64      `json:"total_power"`
}

func (s *Set) find(pub []byte) (int, bool) {
	return slices.BinarySearchFunc(s.Validators, pub, func(v Validator, p []byte) int { return bytes.Compare(v.PubKey, p) })
}

// put inserts or replaces v, keeping the order and the total.
func (s *Set) put(v Validator) {
	v.Address = v.PubKey.Address()
	i, found := s.find(v.PubKey)
	if found {
		s.Validators[i] = v
	} else {
		s.Validators = slices.Insert(s.Validators, i, v)
	}
	s.total()
}

func (s *Set) remove(i int) {
	s.Validators = slices.Delete(s.Validators, i, i+1)
	s.total()
}

// total recomputes TotalPower. It cannot overflow, nor reach CometBFT's
// bound on a set's total voting power (2^63/8, about 1.15·10^18): a set has
// at most 10,000 validators (the bound on max_validators) of at most
// tx.MaxValidatorPower (10^12) each, 10^16 in all.
func (s *Set) total() {
	var sum uint64
	for _, v := range s.Validators {
		sum += v.Power
	}
	s.TotalPower = sum
}

// Authorities is what the module needs of the auth module.
type Authorities interface {
	IsAuthority(ctx *module.Context, addr tx.Address) bool
}

// Keeper owns the validators module's state.
type Keeper struct {
	prefix byte
	auth   Authorities
}

var _ module.Module = (*Keeper)(nil)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte, auth Authorities) *Keeper { return &Keeper{prefix: prefix, auth: auth} }

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

// Params returns the module's parameters (the defaults before InitChain).
func (k *Keeper) Params(ctx *module.Context) Params {
	var p Params
	if !store.GetJSON(k.kv(ctx), paramsKey, &p) {
		return DefaultParams()
	}
	return p
}

func (k *Keeper) putParams(ctx *module.Context, p Params) { store.PutJSON(k.kv(ctx), paramsKey, p) }

// Set returns the current validator set (empty on a chain whose genesis
// predates the module).
func (k *Keeper) Set(ctx *module.Context) *Set { return getSet(k.kv(ctx)) }

func getSet(kv store.KV) *Set {
	var s Set
	if !store.GetJSON(kv, setKey, &s) {
		return &Set{Validators: []Validator{}}
	}
	return &s
}

func (k *Keeper) putSet(ctx *module.Context, s *Set) { store.PutJSON(k.kv(ctx), setKey, s) }

// Handle implements module.Module.
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	m, ok := msg.(*tx.MsgValidatorSetPower)
	if !ok {
		return module.ErrInternal.Wrapf("validators cannot handle %s", msg.Type())
	}
	if !k.auth.IsAuthority(ctx, signer) {
		return ErrNotAuthority.Wrapf("%s may not change the validator set", signer)
	}
	set := k.Set(ctx)
	i, found := set.find(m.PubKey)
	var prev uint64
	if found {
		prev = set.Validators[i].Power
	}
	if m.Power == 0 {
		if !found {
			return ErrUnknown.Wrapf("pub_key %s is not a validator; power 0 removes a validator", m.PubKey)
		}
		// Every member has power 1 or more, so this is also the only way
		// to bring the total power to 0.
		if len(set.Validators) == 1 {
			return ErrEmptySet.Wrapf("pub_key %s is the last validator; add another before removing it", m.PubKey)
		}
		set.remove(i)
	} else {
		name := m.Name
		if name == "" && found {
			name = set.Validators[i].Name // a power change keeps the name
		}
		set.put(Validator{PubKey: m.PubKey, Power: m.Power, Name: name, UpdatedHeight: ctx.Height})
	}
	p := k.Params(ctx)
	if !found && len(set.Validators) > int(p.MaxValidators) {
		return ErrTooMany.Wrapf("adding pub_key %s makes %d validators, params.max_validators is %d", m.PubKey, len(set.Validators), p.MaxValidators)
	}
	k.putSet(ctx, set)
	ctx.Emit("validators.power_set", "pub_key", m.PubKey.String(), "address", m.PubKey.Address().String(),
		"name", m.Name, "power", module.U64(m.Power), "previous_power", module.U64(prev))
	return nil
}

// Updates returns the CometBFT validator updates that turn the set before
// into the set after: every added or re-powered key with its new power and
// every removed key with power 0, sorted by public key. Name-only changes
// are not updates.
func Updates(before, after *Set) []abci.ValidatorUpdate {
	var out []abci.ValidatorUpdate
	upd := func(pub tx.PubKey, power uint64) {
		out = append(out, abci.ValidatorUpdate{
			PubKey: cmtcrypto.PublicKey{Sum: &cmtcrypto.PublicKey_Ed25519{Ed25519: bytes.Clone(pub)}},
			Power:  int64(power), // at most tx.MaxValidatorPower
		})
	}
	i, j := 0, 0
	for i < len(before.Validators) || j < len(after.Validators) {
		switch {
		case j == len(after.Validators) || i < len(before.Validators) && bytes.Compare(before.Validators[i].PubKey, after.Validators[j].PubKey) < 0:
			upd(before.Validators[i].PubKey, 0)
			i++
		case i == len(before.Validators) || bytes.Compare(after.Validators[j].PubKey, before.Validators[i].PubKey) < 0:
			upd(after.Validators[j].PubKey, after.Validators[j].Power)
			j++
		default:
			if before.Validators[i].Power != after.Validators[j].Power {
				upd(after.Validators[j].PubKey, after.Validators[j].Power)
			}
			i++
			j++
		}
	}
	return out
}
