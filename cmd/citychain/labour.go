package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/agent"
)

// ---- shared helpers (labour and contracts) ----

// parseKRW reads an amount in whole won; what names the argument.
func parseKRW(what, s string) (uint64, error) {
	n, err := strconv.ParseUint(strings.ReplaceAll(s, "_", ""), 10, 64)
	if err != nil || n == 0 || n > tx.MaxKRW {
		return 0, fmt.Errorf("%s %q: want whole won, 1 to %d", what, s, uint64(tx.MaxKRW))
	}
	return n, nil
}

// parseClockTime reads a time as RFC 3339 or unix seconds; what names the
// flag.
func parseClockTime(what, s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n <= 0 {
			return 0, fmt.Errorf("%s %q: want unix seconds after 1970", what, s)
		}
		return n, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || t.Unix() <= 0 {
		return 0, fmt.Errorf("%s %q: want an RFC 3339 time, e.g. 2026-03-02T09:00:00+09:00, or unix seconds", what, s)
	}
	return t.Unix(), nil
}

// parseHashArg reads a SHA-256 in hex; what names the argument.
func parseHashArg(what, s string) (tx.Hash32, error) {
	h, err := tx.ParseHash32(strings.ToLower(s))
	if err != nil {
		return tx.Hash32{}, fmt.Errorf("%s %q: want a SHA-256, 64 hex characters: %w", what, s, err)
	}
	return h, nil
}

// hashOf reads one of --X HEX or --X-file FILE (its SHA-256); what names
// the pair in errors.
func hashOf(what, hexFlag, file string) (tx.Hash32, error) {
	switch {
	case hexFlag != "" && file != "":
		return tx.Hash32{}, fmt.Errorf("--%s and --%s-file: give one", what, what)
	case hexFlag != "":
		return parseHashArg("--"+what, hexFlag)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return tx.Hash32{}, fmt.Errorf("--%s-file: %w", what, err)
		}
		return sha256.Sum256(b), nil
	}
	return tx.Hash32{}, fmt.Errorf("--%s HEX or --%s-file FILE: the document's SHA-256", what, what)
}

// txEvent is one event of a committed transaction, its attributes in the
// order the chain wrote them.
type txEvent struct {
	Type       string     `json:"type"`
	Attributes [][]string `json:"attributes"`
}

// moduleEvents lists the events of res whose type starts with prefix
// ("labour.").
func moduleEvents(res *client.TxResult, prefix string) []txEvent {
	out := []txEvent{}
	for _, e := range res.Events {
		if !strings.HasPrefix(e.Type, prefix) {
			continue
		}
		ev := txEvent{Type: e.Type, Attributes: [][]string{}}
		for _, a := range e.Attributes {
			ev.Attributes = append(ev.Attributes, []string{a.Key, a.Value})
		}
		out = append(out, ev)
	}
	return out
}

// submitEvents signs and submits m and prints the height, the hash and
// the events of the module whose type starts with prefix (what the
// transaction did: a shift opened, a correction disputed, money
// released...), then lines.
func (g *globals) submitEvents(ctx context.Context, f *txFlags, prefix string, m tx.Msg, extra map[string]any, lines ...string) error {
	if err := m.ValidateBasic(); err != nil {
		return err
	}
	res, err := g.broadcast(ctx, f, m)
	if err != nil {
		return err
	}
	return g.printEvents(res, prefix, extra, lines...)
}

// printEvents prints a committed transaction with its module events.
func (g *globals) printEvents(res *client.TxResult, prefix string, extra map[string]any, lines ...string) error {
	evs := moduleEvents(res, prefix)
	out := map[string]any{"events": evs}
	for k, v := range extra {
		out[k] = v
	}
	for _, e := range evs {
		var b strings.Builder
		b.WriteString("event " + e.Type)
		for _, a := range e.Attributes {
			fmt.Fprintf(&b, " %s=%s", a[0], a[1])
		}
		lines = append(lines, b.String())
	}
	return g.printCommitted(res, out, lines...)
}

// ---- tx labour ----

// newTxLabourCmds is the "tx labour" subtree: the ministry's rule table,
// an employer's escrow fund, contracts (offer, countersign, end), clock
// events (the worker's key or a workplace terminal's) and corrections.
func newTxLabourCmds(g *globals, f *txFlags) []*cobra.Command {
	const ev = "labour."
	contractArg := func(s string) (uint64, error) { return parseID("CONTRACT", s) }

	setRule := &cobra.Command{
		Use:   "set-rule KIND EFFECTIVE VALUE --from MINISTRY",
		Short: "Add a row to the dated rule table (role " + tx.RoleLabourMinistry + "): from EFFECTIVE (a date after today, KST) KIND is VALUE",
		Long: "KIND is one of " + strings.Join(tx.RuleKinds, ", ") + ". The minimum wage is won an hour; the rates are parts per\n" +
			"100,000 (4.75 % is 4750; care is a share of the health premium; late_interest a year). A row is never\n" +
			"changed: a later row supersedes it from its date, and must come after every row of its kind.",
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := strconv.ParseUint(args[2], 10, 64)
			if err != nil {
				return fmt.Errorf("VALUE %q: want a whole number (won an hour, or parts per 100,000)", args[2])
			}
			m := &tx.MsgLabourSetRule{Kind: args[0], Effective: args[1], Value: v}
			return g.submitEvents(cmd.Context(), f, ev, m, nil)
		},
	}

	deposit := &cobra.Command{
		Use:   "deposit AMOUNT_KRW --from EMPLOYER",
		Short: "Move AMOUNT_KRW won (as ukrw) into the signer's escrow fund, from which its workers are paid; late statements are retried",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := parseKRW("AMOUNT_KRW", args[0])
			if err != nil {
				return err
			}
			return g.submitEvents(cmd.Context(), f, ev, &tx.MsgLabourDeposit{AmountKRW: n}, nil)
		},
	}
	withdraw := &cobra.Command{
		Use:   "withdraw AMOUNT_KRW --from EMPLOYER",
		Short: "Take won back from the signer's own fund: at most its balance less what its statements owe (a project's labour pool is never withdrawn)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := parseKRW("AMOUNT_KRW", args[0])
			if err != nil {
				return err
			}
			return g.submitEvents(cmd.Context(), f, ev, &tx.MsgLabourWithdraw{AmountKRW: n}, nil)
		},
	}

	var (
		offerFile, worker, project, start, end, cycle string
		wage                                          uint64
		payDay                                        uint32
	)
	offer := &cobra.Command{
		Use:   "offer --file CONTRACT.json [--worker W] [--start D] [--end D] [--hourly-wage N] [--pay-cycle C] [--pay-day N] [--project P] --from EMPLOYER",
		Short: "Offer an employment contract to a worker (the signer is the employer); prints the contract id for the worker's countersign",
		Long: `CONTRACT.json is a labour/offer message (docs/labour.md), every field the Part-time Act art. 17 asks for:
  {"worker": "<40 hex>", "start": "2026-03-02", "end": "2026-08-31",
   "schedule": [{"day": "mon", "start": "09:00", "minutes": 240, "break_minutes": 30}, ...],
   "hourly_wage": 10320, "pay_cycle": "weekly", "pay_day": 5, "weekly_holiday": "sun",
   "leave": "<sha256>", "place": "<sha256>", "duties": "<sha256>", "worker_id": "<sha256>", "terms": "<sha256>"}
(unknown fields are refused). The flags replace the file's fields; --worker takes a key name or an address.
pay_cycle daily pays each shift at its clock-out (pay_day 0); weekly on weekday pay_day (1 = Monday) of the
next week; monthly on day pay_day (1 to 28) of the next month. A wage below the minimum in force at the start
is refused (labour 5); a project contract (--project) must be the employer's (its prime or a subcontractor).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if offerFile == "" {
				return errors.New("--file: the contract, a JSON labour/offer message (see --help)")
			}
			var m tx.MsgLabourOffer
			if err := readIdentityJSON("--file", offerFile, &m); err != nil {
				return err
			}
			fl := cmd.Flags()
			if fl.Changed("worker") {
				a, err := g.resolve("--worker", worker)
				if err != nil {
					return err
				}
				m.Worker = a
			}
			for _, o := range []struct {
				flag string
				dst  *string
				v    string
			}{{"project", &m.Project, project}, {"start", &m.Start, start}, {"end", &m.End, end}, {"pay-cycle", &m.PayCycle, cycle}} {
				if fl.Changed(o.flag) {
					*o.dst = o.v
				}
			}
			if fl.Changed("hourly-wage") {
				m.HourlyWage = wage
			}
			if fl.Changed("pay-day") {
				m.PayDay = payDay
			}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			res, err := g.broadcast(cmd.Context(), f, &m)
			if err != nil {
				return err
			}
			id, err := votingEventID(res, "labour.offered", "contract")
			if err != nil {
				return fmt.Errorf("%w (query labour contracts --employer KEY)", err)
			}
			return g.printEvents(res, ev, map[string]any{"contract_id": id, "terms": m.Terms},
				fmt.Sprintf("contract id %d", id),
				fmt.Sprintf("(the worker: citychain tx labour countersign %d --from WORKER)", id))
		},
	}
	of := offer.Flags()
	of.StringVar(&offerFile, "file", "", "the contract: a JSON labour/offer message")
	of.StringVar(&worker, "worker", "", "the worker (a key name or an address)")
	of.StringVar(&project, "project", "", "the public-works contract whose labour pool pays it")
	of.StringVar(&start, "start", "", "the first day, YYYY-MM-DD (KST)")
	of.StringVar(&end, "end", "", "the last day, YYYY-MM-DD (KST); none for an open-ended contract")
	of.Uint64Var(&wage, "hourly-wage", 0, "won an hour")
	of.StringVar(&cycle, "pay-cycle", "", "daily, weekly or monthly")
	of.Uint32Var(&payDay, "pay-day", 0, "weekday 1-7 (weekly), day 1-28 (monthly), 0 (daily)")

	var terms string
	countersign := &cobra.Command{
		Use:   "countersign CONTRACT [--terms HEX] --from WORKER",
		Short: "Countersign an offered contract (its worker): the terms commitment signed is printed",
		Long: "--terms is the SHA-256 of the contract text the worker was given; without it the offer's terms are\n" +
			"read from the chain, so the worker signs what is stored: compare the printed hash with the document's.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := contractArg(args[0])
			if err != nil {
				return err
			}
			m := &tx.MsgLabourCountersign{Contract: id}
			source := "--terms"
			if terms != "" {
				if m.Terms, err = parseHashArg("--terms", terms); err != nil {
					return err
				}
			} else {
				c, err := client.New(g.node)
				if err != nil {
					return err
				}
				defer c.Close()
				ctx, cancel := context.WithTimeout(cmd.Context(), f.timeout)
				ct, _, err := c.LabourContract(ctx, id, client.ReadOpts{})
				cancel()
				if err != nil {
					return err
				}
				if ct == nil {
					return fmt.Errorf("CONTRACT %d: %w (no such contract: the chain refuses it with %v)", id, client.ErrNotFound, tx.CodeLabourUnknownContract)
				}
				m.Terms, source = ct.Terms, "read from the offer on chain"
			}
			return g.submitEvents(cmd.Context(), f, ev, m, map[string]any{"contract": id, "terms": m.Terms},
				fmt.Sprintf("countersigned contract %d, terms %s (%s)", id, m.Terms, source))
		},
	}
	countersign.Flags().StringVar(&terms, "terms", "", "SHA-256 of the contract's terms, 64 hex characters (default: the offer's, read from the chain)")

	endCmd := &cobra.Command{
		Use:   "end CONTRACT DATE --from EMPLOYER_OR_WORKER",
		Short: "End a contract after DATE (its last working day, YYYY-MM-DD KST, not before today nor after the contract's end)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := contractArg(args[0])
			if err != nil {
				return err
			}
			return g.submitEvents(cmd.Context(), f, ev, &tx.MsgLabourEnd{Contract: id, End: args[1]}, nil)
		},
	}

	var keyFile, device, at string
	clock := &cobra.Command{
		Use:   "clock CONTRACT in|out [--terminal-key FILE --device ID [--at TIME]] --from KEY",
		Short: "Clock a contract's worker in or out: signed by the worker (the block time counts), or stamped by a workplace terminal",
		Long: "Without --terminal-key the signer (--from) is the contract's worker and the event's time is the block's.\n" +
			"With --terminal-key FILE (the terminal's device key as `edge-agent keygen` writes it, or a keyring key: a key\n" +
			"file or the name of a key in HOME/keys, as the devnet's terminals) and --device ID\n" +
			"(a device of kind " + tx.KindWorkTerminal + " owned by the employer) the terminal signs the event at --at\n" +
			"(RFC 3339 or unix seconds, default now; at most 60 s ahead of the block, at most 24 h behind) and any key\n" +
			"(--from) relays it.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := contractArg(args[0])
			if err != nil {
				return err
			}
			if args[1] != tx.ClockIn && args[1] != tx.ClockOut {
				return fmt.Errorf("ACTION %q: want %s or %s", args[1], tx.ClockIn, tx.ClockOut)
			}
			m := &tx.MsgLabourClock{Contract: id, Action: args[1]}
			switch {
			case keyFile != "" || device != "":
				if keyFile == "" || device == "" {
					return errors.New("--terminal-key and --device: a terminal's stamp needs both")
				}
				if m.Terminal, err = g.terminalStamp(cmd.Context(), f, keyFile, device, id, args[1], at); err != nil {
					return err
				}
			case at != "":
				return errors.New("--at: only a terminal's stamp carries a time (--terminal-key, --device); the worker's own event takes the block time")
			}
			return g.submitEvents(cmd.Context(), f, ev, m, nil)
		},
	}
	clock.Flags().StringVar(&keyFile, "terminal-key", "", "the work terminal's device key: a file of edge-agent keygen, or a keyring key (file or name)")
	clock.Flags().StringVar(&device, "device", "", "the work terminal's device id")
	clock.Flags().StringVar(&at, "at", "", "the event's time on the terminal: RFC 3339 or unix seconds (default now)")

	var inAt, outAt string
	correct := &cobra.Command{
		Use:   "correct CONTRACT SHIFT --in TIME --out TIME --from EMPLOYER_OR_WORKER",
		Short: "Correct a shift's times (RFC 3339 or unix seconds): the worker's applies; the employer's applies unless it lowers the pay, then it is disputed",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := contractArg(args[0])
			if err != nil {
				return err
			}
			shift, err := parseID("SHIFT", args[1])
			if err != nil {
				return err
			}
			if inAt == "" || outAt == "" {
				return errors.New("--in and --out: the shift's corrected times")
			}
			m := &tx.MsgLabourCorrect{Contract: id, Shift: shift}
			if m.In, err = parseClockTime("--in", inAt); err != nil {
				return err
			}
			if m.Out, err = parseClockTime("--out", outAt); err != nil {
				return err
			}
			return g.submitEvents(cmd.Context(), f, ev, m, nil)
		},
	}
	correct.Flags().StringVar(&inAt, "in", "", "the corrected clock-in: RFC 3339 or unix seconds")
	correct.Flags().StringVar(&outAt, "out", "", "the corrected clock-out: RFC 3339 or unix seconds")

	cmd := &cobra.Command{Use: "labour", Short: "Part-time work: the rule table, escrow funds, contracts (offer, countersign, end), clock events, corrections"}
	cmd.AddCommand(setRule, deposit, withdraw, offer, countersign, endCmd, clock, correct)
	return []*cobra.Command{cmd}
}

// terminalStamp builds a work terminal's stamp of a clock event: the key
// in keyFile signs tx.LabourClockMessage at the time at ("" for now) for
// device, whose key epoch is read from the node (the epoch whose key is
// the file's).
func (g *globals) terminalStamp(ctx context.Context, f *txFlags, keyFile, device string, contract uint64, action, at string) (*tx.TerminalStamp, error) {
	if err := tx.ValidateDeviceID(device); err != nil {
		return nil, fmt.Errorf("--device: %w", err)
	}
	priv, err := g.terminalKey(keyFile)
	if err != nil {
		return nil, err
	}
	when := time.Now().Unix()
	if at != "" {
		if when, err = parseClockTime("--at", at); err != nil {
			return nil, err
		}
	}
	c, err := client.New(g.node)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	d, _, err := c.Device(ctx, device, client.ReadOpts{})
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, fmt.Errorf("--device %s: %w (no such device: the chain refuses it with %v)", device, client.ErrNotFound, tx.CodeLabourBadTerminal)
	}
	pub := priv.Public().(ed25519.PublicKey)
	epoch := uint32(0)
	if bytes.Equal(d.PubKey, pub) {
		epoch = d.KeyEpoch
	}
	for _, k := range d.Keys {
		if epoch == 0 && bytes.Equal(k.PubKey, pub) {
			epoch = k.Epoch
		}
	}
	if epoch == 0 {
		return nil, fmt.Errorf("--terminal-key %s: public key %x is not a key of device %s (current %x, epoch %d): the chain refuses it with %v",
			keyFile, []byte(pub), device, []byte(d.PubKey), d.KeyEpoch, tx.CodeLabourBadTerminal)
	}
	sig := ed25519.Sign(priv, tx.LabourClockMessage(chainID, contract, action, when, device))
	return &tx.TerminalStamp{Device: device, KeyEpoch: epoch, At: when, Signature: sig}, nil
}

// terminalKey reads --terminal-key: a device key file as `edge-agent
// keygen` writes it, or a key in the keyring's format (a key file, or the
// name of a key in HOME/keys: the devnet's terminals).
func (g *globals) terminalKey(s string) (ed25519.PrivateKey, error) {
	if b, err := os.ReadFile(s); err == nil && !bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		priv, err := agent.LoadKey(s)
		if err != nil {
			return nil, fmt.Errorf("--terminal-key: %w", err)
		}
		return priv, nil
	}
	return g.identityKeyFile("--terminal-key", s)
}

// ---- query labour ----

// newQueryLabourCmds is the "query labour" subtree.
func newQueryLabourCmds(g *globals, f *queryFlags) []*cobra.Command {
	optAddr := func(what, s string) (tx.Address, error) {
		if s == "" {
			return tx.Address{}, nil
		}
		return g.resolve(what, s)
	}
	projectArg := func(s string) error { return tx.ValidateProjectID(s) }

	rules := &cobra.Command{
		Use: "rules", Short: "The dated rule table in force: minimum wage, insurance shares, late-pay interest (built-in rows and those added), and the parameters", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.computed("the rule table", "prove a contract or a statement with --prove"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) { return c.LabourRules(ctx, f.height) })
		},
	}
	contract := &cobra.Command{
		Use: "contract ID [--prove]", Short: "An employment contract: its terms, status, shifts, last event (--prove proves it, or its absence)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("ID", args[0])
			if err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.LabourContract(ctx, id, o)
				return f.found(fmt.Sprintf("contract %d", id), v != nil, v, res, err)
			})
		},
	}
	var employer, worker string
	var ctPages pageFlags
	contracts := &cobra.Command{
		Use: "contracts [--employer A | --worker A]", Short: "Contracts in id order, all or an employer's or a worker's, a page at a time", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var req tx.LabourContractsRequest
			var err error
			if req.Employer, err = optAddr("--employer", employer); err != nil {
				return err
			}
			if req.Worker, err = optAddr("--worker", worker); err != nil {
				return err
			}
			if err := f.computed("a page of contracts", "prove one with `query labour contract ID --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.LabourContractPage{Contracts: []tx.LabourContract{}}
				err := idPages(ctx, f, &ctPages, func(ctx context.Context, after uint64, limit uint32, height int64) (uint64, int64, error) {
					r := req
					r.After, r.Limit = after, limit
					p, at, err := c.LabourContracts(ctx, r, height)
					if err != nil {
						return 0, 0, err
					}
					out.Contracts, out.Next = append(out.Contracts, p.Contracts...), p.Next
					return p.Next, at, nil
				})
				return out, err
			})
		},
	}
	contracts.Flags().StringVar(&employer, "employer", "", "only this employer's contracts (a key name or an address)")
	contracts.Flags().StringVar(&worker, "worker", "", "only this worker's contracts (a key name or an address)")
	contracts.MarkFlagsMutuallyExclusive("employer", "worker")
	ctPages.register(contracts, "a contract id")

	shift := &cobra.Command{
		Use: "shift CONTRACT ID [--prove]", Short: "A shift: in, out (by the worker or a terminal), paid minutes, corrections, a disputed correction, its statement", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ct, err := parseID("CONTRACT", args[0])
			if err != nil {
				return err
			}
			id, err := parseID("ID", args[1])
			if err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.LabourShift(ctx, ct, id, o)
				return f.found(fmt.Sprintf("shift %d of contract %d", id, ct), v != nil, v, res, err)
			})
		},
	}
	var shPages pageFlags
	shifts := &cobra.Command{
		Use: "shifts CONTRACT", Short: "A contract's shifts in id order, a page at a time", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ct, err := parseID("CONTRACT", args[0])
			if err != nil {
				return err
			}
			if err := f.computed("a page of shifts", "prove one with `query labour shift CONTRACT ID --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.LabourShiftPage{Shifts: []tx.Shift{}}
				err := idPages(ctx, f, &shPages, func(ctx context.Context, after uint64, limit uint32, height int64) (uint64, int64, error) {
					p, at, err := c.LabourShifts(ctx, tx.LabourShiftsRequest{Contract: ct, After: after, Limit: limit}, height)
					if err != nil {
						return 0, 0, err
					}
					out.Shifts, out.Next = append(out.Shifts, p.Shifts...), p.Next
					return p.Next, at, nil
				})
				return out, err
			})
		},
	}
	shPages.register(shifts, "a shift id")

	var check bool
	statement := &cobra.Command{
		Use:   "statement ID [--prove | --check]",
		Short: "A wage statement: items with their basis, gross, deductions, net, due, paid or late with interest (--prove proves it; --check recomputes it)",
		Long: "--check reads the statement, the rule table, its contract and the contract's shifts at one height and\n" +
			"recomputes the statement with the chain's pay arithmetic (hours × wage and the weekly holiday allowance\n" +
			"with one final rounding, the insurance shares at the due date, the net, the late days and interest);\n" +
			"it prints each field that differs and exits non-zero when any does.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("ID", args[0])
			if err != nil {
				return err
			}
			if !check {
				return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
					v, res, err := c.LabourStatement(ctx, id, o)
					return f.found(fmt.Sprintf("statement %d", id), v != nil, v, res, err)
				})
			}
			if f.prove {
				return errors.New("--check and --prove: give one (--prove proves the statement as stored; --check recomputes it)")
			}
			return g.checkStatement(cmd.Context(), f, id)
		},
	}
	statement.Flags().BoolVar(&check, "check", false, "recompute the statement from the chain's rules and the contract's shifts; exit non-zero if it differs")

	var (
		stContract           uint64
		stWorker, stEmployer string
		stLate               bool
		stPages              pageFlags
	)
	statements := &cobra.Command{
		Use: "statements [--contract ID | --worker A | --employer A] [--late]", Short: "Wage statements in id order, all or those of a contract, a worker, an employer, late ones (the filters combine), a page at a time", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req := tx.LabourStatementsRequest{Contract: stContract, Late: stLate}
			var err error
			if req.Worker, err = optAddr("--worker", stWorker); err != nil {
				return err
			}
			if req.Employer, err = optAddr("--employer", stEmployer); err != nil {
				return err
			}
			if err := f.computed("a page of statements", "prove one with `query labour statement ID --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.LabourStatementPage{Statements: []tx.WageStatement{}}
				err := idPages(ctx, f, &stPages, func(ctx context.Context, after uint64, limit uint32, height int64) (uint64, int64, error) {
					r := req
					r.After, r.Limit = after, limit
					p, at, err := c.LabourStatements(ctx, r, height)
					if err != nil {
						return 0, 0, err
					}
					out.Statements, out.Next = append(out.Statements, p.Statements...), p.Next
					return p.Next, at, nil
				})
				return out, err
			})
		},
	}
	sf := statements.Flags()
	sf.Uint64Var(&stContract, "contract", 0, "only this contract's statements")
	sf.StringVar(&stWorker, "worker", "", "only this worker's statements (a key name or an address)")
	sf.StringVar(&stEmployer, "employer", "", "only this employer's statements (a key name or an address)")
	sf.BoolVar(&stLate, "late", false, "only the late statements (due, the escrow short: interest accrues)")
	stPages.register(statements, "a statement id")

	fundRead := func(cmd *cobra.Command, what string, req tx.LabourFundRequest) error {
		return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
			v, res, err := c.LabourFund(ctx, req, o)
			return f.found(what, v != nil, v, res, err)
		})
	}
	fund := &cobra.Command{
		Use: "fund OWNER [--prove]", Short: "An employer's escrow fund: balance, owed, deposited, paid, withdrawn, late statements (--prove proves it, or its absence)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			owner, err := g.resolve("OWNER", args[0])
			if err != nil {
				return err
			}
			return fundRead(cmd, "fund of "+owner.String(), tx.LabourFundRequest{Owner: owner})
		},
	}
	projectFund := &cobra.Command{
		Use: "project-fund PROJECT [--prove]", Short: "A public-works project's labour pool (funded by its approved milestones; never withdrawn)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := projectArg(args[0]); err != nil {
				return err
			}
			return fundRead(cmd, "labour pool of project "+args[0], tx.LabourFundRequest{Project: args[0]})
		},
	}
	projectLine := &cobra.Command{
		Use: "project-line PROJECT WORKER [--prove]", Short: "A worker's line of a project's arrears view: wages owed (late) and paid from its labour pool (absent: owed 0, paid 0; --prove proves either)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := projectArg(args[0]); err != nil {
				return err
			}
			w, err := g.resolve("WORKER", args[1])
			if err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.LabourProjectLine(ctx, args[0], w, o)
				return f.found(fmt.Sprintf("line of %s in project %s", w, args[0]), v != nil, v, res, err)
			})
		},
	}
	var plPages pageFlags
	projectLines := &cobra.Command{
		Use: "project-lines PROJECT", Short: "A project's worker lines in worker address order, a page at a time", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := projectArg(args[0]); err != nil {
				return err
			}
			if err := f.computed("a page of project lines", "prove one with `query labour project-line PROJECT WORKER --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := tx.LabourProjectLinePage{Lines: []tx.LabourProjectLine{}}
				err := plPages.each(ctx, f, func(ctx context.Context, pr tx.PageRequest, height int64) (string, int64, error) {
					req := tx.LabourProjectLinesRequest{Project: args[0], Limit: uint32(pr.Limit)}
					if pr.After != "" {
						a, err := tx.ParseAddress(pr.After)
						if err != nil {
							return "", 0, fmt.Errorf("--after %q: want the \"next\" of the previous page (a worker address): %w", pr.After, err)
						}
						req.After = a
					}
					p, at, err := c.LabourProjectLines(ctx, req, height)
					if err != nil {
						return "", 0, err
					}
					out.Lines, out.Next = append(out.Lines, p.Lines...), p.Next
					if p.Next.IsZero() {
						return "", at, nil
					}
					return p.Next.String(), at, nil
				})
				return out, err
			})
		},
	}
	plPages.register(projectLines, "a worker address")
	stats := &cobra.Command{
		Use: "stats", Short: "The module's totals: contracts, shifts, statements paid and late, won paid, interest, withheld, in escrow, queued work", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.computed("the totals", "prove a fund with `query labour fund OWNER --prove`"); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) { return c.LabourStats(ctx, f.height) })
		},
	}

	cmd := &cobra.Command{Use: "labour", Short: "Part-time work: the rule table, contracts, shifts, wage statements (checked with --check), funds, project lines (proven with --prove)"}
	cmd.AddCommand(rules, contract, contracts, shift, shifts, statement, statements, fund, projectFund, projectLine, projectLines, stats)
	return []*cobra.Command{cmd}
}

// checkStatement recomputes statement id (client.LabourCheckStatement)
// and prints the verdict; a statement that differs is an error after it
// is printed.
func (g *globals) checkStatement(ctx context.Context, f *queryFlags, id uint64) error {
	c, err := client.New(g.node)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	chk, err := c.LabourCheckStatement(ctx, id, f.height)
	if err != nil {
		return err
	}
	if g.output == "json" {
		if err := g.printJSON(map[string]any{"statement": id, "height": chk.Height, "matches": chk.OK(), "check": chk}); err != nil {
			return err
		}
	} else {
		w := chk.Want
		verdict := "matches its recomputation"
		if !chk.OK() {
			verdict = "DOES NOT MATCH its recomputation"
		}
		fmt.Fprintf(g.out, "statement %d (state at height %d) %s\n", id, chk.Height, verdict)
		fmt.Fprintf(g.out, "  minutes %d, weekly holiday numerator %d (min(contracted, 2400); 1/5 minute units)\n", chk.Minutes, chk.AllowanceNumerator)
		for _, it := range w.Items {
			fmt.Fprintf(g.out, "  %-15s %12d won  %s\n", it.Name, it.AmountKRW, it.Basis)
		}
		fmt.Fprintf(g.out, "  %-15s %12d won\n", "gross", w.GrossKRW)
		for _, d := range w.Deductions {
			fmt.Fprintf(g.out, "  - %-13s %12d won  (%d/100000 of %d)\n", d.Name, d.AmountKRW, d.Rate, d.BaseKRW)
		}
		fmt.Fprintf(g.out, "  %-15s %12d won\n", "net", w.NetKRW)
		if w.DaysLate > 0 || w.InterestKRW > 0 {
			fmt.Fprintf(g.out, "  paid %d days late: interest %d won\n", w.DaysLate, w.InterestKRW)
		}
		for _, m := range chk.Mismatches {
			fmt.Fprintln(g.out, "  differs: "+m)
		}
	}
	if !chk.OK() {
		return fmt.Errorf("statement %d does not match its recomputation: %s", id, strings.Join(chk.Mismatches, "; "))
	}
	return nil
}
