package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/citychain/citychain/api/apiclient"
	"github.com/citychain/citychain/chain/client"
)

// smallBufListener sets a small send buffer on every accepted connection,
// so a client that stops reading stalls the server's writes after a few
// kilobytes instead of the megabytes Linux would otherwise buffer.
type smallBufListener struct{ net.Listener }

func (l smallBufListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}

// startStreamServer is startServer on a listener with small send buffers.
func startStreamServer(t *testing.T, mod func(*Config)) *testServer {
	t.Helper()
	c := getChain(t)
	nc, err := client.New(c.rpc)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Keys: []KeyConfig{{Name: "tester", SHA256: HashKey(testKey), Rate: 1000, Burst: 1000}}}
	mod(&cfg)
	s, err := New(cfg, nc)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, smallBufListener{ln}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return &testServer{Server: s, url: "http://" + ln.Addr().String(), addr: ln.Addr().String()}
}

// fromIP is an HTTP client whose connections come from the loopback
// address ip (127.0.0.2, ...), a client of its own to the server.
func fromIP(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// openStream opens /v1/events from hc; a 200 leaves the body open (closed
// at the end of the test), anything else is read and returned.
func openStream(t *testing.T, ts *testServer, hc *http.Client) (int, http.Header, []byte, io.Closer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.url+"/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+testKey)
	res, err := hc.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if res.StatusCode == http.StatusOK {
		closer := closerFunc(func() error { cancel(); return res.Body.Close() })
		t.Cleanup(func() { _ = closer.Close() })
		return res.StatusCode, res.Header, nil, closer
	}
	defer cancel()
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b, nil
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// subscribers is the number of streams the hub feeds.
func (ts *testServer) subscribers() int {
	ts.hub.mu.Lock()
	defer ts.hub.mu.Unlock()
	return len(ts.hub.subs)
}

// TestEventStreamCaps opens event streams over real HTTP up to the caps:
// a client (remote IP) past its cap is refused with 429, the server past
// its total with 503, each a problem naming the limit with a Retry-After;
// closing a stream frees its slot.
func TestEventStreamCaps(t *testing.T) {
	ts := startStreamServer(t, func(c *Config) { c.MaxStreamsPerClient, c.MaxStreams = 2, 3 })
	local := fromIP("127.0.0.1")
	var first io.Closer
	for n := range 2 {
		code, _, b, cl := openStream(t, ts, local)
		if code != http.StatusOK {
			t.Fatalf("stream %d of 127.0.0.1: got %d %s, want 200", n+1, code, b)
		}
		if first == nil {
			first = cl
		}
	}
	code, hdr, b, _ := openStream(t, ts, local)
	p := wantProblem(t, "third stream of one client", code, hdr, b, http.StatusTooManyRequests)
	if hdr.Get("Retry-After") == "" || !strings.Contains(p.Detail, "max streams per client 2") {
		t.Fatalf("third stream of one client: got Retry-After %q, detail %q; want a Retry-After and the limit named", hdr.Get("Retry-After"), p.Detail)
	}
	if code, _, b, _ := openStream(t, ts, fromIP("127.0.0.2")); code != http.StatusOK {
		t.Fatalf("a stream of another client: got %d %s, want 200", code, b)
	}
	code, hdr, b, _ = openStream(t, ts, fromIP("127.0.0.3"))
	p = wantProblem(t, "a stream past the total", code, hdr, b, http.StatusServiceUnavailable)
	if hdr.Get("Retry-After") == "" || !strings.Contains(p.Detail, "max streams 3") {
		t.Fatalf("a stream past the total: got Retry-After %q, detail %q; want a Retry-After and the limit named", hdr.Get("Retry-After"), p.Detail)
	}
	_ = first.Close()
	waitFor(t, "the closed stream's slot to be free", 10*time.Second, func() bool {
		code, _, _, cl := openStream(t, ts, fromIP("127.0.0.3"))
		if cl != nil {
			_ = cl.Close()
		}
		return code == http.StatusOK
	})
}

// TestEventStreamStalledClient holds a stream on a raw TCP connection that
// never reads (small socket buffers on both ends) while the hub sends it
// megabytes of events: the server's write to it times out after
// StreamWriteTimeout, the stream is dropped and its slot freed, though the
// connection stays open. Without the write deadline the handler would
// block until the server's 30-second write timeout.
func TestEventStreamStalledClient(t *testing.T) {
	const timeout = 500 * time.Millisecond
	ts := startStreamServer(t, func(c *Config) { c.MaxStreamsPerClient, c.StreamWriteTimeout = 1, timeout })
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		if err != nil {
			return err
		}
		return serr
	}}
	conn, err := d.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "GET /v1/events HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n", ts.addr, testKey); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the raw stream to subscribe", 10*time.Second, func() bool { return ts.subscribers() == 1 })
	code, hdr, b, _ := openStream(t, ts, fromIP("127.0.0.1"))
	wantProblem(t, "a second stream while the stalled one holds the slot", code, hdr, b, http.StatusTooManyRequests)

	big := strings.Repeat("x", 16<<10)
	for n := range 300 { // ~5 MB, far beyond both socket buffers
		ts.hub.broadcast([]Event{{ID: fmt.Sprintf("stall-%d", n), Type: "test.stall", Attributes: map[string]string{"pad": big}}})
	}
	start := time.Now()
	waitFor(t, "the stalled stream to be dropped", 10*time.Second, func() bool {
		code, _, _, cl := openStream(t, ts, fromIP("127.0.0.1"))
		if cl != nil {
			_ = cl.Close()
		}
		return code == http.StatusOK
	})
	if took := time.Since(start); took > 2*timeout+3*time.Second {
		t.Fatalf("the stalled stream was dropped after %s, want within about the %s write timeout", took, timeout)
	}
	// The raw connection was never read nor closed by the client: the
	// server closed it.
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.Copy(io.Discard, conn); err != nil {
		t.Fatalf("read the stalled connection to its end: %v (want the server to have closed it)", err)
	}
}

// TestStreamConfig refuses caps that cannot hold a stream.
func TestStreamConfig(t *testing.T) {
	nc, _ := client.New("http://127.0.0.1:1")
	for _, c := range []Config{{MaxStreamsPerClient: -1}, {MaxStreams: -1}, {MaxStreamsPerClient: 5, MaxStreams: 4}, {StreamWriteTimeout: -time.Second}} {
		if s, err := New(c, nc); err == nil {
			s.Close()
			t.Errorf("config %+v: got a server, want an error", c)
		} else if !strings.Contains(err.Error(), "stream") {
			t.Errorf("config %+v: got %v, want an error about the streams", c, err)
		}
	}
	s, err := New(Config{MaxStreams: 2}, nc)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.cfg.MaxStreamsPerClient != 2 || s.cfg.StreamWriteTimeout != 10*time.Second {
		t.Fatalf("defaults with max streams 2: got %d per client, write timeout %s; want 2, 10s", s.cfg.MaxStreamsPerClient, s.cfg.StreamWriteTimeout)
	}
}

// TestDevicesByOwnerPages follows the cursor of an account's devices one
// device a page, through the API and its Go client: the same devices as
// one big page, in id order, each once; a limit or cursor the API did not
// offer is refused naming the field.
func TestDevicesByOwnerPages(t *testing.T) {
	c := getChain(t)
	ts := startServer(t, c, nil)
	alice := c.key(t, "alice").Address.String()
	base := "/v1/accounts/" + alice + "/devices"

	var whole Page[map[string]any]
	ts.getJSON(t, base+"?limit=500", &whole)
	if len(whole.Items) < 2 || whole.NextCursor != "" {
		t.Fatalf("alice's devices: got %d, next %q; want at least two on one page", len(whole.Items), whole.NextCursor)
	}
	var want []string
	for _, d := range whole.Items {
		want = append(want, d["id"].(string))
	}
	var got []string
	path := base + "?limit=1"
	for pages := 0; pages <= len(want); pages++ {
		var p Page[map[string]any]
		ts.getJSON(t, path, &p)
		if len(p.Items) > 1 {
			t.Fatalf("%s: got %d devices, want at most 1", path, len(p.Items))
		}
		for _, d := range p.Items {
			got = append(got, d["id"].(string))
		}
		if p.NextCursor == "" {
			break
		}
		path = base + "?limit=1&cursor=" + p.NextCursor
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("one device a page: got %v, want %v", got, want)
	}
	for i := 1; i < len(want); i++ {
		if want[i-1] >= want[i] {
			t.Fatalf("devices %v: want id order", want)
		}
	}
	// ?after= is the same as the cursor of the page ending there.
	var p Page[map[string]any]
	ts.getJSON(t, base+"?after="+want[0], &p)
	if len(p.Items) != len(want)-1 || p.Items[0]["id"] != want[1] {
		t.Fatalf("after %s: got %v, want the devices after it", want[0], p.Items)
	}

	ac := apiclient.New(ts.url, apiclient.WithAPIKey(testKey))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	all, err := ac.AllDevicesByOwner(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, raw := range all {
		var d struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Fatalf("apiclient: got %v, want %v", ids, want)
	}

	for _, c := range []struct{ query, field string }{
		{"?limit=501", "limit"}, {"?limit=0", "limit"}, {"?cursor=%21%21", "cursor"}, {"?after=NOT+AN+ID", "after"},
		{"?after=" + want[0] + "&cursor=" + encodeCursor(want[0]), "cursor"},
	} {
		code, hdr, b := ts.do(t, "GET", base+c.query, nil)
		if p := wantProblem(t, c.query, code, hdr, b, http.StatusBadRequest); p.Field != c.field {
			t.Errorf("%s: got field %q, want %q", c.query, p.Field, c.field)
		}
	}
}

// TestMarketPagesAPI checks the book's and the settlement's paging
// parameters: a page within the limit, a limit over the chain's maximum
// and a cursor the API did not issue refused naming the field.
func TestMarketPagesAPI(t *testing.T) {
	c := getChain(t)
	ts := startServer(t, c, nil)
	var bk BookPage
	ts.getJSON(t, "/v1/market/intervals/5/book?limit=1", &bk)
	if bk.Interval != 5 || bk.Offers == nil || bk.Bids == nil || bk.NextCursor != "" {
		t.Fatalf("book of interval 5: got %+v, want an empty page", bk)
	}
	var st SettlementPage
	ts.getJSON(t, "/v1/market/intervals/5/settlement?limit=1000", &st)
	if st.Interval != 5 || st.Trades == nil || string(st.Settlement) != "null" {
		t.Fatalf("settlement of interval 5: got %+v, want pending and no trades", st)
	}
	for _, c := range []struct{ path, field string }{
		{"/v1/market/intervals/5/book?limit=1001", "limit"},
		{"/v1/market/intervals/5/book?cursor=" + encodeCursor("12"), "cursor"},
		{"/v1/market/intervals/5/settlement?limit=1001", "limit"},
		{"/v1/market/intervals/5/settlement?cursor=" + encodeCursor("ab"), "cursor"},
	} {
		code, hdr, b := ts.do(t, "GET", c.path, nil)
		if p := wantProblem(t, c.path, code, hdr, b, http.StatusBadRequest); p.Field != c.field {
			t.Errorf("%s: got field %q, want %q", c.path, p.Field, c.field)
		}
	}
}
