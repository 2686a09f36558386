package verify

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// Online reads the chain through a node (chain/client). Head pins the
// latest committed height H; every read of the check that follows is of
// the state at H. With Prove, every read (absence included: a status chunk never
// set, a revocation never made, a pseudonym never barred) is proven
// against the header of block H+1, which CometBFT's light client verified
// from the client's trust root (client.SetTrust), and the block time of H
// is taken from a header chained to it; a node that lies fails the read
// (client.ErrNotVerified), it never makes a check pass.
//
// An Online source serves one check at a time.
type Online struct {
	Client *client.Client
	// Prove verifies every read against the trust root; the client must
	// hold one (client.SetTrust).
	Prove bool
	// MaxAge, when positive, refuses a node whose latest block is older
	// than this at the reader's clock (a stalled chain: snapshot_too_old).
	MaxAge time.Duration

	mu   sync.Mutex
	head Head
	// Verification is the proof of the last Head, with Prove.
	last *client.Verification
}

var _ Source = (*Online)(nil)

// NewOnline reads through c; prove verifies every read against c's trust
// root.
func NewOnline(c *client.Client, prove bool) *Online { return &Online{Client: c, Prove: prove} }

// Head pins the state read next, and its block time: the application's
// latest committed height H, so that a transaction is seen from its own
// block on. With Prove the reads wait for block H+1, whose header carries
// H's app hash (at most one block interval).
func (o *Online) Head(ctx context.Context, now time.Time) (Head, error) {
	c := o.Client
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return Head{}, err
	}
	// The application's latest committed state answers a read at height
	// 0 (the node's block store may be a block ahead of it): a read of
	// the zero account, absent, proven with Prove.
	_, res, err := c.AccountState(ctx, tx.Address{}, client.ReadOpts{Prove: o.Prove})
	if err != nil {
		return Head{}, err
	}
	h := res.Height
	hdr, err := c.RPC().Header(ctx, &h)
	if err != nil {
		return Head{}, fmt.Errorf("header %d: %w", h, err)
	}
	head := Head{ChainID: chainID, Height: h, Time: hdr.Header.Time}
	var ver *client.Verification
	if o.Prove {
		// Verify the read at h, then check that the verified header h+1
		// names header h as its parent: h's time is then the chain's.
		if ver, err = o.verify(ctx, res, h); err != nil {
			return Head{}, err
		}
		next := h + 1
		nh, err := c.RPC().Header(ctx, &next)
		if err != nil {
			return Head{}, fmt.Errorf("header %d: %w", next, err)
		}
		if !bytes.Equal(nh.Header.Hash(), ver.HeaderHash) || !bytes.Equal(nh.Header.LastBlockID.Hash, hdr.Header.Hash()) {
			return Head{}, fmt.Errorf("%w: header %d from the node is not the parent of the verified header %d (hash %X)",
				client.ErrNotVerified, h, next, ver.HeaderHash)
		}
	}
	o.mu.Lock()
	o.head, o.last = head, ver
	o.mu.Unlock()
	return head, checkAge(head, now, o.MaxAge)
}

// Verification is the proof the last Head was verified with (nil without
// Prove).
func (o *Online) Verification() *client.Verification {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last
}

// opts are the read options at the pinned height.
func (o *Online) opts() client.ReadOpts {
	o.mu.Lock()
	defer o.mu.Unlock()
	return client.ReadOpts{Height: o.head.Height, Prove: o.Prove}
}

// verify checks a read's height and, with Prove, its proof.
func (o *Online) verify(ctx context.Context, res *client.QueryResult, height int64) (*client.Verification, error) {
	if height != 0 && res.Height != height {
		return nil, fmt.Errorf("%w: %s %s answered at height %d, asked at %d", client.ErrMismatch, res.Path, res.Data, res.Height, height)
	}
	if !o.Prove {
		return nil, nil
	}
	ver, err := o.Client.Verify(ctx, res)
	if err != nil {
		return nil, fmt.Errorf("%w: %s %s: %w", client.ErrNotVerified, res.Path, res.Data, err)
	}
	return ver, nil
}

// read runs one provable typed query at the pinned height and verifies
// it.
func read[T any](ctx context.Context, o *Online, q func(client.ReadOpts) (T, *client.QueryResult, error)) (T, error) {
	opts := o.opts()
	v, res, err := q(opts)
	if err != nil {
		var zero T
		return zero, err
	}
	if _, err := o.verify(ctx, res, opts.Height); err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// Accreditation implements Source.
func (o *Online) Accreditation(ctx context.Context, issuer tx.Address, schema string) (*tx.Accreditation, error) {
	return read(ctx, o, func(r client.ReadOpts) (*tx.Accreditation, *client.QueryResult, error) {
		return o.Client.CredentialAccreditation(ctx, issuer, schema, r)
	})
}

// CredentialAnchor implements Source.
func (o *Online) CredentialAnchor(ctx context.Context, id uint64) (*tx.CredentialAnchor, error) {
	return read(ctx, o, func(r client.ReadOpts) (*tx.CredentialAnchor, *client.QueryResult, error) {
		return o.Client.CredentialAnchor(ctx, id, r)
	})
}

// StatusList implements Source.
func (o *Online) StatusList(ctx context.Context, list string) (*tx.StatusList, error) {
	return read(ctx, o, func(r client.ReadOpts) (*tx.StatusList, *client.QueryResult, error) {
		return o.Client.StatusList(ctx, list, r)
	})
}

// StatusBit implements Source: the bit's chunk is read (and proven,
// absent or present).
func (o *Online) StatusBit(ctx context.Context, list string, idx uint32) (bool, error) {
	return read(ctx, o, func(r client.ReadOpts) (bool, *client.QueryResult, error) {
		return o.Client.StatusBit(ctx, list, idx, r)
	})
}

// Verifier implements Source.
func (o *Online) Verifier(ctx context.Context, id string) (*tx.Verifier, error) {
	return read(ctx, o, func(r client.ReadOpts) (*tx.Verifier, *client.QueryResult, error) {
		return o.Client.CredentialVerifier(ctx, id, r)
	})
}

// CertificateAnchor implements Source.
func (o *Online) CertificateAnchor(ctx context.Context, id uint64) (*tx.CertificateAnchor, error) {
	return read(ctx, o, func(r client.ReadOpts) (*tx.CertificateAnchor, *client.QueryResult, error) {
		return o.Client.CertificateAnchor(ctx, id, r)
	})
}

// Agency implements Source.
func (o *Online) Agency(ctx context.Context, addr tx.Address) (*tx.Agency, error) {
	return read(ctx, o, func(r client.ReadOpts) (*tx.Agency, *client.QueryResult, error) {
		return o.Client.CertificateAgency(ctx, addr, r)
	})
}

// AgencyKey implements Source.
func (o *Online) AgencyKey(ctx context.Context, key tx.PubKey) (*tx.AgencyKey, error) {
	return read(ctx, o, func(r client.ReadOpts) (*tx.AgencyKey, *client.QueryResult, error) {
		return o.Client.AgencyKey(ctx, key, r)
	})
}

// Revocation implements Source: proven absent, with Prove, when the
// certificate has no revocation of its own.
func (o *Online) Revocation(ctx context.Context, leaf tx.Hash32) (*tx.Revocation, error) {
	return read(ctx, o, func(r client.ReadOpts) (*tx.Revocation, *client.QueryResult, error) {
		return o.Client.CertificateRevocation(ctx, leaf, r)
	})
}

// Facility implements Source.
func (o *Online) Facility(ctx context.Context, id string) (*tx.Facility, error) {
	return read(ctx, o, func(r client.ReadOpts) (*tx.Facility, *client.QueryResult, error) {
		return o.Client.Facility(ctx, id, r)
	})
}

// Bar implements Source: proven absent, with Prove, when the pseudonym
// was never barred.
func (o *Online) Bar(ctx context.Context, facility string, pseudonym tx.Hash32) (*tx.Bar, error) {
	return read(ctx, o, func(r client.ReadOpts) (*tx.Bar, *client.QueryResult, error) {
		return o.Client.Barred(ctx, facility, pseudonym, r)
	})
}
