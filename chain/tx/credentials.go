package tx

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Message types of the credentials module: eligibility attestations. The
// chain holds no personal data: schemas (the yes/no claims a credential
// may carry), accreditations (which issuer may issue which schema, when),
// purpose-registered verifiers, status lists (revocation and suspension
// bits) and issuance anchors (Merkle roots of issued credentials). The
// credentials themselves are SD-JWTs in the citizens' wallets.
const (
	TypeCredentialRegisterSchema     = "credentials/register_schema"
	TypeCredentialAccredit           = "credentials/accredit"
	TypeCredentialWithdraw           = "credentials/withdraw"
	TypeCredentialRegisterVerifier   = "credentials/register_verifier"
	TypeCredentialDeregisterVerifier = "credentials/deregister_verifier"
	TypeCredentialCreateList         = "credentials/create_list"
	TypeCredentialSetStatus          = "credentials/set_status"
	TypeCredentialAnchor             = "credentials/anchor"
)

// RoleAccreditor is the trusted-issuer authority: it registers schemas and
// verifiers and accredits issuers. Issuers hold no role: an accreditation
// is their permission.
const RoleAccreditor = "accreditor"

// Status list purposes (W3C Bitstring Status List).
const (
	// StatusRevocation: a bit once set is never cleared.
	StatusRevocation = "revocation"
	// StatusSuspension: bits are set and cleared.
	StatusSuspension = "suspension"
)

// Bounds of the credentials messages.
const (
	MaxCredentialID       = 64  // schema, claim and verifier ids
	MaxCredentialName     = 128 // schema and verifier names
	MaxCredentialText     = 256 // a verifier's purpose
	MaxSchemaClaims       = 32
	MaxVerifierClaims     = 32
	MaxStatusListName     = 32
	MaxStatusIndices      = 1000
	MaxAnchorCount        = MaxMerkleCount
	StatusChunkBits       = 8192
	StatusChunkBytes      = StatusChunkBits / 8
	MinStatusListSize     = 131_072
	MaxStatusListSize     = 16_777_216
	statusListIDSeparator = "/"
)

// validateCredID checks an id of [a-z0-9_] (and '-' when dash) of 1 to
// MaxCredentialID bytes.
func validateCredID(field, s string, dash bool) error {
	want := "a-z, 0-9 and '_'"
	if dash {
		want = "a-z, 0-9, '_' and '-'"
	}
	if len(s) == 0 || len(s) > MaxCredentialID {
		return fmt.Errorf("%s %q: want 1 to %d characters of %s", field, s, MaxCredentialID, want)
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || dash && c == '-') {
			return fmt.Errorf("%s %q: want only %s", field, s, want)
		}
	}
	return nil
}

// ValidateSchemaID checks a schema id: 1 to 64 characters of [a-z0-9_].
func ValidateSchemaID(id string) error { return validateCredID("schema", id, false) }

// ValidateClaim checks a claim name: 1 to 64 characters of [a-z0-9_].
func ValidateClaim(c string) error { return validateCredID("claim", c, false) }

// ValidateVerifierID checks a verifier id: 1 to 64 characters of
// [a-z0-9_-].
func ValidateVerifierID(id string) error { return validateCredID("verifier", id, true) }

// ValidateStatusListName checks a status list's name: 1 to 32 characters
// of [a-z0-9_-].
func ValidateStatusListName(name string) error {
	if len(name) == 0 || len(name) > MaxStatusListName {
		return fmt.Errorf("list name %q: want 1 to %d characters of a-z, 0-9, '_' and '-'", name, MaxStatusListName)
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return fmt.Errorf("list name %q: want only a-z, 0-9, '_' and '-'", name)
		}
	}
	return nil
}

// StatusListID is the id of owner's list name: "<owner address hex>/<name>".
func StatusListID(owner Address, name string) string {
	return owner.String() + statusListIDSeparator + name
}

// ParseStatusListID splits a status list id "<owner address hex>/<name>".
func ParseStatusListID(id string) (Address, string, error) {
	a, name, ok := strings.Cut(id, statusListIDSeparator)
	if !ok {
		return Address{}, "", fmt.Errorf("list %q: want <owner address>/<name>", id)
	}
	owner, err := ParseAddress(a)
	if err != nil {
		return Address{}, "", fmt.Errorf("list %q: %w", id, err)
	}
	if err := ValidateStatusListName(name); err != nil {
		return Address{}, "", fmt.Errorf("list %q: %w", id, err)
	}
	return owner, name, nil
}

// ValidateStatusPurpose checks a status list purpose.
func ValidateStatusPurpose(p string) error {
	if p != StatusRevocation && p != StatusSuspension {
		return fmt.Errorf("purpose %q: want %s or %s", p, StatusRevocation, StatusSuspension)
	}
	return nil
}

// ValidateStatusListSize checks a status list size in bits: a multiple of
// StatusChunkBits from MinStatusListSize to MaxStatusListSize.
func ValidateStatusListSize(size uint32) error {
	if size < MinStatusListSize || size > MaxStatusListSize || size%StatusChunkBits != 0 {
		return fmt.Errorf("size %d: want a multiple of %d from %d to %d", size, StatusChunkBits, MinStatusListSize, MaxStatusListSize)
	}
	return nil
}

// StatusBit locates bit idx of a status list: the chunk that holds it,
// the byte within the chunk and the bit mask in that byte. Bit i is bit
// (7 - i%8) of byte i/8 of the whole bitstring (index 0 is the most
// significant bit of byte 0); chunk c holds bits c·8192 to c·8192+8191.
func StatusBit(idx uint32) (chunk uint32, byteInChunk int, mask byte) {
	return idx / StatusChunkBits, int(idx%StatusChunkBits) / 8, 0x80 >> (idx % 8)
}

// StatusBitSet reports whether bit idx of a list is set in chunk, the
// stored bytes of the chunk holding it (nil or empty: an absent chunk, all
// zero).
func StatusBitSet(chunk []byte, idx uint32) bool {
	_, i, mask := StatusBit(idx)
	return i < len(chunk) && chunk[i]&mask != 0
}

// validateClaims checks a list of 1 to max distinct claim names.
func validateClaims(field string, claims []string, max int) error {
	if len(claims) == 0 || len(claims) > max {
		return fmt.Errorf("%s: %d claims, want 1 to %d", field, len(claims), max)
	}
	var errs []error
	for i, c := range claims {
		if err := ValidateClaim(c); err != nil {
			errs = append(errs, fmt.Errorf("%s[%d]: %w", field, i, err))
		} else if slices.Contains(claims[:i], c) {
			errs = append(errs, fmt.Errorf("%s[%d]: claim %q listed twice", field, i, c))
		}
	}
	return errors.Join(errs...)
}

// MsgCredentialRegisterSchema registers a credential schema: its id (the
// vct of its SD-JWTs) and its yes/no predicate claims (resident_seoul,
// age_over_65, ...). A schema is immutable once registered. Only an
// accreditor may send it.
type MsgCredentialRegisterSchema struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Claims []string `json:"claims"`
}

// Type implements Msg.
func (*MsgCredentialRegisterSchema) Type() string { return TypeCredentialRegisterSchema }

// ValidateBasic implements Msg.
func (m *MsgCredentialRegisterSchema) ValidateBasic() error {
	return errors.Join(ValidateSchemaID(m.ID), validateText("name", m.Name, 1, MaxCredentialName),
		validateClaims("claims", m.Claims, MaxSchemaClaims))
}

// MsgCredentialAccredit accredits Issuer for Schema over the window
// [From, Until): Until zero is open-ended. Windows of one issuer and
// schema may not overlap. Only an accreditor may send it.
type MsgCredentialAccredit struct {
	Issuer Address   `json:"issuer"`
	Schema string    `json:"schema"`
	From   time.Time `json:"from"`
	Until  time.Time `json:"until,omitzero"`
}

// Type implements Msg.
func (*MsgCredentialAccredit) Type() string { return TypeCredentialAccredit }

// ValidateBasic implements Msg.
func (m *MsgCredentialAccredit) ValidateBasic() error {
	var from, until error
	if m.From.IsZero() {
		from = fmt.Errorf("from: want the start of the window, got none")
	}
	if !m.Until.IsZero() && !m.Until.After(m.From) {
		until = fmt.Errorf("until: %s, want after from (%s), or none for an open-ended window",
			m.Until.UTC().Format(time.RFC3339), m.From.UTC().Format(time.RFC3339))
	}
	return errors.Join(requireAddress("issuer", m.Issuer), ValidateSchemaID(m.Schema), from, until)
}

// MsgCredentialWithdraw ends, at the block time, Issuer's accreditation
// window for Schema that contains the block time. The window stays in the
// history; credentials anchored before it remain. Only an accreditor may
// send it.
type MsgCredentialWithdraw struct {
	Issuer Address `json:"issuer"`
	Schema string  `json:"schema"`
}

// Type implements Msg.
func (*MsgCredentialWithdraw) Type() string { return TypeCredentialWithdraw }

// ValidateBasic implements Msg.
func (m *MsgCredentialWithdraw) ValidateBasic() error {
	return errors.Join(requireAddress("issuer", m.Issuer), ValidateSchemaID(m.Schema))
}

// MsgCredentialRegisterVerifier registers a verifier (a relying party)
// with its key, its purpose and the claims it may ask for, each a claim of
// a registered schema. Ids are never reused. Only an accreditor may send
// it.
type MsgCredentialRegisterVerifier struct {
	ID      string   `json:"id"`
	Key     PubKey   `json:"key"`
	Name    string   `json:"name"`
	Purpose string   `json:"purpose"`
	Claims  []string `json:"claims"`
}

// Type implements Msg.
func (*MsgCredentialRegisterVerifier) Type() string { return TypeCredentialRegisterVerifier }

// ValidateBasic implements Msg.
func (m *MsgCredentialRegisterVerifier) ValidateBasic() error {
	var key error
	if len(m.Key) != 32 {
		key = fmt.Errorf("key: %d bytes, want a 32-byte ed25519 public key", len(m.Key))
	}
	return errors.Join(ValidateVerifierID(m.ID), key, validateText("name", m.Name, 1, MaxCredentialName),
		validateText("purpose", m.Purpose, 1, MaxCredentialText), validateClaims("claims", m.Claims, MaxVerifierClaims))
}

// MsgCredentialDeregisterVerifier deregisters a verifier for good (its
// record stays, marked deregistered). Only an accreditor may send it.
type MsgCredentialDeregisterVerifier struct {
	ID string `json:"id"`
}

// Type implements Msg.
func (*MsgCredentialDeregisterVerifier) Type() string { return TypeCredentialDeregisterVerifier }

// ValidateBasic implements Msg.
func (m *MsgCredentialDeregisterVerifier) ValidateBasic() error { return ValidateVerifierID(m.ID) }

// MsgCredentialCreateList creates the signer's status list Name, of Size
// bits, all clear. An account accredited (for any schema) at the block
// time or a registration_office may send it; the signer owns the list.
type MsgCredentialCreateList struct {
	Name    string `json:"name"`
	Purpose string `json:"purpose"`
	Size    uint32 `json:"size"`
}

// Type implements Msg.
func (*MsgCredentialCreateList) Type() string { return TypeCredentialCreateList }

// ValidateBasic implements Msg.
func (m *MsgCredentialCreateList) ValidateBasic() error {
	return errors.Join(ValidateStatusListName(m.Name), ValidateStatusPurpose(m.Purpose), ValidateStatusListSize(m.Size))
}

// MsgCredentialSetStatus sets (Value true) or clears the bits at Indices
// of a status list. Only the list's owner may send it; a revocation list's
// bits are never cleared.
type MsgCredentialSetStatus struct {
	List    string   `json:"list"`
	Indices []uint32 `json:"indices"`
	Value   bool     `json:"value"`
}

// Type implements Msg.
func (*MsgCredentialSetStatus) Type() string { return TypeCredentialSetStatus }

// ValidateBasic implements Msg.
func (m *MsgCredentialSetStatus) ValidateBasic() error {
	_, _, list := ParseStatusListID(m.List)
	var idx error
	switch n := len(m.Indices); {
	case n == 0 || n > MaxStatusIndices:
		idx = fmt.Errorf("indices: %d, want 1 to %d", n, MaxStatusIndices)
	case n > 1:
		sorted := slices.Clone(m.Indices)
		slices.Sort(sorted)
		for i := 1; i < n; i++ {
			if sorted[i] == sorted[i-1] {
				idx = fmt.Errorf("indices: %d listed twice", sorted[i])
				break
			}
		}
	}
	if idx == nil {
		for i, v := range m.Indices {
			if v >= MaxStatusListSize {
				idx = fmt.Errorf("indices[%d]: %d, want below %d (the largest list size)", i, v, MaxStatusListSize)
				break
			}
		}
	}
	return errors.Join(list, idx)
}

// MsgCredentialAnchor anchors a batch of issued credentials of Schema:
// the RFC 6962 Merkle root (MerkleRoot) over the SHA-256 digests of their
// issuer-signed JWTs, and how many there are. The signer must be
// accredited for Schema at the block time; the anchor keeps that fact for
// good (a later withdrawal does not touch it).
type MsgCredentialAnchor struct {
	Schema string `json:"schema"`
	Root   Hash32 `json:"root"`
	Count  uint32 `json:"count"`
}

// Type implements Msg.
func (*MsgCredentialAnchor) Type() string { return TypeCredentialAnchor }

// ValidateBasic implements Msg.
func (m *MsgCredentialAnchor) ValidateBasic() error {
	var root, count error
	if m.Root.IsZero() {
		root = fmt.Errorf("root: want the Merkle root of the batch, got none")
	}
	if m.Count == 0 || m.Count > MaxAnchorCount {
		count = fmt.Errorf("count: %d, want 1 to %d", m.Count, MaxAnchorCount)
	}
	return errors.Join(ValidateSchemaID(m.Schema), root, count)
}

// CredentialMsgs is the credentials module's part of the transaction
// contract.
var CredentialMsgs = ModuleMsgs{
	Module: "credentials",
	Roles:  []string{RoleAccreditor},
	Msgs: []MsgDef{
		{TypeCredentialRegisterSchema, func() Msg { return &MsgCredentialRegisterSchema{} }, RoleAccreditor},
		{TypeCredentialAccredit, func() Msg { return &MsgCredentialAccredit{} }, RoleAccreditor},
		{TypeCredentialWithdraw, func() Msg { return &MsgCredentialWithdraw{} }, RoleAccreditor},
		{TypeCredentialRegisterVerifier, func() Msg { return &MsgCredentialRegisterVerifier{} }, RoleAccreditor},
		{TypeCredentialDeregisterVerifier, func() Msg { return &MsgCredentialDeregisterVerifier{} }, RoleAccreditor},
		{TypeCredentialCreateList, func() Msg { return &MsgCredentialCreateList{} }, "an accredited issuer or a " + RoleRegistrationOffice},
		{TypeCredentialSetStatus, func() Msg { return &MsgCredentialSetStatus{} }, "the list's owner"},
		{TypeCredentialAnchor, func() Msg { return &MsgCredentialAnchor{} }, "an issuer accredited for the schema"},
	},
}

// CodespaceCredential is the codespace of the credentials module's result
// codes.
const CodespaceCredential = "credentials"

// Result codes of the credentials module (see Code). Frozen: a released
// code never changes meaning.
var (
	CodeCredentialNotAccreditor        = Code{CodespaceCredential, 2}  // signer lacks the accreditor role
	CodeCredentialInvalidGenesis       = Code{CodespaceCredential, 3}  // invalid credentials genesis
	CodeCredentialSchemaExists         = Code{CodespaceCredential, 4}  // schema already registered
	CodeCredentialUnknownSchema        = Code{CodespaceCredential, 5}  // unknown schema
	CodeCredentialWindowOverlap        = Code{CodespaceCredential, 6}  // accreditation window overlaps another of the issuer and schema
	CodeCredentialTooManyWindows       = Code{CodespaceCredential, 7}  // issuer and schema have the maximum number of windows
	CodeCredentialNotAccredited        = Code{CodespaceCredential, 8}  // signer is not accredited for the schema at the block time
	CodeCredentialNoOpenWindow         = Code{CodespaceCredential, 9}  // no accreditation window of the issuer and schema contains the block time
	CodeCredentialVerifierExists       = Code{CodespaceCredential, 10} // verifier id already registered
	CodeCredentialUnknownVerifier      = Code{CodespaceCredential, 11} // unknown verifier
	CodeCredentialVerifierDeregistered = Code{CodespaceCredential, 12} // verifier is deregistered
	CodeCredentialUnknownClaim         = Code{CodespaceCredential, 13} // claim of no registered schema
	CodeCredentialNotListCreator       = Code{CodespaceCredential, 14} // signer is neither accredited at the block time nor a registration_office
	CodeCredentialListExists           = Code{CodespaceCredential, 15} // status list already exists
	CodeCredentialUnknownList          = Code{CodespaceCredential, 16} // unknown status list
	CodeCredentialNotListOwner         = Code{CodespaceCredential, 17} // signer does not own the status list
	CodeCredentialIndexRange           = Code{CodespaceCredential, 18} // index is not below the list's size
	CodeCredentialRevocationFinal      = Code{CodespaceCredential, 19} // a revocation list's bits are never cleared
	CodeCredentialNotSuspension        = Code{CodespaceCredential, 20} // status list is not a suspension list
)

// ---- query requests and answers (declared here, with the contract) ----

// Schema is a registered credential schema (/credentials/schema).
type Schema struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Claims []string  `json:"claims"`
	By     Address   `json:"by"`
	Height int64     `json:"height"`
	Time   time.Time `json:"time"`
}

// AccreditationWindow is one window [From, Until) in which an issuer may
// anchor credentials of a schema; Until zero is open-ended. A withdrawal
// sets Until to its block time and records WithdrawnHeight.
type AccreditationWindow struct {
	From            time.Time `json:"from"`
	Until           time.Time `json:"until,omitzero"`
	By              Address   `json:"by"`
	Height          int64     `json:"height"`
	WithdrawnHeight int64     `json:"withdrawn_height,omitempty"`
}

// Contains reports whether t is inside the window: From <= t < Until.
func (w AccreditationWindow) Contains(t time.Time) bool {
	return !t.Before(w.From) && (w.Until.IsZero() || t.Before(w.Until))
}

// Overlaps reports whether the window shares an instant with o.
func (w AccreditationWindow) Overlaps(o AccreditationWindow) bool {
	before := func(a, b time.Time) bool { return b.IsZero() || a.Before(b) } // a < b, zero b = +inf
	return before(w.From, o.Until) && before(o.From, w.Until)
}

// Accreditation is an issuer's history for one schema: its windows in
// start order (/credentials/accreditation).
type Accreditation struct {
	Issuer  Address               `json:"issuer"`
	Schema  string                `json:"schema"`
	Windows []AccreditationWindow `json:"windows"`
}

// ActiveAt returns the window containing t, or nil.
func (a Accreditation) ActiveAt(t time.Time) *AccreditationWindow {
	for i := range a.Windows {
		if a.Windows[i].Contains(t) {
			return &a.Windows[i]
		}
	}
	return nil
}

// CoversAnchor reports whether the history accredited the issuer for an
// anchor recorded at height and block time t: a window contains t, or a
// window was withdrawn in that very block (Until is t and WithdrawnHeight
// is height). In that case the chain accepted the anchor, so it ran before
// the withdrawal in the block (an anchor after it is refused), and a later
// withdrawal leaves what was issued valid.
func (a Accreditation) CoversAnchor(height int64, t time.Time) bool {
	for _, w := range a.Windows {
		if w.Contains(t) || (w.WithdrawnHeight == height && w.Until.Equal(t) && !t.Before(w.From)) {
			return true
		}
	}
	return false
}

// AccreditationRequest names one accreditation (/credentials/accreditation).
type AccreditationRequest struct {
	Issuer Address `json:"issuer"`
	Schema string  `json:"schema"`
}

// AccreditationsRequest pages through the accreditations, all or one
// issuer's, in (issuer, schema) order (/credentials/accreditations);
// After is opaque hex.
type AccreditationsRequest struct {
	Issuer *Address `json:"issuer,omitempty"`
	PageRequest
}

// Verifier statuses.
const (
	VerifierActive       = "active"
	VerifierDeregistered = "deregistered"
)

// Verifier is a registered relying party (/credentials/verifier).
type Verifier struct {
	ID                 string    `json:"id"`
	Key                PubKey    `json:"key"`
	Name               string    `json:"name"`
	Purpose            string    `json:"purpose"`
	Claims             []string  `json:"claims"`
	Status             string    `json:"status"`
	By                 Address   `json:"by"`
	Height             int64     `json:"height"`
	Time               time.Time `json:"time"`
	DeregisteredHeight int64     `json:"deregistered_height,omitempty"`
}

// StatusList is a status list's metadata (/credentials/list). Its bits
// are stored in chunks of StatusChunkBytes (/credentials/status_chunk);
// Set counts the bits set.
type StatusList struct {
	ID      string    `json:"id"`
	Owner   Address   `json:"owner"`
	Name    string    `json:"name"`
	Purpose string    `json:"purpose"`
	Size    uint32    `json:"size"`
	Set     uint64    `json:"set"`
	Height  int64     `json:"height"`
	Time    time.Time `json:"time"`
}

// ChunkCount is the number of chunks of the list.
func (l *StatusList) ChunkCount() uint32 { return l.Size / StatusChunkBits }

// StatusRequest asks for one bit of a list (/credentials/status).
type StatusRequest struct {
	List string `json:"list"`
	Idx  uint32 `json:"idx"`
}

// Status is one bit of a list: set or clear, and the chunk that holds it
// (whose proof proves the bit: /credentials/status_chunk).
type Status struct {
	List  string `json:"list"`
	Idx   uint32 `json:"idx"`
	Set   bool   `json:"set"`
	Chunk uint32 `json:"chunk"`
}

// StatusChunkRequest asks for one chunk of a list, the raw
// StatusChunkBytes bytes as stored (/credentials/status_chunk).
type StatusChunkRequest struct {
	List  string `json:"list"`
	Chunk uint32 `json:"chunk"`
}

// StatusListsRequest pages through the status lists, all or one owner's,
// in (owner, name) order (/credentials/lists); After is opaque hex.
type StatusListsRequest struct {
	Owner *Address `json:"owner,omitempty"`
	PageRequest
}

// SchemaPage is a page of schemas in id order; Next, when set, is the
// After of the next page.
type SchemaPage struct {
	Schemas []Schema `json:"schemas"`
	Next    string   `json:"next,omitempty"`
}

// AccreditationPage is a page of accreditations.
type AccreditationPage struct {
	Accreditations []Accreditation `json:"accreditations"`
	Next           string          `json:"next,omitempty"`
}

// VerifierPage is a page of verifiers in id order.
type VerifierPage struct {
	Verifiers []Verifier `json:"verifiers"`
	Next      string     `json:"next,omitempty"`
}

// StatusListPage is a page of status lists' metadata.
type StatusListPage struct {
	Lists []StatusList `json:"lists"`
	Next  string       `json:"next,omitempty"`
}

// CredentialAnchorPage is a page of anchors in id order; Next is an id
// (decimal).
type CredentialAnchorPage struct {
	Anchors []CredentialAnchor `json:"anchors"`
	Next    string             `json:"next,omitempty"`
}

// CredentialAnchor is an anchored batch of credentials
// (/credentials/anchor): the issuer was accredited for the schema at the
// anchor's block time.
type CredentialAnchor struct {
	ID     uint64    `json:"id"`
	Issuer Address   `json:"issuer"`
	Schema string    `json:"schema"`
	Root   Hash32    `json:"root"`
	Count  uint32    `json:"count"`
	Height int64     `json:"height"`
	Time   time.Time `json:"time"`
}

// CredentialStats are the credentials module's counts
// (/credentials/stats).
type CredentialStats struct {
	Schemas        uint64 `json:"schemas"`
	Accreditations uint64 `json:"accreditations"` // (issuer, schema) pairs
	Verifiers      uint64 `json:"verifiers"`      // registered, deregistered included
	Deregistered   uint64 `json:"deregistered"`
	Lists          uint64 `json:"lists"`
	StatusSet      uint64 `json:"status_set"` // bits set over all lists
	Anchors        uint64 `json:"anchors"`
	Anchored       uint64 `json:"anchored"` // credentials over all anchors
}
