//go:build faults

package faults

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/cmd/citychain/testnet"
)

// Deliberate outage lengths.
const (
	brokerOutage     = 6 * time.Second // three of the agents' 2 s polls
	settlementOutage = 5 * time.Second
	influxOutage     = 2 * time.Minute
)

// mosquittoKill SIGKILLs the broker while readings stream through it and
// starts it again on the same port and persistence file. The readings the
// agents took while it was down wait in their outboxes; the ones the
// broker had queued for settlement's persistent session survive in its
// persistence file. Nothing may be lost: every device has readings stored
// from the outage, and suite.run's checks find every sequence number once
// and every interval anchored and audited.
func (s *suite) mosquittoKill(t *testing.T) {
	ctx := s.ctx
	m := s.net.Mosquitto
	killed := time.Now()
	if err := m.Kill(); err != nil {
		t.Fatalf("kill mosquitto: %v", err)
	}
	sleep(ctx, brokerOutage)
	rctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := m.Restart(rctx); err != nil {
		t.Fatalf("restart mosquitto: %v", err)
	}
	restarted := time.Now()
	t.Logf("mosquitto down %s", restarted.Sub(killed).Round(time.Millisecond))
	s.waitTaken(t, s.devices(), killed, restarted, "taken while the broker was down")
}

// settlementKill SIGKILLs settlement twice: right after an interval
// closed, before its anchor can commit (settlement waits --grace), and,
// in the next interval, as soon as the chain holds the interval's last
// readings but not yet its anchor (between the two transactions), when
// the two land in different blocks. After each restart the interval must
// be anchored exactly once (suite.run counts the anchor transactions) and
// no reading is lost.
func (s *suite) settlementKill(t *testing.T) {
	ctx := s.ctx
	i := s.interval(t)
	closed := s.intervalStart(i + 1)
	sleep(ctx, time.Until(closed.Add(500*time.Millisecond)))
	if a, err := s.anchor(ctx, i); err != nil || a != nil {
		t.Fatalf("interval %d: anchor %+v (err %v) before the kill, 0.5 s after the interval closed", i, a, err)
	}
	s.killSettlement(t, "interval "+strconv.FormatUint(i, 10)+" closed, not anchored")
	a := s.waitAnchor(t, i, time.Now())
	t.Logf("interval %d anchored after the restart: %d readings, height %d", i, a.Count, a.Height)

	// Between the readings transaction and the anchor.
	j := s.interval(t)
	if j <= i {
		j = i + 1
	}
	sleep(ctx, time.Until(s.intervalStart(j+1)))
	dev := s.devices()[0]
	c, err := client.New(s.net.RPC())
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, settlementGrace+anchorSlack)
	defer cancel()
	for {
		var st struct {
			Interval uint64 `json:"interval"`
		}
		if err := c.QueryJSON(wctx, "/metering/device", []byte(dev), &st); err == nil && st.Interval == j {
			if a, err := s.anchor(wctx, j); err == nil && a == nil {
				s.killSettlement(t, fmt.Sprintf("interval %d: last readings on chain, anchor not", j))
				break
			}
			t.Logf("interval %d: readings and anchor committed in the same block; no window between them", j)
			break
		}
		if !sleep(wctx, 50*time.Millisecond) {
			t.Fatalf("interval %d: device %s's last reading never reached the chain", j, dev)
		}
	}
	a = s.waitAnchor(t, j, time.Now())
	t.Logf("interval %d anchored: %d readings, height %d", j, a.Count, a.Height)
}

// killSettlement SIGKILLs settlement, keeps it down settlementOutage and
// starts it again.
func (s *suite) killSettlement(t *testing.T, when string) {
	t.Helper()
	if err := s.net.Settlement.Kill(); err != nil {
		t.Fatalf("kill settlement: %v", err)
	}
	t.Logf("settlement killed: %s", when)
	sleep(s.ctx, settlementOutage)
	ctx, cancel := context.WithTimeout(s.ctx, time.Minute)
	defer cancel()
	if err := s.net.Settlement.Start(ctx); err != nil {
		t.Fatalf("restart settlement: %v", err)
	}
}

// waitAnchor waits for interval i's anchor, at most anchorSlack after
// its end plus settlement's grace, or after notBefore (the end of an
// outage that kept it from being anchored), whichever is later.
func (s *suite) waitAnchor(t *testing.T, i uint64, notBefore time.Time) *anchorJSON {
	t.Helper()
	a, err := s.anchorBy(i, notBefore)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (s *suite) anchorBy(i uint64, notBefore time.Time) (*anchorJSON, error) {
	deadline := s.intervalStart(i + 1).Add(settlementGrace)
	if notBefore.After(deadline) {
		deadline = notBefore
	}
	ctx, cancel := context.WithDeadline(s.ctx, deadline.Add(anchorSlack))
	defer cancel()
	for {
		if a, err := s.anchor(ctx, i); err == nil && a != nil {
			return a, nil
		}
		if !sleep(ctx, 250*time.Millisecond) {
			return nil, fmt.Errorf("interval %d not anchored by %s", i, deadline.Add(anchorSlack).Format(time.TimeOnly))
		}
	}
}

// agentOffline cuts one agent off the broker for ten simulated minutes,
// SIGKILLs it halfway through (a power cut; its outbox holds the readings
// it took offline), starts it again while still cut off, and restores the
// link. The outbox drains: every reading the agent took offline is stored
// and anchored — or, if it arrived after its interval was settled,
// rejected as `late` and stored nowhere (docs/settlement.md); the audit is
// clean either way. The restarted agent continues above its sequence
// reservation mark, a gap suite.run accepts only where the agent log
// names that mark.
func (s *suite) agentOffline(t *testing.T) {
	ctx := s.ctx
	a := s.net.Agents[0]
	offline := time.Duration(float64(10*time.Minute) / s.cfg.Speed)
	metrics, err := agentMetrics(s.cfg.Dir, a)
	if err != nil {
		t.Fatal(err)
	}
	// Start 3 s before an interval boundary, so the offline readings
	// belong to two intervals, the first closing while the agent is away.
	i := s.interval(t)
	start := s.intervalStart(i + 1).Add(-3 * time.Second)
	if time.Until(start) < time.Second {
		start = start.Add(time.Duration(s.net.IntervalSeconds) * time.Second)
	}
	sleep(ctx, time.Until(start))
	// Its readings of the closing interval come back after that interval
	// was settled: settlement rejects them as late.
	s.acceptLate(a.Devices)
	cut := time.Now()
	if err := a.Cut(); err != nil {
		t.Fatal(err)
	}
	sleep(ctx, offline/2)
	depth, err := metricValue(ctx, metrics, "edge_outbox_depth")
	if err != nil {
		t.Fatalf("agent %s metrics: %v", a.Gateway, err)
	}
	killed := time.Now()
	if err := a.Kill(); err != nil {
		t.Fatalf("kill agent %s: %v", a.Gateway, err)
	}
	t.Logf("agent %s killed offline with %g readings in its outbox", a.Gateway, depth)
	if depth < 1 {
		t.Errorf("agent %s: outbox depth %g after %s offline, want the readings it took", a.Gateway, depth, killed.Sub(cut).Round(time.Millisecond))
	}
	sleep(ctx, offline-time.Since(cut))
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := a.Start(sctx); err != nil {
		t.Fatalf("start agent %s: %v", a.Gateway, err)
	}
	restarted := time.Now()
	marks, err := loadedSeqs(a.LogPath())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range a.Devices {
		m, ok := marks[d]
		if !ok {
			t.Fatalf("agent %s log: no \"device loaded\" line for %s", a.Gateway, d)
		}
		s.addMark(d, m)
	}
	// Let it take a reading or two while still cut off.
	sleep(ctx, 3*time.Second)
	if err := a.Restore(); err != nil {
		t.Fatal(err)
	}
	restored := time.Now()
	t.Logf("agent %s: cut %s, killed after %s, restarted after %s, restored after %s",
		a.Gateway, cut.Format(time.TimeOnly), killed.Sub(cut).Round(time.Millisecond),
		restarted.Sub(cut).Round(time.Millisecond), restored.Sub(cut).Round(time.Millisecond))

	// Everything in the outbox at the kill arrives: stored, or rejected
	// late. Readings still unacknowledged at the cut were taken at most a
	// publish timeout before it; the window reaches back 5 s for them.
	wctx, cancel2 := context.WithTimeout(ctx, time.Minute)
	defer cancel2()
	for {
		n, err := s.countArrived(wctx, a.Devices, cut.Add(-5*time.Second), killed)
		if err == nil && float64(n) >= depth {
			break
		}
		if !sleep(wctx, 250*time.Millisecond) {
			t.Fatalf("agent %s: %d readings of the outbox's %g stored or rejected late (err %v)", a.Gateway, n, depth, err)
		}
	}
	s.waitTaken(t, a.Devices, cut, killed, "taken offline before the power cut")
	s.waitTaken(t, a.Devices, restarted, restored, "taken offline after the restart")
}

// influxOutage SIGKILLs InfluxDB for two minutes under load and starts it
// again with its data. Meanwhile settlement acknowledges nothing (the
// broker keeps the readings for its persistent session) and cannot settle;
// the chain goes on (transfers commit). After the restart every reading
// is stored once and the intervals of the outage are anchored — after
// the restart, not before.
func (s *suite) influxOutage(t *testing.T) {
	ctx := s.ctx
	h := s.maxHeight()
	killed := time.Now()
	first := uint64(killed.Unix()) / s.net.IntervalSeconds
	if err := s.net.Influx.Kill(); err != nil {
		t.Fatalf("kill influxd: %v", err)
	}
	sleep(ctx, influxOutage)
	if got := s.load.lastHeight(); got <= h {
		t.Errorf("no transfer committed during the InfluxDB outage (last at height %d, %d before it)", got, h)
	}
	if !s.net.Settlement.Running() {
		t.Errorf("settlement exited during the InfluxDB outage")
	}
	rctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := s.net.Influx.Restart(rctx); err != nil {
		t.Fatalf("restart influxd: %v", err)
	}
	restarted := time.Now()
	last := uint64(restarted.Unix()) / s.net.IntervalSeconds
	for i := first; i < last; i++ {
		a, err := s.anchorBy(i, restarted)
		if err != nil {
			t.Error(err)
			continue
		}
		// Block time is BFT time, within a second of the wall clock here.
		if a.Time.Before(restarted.Add(-time.Second)) {
			t.Errorf("interval %d anchored at %s, during the InfluxDB outage (%s to %s)", i,
				a.Time.Format(time.TimeOnly), killed.Format(time.TimeOnly), restarted.Format(time.TimeOnly))
		}
	}
	s.waitTaken(t, s.devices(), killed, restarted, "taken while InfluxDB was down")
}

// waitTaken waits until each device has a reading stored (or rejected
// late) that it took between from and to.
func (s *suite) waitTaken(t *testing.T, devices []string, from, to time.Time, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, time.Minute)
	defer cancel()
	var missing []string
	for {
		missing = missing[:0]
		for _, d := range devices {
			n, err := s.countArrived(ctx, []string{d}, from, to)
			if err != nil || n == 0 {
				missing = append(missing, d)
			}
		}
		if len(missing) == 0 {
			return
		}
		if !sleep(ctx, 250*time.Millisecond) {
			t.Errorf("no reading %s (%s to %s) arrived from %v", what, from.Format(time.TimeOnly), to.Format(time.TimeOnly), missing)
			return
		}
	}
}

// countArrived counts the readings of devices timed in [from, to) that
// are stored, plus those settlement rejected as late (their times are not
// logged: a late reading counts when its seq falls between the stored
// readings of the window's neighbourhood).
func (s *suite) countArrived(ctx context.Context, devices []string, from, to time.Time) (int, error) {
	series, err := s.influx(ctx, fmt.Sprintf("SELECT seq FROM readings WHERE time >= %d AND time < %d GROUP BY device",
		from.UnixNano(), to.UnixNano()))
	if err != nil {
		return 0, err
	}
	late, _, err := s.rejections()
	if err != nil {
		return 0, err
	}
	want := map[string]bool{}
	for _, d := range devices {
		want[d] = true
	}
	n := 0
	for _, sr := range series {
		if want[sr.Tags["device"]] {
			n += len(sr.Values)
		}
	}
	// Late readings of the window: those between the last stored reading
	// before it and the first after it.
	for _, d := range devices {
		lo, hi, err := s.neighbours(ctx, d, from, to)
		if err != nil {
			return 0, err
		}
		for q := range late[d] {
			if q > lo && q < hi {
				n++
			}
		}
	}
	return n, nil
}

// neighbours returns the seq of d's last stored reading before from and of
// its first at or after to (0 and max when there is none).
func (s *suite) neighbours(ctx context.Context, d string, from, to time.Time) (lo, hi uint64, err error) {
	hi = ^uint64(0)
	dq := strings.ReplaceAll(d, `'`, `\'`)
	b, err := s.influx(ctx, fmt.Sprintf("SELECT last(seq) FROM readings WHERE device = '%s' AND time < %d", dq, from.UnixNano()))
	if err != nil {
		return 0, 0, err
	}
	if len(b) > 0 && len(b[0].Values) > 0 {
		lo, _ = strconv.ParseUint(b[0].Values[0][1].String(), 10, 64)
	}
	a, err := s.influx(ctx, fmt.Sprintf("SELECT first(seq) FROM readings WHERE device = '%s' AND time >= %d", dq, to.UnixNano()))
	if err != nil {
		return 0, 0, err
	}
	if len(a) > 0 && len(a[0].Values) > 0 {
		hi, _ = strconv.ParseUint(a[0].Values[0][1].String(), 10, 64)
	}
	return lo, hi, nil
}

// agentMetrics finds an agent's /metrics URL in its configuration
// (Dir/edge/GATEWAY/agent.yaml, metrics.listen).
func agentMetrics(dir string, a *testnet.Agent) (string, error) {
	path := filepath.Join(dir, "edge", a.Gateway, "agent.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("agent %s configuration: %w", a.Gateway, err)
	}
	m := regexp.MustCompile(`(?m)^metrics:\s*\n\s+listen:\s*(\S+)`).FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("%s: no metrics.listen", path)
	}
	return "http://" + string(m[1]) + "/metrics", nil
}

// metricValue reads one unlabelled gauge or counter from a Prometheus
// text page.
func metricValue(ctx context.Context, url, name string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s: no metric %s", url, name)
}

// loadedLine matches the edge agent's start-up line for a device: its
// persisted sequence state (after a SIGKILL, the reservation mark).
var loadedLine = regexp.MustCompile(`msg="device loaded" device=(\S+) .*last_seq=(\d+)`)

// loadedSeqs returns each device's last_seq from the last "device loaded"
// line of an agent log.
func loadedSeqs(path string) (map[string]uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]uint64{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if m := loadedLine.FindStringSubmatch(sc.Text()); m != nil {
			n, err := strconv.ParseUint(m[2], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %q: %w", path, sc.Text(), err)
			}
			out[m[1]] = n
		}
	}
	return out, sc.Err()
}
