package api

import (
	"encoding/json"
	"net/http"
	"strconv"
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
	s.provable(w, r, "/market/params", nil, rawOrAbsent)
}

func (s *Server) pathInterval(w http.ResponseWriter, r *http.Request) (string, bool) {
	n, err := parseUint("interval", r.PathValue("interval"))
	if err != nil {
		s.badRequest(w, r, err)
		return "", false
	}
	return strconv.FormatUint(n, 10), true
}

func (s *Server) book(w http.ResponseWriter, r *http.Request) {
	if i, ok := s.pathInterval(w, r); ok {
		s.jsonAnswer(w, r, "/market/book", []byte(i))
	}
}

func (s *Server) settlement(w http.ResponseWriter, r *http.Request) {
	if i, ok := s.pathInterval(w, r); ok {
		s.jsonAnswer(w, r, "/market/settlements", []byte(i))
	}
}

func (s *Server) clearing(w http.ResponseWriter, r *http.Request) {
	if i, ok := s.pathInterval(w, r); ok {
		s.provable(w, r, "/market/clearing", []byte(i), rawOrAbsent)
	}
}

func (s *Server) order(w http.ResponseWriter, r *http.Request) {
	n, err := parseUint("id", r.PathValue("id"))
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, "/market/order", []byte(strconv.FormatUint(n, 10)), rawOrAbsent)
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
		res, err := s.node.Query(ctx, "/market/clearing", []byte(strconv.FormatUint(i, 10)), 0, false)
		if err != nil {
			s.nodeError(w, r, err)
			return
		}
		if res.Found() {
			items = append(items, res.Value)
		}
	}
	writeJSON(w, http.StatusOK, Page[json.RawMessage]{Items: items})
}
