package settlement

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/settlement/internal/store"
	"github.com/citychain/citychain/settlement/merkle"
)

// MaxAuditIntervals bounds the intervals one Audit covers.
const MaxAuditIntervals = 100_000

// auditLookback is how far before the first audited interval each device's
// previous stored reading is looked for: the delta of its first audited
// interval is derived from it.
const auditLookback = 48 * time.Hour

// maxLeaveOneOut bounds the size of an interval in which a stored reading
// the anchor does not cover is identified by trying the root without each
// leaf (quadratic in the interval's readings).
const maxLeaveOneOut = 4096

// deltaWindow is how many intervals of a device's on-chain deltas one
// /metering/deltas query fetches.
const deltaWindow = 256

// FindingKind names what an audit found.
type FindingKind string

// Discrepancies: Clean is false when the report has any.
const (
	// FindingRootMismatch: the store holds as many readings as the anchor
	// counts, but they hash to another root (a reading altered or replaced).
	FindingRootMismatch FindingKind = "root_mismatch"
	// FindingCountMismatch: the store holds more or fewer readings than the
	// anchor counts.
	FindingCountMismatch FindingKind = "count_mismatch"
	// FindingNoAnchor: readings are stored for a closed interval that has no
	// anchor on chain.
	FindingNoAnchor FindingKind = "no_anchor"
	// FindingMissingReadings: the interval is anchored but the store holds
	// none of its readings.
	FindingMissingReadings FindingKind = "missing_readings"
	// FindingMissingReading: a sequence gap of a device in an interval whose
	// anchor counts more readings than are stored: the likely lost reading.
	FindingMissingReading FindingKind = "missing_reading"
	// FindingNotAnchored: a stored reading the anchor does not cover: the
	// anchored root is exactly that of the interval's other stored readings.
	FindingNotAnchored FindingKind = "not_anchored"
	// FindingDuplicate: the same reading stored as more than one point.
	FindingDuplicate FindingKind = "duplicate"
	// FindingConflict: different readings stored under one (device, seq).
	FindingConflict FindingKind = "conflict"
	// FindingMisplaced: a point in the interval's time range whose signed
	// time is in another interval.
	FindingMisplaced FindingKind = "misplaced"
	// FindingOutOfOrder: a device's seq did not increase with time across
	// intervals.
	FindingOutOfOrder FindingKind = "out_of_order"
	// FindingRolledBack: a stored value below the device's previous one
	// (of any key epoch: a new key continues the meter).
	FindingRolledBack FindingKind = "rolled_back"
	// FindingTimeRegressed: a stored reading timed before the device's
	// previous one (of any key epoch).
	FindingTimeRegressed FindingKind = "time_regressed"
	// FindingLastReadingMismatch: the chain's last accepted reading of a
	// device in the interval is not the last stored one.
	FindingLastReadingMismatch FindingKind = "last_reading_mismatch"
	// FindingDeltaMismatch: the chain's delta of a device in the interval is
	// not what the stored readings give.
	FindingDeltaMismatch FindingKind = "delta_mismatch"
	// FindingRefused: the chain refused for good the reading settlement
	// submitted for a device in the interval (a revoked device, a
	// rolled-back value, ...), and settlement recorded the gap before it
	// anchored the interval: the device's delivery in the interval is not
	// on chain. The chain's record of the device in the interval is not
	// compared further (it has none of the interval's readings).
	FindingRefused FindingKind = "refused_by_chain"
)

// Notes: informational, they do not make a report unclean.
const (
	// NoteSeqGap: sequence numbers of a device that are not stored, in an
	// interval whose count matches its anchor. Healthy: the edge agent skips
	// up to 999 numbers after a crash (sequence reservations), and readings
	// settlement rejected (late ones among them) are stored nowhere.
	NoteSeqGap FindingKind = "seq_gap"
	// NoteDeltaUnchecked: no stored reading of the device was found within
	// 48 hours before the audited range, so its first delta is not checked.
	NoteDeltaUnchecked FindingKind = "delta_unchecked"
)

// Finding is one discrepancy or note, with a sentence a person understands.
type Finding struct {
	Kind     FindingKind `json:"kind"`
	Interval uint64      `json:"interval"`
	Device   string      `json:"device,omitempty"`
	Seq      uint64      `json:"seq,omitempty"`
	Message  string      `json:"message"`
}

// IntervalAudit summarises one interval that has stored readings or an
// anchor.
type IntervalAudit struct {
	Interval     uint64      `json:"interval"`
	Stored       uint64      `json:"stored"`
	StoredRoot   tx.HexBytes `json:"stored_root"`
	Devices      int         `json:"devices"`
	Anchored     bool        `json:"anchored"`
	AnchorCount  uint64      `json:"anchor_count,omitempty"`
	AnchorRoot   tx.HexBytes `json:"anchor_root,omitempty"`
	AnchorHeight int64       `json:"anchor_height,omitempty"`
	OK           bool        `json:"ok"`
}

// AuditReport is the result of Audit.
type AuditReport struct {
	From            uint64 `json:"from"`
	To              uint64 `json:"to"`
	IntervalSeconds uint64 `json:"interval_seconds"`
	// Height is the chain state read; anchors are proven against the app
	// hash in the header of Height+1, which the light client verified from
	// TrustRoot.
	Height       int64           `json:"height"`
	HeaderHeight int64           `json:"header_height,omitempty"`
	AppHash      tx.HexBytes     `json:"app_hash,omitempty"`
	TrustRoot    string          `json:"trust_root,omitempty"`
	Intervals    []IntervalAudit `json:"intervals"`
	Findings     []Finding       `json:"findings"`
	Notes        []Finding       `json:"notes"`
}

// Clean reports whether the audit found no discrepancy (notes aside).
func (r *AuditReport) Clean() bool { return len(r.Findings) == 0 }

// MarshalJSON adds "clean" to the report's fields.
func (r *AuditReport) MarshalJSON() ([]byte, error) {
	type plain AuditReport
	return json.Marshal(struct {
		Clean bool `json:"clean"`
		*plain
	}{r.Clean(), (*plain)(r)})
}

// WriteText renders the report for a person.
func (r *AuditReport) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "audit of intervals %d..%d (%d s each, %s to %s)\n", r.From, r.To, r.IntervalSeconds,
		time.Unix(int64(r.From*r.IntervalSeconds), 0).UTC().Format(time.RFC3339),
		time.Unix(int64((r.To+1)*r.IntervalSeconds), 0).UTC().Format(time.RFC3339))
	if r.HeaderHeight > 0 {
		fmt.Fprintf(&b, "chain state at height %d; anchors proven against app hash %X in signed header %d\n", r.Height, []byte(r.AppHash), r.HeaderHeight)
		if r.TrustRoot != "" {
			fmt.Fprintf(&b, "header %d verified by the light client from the trust root: %s\n", r.HeaderHeight, r.TrustRoot)
		}
	} else {
		fmt.Fprintf(&b, "chain state at height %d\n", r.Height)
	}
	fmt.Fprintf(&b, "%-12s %8s %8s  %s\n", "interval", "stored", "anchored", "result")
	for _, iv := range r.Intervals {
		anchored, result := "-", "ok"
		if iv.Anchored {
			anchored = strconv.FormatUint(iv.AnchorCount, 10)
		}
		if !iv.OK {
			result = "DISCREPANCY"
		}
		fmt.Fprintf(&b, "%-12d %8d %8s  %s\n", iv.Interval, iv.Stored, anchored, result)
	}
	if len(r.Intervals) == 0 {
		b.WriteString("(no stored readings and no anchors in the range)\n")
	}
	list := func(title string, fs []Finding) {
		if len(fs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s (%d)\n", title, len(fs))
		for _, f := range fs {
			where := fmt.Sprintf("interval %d", f.Interval)
			if f.Device != "" {
				where += " device " + f.Device
			}
			if f.Seq != 0 {
				where += fmt.Sprintf(" seq %d", f.Seq)
			}
			fmt.Fprintf(&b, "  %s [%s]: %s\n", where, f.Kind, f.Message)
		}
	}
	list("DISCREPANCIES", r.Findings)
	list("notes", r.Notes)
	if r.Clean() {
		fmt.Fprintf(&b, "\nclean: every stored reading is under its interval's anchor and agrees with the chain's records\n")
	} else {
		fmt.Fprintf(&b, "\nNOT CLEAN: %d discrepancies\n", len(r.Findings))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Audit compares, for every interval in [from, to], the readings stored in
// InfluxDB with the chain: the Merkle root and count rebuilt from the store
// against the interval's anchor (read at one height and proven against a
// signed header), duplicates and misplaced points in the store, the order
// of each device's readings, and per device the chain's last accepted
// reading of the interval and its delta against what the stored readings
// give. It reads one interval's readings at a time. Every interval must be
// closed on chain (before the interval of the latest block).
func Audit(ctx context.Context, sc StoreConfig, c *client.Client, from, to uint64) (*AuditReport, error) {
	if from > to {
		return nil, fmt.Errorf("audit: from interval %d is after to interval %d; want from <= to", from, to)
	}
	if to-from >= MaxAuditIntervals {
		return nil, fmt.Errorf("audit: intervals %d..%d are %d intervals; want at most %d per run", from, to, to-from+1, MaxAuditIntervals)
	}
	params, err := fetchParams(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("audit: read metering params: %w", err)
	}
	status, err := c.RPC().Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: node status: %w", err)
	}
	cur := params.interval(status.SyncInfo.LatestBlockTime.UnixMilli())
	if to >= cur {
		return nil, fmt.Errorf("audit: interval %d is not closed: the latest block (height %d, %s) is in interval %d; want intervals up to %d",
			to, status.SyncInfo.LatestBlockHeight, status.SyncInfo.LatestBlockTime.UTC().Format(time.RFC3339), cur, cur-1)
	}
	// Anchors are read at the latest height; proving them waits for the
	// next block, whose header carries that state's app hash.
	height := status.SyncInfo.LatestBlockHeight
	st, err := store.New(store.Config{URL: sc.URL, Token: sc.Token, Org: sc.Org, Bucket: sc.Bucket, Measurement: sc.Measurement})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	a := &auditor{c: c, st: st, p: params, to: to, height: height, prev: map[string]*store.Stored{}, seen: map[string]bool{},
		deltas: map[string]*deltaCache{}, short: map[uint64]bool{},
		rep: &AuditReport{From: from, To: to, IntervalSeconds: params.IntervalSeconds, Height: height, Intervals: []IntervalAudit{}, Findings: []Finding{}, Notes: []Finding{}}}
	latest, err := st.Latest(ctx, params.start(from).Add(-auditLookback), params.start(from))
	if err != nil {
		return nil, fmt.Errorf("audit: read the stored readings before interval %d: %w", from, err)
	}
	for i := range latest {
		a.prev[latest[i].DeviceID] = &latest[i]
		a.seen[latest[i].DeviceID] = true
	}
	for i := from; ; i++ {
		if err := a.interval(ctx, i); err != nil {
			return nil, fmt.Errorf("audit interval %d: %w", i, err)
		}
		if i == to {
			break
		}
	}
	return a.rep, nil
}

type auditor struct {
	c      *client.Client
	st     *store.Store
	p      chainParams
	to     uint64
	height int64
	// prev is each device's last stored reading before the interval being
	// audited, as the chain saw it (readings the anchor does not cover left
	// out); seen marks devices whose history before the range is known.
	prev map[string]*store.Stored
	seen map[string]bool
	// short marks intervals whose anchor counts more readings than stored.
	short  map[uint64]bool
	deltas map[string]*deltaCache
	rep    *AuditReport
}

type deltaCache struct {
	from, to uint64
	m        map[uint64]uint64
}

func (a *auditor) finding(k FindingKind, interval uint64, device string, seq uint64, format string, args ...any) {
	a.rep.Findings = append(a.rep.Findings, Finding{Kind: k, Interval: interval, Device: device, Seq: seq, Message: fmt.Sprintf(format, args...)})
}

func (a *auditor) note(k FindingKind, interval uint64, device string, seq uint64, format string, args ...any) {
	a.rep.Notes = append(a.rep.Notes, Finding{Kind: k, Interval: interval, Device: device, Seq: seq, Message: fmt.Sprintf(format, args...)})
}

// anchor reads interval's anchor at the audit height. With verify, the
// answer (presence or absence) is proven against a signed header.
func (a *auditor) anchor(ctx context.Context, interval uint64, verify bool) (*tx.Anchor, error) {
	an, res, err := a.c.Anchor(ctx, interval, client.ReadOpts{Height: a.height, Prove: verify})
	if err != nil {
		return nil, err
	}
	if verify {
		v, err := a.c.Verify(ctx, res)
		if err != nil {
			return nil, fmt.Errorf("%w: anchor of interval %d: %w", client.ErrNotVerified, interval, err)
		}
		if a.rep.HeaderHeight == 0 {
			a.rep.HeaderHeight, a.rep.AppHash, a.rep.TrustRoot = v.HeaderHeight, v.AppHash, v.Trusted.String()
		}
	}
	return an, nil
}

func leafOf(r *store.Stored) merkle.Leaf {
	return merkle.Leaf{Device: r.DeviceID, Seq: r.Seq, Wire: r.Wire}
}

// interval audits one interval.
func (a *auditor) interval(ctx context.Context, i uint64) error {
	rs, err := a.st.Range(ctx, a.p.start(i), a.p.start(i+1))
	if err != nil {
		return err
	}
	// Tree order, exactly as settlement built the anchored tree.
	slices.SortFunc(rs, func(x, y store.Stored) int { return merkle.Compare(leafOf(&x), leafOf(&y)) })
	hashes := make([][]byte, len(rs))
	for k := range rs {
		hashes[k] = merkle.LeafHash(rs[k].Wire)
	}
	stored := uint64(len(rs))
	root := merkle.RootOfHashes(hashes)

	// Probe unproven first: an empty, unanchored interval needs no proof.
	an, err := a.anchor(ctx, i, false)
	if err != nil {
		return err
	}
	if an == nil && stored == 0 {
		return a.chainOnly(ctx, i)
	}
	if an, err = a.anchor(ctx, i, true); err != nil {
		return err
	}
	nFindings := len(a.rep.Findings)
	sum := IntervalAudit{Interval: i, Stored: stored, StoredRoot: root}
	if an != nil {
		sum.Anchored, sum.AnchorCount, sum.AnchorRoot, sum.AnchorHeight = true, an.Count, an.Root, an.Height
	}
	devices := map[string]bool{}
	for k := range rs {
		devices[rs[k].DeviceID] = true
	}
	sum.Devices = len(devices)
	refusals, err := a.st.Refusals(ctx, a.p.start(i), a.p.start(i+1))
	if err != nil {
		return err
	}
	slices.SortFunc(refusals, func(x, y store.Refusal) int {
		return cmp.Or(strings.Compare(x.DeviceID, y.DeviceID), cmp.Compare(x.Seq, y.Seq))
	})
	refused := map[string]uint64{} // device -> seq of its refused reading
	for _, r := range refusals {
		refused[r.DeviceID] = r.Seq
		a.finding(FindingRefused, i, r.DeviceID, r.Seq, "the chain refused %s seq %d (value %d, %s), the device's reading settlement submitted for interval %d: %s; the gap was recorded before the interval was anchored, so the device's delivery in it is missing on chain",
			r.DeviceID, r.Seq, r.Value, msTime(r.TimeMs), i, r.Reason)
	}

	switch {
	case an == nil:
		a.finding(FindingNoAnchor, i, "", 0, "%d readings of %d devices are stored for interval %d, but the chain has no anchor for it: settlement never settled it (down for longer than its lookback, or the interval is still within its grace)",
			stored, len(devices), i)
	case stored == 0:
		a.finding(FindingMissingReadings, i, "", 0, "interval %d is anchored over %d readings (root %x, height %d), but the store holds none of them", i, an.Count, []byte(an.Root), an.Height)
	case an.Count != stored:
		a.finding(FindingCountMismatch, i, "", 0, "the store holds %d readings for interval %d, but its anchor counts %d (anchored root %x, stored root %x)", stored, i, an.Count, []byte(an.Root), root)
	case !bytes.Equal(an.Root, root):
		a.finding(FindingRootMismatch, i, "", 0, "the store holds %d readings for interval %d as its anchor counts, but they hash to root %x, not the anchored %x: a stored reading was altered or replaced", stored, i, root, []byte(an.Root))
	}

	// A reading the anchor does not cover: one extra leaf whose removal
	// gives exactly the anchored root.
	extra := -1
	if an != nil && stored == an.Count+1 && stored <= maxLeaveOneOut {
		without := make([][]byte, 0, len(hashes)-1)
		for k := range hashes {
			without = append(append(without[:0], hashes[:k]...), hashes[k+1:]...)
			if bytes.Equal(merkle.RootOfHashes(without), an.Root) {
				extra = k
				r := &rs[k]
				a.finding(FindingNotAnchored, i, r.DeviceID, r.Seq, "reading %s seq %d (value %d, %s) is stored but not under interval %d's anchor: without it the stored readings give exactly the anchored root; it was stored after the interval was anchored, or written by something other than settlement",
					r.DeviceID, r.Seq, r.Value, msTime(r.TimeMs), i)
				break
			}
		}
	}
	short := an != nil && an.Count > stored
	if short {
		a.short[i] = true
	}

	// Per (device, seq), in tree order: points that do not belong, then
	// the order of the rest, then the chain's record.
	last := map[string]*store.Stored{}
	before := map[string]*store.Stored{} // prev as it was before this interval
	for k := 0; k < len(rs); {
		j := k
		for j < len(rs) && rs[j].DeviceID == rs[k].DeviceID && rs[j].Seq == rs[k].Seq {
			j++
		}
		var keep *store.Stored
		var group []*store.Stored
		for m := k; m < j; m++ {
			r := &rs[m]
			if wi := a.p.interval(r.TimeMs); wi != i {
				a.finding(FindingMisplaced, i, r.DeviceID, r.Seq, "reading %s seq %d is stored in interval %d's time range, but it was signed at %s, which is in interval %d",
					r.DeviceID, r.Seq, i, msTime(r.TimeMs), wi)
				continue
			}
			group = append(group, r)
			if m != extra && keep == nil {
				keep = r
			}
		}
		for _, r := range group[min(1, len(group)):] {
			if bytes.Equal(group[0].Wire, r.Wire) {
				a.finding(FindingDuplicate, i, r.DeviceID, r.Seq, "reading %s seq %d is stored more than once (as points at different times)", r.DeviceID, r.Seq)
			} else {
				a.finding(FindingConflict, i, r.DeviceID, r.Seq, "two different readings of %s claim seq %d: value %d at %s and value %d at %s",
					r.DeviceID, r.Seq, group[0].Value, msTime(group[0].TimeMs), r.Value, msTime(r.TimeMs))
			}
		}
		k = j
		if keep == nil {
			continue
		}
		if _, ok := before[keep.DeviceID]; !ok {
			before[keep.DeviceID] = a.prev[keep.DeviceID]
		}
		a.order(i, keep, short)
		last[keep.DeviceID] = keep
	}

	// A device whose submitted reading was refused: the chain holds none of
	// its readings of the interval, so its record is not compared, and the
	// chain's next delta of it starts from the reading before.
	for dev, seq := range refused {
		if l := last[dev]; l != nil && l.Seq == seq {
			delete(last, dev)
			if p := before[dev]; p != nil {
				a.prev[dev] = p
			} else {
				delete(a.prev, dev)
			}
			a.seen[dev] = true
		}
	}
	if an != nil {
		if err := a.compare(ctx, i, last, before, refused); err != nil {
			return err
		}
	}
	for dev := range last {
		a.seen[dev] = true
	}
	sum.OK = len(a.rep.Findings) == nFindings
	a.rep.Intervals = append(a.rep.Intervals, sum)
	return nil
}

// order checks r against the device's previous stored reading.
func (a *auditor) order(i uint64, r *store.Stored, short bool) {
	p := a.prev[r.DeviceID]
	defer func() {
		if p == nil || r.Seq > p.Seq {
			a.prev[r.DeviceID] = r
		}
	}()
	if p == nil {
		return
	}
	pi := a.p.interval(p.TimeMs)
	switch {
	case r.Seq <= p.Seq:
		a.finding(FindingOutOfOrder, i, r.DeviceID, r.Seq, "%s seq %d is stored at %s in interval %d, but seq %d was stored earlier at %s in interval %d: sequence numbers must increase with time",
			r.DeviceID, r.Seq, msTime(r.TimeMs), i, p.Seq, msTime(p.TimeMs), pi)
		return
	case r.Seq > p.Seq+1:
		first, n := p.Seq+1, r.Seq-p.Seq-1
		span := fmt.Sprintf("%s seq %d is", r.DeviceID, first)
		if n > 1 {
			span = fmt.Sprintf("%s seqs %d..%d (%d numbers) are", r.DeviceID, first, r.Seq-1, n)
		}
		switch {
		case short:
			a.finding(FindingMissingReading, i, r.DeviceID, first, "%s not stored (between seq %d in interval %d and seq %d), and interval %d's anchor counts more readings than the store holds: the missing reading is likely here",
				span, p.Seq, pi, r.Seq, i)
		case pi < i && a.short[pi]:
			a.finding(FindingMissingReading, pi, r.DeviceID, first, "%s not stored (between seq %d in interval %d and seq %d in interval %d), and interval %d's anchor counts more readings than the store holds: the missing reading is likely there",
				span, p.Seq, pi, r.Seq, i, pi)
		default:
			a.note(NoteSeqGap, i, r.DeviceID, first, "%s not stored (between seq %d in interval %d and seq %d); normal after an edge-agent crash (sequence reservations skip up to 999) or for readings settlement rejected, e.g. late ones",
				span, p.Seq, pi, r.Seq)
		}
	}
	// A new key epoch continues the same meter (as on chain): the value and
	// the time never go back across epochs.
	if r.Value < p.Value {
		a.finding(FindingRolledBack, i, r.DeviceID, r.Seq, "%s seq %d has value %d, below %d of seq %d: a cumulative value went backwards", r.DeviceID, r.Seq, r.Value, p.Value, p.Seq)
	}
	if r.TimeMs < p.TimeMs {
		a.finding(FindingTimeRegressed, i, r.DeviceID, r.Seq, "%s seq %d is timed %s, before seq %d at %s", r.DeviceID, r.Seq, msTime(r.TimeMs), p.Seq, msTime(p.TimeMs))
	}
}

// chainReading is a metering.reading_accepted event.
type chainReading struct {
	seq, value, delta uint64
}

// accepted returns, per device, the chain's last accepted reading of
// interval (up to the audit height), from the node's transaction index.
func (a *auditor) accepted(ctx context.Context, interval uint64) (map[string]chainReading, error) {
	q := fmt.Sprintf("metering.reading_accepted.interval = '%d' AND tx.height <= %d", interval, a.height)
	out := map[string]chainReading{}
	want := strconv.FormatUint(interval, 10)
	perPage := 100
	for page, seen := 1, 0; ; page++ {
		p := page
		res, err := a.c.RPC().TxSearch(ctx, q, false, &p, &perPage, "asc")
		if err != nil {
			return nil, fmt.Errorf("search the chain's accepted readings of interval %d (the node needs its transaction index): %w", interval, err)
		}
		for _, t := range res.Txs {
			for _, ev := range t.TxResult.Events {
				if ev.Type != "metering.reading_accepted" {
					continue
				}
				attr := map[string]string{}
				for _, at := range ev.Attributes {
					attr[at.Key] = at.Value
				}
				if attr["interval"] != want {
					continue
				}
				var cr chainReading
				var e1, e2, e3 error
				cr.seq, e1 = strconv.ParseUint(attr["seq"], 10, 64)
				cr.value, e2 = strconv.ParseUint(attr["value"], 10, 64)
				cr.delta, e3 = strconv.ParseUint(attr["delta"], 10, 64)
				if err := errors.Join(e1, e2, e3); err != nil {
					return nil, fmt.Errorf("transaction %X: reading_accepted event: %w", t.Hash, err)
				}
				if old, ok := out[attr["device"]]; !ok || cr.seq > old.seq {
					out[attr["device"]] = cr
				}
			}
		}
		seen += len(res.Txs)
		if seen >= res.TotalCount || len(res.Txs) == 0 {
			return out, nil
		}
	}
}

// chainDelta is the chain's delta of device in interval at the audit height.
func (a *auditor) chainDelta(ctx context.Context, device string, interval uint64) (uint64, error) {
	w := a.deltas[device]
	if w == nil || interval < w.from || interval > w.to {
		to := min(a.to, interval+deltaWindow-1)
		vs, err := a.c.Deltas(ctx, device, interval, to, a.height)
		if err != nil {
			return 0, err
		}
		w = &deltaCache{from: interval, to: to, m: map[uint64]uint64{}}
		for _, v := range vs {
			w.m[v.Interval] = v.Delta
		}
		a.deltas[device] = w
	}
	return w.m[interval], nil
}

// chainOnly checks an interval with no stored readings and no anchor: the
// chain should have accepted no readings in it either.
func (a *auditor) chainOnly(ctx context.Context, i uint64) error {
	acc, err := a.accepted(ctx, i)
	if err != nil {
		return err
	}
	for _, dev := range sortedKeys(acc) {
		cr := acc[dev]
		a.finding(FindingLastReadingMismatch, i, dev, cr.seq, "the chain accepted %s seq %d (value %d) in interval %d, but the store holds no reading of interval %d and the interval has no anchor",
			dev, cr.seq, cr.value, i, i)
	}
	return nil
}

// compare checks each device's last stored reading of an anchored interval,
// and the delta it gives, against the chain's record; before holds each
// device's last stored reading before the interval. Devices whose
// submitted reading the chain refused (reported already) are left out.
func (a *auditor) compare(ctx context.Context, i uint64, last, before map[string]*store.Stored, refused map[string]uint64) error {
	acc, err := a.accepted(ctx, i)
	if err != nil {
		return err
	}
	devs := sortedKeys(last)
	for _, d := range sortedKeys(acc) {
		if _, r := refused[d]; last[d] == nil && !r {
			devs = append(devs, d)
		}
	}
	slices.Sort(devs)
	for _, dev := range devs {
		l := last[dev]
		cr, onChain := acc[dev]
		switch {
		case l == nil:
			a.finding(FindingLastReadingMismatch, i, dev, cr.seq, "the chain accepted %s seq %d (value %d) in interval %d, but the store holds no reading of the device in that interval",
				dev, cr.seq, cr.value, i)
			continue
		case !onChain:
			a.finding(FindingLastReadingMismatch, i, dev, l.Seq, "the chain accepted no reading of %s in interval %d, but the store's last is seq %d (value %d): settlement's submission of it was rejected or never made",
				dev, i, l.Seq, l.Value)
		case cr.seq != l.Seq || cr.value != l.Value:
			a.finding(FindingLastReadingMismatch, i, dev, l.Seq, "the chain's last reading of %s in interval %d is seq %d value %d, but the store's last is seq %d value %d",
				dev, i, cr.seq, cr.value, l.Seq, l.Value)
		}
		got, err := a.chainDelta(ctx, dev, i)
		if err != nil {
			return err
		}
		p := before[dev]
		var want uint64
		switch {
		case p == nil && !a.seen[dev]:
			if got != 0 {
				a.note(NoteDeltaUnchecked, i, dev, l.Seq, "the chain's delta of %s in interval %d is %d; no stored reading of the device was found within %s before the audited range, so it is not checked",
					dev, i, got, auditLookback)
			}
			continue
		case p == nil:
			want = 0 // first reading: a baseline
		case l.Value < p.Value:
			continue // rolled back: reported above
		default:
			want = l.Value - p.Value
		}
		if got != want {
			from := "no earlier stored reading (a baseline)"
			if p != nil {
				from = fmt.Sprintf("seq %d value %d before it", p.Seq, p.Value)
			}
			a.finding(FindingDeltaMismatch, i, dev, l.Seq, "the chain's delta of %s in interval %d is %d, but the stored readings give %d (last seq %d value %d, %s)",
				dev, i, got, want, l.Seq, l.Value, from)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func msTime(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z") }
