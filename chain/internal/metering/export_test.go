package metering_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/metering"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/reading"
)

// exportChain has metering history: readings accepted over several
// intervals, a rollback flagged, cleared and flagged again, a key rotation
// continuing the meter under a new key epoch, and anchors. It returns the harness, the
// rotated inverter key and the anchored interval.
func exportChain(t *testing.T) (*apptest.Harness, device, uint64) {
	t.Helper()
	h := newHarness(t)
	t0 := now(h) - 600_000 // ten minutes back: readings over past intervals
	submit(t, h, inv.read(t, 1, t0, 1000), inv.read(t, 2, t0+60_000, 1500), inv.read(t, 3, t0+130_000, 2500),
		ev.read(t, 1, t0, 100_000), ev.read(t, 2, t0+61_000, 100_700))
	if o := submit(t, h, ev.read(t, 3, t0+120_000, 90_000)); o.rejected["ev-1/3"] != metering.ReasonRolledBack {
		t.Fatalf("rollback: got %v %v", o.accepted, o.rejected)
	}
	h.RunOK("clear the flag", h.Sign(apptest.Registrar, &tx.MsgClearFraud{Device: ev.id, Reason: "odometer replaced"}))
	submit(t, h, ev.read(t, 4, t0+180_000, 100_900))
	submit(t, h, ev.read(t, 5, t0+190_000, 100_800)) // flagged again

	rotated := newDevice(inv.id, reading.KindEnergyWh)
	seed := sha256.Sum256([]byte("metering-test/rotated"))
	rotated.priv = ed25519.NewKeyFromSeed(seed[:])
	h.RunOK("rotate", h.Sign(apptest.Installer, &tx.MsgDeviceRotate{ID: inv.id, PubKey: rotated.pub()}))
	if o := submit(t, h, rotated.readEpoch(t, 2, 4, t0+240_000, 2600), rotated.readEpoch(t, 2, 5, t0+300_000, 2650)); o.accepted["inv-1/4"] != "100" || o.accepted["inv-1/5"] != "50" {
		t.Fatalf("readings after rotation: got %v %v, want deltas 100 and 50 continuing the meter", o.accepted, o.rejected)
	}

	root := tx.HexBytes(sha256.New().Sum(nil))
	cur := uint64(apptest.BlockTime(h.Height+1).Unix()) / interval
	h.RunOK("anchor", h.Sign(settler, &tx.MsgAnchor{Interval: cur - 1, Root: root, Count: 3}))
	h.RunOK("anchor an older interval", h.Sign(settler, &tx.MsgAnchor{Interval: cur - 7, Root: root, Count: 1}))
	return h, rotated, cur - 1
}

// TestExportRoundTrip: the export imported gives the same state, and the
// imported chain applies the rules from where the exported one stopped.
func TestExportRoundTrip(t *testing.T) {
	h, rotated, anchored := exportChain(t)
	t1 := state(t, h, inv.id).TimeMs
	imported := h.ExportRoundTrip(t)

	imported.Block()
	o := submit(t, imported, rotated.readEpoch(t, 2, 5, t1, 2670), rotated.readEpoch(t, 2, 6, t1+10_000, 2690), inv.read(t, 7, t1+10_000, 3000),
		rotated.readEpoch(t, 2, 8, t1+20_000, 2000))
	if o.rejected["inv-1/5"] != metering.ReasonReplayed || o.accepted["inv-1/6"] != "40" || o.rejected["inv-1/7"] != metering.ReasonWrongEpoch ||
		o.rejected["inv-1/8"] != metering.ReasonRolledBack {
		t.Errorf("readings on the imported chain: got accepted %v rejected %v, want inv-1/5 replayed, inv-1/6 delta 40, inv-1/7 wrong_epoch, inv-1/8 rolled_back",
			o.accepted, o.rejected)
	}
	if st := state(t, imported, ev.id); st == nil || st.Fraud == nil || len(st.FraudHistory) != 1 {
		t.Errorf("imported ev-1: got %+v, want a flag and one cleared flag", st)
	}
	imported.RunFail("anchor an anchored interval", imported.Sign(settler, &tx.MsgAnchor{Interval: anchored, Root: make(tx.HexBytes, 32), Count: 1}),
		tx.CodeMeteringAlreadyAnchored)
}

// TestImportRejectsCorruptSection: a section edited into something the
// module never holds is refused, naming what is wrong.
func TestImportRejectsCorruptSection(t *testing.T) {
	h, _, _ := exportChain(t)
	exp, sections := h.ExportSections(t)
	cases := []struct {
		name string
		edit func(g *metering.Genesis)
		want []string
	}{
		{"total not the sum of the deltas", func(g *metering.Genesis) { g.Totals[0].Intervals[0].Delta++ },
			[]string{"invalid metering genesis", "totals[0] (energy_wh)", "but the deltas of its energy_wh devices sum to"}},
		{"delta without a total", func(g *metering.Genesis) { g.Totals[1].Intervals = g.Totals[1].Intervals[1:] },
			[]string{"invalid metering genesis", `deltas[0] (device "ev-1")`, "has no odometer_m total in totals"}},
		{"state of an unregistered device", func(g *metering.Genesis) { g.Devices[0].Device = "ghost" },
			[]string{"invalid metering genesis", `devices[0]: device "ghost" is not registered`}},
		{"short anchor root", func(g *metering.Genesis) { g.Anchors[1].Root = g.Anchors[1].Root[:31] },
			[]string{"invalid metering genesis", "anchors[1]", "want a 32-byte SHA-256 Merkle root"}},
		{"intervals out of order", func(g *metering.Genesis) {
			ivs := g.Deltas[1].Intervals
			ivs[0], ivs[1] = ivs[1], ivs[0]
		}, []string{"invalid metering genesis", `deltas[1] (device "inv-1")`, "want increasing intervals"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := apptest.ImportSections(exp, apptest.EditSection(t, sections, "metering", c.edit))
			for _, w := range c.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Fatalf("import: got %v, want an error mentioning %q", err, w)
				}
			}
		})
	}
}
