package api

import (
	"context"
	"net/http"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// The identity module's reads (chain/internal/identity/query.go): the
// citizen card's identities, the facilities with their bars and the
// module's counts. Records are relayed as the chain stored them.

// Barred is whether a pseudonym is barred from a facility: Bar is the
// stored bar (which may have ended: compare Bar.Until with the time of
// entry), absent when the pseudonym is not barred. With prove=true the
// answer's proof proves the bar or its absence.
type Barred struct {
	Facility  string    `json:"facility"`
	Pseudonym tx.Hash32 `json:"pseudonym"`
	Barred    bool      `json:"barred"`
	Bar       *tx.Bar   `json:"bar,omitempty"`
}

const facilityExpected = "a facility id: 1 to 64 characters of a-z 0-9 _ -"

func pathFacility(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if err := tx.ValidateFacilityID(id); err != nil {
		return "", badField("id", facilityExpected, "%v", err)
	}
	return id, nil
}

// identity is one citizen's identity record.
func (s *Server) identity(w http.ResponseWriter, r *http.Request) {
	id, err := tx.ParseAddress(r.PathValue("id"))
	if err != nil {
		s.badRequest(w, r, badField("id", "an identity id: the 40 hex characters of its first device key's address", "id %q: %v", r.PathValue("id"), err))
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.Identity(ctx, id, o)))
	})
}

// facilities lists the facilities in id order.
func (s *Server) facilities(w http.ResponseWriter, r *http.Request) {
	req, err := afterPageRequest(r, facilityExpected, tx.ValidateFacilityID)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	page, _, err := s.node.Facilities(ctx, req, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(page.Facilities, page.Next))
}

// facility is one facility: its kind, required claims, token acceptance
// and agency.
func (s *Server) facility(w http.ResponseWriter, r *http.Request) {
	id, err := pathFacility(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.Facility(ctx, id, o)))
	})
}

// barred answers whether a pseudonym is barred from a facility: never a
// 404, since "not barred" is an answer (proven, with prove=true, by a
// proof of absence).
func (s *Server) barred(w http.ResponseWriter, r *http.Request) {
	id, err := pathFacility(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ps, err := tx.ParseHash32(r.PathValue("pseudonym"))
	if err != nil {
		s.badRequest(w, r, badField("pseudonym", "64 lowercase hex characters: SHA-256 of the pseudonym domain, the facility and the holder's slot key",
			"pseudonym %q: %v", r.PathValue("pseudonym"), err))
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		b, res, err := s.node.Barred(ctx, id, ps, o)
		if err != nil {
			return nil, nil, err
		}
		return Barred{Facility: id, Pseudonym: ps, Barred: b != nil, Bar: b}, res, nil
	})
}

// identityStats are the dashboard's counts: identities by status,
// facilities by kind, bars.
func (s *Server) identityStats(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	st, err := s.node.IdentityStats(ctx, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// identityRoutes are the identity module's endpoints, documented in
// openapi/identity.json.
func (s *Server) identityRoutes() []route {
	return []route{
		keyed("GET", "/v1/identities/{id}", s.identity),
		keyed("GET", "/v1/facilities", s.facilities),
		keyed("GET", "/v1/facilities/{id}", s.facility),
		keyed("GET", "/v1/facilities/{id}/barred/{pseudonym}", s.barred),
		keyed("GET", "/v1/identity/stats", s.identityStats),
	}
}
