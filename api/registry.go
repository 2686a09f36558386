package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/regschema"
	"github.com/citychain/citychain/chain/tx"
)

// The registry module's reads (chain/internal/registry/query.go):
// registries defined as data, their proposals and content-addressed
// schemas, records with their histories and pending approvals, indexes
// and role grants. Stored values are relayed as the chain wrote them; the
// lists are the chain's pages. Two routes are the API's own, for forms:
// GET /v1/registries/{name}/openapi.json, an OpenAPI 3.1 document
// generated from the registry's enabled definition, and POST
// /v1/registries/{name}/validate, a dry run of a record against the
// registry's current schema (the checks the chain makes when the record
// is created, nothing stored). Writes are signed transactions (POST
// /v1/txs).

const (
	registryNameExpected = "a registry name: 1 to 32 characters of a-z 0-9 _, starting with a letter"
	registryRoleExpected = "a role name: 1 to 32 characters of a-z 0-9 _, starting with a letter"
	registryIDExpected   = "a record id: a decimal integer from 1"
	registryHexExpected  = "64 lowercase hex characters (a SHA-256)"
	// maxRegistryValidateBody bounds a validate request: the record's
	// data may be at most 2·MaxRegistryRecordBytes before
	// canonicalisation, as in registry/create.
	maxRegistryValidateBody = 2*tx.MaxRegistryRecordBytes + 1024
	// maxIndexValue bounds an index value in a path.
	maxIndexValue = 4096
)

// RegistryHistory is a record's history, oldest step first: its creation,
// each transition with the accounts whose approvals ran it, each move by a
// deadline.
type RegistryHistory struct {
	Registry string            `json:"registry"`
	ID       uint64            `json:"id"`
	History  []tx.RegistryStep `json:"history"`
}

// RegistryApprovals are a record's pending approvals of k-of-n
// transitions: who approved which transition of which version, and how
// many it needs.
type RegistryApprovals struct {
	Registry  string                `json:"registry"`
	ID        uint64                `json:"id"`
	Approvals []tx.RegistryApproval `json:"approvals"`
}

// RegistryIndexEntry is whether record ID is indexed under Field =
// Value. With prove=true the proof proves the entry or its absence.
type RegistryIndexEntry struct {
	Registry string `json:"registry"`
	Field    string `json:"field"`
	Value    string `json:"value"`
	ID       uint64 `json:"id"`
	Present  bool   `json:"present"`
}

// RegistryValidation is the answer of POST /v1/registries/{name}/validate.
// Valid: SchemaID is the registry's current schema, Canonical the data as
// the chain would store it (RFC 8785; the answer is not indented, so these
// are the very bytes), Bytes its size. Invalid (a 422 problem document
// with these members, and the codespace and code the chain would refuse
// the registry/create with): Path is the JSON pointer of the first fault
// in the data ("" for the whole record), Error says what is wrong.
type RegistryValidation struct {
	Valid     bool            `json:"valid"`
	Registry  string          `json:"registry"`
	SchemaID  string          `json:"schema_id"`
	Canonical json.RawMessage `json:"canonical,omitempty"`
	Bytes     int             `json:"bytes,omitempty"`
	Path      *string         `json:"path,omitempty"`
	Error     string          `json:"error,omitempty"`
}

// registryInvalid is the 422 answer of validate: a problem document that
// carries the validation's members.
type registryInvalid struct {
	Problem
	Valid    bool   `json:"valid"`
	Registry string `json:"registry"`
	SchemaID string `json:"schema_id"`
	Path     string `json:"path"`
	Error    string `json:"error"`
}

// RegistryValidateRequest is the body of POST /v1/registries/{name}/validate.
type RegistryValidateRequest struct {
	Data json.RawMessage `json:"data"`
}

func pathRegistry(r *http.Request) (string, error) {
	name := r.PathValue("name")
	if err := tx.ValidateRegistryName("name", name); err != nil {
		return "", badField("name", registryNameExpected, "%v", err)
	}
	return name, nil
}

// pathRecord reads {name} and {id}.
func pathRecord(r *http.Request) (string, uint64, error) {
	name, err := pathRegistry(r)
	if err != nil {
		return "", 0, err
	}
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil || id == 0 {
		return "", 0, badField("id", registryIDExpected, "record id %q: want a decimal integer from 1 (ids start at 1)", r.PathValue("id"))
	}
	return name, id, nil
}

// pathIndex reads {name}, {field} and {value}.
func pathIndex(r *http.Request) (tx.RegistryIndexRequest, error) {
	name, err := pathRegistry(r)
	if err != nil {
		return tx.RegistryIndexRequest{}, err
	}
	field := r.PathValue("field")
	if err := tx.ValidateRegistryName("field", field); err != nil {
		return tx.RegistryIndexRequest{}, badField("field", "an indexed property of the registry's schema (the definition's indexes)", "%v", err)
	}
	value := r.PathValue("value")
	if value == "" || len(value) > maxIndexValue {
		return tx.RegistryIndexRequest{}, badField("value", fmt.Sprintf("the indexed value: a string of 1 to %d bytes, an integer in decimal", maxIndexValue),
			"index value of %d bytes", len(value))
	}
	return tx.RegistryIndexRequest{Registry: name, Field: field, Value: value}, nil
}

func validHex32(s string) error {
	_, err := tx.ParseHash32(s)
	return err
}

func validRegistryName(s string) error { return tx.ValidateRegistryName("registry", s) }

// validGrantCursor accepts "role/grantee", the next_after of a grants
// page.
func validGrantCursor(s string) error {
	role, grantee, ok := strings.Cut(s, "/")
	if !ok {
		return fmt.Errorf("%q: want role/grantee", s)
	}
	if err := tx.ValidateRegistryName("role", role); err != nil {
		return err
	}
	_, err := tx.ParseAddress(grantee)
	return err
}

// registryPage reads ?after= (or ?cursor=), checked by valid, and ?limit=
// of a registry list.
func registryPage(r *http.Request, expected string, valid func(string) error) (string, uint64, error) {
	after, err := afterParam(r, expected, valid)
	if err != nil {
		return "", 0, err
	}
	limit, err := limitParam(r, tx.DefaultListLimit, tx.MaxListLimit)
	if err != nil {
		return "", 0, err
	}
	return after, uint64(limit), nil
}

// registryIDPage reads the ?after= id (or ?cursor=) and ?limit= of a list
// in record id order.
func registryIDPage(r *http.Request) (uint64, uint64, error) {
	after, limit, err := registryPage(r, "a record id (decimal)", func(s string) error {
		_, err := strconv.ParseUint(s, 10, 64)
		return err
	})
	if err != nil || after == "" {
		return 0, limit, err
	}
	n, _ := strconv.ParseUint(after, 10, 64)
	return n, limit, nil
}

func idNext(n uint64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatUint(n, 10)
}

// registryError answers a node error, an unknown registry or record as a
// 404.
func (s *Server) registryError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, tx.CodeRegistryUnknown):
		s.problem(w, r, http.StatusNotFound, "not found", fmt.Sprintf("registry %q is not enabled", r.PathValue("name")), nil)
	case errors.Is(err, tx.CodeRegistryUnknownRecord):
		s.problem(w, r, http.StatusNotFound, "not found", fmt.Sprintf("registry %q has no record %s", r.PathValue("name"), r.PathValue("id")), nil)
	default:
		s.nodeError(w, r, err)
	}
}

// registries lists the enabled registries in name order.
func (s *Server) registries(w http.ResponseWriter, r *http.Request) {
	after, limit, err := registryPage(r, registryNameExpected, validRegistryName)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.Registries(ctx, tx.RegistryPageRequest{After: after, Limit: limit}, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Registries, p.Next))
}

// registry is an enabled registry: owner, definition, def and schema ids,
// versions.
func (s *Server) registry(w http.ResponseWriter, r *http.Request) {
	name, err := pathRegistry(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.Registry(ctx, name, o)))
	})
}

// registryCount is how many records a registry holds, in all and per
// state.
func (s *Server) registryCount(w http.ResponseWriter, r *http.Request) {
	name, err := pathRegistry(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	n, err := s.node.RegistryCount(ctx, name, 0)
	if err != nil {
		s.registryError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, n)
}

// registryRecords lists a registry's records in id order, all or those in
// one state.
func (s *Server) registryRecords(w http.ResponseWriter, r *http.Request) {
	name, err := pathRegistry(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	state := r.URL.Query().Get("state")
	if state != "" {
		if err := tx.ValidateRegistryName("state", state); err != nil {
			s.badRequest(w, r, badField("state", "one of the registry's states", "%v", err))
			return
		}
	}
	after, limit, err := registryIDPage(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.RegistryRecords(ctx, tx.RegistryRecordsRequest{Registry: name, State: state, After: after, Limit: limit}, 0)
	if err != nil {
		s.registryError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Records, idNext(p.Next)))
}

// registryRecord is one record.
func (s *Server) registryRecord(w http.ResponseWriter, r *http.Request) {
	name, id, err := pathRecord(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.RegistryRecord(ctx, name, id, o)))
	})
}

// registryHistory is a record's history.
func (s *Server) registryHistory(w http.ResponseWriter, r *http.Request) {
	name, id, err := pathRecord(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	steps, err := s.node.RegistryHistory(ctx, name, id, 0)
	if err != nil {
		s.registryError(w, r, err)
		return
	}
	if steps == nil {
		steps = []tx.RegistryStep{}
	}
	writeJSON(w, http.StatusOK, RegistryHistory{Registry: name, ID: id, History: steps})
}

// registryApprovals are a record's pending approvals.
func (s *Server) registryApprovals(w http.ResponseWriter, r *http.Request) {
	name, id, err := pathRecord(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	as, err := s.node.RegistryApprovals(ctx, name, id, 0)
	if err != nil {
		s.registryError(w, r, err)
		return
	}
	if as == nil {
		as = []tx.RegistryApproval{}
	}
	writeJSON(w, http.StatusOK, RegistryApprovals{Registry: name, ID: id, Approvals: as})
}

// registryIndex lists the ids of the records whose indexed field has a
// value.
func (s *Server) registryIndex(w http.ResponseWriter, r *http.Request) {
	req, err := pathIndex(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	if req.After, req.Limit, err = registryIDPage(r); err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.RegistryIndex(ctx, req, 0)
	if err != nil {
		s.registryError(w, r, s.indexError(ctx, req, err))
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.IDs, idNext(p.Next)))
}

// indexError makes the node's refusal of an index query (a field the
// registry does not index, a value that is not an integer for an integer
// field) a 400 naming the parameter; other errors stay as they are.
func (s *Server) indexError(ctx context.Context, req tx.RegistryIndexRequest, err error) error {
	var qe *client.QueryError
	if !errors.As(err, &qe) || !tx.CodeAppBadQuery.Matches(qe.Codespace, qe.Code) {
		return err
	}
	reg, _, rerr := s.node.Registry(ctx, req.Registry, client.ReadOpts{})
	switch {
	case rerr != nil || reg == nil:
		return err
	case !slices.Contains(reg.Def.Indexes, req.Field):
		return badField("field", "one of the registry's indexed properties: "+strings.Join(reg.Def.Indexes, ", "),
			"registry %s indexes no property %q", req.Registry, req.Field)
	}
	return badField("value", "the indexed value: a string, or an integer in decimal for an integer property", "%s", qe.Log)
}

// registryIndexEntry answers whether a record is indexed under a value:
// never a 404, since "not indexed" is an answer (proven, with prove=true,
// by a proof of absence).
func (s *Server) registryIndexEntry(w http.ResponseWriter, r *http.Request) {
	req, err := pathIndex(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	_, id, err := pathRecord(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		e := tx.RegistryIndexEntryRequest{Registry: req.Registry, Field: req.Field, Value: req.Value, ID: id}
		present, res, err := s.node.RegistryIndexEntry(ctx, e, o)
		var qe *client.QueryError
		switch {
		case errors.As(err, &qe):
			return nil, nil, s.indexError(ctx, req, err)
		case err == nil && len(res.Key) > 0:
			return RegistryIndexEntry{Registry: e.Registry, Field: e.Field, Value: e.Value, ID: id, Present: present}, res, nil
		}
		// No key to prove (or no proof with prove=true): the node found no
		// registry of that name.
		if reg, _, rerr := s.node.Registry(ctx, req.Registry, client.ReadOpts{}); rerr == nil && reg == nil {
			return nil, nil, fmt.Errorf("%w: registry %q is not enabled", client.ErrNotFound, req.Registry)
		}
		if err == nil {
			err = fmt.Errorf("index entry %s/%s/%d: the node answered no key", req.Field, req.Value, id)
		}
		return nil, nil, err
	})
}

// registryGrants lists a registry's grants in (role, grantee) order.
func (s *Server) registryGrants(w http.ResponseWriter, r *http.Request) {
	name, err := pathRegistry(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	after, limit, err := registryPage(r, "role/grantee: the next_after of a previous page", validGrantCursor)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.RegistryGrants(ctx, tx.RegistryPageRequest{Registry: name, After: after, Limit: limit}, 0)
	if err != nil {
		s.registryError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Grants, p.Next))
}

// registryGrant is one grant of a registry's role.
func (s *Server) registryGrant(w http.ResponseWriter, r *http.Request) {
	name, err := pathRegistry(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	role := r.PathValue("role")
	if err := tx.ValidateRegistryName("role", role); err != nil {
		s.badRequest(w, r, badField("role", registryRoleExpected, "%v", err))
		return
	}
	grantee, err := tx.ParseAddress(r.PathValue("grantee"))
	if err != nil {
		s.badRequest(w, r, badField("grantee", "40 hex characters (a 20-byte account address)", "grantee %q: %v", r.PathValue("grantee"), err))
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.RegistryGrant(ctx, tx.RegistryGrantRequest{Registry: name, Role: role, Grantee: grantee}, o)))
	})
}

// registryProposals lists the definitions awaiting the authorities, in id
// order.
func (s *Server) registryProposals(w http.ResponseWriter, r *http.Request) {
	after, limit, err := registryPage(r, "a proposal id: "+registryHexExpected, validHex32)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.RegistryProposals(ctx, tx.RegistryPageRequest{After: after, Limit: limit}, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Proposals, p.Next))
}

// registryProposal is one proposed definition.
func (s *Server) registryProposal(w http.ResponseWriter, r *http.Request) {
	id, err := tx.ParseHash32(r.PathValue("id"))
	if err != nil {
		s.badRequest(w, r, badField("id", "a definition id: "+registryHexExpected, "id %q: %v", r.PathValue("id"), err))
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.RegistryProposal(ctx, id, o)))
	})
}

// registrySchema is a record schema by its content id, as stored (its
// canonical JSON, whose SHA-256 is the id).
func (s *Server) registrySchema(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := validHex32(id); err != nil {
		s.badRequest(w, r, badField("id", "a schema id: "+registryHexExpected, "id %q: %v", id, err))
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(s.node.RegistrySchema(ctx, id, o))
	})
}

// enabledRegistry reads the registry of the path's {name} and compiles its
// current schema; it answers the request itself (400, 404 or a node
// error) and returns nil when it cannot.
func (s *Server) enabledRegistry(w http.ResponseWriter, r *http.Request) (*tx.Registry, *regschema.Schema) {
	name, err := pathRegistry(r)
	if err != nil {
		s.badRequest(w, r, err)
		return nil, nil
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	reg, _, err := s.node.Registry(ctx, name, client.ReadOpts{})
	if err != nil {
		s.nodeError(w, r, err)
		return nil, nil
	}
	if reg == nil {
		s.problem(w, r, http.StatusNotFound, "not found", fmt.Sprintf("registry %q is not enabled", name), nil)
		return nil, nil
	}
	sch, err := compiledSchema(reg)
	if err != nil {
		s.problem(w, r, http.StatusBadGateway, "bad answer from node", fmt.Sprintf("registry %s: its schema does not compile: %v", name, err), nil)
		return nil, nil
	}
	return reg, sch
}

// schemaCache holds compiled schemas by their content id (the same id is
// the same document, whichever registry uses it); it is emptied when full.
var schemaCache struct {
	sync.Mutex
	m map[string]*regschema.Schema
}

const schemaCacheMax = 64

// compiledSchema compiles the registry's current schema, or takes it from
// the cache when its id is the one the registry names.
func compiledSchema(reg *tx.Registry) (*regschema.Schema, error) {
	schemaCache.Lock()
	sch := schemaCache.m[reg.SchemaID]
	schemaCache.Unlock()
	if sch != nil {
		return sch, nil
	}
	sch, err := regschema.Compile(reg.Def.Schema)
	if err != nil {
		return nil, err
	}
	if sch.ID() != reg.SchemaID {
		return nil, fmt.Errorf("the definition's schema has id %s, the registry names %s", sch.ID(), reg.SchemaID)
	}
	schemaCache.Lock()
	if schemaCache.m == nil || len(schemaCache.m) >= schemaCacheMax {
		schemaCache.m = map[string]*regschema.Schema{}
	}
	schemaCache.m[reg.SchemaID] = sch
	schemaCache.Unlock()
	return sch, nil
}

// registryOpenAPI serves the OpenAPI 3.1 document generated from the
// registry's enabled definition (registryDocument).
func (s *Server) registryOpenAPI(w http.ResponseWriter, r *http.Request) {
	reg, sch := s.enabledRegistry(w, r)
	if reg == nil {
		return
	}
	doc, err := registryDocument(reg, sch)
	if err != nil {
		s.log.Error("registry openapi", "registry", reg.Name, "err", err)
		s.problem(w, r, http.StatusInternalServerError, "internal error", "the registry's document could not be generated; see the server's log", nil)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(doc)
}

// decodeValidate reads a validate request's body: one JSON object with
// data.
func decodeValidate(r *http.Request) (json.RawMessage, error) {
	var req RegistryValidateRequest
	if err := decodeBody(r, &req, `a JSON object {"data": {...the record...}}`, "only data"); err != nil {
		return nil, err
	}
	if len(req.Data) == 0 || string(req.Data) == "null" {
		return nil, badField("data", "the record: a JSON object valid under the registry's schema", "no data")
	}
	return req.Data, nil
}

// registryValidate is a dry run of a record for forms: the checks the
// chain makes of registry/create's data (canonical profile JSON, within
// its max_record_bytes, valid under the registry's current schema),
// nothing stored. 200 with the canonical record, 422 with the path of the
// first fault.
func (s *Server) registryValidate(w http.ResponseWriter, r *http.Request) {
	if !s.jsonBody(w, r) {
		return
	}
	if _, err := pathRegistry(r); err != nil {
		s.badRequest(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRegistryValidateBody)
	data, err := decodeValidate(r)
	if err != nil {
		s.bodyError(w, r, err)
		return
	}
	reg, sch := s.enabledRegistry(w, r)
	if reg == nil {
		return
	}
	v, code := validateRecord(reg, sch, data)
	if v.Valid {
		// Not indented, with no HTML escapes: canonical is the bytes the
		// chain would store.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		return
	}
	p := registryInvalid{Problem: Problem{Type: "about:blank", Title: "invalid record", Status: http.StatusUnprocessableEntity, Instance: r.URL.Path,
		Detail:    fmt.Sprintf("the chain would refuse this record (%s code %d): %s: %s", code.Codespace, code.Code, pointerOrRoot(*v.Path), v.Error),
		Codespace: code.Codespace, Code: code.Code, Log: v.Error, Field: "data" + *v.Path, Expected: "a record valid under the registry's schema " + reg.SchemaID},
		Registry: v.Registry, SchemaID: v.SchemaID, Path: *v.Path, Error: v.Error}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnprocessableEntity)
	_ = json.NewEncoder(w).Encode(p)
}

func pointerOrRoot(p string) string {
	if p == "" {
		return "(root)"
	}
	return p
}

// validateRecord makes the chain's checks of a record's data, in the
// chain's order (chain/internal/registry checkData): canonical profile
// JSON (regschema.Canonical), within max_record_bytes, valid under the
// registry's current schema. Invalid, it returns the code the chain would
// refuse registry/create with.
func validateRecord(reg *tx.Registry, sch *regschema.Schema, data []byte) (RegistryValidation, tx.Code) {
	v := RegistryValidation{Registry: reg.Name, SchemaID: reg.SchemaID}
	fail := func(code tx.Code, err error) (RegistryValidation, tx.Code) {
		path, msg := "", err.Error()
		var se *regschema.Error
		if errors.As(err, &se) {
			path, msg = se.Path, se.Reason
		}
		v.Path, v.Error = &path, msg
		return v, code
	}
	c, err := regschema.Canonical(data)
	if err != nil {
		return fail(tx.CodeRegistryInvalidRecord, err)
	}
	if lim := reg.Def.Limits.MaxRecordBytes; uint64(len(c)) > uint64(lim) {
		return fail(tx.CodeRegistryTooLarge, fmt.Errorf("the record is %d bytes in canonical form, the registry's max_record_bytes is %d", len(c), lim))
	}
	if err := sch.Validate(c); err != nil {
		return fail(tx.CodeRegistryInvalidRecord, err)
	}
	v.Valid, v.Canonical, v.Bytes = true, c, len(c)
	return v, tx.Code{}
}

// registryRoutes are the registry module's endpoints, documented in
// openapi/registry.json.
func (s *Server) registryRoutes() []route {
	return []route{
		keyed("GET", "/v1/registries", s.registries),
		keyed("GET", "/v1/registries/{name}", s.registry),
		keyed("GET", "/v1/registries/{name}/count", s.registryCount),
		keyed("GET", "/v1/registries/{name}/openapi.json", s.registryOpenAPI),
		readPost("/v1/registries/{name}/validate", s.registryValidate),
		keyed("GET", "/v1/registries/{name}/records", s.registryRecords),
		keyed("GET", "/v1/registries/{name}/records/{id}", s.registryRecord),
		keyed("GET", "/v1/registries/{name}/records/{id}/history", s.registryHistory),
		keyed("GET", "/v1/registries/{name}/records/{id}/approvals", s.registryApprovals),
		keyed("GET", "/v1/registries/{name}/index/{field}/{value}", s.registryIndex),
		keyed("GET", "/v1/registries/{name}/index/{field}/{value}/{id}", s.registryIndexEntry),
		keyed("GET", "/v1/registries/{name}/grants", s.registryGrants),
		keyed("GET", "/v1/registries/{name}/grants/{role}/{grantee}", s.registryGrant),
		keyed("GET", "/v1/registry/proposals", s.registryProposals),
		keyed("GET", "/v1/registry/proposals/{id}", s.registryProposal),
		keyed("GET", "/v1/registry/schemas/{id}", s.registrySchema),
	}
}

// The document GET /v1/registries/{name}/openapi.json serves: OpenAPI
// 3.1, generated from the registry's enabled definition alone, for forms
// and code generators. Its paths are the registry's own routes with its
// name in place (records, history, approvals, indexes, grants, count,
// validate); components.schemas holds <Name>Record (the record schema,
// regschema's OpenAPI form of the enabled schema), the state, transition
// and role names as enums, the stored record, history step, approval,
// grant and count with those enums, and the bodies of the messages that
// write: <Name>CreateMsg and <Name>TransitionMsg, as a signed
// transaction's msgs entry carries them (POST /v1/txs). info
// x-citychain-registry summarises the definition (states with deadlines,
// transitions with roles, approvals, patch and predicates). Objects are
// Go maps, written with sorted keys: the same definition is the same
// bytes.

// obj is a JSON object of the generated document.
type obj = map[string]any

// coreParts are what the generated document shares with the API's own
// (openapi/core.json): the problem, proof and state read schemas, the
// security schemes and servers.
type coreParts struct {
	schemas                            map[string]json.RawMessage
	servers, security, securitySchemes json.RawMessage
}

var openapiCoreParts = sync.OnceValues(func() (*coreParts, error) {
	data, err := fs.ReadFile(openapiFS, openapiCore)
	if err != nil {
		return nil, err
	}
	top, err := decodeObject(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", openapiCore, err)
	}
	comps, err := decodeObject(lookup(top, "components"))
	if err != nil {
		return nil, fmt.Errorf("%s: components: %w", openapiCore, err)
	}
	schemas, err := decodeObject(lookup(comps, "schemas"))
	if err != nil {
		return nil, fmt.Errorf("%s: components.schemas: %w", openapiCore, err)
	}
	p := &coreParts{schemas: map[string]json.RawMessage{}, servers: lookup(top, "servers"), security: lookup(top, "security"),
		securitySchemes: lookup(comps, "securitySchemes")}
	for _, n := range []string{"Problem", "Proof", "TrustRoot", "StateResponse"} {
		if p.schemas[n] = lookup(schemas, n); p.schemas[n] == nil {
			return nil, fmt.Errorf("%s: no schema %s", openapiCore, n)
		}
	}
	if p.servers == nil || p.security == nil || p.securitySchemes == nil {
		return nil, fmt.Errorf("%s: want servers, security and components.securitySchemes", openapiCore)
	}
	return p, nil
})

// schemaPrefix is a registry's name in CamelCase, the prefix of its
// component schemas: pet_registration -> PetRegistration.
func schemaPrefix(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

func schemaRef(n string) obj { return obj{"$ref": "#/components/schemas/" + n} }

func enumOf(desc string, names []string) obj {
	return obj{"type": "string", "enum": names, "description": desc}
}

var (
	oaAddress = obj{"type": "string", "pattern": "^[0-9a-f]{40}$"}
	oaHash    = obj{"type": "string", "pattern": "^[0-9a-f]{64}$"}
	oaTime    = obj{"type": "string", "format": "date-time"}
	oaInt     = obj{"type": "integer"}
	oaID      = obj{"type": "integer", "minimum": 1}
)

func oaWith(base obj, desc string) obj {
	o := obj{"description": desc}
	for k, v := range base {
		o[k] = v
	}
	return o
}

func oaObject(desc string, props obj, required ...string) obj {
	o := obj{"type": "object", "properties": props, "description": desc}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func oaJSON(desc string, schema any) obj {
	return obj{"description": desc, "content": obj{"application/json": obj{"schema": schema}}}
}

func oaProblem(desc string) obj {
	return obj{"description": desc, "content": obj{"application/problem+json": obj{"schema": schemaRef("Problem")}}}
}

func oaStateRead(result any) obj {
	return obj{"allOf": []any{schemaRef("StateResponse"), obj{"type": "object", "properties": obj{"result": result}}}}
}

func oaPage(desc string, item any) obj {
	return oaObject(desc, obj{
		"items":       obj{"type": "array", "items": item},
		"next_after":  obj{"type": "string", "description": "after of the next page"},
		"next_cursor": obj{"type": "string", "description": "cursor of the next page (the same page as next_after)"},
	}, "items")
}

// oaResponses are an operation's responses: ok, the shared errors and
// extra.
func oaResponses(ok obj, extra obj) obj {
	r := obj{
		"200": ok,
		"400": oaProblem("Invalid parameter: `field` names it, `expected` says what is allowed."),
		"401": oaProblem("Missing or unknown API key."),
		"429": oaProblem("Rate limit exceeded; see Retry-After."),
		"502": oaProblem("The node could not be asked."),
	}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

func oaPathParam(name, desc string, schema obj) obj {
	return obj{"name": name, "in": "path", "required": true, "description": desc, "schema": schema}
}

func oaQueryParam(name, desc string, schema obj) obj {
	return obj{"name": name, "in": "query", "required": false, "description": desc, "schema": schema}
}

var (
	oaProve  = oaQueryParam("prove", "With true, the answer carries the ICS23 proof and its verification against the next block's signed header.", obj{"type": "boolean"})
	oaCursor = oaQueryParam("cursor", "next_cursor of the previous page (instead of after).", obj{"type": "string"})
	oaLimit  = oaQueryParam("limit", fmt.Sprintf("Items per page, 1 to %d (default %d).", tx.MaxListLimit, tx.DefaultListLimit),
		obj{"type": "integer", "minimum": 1, "maximum": tx.MaxListLimit})
	oaAfterID = oaQueryParam("after", "Continue after this record id.", obj{"type": "integer", "minimum": 0})
)

// transitionSummary says in words what a transition does.
func transitionSummary(t *tx.RegistryTransition) string {
	s := fmt.Sprintf("%s: %s -> %s by %s", t.Name, strings.Join(t.From, " | "), t.To, strings.Join(t.Roles, " | "))
	if t.K() > 1 {
		s += fmt.Sprintf(" (%d approvals of the same record version)", t.K())
	}
	if len(t.Patch) > 0 {
		s += "; may patch " + strings.Join(t.Patch, ", ")
	}
	for _, p := range t.Requires {
		switch {
		case p.Credential != nil:
			s += "; requires evidence of a credential of schema " + p.Credential.Schema
		case p.Record != nil:
			s += fmt.Sprintf("; requires record %s of %s in %s", p.Record.Field, p.Record.Registry, strings.Join(p.Record.States, " | "))
		}
	}
	return s
}

// registryDocument generates the OpenAPI 3.1 document of an enabled
// registry whose current schema is sch.
func registryDocument(reg *tx.Registry, sch *regschema.Schema) ([]byte, error) {
	core, err := openapiCoreParts()
	if err != nil {
		return nil, err
	}
	def := &reg.Def
	name, n := reg.Name, schemaPrefix(reg.Name)
	base := "/v1/registries/" + name
	record := json.RawMessage(sch.OpenAPI())
	var recordProps struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(record, &recordProps); err != nil {
		return nil, fmt.Errorf("record schema: %w", err)
	}

	var states, transitions, roles, tsumm []string
	for _, st := range def.States {
		states = append(states, st.Name)
	}
	patchable := obj{}
	evidence := false
	for i := range def.Transitions {
		t := &def.Transitions[i]
		transitions = append(transitions, t.Name)
		tsumm = append(tsumm, transitionSummary(t))
		for _, p := range t.Patch {
			if ps, ok := recordProps.Properties[p]; ok {
				patchable[p] = ps
			}
		}
		for _, p := range t.Requires {
			evidence = evidence || p.Credential != nil
		}
	}
	for _, r := range def.Roles {
		roles = append(roles, r.Name)
	}

	// Schemas.
	stored := obj{
		"registry":       obj{"type": "string", "const": name},
		"id":             oaWith(oaID, "the record's id: the registry's sequence number, from 1"),
		"schema":         oaWith(oaHash, "id of the schema the data was last written under (GET /v1/registry/schemas/{id})"),
		"state":          schemaRef(n + "State"),
		"data":           oaWith(schemaRef(n+"Record"), "the record's canonical JSON, valid under the schema named by schema"),
		"creator":        oaWith(oaAddress, "the account that created it"),
		"created_height": oaInt,
		"created_at":     oaTime,
		"state_since":    oaTime,
		"version":        oaWith(oaID, "counts the record's changes (1 at creation); a transition names the version it moves"),
	}
	storedReq := []string{"registry", "id", "schema", "state", "data", "creator", "created_height", "created_at", "state_since", "version"}
	createValue := obj{
		"registry": obj{"type": "string", "const": name},
		"data":     schemaRef(n + "Record"),
	}
	createReq := []string{"registry", "data"}
	switch def.Privacy {
	case tx.PrivacyHash, tx.PrivacyPointer:
		stored["digest"] = oaWith(oaHash, "SHA-256 of the off-chain document")
		createValue["digest"] = oaWith(oaHash, "SHA-256 of the off-chain document (privacy class "+def.Privacy+")")
		storedReq, createReq = append(storedReq, "digest"), append(createReq, "digest")
		if def.Privacy == tx.PrivacyPointer {
			stored["uri"] = obj{"type": "string", "format": "uri", "description": "where the document lives"}
			createValue["uri"] = obj{"type": "string", "format": "uri", "maxLength": tx.MaxRegistryURI, "description": "where the document lives (absolute URI)"}
			storedReq, createReq = append(storedReq, "uri"), append(createReq, "uri")
		}
	}
	transitionValue := obj{
		"registry":   obj{"type": "string", "const": name},
		"id":         oaID,
		"version":    oaWith(oaID, "the record's version when the signer looked: a record that moved since refuses it"),
		"transition": schemaRef(n + "TransitionName"),
	}
	if len(patchable) > 0 {
		transitionValue["patch"] = obj{"type": "object", "properties": patchable, "additionalProperties": false,
			"description": "the properties the transition may set (each transition's patch list), merged into the data; the result must be valid under the record schema"}
	}
	if evidence {
		transitionValue["evidence"] = obj{"type": "array", "maxItems": tx.MaxRegistryEvidence,
			"description": "credentials presented to the transition's credential predicates, in order",
			"items": oaObject("A credential's issuer-signed JWT, its place in a credentials anchor and the holder key's signature of tx.RegistryEvidenceMessage.", obj{
				"jwt":        obj{"type": "string", "maxLength": tx.MaxRegistryJWT},
				"anchor":     oaID,
				"index":      oaInt,
				"path":       obj{"type": "array", "items": oaHash, "maxItems": tx.MaxRegistryPath},
				"holder_sig": obj{"type": "string", "pattern": "^[0-9a-f]{128}$"},
			}, "jwt", "anchor", "index", "path", "holder_sig")}
	}
	stepNames := append([]string{"create", "deadline"}, transitions...)
	schemas := obj{
		n + "Record":         record,
		n + "State":          enumOf("The registry's states, in definition order; a new record is "+def.Initial+".", states),
		n + "TransitionName": enumOf("The registry's transitions:\n- "+strings.Join(tsumm, "\n- "), transitions),
		n + "Role":           enumOf("The registry's roles, granted by its owner.", roles),
		n + "StoredRecord":   oaObject("A record of "+name+" as the chain stores it.", stored, storedReq...),
		n + "RecordPage":     oaPage("A page of records in id order.", schemaRef(n+"StoredRecord")),
		n + "Step": oaObject("One step of a record's history.", obj{
			"version":    oaID,
			"transition": obj{"type": "string", "enum": stepNames, "description": "create, deadline (a move by a state's deadline, no signers) or a transition"},
			"from":       schemaRef(n + "State"),
			"to":         schemaRef(n + "State"),
			"signers":    obj{"type": "array", "items": oaAddress, "description": "the accounts whose approvals ran it, sorted"},
			"schema":     oaHash,
			"height":     oaInt,
			"time":       oaTime,
		}, "version", "transition", "to", "schema", "height", "time"),
		n + "History": oaObject("A record's history, oldest step first.", obj{
			"registry": obj{"type": "string", "const": name}, "id": oaID,
			"history": obj{"type": "array", "items": schemaRef(n + "Step")},
		}, "registry", "id", "history"),
		n + "Approval": oaObject("A pending approval of a k-of-n transition.", obj{
			"registry": obj{"type": "string", "const": name}, "id": oaID, "version": oaID,
			"transition": schemaRef(n + "TransitionName"),
			"patch_hash": oaWith(oaHash, "SHA-256 of the canonical patch (of nothing when none)"),
			"signers":    obj{"type": "array", "items": oaAddress},
			"needed":     oaWith(oaInt, "approvals the transition needs"),
		}, "registry", "id", "version", "transition", "patch_hash", "signers", "needed"),
		n + "Approvals": oaObject("A record's pending approvals.", obj{
			"registry": obj{"type": "string", "const": name}, "id": oaID,
			"approvals": obj{"type": "array", "items": schemaRef(n + "Approval")},
		}, "registry", "id", "approvals"),
		n + "Grant": oaObject("A grant of one of the registry's roles.", obj{
			"registry": obj{"type": "string", "const": name}, "role": schemaRef(n + "Role"),
			"grantee": oaAddress, "granter": oaAddress,
			"expires":   oaWith(oaInt, "unix seconds of block time; absent: never"),
			"delegable": obj{"type": "boolean"},
			"depth":     oaWith(oaID, "1 for a grant from the owner, one more per delegation"),
			"height":    oaInt,
		}, "registry", "role", "grantee", "granter", "depth", "height"),
		n + "GrantPage": oaPage("A page of grants in (role, grantee) order; next_after is role/grantee.", schemaRef(n+"Grant")),
		n + "Count": oaObject("How many records the registry holds, in all and per state.", obj{
			"registry": obj{"type": "string", "const": name},
			"records":  oaInt,
			"states":   obj{"type": "array", "items": oaObject("Records in one state.", obj{"state": schemaRef(n + "State"), "records": oaInt}, "state", "records")},
		}, "registry", "records", "states"),
		n + "IDPage": oaPage("A page of record ids in id order.", oaID),
		n + "IndexEntry": oaObject("Whether a record is indexed under a value.", obj{
			"registry": obj{"type": "string", "const": name}, "field": obj{"type": "string"}, "value": obj{"type": "string"},
			"id": oaID, "present": obj{"type": "boolean"},
		}, "registry", "field", "value", "id", "present"),
		n + "CreateMsg": oaObject("A msgs entry of a signed transaction (POST /v1/txs) that creates a record; its signer holds one of the roles "+
			strings.Join(def.CreateRoles, ", ")+". The record starts in state "+def.Initial+"; its id is in the event registry.created.", obj{
			"type":  obj{"type": "string", "const": tx.TypeRegistryCreate},
			"value": obj{"type": "object", "properties": createValue, "required": createReq, "additionalProperties": false},
		}, "type", "value"),
		n + "TransitionMsg": oaObject("A msgs entry of a signed transaction (POST /v1/txs) that moves a record (or approves the move, for a transition that needs more than one approval).", obj{
			"type":  obj{"type": "string", "const": tx.TypeRegistryTransition},
			"value": obj{"type": "object", "properties": transitionValue, "required": []string{"registry", "id", "version", "transition"}, "additionalProperties": false},
		}, "type", "value"),
		n + "ValidateRequest": oaObject("A record to check.", obj{"data": schemaRef(n + "Record")}, "data"),
		n + "Validation": oaObject("A record the chain would accept: its canonical form (RFC 8785), as stored, and its size.", obj{
			"valid": obj{"type": "boolean", "const": true}, "registry": obj{"type": "string", "const": name}, "schema_id": oaHash,
			"canonical": schemaRef(n + "Record"), "bytes": oaWith(oaInt, fmt.Sprintf("at most %d (max_record_bytes)", def.Limits.MaxRecordBytes)),
		}, "valid", "registry", "schema_id", "canonical", "bytes"),
		n + "Invalid": obj{"allOf": []any{schemaRef("Problem"), oaObject("A record the chain would refuse: path is the JSON pointer of the first fault in the data (empty: the whole record), error what is wrong, codespace and code the chain's result.", obj{
			"valid": obj{"type": "boolean", "const": false}, "registry": obj{"type": "string", "const": name}, "schema_id": oaHash,
			"path": obj{"type": "string"}, "error": obj{"type": "string"},
		}, "valid", "registry", "schema_id", "path", "error")}},
		n + "Registry": obj{"type": "object", "description": "The registry as the chain keeps it: name, owner, def (the enabled definition), def_id, schema_id, enabled_height, versions."},
	}
	for k, v := range core.schemas {
		schemas[k] = v
	}

	// Paths.
	tags := []string{name}
	op := func(id, summary string, params []any, responses obj) obj {
		if params == nil {
			params = []any{}
		}
		return obj{"get": obj{"summary": summary, "tags": tags, "operationId": name + "_" + id, "parameters": params, "responses": responses}}
	}
	notFound := oaProblem("No such registry or record (without prove=true; with it, the absence is proven).")
	idParam := oaPathParam("id", "Record id, from 1.", oaID)
	paths := obj{
		base: op("registry", "The registry: owner, enabled definition, def and schema ids, versions.", []any{oaProve},
			oaResponses(oaJSON("Registry", oaStateRead(schemaRef(n+"Registry"))), obj{"404": notFound})),
		base + "/count": op("count", "How many records "+name+" holds, in all and per state.", nil,
			oaResponses(oaJSON("Count", schemaRef(n+"Count")), obj{"404": notFound})),
		base + "/records": op("records", "Records in id order, all or those in one state.",
			[]any{oaQueryParam("state", "Only records in this state.", schemaRef(n+"State")), oaAfterID, oaCursor, oaLimit},
			oaResponses(oaJSON("Records", schemaRef(n+"RecordPage")), obj{"404": notFound})),
		base + "/records/{id}": op("record", "One record: state, version, data and the schema it was written under.", []any{idParam, oaProve},
			oaResponses(oaJSON("Record", oaStateRead(schemaRef(n+"StoredRecord"))), obj{"404": notFound})),
		base + "/records/{id}/history": op("history", "A record's history, oldest step first.", []any{idParam},
			oaResponses(oaJSON("History", schemaRef(n+"History")), obj{"404": notFound})),
		base + "/records/{id}/approvals": op("approvals", "A record's pending approvals of transitions that need more than one.", []any{idParam},
			oaResponses(oaJSON("Approvals", schemaRef(n+"Approvals")), obj{"404": notFound})),
		base + "/grants": op("grants", "Grants of the registry's roles in (role, grantee) order.",
			[]any{oaQueryParam("after", "Continue after this role/grantee.", obj{"type": "string"}), oaCursor, oaLimit},
			oaResponses(oaJSON("Grants", schemaRef(n+"GrantPage")), obj{"404": notFound})),
		base + "/grants/{role}/{grantee}": op("grant", "One grant; a stored grant may have expired, or hang from a grant that did.",
			[]any{oaPathParam("role", "The role.", schemaRef(n+"Role")), oaPathParam("grantee", "The grantee's address.", oaAddress), oaProve},
			oaResponses(oaJSON("Grant", oaStateRead(schemaRef(n+"Grant"))), obj{"404": notFound})),
		base + "/validate": obj{"post": obj{
			"summary":     "Check a record as registry/create would (canonical JSON, the current schema " + reg.SchemaID + ", max_record_bytes); nothing is stored.",
			"tags":        tags,
			"operationId": name + "_validate",
			"parameters":  []any{},
			"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": schemaRef(n + "ValidateRequest")}}},
			"responses": oaResponses(oaJSON("Valid", schemaRef(n+"Validation")), obj{
				"404": oaProblem("The registry is not enabled."),
				"413": oaProblem("The body is too large."),
				"422": obj{"description": "Invalid: path and error say where and why.", "content": obj{"application/problem+json": obj{"schema": schemaRef(n + "Invalid")}}},
			}),
		}},
	}
	if len(def.Indexes) > 0 {
		field := oaPathParam("field", "An indexed property.", obj{"type": "string", "enum": def.Indexes})
		value := oaPathParam("value", "The value (an integer in decimal).", obj{"type": "string", "minLength": 1})
		paths[base+"/index/{field}/{value}"] = op("index", "Ids of the records whose indexed field has the value, in id order.",
			[]any{field, value, oaAfterID, oaCursor, oaLimit}, oaResponses(oaJSON("Ids", schemaRef(n+"IDPage")), obj{"404": notFound}))
		paths[base+"/index/{field}/{value}/{id}"] = op("index_entry", "Whether a record is indexed under the value; with prove=true, proven present or absent.",
			[]any{field, value, idParam, oaProve}, oaResponses(oaJSON("Entry", oaStateRead(schemaRef(n+"IndexEntry"))), nil))
	}

	summary := obj{
		"name": name, "version": def.Version, "def_id": reg.DefID, "schema_id": reg.SchemaID, "owner": reg.Owner,
		"enabled_height": reg.Enabled, "privacy": def.Privacy, "initial": def.Initial, "create_roles": def.CreateRoles,
		"roles": def.Roles, "states": def.States, "transitions": def.Transitions, "indexes": def.Indexes, "limits": def.Limits,
	}
	desc := def.Description
	if desc != "" {
		desc += "\n\n"
	}
	desc += fmt.Sprintf("Generated by the city API from registry %s's enabled definition %s (version %s, record schema %s). "+
		"Records are written by signed transactions (POST /v1/txs) whose msgs carry %sCreateMsg or %sTransitionMsg; see docs/api.md.",
		name, reg.DefID, def.Version, reg.SchemaID, n, n)
	doc := obj{
		"openapi":  "3.1.0",
		"info":     obj{"title": def.Title, "version": def.Version, "description": desc, "x-citychain-registry": summary},
		"servers":  core.servers,
		"security": core.security,
		"tags":     []any{obj{"name": name, "description": def.Title}},
		"paths":    paths,
		"components": obj{
			"securitySchemes": core.securitySchemes,
			"schemas":         schemas,
		},
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}
