package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
)

type queryFlags struct {
	prove   bool
	height  int64
	timeout time.Duration
}

// found renders a decoded state value; an absent one is an error naming
// what was asked for, unless its absence is being proven (--prove).
func (f *queryFlags) found(what string, ok bool, v any, res *client.QueryResult, err error) (any, *client.QueryResult, error) {
	switch {
	case err != nil:
		return nil, nil, err
	case !ok && !f.prove:
		return nil, nil, fmt.Errorf("%s: %w (prove its absence with --prove)", what, client.ErrNotFound)
	case !ok:
		return nil, res, nil
	}
	return v, res, nil
}

// computed refuses --prove on an answer the node computes from many state
// keys (a page, a count): it has no single proof; hint says what to prove
// instead.
func (f *queryFlags) computed(what, hint string) error {
	if f.prove {
		return fmt.Errorf("--prove: %s is computed by the node from many state keys and has no proof; %s", what, hint)
	}
	return nil
}

// stateRead reads one state key through one of the client's typed queries,
// with the height and --prove of o, and returns what to print of it (see
// raw and decoded) and the read it came from.
type stateRead func(ctx context.Context, c *client.Client, o client.ReadOpts) (view any, res *client.QueryResult, err error)

// raw is the view of a stored value the chain wrote as JSON: the value as
// it is, null when absent.
func raw(v json.RawMessage, res *client.QueryResult, err error) (any, *client.QueryResult, error) {
	if err != nil || v == nil {
		return nil, res, err
	}
	return v, res, nil
}

// decoded is the view of a stored record decoded by a typed query: the
// record, null when absent.
func decoded[T any](v *T, res *client.QueryResult, err error) (any, *client.QueryResult, error) {
	if err != nil || v == nil {
		return nil, res, err
	}
	return v, res, nil
}

// state prints a read of one state key. With --prove the proof is verified
// against the header of the next block, which the light client verified
// from the trust root (--trust-genesis, or --trust-height and --trust-hash).
func (g *globals) state(ctx context.Context, f *queryFlags, read stateRead) error {
	newClient := func() (*client.Client, error) { return client.New(g.node) }
	if f.prove {
		newClient = g.provingClient
	}
	c, err := newClient()
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	view, res, err := read(ctx, c, client.ReadOpts{Height: f.height, Prove: f.prove})
	if err != nil {
		return err
	}
	out := map[string]any{"height": res.Height, "result": view}
	var ver *client.Verification
	if f.prove {
		if ver, err = c.Verify(ctx, res); err != nil {
			return fmt.Errorf("%w: %w", client.ErrNotVerified, err)
		}
		out["proof"] = proofJSON(ver)
	}
	if g.output == "json" {
		return g.printJSON(out)
	}
	b, _ := json.MarshalIndent(view, "", "  ")
	fmt.Fprintf(g.out, "%s\n(state at height %d)\n", b, res.Height)
	if ver != nil {
		fmt.Fprintf(g.out, "proof verified: key %X %s at height %d against app hash %X in header %d, signed by %d of %d voting power\n",
			res.Key, map[bool]string{true: "holds this value", false: "is absent"}[res.Found()], res.Height, ver.AppHash, ver.HeaderHeight, ver.SignedPower, ver.TotalPower)
		fmt.Fprint(g.out, trustLine(ver))
	}
	return nil
}

// answer prints the JSON answer of one of the client's typed queries as
// the node wrote it, through a generic JSON value (objects print with
// their keys sorted).
func (g *globals) answer(ctx context.Context, f *queryFlags, read func(ctx context.Context, c *client.Client) (any, error)) error {
	c, err := client.New(g.node)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	a, err := read(ctx, c)
	if err != nil {
		return err
	}
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	return g.printJSON(v)
}

func newQueryCmd(g *globals) *cobra.Command {
	f := &queryFlags{}
	cmd := &cobra.Command{Use: "query", Aliases: []string{"q"}, Short: "Read chain state (with --prove, verified from a trust root you hold)",
		Long: `query reads chain state from --node. With --prove the answer's Merkle proof is
checked against the app hash in the next block's header, and that header is
verified by CometBFT's light client from a trust root you hold, not from what
the node says: --trust-genesis FILE (the chain's genesis file) or
--trust-height H --trust-hash HASH (a header you trust), following every
validator-set change since. The output says what was trusted; it prints the
verified header's height and hash, which you may trust next time.`}
	cmd.PersistentFlags().BoolVar(&f.prove, "prove", false, "fetch a Merkle proof and verify it against the next block's header, verified from the trust root (--trust-genesis or --trust-height/--trust-hash)")
	cmd.PersistentFlags().Int64Var(&f.height, "height", 0, "state height to read (0: latest)")
	cmd.PersistentFlags().DurationVar(&f.timeout, "timeout", 30*time.Second, "how long to wait for the node")

	for _, m := range cliModules() {
		if m.query != nil {
			cmd.AddCommand(m.query(g, f)...)
		}
	}
	return g.outputFlag(cmd)
}
