package api

import (
	"encoding/json"
	"net/http"

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
	var coins []tx.Coin
	if err := s.queryJSON(r, "/bank/balances", []byte(a.String()), &coins); err != nil {
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
			data, _ := json.Marshal(map[string]string{"address": a.String(), "denom": d})
			s.provable(w, r, "/bank/balance", data, func(v []byte) (any, error) {
				c, err := amount(d)(v)
				return map[string]any{"address": a, "amount": c}, err
			})
			return
		}
	}
	s.badRequest(w, r, err)
}

func (s *Server) supplies(w http.ResponseWriter, r *http.Request) {
	var coins []tx.Coin
	if err := s.queryJSON(r, "/bank/supplies", nil, &coins); err != nil {
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
	s.provable(w, r, "/bank/supply", []byte(d), amount(d))
}
