package certificates

import (
	"encoding/binary"
	"math"
	"strconv"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Query implements module.Module. Paths (see README):
//
//	params                                        -> tx.CertificateParams (the defaults when the genesis set none)
//	kind        data: kind id                     -> tx.CertificateKind, provable
//	kinds       data: tx.PageRequest JSON or ""   -> tx.CertificateKindPage, after a kind id
//	agency      data: address (hex)               -> tx.Agency (status, kinds, keys), provable
//	key         data: ed25519 public key (hex)    -> tx.AgencyKey, provable
//	anchor      data: id (decimal)                -> tx.CertificateAnchor, provable
//	anchors     data: tx.CertificateAnchorsRequest JSON or "" -> tx.CertificateAnchorPage, after an anchor id
//	revocation  data: leaf (64 hex)               -> tx.Revocation, provable present or absent
//	stats                                         -> tx.CertificateStats
func (k *Keeper) Query(q *module.Query) (*module.QueryResult, error) {
	kv := q.Store(k.prefix)
	full := func(key []byte) *module.QueryResult {
		return &module.QueryResult{Key: append([]byte{k.prefix}, key...)}
	}
	switch q.Path {
	case "params":
		return module.JSON(params(kv))
	case "kind":
		if err := tx.ValidateCertificateKindID(string(q.Data)); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return full(kindKey(string(q.Data))), nil
	case "kinds":
		var req tx.PageRequest
		if _, err := q.ListRequest(&req, "kinds"); err != nil {
			return nil, err
		}
		limit, err := module.ListLimit(req)
		if err != nil {
			return nil, err
		}
		start := []byte{prefixKind}
		if req.After != "" {
			if err := tx.ValidateCertificateKindID(req.After); err != nil {
				return nil, module.ErrBadQuery.Wrapf("after: %v", err)
			}
			start = module.After([]byte{prefixKind}, []byte(req.After))
		}
		page := tx.CertificateKindPage{Kinds: []tx.CertificateKind{}}
		next := module.EachPage(kv, []byte{prefixKind}, start, store.PrefixEnd([]byte{prefixKind}), limit, func(_, v []byte) bool {
			var kd Kind
			store.DecodeJSON(v, &kd)
			page.Kinds = append(page.Kinds, kd)
			return true
		})
		page.Next = string(next)
		return module.JSON(page)
	case "agency":
		a, err := tx.ParseAddress(string(q.Data))
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return full(agencyKey(a)), nil
	case "key":
		pub, err := tx.ParsePubKey(string(q.Data))
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		return full(keyKey(pub)), nil
	case "anchor":
		id, err := anchorID("anchor id", string(q.Data))
		if err != nil {
			return nil, err
		}
		return full(anchorKey(id)), nil
	case "anchors":
		var req tx.CertificateAnchorsRequest
		if _, err := q.ListRequest(&req, "anchors"); err != nil {
			return nil, err
		}
		return k.anchors(kv, req)
	case "revocation":
		leaf, err := tx.ParseHash32(string(q.Data))
		if err != nil {
			return nil, module.ErrBadQuery.Wrapf("leaf: %v", err)
		}
		return full(revocationKey(leaf)), nil
	case "stats":
		return module.JSON(counters(kv))
	}
	return nil, module.ErrUnknownQuery.Wrapf("certificates/%s", q.Path)
}

// anchorID parses an anchor id: a decimal number from 1.
func anchorID(field, s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, module.ErrBadQuery.Wrapf("%s %q: want a decimal number from 1", field, s)
	}
	return n, nil
}

// anchors answers a page of anchors in id order, all of them or a kind's
// (through the kind's index).
func (k *Keeper) anchors(kv store.KV, req tx.CertificateAnchorsRequest) (*module.QueryResult, error) {
	limit, err := module.ListLimit(req.PageRequest)
	if err != nil {
		return nil, err
	}
	var after uint64
	if req.After != "" {
		if after, err = anchorID("after", req.After); err != nil {
			return nil, err
		}
	}
	page := tx.CertificateAnchorPage{Anchors: []tx.CertificateAnchor{}}
	if after == math.MaxUint64 {
		return module.JSON(page)
	}
	var next []byte
	if req.Kind == "" {
		pfx := []byte{prefixAnchor}
		next = module.EachPage(kv, pfx, anchorKey(after+1), store.PrefixEnd(pfx), limit, func(_, v []byte) bool {
			var a Anchor
			store.DecodeJSON(v, &a)
			page.Anchors = append(page.Anchors, a)
			return true
		})
	} else {
		if err := tx.ValidateCertificateKindID(req.Kind); err != nil {
			return nil, module.ErrBadQuery.Wrapf("%v", err)
		}
		pfx := kindAnchorPrefix(req.Kind)
		next = module.EachPage(kv, pfx, kindAnchorKey(req.Kind, after+1), store.PrefixEnd(pfx), limit, func(key, _ []byte) bool {
			if a := k.anchor(kv, binary.BigEndian.Uint64(key[len(pfx):])); a != nil {
				page.Anchors = append(page.Anchors, *a)
				return true
			}
			return false
		})
	}
	if next != nil {
		page.Next = strconv.FormatUint(binary.BigEndian.Uint64(next), 10)
	}
	return module.JSON(page)
}
