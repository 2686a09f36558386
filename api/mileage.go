package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// The mileage module's reads (chain/internal/mileage): the budget and
// citizens' mileage accounts with their history.

// mileageRoutes are the mileage module's endpoints, documented in
// openapi/mileage.json.
func (s *Server) mileageRoutes() []route {
	return []route{
		keyed("GET", "/v1/mileage/budget", s.mileageBudget),
		keyed("GET", "/v1/mileage/accounts/{address}", s.mileageAccount),
		keyed("GET", "/v1/mileage/accounts/{address}/history", s.mileageHistory),
	}
}

func (s *Server) mileageBudget(w http.ResponseWriter, r *http.Request) {
	s.jsonAnswer(w, r, func(ctx context.Context) (json.RawMessage, error) { return s.node.MileageBudget(ctx, 0) })
}

func (s *Server) mileageAccount(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(s.node.MileageAccount(ctx, a, o))
	})
}

// mileageHistory pages through an account's history; the cursor is the
// index of the next entry.
func (s *Server) mileageHistory(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	limit, err := limitParam(r, 50, 100)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	cur, err := cursorParam(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	var start uint64
	if cur != "" {
		if start, err = strconv.ParseUint(cur, 10, 64); err != nil {
			s.badRequest(w, r, badField("cursor", "the next_cursor of a previous page", "cursor is not one this API issued"))
			return
		}
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	page, err := s.node.MileageHistory(ctx, tx.MileageHistoryRequest{Address: a, Start: start, Limit: uint64(limit)}, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	out := struct {
		Page[json.RawMessage]
		Total uint64 `json:"total"`
	}{Page: Page[json.RawMessage]{Items: page.Entries}, Total: page.Total}
	if out.Items == nil {
		out.Items = []json.RawMessage{}
	}
	if next := start + uint64(len(page.Entries)); len(page.Entries) == limit && next < page.Total {
		out.NextCursor = encodeCursor(strconv.FormatUint(next, 10))
	}
	writeJSON(w, http.StatusOK, out)
}
