package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/tx"
)

// newTxIdentityCmds is the "tx identity" subtree: the citizen card
// (registration, device keys, card copies, suspension, reinstatement,
// revocation) and the facilities with their bars.
func newTxIdentityCmds(g *globals, f *txFlags) []*cobra.Command {
	send := func(cmd *cobra.Command, m tx.Msg) error {
		if err := m.ValidateBasic(); err != nil {
			return err
		}
		return g.submit(cmd.Context(), f, m)
	}
	identityID := func(s string) (tx.Address, error) { return g.resolve("ID", s) }

	// Card-copy commitments: --commitment HEX (repeated) and/or
	// --commitments FILE (a JSON array of hex commitments).
	type copiesFlags struct {
		hexes []string
		file  string
	}
	addCopies := func(c *cobra.Command, cf *copiesFlags) {
		c.Flags().StringArrayVar(&cf.hexes, "commitment", nil, "a card copy's commitment, 64 hex characters (repeat per copy)")
		c.Flags().StringVar(&cf.file, "commitments", "", "a JSON file of the copies' commitments: [\"hex\", ...], as the issuing office wrote it")
	}
	copies := func(cf *copiesFlags) ([]tx.Hash32, error) {
		out := []tx.Hash32{}
		if cf.file != "" {
			if err := readIdentityJSON("--commitments", cf.file, &out); err != nil {
				return nil, err
			}
		}
		for _, s := range cf.hexes {
			h, err := tx.ParseHash32(s)
			if err != nil {
				return nil, fmt.Errorf("--commitment: %w", err)
			}
			out = append(out, h)
		}
		return out, nil
	}
	reveals := func(file string) ([]tx.CardReveal, error) {
		out := []tx.CardReveal{}
		if file == "" {
			return out, nil
		}
		return out, readIdentityJSON("--reveal", file, &out)
	}

	var regCopies copiesFlags
	var cardList string
	register := &cobra.Command{
		Use:   "register DEVICE_PUBKEY --card-list OWNER/NAME [--commitment HEX]... [--commitments FILE] --from OFFICE",
		Short: "Register a citizen: its wallet's first device key (whose address is the identity's id) and its card copies' commitments",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := tx.ParsePubKey(args[0])
			if err != nil {
				return fmt.Errorf("DEVICE_PUBKEY: %w", err)
			}
			cs, err := copies(&regCopies)
			if err != nil {
				return err
			}
			m := &tx.MsgIdentityRegister{DeviceKey: key, CardList: cardList, Commitments: cs}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			res, err := g.broadcast(cmd.Context(), f, m)
			if err != nil {
				return err
			}
			if g.output == "json" {
				return g.printJSON(map[string]any{"hash": res.Hash, "height": res.Height, "code": 0, "id": key.Address()})
			}
			fmt.Fprintf(g.out, "committed at height %d\ntx hash %s\nidentity %s\n", res.Height, res.Hash, key.Address())
			return nil
		},
	}
	register.Flags().StringVar(&cardList, "card-list", "", "the suspension list of the card copies' status bits, OWNER/NAME (credentials create-list)")
	_ = register.MarkFlagRequired("card-list")
	addCopies(register, &regCopies)

	addDevice := &cobra.Command{
		Use:   "add-device ID KEYFILE --from DEVICE_OR_OFFICE",
		Short: "Add a device key to an identity; KEYFILE is the new key's key file (or a key name in HOME/keys), which signs the proof of possession",
		Long: "The new key signs \"citychain/identity/add_device/v1\" 0x00 chain-id 0x00 ID 0x00 hex(key) with the chain id the node\n" +
			"reports: a proof that whoever adds it holds it, valid for this chain, identity and key only. The signer (--from) is a\n" +
			"device key of the identity in use (while it is active) or a registration office.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := identityID(args[0])
			if err != nil {
				return err
			}
			priv, err := g.identityKeyFile("KEYFILE", args[1])
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
			chainID, err := c.ChainID(ctx)
			if err != nil {
				return err
			}
			key := tx.PubKey(priv.Public().(ed25519.PublicKey))
			pop := ed25519.Sign(priv, tx.AddDevicePoPMessage(chainID, id.String(), key))
			return send(cmd, &tx.MsgIdentityAddDevice{ID: id, Key: key, PoP: pop})
		},
	}

	removeDevice := &cobra.Command{
		Use: "remove-device ID PUBKEY --from DEVICE_OR_OFFICE", Short: "Take a device key out of use (never the last one)",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := identityID(args[0])
			if err != nil {
				return err
			}
			key, err := tx.ParsePubKey(args[1])
			if err != nil {
				return fmt.Errorf("PUBKEY: %w", err)
			}
			return send(cmd, &tx.MsgIdentityRemoveDevice{ID: id, Key: key})
		},
	}

	var moreCopies copiesFlags
	addCardCopies := &cobra.Command{
		Use:   "add-card-copies ID [--commitment HEX]... [--commitments FILE] --from OFFICE",
		Short: "Record the commitments of new card copies of an active identity (64 at most in all)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := identityID(args[0])
			if err != nil {
				return err
			}
			cs, err := copies(&moreCopies)
			if err != nil {
				return err
			}
			return send(cmd, &tx.MsgIdentityAddCardCopies{ID: id, Commitments: cs})
		},
	}
	addCopies(addCardCopies, &moreCopies)

	statusCmd := func(use, short string, revoke bool) *cobra.Command {
		var reason, file string
		c := &cobra.Command{
			Use: use, Short: short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				id, err := identityID(args[0])
				if err != nil {
					return err
				}
				rs, err := reveals(file)
				if err != nil {
					return err
				}
				if revoke {
					return send(cmd, &tx.MsgIdentityRevoke{ID: id, Reason: reason, Reveal: rs})
				}
				return send(cmd, &tx.MsgIdentitySuspend{ID: id, Reason: reason, Reveal: rs})
			},
		}
		c.Flags().StringVar(&reason, "reason", "", "why (stored in the transaction's events)")
		c.Flags().StringVar(&file, "reveal", "", "the wallet's reveal file, [{\"idx\":N,\"salt\":\"hex\"}, ...]: it must open every card copy not yet revealed")
		_ = c.MarkFlagRequired("reason")
		return c
	}
	suspend := statusCmd("suspend ID --reason TEXT --reveal FILE --from DEVICE_OR_OFFICE",
		"Suspend a card: every copy's status bit is set in the card list, refused by verifiers from the next block", false)
	revoke := statusCmd("revoke ID --reason TEXT [--reveal FILE] --from OFFICE",
		"Revoke an identity for good, revealing (like suspend) every copy not yet revealed", true)

	var newCopies copiesFlags
	reinstate := &cobra.Command{
		Use:   "reinstate ID [--commitment HEX]... [--commitments FILE] --from OFFICE",
		Short: "Reinstate a suspended identity with new card copies (the old copies stay refused); an office only",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := identityID(args[0])
			if err != nil {
				return err
			}
			cs, err := copies(&newCopies)
			if err != nil {
				return err
			}
			return send(cmd, &tx.MsgIdentityReinstate{ID: id, Commitments: cs})
		},
	}
	addCopies(reinstate, &newCopies)

	facilityCmd := func(use, short string, update bool) *cobra.Command {
		var m tx.MsgIdentityRegisterFacility
		var claims string
		c := &cobra.Command{
			Use: use, Short: short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				m := m
				m.ID, m.Claims = args[0], splitList(claims)
				if update {
					u := tx.MsgIdentityUpdateFacility(m)
					return send(cmd, &u)
				}
				return send(cmd, &m)
			},
		}
		fl := c.Flags()
		fl.StringVar(&m.Name, "name", "", "the facility's name")
		fl.StringVar(&m.Kind, "kind", "", "its kind, free text of a-z 0-9 _ (library, pool, youth_centre...)")
		fl.StringVar(&claims, "claims", "", "comma-separated predicate claims a card holder must present, e.g. resident_seoul,age_over_65")
		fl.BoolVar(&m.AcceptsTokens, "accepts-tokens", false, "whether the facility accepts tokens")
		_ = c.MarkFlagRequired("name")
		_ = c.MarkFlagRequired("kind")
		return c
	}
	registerFacility := facilityCmd("register-facility ID --name NAME --kind KIND [--claims C1,C2] [--accepts-tokens] --from FACILITY_REGISTRAR",
		"Register a facility of any kind; the signer becomes its agency", false)
	updateFacility := facilityCmd("update-facility ID --name NAME --kind KIND [--claims C1,C2] [--accepts-tokens] --from AGENCY",
		"Replace a facility's name, kind, claims and token acceptance (its agency only)", true)

	var barReason, barUntil string
	var barFor time.Duration
	bar := &cobra.Command{
		Use:   "bar FACILITY PSEUDONYM --reason TEXT [--until RFC3339 | --for DURATION] --from AGENCY",
		Short: "Bar a pseudonym from a facility, until a time or until unbarred (its agency only)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ps, err := tx.ParseHash32(args[1])
			if err != nil {
				return fmt.Errorf("PSEUDONYM: %w", err)
			}
			m := &tx.MsgIdentityBar{Facility: args[0], Pseudonym: ps, Reason: barReason}
			switch {
			case barUntil != "" && barFor != 0:
				return errors.New("--until and --for: give one of them, not both")
			case barUntil != "":
				if m.Until, err = time.Parse(time.RFC3339, barUntil); err != nil {
					return fmt.Errorf("--until %q: want an RFC 3339 time, e.g. 2026-06-01T00:00:00+09:00", barUntil)
				}
			case barFor < 0:
				return fmt.Errorf("--for %s: want a positive duration", barFor)
			case barFor > 0:
				m.Until = time.Now().Add(barFor).UTC().Truncate(time.Second)
			}
			return send(cmd, m)
		},
	}
	bar.Flags().StringVar(&barReason, "reason", "", "why the pseudonym is barred")
	bar.Flags().StringVar(&barUntil, "until", "", "the end of the bar (RFC 3339); none: until unbarred")
	bar.Flags().DurationVar(&barFor, "for", 0, "the bar's length from now, e.g. 720h")
	unbar := &cobra.Command{
		Use: "unbar FACILITY PSEUDONYM --from AGENCY", Short: "Lift a bar (its facility's agency only)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ps, err := tx.ParseHash32(args[1])
			if err != nil {
				return fmt.Errorf("PSEUDONYM: %w", err)
			}
			return send(cmd, &tx.MsgIdentityUnbar{Facility: args[0], Pseudonym: ps})
		},
	}

	cmd := &cobra.Command{Use: "identity", Short: "The citizen card (identities, device keys, card copies, suspension) and facilities with their bars"}
	cmd.AddCommand(register, addDevice, removeDevice, addCardCopies, suspend, reinstate, revoke, registerFacility, updateFacility, bar, unbar)
	return []*cobra.Command{cmd}
}

// identityKeyFile reads an ed25519 key: a key file in the keyring's format
// ({"name","address","pubkey","seed"}) at path, or else the key of that
// name in HOME/keys.
func (g *globals) identityKeyFile(what, s string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(s)
	if errors.Is(err, os.ErrNotExist) && !strings.ContainsAny(s, `/\.`) {
		kr, err := g.keyring()
		if err != nil {
			return nil, err
		}
		k, err := kr.Get(s)
		if err != nil {
			return nil, fmt.Errorf("%s %q: neither a key file nor a key in the keyring: %w", what, s, err)
		}
		return k.Private, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var k keyring.Key
	if err := json.Unmarshal(b, &k); err != nil {
		return nil, fmt.Errorf("%s %s: want a key file {\"name\",\"address\",\"pubkey\",\"seed\"}: %w", what, s, err)
	}
	seed, err := hex.DecodeString(k.Seed)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%s %s: seed: want %d bytes in hex", what, s, ed25519.SeedSize)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if len(k.PubKey) != 0 && !bytes.Equal(k.PubKey, priv.Public().(ed25519.PublicKey)) {
		return nil, fmt.Errorf("%s %s: pubkey does not match the seed", what, s)
	}
	return priv, nil
}

// readIdentityJSON decodes the JSON file path into v strictly (no unknown
// fields); field names the flag in errors.
func readIdentityJSON(field, path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s %s: %w", field, path, err)
	}
	return nil
}

// newQueryIdentityCmds is the "query identity" subtree.
func newQueryIdentityCmds(g *globals, f *queryFlags) []*cobra.Command {
	facilityArg := func(s string) error {
		if err := tx.ValidateFacilityID(s); err != nil {
			return fmt.Errorf("FACILITY: %w", err)
		}
		return nil
	}
	params := &cobra.Command{
		Use: "params", Short: "Identity parameters (the defaults unless genesis set them)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.IdentityParams(ctx, f.height)
			})
		},
	}
	identity := &cobra.Command{
		Use: "identity ID [--prove]", Short: "A citizen's identity: device keys, status, card list and copies' commitments", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := g.resolve("ID", args[0])
			if err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.Identity(ctx, id, o)
				if err == nil && v == nil && !o.Prove {
					return nil, nil, fmt.Errorf("identity %s: %w (prove its absence with --prove)", id, client.ErrNotFound)
				}
				return decoded(v, res, err)
			})
		},
	}
	facility := &cobra.Command{
		Use: "facility ID [--prove]", Short: "A facility: kind, required claims, token acceptance, agency", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := facilityArg(args[0]); err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.Facility(ctx, args[0], o)
				if err == nil && v == nil && !o.Prove {
					return nil, nil, fmt.Errorf("facility %s: %w (prove its absence with --prove)", args[0], client.ErrNotFound)
				}
				return decoded(v, res, err)
			})
		},
	}
	var facPages pageFlags
	facilities := &cobra.Command{
		Use: "facilities", Short: "Facilities in id order, a page at a time", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.FacilityPage{Facilities: []tx.Facility{}}
				err := facPages.each(ctx, f, func(ctx context.Context, pr tx.PageRequest, height int64) (string, int64, error) {
					p, at, err := c.Facilities(ctx, pr, height)
					if err != nil {
						return "", 0, err
					}
					out.Facilities, out.Next = append(out.Facilities, p.Facilities...), p.Next
					return p.Next, at, nil
				})
				return out, err
			})
		},
	}
	facPages.register(facilities, "a facility id")
	barred := &cobra.Command{
		Use:   "barred FACILITY PSEUDONYM [--prove]",
		Short: "Whether a pseudonym is barred from a facility; with --prove the bar, or its absence, is proven",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := facilityArg(args[0]); err != nil {
				return err
			}
			ps, err := tx.ParseHash32(args[1])
			if err != nil {
				return fmt.Errorf("PSEUDONYM: %w", err)
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				b, res, err := c.Barred(ctx, args[0], ps, o)
				if err != nil {
					return nil, nil, err
				}
				return map[string]any{"facility": args[0], "pseudonym": ps, "barred": b != nil, "bar": b}, res, nil
			})
		},
	}
	var barPages pageFlags
	bars := &cobra.Command{
		Use: "bars FACILITY", Short: "A facility's bars in pseudonym order, a page at a time", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := facilityArg(args[0]); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.BarPage{Facility: args[0], Bars: []tx.Bar{}}
				err := barPages.each(ctx, f, func(ctx context.Context, pr tx.PageRequest, height int64) (string, int64, error) {
					p, at, err := c.Bars(ctx, tx.BarsRequest{Facility: args[0], PageRequest: pr}, height)
					if err != nil {
						return "", 0, err
					}
					out.Bars, out.Next = append(out.Bars, p.Bars...), p.Next
					return p.Next, at, nil
				})
				return out, err
			})
		},
	}
	barPages.register(bars, "a pseudonym")
	stats := &cobra.Command{
		Use: "stats", Short: "Identities by status, facilities by kind, bars", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.IdentityStats(ctx, f.height)
			})
		},
	}
	cmd := &cobra.Command{Use: "identity", Short: "Citizen card identities, facilities and bars (proven with --prove)"}
	cmd.AddCommand(params, identity, facility, facilities, barred, bars, stats)
	return []*cobra.Command{cmd}
}
