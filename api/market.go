package api

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
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

// BookPage is a page of an interval's open orders, as the chain writes
// them: offers, then bids, each side in matching order (a page may end
// inside the offers; the next then starts with the rest of them).
type BookPage struct {
	Interval   uint64            `json:"interval"`
	Offers     []json.RawMessage `json:"offers"`
	Bids       []json.RawMessage `json:"bids"`
	NextCursor string            `json:"next_cursor,omitempty"`
}

// SettlementPage is an interval's delivery settlement (null while
// pending) and a page of its trades in sequence order.
type SettlementPage struct {
	Interval   uint64            `json:"interval"`
	Settlement json.RawMessage   `json:"settlement"`
	Trades     []json.RawMessage `json:"trades"`
	NextCursor string            `json:"next_cursor,omitempty"`
}

// listPage reads ?limit= (default and maximum the chain's) and ?cursor=,
// which valid checks is a cursor the chain issued.
func listPage(r *http.Request, valid func(string) bool) (tx.PageRequest, error) {
	limit, err := limitParam(r, tx.DefaultListLimit, tx.MaxListLimit)
	if err != nil {
		return tx.PageRequest{}, err
	}
	cur, err := cursorParam(r)
	if err != nil {
		return tx.PageRequest{}, err
	}
	if cur != "" && !valid(cur) {
		return tx.PageRequest{}, badField("cursor", "the next_cursor of a previous page", "cursor %q is not one this API issued", r.URL.Query().Get("cursor"))
	}
	return tx.PageRequest{After: cur, Limit: uint64(limit)}, nil
}

// hexCursor is a cursor of n bytes in hex; decimalCursor a number.
func hexCursor(n int) func(string) bool {
	return func(s string) bool {
		b, err := hex.DecodeString(s)
		return err == nil && len(b) == n
	}
}

func decimalCursor(s string) bool {
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// book pages through an interval's open orders.
func (s *Server) book(w http.ResponseWriter, r *http.Request) {
	i, ok := s.pathInterval(w, r)
	if !ok {
		return
	}
	pr, err := listPage(r, hexCursor(17))
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	b, err := s.node.MarketBook(ctx, tx.MarketIntervalRequest{Interval: i, PageRequest: pr}, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	out := BookPage{Interval: b.Interval, Offers: orEmpty(b.Offers), Bids: orEmpty(b.Bids)}
	if b.Next != "" {
		out.NextCursor = encodeCursor(b.Next)
	}
	writeJSON(w, http.StatusOK, out)
}

// settlement answers an interval's settlement and pages through its
// trades.
func (s *Server) settlement(w http.ResponseWriter, r *http.Request) {
	i, ok := s.pathInterval(w, r)
	if !ok {
		return
	}
	pr, err := listPage(r, decimalCursor)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	v, err := s.node.MarketSettlement(ctx, tx.MarketIntervalRequest{Interval: i, PageRequest: pr}, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	out := SettlementPage{Interval: v.Interval, Settlement: v.Settlement, Trades: orEmpty(v.Trades)}
	if out.Settlement == nil {
		out.Settlement = json.RawMessage("null")
	}
	if v.Next != "" {
		out.NextCursor = encodeCursor(v.Next)
	}
	writeJSON(w, http.StatusOK, out)
}

func orEmpty(items []json.RawMessage) []json.RawMessage {
	if items == nil {
		return []json.RawMessage{}
	}
	return items
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
