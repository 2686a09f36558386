package api

import (
	"context"
	"net/http"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// The bank module's reads (chain/internal/bank): balances and supplies.

// bankRoutes are the bank module's endpoints, documented in
// openapi/bank.json.
func (s *Server) bankRoutes() []route {
	return []route{
		keyed("GET", "/v1/accounts/{address}/balances", s.balances),
		keyed("GET", "/v1/accounts/{address}/balances/{denom}", s.balance),
		keyed("GET", "/v1/supply", s.supplies),
		keyed("GET", "/v1/supply/{denom}", s.supply),
	}
}

func (s *Server) balances(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	coins, err := s.node.Balances(ctx, a, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	if coins == nil {
		coins = []tx.Coin{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"address": a, "balances": coins})
}

func (s *Server) balance(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err == nil {
		var d string
		if d, err = pathDenom(r); err == nil {
			s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
				n, res, err := s.node.Balance(ctx, a, d, o)
				return map[string]any{"address": a, "amount": tx.Coin{Amount: n, Denom: d}}, res, err
			})
			return
		}
	}
	s.badRequest(w, r, err)
}

func (s *Server) supplies(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	coins, err := s.node.Supplies(ctx, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"supply": coins})
}

func (s *Server) supply(w http.ResponseWriter, r *http.Request) {
	d, err := pathDenom(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		n, res, err := s.node.Supply(ctx, d, o)
		return tx.Coin{Amount: n, Denom: d}, res, err
	})
}
