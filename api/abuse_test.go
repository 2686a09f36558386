package api

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
)

// TestOpenAPIMatchesRoutes fails on any route missing from the document
// and any documented path or method the router does not serve.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	nc, _ := client.New("http://127.0.0.1:1")
	s, err := New(Config{}, nc)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(s.openapiDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("got openapi %q, want 3.1.0", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for p, ms := range doc.Paths {
		for m := range ms {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	routed := map[string]bool{}
	for _, rt := range s.routes {
		p := rt.pattern
		if p == "/{$}" {
			p = "/"
		}
		routed[rt.method+" "+p] = true
	}
	var missing, extra []string
	for k := range routed {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !routed[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("routes not in the OpenAPI document: %v; documented but not routed: %v", missing, extra)
	}
	// Keyless routes are exactly those the document marks security: [].
	var d openapiDoc
	_ = json.Unmarshal(s.openapiDoc, &d)
	for _, rt := range s.routes {
		p := rt.pattern
		if p == "/{$}" {
			p = "/"
		}
		op := d.Paths[p][strings.ToLower(rt.method)]
		docPublic := op.Security != nil && len(*op.Security) == 0
		if docPublic != rt.public {
			t.Errorf("%s %s: router public=%v, document public=%v", rt.method, p, rt.public, docPublic)
		}
		// Every path parameter is documented.
		for _, seg := range strings.Split(p, "/") {
			if strings.HasPrefix(seg, "{") {
				name := strings.Trim(seg, "{}")
				found := false
				for _, pr := range op.Parameters {
					found = found || (pr.Name == name && pr.In == "path")
				}
				if !found {
					t.Errorf("%s %s: path parameter %s not documented", rt.method, p, name)
				}
			}
		}
	}
	if page, err := renderDocs(s.openapiDoc); err != nil || !strings.Contains(string(page), "/v1/txs/{hash}") {
		t.Fatalf("docs page: %v", err)
	}
}

// rawRequest writes req as it is on a new connection and returns the
// status line's code and the body.
func rawRequest(t *testing.T, addr, req string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response to %q: %v", req, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%q: got %d with Content-Type %q, want a problem document", req, res.StatusCode, res.Header.Get("Content-Type"))
	}
	return res.StatusCode, string(b)
}

func TestAbuse(t *testing.T) {
	c := getChain(t)
	ts := startServer(t, c, func(cfg *Config) {
		cfg.MaxBodyBytes = 4 << 10
		cfg.ReadHeaderTimeout = 300 * time.Millisecond
		cfg.Keys = append(cfg.Keys, KeyConfig{Name: "slow", SHA256: HashKey("ck_slow"), Rate: 1, Burst: 3})
	})
	alice := c.key(t, "alice").Address.String()

	t.Run("oversized body", func(t *testing.T) {
		body := `{"tx_base64":"` + strings.Repeat("A", 8<<10) + `"}`
		code, h, b := ts.do(t, "POST", "/v1/txs", strings.NewReader(body))
		p := wantProblem(t, "oversized", code, h, b, http.StatusRequestEntityTooLarge)
		if p.Field != "body" || !strings.Contains(p.Expected, "4096") {
			t.Fatalf("got %+v, want field body, at most 4096 bytes", p)
		}
	})
	for _, tc := range []struct{ name, body, field string }{
		{"malformed JSON", `{"tx_base64": `, "body"},
		{"not an object", `[1,2]`, ""},
		{"empty", ``, "body"},
		{"unknown field", `{"tx": "00"}`, "tx"},
		{"wrong type", `{"tx_hex": 5}`, "tx_hex"},
		{"bad hex", `{"tx_hex": "zz"}`, "tx_hex"},
		{"bad base64", `{"tx_base64": "***"}`, "tx_base64"},
		{"both", `{"tx_hex": "00", "tx_base64": "AA=="}`, "tx_base64"},
		{"trailing data", `{"tx_hex": "00"} {}`, "body"},
		{"not a transaction", `{"tx_hex": "0011"}`, "tx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, h, b := ts.do(t, "POST", "/v1/txs", strings.NewReader(tc.body))
			p := wantProblem(t, tc.name, code, h, b, http.StatusBadRequest)
			if tc.field != "" && p.Field != tc.field {
				t.Fatalf("got field %q, want %q (%s)", p.Field, tc.field, b)
			}
		})
	}
	t.Run("wrong content type", func(t *testing.T) {
		code, h, b := ts.do(t, "POST", "/v1/txs", strings.NewReader("x"), "Content-Type", "text/plain")
		wantProblem(t, "content type", code, h, b, http.StatusUnsupportedMediaType)
	})
	for _, tc := range []struct{ name, hdr, val string }{
		{"missing key", "Authorization", ""},
		{"unknown bearer key", "Authorization", "Bearer ck_wrong"},
		{"not bearer", "Authorization", "Basic dXNlcjpwYXNz"},
		{"unknown X-API-Key", "X-API-Key", "ck_wrong"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := []string{"Authorization", ""}
			if tc.val != "" {
				hdr = append(hdr, tc.hdr, tc.val)
			}
			code, h, b := ts.do(t, "GET", "/v1/accounts/"+alice, nil, hdr...)
			p := wantProblem(t, tc.name, code, h, b, http.StatusUnauthorized)
			if p.Field != "Authorization" || h.Get("WWW-Authenticate") == "" {
				t.Fatalf("got %+v, %v; want field Authorization and WWW-Authenticate", p, h)
			}
		})
	}
	t.Run("writes need a key even with anonymous reads", func(t *testing.T) {
		anon := startServer(t, c, func(cfg *Config) { cfg.AnonymousReads = true })
		code, _, b := anon.do(t, "GET", "/v1/accounts/"+alice, nil, "Authorization", "")
		if code != 200 {
			t.Fatalf("anonymous read: got %d %s", code, b)
		}
		code, h, b := anon.do(t, "POST", "/v1/txs", strings.NewReader(`{}`), "Authorization", "")
		wantProblem(t, "anonymous write", code, h, b, http.StatusUnauthorized)
		// The one POST that only reads (a registry record's dry run) is
		// served like a GET: past the key check to the handler, which
		// knows no such registry.
		code, h, b = anon.do(t, "POST", "/v1/registries/no_such/validate", strings.NewReader(`{"data":{}}`), "Authorization", "", "Content-Type", "application/json")
		wantProblem(t, "anonymous dry run", code, h, b, http.StatusNotFound)
		code, h, b = ts.do(t, "POST", "/v1/registries/no_such/validate", strings.NewReader(`{"data":{}}`), "Authorization", "", "Content-Type", "application/json")
		wantProblem(t, "dry run without anonymous reads", code, h, b, http.StatusUnauthorized)
	})
	t.Run("rate limit", func(t *testing.T) {
		var code int
		var h http.Header
		var b []byte
		for i := 0; i < 10; i++ {
			code, h, b = ts.do(t, "GET", "/v1/supply", nil, "Authorization", "", "X-API-Key", "ck_slow")
			if code == http.StatusTooManyRequests {
				if i != 3 {
					t.Fatalf("got 429 at request %d, want after the burst of 3", i+1)
				}
				break
			}
		}
		wantProblem(t, "rate limit", code, h, b, http.StatusTooManyRequests)
		if ra, err := strconv.Atoi(h.Get("Retry-After")); err != nil || ra < 1 {
			t.Fatalf("got Retry-After %q, want seconds >= 1", h.Get("Retry-After"))
		}
		// Another key is not affected.
		if code, _, b := ts.do(t, "GET", "/v1/supply", nil); code != 200 {
			t.Fatalf("other key: got %d %s", code, b)
		}
	})
	t.Run("path traversal", func(t *testing.T) {
		for _, p := range []string{
			"/assets/../openapi.json", "/assets/..%2fapi.go", "/assets/%2e%2e/%2e%2e/go.mod", "/assets/%2e%2e%2fstatic.go",
			"/assets/..\\api.go", "/assets/.hidden", "/assets/web/index.html", "/assets/%2fetc%2fpasswd", "//etc/passwd",
			"/assets/docs.css/..", "/../../../../etc/passwd", "/assets/docs.css%00.js",
		} {
			code, body := rawRequest(t, ts.addr, "GET "+p+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			if code != http.StatusNotFound && code != http.StatusBadRequest {
				t.Errorf("GET %s: got %d %.200s, want 404", p, code, body)
			}
			if strings.Contains(body, "package api") || strings.Contains(body, "root:") || strings.Contains(body, "module github.com") {
				t.Errorf("GET %s: leaked a file: %.200s", p, body)
			}
		}
		if code, body := rawRequest(t, ts.addr, "GET /assets/docs.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); code != 200 || !strings.Contains(body, "font") {
			t.Fatalf("docs.css: got %d", code)
		}
	})
	t.Run("slow client", func(t *testing.T) {
		conn, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		_, _ = io.WriteString(conn, "GET /v1/supply HTTP/1.1\r\nHost: x\r\n") // never finishes its headers
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, _ := io.ReadAll(conn)
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("the server kept a slow client %s, want it closed after the 300ms header timeout", took)
		}
		// net/http closes the connection (it may say 408 first): no request
		// was read, so there is nothing to answer with a problem.
		if len(b) > 0 && !strings.HasPrefix(string(b), "HTTP/1.1 408") {
			t.Fatalf("got %q, want a closed connection or 408", b)
		}
	})
	t.Run("still healthy", func(t *testing.T) {
		if code, _, b := ts.do(t, "GET", "/healthz", nil); code != 200 {
			t.Fatalf("healthz: got %d %s", code, b)
		}
		if code, _, b := ts.do(t, "GET", "/v1/accounts/"+alice, nil); code != 200 {
			t.Fatalf("read after abuse: got %d %s", code, b)
		}
		_, _, m := ts.do(t, "GET", "/metrics", nil)
		if !strings.Contains(string(m), "citychain_api_rate_limited_total 1") {
			t.Fatalf("metrics: want one rate-limited request counted")
		}
	})
}
