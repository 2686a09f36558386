// Package sdjwt issues, presents and verifies SD-JWTs (RFC 9901 shape) with
// EdDSA/Ed25519 signatures, the credential format of citychain's citizen
// card, eligibility credentials and civil certificates.
//
// An issued SD-JWT is "<issuer JWT>~<disclosure>~...~<disclosure>~". The
// issuer JWT's payload carries the always-visible claims (iss, vct, iat,
// exp, cnf, status, scope) and the sorted SHA-256 digests (_sd) of every
// disclosure; a disclosure is b64url(JSON [salt, name, value]). A
// presentation keeps only the chosen disclosures and ends with a key
// binding JWT (KB-JWT) signed by the holder key named in cnf, over
// {aud, nonce, iat, sd_hash}, sd_hash being the SHA-256 of everything
// before it ("<issuer JWT>~<d1>~...~").
//
// Only flat object claims are supported (no array-element or nested
// disclosures): that is all citychain issues.
package sdjwt

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Header and algorithm values.
const (
	TypSDJWT = "dc+sd-jwt" // typ of the issuer-signed JWT
	TypKB    = "kb+jwt"    // typ of the key binding JWT
	AlgSHA   = "sha-256"   // the only _sd_alg
	SaltLen  = 16          // random bytes in a disclosure's salt
	Day      = 24 * 60 * 60
)

// Verification defaults.
const (
	DefaultMaxAge = 60 * time.Second // a KB-JWT older than this is refused
	DefaultSkew   = 5 * time.Second  // a KB-JWT this far in the future is still accepted
)

// Limits on what Parse accepts (no panics or unbounded work on input).
const (
	MaxLen         = 1 << 20 // bytes of one SD-JWT or presentation
	MaxDisclosures = 256     // disclosures in one SD-JWT
	MaxScopeLen    = 64      // bytes of the visible scope claim
)

var b64 = base64.RawURLEncoding

// algs is the only signature algorithm accepted.
var algs = []jose.SignatureAlgorithm{jose.EdDSA}

// reserved claim names a disclosure may not carry.
var reserved = map[string]bool{
	"_sd": true, "_sd_alg": true, "...": true, "iss": true, "vct": true,
	"iat": true, "exp": true, "nbf": true, "cnf": true, "status": true, "sub": true,
	"scope": true,
}

// JWK is the public holder key in cnf: an Ed25519 OKP key.
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
}

// JWKOf returns the JWK of an Ed25519 public key.
func JWKOf(pub ed25519.PublicKey) JWK {
	return JWK{Kty: "OKP", Crv: "Ed25519", X: b64.EncodeToString(pub)}
}

// PublicKey decodes the key, checking kty, crv and length.
func (j JWK) PublicKey() (ed25519.PublicKey, error) {
	if j.Kty != "OKP" || j.Crv != "Ed25519" {
		return nil, fmt.Errorf("cnf.jwk: kty %q crv %q, want OKP Ed25519", j.Kty, j.Crv)
	}
	b, err := b64.DecodeString(j.X)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("cnf.jwk.x %q: want %d bytes of base64url", j.X, ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// Cnf is the confirmation claim: the holder key of this copy.
type Cnf struct {
	JWK JWK `json:"jwk"`
}

// Status points at this copy's bit in a status list.
type Status struct {
	List string `json:"list"` // "<owner addr hex>/<name>"
	Idx  uint32 `json:"idx"`
}

// Payload is the issuer JWT's payload (the always-visible claims).
type Payload struct {
	Iss    string  `json:"iss"`
	Vct    string  `json:"vct"`
	Iat    int64   `json:"iat"`
	Exp    int64   `json:"exp,omitempty"`
	Cnf    Cnf     `json:"cnf"`
	Status *Status `json:"status,omitempty"`
	// Scope narrows what the copy is good for, visible to every verifier
	// (omitted when empty): "token" marks a printed token, a card copy
	// shown without key binding (chain/wallet, chain/verify).
	Scope string   `json:"scope,omitempty"`
	SD    []string `json:"_sd"`
	SDAlg string   `json:"_sd_alg"`
}

// HolderKey is the cnf key.
func (p *Payload) HolderKey() (ed25519.PublicKey, error) { return p.Cnf.JWK.PublicKey() }

// Expired reports whether exp is set and now is at or after it.
func (p *Payload) Expired(now time.Time) bool { return p.Exp != 0 && now.Unix() >= p.Exp }

// DayFloor is t as unix seconds rounded down to UTC midnight.
func DayFloor(t time.Time) int64 {
	s := t.Unix()
	return s - ((s%Day)+Day)%Day
}

// Claim is one selectively disclosable claim to issue.
type Claim struct {
	Name  string
	Value any // any JSON-marshalable value
}

// Disclosure is one parsed disclosure.
type Disclosure struct {
	Raw    string          // as it appears between '~'
	Digest string          // b64url(SHA-256(Raw))
	Salt   string          // b64url
	Name   string          // claim name
	Value  json.RawMessage // claim value (JSON)
}

// DigestOf is b64url(SHA-256(s)): the digest of a disclosure, and sd_hash.
func DigestOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return b64.EncodeToString(sum[:])
}

// NewDisclosure builds a disclosure with a fresh 16-byte salt from r
// (crypto/rand when nil).
func NewDisclosure(r io.Reader, name string, value any) (Disclosure, error) {
	if r == nil {
		r = rand.Reader
	}
	if name == "" || reserved[name] {
		return Disclosure{}, fmt.Errorf("disclosure name %q: empty or reserved", name)
	}
	var salt [SaltLen]byte
	if _, err := io.ReadFull(r, salt[:]); err != nil {
		return Disclosure{}, fmt.Errorf("disclosure %q: salt: %w", name, err)
	}
	val, err := json.Marshal(value)
	if err != nil {
		return Disclosure{}, fmt.Errorf("disclosure %q: value: %w", name, err)
	}
	s := b64.EncodeToString(salt[:])
	arr, err := json.Marshal([]any{s, name, json.RawMessage(val)})
	if err != nil {
		return Disclosure{}, fmt.Errorf("disclosure %q: %w", name, err)
	}
	raw := b64.EncodeToString(arr)
	return Disclosure{Raw: raw, Digest: DigestOf(raw), Salt: s, Name: name, Value: val}, nil
}

// ParseDisclosure decodes one disclosure: base64url of a JSON array
// [salt string, name string, value].
func ParseDisclosure(raw string) (Disclosure, error) {
	b, err := b64.DecodeString(raw)
	if err != nil {
		return Disclosure{}, fmt.Errorf("disclosure %q: not base64url: %w", short(raw), err)
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(b, &arr); err != nil {
		return Disclosure{}, fmt.Errorf("disclosure %q: not a JSON array: %w", short(raw), err)
	}
	if len(arr) != 3 {
		return Disclosure{}, fmt.Errorf("disclosure %q: %d elements, want [salt, name, value]", short(raw), len(arr))
	}
	d := Disclosure{Raw: raw, Digest: DigestOf(raw), Value: arr[2]}
	if err := json.Unmarshal(arr[0], &d.Salt); err != nil || d.Salt == "" {
		return Disclosure{}, fmt.Errorf("disclosure %q: salt is not a non-empty string", short(raw))
	}
	if err := json.Unmarshal(arr[1], &d.Name); err != nil || d.Name == "" {
		return Disclosure{}, fmt.Errorf("disclosure %q: name is not a non-empty string", short(raw))
	}
	if reserved[d.Name] {
		return Disclosure{}, fmt.Errorf("disclosure %q: reserved claim name %q", short(raw), d.Name)
	}
	return d, nil
}

func short(s string) string {
	if len(s) > 24 {
		return s[:24] + "..."
	}
	return s
}

// Issued is a freshly issued SD-JWT.
type Issued struct {
	JWT         string       // the issuer-signed compact JWS
	Disclosures []Disclosure // in the order the claims were given
}

// String is the issuance form "<jwt>~<d1>~...~<dn>~".
func (i *Issued) String() string {
	var b strings.Builder
	b.WriteString(i.JWT)
	b.WriteByte('~')
	for _, d := range i.Disclosures {
		b.WriteString(d.Raw)
		b.WriteByte('~')
	}
	return b.String()
}

// Leaf is the Merkle leaf of this copy: SHA-256 of the issuer JWT.
func (i *Issued) Leaf() [32]byte { return sha256.Sum256([]byte(i.JWT)) }

// Issue signs an SD-JWT: p's visible claims (Iss, Vct, Iat, Exp, Cnf,
// Status and Scope; SD and SDAlg are filled here) and one disclosure per claim, each
// with a fresh salt from r (crypto/rand when nil). iat and exp must be
// rounded down to the day (DayFloor): copies issued the same day are then
// indistinguishable by time. The header is {"alg":"EdDSA",
// "typ":"dc+sd-jwt","kid":hex(public key)}.
func Issue(key ed25519.PrivateKey, p Payload, claims []Claim, r io.Reader) (*Issued, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("issuer key: %d bytes, want %d", len(key), ed25519.PrivateKeySize)
	}
	if p.Iat <= 0 || p.Iat%Day != 0 {
		return nil, fmt.Errorf("iat %d: want unix seconds rounded down to the day", p.Iat)
	}
	if p.Exp != 0 && (p.Exp%Day != 0 || p.Exp <= p.Iat) {
		return nil, fmt.Errorf("exp %d: want unix seconds rounded down to the day, after iat %d", p.Exp, p.Iat)
	}
	if _, err := p.Cnf.JWK.PublicKey(); err != nil {
		return nil, err
	}
	if len(p.Scope) > MaxScopeLen {
		return nil, fmt.Errorf("scope %q: %d bytes, at most %d", short(p.Scope), len(p.Scope), MaxScopeLen)
	}
	if len(claims) > MaxDisclosures {
		return nil, fmt.Errorf("claims: %d, at most %d", len(claims), MaxDisclosures)
	}
	out := &Issued{Disclosures: make([]Disclosure, 0, len(claims))}
	p.SD = make([]string, 0, len(claims))
	seen := map[string]bool{}
	for _, c := range claims {
		if seen[c.Name] {
			return nil, fmt.Errorf("claim %q: given twice", c.Name)
		}
		seen[c.Name] = true
		d, err := NewDisclosure(r, c.Name, c.Value)
		if err != nil {
			return nil, err
		}
		out.Disclosures = append(out.Disclosures, d)
		p.SD = append(p.SD, d.Digest)
	}
	slices.Sort(p.SD)
	p.SDAlg = AlgSHA
	payload, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	kid := hex.EncodeToString(key.Public().(ed25519.PublicKey))
	jwt, err := sign(key, TypSDJWT, kid, payload)
	if err != nil {
		return nil, err
	}
	out.JWT = jwt
	return out, nil
}

func sign(key ed25519.PrivateKey, typ, kid string, payload []byte) (string, error) {
	opts := (&jose.SignerOptions{}).WithType(jose.ContentType(typ))
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: key}, opts)
	if err != nil {
		return "", fmt.Errorf("%s: signer: %w", typ, err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("%s: sign: %w", typ, err)
	}
	return jws.CompactSerialize()
}

// SDJWT is a parsed SD-JWT or presentation (nothing verified yet).
type SDJWT struct {
	JWT         string       // issuer-signed compact JWS
	Disclosures []Disclosure // in order of appearance
	KB          string       // key binding JWT, "" when absent
	Raw         string       // the whole string as parsed
}

// Parse splits "<jwt>~<d1>~...~<dn>~[<kb-jwt>]" and decodes the
// disclosures. It checks shape only; Verify checks signatures and digests.
func Parse(s string) (*SDJWT, error) {
	if len(s) > MaxLen {
		return nil, fmt.Errorf("sd-jwt: %d bytes, at most %d", len(s), MaxLen)
	}
	parts := strings.Split(s, "~")
	if len(parts) < 2 {
		return nil, errors.New("sd-jwt: no '~': want <jwt>~<disclosures>~[<kb-jwt>]")
	}
	if len(parts)-2 > MaxDisclosures {
		return nil, fmt.Errorf("sd-jwt: %d disclosures, at most %d", len(parts)-2, MaxDisclosures)
	}
	if strings.Count(parts[0], ".") != 2 {
		return nil, errors.New("sd-jwt: issuer JWT is not a compact JWS")
	}
	out := &SDJWT{JWT: parts[0], KB: parts[len(parts)-1], Raw: s}
	for i, raw := range parts[1 : len(parts)-1] {
		if raw == "" {
			return nil, fmt.Errorf("sd-jwt: disclosure %d is empty", i)
		}
		d, err := ParseDisclosure(raw)
		if err != nil {
			return nil, err
		}
		out.Disclosures = append(out.Disclosures, d)
	}
	return out, nil
}

// String is the issuance form without KB ("<jwt>~<d1>~...~").
func (s *SDJWT) String() string {
	var b strings.Builder
	b.WriteString(s.JWT)
	b.WriteByte('~')
	for _, d := range s.Disclosures {
		b.WriteString(d.Raw)
		b.WriteByte('~')
	}
	return b.String()
}

// Leaf is the Merkle leaf of this copy: SHA-256 of the issuer JWT.
func (s *SDJWT) Leaf() [32]byte { return sha256.Sum256([]byte(s.JWT)) }

// KID is the issuer JWT header's kid (hex Ed25519 public key), unverified.
func (s *SDJWT) KID() (string, error) {
	jws, err := jose.ParseSignedCompact(s.JWT, algs)
	if err != nil {
		return "", fmt.Errorf("sd-jwt: issuer JWT: %w", err)
	}
	return jws.Signatures[0].Header.KeyID, nil
}

// UnverifiedPayload decodes the issuer JWT's payload without checking the
// signature: to find the issuer key, anchor or status list before Verify.
// Trust nothing in it until Verify succeeds.
func (s *SDJWT) UnverifiedPayload() (*Payload, error) {
	jws, err := jose.ParseSignedCompact(s.JWT, algs)
	if err != nil {
		return nil, fmt.Errorf("sd-jwt: issuer JWT: %w", err)
	}
	p, _, err := decodePayload(jws.UnsafePayloadWithoutVerification())
	return p, err
}

func decodePayload(b []byte) (*Payload, map[string]json.RawMessage, error) {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, nil, fmt.Errorf("sd-jwt: payload is not a JSON object: %w", err)
	}
	var p Payload
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, nil, fmt.Errorf("sd-jwt: payload: %w", err)
	}
	return &p, all, nil
}

// Select returns the disclosures named, in their issued order; every name
// must have a disclosure.
func (s *SDJWT) Select(names []string) ([]Disclosure, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []Disclosure
	for _, d := range s.Disclosures {
		if want[d.Name] {
			out = append(out, d)
			delete(want, d.Name)
		}
	}
	for _, n := range names {
		if want[n] {
			return nil, fmt.Errorf("sd-jwt: no disclosure for claim %q (has %s)", n, strings.Join(s.Names(), ", "))
		}
	}
	return out, nil
}

// Names lists the claim names of the disclosures held.
func (s *SDJWT) Names() []string {
	out := make([]string, len(s.Disclosures))
	for i, d := range s.Disclosures {
		out[i] = d.Name
	}
	return out
}

// Present builds a presentation disclosing only the named claims, with a
// KB-JWT signed by holder (the copy's cnf key) for aud and nonce at iat.
func (s *SDJWT) Present(names []string, holder ed25519.PrivateKey, aud, nonce string, iat time.Time) (string, error) {
	ds, err := s.Select(names)
	if err != nil {
		return "", err
	}
	if len(holder) != ed25519.PrivateKeySize {
		return "", fmt.Errorf("kb-jwt: holder key: %d bytes, want %d", len(holder), ed25519.PrivateKeySize)
	}
	var b strings.Builder
	b.WriteString(s.JWT)
	b.WriteByte('~')
	for _, d := range ds {
		b.WriteString(d.Raw)
		b.WriteByte('~')
	}
	prefix := b.String()
	kb, err := json.Marshal(KBPayload{Aud: aud, Nonce: nonce, Iat: iat.Unix(), SDHash: DigestOf(prefix)})
	if err != nil {
		return "", fmt.Errorf("kb-jwt: %w", err)
	}
	jwt, err := sign(holder, TypKB, "", kb)
	if err != nil {
		return "", err
	}
	return prefix + jwt, nil
}

// KBPayload is the key binding JWT's payload.
type KBPayload struct {
	Aud    string `json:"aud"`
	Nonce  string `json:"nonce"`
	Iat    int64  `json:"iat"`
	SDHash string `json:"sd_hash"`
}

// Options says what Verify expects.
type Options struct {
	IssuerKey ed25519.PublicKey // the key the issuer JWT must be signed with
	Aud       string            // expected KB-JWT aud
	Nonce     string            // expected KB-JWT nonce
	Now       time.Time         // the verifier's clock
	MaxAge    time.Duration     // oldest KB-JWT accepted; 0 = DefaultMaxAge
	Skew      time.Duration     // KB-JWT iat tolerated in the future; 0 = DefaultSkew
}

// Verified is what Verify established.
type Verified struct {
	JWT       string                     // the issuer JWT (its SHA-256 is the Merkle leaf)
	KID       string                     // issuer header kid
	Payload   Payload                    // typed visible claims
	Visible   map[string]json.RawMessage // every visible claim except _sd and _sd_alg
	Disclosed map[string]json.RawMessage // the disclosed claims by name
	Holder    ed25519.PublicKey          // the cnf key that signed the KB-JWT
	KB        KBPayload                  // the KB-JWT's payload
}

// Leaf is the Merkle leaf: SHA-256 of the issuer JWT.
func (v *Verified) Leaf() [32]byte { return sha256.Sum256([]byte(v.JWT)) }

// Bool returns a disclosed yes/no claim: (value, true) when disclosed as a
// JSON boolean.
func (v *Verified) Bool(name string) (bool, bool) {
	raw, ok := v.Disclosed[name]
	if !ok {
		return false, false
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return false, false
	}
	return b, true
}

// Verify checks a presentation: the issuer JWT's signature by
// o.IssuerKey (alg EdDSA, typ dc+sd-jwt, kid = hex key), _sd_alg sha-256,
// each disclosure's digest present once in _sd and no disclosure given
// twice or naming a visible claim, then the KB-JWT: present, typ kb+jwt,
// signed by the cnf key, sd_hash over exactly the presented prefix, aud
// and nonce equal to o.Aud and o.Nonce, and iat no older than MaxAge and
// no more than Skew in the future of o.Now. It does not check exp, the
// status list or the Merkle anchor: those need chain state (the caller's
// job, see chain/wallet and chain/verify).
func Verify(presentation string, o Options) (*Verified, error) {
	s, err := Parse(presentation)
	if err != nil {
		return nil, err
	}
	if s.KB == "" {
		return nil, errors.New("kb-jwt: missing (the presentation ends with '~')")
	}
	v, err := verifyIssuer(s, o.IssuerKey)
	if err != nil {
		return nil, err
	}
	if err := verifyKB(s, v, o); err != nil {
		return nil, err
	}
	return v, nil
}

// VerifyIssued checks an issued SD-JWT (no KB-JWT: as the holder receives
// it, "<jwt>~<d1>~...~"): the issuer signature by issuerKey and every
// disclosure's digest. A holder uses it on import.
func VerifyIssued(sdjwt string, issuerKey ed25519.PublicKey) (*Verified, error) {
	s, err := Parse(sdjwt)
	if err != nil {
		return nil, err
	}
	if s.KB != "" {
		return nil, errors.New("sd-jwt: issued form must end with '~' (a KB-JWT is present)")
	}
	return verifyIssuer(s, issuerKey)
}

func verifyIssuer(s *SDJWT, key ed25519.PublicKey) (*Verified, error) {
	if len(key) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("sd-jwt: issuer key: %d bytes, want %d", len(key), ed25519.PublicKeySize)
	}
	jws, err := jose.ParseSignedCompact(s.JWT, algs)
	if err != nil {
		return nil, fmt.Errorf("sd-jwt: issuer JWT: %w", err)
	}
	h := jws.Signatures[0].Protected
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != TypSDJWT {
		return nil, fmt.Errorf("sd-jwt: typ %q, want %q", typ, TypSDJWT)
	}
	if want := hex.EncodeToString(key); h.KeyID != want {
		return nil, fmt.Errorf("sd-jwt: kid %q, want the issuer key %s", h.KeyID, want)
	}
	body, err := jws.Verify(key)
	if err != nil {
		return nil, fmt.Errorf("sd-jwt: issuer signature does not verify with key %s", hex.EncodeToString(key))
	}
	p, all, err := decodePayload(body)
	if err != nil {
		return nil, err
	}
	if p.SDAlg != AlgSHA {
		return nil, fmt.Errorf("sd-jwt: _sd_alg %q, want %q", p.SDAlg, AlgSHA)
	}
	holder, err := p.HolderKey()
	if err != nil {
		return nil, fmt.Errorf("sd-jwt: %w", err)
	}
	sd := make(map[string]bool, len(p.SD))
	for _, d := range p.SD {
		if sd[d] {
			return nil, fmt.Errorf("sd-jwt: _sd lists digest %s twice", d)
		}
		sd[d] = true
	}
	v := &Verified{
		JWT: s.JWT, KID: h.KeyID, Payload: *p, Holder: holder,
		Visible:   make(map[string]json.RawMessage, len(all)),
		Disclosed: make(map[string]json.RawMessage, len(s.Disclosures)),
	}
	for k, raw := range all {
		if k != "_sd" && k != "_sd_alg" {
			v.Visible[k] = raw
		}
	}
	seen := make(map[string]bool, len(s.Disclosures))
	for i, d := range s.Disclosures {
		if seen[d.Digest] {
			return nil, fmt.Errorf("sd-jwt: disclosure %d (%q) given twice", i, d.Name)
		}
		seen[d.Digest] = true
		if !sd[d.Digest] {
			return nil, fmt.Errorf("sd-jwt: disclosure %d (%q): digest %s not in _sd", i, d.Name, d.Digest)
		}
		if _, ok := all[d.Name]; ok {
			return nil, fmt.Errorf("sd-jwt: disclosure %d: claim %q is already visible", i, d.Name)
		}
		if _, ok := v.Disclosed[d.Name]; ok {
			return nil, fmt.Errorf("sd-jwt: disclosure %d: claim %q disclosed twice", i, d.Name)
		}
		v.Disclosed[d.Name] = d.Value
	}
	return v, nil
}

func verifyKB(s *SDJWT, v *Verified, o Options) error {
	jws, err := jose.ParseSignedCompact(s.KB, algs)
	if err != nil {
		return fmt.Errorf("kb-jwt: %w", err)
	}
	h := jws.Signatures[0].Protected
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != TypKB {
		return fmt.Errorf("kb-jwt: typ %q, want %q", typ, TypKB)
	}
	body, err := jws.Verify(v.Holder)
	if err != nil {
		return fmt.Errorf("kb-jwt: signature does not verify with the cnf key %s", hex.EncodeToString(v.Holder))
	}
	var kb KBPayload
	if err := json.Unmarshal(body, &kb); err != nil {
		return fmt.Errorf("kb-jwt: payload: %w", err)
	}
	prefix := s.Raw[:len(s.Raw)-len(s.KB)]
	if want := DigestOf(prefix); kb.SDHash != want {
		return fmt.Errorf("kb-jwt: sd_hash %q, want %q (the presented disclosures differ from the signed ones)", kb.SDHash, want)
	}
	if kb.Aud != o.Aud {
		return fmt.Errorf("kb-jwt: aud %q, want %q", kb.Aud, o.Aud)
	}
	if kb.Nonce != o.Nonce {
		return fmt.Errorf("kb-jwt: nonce %q, want %q", kb.Nonce, o.Nonce)
	}
	maxAge, skew := o.MaxAge, o.Skew
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	if skew <= 0 {
		skew = DefaultSkew
	}
	if kb.Iat <= 0 {
		return fmt.Errorf("kb-jwt: iat %d: want unix seconds", kb.Iat)
	}
	now := o.Now.Unix()
	if age := now - kb.Iat; age > int64(maxAge/time.Second) {
		return fmt.Errorf("kb-jwt: iat %d is %d s before now %d, at most %d s", kb.Iat, age, now, int64(maxAge/time.Second))
	}
	if ahead := kb.Iat - now; ahead > int64(skew/time.Second) {
		return fmt.Errorf("kb-jwt: iat %d is %d s after now %d, at most %d s", kb.Iat, ahead, now, int64(skew/time.Second))
	}
	v.KB = kb
	return nil
}
