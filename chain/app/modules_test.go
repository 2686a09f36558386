package app

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/tx"
)

func TestModuleList(t *testing.T) {
	_, mods, err := wire(moduleList)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range mods {
		names = append(names, m.Name())
	}
	// AppState's sections name modules, in module-list order (a module
	// generated networks do not configure needs no field).
	st := reflect.TypeOf(AppState{})
	next := 0
	for i := range st.NumField() {
		name, _, _ := strings.Cut(st.Field(i).Tag.Get("json"), ",")
		j := slices.Index(names[next:], name)
		if j < 0 {
			t.Fatalf("AppState section %q is not a module after %v in the module list %v", name, names[:next], names)
		}
		next += j + 1
	}
}

func TestModuleListRejectsInconsistentRows(t *testing.T) {
	swap := func(i, j int) []row {
		rows := slices.Clone(moduleList)
		rows[i], rows[j] = rows[j], rows[i]
		return rows
	}
	samePrefix := slices.Clone(moduleList)
	samePrefix[5].prefix = samePrefix[4].prefix
	appPrefix := slices.Clone(moduleList)
	appPrefix[len(appPrefix)-1].prefix = prefixApp
	wrongMsgs := slices.Clone(moduleList)
	wrongMsgs[1].msgs = tx.AuthMsgs
	for _, c := range []struct {
		name string
		rows []row
		want string
	}{
		{"shared prefix", samePrefix, "share store prefix 0x05"},
		{"the app's prefix", appPrefix, `"app" and "validators" share store prefix 0x00`},
		{"messages of another module", wrongMsgs, `keeper "bank" listed with the messages of "auth"`},
		{"order unlike chain/tx", swap(4, 5), `"mileage", but chain/tx lists "market"`},
		{"a row missing", moduleList[:len(moduleList)-1], fmt.Sprintf("%d modules, but chain/tx lists messages of %d", len(moduleList)-1, len(moduleList))},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := wire(c.rows)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("wire: got %v, want an error containing %q", err, c.want)
			}
		})
	}
}
