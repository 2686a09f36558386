package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// newTxCredentialCmds is the "tx credentials" subtree: schemas,
// accreditations, verifiers (an accreditor's), status lists and issuance
// anchors (an accredited issuer's; card lists a registration office's).
func newTxCredentialCmds(g *globals, f *txFlags) []*cobra.Command {
	resolve := g.resolve
	send := func(cmd *cobra.Command, m tx.Msg) error {
		if err := m.ValidateBasic(); err != nil {
			return err
		}
		return g.submit(cmd.Context(), f, m)
	}

	var schema tx.MsgCredentialRegisterSchema
	var schemaClaims string
	registerSchema := &cobra.Command{
		Use:   "register-schema ID --name NAME --claims C1,C2,... --from ACCREDITOR",
		Short: "Register a credential schema (its id is the credentials' vct) with its yes/no claims; immutable once registered",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := schema
			m.ID, m.Claims = args[0], splitList(schemaClaims)
			return send(cmd, &m)
		},
	}
	registerSchema.Flags().StringVar(&schema.Name, "name", "", "the schema's name")
	registerSchema.Flags().StringVar(&schemaClaims, "claims", "", "comma-separated claim names, e.g. resident_seoul,age_over_65")

	var start, until string
	accredit := &cobra.Command{
		Use:   "accredit ISSUER SCHEMA [--start RFC3339] [--until RFC3339] --from ACCREDITOR",
		Short: "Accredit an issuer for a schema over [start, until): it may then create status lists and anchor credentials of the schema",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			issuer, err := resolve("ISSUER", args[0])
			if err != nil {
				return err
			}
			m := &tx.MsgCredentialAccredit{Issuer: issuer, Schema: args[1]}
			if start != "" {
				if m.From, err = parseCredentialTime("--start", start); err != nil {
					return err
				}
			} else if m.From, err = g.latestBlockTime(cmd.Context()); err != nil {
				return err
			}
			if until != "" {
				if m.Until, err = parseCredentialTime("--until", until); err != nil {
					return err
				}
			}
			return send(cmd, m)
		},
	}
	accredit.Flags().StringVar(&start, "start", "", "start of the window, RFC 3339 (default: the latest block's time, which the chain's next checks compare with)")
	accredit.Flags().StringVar(&until, "until", "", "end of the window (excluded), RFC 3339 (default: open-ended)")

	withdraw := &cobra.Command{
		Use: "withdraw ISSUER SCHEMA --from ACCREDITOR", Short: "End the issuer's current accreditation window for a schema now (its anchors stay valid)",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			issuer, err := resolve("ISSUER", args[0])
			if err != nil {
				return err
			}
			return send(cmd, &tx.MsgCredentialWithdraw{Issuer: issuer, Schema: args[1]})
		},
	}

	var ver tx.MsgCredentialRegisterVerifier
	var verKey, verClaims string
	registerVerifier := &cobra.Command{
		Use:   "register-verifier ID --key HEX --name NAME --purpose TEXT --claims C1,C2,... --from ACCREDITOR",
		Short: "Register a verifier with its key, its purpose and the claims it may ask for (claims of registered schemas)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := ver
			m.ID, m.Claims = args[0], splitList(verClaims)
			var err error
			if m.Key, err = tx.ParsePubKey(verKey); err != nil {
				return fmt.Errorf("--key: %w", err)
			}
			return send(cmd, &m)
		},
	}
	vf := registerVerifier.Flags()
	vf.StringVar(&verKey, "key", "", "the verifier's ed25519 public key, 64 hex characters")
	vf.StringVar(&ver.Name, "name", "", "the verifier's name")
	vf.StringVar(&ver.Purpose, "purpose", "", "what the verifier checks credentials for")
	vf.StringVar(&verClaims, "claims", "", "comma-separated claims it may ask for")

	deregister := &cobra.Command{
		Use: "deregister-verifier ID --from ACCREDITOR", Short: "Deregister a verifier for good (its id is never reused)",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return send(cmd, &tx.MsgCredentialDeregisterVerifier{ID: args[0]})
		},
	}

	var list tx.MsgCredentialCreateList
	createList := &cobra.Command{
		Use:   "create-list NAME --purpose revocation|suspension [--size BITS] --from ISSUER_OR_OFFICE",
		Short: "Create a status list owned by the signer (an issuer accredited now, or a registration office); its id is <signer address>/NAME",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := list
			m.Name = args[0]
			return send(cmd, &m)
		},
	}
	createList.Flags().StringVar(&list.Purpose, "purpose", "", "revocation (bits only set) or suspension (bits set and cleared)")
	createList.Flags().Uint32Var(&list.Size, "size", tx.MinStatusListSize, fmt.Sprintf("bits: a multiple of %d from %d to %d", tx.StatusChunkBits, tx.MinStatusListSize, tx.MaxStatusListSize))

	var clearBits bool
	setStatus := &cobra.Command{
		Use:   "set-status LIST IDX[,IDX...] [--clear] --from OWNER",
		Short: "Set (revoke, suspend) or with --clear clear (reinstate; suspension lists only) status bits of a list; LIST is <owner>/<name>",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var idx []uint32
			for _, s := range splitList(args[1]) {
				n, err := strconv.ParseUint(s, 10, 32)
				if err != nil {
					return fmt.Errorf("IDX %q: want a list index (decimal)", s)
				}
				idx = append(idx, uint32(n))
			}
			return send(cmd, &tx.MsgCredentialSetStatus{List: args[0], Indices: idx, Value: !clearBits})
		},
	}
	setStatus.Flags().BoolVar(&clearBits, "clear", false, "clear the bits instead of setting them")

	anchor := &cobra.Command{
		Use:   "anchor SCHEMA ROOT COUNT --from ISSUER",
		Short: "Anchor a batch of COUNT issued credentials of SCHEMA by the Merkle root of their JWT digests (the issuer must be accredited now); prints the anchor id",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, err := tx.ParseHash32(args[1])
			if err != nil {
				return fmt.Errorf("ROOT: %w", err)
			}
			n, err := strconv.ParseUint(args[2], 10, 32)
			if err != nil {
				return fmt.Errorf("COUNT %q: want the number of credentials, 1 to %d", args[2], tx.MaxAnchorCount)
			}
			m := &tx.MsgCredentialAnchor{Schema: args[0], Root: root, Count: uint32(n)}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			return g.submitForID(cmd.Context(), f, m, "credentials.anchored", "anchor id", "query credentials anchors")
		},
	}

	cmd := &cobra.Command{Use: "credentials", Short: "Eligibility credentials: schemas, accreditations, verifiers, status lists and issuance anchors"}
	cmd.AddCommand(registerSchema, accredit, withdraw, registerVerifier, deregister, createList, setStatus, anchor)
	return []*cobra.Command{cmd}
}

// parseCredentialTime reads a time flag.
func parseCredentialTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: want an RFC 3339 time, e.g. 2025-03-01T00:00:00+09:00", field, s)
	}
	return t.UTC(), nil
}

// newQueryCredentialCmds is the "query credentials" subtree.
func newQueryCredentialCmds(g *globals, f *queryFlags) []*cobra.Command {
	// record renders a decoded record; an absent one is an error unless
	// its absence is being proven.
	record := func(what, id string, found bool, v any, res *client.QueryResult, err error) (any, *client.QueryResult, error) {
		switch {
		case err != nil:
			return nil, nil, err
		case !found && !f.prove:
			return nil, nil, fmt.Errorf("%s %s: %w (prove its absence with --prove)", what, id, client.ErrNotFound)
		case !found:
			return nil, res, nil
		}
		return v, res, nil
	}
	var after string
	var limit uint64
	pageFlags := func(c *cobra.Command, what string) {
		c.Flags().StringVar(&after, "after", "", "list after this cursor (the previous page's next)")
		c.Flags().Uint64Var(&limit, "limit", 0, fmt.Sprintf("%s (0: %d, at most %d)", what, tx.DefaultListLimit, tx.MaxListLimit))
	}
	params := &cobra.Command{
		Use: "params", Short: "Credentials parameters", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) { return c.CredentialParams(ctx, f.height) })
		},
	}
	schema := &cobra.Command{
		Use: "schema ID", Short: "A credential schema and its claims", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := tx.ValidateSchemaID(args[0]); err != nil {
				return fmt.Errorf("ID: %w", err)
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.CredentialSchema(ctx, args[0], o)
				return record("schema", args[0], v != nil, v, res, err)
			})
		},
	}
	schemas := &cobra.Command{
		Use: "schemas [--after ID] [--limit N]", Short: "Schemas in id order; next is the --after of the next page", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				p, _, err := c.CredentialSchemas(ctx, tx.PageRequest{After: after, Limit: limit}, f.height)
				return p, err
			})
		},
	}
	pageFlags(schemas, "schemas")
	accreditation := &cobra.Command{
		Use: "accreditation ISSUER SCHEMA", Short: "An issuer's accreditation windows for a schema (--prove proves them, or their absence)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			issuer, err := g.resolve("ISSUER", args[0])
			if err != nil {
				return err
			}
			if err := tx.ValidateSchemaID(args[1]); err != nil {
				return fmt.Errorf("SCHEMA: %w", err)
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.CredentialAccreditation(ctx, issuer, args[1], o)
				return record("accreditation", issuer.String()+"/"+args[1], v != nil, v, res, err)
			})
		},
	}
	var issuer string
	accreditations := &cobra.Command{
		Use: "accreditations [--issuer KEY] [--after CURSOR] [--limit N]", Short: "Accreditations in (issuer, schema) order, all or one issuer's", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req := tx.AccreditationsRequest{PageRequest: tx.PageRequest{After: after, Limit: limit}}
			if issuer != "" {
				a, err := g.resolve("--issuer", issuer)
				if err != nil {
					return err
				}
				req.Issuer = &a
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				p, _, err := c.CredentialAccreditations(ctx, req, f.height)
				return p, err
			})
		},
	}
	accreditations.Flags().StringVar(&issuer, "issuer", "", "only this issuer's (address or key name)")
	pageFlags(accreditations, "accreditations")
	verifier := &cobra.Command{
		Use: "verifier ID", Short: "A registered verifier: key, purpose, claims, status", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := tx.ValidateVerifierID(args[0]); err != nil {
				return fmt.Errorf("ID: %w", err)
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.CredentialVerifier(ctx, args[0], o)
				return record("verifier", args[0], v != nil, v, res, err)
			})
		},
	}
	verifiers := &cobra.Command{
		Use: "verifiers [--after ID] [--limit N]", Short: "Verifiers in id order", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				p, _, err := c.CredentialVerifiers(ctx, tx.PageRequest{After: after, Limit: limit}, f.height)
				return p, err
			})
		},
	}
	pageFlags(verifiers, "verifiers")
	listArg := func(s string) error {
		if _, _, err := tx.ParseStatusListID(s); err != nil {
			return fmt.Errorf("LIST: %w", err)
		}
		return nil
	}
	list := &cobra.Command{
		Use: "list LIST", Short: "A status list's metadata (LIST is <owner address>/<name>): purpose, size, bits set", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := listArg(args[0]); err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.StatusList(ctx, args[0], o)
				return record("status list", args[0], v != nil, v, res, err)
			})
		},
	}
	var owner string
	lists := &cobra.Command{
		Use: "lists [--owner KEY] [--after CURSOR] [--limit N]", Short: "Status lists in (owner, name) order, all or one owner's", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req := tx.StatusListsRequest{PageRequest: tx.PageRequest{After: after, Limit: limit}}
			if owner != "" {
				a, err := g.resolve("--owner", owner)
				if err != nil {
					return err
				}
				req.Owner = &a
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				p, _, err := c.StatusLists(ctx, req, f.height)
				return p, err
			})
		},
	}
	lists.Flags().StringVar(&owner, "owner", "", "only this owner's lists (address or key name)")
	pageFlags(lists, "lists")
	status := &cobra.Command{
		Use:   "status LIST IDX",
		Short: "One status bit (revoked or suspended when set), read from its chunk; with --prove the chunk, and so the bit, is proven",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := listArg(args[0]); err != nil {
				return err
			}
			n, err := strconv.ParseUint(args[1], 10, 32)
			if err != nil {
				return fmt.Errorf("IDX %q: want a list index (decimal)", args[1])
			}
			idx := uint32(n)
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				set, res, err := c.StatusBit(ctx, args[0], idx, o)
				if err != nil {
					return nil, nil, err
				}
				chunk, _, _ := tx.StatusBit(idx)
				return tx.Status{List: args[0], Idx: idx, Set: set, Chunk: chunk}, res, nil
			})
		},
	}
	anchorCmd := &cobra.Command{
		Use: "anchor ID", Short: "An issuance anchor: issuer, schema, Merkle root, count, height and time", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil || id == 0 {
				return fmt.Errorf("ID %q: want an anchor id (1 or more)", args[0])
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.CredentialAnchor(ctx, id, o)
				return record("anchor", args[0], v != nil, v, res, err)
			})
		},
	}
	anchors := &cobra.Command{
		Use: "anchors [--after ID] [--limit N]", Short: "Issuance anchors in id order", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				p, _, err := c.CredentialAnchors(ctx, tx.PageRequest{After: after, Limit: limit}, f.height)
				return p, err
			})
		},
	}
	pageFlags(anchors, "anchors")
	stats := &cobra.Command{
		Use: "stats", Short: "Counts of schemas, accreditations, verifiers, lists, bits set, anchors and anchored credentials", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) { return c.CredentialStats(ctx, f.height) })
		},
	}
	chunk := &cobra.Command{
		Use: "status-chunk LIST CHUNK", Short: "A status list chunk's 1024 bytes (hex; all zero when absent), provable", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := listArg(args[0]); err != nil {
				return err
			}
			n, err := strconv.ParseUint(args[1], 10, 32)
			if err != nil {
				return errors.New("CHUNK: want a chunk number (decimal)")
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				b, res, err := c.StatusChunk(ctx, args[0], uint32(n), o)
				if err != nil {
					return nil, nil, err
				}
				return map[string]any{"list": args[0], "chunk": n, "bits": hex.EncodeToString(b)}, res, nil
			})
		},
	}
	cmd := &cobra.Command{Use: "credentials", Short: "Credentials: schemas, accreditations, verifiers, status lists (bits provable), anchors"}
	cmd.AddCommand(params, schema, schemas, accreditation, accreditations, verifier, verifiers, list, lists, status, chunk, anchorCmd, anchors, stats)
	return []*cobra.Command{cmd}
}
