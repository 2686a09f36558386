package settlement

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Rejection reasons. Those the chain also uses carry the chain's name
// (metering.reading_rejected events).
const (
	ReasonMalformed     = "malformed"      // does not decode (edge/reading)
	ReasonTopicMismatch = "topic_mismatch" // published on another device's topic
	ReasonUnregistered  = "unregistered"   // no such device on chain
	ReasonRevoked       = "revoked"        // device revoked
	ReasonWrongEpoch    = "wrong_epoch"    // no key of that epoch signed at that time, or older than the last accepted reading's epoch
	ReasonWrongKind     = "wrong_kind"     // reading kind does not fit the device kind
	ReasonBadSignature  = "bad_signature"  // forged: signature does not verify
	ReasonFutureTime    = "future_time"    // time beyond the chain's allowed clock skew
	ReasonReplayed      = "replayed"       // seq at or below the highest seen, never stored
	ReasonConflict      = "conflict"       // a different reading with a stored (device, seq)
	ReasonRolledBack    = "rolled_back"    // value below the previous reading of the epoch
	ReasonTimeRegressed = "time_regressed" // time before the previous reading of the epoch
	ReasonLate          = "late"           // its interval is already settled
)

// Stats are the service's counters since it started.
type Stats struct {
	Accepted          uint64
	Duplicates        uint64
	Rejected          map[string]uint64 // by reason
	WriteErrors       uint64
	IntervalsAnchored uint64
	AnchorConflicts   uint64
	SubmitRetries     uint64
	ReadingsSubmitted uint64
	// ReadingsRefused counts submitted readings the chain refused for good,
	// each recorded for the audit.
	ReadingsRefused uint64
}

// RejectedTotal sums Rejected over reasons.
func (s Stats) RejectedTotal() uint64 {
	var n uint64
	for _, v := range s.Rejected {
		n += v
	}
	return n
}

type metrics struct {
	reg *prometheus.Registry

	accepted, duplicates, writeErrors, anchored, conflicts, retries, submitted, refused prometheus.Counter
	rejected                                                                            *prometheus.CounterVec
	latency                                                                             prometheus.Histogram

	nAccepted, nDuplicates, nWriteErrors, nAnchored, nConflicts, nRetries, nSubmitted, nRefused atomic.Uint64
	mu                                                                                          sync.Mutex
	nRejected                                                                                   map[string]uint64
	latestMs                                                                                    atomic.Int64
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), nRejected: map[string]uint64{}}
	c := func(name, help string) prometheus.Counter {
		x := prometheus.NewCounter(prometheus.CounterOpts{Namespace: "settlement", Name: name, Help: help})
		m.reg.MustRegister(x)
		return x
	}
	m.accepted = c("readings_accepted_total", "Readings verified and stored in InfluxDB.")
	m.duplicates = c("readings_duplicate_total", "Deliveries of a (device, seq) already accepted, dropped.")
	m.writeErrors = c("influx_write_errors_total", "Failed InfluxDB writes (each is retried).")
	m.anchored = c("intervals_anchored_total", "Intervals whose Merkle root this replica anchored or found anchored with the same root.")
	m.conflicts = c("anchor_conflicts_total", "Intervals anchored on chain with a root different from the one rebuilt here (alarm).")
	m.retries = c("submit_retries_total", "Resubmissions: of a transaction after a timeout or a sequence error, of readings not yet accounted for on chain.")
	m.submitted = c("readings_submitted_total", "Readings sent to the chain (the last of each device per interval).")
	m.refused = c("readings_refused_total", "Submitted readings the chain refused for good (revoked device, rolled-back value, ...), each recorded as a gap the audit reports.")
	m.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "settlement", Name: "readings_rejected_total",
		Help: "Readings rejected, by reason; rejected readings are stored nowhere."}, []string{"reason"})
	m.reg.MustRegister(m.rejected)
	m.latency = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "settlement", Name: "store_latency_seconds",
		Help:    "From the reading's time (signing at the gateway) to its InfluxDB write completing.",
		Buckets: []float64{.002, .004, .006, .008, .01, .015, .02, .03, .05, .075, .1, .15, .2, .3, .5, .75, 1, 2, 5, 10, 30, 60, 300}})
	m.reg.MustRegister(m.latency)
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "settlement", Name: "lag_seconds",
		Help: "Now minus the time of the latest accepted reading (0 before the first)."}, func() float64 {
		ms := m.latestMs.Load()
		if ms == 0 {
			return 0
		}
		return time.Since(time.UnixMilli(ms)).Seconds()
	}))
	for _, r := range []string{ReasonMalformed, ReasonTopicMismatch, ReasonUnregistered, ReasonRevoked, ReasonWrongEpoch, ReasonWrongKind,
		ReasonBadSignature, ReasonFutureTime, ReasonReplayed, ReasonConflict, ReasonRolledBack, ReasonTimeRegressed, ReasonLate} {
		m.rejected.WithLabelValues(r)
	}
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

func (m *metrics) accept(n int, latestMs int64, now time.Time, timesMs []int64) {
	m.accepted.Add(float64(n))
	m.nAccepted.Add(uint64(n))
	for _, t := range timesMs {
		m.latency.Observe(now.Sub(time.UnixMilli(t)).Seconds())
	}
	for {
		old := m.latestMs.Load()
		if latestMs <= old || m.latestMs.CompareAndSwap(old, latestMs) {
			return
		}
	}
}

func (m *metrics) duplicate() { m.duplicates.Inc(); m.nDuplicates.Add(1) }

func (m *metrics) reject(reason string) {
	m.rejected.WithLabelValues(reason).Inc()
	m.mu.Lock()
	m.nRejected[reason]++
	m.mu.Unlock()
}

func (m *metrics) writeError()       { m.writeErrors.Inc(); m.nWriteErrors.Add(1) }
func (m *metrics) intervalAnchored() { m.anchored.Inc(); m.nAnchored.Add(1) }
func (m *metrics) anchorConflict()   { m.conflicts.Inc(); m.nConflicts.Add(1) }
func (m *metrics) submitRetry()      { m.retries.Inc(); m.nRetries.Add(1) }
func (m *metrics) readingRefused()   { m.refused.Inc(); m.nRefused.Add(1) }
func (m *metrics) readingsSubmitted(n int) {
	m.submitted.Add(float64(n))
	m.nSubmitted.Add(uint64(n))
}

func (m *metrics) stats() Stats {
	s := Stats{
		Accepted: m.nAccepted.Load(), Duplicates: m.nDuplicates.Load(), WriteErrors: m.nWriteErrors.Load(),
		IntervalsAnchored: m.nAnchored.Load(), AnchorConflicts: m.nConflicts.Load(), SubmitRetries: m.nRetries.Load(),
		ReadingsSubmitted: m.nSubmitted.Load(), ReadingsRefused: m.nRefused.Load(), Rejected: map[string]uint64{},
	}
	m.mu.Lock()
	for k, v := range m.nRejected {
		s.Rejected[k] = v
	}
	m.mu.Unlock()
	return s
}
