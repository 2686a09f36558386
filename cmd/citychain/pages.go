package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// pageFlags are the paging flags of a list query (tx.PageRequest): one
// page (--limit, --after the previous page's next), or --all pages.
type pageFlags struct {
	limit uint64
	after string
	all   bool
}

// register adds --limit, --after and --all to cmd; after says what the
// cursor is.
func (p *pageFlags) register(cmd *cobra.Command, after string) {
	f := cmd.Flags()
	f.Uint64Var(&p.limit, "limit", 0, fmt.Sprintf("items per page (0: %d, at most %d)", tx.DefaultListLimit, tx.MaxListLimit))
	f.StringVar(&p.after, "after", "", "start after this cursor: the \"next\" of the previous page ("+after+")")
	f.BoolVar(&p.all, "all", false, "follow every page to the end of the list, all read at one height, and print the whole list")
	cmd.MarkFlagsMutuallyExclusive("after", "all")
}

// each reads the page the flags ask for, or with --all every page from the
// first at one height (the --height of f, 0: the latest when the first is
// read). read reads the page of pr at height, keeps its items and returns
// its next cursor and the height it was read at.
func (p *pageFlags) each(ctx context.Context, f *queryFlags, read func(ctx context.Context, pr tx.PageRequest, height int64) (next string, at int64, err error)) error {
	if p.limit > tx.MaxListLimit {
		return fmt.Errorf("--limit %d: want at most %d", p.limit, tx.MaxListLimit)
	}
	if !p.all {
		_, _, err := read(ctx, tx.PageRequest{After: p.after, Limit: p.limit}, f.height)
		return err
	}
	_, err := client.AllPages(ctx, f.height, func(ctx context.Context, after string, height int64) (string, int64, error) {
		return read(ctx, tx.PageRequest{After: after, Limit: p.limit}, height)
	})
	return err
}
