package settlement

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/edge/signature"
	"github.com/citychain/citychain/settlement/internal/registry"
	"github.com/citychain/citychain/settlement/internal/store"
)

// recentPerDevice is how many of a device's latest accepted readings are
// remembered (by hash) to recognise redeliveries without asking InfluxDB.
const recentPerDevice = 16

// writers is the number of concurrent InfluxDB writers.
const writers = 2

// deviceState is what a worker remembers of one device.
type deviceState struct {
	highSeq   uint64 // highest seq accepted
	lastValue uint64 // value, epoch and time of that reading
	lastEpoch uint32
	lastTime  int64
	recent    [recentPerDevice]recentReading
	next      int
}

// recentReading is one of a device's latest accepted readings.
type recentReading struct {
	seq    uint64
	hash   [32]byte
	value  uint64
	timeMs int64
	epoch  uint32
}

func (d *deviceState) remember(r reading.Reading, h [32]byte) {
	d.recent[d.next] = recentReading{seq: r.Seq, hash: h, value: r.Value, timeMs: r.TimeMs, epoch: r.KeyEpoch}
	d.next = (d.next + 1) % recentPerDevice
}

func (d *deviceState) recall(seq uint64) ([32]byte, bool) {
	for _, r := range d.recent {
		if r.seq == seq && seq != 0 {
			return r.hash, true
		}
	}
	return [32]byte{}, false
}

// fits reports whether r, older than the newest accepted reading, sits
// consistently between remembered neighbours (key epochs, values and times
// in order across them): a reading delivered out of order rather than a
// replay.
func (d *deviceState) fits(r reading.Reading) bool {
	var lo, hi *recentReading
	for i := range d.recent {
		c := &d.recent[i]
		if c.seq == 0 {
			continue
		}
		if c.seq < r.Seq && (lo == nil || c.seq > lo.seq) {
			lo = c
		}
		if c.seq > r.Seq && (hi == nil || c.seq < hi.seq) {
			hi = c
		}
	}
	return lo != nil && hi != nil && lo.epoch <= r.KeyEpoch && r.KeyEpoch <= hi.epoch &&
		lo.value <= r.Value && r.Value <= hi.value && lo.timeMs <= r.TimeMs && r.TimeMs <= hi.timeMs
}

// pending is a verified reading on its way to InfluxDB.
type pending struct {
	device   string // set for rejections too, when the reading decoded
	seq      uint64
	msg      mqtt.Message
	line     string
	interval uint64
	timeMs   int64
	// dup marks a redelivery of a reading accepted earlier: it is written
	// again (the same point, harmless) so that its acknowledgement never
	// precedes the original's write, and counted as a duplicate.
	dup bool
}

type worker struct {
	s      *Service
	queue  chan mqtt.Message
	states map[string]*deviceState
	buf    []byte
}

type ingest struct {
	s       *Service
	ctx     context.Context
	cancel  context.CancelFunc
	mq      mqtt.Client
	workers []*worker
	writes  chan pending
	wg      sync.WaitGroup
}

func shard(device string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(device))
	return int(h.Sum32() % uint32(n))
}

// startIngest rebuilds per-device state from InfluxDB, starts the workers
// and writers and connects to the broker.
func (s *Service) startIngest(parent context.Context) (*ingest, error) {
	ctx, cancel := context.WithCancel(parent)
	in := &ingest{s: s, ctx: ctx, cancel: cancel, writes: make(chan pending, s.cfg.BatchSize*writers)}
	for range s.cfg.Workers {
		in.workers = append(in.workers, &worker{s: s, queue: make(chan mqtt.Message, s.cfg.QueueSize), states: map[string]*deviceState{}})
	}
	now := time.Now()
	latest, err := retry(ctx, s, "load latest stored readings", func() ([]store.Stored, error) {
		return s.store.Latest(ctx, now.Add(-s.cfg.Lookback), now.Add(24*time.Hour))
	})
	if err != nil {
		cancel()
		return nil, err
	}
	for _, r := range latest {
		w := in.workers[shard(r.DeviceID, len(in.workers))]
		st := &deviceState{highSeq: r.Seq, lastValue: r.Value, lastEpoch: r.KeyEpoch, lastTime: r.TimeMs}
		st.remember(r.Reading, sha256.Sum256(r.Wire))
		w.states[r.DeviceID] = st
	}
	s.log.Info("device state rebuilt from influxdb", "devices", len(latest))

	for _, w := range in.workers {
		in.wg.Add(1)
		go func() { defer in.wg.Done(); w.run(ctx, in.writes) }()
	}
	for range writers {
		in.wg.Add(1)
		go func() { defer in.wg.Done(); s.writeLoop(ctx, in.writes) }()
	}

	if err := s.checkBrokerTLS(ctx); err != nil {
		in.stop()
		return nil, err
	}
	topic := "$share/" + s.cfg.Group + "/" + reading.TopicPrefix + "+"
	o := mqtt.NewClientOptions().AddBroker(s.cfg.MQTTURL).SetClientID(s.cfg.ClientID).
		SetCleanSession(false).SetAutoAckDisabled(true).SetOrderMatters(true).
		SetAutoReconnect(true).SetConnectRetry(true).SetConnectRetryInterval(s.cfg.RetryMax).
		SetMaxReconnectInterval(s.cfg.RetryMax).SetKeepAlive(30 * time.Second).
		SetDefaultPublishHandler(in.onMessage).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) { s.log.Warn("mqtt connection lost", "err", err) })
	if s.cfg.MQTTUsername != "" {
		o.SetUsername(s.cfg.MQTTUsername).SetPassword(s.cfg.MQTTPassword)
	}
	if s.mqttTLS != nil {
		o.SetTLSConfig(s.mqttTLS)
	}
	o.SetOnConnectHandler(func(c mqtt.Client) {
		// Subscribing again on every connect is harmless and covers a
		// broker that lost the session.
		tok := c.Subscribe(topic, 1, in.onMessage)
		go func() {
			if tok.Wait(); tok.Error() != nil {
				s.log.Error("mqtt subscribe failed", "topic", topic, "err", tok.Error())
				return
			}
			s.log.Info("mqtt subscribed", "topic", topic, "client_id", s.cfg.ClientID)
			s.readyOnce.Do(func() { close(s.ready) })
		}()
	})
	in.mq = mqtt.NewClient(o)
	tok := in.mq.Connect()
	select {
	case <-tok.Done():
		if err := tok.Error(); err != nil {
			in.stop()
			return nil, fmt.Errorf("connect to %s: %w", s.cfg.MQTTURL, err)
		}
	case <-ctx.Done():
		in.stop()
		return nil, ctx.Err()
	}
	return in, nil
}

// stop disconnects (unacknowledged messages stay with the broker) and ends
// the workers and writers.
func (in *ingest) stop() {
	if in.mq != nil {
		in.mq.Disconnect(250)
	}
	in.cancel()
	in.wg.Wait()
}

func (in *ingest) onMessage(_ mqtt.Client, m mqtt.Message) {
	dev := strings.TrimPrefix(m.Topic(), reading.TopicPrefix)
	select {
	case in.workers[shard(dev, len(in.workers))].queue <- m:
	case <-in.ctx.Done():
	}
}

func (w *worker) run(ctx context.Context, out chan<- pending) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-w.queue:
			p, reason, err := w.check(ctx, m.Topic(), m.Payload())
			switch {
			case err != nil:
				return // ctx ended while waiting on the chain or the store
			case reason == reasonDuplicate && p.line == "":
				w.s.m.duplicate()
				m.Ack()
			case reason != "" && reason != reasonDuplicate:
				w.s.m.reject(reason)
				w.s.log.Info("reading rejected", "reason", reason, "device", p.device, "seq", p.seq, "topic", m.Topic(), "bytes", len(m.Payload()))
				m.Ack()
			default: // accepted, or a recent duplicate to write again
				p.msg = m
				select {
				case out <- p:
				case <-ctx.Done():
					return
				}
			}
		}
	}
}

const reasonDuplicate = "duplicate"

// check verifies one message. It returns the point to store, or a reason
// (ReasonX or reasonDuplicate), or an error only when ctx ended during a
// retried lookup.
func (w *worker) check(ctx context.Context, topic string, payload []byte) (pending, string, error) {
	r, err := reading.Decode(payload)
	if err != nil {
		return pending{}, ReasonMalformed, nil
	}
	p, reason, err := w.checkDecoded(ctx, topic, payload, r)
	p.device, p.seq = r.DeviceID, r.Seq
	return p, reason, err
}

func (w *worker) checkDecoded(ctx context.Context, topic string, payload []byte, r reading.Signed) (pending, string, error) {
	s := w.s
	if topic != reading.Topic(r.DeviceID) {
		return pending{}, ReasonTopicMismatch, nil
	}
	hash := sha256.Sum256(payload)
	st := w.states[r.DeviceID]
	// A redelivery of a recently accepted reading: byte-identical to one
	// already verified, nothing more to check.
	if st != nil && r.Seq <= st.highSeq {
		if h, ok := st.recall(r.Seq); ok && h == hash {
			// Its original may still be on its way to InfluxDB.
			return pending{line: string(s.store.AppendLine(w.buf[:0], r.Reading, payload)), interval: s.params.interval(r.TimeMs), timeMs: r.TimeMs, dup: true}, reasonDuplicate, nil
		}
	}

	dev, err := retry(ctx, s, "look up device", func() (*registry.Device, error) { return s.reg.Device(ctx, r.DeviceID) })
	if err != nil {
		return pending{}, "", err
	}
	if dev != nil && dev.Status == registry.StatusActive && r.KeyEpoch > dev.KeyEpoch {
		// Perhaps rotated since it was cached.
		if dev, err = retry(ctx, s, "look up device", func() (*registry.Device, error) { return s.reg.Refresh(ctx, r.DeviceID) }); err != nil {
			return pending{}, "", err
		}
	}
	switch {
	case dev == nil:
		return pending{}, ReasonUnregistered, nil
	case dev.Status != registry.StatusActive:
		return pending{}, ReasonRevoked, nil
	}
	// The key of the reading's epoch: the current one, or an earlier
	// epoch's if the reading was signed before that epoch ended.
	pub, ok := dev.SigningKey(r.KeyEpoch, r.TimeMs)
	switch {
	case !ok:
		return pending{}, ReasonWrongEpoch, nil
	case !r.Kind.MeasuredBy(dev.Kind):
		return pending{}, ReasonWrongKind, nil
	}
	if !signature.Verify(pub, signingBytes(&w.buf, payload), r.Signature[:]) {
		return pending{}, ReasonBadSignature, nil
	}
	if r.TimeMs > time.Now().Add(time.Duration(s.params.MaxFutureSkewSeconds)*time.Second).UnixMilli() {
		return pending{}, ReasonFutureTime, nil
	}

	interval := s.params.interval(r.TimeMs)
	if st != nil && r.Seq <= st.highSeq {
		// Older than the newest accepted: stored already (a redelivery we
		// no longer remember), a different reading under a stored seq, a
		// reading delivered out of order (it fits between its remembered
		// neighbours), or else a replay.
		got, err := retry(ctx, s, "look up stored reading", func() (*store.Stored, error) {
			return s.store.Lookup(ctx, r.DeviceID, r.Seq, r.TimeMs)
		})
		if err != nil {
			return pending{}, "", err
		}
		switch {
		case got != nil && string(got.Wire) == string(payload):
			return pending{}, reasonDuplicate, nil
		case got != nil:
			return pending{}, ReasonConflict, nil
		case !st.fits(r.Reading):
			return pending{}, ReasonReplayed, nil
		case s.isLate(ctx, interval):
			return pending{}, ReasonLate, nil
		}
		st.remember(r.Reading, hash)
		return pending{line: string(s.store.AppendLine(w.buf[:0], r.Reading, payload)), interval: interval, timeMs: r.TimeMs}, "", nil
	}
	// One meter across key epochs, as on chain: a new key continues the
	// sequence, value and time of the last reading, and a reading of an
	// epoch older than that reading's is refused.
	if st != nil {
		if r.KeyEpoch < st.lastEpoch {
			return pending{}, ReasonWrongEpoch, nil
		}
		if r.Value < st.lastValue {
			return pending{}, ReasonRolledBack, nil
		}
		if r.TimeMs < st.lastTime {
			return pending{}, ReasonTimeRegressed, nil
		}
	}
	if s.isLate(ctx, interval) {
		return pending{}, ReasonLate, nil
	}
	if st == nil {
		st = &deviceState{}
		w.states[r.DeviceID] = st
	}
	st.highSeq, st.lastValue, st.lastEpoch, st.lastTime = r.Seq, r.Value, r.KeyEpoch, r.TimeMs
	st.remember(r.Reading, hash)
	return pending{line: string(s.store.AppendLine(w.buf[:0], r.Reading, payload)), interval: interval, timeMs: r.TimeMs}, "", nil
}

// signingBytes is DomainTag || body of a decoded wire message, built in buf.
func signingBytes(buf *[]byte, wire []byte) []byte {
	body := wire[:len(wire)-reading.SignatureSize]
	b := append((*buf)[:0], reading.DomainTag...)
	b = append(b, body...)
	*buf = b
	return b
}

// isLate reports whether readings of interval may no longer be stored:
// it is below the settled watermark or, before the first settling pass of
// this replica, anchored on chain already.
func (s *Service) isLate(ctx context.Context, interval uint64) bool {
	s.sealMu.RLock()
	below := s.sealedBelow
	s.sealMu.RUnlock()
	if below > 0 {
		return interval < below
	}
	if interval >= s.params.interval(time.Now().UnixMilli()) {
		return false
	}
	if anchored, known := s.anchors.get(interval); known {
		return anchored
	}
	a, err := queryAnchor(ctx, s.chain, interval)
	if err != nil {
		s.log.Warn("ask chain whether interval is anchored", "interval", interval, "err", err)
		return false
	}
	s.anchors.set(interval, a != nil)
	return a != nil
}

// writeLoop batches verified readings into InfluxDB writes, retrying each
// batch until it is stored, then acknowledges its messages.
func (s *Service) writeLoop(ctx context.Context, in <-chan pending) {
	batch := make([]pending, 0, s.cfg.BatchSize)
	lines := make([]string, 0, s.cfg.BatchSize)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		batch = batch[:0]
		select {
		case <-ctx.Done():
			return
		case p := <-in:
			batch = append(batch, p)
		}
		timer.Reset(s.cfg.FlushInterval)
	fill:
		for len(batch) < s.cfg.BatchSize {
			select {
			case p := <-in:
				batch = append(batch, p)
			case <-timer.C:
				break fill
			case <-ctx.Done():
				timer.Stop()
				return
			}
		}
		timer.Stop()

		s.sealMu.RLock()
		lines = lines[:0]
		kept := batch[:0]
		var late []pending
		for _, p := range batch {
			if s.sealedBelow > 0 && p.interval < s.sealedBelow {
				late = append(late, p)
				continue
			}
			kept = append(kept, p)
			lines = append(lines, p.line)
		}
		err := s.writeRetry(ctx, lines)
		s.sealMu.RUnlock()
		if err != nil {
			return // ctx ended: leave the batch unacknowledged
		}
		now := time.Now()
		var latest int64
		times := make([]int64, 0, len(kept))
		for _, p := range kept {
			p.msg.Ack()
			if p.dup {
				s.m.duplicate()
				continue
			}
			times = append(times, p.timeMs)
			latest = max(latest, p.timeMs)
		}
		s.m.accept(len(times), latest, now, times)
		for _, p := range late {
			if p.dup {
				s.m.duplicate()
			} else {
				s.m.reject(ReasonLate)
				s.log.Warn("reading rejected: late (its interval was settled while it waited to be written)", "interval", p.interval, "time_ms", p.timeMs)
			}
			p.msg.Ack()
		}
	}
}

func (s *Service) writeRetry(ctx context.Context, lines []string) error {
	wait := s.cfg.RetryMin
	for {
		err := s.store.Write(ctx, lines)
		if err == nil {
			if s.storeFailing.Swap(false) {
				s.storeBackAt.Store(time.Now().UnixNano())
				s.log.Info("influxdb writes succeed again; settling resumes after the grace", "grace", s.cfg.Grace)
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.storeFailing.Store(true)
		s.m.writeError()
		s.log.Warn("influxdb write failed; retrying", "readings", len(lines), "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, s.cfg.RetryMax)
	}
}
