package wallet

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
)

// Format is the presentation envelope's format tag.
const Format = "citychain-vp/1"

// Modules an envelope's anchor lives in.
const (
	ModuleCredentials  = "credentials"
	ModuleCertificates = "certificates"
)

// Credential types (vct) with a fixed meaning.
const (
	VctCard              = "citizen_card"
	CertificateVctPrefix = "certificate:"
)

// ScopeToken is the visible scope of a printed token: a card copy for a
// citizen without a smartphone, shown on paper (text or QR) without key
// binding. Being a bearer copy that anyone holding the paper can show
// again, it is admitted only where a facility accepts tokens.
const ScopeToken = "token"

// CertificateVct is the vct of a certificate of kind: "certificate:<kind>".
func CertificateVct(kind string) string { return CertificateVctPrefix + kind }

// NonceLen is the length in bytes of a challenge nonce (64 hex characters).
const NonceLen = 32

// MaxNonceLen bounds a verifier request's nonce (characters).
const MaxNonceLen = 128

// AnchorProof proves one copy belongs to an on-chain anchor: the anchor
// id (credentials or certificates module, per the envelope's module), the
// copy's leaf index, the anchor's count and the RFC 6962 audit path. A
// verifier takes the count from the anchor it reads, not from here.
type AnchorProof struct {
	ID    uint64      `json:"id"`
	Index uint64      `json:"index"`
	Count uint64      `json:"count"`
	Path  []tx.Hash32 `json:"path"`
}

// Verify reports whether the path proves SHA-256(jwt) at Index in a tree
// of Count leaves with root.
func (a AnchorProof) Verify(root tx.Hash32, jwt string) bool {
	leaf := sha256.Sum256([]byte(jwt))
	return tx.VerifyMerklePath(root, leaf[:], a.Index, a.Count, a.Path)
}

// Envelope is one presented SD-JWT with its anchor proof (citychain-vp/1).
type Envelope struct {
	Format string      `json:"format"`
	Module string      `json:"module"`
	SDJWT  string      `json:"sd_jwt"`
	Anchor AnchorProof `json:"anchor"`
}

// Validate checks the envelope's shape (nothing cryptographic).
func (e *Envelope) Validate() error {
	if e.Format != Format {
		return fmt.Errorf("format %q, want %q", e.Format, Format)
	}
	if e.Module != ModuleCredentials && e.Module != ModuleCertificates {
		return fmt.Errorf("module %q, want %s or %s", e.Module, ModuleCredentials, ModuleCertificates)
	}
	if e.SDJWT == "" {
		return errors.New("sd_jwt: empty")
	}
	if e.Anchor.ID == 0 {
		return errors.New("anchor.id: 0, want the on-chain anchor id (from 1)")
	}
	if e.Anchor.Count == 0 || e.Anchor.Count > tx.MaxMerkleCount {
		return fmt.Errorf("anchor.count %d: want 1 to %d", e.Anchor.Count, tx.MaxMerkleCount)
	}
	if e.Anchor.Index >= e.Anchor.Count {
		return fmt.Errorf("anchor.index %d: want less than count %d", e.Anchor.Index, e.Anchor.Count)
	}
	if len(e.Anchor.Path) > 64 {
		return fmt.Errorf("anchor.path: %d nodes, at most 64", len(e.Anchor.Path))
	}
	return nil
}

// Leaf is the Merkle leaf of the presented copy: SHA-256 of its issuer JWT.
func (e *Envelope) Leaf() (tx.Hash32, error) {
	jwt, _, ok := strings.Cut(e.SDJWT, "~")
	if !ok || jwt == "" {
		return tx.Hash32{}, errors.New("sd_jwt: want <jwt>~<disclosures>~<kb-jwt>")
	}
	return sha256.Sum256([]byte(jwt)), nil
}

// Challenge is what a facility's reader shows a card holder at the door.
type Challenge struct {
	Facility string    `json:"facility"`
	Reader   string    `json:"reader"`
	Nonce    string    `json:"nonce"` // 32 random bytes, 64 lowercase hex
	Time     time.Time `json:"time"`
}

// NewChallenge is a challenge with a fresh random nonce.
func NewChallenge(facility, reader string, now time.Time) (Challenge, error) {
	var n [NonceLen]byte
	if _, err := rand.Read(n[:]); err != nil {
		return Challenge{}, fmt.Errorf("nonce: %w", err)
	}
	c := Challenge{Facility: facility, Reader: reader, Nonce: hex.EncodeToString(n[:]), Time: now.UTC()}
	return c, c.Validate()
}

// ValidateReaderID checks a reader id: like a facility id, 1 to 64
// characters of [a-z0-9_-].
func ValidateReaderID(id string) error {
	if err := tx.ValidateFacilityID(id); err != nil {
		return fmt.Errorf("reader: %w", err)
	}
	return nil
}

// Validate checks the challenge's fields.
func (c Challenge) Validate() error {
	if err := tx.ValidateFacilityID(c.Facility); err != nil {
		return err
	}
	if err := ValidateReaderID(c.Reader); err != nil {
		return err
	}
	if b, err := hex.DecodeString(c.Nonce); err != nil || len(b) != NonceLen || c.Nonce != strings.ToLower(c.Nonce) {
		return fmt.Errorf("nonce %q: want %d lowercase hex characters", c.Nonce, 2*NonceLen)
	}
	if c.Time.IsZero() {
		return errors.New("time: missing")
	}
	return nil
}

// Aud is the KB-JWT audience of an entry response: "<facility>/<reader>".
func (c Challenge) Aud() string { return c.Facility + "/" + c.Reader }

// EntryResponse answers a Challenge: a card copy (no claim disclosed) and
// one envelope per credential carrying the facility's required claims,
// all bound to the same slot key, KB aud Challenge.Aud() and the
// challenge's nonce.
type EntryResponse struct {
	Challenge Challenge  `json:"challenge"`
	Card      Envelope   `json:"card"`
	Claims    []Envelope `json:"claims,omitempty"`
}

// Presentation answers a VerifierRequest or CertificateRequest: envelopes
// bound to one never-before-used slot key, KB aud = the verifier id and
// the request's nonce.
type Presentation struct {
	Verifier  string     `json:"verifier"`
	Nonce     string     `json:"nonce"`
	Envelopes []Envelope `json:"envelopes"`
}

// TokenFormat tags a printed token's text.
const TokenFormat = "citychain-token/1"

// MaxTokenClaims bounds the credential envelopes of a printed token.
const MaxTokenClaims = 8

// PrintedToken is what a printed token carries, as one line of JSON (Text)
// for paper or a QR code: the token's card copy with no claim disclosed,
// and the credentials issued to the token's key disclosing only the
// claims a facility requires; none has a key binding (paper cannot sign).
// A reader checks it as the answer to its own challenge (Response).
type PrintedToken struct {
	Format string     `json:"format"`
	Card   Envelope   `json:"card"`
	Claims []Envelope `json:"claims,omitempty"`
}

// Validate checks the token's shape: format, envelopes, no key binding.
func (t *PrintedToken) Validate() error {
	if t.Format != TokenFormat {
		return fmt.Errorf("format %q, want %q", t.Format, TokenFormat)
	}
	if len(t.Claims) > MaxTokenClaims {
		return fmt.Errorf("claims: %d envelopes, at most %d", len(t.Claims), MaxTokenClaims)
	}
	for i, e := range append([]Envelope{t.Card}, t.Claims...) {
		what := "card"
		if i > 0 {
			what = fmt.Sprintf("claims[%d]", i-1)
		}
		if err := e.Validate(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if !strings.HasSuffix(e.SDJWT, "~") {
			return fmt.Errorf("%s: sd_jwt ends with a key binding, a printed token has none", what)
		}
	}
	return nil
}

// Text is the token as one line of compact JSON, what is printed (as text
// or a QR code).
func (t *PrintedToken) Text() (string, error) {
	if err := t.Validate(); err != nil {
		return "", err
	}
	b, err := json.Marshal(t)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// ParsePrintedToken reads a token's text (strict JSON, as Text writes it;
// surrounding white space allowed) and validates it.
func ParsePrintedToken(text []byte) (*PrintedToken, error) {
	if len(text) > sdjwt.MaxLen {
		return nil, fmt.Errorf("printed token: %d bytes, at most %d", len(text), sdjwt.MaxLen)
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	var t PrintedToken
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("printed token: %w", err)
	}
	if dec.More() {
		return nil, errors.New("printed token: text after the JSON object")
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("printed token: %w", err)
	}
	return &t, nil
}

// Response is the token as the answer to a reader's challenge: a reader
// checks a token like a wallet's response (chain/verify Entry), the token
// naming neither the reader nor the time.
func (t *PrintedToken) Response(ch Challenge) *EntryResponse {
	return &EntryResponse{Challenge: ch, Card: t.Card, Claims: slices.Clone(t.Claims)}
}

// verifierRequestDomain prefixes what a verifier signs.
const verifierRequestDomain = "citychain/verifier-request/v1\x00"

// VerifierRequest is a registered verifier's request for claims, signed
// with its registered key (tx.Verifier.Key).
type VerifierRequest struct {
	Verifier  string      `json:"verifier"`
	Nonce     string      `json:"nonce"`
	Claims    []string    `json:"claims"`
	Signature tx.HexBytes `json:"signature"`
}

// SignBytes is what the verifier's key signs:
// "citychain/verifier-request/v1" 0x00 followed by the JSON
// {"verifier","nonce","claims"} (in that order, compact).
func (r *VerifierRequest) SignBytes() []byte {
	b, _ := json.Marshal(struct {
		Verifier string   `json:"verifier"`
		Nonce    string   `json:"nonce"`
		Claims   []string `json:"claims"`
	}{r.Verifier, r.Nonce, r.Claims})
	return append([]byte(verifierRequestDomain), b...)
}

// Sign sets the signature with the verifier's key.
func (r *VerifierRequest) Sign(key ed25519.PrivateKey) {
	r.Signature = ed25519.Sign(key, r.SignBytes())
}

// CheckAgainst checks the request against the verifier's registered
// record (read from the chain by the caller): same id, still active, the
// signature by the registered key, 1 to 32 distinct claims each within
// the registered claims. A wallet refuses any request that fails.
func (r *VerifierRequest) CheckAgainst(reg tx.Verifier) error {
	if r.Verifier != reg.ID {
		return fmt.Errorf("request from verifier %q checked against the record of %q", r.Verifier, reg.ID)
	}
	if reg.Status != "" && reg.Status != tx.VerifierActive {
		return fmt.Errorf("verifier %q is %s", reg.ID, reg.Status)
	}
	if r.Nonce == "" || len(r.Nonce) > MaxNonceLen {
		return fmt.Errorf("nonce %q: want 1 to %d characters", r.Nonce, MaxNonceLen)
	}
	if len(reg.Key) != ed25519.PublicKeySize || len(r.Signature) != ed25519.SignatureSize ||
		!ed25519.Verify(ed25519.PublicKey(reg.Key), r.SignBytes(), r.Signature) {
		return fmt.Errorf("request signature does not verify with verifier %q's registered key %s", reg.ID, reg.Key)
	}
	if len(r.Claims) == 0 || len(r.Claims) > 32 {
		return fmt.Errorf("claims: %d, want 1 to 32", len(r.Claims))
	}
	for i, c := range r.Claims {
		if slices.Contains(r.Claims[:i], c) {
			return fmt.Errorf("claims: %q asked twice", c)
		}
		if !slices.Contains(reg.Claims, c) {
			return fmt.Errorf("verifier %q asks for claim %q outside its registered claims [%s] (purpose: %s): refused",
				reg.ID, c, strings.Join(reg.Claims, ", "), reg.Purpose)
		}
	}
	return nil
}

// CertificateRequest asks a holder for chosen fields of one certificate
// kind. Only those fields are disclosed.
type CertificateRequest struct {
	Verifier string   `json:"verifier"`
	Nonce    string   `json:"nonce"`
	Kind     string   `json:"kind"`
	Fields   []string `json:"fields"`
}

// Validate checks the request's fields.
func (r *CertificateRequest) Validate() error {
	if err := tx.ValidateVerifierID(r.Verifier); err != nil {
		return err
	}
	if r.Nonce == "" || len(r.Nonce) > MaxNonceLen {
		return fmt.Errorf("nonce %q: want 1 to %d characters", r.Nonce, MaxNonceLen)
	}
	if r.Kind == "" || len(r.Kind) > 64 {
		return fmt.Errorf("kind %q: want 1 to 64 characters", r.Kind)
	}
	if len(r.Fields) == 0 || len(r.Fields) > 64 {
		return fmt.Errorf("fields: %d, want 1 to 64", len(r.Fields))
	}
	for i, f := range r.Fields {
		if slices.Contains(r.Fields[:i], f) {
			return fmt.Errorf("fields: %q asked twice", f)
		}
	}
	return nil
}

// envelopeOf presents doc disclosing names with a KB-JWT by holder.
func envelopeOf(doc *Document, names []string, holder ed25519.PrivateKey, aud, nonce string, now time.Time) (Envelope, error) {
	s, err := sdjwt.Parse(doc.SDJWT)
	if err != nil {
		return Envelope{}, err
	}
	p, err := s.Present(names, holder, aud, nonce, now)
	if err != nil {
		return Envelope{}, err
	}
	return Envelope{Format: Format, Module: doc.Module, SDJWT: p, Anchor: doc.Anchor}, nil
}

// unboundEnvelope is doc's issued form disclosing only names, with no key
// binding (a printed token's).
func unboundEnvelope(doc *Document, names []string) (Envelope, error) {
	s, err := sdjwt.Parse(doc.SDJWT)
	if err != nil {
		return Envelope{}, err
	}
	ds, err := s.Select(names)
	if err != nil {
		return Envelope{}, err
	}
	out := &sdjwt.SDJWT{JWT: s.JWT, Disclosures: ds}
	return Envelope{Format: Format, Module: doc.Module, SDJWT: out.String(), Anchor: doc.Anchor}, nil
}
