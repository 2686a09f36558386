package settlement

import (
	"context"
	"errors"
	"fmt"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/settlement/internal/store"
	"github.com/citychain/citychain/settlement/merkle"
)

// StoreConfig locates the readings store (as in Config).
type StoreConfig struct {
	URL, Token, Org, Bucket, Measurement string
}

// ReadingProof is a stored reading with its RFC 6962 inclusion proof in the
// tree of its interval's stored readings.
type ReadingProof struct {
	Device   string        `json:"device"`
	Seq      uint64        `json:"seq"`
	TimeMs   int64         `json:"time_ms"`
	Value    uint64        `json:"value"`
	Interval uint64        `json:"interval"`
	Index    uint64        `json:"index"`
	Size     uint64        `json:"size"`
	Wire     tx.HexBytes   `json:"wire"`
	LeafHash tx.HexBytes   `json:"leaf_hash"`
	Root     tx.HexBytes   `json:"root"`
	Path     []tx.HexBytes `json:"path"`
}

// ErrNoReading reports a (device, seq) the store does not hold.
var ErrNoReading = errors.New("reading not stored")

// ProveReading reads (device, seq) and every reading of its interval from
// the store, rebuilds the interval's tree and returns the reading's proof.
// The proof is checked against the rebuilt root; compare Root and Size with
// the interval's anchor on chain.
func ProveReading(ctx context.Context, sc StoreConfig, intervalSeconds uint64, device string, seq uint64) (*ReadingProof, error) {
	if intervalSeconds == 0 {
		return nil, errors.New("prove reading: interval length 0")
	}
	st, err := store.New(store.Config{URL: sc.URL, Token: sc.Token, Org: sc.Org, Bucket: sc.Bucket, Measurement: sc.Measurement})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	ms, err := st.Find(ctx, device, seq)
	if err != nil {
		return nil, err
	}
	if ms < 0 {
		return nil, fmt.Errorf("device %s seq %d: %w", device, seq, ErrNoReading)
	}
	p := chainParams{IntervalSeconds: intervalSeconds}
	interval := p.interval(ms)
	rs, err := st.Range(ctx, p.start(interval), p.start(interval+1))
	if err != nil {
		return nil, err
	}
	leaves := make([]merkle.Leaf, len(rs))
	for i, r := range rs {
		leaves[i] = merkle.Leaf{Device: r.DeviceID, Seq: r.Seq, Wire: r.Wire}
	}
	tree := merkle.FromLeaves(leaves)
	for i, l := range leaves {
		if l.Device != device || l.Seq != seq {
			continue
		}
		path, err := tree.Proof(uint64(i))
		if err != nil {
			return nil, err
		}
		out := &ReadingProof{Device: device, Seq: seq, TimeMs: rs[0].TimeMs, Interval: interval, Index: uint64(i), Size: tree.Size(),
			Wire: l.Wire, LeafHash: merkle.LeafHash(l.Wire), Root: tree.Root()}
		for _, r := range rs {
			if r.DeviceID == device && r.Seq == seq {
				out.TimeMs, out.Value = r.TimeMs, r.Value
			}
		}
		for _, h := range path {
			out.Path = append(out.Path, h)
		}
		if err := merkle.VerifyInclusion(l.Wire, out.Index, out.Size, path, out.Root); err != nil {
			return nil, fmt.Errorf("prove reading: own proof does not verify: %w", err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("device %s seq %d: found at %d ms but not in interval %d: %w", device, seq, ms, interval, ErrNoReading)
}
