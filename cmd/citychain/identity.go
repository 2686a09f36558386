package main

import "github.com/spf13/cobra"

// SKELETON: the identity helper replaces this file.

func newTxIdentityCmds(g *globals, f *txFlags) []*cobra.Command       { return nil }
func newQueryIdentityCmds(g *globals, f *queryFlags) []*cobra.Command { return nil }
