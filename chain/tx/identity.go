package tx

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/citychain/citychain/edge/signature"
)

// Message types of the identity module: the Seoul citizen card. The chain
// holds no personal data: a citizen's identity is the list of its device
// keys (id: the address of the first), its status and the commitments to
// the status-list indices of the card copies an office issued; facilities
// are their policies (kind, required claims) and the bars they set on
// pseudonyms. Everything personal lives in the card's SD-JWT copies in the
// citizen's wallet.
const (
	TypeIdentityRegister         = "identity/register"
	TypeIdentityAddDevice        = "identity/add_device"
	TypeIdentityRemoveDevice     = "identity/remove_device"
	TypeIdentityAddCardCopies    = "identity/add_card_copies"
	TypeIdentitySuspend          = "identity/suspend"
	TypeIdentityReinstate        = "identity/reinstate"
	TypeIdentityRevoke           = "identity/revoke"
	TypeIdentityRegisterFacility = "identity/register_facility"
	TypeIdentityUpdateFacility   = "identity/update_facility"
	TypeIdentityBar              = "identity/bar"
	TypeIdentityUnbar            = "identity/unbar"
)

// Roles of the identity module (granted by an authority with
// auth/grant_role).
const (
	// RoleRegistrationOffice registers citizens, issues their card copies
	// (and creates the card's suspension lists in the credentials module),
	// and alone reinstates a suspended identity or revokes one.
	RoleRegistrationOffice = "registration_office"
	// RoleFacilityRegistrar registers facilities; the registering account
	// becomes the facility's agency.
	RoleFacilityRegistrar = "facility_registrar"
)

// Identity statuses. Revoked is final.
const (
	IdentityActive    = "active"
	IdentitySuspended = "suspended"
	IdentityRevoked   = "revoked"
)

// Bounds of the identity messages.
const (
	// MaxDeviceKeys bounds an identity's device keys in use (not removed).
	MaxDeviceKeys = 8
	// MaxDeviceKeyHistory bounds an identity's device keys ever added,
	// removed ones included (the record keeps them).
	MaxDeviceKeyHistory = 32
	// MaxCardCopies bounds the commitments of an identity: the card copies
	// an office issued since the last reinstatement.
	MaxCardCopies   = 64
	CardSaltLen     = 16
	MaxIdentityText = 256 // reasons
	MaxFacilityID   = 64
	MaxFacilityName = 128
	MaxFacilityKind = 32
	// MaxFacilityClaims bounds the predicate claims a facility requires.
	MaxFacilityClaims = 32
	// PoPLen is the length of a proof of possession: an ed25519 signature.
	PoPLen = signature.Size
)

// Domain tags of the identity hashes and signatures.
const (
	cardCommitmentDomain = "citychain/card-status/v1"
	addDevicePoPDomain   = "citychain/identity/add_device/v1\x00"
	pseudonymDomain      = "citychain/pseudonym/v1\x00"
)

// CardCommitment is the commitment an office records for one card copy:
// SHA-256("citychain/card-status/v1" || 0x00 || list || 0x00 || idx as 4
// bytes big-endian || salt). It hides the copy's status index (and so
// which status bits are the citizen's) until a suspension reveals it.
func CardCommitment(list string, idx uint32, salt [CardSaltLen]byte) Hash32 {
	h := sha256.New()
	h.Write([]byte(cardCommitmentDomain))
	h.Write([]byte{0})
	h.Write([]byte(list))
	h.Write([]byte{0})
	h.Write(binary.BigEndian.AppendUint32(nil, idx))
	h.Write(salt[:])
	var out Hash32
	h.Sum(out[:0])
	return out
}

// AddDevicePoPMessage is what the new key of identity/add_device signs to
// prove it is held: "citychain/identity/add_device/v1" 0x00 chain id 0x00
// identity id (40 hex) 0x00 the key (64 hex). A proof made for another
// chain, identity or key does not verify.
func AddDevicePoPMessage(chainID, id string, key PubKey) []byte {
	out := make([]byte, 0, len(addDevicePoPDomain)+len(chainID)+len(id)+2+2*len(key))
	out = append(out, addDevicePoPDomain...)
	out = append(out, chainID...)
	out = append(out, 0)
	out = append(out, id...)
	out = append(out, 0)
	return append(out, key.String()...)
}

// VerifyAddDevicePoP reports whether pop is key's signature of
// AddDevicePoPMessage(chainID, id, key) (ZIP-215, edge/signature).
func VerifyAddDevicePoP(chainID string, id Address, key PubKey, pop []byte) bool {
	return signature.Verify(key, AddDevicePoPMessage(chainID, id.String(), key), pop)
}

// Pseudonym is the pairwise pseudonym a facility knows a card holder by:
// SHA-256("citychain/pseudonym/v1" 0x00 facility 0x00 slot key), the slot
// key as its 32 raw bytes. A wallet presents the same slot key to a
// facility every time, so the facility's bars follow the holder, while
// two facilities' pseudonyms of one holder cannot be linked.
func Pseudonym(facility string, slotKey PubKey) Hash32 {
	h := sha256.New()
	h.Write([]byte(pseudonymDomain))
	h.Write([]byte(facility))
	h.Write([]byte{0})
	h.Write(slotKey)
	var out Hash32
	h.Sum(out[:0])
	return out
}

// ValidateFacilityID checks a facility id: 1 to 64 characters of
// [a-z0-9_-] (it appears in pseudonyms and in presentation audiences
// "<facility>/<reader>", so it never holds '/').
func ValidateFacilityID(id string) error {
	if len(id) == 0 || len(id) > MaxFacilityID {
		return fmt.Errorf("facility %q: want 1 to %d characters of a-z, 0-9, '_' and '-'", id, MaxFacilityID)
	}
	for _, c := range []byte(id) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return fmt.Errorf("facility %q: want only a-z, 0-9, '_' and '-'", id)
		}
	}
	return nil
}

// ValidateFacilityKind checks a facility kind: free text of 1 to 32
// characters of [a-z0-9_] (library, pool, youth_centre...). A new kind
// needs no change to the chain.
func ValidateFacilityKind(kind string) error {
	if len(kind) == 0 || len(kind) > MaxFacilityKind {
		return fmt.Errorf("kind %q: want 1 to %d characters of a-z, 0-9 and '_'", kind, MaxFacilityKind)
	}
	for _, c := range []byte(kind) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return fmt.Errorf("kind %q: want only a-z, 0-9 and '_'", kind)
		}
	}
	return nil
}

// validateCardList checks a card's status list id: "<owner address>/<name>".
func validateCardList(list string) error {
	if _, _, err := ParseStatusListID(list); err != nil {
		return fmt.Errorf("card_list: %w", err)
	}
	return nil
}

// validateCommitments checks a batch of card-copy commitments: at most
// MaxCardCopies, none zero, none twice.
func validateCommitments(field string, cs []Hash32, min int) error {
	if len(cs) < min || len(cs) > MaxCardCopies {
		return fmt.Errorf("%s: %d commitments, want %d to %d", field, len(cs), min, MaxCardCopies)
	}
	for i, c := range cs {
		switch {
		case c.IsZero():
			return fmt.Errorf("%s[%d]: want a commitment (tx.CardCommitment), got zero", field, i)
		case slices.Contains(cs[:i], c):
			return fmt.Errorf("%s[%d]: commitment %s listed twice", field, i, c)
		}
	}
	return nil
}

// CardReveal opens one card-copy commitment: the copy's index in the
// identity's card list and the commitment's salt (16 bytes, hex in JSON).
type CardReveal struct {
	Idx  uint32   `json:"idx"`
	Salt HexBytes `json:"salt"`
}

// Commitment is the commitment the reveal opens in list.
func (r CardReveal) Commitment(list string) Hash32 {
	var salt [CardSaltLen]byte
	copy(salt[:], r.Salt)
	return CardCommitment(list, r.Idx, salt)
}

// validateReveals checks a reveal: at most MaxCardCopies openings, each
// with a 16-byte salt, no (idx, salt) twice.
func validateReveals(rs []CardReveal) error {
	if len(rs) > MaxCardCopies {
		return fmt.Errorf("reveal: %d openings, want at most %d", len(rs), MaxCardCopies)
	}
	for i, r := range rs {
		if len(r.Salt) != CardSaltLen {
			return fmt.Errorf("reveal[%d].salt: %d bytes, want %d (%d hex characters)", i, len(r.Salt), CardSaltLen, 2*CardSaltLen)
		}
		for j := range i {
			if rs[j].Idx == r.Idx && string(rs[j].Salt) == string(r.Salt) {
				return fmt.Errorf("reveal[%d]: idx %d with the same salt as reveal[%d]", i, r.Idx, j)
			}
		}
	}
	return nil
}

func requireIdentityID(id Address) error { return requireAddress("id", id) }

// MsgIdentityRegister registers a citizen: DeviceKey is the first key of
// the citizen's wallet (the identity's id is its address, whose account the
// registration creates so that the citizen can sign), CardList the
// suspension list the card copies' status bits are in, and Commitments one
// CardCommitment per card copy the office issued (0 to 64). Only a
// registration_office may send it.
type MsgIdentityRegister struct {
	DeviceKey   PubKey   `json:"device_key"`
	CardList    string   `json:"card_list"`
	Commitments []Hash32 `json:"commitments"`
}

// Type implements Msg.
func (*MsgIdentityRegister) Type() string { return TypeIdentityRegister }

// ValidateBasic implements Msg.
func (m *MsgIdentityRegister) ValidateBasic() error {
	return errors.Join(ValidatePubKey("device_key", m.DeviceKey), validateCardList(m.CardList),
		validateCommitments("commitments", m.Commitments, 0))
}

// MsgIdentityAddDevice adds a device key to an identity. PoP is the new
// key's signature of AddDevicePoPMessage(chain id, id, key): proof that
// whoever adds it holds it. A device key of the identity in use (while the
// identity is active) or a registration_office may send it; an identity
// has at most MaxDeviceKeys keys in use.
type MsgIdentityAddDevice struct {
	ID  Address  `json:"id"`
	Key PubKey   `json:"key"`
	PoP HexBytes `json:"pop"`
}

// Type implements Msg.
func (*MsgIdentityAddDevice) Type() string { return TypeIdentityAddDevice }

// ValidateBasic implements Msg.
func (m *MsgIdentityAddDevice) ValidateBasic() error {
	var pop error
	if len(m.PoP) != PoPLen {
		pop = fmt.Errorf("pop: %d bytes, want the new key's %d-byte signature of the add_device message", len(m.PoP), PoPLen)
	}
	return errors.Join(requireIdentityID(m.ID), ValidatePubKey("key", m.Key), pop)
}

// MsgIdentityRemoveDevice takes a device key out of use (the record keeps
// it, with the height it was removed at). A device key of the identity in
// use (while the identity is active) or a registration_office may send
// it; the last key in use is never removed.
type MsgIdentityRemoveDevice struct {
	ID  Address `json:"id"`
	Key PubKey  `json:"key"`
}

// Type implements Msg.
func (*MsgIdentityRemoveDevice) Type() string { return TypeIdentityRemoveDevice }

// ValidateBasic implements Msg.
func (m *MsgIdentityRemoveDevice) ValidateBasic() error {
	var key error
	if len(m.Key) != signature.PublicKeySize {
		key = fmt.Errorf("key: %d bytes, want a %d-byte ed25519 public key", len(m.Key), signature.PublicKeySize)
	}
	return errors.Join(requireIdentityID(m.ID), key)
}

// MsgIdentityAddCardCopies records the commitments of a new batch of card
// copies of an active identity (1 to 64; the identity holds at most 64).
// Only a registration_office may send it.
type MsgIdentityAddCardCopies struct {
	ID          Address  `json:"id"`
	Commitments []Hash32 `json:"commitments"`
}

// Type implements Msg.
func (*MsgIdentityAddCardCopies) Type() string { return TypeIdentityAddCardCopies }

// ValidateBasic implements Msg.
func (m *MsgIdentityAddCardCopies) ValidateBasic() error {
	return errors.Join(requireIdentityID(m.ID), validateCommitments("commitments", m.Commitments, 1))
}

// MsgIdentitySuspend suspends an active identity: Reveal opens every
// commitment not yet revealed (each recomputed with the identity's card
// list), and each opened copy's status bit is set in the card list in the
// same transaction, so from the next block every verifier reading the
// list refuses every copy. A device key of the identity in use or a
// registration_office may send it.
type MsgIdentitySuspend struct {
	ID     Address      `json:"id"`
	Reason string       `json:"reason"`
	Reveal []CardReveal `json:"reveal"`
}

// Type implements Msg.
func (*MsgIdentitySuspend) Type() string { return TypeIdentitySuspend }

// ValidateBasic implements Msg.
func (m *MsgIdentitySuspend) ValidateBasic() error {
	return errors.Join(requireIdentityID(m.ID), validateText("reason", m.Reason, 1, MaxIdentityText), validateReveals(m.Reveal))
}

// MsgIdentityReinstate makes a suspended identity active again with new
// card copies: the old commitments are dropped (their bits stay set, those
// copies stay refused) and Commitments are the new copies'. Only a
// registration_office may send it: a thief holding the phone cannot
// reinstate.
type MsgIdentityReinstate struct {
	ID          Address  `json:"id"`
	Commitments []Hash32 `json:"commitments"`
}

// Type implements Msg.
func (*MsgIdentityReinstate) Type() string { return TypeIdentityReinstate }

// ValidateBasic implements Msg.
func (m *MsgIdentityReinstate) ValidateBasic() error {
	return errors.Join(requireIdentityID(m.ID), validateCommitments("commitments", m.Commitments, 0))
}

// MsgIdentityRevoke revokes an identity for good, revealing (like
// suspend) every commitment not yet revealed. Only a registration_office
// may send it.
type MsgIdentityRevoke struct {
	ID     Address      `json:"id"`
	Reason string       `json:"reason"`
	Reveal []CardReveal `json:"reveal"`
}

// Type implements Msg.
func (*MsgIdentityRevoke) Type() string { return TypeIdentityRevoke }

// ValidateBasic implements Msg.
func (m *MsgIdentityRevoke) ValidateBasic() error {
	return errors.Join(requireIdentityID(m.ID), validateText("reason", m.Reason, 1, MaxIdentityText), validateReveals(m.Reveal))
}

// MsgIdentityRegisterFacility registers a facility: its kind (free text,
// library, pool, youth_centre...), the predicate claims it requires of a
// card holder (0 to 32 claim names) and whether it accepts tokens. Only a
// facility_registrar may send it; the signer becomes the facility's
// agency. No citizen needs a transaction for it: entry is checked by the
// facility's verifier.
type MsgIdentityRegisterFacility struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Kind          string   `json:"kind"`
	Claims        []string `json:"claims"`
	AcceptsTokens bool     `json:"accepts_tokens"`
}

// Type implements Msg.
func (*MsgIdentityRegisterFacility) Type() string { return TypeIdentityRegisterFacility }

// ValidateBasic implements Msg.
func (m *MsgIdentityRegisterFacility) ValidateBasic() error {
	return validateFacility(facilityFields(*m))
}

// MsgIdentityUpdateFacility replaces a facility's name, kind, claims and
// token acceptance. Only its agency may send it.
type MsgIdentityUpdateFacility MsgIdentityRegisterFacility

// Type implements Msg.
func (*MsgIdentityUpdateFacility) Type() string { return TypeIdentityUpdateFacility }

// ValidateBasic implements Msg.
func (m *MsgIdentityUpdateFacility) ValidateBasic() error {
	return validateFacility(facilityFields(*m))
}

type facilityFields MsgIdentityRegisterFacility

func validateFacility(f facilityFields) error {
	errs := []error{ValidateFacilityID(f.ID), validateText("name", f.Name, 1, MaxFacilityName), ValidateFacilityKind(f.Kind)}
	if len(f.Claims) > MaxFacilityClaims {
		errs = append(errs, fmt.Errorf("claims: %d, want at most %d", len(f.Claims), MaxFacilityClaims))
	}
	for i, c := range f.Claims {
		if err := ValidateClaim(c); err != nil {
			errs = append(errs, fmt.Errorf("claims[%d]: %w", i, err))
		} else if slices.Contains(f.Claims[:i], c) {
			errs = append(errs, fmt.Errorf("claims[%d]: claim %q listed twice", i, c))
		}
	}
	return errors.Join(errs...)
}

// MsgIdentityBar bars a pseudonym (tx.Pseudonym of the facility and the
// holder's slot key) from a facility until Until (zero: until unbarred),
// replacing an earlier bar of the same pseudonym. Only the facility's
// agency may send it.
type MsgIdentityBar struct {
	Facility  string    `json:"facility"`
	Pseudonym Hash32    `json:"pseudonym"`
	Until     time.Time `json:"until,omitzero"`
	Reason    string    `json:"reason"`
}

// Type implements Msg.
func (*MsgIdentityBar) Type() string { return TypeIdentityBar }

// ValidateBasic implements Msg.
func (m *MsgIdentityBar) ValidateBasic() error {
	var ps error
	if m.Pseudonym.IsZero() {
		ps = fmt.Errorf("pseudonym: want the holder's pseudonym at the facility (tx.Pseudonym), got zero")
	}
	return errors.Join(ValidateFacilityID(m.Facility), ps, validateText("reason", m.Reason, 1, MaxIdentityText))
}

// MsgIdentityUnbar lifts a bar. Only the facility's agency may send it.
type MsgIdentityUnbar struct {
	Facility  string `json:"facility"`
	Pseudonym Hash32 `json:"pseudonym"`
}

// Type implements Msg.
func (*MsgIdentityUnbar) Type() string { return TypeIdentityUnbar }

// ValidateBasic implements Msg.
func (m *MsgIdentityUnbar) ValidateBasic() error {
	var ps error
	if m.Pseudonym.IsZero() {
		ps = fmt.Errorf("pseudonym: want the barred pseudonym, got zero")
	}
	return errors.Join(ValidateFacilityID(m.Facility), ps)
}

// IdentityMsgs is the identity module's part of the transaction contract.
var IdentityMsgs = ModuleMsgs{
	Module: "identity",
	Roles:  []string{RoleRegistrationOffice, RoleFacilityRegistrar},
	Msgs: []MsgDef{
		{TypeIdentityRegister, func() Msg { return &MsgIdentityRegister{} }, RoleRegistrationOffice},
		{TypeIdentityAddDevice, func() Msg { return &MsgIdentityAddDevice{} }, "a device key of the identity or a " + RoleRegistrationOffice},
		{TypeIdentityRemoveDevice, func() Msg { return &MsgIdentityRemoveDevice{} }, "a device key of the identity or a " + RoleRegistrationOffice},
		{TypeIdentityAddCardCopies, func() Msg { return &MsgIdentityAddCardCopies{} }, RoleRegistrationOffice},
		{TypeIdentitySuspend, func() Msg { return &MsgIdentitySuspend{} }, "a device key of the identity or a " + RoleRegistrationOffice},
		{TypeIdentityReinstate, func() Msg { return &MsgIdentityReinstate{} }, RoleRegistrationOffice},
		{TypeIdentityRevoke, func() Msg { return &MsgIdentityRevoke{} }, RoleRegistrationOffice},
		{TypeIdentityRegisterFacility, func() Msg { return &MsgIdentityRegisterFacility{} }, RoleFacilityRegistrar},
		{TypeIdentityUpdateFacility, func() Msg { return &MsgIdentityUpdateFacility{} }, "the facility's agency"},
		{TypeIdentityBar, func() Msg { return &MsgIdentityBar{} }, "the facility's agency"},
		{TypeIdentityUnbar, func() Msg { return &MsgIdentityUnbar{} }, "the facility's agency"},
	},
}

// CodespaceIdentity is the codespace of the identity module's result codes.
const CodespaceIdentity = "identity"

// Result codes of the identity module (see Code). Frozen: a released code
// never changes meaning.
var (
	CodeIdentityNotOffice            = Code{CodespaceIdentity, 2}  // signer lacks the registration_office role
	CodeIdentityInvalidGenesis       = Code{CodespaceIdentity, 3}  // invalid identity genesis
	CodeIdentityExists               = Code{CodespaceIdentity, 4}  // identity already registered
	CodeIdentityUnknown              = Code{CodespaceIdentity, 5}  // unknown identity
	CodeIdentityKeyUsed              = Code{CodespaceIdentity, 6}  // device key already belongs to an identity
	CodeIdentityNotAuthorised        = Code{CodespaceIdentity, 7}  // signer is neither a device key of the identity in use nor a registration_office
	CodeIdentityBadPoP               = Code{CodespaceIdentity, 8}  // proof of possession does not verify
	CodeIdentityTooManyKeys          = Code{CodespaceIdentity, 9}  // identity has the maximum number of device keys
	CodeIdentityLastKey              = Code{CodespaceIdentity, 10} // the last device key in use is never removed
	CodeIdentityUnknownKey           = Code{CodespaceIdentity, 11} // key is not a device key of the identity in use
	CodeIdentityTooManyCopies        = Code{CodespaceIdentity, 12} // identity would hold more than 64 card-copy commitments
	CodeIdentityDuplicateCommitment  = Code{CodespaceIdentity, 13} // commitment already recorded for the identity
	CodeIdentityNotActive            = Code{CodespaceIdentity, 14} // identity is not active
	CodeIdentityRevoked              = Code{CodespaceIdentity, 15} // identity is revoked (final)
	CodeIdentityNotSuspended         = Code{CodespaceIdentity, 16} // only a suspended identity is reinstated
	CodeIdentityRevealMismatch       = Code{CodespaceIdentity, 17} // a reveal opens no unrevealed commitment of the identity
	CodeIdentityRevealIncomplete     = Code{CodespaceIdentity, 18} // the reveal leaves commitments unopened
	CodeIdentityBadCardList          = Code{CodespaceIdentity, 19} // card list is not an existing suspension list
	CodeIdentityNotFacilityRegistrar = Code{CodespaceIdentity, 20} // signer lacks the facility_registrar role
	CodeIdentityFacilityExists       = Code{CodespaceIdentity, 21} // facility already registered
	CodeIdentityUnknownFacility      = Code{CodespaceIdentity, 22} // unknown facility
	CodeIdentityNotFacilityAgency    = Code{CodespaceIdentity, 23} // signer is not the facility's agency
	CodeIdentityBarPast              = Code{CodespaceIdentity, 24} // bar's until is not after the block time
	CodeIdentityNotBarred            = Code{CodespaceIdentity, 25} // pseudonym is not barred from the facility
)

// ---- query requests and answers (declared here, with the contract) ----

// IdentityKey is one device key of an identity, oldest first. A key is in
// use until RemovedHeight is set.
type IdentityKey struct {
	Key           PubKey    `json:"key"`
	AddedHeight   int64     `json:"added_height"`
	AddedTime     time.Time `json:"added_time"`
	RemovedHeight int64     `json:"removed_height,omitempty"`
}

// Identity is a citizen's identity record (/identity/identity): its
// device keys, status and the commitments to its card copies' status
// indices. ID is the address of the first device key. Commitments[:Revealed]
// were opened by a suspension or revocation (their bits are set); the
// rest are the copies in use.
type Identity struct {
	ID               Address       `json:"id"`
	Keys             []IdentityKey `json:"keys"`
	Status           string        `json:"status"`
	StatusHeight     int64         `json:"status_height"`
	StatusTime       time.Time     `json:"status_time"`
	Office           Address       `json:"office"`
	RegisteredHeight int64         `json:"registered_height"`
	RegisteredTime   time.Time     `json:"registered_time"`
	CardList         string        `json:"card_list"`
	Commitments      []Hash32      `json:"commitments"`
	Revealed         uint32        `json:"revealed"`
}

// ActiveKeys counts the device keys in use.
func (id *Identity) ActiveKeys() int {
	n := 0
	for _, k := range id.Keys {
		if k.RemovedHeight == 0 {
			n++
		}
	}
	return n
}

// KeyInUse returns the index of the device key in use whose address is
// addr, or -1.
func (id *Identity) KeyInUse(addr Address) int {
	for i, k := range id.Keys {
		if k.RemovedHeight == 0 && k.Key.Address() == addr {
			return i
		}
	}
	return -1
}

// Facility is a registered facility (/identity/facility): its policy
// (kind, required claims, token acceptance) and its agency, the account
// that registered it, which alone updates it and bars pseudonyms from it.
type Facility struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	Kind             string    `json:"kind"`
	Claims           []string  `json:"claims"`
	AcceptsTokens    bool      `json:"accepts_tokens"`
	Agency           Address   `json:"agency"`
	RegisteredHeight int64     `json:"registered_height"`
	RegisteredTime   time.Time `json:"registered_time"`
	UpdatedHeight    int64     `json:"updated_height,omitempty"`
}

// Bar is a pseudonym barred from a facility (/identity/barred) until
// Until (zero: until unbarred). An expired bar stays stored until it is
// lifted: a verifier compares Until with the time of entry.
type Bar struct {
	Facility  string    `json:"facility"`
	Pseudonym Hash32    `json:"pseudonym"`
	Until     time.Time `json:"until,omitzero"`
	Reason    string    `json:"reason"`
	By        Address   `json:"by"`
	Height    int64     `json:"height"`
	Time      time.Time `json:"time"`
}

// ActiveAt reports whether the bar holds at t: it has no end, or ends
// after t.
func (b *Bar) ActiveAt(t time.Time) bool { return b.Until.IsZero() || t.Before(b.Until) }

// IdentityParams are the identity module's parameters (/identity/params).
type IdentityParams struct {
	// MaxDeviceKeys bounds an identity's device keys in use (1 to
	// MaxDeviceKeys).
	MaxDeviceKeys uint32 `json:"max_device_keys"`
	// MaxCardCopies bounds an identity's card-copy commitments (1 to
	// MaxCardCopies).
	MaxCardCopies uint32 `json:"max_card_copies"`
}

// BarredRequest asks whether a pseudonym is barred from a facility
// (/identity/barred): the answer is the Bar, or absent (provably).
type BarredRequest struct {
	Facility  string `json:"facility"`
	Pseudonym Hash32 `json:"pseudonym"`
}

// BarsRequest pages through a facility's bars in pseudonym order
// (/identity/bars); After is a pseudonym (hex).
type BarsRequest struct {
	Facility string `json:"facility"`
	PageRequest
}

// FacilityPage is a page of facilities in id order (/identity/facilities);
// Next, when set, is the After of the next page.
type FacilityPage struct {
	Facilities []Facility `json:"facilities"`
	Next       string     `json:"next,omitempty"`
}

// BarPage is a page of a facility's bars in pseudonym order
// (/identity/bars); Next, when set, is the After of the next page.
type BarPage struct {
	Facility string `json:"facility"`
	Bars     []Bar  `json:"bars"`
	Next     string `json:"next,omitempty"`
}

// KindCount is the number of facilities of one kind.
type KindCount struct {
	Kind  string `json:"kind"`
	Count uint64 `json:"count"`
}

// IdentityStats are the identity module's counts (/identity/stats):
// identities by status and facilities by kind (in kind order).
type IdentityStats struct {
	Identities uint64      `json:"identities"`
	Active     uint64      `json:"active"`
	Suspended  uint64      `json:"suspended"`
	Revoked    uint64      `json:"revoked"`
	Facilities uint64      `json:"facilities"`
	Bars       uint64      `json:"bars"`
	ByKind     []KindCount `json:"facilities_by_kind"`
}
