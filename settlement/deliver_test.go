package settlement_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/settlement"
)

// conflictProposer is the citychain app behind a proposer that, once
// armed, puts ahead of the first readings transaction of the settlement
// key it proposes a transaction of the same key and sequence: an anchor of
// a far-future interval, which fails but uses the sequence, as another
// replica's transaction relayed through another validator (or a byzantine
// proposer) would. The readings transaction then fails in its block on its
// sequence: a failure of the real app in FinalizeBlock, not a simulated
// answer.
type conflictProposer struct {
	*app.App

	mu       sync.Mutex
	key      ed25519.PrivateKey
	armed    bool
	injected int64                // height of the block carrying the conflict
	failed   []*abci.ExecTxResult // readings transactions of the key that failed in their block
	heights  []int64              // their heights
}

func (p *conflictProposer) arm(key ed25519.PrivateKey) {
	p.mu.Lock()
	p.key, p.armed = key, true
	p.mu.Unlock()
}

// readingsTxOf decodes raw and reports whether it is a readings
// transaction signed by key.
func readingsTxOf(raw []byte, key ed25519.PrivateKey) (*tx.Tx, bool) {
	t, err := tx.Decode(raw)
	if err != nil || key == nil || !bytes.Equal(t.Body.Signer, key.Public().(ed25519.PublicKey)) {
		return nil, false
	}
	return t, t.Msgs[0].Type() == tx.TypeMeteringSubmit
}

func (p *conflictProposer) PrepareProposal(ctx context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	res, err := p.App.PrepareProposal(ctx, req)
	if err != nil {
		return res, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.armed {
		return res, nil
	}
	for i, raw := range res.Txs {
		t, ok := readingsTxOf(raw, p.key)
		if !ok {
			continue
		}
		c, err := tx.Build(p.key, t.Body.ChainID, t.Body.Sequence, "conflict", &tx.MsgAnchor{Interval: 1 << 40, Root: make(tx.HexBytes, 32), Count: 1})
		if err != nil {
			return nil, err
		}
		res.Txs = slices.Insert(res.Txs, i, c)
		p.armed, p.injected = false, req.Height
		break
	}
	return res, nil
}

func (p *conflictProposer) FinalizeBlock(ctx context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	res, err := p.App.FinalizeBlock(ctx, req)
	if err != nil {
		return res, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, raw := range req.Txs {
		if _, ok := readingsTxOf(raw, p.key); ok && res.TxResults[i].Code != abci.CodeTypeOK {
			p.failed = append(p.failed, res.TxResults[i])
			p.heights = append(p.heights, req.Height)
		}
	}
	return res, nil
}

// waitAnchor waits until interval is anchored and returns its anchor.
func (e *env) waitAnchor(interval uint64) *tx.Anchor {
	e.t.Helper()
	var a *tx.Anchor
	e.waitFor(fmt.Sprintf("interval %d anchored", interval), 2*time.Minute, func() bool {
		got, _, err := e.chain.Anchor(e.ctx, interval, client.ReadOpts{})
		a = got
		return err == nil && got != nil
	})
	return a
}

// chainSeq is device's last accepted sequence on chain at height (0: the
// latest).
func (e *env) chainSeq(device string, height int64) uint64 {
	e.t.Helper()
	raw, _, err := e.chain.DeviceState(e.ctx, device, client.ReadOpts{Height: height})
	if err != nil {
		e.t.Fatal(err)
	}
	var st struct {
		Seq uint64 `json:"seq"`
	}
	if raw != nil {
		if err := json.Unmarshal(raw, &st); err != nil {
			e.t.Fatal(err)
		}
	}
	return st.Seq
}

func (e *env) audit(interval uint64) *settlement.AuditReport {
	e.t.Helper()
	rep, err := settlement.Audit(e.ctx, settlement.StoreConfig{URL: e.db.URL, Token: local.Token, Bucket: e.db.Bucket}, e.chain, interval, interval)
	if err != nil {
		e.t.Fatal(err)
	}
	return rep
}

// nowInOneInterval is the time now (unix ms) once it is more than 300 ms
// before its interval's end: readings signed at it share their interval.
func (e *env) nowInOneInterval() int64 {
	for {
		now := time.Now().UnixMilli()
		if end := (now/1000/int64(e.interval) + 1) * int64(e.interval) * 1000; end-now > 300 {
			return now
		}
		time.Sleep(50 * time.Millisecond) // the clock's own pace
	}
}

// TestSettleResubmitsReadingsFailedInBlock: one of the two readings
// transactions of an interval fails inside its block (its sequence taken
// by a conflicting transaction the proposer put ahead of it). Settlement
// does not anchor the interval while those readings are not on chain: it
// resubmits them with a fresh sequence, and anchors only once every
// device's reading is on chain (checked at the height before the anchor);
// the audit of the interval is clean.
func TestSettleResubmitsReadingsFailedInBlock(t *testing.T) {
	n := tx.MaxReadingsPerMsg + 5 // two readings transactions
	var ds []device
	var devs []string
	for k := range n {
		id := fmt.Sprintf("inv-%03d", k)
		ds = append(ds, device{id, tx.KindSolarInverter})
		devs = append(devs, id)
	}
	var p *conflictProposer
	e := newEnvApp(t, local.MosquittoOptions{}, func(a *app.App) abci.Application {
		p = &conflictProposer{App: a}
		return p
	}, 2, ds...)
	p.arm(e.settleKey)
	r := e.start(e.config("settle-conflict"))

	now := e.nowInOneInterval()
	var ws [][]byte
	for k, d := range devs {
		ws = append(ws, e.sign(d, 1, now, 1000+uint64(k)))
	}
	e.publish(e.publisher(), ws...)
	interval := uint64(now) / 1000 / e.interval
	a := e.waitAnchor(interval)

	p.mu.Lock()
	injected, failed, heights := p.injected, p.failed, p.heights
	p.mu.Unlock()
	if injected == 0 || len(failed) == 0 {
		t.Fatalf("no readings transaction failed in its block (conflict injected at height %d): the test shows nothing", injected)
	}
	if !tx.CodeAuthWrongSequence.Matches(failed[0].Codespace, failed[0].Code) {
		t.Errorf("failed readings transaction: %s code %d %q, want %v", failed[0].Codespace, failed[0].Code, failed[0].Log, tx.CodeAuthWrongSequence)
	}
	if a.Height <= heights[0] {
		t.Errorf("interval anchored at height %d, not after the readings failed at height %d", a.Height, heights[0])
	}
	if a.Count != uint64(n) {
		t.Errorf("anchor counts %d readings, want %d", a.Count, n)
	}
	var missing []string
	for _, d := range devs {
		if got := e.chainSeq(d, a.Height-1); got != 1 {
			missing = append(missing, d)
		}
	}
	if len(missing) > 0 {
		t.Errorf("at height %d, just before the anchor, %d devices had no reading on chain: %v", a.Height-1, len(missing), missing)
	}
	if st := r.Stats(); st.SubmitRetries == 0 || st.ReadingsRefused != 0 {
		t.Errorf("stats %+v: want a resubmission and no refusal", st)
	}
	if rep := e.audit(interval); !rep.Clean() {
		t.Errorf("audit of interval %d not clean:\n%s", interval, reportText(t, rep))
	}
}

// TestSettleRecordsRefusedReadings: readings the chain refuses for good —
// one whose value is below what the chain already holds for its device (a
// rollback), one of a device revoked after settlement stored it — are
// recorded as gaps before the interval is anchored, and the audit reports
// each with its device, seq and the chain's reason.
func TestSettleRecordsRefusedReadings(t *testing.T) {
	e := newEnv(t, 2, device{"inv-a", tx.KindSolarInverter}, device{"inv-b", tx.KindSolarInverter}, device{"inv-c", tx.KindSolarInverter})
	r := e.start(e.config("settle-refused"))
	now := e.nowInOneInterval()
	interval := uint64(now) / 1000 / e.interval

	// A reading of inv-a at value 10000 reaches the chain by another way.
	res, err := e.chain.Submit(e.ctx, e.settleKey, "", &tx.MsgSubmitReadings{Readings: []tx.HexBytes{e.sign("inv-a", 2, now, 10_000)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.Attr("metering.reading_accepted", "device"); !ok {
		t.Fatalf("direct submission of inv-a seq 2 not accepted: %v", res.Events)
	}
	e.publish(e.publisher(), e.sign("inv-a", 3, now+1, 100), e.sign("inv-b", 1, now+1, 5), e.sign("inv-c", 1, now+1, 7))
	e.waitFor("3 readings stored", 30*time.Second, func() bool { return r.Stats().Accepted == 3 })
	if _, err := e.chain.Submit(e.ctx, e.installer, "", &tx.MsgDeviceRevoke{ID: "inv-c", Reason: "decommissioned"}); err != nil {
		t.Fatal(err)
	}

	a := e.waitAnchor(interval)
	if a.Count != 3 {
		t.Errorf("anchor counts %d readings, want 3", a.Count)
	}
	if st := r.Stats(); st.ReadingsRefused != 2 {
		t.Errorf("readings refused: got %d, want 2 (stats %+v)", st.ReadingsRefused, st)
	}
	if got := e.chainSeq("inv-b", 0); got != 1 {
		t.Errorf("inv-b on chain: seq %d, want 1", got)
	}
	rep := e.audit(interval)
	text := reportText(t, rep)
	for _, w := range []struct {
		device string
		seq    uint64
		reason string
	}{{"inv-a", 3, "rolled_back"}, {"inv-c", 1, "revoked"}} {
		if !hasRefusal(rep, interval, w.device, w.seq, w.reason) {
			t.Errorf("audit: no %s finding for %s seq %d naming %q:\n%s", settlement.FindingRefused, w.device, w.seq, w.reason, text)
		}
	}
	for _, f := range rep.Findings {
		if f.Kind != settlement.FindingRefused {
			t.Errorf("audit: unexpected finding %+v (the refusals explain the chain's record):\n%s", f, text)
		}
	}
}

// TestSettleRecordsRefusedTransaction: when the chain refuses a readings
// transaction as a whole (none of its readings new and valid: both devices
// were revoked after settlement stored their readings), settlement sends
// each reading alone to learn its own reason, records each, then anchors;
// the audit reports both.
func TestSettleRecordsRefusedTransaction(t *testing.T) {
	e := newEnv(t, 2, device{"inv-d", tx.KindSolarInverter}, device{"inv-e", tx.KindSolarInverter})
	r := e.start(e.config("settle-refused-tx"))
	now := e.nowInOneInterval()
	interval := uint64(now) / 1000 / e.interval
	e.publish(e.publisher(), e.sign("inv-d", 1, now, 5), e.sign("inv-e", 1, now, 6))
	e.waitFor("2 readings stored", 30*time.Second, func() bool { return r.Stats().Accepted == 2 })
	for _, d := range []string{"inv-d", "inv-e"} {
		if _, err := e.chain.Submit(e.ctx, e.installer, "", &tx.MsgDeviceRevoke{ID: d, Reason: "decommissioned"}); err != nil {
			t.Fatal(err)
		}
	}
	a := e.waitAnchor(interval)
	if a.Count != 2 || r.Stats().ReadingsRefused != 2 {
		t.Errorf("anchor count %d, refused %d: want 2 and 2", a.Count, r.Stats().ReadingsRefused)
	}
	rep := e.audit(interval)
	for _, d := range []string{"inv-d", "inv-e"} {
		if !hasRefusal(rep, interval, d, 1, "revoked") {
			t.Errorf("audit: no %s finding for %s naming the refusal:\n%s", settlement.FindingRefused, d, reportText(t, rep))
		}
	}
}

func hasRefusal(rep *settlement.AuditReport, interval uint64, device string, seq uint64, reason string) bool {
	for _, f := range rep.Findings {
		if f.Kind == settlement.FindingRefused && f.Interval == interval && f.Device == device && f.Seq == seq && strings.Contains(f.Message, reason) {
			return true
		}
	}
	return false
}
