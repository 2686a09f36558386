package settlement_test

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/edge/reading"
	"github.com/citychain/citychain/settlement"
)

// Accepted readings are stored exactly once although delivered twice;
// forged, replayed, unregistered, revoked, rolled-back, wrong-kind and
// malformed readings are rejected with their reason, counted, and stored
// nowhere — also when an outsider publishes them with mosquitto_pub.
func TestIngestVerdicts(t *testing.T) {
	e := newEnv(t, 900,
		device{"inv-a", tx.KindSolarInverter}, device{"ev-b", tx.KindEVOdometer}, device{"inv-rev", tx.KindSolarInverter})
	cfg := e.config("settle-verdicts")
	cfg.NoAnchor = true
	r := e.start(cfg)
	pub := e.publisher()
	now := time.Now().Add(-time.Minute).UnixMilli()

	// inv-a seq 1..5, every one twice; ev-b seq 1..3.
	var wires [][]byte
	for seq := uint64(1); seq <= 5; seq++ {
		w := e.sign("inv-a", seq, now+int64(seq)*1000, 1000+seq*10)
		wires = append(wires, w, w)
	}
	for seq := uint64(1); seq <= 3; seq++ {
		wires = append(wires, e.sign("ev-b", seq, now+int64(seq)*1000, 50_000+seq))
	}
	e.publish(pub, wires...)
	e.waitFor("13 deliveries handled", time.Minute, func() bool { return handled(r.Stats()) == 13 })

	forged := e.sign("inv-a", 6, now+6000, 2000)
	forged[len(forged)-1] ^= 1
	tampered := e.sign("inv-a", 6, now+6000, 2000)
	tampered[len(tampered)-70] ^= 1 // the value, under an intact signature
	ghostKey := ed25519.NewKeyFromSeed(make([]byte, 32))
	e.keys["ghost"] = ghostKey
	wrongKind := e.sign("ev-b", 4, now+4000, 50_010)
	wrongKind[1] = 1                              // energy_wh on an EV odometer (the signature no longer matters: kind is checked first)
	rolledBack := e.sign("inv-a", 7, now+7000, 1) // below seq 5's 1050
	e.publish(pub,
		forged, tampered,
		e.sign("ghost", 1, now, 1),
		wrongKind,
		rolledBack,
		e.sign("inv-a", 9, now+9000, 1090), // accepted
	)
	e.waitFor("19 deliveries handled", time.Minute, func() bool { return handled(r.Stats()) == 19 })
	// seq 7 delivered after 9 fits between 5 and 9: out of order, accepted.
	// seq 8 above seq 9's value cannot sit between them: a replay.
	e.publish(pub, e.sign("inv-a", 7, now+7000, 1070), e.sign("inv-a", 8, now+8000, 1095))

	// Revoke inv-rev on chain (installer), then its reading is refused.
	if _, err := e.chain.Submit(e.ctx, e.installer, "", &tx.MsgDeviceRevoke{ID: "inv-rev", Reason: "stolen"}); err != nil {
		t.Fatal(err)
	}
	e.publish(pub, e.sign("inv-rev", 1, now, 10))
	e.waitFor("22 deliveries handled", time.Minute, func() bool { return handled(r.Stats()) == 22 })

	// An outsider with the broker's own client: a forged reading, and a
	// device-signed reading under an already stored (device, seq) that
	// differs from the stored one (conflict).
	pubBin, err := local.MosquittoPubBinary()
	if err != nil {
		local.SkipOrFail(t, err)
	}
	outsiderForged := e.sign("inv-a", 10, now+10_000, 5_000_000)
	outsiderForged[40] ^= 0xff
	for _, w := range [][]byte{outsiderForged, e.sign("inv-a", 2, now+2000, 1015)} {
		f := filepath.Join(t.TempDir(), "reading.bin")
		if err := os.WriteFile(f, w, 0o600); err != nil {
			t.Fatal(err)
		}
		_, port, _ := splitHostPort(e.mq.Addr)
		out, err := exec.CommandContext(e.ctx, pubBin, "-h", "127.0.0.1", "-p", port, "-q", "1",
			"-t", reading.Topic("inv-a"), "-f", f).CombinedOutput()
		if err != nil {
			t.Fatalf("mosquitto_pub: %v\n%s", err, out)
		}
	}
	e.waitFor("24 deliveries handled", time.Minute, func() bool { return handled(r.Stats()) == 24 })

	st := r.Stats()
	want := map[string]uint64{
		settlement.ReasonBadSignature: 3, settlement.ReasonUnregistered: 1, settlement.ReasonWrongKind: 1,
		settlement.ReasonRolledBack: 1, settlement.ReasonReplayed: 1, settlement.ReasonRevoked: 1, settlement.ReasonConflict: 1,
	}
	for reason, n := range want {
		if st.Rejected[reason] != n {
			t.Errorf("rejected %s: got %d, want %d (all: %v)", reason, st.Rejected[reason], n, st.Rejected)
		}
	}
	if st.RejectedTotal() != 9 || st.Accepted != 10 || st.Duplicates != 5 {
		t.Errorf("stats: got accepted %d, duplicates %d, rejected %d, want 10, 5, 9 (%+v)", st.Accepted, st.Duplicates, st.RejectedTotal(), st)
	}
	got := e.stored()
	for _, seqs := range got {
		slices.Sort(seqs)
	}
	if fmt.Sprint(got) != fmt.Sprint(map[string][]uint64{"inv-a": {1, 2, 3, 4, 5, 7, 9}, "ev-b": {1, 2, 3}}) {
		t.Fatalf("stored: got %v, want inv-a 1-5, 7 and 9, ev-b 1-3, each once", got)
	}
	text := scrape(t, r.Service)
	for _, l := range []string{
		`settlement_readings_rejected_total{reason="bad_signature"} 3`,
		`settlement_readings_rejected_total{reason="revoked"} 1`,
		`settlement_readings_accepted_total 10`,
		`settlement_readings_duplicate_total 5`,
	} {
		name := l[:strings.LastIndexByte(l, ' ')]
		if metricLine(text, name) != l {
			t.Errorf("metrics: got %q, want %q", metricLine(text, name), l)
		}
	}
}
