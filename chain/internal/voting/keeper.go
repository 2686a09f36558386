// Package voting is the direct-democracy module (service 7): citizen
// proposals with Democracy Seoul's thresholds, and elections with a secret
// ballot anyone can verify (exponential ElGamal on ristretto255 with
// zero-knowledge proofs, a DKG among k-of-n trustees, blind RSA voting
// credentials). See README.md and docs/voting-verification.md.
package voting

import (
	"encoding/json"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Codespace of the voting module's errors.
const Codespace = tx.CodespaceVoting

// Auth is what the voting module needs of the auth module.
type Auth interface {
	HasRole(ctx *module.Context, addr tx.Address, role string) bool
	EnsureAccount(ctx *module.Context, addr tx.Address)
	Open(ctx *module.Context, key tx.PubKey) error
}

// Identities is what the voting module needs of the identity module.
type Identities interface {
	IdentityOfKey(ctx *module.Context, addr tx.Address) (tx.Address, bool)
	Identity(ctx *module.Context, id tx.Address) *tx.Identity
}

// Credentials is what the voting module needs of the credentials module
// to check residency evidence.
type Credentials interface {
	Anchor(ctx *module.Context, id uint64) *tx.CredentialAnchor
	Status(ctx *module.Context, listID string, idx uint32) (bool, error)
}

// Keeper owns the voting module's state.
type Keeper struct {
	prefix byte
	auth   Auth
	ids    Identities
	creds  Credentials
}

var (
	_ module.Module     = (*Keeper)(nil)
	_ module.EndBlocker = (*Keeper)(nil)
)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte, auth Auth, ids Identities, creds Credentials) *Keeper {
	return &Keeper{prefix: prefix, auth: auth, ids: ids, creds: creds}
}

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

// InitGenesis implements module.Module.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error { return nil }

// ExportGenesis implements module.Exporter.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) { return nil, nil }

// Handle implements module.Module.
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	return module.ErrUnknownQuery // skeleton
}

// Query implements module.Module.
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) { return nil, module.ErrUnknownQuery }

// EndBlock implements module.EndBlocker.
func (k *Keeper) EndBlock(ctx *module.Context) error { return nil }
