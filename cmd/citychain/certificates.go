package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// newTxCertificateCmds is the "tx certificates" subtree: kinds, agencies'
// keys and status, issuance anchors and revocations of civil certificates.
func newTxCertificateCmds(g *globals, f *txFlags) []*cobra.Command {
	send := func(cmd *cobra.Command, m tx.Msg) error {
		if err := m.ValidateBasic(); err != nil {
			return err
		}
		return g.submit(cmd.Context(), f, m)
	}
	pubArg := func(what, s string) (tx.PubKey, error) {
		k, err := tx.ParsePubKey(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		return k, nil
	}

	var kind tx.MsgCertificateRegisterKind
	var kindAgency, kindFields string
	registerKind := &cobra.Command{
		Use:   "register-kind ID --name NAME --agency KEY --validity-days N --fields F1,F2,... --from REGISTRAR",
		Short: "Register a certificate kind: its issuing agency, validity (0: no expiry) and disclosable fields (immutable once registered)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := kind
			m.ID = args[0]
			var err error
			if m.Agency, err = g.resolve("--agency", kindAgency); err != nil {
				return err
			}
			m.Fields = splitList(kindFields)
			return send(cmd, &m)
		},
	}
	rf := registerKind.Flags()
	rf.StringVar(&kind.Name, "name", "", "the kind's name, e.g. \"가족관계증명서 (family relation certificate)\"")
	rf.StringVar(&kindAgency, "agency", "", "the issuing agency's account (address or key name)")
	rf.Uint32Var(&kind.ValidityDays, "validity-days", 0, "days a certificate is valid from its anchoring (0: no expiry)")
	rf.StringVar(&kindFields, "fields", "", "comma-separated disclosable field names, e.g. holder_name,spouse_exists")
	for _, name := range []string{"name", "agency", "fields"} {
		_ = registerKind.MarkFlagRequired(name)
	}

	addKey := &cobra.Command{
		Use: "add-key PUBKEY --from AGENCY", Short: "Add an issuing key (64 hex characters) of the signing agency",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := pubArg("PUBKEY", args[0])
			if err != nil {
				return err
			}
			return send(cmd, &tx.MsgCertificateAddKey{Key: k})
		},
	}
	retireKey := &cobra.Command{
		Use: "retire-key PUBKEY --from AGENCY", Short: "Retire an issuing key: no issuance with it from this block; what it issued stays valid",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := pubArg("PUBKEY", args[0])
			if err != nil {
				return err
			}
			return send(cmd, &tx.MsgCertificateRetireKey{Key: k})
		},
	}
	var compromised int64
	revokeKey := &cobra.Command{
		Use:   "revoke-key PUBKEY --compromised-height H --from AGENCY_OR_REGISTRAR",
		Short: "Declare a key compromised from height H: certificates it anchored at H or later are revoked, earlier ones stay valid",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := pubArg("PUBKEY", args[0])
			if err != nil {
				return err
			}
			return send(cmd, &tx.MsgCertificateRevokeKey{Key: k, CompromisedHeight: compromised})
		},
	}
	revokeKey.Flags().Int64Var(&compromised, "compromised-height", 0, "the first block height whose anchors with the key are invalid (from the key's from_height to the current height)")
	_ = revokeKey.MarkFlagRequired("compromised-height")

	var statusReason string
	setStatus := &cobra.Command{
		Use:   "set-agency-status AGENCY active|suspended|revoked --reason TEXT --from REGISTRAR",
		Short: "Set an issuing agency's status (suspended: no issuance and its certificates read issuer_suspended; revoked: final, all revoked)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := g.resolve("AGENCY", args[0])
			if err != nil {
				return err
			}
			return send(cmd, &tx.MsgCertificateSetAgencyStatus{Agency: a, Status: args[1], Reason: statusReason})
		},
	}
	setStatus.Flags().StringVar(&statusReason, "reason", "", "why")
	_ = setStatus.MarkFlagRequired("reason")

	var issueKind, issueKey, issueRoot string
	var issueCount uint32
	issue := &cobra.Command{
		Use:   "issue --kind KIND --key PUBKEY --root HEX --count N --from AGENCY",
		Short: "Anchor a batch of N certificates of KIND signed with KEY by their RFC 6962 Merkle root (prints the anchor id)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := pubArg("--key", issueKey)
			if err != nil {
				return err
			}
			root, err := tx.ParseHash32(issueRoot)
			if err != nil {
				return fmt.Errorf("--root: %w", err)
			}
			m := &tx.MsgCertificateIssue{Kind: issueKind, Key: k, Root: root, Count: issueCount}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			return g.submitForID(cmd.Context(), f, m, "certificates.issued", "anchor id", "query certificates anchors --kind "+m.Kind)
		},
	}
	isf := issue.Flags()
	isf.StringVar(&issueKind, "kind", "", "the certificates' kind")
	isf.StringVar(&issueKey, "key", "", "the issuing key that signed them (64 hex characters)")
	isf.StringVar(&issueRoot, "root", "", "the Merkle root of their leaves (64 hex characters)")
	isf.Uint32Var(&issueCount, "count", 0, "how many certificates the root covers (1 to 100000)")
	for _, name := range []string{"kind", "key", "root", "count"} {
		_ = issue.MarkFlagRequired(name)
	}

	var revokePath, revokeReason string
	revoke := &cobra.Command{
		Use:   "revoke ANCHOR INDEX LEAF --path H1,H2,... --reason TEXT --from AGENCY_OR_REGISTRAR",
		Short: "Revoke one certificate: its leaf (SHA-256 of its issuer-signed JWT) at INDEX of ANCHOR, proven by its Merkle path",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			anchor, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil || anchor == 0 {
				return fmt.Errorf("ANCHOR %q: want an anchor id (1 or more)", args[0])
			}
			index, err := strconv.ParseUint(args[1], 10, 64)
			if err != nil {
				return fmt.Errorf("INDEX %q: want the certificate's index in the anchor (0 or more)", args[1])
			}
			leaf, err := tx.ParseHash32(args[2])
			if err != nil {
				return fmt.Errorf("LEAF: %w", err)
			}
			path := []tx.Hash32{}
			for i, s := range splitList(revokePath) {
				h, err := tx.ParseHash32(s)
				if err != nil {
					return fmt.Errorf("--path[%d]: %w", i, err)
				}
				path = append(path, h)
			}
			return send(cmd, &tx.MsgCertificateRevoke{Anchor: anchor, Index: index, Leaf: leaf, Path: path, Reason: revokeReason})
		},
	}
	revoke.Flags().StringVar(&revokePath, "path", "", "the Merkle path, comma-separated hashes from the leaf's sibling up (empty for a one-certificate anchor)")
	revoke.Flags().StringVar(&revokeReason, "reason", "", "why")
	_ = revoke.MarkFlagRequired("reason")

	cmd := &cobra.Command{Use: "certificates", Short: "Civil certificates: kinds, agencies' keys and status, issuance anchors, revocations"}
	cmd.AddCommand(registerKind, addKey, retireKey, revokeKey, setStatus, issue, revoke)
	return []*cobra.Command{cmd}
}

// newQueryCertificateCmds is the "query certificates" subtree.
func newQueryCertificateCmds(g *globals, f *queryFlags) []*cobra.Command {
	// record renders a stored record; an absent one is an error unless its
	// absence is being proven.
	record := func(what, id string) func(json.RawMessage, *client.QueryResult, error) (any, *client.QueryResult, error) {
		return func(v json.RawMessage, res *client.QueryResult, err error) (any, *client.QueryResult, error) {
			if err == nil && v == nil && !f.prove {
				return nil, nil, fmt.Errorf("%s %s: %w (prove its absence with --prove)", what, id, client.ErrNotFound)
			}
			return raw(v, res, err)
		}
	}
	storedRaw := func(res *client.QueryResult, err error) (json.RawMessage, *client.QueryResult, error) {
		if err != nil {
			return nil, nil, err
		}
		return res.Value, res, nil
	}

	params := &cobra.Command{
		Use: "params", Short: "Certificates parameters", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.CertificateParams(ctx, 0)
			})
		},
	}
	kind := &cobra.Command{
		Use: "kind ID", Short: "A certificate kind: name, agency, validity and disclosable fields", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := tx.ValidateCertificateKindID(args[0]); err != nil {
				return fmt.Errorf("ID: %w", err)
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				_, res, err := c.CertificateKind(ctx, args[0], o)
				return record("kind", args[0])(storedRaw(res, err))
			})
		},
	}
	var kindsAfter string
	var kindsLimit uint64
	kinds := &cobra.Command{
		Use: "kinds [--after ID] [--limit N]", Short: "Certificate kinds in id order; next is the --after of the next page", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.CertificateKinds(ctx, tx.PageRequest{After: kindsAfter, Limit: kindsLimit}, 0)
			})
		},
	}
	kinds.Flags().StringVar(&kindsAfter, "after", "", "list kinds after this id (the previous page's next)")
	kinds.Flags().Uint64Var(&kindsLimit, "limit", 0, "kinds (0: 100, at most 1000)")
	agency := &cobra.Command{
		Use: "agency ADDRESS", Short: "An issuing agency: status, kinds and keys", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := g.resolve("ADDRESS", args[0])
			if err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				_, res, err := c.CertificateAgency(ctx, a, o)
				return record("agency", a.String())(storedRaw(res, err))
			})
		},
	}
	key := &cobra.Command{
		Use: "key PUBKEY", Short: "An issuing key's history: agency, from, retired, compromised", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := tx.ParsePubKey(args[0])
			if err != nil {
				return fmt.Errorf("PUBKEY: %w", err)
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				_, res, err := c.AgencyKey(ctx, k, o)
				return record("key", args[0])(storedRaw(res, err))
			})
		},
	}
	anchor := &cobra.Command{
		Use: "anchor ID", Short: "An issuance anchor: kind, agency, key, root, count, height, time, expiry", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil || id == 0 {
				return fmt.Errorf("ID %q: want an anchor id (1 or more)", args[0])
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				_, res, err := c.CertificateAnchor(ctx, id, o)
				return record("anchor", args[0])(storedRaw(res, err))
			})
		},
	}
	var anchorsKind, anchorsAfter string
	var anchorsLimit uint64
	anchors := &cobra.Command{
		Use: "anchors [--kind KIND] [--after ID] [--limit N]", Short: "Issuance anchors in id order, all or one kind's; next is the --after of the next page", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if anchorsKind != "" {
				if err := tx.ValidateCertificateKindID(anchorsKind); err != nil {
					return fmt.Errorf("--kind: %w", err)
				}
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.CertificateAnchors(ctx, tx.CertificateAnchorsRequest{Kind: anchorsKind, PageRequest: tx.PageRequest{After: anchorsAfter, Limit: anchorsLimit}}, 0)
			})
		},
	}
	anchors.Flags().StringVar(&anchorsKind, "kind", "", "only this kind's anchors")
	anchors.Flags().StringVar(&anchorsAfter, "after", "", "list anchors after this id (the previous page's next)")
	anchors.Flags().Uint64Var(&anchorsLimit, "limit", 0, "anchors (0: 100, at most 1000)")
	revocation := &cobra.Command{
		Use:   "revocation LEAF [--prove]",
		Short: "A certificate's revocation by its leaf (SHA-256 of its issuer-signed JWT); with --prove, proves it revoked or not",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			leaf, err := tx.ParseHash32(args[0])
			if err != nil {
				return fmt.Errorf("LEAF: %w", err)
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				r, res, err := c.CertificateRevocation(ctx, leaf, o)
				if err == nil && r == nil {
					return map[string]any{"leaf": leaf.String(), "revoked": false}, res, nil
				}
				return storedRaw(res, err)
			})
		},
	}
	stats := &cobra.Command{
		Use: "stats", Short: "Counts of kinds, agencies, keys, anchors, certificates and revocations", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.CertificateStats(ctx, 0)
			})
		},
	}
	cmd := &cobra.Command{Use: "certificates", Short: "Civil certificates: kinds, agencies, keys, anchors and revocations (provable, absence included)"}
	cmd.AddCommand(params, kind, kinds, agency, key, anchor, anchors, revocation, stats)
	return []*cobra.Command{cmd}
}
