package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/citychain/citychain/chain/app"
)

// export exports h's last committed state as genesis, failing tb on an error.
func (h *Harness) export(tb testing.TB) *app.Exported {
	tb.Helper()
	exp, err := h.App.Export(0)
	if err != nil {
		tb.Fatalf("export at height %d: %v", h.Height, err)
	}
	return exp
}

// ExportSections exports h's last committed state as genesis and returns
// the export and its app state split into the modules' sections, by name.
func (h *Harness) ExportSections(tb testing.TB) (*app.Exported, map[string]json.RawMessage) {
	tb.Helper()
	exp := h.export(tb)
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(exp.AppState, &sections); err != nil {
		tb.Fatalf("split the exported app state into sections: %v", err)
	}
	return exp, sections
}

// DecodeSection decodes the section name of sections strictly (a field T
// does not know is an error) and fails tb if it cannot.
func DecodeSection[T any](tb testing.TB, sections map[string]json.RawMessage, name string) T {
	tb.Helper()
	var g T
	dec := json.NewDecoder(bytes.NewReader(sections[name]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		tb.Fatalf("decode the exported %s section: %v", name, err)
	}
	return g
}

// EditSection returns a copy of sections whose section name is decoded
// (strictly, as DecodeSection does), passed to edit and encoded again; the
// other sections are shared, and sections itself is left as it is.
func EditSection[T any](tb testing.TB, sections map[string]json.RawMessage, name string, edit func(g *T)) map[string]json.RawMessage {
	tb.Helper()
	g := DecodeSection[T](tb, sections, name)
	edit(&g)
	edited := maps.Clone(sections)
	edited[name] = MustJSON(tb, g)
	return edited
}

// ImportSections runs InitChain of sections as the app state on a fresh
// in-memory application, with the export's chain id, time and validators,
// and returns what it says. To import under other validators, pass a copy
// of exp with them.
func ImportSections(exp *app.Exported, sections map[string]json.RawMessage) error {
	st, err := json.Marshal(sections)
	if err != nil {
		return err
	}
	a, err := app.New(dbm.NewMemDB(), app.Config{}, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	_, err = a.InitChain(context.Background(), &abci.RequestInitChain{
		ChainId: exp.ChainID, Time: exp.Time, InitialHeight: 1, AppStateBytes: st, Validators: exp.Validators,
	})
	return err
}

// RequireImportRefused imports sections as ImportSections does and fails
// tb unless the import is refused with an error containing want.
func RequireImportRefused(tb testing.TB, exp *app.Exported, sections map[string]json.RawMessage, want string) {
	tb.Helper()
	err := ImportSections(exp, sections)
	if err == nil || !strings.Contains(err.Error(), want) {
		tb.Fatalf("InitChain: got %v, want an error containing %q", err, want)
	}
	tb.Logf("refused: %v", err)
}

// RequireExportsCaught fails tb for each of want that seen, a tally of
// what a test's exports held, never counted; then it logs the tally.
func RequireExportsCaught(tb testing.TB, seen map[string]int, want ...string) {
	tb.Helper()
	for _, what := range want {
		if seen[what] == 0 {
			tb.Errorf("no export caught %q (%v)", what, seen)
		}
	}
	tb.Logf("exported: %v", seen)
}

// ExportRoundTrip exports h's last committed state as genesis (App.Export
// already refuses an export whose import would differ, naming the key),
// imports it into a fresh application through InitChain and fails tb unless
// the two states have the same StateHash. It returns the imported harness.
func (h *Harness) ExportRoundTrip(tb testing.TB) *Harness {
	tb.Helper()
	exp := h.export(tb)
	imported := New(tb, Options{AppState: exp.AppState, GenesisTime: exp.Time, Validators: exp.Validators})
	want, err := h.App.StateHash(0)
	if err != nil {
		tb.Fatal(err)
	}
	got, err := imported.App.StateHash(0)
	if err != nil {
		tb.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		tb.Fatalf("state imported from the export at height %d has state hash %X, the exported state %X\nexported app state: %s",
			h.Height, got, want, exp.AppState)
	}
	return imported
}
