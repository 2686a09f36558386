package main

import (
	"context"
	"crypto/ed25519"
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
	"github.com/citychain/citychain/chain/verify"
	"github.com/citychain/citychain/chain/wallet"
)

// envWalletPIN holds the wallet PIN when no --pin-file is given. The PIN is
// never a flag value (it would show in the process list) and never
// printed.
const envWalletPIN = "CITYCHAIN_WALLET_PIN"

type walletFlags struct {
	path    string
	pinFile string
	timeout time.Duration
}

// walletFile is --wallet, or HOME/wallet.json.
func (g *globals) walletFile(wf *walletFlags) string {
	if wf.path != "" {
		return wf.path
	}
	return filepath.Join(g.home, "wallet.json")
}

// walletPIN reads the PIN from --pin-file (its first line) or
// $CITYCHAIN_WALLET_PIN.
func walletPIN(wf *walletFlags) (string, error) {
	if wf.pinFile != "" {
		b, err := os.ReadFile(wf.pinFile)
		if err != nil {
			return "", fmt.Errorf("--pin-file: %w", err)
		}
		pin, _, _ := strings.Cut(string(b), "\n")
		pin = strings.TrimSuffix(pin, "\r")
		if pin == "" {
			return "", fmt.Errorf("--pin-file %s: the first line is empty, want the wallet PIN", wf.pinFile)
		}
		return pin, nil
	}
	if pin := os.Getenv(envWalletPIN); pin != "" {
		return pin, nil
	}
	return "", fmt.Errorf("the wallet PIN: give --pin-file FILE or $%s (never on the command line)", envWalletPIN)
}

// openWallet opens the wallet with the PIN.
func (g *globals) openWallet(wf *walletFlags) (*wallet.Wallet, error) {
	pin, err := walletPIN(wf)
	if err != nil {
		return nil, err
	}
	path := g.walletFile(wf)
	w, err := wallet.Open(path, pin)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("wallet %s does not exist: create it with citychain wallet init", path)
	}
	return w, err
}

// walletChain reads what a wallet needs from the node (a facility's
// policy, a verifier's record, the identity's commitments): proven against
// the trust root when one is given.
func (g *globals) walletChain(ctx context.Context) (*verify.Online, func(), error) {
	src, err := g.readSource(&verifyFlags{})
	if err != nil {
		return nil, nil, err
	}
	if _, err := src.online.Head(ctx, time.Now()); err != nil {
		src.close()
		return nil, nil, err
	}
	return src.online, src.close, nil
}

// walletRequest is what `wallet request` writes for an issuer: fresh slot
// keys and, for a card office, the wallet's device key (a first card:
// identity/register) or its registered identity (more copies).
type walletRequest struct {
	wallet.HolderRequest
	DeviceKey tx.PubKey   `json:"device_key,omitempty"`
	Identity  *tx.Address `json:"identity,omitempty"`
}

func newWalletCmd(g *globals) *cobra.Command {
	wf := &walletFlags{}
	cmd := &cobra.Command{
		Use:   "wallet",
		Short: "The citizen's wallet: card copies, eligibility credentials and certificates, presented to facilities and verifiers",
		Long: `wallet keeps a citizen's keys and the SD-JWT copies issued to them in one file
(--wallet, default HOME/wallet.json), encrypted under a key derived (scrypt)
from the PIN. The PIN comes from --pin-file FILE or $` + envWalletPIN + `; it is
never a flag value, never stored and never printed. Each copy is issued to one
slot key: a facility always gets the same slot (its pairwise pseudonym), any
other verifier a slot never shown before.`,
	}
	p := cmd.PersistentFlags()
	p.StringVar(&wf.path, "wallet", "", "the wallet file (default HOME/wallet.json)")
	p.StringVar(&wf.pinFile, "pin-file", "", "a file whose first line is the wallet PIN (or $"+envWalletPIN+")")
	p.DurationVar(&wf.timeout, "timeout", 30*time.Second, "how long to wait for the node")
	cmd.AddCommand(newWalletInitCmd(g, wf), newWalletShowCmd(g, wf), newWalletRequestCmd(g, wf), newWalletImportCmd(g, wf),
		newWalletRespondCmd(g, wf), newWalletPresentCmd(g, wf), newWalletPresentCertificateCmd(g, wf),
		newWalletRevealCmd(g, wf), newWalletSuspendCmd(g, wf), newWalletTokenCmd(g, wf), newWalletEvidenceCmd(g, wf))
	return g.outputFlag(cmd)
}

func newWalletInitCmd(g *globals, wf *walletFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Create the wallet (a new random seed) and print its first device key, which a registration office registers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pin, err := walletPIN(wf)
			if err != nil {
				return err
			}
			path := g.walletFile(wf)
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return fmt.Errorf("wallet directory: %w", err)
			}
			w, err := wallet.Create(path, pin)
			if err != nil {
				return err
			}
			_, dev, err := w.NextDevice()
			if err != nil {
				return err
			}
			pub := tx.PubKey(dev.Public().(ed25519.PublicKey))
			if g.output == "json" {
				return g.printJSON(map[string]any{"wallet": path, "device_key": pub, "identity": pub.Address()})
			}
			fmt.Fprintf(g.out, "wallet %s created\ndevice key %s\nidentity   %s (once an office registers the device key)\n", path, pub, pub.Address())
			return nil
		},
	}
}

// walletDocView is one held copy as show prints it.
type walletDocView struct {
	Slot   uint32    `json:"slot"`
	Module string    `json:"module"`
	Vct    string    `json:"vct"`
	Issuer string    `json:"issuer"`
	Anchor uint64    `json:"anchor"`
	Status string    `json:"status,omitempty"`
	Exp    time.Time `json:"exp,omitzero"`
	Claims []string  `json:"claims"`
	Scope  string    `json:"scope,omitempty"`
	// TokenKey is the printed token's key holding the copy.
	TokenKey *tx.PubKey `json:"token_key,omitempty"`
}

func newWalletShowCmd(g *globals, wf *walletFlags) *cobra.Command {
	var facilityIDs []string
	c := &cobra.Command{
		Use:   "show [--facility ID]...",
		Short: "What the wallet holds: identity, device keys, slots, copies, printed tokens, and the pseudonym every facility visited knows it by (no secret is printed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := g.openWallet(wf)
			if err != nil {
				return err
			}
			var devices []tx.PubKey
			for _, n := range w.Devices() {
				devices = append(devices, tx.PubKey(w.DeviceKey(n).Public().(ed25519.PublicKey)))
			}
			view := func(d wallet.Document) walletDocView {
				v := walletDocView{Slot: d.Slot, Module: d.Module, Vct: d.Vct, Issuer: d.Iss, Anchor: d.Anchor.ID, Claims: d.Claims, Scope: d.Scope}
				if d.Status != nil {
					v.Status = d.Status.List + "#" + strconv.FormatUint(uint64(d.Status.Idx), 10)
				}
				if d.Exp != 0 {
					v.Exp = time.Unix(d.Exp, 0).UTC()
				}
				if len(d.Holder) > 0 {
					h := d.Holder
					v.TokenKey = &h
				}
				return v
			}
			docs, tokens := []walletDocView{}, []walletDocView{}
			for _, d := range w.Documents() {
				docs = append(docs, view(d))
			}
			for _, d := range w.Tokens() {
				tokens = append(tokens, view(d))
			}
			// Every facility visited, and those asked for with --facility
			// (null: never visited).
			ids := w.Facilities()
			for _, f := range facilityIDs {
				if !slices.Contains(ids, f) {
					ids = append(ids, f)
				}
			}
			facilities := map[string]any{}
			for _, f := range ids {
				s, ok := w.FacilitySlot(f)
				if !ok {
					facilities[f] = nil
					continue
				}
				ps, _ := w.Pseudonym(f)
				facilities[f] = map[string]any{"slot": s, "pseudonym": ps}
			}
			if g.output == "json" {
				return g.printJSON(map[string]any{"wallet": w.Path(), "identity": w.Identity(), "device_keys": devices, "unused_slots": w.Unused(),
					"documents": docs, "tokens": tokens, "facilities": facilities})
			}
			id := w.Identity()
			if id == "" {
				id = "(not registered)"
			}
			fmt.Fprintf(g.out, "wallet %s\nidentity %s\n", w.Path(), id)
			for _, d := range devices {
				fmt.Fprintf(g.out, "device key %s\n", d)
			}
			fmt.Fprintf(g.out, "%d copies, %d slots never shown\n", len(docs), w.Unused())
			line := func(d walletDocView) string {
				exp := "no expiry"
				if !d.Exp.IsZero() {
					exp = "expires " + d.Exp.Format(time.DateOnly)
				}
				return fmt.Sprintf("%-28s anchor %-5d %s [%s]", d.Vct, d.Anchor, exp, strings.Join(d.Claims, ", "))
			}
			for _, d := range docs {
				fmt.Fprintf(g.out, "  slot %-3d %s\n", d.Slot, line(d))
			}
			if len(tokens) > 0 {
				n := 0
				for _, d := range tokens {
					if d.Scope == wallet.ScopeToken {
						n++
					}
				}
				fmt.Fprintf(g.out, "%d printed tokens (wallet token)\n", n)
				for _, d := range tokens {
					what := "credential"
					if d.Scope == wallet.ScopeToken {
						what = "token"
					}
					fmt.Fprintf(g.out, "  %-10s key %s… %s\n", what, d.TokenKey.String()[:16], line(d))
				}
			}
			for _, f := range ids {
				if ps, ok := w.Pseudonym(f); ok {
					fmt.Fprintf(g.out, "facility %s: pseudonym %s\n", f, ps)
				} else {
					fmt.Fprintf(g.out, "facility %s: never visited\n", f)
				}
			}
			return nil
		},
	}
	c.Flags().StringArrayVar(&facilityIDs, "facility", nil, "also say whether this facility was visited (every visited facility's pseudonym is printed anyway; repeat)")
	return c
}

func newWalletRequestCmd(g *globals, wf *walletFlags) *cobra.Command {
	var copies int
	var slots string
	var card, tokens bool
	var out string
	c := &cobra.Command{
		Use:   "request [--copies N | --slots S1,S2 | --tokens] [--card] [--out FILE]",
		Short: "A request for an issuer: fresh slot keys (one copy each), and with --card the device key or identity a card office needs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if tokens && (slots != "" || card) {
				return errors.New("--tokens: a credential issuer's request for the printed tokens' keys, not with --slots or --card")
			}
			w, err := g.openWallet(wf)
			if err != nil {
				return err
			}
			var r walletRequest
			if tokens {
				r.HolderRequest, err = w.RequestTokens()
			} else if slots != "" {
				var ns []uint32
				for _, s := range splitList(slots) {
					n, err := strconv.ParseUint(s, 10, 32)
					if err != nil {
						return fmt.Errorf("--slots %q: want slot numbers, e.g. 0,3", s)
					}
					ns = append(ns, uint32(n))
				}
				r.HolderRequest, err = w.RequestSlots(ns)
			} else {
				r.HolderRequest, err = w.Request(copies)
			}
			if err != nil {
				return err
			}
			if card {
				if id := w.Identity(); id != "" {
					a, err := tx.ParseAddress(id)
					if err != nil {
						return err
					}
					r.Identity = &a
				} else {
					devs := w.Devices()
					if len(devs) == 0 {
						return errors.New("the wallet has no device key: it was not made by citychain wallet init")
					}
					r.DeviceKey = tx.PubKey(w.DeviceKey(devs[0]).Public().(ed25519.PublicKey))
				}
			}
			return g.writeVerifyJSON(out, r, 0o644)
		},
	}
	c.Flags().IntVar(&copies, "copies", wallet.DefaultBatch, "how many fresh slots (one copy each) to ask for")
	c.Flags().StringVar(&slots, "slots", "", "ask copies for these existing slots instead (e.g. a facility's slot)")
	c.Flags().BoolVar(&card, "card", false, "for a card office: add the device key (first card) or the registered identity")
	c.Flags().BoolVar(&tokens, "tokens", false, "ask a credential issuer for copies on the printed tokens' keys (the claims a token shows)")
	c.Flags().StringVar(&out, "out", "", "write the request to this file (default: standard output)")
	return c
}

func newWalletImportCmd(g *globals, wf *walletFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "import DELIVERY_FILE...",
		Short: "Import issued copies (the issuer's delivery file): each checked against its issuer's signature, this wallet's slots and the anchor's root",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := g.openWallet(wf)
			if err != nil {
				return err
			}
			total := 0
			for _, path := range args {
				var d wallet.Delivery
				if err := readVerifyJSON("DELIVERY_FILE", path, &d); err != nil {
					return err
				}
				n, err := w.Import(&d)
				if err != nil {
					return fmt.Errorf("import %s: %w", path, err)
				}
				total += n
			}
			// A first card names the identity: the device key the office
			// registered.
			if w.Identity() == "" && slices.ContainsFunc(w.Documents(), func(d wallet.Document) bool { return d.Vct == wallet.VctCard }) {
				if devs := w.Devices(); len(devs) > 0 {
					id := tx.PubKey(w.DeviceKey(devs[0]).Public().(ed25519.PublicKey)).Address()
					if err := w.SetIdentity(id.String()); err != nil {
						return err
					}
				}
			}
			tokens := 0
			for _, d := range w.Tokens() {
				if d.Scope == wallet.ScopeToken {
					tokens++
				}
			}
			if g.output == "json" {
				return g.printJSON(map[string]any{"imported": total, "documents": len(w.Documents()), "tokens": tokens, "identity": w.Identity()})
			}
			fmt.Fprintf(g.out, "imported %d copies (%d held, %d printed tokens)\n", total, len(w.Documents()), tokens)
			return nil
		},
	}
}

func newWalletRespondCmd(g *globals, wf *walletFlags) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "respond CHALLENGE_FILE [--out FILE]",
		Short: "Answer a facility reader's challenge: the facility's card copy and the credentials of its policy (read from the chain), one slot key",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ch wallet.Challenge
			if err := readVerifyJSON("CHALLENGE_FILE", args[0], &ch); err != nil {
				return err
			}
			if err := ch.Validate(); err != nil {
				return fmt.Errorf("CHALLENGE_FILE %s: %w", args[0], err)
			}
			w, err := g.openWallet(wf)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), wf.timeout)
			defer cancel()
			chain, done, err := g.walletChain(ctx)
			if err != nil {
				return err
			}
			defer done()
			fac, err := chain.Facility(ctx, ch.Facility)
			if err != nil {
				return err
			}
			if fac == nil {
				return fmt.Errorf("facility %q of the challenge is not registered: not answering", ch.Facility)
			}
			resp, err := w.Entry(ch, fac.Claims, time.Now())
			if err != nil {
				return err
			}
			return g.writeVerifyJSON(out, resp, 0o600)
		},
	}
	c.Flags().StringVar(&out, "out", "", "write the response to this file (default: standard output)")
	return c
}

func newWalletPresentCmd(g *globals, wf *walletFlags) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "present REQUEST_FILE [--out FILE]",
		Short: "Answer a verifier's request with a never-shown slot's credentials, after checking it against the verifier's registered record (claims outside it are refused)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var req wallet.VerifierRequest
			if err := readVerifyJSON("REQUEST_FILE", args[0], &req); err != nil {
				return err
			}
			w, err := g.openWallet(wf)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), wf.timeout)
			defer cancel()
			chain, done, err := g.walletChain(ctx)
			if err != nil {
				return err
			}
			defer done()
			reg, err := chain.Verifier(ctx, req.Verifier)
			if err != nil {
				return err
			}
			if reg == nil {
				return fmt.Errorf("verifier %q is not registered: refused", req.Verifier)
			}
			p, err := w.Present(req, *reg, time.Now())
			if err != nil {
				return err
			}
			return g.writeVerifyJSON(out, p, 0o600)
		},
	}
	c.Flags().StringVar(&out, "out", "", "write the presentation to this file (default: standard output)")
	return c
}

func newWalletPresentCertificateCmd(g *globals, wf *walletFlags) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "present-certificate REQUEST_FILE [--out FILE]",
		Short: "Answer a certificate request: only the requested fields of a certificate of the kind, bound to the verifier and its nonce",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var req wallet.CertificateRequest
			if err := readVerifyJSON("REQUEST_FILE", args[0], &req); err != nil {
				return err
			}
			w, err := g.openWallet(wf)
			if err != nil {
				return err
			}
			p, err := w.PresentCertificate(req, time.Now())
			if err != nil {
				return err
			}
			return g.writeVerifyJSON(out, p, 0o600)
		},
	}
	c.Flags().StringVar(&out, "out", "", "write the presentation to this file (default: standard output)")
	return c
}

// walletReveals are the openings of the identity's card-copy commitments
// not yet revealed (read from the chain): what identity/suspend must
// carry.
func (g *globals) walletReveals(ctx context.Context, w *wallet.Wallet) (tx.Address, []tx.CardReveal, error) {
	id, err := tx.ParseAddress(w.Identity())
	if err != nil {
		return tx.Address{}, nil, errors.New("the wallet has no registered identity (import a card first)")
	}
	chain, done, err := g.walletChain(ctx)
	if err != nil {
		return id, nil, err
	}
	defer done()
	rec, res, err := chain.Client.Identity(ctx, id, client.ReadOpts{Height: 0, Prove: chain.Prove})
	if err != nil {
		return id, nil, err
	}
	if chain.Prove {
		if _, err := chain.Client.Verify(ctx, res); err != nil {
			return id, nil, fmt.Errorf("%w: identity %s: %w", client.ErrNotVerified, id, err)
		}
	}
	if rec == nil {
		return id, nil, fmt.Errorf("identity %s is not registered on the chain", id)
	}
	if int(rec.Revealed) > len(rec.Commitments) {
		return id, nil, fmt.Errorf("identity %s: %d commitments revealed of %d", id, rec.Revealed, len(rec.Commitments))
	}
	live := rec.Commitments[rec.Revealed:]
	out := []tx.CardReveal{}
	for _, r := range w.Reveals() {
		if r.List == rec.CardList && slices.Contains(live, r.Hash()) {
			out = append(out, r.CardReveal)
		}
	}
	if len(out) != len(live) {
		return id, nil, fmt.Errorf("identity %s has %d card copies not yet revealed, this wallet opens %d of them (the office holds the rest)", id, len(live), len(out))
	}
	return id, out, nil
}

func newWalletRevealCmd(g *globals, wf *walletFlags) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "reveal [--out FILE]",
		Short: "The reveal file of a suspension: the openings of every card copy not yet revealed (for tx identity suspend --reveal)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := g.openWallet(wf)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), wf.timeout)
			defer cancel()
			_, rs, err := g.walletReveals(ctx, w)
			if err != nil {
				return err
			}
			return g.writeVerifyJSON(out, rs, 0o600)
		},
	}
	c.Flags().StringVar(&out, "out", "", "write the reveal to this file (default: standard output)")
	return c
}

func newWalletSuspendCmd(g *globals, wf *walletFlags) *cobra.Command {
	var reason string
	c := &cobra.Command{
		Use:   "suspend --reason TEXT",
		Short: "Suspend the card now, signed by this wallet's device key: every copy is refused from the next block (only an office reinstates)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := g.openWallet(wf)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), wf.timeout)
			defer cancel()
			id, rs, err := g.walletReveals(ctx, w)
			if err != nil {
				return err
			}
			m := &tx.MsgIdentitySuspend{ID: id, Reason: reason, Reveal: rs}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			devs := w.Devices()
			if len(devs) == 0 {
				return errors.New("the wallet has no device key")
			}
			c, err := client.New(g.node)
			if err != nil {
				return err
			}
			res, err := c.Submit(ctx, w.DeviceKey(devs[0]), "", m)
			if err != nil {
				return err
			}
			if g.output == "json" {
				return g.printJSON(map[string]any{"hash": res.Hash, "height": res.Height, "code": 0, "identity": id, "revealed": len(rs)})
			}
			fmt.Fprintf(g.out, "committed at height %d\ntx hash %s\nidentity %s suspended: its %d card copies are refused by readers from this block on\n", res.Height, res.Hash, id, len(rs))
			return nil
		},
	}
	c.Flags().StringVar(&reason, "reason", "", "why (stored in the transaction's events)")
	_ = c.MarkFlagRequired("reason")
	return c
}

func newWalletTokenCmd(g *globals, wf *walletFlags) *cobra.Command {
	var out, facility string
	var index int
	c := &cobra.Command{
		Use:   "token [--index N] [--facility ID] [--out FILE]",
		Short: "Print a printed token as one line of text (for paper or a QR code): the token's card copy and, for --facility, the credentials of its policy; no key binding",
		Long: `token prints one of the wallet's printed tokens (issue card --tokens): card
copies with the visible scope "token" and a key of their own, for a citizen
without a smartphone. The text is one line of JSON (citychain-token/1) that a
QR code carries: the card copy disclosing nothing and, with --facility, the
credentials issued to the token's key (wallet request --tokens) disclosing
exactly the claims the facility requires (read from the chain). Nothing is
key-bound: a reader admits a token only where its facility accepts tokens,
and admits the same paper again and again (reduced scope); the identity's
suspension refuses it like every card copy.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := g.openWallet(wf)
			if err != nil {
				return err
			}
			var claims []string
			if facility != "" {
				ctx, cancel := context.WithTimeout(cmd.Context(), wf.timeout)
				defer cancel()
				chain, done, err := g.walletChain(ctx)
				if err != nil {
					return err
				}
				defer done()
				fac, err := chain.Facility(ctx, facility)
				if err != nil {
					return err
				}
				switch {
				case fac == nil:
					return fmt.Errorf("--facility %q is not registered", facility)
				case !fac.AcceptsTokens:
					return fmt.Errorf("--facility %q does not accept printed tokens: its readers would refuse this one (token_not_accepted)", facility)
				}
				claims = fac.Claims
			}
			tok, err := w.PrintToken(index, claims, time.Now())
			if err != nil {
				return err
			}
			text, err := tok.Text()
			if err != nil {
				return err
			}
			if out == "" {
				_, err := fmt.Fprintln(g.out, text)
				return err
			}
			if err := os.WriteFile(out, []byte(text+"\n"), 0o600); err != nil {
				return fmt.Errorf("write %s: %w", out, err)
			}
			return nil
		},
	}
	c.Flags().IntVar(&index, "index", 0, "which printed token (0 = the first imported; wallet show lists them)")
	c.Flags().StringVar(&facility, "facility", "", "add the credentials this facility's policy requires (read from the node; it must accept tokens)")
	c.Flags().StringVar(&out, "out", "", "write the token's text to this file (default: standard output)")
	return c
}
