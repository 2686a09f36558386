package verify

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// SnapshotOptions say what a snapshot holds beyond what every check
// needs (accreditations, credentials anchors and verifiers, all of them).
type SnapshotOptions struct {
	// Facilities are the facilities whose records and bars it holds (a
	// reader's own).
	Facilities []string
	// Lists are the status lists whose whole bitstrings it holds; empty:
	// every list on the chain.
	Lists []string
}

// FetchSnapshot reads a snapshot through o at one height (o.Head at now):
// the lists, accreditations, anchors, verifiers and facilities (with their
// bars). Lists are read chunk by chunk. With o.Prove every record and
// chunk stored is proven against the trust root (the lists of records are
// read page by page, which the chain does not prove: a node could leave a
// record out, never alter one).
func FetchSnapshot(ctx context.Context, o *Online, opts SnapshotOptions, now time.Time) (*Snapshot, error) {
	head, err := o.Head(ctx, now)
	if err != nil {
		return nil, err
	}
	c, h := o.Client, head.Height
	s := &Snapshot{Format: SnapshotFormat, At: head, Proven: o.Prove}
	if ver := o.Verification(); ver != nil {
		s.TrustRoot = ver.Trusted.String()
	}

	// Accreditations, anchors and verifiers: every one, page by page.
	if _, err := client.AllPages(ctx, h, func(ctx context.Context, after string, height int64) (string, int64, error) {
		p, at, err := c.CredentialAccreditations(ctx, tx.AccreditationsRequest{PageRequest: tx.PageRequest{After: after}}, height)
		if err != nil {
			return "", 0, err
		}
		for _, a := range p.Accreditations {
			if o.Prove {
				pa, err := o.Accreditation(ctx, a.Issuer, a.Schema)
				if err != nil {
					return "", 0, err
				}
				if pa == nil {
					return "", 0, fmt.Errorf("%w: accreditation of %s for %q listed at height %d is absent from the proven state", client.ErrMismatch, a.Issuer, a.Schema, h)
				}
				a = *pa
			}
			s.Accreditations = append(s.Accreditations, a)
		}
		return p.Next, at, nil
	}); err != nil {
		return nil, fmt.Errorf("snapshot accreditations: %w", err)
	}
	if _, err := client.AllPages(ctx, h, func(ctx context.Context, after string, height int64) (string, int64, error) {
		p, at, err := c.CredentialAnchors(ctx, tx.PageRequest{After: after}, height)
		if err != nil {
			return "", 0, err
		}
		for _, a := range p.Anchors {
			if o.Prove {
				pa, err := o.CredentialAnchor(ctx, a.ID)
				if err != nil {
					return "", 0, err
				}
				if pa == nil {
					return "", 0, fmt.Errorf("%w: anchor %d listed at height %d is absent from the proven state", client.ErrMismatch, a.ID, h)
				}
				a = *pa
			}
			s.CredentialAnchors = append(s.CredentialAnchors, a)
		}
		return p.Next, at, nil
	}); err != nil {
		return nil, fmt.Errorf("snapshot anchors: %w", err)
	}
	if _, err := client.AllPages(ctx, h, func(ctx context.Context, after string, height int64) (string, int64, error) {
		p, at, err := c.CredentialVerifiers(ctx, tx.PageRequest{After: after}, height)
		if err != nil {
			return "", 0, err
		}
		for _, v := range p.Verifiers {
			if o.Prove {
				pv, err := o.Verifier(ctx, v.ID)
				if err != nil {
					return "", 0, err
				}
				if pv == nil {
					return "", 0, fmt.Errorf("%w: verifier %q listed at height %d is absent from the proven state", client.ErrMismatch, v.ID, h)
				}
				v = *pv
			}
			s.Verifiers = append(s.Verifiers, v)
		}
		return p.Next, at, nil
	}); err != nil {
		return nil, fmt.Errorf("snapshot verifiers: %w", err)
	}

	// Status lists: the ones asked for, or all.
	var lists []tx.StatusList
	if len(opts.Lists) == 0 {
		if _, err := client.AllPages(ctx, h, func(ctx context.Context, after string, height int64) (string, int64, error) {
			p, at, err := c.StatusLists(ctx, tx.StatusListsRequest{PageRequest: tx.PageRequest{After: after}}, height)
			if err != nil {
				return "", 0, err
			}
			lists = append(lists, p.Lists...)
			return p.Next, at, nil
		}); err != nil {
			return nil, fmt.Errorf("snapshot lists: %w", err)
		}
	} else {
		for _, id := range opts.Lists {
			if _, _, err := tx.ParseStatusListID(id); err != nil {
				return nil, err
			}
			if slices.ContainsFunc(lists, func(l tx.StatusList) bool { return l.ID == id }) {
				continue
			}
			lists = append(lists, tx.StatusList{ID: id})
		}
	}
	for _, l := range lists {
		sl, err := fetchList(ctx, o, l.ID)
		if err != nil {
			return nil, err
		}
		s.Lists = append(s.Lists, *sl)
	}

	// Facilities and their bars.
	for _, id := range opts.Facilities {
		f, err := o.Facility(ctx, id)
		if err != nil {
			return nil, err
		}
		if f == nil {
			return nil, fmt.Errorf("snapshot: facility %q is not registered at height %d", id, h)
		}
		sf := SnapshotFacility{Facility: *f, Bars: []tx.Bar{}}
		if _, err := client.AllPages(ctx, h, func(ctx context.Context, after string, height int64) (string, int64, error) {
			p, at, err := c.Bars(ctx, tx.BarsRequest{Facility: id, PageRequest: tx.PageRequest{After: after}}, height)
			if err != nil {
				return "", 0, err
			}
			for _, b := range p.Bars {
				if o.Prove {
					pb, err := o.Bar(ctx, id, b.Pseudonym)
					if err != nil {
						return "", 0, err
					}
					if pb == nil {
						return "", 0, fmt.Errorf("%w: bar of %s at %q listed at height %d is absent from the proven state", client.ErrMismatch, b.Pseudonym, id, h)
					}
					b = *pb
				}
				sf.Bars = append(sf.Bars, b)
			}
			return p.Next, at, nil
		}); err != nil {
			return nil, fmt.Errorf("snapshot bars of %q: %w", id, err)
		}
		s.Facilities = append(s.Facilities, sf)
	}
	if err := s.Index(); err != nil {
		return nil, err
	}
	return s, nil
}

// fetchList reads a list's metadata and every chunk of its bits at the
// pinned height.
func fetchList(ctx context.Context, o *Online, id string) (*SnapshotList, error) {
	l, err := o.StatusList(ctx, id)
	if err != nil {
		return nil, err
	}
	if l == nil {
		return nil, fmt.Errorf("snapshot: status list %q does not exist", id)
	}
	bits := make([]byte, 0, l.Size/8)
	for i := range l.Size / tx.StatusChunkBits {
		chunk, err := read(ctx, o, func(r client.ReadOpts) ([]byte, *client.QueryResult, error) {
			return o.Client.StatusChunk(ctx, id, i, r)
		})
		if err != nil {
			return nil, fmt.Errorf("snapshot: chunk %d of list %q: %w", i, id, err)
		}
		bits = append(bits, chunk...)
	}
	return &SnapshotList{StatusList: *l, Bits: bits}, nil
}
