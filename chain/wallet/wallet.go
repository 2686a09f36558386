package wallet

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/scrypt"

	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/atomicfile"
)

// Wallet file parameters.
const (
	FileVersion = 1
	KDF         = "scrypt"
	ScryptN     = 32768
	ScryptR     = 8
	ScryptP     = 1
	SeedLen     = 32
	MinPINLen   = 4
	// DefaultBatch is how many single-use slots Request makes when asked
	// for none in particular.
	DefaultBatch = 10
	// MaxRequest bounds the slots of one request.
	MaxRequest = 1000
	// maxFileSize bounds what Open reads.
	maxFileSize = 64 << 20
)

// ErrWrongPIN is returned by Open when the file does not decrypt: a wrong
// PIN, or a file that was altered or damaged (GCM cannot tell them apart).
var ErrWrongPIN = errors.New("wrong PIN or damaged wallet")

// ErrNoUnusedCopy is returned when no slot that was never shown to anyone
// holds the copies a presentation needs.
var ErrNoUnusedCopy = errors.New("no unused copy left: ask the issuer for a new batch")

// fileFormat is the wallet file (JSON). The header fields are the GCM
// additional data, so they cannot be swapped.
type fileFormat struct {
	Version    int         `json:"version"`
	KDF        string      `json:"kdf"`
	N          int         `json:"n"`
	R          int         `json:"r"`
	P          int         `json:"p"`
	Salt       tx.HexBytes `json:"salt"`
	Nonce      tx.HexBytes `json:"nonce"`
	Ciphertext tx.HexBytes `json:"ciphertext"`
}

func (f *fileFormat) aad() []byte {
	return fmt.Appendf(nil, "citychain-wallet/v%d\x00%s\x00%d\x00%d\x00%d\x00%x", f.Version, f.KDF, f.N, f.R, f.P, []byte(f.Salt))
}

// Document is one held copy (a card, a credential or a certificate) issued
// to one slot key, or one of a printed token's documents (Holder set).
type Document struct {
	Slot   uint32        `json:"slot"` // 0 for a printed token's documents (see Holder)
	Module string        `json:"module"`
	Vct    string        `json:"vct"`
	Iss    string        `json:"iss"`
	KID    string        `json:"kid"` // hex issuer public key
	SDJWT  string        `json:"sd_jwt"`
	Anchor AnchorProof   `json:"anchor"`
	Status *sdjwt.Status `json:"status,omitempty"`
	Iat    int64         `json:"iat"`
	Exp    int64         `json:"exp,omitempty"`
	Claims []string      `json:"claims"` // the disclosable claim names
	// Scope is the copy's visible scope: ScopeToken for a printed token.
	Scope string `json:"scope,omitempty"`
	// Holder is the key of a printed token (no slot of the wallet), set
	// on the token's card copy and on the credentials issued to it.
	Holder tx.PubKey `json:"holder,omitempty"`
}

func (d *Document) expired(now time.Time) bool { return d.Exp != 0 && now.Unix() >= d.Exp }

// CardReveal opens one card-copy commitment: what identity/suspend (and
// revoke) carries, with the list the commitment was computed for.
type CardReveal struct {
	List string `json:"list"`
	tx.CardReveal
}

// Hash is the commitment this reveal opens.
func (r CardReveal) Hash() tx.Hash32 { return r.CardReveal.Commitment(r.List) }

// state is the wallet's encrypted content.
type state struct {
	Seed         tx.HexBytes         `json:"seed"`
	NextSlot     uint32              `json:"next_slot"`
	Devices      []uint32            `json:"devices"`
	Identity     string              `json:"identity,omitempty"`
	Facilities   map[string]uint32   `json:"facilities"` // facility id -> its slot
	Verifiers    map[string][]uint32 `json:"verifiers"`  // verifier id -> slots shown to it
	Cards        []Document          `json:"cards"`
	Credentials  []Document          `json:"credentials"`
	Certificates []Document          `json:"certificates"`
	Reveals      []CardReveal        `json:"reveals"`
	// Tokens are the printed tokens' card copies and the credentials
	// issued to their keys.
	Tokens []Document `json:"tokens,omitempty"`
}

// Wallet is an open holder wallet. It keeps the key derived from the PIN,
// never the PIN. It is not safe for concurrent use.
type Wallet struct {
	path  string
	key   []byte // AES-256 key derived from the PIN
	salt  []byte
	st    state
	slots map[string]uint32 // hex slot public key -> slot (cache)
}

func deriveFileKey(pin string, salt []byte) ([]byte, error) {
	return scrypt.Key([]byte(pin), salt, ScryptN, ScryptR, ScryptP, 32)
}

// Create makes a new wallet at path (refusing an existing file) with a
// random 32-byte seed, encrypted under pin, and writes it.
func Create(path, pin string) (*Wallet, error) {
	if len(pin) < MinPINLen {
		return nil, fmt.Errorf("PIN: %d characters, want at least %d", len(pin), MinPINLen)
	}
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("wallet %s: already exists", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("wallet %s: %w", path, err)
	}
	w := &Wallet{path: path, st: state{Seed: make([]byte, SeedLen)}}
	if _, err := rand.Read(w.st.Seed); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if err := w.setPIN(pin); err != nil {
		return nil, err
	}
	if err := w.Save(); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Wallet) setPIN(pin string) error {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return fmt.Errorf("salt: %w", err)
	}
	key, err := deriveFileKey(pin, salt)
	if err != nil {
		return fmt.Errorf("scrypt: %w", err)
	}
	w.salt, w.key = salt, key
	return nil
}

// Open decrypts the wallet at path with pin. A wrong PIN or a damaged
// file gives ErrWrongPIN.
func Open(path, pin string) (*Wallet, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("wallet: %w", err)
	}
	defer fh.Close()
	raw, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("wallet %s: %w", path, err)
	}
	if len(raw) > maxFileSize {
		return nil, fmt.Errorf("wallet %s: larger than %d bytes: %w", path, maxFileSize, ErrWrongPIN)
	}
	var f fileFormat
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("wallet %s: not a wallet file (%v): %w", path, err, ErrWrongPIN)
	}
	if f.Version != FileVersion || f.KDF != KDF || f.N != ScryptN || f.R != ScryptR || f.P != ScryptP || len(f.Salt) != 16 {
		return nil, fmt.Errorf("wallet %s: version %d kdf %s n=%d r=%d p=%d, want version %d %s n=%d r=%d p=%d with a 16-byte salt",
			path, f.Version, f.KDF, f.N, f.R, f.P, FileVersion, KDF, ScryptN, ScryptR, ScryptP)
	}
	key, err := deriveFileKey(pin, f.Salt)
	if err != nil {
		return nil, fmt.Errorf("scrypt: %w", err)
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	if len(f.Nonce) != aead.NonceSize() {
		return nil, fmt.Errorf("wallet %s: nonce of %d bytes: %w", path, len(f.Nonce), ErrWrongPIN)
	}
	plain, err := aead.Open(nil, f.Nonce, f.Ciphertext, f.aad())
	if err != nil {
		return nil, ErrWrongPIN
	}
	w := &Wallet{path: path, key: key, salt: f.Salt}
	if err := json.Unmarshal(plain, &w.st); err != nil {
		return nil, fmt.Errorf("wallet %s: content: %v: %w", path, err, ErrWrongPIN)
	}
	if len(w.st.Seed) != SeedLen {
		return nil, fmt.Errorf("wallet %s: seed of %d bytes: %w", path, len(w.st.Seed), ErrWrongPIN)
	}
	return w, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	return cipher.NewGCM(b)
}

// Path is the wallet file's path.
func (w *Wallet) Path() string { return w.path }

// Save encrypts the wallet (fresh GCM nonce) and replaces the file
// atomically (temporary file in the same folder, fsync, rename), mode 0600.
func (w *Wallet) Save() error {
	plain, err := json.Marshal(&w.st)
	if err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	aead, err := newAEAD(w.key)
	if err != nil {
		return err
	}
	f := fileFormat{Version: FileVersion, KDF: KDF, N: ScryptN, R: ScryptR, P: ScryptP, Salt: w.salt,
		Nonce: make([]byte, aead.NonceSize())}
	if _, err := rand.Read(f.Nonce); err != nil {
		return fmt.Errorf("nonce: %w", err)
	}
	f.Ciphertext = aead.Seal(nil, f.Nonce, plain, f.aad())
	out, err := json.MarshalIndent(&f, "", "  ")
	if err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	return atomicfile.Write(w.path, append(out, '\n'), 0o600)
}

// ChangePIN re-encrypts the wallet under a new PIN (new salt) and saves.
func (w *Wallet) ChangePIN(pin string) error {
	if len(pin) < MinPINLen {
		return fmt.Errorf("PIN: %d characters, want at least %d", len(pin), MinPINLen)
	}
	oldSalt, oldKey := w.salt, w.key
	if err := w.setPIN(pin); err != nil {
		return err
	}
	if err := w.Save(); err != nil {
		w.salt, w.key = oldSalt, oldKey
		return err
	}
	return nil
}

// DeviceKey is device key n (the key that signs the citizen's identity
// transactions; device 0's address is the identity id).
func (w *Wallet) DeviceKey(n uint32) ed25519.PrivateKey { return DeriveKey(w.st.Seed, DeviceLabel(n)) }

// SlotKey is slot key n: the holder key of the copies issued to slot n.
func (w *Wallet) SlotKey(n uint32) ed25519.PrivateKey { return DeriveKey(w.st.Seed, SlotLabel(n)) }

// NextDevice records and returns the next unused device key (for
// identity/register or add_device), saving the wallet.
func (w *Wallet) NextDevice() (uint32, ed25519.PrivateKey, error) {
	var n uint32
	for slices.Contains(w.st.Devices, n) {
		n++
	}
	w.st.Devices = append(w.st.Devices, n)
	if err := w.Save(); err != nil {
		w.st.Devices = w.st.Devices[:len(w.st.Devices)-1]
		return 0, nil, err
	}
	return n, w.DeviceKey(n), nil
}

// Devices lists the device key numbers handed out by NextDevice.
func (w *Wallet) Devices() []uint32 { return slices.Clone(w.st.Devices) }

// Identity is the identity id (40 hex) once registered, else "".
func (w *Wallet) Identity() string { return w.st.Identity }

// SetIdentity records the registered identity id and saves.
func (w *Wallet) SetIdentity(id string) error {
	if _, err := tx.ParseAddress(id); err != nil {
		return fmt.Errorf("identity: %w", err)
	}
	old := w.st.Identity
	w.st.Identity = id
	if err := w.Save(); err != nil {
		w.st.Identity = old
		return err
	}
	return nil
}

// HolderRequest is what a holder sends an issuer: one fresh slot key per
// copy wanted.
type HolderRequest struct {
	HolderKeys []tx.PubKey `json:"holder_keys"`
}

// Request makes n fresh slots (n <= 0: DefaultBatch) and returns their
// public keys for an issuer. The same request may go to the card office
// and to credential issuers, so that one slot holds a card copy and the
// credentials a facility needs. The wallet is saved.
func (w *Wallet) Request(n int) (HolderRequest, error) {
	if n <= 0 {
		n = DefaultBatch
	}
	if n > MaxRequest {
		return HolderRequest{}, fmt.Errorf("request: %d slots, at most %d", n, MaxRequest)
	}
	first := w.st.NextSlot
	if uint64(first)+uint64(n) > 1<<31 {
		return HolderRequest{}, errors.New("request: slot numbers exhausted")
	}
	w.st.NextSlot += uint32(n)
	if err := w.Save(); err != nil {
		w.st.NextSlot = first
		return HolderRequest{}, err
	}
	var r HolderRequest
	for s := first; s < w.st.NextSlot; s++ {
		r.HolderKeys = append(r.HolderKeys, tx.PubKey(w.SlotKey(s).Public().(ed25519.PublicKey)))
	}
	return r, nil
}

// RequestSlots returns the keys of existing slots, to get more copies
// for them (e.g. a new credential for a facility's slot). Slots already
// shown to a verifier other than a facility are refused: they are spent.
func (w *Wallet) RequestSlots(slots []uint32) (HolderRequest, error) {
	used := w.verifierUsed()
	var r HolderRequest
	for i, s := range slots {
		if s >= w.st.NextSlot {
			return HolderRequest{}, fmt.Errorf("slots[%d]: slot %d was never made (next is %d)", i, s, w.st.NextSlot)
		}
		if used[s] {
			return HolderRequest{}, fmt.Errorf("slots[%d]: slot %d was shown to a verifier: it is spent", i, s)
		}
		if slices.Contains(slots[:i], s) {
			return HolderRequest{}, fmt.Errorf("slots[%d]: slot %d given twice", i, s)
		}
		r.HolderKeys = append(r.HolderKeys, tx.PubKey(w.SlotKey(s).Public().(ed25519.PublicKey)))
	}
	return r, nil
}

// slotOf finds the slot whose key is pub.
func (w *Wallet) slotOf(pub []byte) (uint32, bool) {
	if w.slots == nil {
		w.slots = map[string]uint32{}
	}
	if uint32(len(w.slots)) < w.st.NextSlot {
		for s := uint32(len(w.slots)); s < w.st.NextSlot; s++ {
			w.slots[hex.EncodeToString(w.SlotKey(s).Public().(ed25519.PublicKey))] = s
		}
	}
	s, ok := w.slots[hex.EncodeToString(pub)]
	return s, ok
}

// verifierUsed is the set of slots shown to a non-facility verifier.
func (w *Wallet) verifierUsed() map[uint32]bool {
	m := map[uint32]bool{}
	for _, ss := range w.st.Verifiers {
		for _, s := range ss {
			m[s] = true
		}
	}
	return m
}

// used is the set of slots shown to anyone (facility or verifier).
func (w *Wallet) used() map[uint32]bool {
	m := w.verifierUsed()
	for _, s := range w.st.Facilities {
		m[s] = true
	}
	return m
}

// Unused is how many slots were never shown to anyone.
func (w *Wallet) Unused() int { return int(w.st.NextSlot) - len(w.used()) }

// Facilities lists the facilities a slot was assigned to (visited at
// least once), sorted.
func (w *Wallet) Facilities() []string {
	out := make([]string, 0, len(w.st.Facilities))
	for f := range w.st.Facilities {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// FacilitySlot is the slot assigned to facility, if it was visited.
func (w *Wallet) FacilitySlot(facility string) (uint32, bool) {
	s, ok := w.st.Facilities[facility]
	return s, ok
}

// Pseudonym is the pseudonym facility knows this holder by (its slot's
// key), once a slot was assigned to it.
func (w *Wallet) Pseudonym(facility string) (tx.Hash32, bool) {
	s, ok := w.st.Facilities[facility]
	if !ok {
		return tx.Hash32{}, false
	}
	return tx.Pseudonym(facility, tx.PubKey(w.SlotKey(s).Public().(ed25519.PublicKey))), true
}

// VerifierSlots lists the slots shown to verifier.
func (w *Wallet) VerifierSlots(verifier string) []uint32 {
	return slices.Clone(w.st.Verifiers[verifier])
}

// Documents lists every held copy of the wallet's slots: cards, then
// credentials, then certificates (a printed token's are in Tokens).
func (w *Wallet) Documents() []Document {
	out := slices.Clone(w.st.Cards)
	out = append(out, w.st.Credentials...)
	return append(out, w.st.Certificates...)
}

// Reveals lists the card-copy openings received with card batches: the
// reveal of identity/suspend (keep those whose Hash is among the
// identity's live commitments).
func (w *Wallet) Reveals() []CardReveal { return slices.Clone(w.st.Reveals) }

// Import adds a delivered batch's copies. Each copy must be a well-formed
// issued SD-JWT whose issuer signature verifies with its kid, whose cnf
// key is the copy's holder key, whose Merkle path verifies against the
// delivery's root and count, and whose vct matches the module. Its holder
// key must be a slot of this wallet, except for a printed token (a card
// copy of scope "token", whose key is its own) and the credentials issued
// to a printed token's key (held or in the same delivery): those are kept
// apart (Tokens), never shown by Entry or Present. All copies are checked
// before any is added; a copy already held is skipped. The reveals are
// kept for every card copy, tokens included (a suspension opens them
// all). The wallet is saved. It returns how many copies were added.
func (w *Wallet) Import(d *Delivery) (int, error) {
	if d.Module != ModuleCredentials && d.Module != ModuleCertificates {
		return 0, fmt.Errorf("delivery: module %q, want %s or %s", d.Module, ModuleCredentials, ModuleCertificates)
	}
	if d.Count == 0 || d.Count > tx.MaxMerkleCount {
		return 0, fmt.Errorf("delivery: count %d, want 1 to %d", d.Count, tx.MaxMerkleCount)
	}
	if d.Anchor == 0 {
		return 0, errors.New("delivery: anchor 0: deliver once the root is anchored (ids start at 1)")
	}
	held := map[string]bool{}
	for _, doc := range w.Documents() {
		held[doc.SDJWT] = true
	}
	tokenKeys := map[string]bool{}
	for _, doc := range w.st.Tokens {
		held[doc.SDJWT] = true
		if doc.Scope == ScopeToken {
			tokenKeys[doc.Holder.String()] = true
		}
	}
	docs := make([]Document, len(d.Copies))
	slotted := make([]bool, len(d.Copies))
	for i, c := range d.Copies {
		var err error
		if docs[i], slotted[i], err = w.checkCopy(d, c); err != nil {
			return 0, fmt.Errorf("delivery copy %d: %w", i, err)
		}
		if docs[i].Scope == ScopeToken {
			tokenKeys[docs[i].Holder.String()] = true
		}
	}
	var cards, creds, certs, tokens []Document
	for i, doc := range docs {
		if !slotted[i] && doc.Scope != ScopeToken {
			if !tokenKeys[doc.Holder.String()] {
				return 0, fmt.Errorf("delivery copy %d: holder key %s is not a slot of this wallet, nor the key of a printed token it holds", i, doc.Holder)
			}
			if d.Module != ModuleCredentials {
				return 0, fmt.Errorf("delivery copy %d: a %s issued to printed token key %s: a token holds card and credential copies only", i, doc.Vct, doc.Holder)
			}
		}
		if held[doc.SDJWT] {
			continue
		}
		held[doc.SDJWT] = true
		switch {
		case !slotted[i]:
			tokens = append(tokens, doc)
		case doc.Vct == VctCard:
			cards = append(cards, doc)
		case d.Module == ModuleCertificates:
			certs = append(certs, doc)
		default:
			creds = append(creds, doc)
		}
	}
	var reveals []CardReveal
	for i, r := range d.Reveals {
		if len(r.Salt) != tx.CardSaltLen {
			return 0, fmt.Errorf("delivery reveal %d: salt of %d bytes, want %d", i, len(r.Salt), tx.CardSaltLen)
		}
		if !slices.ContainsFunc(w.st.Reveals, func(o CardReveal) bool { return o.Hash() == r.Hash() }) {
			reveals = append(reveals, r)
		}
	}
	old := w.st
	w.st.Cards = append(slices.Clone(w.st.Cards), cards...)
	w.st.Credentials = append(slices.Clone(w.st.Credentials), creds...)
	w.st.Certificates = append(slices.Clone(w.st.Certificates), certs...)
	w.st.Tokens = append(slices.Clone(w.st.Tokens), tokens...)
	w.st.Reveals = append(slices.Clone(w.st.Reveals), reveals...)
	if err := w.Save(); err != nil {
		w.st = old
		return 0, err
	}
	return len(cards) + len(creds) + len(certs) + len(tokens), nil
}

// checkCopy checks one delivered copy and makes its document. slotted
// reports whether its holder key is a slot of this wallet; when not, the
// document's Holder is the key (a printed token's, or refused by Import).
func (w *Wallet) checkCopy(d *Delivery, c IssuedCopy) (doc Document, slotted bool, err error) {
	s, err := sdjwt.Parse(c.SDJWT)
	if err != nil {
		return Document{}, false, err
	}
	kid, err := s.KID()
	if err != nil {
		return Document{}, false, err
	}
	ik, err := hex.DecodeString(kid)
	if err != nil || len(ik) != ed25519.PublicKeySize {
		return Document{}, false, fmt.Errorf("kid %q: want a hex ed25519 public key", kid)
	}
	v, err := sdjwt.VerifyIssued(c.SDJWT, ik)
	if err != nil {
		return Document{}, false, err
	}
	if !v.Holder.Equal(ed25519.PublicKey(c.HolderKey)) {
		return Document{}, false, fmt.Errorf("cnf key %x is not the copy's holder key %s", []byte(v.Holder), c.HolderKey)
	}
	proof := AnchorProof{ID: d.Anchor, Index: c.Index, Count: d.Count, Path: c.Path}
	if !proof.Verify(d.Root, v.JWT) {
		return Document{}, false, fmt.Errorf("anchor: Merkle path of leaf %d does not verify against root %s (count %d)", c.Index, d.Root, d.Count)
	}
	isCert := strings.HasPrefix(v.Payload.Vct, CertificateVctPrefix)
	if isCert != (d.Module == ModuleCertificates) || (v.Payload.Vct == VctCard && d.Module != ModuleCredentials) {
		return Document{}, false, fmt.Errorf("vct %q in a %s delivery", v.Payload.Vct, d.Module)
	}
	switch sc := v.Payload.Scope; {
	case sc == "":
	case sc != ScopeToken:
		return Document{}, false, fmt.Errorf("scope %q: unknown (want none, or %q for a printed token)", sc, ScopeToken)
	case v.Payload.Vct != VctCard:
		return Document{}, false, fmt.Errorf("scope %q on a %q copy: only card copies are printed tokens", sc, v.Payload.Vct)
	}
	names := make([]string, 0, len(v.Disclosed))
	for _, disc := range s.Disclosures {
		names = append(names, disc.Name)
	}
	doc = Document{
		Module: d.Module, Vct: v.Payload.Vct, Iss: v.Payload.Iss, KID: kid,
		SDJWT: s.String(), Anchor: proof, Status: v.Payload.Status,
		Iat: v.Payload.Iat, Exp: v.Payload.Exp, Claims: names, Scope: v.Payload.Scope,
	}
	slot, ok := w.slotOf(v.Holder)
	if ok && v.Payload.Scope == "" {
		doc.Slot = slot
		return doc, true, nil
	}
	// A token on a slot key would be shown with a key binding by Entry:
	// kept with the tokens, never as a card.
	doc.Holder = tx.PubKey(v.Holder)
	return doc, false, nil
}

// Tokens lists the printed tokens' documents: their card copies (Scope
// ScopeToken) and the credentials issued to their keys, in import order.
func (w *Wallet) Tokens() []Document { return slices.Clone(w.st.Tokens) }

// tokenCards are the printed tokens' card copies, in import order.
func (w *Wallet) tokenCards() []*Document {
	var out []*Document
	for i := range w.st.Tokens {
		if w.st.Tokens[i].Scope == ScopeToken {
			out = append(out, &w.st.Tokens[i])
		}
	}
	return out
}

// RequestTokens is a request for credential issuers naming the printed
// tokens' keys: credentials issued to them let a token prove the claims a
// facility requires (PrintToken).
func (w *Wallet) RequestTokens() (HolderRequest, error) {
	var r HolderRequest
	for _, d := range w.tokenCards() {
		if !slices.ContainsFunc(r.HolderKeys, func(k tx.PubKey) bool { return k.String() == d.Holder.String() }) {
			r.HolderKeys = append(r.HolderKeys, d.Holder)
		}
	}
	if len(r.HolderKeys) == 0 {
		return HolderRequest{}, errors.New("the wallet holds no printed token: ask the office for one (issue card --tokens)")
	}
	return r, nil
}

// PrintToken is printed token n (0 = the first imported) for a facility
// requiring claims: its card copy disclosing nothing, and unexpired
// credentials issued to the token's key disclosing exactly claims; no key
// binding. It fails when the token expired or a claim has no credential
// of the token's key (RequestTokens asks an issuer for one).
func (w *Wallet) PrintToken(n int, claims []string, now time.Time) (*PrintedToken, error) {
	cards := w.tokenCards()
	if n < 0 || n >= len(cards) {
		return nil, fmt.Errorf("token %d: the wallet holds %d printed tokens (issue card --tokens)", n, len(cards))
	}
	card := cards[n]
	if card.expired(now) {
		return nil, fmt.Errorf("token %d expired at %s: ask the office for a new one", n, time.Unix(card.Exp, 0).UTC().Format(time.DateOnly))
	}
	t := &PrintedToken{Format: TokenFormat}
	var err error
	if t.Card, err = unboundEnvelope(card, nil); err != nil {
		return nil, err
	}
	var parts []part
	for _, c := range claims {
		if slices.ContainsFunc(parts, func(p part) bool { return slices.Contains(p.names, c) }) {
			continue
		}
		placed := false
		for i := range parts {
			if slices.Contains(parts[i].doc.Claims, c) {
				parts[i].names = append(parts[i].names, c)
				placed = true
				break
			}
		}
		if placed {
			continue
		}
		var best *Document
		for i := range w.st.Tokens {
			d := &w.st.Tokens[i]
			if d.Scope == "" && d.Holder.String() == card.Holder.String() && !d.expired(now) && slices.Contains(d.Claims, c) &&
				(best == nil || d.Iat >= best.Iat) {
				best = d
			}
		}
		if best == nil {
			return nil, fmt.Errorf("token %d (key %s) holds no unexpired credential with claim %q: ask the issuer for one (wallet request --tokens)", n, card.Holder, c)
		}
		parts = append(parts, part{doc: best, names: []string{c}})
	}
	if len(parts) > MaxTokenClaims {
		return nil, fmt.Errorf("claims: %d credentials, a token carries at most %d", len(parts), MaxTokenClaims)
	}
	for _, p := range parts {
		e, err := unboundEnvelope(p.doc, p.names)
		if err != nil {
			return nil, err
		}
		t.Claims = append(t.Claims, e)
	}
	return t, nil
}

// pick finds, among docs of slot, an unexpired one of vct (any when "")
// holding every claim in names, the latest issued first.
func pick(docs []Document, slot uint32, vct string, names []string, now time.Time) *Document {
	var best *Document
	for i := range docs {
		d := &docs[i]
		if d.Slot != slot || (vct != "" && d.Vct != vct) || d.expired(now) {
			continue
		}
		ok := true
		for _, n := range names {
			if !slices.Contains(d.Claims, n) {
				ok = false
				break
			}
		}
		if ok && (best == nil || d.Iat >= best.Iat) {
			best = d
		}
	}
	return best
}

// part is one envelope to build: a document and the claims it discloses.
type part struct {
	doc   *Document
	names []string
}

// credentialPlan covers claims with unexpired credentials of slot, one
// claim at a time (a claim goes to the credential that already serves an
// earlier claim when it has it).
func (w *Wallet) credentialPlan(slot uint32, claims []string, now time.Time) ([]part, string) {
	var parts []part
	for _, c := range claims {
		placed := false
		for i := range parts {
			if slices.Contains(parts[i].doc.Claims, c) {
				parts[i].names = append(parts[i].names, c)
				placed = true
				break
			}
		}
		if placed {
			continue
		}
		d := pick(w.st.Credentials, slot, "", []string{c}, now)
		if d == nil {
			return nil, c
		}
		parts = append(parts, part{doc: d, names: []string{c}})
	}
	return parts, ""
}

// Entry answers a facility reader's challenge: the facility's slot (the
// same every visit; on a first visit the lowest never-used slot holding an
// unexpired card copy and credentials with every claim the facility
// requires) presents its card copy, disclosing nothing, and the required
// claims, each KB-JWT with aud "<facility>/<reader>" and the challenge's
// nonce at now. facilityClaims comes from the facility's on-chain record
// (tx.Facility.Claims). The slot assignment is saved before returning.
func (w *Wallet) Entry(ch Challenge, facilityClaims []string, now time.Time) (*EntryResponse, error) {
	if err := ch.Validate(); err != nil {
		return nil, fmt.Errorf("challenge: %w", err)
	}
	var (
		slot  uint32
		card  *Document
		parts []part
	)
	if s, ok := w.st.Facilities[ch.Facility]; ok {
		slot = s
		if card = pick(w.st.Cards, s, VctCard, nil, now); card == nil {
			return nil, fmt.Errorf("facility %q: its slot %d holds no unexpired card copy: ask the office for a copy for this slot", ch.Facility, s)
		}
		var missing string
		if parts, missing = w.credentialPlan(s, facilityClaims, now); missing != "" {
			return nil, fmt.Errorf("facility %q: its slot %d holds no unexpired credential with claim %q: ask the issuer for a copy for this slot", ch.Facility, s, missing)
		}
	} else {
		used := w.used()
		found := false
		for s := uint32(0); s < w.st.NextSlot && !found; s++ {
			if used[s] {
				continue
			}
			if card = pick(w.st.Cards, s, VctCard, nil, now); card == nil {
				continue
			}
			var missing string
			if parts, missing = w.credentialPlan(s, facilityClaims, now); missing == "" {
				slot, found = s, true
			}
		}
		if !found {
			return nil, fmt.Errorf("entry to facility %q (needs a card copy and claims [%s]): %w",
				ch.Facility, strings.Join(facilityClaims, ", "), ErrNoUnusedCopy)
		}
	}
	key := w.SlotKey(slot)
	resp := &EntryResponse{Challenge: ch}
	var err error
	if resp.Card, err = envelopeOf(card, nil, key, ch.Aud(), ch.Nonce, now); err != nil {
		return nil, err
	}
	for _, p := range parts {
		e, err := envelopeOf(p.doc, p.names, key, ch.Aud(), ch.Nonce, now)
		if err != nil {
			return nil, err
		}
		resp.Claims = append(resp.Claims, e)
	}
	if _, ok := w.st.Facilities[ch.Facility]; !ok {
		if w.st.Facilities == nil {
			w.st.Facilities = map[string]uint32{}
		}
		w.st.Facilities[ch.Facility] = slot
		if err := w.Save(); err != nil {
			delete(w.st.Facilities, ch.Facility)
			return nil, err
		}
	}
	return resp, nil
}

// markVerifier records slot as shown to verifier and saves.
func (w *Wallet) markVerifier(verifier string, slot uint32) error {
	return w.markSpent(verifier, []uint32{slot})
}

// Present answers a registered verifier's request for credential claims.
// The request is refused unless it checks against reg, the verifier's
// on-chain record (VerifierRequest.CheckAgainst: registered key's
// signature, only registered claims). The presentation uses a slot never
// shown to anyone (single-use copies) and discloses exactly the requested
// claims; the slot is recorded as spent before returning.
func (w *Wallet) Present(req VerifierRequest, reg tx.Verifier, now time.Time) (*Presentation, error) {
	if err := req.CheckAgainst(reg); err != nil {
		return nil, err
	}
	used := w.used()
	for s := uint32(0); s < w.st.NextSlot; s++ {
		if used[s] {
			continue
		}
		parts, missing := w.credentialPlan(s, req.Claims, now)
		if missing != "" {
			continue
		}
		key := w.SlotKey(s)
		out := &Presentation{Verifier: req.Verifier, Nonce: req.Nonce}
		for _, p := range parts {
			e, err := envelopeOf(p.doc, p.names, key, req.Verifier, req.Nonce, now)
			if err != nil {
				return nil, err
			}
			out.Envelopes = append(out.Envelopes, e)
		}
		if err := w.markVerifier(req.Verifier, s); err != nil {
			return nil, err
		}
		return out, nil
	}
	return nil, fmt.Errorf("verifier %q (claims [%s]): %w", req.Verifier, strings.Join(req.Claims, ", "), ErrNoUnusedCopy)
}

// PresentCertificate answers a request for fields of a certificate: a
// never-shown slot holding a certificate of the kind with every field
// presents it disclosing only those fields, KB aud = the verifier id and
// the request's nonce. The slot is recorded as spent before returning.
func (w *Wallet) PresentCertificate(req CertificateRequest, now time.Time) (*Presentation, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	vct := CertificateVct(req.Kind)
	used := w.used()
	for s := uint32(0); s < w.st.NextSlot; s++ {
		if used[s] {
			continue
		}
		d := pick(w.st.Certificates, s, vct, req.Fields, now)
		if d == nil {
			continue
		}
		e, err := envelopeOf(d, req.Fields, w.SlotKey(s), req.Verifier, req.Nonce, now)
		if err != nil {
			return nil, err
		}
		if err := w.markVerifier(req.Verifier, s); err != nil {
			return nil, err
		}
		return &Presentation{Verifier: req.Verifier, Nonce: req.Nonce, Envelopes: []Envelope{e}}, nil
	}
	return nil, fmt.Errorf("certificate %q with fields [%s] for verifier %q: %w",
		req.Kind, strings.Join(req.Fields, ", "), req.Verifier, ErrNoUnusedCopy)
}
