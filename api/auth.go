package api

import (
	"encoding/json"
	"net/http"
)

// The auth module's reads (chain/internal/auth): accounts and their roles.

// authRoutes are the auth module's endpoints, documented in
// openapi/auth.json.
func (s *Server) authRoutes() []route {
	return []route{
		keyed("GET", "/v1/accounts/{address}", s.account),
		keyed("GET", "/v1/accounts/{address}/roles", s.roles),
	}
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, "/auth/account", []byte(a.String()), rawOrAbsent)
}

func (s *Server) roles(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, "/auth/roles", []byte(a.String()), func(v []byte) (any, error) {
		if v == nil {
			return []string{}, nil
		}
		return json.RawMessage(v), nil
	})
}
