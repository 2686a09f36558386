package api

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// The credentials module's reads (chain/internal/credentials/query.go):
// schemas, accreditations, verifiers, status lists and their bits, and
// issuance anchors, decoded into the chain's types (chain/tx). A status
// bit is read from its chunk, so with prove=true the proof proves it.

// validHexCursor accepts the opaque hex cursor of the accreditations and
// lists pages.
func validHexCursor(s string) error {
	if b, err := hex.DecodeString(s); err != nil || len(b) <= tx.AddressLen {
		return errors.New("not a cursor of a previous page")
	}
	return nil
}

func validAnchorID(s string) error {
	_, err := strconv.ParseUint(s, 10, 64)
	return err
}

// addressParam reads an optional ?name= address filter.
func addressParam(r *http.Request, name string) (*tx.Address, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	a, err := tx.ParseAddress(v)
	if err != nil {
		return nil, badField(name, "40 hex characters (a 20-byte account address)", "%s %q: %v", name, v, err)
	}
	return &a, nil
}

const (
	schemaExpected   = "a schema id: 1 to 64 characters of a-z 0-9 _"
	verifierExpected = "a verifier id: 1 to 64 characters of a-z 0-9 _ -"
	listNameExpected = "a list name: 1 to 32 characters of a-z 0-9 _ -"
)

func (s *Server) credentialSchemas(w http.ResponseWriter, r *http.Request) {
	req, err := afterPageRequest(r, schemaExpected, tx.ValidateSchemaID)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.CredentialSchemas(ctx, req, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Schemas, p.Next))
}

func (s *Server) credentialSchema(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := tx.ValidateSchemaID(id); err != nil {
		s.badRequest(w, r, badField("id", schemaExpected, "%v", err))
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.CredentialSchema(ctx, id, o)))
	})
}

func (s *Server) credentialAccreditations(w http.ResponseWriter, r *http.Request) {
	issuer, err := addressParam(r, "issuer")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	page, err := afterPageRequest(r, "the next_after of a previous page", validHexCursor)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.CredentialAccreditations(ctx, tx.AccreditationsRequest{Issuer: issuer, PageRequest: page}, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Accreditations, p.Next))
}

func (s *Server) credentialAccreditation(w http.ResponseWriter, r *http.Request) {
	issuer, err := tx.ParseAddress(r.PathValue("issuer"))
	if err != nil {
		s.badRequest(w, r, badField("issuer", "40 hex characters (a 20-byte account address)", "issuer %q: %v", r.PathValue("issuer"), err))
		return
	}
	schema := r.PathValue("schema")
	if err := tx.ValidateSchemaID(schema); err != nil {
		s.badRequest(w, r, badField("schema", schemaExpected, "%v", err))
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.CredentialAccreditation(ctx, issuer, schema, o)))
	})
}

func (s *Server) credentialVerifiers(w http.ResponseWriter, r *http.Request) {
	req, err := afterPageRequest(r, verifierExpected, tx.ValidateVerifierID)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.CredentialVerifiers(ctx, req, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Verifiers, p.Next))
}

func (s *Server) credentialVerifier(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := tx.ValidateVerifierID(id); err != nil {
		s.badRequest(w, r, badField("id", verifierExpected, "%v", err))
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.CredentialVerifier(ctx, id, o)))
	})
}

func (s *Server) credentialLists(w http.ResponseWriter, r *http.Request) {
	owner, err := addressParam(r, "owner")
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	page, err := afterPageRequest(r, "the next_after of a previous page", validHexCursor)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.StatusLists(ctx, tx.StatusListsRequest{Owner: owner, PageRequest: page}, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Lists, p.Next))
}

// pathList reads a list id from the path's {owner} and {name}.
func pathList(r *http.Request) (string, error) {
	owner, err := tx.ParseAddress(r.PathValue("owner"))
	if err != nil {
		return "", badField("owner", "40 hex characters (the list owner's address)", "owner %q: %v", r.PathValue("owner"), err)
	}
	name := r.PathValue("name")
	if err := tx.ValidateStatusListName(name); err != nil {
		return "", badField("name", listNameExpected, "%v", err)
	}
	return tx.StatusListID(owner, name), nil
}

func (s *Server) credentialList(w http.ResponseWriter, r *http.Request) {
	id, err := pathList(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.StatusList(ctx, id, o)))
	})
}

// credentialStatus is one status bit, read from the chunk that holds it:
// with prove=true the proof is the chunk's (present, or absent: all
// clear), which proves the bit.
func (s *Server) credentialStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathList(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	n, err := strconv.ParseUint(r.PathValue("idx"), 10, 32)
	if err != nil {
		s.badRequest(w, r, badField("idx", "a list index: a decimal integer below the list's size", "idx %q is not an index", r.PathValue("idx")))
		return
	}
	idx := uint32(n)
	prove, err := wantProof(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	set, res, err := s.node.StatusBit(ctx, id, idx, client.ReadOpts{Prove: prove})
	if err != nil {
		if errors.Is(err, tx.CodeCredentialUnknownList) {
			s.problem(w, r, http.StatusNotFound, "not found", fmt.Sprintf("status list %s does not exist", id), nil)
			return
		}
		s.nodeError(w, r, err)
		return
	}
	chunk, _, _ := tx.StatusBit(idx)
	out := StateResponse{Height: res.Height, Result: tx.Status{List: id, Idx: idx, Set: set, Chunk: chunk}}
	if prove {
		out.Proof = s.verify(ctx, res)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) credentialAnchors(w http.ResponseWriter, r *http.Request) {
	req, err := afterPageRequest(r, "an anchor id (decimal)", validAnchorID)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, _, err := s.node.CredentialAnchors(ctx, req, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Anchors, p.Next))
}

func (s *Server) credentialAnchor(w http.ResponseWriter, r *http.Request) {
	n, err := parseUint("id", r.PathValue("id"))
	if err == nil && n == 0 {
		err = badField("id", "an anchor id (1 or more)", "anchor id 0 does not exist; ids start at 1")
	}
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.CredentialAnchor(ctx, n, o)))
	})
}

func (s *Server) credentialStats(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	st, err := s.node.CredentialStats(ctx, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// credentialsRoutes are the credentials module's endpoints, documented in
// openapi/credentials.json.
func (s *Server) credentialsRoutes() []route {
	return []route{
		keyed("GET", "/v1/credentials/stats", s.credentialStats),
		keyed("GET", "/v1/credentials/schemas", s.credentialSchemas),
		keyed("GET", "/v1/credentials/schemas/{id}", s.credentialSchema),
		keyed("GET", "/v1/credentials/accreditations", s.credentialAccreditations),
		keyed("GET", "/v1/credentials/accreditations/{issuer}/{schema}", s.credentialAccreditation),
		keyed("GET", "/v1/credentials/verifiers", s.credentialVerifiers),
		keyed("GET", "/v1/credentials/verifiers/{id}", s.credentialVerifier),
		keyed("GET", "/v1/credentials/lists", s.credentialLists),
		keyed("GET", "/v1/credentials/lists/{owner}/{name}", s.credentialList),
		keyed("GET", "/v1/credentials/lists/{owner}/{name}/status/{idx}", s.credentialStatus),
		keyed("GET", "/v1/credentials/anchors", s.credentialAnchors),
		keyed("GET", "/v1/credentials/anchors/{id}", s.credentialAnchor),
	}
}
