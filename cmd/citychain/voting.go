package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/votecrypto"
	"github.com/citychain/citychain/chain/votes"
	"github.com/citychain/citychain/chain/wallet"
	"github.com/citychain/citychain/edge/atomicfile"
)

// ---- shared helpers ----

// parseID reads an id argument (1 or more: a proposal, an election, a
// contract, a shift, a statement); what
// names the argument.
func parseID(what, s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("%s %q: want an id (1 or more)", what, s)
	}
	return id, nil
}

// parseVoteAfter reads a page cursor (an id or sequence number).
func parseVoteAfter(s string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("--after %q: want the \"next\" of the previous page (a number)", s)
	}
	return n, nil
}

// votePages reads the page of one voting list that the flags ask for, or
// every page (pageFlags.each), through fetch: it reads the page of req
// (After and Limit set; it sets the rest) at height, keeps its items and
// returns its next id.
func votePages(ctx context.Context, f *queryFlags, pages *pageFlags,
	fetch func(ctx context.Context, req tx.VotingPageRequest, height int64) (next uint64, at int64, err error)) error {
	return idPages(ctx, f, pages, func(ctx context.Context, after uint64, limit uint32, height int64) (uint64, int64, error) {
		return fetch(ctx, tx.VotingPageRequest{After: after, Limit: uint64(limit)}, height)
	})
}

// idPages reads the pages of a list whose cursor is an id (a decimal
// number; 0 is the first page, or no next page) through fetch.
func idPages(ctx context.Context, f *queryFlags, pages *pageFlags,
	fetch func(ctx context.Context, after uint64, limit uint32, height int64) (next uint64, at int64, err error)) error {
	return pages.each(ctx, f, func(ctx context.Context, pr tx.PageRequest, height int64) (string, int64, error) {
		after, err := parseVoteAfter(pr.After)
		if err != nil {
			return "", 0, err
		}
		next, at, err := fetch(ctx, after, uint32(pr.Limit), height)
		if err != nil {
			return "", 0, err
		}
		return voteNext(next), at, nil
	})
}

// voteNext is the page cursor of next id n ("" for none).
func voteNext(n uint64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatUint(n, 10)
}

// parseTracker reads a ballot tracker (64 hex characters).
func parseTracker(what, s string) (tx.Hash32, error) {
	h, err := tx.ParseHash32(strings.ToLower(s))
	if err != nil {
		return tx.Hash32{}, fmt.Errorf("%s %q: want the ballot's tracker (64 hex characters, printed by vote cast): %w", what, s, err)
	}
	return h, nil
}

// sendAs signs msgs with priv (a wallet's device key or a ballot key),
// broadcasts them and waits for their block. opening: a key with no
// account signs at sequence 0 (voting/cast opens its account). A
// rejection is printed with -o json, as broadcast does.
func (g *globals) sendAs(ctx context.Context, timeout time.Duration, memo string, priv ed25519.PrivateKey, opening bool, msgs ...tx.Msg) (*client.TxResult, error) {
	c, err := client.New(g.node)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	addr := tx.AddressOf(priv.Public().(ed25519.PublicKey))
	var seq uint64
	acc, err := c.Account(ctx, addr)
	switch {
	case err == nil:
		seq = acc.Sequence
	case errors.Is(err, client.ErrNotFound) && opening:
	default:
		return nil, err
	}
	raw, err := tx.Build(priv, chainID, seq, memo, msgs...)
	if err != nil {
		return nil, err
	}
	res, err := c.BroadcastAndWait(ctx, raw)
	var te *client.TxError
	if errors.As(err, &te) && g.output == "json" {
		_ = g.printJSON(map[string]any{"hash": te.Hash, "height": te.Height, "codespace": te.Codespace, "code": te.Code, "log": te.Log})
	}
	return res, err
}

// printCommitted prints a committed transaction: its height and hash,
// then (text) lines or (JSON) the fields of extra.
func (g *globals) printCommitted(res *client.TxResult, extra map[string]any, lines ...string) error {
	if g.output == "json" {
		out := map[string]any{"hash": res.Hash, "height": res.Height, "code": 0}
		for k, v := range extra {
			out[k] = v
		}
		return g.printJSON(out)
	}
	fmt.Fprintf(g.out, "committed at height %d\ntx hash %s\n", res.Height, res.Hash)
	for _, l := range lines {
		fmt.Fprintln(g.out, l)
	}
	return nil
}

// votingEventID is the id a voting event of the transaction carries: the
// attribute key (proposal, election) or "id" of the first event of type
// typ.
func votingEventID(res *client.TxResult, typ, key string) (uint64, error) {
	for _, k := range []string{key, "id"} {
		if v, ok := res.Attr(typ, k); ok {
			if id, err := strconv.ParseUint(v, 10, 64); err == nil {
				return id, nil
			}
		}
	}
	return 0, fmt.Errorf("transaction %s committed at height %d, but its events carry no %s %s", res.Hash, res.Height, typ, key)
}

// citizen is the signer of a citizen's voting transaction (propose,
// support, request a credential): the --from key of the keyring, or the
// wallet's first device key; and its residency evidence, from the wallet.
type citizen struct {
	g  *globals
	f  *txFlags
	wf *walletFlags
	w  *wallet.Wallet
}

func (c *citizen) wallet() (*wallet.Wallet, error) {
	if c.w == nil {
		w, err := c.g.openWallet(c.wf)
		if err != nil {
			return nil, err
		}
		c.w = w
	}
	return c.w, nil
}

// key is the signing key: --from, or the wallet's first device key.
func (c *citizen) key() (ed25519.PrivateKey, string, error) {
	if c.f.from != "" {
		kr, err := c.g.keyring()
		if err != nil {
			return nil, "", err
		}
		k, err := kr.Get(c.f.from)
		if err != nil {
			return nil, "", fmt.Errorf("--from: %w", err)
		}
		return k.Private, "--from " + c.f.from, nil
	}
	w, err := c.wallet()
	if err != nil {
		return nil, "", fmt.Errorf("no --from: the wallet's device key signs: %w", err)
	}
	devs := w.Devices()
	if len(devs) == 0 {
		return nil, "", fmt.Errorf("wallet %s has no device key: give --from KEY, or register the wallet's identity first", w.Path())
	}
	return w.DeviceKey(devs[0]), "the wallet's device key", nil
}

// identity is the identity the signing key belongs to (read from the
// node).
func (c *citizen) identity(ctx context.Context, cl *client.Client, priv ed25519.PrivateKey, what string) (tx.Address, error) {
	addr := tx.AddressOf(priv.Public().(ed25519.PublicKey))
	id, ok, _, err := cl.IdentityOfKey(ctx, addr, client.ReadOpts{})
	if err != nil {
		return tx.Address{}, err
	}
	if !ok {
		return tx.Address{}, fmt.Errorf("%s (address %s) is not a device key of any identity: the chain refuses it (%v)", what, addr, tx.CodeVotingNotEligible)
	}
	return id, nil
}

// eligibility is the residency evidence for purpose and id, from the
// wallet, when the chain's params ask for one (nil otherwise).
func (c *citizen) eligibility(ctx context.Context, cl *client.Client, purpose string, id uint64, identity tx.Address) (*tx.VotingEligibility, error) {
	p, err := cl.VotingParams(ctx, 0)
	if err != nil {
		return nil, err
	}
	if p.ResidencySchema == "" {
		return nil, nil
	}
	w, err := c.wallet()
	if err != nil {
		return nil, fmt.Errorf("residency evidence (schema %s) comes from the wallet: %w", p.ResidencySchema, err)
	}
	chainID, err := cl.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	return w.VotingEligibility(wallet.VotingTarget{ChainID: chainID, Purpose: purpose, ID: id, Identity: identity},
		p.ResidencySchema, p.ResidencyClaim, time.Now())
}

// registerWallet adds --wallet and --pin-file to cmd.
func registerWallet(cmd *cobra.Command, wf *walletFlags) {
	cmd.Flags().StringVar(&wf.path, "wallet", "", "the citizen's wallet: residency evidence, and the signing device key without --from (default HOME/wallet.json)")
	cmd.Flags().StringVar(&wf.pinFile, "pin-file", "", "a file whose first line is the wallet PIN (or $"+envWalletPIN+")")
}

// readVoters reads --voters FILE (a JSON array of {"identity", "weight"})
// and --voter ID[:WEIGHT] flags (weight 1 by default).
func (g *globals) readVoters(file string, flags []string) ([]tx.VoteWeight, error) {
	var out []tx.VoteWeight
	if file != "" {
		if err := readIdentityJSON("--voters", file, &out); err != nil {
			return nil, err
		}
	}
	for _, v := range flags {
		id, w, hasW := strings.Cut(v, ":")
		a, err := g.resolve("--voter "+v, id)
		if err != nil {
			return nil, err
		}
		weight := uint64(1)
		if hasW {
			if weight, err = strconv.ParseUint(w, 10, 64); err != nil || weight == 0 || weight > tx.MaxVoteWeight {
				return nil, fmt.Errorf("--voter %s: weight %q, want 1 to %d", v, w, tx.MaxVoteWeight)
			}
		}
		out = append(out, tx.VoteWeight{Identity: a, Weight: weight})
	}
	return out, nil
}

// readCredentialKeys reads --credential-keys: a commission key file
// (vote commission-keys) or a JSON array of public keys
// [{"weight", "key"}]. It returns the commission state when the file is
// one.
func readCredentialKeys(path string) ([]tx.VoteCredentialKey, *votes.CommissionState, error) {
	var cs votes.CommissionState
	if err := votes.Load(path, &cs); err == nil && len(cs.Keys) > 0 {
		keys, err := cs.CredentialKeys()
		if err != nil {
			return nil, nil, fmt.Errorf("--credential-keys %s: %w", path, err)
		}
		return keys, &cs, nil
	}
	var keys []tx.VoteCredentialKey
	if err := readIdentityJSON("--credential-keys", path, &keys); err != nil {
		return nil, nil, fmt.Errorf("%w (want a file of vote commission-keys, or a JSON array of {\"weight\", \"key\"})", err)
	}
	return keys, nil, nil
}

// unixText prints unix seconds (an event attribute) as RFC 3339.
func unixText(s string) string {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return s
	}
	return time.Unix(n, 0).UTC().Format(time.RFC3339)
}

// latestHeight is the node's latest block height.
func latestHeight(ctx context.Context, c *client.Client) (uint64, error) {
	st, err := c.RPC().Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("node status: %w", err)
	}
	return uint64(st.SyncInfo.LatestBlockHeight), nil
}

// readElection reads election id; not found is an error naming what.
func readElection(ctx context.Context, c *client.Client, what string, id uint64, height int64) (*tx.VoteElection, int64, error) {
	e, res, err := c.VoteElection(ctx, id, client.ReadOpts{Height: height})
	if err != nil {
		return nil, 0, err
	}
	if e == nil {
		return nil, 0, fmt.Errorf("%s %d: %w (no election with that id)", what, id, client.ErrNotFound)
	}
	return e, res.Height, nil
}

// ---- tx voting ----

// newTxVotingCmds is the "tx voting" subtree: citizen proposals (propose,
// support, answer) and the setup of elections (create-election,
// add-voters). The roles' election flows (keys, credentials, ballots,
// decryption) are under `citychain vote`.
func newTxVotingCmds(g *globals, f *txFlags) []*cobra.Command {
	send := func(cmd *cobra.Command, m tx.Msg) error {
		if err := m.ValidateBasic(); err != nil {
			return err
		}
		return g.submit(cmd.Context(), f, m)
	}

	// citizenSend signs m (built by build once the identity is known)
	// with the citizen's key and returns the result.
	citizenSend := func(cmd *cobra.Command, wf *walletFlags, purpose string, id uint64, build func(ev *tx.VotingEligibility) tx.Msg) (*client.TxResult, error) {
		cz := &citizen{g: g, f: f, wf: wf}
		priv, what, err := cz.key()
		if err != nil {
			return nil, err
		}
		cl, err := client.New(g.node)
		if err != nil {
			return nil, err
		}
		defer cl.Close()
		ctx, cancel := context.WithTimeout(cmd.Context(), f.timeout)
		defer cancel()
		identity, err := cz.identity(ctx, cl, priv, what)
		if err != nil {
			return nil, err
		}
		ev, err := cz.eligibility(ctx, cl, purpose, id, identity)
		if err != nil {
			return nil, err
		}
		m := build(ev)
		if err := m.ValidateBasic(); err != nil {
			return nil, err
		}
		return g.sendAs(cmd.Context(), f.timeout, f.memo, priv, false, m)
	}

	var (
		title, summary, body, bodyHash, uri, department string
		proposeWallet                                   walletFlags
	)
	propose := &cobra.Command{
		Use:   "propose --title T --summary S (--body FILE | --body-hash HEX) [--uri URI] --department KEY_OR_ADDRESS [--from KEY | --wallet FILE]",
		Short: "File a citizen proposal (the signer's identity proposes and is its first supporter); prints the proposal id",
		Long: "The signer is a device key of an active identity: --from (a key of HOME/keys) or, without it, the wallet's\n" +
			"device key. When the chain asks for residency (params residency_schema), the wallet shows one residency\n" +
			"copy never shown before, disclosing only the residency claim (--wallet, --pin-file or $" + envWalletPIN + ").\n" +
			"The proposal's text lives off chain: --body FILE is hashed (SHA-256), or give --body-hash; --uri says where.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var h tx.Hash32
			switch {
			case body != "" && bodyHash != "":
				return errors.New("--body and --body-hash: give one")
			case body != "":
				b, err := os.ReadFile(body)
				if err != nil {
					return fmt.Errorf("--body: %w", err)
				}
				h = sha256.Sum256(b)
			case bodyHash != "":
				var err error
				if h, err = tx.ParseHash32(strings.ToLower(bodyHash)); err != nil {
					return fmt.Errorf("--body-hash %q: %w", bodyHash, err)
				}
			default:
				return errors.New("--body FILE or --body-hash HEX: the proposal's full text, hashed")
			}
			if department == "" {
				return errors.New("--department: name the city department (role " + tx.RoleCityDepartment + ") that answers")
			}
			dept, err := g.resolve("--department", department)
			if err != nil {
				return err
			}
			res, err := citizenSend(cmd, &proposeWallet, wallet.VotingPropose, 0, func(ev *tx.VotingEligibility) tx.Msg {
				return &tx.MsgVotingPropose{Title: title, Summary: summary, BodyHash: h, URI: uri, Department: dept, Eligibility: ev}
			})
			if err != nil {
				return err
			}
			id, err := votingEventID(res, "voting.proposed", "proposal")
			if err != nil {
				return fmt.Errorf("%w (query voting proposals)", err)
			}
			return g.printCommitted(res, map[string]any{"proposal_id": id}, fmt.Sprintf("proposal id %d", id))
		},
	}
	pf := propose.Flags()
	pf.StringVar(&title, "title", "", fmt.Sprintf("the proposal's title (at most %d bytes)", tx.MaxVoteTitle))
	pf.StringVar(&summary, "summary", "", fmt.Sprintf("a summary (at most %d bytes)", tx.MaxVoteText))
	pf.StringVar(&body, "body", "", "a file of the proposal's full text: its SHA-256 goes on chain")
	pf.StringVar(&bodyHash, "body-hash", "", "SHA-256 of the full text, 64 hex characters (instead of --body)")
	pf.StringVar(&uri, "uri", "", "where the full text is published")
	pf.StringVar(&department, "department", "", "the department that answers (a key name or address holding "+tx.RoleCityDepartment+")")
	registerWallet(propose, &proposeWallet)

	var supportWallet walletFlags
	support := &cobra.Command{
		Use:   "support PROPOSAL [--from KEY | --wallet FILE]",
		Short: "Support a proposal (each identity counts once); prints its supports",
		Long: "The signer and the residency evidence are as for propose. Crossing a threshold (department, forum, mayor)\n" +
			"opens that level's answer deadline (events voting.dept_answer_due, voting.forum_opened, voting.mayor_answer_due).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("PROPOSAL", args[0])
			if err != nil {
				return err
			}
			res, err := citizenSend(cmd, &supportWallet, wallet.VotingSupport, id, func(ev *tx.VotingEligibility) tx.Msg {
				return &tx.MsgVotingSupport{Proposal: id, Eligibility: ev}
			})
			if err != nil {
				return err
			}
			extra := map[string]any{"proposal": id}
			lines := []string{fmt.Sprintf("supported proposal %d", id)}
			if n, ok := res.Attr("voting.supported", "supports"); ok {
				extra["supports"] = n
				lines = []string{fmt.Sprintf("proposal %d has %s supports", id, n)}
			}
			for i, typ := range []string{"voting.dept_answer_due", "voting.forum_opened", "voting.mayor_answer_due"} {
				if due, ok := res.Attr(typ, "due"); ok {
					extra[tx.AnswerLevels[i]+"_due"] = due
					lines = append(lines, fmt.Sprintf("threshold of level %s reached (%s): answer due %s", tx.AnswerLevels[i], typ, unixText(due)))
				}
			}
			return g.printCommitted(res, extra, lines...)
		},
	}
	registerWallet(support, &supportWallet)

	var answerText, answerURI string
	answer := &cobra.Command{
		Use:   "answer PROPOSAL LEVEL --answer TEXT [--uri URI] --from DEPARTMENT_OR_MAYOR",
		Short: "Record a level's answer (department or forum: the proposal's department; mayor: a holder of role mayor)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("PROPOSAL", args[0])
			if err != nil {
				return err
			}
			if !slices.Contains(tx.AnswerLevels, args[1]) {
				return fmt.Errorf("LEVEL %q: want one of %s", args[1], strings.Join(tx.AnswerLevels, ", "))
			}
			if answerText == "" {
				return errors.New("--answer: the answer's text (public)")
			}
			return send(cmd, &tx.MsgVotingAnswer{Proposal: id, Level: args[1], Answer: answerText, URI: answerURI})
		},
	}
	answer.Flags().StringVar(&answerText, "answer", "", fmt.Sprintf("the answer (public, at most %d bytes)", tx.MaxVoteText))
	answer.Flags().StringVar(&answerURI, "uri", "", "where the full answer is published")

	var (
		eTitle, question, rule, votersFile, keysFile, trustees, keysDir string
		options, voterFlags                                             []string
		minChoices, maxChoices, threshold                               uint32
		openHeight, closeHeight, openIn, closeIn                        uint64
	)
	create := &cobra.Command{
		Use: "create-election --title T --question Q --option A --option B [--option ...] [--min-choices N --max-choices K] " +
			"[--rule residents|listed [--voters FILE] [--voter ID[:WEIGHT]]...] --credential-keys FILE " +
			"(--open-height H | --open-in N) (--close-height H | --close-in N) --trustees A,B,C --threshold K --from COMMISSION",
		Short: "Create an election (role " + tx.RoleElectionCommission + "; the signer is its commission); prints the election id",
		Long: `The options are numbered from 1 in the order given; voters choose between --min-choices and
--max-choices of them (default 1 and 1: choose one). --rule residents: any resident identity (weight 1);
--rule listed: only the identities of --voters FILE (a JSON array of {"identity", "weight"}) and --voter
ID[:WEIGHT] flags (more with add-voters before the opening). --credential-keys is the file of
'vote commission-keys' (one blind RSA key per weight used); it is copied to DIR/commission-<id>.json
(--dir, default HOME/voting) for 'vote issue'. The trustees (key names or addresses, indexed 1..n in
order) run the DKG before --open-height (at least complaint_blocks+3 blocks ahead); any --threshold of
them decrypt the tally after --close-height (1 ≤ threshold < n).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m := &tx.MsgVotingCreateElection{Title: eTitle, Question: question, Options: options, MinChoices: minChoices, MaxChoices: maxChoices,
				Rule: rule, Threshold: threshold}
			if rule != tx.RuleResidents && rule != tx.RuleListed {
				return fmt.Errorf("--rule %q: want %s or %s", rule, tx.RuleResidents, tx.RuleListed)
			}
			var err error
			if m.Voters, err = g.readVoters(votersFile, voterFlags); err != nil {
				return err
			}
			if rule == tx.RuleResidents && len(m.Voters) > 0 {
				return fmt.Errorf("--voters/--voter: an election of rule %s takes no voter list (use --rule %s)", tx.RuleResidents, tx.RuleListed)
			}
			if keysFile == "" {
				return errors.New("--credential-keys: the file of `citychain vote commission-keys`")
			}
			keys, cs, err := readCredentialKeys(keysFile)
			if err != nil {
				return err
			}
			m.CredentialKeys = keys
			for _, s := range splitList(trustees) {
				a, err := g.resolve("--trustees "+s, s)
				if err != nil {
					return err
				}
				m.Trustees = append(m.Trustees, a)
			}
			if len(m.Trustees) == 0 {
				return errors.New("--trustees: name the trustees (key names or addresses, comma-separated)")
			}
			if (openHeight == 0) == (openIn == 0) {
				return errors.New("--open-height or --open-in: give one (when ballots start)")
			}
			if (closeHeight == 0) == (closeIn == 0) {
				return errors.New("--close-height or --close-in: give one (the last height ballots are taken)")
			}
			m.OpenHeight, m.CloseHeight = openHeight, closeHeight
			if openIn != 0 || closeIn != 0 {
				cl, err := client.New(g.node)
				if err != nil {
					return err
				}
				ctx, cancel := context.WithTimeout(cmd.Context(), f.timeout)
				h, err := latestHeight(ctx, cl)
				cancel()
				cl.Close()
				if err != nil {
					return err
				}
				if openIn != 0 {
					m.OpenHeight = h + openIn
				}
				if closeIn != 0 {
					m.CloseHeight = m.OpenHeight + closeIn
				}
			}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			res, err := g.broadcast(cmd.Context(), f, m)
			if err != nil {
				return err
			}
			id, err := votingEventID(res, "voting.election_created", "election")
			if err != nil {
				return fmt.Errorf("%w (query voting elections)", err)
			}
			extra := map[string]any{"election_id": id, "open_height": m.OpenHeight, "close_height": m.CloseHeight}
			lines := []string{fmt.Sprintf("election id %d (opens at height %d, closes after height %d)", id, m.OpenHeight, m.CloseHeight)}
			if cs != nil {
				dir := keysDir
				if dir == "" {
					dir = filepath.Join(g.home, "voting")
				}
				p := votes.CommissionFile(dir, strconv.FormatUint(id, 10))
				if err := votes.Save(p, cs); err != nil {
					return fmt.Errorf("election %d created, but its commission keys were not copied: %w (give --keys %s to vote issue)", id, err, keysFile)
				}
				extra["commission_keys"] = p
				lines = append(lines, "commission keys "+p)
			}
			return g.printCommitted(res, extra, lines...)
		},
	}
	cf := create.Flags()
	cf.StringVar(&eTitle, "title", "", fmt.Sprintf("the election's title (at most %d bytes)", tx.MaxVoteTitle))
	cf.StringVar(&question, "question", "", fmt.Sprintf("the question (at most %d bytes)", tx.MaxVoteText))
	cf.StringArrayVar(&options, "option", nil, fmt.Sprintf("an option (repeat, 2 to %d, in order; numbered from 1)", tx.MaxVoteOptions))
	cf.Uint32Var(&minChoices, "min-choices", 1, "the fewest options a ballot chooses")
	cf.Uint32Var(&maxChoices, "max-choices", 1, "the most options a ballot chooses")
	cf.StringVar(&rule, "rule", tx.RuleResidents, "who votes: "+tx.RuleResidents+" (any resident, weight 1) or "+tx.RuleListed+" (the voter list, with weights)")
	cf.StringVar(&votersFile, "voters", "", `a JSON file of the voter list: [{"identity": "<40 hex>", "weight": 1}, ...] (rule listed)`)
	cf.StringArrayVar(&voterFlags, "voter", nil, "a listed voter: identity id or key name, optionally :WEIGHT (repeat; rule listed)")
	cf.StringVar(&keysFile, "credential-keys", "", "the commission's key file (vote commission-keys --out)")
	cf.StringVar(&keysDir, "dir", "", "where to copy the commission's keys as commission-<id>.json (default HOME/voting)")
	cf.Uint64Var(&openHeight, "open-height", 0, "the first height ballots are taken")
	cf.Uint64Var(&openIn, "open-in", 0, "open this many blocks after the latest height (instead of --open-height)")
	cf.Uint64Var(&closeHeight, "close-height", 0, "the last height ballots are taken")
	cf.Uint64Var(&closeIn, "close-in", 0, "close this many blocks after the opening (instead of --close-height)")
	cf.StringVar(&trustees, "trustees", "", "the trustees, comma-separated key names or addresses (indexed 1..n in order)")
	cf.Uint32Var(&threshold, "threshold", 0, "how many trustees decrypt the tally (1 ≤ threshold < trustees)")

	var addFile string
	var addFlags []string
	add := &cobra.Command{
		Use:   "add-voters ELECTION (--voters FILE | --voter ID[:WEIGHT]...) --from COMMISSION",
		Short: "Add voters to a listed election before it opens (its commission only; weights must have a credential key)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("ELECTION", args[0])
			if err != nil {
				return err
			}
			vs, err := g.readVoters(addFile, addFlags)
			if err != nil {
				return err
			}
			if len(vs) == 0 {
				return errors.New("--voters or --voter: name the voters to add")
			}
			return send(cmd, &tx.MsgVotingAddVoters{Election: id, Voters: vs})
		},
	}
	add.Flags().StringVar(&addFile, "voters", "", `a JSON file: [{"identity": "<40 hex>", "weight": 1}, ...]`)
	add.Flags().StringArrayVar(&addFlags, "voter", nil, "a voter: identity id or key name, optionally :WEIGHT (repeat)")

	cmd := &cobra.Command{Use: "voting", Short: "Citizen proposals (propose, support, answer) and elections (create, add voters); the roles' election flows are `citychain vote`"}
	cmd.AddCommand(propose, support, answer, create, add)
	return []*cobra.Command{cmd}
}

// ---- query voting ----

// newQueryVotingCmds is the "query voting" subtree.
func newQueryVotingCmds(g *globals, f *queryFlags) []*cobra.Command {
	idArg := func(what string) func(*cobra.Command, []string) (uint64, error) {
		return func(_ *cobra.Command, args []string) (uint64, error) { return parseID(what, args[0]) }
	}

	params := &cobra.Command{
		Use: "params", Short: "The voting parameters: residency schema and claim, thresholds and answer days, support days, complaint blocks", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.computed("the parameters", "they are in the genesis"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) { return c.VotingParams(ctx, f.height) })
		},
	}
	proposal := &cobra.Command{
		Use: "proposal ID [--prove]", Short: "A proposal: supports, levels (reached, due, answered, overdue) (--prove proves it, or its absence)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := idArg("ID")(cmd, args)
			if err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.VoteProposal(ctx, id, o)
				return f.found(fmt.Sprintf("proposal %d", id), v != nil, v, res, err)
			})
		},
	}
	var propPages pageFlags
	proposals := &cobra.Command{
		Use: "proposals", Short: "Proposals in id order, a page at a time", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.computed("a page of proposals", "prove one with `query voting proposal ID --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.VoteProposalPage{Proposals: []tx.VoteProposal{}}
				err := votePages(ctx, f, &propPages, func(ctx context.Context, req tx.VotingPageRequest, height int64) (uint64, int64, error) {
					p, at, err := c.VoteProposals(ctx, req, height)
					if err != nil {
						return 0, 0, err
					}
					out.Proposals, out.Next = append(out.Proposals, p.Proposals...), p.Next
					return p.Next, at, nil
				})
				return out, err
			})
		},
	}
	propPages.register(proposals, "a proposal id")
	support := &cobra.Command{
		Use: "support PROPOSAL IDENTITY [--prove]", Short: "Whether an identity supported a proposal, and at which height (--prove proves it either way)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("PROPOSAL", args[0])
			if err != nil {
				return err
			}
			who, err := g.resolve("IDENTITY", args[1])
			if err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.VoteSupport(ctx, id, who, o)
				return f.found(fmt.Sprintf("support of proposal %d by %s", id, who), v != nil, v, res, err)
			})
		},
	}
	election := &cobra.Command{
		Use: "election ID [--prove]", Short: "An election: status, heights, trustees, key, credential classes, ballots, tally, result (--prove proves it, or its absence)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := idArg("ID")(cmd, args)
			if err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.VoteElection(ctx, id, o)
				return f.found(fmt.Sprintf("election %d", id), v != nil, v, res, err)
			})
		},
	}
	var elecPages pageFlags
	elections := &cobra.Command{
		Use: "elections", Short: "Elections in id order, a page at a time", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.computed("a page of elections", "prove one with `query voting election ID --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.VoteElectionPage{Elections: []tx.VoteElection{}}
				err := votePages(ctx, f, &elecPages, func(ctx context.Context, req tx.VotingPageRequest, height int64) (uint64, int64, error) {
					p, at, err := c.VoteElections(ctx, req, height)
					if err != nil {
						return 0, 0, err
					}
					out.Elections, out.Next = append(out.Elections, p.Elections...), p.Next
					return p.Next, at, nil
				})
				return out, err
			})
		},
	}
	elecPages.register(elections, "an election id")
	trustees := &cobra.Command{
		Use: "trustees ELECTION", Short: "An election's trustees by index: DKG keys, deals, disqualifications, verification keys, decryption shares", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := idArg("ELECTION")(cmd, args)
			if err != nil {
				return err
			}
			if err := f.computed("the list of trustees", "prove one with `query voting trustee ELECTION INDEX --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				ts, err := c.VoteTrustees(ctx, id, f.height)
				if ts == nil && err == nil {
					ts = []tx.VoteTrustee{}
				}
				return ts, err
			})
		},
	}
	trustee := &cobra.Command{
		Use: "trustee ELECTION INDEX [--prove]", Short: "One trustee (index from 1) of an election (--prove proves it, or its absence)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("ELECTION", args[0])
			if err != nil {
				return err
			}
			idx, err := strconv.ParseUint(args[1], 10, 32)
			if err != nil || idx == 0 {
				return fmt.Errorf("INDEX %q: want a trustee index (1 or more)", args[1])
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.VoteTrustee(ctx, id, uint32(idx), o)
				return f.found(fmt.Sprintf("trustee %d of election %d", idx, id), v != nil, v, res, err)
			})
		},
	}
	request := &cobra.Command{
		Use: "request ELECTION IDENTITY [--prove]", Short: "An identity's credential request in an election and, once issued, its blind signature (--prove proves it, or its absence)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("ELECTION", args[0])
			if err != nil {
				return err
			}
			who, err := g.resolve("IDENTITY", args[1])
			if err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.VoteRequest(ctx, id, who, o)
				return f.found(fmt.Sprintf("request of %s in election %d", who, id), v != nil, v, res, err)
			})
		},
	}
	var pending bool
	var reqPages pageFlags
	requests := &cobra.Command{
		Use: "requests ELECTION [--pending]", Short: "An election's credential requests in request order (--pending: those not yet issued), a page at a time", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := idArg("ELECTION")(cmd, args)
			if err != nil {
				return err
			}
			if err := f.computed("a page of requests", "prove one with `query voting request ELECTION IDENTITY --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.VoteRequestPage{Requests: []tx.VoteRequest{}}
				err := votePages(ctx, f, &reqPages, func(ctx context.Context, req tx.VotingPageRequest, height int64) (uint64, int64, error) {
					req.Election = id
					req.Pending = pending
					p, at, err := c.VoteRequests(ctx, req, height)
					if err != nil {
						return 0, 0, err
					}
					out.Requests, out.Next = append(out.Requests, p.Requests...), p.Next
					return p.Next, at, nil
				})
				return out, err
			})
		},
	}
	requests.Flags().BoolVar(&pending, "pending", false, "only the requests not yet issued")
	reqPages.register(requests, "a request sequence number")
	var ballotPages pageFlags
	ballots := &cobra.Command{
		Use: "ballots ELECTION", Short: "An election's ballots in cast order (replaced ones included, marked superseded), a page at a time", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := idArg("ELECTION")(cmd, args)
			if err != nil {
				return err
			}
			if err := f.computed("a page of ballots", "prove one with `query voting tracker ELECTION TRACKER --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.VoteBallotPage{Ballots: []tx.VoteBallot{}}
				err := votePages(ctx, f, &ballotPages, func(ctx context.Context, req tx.VotingPageRequest, height int64) (uint64, int64, error) {
					req.Election = id
					p, at, err := c.VoteBallots(ctx, req, height)
					if err != nil {
						return 0, 0, err
					}
					out.Ballots, out.Next = append(out.Ballots, p.Ballots...), p.Next
					return p.Next, at, nil
				})
				return out, err
			})
		},
	}
	ballotPages.register(ballots, "a ballot sequence number")
	tracker := &cobra.Command{
		Use: "tracker ELECTION TRACKER [--prove]", Short: "The ballot a tracker names: its order, height, ballot key and whether a later ballot replaced it (--prove proves it, or its absence)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("ELECTION", args[0])
			if err != nil {
				return err
			}
			tr, err := parseTracker("TRACKER", args[1])
			if err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.VoteTracker(ctx, id, tr, o)
				return f.found(fmt.Sprintf("tracker %s in election %d", tr, id), v != nil, v, res, err)
			})
		},
	}
	cmd := &cobra.Command{Use: "voting", Short: "Proposals and their supports, elections, trustees, credential requests, ballots and trackers (proven with --prove)"}
	cmd.AddCommand(params, proposal, proposals, support, election, elections, trustees, trustee, request, requests, ballots, tracker)
	return []*cobra.Command{cmd}
}

// ---- vote: the roles' election flows ----

// voteEnv is what the vote commands share: the signer (--from), the
// wallet, the state folder and the read flags of track and verify.
type voteEnv struct {
	g   *globals
	f   txFlags
	wf  walletFlags
	q   queryFlags
	dir string
}

func (v *voteEnv) stateDir() string {
	if v.dir != "" {
		return v.dir
	}
	return filepath.Join(v.g.home, "voting")
}

// connect is a client and a context bounded by --timeout.
func (v *voteEnv) connect(cmd *cobra.Command) (*client.Client, context.Context, func(), error) {
	c, err := client.New(v.g.node)
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), v.f.timeout)
	return c, ctx, func() { cancel(); c.Close() }, nil
}

// signer is the --from key.
func (v *voteEnv) signer() (ed25519.PrivateKey, tx.Address, error) {
	if v.f.from == "" {
		return nil, tx.Address{}, errors.New("--from: name the key that signs")
	}
	kr, err := v.g.keyring()
	if err != nil {
		return nil, tx.Address{}, err
	}
	k, err := kr.Get(v.f.from)
	if err != nil {
		return nil, tx.Address{}, fmt.Errorf("--from: %w", err)
	}
	return k.Private, k.Address, nil
}

// trustee loads (or, with create, makes and saves) the state of the
// --from trustee of election e.
func (v *voteEnv) trustee(chainID string, e *tx.VoteElection, create bool) (*votes.TrusteeState, string, error) {
	_, addr, err := v.signer()
	if err != nil {
		return nil, "", err
	}
	idx := votes.TrusteeIndex(e, addr)
	if idx == 0 {
		return nil, "", fmt.Errorf("--from %s (%s) is not a trustee of election %d (trustees %v): the chain refuses it (%v)", v.f.from, addr, e.ID, e.Trustees, tx.CodeVotingNotTrustee)
	}
	path := votes.TrusteeFile(v.stateDir(), e.ID, idx)
	var t votes.TrusteeState
	switch err := votes.Load(path, &t); {
	case err == nil:
		if t.ChainID != chainID || t.Election != e.ID || t.Index != idx {
			return nil, "", fmt.Errorf("trustee state %s is for chain %s election %d trustee %d, not chain %s election %d trustee %d", path, t.ChainID, t.Election, t.Index, chainID, e.ID, idx)
		}
		return &t, path, nil
	case !errors.Is(err, os.ErrNotExist):
		return nil, "", err
	case !create:
		return nil, "", fmt.Errorf("trustee %d of election %d has no state file %s: run `vote trustee key %d` first (--dir names the folder)", idx, e.ID, path, e.ID)
	}
	nt, err := votes.NewTrustee(rand.Reader, chainID, e, idx)
	if err != nil {
		return nil, "", err
	}
	if err := votes.Save(path, nt); err != nil {
		return nil, "", err
	}
	return nt, path, nil
}

// readElectionData reads an election, its trustees, requests and ballots at one
// height (the election's read).
func readElectionData(ctx context.Context, c *client.Client, id uint64) (*votecrypto.ElectionData, int64, error) {
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, 0, err
	}
	e, h, err := readElection(ctx, c, "ELECTION", id, 0)
	if err != nil {
		return nil, 0, err
	}
	d, err := c.VoteElectionData(ctx, chainID, e, h)
	if err != nil {
		return nil, 0, err
	}
	return d, h, nil
}

// newVoteCmd is `citychain vote`: the flows of an election's roles, each
// keeping its secrets in a state file under --dir.
func newVoteCmd(g *globals) *cobra.Command {
	v := &voteEnv{g: g}
	cmd := &cobra.Command{
		Use:   "vote",
		Short: "Elections with a secret ballot: the commission's keys and credentials, the trustees' DKG and decryption, a voter's request, ballot and tracker, publication and re-verification",
		Long: `vote runs the roles of an election (docs/voting.md). Each role's secrets live in a state file
under --dir (default HOME/voting, mode 0600), written before the transaction that depends on it:
  commission-<election>.json   the commission's blind RSA keys (vote commission-keys, tx voting create-election)
  trustee-<election>-<i>.json  trustee i's DKG secret, polynomial and received shares
  voter-<election>-<id>.json   a voter's ballot key, blinding state, credential and trackers
A voter's credential request is signed by its identity's key (--from, or the wallet's device key), the
ballots by a fresh ballot key the commission never sees: nobody can link a ballot to the identity.`,
	}
	v.f.register(cmd)
	p := cmd.PersistentFlags()
	p.StringVar(&v.dir, "dir", "", "the folder of the roles' state files (default HOME/voting)")
	p.StringVar(&v.wf.path, "wallet", "", "the voter's wallet: residency evidence, and the signing device key without --from (default HOME/wallet.json)")
	p.StringVar(&v.wf.pinFile, "pin-file", "", "a file whose first line is the wallet PIN (or $"+envWalletPIN+")")
	cmd.AddCommand(v.commissionKeysCmd(), v.issueCmd(), v.trusteeCmd(), v.requestCmd(), v.castCmd(), v.trackCmd(), v.publishCmd(), v.verifyCmd())
	return g.outputFlag(cmd)
}

func (v *voteEnv) commissionKeysCmd() *cobra.Command {
	var weights, out string
	var bits int
	c := &cobra.Command{
		Use:   "commission-keys [--weights 1[,3,...]] [--bits 2048] --out FILE",
		Short: "Generate the commission's blind RSA keys, one per voter weight, for tx voting create-election --credential-keys (the file holds the private keys, mode 0600)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("--out: the file to write the keys to (it holds the private keys)")
			}
			if votes.Exists(out) {
				return fmt.Errorf("--out %s: exists; the commission's keys are never overwritten", out)
			}
			var ws []uint64
			for _, s := range splitList(weights) {
				w, err := strconv.ParseUint(s, 10, 64)
				if err != nil {
					return fmt.Errorf("--weights %q: %q is not a weight (1 to %d)", weights, s, tx.MaxVoteWeight)
				}
				ws = append(ws, w)
			}
			cs, err := votes.NewCommission(rand.Reader, ws, bits)
			if err != nil {
				return fmt.Errorf("--weights %s --bits %d: %w", weights, bits, err)
			}
			if err := votes.Save(out, cs); err != nil {
				return err
			}
			keys, err := cs.CredentialKeys()
			if err != nil {
				return err
			}
			if v.g.output == "json" {
				return v.g.printJSON(map[string]any{"file": out, "credential_keys": keys})
			}
			fmt.Fprintf(v.g.out, "wrote %d credential keys (weights %v, %d bits) to %s\n(tx voting create-election --credential-keys %s)\n", len(keys), ws, bits, out, out)
			return nil
		},
	}
	c.Flags().StringVar(&weights, "weights", "1", "the voter weights, comma-separated (one key each; a residents election uses 1)")
	c.Flags().IntVar(&bits, "bits", votes.DefaultCredentialBits, fmt.Sprintf("RSA modulus size (%d to %d)", tx.MinCredentialKeyBits, tx.MaxCredentialKeyBits))
	c.Flags().StringVar(&out, "out", "", "the key file to write (mode 0600)")
	return c
}

func (v *voteEnv) issueCmd() *cobra.Command {
	var keys string
	c := &cobra.Command{
		Use:   "issue ELECTION [--keys FILE] --from COMMISSION",
		Short: "Issue a blind credential for every pending request of an election (the commission signs without seeing the ballot key)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("ELECTION", args[0])
			if err != nil {
				return err
			}
			if keys == "" {
				keys = votes.CommissionFile(v.stateDir(), args[0])
			}
			var cs votes.CommissionState
			if err := votes.Load(keys, &cs); err != nil {
				return fmt.Errorf("--keys: %w", err)
			}
			c, ctx, done, err := v.connect(cmd)
			if err != nil {
				return err
			}
			defer done()
			e, h, err := readElection(ctx, c, "ELECTION", id, 0)
			if err != nil {
				return err
			}
			if err := cs.Matches(e); err != nil {
				return fmt.Errorf("--keys %s: %w", keys, err)
			}
			var msgs []tx.Msg
			if _, err := client.AllPages(ctx, h, func(ctx context.Context, after string, height int64) (string, int64, error) {
				a, err := parseVoteAfter(after)
				if err != nil {
					return "", 0, err
				}
				p, at, err := c.VoteRequests(ctx, tx.VotingPageRequest{Election: id, After: a, Limit: tx.MaxListLimit, Pending: true}, height)
				if err != nil {
					return "", 0, err
				}
				for i := range p.Requests {
					m, err := cs.Issue(&p.Requests[i])
					if err != nil {
						return "", 0, err
					}
					msgs = append(msgs, m)
				}
				return voteNext(p.Next), at, nil
			}); err != nil {
				return err
			}
			n := len(msgs)
			if n == 0 {
				if v.g.output == "json" {
					return v.g.printJSON(map[string]any{"election": id, "issued": 0})
				}
				fmt.Fprintf(v.g.out, "election %d: no pending request (%s)\n", id, classSummary(e))
				return nil
			}
			var last *client.TxResult
			for len(msgs) > 0 {
				k := min(len(msgs), issueBatch)
				if last, err = v.g.broadcast(cmd.Context(), &v.f, msgs[:k]...); err != nil {
					return err
				}
				msgs = msgs[k:]
			}
			return v.g.printCommitted(last, map[string]any{"election": id, "issued": n},
				fmt.Sprintf("election %d: issued %d credentials (every pending request)", id, n))
		},
	}
	c.Flags().StringVar(&keys, "keys", "", "the commission's key file (default DIR/commission-ELECTION.json)")
	return c
}

// issueBatch is how many credentials one transaction of vote issue
// carries.
const issueBatch = 32

// classSummary describes an election's credential classes.
func classSummary(e *tx.VoteElection) string {
	var parts []string
	for _, c := range e.Classes {
		parts = append(parts, fmt.Sprintf("weight %d: %d requested, %d issued, %d ballot keys", c.Weight, c.Requested, c.Issued, c.BallotKeys))
	}
	return strings.Join(parts, "; ")
}

func (v *voteEnv) trusteeCmd() *cobra.Command {
	// prepare reads the chain id, election and trustees.
	type env struct {
		c        *client.Client
		ctx      context.Context
		chainID  string
		e        *tx.VoteElection
		trustees []tx.VoteTrustee
	}
	prepare := func(cmd *cobra.Command, args []string) (*env, func(), error) {
		id, err := parseID("ELECTION", args[0])
		if err != nil {
			return nil, nil, err
		}
		c, ctx, done, err := v.connect(cmd)
		if err != nil {
			return nil, nil, err
		}
		x := &env{c: c, ctx: ctx}
		if x.chainID, err = c.ChainID(ctx); err != nil {
			done()
			return nil, nil, err
		}
		var h int64
		if x.e, h, err = readElection(ctx, c, "ELECTION", id, 0); err != nil {
			done()
			return nil, nil, err
		}
		if x.trustees, err = c.VoteTrustees(ctx, id, h); err != nil {
			done()
			return nil, nil, err
		}
		return x, done, nil
	}
	key := &cobra.Command{
		Use:   "key ELECTION --from TRUSTEE",
		Short: "Register the trustee's DKG encryption key (with its proof of knowledge); the secret and the dealing polynomial go to DIR/trustee-ELECTION-INDEX.json first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			x, done, err := prepare(cmd, args)
			if err != nil {
				return err
			}
			defer done()
			if x.e.Status != tx.ElectionSetup {
				return fmt.Errorf("election %d is %s: the DKG runs while it is %s (before height %d)", x.e.ID, x.e.Status, tx.ElectionSetup, x.e.OpenHeight)
			}
			t, path, err := v.trustee(x.chainID, x.e, true)
			if err != nil {
				return err
			}
			if k := x.trustees[t.Index-1].Key; k != nil {
				return fmt.Errorf("trustee %d of election %d already registered its DKG key %s (state %s)", t.Index, x.e.ID, k, path)
			}
			m, err := t.KeyMsg(rand.Reader)
			if err != nil {
				return err
			}
			res, err := v.g.broadcast(cmd.Context(), &v.f, m)
			if err != nil {
				return err
			}
			return v.g.printCommitted(res, map[string]any{"election": x.e.ID, "trustee": t.Index, "key": m.Key, "state": path},
				fmt.Sprintf("trustee %d of election %d registered DKG key %s (state %s)", t.Index, x.e.ID, m.Key, path))
		},
	}
	deal := &cobra.Command{
		Use:   "deal ELECTION --from TRUSTEE",
		Short: "Deal: the Feldman commitments of the trustee's polynomial and a share encrypted to every other trustee (once all registered their keys)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			x, done, err := prepare(cmd, args)
			if err != nil {
				return err
			}
			defer done()
			t, path, err := v.trustee(x.chainID, x.e, false)
			if err != nil {
				return err
			}
			if x.trustees[t.Index-1].DealtAt != 0 {
				return fmt.Errorf("trustee %d of election %d already dealt at height %d", t.Index, x.e.ID, x.trustees[t.Index-1].DealtAt)
			}
			m, err := t.DealMsg(rand.Reader, x.trustees)
			if err != nil {
				return err
			}
			res, err := v.g.broadcast(cmd.Context(), &v.f, m)
			if err != nil {
				return err
			}
			return v.g.printCommitted(res, map[string]any{"election": x.e.ID, "trustee": t.Index, "shares": len(m.Shares), "state": path},
				fmt.Sprintf("trustee %d of election %d dealt %d shares", t.Index, x.e.ID, len(m.Shares)))
		},
	}
	check := &cobra.Command{
		Use:   "check ELECTION --from TRUSTEE",
		Short: "Decrypt and Feldman-check the shares dealt to the trustee; a bad share is complained about on chain (its dealer is disqualified)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			x, done, err := prepare(cmd, args)
			if err != nil {
				return err
			}
			defer done()
			t, path, err := v.trustee(x.chainID, x.e, false)
			if err != nil {
				return err
			}
			complaints, err := t.Receive(rand.Reader, x.trustees)
			if err != nil {
				return err
			}
			if err := votes.Save(path, t); err != nil {
				return err
			}
			var good, against, waiting []uint32
			for _, r := range t.Received {
				good = append(good, r.Dealer)
			}
			for _, r := range x.trustees {
				if r.Index != t.Index && r.DealtAt == 0 {
					waiting = append(waiting, r.Index)
				}
			}
			for _, m := range complaints {
				if _, err := v.g.broadcast(cmd.Context(), &v.f, m); err != nil {
					return fmt.Errorf("complaint against dealer %d: %w", m.Dealer, err)
				}
				against = append(against, m.Dealer)
			}
			out := map[string]any{"election": x.e.ID, "trustee": t.Index, "good": good, "complained": against, "not_dealt": waiting}
			if v.g.output == "json" {
				return v.g.printJSON(out)
			}
			fmt.Fprintf(v.g.out, "trustee %d of election %d: good shares from dealers %v", t.Index, x.e.ID, good)
			if len(against) > 0 {
				fmt.Fprintf(v.g.out, "; complained against dealers %v (sent)", against)
			}
			if len(waiting) > 0 {
				fmt.Fprintf(v.g.out, "; not dealt yet: %v (check again later)", waiting)
			}
			fmt.Fprintln(v.g.out)
			return nil
		},
	}
	decrypt := &cobra.Command{
		Use:   "decrypt ELECTION --from TRUSTEE",
		Short: "After the close: the trustee's decryption shares of the fixed tally, each proven (any threshold of trustees let anyone publish)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			x, done, err := prepare(cmd, args)
			if err != nil {
				return err
			}
			defer done()
			if x.e.Status != tx.ElectionTallying {
				return fmt.Errorf("election %d is %s: trustees decrypt once it is %s, after height %d (the chain refuses a share before, %v)",
					x.e.ID, x.e.Status, tx.ElectionTallying, x.e.CloseHeight, tx.CodeVotingWrongPhase)
			}
			t, path, err := v.trustee(x.chainID, x.e, false)
			if err != nil {
				return err
			}
			if len(x.trustees[t.Index-1].Decryption) > 0 {
				return fmt.Errorf("trustee %d of election %d already decrypted at height %d", t.Index, x.e.ID, x.trustees[t.Index-1].DecryptedAt)
			}
			if _, err := t.Receive(rand.Reader, x.trustees); err != nil {
				return err
			}
			if err := votes.Save(path, t); err != nil {
				return err
			}
			m, err := t.DecryptMsg(rand.Reader, x.e, x.trustees)
			if err != nil {
				return err
			}
			res, err := v.g.broadcast(cmd.Context(), &v.f, m)
			if err != nil {
				return err
			}
			return v.g.printCommitted(res, map[string]any{"election": x.e.ID, "trustee": t.Index},
				fmt.Sprintf("trustee %d of election %d decrypted the tally (%d options)", t.Index, x.e.ID, len(m.Shares)))
		},
	}
	c := &cobra.Command{Use: "trustee", Short: "A trustee's part: DKG key, deal, check of the shares received, decryption after the close"}
	c.AddCommand(key, deal, check, decrypt)
	return c
}

// voterFile finds a voter's state file of election: --state FILE, else
// the identity's (--identity, else --from's, else the wallet's), else the
// only voter file of the election under DIR.
func (v *voteEnv) voterFile(ctx context.Context, c *client.Client, election uint64, state, identity string) (string, error) {
	if state != "" {
		return state, nil
	}
	if identity != "" {
		a, err := v.g.resolve("--identity", identity)
		if err != nil {
			return "", err
		}
		return votes.VoterFile(v.stateDir(), election, a), nil
	}
	if v.f.from != "" {
		cz := &citizen{g: v.g, f: &v.f, wf: &v.wf}
		priv, what, err := cz.key()
		if err != nil {
			return "", err
		}
		id, err := cz.identity(ctx, c, priv, what)
		if err != nil {
			return "", err
		}
		return votes.VoterFile(v.stateDir(), election, id), nil
	}
	matches, _ := filepath.Glob(filepath.Join(v.stateDir(), "voter-"+strconv.FormatUint(election, 10)+"-*.json"))
	if len(matches) == 1 {
		return matches[0], nil
	}
	cz := &citizen{g: v.g, f: &v.f, wf: &v.wf}
	w, err := cz.wallet()
	if err != nil {
		return "", fmt.Errorf("%d voter files of election %d in %s: name one with --state, --identity or --from, or open the wallet: %w", len(matches), election, v.stateDir(), err)
	}
	id, err := tx.ParseAddress(w.Identity())
	if err != nil {
		return "", fmt.Errorf("wallet %s has no registered identity: name the voter with --state, --identity or --from", w.Path())
	}
	return votes.VoterFile(v.stateDir(), election, id), nil
}

func (v *voteEnv) requestCmd() *cobra.Command {
	var weight uint64
	c := &cobra.Command{
		Use:   "request ELECTION [--weight W] [--from KEY | --wallet FILE]",
		Short: "Ask the commission for a blind voting credential: a fresh ballot key is drawn and blinded (state DIR/voter-ELECTION-IDENTITY.json), the request signed by the identity's key",
		Long: `request draws a fresh ballot key, blinds its credential message under the commission's key of
the voter's weight (--weight; default the election's only weight) and writes the voter's state file
before sending the request, signed by a device key of the identity (--from, or the wallet's device key)
with its residency evidence from the wallet when the chain asks for one. The commission sees the
blinded message only: the ballot key it certifies is never linked to the identity. One request per
identity and election; a state file whose request is not on chain yet is sent again as it is.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("ELECTION", args[0])
			if err != nil {
				return err
			}
			cz := &citizen{g: v.g, f: &v.f, wf: &v.wf}
			priv, what, err := cz.key()
			if err != nil {
				return err
			}
			c, ctx, done, err := v.connect(cmd)
			if err != nil {
				return err
			}
			defer done()
			chainID, err := c.ChainID(ctx)
			if err != nil {
				return err
			}
			e, _, err := readElection(ctx, c, "ELECTION", id, 0)
			if err != nil {
				return err
			}
			if e.Status != tx.ElectionSetup && e.Status != tx.ElectionOpen {
				return fmt.Errorf("election %d is %s: credentials are asked for until height %d", id, e.Status, e.CloseHeight)
			}
			identity, err := cz.identity(ctx, c, priv, what)
			if err != nil {
				return err
			}
			if r, _, err := c.VoteRequest(ctx, id, identity, client.ReadOpts{}); err != nil {
				return err
			} else if r != nil {
				return fmt.Errorf("identity %s already asked for a credential in election %d (request %d at height %d): one per identity (%v)", identity, id, r.Seq, r.Height, tx.CodeVotingAlreadyRequested)
			}
			path := votes.VoterFile(v.stateDir(), id, identity)
			var st votes.VoterState
			switch err := votes.Load(path, &st); {
			case err == nil:
				if st.ChainID != chainID || st.Election != id {
					return fmt.Errorf("voter state %s is for chain %s election %d", path, st.ChainID, st.Election)
				}
			case errors.Is(err, os.ErrNotExist):
				w := weight
				if w == 0 {
					if len(e.Classes) != 1 {
						ws := make([]uint64, len(e.Classes))
						for i, cl := range e.Classes {
							ws[i] = cl.Weight
						}
						return fmt.Errorf("--weight: election %d has weights %v; give the weight the voter list gives this identity", id, ws)
					}
					w = e.Classes[0].Weight
				}
				nv, err := votes.NewVoter(rand.Reader, chainID, e, w)
				if err != nil {
					return fmt.Errorf("--weight %d: %w", w, err)
				}
				nv.Identity = identity
				if err := votes.Save(path, nv); err != nil {
					return err
				}
				st = *nv
			default:
				return err
			}
			ev, err := cz.eligibility(ctx, c, wallet.VotingCredential, id, identity)
			if err != nil {
				return err
			}
			m := st.Request(ev)
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			res, err := v.g.sendAs(cmd.Context(), v.f.timeout, v.f.memo, priv, false, m)
			if err != nil {
				return err
			}
			return v.g.printCommitted(res, map[string]any{"election": id, "identity": identity, "weight": st.Weight, "state": path},
				fmt.Sprintf("identity %s asked for a credential of weight %d in election %d (state %s)", identity, st.Weight, id, path),
				fmt.Sprintf("(once the commission issued it: citychain vote cast %d --choose N)", id))
		},
	}
	c.Flags().Uint64Var(&weight, "weight", 0, "the voter's weight in a listed election with several weights (default: the only one)")
	return c
}

func (v *voteEnv) castCmd() *cobra.Command {
	var choose, state, identity string
	c := &cobra.Command{
		Use:   "cast ELECTION --choose N[,M...] [--state FILE | --identity ID | --from KEY]",
		Short: "Cast (or replace) the voter's ballot, encrypted with its proofs and signed by the ballot key; prints the ballot's tracker",
		Long: `cast finds the voter's state file (--state, or DIR/voter-ELECTION-IDENTITY.json of --identity, of --from's
identity, the only voter file of the election, or the wallet's identity), unblinds the credential
the commission issued (read from the chain) the first time, encrypts the choices (--choose: option
numbers from 1) with proofs that each is 0 or 1 and that their number is allowed, and sends the
ballot signed by the ballot key: its first ballot at sequence 0 opens its account, a later one (a
re-vote) replaces the earlier. The tracker is kept in the state file: vote track proves the ballot
was recorded and counted.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("ELECTION", args[0])
			if err != nil {
				return err
			}
			var nums []uint32
			for _, s := range splitList(choose) {
				n, err := strconv.ParseUint(s, 10, 32)
				if err != nil {
					return fmt.Errorf("--choose %q: %q is not an option number", choose, s)
				}
				nums = append(nums, uint32(n))
			}
			if choose == "" {
				return errors.New("--choose: the option numbers chosen (from 1), comma-separated")
			}
			c, ctx, done, err := v.connect(cmd)
			if err != nil {
				return err
			}
			defer done()
			e, _, err := readElection(ctx, c, "ELECTION", id, 0)
			if err != nil {
				return err
			}
			choices, err := votes.Choices(e, nums)
			if err != nil {
				return fmt.Errorf("--choose %s: %w", choose, err)
			}
			if e.Status != tx.ElectionOpen {
				return fmt.Errorf("election %d is %s: ballots are taken from height %d to %d (%v)", id, e.Status, e.OpenHeight, e.CloseHeight, tx.CodeVotingWrongPhase)
			}
			path, err := v.voterFile(ctx, c, id, state, identity)
			if err != nil {
				return err
			}
			var st votes.VoterState
			if err := votes.Load(path, &st); err != nil {
				if errors.Is(err, os.ErrNotExist) {
					return fmt.Errorf("no voter state %s: ask for a credential first (vote request %d)", path, id)
				}
				return err
			}
			if st.Election != id {
				return fmt.Errorf("voter state %s is for election %d", path, st.Election)
			}
			if len(st.Credential) == 0 {
				if st.Identity.IsZero() {
					return fmt.Errorf("voter state %s names no identity: cannot find its request", path)
				}
				r, _, err := c.VoteRequest(ctx, id, st.Identity, client.ReadOpts{})
				if err != nil {
					return err
				}
				if r == nil {
					return fmt.Errorf("identity %s has no credential request in election %d: send it with vote request %d", st.Identity, id, id)
				}
				if len(r.BlindSig) == 0 {
					return fmt.Errorf("the commission has not issued the credential of request %d (identity %s) in election %d yet", r.Seq, st.Identity, id)
				}
				if err := st.Finalize(e, r.BlindSig); err != nil {
					return err
				}
				if err := votes.Save(path, &st); err != nil {
					return err
				}
			}
			m, err := st.Ballot(rand.Reader, e, choices)
			if err != nil {
				return err
			}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			if err := votes.Save(path, &st); err != nil {
				return err
			}
			tracker := st.Trackers[len(st.Trackers)-1]
			res, err := v.g.sendAs(cmd.Context(), v.f.timeout, v.f.memo, st.BallotKey(), true, m)
			if err != nil {
				st.Trackers = st.Trackers[:len(st.Trackers)-1]
				_ = votes.Save(path, &st)
				return err
			}
			revote := len(st.Trackers) > 1
			lines := []string{"tracker " + tracker.String()}
			if revote {
				lines = append(lines, fmt.Sprintf("(replaces the ballot of tracker %s)", st.Trackers[len(st.Trackers)-2]))
			}
			lines = append(lines, fmt.Sprintf("(check it: citychain vote track %d %s --prove)", id, tracker))
			return v.g.printCommitted(res, map[string]any{"election": id, "tracker": tracker, "revote": revote, "state": path}, lines...)
		},
	}
	c.Flags().StringVar(&choose, "choose", "", "the options chosen: their numbers from 1, comma-separated")
	c.Flags().StringVar(&state, "state", "", "the voter's state file (default: found under DIR)")
	c.Flags().StringVar(&identity, "identity", "", "the voter's identity (id or key name): its state file under DIR")
	return c
}

func (v *voteEnv) trackCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "track ELECTION TRACKER [--prove]",
		Short: "Whether the ballot of a tracker is recorded and counted (not replaced by a later ballot of its key); --prove proves it, or its absence, against a header verified from the trust root",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("ELECTION", args[0])
			if err != nil {
				return err
			}
			tr, err := parseTracker("TRACKER", args[1])
			if err != nil {
				return err
			}
			v.q.timeout = v.f.timeout
			return v.g.state(cmd.Context(), &v.q, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				t, res, err := c.VoteTracker(ctx, id, tr, o)
				if err != nil {
					return nil, nil, err
				}
				view := map[string]any{"election": id, "tracker": tr, "present": t != nil, "counted": t != nil && !t.Superseded}
				if t != nil {
					view["superseded"], view["seq"], view["cast_height"], view["ballot_key"] = t.Superseded, t.Seq, t.Height, t.BallotKey
				}
				return view, res, nil
			})
		},
	}
	c.Flags().BoolVar(&v.q.prove, "prove", false, "fetch a Merkle proof and verify it against the next block's header, verified from the trust root (--trust-genesis or --trust-height/--trust-hash)")
	c.Flags().Int64Var(&v.q.height, "height", 0, "state height to read (0: latest)")
	return c
}

func (v *voteEnv) publishCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "publish ELECTION --from KEY",
		Short: "Combine the decryption shares of the first threshold trustees, solve the counts and publish them (the chain checks them against the tally; anyone may send)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("ELECTION", args[0])
			if err != nil {
				return err
			}
			c, ctx, done, err := v.connect(cmd)
			if err != nil {
				return err
			}
			defer done()
			e, h, err := readElection(ctx, c, "ELECTION", id, 0)
			if err != nil {
				return err
			}
			if e.Status != tx.ElectionTallying {
				return fmt.Errorf("election %d is %s: its result is published while it is %s", id, e.Status, tx.ElectionTallying)
			}
			ts, err := c.VoteTrustees(ctx, id, h)
			if err != nil {
				return err
			}
			m, err := votes.PublishMsg(e, ts)
			if err != nil {
				return err
			}
			res, err := v.g.broadcast(cmd.Context(), &v.f, m)
			if err != nil {
				return err
			}
			lines := []string{fmt.Sprintf("election %d decided:", id)}
			for o, n := range m.Counts {
				lines = append(lines, fmt.Sprintf("  %d. %s: %d", o+1, e.Options[o], n))
			}
			return v.g.printCommitted(res, map[string]any{"election": id, "counts": m.Counts}, lines...)
		},
	}
}

func (v *voteEnv) verifyCmd() *cobra.Command {
	var (
		asJSON bool
		save   string
	)
	c := &cobra.Command{
		Use:   "verify ELECTION [--json] [--save FILE]",
		Short: "Re-verify an election from chain data alone: DKG, credentials, every ballot's proofs, the tally, decryption shares and the result; exits non-zero naming every problem",
		Long: `verify reads the election, its trustees, every credential request and every ballot from the node
(all pages, at one height) and checks them as docs/voting-verification.md specifies, trusting
nothing the node computed: the DKG proofs and the election and verification keys, each blind
signature, each ballot's credential and proofs, one counted ballot (the last) per ballot key,
ballot keys ≤ credentials per weight, the tally recomputed, every decryption share's proof and
the published result. It prints a report (--json: as JSON) and exits with status 1 when it
found any problem. --save FILE also writes the chain data it read (an ElectionData JSON
document), which an independent verifier can check on its own
(python3 docs/examples/voting_verify.py --election FILE).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("ELECTION", args[0])
			if err != nil {
				return err
			}
			c, ctx, done, err := v.connect(cmd)
			if err != nil {
				return err
			}
			defer done()
			d, h, err := readElectionData(ctx, c, id)
			if err != nil {
				return err
			}
			if save != "" {
				b, err := json.MarshalIndent(d, "", "  ")
				if err != nil {
					return err
				}
				if err := atomicfile.Write(save, append(b, '\n'), 0o644); err != nil {
					return fmt.Errorf("--save %s: %w", save, err)
				}
			}
			rep, err := votecrypto.VerifyElection(d)
			if err != nil {
				return fmt.Errorf("election %d: %w", id, err)
			}
			return v.g.printVoteReport(d, h, rep, asJSON || v.g.output == "json")
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON (as -o json)")
	c.Flags().StringVar(&save, "save", "", "also write the chain data read (ElectionData JSON) to FILE, for another verifier")
	return c
}

// printVoteReport prints what vote verify found in election d (read at
// height h): as text or JSON; any problem makes it return an error of
// exit status 1 naming them all.
func (g *globals) printVoteReport(d *votecrypto.ElectionData, h int64, rep *votecrypto.Report, asJSON bool) error {
	e := &d.Election
	if asJSON {
		out := map[string]any{"election": e.ID, "status": e.Status, "height": h, "clean": len(rep.Problems) == 0, "report": rep}
		if err := g.printJSON(out); err != nil {
			return err
		}
	} else {
		w := g.out
		fmt.Fprintf(w, "election %d %q: %s (chain data at height %d)\n", e.ID, e.Title, e.Status, h)
		fmt.Fprintf(w, "trustees %d (threshold %d), qualified %v; credential requests %d\n", len(d.Trustees), e.Threshold, e.Qualified, len(d.Requests))
		fmt.Fprintf(w, "ballots %d, counted %d; tally recomputed from the ballots: %s\n", rep.Ballots, rep.Counted,
			map[bool]string{true: "matches the chain's", false: "DIFFERS from the chain's"}[rep.TallyMatches])
		if len(e.Result) > 0 {
			fmt.Fprintln(w, "result:")
			for o, n := range e.Result {
				opt := ""
				if o < len(e.Options) {
					opt = e.Options[o]
				}
				fmt.Fprintf(w, "  %d. %s: %d\n", o+1, opt, n)
			}
		}
		if len(rep.Problems) == 0 {
			fmt.Fprintln(w, "no problem found")
		} else {
			fmt.Fprintf(w, "%d problems:\n", len(rep.Problems))
			for _, p := range rep.Problems {
				fmt.Fprintf(w, "  - %s\n", p)
			}
		}
	}
	if len(rep.Problems) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("election %d: %d problems found: %s", e.ID, len(rep.Problems), strings.Join(rep.Problems, "; "))}
	}
	return nil
}
