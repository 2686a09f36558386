package credentials

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

var _ module.Exporter = (*Keeper)(nil)

// ExportGenesis implements module.Exporter: the module's state as a
// genesis section, read in key order. Records (params when stored,
// counters, schemas, accreditations, verifiers, lists with their chunks,
// anchors) are written out; the claim index is not: InitGenesis rebuilds
// it from the schemas.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	var g Genesis
	return module.ExportSection(Codespace, k.kv(ctx), &g, func(key, value []byte) error {
		switch key[0] {
		case prefixParams:
			g.Params = &Params{}
			return store.DecodeExact(value, g.Params)
		case prefixCounters:
			g.Counters = &Counters{}
			return store.DecodeExact(value, g.Counters)
		case prefixSchema:
			return appendExact(&g.Schemas, value)
		case prefixAccreditation:
			return appendExact(&g.Accreditations, value)
		case prefixVerifier:
			return appendExact(&g.Verifiers, value)
		case prefixList:
			var l GenesisList
			if err := store.DecodeExact(value, &l.StatusList); err != nil {
				return err
			}
			g.Lists = append(g.Lists, l)
		case prefixChunk:
			// The lists (0x06) come before their chunks (0x07), which
			// follow each other in chunk order.
			if len(key) < 1+tx.AddressLen+1+1+4 || key[len(key)-5] != 0x00 {
				return fmt.Errorf("a chunk key of %d bytes", len(key))
			}
			var owner tx.Address
			copy(owner[:], key[1:])
			name := string(key[1+tx.AddressLen : len(key)-5])
			l := listOf(&g, owner, name)
			if l == nil {
				return fmt.Errorf("a chunk of %s, which is not a list", tx.StatusListID(owner, name))
			}
			l.Chunks = append(l.Chunks, GenesisChunk{Index: binary.BigEndian.Uint32(key[len(key)-4:]), Bits: bytes.Clone(value)})
		case prefixAnchor:
			return appendExact(&g.Anchors, value)
		case prefixClaim:
			// index: rebuilt by InitGenesis (App.Export checks the rebuild)
		default:
			return module.ErrUnknownKey
		}
		return nil
	}, func() error { return checkState(&g) })
}

// appendExact decodes value as a new last element of *list, failing
// unless it encodes back to the same bytes.
func appendExact[T any](list *[]T, value []byte) error {
	var v T
	if err := store.DecodeExact(value, &v); err != nil {
		return err
	}
	*list = append(*list, v)
	return nil
}
