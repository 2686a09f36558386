package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/citychain/citychain/chain/client"
)

// The market module's reads (chain/internal/market): parameters, orders,
// books, clearings and settlements per interval.

// marketRoutes are the market module's endpoints, documented in
// openapi/market.json.
func (s *Server) marketRoutes() []route {
	return []route{
		keyed("GET", "/v1/market/params", s.marketParams),
		keyed("GET", "/v1/market/clearings", s.clearings),
		keyed("GET", "/v1/market/orders/{id}", s.order),
		keyed("GET", "/v1/market/intervals/{interval}/book", s.book),
		keyed("GET", "/v1/market/intervals/{interval}/clearing", s.clearing),
		keyed("GET", "/v1/market/intervals/{interval}/settlement", s.settlement),
	}
}

func (s *Server) marketParams(w http.ResponseWriter, r *http.Request) {
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(s.node.MarketParams(ctx, o))
	})
}

func (s *Server) pathInterval(w http.ResponseWriter, r *http.Request) (uint64, bool) {
	n, err := parseUint("interval", r.PathValue("interval"))
	if err != nil {
		s.badRequest(w, r, err)
		return 0, false
	}
	return n, true
}

func (s *Server) book(w http.ResponseWriter, r *http.Request) {
	if i, ok := s.pathInterval(w, r); ok {
		s.jsonAnswer(w, r, func(ctx context.Context) (json.RawMessage, error) { return s.node.MarketBook(ctx, i, 0) })
	}
}

func (s *Server) settlement(w http.ResponseWriter, r *http.Request) {
	if i, ok := s.pathInterval(w, r); ok {
		s.jsonAnswer(w, r, func(ctx context.Context) (json.RawMessage, error) { return s.node.MarketSettlement(ctx, i, 0) })
	}
}

func (s *Server) clearing(w http.ResponseWriter, r *http.Request) {
	if i, ok := s.pathInterval(w, r); ok {
		s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
			return rawOrAbsent(s.node.MarketClearing(ctx, i, o))
		})
	}
}

func (s *Server) order(w http.ResponseWriter, r *http.Request) {
	n, err := parseUint("id", r.PathValue("id"))
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(s.node.MarketOrder(ctx, n, o))
	})
}

// clearings lists the clearing results of intervals from..to (at most
// 200), for charts of price and volume.
func (s *Server) clearings(w http.ResponseWriter, r *http.Request) {
	cur, err := s.currentInterval(r)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	to, err := queryUint(r, "to", cur)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	from, err := queryUint(r, "from", max(to, 59)-59)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	if from > to || to-from >= 200 {
		s.badRequest(w, r, badField("from", "from <= to and at most 200 intervals", "range %d..%d is not allowed", from, to))
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	items := []json.RawMessage{}
	for i := from; i <= to; i++ {
		c, _, err := s.node.MarketClearing(ctx, i, client.ReadOpts{})
		if err != nil {
			s.nodeError(w, r, err)
			return
		}
		if c != nil {
			items = append(items, c)
		}
	}
	writeJSON(w, http.StatusOK, Page[json.RawMessage]{Items: items})
}
