package tx

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// Message types of the certificates module: civil certificates (전자증명서)
// of registered kinds, issued off chain by each kind's agency as SD-JWTs and
// anchored on chain as Merkle roots, with the agencies' key history and
// per-certificate revocation.
const (
	TypeCertificateRegisterKind    = "certificates/register_kind"
	TypeCertificateAddKey          = "certificates/add_key"
	TypeCertificateRetireKey       = "certificates/retire_key"
	TypeCertificateRevokeKey       = "certificates/revoke_key"
	TypeCertificateSetAgencyStatus = "certificates/set_agency_status"
	TypeCertificateIssue           = "certificates/issue"
	TypeCertificateRevoke          = "certificates/revoke"
)

// RoleCertificateRegistrar registers certificate kinds and sets agencies'
// status (granted by an authority with auth/grant_role).
const RoleCertificateRegistrar = "certificate_registrar"

// Agency statuses. A suspended agency issues nothing and its certificates
// read issuer_suspended until it is active again; revoked is final and
// makes every certificate it issued revoked.
const (
	AgencyActive    = "active"
	AgencySuspended = "suspended"
	AgencyRevoked   = "revoked"
)

// Bounds of the certificates messages.
const (
	MaxCertificateKindID     = 64
	MaxCertificateKindName   = 128
	MaxCertificateFields     = 64
	MaxCertificateFieldName  = 64
	MaxCertificateValidity   = 36_500 // days: 100 years
	MaxCertificatesPerAnchor = MaxMerkleCount
	MaxCertificateReason     = 256
	// MaxCertificatePath is the longest Merkle path of an anchor of
	// MaxCertificatesPerAnchor leaves (ceil(log2(100,000)) = 17).
	MaxCertificatePath = 17
)

// ValidateCertificateKindID checks a kind id: 1 to 64 characters of
// [a-z0-9_].
func ValidateCertificateKindID(id string) error {
	return validateCertName("kind", id, MaxCertificateKindID)
}

func validateCertName(field, s string, max int) error {
	if len(s) == 0 || len(s) > max {
		return fmt.Errorf("%s %q: want 1 to %d characters of a-z, 0-9 and '_'", field, s, max)
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return fmt.Errorf("%s %q: want only a-z, 0-9 and '_'", field, s)
		}
	}
	return nil
}

// ValidateAgencyStatus checks an agency status.
func ValidateAgencyStatus(s string) error {
	switch s {
	case AgencyActive, AgencySuspended, AgencyRevoked:
		return nil
	}
	return fmt.Errorf("status %q: want %s, %s or %s", s, AgencyActive, AgencySuspended, AgencyRevoked)
}

// ValidateCertificateFields checks a kind's disclosable fields: 1 to 64
// names of [a-z0-9_]{1,64}, no duplicates.
func ValidateCertificateFields(fields []string) error {
	if len(fields) == 0 || len(fields) > MaxCertificateFields {
		return fmt.Errorf("fields: %d names, want 1 to %d", len(fields), MaxCertificateFields)
	}
	seen := make(map[string]bool, len(fields)) // lookups only
	for i, f := range fields {
		if err := validateCertName(fmt.Sprintf("fields[%d]", i), f, MaxCertificateFieldName); err != nil {
			return err
		}
		if seen[f] {
			return fmt.Errorf("fields[%d] %q: listed twice", i, f)
		}
		seen[f] = true
	}
	return nil
}

// MsgCertificateRegisterKind registers a certificate kind: its name, the
// agency that issues it, how long its certificates are valid and the field
// names a holder may disclose. A kind is immutable once registered (a new
// policy is a new kind id). Only a certificate_registrar may send it; the
// agency's record is created with the first kind naming it, active.
type MsgCertificateRegisterKind struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Agency Address `json:"agency"`
	// ValidityDays is how long a certificate of the kind is valid from its
	// anchoring, in days of 24 hours; 0: no expiry.
	ValidityDays uint32   `json:"validity_days"`
	Fields       []string `json:"fields"`
}

// Type implements Msg.
func (*MsgCertificateRegisterKind) Type() string { return TypeCertificateRegisterKind }

// ValidateBasic implements Msg.
func (m *MsgCertificateRegisterKind) ValidateBasic() error {
	var validity error
	if m.ValidityDays > MaxCertificateValidity {
		validity = fmt.Errorf("validity_days: %d, want 0 (no expiry) to %d", m.ValidityDays, MaxCertificateValidity)
	}
	return errors.Join(ValidateCertificateKindID(m.ID), validateText("name", m.Name, 1, MaxCertificateKindName),
		requireAddress("agency", m.Agency), validity, ValidateCertificateFields(m.Fields))
}

// MsgCertificateAddKey records a new issuing key of the signer, which must
// be the agency of at least one kind. The key signs certificates from this
// block on; a key is registered once, by one agency.
type MsgCertificateAddKey struct {
	Key PubKey `json:"key"`
}

// Type implements Msg.
func (*MsgCertificateAddKey) Type() string { return TypeCertificateAddKey }

// ValidateBasic implements Msg.
func (m *MsgCertificateAddKey) ValidateBasic() error { return ValidatePubKey("key", m.Key) }

// MsgCertificateRetireKey ends a key's issuance from this block: no anchor
// names it any more, and what it issued stays valid. Only its agency may
// send it.
type MsgCertificateRetireKey struct {
	Key PubKey `json:"key"`
}

// Type implements Msg.
func (*MsgCertificateRetireKey) Type() string { return TypeCertificateRetireKey }

// ValidateBasic implements Msg.
func (m *MsgCertificateRetireKey) ValidateBasic() error { return ValidatePubKey("key", m.Key) }

// MsgCertificateRevokeKey declares a key compromised from
// CompromisedHeight: certificates anchored with it at that height or later
// are revoked, earlier ones stay valid. The key's agency or a
// certificate_registrar may send it, with from_height <= compromised_height
// <= the current height; a key already revoked may be revoked again only
// with an earlier compromised_height.
type MsgCertificateRevokeKey struct {
	Key               PubKey `json:"key"`
	CompromisedHeight int64  `json:"compromised_height"`
}

// Type implements Msg.
func (*MsgCertificateRevokeKey) Type() string { return TypeCertificateRevokeKey }

// ValidateBasic implements Msg.
func (m *MsgCertificateRevokeKey) ValidateBasic() error {
	var h error
	if m.CompromisedHeight < 1 {
		h = fmt.Errorf("compromised_height: %d, want a block height (1 or more)", m.CompromisedHeight)
	}
	return errors.Join(ValidatePubKey("key", m.Key), h)
}

// MsgCertificateSetAgencyStatus sets an agency's status (active,
// suspended or revoked) with the reason. Only a certificate_registrar may
// send it; a revoked agency's status never changes again.
type MsgCertificateSetAgencyStatus struct {
	Agency Address `json:"agency"`
	Status string  `json:"status"`
	Reason string  `json:"reason"`
}

// Type implements Msg.
func (*MsgCertificateSetAgencyStatus) Type() string { return TypeCertificateSetAgencyStatus }

// ValidateBasic implements Msg.
func (m *MsgCertificateSetAgencyStatus) ValidateBasic() error {
	return errors.Join(requireAddress("agency", m.Agency), ValidateAgencyStatus(m.Status),
		validateText("reason", m.Reason, 1, MaxCertificateReason))
}

// MsgCertificateIssue anchors a batch of Count certificates of Kind: the
// Merkle root (RFC 6962, see MerkleRoot) of their leaves, each the SHA-256
// of one issuer-signed JWT signed with Key. The transaction carries the
// root only, so its cost does not depend on Count. Only the kind's agency
// may send it, while active, with a key of its own that is neither retired
// nor revoked.
type MsgCertificateIssue struct {
	Kind  string `json:"kind"`
	Key   PubKey `json:"key"`
	Root  Hash32 `json:"root"`
	Count uint32 `json:"count"`
}

// Type implements Msg.
func (*MsgCertificateIssue) Type() string { return TypeCertificateIssue }

// ValidateBasic implements Msg.
func (m *MsgCertificateIssue) ValidateBasic() error {
	var count, root error
	if m.Count == 0 || m.Count > MaxCertificatesPerAnchor {
		count = fmt.Errorf("count: %d, want 1 to %d certificates", m.Count, MaxCertificatesPerAnchor)
	}
	if m.Root == (Hash32{}) {
		root = errors.New("root: all zero, want the Merkle root of the certificates' leaves")
	}
	return errors.Join(ValidateCertificateKindID(m.Kind), ValidatePubKey("key", m.Key), root, count)
}

// MsgCertificateRevoke revokes one certificate: Leaf (the SHA-256 of its
// issuer-signed JWT) at Index of anchor Anchor, proven by Path against the
// anchor's root. The anchor's agency or a certificate_registrar may send
// it; a leaf is revoked once.
type MsgCertificateRevoke struct {
	Anchor uint64   `json:"anchor"`
	Index  uint64   `json:"index"`
	Leaf   Hash32   `json:"leaf"`
	Path   []Hash32 `json:"path"`
	Reason string   `json:"reason"`
}

// Type implements Msg.
func (*MsgCertificateRevoke) Type() string { return TypeCertificateRevoke }

// ValidateBasic implements Msg.
func (m *MsgCertificateRevoke) ValidateBasic() error {
	var errs []error
	if m.Anchor == 0 {
		errs = append(errs, errors.New("anchor: 0, want an anchor id (1 or more)"))
	}
	if m.Index >= MaxCertificatesPerAnchor {
		errs = append(errs, fmt.Errorf("index: %d, want below %d", m.Index, MaxCertificatesPerAnchor))
	}
	if len(m.Path) > MaxCertificatePath {
		errs = append(errs, fmt.Errorf("path: %d hashes, want at most %d", len(m.Path), MaxCertificatePath))
	}
	errs = append(errs, validateText("reason", m.Reason, 1, MaxCertificateReason))
	return errors.Join(errs...)
}

// ---- records (query answers) ----

// CertificateKind is a registered certificate kind (/certificates/kind).
type CertificateKind struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Agency       Address  `json:"agency"`
	ValidityDays uint32   `json:"validity_days"`
	Fields       []string `json:"fields"`
	// Height and Time are those of the block that registered it (0 and
	// the zero time for a kind given at genesis).
	Height int64     `json:"height"`
	Time   time.Time `json:"time,omitzero"`
}

// Agency is an issuing agency (/certificates/agency): its status and the
// kinds and keys it holds, each list sorted (kinds by id, keys by their
// bytes). Its record is created with the first kind naming it.
type Agency struct {
	Address Address `json:"address"`
	Status  string  `json:"status"`
	Reason  string  `json:"reason,omitempty"`
	// StatusHeight and StatusTime are when the status was last set (the
	// agency's creation for one never changed).
	StatusHeight int64     `json:"status_height"`
	StatusTime   time.Time `json:"status_time,omitzero"`
	Kinds        []string  `json:"kinds"`
	Keys         []PubKey  `json:"keys"`
}

// AgencyKey is one issuing key of an agency (/certificates/key): valid for
// issuance from FromHeight until it is retired or revoked. A revoked key's
// CompromisedHeight splits its certificates: those anchored before it stay
// valid, those anchored at or after it are revoked.
type AgencyKey struct {
	Key               PubKey    `json:"key"`
	Agency            Address   `json:"agency"`
	FromHeight        int64     `json:"from_height"`
	FromTime          time.Time `json:"from_time,omitzero"`
	RetiredHeight     int64     `json:"retired_height,omitempty"`
	RetiredTime       time.Time `json:"retired_time,omitzero"`
	CompromisedHeight int64     `json:"compromised_height,omitempty"`
	RevokedHeight     int64     `json:"revoked_height,omitempty"`
	RevokedTime       time.Time `json:"revoked_time,omitzero"`
	RevokedBy         Address   `json:"revoked_by,omitzero"`
}

// Retired reports whether the key issues no more (retired or revoked).
func (k AgencyKey) Retired() bool { return k.RetiredHeight != 0 || k.RevokedHeight != 0 }

// CertificateAnchor is one issuance batch (/certificates/anchor): the
// Merkle root of Count certificates of Kind signed with Key by Agency,
// anchored at Height and Time. Expires is Time + the kind's validity_days
// at issuance (zero: no expiry); it never changes afterwards.
type CertificateAnchor struct {
	ID      uint64    `json:"id"`
	Kind    string    `json:"kind"`
	Agency  Address   `json:"agency"`
	Key     PubKey    `json:"key"`
	Root    Hash32    `json:"root"`
	Count   uint32    `json:"count"`
	Height  int64     `json:"height"`
	Time    time.Time `json:"time"`
	Expires time.Time `json:"expires,omitzero"`
}

// Revocation is the revocation of one certificate, stored under its leaf
// (/certificates/revocation, provable present or absent). It is never
// removed.
type Revocation struct {
	Leaf   Hash32    `json:"leaf"`
	Anchor uint64    `json:"anchor"`
	Index  uint64    `json:"index"`
	Height int64     `json:"height"`
	Time   time.Time `json:"time"`
	Reason string    `json:"reason"`
	By     Address   `json:"by"`
}

// CertificateParams are the certificates module's parameters
// (/certificates/params).
type CertificateParams struct {
	// MaxKeysPerAgency bounds the keys an agency ever adds (retired and
	// revoked ones count: they stay in its record).
	MaxKeysPerAgency uint32 `json:"max_keys_per_agency"`
	// MaxKindsPerAgency bounds the kinds naming one agency.
	MaxKindsPerAgency uint32 `json:"max_kinds_per_agency"`
}

// CertificateStats are the certificates module's counts
// (/certificates/stats).
type CertificateStats struct {
	Kinds    uint64 `json:"kinds"`
	Agencies uint64 `json:"agencies"`
	Keys     uint64 `json:"keys"`
	Anchors  uint64 `json:"anchors"`
	// Certificates is the sum of the anchors' counts.
	Certificates uint64 `json:"certificates"`
	Revocations  uint64 `json:"revocations"`
	// NextAnchor is the id the next anchor gets.
	NextAnchor uint64 `json:"next_anchor"`
}

// CertificateAnchorsRequest pages through the anchors in id order
// (/certificates/anchors), all of them or those of Kind; After is an
// anchor id (decimal).
type CertificateAnchorsRequest struct {
	Kind string `json:"kind,omitempty"`
	PageRequest
}

// CertificateKindPage is one page of kinds in id order; Next, when set,
// is the After of the next page.
type CertificateKindPage struct {
	Kinds []CertificateKind `json:"kinds"`
	Next  string            `json:"next,omitempty"`
}

// CertificateAnchorPage is one page of anchors in id order; Next, when
// set, is the After of the next page.
type CertificateAnchorPage struct {
	Anchors []CertificateAnchor `json:"anchors"`
	Next    string              `json:"next,omitempty"`
}

// ---- verdict ----

// Certificate verdicts (CertificateVerdict).
const (
	VerdictValid           = "valid"
	VerdictExpired         = "expired"
	VerdictRevoked         = "revoked"
	VerdictIssuerSuspended = "issuer_suspended"
	// VerdictInvalid: the records do not belong together (the key is not
	// the anchor's, or could not have issued it): no verdict on the
	// certificate can be drawn from them.
	VerdictInvalid = "invalid"
)

// CertificateVerdict decides a certificate's status from the chain's
// records: its anchor a (which the caller proved the certificate's leaf is
// in, and whose key signed its JWT), the anchor's key and agency, its own
// revocation entry (nil when proven absent) and the time now. In order:
//
//   - invalid when key or agency is not the anchor's, or the key could not
//     have issued at the anchor's height (added after it, or retired in an
//     earlier block: an anchor earlier in the retiring block stands);
//   - revoked when it has its own revocation entry;
//   - revoked when its issuer is revoked, without any entry of its own (the
//     cert-verifier-js #308 case): the key was declared compromised at or
//     before the anchor height, or the agency is revoked;
//   - expired when the anchor has an expiry and now is at or past it
//     (expired is not revoked: the certificate was valid for its term);
//   - issuer_suspended when the agency is suspended (temporary: it reads
//     valid again if the agency is reinstated);
//   - valid otherwise.
//
// reason says why, naming the heights and times involved.
func CertificateVerdict(a CertificateAnchor, key AgencyKey, agency Agency, rev *Revocation, now time.Time) (verdict string, reason string) {
	switch {
	case !bytes.Equal(key.Key, a.Key):
		return VerdictInvalid, fmt.Sprintf("key %s is not anchor %d's key %s", key.Key, a.ID, a.Key)
	case key.Agency != a.Agency:
		return VerdictInvalid, fmt.Sprintf("key %s belongs to agency %s, anchor %d to %s", key.Key, key.Agency, a.ID, a.Agency)
	case agency.Address != a.Agency:
		return VerdictInvalid, fmt.Sprintf("agency record %s is not anchor %d's agency %s", agency.Address, a.ID, a.Agency)
	case a.Height < key.FromHeight:
		return VerdictInvalid, fmt.Sprintf("anchor %d at height %d is before key %s was added at height %d", a.ID, a.Height, key.Key, key.FromHeight)
	case key.RetiredHeight != 0 && a.Height > key.RetiredHeight:
		return VerdictInvalid, fmt.Sprintf("anchor %d at height %d is after key %s was retired at height %d", a.ID, a.Height, key.Key, key.RetiredHeight)
	case rev != nil:
		return VerdictRevoked, fmt.Sprintf("revoked at height %d (%s): %s", rev.Height, rev.Time.UTC().Format(time.RFC3339), rev.Reason)
	case key.CompromisedHeight != 0 && a.Height >= key.CompromisedHeight:
		return VerdictRevoked, fmt.Sprintf("key %s was compromised from height %d; anchor %d is at height %d", key.Key, key.CompromisedHeight, a.ID, a.Height)
	case agency.Status == AgencyRevoked:
		return VerdictRevoked, fmt.Sprintf("agency %s is revoked since height %d: %s", agency.Address, agency.StatusHeight, agency.Reason)
	case !a.Expires.IsZero() && !now.Before(a.Expires):
		return VerdictExpired, fmt.Sprintf("expired at %s", a.Expires.UTC().Format(time.RFC3339))
	case agency.Status == AgencySuspended:
		return VerdictIssuerSuspended, fmt.Sprintf("agency %s is suspended since height %d: %s", agency.Address, agency.StatusHeight, agency.Reason)
	case agency.Status != AgencyActive:
		return VerdictInvalid, fmt.Sprintf("agency %s has status %q", agency.Address, agency.Status)
	}
	if a.Expires.IsZero() {
		return VerdictValid, "valid, no expiry"
	}
	return VerdictValid, fmt.Sprintf("valid until %s", a.Expires.UTC().Format(time.RFC3339))
}

// ---- the city's kinds ----

// DevnetKinds are the certificate kinds a devnet registers at genesis,
// all issued by agency (on a real network each has its own: the Supreme
// Court's family register, the Ministry of the Interior's resident
// register, the National Health Insurance Service, the National Tax
// Service). Their validity is a city policy choice: 90 days for the family
// relation certificate and the resident register, as banks commonly
// require documents issued within three months; 30 days for health
// insurance and income, which change month to month. The other kinds the
// city plans are listed, not registered, in the certificates module's
// README.
func DevnetKinds(agency Address) []CertificateKind {
	return []CertificateKind{
		{ID: "family_relation", Name: "가족관계증명서 (family relation certificate)", Agency: agency, ValidityDays: 90,
			Fields: []string{"holder_name", "holder_rrn", "spouse_exists", "spouse_name", "children_count", "parents_listed"}},
		{ID: "health_insurance_eligibility", Name: "건강보험자격득실확인서 (health insurance eligibility)", Agency: agency, ValidityDays: 30,
			Fields: []string{"holder_name", "holder_rrn", "insurance_type", "eligible_since", "employer_name", "currently_insured"}},
		{ID: "income_statement", Name: "소득금액증명 (income certificate)", Agency: agency, ValidityDays: 30,
			Fields: []string{"holder_name", "holder_rrn", "tax_year", "income_type", "total_income_krw", "tax_office"}},
		{ID: "resident_abstract", Name: "주민등록표 초본 (resident registration abstract)", Agency: agency, ValidityDays: 90,
			Fields: []string{"holder_name", "holder_rrn", "current_address", "address_since", "address_history", "military_service"}},
		{ID: "resident_copy", Name: "주민등록표 등본 (resident registration copy)", Agency: agency, ValidityDays: 90,
			Fields: []string{"holder_name", "holder_rrn", "current_address", "household_head_name", "household_members", "household_size"}},
	}
}

// ---- the module's part of the contract ----

// CertificateMsgs is the certificates module's part of the transaction
// contract.
var CertificateMsgs = ModuleMsgs{
	Module: "certificates",
	Roles:  []string{RoleCertificateRegistrar},
	Msgs: []MsgDef{
		{TypeCertificateRegisterKind, func() Msg { return &MsgCertificateRegisterKind{} }, RoleCertificateRegistrar},
		{TypeCertificateAddKey, func() Msg { return &MsgCertificateAddKey{} }, "the agency of a kind"},
		{TypeCertificateRetireKey, func() Msg { return &MsgCertificateRetireKey{} }, "the key's agency"},
		{TypeCertificateRevokeKey, func() Msg { return &MsgCertificateRevokeKey{} }, "the key's agency or " + RoleCertificateRegistrar},
		{TypeCertificateSetAgencyStatus, func() Msg { return &MsgCertificateSetAgencyStatus{} }, RoleCertificateRegistrar},
		{TypeCertificateIssue, func() Msg { return &MsgCertificateIssue{} }, "the kind's agency"},
		{TypeCertificateRevoke, func() Msg { return &MsgCertificateRevoke{} }, "the anchor's agency or " + RoleCertificateRegistrar},
	},
}

// CodespaceCertificate is the codespace of the certificates module's result codes.
const CodespaceCertificate = "certificates"

// Result codes of the certificates module (see Code). Frozen: a released
// code never changes meaning.
var (
	CodeCertificateNotRegistrar     = Code{CodespaceCertificate, 2}  // signer lacks the certificate_registrar role
	CodeCertificateInvalidGenesis   = Code{CodespaceCertificate, 3}  // invalid certificates genesis
	CodeCertificateKindExists       = Code{CodespaceCertificate, 4}  // certificate kind already registered
	CodeCertificateUnknownKind      = Code{CodespaceCertificate, 5}  // unknown certificate kind
	CodeCertificateNotAgency        = Code{CodespaceCertificate, 6}  // signer is the agency of no kind
	CodeCertificateUnknownAgency    = Code{CodespaceCertificate, 7}  // unknown agency
	CodeCertificateAgencyRevoked    = Code{CodespaceCertificate, 8}  // agency is revoked
	CodeCertificateAgencyNotActive  = Code{CodespaceCertificate, 9}  // agency is not active
	CodeCertificateKeyExists        = Code{CodespaceCertificate, 10} // key already registered
	CodeCertificateUnknownKey       = Code{CodespaceCertificate, 11} // unknown key
	CodeCertificateNotKeyAgency     = Code{CodespaceCertificate, 12} // signer is not the key's agency
	CodeCertificateKeyRetired       = Code{CodespaceCertificate, 13} // key is retired
	CodeCertificateKeyRevoked       = Code{CodespaceCertificate, 14} // key is revoked
	CodeCertificateCompromisedRange = Code{CodespaceCertificate, 15} // compromised_height out of range
	CodeCertificateNotKindAgency    = Code{CodespaceCertificate, 16} // signer is not the kind's agency
	CodeCertificateUnknownAnchor    = Code{CodespaceCertificate, 17} // unknown anchor
	CodeCertificateNotAnchorAgency  = Code{CodespaceCertificate, 18} // signer is not the anchor's agency nor a registrar
	CodeCertificateBadPath          = Code{CodespaceCertificate, 19} // Merkle path does not lead to the anchor's root
	CodeCertificateAlreadyRevoked   = Code{CodespaceCertificate, 20} // certificate already revoked
	CodeCertificateTooMany          = Code{CodespaceCertificate, 21} // agency has the maximum number of keys or kinds
)
