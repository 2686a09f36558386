//go:build faults

package faults

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/testnet"
)

// suite is the one network every scenario of TestFaults runs on, with the
// steady load the scenarios disturb and what the checks after each
// scenario need to know.
type suite struct {
	net  *testnet.Network
	cfg  testnet.Config
	ctx  context.Context
	bin  string // directory of bin/citychain
	load *load

	mu sync.Mutex
	// marks holds, per device, the sequence reservation marks its agent
	// restarted from after a SIGKILL: the numbers above the last one used
	// up to a mark are skipped, never used (edge/internal/state).
	marks   map[string][]uint64
	results []result
	// otherSeen counts the rejections other than late already reported.
	otherSeen int
	// lateOK names the devices whose readings the running scenario may
	// have rejected as late (docs/settlement.md); elsewhere a late
	// rejection is a lost reading.
	lateOK map[string]bool
}

// result is one scenario's outcome, printed at the end of the suite.
type result struct {
	name       string
	wall       time.Duration
	from, to   uint64
	passed     bool
	transfers  int
	readings   int
	lateReject int
}

// Deadlines of the waits after a fault.
const (
	recoverTimeout = 2 * time.Minute
	// anchorSlack is how long after an interval's end (plus settlement's
	// grace) its anchor may take to commit.
	anchorSlack = 90 * time.Second
	// settlementGrace bounds settlement's --grace in the testnet.
	settlementGrace = 10 * time.Second
)

// run runs one scenario as a subtest: it notes the interval in progress,
// calls fault, waits until the network has recovered (every validator
// producing blocks, every device's readings stored again, transfers
// committing), waits until every interval up to the one in progress then is
// anchored, and checks the outcome: exactly one anchor per interval,
// `citychain audit` clean over the intervals, no reading lost or doubled in
// InfluxDB, the chain's last reading of every device caught up, and every
// committed transfer applied exactly once with the S-Coin supply unchanged.
func (s *suite) run(t *testing.T, name string, fault func(t *testing.T)) {
	t.Run(name, func(t *testing.T) {
		began := time.Now()
		from := s.interval(t)
		before := s.load.committedCount()
		lateBefore := s.lateCount(t)
		s.mu.Lock()
		s.lateOK = map[string]bool{}
		s.mu.Unlock()
		t.Logf("%s: starts in interval %d", name, from)
		fault(t)
		faultEnd := time.Now()
		h := s.maxHeight()
		s.waitRecovered(t, faultEnd, h)
		to := s.interval(t)
		s.waitAnchored(t, from, to)
		s.checkAnchoredOnce(t, from, to)
		s.audit(t, from, to)
		n, late := s.checkReadings(t, from, to)
		s.checkLate(t, lateBefore)
		s.reconcile(t)
		r := result{name: name, wall: time.Since(began), from: from, to: to, passed: !t.Failed(),
			transfers: s.load.committedCount() - before, readings: n, lateReject: late}
		s.mu.Lock()
		s.results = append(s.results, r)
		s.mu.Unlock()
		t.Logf("%s: intervals %d..%d, %d readings stored, %d rejected as late, %d transfers committed, %s",
			name, from, to, r.readings, r.lateReject, r.transfers, r.wall.Round(time.Second))
	})
}

// interval is the settlement interval of the latest block's time.
func (s *suite) interval(t *testing.T) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	for {
		c, err := client.New(s.net.RPC())
		if err == nil {
			st, err := c.RPC().Status(ctx)
			if err == nil {
				return uint64(st.SyncInfo.LatestBlockTime.Unix()) / s.net.IntervalSeconds
			}
		}
		if !sleep(ctx, 200*time.Millisecond) {
			t.Fatalf("no validator answers status: %v", ctx.Err())
		}
	}
}

// intervalStart is when interval i begins.
func (s *suite) intervalStart(i uint64) time.Time {
	return time.Unix(int64(i*s.net.IntervalSeconds), 0)
}

// maxHeight is the highest block any running validator has, 0 if none
// answers.
func (s *suite) maxHeight() int64 {
	var h int64
	for _, v := range s.net.Validators {
		if hv, ok := s.height(v); ok {
			h = max(h, hv)
		}
	}
	return h
}

func (s *suite) height(v *testnet.Validator) (int64, bool) {
	if !v.Running() {
		return 0, false
	}
	c, err := client.New(v.RPCURL)
	if err != nil {
		return 0, false
	}
	ctx, cancel := context.WithTimeout(s.ctx, 2*time.Second)
	defer cancel()
	st, err := c.RPC().Status(ctx)
	if err != nil {
		return 0, false
	}
	return st.SyncInfo.LatestBlockHeight, true
}

// waitRecovered waits until every validator runs and has a block above h,
// every device has a reading stored that it took after since, and a
// transfer committed above h.
func (s *suite) waitRecovered(t *testing.T, since time.Time, h int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, recoverTimeout)
	defer cancel()
	var why string
	for {
		why = s.recovered(ctx, since, h)
		if why == "" {
			return
		}
		if !sleep(ctx, 250*time.Millisecond) {
			t.Fatalf("not recovered %s after the fault: %s", recoverTimeout, why)
		}
	}
}

func (s *suite) recovered(ctx context.Context, since time.Time, h int64) string {
	for _, v := range s.net.Validators {
		if !v.Running() {
			return fmt.Sprintf("validator %d is not running", v.Index)
		}
		if hv, ok := s.height(v); !ok || hv <= h {
			return fmt.Sprintf("validator %d at height %d, not above %d", v.Index, hv, h)
		}
	}
	for _, p := range []*testnet.Proc{s.net.Settlement, s.net.Sims, s.net.API} {
		if !p.Running() {
			return p.Name() + " is not running"
		}
	}
	latest, err := s.latestStored(ctx, since)
	if err != nil {
		return err.Error()
	}
	for _, d := range s.devices() {
		if _, ok := latest[d]; !ok {
			return fmt.Sprintf("device %s has no reading stored that it took after %s", d, since.Format(time.TimeOnly))
		}
	}
	if s.load.lastHeight() <= h {
		return fmt.Sprintf("no transfer committed above height %d", h)
	}
	return ""
}

// devices lists every device of the network's agents.
func (s *suite) devices() []string {
	var out []string
	for _, a := range s.net.Agents {
		out = append(out, a.Devices...)
	}
	slices.Sort(out)
	return out
}

// waitAnchored waits until every interval from..to has an anchor on chain.
func (s *suite) waitAnchored(t *testing.T, from, to uint64) {
	t.Helper()
	deadline := s.intervalStart(to + 1).Add(settlementGrace + anchorSlack)
	ctx, cancel := context.WithDeadline(s.ctx, deadline)
	defer cancel()
	next := from
	for next <= to {
		a, err := s.anchor(ctx, next)
		if err == nil && a != nil {
			next++
			continue
		}
		if !sleep(ctx, 250*time.Millisecond) {
			// Not fatal: the audit and the reading checks say more.
			t.Errorf("interval %d not anchored by %s (%s after its end; err %v)", next, deadline.Format(time.TimeOnly),
				settlementGrace+anchorSlack, err)
			return
		}
	}
}

// anchorJSON is /metering/anchor's answer.
type anchorJSON struct {
	Interval uint64      `json:"interval"`
	Root     tx.HexBytes `json:"root"`
	Count    uint64      `json:"count"`
	Height   int64       `json:"height"`
	Time     time.Time   `json:"time"`
}

// anchor returns interval i's anchor, nil if it has none.
func (s *suite) anchor(ctx context.Context, i uint64) (*anchorJSON, error) {
	c, err := client.New(s.net.RPC())
	if err != nil {
		return nil, err
	}
	var a anchorJSON
	err = c.QueryJSON(ctx, "/metering/anchor", []byte(strconv.FormatUint(i, 10)), &a)
	if errors.Is(err, client.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// checkAnchoredOnce requires exactly one successful anchor transaction
// (metering.anchored event) per interval: a second attempt must come back
// as a rejection, never as a second anchor.
func (s *suite) checkAnchoredOnce(t *testing.T, from, to uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, time.Minute)
	defer cancel()
	c, err := client.New(s.net.RPC())
	if err != nil {
		t.Fatal(err)
	}
	for i := from; i <= to; i++ {
		q := fmt.Sprintf("metering.anchored.interval = '%d'", i)
		perPage := 10
		page := 1
		res, err := c.RPC().TxSearch(ctx, q, false, &page, &perPage, "asc")
		if err != nil {
			t.Errorf("search anchors of interval %d: %v", i, err)
			continue
		}
		if res.TotalCount != 1 {
			t.Errorf("interval %d: %d anchor transactions succeeded, want exactly 1", i, res.TotalCount)
		}
	}
}

// audit runs `citychain audit` over from..to and requires exit status 0.
func (s *suite) audit(t *testing.T, from, to uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, "citychain"), "audit",
		"--from", strconv.FormatUint(from, 10), "--to", strconv.FormatUint(to, 10),
		"--node", s.net.RPC(), "--influx-url", s.net.Influx.URL,
		"--influx-token", s.net.InfluxToken, "--influx-bucket", s.net.InfluxBucket,
		"--trust-genesis", node.GenesisFile(s.net.Validators[0].Home))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("citychain audit --from %d --to %d: %v\n%s", from, to, err, out)
	}
}

// storedReading is one point of the readings measurement.
type storedReading struct {
	seq    uint64
	timeMs int64
}

// storedReadings returns every stored reading timed in intervals from..to,
// per device, in seq order.
func (s *suite) storedReadings(ctx context.Context, from, to uint64) (map[string][]storedReading, error) {
	q := fmt.Sprintf("SELECT seq, time_ms FROM readings WHERE time >= %d AND time < %d GROUP BY device",
		s.intervalStart(from).UnixNano(), s.intervalStart(to+1).UnixNano())
	series, err := s.influx(ctx, q)
	if err != nil {
		return nil, err
	}
	out := map[string][]storedReading{}
	for _, sr := range series {
		dev := sr.Tags["device"]
		for _, row := range sr.Values {
			if len(row) != 3 {
				return nil, fmt.Errorf("influxdb row %v: want time, seq, time_ms", row)
			}
			seq, err1 := strconv.ParseUint(row[1].String(), 10, 64)
			ms, err2 := strconv.ParseInt(row[2].String(), 10, 64)
			if err := errors.Join(err1, err2); err != nil {
				return nil, fmt.Errorf("influxdb row %v of %s: %w", row, dev, err)
			}
			out[dev] = append(out[dev], storedReading{seq: seq, timeMs: ms})
		}
	}
	for _, rs := range out {
		slices.SortFunc(rs, func(a, b storedReading) int { return compare(a.seq, b.seq) })
	}
	return out, nil
}

// latestStored returns, per device, the seq of the last stored reading
// taken after since.
func (s *suite) latestStored(ctx context.Context, since time.Time) (map[string]uint64, error) {
	series, err := s.influx(ctx, fmt.Sprintf("SELECT last(seq) FROM readings WHERE time > %d GROUP BY device", since.UnixNano()))
	if err != nil {
		return nil, err
	}
	out := map[string]uint64{}
	for _, sr := range series {
		if len(sr.Values) > 0 && len(sr.Values[0]) == 2 {
			n, err := strconv.ParseUint(sr.Values[0][1].String(), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("influxdb last(seq) of %s: %w", sr.Tags["device"], err)
			}
			out[sr.Tags["device"]] = n
		}
	}
	return out, nil
}

type influxSeries struct {
	Tags   map[string]string `json:"tags"`
	Values [][]json.Number   `json:"values"`
}

// influx runs an InfluxQL query against the network's InfluxDB.
func (s *suite) influx(ctx context.Context, q string) ([]influxSeries, error) {
	u := s.net.Influx.URL + "/query?" + url.Values{"db": {s.net.Influx.Database}, "epoch": {"ns"}, "q": {q}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("influxdb %q: %w", q, err)
	}
	defer res.Body.Close()
	var body struct {
		Results []struct {
			Series []influxSeries `json:"series"`
			Error  string         `json:"error"`
		} `json:"results"`
		Error string `json:"error"`
	}
	dec := json.NewDecoder(res.Body)
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		return nil, fmt.Errorf("influxdb %q: status %d: %w", q, res.StatusCode, err)
	}
	if body.Error != "" {
		return nil, fmt.Errorf("influxdb %q: %s", q, body.Error)
	}
	if len(body.Results) != 1 {
		return nil, fmt.Errorf("influxdb %q: %d results", q, len(body.Results))
	}
	if e := body.Results[0].Error; e != "" {
		return nil, fmt.Errorf("influxdb %q: %s", q, e)
	}
	return body.Results[0].Series, nil
}

// checkReadings checks what InfluxDB holds for intervals from..to: every
// device has readings, no (device, seq) is stored twice, and the sequence
// numbers of each device are contiguous except where settlement logged the
// missing ones as rejected `late` (docs/settlement.md: stored nowhere) or
// where an agent restarted after a SIGKILL from a higher reservation mark.
// Any other rejection of a reading fails. It also requires the chain's last
// accepted reading of every device to be at least the last one stored in
// interval to. It returns the readings counted and the late rejections of
// the scenario's devices.
func (s *suite) checkReadings(t *testing.T, from, to uint64) (stored, lateSeen int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, time.Minute)
	defer cancel()
	byDev, err := s.storedReadings(ctx, from, to)
	if err != nil {
		t.Errorf("read stored readings: %v", err)
		return 0, 0
	}
	late, other, err := s.rejections()
	if err != nil {
		t.Errorf("read settlement's rejections: %v", err)
	}
	s.mu.Lock()
	marks := s.marks
	seen := s.otherSeen
	s.otherSeen = max(seen, len(other))
	s.mu.Unlock()
	for _, r := range other[min(seen, len(other)):] {
		t.Errorf("settlement rejected a reading: %s", r)
	}
	c, err := client.New(s.net.RPC())
	if err != nil {
		t.Fatal(err)
	}
	endMs := s.intervalStart(to).UnixMilli()
	for _, dev := range s.devices() {
		rs := byDev[dev]
		stored += len(rs)
		if len(rs) == 0 {
			t.Errorf("device %s: no reading stored in intervals %d..%d", dev, from, to)
			continue
		}
		for i := 1; i < len(rs); i++ {
			prev, cur := rs[i-1].seq, rs[i].seq
			if cur == prev {
				t.Errorf("device %s: seq %d stored twice (times %d and %d ms)", dev, cur, rs[i-1].timeMs, rs[i].timeMs)
				continue
			}
			var missing []uint64
			for q := prev + 1; q < cur; q++ {
				if late[dev][q] {
					lateSeen++
					continue
				}
				missing = append(missing, q)
			}
			// What is left must be one run ending just below the first
			// number after a restart's reservation mark.
			if len(missing) > 0 && !(slices.Contains(marks[dev], cur-1) && missing[len(missing)-1] == cur-1 &&
				missing[len(missing)-1]-missing[0] == uint64(len(missing)-1)) {
				t.Errorf("device %s: readings lost between seq %d and %d: %d missing (%v...) without a late rejection or an agent restart from mark %d",
					dev, prev, cur, len(missing), missing[:min(len(missing), 5)], cur-1)
			}
		}
		// Catch-up: the chain has the device's last reading of interval to.
		var lastEnd uint64
		for _, r := range rs {
			if r.timeMs >= endMs {
				lastEnd = max(lastEnd, r.seq)
			}
		}
		var st struct {
			Seq uint64 `json:"seq"`
		}
		if err := c.QueryJSON(ctx, "/metering/device", []byte(dev), &st); err != nil {
			t.Errorf("device %s on chain: %v", dev, err)
		} else if st.Seq < lastEnd {
			t.Errorf("device %s: chain's last accepted seq %d, below %d stored in anchored interval %d", dev, st.Seq, lastEnd, to)
		}
	}
	for dev, seqs := range late {
		for q := range seqs {
			for _, r := range byDev[dev] {
				if r.seq == q {
					t.Errorf("device %s seq %d: rejected as late but stored", dev, q)
				}
			}
		}
	}
	return stored, lateSeen
}

// lateCount is how many late rejections settlement has logged.
func (s *suite) lateCount(t *testing.T) int {
	t.Helper()
	_, _, all, err := s.rejectionLog()
	if err != nil {
		t.Fatalf("read settlement's log: %v", err)
	}
	return len(all)
}

// checkLate fails for every reading settlement rejected as late since
// the first n late rejections, unless the scenario accepted late readings
// of its device: they are readings lost to storage.
func (s *suite) checkLate(t *testing.T, n int) {
	t.Helper()
	_, _, all, err := s.rejectionLog()
	if err != nil {
		t.Errorf("read settlement's log: %v", err)
		return
	}
	s.mu.Lock()
	ok := s.lateOK
	s.mu.Unlock()
	var lost []string
	for _, r := range all[min(n, len(all)):] {
		if !ok[r.device] {
			lost = append(lost, fmt.Sprintf("%s/%d", r.device, r.seq))
		}
	}
	if len(lost) > 0 {
		t.Errorf("settlement rejected %d readings as late (lost to storage): %v", len(lost), lost[:min(len(lost), 20)])
	}
}

// acceptLate lets the running scenario's checks accept late rejections
// of devices' readings.
func (s *suite) acceptLate(devices []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range devices {
		s.lateOK[d] = true
	}
}

// rejectLine matches settlement's log line for a rejected reading.
var rejectLine = regexp.MustCompile(`msg="reading rejected" reason=(\S+) device=(\S+) seq=(\d+)`)

// rejections reads settlement's log: the readings it rejected as late, by
// device and seq, and every other rejection.
func (s *suite) rejections() (late map[string]map[uint64]bool, other []string, err error) {
	late, other, _, err = s.rejectionLog()
	return late, other, err
}

// lateReading is one late rejection in settlement's log.
type lateReading struct {
	device string
	seq    uint64
}

// rejectionLog reads settlement's log: the late rejections by device and
// seq and in log order, and every other rejection's line.
func (s *suite) rejectionLog() (late map[string]map[uint64]bool, other []string, all []lateReading, err error) {
	f, err := os.Open(s.net.Settlement.LogPath())
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	late = map[string]map[uint64]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		m := rejectLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		if m[1] != "late" {
			other = append(other, sc.Text())
			continue
		}
		seq, _ := strconv.ParseUint(m[3], 10, 64)
		if late[m[2]] == nil {
			late[m[2]] = map[uint64]bool{}
		}
		late[m[2]][seq] = true
		all = append(all, lateReading{device: m[2], seq: seq})
	}
	return late, other, all, sc.Err()
}

// addMark records that dev's agent restarted from reservation mark seq.
func (s *suite) addMark(dev string, seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.marks == nil {
		s.marks = map[string][]uint64{}
	}
	s.marks[dev] = append(s.marks[dev], seq)
}

// reconcile checks the balances of the load accounts against the committed
// transfers at one height, with proofs verified against signed headers.
func (s *suite) reconcile(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 2*time.Minute)
	defer cancel()
	snap, err := s.load.snapshot(ctx, s.net.RPC())
	if err != nil {
		t.Errorf("balance snapshot: %v", err)
		return
	}
	if err := s.load.reconcile(ctx, snap); err != nil {
		t.Error(err)
	}
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-tm.C:
		return true
	}
}

func compare(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// summary prints one line per scenario.
func (s *suite) summary(t *testing.T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s %-6s %8s %10s %9s %5s %9s\n", "scenario", "result", "wall", "intervals", "readings", "late", "transfers")
	for _, r := range s.results {
		res := "ok"
		if !r.passed {
			res = "FAIL"
		}
		fmt.Fprintf(&b, "%-16s %-6s %8s %10s %9d %5d %9d\n", r.name, res, r.wall.Round(time.Second),
			fmt.Sprintf("%d..%d", r.from, r.to), r.readings, r.lateReject, r.transfers)
	}
	t.Logf("fault suite summary:\n%s", b.String())
}
