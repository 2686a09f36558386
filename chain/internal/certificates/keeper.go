// Package certificates is the certificates: civil certificates (kinds, issuing agencies' key history, issuance anchors, per-certificate revocation). SKELETON: its helper replaces this file.
package certificates

import (
	"encoding/json"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Keeper owns the certificates module's state.
type Keeper struct{ prefix byte }

var _ module.Module = (*Keeper)(nil)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte) *Keeper { return &Keeper{prefix: prefix} }

// Name implements module.Module.
func (*Keeper) Name() string { return tx.CodespaceCertificate }

// InitGenesis implements module.Module.
func (*Keeper) InitGenesis(*module.Context, json.RawMessage) error { return nil }

// ExportGenesis implements module.Exporter.
func (*Keeper) ExportGenesis(*module.Context) (json.RawMessage, error) { return nil, nil }

// Handle implements module.Module.
func (*Keeper) Handle(_ *module.Context, _ tx.Address, msg tx.Msg) error {
	return module.ErrInternal.Wrapf("certificates cannot handle %s", msg.Type())
}

// Query implements module.Module.
func (*Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	return nil, module.ErrUnknownQuery.Wrapf("certificates/%s", q.Path)
}
