package tx

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/citychain/citychain/chain/regschema"
	"github.com/citychain/citychain/edge/signature"
)

// Message types of the registry module: the standard platform on which an
// agency adds its own registry as data. A RegistryDef (record schema in the
// chain/regschema profile, roles, states and transitions with their guards,
// privacy class, indexes and limits) is proposed by an agency and enabled by
// the authorities (k of n); from then on records are created and moved
// through their states with no code in the node knowing the registry.
const (
	TypeRegistryPropose    = "registry/propose"
	TypeRegistryEnable     = "registry/enable"
	TypeRegistryGrant      = "registry/grant"
	TypeRegistryRevoke     = "registry/revoke"
	TypeRegistryCreate     = "registry/create"
	TypeRegistryTransition = "registry/transition"
)

// RoleRegistryAgency proposes registry definitions; the proposing account
// becomes the registry's owner, which grants the registry's own roles.
const RoleRegistryAgency = "registry_agency"

// Privacy classes of a registry: what state keeps of a record.
const (
	// PrivacyPublic keeps the record's data in state, readable by anyone.
	PrivacyPublic = "public"
	// PrivacyHash keeps the schema-checked data (the part the schema
	// describes: typically the indexed, public fields) and the SHA-256
	// digest of the full off-chain document, which stays with the agency.
	PrivacyHash = "hash"
	// PrivacyPointer is PrivacyHash plus a URI where the document lives.
	PrivacyPointer = "pointer"
)

// Bounds of registry definitions and records.
const (
	MaxRegistryName        = 32
	MaxRegistryTitle       = 128
	MaxRegistryText        = 512
	MaxRegistryRoles       = 16
	MaxRegistryStates      = 32
	MaxRegistryTransitions = 64
	MaxRegistryIndexes     = 8
	MaxRegistryPredicates  = 4
	MaxRegistryApprovals   = 16
	MaxRegistryEvidence    = 4
	// MaxRegistryRecordBytes bounds a record's canonical data, whatever the
	// definition's own limit says.
	MaxRegistryRecordBytes = 16 * 1024
	// MaxRegistryRecords bounds a definition's max_records.
	MaxRegistryRecords = 10_000_000
	// MaxRegistryDelegation bounds a chain of delegated grants: a grant
	// from the owner is depth 1.
	MaxRegistryDelegation = 4
	MaxRegistryURI        = 512
	// MaxRegistryDeadline bounds a state's deadline (10 years).
	MaxRegistryDeadline = 10 * 366 * 24 * 3600
	MaxRegistryJWT      = 8 * 1024
	MaxRegistryPath     = 64
)

var (
	registryNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	registryVerRE  = regexp.MustCompile(`^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})$`)
)

// ValidateRegistryName checks a registry, role, state, transition or index
// name: 1 to 32 of [a-z0-9_], starting with a letter. what names the field.
func ValidateRegistryName(what, s string) error {
	if len(s) == 0 || len(s) > MaxRegistryName || !registryNameRE.MatchString(s) {
		return fmt.Errorf("%s %q: want 1 to %d of a-z, 0-9 and _, starting with a letter", what, s, MaxRegistryName)
	}
	return nil
}

// RegistryVersion is a definition's "MAJOR.MINOR" version.
type RegistryVersion struct{ Major, Minor uint32 }

// ParseRegistryVersion parses "MAJOR.MINOR" (no leading zeros).
func ParseRegistryVersion(s string) (RegistryVersion, error) {
	m := registryVerRE.FindStringSubmatch(s)
	if m == nil {
		return RegistryVersion{}, fmt.Errorf("version %q: want MAJOR.MINOR, e.g. 1.0", s)
	}
	maj, _ := strconv.ParseUint(m[1], 10, 32)
	mnr, _ := strconv.ParseUint(m[2], 10, 32)
	return RegistryVersion{uint32(maj), uint32(mnr)}, nil
}

// Less reports whether v comes before w.
func (v RegistryVersion) Less(w RegistryVersion) bool {
	return v.Major < w.Major || v.Major == w.Major && v.Minor < w.Minor
}

func (v RegistryVersion) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// RegistryDef is a registry, as data. Its id is the SHA-256 of its RFC 8785
// canonical JSON (RegistryDefID).
type RegistryDef struct {
	// Name is the registry's name (the key of its records); Version is
	// MAJOR.MINOR. A new version of an enabled registry is proposed by its
	// owner and enabled like the first; a minor version's schema may only
	// add optional properties (regschema.CheckMinor).
	Name    string `json:"name"`
	Version string `json:"version"`
	Title   string `json:"title"`
	// Description says what the registry is for (shown on forms).
	Description string `json:"description,omitempty"`
	// Schema is the record schema, in the chain/regschema profile of JSON
	// Schema 2020-12.
	Schema  json.RawMessage `json:"schema"`
	Privacy string          `json:"privacy"`
	// Roles are the registry's own roles, granted by its owner (grants can
	// expire and, when delegable, be passed on).
	Roles []RegistryRole `json:"roles"`
	// CreateRoles may create records.
	CreateRoles []string `json:"create_roles"`
	// Initial is the state a new record starts in.
	Initial     string               `json:"initial"`
	States      []RegistryState      `json:"states"`
	Transitions []RegistryTransition `json:"transitions"`
	// Indexes are top-level string or integer properties of the schema
	// whose values are indexed for queries (with proofs).
	Indexes []string       `json:"indexes,omitempty"`
	Limits  RegistryLimits `json:"limits"`
}

// RegistryRole is one of a registry's roles.
type RegistryRole struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// RegistryState is a record state. A state with a deadline moves a record
// that stays in it for the deadline to another state in the end-of-block
// work, with no transaction (applied -> decision_overdue after 90 days).
type RegistryState struct {
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Final       bool              `json:"final,omitempty"`
	Deadline    *RegistryDeadline `json:"deadline,omitempty"`
}

// RegistryDeadline moves a record To another state once it has been in the
// state for AfterDays days or AfterSeconds seconds (exactly one is set) of
// block time.
type RegistryDeadline struct {
	AfterDays    uint32 `json:"after_days,omitempty"`
	AfterSeconds uint64 `json:"after_seconds,omitempty"`
	To           string `json:"to"`
}

// Seconds is the deadline's length in seconds.
func (d *RegistryDeadline) Seconds() uint64 {
	if d.AfterDays != 0 {
		return uint64(d.AfterDays) * 24 * 3600
	}
	return d.AfterSeconds
}

// RegistryTransition moves a record From one of its states To another.
// Signers must hold one of Roles; the transition runs when Approvals
// (k, default 1) distinct holders have sent it for the same record version.
// Patch names the top-level properties a transition may set (the patched
// record is validated against the registry's current schema). Requires are
// predicates that must all hold when the transition runs.
type RegistryTransition struct {
	Name      string              `json:"name"`
	From      []string            `json:"from"`
	To        string              `json:"to"`
	Roles     []string            `json:"roles"`
	Approvals uint32              `json:"approvals,omitempty"`
	Patch     []string            `json:"patch,omitempty"`
	Requires  []RegistryPredicate `json:"requires,omitempty"`
}

// K is the number of distinct approvals the transition needs.
func (t *RegistryTransition) K() uint32 {
	if t.Approvals == 0 {
		return 1
	}
	return t.Approvals
}

// RegistryPredicate is one guard over other modules; exactly one field is
// set.
type RegistryPredicate struct {
	// Credential: the transition carries evidence of an unrevoked,
	// unexpired credential of Schema (credentials module), anchored by an
	// issuer accredited for it, whose holder key signed the transition
	// (RegistryEvidenceMessage).
	Credential *CredentialPredicate `json:"credential,omitempty"`
	// Record: the record of Registry whose id is in the integer property
	// Field of this record is in one of States.
	Record *RecordPredicate `json:"record,omitempty"`
}

// CredentialPredicate requires a credential of Schema.
type CredentialPredicate struct {
	Schema string `json:"schema"`
}

// RecordPredicate requires another registry's record to be in a state.
type RecordPredicate struct {
	Registry string   `json:"registry"`
	Field    string   `json:"field"`
	States   []string `json:"states"`
}

// RegistryLimits bound a registry: the canonical size of one record's data
// and how many records it may hold.
type RegistryLimits struct {
	MaxRecordBytes uint32 `json:"max_record_bytes"`
	MaxRecords     uint64 `json:"max_records"`
}

// Parts of a definition, as RegistryDefError names them.
const (
	RegistryPartName        = "name"
	RegistryPartVersion     = "version"
	RegistryPartSchema      = "schema"
	RegistryPartPrivacy     = "privacy"
	RegistryPartRoles       = "roles"
	RegistryPartStates      = "states"
	RegistryPartTransitions = "transitions"
	RegistryPartIndexes     = "indexes"
	RegistryPartLimits      = "limits"
)

// RegistryDefError is a refused definition: Part is one of the RegistryPart
// constants (the chain answers with that part's code), Err says where and
// why.
type RegistryDefError struct {
	Part string
	Err  error
}

func (e *RegistryDefError) Error() string {
	return "registry definition: " + e.Part + ": " + e.Err.Error()
}
func (e *RegistryDefError) Unwrap() error { return e.Err }

func defErr(part string, format string, a ...any) error {
	return &RegistryDefError{Part: part, Err: fmt.Errorf(format, a...)}
}

// ParseRegistryDef decodes a definition strictly (unknown fields refused),
// validates it and compiles its schema.
func ParseRegistryDef(b []byte) (*RegistryDef, *regschema.Schema, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var d RegistryDef
	if err := dec.Decode(&d); err != nil {
		return nil, nil, fmt.Errorf("registry definition: %w", err)
	}
	if dec.More() {
		return nil, nil, errors.New("registry definition: data after the definition")
	}
	s, err := d.Validate()
	if err != nil {
		return nil, nil, err
	}
	return &d, s, nil
}

// Validate checks the definition and compiles its schema; the error is a
// *RegistryDefError naming the first bad part, in the order of the
// RegistryPart constants.
func (d *RegistryDef) Validate() (*regschema.Schema, error) {
	if err := ValidateRegistryName("name", d.Name); err != nil {
		return nil, &RegistryDefError{RegistryPartName, err}
	}
	if _, err := ParseRegistryVersion(d.Version); err != nil {
		return nil, &RegistryDefError{RegistryPartVersion, err}
	}
	if d.Title == "" || len(d.Title) > MaxRegistryTitle {
		return nil, defErr(RegistryPartName, "title: %d bytes, want 1 to %d", len(d.Title), MaxRegistryTitle)
	}
	if len(d.Description) > MaxRegistryText {
		return nil, defErr(RegistryPartName, "description: %d bytes, want at most %d", len(d.Description), MaxRegistryText)
	}
	if len(d.Schema) == 0 {
		return nil, defErr(RegistryPartSchema, "no schema")
	}
	s, err := regschema.Compile(d.Schema)
	if err != nil {
		return nil, &RegistryDefError{RegistryPartSchema, err}
	}
	switch d.Privacy {
	case PrivacyPublic, PrivacyHash, PrivacyPointer:
	default:
		return nil, defErr(RegistryPartPrivacy, "%q: want %s, %s or %s", d.Privacy, PrivacyPublic, PrivacyHash, PrivacyPointer)
	}
	roles, err := d.validateRoles()
	if err != nil {
		return nil, err
	}
	states, err := d.validateStates()
	if err != nil {
		return nil, err
	}
	if err := d.validateTransitions(s, roles, states); err != nil {
		return nil, err
	}
	if err := d.validateIndexes(s); err != nil {
		return nil, err
	}
	l := d.Limits
	if l.MaxRecordBytes == 0 || l.MaxRecordBytes > MaxRegistryRecordBytes {
		return nil, defErr(RegistryPartLimits, "max_record_bytes: %d, want 1 to %d", l.MaxRecordBytes, MaxRegistryRecordBytes)
	}
	if l.MaxRecords == 0 || l.MaxRecords > MaxRegistryRecords {
		return nil, defErr(RegistryPartLimits, "max_records: %d, want 1 to %d", l.MaxRecords, MaxRegistryRecords)
	}
	return s, nil
}

func (d *RegistryDef) validateRoles() (map[string]bool, error) {
	if len(d.Roles) == 0 || len(d.Roles) > MaxRegistryRoles {
		return nil, defErr(RegistryPartRoles, "%d roles, want 1 to %d", len(d.Roles), MaxRegistryRoles)
	}
	roles := map[string]bool{}
	for i, r := range d.Roles {
		if err := ValidateRegistryName(fmt.Sprintf("roles[%d].name", i), r.Name); err != nil {
			return nil, &RegistryDefError{RegistryPartRoles, err}
		}
		if roles[r.Name] {
			return nil, defErr(RegistryPartRoles, "roles[%d]: %q declared twice", i, r.Name)
		}
		if len(r.Description) > MaxRegistryText {
			return nil, defErr(RegistryPartRoles, "roles[%d].description: %d bytes, want at most %d", i, len(r.Description), MaxRegistryText)
		}
		roles[r.Name] = true
	}
	if err := roleList("create_roles", d.CreateRoles, roles); err != nil {
		return nil, err
	}
	return roles, nil
}

func roleList(field string, list []string, roles map[string]bool) error {
	if len(list) == 0 {
		return defErr(RegistryPartRoles, "%s: empty, want at least one declared role", field)
	}
	for i, r := range list {
		if !roles[r] {
			return defErr(RegistryPartRoles, "%s[%d]: unknown role %q", field, i, r)
		}
		if slices.Contains(list[:i], r) {
			return defErr(RegistryPartRoles, "%s[%d]: %q listed twice", field, i, r)
		}
	}
	return nil
}

func (d *RegistryDef) validateStates() (map[string]*RegistryState, error) {
	if len(d.States) == 0 || len(d.States) > MaxRegistryStates {
		return nil, defErr(RegistryPartStates, "%d states, want 1 to %d", len(d.States), MaxRegistryStates)
	}
	states := map[string]*RegistryState{}
	for i := range d.States {
		st := &d.States[i]
		if err := ValidateRegistryName(fmt.Sprintf("states[%d].name", i), st.Name); err != nil {
			return nil, &RegistryDefError{RegistryPartStates, err}
		}
		if states[st.Name] != nil {
			return nil, defErr(RegistryPartStates, "states[%d]: %q declared twice", i, st.Name)
		}
		if len(st.Description) > MaxRegistryText {
			return nil, defErr(RegistryPartStates, "states[%d].description: %d bytes, want at most %d", i, len(st.Description), MaxRegistryText)
		}
		states[st.Name] = st
	}
	if states[d.Initial] == nil {
		return nil, defErr(RegistryPartStates, "initial: unknown state %q", d.Initial)
	}
	for i := range d.States {
		st := &d.States[i]
		dl := st.Deadline
		if dl == nil {
			continue
		}
		where := fmt.Sprintf("states[%d].deadline", i)
		if st.Final {
			return nil, defErr(RegistryPartStates, "%s: state %q is final, a deadline cannot move a record out of it", where, st.Name)
		}
		if (dl.AfterDays == 0) == (dl.AfterSeconds == 0) {
			return nil, defErr(RegistryPartStates, "%s: want exactly one of after_days and after_seconds", where)
		}
		if s := dl.Seconds(); s > MaxRegistryDeadline {
			return nil, defErr(RegistryPartStates, "%s: %d seconds, want at most %d (10 years)", where, s, MaxRegistryDeadline)
		}
		if states[dl.To] == nil {
			return nil, defErr(RegistryPartStates, "%s.to: unknown state %q", where, dl.To)
		}
		if dl.To == st.Name {
			return nil, defErr(RegistryPartStates, "%s.to: %q is the state itself", where, dl.To)
		}
	}
	return states, nil
}

func (d *RegistryDef) validateTransitions(s *regschema.Schema, roles map[string]bool, states map[string]*RegistryState) error {
	if len(d.Transitions) > MaxRegistryTransitions {
		return defErr(RegistryPartTransitions, "%d transitions, want at most %d", len(d.Transitions), MaxRegistryTransitions)
	}
	for i := range d.Transitions {
		t := &d.Transitions[i]
		where := fmt.Sprintf("transitions[%d]", i)
		if err := ValidateRegistryName(where+".name", t.Name); err != nil {
			return &RegistryDefError{RegistryPartTransitions, err}
		}
		for j := range d.Transitions[:i] {
			if d.Transitions[j].Name == t.Name {
				return defErr(RegistryPartTransitions, "%s: %q declared twice", where, t.Name)
			}
		}
		if len(t.From) == 0 || len(t.From) > MaxRegistryStates {
			return defErr(RegistryPartTransitions, "%s.from: %d states, want 1 to %d", where, len(t.From), MaxRegistryStates)
		}
		for j, f := range t.From {
			st := states[f]
			if st == nil {
				return defErr(RegistryPartTransitions, "%s.from[%d]: unknown state %q", where, j, f)
			}
			if st.Final {
				return defErr(RegistryPartTransitions, "%s.from[%d]: state %q is final", where, j, f)
			}
			if slices.Contains(t.From[:j], f) {
				return defErr(RegistryPartTransitions, "%s.from[%d]: %q listed twice", where, j, f)
			}
		}
		if states[t.To] == nil {
			return defErr(RegistryPartTransitions, "%s.to: unknown state %q", where, t.To)
		}
		if err := roleList(where+".roles", t.Roles, roles); err != nil {
			var de *RegistryDefError
			errors.As(err, &de)
			return &RegistryDefError{RegistryPartTransitions, de.Err}
		}
		if t.K() > MaxRegistryApprovals {
			return defErr(RegistryPartTransitions, "%s.approvals: %d, want 1 to %d", where, t.Approvals, MaxRegistryApprovals)
		}
		for j, p := range t.Patch {
			if _, ok := s.Property(p); !ok {
				return defErr(RegistryPartTransitions, "%s.patch[%d]: %q is not a property of the schema", where, j, p)
			}
			if slices.Contains(t.Patch[:j], p) {
				return defErr(RegistryPartTransitions, "%s.patch[%d]: %q listed twice", where, j, p)
			}
		}
		if len(t.Requires) > MaxRegistryPredicates {
			return defErr(RegistryPartTransitions, "%s.requires: %d predicates, want at most %d", where, len(t.Requires), MaxRegistryPredicates)
		}
		for j, p := range t.Requires {
			if err := p.validate(s, d.Name, states); err != nil {
				return defErr(RegistryPartTransitions, "%s.requires[%d]: %v", where, j, err)
			}
		}
	}
	return nil
}

func (p *RegistryPredicate) validate(s *regschema.Schema, self string, states map[string]*RegistryState) error {
	switch {
	case p.Credential != nil && p.Record == nil:
		return ValidateSchemaID(p.Credential.Schema)
	case p.Record != nil && p.Credential == nil:
		r := p.Record
		if err := ValidateRegistryName("record.registry", r.Registry); err != nil {
			return err
		}
		prop, ok := s.Property(r.Field)
		if !ok || prop.Type != "integer" || !prop.Required {
			return fmt.Errorf("record.field %q: want a required integer property of the schema (the other record's id)", r.Field)
		}
		if len(r.States) == 0 || len(r.States) > MaxRegistryStates {
			return fmt.Errorf("record.states: %d, want 1 to %d", len(r.States), MaxRegistryStates)
		}
		for i, st := range r.States {
			if err := ValidateRegistryName(fmt.Sprintf("record.states[%d]", i), st); err != nil {
				return err
			}
			if r.Registry == self && states[st] == nil {
				return fmt.Errorf("record.states[%d]: unknown state %q", i, st)
			}
		}
		return nil
	default:
		return errors.New("want exactly one of credential and record")
	}
}

func (d *RegistryDef) validateIndexes(s *regschema.Schema) error {
	if len(d.Indexes) > MaxRegistryIndexes {
		return defErr(RegistryPartIndexes, "%d indexes, want at most %d", len(d.Indexes), MaxRegistryIndexes)
	}
	for i, f := range d.Indexes {
		p, ok := s.Property(f)
		if !ok {
			return defErr(RegistryPartIndexes, "indexes[%d]: %q is not a property of the schema", i, f)
		}
		if p.Type != "string" && p.Type != "integer" {
			return defErr(RegistryPartIndexes, "indexes[%d]: %q is a %s, want a string or integer property", i, f, p.Type)
		}
		if slices.Contains(d.Indexes[:i], f) {
			return defErr(RegistryPartIndexes, "indexes[%d]: %q listed twice", i, f)
		}
	}
	return nil
}

// State returns the named state, nil when the definition has none.
func (d *RegistryDef) State(name string) *RegistryState {
	for i := range d.States {
		if d.States[i].Name == name {
			return &d.States[i]
		}
	}
	return nil
}

// Transition returns the named transition, nil when there is none.
func (d *RegistryDef) Transition(name string) *RegistryTransition {
	for i := range d.Transitions {
		if d.Transitions[i].Name == name {
			return &d.Transitions[i]
		}
	}
	return nil
}

// HasRole reports whether the definition declares role.
func (d *RegistryDef) HasRole(role string) bool {
	return slices.ContainsFunc(d.Roles, func(r RegistryRole) bool { return r.Name == role })
}

// RegistryDefID is a definition's id: SHA-256 of the RFC 8785 canonical
// form of its JSON.
func RegistryDefID(d *RegistryDef) (Hash32, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return Hash32{}, err
	}
	c, err := regschema.Canonical(b)
	if err != nil {
		return Hash32{}, err
	}
	return sha256.Sum256(c), nil
}

// MaxRegistryDefBytes bounds a definition's JSON text.
const MaxRegistryDefBytes = 48 * 1024

// MsgRegistryPropose proposes a definition: a new registry, or a new
// version of one the signer owns. Def is the definition's JSON text (a
// string: a JSON Schema's keywords are camelCase, which the envelope's
// lowercase-keys rule refuses as keys of the body itself). The chain
// parses and validates it whole (ParseRegistryDef; a bad part is refused
// with that part's code) and keeps it under its id until the authorities
// enable it.
type MsgRegistryPropose struct {
	Def string `json:"def"`
}

// Type implements Msg.
func (*MsgRegistryPropose) Type() string { return TypeRegistryPropose }

// ValidateBasic implements Msg. The definition itself is checked by the
// chain, which answers with the code of the part that is wrong.
func (m *MsgRegistryPropose) ValidateBasic() error {
	if len(m.Def) == 0 || len(m.Def) > MaxRegistryDefBytes {
		return fmt.Errorf("def: %d bytes, want a registry definition's JSON text of 1 to %d bytes", len(m.Def), MaxRegistryDefBytes)
	}
	return nil
}

// MsgRegistryEnable enables a proposed definition: the registry's first
// version, or its next. It is an authority action.
type MsgRegistryEnable struct {
	Name string `json:"name"`
	Def  Hash32 `json:"def"`
}

// Type implements Msg.
func (*MsgRegistryEnable) Type() string { return TypeRegistryEnable }

// ValidateBasic implements Msg.
func (m *MsgRegistryEnable) ValidateBasic() error {
	var def error
	if m.Def.IsZero() {
		def = errors.New("def: want the proposed definition's id")
	}
	return errors.Join(ValidateRegistryName("name", m.Name), def)
}

// MsgRegistryGrant grants Role of Registry to Grantee until Expires (unix
// seconds of block time; 0 never). The registry's owner grants any role;
// a holder of a delegable grant may pass the role on, expiring no later
// than its own grant and at most MaxRegistryDelegation grants from the
// owner. Granting again replaces the grant.
type MsgRegistryGrant struct {
	Registry  string  `json:"registry"`
	Role      string  `json:"role"`
	Grantee   Address `json:"grantee"`
	Expires   int64   `json:"expires,omitempty"`
	Delegable bool    `json:"delegable,omitempty"`
}

// Type implements Msg.
func (*MsgRegistryGrant) Type() string { return TypeRegistryGrant }

// ValidateBasic implements Msg.
func (m *MsgRegistryGrant) ValidateBasic() error {
	var grantee, exp error
	if m.Grantee.IsZero() {
		grantee = errors.New("grantee: want an address")
	}
	if m.Expires < 0 {
		exp = fmt.Errorf("expires: %d, want unix seconds or 0 for never", m.Expires)
	}
	return errors.Join(ValidateRegistryName("registry", m.Registry), ValidateRegistryName("role", m.Role), grantee, exp)
}

// MsgRegistryRevoke ends Grantee's grant of Role; the owner or the grant's
// granter sends it. Grants delegated from it stop working with it.
type MsgRegistryRevoke struct {
	Registry string  `json:"registry"`
	Role     string  `json:"role"`
	Grantee  Address `json:"grantee"`
}

// Type implements Msg.
func (*MsgRegistryRevoke) Type() string { return TypeRegistryRevoke }

// ValidateBasic implements Msg.
func (m *MsgRegistryRevoke) ValidateBasic() error {
	var grantee error
	if m.Grantee.IsZero() {
		grantee = errors.New("grantee: want an address")
	}
	return errors.Join(ValidateRegistryName("registry", m.Registry), ValidateRegistryName("role", m.Role), grantee)
}

// MsgRegistryCreate creates a record of Registry with Data, a JSON object
// valid under the registry's current schema. Digest (hash and pointer
// classes) is the SHA-256 of the off-chain document; URI (pointer class)
// where it lives. The record's id is the registry's next sequence number
// (event registry.created, attribute id).
type MsgRegistryCreate struct {
	Registry string          `json:"registry"`
	Data     json.RawMessage `json:"data"`
	Digest   *Hash32         `json:"digest,omitempty"`
	URI      string          `json:"uri,omitempty"`
}

// Type implements Msg.
func (*MsgRegistryCreate) Type() string { return TypeRegistryCreate }

// ValidateBasic implements Msg.
func (m *MsgRegistryCreate) ValidateBasic() error {
	var data, uri error
	if len(m.Data) == 0 {
		data = errors.New("data: want the record, a JSON object")
	} else if len(m.Data) > MaxRegistryRecordBytes*2 {
		data = fmt.Errorf("data: %d bytes, want at most %d", len(m.Data), MaxRegistryRecordBytes*2)
	}
	if len(m.URI) > MaxRegistryURI {
		uri = fmt.Errorf("uri: %d bytes, want at most %d", len(m.URI), MaxRegistryURI)
	}
	return errors.Join(ValidateRegistryName("registry", m.Registry), data, uri)
}

// MsgRegistryTransition sends (or approves) Transition of record ID of
// Registry at record Version (the record's version when the signer looked:
// a record that moved since refuses it). Patch sets the transition's
// patchable properties; Evidence meets its credential predicates, in order.
// With k > 1 approvals, each distinct role holder's message is an approval
// of the same (record, version, transition, patch); the k-th runs it.
type MsgRegistryTransition struct {
	Registry   string             `json:"registry"`
	ID         uint64             `json:"id"`
	Version    uint64             `json:"version"`
	Transition string             `json:"transition"`
	Patch      json.RawMessage    `json:"patch,omitempty"`
	Evidence   []RegistryEvidence `json:"evidence,omitempty"`
}

// Type implements Msg.
func (*MsgRegistryTransition) Type() string { return TypeRegistryTransition }

// ValidateBasic implements Msg.
func (m *MsgRegistryTransition) ValidateBasic() error {
	var id, patch, ev error
	if m.ID == 0 {
		id = errors.New("id: want a record id (from 1)")
	}
	if len(m.Patch) > MaxRegistryRecordBytes*2 {
		patch = fmt.Errorf("patch: %d bytes, want at most %d", len(m.Patch), MaxRegistryRecordBytes*2)
	}
	if len(m.Evidence) > MaxRegistryEvidence {
		ev = fmt.Errorf("evidence: %d, want at most %d", len(m.Evidence), MaxRegistryEvidence)
	}
	for i := range m.Evidence {
		if err := m.Evidence[i].validateBasic(); err != nil {
			ev = errors.Join(ev, fmt.Errorf("evidence[%d]: %w", i, err))
		}
	}
	return errors.Join(ValidateRegistryName("registry", m.Registry), id, ValidateRegistryName("transition", m.Transition), patch, ev)
}

// RegistryEvidence presents one credential to a credential predicate: the
// issuer-signed JWT of an SD-JWT copy (no disclosures: nothing personal),
// its place in a credentials anchor (Anchor, leaf Index, RFC 6962 Path;
// the leaf is SHA-256 of JWT) and HolderSig, the signature by the copy's
// cnf key of RegistryEvidenceMessage, which binds it to this transition.
type RegistryEvidence struct {
	JWT       string   `json:"jwt"`
	Anchor    uint64   `json:"anchor"`
	Index     uint64   `json:"index"`
	Path      []Hash32 `json:"path"`
	HolderSig HexBytes `json:"holder_sig"`
}

func (e *RegistryEvidence) validateBasic() error {
	var errs []error
	if e.JWT == "" || len(e.JWT) > MaxRegistryJWT || strings.Count(e.JWT, ".") != 2 {
		errs = append(errs, fmt.Errorf("jwt: want an issuer-signed JWT (three dot-separated parts, at most %d bytes)", MaxRegistryJWT))
	}
	if e.Anchor == 0 {
		errs = append(errs, errors.New("anchor: want a credentials anchor id"))
	}
	if len(e.Path) > MaxRegistryPath {
		errs = append(errs, fmt.Errorf("path: %d hashes, want at most %d", len(e.Path), MaxRegistryPath))
	}
	if len(e.HolderSig) != 64 {
		errs = append(errs, fmt.Errorf("holder_sig: %d bytes, want a 64-byte Ed25519 signature", len(e.HolderSig)))
	}
	return errors.Join(errs...)
}

const registryEvidenceDomain = "citychain/registry/evidence/v1\x00"

// RegistryEvidenceMessage is what a credential's holder key signs to
// present it to a transition: "citychain/registry/evidence/v1" 0x00 chain
// id 0x00 registry 0x00 record id (decimal) 0x00 record version (decimal)
// 0x00 transition 0x00 the transaction signer's address (40 hex) 0x00
// SHA-256 of the JWT (64 hex). Evidence made for another record, version,
// transition or signer does not verify.
func RegistryEvidenceMessage(chainID, registry string, id, version uint64, transition string, signer Address, jwt string) []byte {
	leaf := sha256.Sum256([]byte(jwt))
	var b bytes.Buffer
	b.WriteString(registryEvidenceDomain)
	for _, s := range []string{chainID, registry, strconv.FormatUint(id, 10), strconv.FormatUint(version, 10), transition, signer.String()} {
		b.WriteString(s)
		b.WriteByte(0)
	}
	b.WriteString(Hash32(leaf).String())
	return b.Bytes()
}

// VerifyRegistryEvidence reports whether sig is holder's signature of msg
// (ZIP-215, edge/signature).
func VerifyRegistryEvidence(holder, msg, sig []byte) bool { return signature.Verify(holder, msg, sig) }

// RegistryMsgs is the registry module's part of the transaction contract.
var RegistryMsgs = ModuleMsgs{
	Module: "registry",
	Roles:  []string{RoleRegistryAgency},
	Msgs: []MsgDef{
		{TypeRegistryPropose, func() Msg { return &MsgRegistryPropose{} }, RoleRegistryAgency + " (the owner, for a new version)"},
		{TypeRegistryEnable, func() Msg { return &MsgRegistryEnable{} }, SignerAuthorities},
		{TypeRegistryGrant, func() Msg { return &MsgRegistryGrant{} }, "the registry's owner, or a holder of a delegable grant of the role"},
		{TypeRegistryRevoke, func() Msg { return &MsgRegistryRevoke{} }, "the registry's owner or the grant's granter"},
		{TypeRegistryCreate, func() Msg { return &MsgRegistryCreate{} }, "a holder of one of the registry's create_roles"},
		{TypeRegistryTransition, func() Msg { return &MsgRegistryTransition{} }, "a holder of one of the transition's roles"},
	},
}

// CodespaceRegistry is the codespace of the registry module's result codes.
const CodespaceRegistry = "registry"

// Result codes of the registry module (see Code). Frozen: a released code
// never changes meaning. Codes 10 to 18 name the part of a refused
// definition (RegistryDefCode).
var (
	CodeRegistryNotAgency         = Code{CodespaceRegistry, 2}  // signer lacks the registry_agency role
	CodeRegistryInvalidGenesis    = Code{CodespaceRegistry, 3}  // invalid registry genesis
	CodeRegistryUnknown           = Code{CodespaceRegistry, 4}  // unknown (or not enabled) registry
	CodeRegistryNotOwner          = Code{CodespaceRegistry, 5}  // signer is not the registry's owner
	CodeRegistryUnknownProposal   = Code{CodespaceRegistry, 6}  // no proposed definition with that id and name
	CodeRegistryVersion           = Code{CodespaceRegistry, 7}  // version not after the enabled one
	CodeRegistryIncompatible      = Code{CodespaceRegistry, 8}  // a minor version's schema does more than add optional properties
	CodeRegistryProposalExists    = Code{CodespaceRegistry, 9}  // the same definition is already proposed or enabled
	CodeRegistryInvalidName       = Code{CodespaceRegistry, 10} // definition: name, title or description
	CodeRegistryInvalidVersion    = Code{CodespaceRegistry, 11} // definition: version
	CodeRegistryInvalidSchema     = Code{CodespaceRegistry, 12} // definition: schema outside the profile (a float, a lookahead...)
	CodeRegistryInvalidPrivacy    = Code{CodespaceRegistry, 13} // definition: privacy class
	CodeRegistryInvalidRoles      = Code{CodespaceRegistry, 14} // definition: roles or create_roles
	CodeRegistryInvalidStates     = Code{CodespaceRegistry, 15} // definition: states, initial or deadlines
	CodeRegistryInvalidTrans      = Code{CodespaceRegistry, 16} // definition: transitions (unknown state, role, patch field, predicate)
	CodeRegistryInvalidIndexes    = Code{CodespaceRegistry, 17} // definition: indexes
	CodeRegistryInvalidLimits     = Code{CodespaceRegistry, 18} // definition: limits
	CodeRegistryUnknownRole       = Code{CodespaceRegistry, 19} // the registry declares no such role
	CodeRegistryNotGranter        = Code{CodespaceRegistry, 20} // signer may not grant (or revoke) the role
	CodeRegistryNoGrant           = Code{CodespaceRegistry, 21} // no such grant
	CodeRegistryBadExpiry         = Code{CodespaceRegistry, 22} // expiry past, or after the granter's own
	CodeRegistryUnauthorized      = Code{CodespaceRegistry, 23} // signer holds none of the roles the action needs (or its grant expired)
	CodeRegistryInvalidRecord     = Code{CodespaceRegistry, 24} // record data breaks the schema (or is not profile JSON)
	CodeRegistryTooLarge          = Code{CodespaceRegistry, 25} // record larger than the registry's max_record_bytes
	CodeRegistryFull              = Code{CodespaceRegistry, 26} // registry holds max_records records
	CodeRegistryPrivacy           = Code{CodespaceRegistry, 27} // digest or uri missing, or sent to a class that keeps none
	CodeRegistryUnknownRecord     = Code{CodespaceRegistry, 28} // unknown record
	CodeRegistryUnknownTrans      = Code{CodespaceRegistry, 29} // the registry has no such transition
	CodeRegistryWrongState        = Code{CodespaceRegistry, 30} // record not in a state the transition leaves from
	CodeRegistryStaleVersion      = Code{CodespaceRegistry, 31} // record moved since the version the signer named
	CodeRegistryAlreadyApproved   = Code{CodespaceRegistry, 32} // signer already approved this transition of this version
	CodeRegistryPredicate         = Code{CodespaceRegistry, 33} // a transition's predicate does not hold
	CodeRegistryBadEvidence       = Code{CodespaceRegistry, 34} // credential evidence does not verify
	CodeRegistryBadPatch          = Code{CodespaceRegistry, 35} // patch sets a property the transition may not, or is not an object
	CodeRegistryDelegationTooDeep = Code{CodespaceRegistry, 36} // a delegated grant further than MaxRegistryDelegation from the owner
	CodeRegistryNotAuthority      = Code{CodespaceRegistry, 37} // registry/enable sent by an account that is not an authority
	CodeRegistryMalformedDef      = Code{CodespaceRegistry, 38} // definition text is not a RegistryDef's JSON (syntax, unknown field, wrong type)
)

// RegistryDefCode is the result code of a definition refused for part.
func RegistryDefCode(part string) Code {
	switch part {
	case RegistryPartName:
		return CodeRegistryInvalidName
	case RegistryPartVersion:
		return CodeRegistryInvalidVersion
	case RegistryPartSchema:
		return CodeRegistryInvalidSchema
	case RegistryPartPrivacy:
		return CodeRegistryInvalidPrivacy
	case RegistryPartRoles:
		return CodeRegistryInvalidRoles
	case RegistryPartStates:
		return CodeRegistryInvalidStates
	case RegistryPartTransitions:
		return CodeRegistryInvalidTrans
	case RegistryPartIndexes:
		return CodeRegistryInvalidIndexes
	default:
		return CodeRegistryInvalidLimits
	}
}

// Query types of the registry module.

// Registry is an enabled registry as the chain keeps it.
type Registry struct {
	Name  string  `json:"name"`
	Owner Address `json:"owner"`
	// Def is the enabled definition; DefID its id; SchemaID its schema's.
	Def      RegistryDef `json:"def"`
	DefID    Hash32      `json:"def_id"`
	SchemaID string      `json:"schema_id"`
	Enabled  int64       `json:"enabled_height"`
	// Versions lists every enabled version, oldest first.
	Versions []RegistryVersionInfo `json:"versions"`
}

// RegistryCount is how many records a registry holds (ids run from 1 to
// Records) and how many are in each state, in the definition's state
// order.
type RegistryCount struct {
	Registry string          `json:"registry"`
	Records  uint64          `json:"records"`
	States   []RegistryTally `json:"states"`
}

// RegistryTally is the number of records in one state.
type RegistryTally struct {
	State   string `json:"state"`
	Records uint64 `json:"records"`
}

// RegistryVersionInfo is one enabled version of a registry.
type RegistryVersionInfo struct {
	Version  string `json:"version"`
	DefID    Hash32 `json:"def_id"`
	SchemaID string `json:"schema_id"`
	Height   int64  `json:"height"`
}

// RegistryProposal is a proposed definition awaiting the authorities.
type RegistryProposal struct {
	ID       Hash32      `json:"id"`
	Proposer Address     `json:"proposer"`
	Def      RegistryDef `json:"def"`
	Height   int64       `json:"height"`
}

// RegistryRecord is a record. Data is its canonical JSON (every class
// keeps the schema-checked part); Digest and URI are the off-chain
// document's, for the hash and pointer classes. Schema is the id of the
// schema the data was last written under; Version counts its changes
// (1 at creation).
type RegistryRecord struct {
	Registry   string          `json:"registry"`
	ID         uint64          `json:"id"`
	Schema     string          `json:"schema"`
	State      string          `json:"state"`
	Data       json.RawMessage `json:"data"`
	Digest     *Hash32         `json:"digest,omitempty"`
	URI        string          `json:"uri,omitempty"`
	Creator    Address         `json:"creator"`
	Created    int64           `json:"created_height"`
	CreatedAt  time.Time       `json:"created_at"`
	StateSince time.Time       `json:"state_since"`
	Version    uint64          `json:"version"`
}

// RegistryStep is one entry of a record's history: the transition (or
// "create", or "deadline" for a move by a state's deadline), the states,
// the accounts whose approvals ran it, and when.
type RegistryStep struct {
	Version    uint64    `json:"version"`
	Transition string    `json:"transition"`
	From       string    `json:"from,omitempty"`
	To         string    `json:"to"`
	Signers    []Address `json:"signers,omitempty"`
	Schema     string    `json:"schema"`
	Height     int64     `json:"height"`
	Time       time.Time `json:"time"`
}

// RegistryGrant is a grant of one of a registry's roles.
type RegistryGrant struct {
	Registry  string  `json:"registry"`
	Role      string  `json:"role"`
	Grantee   Address `json:"grantee"`
	Granter   Address `json:"granter"`
	Expires   int64   `json:"expires,omitempty"`
	Delegable bool    `json:"delegable,omitempty"`
	// Depth is 1 for a grant from the owner, one more per delegation.
	Depth  uint32 `json:"depth"`
	Height int64  `json:"height"`
}

// RegistryApproval is a pending approval of a k-of-n transition.
type RegistryApproval struct {
	Registry   string    `json:"registry"`
	ID         uint64    `json:"id"`
	Version    uint64    `json:"version"`
	Transition string    `json:"transition"`
	PatchHash  Hash32    `json:"patch_hash"`
	Signers    []Address `json:"signers"`
	Needed     uint32    `json:"needed"`
}

// RegistryRequest names a registry.
type RegistryRequest struct {
	Name string `json:"name"`
}

// RegistryRecordRequest names a record.
type RegistryRecordRequest struct {
	Registry string `json:"registry"`
	ID       uint64 `json:"id"`
}

// RegistryRecordsRequest pages a registry's records by id, optionally those
// in State only.
type RegistryRecordsRequest struct {
	Registry string `json:"registry"`
	State    string `json:"state,omitempty"`
	After    uint64 `json:"after,omitempty"`
	Limit    uint64 `json:"limit,omitempty"`
}

// RegistryIndexRequest pages the ids of the records whose indexed Field is
// Value (an integer as its decimal form).
type RegistryIndexRequest struct {
	Registry string `json:"registry"`
	Field    string `json:"field"`
	Value    string `json:"value"`
	After    uint64 `json:"after,omitempty"`
	Limit    uint64 `json:"limit,omitempty"`
}

// RegistryIndexEntryRequest asks whether record ID is indexed under
// Field = Value (provable present or absent).
type RegistryIndexEntryRequest struct {
	Registry string `json:"registry"`
	Field    string `json:"field"`
	Value    string `json:"value"`
	ID       uint64 `json:"id"`
}

// RegistryGrantRequest names one grant.
type RegistryGrantRequest struct {
	Registry string  `json:"registry"`
	Role     string  `json:"role"`
	Grantee  Address `json:"grantee"`
}

// RegistryPageRequest pages a registry's grants (cursor: "role/grantee") or
// the registries (cursor: a name).
type RegistryPageRequest struct {
	Registry string `json:"registry,omitempty"`
	After    string `json:"after,omitempty"`
	Limit    uint64 `json:"limit,omitempty"`
}

// RegistryPage is a page of registries.
type RegistryPage struct {
	Registries []Registry `json:"registries"`
	Next       string     `json:"next,omitempty"`
}

// RegistryRecordPage is a page of records.
type RegistryRecordPage struct {
	Records []RegistryRecord `json:"records"`
	Next    uint64           `json:"next,omitempty"`
}

// RegistryIDPage is a page of record ids.
type RegistryIDPage struct {
	IDs  []uint64 `json:"ids"`
	Next uint64   `json:"next,omitempty"`
}

// RegistryGrantPage is a page of grants.
type RegistryGrantPage struct {
	Grants []RegistryGrant `json:"grants"`
	Next   string          `json:"next,omitempty"`
}

// RegistryProposalPage lists the pending proposals.
type RegistryProposalPage struct {
	Proposals []RegistryProposal `json:"proposals"`
	Next      string             `json:"next,omitempty"`
}
