package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/verify"
	"github.com/citychain/citychain/chain/wallet"
)

// verifyFlags say where checks read the chain: the node (--node; proven
// against the trust root when one is given), or an offline snapshot.
type verifyFlags struct {
	snapshot string
	maxAge   time.Duration
	timeout  time.Duration
	nonces   string
}

// source is what a check reads and how to describe it.
type source struct {
	verify.Source
	online *verify.Online // nil offline
	close  func()
}

// readSource opens the snapshot of --snapshot (refused when older than
// --max-age at this machine's clock, when the check runs), or reads the
// node: with a trust root (--trust-genesis, --trust-height/--trust-hash)
// every read is proven against a header the light client verified from
// it, absence included; without one the reads are not proven.
func (g *globals) readSource(vf *verifyFlags) (*source, error) {
	if vf.snapshot != "" {
		s, err := verify.LoadSnapshot(vf.snapshot, vf.maxAge)
		if err != nil {
			return nil, err
		}
		return &source{Source: s, close: func() {}}, nil
	}
	cfg, err := g.trust.config()
	if err != nil {
		return nil, err
	}
	c, err := client.New(g.node)
	if err != nil {
		return nil, err
	}
	if cfg != nil {
		if err := c.SetTrust(*cfg); err != nil {
			return nil, err
		}
	}
	o := verify.NewOnline(c, cfg != nil)
	return &source{Source: o, online: o, close: func() { _ = c.Close() }}, nil
}

// describe says what the check read, for the output.
func (s *source) describe(head verify.Head) map[string]any {
	m := map[string]any{"chain_id": head.ChainID, "height": head.Height, "time": head.Time}
	switch {
	case s.online == nil:
		m["from"] = "snapshot"
	case s.online.Prove:
		m["from"], m["proven"] = "node", true
		if ver := s.online.Verification(); ver != nil {
			m["trust_root"] = ver.Trusted.String()
		}
	default:
		m["from"], m["proven"] = "node", false
	}
	return m
}

// describeLine is describe for the text output.
func (s *source) describeLine(head verify.Head) string {
	at := fmt.Sprintf("chain %s at height %d (%s)", head.ChainID, head.Height, head.Time.UTC().Format(time.RFC3339))
	switch {
	case s.online == nil:
		return "read from the snapshot of " + at
	case s.online.Prove:
		return "read from the node, every record proven against the trust root, " + at
	}
	return "read from the node WITHOUT proofs (give --trust-genesis or --trust-height/--trust-hash to verify them), " + at
}

// readVerifyJSON decodes a JSON file strictly; field names the argument.
func readVerifyJSON(field, path string, v any) error {
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

// writeVerifyJSON writes v as indented JSON to path, or to the output when
// path is empty.
func (g *globals) writeVerifyJSON(path string, v any, mode os.FileMode) error {
	if path == "" {
		return g.printJSON(v)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), mode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// refusedError is the exit of a check that refused (status 1); failures to
// read the chain or bad arguments are status 2.
func refusedError(what, reason, detail string) error {
	if what == reason {
		return &exitError{code: 1, err: fmt.Errorf("%s: %s", what, detail)}
	}
	return &exitError{code: 1, err: fmt.Errorf("%s: %s: %s", what, reason, detail)}
}

// nonceFile is the nonce cache file of a reader or verifier: --nonces, or
// HOME/verify/nonces-<name>.json.
func (g *globals) nonceFile(vf *verifyFlags, name string) (string, error) {
	if vf.nonces != "" {
		return vf.nonces, nil
	}
	dir := filepath.Join(g.home, "verify")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("nonce cache directory: %w", err)
	}
	return filepath.Join(dir, "nonces-"+name+".json"), nil
}

func newVerifyCmd(g *globals) *cobra.Command {
	vf := &verifyFlags{}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Readers and verifiers: door challenges, card entry, credential and certificate presentations, offline snapshots",
		Long: `verify checks citizen cards at a facility's door and credential or certificate
presentations for a registered verifier. Checks read the chain from --node
(every record proven against the trust root when --trust-genesis or
--trust-height/--trust-hash is given, absence included), or offline from a
snapshot (--snapshot FILE, written by "verify snapshot"), refused once older
than --max-age at this machine's clock. A refusal exits with status 1 and
names its reason; a failure to read the chain exits with status 2.`,
	}
	p := cmd.PersistentFlags()
	p.StringVar(&vf.snapshot, "snapshot", "", "check offline against this snapshot file (verify snapshot) instead of the node")
	p.DurationVar(&vf.maxAge, "max-age", verify.DefaultMaxAge, "refuse a snapshot whose state is older than this at this machine's clock")
	p.DurationVar(&vf.timeout, "timeout", 30*time.Second, "how long to wait for the node")
	p.StringVar(&vf.nonces, "nonces", "", "the file of nonces this reader or verifier accepted in the last 60 s (default HOME/verify/nonces-<facility>-<reader>.json or nonces-<verifier>.json)")
	cmd.AddCommand(newVerifyChallengeCmd(g), newVerifyEntryCmd(g, vf), newVerifyRequestCmd(g),
		newVerifyPresentationCmd(g, vf), newVerifyCertificateCmd(g, vf), newVerifySnapshotCmd(g, vf))
	return g.outputFlag(cmd)
}

func newVerifyChallengeCmd(g *globals) *cobra.Command {
	var facility, reader, out string
	c := &cobra.Command{
		Use:   "challenge --facility ID --reader ID [--out FILE]",
		Short: "A door reader's challenge: facility, reader, a fresh 32-byte nonce and the time (show it to the card holder; keep it for verify entry)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ch, err := verify.NewChallenge(facility, reader, time.Now())
			if err != nil {
				return fmt.Errorf("challenge: %w", err)
			}
			return g.writeVerifyJSON(out, ch, 0o644)
		},
	}
	c.Flags().StringVar(&facility, "facility", "", "the facility's id")
	c.Flags().StringVar(&reader, "reader", "", "this reader's id at the facility (1 to 64 characters of a-z, 0-9, '_' and '-')")
	c.Flags().StringVar(&out, "out", "", "write the challenge to this file (default: standard output)")
	_ = c.MarkFlagRequired("facility")
	_ = c.MarkFlagRequired("reader")
	return c
}

func newVerifyEntryCmd(g *globals, vf *verifyFlags) *cobra.Command {
	var challenge, token string
	c := &cobra.Command{
		Use:   "entry RESPONSE_FILE --challenge FILE | entry --token FILE --challenge FILE",
		Short: "Admit or refuse a card holder: the wallet's response (or a printed token) to this reader's challenge",
		Long: `entry checks a card holder's response to the challenge this reader issued
(verify challenge): the card copy and the facility's required claims, all held
by one slot key and bound to "<facility>/<reader>", the challenge's nonce and a
time within 60 s; the card anchored by an office accredited for citizen_card,
its status bit clear, not expired; the holder's pseudonym at the facility not
barred. A nonce is accepted once (--nonces). A printed token (--token FILE:
its one line of text, wallet token or the office's printout) is checked the
same way but without key binding, and admitted only where the facility
accepts tokens (token_not_accepted elsewhere): being paper it names neither
the reader nor the time, so the same token is admitted again and again there
(the reduced scope), under its own key's pseudonym; the claims a facility
requires come from credentials issued to the token's key, printed with it.
It prints ADMITTED and the pseudonym, or REFUSED and the reason (exit
status 1).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ch wallet.Challenge
			if err := readVerifyJSON("--challenge", challenge, &ch); err != nil {
				return usageError(err)
			}
			if err := ch.Validate(); err != nil {
				return usageError(fmt.Errorf("--challenge %s: %w", challenge, err))
			}
			var resp wallet.EntryResponse
			switch {
			case token != "" && len(args) == 0:
				text, err := os.ReadFile(token)
				if err != nil {
					return usageError(fmt.Errorf("--token: %w", err))
				}
				tok, err := wallet.ParsePrintedToken(text)
				if err != nil {
					return usageError(fmt.Errorf("--token %s: %w", token, err))
				}
				resp = *tok.Response(ch)
			case token == "" && len(args) == 1:
				if err := readVerifyJSON("RESPONSE_FILE", args[0], &resp); err != nil {
					return usageError(err)
				}
			default:
				return usageError(errors.New("give the wallet's RESPONSE_FILE or --token FILE, not both"))
			}
			return g.checkEntry(cmd.Context(), vf, ch, &resp)
		},
	}
	c.Flags().StringVar(&challenge, "challenge", "", "the challenge this reader issued (verify challenge --out)")
	c.Flags().StringVar(&token, "token", "", "a printed token's text (wallet token, or the office's printout) instead of a response")
	_ = c.MarkFlagRequired("challenge")
	return c
}

func (g *globals) checkEntry(ctx context.Context, vf *verifyFlags, ch wallet.Challenge, resp *wallet.EntryResponse) error {
	var res *verify.EntryResult
	src, err := g.runCheck(ctx, vf, ch.Facility+"-"+ch.Reader, func(ctx context.Context, src verify.Source, nonces *verify.NonceCache) (err error) {
		if res, err = verify.Entry(ctx, src, nonces, ch, resp, time.Now()); err != nil {
			return fmt.Errorf("entry at %s/%s: %w", ch.Facility, ch.Reader, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if g.output == "json" {
		if err := g.printJSON(map[string]any{"result": res, "read": src.describe(res.Head)}); err != nil {
			return err
		}
	} else {
		if res.Admitted {
			what := "card"
			if res.Token {
				what = "printed token"
			}
			fmt.Fprintf(g.out, "ADMITTED at %s/%s (%s)\npseudonym %s\n%s\n", res.Facility, res.Reader, what, res.Pseudonym, res.Detail)
		} else {
			fmt.Fprintf(g.out, "REFUSED at %s/%s: %s\n%s\n", res.Facility, res.Reader, res.Reason, res.Detail)
			if res.Pseudonym != nil {
				fmt.Fprintf(g.out, "pseudonym %s\n", res.Pseudonym)
			}
		}
		if !res.Head.Time.IsZero() {
			fmt.Fprintln(g.out, src.describeLine(res.Head))
		}
	}
	if !res.Admitted {
		return refusedError("entry refused", res.Reason, res.Detail)
	}
	return nil
}

func newVerifyRequestCmd(g *globals) *cobra.Command {
	var verifierID, claims, nonce, kind, fields, out string
	var from string
	c := &cobra.Command{
		Use:   "request --verifier ID --claims C1,C2 --from KEY [--nonce N] [--out FILE] | request --verifier ID --kind KIND --fields F1,F2 [--nonce N]",
		Short: "A verifier's request: claims of a credential (signed with the verifier's registered key, --from) or fields of a certificate (--kind)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if nonce == "" {
				var n [16]byte
				if _, err := rand.Read(n[:]); err != nil {
					return err
				}
				nonce = hex.EncodeToString(n[:])
			}
			if kind != "" {
				if claims != "" {
					return errors.New("--claims and --kind: a certificate request asks for --fields of a --kind")
				}
				r := wallet.CertificateRequest{Verifier: verifierID, Nonce: nonce, Kind: kind, Fields: splitList(fields)}
				if err := r.Validate(); err != nil {
					return fmt.Errorf("certificate request: %w", err)
				}
				return g.writeVerifyJSON(out, r, 0o644)
			}
			if from == "" {
				return errors.New("--from: name the key registered for verifier " + verifierID + " (credentials register-verifier --key), which signs the request")
			}
			kr, err := g.keyring()
			if err != nil {
				return err
			}
			k, err := kr.Get(from)
			if err != nil {
				return fmt.Errorf("--from: %w", err)
			}
			if err := tx.ValidateVerifierID(verifierID); err != nil {
				return fmt.Errorf("--verifier: %w", err)
			}
			r := wallet.VerifierRequest{Verifier: verifierID, Nonce: nonce, Claims: splitList(claims)}
			if len(r.Claims) == 0 {
				return errors.New("--claims: name the claims to ask for, e.g. resident_seoul")
			}
			r.Sign(k.Private)
			return g.writeVerifyJSON(out, r, 0o644)
		},
	}
	f := c.Flags()
	f.StringVar(&verifierID, "verifier", "", "the verifier's registered id (the audience the holder binds the presentation to)")
	f.StringVar(&claims, "claims", "", "credential claims to ask for, comma-separated (within the verifier's registered claims)")
	f.StringVar(&from, "from", "", "the key registered for the verifier (in HOME/keys), which signs a claims request")
	f.StringVar(&kind, "kind", "", "ask for a certificate of this kind instead of claims")
	f.StringVar(&fields, "fields", "", "the certificate's fields to ask for, comma-separated")
	f.StringVar(&nonce, "nonce", "", "the request's nonce (default: 16 random bytes in hex)")
	f.StringVar(&out, "out", "", "write the request to this file (default: standard output)")
	_ = c.MarkFlagRequired("verifier")
	return c
}

func newVerifyPresentationCmd(g *globals, vf *verifyFlags) *cobra.Command {
	var request string
	c := &cobra.Command{
		Use:   "presentation PRESENTATION_FILE --request FILE",
		Short: "Check a credential presentation against this verifier's request: valid, revoked, suspended, expired, not_accredited or invalid",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var req wallet.VerifierRequest
			if err := readVerifyJSON("--request", request, &req); err != nil {
				return usageError(err)
			}
			var p wallet.Presentation
			if err := readVerifyJSON("PRESENTATION_FILE", args[0], &p); err != nil {
				return usageError(err)
			}
			var res *verify.PresentationResult
			src, err := g.runCheck(cmd.Context(), vf, req.Verifier, func(ctx context.Context, src verify.Source, nonces *verify.NonceCache) (err error) {
				if res, err = verify.Presentation(ctx, src, nonces, req, &p, time.Now()); err != nil {
					return fmt.Errorf("presentation to %s: %w", req.Verifier, err)
				}
				return nil
			})
			if err != nil {
				return err
			}
			return g.printVerdict(src, res.Head, res.Verdict, res.Reason, res.Detail, "claims", res.Claims, res)
		},
	}
	c.Flags().StringVar(&request, "request", "", "the request this verifier made (verify request --out)")
	_ = c.MarkFlagRequired("request")
	return c
}

func newVerifyCertificateCmd(g *globals, vf *verifyFlags) *cobra.Command {
	var request string
	c := &cobra.Command{
		Use:   "certificate PRESENTATION_FILE --request FILE",
		Short: "Check a certificate presentation against this verifier's request: valid, revoked, expired, issuer_suspended or invalid (online only)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var req wallet.CertificateRequest
			if err := readVerifyJSON("--request", request, &req); err != nil {
				return usageError(err)
			}
			var p wallet.Presentation
			if err := readVerifyJSON("PRESENTATION_FILE", args[0], &p); err != nil {
				return usageError(err)
			}
			var res *verify.CertificateResult
			src, err := g.runCheck(cmd.Context(), vf, req.Verifier, func(ctx context.Context, src verify.Source, nonces *verify.NonceCache) (err error) {
				if res, err = verify.Certificate(ctx, src, nonces, req, &p, time.Now()); err != nil {
					return fmt.Errorf("certificate for %s: %w", req.Verifier, err)
				}
				return nil
			})
			if err != nil {
				return err
			}
			return g.printVerdict(src, res.Head, res.Verdict, res.Reason, res.Detail, "fields", res.Fields, res)
		},
	}
	c.Flags().StringVar(&request, "request", "", "the request this verifier made (verify request --kind --out)")
	_ = c.MarkFlagRequired("request")
	return c
}

// runCheck runs one check by reader (a facility's reader, or a verifier)
// against the node or the snapshot, with the nonces that reader accepted
// before (HOME/verify/ or --nonces), and saves them once the check has
// concluded. It returns the source the check read, to describe it. Its
// errors are failures to check (exit status 2), not refusals.
func (g *globals) runCheck(ctx context.Context, vf *verifyFlags, reader string, check func(context.Context, verify.Source, *verify.NonceCache) error) (*source, error) {
	src, err := g.readSource(vf)
	if err != nil {
		return nil, usageError(err)
	}
	defer src.close()
	path, err := g.nonceFile(vf, reader)
	if err != nil {
		return nil, usageError(err)
	}
	nonces, err := verify.LoadNonceCache(path)
	if err != nil {
		return nil, usageError(err)
	}
	ctx, cancel := context.WithTimeout(ctx, vf.timeout)
	defer cancel()
	if err := check(ctx, src, nonces); err != nil {
		return nil, usageError(err)
	}
	if err := nonces.Save(path); err != nil {
		return nil, usageError(err)
	}
	return src, nil
}

// printVerdict prints a presentation's or certificate's verdict; anything
// but valid is an error (status 1).
func (g *globals) printVerdict(src *source, head verify.Head, verdict, reason, detail, what string, disclosed map[string]json.RawMessage, res any) error {
	if g.output == "json" {
		if err := g.printJSON(map[string]any{"result": res, "read": src.describe(head)}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(g.out, "%s\n%s\n", strings.ToUpper(verdict), detail)
		if verdict == verify.VerdictValid {
			b, _ := json.MarshalIndent(disclosed, "", "  ")
			fmt.Fprintf(g.out, "%s: %s\n", what, b)
		} else {
			fmt.Fprintf(g.out, "reason: %s\n", reason)
		}
		if !head.Time.IsZero() {
			fmt.Fprintln(g.out, src.describeLine(head))
		}
	}
	if verdict != verify.VerdictValid {
		return refusedError(verdict, reason, detail)
	}
	return nil
}

func newVerifySnapshotCmd(g *globals, vf *verifyFlags) *cobra.Command {
	var facilities, lists []string
	var out string
	c := &cobra.Command{
		Use:   "snapshot --out FILE [--facility ID]... [--list OWNER/NAME]...",
		Short: "Fetch an offline snapshot: status lists, accreditations, anchors, verifiers, and the facilities' records and bars, at one height",
		Long: `snapshot reads, at one height, what an offline reader or verifier checks
against: the whole bitstrings of the status lists (all, or --list), every
accreditation, credentials anchor and verifier, and the records and bars of
the --facility facilities. With a trust root every record and chunk is proven
against it. Readers use it with --snapshot FILE until it is older than their
--max-age (default 24 h): a suspension reaches them within that bound.
Certificates are checked online only.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if vf.snapshot != "" {
				return errors.New("--snapshot: snapshot fetches from the node; give --out FILE")
			}
			src, err := g.readSource(vf)
			if err != nil {
				return err
			}
			defer src.close()
			ctx, cancel := context.WithTimeout(cmd.Context(), 10*vf.timeout)
			defer cancel()
			s, err := verify.FetchSnapshot(ctx, src.online, verify.SnapshotOptions{Facilities: facilities, Lists: lists}, time.Now())
			if err != nil {
				return err
			}
			if err := s.Save(out); err != nil {
				return err
			}
			view := map[string]any{"file": out, "head": s.At, "proven": s.Proven, "lists": len(s.Lists), "accreditations": len(s.Accreditations),
				"anchors": len(s.CredentialAnchors), "verifiers": len(s.Verifiers), "facilities": len(s.Facilities)}
			if s.TrustRoot != "" {
				view["trust_root"] = s.TrustRoot
			}
			if g.output == "json" {
				return g.printJSON(view)
			}
			fmt.Fprintf(g.out, "snapshot %s: chain %s at height %d (%s)\n%d lists, %d accreditations, %d anchors, %d verifiers, %d facilities\n",
				out, s.At.ChainID, s.At.Height, s.At.Time.UTC().Format(time.RFC3339), len(s.Lists), len(s.Accreditations), len(s.CredentialAnchors), len(s.Verifiers), len(s.Facilities))
			if s.Proven {
				fmt.Fprintf(g.out, "every record proven against the trust root: %s\n", s.TrustRoot)
			} else {
				fmt.Fprintln(g.out, "NOT proven: give --trust-genesis or --trust-height/--trust-hash to prove every record")
			}
			return nil
		},
	}
	c.Flags().StringArrayVar(&facilities, "facility", nil, "a facility whose record and bars the snapshot holds (repeat)")
	c.Flags().StringArrayVar(&lists, "list", nil, "a status list the snapshot holds, OWNER/NAME (repeat; default: every list)")
	c.Flags().StringVar(&out, "out", "", "the snapshot file to write")
	_ = c.MarkFlagRequired("out")
	return c
}
