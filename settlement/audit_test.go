package settlement_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/settlement"
	"github.com/citychain/citychain/settlement/internal/store"
	"github.com/citychain/citychain/settlement/readings"
)

// auditStream publishes one reading per device every 100 ms for n steps:
// inv-1 with consecutive seqs, inv-2 jumping 500 seqs after step 40 (an
// edge agent restarted after a crash), ev-3 offline for steps 20..44 and
// then draining its outbox (the older of those readings arrive after their
// interval was anchored). It returns every wire sent by device and seq.
func (e *env) auditStream(n int) map[string]map[uint64][]byte {
	e.t.Helper()
	pub := e.publisher()
	sent := map[string]map[uint64][]byte{"inv-1": {}, "inv-2": {}, "ev-3": {}}
	var outbox [][]byte
	for i := range n {
		now := time.Now().UnixMilli()
		s := uint64(i + 1)
		s2 := s
		if i >= 40 {
			s2 += 500
		}
		var ws [][]byte
		for dev, seq := range map[string]uint64{"inv-1": s, "inv-2": s2, "ev-3": s} {
			w := e.sign(dev, seq, now, 1_000_000+seq*7)
			sent[dev][seq] = w
			if dev == "ev-3" && i >= 20 && i < 45 {
				outbox = append(outbox, w)
				continue
			}
			ws = append(ws, w)
		}
		if i == 45 {
			e.publish(pub, outbox...)
		}
		e.publish(pub, ws...)
		time.Sleep(100 * time.Millisecond) // the devices' own pace: this is the workload, not a wait
	}
	return sent
}

// storedByInterval reads every stored reading back, by interval.
func (e *env) storedByInterval() map[uint64][]store.Stored {
	e.t.Helper()
	st, err := store.New(store.Config{URL: e.db.URL, Token: local.Token, Bucket: e.db.Bucket})
	if err != nil {
		e.t.Fatal(err)
	}
	defer st.Close()
	all, err := st.Range(e.ctx, time.Unix(0, 0), time.Now().Add(time.Hour))
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[uint64][]store.Stored{}
	for _, r := range all {
		i := uint64(r.TimeMs) / 1000 / e.interval
		out[i] = append(out[i], r)
	}
	return out
}

// writePoint stores wire as a point at time ns (0: the point time
// settlement uses), bypassing settlement.
func (e *env) writePoint(wire []byte, ns int64) {
	e.t.Helper()
	st, err := store.New(store.Config{URL: e.db.URL, Token: local.Token, Bucket: e.db.Bucket})
	if err != nil {
		e.t.Fatal(err)
	}
	defer st.Close()
	r, err := reading.Decode(wire)
	if err != nil {
		e.t.Fatal(err)
	}
	line := string(st.AppendLine(nil, r.Reading, wire))
	if ns != 0 {
		line = line[:strings.LastIndexByte(line, ' ')+1] + strconv.FormatInt(ns, 10)
	}
	if err := st.Write(e.ctx, []string{line}); err != nil {
		e.t.Fatal(err)
	}
}

// deletePoint deletes the stored point of a reading.
func (e *env) deletePoint(r store.Stored) {
	e.t.Helper()
	ts := readings.Timestamp(r.Reading)
	q := fmt.Sprintf(`DELETE FROM %q WHERE %q = '%s' AND time >= %d AND time <= %d`, readings.DefaultMeasurement, readings.TagDevice, r.DeviceID, ts, ts)
	res, err := http.PostForm(e.db.URL+"/query", url.Values{"db": {e.db.Database}, "q": {q}})
	if err != nil {
		e.t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || strings.Contains(string(body), `"error"`) {
		e.t.Fatalf("influxdb %s: status %d: %s", q, res.StatusCode, body)
	}
}

func has(rep *settlement.AuditReport, kind settlement.FindingKind, interval uint64, device string, seq uint64) bool {
	for _, f := range append(slices.Clone(rep.Findings), rep.Notes...) {
		if f.Kind == kind && f.Interval == interval && f.Device == device && f.Seq == seq {
			return true
		}
	}
	return false
}

func reportText(t *testing.T, rep *settlement.AuditReport) string {
	t.Helper()
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A healthy run (a seq jump after an edge-agent crash, an offline device
// whose oldest readings reach settlement after their interval was anchored)
// audits clean; then each discrepancy written straight into InfluxDB is
// found with its kind, interval, device and seq, and nothing else is.
func TestAudit(t *testing.T) {
	e := newEnv(t, 1, device{"inv-1", tx.KindSolarInverter}, device{"inv-2", tx.KindSolarInverter}, device{"ev-3", tx.KindEVOdometer})
	r := e.start(e.config("settle-audit"))
	sent := e.auditStream(90)

	byInterval := e.storedByInterval()
	var intervals []uint64
	for i := range byInterval {
		intervals = append(intervals, i)
	}
	slices.Sort(intervals)
	for _, i := range intervals {
		e.waitFor(fmt.Sprintf("interval %d anchored", i), time.Minute, func() bool {
			return e.chain.QueryJSON(e.ctx, "/metering/anchor", []byte(strconv.FormatUint(i, 10)), &anchorView{}) == nil
		})
	}
	if late := r.Stats().Rejected[settlement.ReasonLate]; late == 0 {
		t.Fatalf("no reading was rejected as late (stats %+v): the offline device's outbox arrived too early to test late readings", r.Stats())
	}
	sc := settlement.StoreConfig{URL: e.db.URL, Token: local.Token, Bucket: e.db.Bucket}
	from, to := intervals[0], intervals[len(intervals)-1]

	rep, err := settlement.Audit(e.ctx, sc, e.chain, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Clean() || len(rep.Intervals) != len(intervals) {
		t.Fatalf("healthy run: got %d findings over %d intervals, want clean over %d:\n%s", len(rep.Findings), len(rep.Intervals), len(intervals), reportText(t, rep))
	}
	if !has(rep, settlement.NoteSeqGap, storedInterval(byInterval, "inv-2", 541), "inv-2", 41) {
		t.Errorf("healthy run: no seq_gap note for inv-2 seq 41..540:\n%s", reportText(t, rep))
	}
	var gapEV bool
	for _, n := range rep.Notes {
		gapEV = gapEV || n.Kind == settlement.NoteSeqGap && n.Device == "ev-3" && n.Seq == 21
	}
	if !gapEV {
		t.Errorf("healthy run: no seq_gap note for the late readings of ev-3 from seq 21:\n%s", reportText(t, rep))
	}
	js, err := json.Marshal(rep)
	if err != nil || !strings.Contains(string(js), `"clean":true`) {
		t.Errorf("JSON: got %.200s (%v), want \"clean\":true", js, err)
	}
	t.Logf("clean audit of %d intervals:\n%s", len(intervals), reportText(t, rep))

	// Pick five interior intervals in which inv-1 has a reading with
	// neighbours on both sides in the same interval.
	mid := func(i uint64) (store.Stored, bool) {
		var rs []store.Stored
		for _, x := range byInterval[i] {
			if x.DeviceID == "inv-1" {
				rs = append(rs, x)
			}
		}
		slices.SortFunc(rs, func(a, b store.Stored) int { return int(a.Seq) - int(b.Seq) })
		if len(rs) < 3 {
			return store.Stored{}, false
		}
		return rs[len(rs)/2], true
	}
	extraAt := storedInterval(byInterval, "inv-2", 40) // where inv-2's seq 41 would have been
	var picks []uint64
	for _, i := range intervals[1 : len(intervals)-1] {
		if _, ok := mid(i); ok && i != extraAt {
			picks = append(picks, i)
		}
	}
	if len(picks) < 4 {
		t.Fatalf("only %d interior intervals to inject into: %v", len(picks), picks)
	}
	del, conflict, moveTo, moveFrom := picks[0], picks[1], picks[2], picks[3]
	var lastGone uint64 // and the interval after it, whose delta changes
	for _, p := range picks[4:] {
		if p+1 != extraAt && p+1 <= to {
			lastGone = p
			break
		}
	}
	if lastGone == 0 {
		t.Fatalf("no interval left to delete a last reading from: picks %v, extra %d", picks, extraAt)
	}

	// 1. A stored reading deleted.
	d, _ := mid(del)
	e.deletePoint(d)
	// 2. Another reading under an existing seq, 1 ms later, value + 1.
	c, _ := mid(conflict)
	e.writePoint(e.sign("inv-1", c.Seq, c.TimeMs+1, c.Value+1), 0)
	// 3. A reading of another interval moved in.
	m, _ := mid(moveFrom)
	e.deletePoint(m)
	e.writePoint(m.Wire, int64(moveTo*e.interval)*1_000_000_000+5_000_000)
	// 4. A reading that was never anchored: inv-2 seq 41, which its edge
	// agent skipped.
	r40, err := reading.Decode(sent["inv-2"][40])
	if err != nil {
		t.Fatal(err)
	}
	e.writePoint(e.sign("inv-2", 41, r40.TimeMs+1, r40.Value), 0)

	// 5. A device's last reading of an interval deleted: the chain's last
	// reading and delta no longer match the store's.
	var l store.Stored
	for _, x := range byInterval[lastGone] {
		if x.DeviceID == "inv-1" && x.Seq > l.Seq {
			l = x
		}
	}
	e.deletePoint(l)

	rep, err = settlement.Audit(e.ctx, sc, e.chain, from, to)
	if err != nil {
		t.Fatal(err)
	}
	text := reportText(t, rep)
	for _, w := range []struct {
		kind     settlement.FindingKind
		interval uint64
		device   string
		seq      uint64
	}{
		{settlement.FindingCountMismatch, del, "", 0},
		{settlement.FindingMissingReading, del, "inv-1", d.Seq},
		{settlement.FindingCountMismatch, conflict, "", 0},
		{settlement.FindingConflict, conflict, "inv-1", c.Seq},
		{settlement.FindingNotAnchored, conflict, "inv-1", c.Seq},
		{settlement.FindingCountMismatch, moveTo, "", 0},
		{settlement.FindingMisplaced, moveTo, "inv-1", m.Seq},
		{settlement.FindingNotAnchored, moveTo, "inv-1", m.Seq},
		{settlement.FindingCountMismatch, moveFrom, "", 0},
		{settlement.FindingMissingReading, moveFrom, "inv-1", m.Seq},
		{settlement.FindingCountMismatch, extraAt, "", 0},
		{settlement.FindingNotAnchored, extraAt, "inv-2", 41},
		{settlement.FindingCountMismatch, lastGone, "", 0},
		{settlement.FindingLastReadingMismatch, lastGone, "inv-1", l.Seq - 1},
		{settlement.FindingDeltaMismatch, lastGone, "inv-1", l.Seq - 1},
		{settlement.FindingMissingReading, lastGone, "inv-1", l.Seq},
	} {
		if !has(rep, w.kind, w.interval, w.device, w.seq) {
			t.Errorf("no %s finding for interval %d device %q seq %d", w.kind, w.interval, w.device, w.seq)
		}
	}
	var deltaAfter bool
	for _, f := range rep.Findings {
		deltaAfter = deltaAfter || f.Kind == settlement.FindingDeltaMismatch && f.Interval == lastGone+1 && f.Device == "inv-1"
	}
	if !deltaAfter {
		t.Errorf("no delta_mismatch for inv-1 in interval %d, after the deleted last reading of %d", lastGone+1, lastGone)
	}
	touched := []uint64{del, conflict, moveTo, moveFrom, extraAt, lastGone, lastGone + 1}
	for _, f := range rep.Findings {
		if !slices.Contains(touched, f.Interval) {
			t.Errorf("finding in untouched interval: %+v", f)
		}
	}
	if rep.Clean() || t.Failed() {
		t.Fatalf("after injections (delete %d, conflict %d, move %d->%d, extra %d, last reading deleted %d):\n%s", del, conflict, moveFrom, moveTo, extraAt, lastGone, text)
	}
	t.Logf("audit after injections:\n%s", text)

	if _, err := settlement.Audit(e.ctx, sc, e.chain, to, from); err == nil || from == to {
		t.Errorf("from > to: got %v, want an error", err)
	}
	if _, err := settlement.Audit(e.ctx, sc, e.chain, 0, settlement.MaxAuditIntervals); err == nil || !strings.Contains(err.Error(), "at most 100000") {
		t.Errorf("too long a range: got %v, want an error naming the limit", err)
	}
}

// storedInterval is the interval of a device's stored reading seq.
func storedInterval(byInterval map[uint64][]store.Stored, device string, seq uint64) uint64 {
	for i, rs := range byInterval {
		for _, r := range rs {
			if r.DeviceID == device && r.Seq == seq {
				return i
			}
		}
	}
	return 0
}

// A reading of an interval another replica has anchored is late for every
// replica: an ingest-only replica (NoAnchor, here on its own group so it
// sees every reading), which asked the chain about the interval within its
// grace and heard "not anchored", asks again rather than trusting that
// answer, so it does not store a reading no anchor covers; the audit is
// clean.
func TestAuditLateReadingTwoReplicas(t *testing.T) {
	e := newEnv(t, 1, device{"inv-1", tx.KindSolarInverter})
	// Seq 2 must reach both replicas within the grace: a longer grace than
	// the harness's keeps a loaded machine (CI runs packages in parallel)
	// from making it late for both.
	acfg := e.config("settle-anchor")
	acfg.Grace = 5 * time.Second
	a := e.start(acfg)
	cfg := e.config("settle-ingest")
	cfg.Group, cfg.NoAnchor, cfg.Grace = "ingest", true, acfg.Grace
	b := e.start(cfg)
	pub := e.publisher()

	// Seq 1 is stamped now and seq 2 50 ms before the interval's end, so
	// start just after an interval begins: started in its last 50 ms, seq 2
	// would be older than seq 1 and rejected as time_regressed.
	time.Sleep(time.Until(time.Unix(int64((uint64(time.Now().Unix())/e.interval+1)*e.interval), 10e6)))
	now := time.Now()
	i := uint64(now.Unix()) / e.interval
	end := time.Unix(int64((i+1)*e.interval), 0)
	e.publish(pub, e.sign("inv-1", 1, now.UnixMilli(), 100))
	time.Sleep(time.Until(end.Add(100 * time.Millisecond))) // the interval's end is a time, not an event
	// Within the grace: both replicas store it; b asks the chain and
	// hears that interval i is not anchored.
	e.publish(pub, e.sign("inv-1", 2, end.UnixMilli()-50, 110))
	e.waitFor("seq 2 handled by the ingest-only replica", 30*time.Second, func() bool { return handled(b.Stats()) == 2 })
	if n := a.Stats().Rejected[settlement.ReasonLate] + b.Stats().Rejected[settlement.ReasonLate]; n != 0 {
		t.Fatalf("seq 2, sent within the grace, was rejected as late %d times", n)
	}
	e.waitFor(fmt.Sprintf("interval %d anchored", i), time.Minute, func() bool {
		return e.chain.QueryJSON(e.ctx, "/metering/anchor", []byte(strconv.FormatUint(i, 10)), &anchorView{}) == nil
	})
	e.publish(pub, e.sign("inv-1", 3, end.UnixMilli()-20, 120))
	e.waitFor("seq 3 rejected as late by the anchoring replica", 30*time.Second, func() bool { return a.Stats().Rejected[settlement.ReasonLate] == 1 })
	e.waitFor("seq 3 rejected as late by the ingest-only replica", 30*time.Second, func() bool { return b.Stats().Rejected[settlement.ReasonLate] == 1 })
	if got := e.stored()["inv-1"]; len(got) != 2 {
		t.Fatalf("stored seqs %v, want 1 and 2 (the late seq 3 stored by no replica); anchoring replica %+v, ingest-only replica %+v", got, a.Stats(), b.Stats())
	}

	rep, err := settlement.Audit(e.ctx, settlement.StoreConfig{URL: e.db.URL, Token: local.Token, Bucket: e.db.Bucket}, e.chain, i, i)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Clean() {
		t.Fatalf("audit of interval %d not clean:\n%s", i, reportText(t, rep))
	}
}
