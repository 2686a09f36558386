package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// route is one endpoint: method, ServeMux pattern (the same string as the
// OpenAPI path), whether it needs no key, and its handler.
type route struct {
	method, pattern string
	public          bool
	// read marks a POST that only reads (its body is a question, as in a
	// dry-run validation): anonymous reads serve it like a GET.
	read bool
	h    http.HandlerFunc
}

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Field names the request field at fault, Expected what it should be.
	Field    string `json:"field,omitempty"`
	Expected string `json:"expected,omitempty"`
	// Codespace, Code and Log are the chain's answer for a rejected
	// transaction or query.
	Hash      string `json:"hash,omitempty"`
	Codespace string `json:"codespace,omitempty"`
	Code      uint32 `json:"code,omitempty"`
	Log       string `json:"log,omitempty"`
}

// fieldError is bad input: which field, what was wrong, what was expected.
type fieldError struct {
	field, detail, expected string
}

func (e *fieldError) Error() string { return e.detail }

func badField(field, expected, format string, args ...any) *fieldError {
	return &fieldError{field: field, expected: expected, detail: fmt.Sprintf(format, args...)}
}

func (s *Server) problem(w http.ResponseWriter, r *http.Request, status int, title, detail string, extra *Problem) {
	p := Problem{}
	if extra != nil {
		p = *extra
	}
	p.Type = "about:blank"
	if p.Title == "" {
		p.Title = title
	}
	p.Status, p.Detail, p.Instance = status, detail, r.URL.Path
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

func (s *Server) badRequest(w http.ResponseWriter, r *http.Request, err error) {
	var fe *fieldError
	if errors.As(err, &fe) {
		s.problem(w, r, http.StatusBadRequest, "invalid request", fe.detail, &Problem{Field: fe.field, Expected: fe.expected})
		return
	}
	s.problem(w, r, http.StatusBadRequest, "invalid request", err.Error(), nil)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// statusWriter records the status for metrics and passes Flush through.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(c int) {
	if w.status == 0 {
		w.status = c
	}
	w.ResponseWriter.WriteHeader(c)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// guard runs before routing: it refuses paths that try to climb out of a
// directory, however encoded, with a 404 problem.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw := strings.ToLower(r.URL.RawPath + r.URL.Path + r.RequestURI)
		if strings.Contains(raw, "..") || strings.Contains(raw, "%2e%2e") || strings.Contains(raw, "\\") || strings.Contains(raw, "%5c") || strings.Contains(r.URL.Path, "\x00") || strings.Contains(r.URL.Path, "//") {
			s.metrics.requests.WithLabelValues("guard", r.Method, "404").Inc()
			s.problem(w, r, http.StatusNotFound, "not found", "paths may not contain '..', backslashes or empty segments", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// wrap adds panic recovery, metrics, authentication and rate limiting.
func (s *Server) wrap(rt route) http.Handler {
	label := rt.pattern
	if rt.method != "" {
		label = rt.method + " " + rt.pattern
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("handler panic", "route", label, "panic", v)
				if sw.status == 0 {
					s.problem(sw, r, http.StatusInternalServerError, "internal error", "the server failed to answer; see its log", nil)
				}
			}
			code := sw.status
			if code == 0 {
				code = http.StatusOK
			}
			s.metrics.requests.WithLabelValues(label, r.Method, strconv.Itoa(code)).Inc()
			s.metrics.duration.WithLabelValues(label).Observe(time.Since(start).Seconds())
		}()
		if !rt.public && !s.authorize(sw, r, rt.read) {
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(sw, r.Body, s.cfg.MaxBodyBytes)
		}
		rt.h(sw, r)
	})
}

// keyInfo is a configured key.
type keyInfo struct {
	name  string
	rate  float64
	burst int
}

// HashKey is the SHA-256 (hex) of an API key, what the configuration
// stores.
func HashKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// NewKey returns a fresh random API key ("ck_" and 43 hex characters of
// 192 bits) and its hash.
func NewKey() (key, hash string, err error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	key = "ck_" + hex.EncodeToString(b[:])
	return key, HashKey(key), nil
}

func loadKeys(ks []KeyConfig) (map[[32]byte]*keyInfo, error) {
	out := map[[32]byte]*keyInfo{}
	for i, k := range ks {
		b, err := hex.DecodeString(k.SHA256)
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("api config: keys[%d] (%q).sha256 %q: want 64 hex characters (citychain api hash-key)", i, k.Name, k.SHA256)
		}
		if k.Name == "" {
			return nil, fmt.Errorf("api config: keys[%d].name: want a consumer name", i)
		}
		if k.Rate < 0 || k.Burst < 0 {
			return nil, fmt.Errorf("api config: keys[%d] (%q): rate and burst may not be negative", i, k.Name)
		}
		ki := &keyInfo{name: k.Name, rate: k.Rate, burst: k.Burst}
		if ki.rate == 0 {
			ki.rate = 10
		}
		if ki.burst == 0 {
			ki.burst = 20
		}
		out[[32]byte(b)] = ki
	}
	return out, nil
}

// presentedKey returns the key in Authorization: Bearer or X-API-Key (or,
// for event streams, which browsers cannot give headers, ?api_key=).
func presentedKey(r *http.Request) (string, bool) {
	if a := r.Header.Get("Authorization"); a != "" {
		k, ok := strings.CutPrefix(a, "Bearer ")
		return strings.TrimSpace(k), ok
	}
	if k := r.Header.Get("X-API-Key"); k != "" {
		return k, true
	}
	if r.URL.Path == "/v1/events" && r.URL.Query().Has("api_key") {
		return r.URL.Query().Get("api_key"), true
	}
	return "", false
}

// authorize checks the key and the rate limit; on failure it has written
// the problem.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, read bool) bool {
	key, present := presentedKey(r)
	var bucket string
	rate, burst := s.cfg.AnonymousRate, s.cfg.AnonymousBurst
	switch {
	case present:
		ki, ok := s.keys[sha256.Sum256([]byte(key))]
		if !ok || key == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="citychain"`)
			s.problem(w, r, http.StatusUnauthorized, "invalid API key", "the API key presented is not known", &Problem{Field: "Authorization", Expected: "Bearer <key> or X-API-Key: <key> with a configured key"})
			return false
		}
		bucket, rate, burst = "key:"+ki.name, ki.rate, ki.burst
	case s.cfg.AnonymousReads && (read || r.Method == http.MethodGet || r.Method == http.MethodHead):
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		bucket = "ip:" + host
	default:
		w.Header().Set("WWW-Authenticate", `Bearer realm="citychain"`)
		s.problem(w, r, http.StatusUnauthorized, "API key required", "this endpoint needs an API key", &Problem{Field: "Authorization", Expected: "Bearer <key> or X-API-Key: <key>"})
		return false
	}
	if ok, wait := s.limiter.allow(bucket, rate, burst, time.Now()); !ok {
		secs := int(math.Ceil(wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		s.metrics.limited.Inc()
		s.problem(w, r, http.StatusTooManyRequests, "rate limit exceeded", fmt.Sprintf("this client may make %g requests per second (burst %d); retry after %d s", rate, burst, max(secs, 1)), nil)
		return false
	}
	return true
}

// limiter is a set of token buckets.
type limiter struct {
	mu sync.Mutex
	m  map[string]*tokenBucket
}

type tokenBucket struct {
	tokens float64
	last   time.Time
}

func newLimiter() *limiter { return &limiter{m: map[string]*tokenBucket{}} }

const maxBuckets = 100_000

func (l *limiter) allow(key string, rate float64, burst int, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.m[key]
	if !ok {
		if len(l.m) >= maxBuckets {
			// Forget buckets that have refilled: they hold no state.
			for k, ob := range l.m {
				if ob.tokens+now.Sub(ob.last).Seconds()*rate >= float64(burst) {
					delete(l.m, k)
				}
			}
		}
		b = &tokenBucket{tokens: float64(burst), last: now}
		l.m[key] = b
	}
	b.tokens = math.Min(float64(burst), b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	limited  prometheus.Counter
	streams  prometheus.Gauge
	events   prometheus.Counter
	relayed  *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citychain_api_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "citychain_api_request_duration_seconds", Help: "Time to answer, by route.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"route"}),
		limited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "citychain_api_rate_limited_total", Help: "Requests refused by the rate limit.",
		}),
		streams: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "citychain_api_event_streams", Help: "Open server-sent event streams.",
		}),
		events: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "citychain_api_chain_events_total", Help: "Chain events received from the node.",
		}),
		relayed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citychain_api_txs_relayed_total", Help: "Transactions relayed, by CheckTx outcome.",
		}, []string{"result"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.limited, m.streams, m.events, m.relayed,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
