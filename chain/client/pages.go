package client

import (
	"context"
	"fmt"
	"strconv"
)

// Paged lists. The list queries that grow without bound (/devices/by_owner
// and the market's orders, trades, book and settlements) answer one page at
// a time (tx.PageRequest): a typed query reads one page and records the
// height it was read at; AllPages follows the pages from the first to the
// last at one height, so a whole list is one consistent state.

// pageAnswer runs a list query at height and decodes its page into a new
// T; it returns the height the node answered at.
func pageAnswer[T any](ctx context.Context, c *Client, path string, data []byte, height int64) (*T, int64, error) {
	v := new(T)
	res, err := c.queryJSON(ctx, path, data, height, v)
	if err != nil {
		return nil, 0, err
	}
	return v, res.Height, nil
}

// AllPages reads a list page by page: read reads the page after the cursor
// after ("": the first) at height and returns its next cursor ("" on the
// last page) and the height it was read at. The first page is read at
// height (0: the latest) and every later page at the first page's height;
// AllPages returns that height. A node that answers the same cursor twice
// in a row, or another height, is an ErrMismatch.
func AllPages(ctx context.Context, height int64, read func(ctx context.Context, after string, height int64) (next string, at int64, err error)) (int64, error) {
	after := ""
	for {
		next, at, err := read(ctx, after, height)
		if err != nil {
			return 0, err
		}
		if height == 0 {
			height = at
		} else if at != height {
			return 0, fmt.Errorf("%w: page after %q answered at height %d, want %d", ErrMismatch, after, at, height)
		}
		if next == "" {
			return height, nil
		}
		if next == after {
			return 0, fmt.Errorf("%w: page after %q does not advance", ErrMismatch, after)
		}
		after = next
	}
}

// idPages is AllPages for a list whose cursor is a number (0: the first
// page, or no next page).
func idPages(ctx context.Context, height int64, read func(ctx context.Context, after uint64, height int64) (next uint64, at int64, err error)) (int64, error) {
	return AllPages(ctx, height, func(ctx context.Context, after string, h int64) (string, int64, error) {
		var n uint64
		if after != "" {
			var err error
			if n, err = strconv.ParseUint(after, 10, 64); err != nil {
				return "", 0, fmt.Errorf("page cursor %q: %w", after, err)
			}
		}
		next, at, err := read(ctx, n, h)
		if err != nil || next == 0 {
			return "", at, err
		}
		return strconv.FormatUint(next, 10), at, nil
	})
}
