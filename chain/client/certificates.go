package client

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/citychain/citychain/chain/tx"
)

// Typed queries of the certificates module (see read.go), decoded into the
// chain's types from chain/tx. The provable reads return nil for an absent
// record with the *QueryResult, whose proof (with ReadOpts.Prove) proves
// the absence: a verifier proves "not revoked" with CertificateRevocation.

// CertificateParams reads the certificates parameters
// (/certificates/params; the defaults when the chain stores none).
func (c *Client) CertificateParams(ctx context.Context, height int64) (*tx.CertificateParams, error) {
	p, err := answer[tx.CertificateParams](ctx, c, "/certificates/params", nil, height)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// CertificateKind reads a certificate kind (/certificates/kind); nil when
// not registered.
func (c *Client) CertificateKind(ctx context.Context, id string, o ReadOpts) (*tx.CertificateKind, *QueryResult, error) {
	return readJSON[tx.CertificateKind](ctx, c, "/certificates/kind", []byte(id), o)
}

// CertificateKinds is a page of kinds in id order (/certificates/kinds).
func (c *Client) CertificateKinds(ctx context.Context, req tx.PageRequest, height int64) (*tx.CertificateKindPage, error) {
	p, err := answer[tx.CertificateKindPage](ctx, c, "/certificates/kinds", requestJSON(req), height)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// CertificateAgency reads an issuing agency: its status, kinds and keys
// (/certificates/agency); nil when no kind names it.
func (c *Client) CertificateAgency(ctx context.Context, addr tx.Address, o ReadOpts) (*tx.Agency, *QueryResult, error) {
	return readJSON[tx.Agency](ctx, c, "/certificates/agency", []byte(addr.String()), o)
}

// AgencyKey reads an agency's issuing key with its history
// (/certificates/key); nil when no agency added it.
func (c *Client) AgencyKey(ctx context.Context, key tx.PubKey, o ReadOpts) (*tx.AgencyKey, *QueryResult, error) {
	return readJSON[tx.AgencyKey](ctx, c, "/certificates/key", []byte(key.String()), o)
}

// CertificateAnchor reads an issuance anchor (/certificates/anchor); nil
// when there is none with that id.
func (c *Client) CertificateAnchor(ctx context.Context, id uint64, o ReadOpts) (*tx.CertificateAnchor, *QueryResult, error) {
	return readJSON[tx.CertificateAnchor](ctx, c, "/certificates/anchor", []byte(strconv.FormatUint(id, 10)), o)
}

// CertificateAnchors is a page of anchors in id order, all or a kind's
// (/certificates/anchors).
func (c *Client) CertificateAnchors(ctx context.Context, req tx.CertificateAnchorsRequest, height int64) (*tx.CertificateAnchorPage, error) {
	p, err := answer[tx.CertificateAnchorPage](ctx, c, "/certificates/anchors", requestJSON(req), height)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// CertificateRevocation reads the revocation of a certificate's leaf
// (/certificates/revocation); nil when it is not revoked, and with
// ReadOpts.Prove the result carries the proof of that absence.
func (c *Client) CertificateRevocation(ctx context.Context, leaf tx.Hash32, o ReadOpts) (*tx.Revocation, *QueryResult, error) {
	return readJSON[tx.Revocation](ctx, c, "/certificates/revocation", []byte(leaf.String()), o)
}

// CertificateStats are the certificates module's counts
// (/certificates/stats).
func (c *Client) CertificateStats(ctx context.Context, height int64) (*tx.CertificateStats, error) {
	s, err := answer[tx.CertificateStats](ctx, c, "/certificates/stats", nil, height)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// CertificateRecords are the chain records a certificate's verdict
// depends on (tx.CertificateVerdict), read at one height: its anchor, the
// anchor's key and agency, and its leaf's revocation (nil: none). Results
// are the four reads in that order; with proofs, Verifications are their
// checks against headers verified from the trust root.
type CertificateRecords struct {
	Height        int64
	Anchor        tx.CertificateAnchor
	Key           tx.AgencyKey
	Agency        tx.Agency
	Revocation    *tx.Revocation
	Results       []*QueryResult
	Verifications []*Verification
}

// Verdict is tx.CertificateVerdict on the records at now.
func (r *CertificateRecords) Verdict(now time.Time) (verdict, reason string) {
	return tx.CertificateVerdict(r.Anchor, r.Key, r.Agency, r.Revocation, now)
}

// CertificateRecords reads the records deciding the status of the
// certificate with leaf in anchor, all at one height (o.Height, or the
// latest: the anchor's read fixes it). With o.Prove each read is proven
// and verified from the trust root (Verify), the revocation's absence
// included. An anchor that does not exist, or whose key or agency is
// missing, is ErrNotFound. Proving the leaf in the anchor (its index and
// path) is the caller's: tx.VerifyMerklePath with the anchor's root and
// count.
func (c *Client) CertificateRecords(ctx context.Context, anchor uint64, leaf tx.Hash32, o ReadOpts) (*CertificateRecords, error) {
	a, res, err := c.CertificateAnchor(ctx, anchor, o)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, fmt.Errorf("%w: certificate anchor %d (at height %d)", ErrNotFound, anchor, res.Height)
	}
	r := &CertificateRecords{Height: res.Height, Anchor: *a, Results: []*QueryResult{res}}
	at := ReadOpts{Height: res.Height, Prove: o.Prove}
	k, kres, err := c.AgencyKey(ctx, a.Key, at)
	if err != nil {
		return nil, err
	}
	ag, ares, err := c.CertificateAgency(ctx, a.Agency, at)
	if err != nil {
		return nil, err
	}
	if k == nil || ag == nil {
		return nil, fmt.Errorf("%w: anchor %d's key %s or agency %s (at height %d)", ErrNotFound, anchor, a.Key, a.Agency, res.Height)
	}
	rev, rres, err := c.CertificateRevocation(ctx, leaf, at)
	if err != nil {
		return nil, err
	}
	r.Key, r.Agency, r.Revocation = *k, *ag, rev
	r.Results = append(r.Results, kres, ares, rres)
	if o.Prove {
		for _, q := range r.Results {
			v, err := c.Verify(ctx, q)
			if err != nil {
				return nil, fmt.Errorf("%w: %s %s: %w", ErrNotVerified, q.Path, q.Data, err)
			}
			r.Verifications = append(r.Verifications, v)
		}
	}
	return r, nil
}
