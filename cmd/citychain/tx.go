package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

type txFlags struct {
	from    string
	memo    string
	timeout time.Duration
}

// submit signs msgs with the --from key, broadcasts them and waits for the
// block, printing the height and hash or the rejection's code and message.
// splitList splits a comma-separated flag value, trimming spaces and
// dropping empty parts; "" is an empty (not nil) list.
func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// submitForID is submit for a message that creates something the chain
// numbers: it also prints the id its event typ carries, as label ("anchor
// id", "transfer id"; in JSON the label with an underscore). hint says
// where to look when the events carry none.
func (g *globals) submitForID(ctx context.Context, f *txFlags, m tx.Msg, typ, label, hint string) error {
	res, err := g.broadcast(ctx, f, m)
	if err != nil {
		return err
	}
	id, err := res.ID(typ)
	if err != nil {
		return fmt.Errorf("%w (%s)", err, hint)
	}
	if g.output == "json" {
		return g.printJSON(map[string]any{"hash": res.Hash, "height": res.Height, "code": 0, strings.ReplaceAll(label, " ", "_"): id})
	}
	fmt.Fprintf(g.out, "committed at height %d\ntx hash %s\n%s %d\n", res.Height, res.Hash, label, id)
	return nil
}

func (g *globals) submit(ctx context.Context, f *txFlags, msgs ...tx.Msg) error {
	res, err := g.broadcast(ctx, f, msgs...)
	if err != nil {
		return err
	}
	if g.output == "json" {
		return g.printJSON(map[string]any{"hash": res.Hash, "height": res.Height, "code": 0})
	}
	fmt.Fprintf(g.out, "committed at height %d\ntx hash %s\n", res.Height, res.Hash)
	return nil
}

// broadcast signs msgs with --from, submits them and waits for their block;
// a transaction the chain rejected is printed (with -o json) and returned
// as an error.
func (g *globals) broadcast(ctx context.Context, f *txFlags, msgs ...tx.Msg) (*client.TxResult, error) {
	kr, err := g.keyring()
	if err != nil {
		return nil, err
	}
	if f.from == "" {
		return nil, errors.New("--from: name the key that signs")
	}
	key, err := kr.Get(f.from)
	if err != nil {
		return nil, err
	}
	c, err := client.New(g.node)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	res, err := c.Submit(ctx, key.Private, f.memo, msgs...)
	var te *client.TxError
	if errors.As(err, &te) && g.output == "json" {
		_ = g.printJSON(map[string]any{"hash": te.Hash, "height": te.Height, "codespace": te.Codespace, "code": te.Code, "log": te.Log})
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// resolve is a key name of the keyring or an address; what names the
// argument in the error.
func (g *globals) resolve(what, s string) (tx.Address, error) {
	kr, err := g.keyring()
	if err != nil {
		return tx.Address{}, err
	}
	a, err := kr.Resolve(s)
	if err != nil {
		return tx.Address{}, fmt.Errorf("%s: %w", what, err)
	}
	return a, nil
}

func (f *txFlags) register(cmd *cobra.Command) {
	cmd.PersistentFlags().StringVar(&f.from, "from", "", "name of the key that signs (in HOME/keys)")
	cmd.PersistentFlags().StringVar(&f.memo, "memo", "", "memo stored with the transaction")
	cmd.PersistentFlags().DurationVar(&f.timeout, "timeout", 30*time.Second, "how long to wait for inclusion")
}

func newTxCmd(g *globals) *cobra.Command {
	f := &txFlags{}
	cmd := &cobra.Command{Use: "tx", Short: "Sign, broadcast and wait for a transaction"}
	f.register(cmd)
	for _, m := range cliModules() {
		if m.tx != nil {
			cmd.AddCommand(m.tx(g, f)...)
		}
	}
	return g.outputFlag(cmd)
}
