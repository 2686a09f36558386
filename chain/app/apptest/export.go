package apptest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/citychain/citychain/chain/app"
)

// ExportRoundTrip exports h's last committed state as genesis, imports it
// into a fresh application and fails tb unless the two states hold the same
// keys and values (the same StateHash), naming the first key they disagree
// on. It returns the imported harness.
func (h *Harness) ExportRoundTrip(tb testing.TB) *Harness {
	tb.Helper()
	exp, err := h.App.Export(0)
	if err != nil {
		tb.Fatalf("export at height %d: %v", h.Height, err)
	}
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
		tb.Fatalf("state imported from the export at height %d differs from the exported state: %s\nexported app state: %s",
			h.Height, firstDifference(h.App, imported.App), exp.AppState)
	}
	return imported
}

type kvPair struct{ k, v []byte }

func dump(a *app.App) []kvPair {
	var out []kvPair
	_ = a.EachState(0, func(k, v []byte) bool {
		out = append(out, kvPair{bytes.Clone(k), bytes.Clone(v)})
		return true
	})
	return out
}

// firstDifference names the first key two states disagree on.
func firstDifference(exported, imported *app.App) string {
	a, b := dump(exported), dump(imported)
	for i := 0; i < len(a) || i < len(b); i++ {
		switch {
		case i >= len(a):
			return fmt.Sprintf("key %X (%q) = %q only in the imported state", b[i].k, b[i].k, b[i].v)
		case i >= len(b):
			return fmt.Sprintf("key %X (%q) = %q missing from the imported state", a[i].k, a[i].k, a[i].v)
		case !bytes.Equal(a[i].k, b[i].k):
			if bytes.Compare(a[i].k, b[i].k) < 0 {
				return fmt.Sprintf("key %X (%q) = %q missing from the imported state", a[i].k, a[i].k, a[i].v)
			}
			return fmt.Sprintf("key %X (%q) = %q only in the imported state", b[i].k, b[i].k, b[i].v)
		case !bytes.Equal(a[i].v, b[i].v):
			return fmt.Sprintf("key %X (%q): exported %q, imported %q", a[i].k, a[i].k, a[i].v, b[i].v)
		}
	}
	return "no key differs (yet the hashes do)"
}
