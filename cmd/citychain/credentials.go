package main

import "github.com/spf13/cobra"

// SKELETON: the credentials helper replaces this file.

func newTxCredentialCmds(g *globals, f *txFlags) []*cobra.Command       { return nil }
func newQueryCredentialCmds(g *globals, f *queryFlags) []*cobra.Command { return nil }
