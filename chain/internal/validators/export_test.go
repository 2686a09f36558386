package validators_test

import (
	"reflect"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/validators"
)

// exportChain changes the set: validators added with names, re-powered,
// renamed, removed, and the genesis validator re-powered.
func exportChain(t *testing.T) *apptest.Harness {
	t.Helper()
	h := newChain(t, apptest.Options{Validators: []abci.ValidatorUpdate{apptest.ValidatorUpdate(val0, 10), apptest.ValidatorUpdate(val3, 4)}})
	for _, m := range []struct {
		what string
		k    apptest.Key
		p    uint64
		name string
	}{
		{"add", val1, 5, "alpha"},
		{"add another", val2, 3, "beta"},
		{"re-power keeping the name", val1, 8, ""},
		{"rename only", val2, 3, "beta-2"},
		{"re-power the genesis validator", val0, 12, "zero"},
		{"remove a genesis validator", val3, 0, ""},
	} {
		h.RunOK(m.what, h.Sign(authority, setPower(m.k, m.p, m.name)))
	}
	return h
}

// TestExportRoundTrip: the set imported is the set exported, names and
// update heights included, and the imported chain changes it on.
func TestExportRoundTrip(t *testing.T) {
	h := exportChain(t)
	want := h.Validators()
	imported := h.ExportRoundTrip(t)

	imported.Block()
	if got := imported.Validators(); !reflect.DeepEqual(got, want) {
		t.Errorf("imported set: got %+v, want %+v", got, want)
	}
	b := imported.Block(imported.Sign(authority, setPower(val2, 0, "")))
	apptest.RequireOK(t, "remove on the imported chain", b.TxResult(0))
	if got, w := updates(b.Result), []string{update(val2, 0)}; !equal(got, w) {
		t.Errorf("updates on the imported chain: got %v, want %v", got, w)
	}
}

// TestImportRejectsDisagreement: the genesis file's validators must be the
// keys and powers of the exported set, and an edited set is refused.
func TestImportRejectsDisagreement(t *testing.T) {
	h := exportChain(t)
	exp, sections := h.ExportSections(t)
	if len(exp.Validators) != 3 {
		t.Fatalf("exported validators: got %d, want 3", len(exp.Validators))
	}
	repowered := append([]abci.ValidatorUpdate{}, exp.Validators...)
	repowered[0].Power++
	cases := []struct {
		name string
		edit func(g *validators.Genesis)
		vals []abci.ValidatorUpdate
		want []string
	}{
		{"a power differs", nil, repowered, []string{"invalid validators genesis", "genesis validator 0", "the validators section's set gives it"}},
		{"a validator missing", nil, exp.Validators[1:], []string{"invalid validators genesis", "2 genesis validators, the validators section's set has 3"}},
		{"a validator too many", nil, append(append([]abci.ValidatorUpdate{}, exp.Validators...), apptest.ValidatorUpdate(val3, 4)),
			[]string{"invalid validators genesis", "4 genesis validators"}},
		{"total power edited", func(g *validators.Genesis) { g.Set.TotalPower++ }, exp.Validators,
			[]string{"invalid validators genesis", "set: total_power 24: the validators' powers sum to 23"}},
		{"address edited", func(g *validators.Genesis) { g.Set.Validators[1].Address = val3.Addr }, exp.Validators,
			[]string{"invalid validators genesis", "validators[1].address " + val3.Addr.String()}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := sections
			if c.edit != nil {
				st = apptest.EditSection(t, sections, "validators", c.edit)
			}
			under := *exp // the genesis file's validators are the case's
			under.Validators = c.vals
			err := apptest.ImportSections(&under, st)
			for _, w := range c.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Fatalf("InitChain: got %v, want an error mentioning %q", err, w)
				}
			}
		})
	}
}
