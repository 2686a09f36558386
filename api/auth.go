package api

import (
	"context"
	"net/http"

	"github.com/citychain/citychain/chain/client"
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
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.AccountState(ctx, a, o)))
	})
}

func (s *Server) roles(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		roles, res, err := s.node.Roles(ctx, a, o)
		if err == nil && roles == nil {
			return []string{}, res, nil
		}
		return rawOrAbsent(stored(roles, res, err))
	})
}
