package settlement_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/settlement"
	"github.com/citychain/citychain/settlement/internal/store"
	"github.com/citychain/citychain/settlement/merkle"
)

// stream publishes one reading per device every step for n steps, stamped
// with the current time; it returns the wires by interval.
func (e *env) stream(devs []string, firstSeq uint64, n int, step time.Duration, during func(i int)) map[uint64]int {
	e.t.Helper()
	pub := e.publisher()
	perInterval := map[uint64]int{}
	for i := range n {
		now := time.Now().UnixMilli()
		var ws [][]byte
		for _, d := range devs {
			seq := firstSeq + uint64(i)
			ws = append(ws, e.sign(d, seq, now, 1_000_000+seq*7))
		}
		e.publish(pub, ws...)
		perInterval[uint64(now)/1000/e.interval] += len(devs)
		if during != nil {
			during(i)
		}
		time.Sleep(step) // the devices' own pace: this is the workload, not a wait
	}
	return perInterval
}

type anchorView struct {
	Interval uint64      `json:"interval"`
	Root     tx.HexBytes `json:"root"`
	Count    uint64      `json:"count"`
}

// checkSettled waits until every interval is anchored on chain and checks
// each anchor against the tree rebuilt from InfluxDB, and that InfluxDB
// holds every (device, seq) once.
func (e *env) checkSettled(perInterval map[uint64]int, devs []string, lastSeq uint64) {
	e.t.Helper()
	st, err := store.New(store.Config{URL: e.db.URL, Token: local.Token, Bucket: e.db.Bucket})
	if err != nil {
		e.t.Fatal(err)
	}
	defer st.Close()
	for i, n := range perInterval {
		var a anchorView
		e.waitFor(fmt.Sprintf("interval %d anchored", i), time.Minute, func() bool {
			return e.chain.QueryJSON(e.ctx, "/metering/anchor", []byte(strconv.FormatUint(i, 10)), &a) == nil
		})
		rs, err := st.Range(e.ctx, time.Unix(int64(i*e.interval), 0), time.Unix(int64((i+1)*e.interval), 0))
		if err != nil {
			e.t.Fatal(err)
		}
		leaves := make([]merkle.Leaf, len(rs))
		for k, r := range rs {
			leaves[k] = merkle.Leaf{Device: r.DeviceID, Seq: r.Seq, Wire: r.Wire}
		}
		tree := merkle.FromLeaves(leaves)
		if a.Count != uint64(n) || tree.Size() != uint64(n) || !bytes.Equal(a.Root, tree.Root()) {
			e.t.Errorf("interval %d: anchored %d readings root %x; stored %d root %x; published %d", i, a.Count, a.Root, tree.Size(), tree.Root(), n)
		}
	}
	got := e.stored()
	for _, d := range devs {
		seqs := got[d]
		slices.Sort(seqs)
		if len(seqs) != int(lastSeq) || len(slices.Compact(slices.Clone(seqs))) != len(seqs) || seqs[len(seqs)-1] != lastSeq {
			e.t.Errorf("device %s: stored seqs %v, want 1..%d once each", d, seqs, lastSeq)
		}
		var ds struct {
			Seq uint64 `json:"seq"`
		}
		if err := e.chain.QueryJSON(e.ctx, "/metering/device", []byte(d), &ds); err != nil || ds.Seq != lastSeq {
			e.t.Errorf("device %s on chain: seq %d (%v), want %d", d, ds.Seq, err, lastSeq)
		}
	}
}

// Settlement cancelled between receiving readings and their inclusion on
// chain, then restarted with the same session: every interval is anchored
// once with the root of exactly the stored readings, each (device, seq) is
// stored once, and the chain has each device's last reading.
func TestSettleAcrossRestart(t *testing.T) {
	devs := []string{"inv-1", "inv-2", "inv-3", "ev-4"}
	e := newEnv(t, 2, device{devs[0], tx.KindSolarInverter}, device{devs[1], tx.KindSolarInverter},
		device{devs[2], tx.KindSolarInverter}, device{devs[3], tx.KindEVOdometer})
	cfg := e.config("settle-restart")
	r := e.start(cfg)
	restarted := false
	per := e.stream(devs, 1, 60, 100*time.Millisecond, func(i int) {
		// Once the first interval is being submitted, pull the plug.
		if !restarted && r.Stats().ReadingsSubmitted > 0 || i == 45 && !restarted {
			restarted = true
			r.stop()
			r = e.start(cfg)
		}
	})
	e.checkSettled(per, devs, 60)
	if st := r.Stats(); st.AnchorConflicts != 0 || st.RejectedTotal() != 0 {
		t.Errorf("after restart: %+v, want no conflicts, no rejections", st)
	}

	// A reading proven against its interval's anchor, itself proven
	// against a signed header.
	p, err := settlement.ProveReading(e.ctx, settlement.StoreConfig{URL: e.db.URL, Token: local.Token, Bucket: e.db.Bucket}, e.interval, "ev-4", 30)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.chain.Query(e.ctx, "/metering/anchor", []byte(strconv.FormatUint(p.Interval, 10)), 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.chain.Verify(e.ctx, res); err != nil {
		t.Fatal(err)
	}
	var a anchorView
	if err := json.Unmarshal(res.Value, &a); err != nil {
		t.Fatal(err)
	}
	path := make([][]byte, len(p.Path))
	for i := range p.Path {
		path[i] = p.Path[i]
	}
	if err := merkle.VerifyInclusion(p.Wire, p.Index, a.Count, path, a.Root); err != nil || p.Seq != 30 || p.Device != "ev-4" {
		t.Fatalf("proof of ev-4/30 %+v against anchor %+v: %v", p, a, err)
	}
}

// InfluxDB stopped mid-stream and started again: readings wait
// unacknowledged, writes are retried, nothing is lost and nothing doubled.
func TestInfluxOutage(t *testing.T) {
	devs := []string{"inv-1", "inv-2"}
	e := newEnv(t, 2, device{devs[0], tx.KindSolarInverter}, device{devs[1], tx.KindSolarInverter})
	r := e.start(e.config("settle-outage"))
	per := e.stream(devs, 1, 40, 50*time.Millisecond, func(i int) {
		switch i {
		case 10:
			if err := e.db.Stop(); err != nil {
				t.Fatal(err)
			}
		case 30:
			e.waitFor("a failed write", 30*time.Second, func() bool { return r.Stats().WriteErrors > 0 })
			if err := e.db.Restart(e.ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
	e.waitFor("80 readings accepted", time.Minute, func() bool { return r.Stats().Accepted == 80 })
	e.checkSettled(per, devs, 40)
	if st := r.Stats(); st.Duplicates != 0 || st.RejectedTotal() != 0 {
		t.Errorf("stats: %+v, want no duplicates and no rejections", st)
	}
}

// An InfluxDB outage much longer than the grace: intervals end (plus
// grace) while their readings wait in the writer's retry, the verification
// queue and at the broker. Settling waits for the store and then the grace,
// so none of them is rejected as late; every reading is stored once and
// every interval anchored over exactly what is stored.
func TestInfluxOutageLongerThanGrace(t *testing.T) {
	devs := []string{"inv-1", "inv-2"}
	e := newEnv(t, 2, device{devs[0], tx.KindSolarInverter}, device{devs[1], tx.KindSolarInverter})
	r := e.start(e.config("settle-long-outage"))
	per := e.stream(devs, 1, 80, 100*time.Millisecond, func(i int) {
		switch i {
		case 10:
			if err := e.db.Kill(); err != nil {
				t.Fatal(err)
			}
		case 70: // 6 s later: three intervals of 2 s and their grace are over
			e.waitFor("a failed write", 30*time.Second, func() bool { return r.Stats().WriteErrors > 0 })
			if err := e.db.Restart(e.ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
	e.waitFor("160 readings accepted", time.Minute, func() bool { return r.Stats().Accepted == 160 })
	e.checkSettled(per, devs, 80)
	if st := r.Stats(); st.Duplicates != 0 || st.RejectedTotal() != 0 {
		t.Errorf("stats: %+v, want no duplicates and no rejections (late: %d)", st, st.Rejected[settlement.ReasonLate])
	}
}

// Two replicas on one shared subscription split the readings; InfluxDB
// holds each once and both agree on every anchored root.
func TestTwoReplicas(t *testing.T) {
	devs := []string{"inv-1", "inv-2", "inv-3", "inv-4", "inv-5"}
	var ds []device
	for _, d := range devs {
		ds = append(ds, device{d, tx.KindSolarInverter})
	}
	e := newEnv(t, 2, ds...)
	a := e.start(e.config("settle-a"))
	b := e.start(e.config("settle-b"))
	per := e.stream(devs, 1, 40, 50*time.Millisecond, nil)
	e.waitFor("200 readings accepted", time.Minute, func() bool { return a.Stats().Accepted+b.Stats().Accepted == 200 })
	e.checkSettled(per, devs, 40)
	sa, sb := a.Stats(), b.Stats()
	if sa.Accepted == 0 || sb.Accepted == 0 {
		t.Errorf("load not split: replica a accepted %d, b %d", sa.Accepted, sb.Accepted)
	}
	if sa.AnchorConflicts+sb.AnchorConflicts != 0 || sa.RejectedTotal()+sb.RejectedTotal() != 0 {
		t.Errorf("stats: a %+v, b %+v: want no conflicts, no rejections", sa, sb)
	}
}
