package agent

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/citychain/citychain/edge/internal/outbox"
)

// metrics are registered on the agent's own registry, never the global one.
type metrics struct {
	polls      *prometheus.CounterVec
	pollErrors *prometheus.CounterVec
	signed     *prometheus.CounterVec
	refused    *prometheus.CounterVec
	power      *prometheus.GaugeVec
}

func newMetrics(reg *prometheus.Registry, ob *outbox.Outbox, alarm *atomic.Bool) metrics {
	dev := []string{"device"}
	m := metrics{
		polls:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "edge_polls_total", Help: "Modbus polls started."}, dev),
		pollErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "edge_poll_errors_total", Help: "Polls that produced no reading because of a device, decoding or state error."}, dev),
		signed:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "edge_readings_signed_total", Help: "Readings signed."}, dev),
		refused:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "edge_readings_refused_total", Help: "Readings not taken because the outbox was full."}, dev),
		power:      prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "edge_power_watts", Help: "Last AC power read from a SunSpec inverter."}, dev),
	}
	reg.MustRegister(m.polls, m.pollErrors, m.signed, m.refused, m.power,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "edge_outbox_depth", Help: "Readings waiting in the outbox for a PUBACK."},
			func() float64 { return float64(ob.Len()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "edge_outbox_capacity", Help: "Configured outbox capacity."},
			func() float64 { return float64(ob.Capacity()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "edge_outbox_full_alarm", Help: "1 while the outbox is full and new readings are refused."},
			func() float64 {
				if alarm.Load() {
					return 1
				}
				return 0
			}),
	)
	return m
}
