// Package publisher drains the outbox to an MQTT broker with QoS 1.
//
// The outbox, not the MQTT session, is the source of truth: the client
// connects with CleanSession=true and no automatic reconnect, so on any
// connection loss paho fails every pending token and nothing is held in
// paho's in-memory store. Each (re)connection starts a session that walks
// the outbox from the oldest entry, publishes each reading on its device's
// topic (reading.Topic: citychain/v1/readings/<device>) and removes it only
// after its PUBACK (token success). At most MaxInFlight publishes await a PUBACK at once;
// entries that were already queued when the session started (the replay)
// are paced by a token bucket. Any failed publish ends the session; the
// next one replays whatever is still queued, so readings can arrive twice
// but are never lost.
//
// Gateway status: a retained last will "offline" and a retained "online"
// on citychain/v1/status/<gateway> (reading.StatusTopic); the outbox alarm
// is retained on citychain/v1/status/<gateway>/alarm (reading.AlarmTopic;
// "outbox_full" or "ok").
package publisher

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/citychain/citychain/edge/internal/outbox"
	"github.com/citychain/citychain/edge/reading"
)

// Source is the queue the publisher drains (an *outbox.Outbox).
type Source interface {
	Next(after uint64) (outbox.Entry, bool)
	Remove(key uint64) error
	LastKey() uint64
	Notify() <-chan struct{}
}

var _ Source = (*outbox.Outbox)(nil)

// Config of the broker connection.
type Config struct {
	Broker         string // tcp://host:port, ssl://host:port
	ClientID       string
	Username       string
	Password       string
	TLS            *tls.Config // nil: plain TCP unless the scheme says TLS
	GatewayID      string
	MaxInFlight    int
	ReplayRate     float64 // per second; <= 0 unlimited
	ReplayBurst    int
	PublishTimeout time.Duration
	ConnectTimeout time.Duration
	KeepAlive      time.Duration
	ReconnectMin   time.Duration // first backoff, default 100ms
	ReconnectMax   time.Duration
	// ShutdownGrace bounds how long ending a session waits for in-flight
	// PUBACKs before disconnecting (default 2s); unacknowledged readings
	// stay in the outbox.
	ShutdownGrace time.Duration
}

// Publisher owns the MQTT client.
type Publisher struct {
	cfg Config
	src Source
	log *slog.Logger

	alarm   atomic.Bool
	alarmCh chan struct{}

	published prometheus.Counter
	failures  prometheus.Counter
	connects  prometheus.Counter
	connected prometheus.Gauge
}

// New validates cfg and registers the publisher's metrics with reg.
func New(cfg Config, src Source, logger *slog.Logger, reg prometheus.Registerer) (*Publisher, error) {
	if cfg.Broker == "" || cfg.ClientID == "" || cfg.GatewayID == "" {
		return nil, errors.New("publisher: broker, client id and gateway id are required")
	}
	if cfg.MaxInFlight < 1 {
		return nil, fmt.Errorf("publisher max in flight %d: want >= 1", cfg.MaxInFlight)
	}
	if cfg.ReplayBurst < 1 {
		cfg.ReplayBurst = 1
	}
	if cfg.PublishTimeout <= 0 {
		cfg.PublishTimeout = 10 * time.Second
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = 30 * time.Second
	}
	if cfg.ReconnectMin <= 0 {
		cfg.ReconnectMin = 100 * time.Millisecond
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = 2 * time.Second
	}
	if cfg.ReconnectMax < cfg.ReconnectMin {
		cfg.ReconnectMax = cfg.ReconnectMin
	}
	p := &Publisher{
		cfg: cfg, src: src, log: logger, alarmCh: make(chan struct{}, 1),
		published: prometheus.NewCounter(prometheus.CounterOpts{Name: "edge_readings_published_total", Help: "Readings acknowledged by the broker (PUBACK) and removed from the outbox."}),
		failures:  prometheus.NewCounter(prometheus.CounterOpts{Name: "edge_publish_failures_total", Help: "Publishes that failed or timed out (the reading stays queued)."}),
		connects:  prometheus.NewCounter(prometheus.CounterOpts{Name: "edge_mqtt_connects_total", Help: "Successful MQTT connections."}),
		connected: prometheus.NewGauge(prometheus.GaugeOpts{Name: "edge_mqtt_connected", Help: "1 while connected to the broker."}),
	}
	for _, c := range []prometheus.Collector{p.published, p.failures, p.connects, p.connected} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("publisher metrics: %w", err)
		}
	}
	return p, nil
}

// SetAlarm records the outbox alarm state; a change is published
// (retained) on the alarm topic, now if connected, else on the next
// connect.
func (p *Publisher) SetAlarm(on bool) {
	if p.alarm.Swap(on) != on {
		select {
		case p.alarmCh <- struct{}{}:
		default:
		}
	}
}

// Run connects, publishes and reconnects with exponential backoff until
// ctx is cancelled.
func (p *Publisher) Run(ctx context.Context) error {
	backoff := p.cfg.ReconnectMin
	for {
		connected, err := p.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if connected {
			backoff = p.cfg.ReconnectMin
		}
		p.log.Warn("mqtt session ended", "broker", p.cfg.Broker, "err", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, p.cfg.ReconnectMax)
	}
}

var errPublishFailed = errors.New("a publish failed")

func (p *Publisher) options(lost chan<- error) *mqtt.ClientOptions {
	o := mqtt.NewClientOptions().
		AddBroker(p.cfg.Broker).
		SetClientID(p.cfg.ClientID).
		SetCleanSession(true).
		SetAutoReconnect(false).
		SetConnectRetry(false).
		SetConnectTimeout(p.cfg.ConnectTimeout).
		SetKeepAlive(p.cfg.KeepAlive).
		SetPingTimeout(p.cfg.ConnectTimeout).
		SetWriteTimeout(p.cfg.PublishTimeout).
		SetWill(reading.StatusTopic(p.cfg.GatewayID), "offline", 1, true).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			select {
			case lost <- err:
			default:
			}
		})
	if p.cfg.Username != "" {
		o.SetUsername(p.cfg.Username)
		o.SetPassword(p.cfg.Password)
	}
	if p.cfg.TLS != nil {
		o.SetTLSConfig(p.cfg.TLS)
	}
	return o
}

// wait waits for a token, the context or a timeout.
func wait(ctx context.Context, tok mqtt.Token, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-tok.Done():
		return tok.Error()
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("no answer within %v", timeout)
	}
}

// session runs one MQTT connection; connected reports whether it got as far
// as connecting.
func (p *Publisher) session(ctx context.Context) (connected bool, err error) {
	lost := make(chan error, 1)
	c := mqtt.NewClient(p.options(lost))
	if err := wait(ctx, c.Connect(), p.cfg.ConnectTimeout); err != nil {
		c.Disconnect(0)
		return false, fmt.Errorf("connect to %s: %w", p.cfg.Broker, err)
	}
	p.connects.Inc()
	p.connected.Set(1)
	defer p.connected.Set(0)
	p.log.Info("mqtt connected", "broker", p.cfg.Broker, "client_id", p.cfg.ClientID)

	if err := wait(ctx, c.Publish(reading.StatusTopic(p.cfg.GatewayID), 1, true, "online"), p.cfg.PublishTimeout); err != nil {
		c.Disconnect(0)
		return true, fmt.Errorf("publish online status: %w", err)
	}
	// stop publishes the retained "offline" a clean disconnect would not
	// trigger (the will is only sent on an unclean loss).
	stop := func() (bool, error) {
		ctx, cancel := context.WithTimeout(context.Background(), p.cfg.ShutdownGrace)
		defer cancel()
		wait(ctx, c.Publish(reading.StatusTopic(p.cfg.GatewayID), 1, true, "offline"), p.cfg.PublishTimeout)
		return true, nil
	}
	p.publishAlarm(c)

	var (
		wg     sync.WaitGroup
		sem    = make(chan struct{}, p.cfg.MaxInFlight)
		failed = make(chan error, 1)
		bucket = newBucket(p.cfg.ReplayRate, p.cfg.ReplayBurst)
		replay = p.src.LastKey() // entries up to here are a replay
		cursor uint64
	)
	defer func() {
		// Let in-flight publishes finish (or fail when the client goes).
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(p.cfg.ShutdownGrace):
		}
		c.Disconnect(250)
		wg.Wait()
	}()
	for {
		if e, ok := p.src.Next(cursor); ok {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return stop()
			case err := <-lost:
				return true, fmt.Errorf("connection lost: %w", err)
			case err := <-failed:
				return true, err
			}
			if e.Key <= replay {
				if err := bucket.wait(ctx); err != nil {
					<-sem
					return stop()
				}
			}
			cursor = e.Key
			tok := c.Publish(reading.Topic(e.Device), 1, false, e.Wire)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				if err := wait(context.Background(), tok, p.cfg.PublishTimeout); err != nil {
					p.failures.Inc()
					select {
					case failed <- fmt.Errorf("publish %s key %d: %w: %w", e.Device, e.Key, errPublishFailed, err):
					default:
					}
					return
				}
				if err := p.src.Remove(e.Key); err != nil {
					p.log.Error("remove acknowledged reading from the outbox", "device", e.Device, "key", e.Key, "err", err)
				}
				p.published.Inc()
			}()
			continue
		}
		select {
		case <-p.src.Notify():
		case <-p.alarmCh:
			p.publishAlarm(c)
		case <-ctx.Done():
			return stop()
		case err := <-lost:
			return true, fmt.Errorf("connection lost: %w", err)
		case err := <-failed:
			return true, err
		}
	}
}

func (p *Publisher) publishAlarm(c mqtt.Client) {
	payload := "ok"
	if p.alarm.Load() {
		payload = "outbox_full"
	}
	// Fire and forget: the retained state is re-sent on every connect.
	c.Publish(reading.AlarmTopic(p.cfg.GatewayID), 1, true, payload)
}

// bucket is a token bucket: rate tokens per second, at most burst saved.
type bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64, burst int) *bucket {
	return &bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: time.Now()}
}

// wait takes one token, sleeping until one is available.
func (b *bucket) wait(ctx context.Context) error {
	if b.rate <= 0 {
		return nil
	}
	now := time.Now()
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return nil
	}
	d := time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	}
	b.tokens = 0
	b.last = time.Now()
	return nil
}
