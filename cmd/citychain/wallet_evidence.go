package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/wallet"
)

// newWalletEvidenceCmd is `wallet evidence`: the credential evidence a
// registry transition's credential predicates need, for the signer's
// `tx registry move --evidence`.
func newWalletEvidenceCmd(g *globals, wf *walletFlags) *cobra.Command {
	var (
		schemas            []string
		registry           string
		id, version        uint64
		transition, signer string
		out                string
	)
	c := &cobra.Command{
		Use: "evidence --registry NAME --id N --transition T --signer KEY_OR_ADDRESS [--schema S]... [--version N] [--out FILE]",
		Short: "Show credentials to a registry transition's credential predicates: a JSON array of evidence for " +
			"`tx registry move --evidence`, bound to the record version, transition and signer",
		Long: `evidence writes one piece of evidence per credential predicate of the
transition, in order: the issuer-signed JWT of a held copy (no claim
disclosed), its anchor proof and the copy's holder-key signature binding it
to the chain, the record (--registry, --id, at --version: default its
current version, read from the node, the record being in one of the
transition's from states), the transition and the address that will sign
the move (--signer: a key name of HOME/keys or an address). The schemas are
the transition's credential predicates, read from the registry's
definition; --schema, repeated, must name the same ones in the same order.

The JWT goes on chain in the clear, so every copy comes from a slot never
shown to anyone, and that slot is spent: it is never shown again (the
wallet is saved before the file is written). The wallet cannot see a
revocation: the chain refuses a revoked credential.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := tx.ValidateRegistryName("--registry", registry); err != nil {
				return err
			}
			if id == 0 {
				return fmt.Errorf("--id: want the record id (from 1)")
			}
			if err := tx.ValidateRegistryName("--transition", transition); err != nil {
				return err
			}
			if signer == "" {
				return fmt.Errorf("--signer: want the key name or address that will sign the move")
			}
			for i, s := range schemas {
				if err := tx.ValidateSchemaID(s); err != nil {
					return fmt.Errorf("--schema[%d]: %w", i, err)
				}
			}
			signerAddr, err := g.resolve("--signer", signer)
			if err != nil {
				return err
			}
			w, err := g.openWallet(wf)
			if err != nil {
				return err
			}
			c, err := client.New(g.node)
			if err != nil {
				return err
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(cmd.Context(), wf.timeout)
			defer cancel()
			chainID, err := c.ChainID(ctx)
			if err != nil {
				return err
			}
			tr, err := registryTransition(ctx, c, registry, transition)
			if err != nil {
				return err
			}
			var want []string
			for _, p := range tr.Requires {
				if p.Credential != nil {
					want = append(want, p.Credential.Schema)
				}
			}
			switch {
			case len(want) == 0:
				return fmt.Errorf("transition %s of registry %s requires no credential: a move needs no evidence", transition, registry)
			case len(schemas) == 0:
				schemas = want
			case !slices.Equal(schemas, want):
				return fmt.Errorf("--schema %v: transition %s of registry %s requires credentials of schemas %v, in that order", schemas, transition, registry, want)
			}
			if version == 0 {
				r, _, err := c.RegistryRecord(ctx, registry, id, client.ReadOpts{})
				if err != nil {
					return err
				}
				if r == nil {
					return fmt.Errorf("record %s/%d: %w", registry, id, client.ErrNotFound)
				}
				if !slices.Contains(tr.From, r.State) {
					return fmt.Errorf("record %s/%d is %s: transition %s moves records from %v only (no copy spent)", registry, id, r.State, transition, tr.From)
				}
				version = r.Version
			}
			t := wallet.RegistryTarget{ChainID: chainID, Registry: registry, ID: id, Version: version, Transition: transition, Signer: signerAddr}
			evs, err := w.RegistryEvidence(t, schemas, time.Now())
			if err != nil {
				return err
			}
			return g.writeVerifyJSON(out, evs, 0o600)
		},
	}
	fl := c.Flags()
	fl.StringArrayVar(&schemas, "schema", nil, "a credential schema (vct) the transition requires; repeat in the predicates' order (default: read from the definition)")
	fl.StringVar(&registry, "registry", "", "the registry's name")
	fl.Uint64Var(&id, "id", 0, "the record id")
	fl.StringVar(&transition, "transition", "", "the transition the evidence is for")
	fl.StringVar(&signer, "signer", "", "the key name (HOME/keys) or address that will sign tx registry move")
	fl.Uint64Var(&version, "version", 0, "the record version the move is for (default: its current version, read from the node)")
	fl.StringVar(&out, "out", "", "write the evidence to this file, mode 0600 (default: standard output)")
	return c
}

// registryTransition reads a registry's transition from the node.
func registryTransition(ctx context.Context, c *client.Client, registry, transition string) (*tx.RegistryTransition, error) {
	r, _, err := c.Registry(ctx, registry, client.ReadOpts{})
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("--registry %s: %w (no enabled registry of that name)", registry, client.ErrNotFound)
	}
	for i := range r.Def.Transitions {
		if r.Def.Transitions[i].Name == transition {
			return &r.Def.Transitions[i], nil
		}
	}
	return nil, fmt.Errorf("--transition %s: registry %s declares no such transition", transition, registry)
}
