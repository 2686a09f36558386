package credentials

import (
	"bytes"
	"math/bits"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Status lists. A list's bits live in chunks of tx.StatusChunkBytes, one
// state key each, stored raw; an absent chunk is all zero (and a chunk
// that becomes all zero is deleted, so the state of a list is canonical).
// Creating a list writes its metadata only, and a status change reads and
// writes the chunks of its indices and the metadata: its cost does not
// depend on the list's size or how many credentials were issued.

var zeroChunk [tx.StatusChunkBytes]byte

func (k *Keeper) createList(ctx *module.Context, signer tx.Address, m *tx.MsgCredentialCreateList) error {
	kv := k.kv(ctx)
	if !k.auth.HasRole(ctx, signer, tx.RoleRegistrationOffice) && !accreditedForAny(kv, signer, ctx) {
		return ErrNotListCreator.Wrapf("%s holds no accreditation window containing %s and not the %s role",
			signer, ctx.Time.UTC().Format("2006-01-02T15:04:05Z"), tx.RoleRegistrationOffice)
	}
	if list(kv, signer, m.Name) != nil {
		return ErrListExists.Wrapf("%s", tx.StatusListID(signer, m.Name))
	}
	l := StatusList{ID: tx.StatusListID(signer, m.Name), Owner: signer, Name: m.Name, Purpose: m.Purpose,
		Size: m.Size, Height: ctx.Height, Time: ctx.Time.UTC()}
	putJSON(kv, listKey(signer, m.Name), &l)
	c := counters(kv)
	c.Lists++
	putJSON(kv, countersKey, &c)
	ctx.Emit("credentials.list_created", "list", l.ID, "owner", signer.String(), "purpose", l.Purpose, "size", module.U64(uint64(l.Size)))
	return nil
}

// accreditedForAny reports whether addr holds an accreditation window
// containing the block time, for any schema.
func accreditedForAny(kv store.KV, addr tx.Address, ctx *module.Context) bool {
	found := false
	store.EachPrefix(kv, accreditationPrefix(addr), func(_, v []byte) bool {
		var a Accreditation
		store.DecodeJSON(v, &a)
		found = a.ActiveAt(ctx.Time) != nil
		return !found
	})
	return found
}

func (k *Keeper) setStatus(ctx *module.Context, signer tx.Address, m *tx.MsgCredentialSetStatus) error {
	kv := k.kv(ctx)
	owner, name, err := tx.ParseStatusListID(m.List)
	if err != nil {
		return module.ErrInternal.Wrapf("%v", err) // ValidateBasic checked it
	}
	l := list(kv, owner, name)
	switch {
	case l == nil:
		return ErrUnknownList.Wrapf("%s", m.List)
	case owner != signer:
		return ErrNotListOwner.Wrapf("%s is owned by %s, not %s", m.List, owner, signer)
	case !m.Value && l.Purpose == tx.StatusRevocation:
		return ErrRevocationFinal.Wrapf("%s is a revocation list: value false is refused", m.List)
	}
	return k.setBits(ctx, kv, l, m.Indices, m.Value)
}

// SetCardStatus sets (on) or clears bit idx of the suspension list with
// id list, for the identity module (no signer check: the caller checked
// who may). The list must exist and be a suspension list. It emits
// credentials.status_set.
func (k *Keeper) SetCardStatus(ctx *module.Context, listID string, idx uint32, on bool) error {
	kv := k.kv(ctx)
	owner, name, err := tx.ParseStatusListID(listID)
	if err != nil {
		return ErrUnknownList.Wrapf("%v", err)
	}
	l := list(kv, owner, name)
	switch {
	case l == nil:
		return ErrUnknownList.Wrapf("%s", listID)
	case l.Purpose != tx.StatusSuspension:
		return ErrNotSuspension.Wrapf("%s is a %s list", listID, l.Purpose)
	}
	return k.setBits(ctx, kv, l, []uint32{idx}, on)
}

// Status reports whether bit idx of the list with id listID is set.
func (k *Keeper) Status(ctx *module.Context, listID string, idx uint32) (bool, error) {
	kv := k.kv(ctx)
	owner, name, err := tx.ParseStatusListID(listID)
	if err != nil {
		return false, ErrUnknownList.Wrapf("%v", err)
	}
	l := list(kv, owner, name)
	if l == nil {
		return false, ErrUnknownList.Wrapf("%s", listID)
	}
	if idx >= l.Size {
		return false, ErrIndexRange.Wrapf("index %d of %s: want below its size %d", idx, listID, l.Size)
	}
	return bitOf(kv, l, idx), nil
}

// bitOf reads bit idx of l: one chunk read.
func bitOf(kv store.KV, l *StatusList, idx uint32) bool {
	c, i, mask := tx.StatusBit(idx)
	b := kv.Get(chunkKey(l.Owner, l.Name, c))
	return b != nil && b[i]&mask != 0
}

// setBits sets or clears the bits of l at indices (distinct), refusing
// the whole change when one is out of range; it updates the list's and
// the module's counts of set bits and emits credentials.status_set with
// the number of bits that changed.
func (k *Keeper) setBits(ctx *module.Context, kv store.KV, l *StatusList, indices []uint32, value bool) error {
	for i, idx := range indices {
		if idx >= l.Size {
			return ErrIndexRange.Wrapf("indices[%d]: %d, want below the size %d of %s", i, idx, l.Size, l.ID)
		}
	}
	// The chunks touched, in order of first use (a slice, not map order,
	// decides the order of writes).
	var order []uint32
	chunks := map[uint32][]byte{} // lookups only
	var changed uint64
	for _, idx := range indices {
		c, i, mask := tx.StatusBit(idx)
		b, ok := chunks[c]
		if !ok {
			b = make([]byte, tx.StatusChunkBytes)
			if v := kv.Get(chunkKey(l.Owner, l.Name, c)); v != nil {
				copy(b, v)
			}
			chunks[c] = b
			order = append(order, c)
		}
		if (b[i]&mask != 0) != value {
			b[i] ^= mask
			changed++
		}
	}
	for _, c := range order {
		key := chunkKey(l.Owner, l.Name, c)
		if b := chunks[c]; bytes.Equal(b, zeroChunk[:]) {
			kv.Delete(key)
		} else {
			kv.Set(key, b)
		}
	}
	if changed > 0 {
		cnt := counters(kv)
		if value {
			l.Set += changed
			cnt.StatusSet += changed
		} else {
			l.Set -= changed
			cnt.StatusSet -= changed
		}
		putJSON(kv, listKey(l.Owner, l.Name), l)
		putJSON(kv, countersKey, &cnt)
	}
	v := "false"
	if value {
		v = "true"
	}
	ctx.Emit("credentials.status_set", "list", l.ID, "count", module.U64(uint64(len(indices))), "changed", module.U64(changed), "value", v)
	return nil
}

// popCount counts the set bits of a chunk.
func popCount(b []byte) uint64 {
	var n int
	for _, x := range b {
		n += bits.OnesCount8(x)
	}
	return uint64(n)
}
