package main

import "github.com/spf13/cobra"

// SKELETON: the certificates helper replaces this file.

func newTxCertificateCmds(g *globals, f *txFlags) []*cobra.Command       { return nil }
func newQueryCertificateCmds(g *globals, f *queryFlags) []*cobra.Command { return nil }
