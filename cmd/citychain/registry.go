package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/regschema"
	"github.com/citychain/citychain/chain/tx"
)

// newTxRegistryCmds is the "tx registry" subtree: registries defined as
// data (propose, enable by the authorities), their role grants, records
// created and moved through their states, and two checks that send
// nothing: a definition checked offline, a record checked against a
// registry's current schema.
func newTxRegistryCmds(g *globals, f *txFlags) []*cobra.Command {
	send := func(cmd *cobra.Command, m tx.Msg) error {
		if err := m.ValidateBasic(); err != nil {
			return err
		}
		return g.submit(cmd.Context(), f, m)
	}

	check := &cobra.Command{
		Use:   "check DEF.json",
		Short: "Check a registry definition offline, as the chain will at propose: prints its definition id and schema id, or the part that is wrong",
		Long: "check decodes the definition strictly (unknown fields refused), validates every part (name, version,\n" +
			"schema in the deterministic profile: integers only, RE2 patterns, listed formats, bounded strings and\n" +
			"lists; privacy, roles, states, transitions, indexes, limits) and compiles its schema. Nothing is sent.\n" +
			"A refused definition names the part (the chain answers with that part's code) and where in it.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, s, _, err := readRegistryDef("DEF.json", args[0])
			if err != nil {
				return err
			}
			id, err := tx.RegistryDefID(d)
			if err != nil {
				return fmt.Errorf("DEF.json %s: definition id: %w", args[0], err)
			}
			if g.output == "json" {
				return g.printJSON(map[string]any{"name": d.Name, "version": d.Version, "def_id": id, "schema_id": s.ID(), "valid": true})
			}
			fmt.Fprintf(g.out, "registry %s version %s: valid\ndefinition id %s\nschema id %s\n", d.Name, d.Version, id, s.ID())
			return nil
		},
	}

	propose := &cobra.Command{
		Use:   "propose DEF.json --from AGENCY",
		Short: "Propose a registry definition (a new registry, or a new version of one the signer owns); prints its definition id for the authorities' enable",
		Long: "The definition is checked first as `registry check` does; the signer holds the registry_agency role and\n" +
			"becomes the registry's owner once the authorities enable it (`tx registry enable NAME DEF_ID`, k of n).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, _, raw, err := readRegistryDef("DEF.json", args[0])
			if err != nil {
				return err
			}
			id, err := tx.RegistryDefID(d)
			if err != nil {
				return fmt.Errorf("DEF.json %s: definition id: %w", args[0], err)
			}
			var text bytes.Buffer
			if err := json.Compact(&text, raw); err != nil {
				return fmt.Errorf("DEF.json %s: %w", args[0], err)
			}
			m := &tx.MsgRegistryPropose{Def: text.String()}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			res, err := g.broadcast(cmd.Context(), f, m)
			if err != nil {
				return err
			}
			if g.output == "json" {
				return g.printJSON(map[string]any{"hash": res.Hash, "height": res.Height, "code": 0, "name": d.Name, "version": d.Version, "def_id": id})
			}
			fmt.Fprintf(g.out, "committed at height %d\ntx hash %s\ndefinition id %s\n(authorities: citychain tx registry enable %s %s --from KEY)\n",
				res.Height, res.Hash, id, d.Name, id)
			return nil
		},
	}

	enable := &cobra.Command{
		Use:   "enable NAME DEF_ID --from AUTHORITY",
		Short: "Enable a proposed definition (an authority action, k of n): prints whether it ran or is pending",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := tx.ValidateRegistryName("NAME", args[0]); err != nil {
				return err
			}
			id, err := tx.ParseHash32(strings.ToLower(args[1]))
			if err != nil {
				return fmt.Errorf("DEF_ID: %w", err)
			}
			m := &tx.MsgRegistryEnable{Name: args[0], Def: id}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			return g.submitAction(cmd.Context(), f, m)
		},
	}

	var expires string
	var delegable bool
	grant := &cobra.Command{
		Use:   "grant REGISTRY ROLE GRANTEE [--expires RFC3339|UNIX] [--delegable] --from OWNER_OR_HOLDER",
		Short: "Grant one of a registry's roles (by its owner, or passed on by the holder of a delegable grant); granting again replaces the grant",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, role, err := registryRoleArgs(args[0], args[1])
			if err != nil {
				return err
			}
			grantee, err := g.resolve("GRANTEE", args[2])
			if err != nil {
				return err
			}
			m := &tx.MsgRegistryGrant{Registry: reg, Role: role, Grantee: grantee, Delegable: delegable}
			if expires != "" {
				if m.Expires, err = parseRegistryExpiry(expires); err != nil {
					return err
				}
			}
			return send(cmd, m)
		},
	}
	grant.Flags().StringVar(&expires, "expires", "", "when the grant ends (block time): RFC 3339, e.g. 2026-12-31T00:00:00+09:00, or unix seconds; default never (a delegated grant must expire)")
	grant.Flags().BoolVar(&delegable, "delegable", false, fmt.Sprintf("let the grantee pass the role on (at most %d grants from the owner)", tx.MaxRegistryDelegation))

	revoke := &cobra.Command{
		Use:   "revoke REGISTRY ROLE GRANTEE --from OWNER_OR_GRANTER",
		Short: "End a grant (the registry's owner or the grant's granter); grants delegated from it stop working with it",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, role, err := registryRoleArgs(args[0], args[1])
			if err != nil {
				return err
			}
			grantee, err := g.resolve("GRANTEE", args[2])
			if err != nil {
				return err
			}
			return send(cmd, &tx.MsgRegistryRevoke{Registry: reg, Role: role, Grantee: grantee})
		},
	}

	var digest, uri string
	create := &cobra.Command{
		Use:   "create REGISTRY DATA.json|- [--digest HEX] [--uri URI] --from CREATOR",
		Short: "Create a record (DATA.json, or - for standard input: a JSON object valid under the registry's current schema); prints the new record's id",
		Long: "The signer holds one of the registry's create_roles. The data is sent in its canonical form (RFC 8785);\n" +
			"a float or a duplicate key is refused here, a record that breaks the schema by the chain (nothing is\n" +
			"stored). Registries of the hash class take --digest (SHA-256 of the off-chain document), of the\n" +
			"pointer class --digest and --uri (where the document lives); public registries take neither.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := tx.ValidateRegistryName("REGISTRY", args[0]); err != nil {
				return err
			}
			data, err := readRegistryData(cmd, "DATA.json", args[1])
			if err != nil {
				return err
			}
			m := &tx.MsgRegistryCreate{Registry: args[0], Data: data, URI: uri}
			if digest != "" {
				h, err := tx.ParseHash32(strings.ToLower(digest))
				if err != nil {
					return fmt.Errorf("--digest: %w", err)
				}
				m.Digest = &h
			}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			return g.submitForID(cmd.Context(), f, m, "registry.created", "record id", "query registry records "+args[0])
		},
	}
	create.Flags().StringVar(&digest, "digest", "", "SHA-256 of the off-chain document, 64 hex characters (hash and pointer registries)")
	create.Flags().StringVar(&uri, "uri", "", "absolute URI of the off-chain document, e.g. https://... (pointer registries)")

	var version uint64
	var patch, evidence string
	move := &cobra.Command{
		Use:   "move REGISTRY ID TRANSITION [--version N] [--patch JSON|@FILE] [--evidence FILE] --from ROLE_HOLDER",
		Short: "Send (or approve, for a k-of-n transition) a transition of a record; prints whether it ran or how many approvals it has",
		Long: "--version is the record version the transition is for (default: the record's current version, read\n" +
			"from the node): a record that moved since refuses it. --patch sets the transition's patchable\n" +
			"properties (a JSON object, inline or @FILE). --evidence is a JSON file of the credential evidence\n" +
			"its credential predicates need, in order: [{\"jwt\",\"anchor\",\"index\",\"path\",\"holder_sig\"}, ...].\n" +
			"With k approvals the same (version, transition, patch) is sent by k role holders; the k-th runs it.",
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := tx.ValidateRegistryName("REGISTRY", args[0]); err != nil {
				return err
			}
			id, err := parseRegistryRecordID(args[1])
			if err != nil {
				return err
			}
			if err := tx.ValidateRegistryName("TRANSITION", args[2]); err != nil {
				return err
			}
			m := &tx.MsgRegistryTransition{Registry: args[0], ID: id, Version: version, Transition: args[2]}
			if patch != "" {
				if m.Patch, err = readRegistryPatch(patch); err != nil {
					return err
				}
			}
			if evidence != "" {
				if err := readIdentityJSON("--evidence", evidence, &m.Evidence); err != nil {
					return err
				}
			}
			if m.Version == 0 {
				if m.Version, err = g.registryRecordVersion(cmd.Context(), f, args[0], id); err != nil {
					return err
				}
			}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			return g.submitMove(cmd.Context(), f, m)
		},
	}
	move.Flags().Uint64Var(&version, "version", 0, "the record version the transition is for (default: its current version)")
	move.Flags().StringVar(&patch, "patch", "", "a JSON object of the properties the transition sets, or @FILE")
	move.Flags().StringVar(&evidence, "evidence", "", "a JSON file of credential evidence for the transition's credential predicates")

	validate := &cobra.Command{
		Use:   "validate REGISTRY DATA.json|-",
		Short: "Check a record against a registry's current schema and size limit, read from the node; nothing is sent",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := tx.ValidateRegistryName("REGISTRY", args[0]); err != nil {
				return err
			}
			data, err := readRegistryData(cmd, "DATA.json", args[1])
			if err != nil {
				return err
			}
			c, err := client.New(g.node)
			if err != nil {
				return err
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(cmd.Context(), f.timeout)
			defer cancel()
			r, res, err := c.Registry(ctx, args[0], client.ReadOpts{})
			if err != nil {
				return err
			}
			if r == nil {
				return fmt.Errorf("REGISTRY %s: %w (no enabled registry of that name)", args[0], client.ErrNotFound)
			}
			s, err := regschema.Compile(r.Def.Schema)
			if err != nil {
				return fmt.Errorf("registry %s: its schema %s does not compile here: %w", args[0], r.SchemaID, err)
			}
			if err := s.Validate(data); err != nil {
				return fmt.Errorf("DATA.json %s: breaks the schema %s of registry %s: %w", args[1], s.ID(), args[0], err)
			}
			if max := r.Def.Limits.MaxRecordBytes; uint64(len(data)) > uint64(max) {
				return fmt.Errorf("DATA.json %s: %d bytes in canonical form, registry %s's max_record_bytes is %d", args[1], len(data), args[0], max)
			}
			if g.output == "json" {
				return g.printJSON(map[string]any{"valid": true, "registry": args[0], "schema_id": s.ID(), "bytes": len(data), "canonical": data, "height": res.Height})
			}
			fmt.Fprintf(g.out, "valid under schema %s of registry %s (state at height %d)\n%d bytes in canonical form:\n%s\n", s.ID(), args[0], res.Height, len(data), data)
			return nil
		},
	}

	cmd := &cobra.Command{Use: "registry", Short: "Registries defined as data: propose and enable definitions, grant their roles, create and move records"}
	cmd.AddCommand(check, propose, enable, grant, revoke, create, move, validate)
	return []*cobra.Command{cmd}
}

// readRegistryDef reads and checks the definition file path, returning it
// decoded and as read; what names the argument in errors, which name the
// refused part.
func readRegistryDef(what, path string) (*tx.RegistryDef, *regschema.Schema, []byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	d, s, err := tx.ParseRegistryDef(b)
	var de *tx.RegistryDefError
	switch {
	case errors.As(err, &de):
		return nil, nil, nil, fmt.Errorf("%s %s: %w (the chain refuses it with %v)", what, path, err, tx.RegistryDefCode(de.Part))
	case err != nil:
		return nil, nil, nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	return d, s, b, nil
}

// readRegistryData reads a record's JSON from path ("-": standard input)
// in canonical form; a document outside the profile's JSON (a float, a
// duplicate key) is refused naming its path.
func readRegistryData(cmd *cobra.Command, what, path string) (json.RawMessage, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(io.LimitReader(cmd.InOrStdin(), 4*tx.MaxRegistryRecordBytes))
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	c, err := regschema.Canonical(b)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	if len(c) == 0 || c[0] != '{' {
		return nil, fmt.Errorf("%s %s: want a JSON object", what, path)
	}
	return c, nil
}

// readRegistryPatch reads --patch: a JSON object, inline or @FILE, in
// canonical form.
func readRegistryPatch(s string) (json.RawMessage, error) {
	b := []byte(s)
	if file, ok := strings.CutPrefix(s, "@"); ok {
		var err error
		if b, err = os.ReadFile(file); err != nil {
			return nil, fmt.Errorf("--patch: %w", err)
		}
	}
	c, err := regschema.Canonical(b)
	if err != nil {
		return nil, fmt.Errorf("--patch %s: %w", s, err)
	}
	if len(c) == 0 || c[0] != '{' {
		return nil, fmt.Errorf("--patch %s: want a JSON object of the properties to set", s)
	}
	return c, nil
}

// registryRoleArgs checks REGISTRY and ROLE.
func registryRoleArgs(reg, role string) (string, string, error) {
	if err := tx.ValidateRegistryName("REGISTRY", reg); err != nil {
		return "", "", err
	}
	if err := tx.ValidateRegistryName("ROLE", role); err != nil {
		return "", "", err
	}
	return reg, role, nil
}

// parseRegistryRecordID reads a record id argument.
func parseRegistryRecordID(s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("ID %q: want a record id (1 or more)", s)
	}
	return id, nil
}

// parseRegistryExpiry reads --expires: RFC 3339 or unix seconds.
func parseRegistryExpiry(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n <= 0 {
			return 0, fmt.Errorf("--expires %q: want a time after 1970 (unix seconds), or no --expires for never", s)
		}
		return n, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, fmt.Errorf("--expires %q: want an RFC 3339 time, e.g. 2026-12-31T00:00:00+09:00, or unix seconds", s)
	}
	if t.Unix() <= 0 {
		return 0, fmt.Errorf("--expires %q: want a time after 1970", s)
	}
	return t.Unix(), nil
}

// registryRecordVersion reads a record's current version from the node.
func (g *globals) registryRecordVersion(ctx context.Context, f *txFlags, registry string, id uint64) (uint64, error) {
	c, err := client.New(g.node)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	r, _, err := c.RegistryRecord(ctx, registry, id, client.ReadOpts{})
	if err != nil {
		return 0, err
	}
	if r == nil {
		return 0, fmt.Errorf("record %s/%d: %w", registry, id, client.ErrNotFound)
	}
	return r.Version, nil
}

// submitMove submits a transition and prints whether it ran (the record's
// new state and version) or is an approval still waiting for others.
func (g *globals) submitMove(ctx context.Context, f *txFlags, m *tx.MsgRegistryTransition) error {
	res, err := g.broadcast(ctx, f, m)
	if err != nil {
		return err
	}
	out := map[string]any{"hash": res.Hash, "height": res.Height, "code": 0, "registry": m.Registry, "id": m.ID, "transition": m.Transition}
	if to, ok := res.Attr("registry.transitioned", "to"); ok {
		from, _ := res.Attr("registry.transitioned", "from")
		v, _ := res.Attr("registry.transitioned", "version")
		out["status"], out["from"], out["to"], out["version"] = "moved", from, to, v
		if g.output == "json" {
			return g.printJSON(out)
		}
		fmt.Fprintf(g.out, "committed at height %d\ntx hash %s\nmoved: record %s/%d from %s to %s, now version %s\n", res.Height, res.Hash, m.Registry, m.ID, from, to, v)
		return nil
	}
	approvals, _ := res.Attr("registry.approved", "approvals")
	needed, _ := res.Attr("registry.approved", "needed")
	out["status"], out["approvals"], out["needed"] = "pending", approvals, needed
	if g.output == "json" {
		return g.printJSON(out)
	}
	fmt.Fprintf(g.out, "committed at height %d\ntx hash %s\npending: %s of %s approvals of %s on record %s/%d version %d\n"+
		"(other role holders: citychain tx registry move %s %d %s --version %d [the same --patch] --from KEY)\n",
		res.Height, res.Hash, approvals, needed, m.Transition, m.Registry, m.ID, m.Version, m.Registry, m.ID, m.Transition, m.Version)
	return nil
}

// newQueryRegistryCmds is the "query registry" subtree.
func newQueryRegistryCmds(g *globals, f *queryFlags) []*cobra.Command {
	nameArg := func(what, s string) error { return tx.ValidateRegistryName(what, s) }
	recordArgs := func(args []string) (string, uint64, error) {
		if err := nameArg("REGISTRY", args[0]); err != nil {
			return "", 0, err
		}
		id, err := parseRegistryRecordID(args[1])
		return args[0], id, err
	}
	// idPages adapts the string cursors of pageFlags to a page with a
	// record-id cursor.
	idAfter := func(s string) (uint64, error) {
		if s == "" {
			return 0, nil
		}
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("--after %q: want a record id", s)
		}
		return n, nil
	}
	idNext := func(n uint64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatUint(n, 10)
	}

	show := &cobra.Command{
		Use: "show NAME [--prove]", Short: "An enabled registry: owner, definition, def and schema ids, versions (--prove proves it, or its absence)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := nameArg("NAME", args[0]); err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.Registry(ctx, args[0], o)
				return f.found("registry "+args[0], v != nil, v, res, err)
			})
		},
	}
	var regPages pageFlags
	list := &cobra.Command{
		Use: "list", Short: "Enabled registries in name order, a page at a time", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.computed("the list of registries", "prove one with `query registry show NAME --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.RegistryPage{Registries: []tx.Registry{}}
				err := regPages.each(ctx, f, func(ctx context.Context, pr tx.PageRequest, height int64) (string, int64, error) {
					p, at, err := c.Registries(ctx, tx.RegistryPageRequest{After: pr.After, Limit: pr.Limit}, height)
					if err != nil {
						return "", 0, err
					}
					out.Registries, out.Next = append(out.Registries, p.Registries...), p.Next
					return p.Next, at, nil
				})
				return out, err
			})
		},
	}
	regPages.register(list, "a registry name")
	count := &cobra.Command{
		Use: "count NAME", Short: "How many records a registry holds, in all and per state", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := nameArg("NAME", args[0]); err != nil {
				return err
			}
			if err := f.computed("a registry's counts", "prove a record with `query registry record REGISTRY ID --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.RegistryCount(ctx, args[0], f.height)
			})
		},
	}
	var propPages pageFlags
	proposals := &cobra.Command{
		Use: "proposals", Short: "Definitions proposed and awaiting the authorities, in id order", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.computed("the list of proposals", "prove one with `query registry proposal ID --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.RegistryProposalPage{Proposals: []tx.RegistryProposal{}}
				err := propPages.each(ctx, f, func(ctx context.Context, pr tx.PageRequest, height int64) (string, int64, error) {
					p, at, err := c.RegistryProposals(ctx, tx.RegistryPageRequest{After: pr.After, Limit: pr.Limit}, height)
					if err != nil {
						return "", 0, err
					}
					out.Proposals, out.Next = append(out.Proposals, p.Proposals...), p.Next
					return p.Next, at, nil
				})
				return out, err
			})
		},
	}
	propPages.register(proposals, "a definition id")
	proposal := &cobra.Command{
		Use: "proposal ID [--prove]", Short: "A proposed definition awaiting the authorities: proposer, definition, height", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := tx.ParseHash32(strings.ToLower(args[0]))
			if err != nil {
				return fmt.Errorf("ID: %w", err)
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.RegistryProposal(ctx, id, o)
				return f.found("proposal "+id.String(), v != nil, v, res, err)
			})
		},
	}
	schema := &cobra.Command{
		Use: "schema ID [--prove]", Short: "A record schema by its content id (SHA-256 of its canonical JSON), as stored", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := tx.ParseHash32(strings.ToLower(args[0]))
			if err != nil {
				return fmt.Errorf("ID: %w", err)
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.RegistrySchema(ctx, id.String(), o)
				return f.found("schema "+id.String(), v != nil, v, res, err)
			})
		},
	}
	record := &cobra.Command{
		Use: "record REGISTRY ID [--prove]", Short: "A record: state, version, data, the schema it was written under (--prove proves it, or its absence)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, id, err := recordArgs(args)
			if err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.RegistryRecord(ctx, reg, id, o)
				return f.found(fmt.Sprintf("record %s/%d", reg, id), v != nil, v, res, err)
			})
		},
	}
	var state string
	var recPages pageFlags
	records := &cobra.Command{
		Use: "records REGISTRY [--state S]", Short: "A registry's records in id order, all or those in one state, a page at a time", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := nameArg("REGISTRY", args[0]); err != nil {
				return err
			}
			if state != "" {
				if err := nameArg("--state", state); err != nil {
					return err
				}
			}
			if err := f.computed("a page of records", "prove one with `query registry record REGISTRY ID --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.RegistryRecordPage{Records: []tx.RegistryRecord{}}
				err := recPages.each(ctx, f, func(ctx context.Context, pr tx.PageRequest, height int64) (string, int64, error) {
					after, err := idAfter(pr.After)
					if err != nil {
						return "", 0, err
					}
					p, at, err := c.RegistryRecords(ctx, tx.RegistryRecordsRequest{Registry: args[0], State: state, After: after, Limit: pr.Limit}, height)
					if err != nil {
						return "", 0, err
					}
					out.Records, out.Next = append(out.Records, p.Records...), p.Next
					return idNext(p.Next), at, nil
				})
				return out, err
			})
		},
	}
	records.Flags().StringVar(&state, "state", "", "only records in this state")
	recPages.register(records, "a record id")
	history := &cobra.Command{
		Use: "history REGISTRY ID", Short: "A record's history: its creation, each transition with the accounts whose approvals ran it, each move by a deadline", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, id, err := recordArgs(args)
			if err != nil {
				return err
			}
			if err := f.computed("a record's history", "prove the record itself with `query registry record REGISTRY ID --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.RegistryHistory(ctx, reg, id, f.height)
			})
		},
	}
	approvals := &cobra.Command{
		Use: "approvals REGISTRY ID", Short: "The pending approvals of a record's k-of-n transitions", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, id, err := recordArgs(args)
			if err != nil {
				return err
			}
			if err := f.computed("a record's pending approvals", "prove the record itself with `query registry record REGISTRY ID --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.RegistryApprovals(ctx, reg, id, f.height)
			})
		},
	}
	var idxPages pageFlags
	index := &cobra.Command{
		Use:   "index REGISTRY FIELD VALUE [ID]",
		Short: "The ids of the records whose indexed FIELD is VALUE (an integer in decimal), a page at a time; with ID, whether that record is indexed there (--prove proves it either way)",
		Args:  cobra.RangeArgs(3, 4),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := nameArg("REGISTRY", args[0]); err != nil {
				return err
			}
			if err := nameArg("FIELD", args[1]); err != nil {
				return err
			}
			if len(args) == 4 {
				id, err := parseRegistryRecordID(args[3])
				if err != nil {
					return err
				}
				req := tx.RegistryIndexEntryRequest{Registry: args[0], Field: args[1], Value: args[2], ID: id}
				return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
					present, res, err := c.RegistryIndexEntry(ctx, req, o)
					if err != nil {
						return nil, nil, err
					}
					return map[string]any{"registry": req.Registry, "field": req.Field, "value": req.Value, "id": id, "present": present}, res, nil
				})
			}
			if err := f.computed("a page of an index", "prove one entry with `query registry index REGISTRY FIELD VALUE ID --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.RegistryIDPage{IDs: []uint64{}}
				err := idxPages.each(ctx, f, func(ctx context.Context, pr tx.PageRequest, height int64) (string, int64, error) {
					after, err := idAfter(pr.After)
					if err != nil {
						return "", 0, err
					}
					p, at, err := c.RegistryIndex(ctx, tx.RegistryIndexRequest{Registry: args[0], Field: args[1], Value: args[2], After: after, Limit: pr.Limit}, height)
					if err != nil {
						return "", 0, err
					}
					out.IDs, out.Next = append(out.IDs, p.IDs...), p.Next
					return idNext(p.Next), at, nil
				})
				return out, err
			})
		},
	}
	idxPages.register(index, "a record id")
	var grantPages pageFlags
	grants := &cobra.Command{
		Use: "grants REGISTRY", Short: "A registry's role grants in (role, grantee) order, a page at a time", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := nameArg("REGISTRY", args[0]); err != nil {
				return err
			}
			if err := f.computed("a page of grants", "prove one with `query registry grant REGISTRY ROLE GRANTEE --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.RegistryGrantPage{Grants: []tx.RegistryGrant{}}
				err := grantPages.each(ctx, f, func(ctx context.Context, pr tx.PageRequest, height int64) (string, int64, error) {
					p, at, err := c.RegistryGrants(ctx, tx.RegistryPageRequest{Registry: args[0], After: pr.After, Limit: pr.Limit}, height)
					if err != nil {
						return "", 0, err
					}
					out.Grants, out.Next = append(out.Grants, p.Grants...), p.Next
					return p.Next, at, nil
				})
				return out, err
			})
		},
	}
	grantPages.register(grants, "role/grantee")
	grant := &cobra.Command{
		Use: "grant REGISTRY ROLE GRANTEE [--prove]", Short: "One role grant: granter, expiry, delegable, depth (--prove proves it, or its absence)", Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, role, err := registryRoleArgs(args[0], args[1])
			if err != nil {
				return err
			}
			grantee, err := g.resolve("GRANTEE", args[2])
			if err != nil {
				return err
			}
			req := tx.RegistryGrantRequest{Registry: reg, Role: role, Grantee: grantee}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.RegistryGrant(ctx, req, o)
				return f.found(fmt.Sprintf("grant of %s/%s to %s", reg, role, grantee), v != nil, v, res, err)
			})
		},
	}
	cmd := &cobra.Command{Use: "registry", Short: "Registries defined as data: definitions, proposals, schemas, records (proven with --prove), histories, indexes, grants"}
	cmd.AddCommand(show, list, count, proposals, proposal, schema, record, records, history, approvals, index, grants, grant)
	return []*cobra.Command{cmd}
}
