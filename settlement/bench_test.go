package settlement_test

import (
	"crypto/ed25519"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/signature"
	"github.com/citychain/citychain/settlement"
)

const benchDevices = 200

func benchEnv(b *testing.B) (*env, []string) {
	var ds []device
	var ids []string
	for i := range benchDevices {
		id := fmt.Sprintf("inv-%04d", i)
		ds = append(ds, device{id, tx.KindSolarInverter})
		ids = append(ids, id)
	}
	// Mosquitto saving its whole persistence file after every message
	// (the tests' setting) caps it near 2,000 messages/s: save every
	// 100,000 changes, as a production broker would save on a timer.
	return newEnvWith(b, local.MosquittoOptions{AutosaveChanges: 100_000}, 900, ds...), ids
}

func benchConfig(e *env, id string) settlement.Config {
	cfg := e.config(id)
	cfg.NoAnchor = true
	cfg.DeviceTTL = time.Minute
	cfg.FlushInterval = 0 // default
	return cfg
}

// publishers connects n publishing clients.
func (e *env) publishers(n int) []mqtt.Client {
	var cs []mqtt.Client
	for range n {
		cs = append(cs, e.publisher())
	}
	return cs
}

// BenchmarkVerifyEd25519 is the baseline: raw ed25519 verifications per
// second of reading-sized messages on one goroutine per CPU.
func BenchmarkVerifyEd25519(b *testing.B) {
	benchVerify(b, ed25519.Verify)
}

// BenchmarkVerifyZIP215 is the same with the project's one signature rule
// (edge/signature, ZIP-215), which settlement and the chain verify with.
func BenchmarkVerifyZIP215(b *testing.B) {
	benchVerify(b, func(pub ed25519.PublicKey, msg, sig []byte) bool { return signature.Verify(pub, msg, sig) })
}

func benchVerify(b *testing.B, verify func(pub ed25519.PublicKey, msg, sig []byte) bool) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	pub := priv.Public().(ed25519.PublicKey)
	s, _ := reading.Reading{DeviceID: "inv-0001", KeyEpoch: 1, Seq: 1, TimeMs: 1, Kind: reading.KindEnergyWh, Value: 1}.Sign(priv)
	msg, _ := s.SigningBytes()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if !verify(pub, msg, s.Signature[:]) {
				b.Fatal("verify")
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "verify/s")
}

// BenchmarkIngest: pre-signed readings of 200 devices published as fast as
// two QoS 1 publishers can through Mosquitto; the clock stops when the
// settlement service has verified, deduplicated and stored them all in
// InfluxDB (and acknowledged them).
func BenchmarkIngest(b *testing.B) {
	perDevice := 300
	if v, err := strconv.Atoi(os.Getenv("BENCH_PER_DEVICE")); err == nil {
		perDevice = v
	}
	e, ids := benchEnv(b)
	r := e.start(benchConfig(e, "bench-ingest"))
	pubs := e.publishers(2)
	now := time.Now().Add(-time.Minute).UnixMilli()
	b.ResetTimer()
	var total uint64
	var elapsed time.Duration
	for n := range b.N {
		b.StopTimer()
		var wires [][]byte
		for seq := 1; seq <= perDevice; seq++ {
			for _, d := range ids {
				s := uint64(n*perDevice + seq)
				wires = append(wires, e.sign(d, s, now+int64(s), s))
			}
		}
		before := r.Stats().Accepted
		b.StartTimer()
		start := time.Now()
		var toks []mqtt.Token
		for i, w := range wires {
			toks = append(toks, pubs[i%len(pubs)].Publish(reading.Topic(ids[i%len(ids)]), 1, false, w))
		}
		want := before + uint64(len(wires))
		last := time.Now()
		for r.Stats().Accepted < want {
			time.Sleep(time.Millisecond)
			if time.Since(last) > 2*time.Second {
				last = time.Now()
				fmt.Fprintf(os.Stderr, "waiting: %+v of %d\n", r.Stats(), want)
			}
		}
		elapsed += time.Since(start)
		total += uint64(len(wires))
		for _, t := range toks {
			t.Wait()
		}
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "readings/s")
	if st := r.Stats(); st.RejectedTotal() != 0 {
		b.Fatalf("rejected %v", st.Rejected)
	}
}

// BenchmarkLatency: readings signed at the moment of publishing at a steady
// rate; p99 of signing-to-stored (the service's store_latency histogram).
func BenchmarkLatency(b *testing.B) {
	const rate, seconds = 4000, 3
	e, ids := benchEnv(b)
	r := e.start(benchConfig(e, "bench-latency"))
	pub := e.publisher()
	b.ResetTimer()
	seq := uint64(0)
	sent := 0
	for range b.N {
		tick := time.NewTicker(10 * time.Millisecond)
		for range seconds * 100 {
			<-tick.C
			for range rate / 100 {
				d := ids[sent%len(ids)]
				if sent%len(ids) == 0 {
					seq++
				}
				pub.Publish(reading.Topic(d), 1, false, e.sign(d, seq, time.Now().UnixMilli(), seq))
				sent++
			}
		}
		tick.Stop()
	}
	for r.Stats().Accepted < uint64(sent) {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(histQuantile(b, scrape(b, r.Service), "settlement_store_latency_seconds", 0.99)*1000, "p99-ms")
	b.ReportMetric(histQuantile(b, scrape(b, r.Service), "settlement_store_latency_seconds", 0.50)*1000, "p50-ms")
}

// histQuantile estimates a quantile from a Prometheus text histogram, as
// histogram_quantile does (linear within the bucket).
func histQuantile(tb testing.TB, text, name string, q float64) float64 {
	type bucket struct{ le, n float64 }
	var bs []bucket
	for _, l := range strings.Split(text, "\n") {
		if !strings.HasPrefix(l, name+"_bucket{le=\"") {
			continue
		}
		rest := strings.TrimPrefix(l, name+"_bucket{le=\"")
		leS, nS, _ := strings.Cut(rest, "\"} ")
		le, err := strconv.ParseFloat(leS, 64)
		if leS == "+Inf" {
			le, err = math.Inf(1), nil
		}
		n, err2 := strconv.ParseFloat(nS, 64)
		if err != nil || err2 != nil {
			tb.Fatalf("histogram line %q", l)
		}
		bs = append(bs, bucket{le, n})
	}
	if len(bs) == 0 || bs[len(bs)-1].n == 0 {
		tb.Fatal("empty histogram")
	}
	rank := q * bs[len(bs)-1].n
	prevLe, prevN := 0.0, 0.0
	for _, bk := range bs {
		if bk.n >= rank {
			if math.IsInf(bk.le, 1) {
				return prevLe
			}
			return prevLe + (bk.le-prevLe)*(rank-prevN)/(bk.n-prevN)
		}
		prevLe, prevN = bk.le, bk.n
	}
	return prevLe
}
