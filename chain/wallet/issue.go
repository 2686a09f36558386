package wallet

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
)

// BatchSpec is what every copy of a batch shares.
type BatchSpec struct {
	Key ed25519.PrivateKey // signs every copy; hex of its public key is the header kid
	Iss string             // iss: the issuer's (office's, agency's) account address, 40 hex
	Vct string             // credentials: the schema id (set by IssueCardBatch and IssueCertificates)
	Now time.Time          // iat = DayFloor(Now)
	// Exp is the copies' expiry, rounded down to the day; required for
	// credentials and cards, not used for certificates (their expiry is
	// computed on chain at issuance).
	Exp time.Time
	// List is the status list id ("<owner>/<name>") the copies' bits live
	// in, Alloc its allocator: required for cards (the office's suspension
	// list), optional for credentials, not used for certificates.
	List  string
	Alloc *Allocator
}

// Item is one copy to issue: its holder (slot) key and its claims, all
// selectively disclosable.
type Item struct {
	HolderKey tx.PubKey
	Claims    []sdjwt.Claim
	// Holder names whose copy it is (for a card: the identity). A card
	// batch pools many holders under one anchor, at most tx.MaxCardCopies
	// copies per holder (the identity's limit on chain; items with the
	// same Holder, "" included, are one holder's), and a delivery of a
	// holder's keys carries that holder's printed tokens. Only card
	// batches use it.
	Holder string
	// Token makes the copy a printed token (card batches only): the
	// visible claim scope "token", shown on paper without key binding,
	// admitted only where a facility accepts tokens. It has its own status
	// index and commitment like every card copy, so a suspension or
	// revocation of the identity reaches it. An empty HolderKey is
	// replaced by a fresh random key whose private half is discarded:
	// paper cannot sign, and the key only names the token (its pseudonym
	// at a facility, the credentials issued to it).
	Token bool
}

// TokenItem is a printed token of holder with claims (its key is made at
// issuance).
func TokenItem(holder string, claims []sdjwt.Claim) Item {
	return Item{Holder: holder, Claims: claims, Token: true}
}

// SameClaims is one item per holder key, all with the same claims (the
// single-use copies of one holder's credential).
func SameClaims(keys []tx.PubKey, claims []sdjwt.Claim) []Item {
	out := make([]Item, len(keys))
	for i, k := range keys {
		out[i] = Item{HolderKey: k, Claims: claims}
	}
	return out
}

// IssuedCopy is one issued copy with its place in the batch's Merkle tree.
type IssuedCopy struct {
	SDJWT     string        `json:"sd_jwt"` // issued form "<jwt>~<d1>~...~"
	HolderKey tx.PubKey     `json:"holder_key"`
	Index     uint64        `json:"index"`
	Leaf      tx.Hash32     `json:"leaf"` // SHA-256 of the issuer JWT
	Path      []tx.Hash32   `json:"path"`
	Status    *sdjwt.Status `json:"status,omitempty"`
	// Scope is the copy's visible scope: ScopeToken for a printed token.
	Scope string `json:"scope,omitempty"`
	// holder is the item's Holder (not delivered).
	holder string
}

// Batch is an issued batch: the caller anchors Root and Count on chain
// (credentials/anchor or certificates/issue), then hands each holder its
// Delivery with the anchor id.
type Batch struct {
	Module string       `json:"module"`
	Vct    string       `json:"vct"`
	Root   tx.Hash32    `json:"root"`
	Count  uint32       `json:"count"`
	Copies []IssuedCopy `json:"copies"`
	// Card batches: Commitments[i] commits to Copies[i]'s status index
	// (identity/register or add_card_copies), Reveals[i] opens it
	// (identity/suspend, revoke). Both the office and the holder keep the
	// reveals; the commitments go on chain.
	Commitments []tx.Hash32  `json:"commitments,omitempty"`
	Reveals     []CardReveal `json:"reveals,omitempty"`
}

// Delivery is what a holder imports (Wallet.Import): its copies of an
// anchored batch.
type Delivery struct {
	Module  string       `json:"module"`
	Anchor  uint64       `json:"anchor"` // the on-chain anchor id
	Root    tx.Hash32    `json:"root"`
	Count   uint64       `json:"count"`
	Copies  []IssuedCopy `json:"copies"`
	Reveals []CardReveal `json:"reveals,omitempty"`
}

// Delivery is the part of the batch for the holder keys given (every copy
// when keys is nil), to hand over once the root is anchored as anchorID.
// It also carries the printed tokens issued with the same Item.Holder as
// a key given (a token's key is made at issuance: the holder never asked
// for it), and the reveals of every copy it carries.
func (b *Batch) Delivery(anchorID uint64, keys []tx.PubKey) (*Delivery, error) {
	d := &Delivery{Module: b.Module, Anchor: anchorID, Root: b.Root, Count: uint64(b.Count)}
	want := make(map[string]bool, len(keys))
	for _, k := range keys {
		want[k.String()] = true
	}
	found := make(map[string]bool, len(keys))
	holders := map[string]bool{}
	for _, c := range b.Copies {
		if want[c.HolderKey.String()] {
			found[c.HolderKey.String()] = true
			holders[c.holder] = true
		}
	}
	for _, k := range keys {
		if !found[k.String()] {
			return nil, fmt.Errorf("delivery: holder key %s has no copy in this batch", k)
		}
	}
	for i, c := range b.Copies {
		if keys != nil && !want[c.HolderKey.String()] && (c.Scope != ScopeToken || !holders[c.holder]) {
			continue
		}
		d.Copies = append(d.Copies, c)
		if i < len(b.Reveals) {
			d.Reveals = append(d.Reveals, b.Reveals[i])
		}
	}
	return d, nil
}

// Tokens are the printed tokens of the delivery's token copies, as the
// office prints them at the counter: the card copy with no claim
// disclosed and no key binding, and its anchor proof.
func (d *Delivery) Tokens() []PrintedToken {
	var out []PrintedToken
	for _, c := range d.Copies {
		if c.Scope != ScopeToken {
			continue
		}
		jwt, _, _ := strings.Cut(c.SDJWT, "~")
		out = append(out, PrintedToken{Format: TokenFormat, Card: Envelope{Format: Format, Module: d.Module, SDJWT: jwt + "~",
			Anchor: AnchorProof{ID: d.Anchor, Index: c.Index, Count: d.Count, Path: c.Path}}})
	}
	return out
}

// IssueBatch issues one credential copy per item (module credentials):
// each copy has its own salts, its own holder key (all distinct), its own
// random status index from spec.Alloc when spec.List is set, and iat/exp
// rounded down to the day. It returns the copies with the Merkle root and
// each copy's path.
func IssueBatch(spec BatchSpec, items []Item) (*Batch, error) {
	if spec.Vct == "" {
		return nil, errors.New("vct: empty, want the schema id")
	}
	if spec.Vct == VctCard || strings.HasPrefix(spec.Vct, CertificateVctPrefix) {
		return nil, fmt.Errorf("vct %q: use IssueCardBatch or IssueCertificates", spec.Vct)
	}
	if spec.Exp.IsZero() {
		return nil, errors.New("exp: missing (credentials expire)")
	}
	return issue(spec, ModuleCredentials, items, len(items))
}

// IssueCardBatch issues citizen card copies (vct citizen_card, module
// credentials), one per item, each with a random index in the office's
// suspension list spec.List (required) and a commitment to that index
// (tx.CardCommitment with a fresh 16-byte salt). One batch may pool many
// holders (up to tx.MaxMerkleCount copies under one anchor), at most
// tx.MaxCardCopies per holder (Item.Holder: the identity's limit on
// chain, printed tokens included). Token items (Item.Token) become
// printed tokens: visible scope "token", a holder key of their own.
func IssueCardBatch(spec BatchSpec, items []Item) (*Batch, error) {
	if spec.List == "" || spec.Alloc == nil {
		return nil, errors.New("list: a card batch needs the office's suspension list and its allocator")
	}
	if spec.Exp.IsZero() {
		return nil, errors.New("exp: missing (cards expire)")
	}
	if len(items) == 0 || len(items) > tx.MaxMerkleCount {
		return nil, fmt.Errorf("items: %d, want 1 to %d", len(items), tx.MaxMerkleCount)
	}
	perHolder := map[string]int{}
	for i, it := range items {
		if perHolder[it.Holder]++; perHolder[it.Holder] > tx.MaxCardCopies {
			return nil, fmt.Errorf("items[%d]: holder %q has more than %d card copies (tokens included), the most one identity holds", i, it.Holder, tx.MaxCardCopies)
		}
	}
	items = slices.Clone(items)
	for i := range items {
		if items[i].Token && len(items[i].HolderKey) == 0 {
			pub, _, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				return nil, fmt.Errorf("items[%d]: token key: %w", i, err)
			}
			items[i].HolderKey = tx.PubKey(pub)
		}
	}
	spec.Vct = VctCard
	b, err := issue(spec, ModuleCredentials, items, len(items))
	if err != nil {
		return nil, err
	}
	for _, c := range b.Copies {
		r := CardReveal{List: spec.List, CardReveal: tx.CardReveal{Idx: c.Status.Idx, Salt: make([]byte, tx.CardSaltLen)}}
		if _, err := rand.Read(r.Salt); err != nil {
			return nil, fmt.Errorf("commitment salt: %w", err)
		}
		b.Reveals = append(b.Reveals, r)
		b.Commitments = append(b.Commitments, r.Hash())
	}
	return b, nil
}

// IssueCertificates issues certificates of kind (vct "certificate:<kind>",
// module certificates), one per item, each with its fields as
// disclosures; no status list (a certificate is revoked by its leaf on
// chain) and no exp. Up to tx.MaxMerkleCount per batch.
func IssueCertificates(spec BatchSpec, kind string, items []Item) (*Batch, error) {
	if kind == "" || len(kind) > 64 {
		return nil, fmt.Errorf("kind %q: want 1 to 64 characters", kind)
	}
	spec.Vct = CertificateVct(kind)
	spec.List, spec.Alloc, spec.Exp = "", nil, time.Time{}
	return issue(spec, ModuleCertificates, items, len(items))
}

func issue(spec BatchSpec, module string, items []Item, n int) (*Batch, error) {
	if len(spec.Key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("key: %d bytes, want an ed25519 private key (%d)", len(spec.Key), ed25519.PrivateKeySize)
	}
	if _, err := tx.ParseAddress(spec.Iss); err != nil {
		return nil, fmt.Errorf("iss: %w", err)
	}
	if spec.Now.IsZero() {
		return nil, errors.New("now: missing")
	}
	if n == 0 || n > tx.MaxMerkleCount {
		return nil, fmt.Errorf("items: %d, want 1 to %d", n, tx.MaxMerkleCount)
	}
	if (spec.List == "") != (spec.Alloc == nil) {
		return nil, errors.New("list and alloc: give both or neither")
	}
	if spec.List != "" {
		if _, _, err := tx.ParseStatusListID(spec.List); err != nil {
			return nil, err
		}
	}
	seen := make(map[string]int, n)
	for i, it := range items {
		if it.Token && spec.Vct != VctCard {
			return nil, fmt.Errorf("items[%d].token: only card batches (IssueCardBatch) issue printed tokens, not %q", i, spec.Vct)
		}
		if len(it.HolderKey) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("items[%d].holder_key: %d bytes, want %d", i, len(it.HolderKey), ed25519.PublicKeySize)
		}
		if j, ok := seen[it.HolderKey.String()]; ok {
			return nil, fmt.Errorf("items[%d].holder_key %s: same as items[%d] (one copy per slot key)", i, it.HolderKey, j)
		}
		seen[it.HolderKey.String()] = i
	}
	iat := sdjwt.DayFloor(spec.Now)
	var exp int64
	if !spec.Exp.IsZero() {
		if exp = sdjwt.DayFloor(spec.Exp); exp <= iat {
			return nil, fmt.Errorf("exp %s: want a day after now %s", spec.Exp.UTC().Format(time.DateOnly), spec.Now.UTC().Format(time.DateOnly))
		}
	}
	var idxs []uint32
	if spec.Alloc != nil {
		var err error
		if idxs, err = spec.Alloc.Allocate(n); err != nil {
			return nil, err
		}
	}
	b := &Batch{Module: module, Vct: spec.Vct, Count: uint32(n), Copies: make([]IssuedCopy, n)}
	leaves := make([][]byte, n)
	for i, it := range items {
		p := sdjwt.Payload{
			Iss: spec.Iss, Vct: spec.Vct, Iat: iat, Exp: exp,
			Cnf: sdjwt.Cnf{JWK: sdjwt.JWKOf(ed25519.PublicKey(it.HolderKey))},
		}
		if idxs != nil {
			p.Status = &sdjwt.Status{List: spec.List, Idx: idxs[i]}
		}
		if it.Token {
			p.Scope = ScopeToken
		}
		is, err := sdjwt.Issue(spec.Key, p, it.Claims, nil)
		if err != nil {
			return nil, fmt.Errorf("items[%d]: %w", i, err)
		}
		leaf := sha256.Sum256([]byte(is.JWT))
		leaves[i] = leaf[:]
		b.Copies[i] = IssuedCopy{SDJWT: is.String(), HolderKey: it.HolderKey, Index: uint64(i), Leaf: leaf, Status: p.Status,
			Scope: p.Scope, holder: it.Holder}
	}
	root, paths := tx.MerklePaths(leaves)
	b.Root = root
	for i := range b.Copies {
		b.Copies[i].Path = paths[i]
	}
	return b, nil
}
