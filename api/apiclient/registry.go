package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The registry module: registries an agency defines as data (a record
// schema, roles, states and transitions) and the authorities enable. One
// generic client serves every registry, whatever its definition:
//
//	pets := c.Registry("pet_registration")
//	def, err := pets.Def(ctx, false)                 // the enabled definition
//	v, err := pets.Validate(ctx, data)               // v.Valid, or v.Path and v.Error
//	page, err := pets.Records(ctx, apiclient.RecordsQuery{State: "registered"})
//	rec, err := pets.Record(ctx, 7, true)            // rec.Proof.Verified
//	ids, err := pets.Index(ctx, "microchip_id", "410123456789012", apiclient.IndexQuery{})
//	doc, err := pets.OpenAPI(ctx)                    // OpenAPI 3.1 of the registry
//
// Records are written by signed transactions (registry/create,
// registry/transition) through Submit.

// AfterPage is one page of a list in key order: NextAfter (the same page
// as NextCursor) is where the next page starts.
type AfterPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
	NextAfter  string `json:"next_after,omitempty"`
}

// Registry is an enabled registry: its owner (who grants its roles), the
// enabled definition, its id and its schema's, the height it was enabled
// at and every enabled version, oldest first.
type Registry struct {
	Name          string            `json:"name"`
	Owner         string            `json:"owner"`
	Def           RegistryDef       `json:"def"`
	DefID         string            `json:"def_id"`
	SchemaID      string            `json:"schema_id"`
	EnabledHeight int64             `json:"enabled_height"`
	Versions      []RegistryVersion `json:"versions"`
}

// RegistryVersion is one enabled version of a registry.
type RegistryVersion struct {
	Version  string `json:"version"`
	DefID    string `json:"def_id"`
	SchemaID string `json:"schema_id"`
	Height   int64  `json:"height"`
}

// RegistryDef is a registry's definition (chain/tx.RegistryDef): Schema
// is the record schema (JSON Schema 2020-12 in the chain's profile).
type RegistryDef struct {
	Name        string               `json:"name"`
	Version     string               `json:"version"`
	Title       string               `json:"title"`
	Description string               `json:"description,omitempty"`
	Schema      json.RawMessage      `json:"schema"`
	Privacy     string               `json:"privacy"`
	Roles       []RegistryRole       `json:"roles"`
	CreateRoles []string             `json:"create_roles"`
	Initial     string               `json:"initial"`
	States      []RegistryState      `json:"states"`
	Transitions []RegistryTransition `json:"transitions"`
	Indexes     []string             `json:"indexes,omitempty"`
	Limits      RegistryLimits       `json:"limits"`
}

// RegistryRole is one of a registry's roles.
type RegistryRole struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// RegistryState is a record state; a deadline moves a record that stays
// in it to another state with no transaction.
type RegistryState struct {
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Final       bool              `json:"final,omitempty"`
	Deadline    *RegistryDeadline `json:"deadline,omitempty"`
}

// RegistryDeadline moves a record To another state after AfterDays days
// or AfterSeconds seconds in the state.
type RegistryDeadline struct {
	AfterDays    uint32 `json:"after_days,omitempty"`
	AfterSeconds uint64 `json:"after_seconds,omitempty"`
	To           string `json:"to"`
}

// RegistryTransition moves a record From one of its states To another
// when Approvals (default 1) holders of Roles sent it for the same record
// version; it may set the Patch properties and Requires predicates.
type RegistryTransition struct {
	Name      string              `json:"name"`
	From      []string            `json:"from"`
	To        string              `json:"to"`
	Roles     []string            `json:"roles"`
	Approvals uint32              `json:"approvals,omitempty"`
	Patch     []string            `json:"patch,omitempty"`
	Requires  []RegistryPredicate `json:"requires,omitempty"`
}

// RegistryPredicate is a transition's guard over other modules: a
// credential of a schema, or another registry's record in a state.
type RegistryPredicate struct {
	Credential *CredentialPredicate `json:"credential,omitempty"`
	Record     *RecordPredicate     `json:"record,omitempty"`
}

// CredentialPredicate requires evidence of a credential of Schema.
type CredentialPredicate struct {
	Schema string `json:"schema"`
}

// RecordPredicate requires the record of Registry whose id is in this
// record's integer property Field to be in one of States.
type RecordPredicate struct {
	Registry string   `json:"registry"`
	Field    string   `json:"field"`
	States   []string `json:"states"`
}

// RegistryLimits bound a record's canonical size and the registry's
// record count.
type RegistryLimits struct {
	MaxRecordBytes uint32 `json:"max_record_bytes"`
	MaxRecords     uint64 `json:"max_records"`
}

// RegistryProposal is a definition awaiting the authorities.
type RegistryProposal struct {
	ID       string      `json:"id"`
	Proposer string      `json:"proposer"`
	Def      RegistryDef `json:"def"`
	Height   int64       `json:"height"`
}

// RegistryRecord is a record: Data its canonical JSON, Schema the id of
// the schema it was written under, Version its change count (1 at
// creation); Digest and URI the off-chain document's (hash and pointer
// privacy classes).
type RegistryRecord struct {
	Registry      string          `json:"registry"`
	ID            uint64          `json:"id"`
	Schema        string          `json:"schema"`
	State         string          `json:"state"`
	Data          json.RawMessage `json:"data"`
	Digest        string          `json:"digest,omitempty"`
	URI           string          `json:"uri,omitempty"`
	Creator       string          `json:"creator"`
	CreatedHeight int64           `json:"created_height"`
	CreatedAt     time.Time       `json:"created_at"`
	StateSince    time.Time       `json:"state_since"`
	Version       uint64          `json:"version"`
}

// RegistryStep is one step of a record's history: "create", "deadline"
// or a transition, with the accounts whose approvals ran it.
type RegistryStep struct {
	Version    uint64    `json:"version"`
	Transition string    `json:"transition"`
	From       string    `json:"from,omitempty"`
	To         string    `json:"to"`
	Signers    []string  `json:"signers,omitempty"`
	Schema     string    `json:"schema"`
	Height     int64     `json:"height"`
	Time       time.Time `json:"time"`
}

// RegistryApproval is a pending approval of a k-of-n transition.
type RegistryApproval struct {
	Registry   string   `json:"registry"`
	ID         uint64   `json:"id"`
	Version    uint64   `json:"version"`
	Transition string   `json:"transition"`
	PatchHash  string   `json:"patch_hash"`
	Signers    []string `json:"signers"`
	Needed     uint32   `json:"needed"`
}

// RegistryGrant is a grant of one of a registry's roles.
type RegistryGrant struct {
	Registry  string `json:"registry"`
	Role      string `json:"role"`
	Grantee   string `json:"grantee"`
	Granter   string `json:"granter"`
	Expires   int64  `json:"expires,omitempty"`
	Delegable bool   `json:"delegable,omitempty"`
	Depth     uint32 `json:"depth"`
	Height    int64  `json:"height"`
}

// RegistryCount is how many records a registry holds, in all and per
// state (in the definition's order).
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

// RegistryIndexEntry is whether record ID is indexed under Field = Value.
type RegistryIndexEntry struct {
	Registry string `json:"registry"`
	Field    string `json:"field"`
	Value    string `json:"value"`
	ID       uint64 `json:"id"`
	Present  bool   `json:"present"`
}

// RegistryValidation is a dry run of a record: Valid with the record's
// canonical form (as the chain would store it) and size, or the JSON
// pointer Path of the first fault ("" for the whole record), Error, and
// the code the chain would refuse it with.
type RegistryValidation struct {
	Valid     bool            `json:"valid"`
	Registry  string          `json:"registry"`
	SchemaID  string          `json:"schema_id"`
	Canonical json.RawMessage `json:"canonical,omitempty"`
	Bytes     int             `json:"bytes,omitempty"`
	Path      string          `json:"path,omitempty"`
	Error     string          `json:"error,omitempty"`
	Codespace string          `json:"codespace,omitempty"`
	Code      uint32          `json:"code,omitempty"`
}

// RegistryClient reads one registry. Its methods answer an unknown
// registry or record with a 404 *Problem.
type RegistryClient struct {
	c    *Client
	name string
	base string
}

// Registry returns the client of the registry name.
func (c *Client) Registry(name string) *RegistryClient {
	return &RegistryClient{c: c, name: name, base: "/v1/registries/" + url.PathEscape(name)}
}

// Name is the registry's name.
func (r *RegistryClient) Name() string { return r.name }

// pageQuery is "?after=...&cursor=...&limit=..." with the set ones.
func pageQuery(q url.Values, after, cursor string, limit int) string {
	if after != "" {
		q.Set("after", after)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

func afterID(n uint64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatUint(n, 10)
}

// Def reads the registry: owner, enabled definition, ids and versions.
func (r *RegistryClient) Def(ctx context.Context, prove bool) (*State[Registry], error) {
	var s State[Registry]
	if err := r.c.get(ctx, r.base+proveQ(prove), &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Count reads how many records the registry holds, in all and per state.
func (r *RegistryClient) Count(ctx context.Context) (*RegistryCount, error) {
	var n RegistryCount
	if err := r.c.get(ctx, r.base+"/count", &n); err != nil {
		return nil, err
	}
	return &n, nil
}

// RecordsQuery selects a page of records: those in State ("" all), after
// record id After or from the Cursor of a previous page, Limit of them (0:
// the server's default).
type RecordsQuery struct {
	State  string
	After  uint64
	Cursor string
	Limit  int
}

// Records reads a page of records in id order.
func (r *RegistryClient) Records(ctx context.Context, q RecordsQuery) (*AfterPage[RegistryRecord], error) {
	v := url.Values{}
	if q.State != "" {
		v.Set("state", q.State)
	}
	var p AfterPage[RegistryRecord]
	if err := r.c.get(ctx, r.base+"/records"+pageQuery(v, afterID(q.After), q.Cursor, q.Limit), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Record reads one record.
func (r *RegistryClient) Record(ctx context.Context, id uint64, prove bool) (*State[RegistryRecord], error) {
	var s State[RegistryRecord]
	if err := r.c.get(ctx, fmt.Sprintf("%s/records/%d%s", r.base, id, proveQ(prove)), &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// History reads a record's history, oldest step first.
func (r *RegistryClient) History(ctx context.Context, id uint64) ([]RegistryStep, error) {
	var h struct {
		History []RegistryStep `json:"history"`
	}
	if err := r.c.get(ctx, fmt.Sprintf("%s/records/%d/history", r.base, id), &h); err != nil {
		return nil, err
	}
	return h.History, nil
}

// Approvals reads a record's pending approvals of k-of-n transitions.
func (r *RegistryClient) Approvals(ctx context.Context, id uint64) ([]RegistryApproval, error) {
	var a struct {
		Approvals []RegistryApproval `json:"approvals"`
	}
	if err := r.c.get(ctx, fmt.Sprintf("%s/records/%d/approvals", r.base, id), &a); err != nil {
		return nil, err
	}
	return a.Approvals, nil
}

// IndexQuery pages an index: after record id After or from the Cursor of
// a previous page, Limit ids (0: the server's default).
type IndexQuery struct {
	After  uint64
	Cursor string
	Limit  int
}

func (r *RegistryClient) indexPath(field, value string) string {
	return r.base + "/index/" + url.PathEscape(field) + "/" + url.PathEscape(value)
}

// Index reads a page of the ids of the records whose indexed field has
// value (an integer in decimal), in id order.
func (r *RegistryClient) Index(ctx context.Context, field, value string, q IndexQuery) (*AfterPage[uint64], error) {
	var p AfterPage[uint64]
	if err := r.c.get(ctx, r.indexPath(field, value)+pageQuery(url.Values{}, afterID(q.After), q.Cursor, q.Limit), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// IndexEntry reads whether record id is indexed under field = value; with
// prove, the proof proves the entry or its absence.
func (r *RegistryClient) IndexEntry(ctx context.Context, field, value string, id uint64, prove bool) (*State[RegistryIndexEntry], error) {
	var s State[RegistryIndexEntry]
	if err := r.c.get(ctx, fmt.Sprintf("%s/%d%s", r.indexPath(field, value), id, proveQ(prove)), &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Grants reads a page of the registry's grants in (role, grantee) order:
// after is "role/grantee" (a page's NextAfter), cursor a page's
// NextCursor (one or the other), limit the page size (0: the server's
// default).
func (r *RegistryClient) Grants(ctx context.Context, after, cursor string, limit int) (*AfterPage[RegistryGrant], error) {
	var p AfterPage[RegistryGrant]
	if err := r.c.get(ctx, r.base+"/grants"+pageQuery(url.Values{}, after, cursor, limit), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Grant reads grantee's grant of role (a 404 when it holds none, without
// prove). A stored grant may have expired or hang from one that did.
func (r *RegistryClient) Grant(ctx context.Context, role, grantee string, prove bool) (*State[RegistryGrant], error) {
	var s State[RegistryGrant]
	if err := r.c.get(ctx, r.base+"/grants/"+url.PathEscape(role)+"/"+url.PathEscape(grantee)+proveQ(prove), &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// OpenAPI reads the OpenAPI 3.1 document generated from the registry's
// enabled definition: its routes, the record schema
// (components.schemas.<Name>Record) and the bodies of the messages that
// write records.
func (r *RegistryClient) OpenAPI(ctx context.Context) (json.RawMessage, error) {
	var doc json.RawMessage
	if err := r.c.get(ctx, r.base+"/openapi.json", &doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// Validate checks data (a record: JSON bytes, or any value encoding/json
// marshals) as the chain would check a registry/create, storing nothing.
// An invalid record is not an error: the answer says Valid false, where
// (Path) and why. Errors are a request the server refused (a 404 for an
// unknown registry) or could not answer.
func (r *RegistryClient) Validate(ctx context.Context, data any) (*RegistryValidation, error) {
	raw, ok := data.(json.RawMessage)
	if b, isBytes := data.([]byte); isBytes {
		raw, ok = b, true
	}
	if !ok {
		var err error
		if raw, err = json.Marshal(data); err != nil {
			return nil, fmt.Errorf("validate: encode the record: %w", err)
		}
	}
	body, err := json.Marshal(struct {
		Data json.RawMessage `json:"data"`
	}{raw})
	if err != nil {
		return nil, fmt.Errorf("validate: the record is not JSON: %w", err)
	}
	path := r.base + "/validate"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if r.c.key != "" {
		req.Header.Set("Authorization", "Bearer "+r.c.key)
	}
	res, err := r.c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("POST %s: %w", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("POST %s: %w", path, err)
	}
	switch res.StatusCode {
	case http.StatusOK, http.StatusUnprocessableEntity:
		var v RegistryValidation
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("POST %s: decode answer: %w", path, err)
		}
		return &v, nil
	}
	p := &Problem{Status: res.StatusCode, Title: res.Status}
	_ = json.Unmarshal(b, p)
	if ra := res.Header.Get("Retry-After"); ra != "" {
		if secs, err := strconv.Atoi(ra); err == nil {
			p.RetryAfter = time.Duration(secs) * time.Second
		}
	}
	return nil, p
}

// Registries reads a page of the enabled registries in name order: after
// is a name (a page's NextAfter), cursor a page's NextCursor, limit the
// page size (0: the server's default).
func (c *Client) Registries(ctx context.Context, after, cursor string, limit int) (*AfterPage[Registry], error) {
	var p AfterPage[Registry]
	if err := c.get(ctx, "/v1/registries"+pageQuery(url.Values{}, after, cursor, limit), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// RegistryProposals reads a page of the definitions awaiting the
// authorities, in id order.
func (c *Client) RegistryProposals(ctx context.Context, after, cursor string, limit int) (*AfterPage[RegistryProposal], error) {
	var p AfterPage[RegistryProposal]
	if err := c.get(ctx, "/v1/registry/proposals"+pageQuery(url.Values{}, after, cursor, limit), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// RegistryProposal reads a proposed definition by its id (64 hex).
func (c *Client) RegistryProposal(ctx context.Context, id string, prove bool) (*State[RegistryProposal], error) {
	var s State[RegistryProposal]
	if err := c.get(ctx, "/v1/registry/proposals/"+url.PathEscape(id)+proveQ(prove), &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// RegistrySchema reads a record schema by its content id: its canonical
// JSON, whose SHA-256 is the id.
func (c *Client) RegistrySchema(ctx context.Context, id string, prove bool) (*State[json.RawMessage], error) {
	var s State[json.RawMessage]
	if err := c.get(ctx, "/v1/registry/schemas/"+url.PathEscape(id)+proveQ(prove), &s); err != nil {
		return nil, err
	}
	return &s, nil
}
