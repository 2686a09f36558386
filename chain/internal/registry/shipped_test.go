package registry_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/deploy/registries"
)

// TestShippedRegistries: every definition shipped as data
// (deploy/registries) is proposed by an agency and enabled on a running
// chain; with its roles granted, its valid examples are created and its
// invalid ones refused at the path examples/NAME/expect.json names; a
// record in an initial state with a deadline moves by it, with no
// transaction. Nothing here knows a registry.
func TestShippedRegistries(t *testing.T) {
	c := newChain(t, false)
	holders := []apptest.Key{officer, officer2, officer3}
	for _, d := range registries.All() {
		t.Run(d.Name, func(t *testing.T) {
			c.t = t
			defer func() { c.t = t }()
			c.enable(district, string(d.Raw), false)
			def := c.registry(d.Name).Def
			for _, r := range def.Roles {
				for _, k := range holders {
					c.grant(district, d.Name, r.Name, k)
				}
			}
			dir := filepath.Join("..", "..", "..", "deploy", "registries", "examples", d.Name)
			expect := map[string]string{}
			if b, err := os.ReadFile(filepath.Join(dir, "expect.json")); err == nil {
				if err := json.Unmarshal(b, &expect); err != nil {
					t.Fatal(err)
				}
			}
			files, err := filepath.Glob(filepath.Join(dir, "*.json"))
			if err != nil {
				t.Fatal(err)
			}
			var created []uint64
			for _, f := range files {
				name := filepath.Base(f)
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				m := &tx.MsgRegistryCreate{Registry: d.Name, Data: json.RawMessage(data)}
				if def.Privacy != tx.PrivacyPublic {
					m.Digest = &tx.Hash32{0xd0, 0xc5}
				}
				if def.Privacy == tx.PrivacyPointer {
					m.URI = "https://records.example/" + name
				}
				switch {
				case strings.HasPrefix(name, "valid-"):
					res := c.ok(name, officer, m)
					id, _ := apptest.Attr(res.Events, "registry.created", "id")
					var n uint64
					json.Unmarshal([]byte(id), &n)
					created = append(created, n)
				case strings.HasPrefix(name, "invalid-"):
					c.fail(name, officer, m, tx.CodeRegistryInvalidRecord, expect[name])
				}
			}
			if len(created) == 0 {
				t.Fatalf("%s: no valid example", d.Name)
			}
			st := def.State(def.Initial)
			if st.Deadline == nil {
				return
			}
			c.jump(time.Duration(st.Deadline.Seconds()) * time.Second)
			c.block()
			for _, id := range created {
				if rec := c.record(d.Name, id); rec.State != st.Deadline.To {
					t.Fatalf("%s/%d: %s after its deadline, want %s", d.Name, id, rec.State, st.Deadline.To)
				}
			}
		})
	}
	c.h.ExportRoundTrip(t)
}
