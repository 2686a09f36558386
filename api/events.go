package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/cometbft/cometbft/types"

	"github.com/citychain/citychain/api/apiclient"
	"github.com/citychain/citychain/chain/tx"
)

// Event is one ABCI event (or a "block" summary) as streamed (the
// client's type).
type Event = apiclient.Event

func eventOf(e abci.Event, height int64, hash string) Event {
	ev := Event{Type: e.Type, Height: height, Tx: hash, Attributes: map[string]string{}}
	for _, a := range e.Attributes {
		ev.Attributes[a.Key] = a.Value
	}
	return ev
}

// filter selects events: types (exact, or a module prefix such as
// "metering"), an account address among the attribute values, a device.
type filter struct {
	types   []string
	account string
	device  string
}

func (f filter) match(e *Event) bool {
	if len(f.types) > 0 {
		ok := false
		for _, t := range f.types {
			if e.Type == t || strings.HasPrefix(e.Type, t+".") {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if f.device != "" && e.Attributes["device"] != f.device {
		return false
	}
	if f.account != "" {
		ok := false
		for _, v := range e.Attributes {
			if strings.EqualFold(v, f.account) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func parseFilter(r *http.Request) (filter, error) {
	q := r.URL.Query()
	var f filter
	for _, t := range strings.Split(q.Get("type"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			f.types = append(f.types, t)
		}
	}
	if a := q.Get("account"); a != "" {
		addr, err := tx.ParseAddress(a)
		if err != nil {
			return f, badField("account", "40 hex characters (an account address)", "account %q: %v", a, err)
		}
		f.account = addr.String()
	}
	if d := q.Get("device"); d != "" {
		if err := tx.ValidateDeviceID(d); err != nil {
			return f, badField("device", "1 to 64 characters of a-z 0-9 . _ -", "device %q: %v", d, err)
		}
		f.device = d
	}
	return f, nil
}

// hub holds one CometBFT websocket subscription (new blocks and
// transactions) and fans its events out to the open streams.
type hub struct {
	s       *Server
	mu      sync.Mutex
	started bool
	cancel  context.CancelFunc
	subs    map[chan []Event]struct{}
	wg      sync.WaitGroup
}

func newHub(s *Server) *hub { return &hub{s: s, subs: map[chan []Event]struct{}{}} }

const subscriber = "citychain-api"

// ensure starts the subscription on first use.
func (h *hub) ensure(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.started {
		return nil
	}
	rpc := h.s.node.RPC()
	if !rpc.IsRunning() {
		if err := rpc.Start(); err != nil {
			return fmt.Errorf("start websocket to node: %w", err)
		}
	}
	blocks, err := rpc.Subscribe(ctx, subscriber, "tm.event='NewBlock'", 256)
	if err != nil {
		return fmt.Errorf("subscribe to new blocks: %w", err)
	}
	txs, err := rpc.Subscribe(ctx, subscriber, "tm.event='Tx'", 1024)
	if err != nil {
		_ = rpc.UnsubscribeAll(context.Background(), subscriber)
		return fmt.Errorf("subscribe to transactions: %w", err)
	}
	hctx, cancel := context.WithCancel(h.s.ctx)
	h.cancel, h.started = cancel, true
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		h.loop(hctx, blocks, txs)
	}()
	return nil
}

func (h *hub) loop(ctx context.Context, blocks, txs <-chan ctypes.ResultEvent) {
	defer func() {
		uctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = h.s.node.RPC().UnsubscribeAll(uctx, subscriber)
		h.mu.Lock()
		h.started = false
		for c := range h.subs {
			close(c)
			delete(h.subs, c)
		}
		h.mu.Unlock()
	}()
	for {
		var evs []Event
		select {
		case <-ctx.Done():
			return
		case re, ok := <-blocks:
			if !ok {
				return
			}
			if d, ok := re.Data.(types.EventDataNewBlock); ok && d.Block != nil {
				t := d.Block.Time
				evs = append(evs, Event{Type: "block", Height: d.Block.Height, Time: &t, Attributes: map[string]string{
					"hash": d.BlockID.Hash.String(), "num_txs": fmt.Sprint(len(d.Block.Txs)), "proposer": d.Block.ProposerAddress.String(),
				}})
				for _, e := range d.ResultFinalizeBlock.Events {
					ev := eventOf(e, d.Block.Height, "")
					ev.Time = &t
					evs = append(evs, ev)
				}
				for i := range evs {
					evs[i].ID = fmt.Sprintf("%d-b%d", d.Block.Height, i)
				}
			}
		case re, ok := <-txs:
			if !ok {
				return
			}
			if d, ok := re.Data.(types.EventDataTx); ok {
				hash := txHash(d.Tx)
				status := Event{Type: "tx", Height: d.Height, Tx: hash, Attributes: map[string]string{"code": fmt.Sprint(d.Result.Code), "codespace": d.Result.Codespace}}
				if d.Result.Code != 0 {
					status.Attributes["log"] = d.Result.Log
				}
				evs = append(evs, status)
				for _, e := range d.Result.Events {
					evs = append(evs, eventOf(e, d.Height, hash))
				}
				for i := range evs {
					evs[i].ID = fmt.Sprintf("%d-t%d-%d", d.Height, d.Index, i)
				}
			}
		}
		if len(evs) == 0 {
			continue
		}
		h.s.metrics.events.Add(float64(len(evs)))
		h.broadcast(evs)
	}
}

// broadcast hands evs to every open stream; a stream whose queue is full
// (it cannot keep up) is closed.
func (h *hub) broadcast(evs []Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs {
		select {
		case c <- evs:
		default:
			close(c)
			delete(h.subs, c)
		}
	}
}

func (h *hub) add() chan []Event {
	c := make(chan []Event, 256)
	h.mu.Lock()
	h.subs[c] = struct{}{}
	h.mu.Unlock()
	return c
}

func (h *hub) remove(c chan []Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[c]; ok {
		delete(h.subs, c)
		close(c)
	}
}

func (h *hub) stop() {
	h.mu.Lock()
	cancel := h.cancel
	h.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	h.wg.Wait()
	if rpc := h.s.node.RPC(); rpc.IsRunning() {
		_ = rpc.Stop()
	}
}

// streamSlots counts the open event streams, per client (remote IP
// address) and in all, against their caps.
type streamSlots struct {
	perClient, total int
	mu               sync.Mutex
	open             int
	byClient         map[string]int
}

func newStreamSlots(perClient, total int) *streamSlots {
	return &streamSlots{perClient: perClient, total: total, byClient: map[string]int{}}
}

// Reasons a stream is refused.
var (
	errStreamsFull      = errors.New("event streams: the server's limit is reached")
	errClientStreamFull = errors.New("event streams: this client's limit is reached")
)

// acquire takes a slot for client, or says which cap refuses it.
func (l *streamSlots) acquire(client string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.byClient[client] >= l.perClient:
		return errClientStreamFull
	case l.open >= l.total:
		return errStreamsFull
	}
	l.open++
	l.byClient[client]++
	return nil
}

func (l *streamSlots) release(client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.byClient[client]--; l.byClient[client] <= 0 {
		delete(l.byClient, client)
	}
}

// streamRetryAfter is the Retry-After of a refused stream, in seconds.
const streamRetryAfter = 5

// remoteIP is the client a stream counts against: the IP address of the
// connection (behind a reverse proxy, the proxy's).
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// events streams chain events as server-sent events: one message per ABCI
// event, "event:" its type, "data:" the Event JSON. A client holds at most
// MaxStreamsPerClient streams and the server MaxStreams; every write has
// StreamWriteTimeout to complete, and a client that does not read is
// dropped when it passes.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	client := remoteIP(r)
	if err := s.streams.acquire(client); err != nil {
		w.Header().Set("Retry-After", strconv.Itoa(streamRetryAfter))
		s.metrics.limited.Inc()
		if errors.Is(err, errClientStreamFull) {
			s.problem(w, r, http.StatusTooManyRequests, "too many event streams",
				fmt.Sprintf("client %s already holds %d open event streams, the most one client may hold (max streams per client %d); close one, or retry after %d s",
					client, s.cfg.MaxStreamsPerClient, s.cfg.MaxStreamsPerClient, streamRetryAfter), nil)
			return
		}
		s.problem(w, r, http.StatusServiceUnavailable, "event streams full",
			fmt.Sprintf("the server holds %d open event streams, its limit (max streams %d); retry after %d s",
				s.cfg.MaxStreams, s.cfg.MaxStreams, streamRetryAfter), nil)
		return
	}
	defer s.streams.release(client)
	ctx, cancel := s.nodeCtx(r)
	err = s.hub.ensure(ctx)
	cancel()
	if err != nil {
		s.problem(w, r, http.StatusServiceUnavailable, "events unavailable", err.Error(), nil)
		return
	}
	rc := http.NewResponseController(w)
	// flush sends what was written within the write timeout; a client
	// that does not take it in time has stalled.
	flush := func() error {
		if err := rc.SetWriteDeadline(time.Now().Add(s.cfg.StreamWriteTimeout)); err != nil {
			return err
		}
		return rc.Flush()
	}
	c := s.hub.add()
	defer s.hub.remove(c)
	s.metrics.streams.Inc()
	defer s.metrics.streams.Dec()

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprintf(w, "retry: 2000\n: citychain events%s\n\n", describe(f))
	if err := flush(); err != nil {
		return
	}
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		// Writes reach the connection whenever the response's buffer
		// fills: each one starts with a fresh deadline.
		select {
		case <-r.Context().Done():
			return
		case <-s.ctx.Done():
			return
		case <-ping.C:
			if err := rc.SetWriteDeadline(time.Now().Add(s.cfg.StreamWriteTimeout)); err != nil {
				return
			}
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
		case evs, ok := <-c:
			if !ok {
				return
			}
			if err := rc.SetWriteDeadline(time.Now().Add(s.cfg.StreamWriteTimeout)); err != nil {
				return
			}
			for i := range evs {
				if !f.match(&evs[i]) {
					continue
				}
				b, _ := json.Marshal(evs[i])
				if _, err := fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", evs[i].ID, evs[i].Type, b); err != nil {
					s.log.Info("event stream dropped: the client does not read", "client", client, "err", err)
					return
				}
			}
		}
		if err := flush(); err != nil {
			s.log.Info("event stream dropped: the client does not read", "client", client, "err", err)
			return
		}
	}
}

func describe(f filter) string {
	var parts []string
	if len(f.types) > 0 {
		parts = append(parts, "type="+strings.Join(f.types, ","))
	}
	if f.account != "" {
		parts = append(parts, "account="+f.account)
	}
	if f.device != "" {
		parts = append(parts, "device="+f.device)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, " ") + ")"
}
