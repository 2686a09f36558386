package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
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
	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/wallet"
)

// issueOrder is one holder's part of an issuance: the wallet's request
// (`wallet request`: slot keys and, for a card, the device key or the
// registered identity) and the claims from the issuer's own records. A
// batch file holds one order per line (JSON lines).
type issueOrder struct {
	HolderKeys []tx.PubKey                `json:"holder_keys"`
	DeviceKey  tx.PubKey                  `json:"device_key,omitempty"`
	Identity   *tx.Address                `json:"identity,omitempty"`
	Claims     map[string]json.RawMessage `json:"claims,omitempty"`
}

// issueFlags are the flags every issue command shares.
type issueFlags struct {
	batch  string
	claims []string
	out    string
	outDir string
	list   string
	alloc  string
	valid  time.Duration
}

func (f *issueFlags) register(c *cobra.Command, status bool, valid time.Duration) {
	fl := c.Flags()
	fl.StringVar(&f.batch, "batch", "", "a JSON lines file of holder orders {\"holder_keys\":[...],\"claims\":{...}} pooled in one anchor")
	fl.StringArrayVar(&f.claims, "claim", nil, "a claim of every copy, NAME=VALUE (VALUE as JSON, or a string); an order's own claims win (repeat)")
	fl.StringVar(&f.out, "out", "", "write the delivery of a single holder to this file (for wallet import)")
	fl.StringVar(&f.outDir, "out-dir", "", "write one delivery file per holder order in this directory (for wallet import)")
	if status {
		fl.StringVar(&f.list, "list", "", "the status list of the copies' bits: NAME of the signer's list, or OWNER/NAME")
		fl.StringVar(&f.alloc, "alloc", "", "the allocator file of the list's indices handed out (default HOME/issuer/<owner>-<name>.alloc)")
		fl.DurationVar(&f.valid, "valid", valid, "how long the copies are valid (exp is rounded down to the day)")
	}
}

// orders reads the holder orders: the REQUEST_FILE arguments (one JSON
// order each) and the --batch file's lines, with --claim defaults.
func (f *issueFlags) orders(args []string) ([]issueOrder, error) {
	defaults := map[string]json.RawMessage{}
	for _, c := range f.claims {
		name, value, ok := strings.Cut(c, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--claim %q: want NAME=VALUE", c)
		}
		raw := json.RawMessage(value)
		if !json.Valid(raw) {
			b, _ := json.Marshal(value)
			raw = b
		}
		defaults[name] = raw
	}
	var out []issueOrder
	for _, path := range args {
		var o issueOrder
		if err := readVerifyJSON("REQUEST_FILE", path, &o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	if f.batch != "" {
		fh, err := os.Open(f.batch)
		if err != nil {
			return nil, fmt.Errorf("--batch: %w", err)
		}
		defer fh.Close()
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for line := 1; sc.Scan(); line++ {
			b := bytes.TrimSpace(sc.Bytes())
			if len(b) == 0 {
				continue
			}
			var o issueOrder
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&o); err != nil {
				return nil, fmt.Errorf("--batch %s line %d: %w", f.batch, line, err)
			}
			out = append(out, o)
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("--batch %s: %w", f.batch, err)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no holder: give REQUEST_FILE (wallet request --out) or --batch FILE")
	}
	for i := range out {
		if len(out[i].HolderKeys) == 0 {
			return nil, fmt.Errorf("order %d: no holder_keys", i+1)
		}
		merged := map[string]json.RawMessage{}
		for k, v := range defaults {
			merged[k] = v
		}
		for k, v := range out[i].Claims {
			merged[k] = v
		}
		out[i].Claims = merged
	}
	if f.out != "" && len(out) != 1 {
		return nil, fmt.Errorf("--out: %d holder orders, give --out-dir DIR for more than one", len(out))
	}
	if f.out == "" && f.outDir == "" {
		return nil, errors.New("--out FILE or --out-dir DIR: where to write the deliveries for the holders' wallets")
	}
	return out, nil
}

// issueClaims are an order's claims in name order.
func issueClaims(o issueOrder) []sdjwt.Claim {
	names := make([]string, 0, len(o.Claims))
	for n := range o.Claims {
		names = append(names, n)
	}
	slices.Sort(names)
	claims := make([]sdjwt.Claim, len(names))
	for i, n := range names {
		claims[i] = sdjwt.Claim{Name: n, Value: o.Claims[n]}
	}
	return claims
}

// issueItems are the batch's items: one per holder key of each order, with
// the order's claims in name order.
func issueItems(orders []issueOrder) []wallet.Item {
	var items []wallet.Item
	for _, o := range orders {
		claims := issueClaims(o)
		for _, k := range o.HolderKeys {
			items = append(items, wallet.Item{HolderKey: k, Claims: claims})
		}
	}
	return items
}

// orderCopies maps each order to the batch copies of its holder keys.
func orderCopies(b *wallet.Batch, orders []issueOrder) [][]int {
	byKey := make(map[string]int, len(b.Copies))
	for i, c := range b.Copies {
		byKey[c.HolderKey.String()] = i
	}
	out := make([][]int, len(orders))
	for n, o := range orders {
		for _, k := range o.HolderKeys {
			out[n] = append(out[n], byKey[k.String()])
		}
	}
	return out
}

// cardItems are a card batch's items, each order's holder keys followed by
// its printed tokens (tokens per order), all named with the order's
// identity (at most tx.MaxCardCopies copies per identity); and the
// indices of each order's copies in the batch.
func cardItems(orders []issueOrder, tokens int) ([]wallet.Item, [][]int) {
	var items []wallet.Item
	copies := make([][]int, len(orders))
	for n, o := range orders {
		claims := issueClaims(o)
		id := o.identity().String()
		for _, k := range o.HolderKeys {
			copies[n] = append(copies[n], len(items))
			items = append(items, wallet.Item{HolderKey: k, Claims: claims, Holder: id})
		}
		for range tokens {
			copies[n] = append(copies[n], len(items))
			items = append(items, wallet.TokenItem(id, claims))
		}
	}
	return items, copies
}

// identity is a card order's identity: the registered one, or the device
// key's address (a first card).
func (o issueOrder) identity() tx.Address {
	if o.Identity != nil {
		return *o.Identity
	}
	return o.DeviceKey.Address()
}

// issueSigner is the --from key of the keyring.
func (g *globals) issueSigner(f *txFlags) (ed25519.PrivateKey, tx.Address, error) {
	if f.from == "" {
		return nil, tx.Address{}, errors.New("--from: name the issuer's key (in HOME/keys), which signs the copies and the anchor")
	}
	kr, err := g.keyring()
	if err != nil {
		return nil, tx.Address{}, err
	}
	k, err := kr.Get(f.from)
	if err != nil {
		return nil, tx.Address{}, fmt.Errorf("--from: %w", err)
	}
	return k.Private, k.Address, nil
}

// issueAllocator opens the allocator of the signer's status list (read
// from the chain: it must exist, of purpose when given).
func (g *globals) issueAllocator(ctx context.Context, f *issueFlags, owner tx.Address, purpose string) (string, *wallet.Allocator, error) {
	if f.list == "" {
		return "", nil, errors.New("--list: name the status list of the copies' bits (credentials create-list)")
	}
	id := f.list
	if !strings.Contains(id, "/") {
		id = tx.StatusListID(owner, id)
	}
	own, name, err := tx.ParseStatusListID(id)
	if err != nil {
		return "", nil, fmt.Errorf("--list: %w", err)
	}
	c, err := client.New(g.node)
	if err != nil {
		return "", nil, err
	}
	l, _, err := c.StatusList(ctx, id, client.ReadOpts{})
	if err != nil {
		return "", nil, fmt.Errorf("--list %s: %w", id, err)
	}
	switch {
	case l == nil:
		return "", nil, fmt.Errorf("--list %s: no such status list (create it: citychain tx credentials create-list %s --purpose ...)", id, name)
	case l.Owner != owner:
		return "", nil, fmt.Errorf("--list %s: owned by %s, not the signer %s", id, l.Owner, owner)
	case purpose != "" && l.Purpose != purpose:
		return "", nil, fmt.Errorf("--list %s: a %s list, want a %s list", id, l.Purpose, purpose)
	}
	path := f.alloc
	if path == "" {
		dir := filepath.Join(g.home, "issuer")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", nil, fmt.Errorf("allocator directory: %w", err)
		}
		path = filepath.Join(dir, own.String()+"-"+name+".alloc")
	}
	a, err := wallet.OpenAllocator(path, l.Size)
	if err != nil {
		return "", nil, fmt.Errorf("--alloc %s: %w", path, err)
	}
	return id, a, nil
}

// writeDeliveries splits an anchored batch into one delivery per order
// (copies[n]: the batch copies of order n; for cards, their reveals) and
// writes them. Printed tokens are also written as text files next to their
// order's delivery ("<delivery>-token-<k>.txt", one line each) for the
// office to print.
func (g *globals) writeDeliveries(f *issueFlags, b *wallet.Batch, anchor uint64, orders []issueOrder, copies [][]int) (files, tokens []string, err error) {
	tokens = []string{}
	if f.outDir != "" {
		if err := os.MkdirAll(f.outDir, 0o700); err != nil {
			return nil, nil, fmt.Errorf("--out-dir: %w", err)
		}
	}
	width := len(strconv.Itoa(len(orders)))
	for n, o := range orders {
		d := &wallet.Delivery{Module: b.Module, Anchor: anchor, Root: b.Root, Count: uint64(b.Count)}
		for _, i := range copies[n] {
			d.Copies = append(d.Copies, b.Copies[i])
			if i < len(b.Reveals) {
				d.Reveals = append(d.Reveals, b.Reveals[i])
			}
		}
		path := f.out
		if path == "" {
			name := o.HolderKeys[0].String()[:16]
			if o.Identity != nil || len(o.DeviceKey) > 0 {
				name = o.identity().String()
			}
			path = filepath.Join(f.outDir, fmt.Sprintf("%0*d-%s.json", width, n+1, name))
		}
		buf, err := json.Marshal(d)
		if err != nil {
			return nil, nil, err
		}
		if err := os.WriteFile(path, append(buf, '\n'), 0o600); err != nil {
			return nil, nil, fmt.Errorf("write delivery: %w", err)
		}
		files = append(files, path)
		for k, t := range d.Tokens() {
			text, err := t.Text()
			if err != nil {
				return nil, nil, err
			}
			tp := fmt.Sprintf("%s-token-%d.txt", strings.TrimSuffix(path, filepath.Ext(path)), k+1)
			if err := os.WriteFile(tp, []byte(text+"\n"), 0o600); err != nil {
				return nil, nil, fmt.Errorf("write printed token: %w", err)
			}
			tokens = append(tokens, tp)
		}
	}
	return files, tokens, nil
}

// printIssued reports an anchored batch.
func (g *globals) printIssued(what string, res *client.TxResult, anchor uint64, b *wallet.Batch, files []string, extra map[string]any) error {
	if g.output == "json" {
		out := map[string]any{"hash": res.Hash, "height": res.Height, "code": 0, "anchor": anchor, "root": b.Root, "count": b.Count, "deliveries": files}
		for k, v := range extra {
			out[k] = v
		}
		return g.printJSON(out)
	}
	fmt.Fprintf(g.out, "committed at height %d\ntx hash %s\n%s: %d copies anchored as anchor %d (root %s)\n", res.Height, res.Hash, what, b.Count, anchor, b.Root)
	if len(files) == 1 {
		fmt.Fprintf(g.out, "delivery for the holder's wallet: %s\n", files[0])
	} else {
		fmt.Fprintf(g.out, "%d deliveries in %s\n", len(files), filepath.Dir(files[0]))
	}
	return nil
}

func newIssueCmd(g *globals) *cobra.Command {
	tf := &txFlags{}
	cmd := &cobra.Command{
		Use:   "issue",
		Short: "Issuers: sign holders' card copies, credentials or certificates, anchor their Merkle root and write the deliveries for their wallets",
		Long: `issue signs SD-JWT copies for holders' requests (citizen wallet request --out), one
per slot key, with random status indices and day-rounded iat/exp, sends one
anchor transaction for the whole batch (its size does not depend on the
batch), and writes each holder's delivery (wallet import). Holder orders are
REQUEST_FILE arguments or a --batch file of JSON lines; claims come from
--claim NAME=VALUE or each order's "claims".`,
	}
	tf.register(cmd)
	cmd.AddCommand(newIssueCardCmd(g, tf), newIssueCredentialCmd(g, tf), newIssueCertificatesCmd(g, tf))
	return g.outputFlag(cmd)
}

func newIssueCardCmd(g *globals, tf *txFlags) *cobra.Command {
	f := &issueFlags{}
	var tokens int
	c := &cobra.Command{
		Use:   "card [REQUEST_FILE...] [--batch FILE] --list NAME --claim NAME=VALUE... [--tokens N] (--out FILE | --out-dir DIR) --from OFFICE",
		Short: "A registration office issues citizen card copies (and printed tokens): anchors them (schema citizen_card) and registers each identity (or adds the copies) in one transaction",
		Long: `card issues each holder order's card copies, one per slot key of its wallet
request, plus --tokens printed tokens per order: card copies with the visible
scope "token" and a key of their own, shown on paper (text or QR) without a
key binding and admitted only where a facility accepts tokens. Every copy,
token or not, has its own random bit in the office's suspension list (--list)
and its own commitment in the identity record, so the identity's suspension
or revocation refuses them all. One anchor may pool many citizens; an
identity holds at most 64 copies, tokens included. Each order's delivery
carries its tokens (wallet import, wallet token), and each token is also
written as a one-line text file next to the delivery for the office to print.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if tokens < 0 || tokens > tx.MaxCardCopies {
				return fmt.Errorf("--tokens %d: want 0 to %d printed tokens per order", tokens, tx.MaxCardCopies)
			}
			orders, err := f.orders(args)
			if err != nil {
				return err
			}
			key, office, err := g.issueSigner(tf)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), tf.timeout)
			defer cancel()
			list, alloc, err := g.issueAllocator(ctx, f, office, tx.StatusSuspension)
			if err != nil {
				return err
			}
			for i, o := range orders {
				if (o.Identity == nil) == (len(o.DeviceKey) == 0) {
					return fmt.Errorf("order %d: a card needs the wallet's device_key (first card) or its identity (more copies): wallet request --card", i+1)
				}
			}
			now := time.Now()
			items, copies := cardItems(orders, tokens)
			b, err := wallet.IssueCardBatch(wallet.BatchSpec{Key: key, Iss: office.String(), Now: now, Exp: now.Add(f.valid), List: list, Alloc: alloc}, items)
			if err != nil {
				return err
			}
			msgs := []tx.Msg{&tx.MsgCredentialAnchor{Schema: wallet.VctCard, Root: b.Root, Count: b.Count}}
			var ids []tx.Address
			for n, o := range orders {
				cs := make([]tx.Hash32, 0, len(copies[n]))
				for _, i := range copies[n] {
					cs = append(cs, b.Commitments[i])
				}
				if o.Identity != nil {
					msgs = append(msgs, &tx.MsgIdentityAddCardCopies{ID: *o.Identity, Commitments: cs})
					ids = append(ids, *o.Identity)
				} else {
					msgs = append(msgs, &tx.MsgIdentityRegister{DeviceKey: o.DeviceKey, CardList: list, Commitments: cs})
					ids = append(ids, o.DeviceKey.Address())
				}
			}
			for _, m := range msgs {
				if err := m.ValidateBasic(); err != nil {
					return err
				}
			}
			res, err := g.broadcast(ctx, tf, msgs...)
			if err != nil {
				return err
			}
			id, err := res.ID("credentials.anchored")
			if err != nil {
				return err
			}
			files, tokenFiles, err := g.writeDeliveries(f, b, id, orders, copies)
			if err != nil {
				return err
			}
			if g.output != "json" {
				for _, a := range ids {
					fmt.Fprintf(g.out, "identity %s\n", a)
				}
				for _, p := range tokenFiles {
					fmt.Fprintf(g.out, "printed token to print: %s\n", p)
				}
			}
			return g.printIssued("citizen card", res, id, b, files, map[string]any{"identities": ids, "list": list, "tokens": tokenFiles})
		},
	}
	f.register(c, true, 5*365*24*time.Hour)
	c.Flags().IntVar(&tokens, "tokens", 0, "printed tokens per holder order (card copies of scope \"token\" for paper, no key binding)")
	return c
}

func newIssueCredentialCmd(g *globals, tf *txFlags) *cobra.Command {
	f := &issueFlags{}
	var noStatus bool
	c := &cobra.Command{
		Use:   "credential SCHEMA [REQUEST_FILE...] [--batch FILE] --list NAME --claim NAME=VALUE... (--out FILE | --out-dir DIR) --from ISSUER",
		Short: "An accredited issuer issues credentials of a schema to holders' slots and anchors them in one transaction",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			schema := args[0]
			if err := tx.ValidateSchemaID(schema); err != nil {
				return fmt.Errorf("SCHEMA: %w", err)
			}
			orders, err := f.orders(args[1:])
			if err != nil {
				return err
			}
			key, iss, err := g.issueSigner(tf)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), tf.timeout)
			defer cancel()
			spec := wallet.BatchSpec{Key: key, Iss: iss.String(), Vct: schema, Now: time.Now()}
			spec.Exp = spec.Now.Add(f.valid)
			if !noStatus {
				if spec.List, spec.Alloc, err = g.issueAllocator(ctx, f, iss, ""); err != nil {
					return err
				}
			}
			b, err := wallet.IssueBatch(spec, issueItems(orders))
			if err != nil {
				return err
			}
			m := &tx.MsgCredentialAnchor{Schema: schema, Root: b.Root, Count: b.Count}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			res, err := g.broadcast(ctx, tf, m)
			if err != nil {
				return err
			}
			id, err := res.ID("credentials.anchored")
			if err != nil {
				return err
			}
			files, _, err := g.writeDeliveries(f, b, id, orders, orderCopies(b, orders))
			if err != nil {
				return err
			}
			return g.printIssued(schema, res, id, b, files, map[string]any{"list": spec.List})
		},
	}
	f.register(c, true, 365*24*time.Hour)
	c.Flags().BoolVar(&noStatus, "no-status", false, "issue irrevocable copies (no status list entry; exp bounds them)")
	return c
}

func newIssueCertificatesCmd(g *globals, tf *txFlags) *cobra.Command {
	f := &issueFlags{}
	var keyName string
	c := &cobra.Command{
		Use:   "certificates KIND [REQUEST_FILE...] [--batch FILE.jsonl] --key KEY (--out FILE | --out-dir DIR) --from AGENCY",
		Short: "An agency issues certificates of a kind (up to 100,000 in one anchor, e.g. a --batch of 10,000 JSON lines), signed with its registered key",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind := args[0]
			if err := tx.ValidateCertificateKindID(kind); err != nil {
				return fmt.Errorf("KIND: %w", err)
			}
			orders, err := f.orders(args[1:])
			if err != nil {
				return err
			}
			_, agency, err := g.issueSigner(tf)
			if err != nil {
				return err
			}
			if keyName == "" {
				keyName = tf.from
			}
			key, err := g.identityKeyFile("--key", keyName)
			if err != nil {
				return err
			}
			pub := tx.PubKey(key.Public().(ed25519.PublicKey))
			ctx, cancel := context.WithTimeout(cmd.Context(), tf.timeout)
			defer cancel()
			b, err := wallet.IssueCertificates(wallet.BatchSpec{Key: key, Iss: agency.String(), Now: time.Now()}, kind, issueItems(orders))
			if err != nil {
				return err
			}
			m := &tx.MsgCertificateIssue{Kind: kind, Key: pub, Root: b.Root, Count: b.Count}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			res, err := g.broadcast(ctx, tf, m)
			if err != nil {
				return err
			}
			id, err := res.ID("certificates.issued")
			if err != nil {
				return err
			}
			files, _, err := g.writeDeliveries(f, b, id, orders, orderCopies(b, orders))
			if err != nil {
				return err
			}
			return g.printIssued("certificate:"+kind, res, id, b, files, map[string]any{"key": pub})
		},
	}
	f.register(c, false, 0)
	c.Flags().StringVar(&keyName, "key", "", "the agency's registered issuing key: a key name in HOME/keys or a key file (default: the --from key)")
	return c
}
