package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/node"
)

func (g *globals) keyring() (*keyring.Keyring, error) {
	return keyring.Open(node.KeyringDir(g.home))
}

// printJSON writes v as indented JSON to standard output.
func (g *globals) printJSON(v any) error {
	enc := json.NewEncoder(g.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

type keyView struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	PubKey  string `json:"pubkey"`
}

func viewKey(k *keyring.Key) keyView {
	return keyView{Name: k.Name, Address: k.Address.String(), PubKey: k.PubKey.String()}
}

func (g *globals) printKey(k *keyring.Key) error {
	if g.output == "json" {
		return g.printJSON(viewKey(k))
	}
	fmt.Fprintf(g.out, "name:    %s\naddress: %s\npubkey:  %s\n", k.Name, k.Address, k.PubKey)
	return nil
}

func newKeysCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Manage account keys in HOME/keys"}
	cmd.AddCommand(
		&cobra.Command{
			Use: "add NAME", Short: "Create a new key", Args: cobra.ExactArgs(1),
			RunE: func(_ *cobra.Command, args []string) error {
				kr, err := g.keyring()
				if err != nil {
					return err
				}
				k, err := kr.Add(args[0])
				if err != nil {
					return err
				}
				return g.printKey(k)
			},
		},
		&cobra.Command{
			Use: "show NAME", Short: "Show a key's address and public key", Args: cobra.ExactArgs(1),
			RunE: func(_ *cobra.Command, args []string) error {
				kr, err := g.keyring()
				if err != nil {
					return err
				}
				k, err := kr.Get(args[0])
				if err != nil {
					return err
				}
				return g.printKey(k)
			},
		},
		&cobra.Command{
			Use: "list", Short: "List keys", Args: cobra.NoArgs,
			RunE: func(_ *cobra.Command, _ []string) error {
				kr, err := g.keyring()
				if err != nil {
					return err
				}
				keys, err := kr.List()
				if err != nil {
					return err
				}
				if g.output == "json" {
					views := []keyView{}
					for _, k := range keys {
						views = append(views, viewKey(k))
					}
					return g.printJSON(views)
				}
				for _, k := range keys {
					fmt.Fprintf(g.out, "%-12s %s\n", k.Name, k.Address)
				}
				return nil
			},
		},
	)
	return g.outputFlag(cmd)
}
