package api

import (
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkLoad is the load generator of .ci/bench.d/api.sh: an open-loop
// generator on loopback sends requests at a fixed rate (API_BENCH_RATE per
// second, default 500, for API_BENCH_SECONDS, default 10) to one endpoint
// and reports the achieved throughput and the p99 latency. Sub-benchmarks:
// balance (an ABCI query through the node) and healthz (static, the
// baseline), measured in the same run.
func BenchmarkLoad(b *testing.B) {
	rate := envInt("API_BENCH_RATE", 500)
	secs := envInt("API_BENCH_SECONDS", 10)
	c := getChain(b)
	ts := startServer(b, c, nil)
	alice := c.key(b, "alice").Address.String()
	for _, ep := range []struct{ name, path string }{
		{"balance", "/v1/accounts/" + alice + "/balances/uscn"},
		{"healthz", "/healthz"},
	} {
		b.Run(ep.name, func(b *testing.B) {
			tr := &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512}
			defer tr.CloseIdleConnections()
			hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
			n := rate * secs
			lat := make([]time.Duration, n)
			var failed int
			var mu sync.Mutex
			var wg sync.WaitGroup
			every := time.Second / time.Duration(rate)
			start := time.Now()
			for i := 0; i < n; i++ {
				// Open loop: request i is due at start + i*every, whatever
				// the server's pace (no coordinated omission).
				due := start.Add(time.Duration(i) * every)
				if d := time.Until(due); d > 0 {
					time.Sleep(d)
				}
				wg.Add(1)
				go func(i int, due time.Time) {
					defer wg.Done()
					req, _ := http.NewRequest("GET", ts.url+ep.path, nil)
					req.Header.Set("Authorization", "Bearer "+testKey)
					res, err := hc.Do(req)
					if err == nil {
						_, _ = drain(res)
					}
					lat[i] = time.Since(due)
					if err != nil || res.StatusCode != 200 {
						mu.Lock()
						failed++
						mu.Unlock()
					}
				}(i, due)
			}
			wg.Wait()
			elapsed := time.Since(start)
			slices.Sort(lat)
			b.ReportMetric(float64(n-failed)/elapsed.Seconds(), "req/s")
			b.ReportMetric(float64(lat[n*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(lat[n/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(failed), "failed")
		})
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func drain(res *http.Response) (int64, error) {
	defer res.Body.Close()
	return io.Copy(io.Discard, res.Body)
}
