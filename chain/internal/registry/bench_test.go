package registry_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/auth"
	"github.com/citychain/citychain/chain/internal/credentials"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/registry"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Store prefixes of the modules as the app wires them.
const (
	prefixAuth        byte = 0x01
	prefixCredentials byte = 0x0b
	prefixRegistry    byte = 0x11
)

// benchState is a committed state with pet_registration enabled, the vet
// granted its role and 1,000 records, and 4,096 signed create
// transactions of distinct pets (9 properties, two indexed) by the vet.
type benchState struct {
	tree *store.Tree
	k    *registry.Keeper
	txs  [][]byte
}

func newBenchState(b *testing.B) *benchState {
	b.Helper()
	tree := store.NewMemTree()
	a := auth.NewKeeper(prefixAuth)
	k := registry.NewKeeper(prefixRegistry, a, credentials.NewKeeper(prefixCredentials, a))
	ctx := module.NewContext(tree, apptest.ChainID, 1, apptest.GenesisTime)
	g := auth.Genesis{Authorities: []tx.Address{apptest.Authority.Addr}, Accounts: []auth.GenesisAccount{
		{Address: apptest.Authority.Addr}, {Address: district.Addr, Roles: []string{tx.RoleRegistryAgency}}, {Address: vet.Addr}}}
	if err := a.InitGenesis(ctx, apptest.MustJSON(b, g)); err != nil {
		b.Fatal(err)
	}
	must := func(signer tx.Address, m tx.Msg) {
		if err := k.Handle(ctx, signer, m); err != nil {
			b.Fatalf("%s: %v", m.Type(), err)
		}
	}
	must(district.Addr, &tx.MsgRegistryPropose{Def: edit(b, petDef, func(d map[string]any) {
		d["limits"].(map[string]any)["max_records"] = json.Number("1000000")
	})})
	id, _ := apptest.Attr(ctx.Events(), "registry.proposed", "id")
	def, err := tx.ParseHash32(id)
	if err != nil {
		b.Fatal(err)
	}
	must(apptest.Authority.Addr, &tx.MsgRegistryEnable{Name: "pet_registration", Def: def})
	must(district.Addr, &tx.MsgRegistryGrant{Registry: "pet_registration", Role: "vet", Grantee: vet.Addr})
	for i := range 1000 {
		must(vet.Addr, benchCreate(i))
	}
	if _, _, err := tree.Commit(); err != nil {
		b.Fatal(err)
	}
	s := &benchState{tree: tree, k: k}
	for i := range 4096 {
		s.txs = append(s.txs, apptest.SignSeq(b, vet, apptest.ChainID, uint64(i), benchCreate(1000+i)))
	}
	return s
}

// benchCreate is the create message of pet i: 9 properties, about 330
// bytes canonical.
func benchCreate(i int) *tx.MsgRegistryCreate {
	owner := apptest.NewKey(fmt.Sprintf("owner-%d", i%97)).Addr.String()
	return &tx.MsgRegistryCreate{Registry: "pet_registration", Data: json.RawMessage(fmt.Sprintf(
		`{"microchip_id":"410%012d","species":"dog","name":"Bori %d","breed":"Jindo","birth_date":"2021-04-05","owner":"%s",`+
			`"district":"mapo","weight_kg":%d,"tags":["friendly","chipped"]}`, i, i, owner, i%60))}
}

// decodeVerified decodes a signed transaction and checks its signature,
// as the app does before any module sees it.
func decodeVerified(b *testing.B, raw []byte) *tx.Tx {
	t, err := tx.Decode(raw)
	if err != nil {
		b.Fatal(err)
	}
	if err := t.Verify(); err != nil {
		b.Fatal(err)
	}
	return t
}

// BenchmarkCreateRecord measures records created per second through a
// registry definition: decode a signed registry/create, verify its
// signature, and Handle it (the role check through the grant, the data
// canonicalised and validated against the registry's schema, the record,
// the count, the state count and state index, two field indexes, the
// history step), each over a transaction's cache on the committed state
// of 1,000 records.
func BenchmarkCreateRecord(b *testing.B) {
	s := newBenchState(b)
	i := 0
	for b.Loop() {
		t := decodeVerified(b, s.txs[i%len(s.txs)])
		i++
		ctx := module.NewContext(store.NewCache(s.tree), apptest.ChainID, 2, apptest.GenesisTime)
		if err := s.k.Handle(ctx, t.Signer(), t.Msgs[0]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkHandCoded is the baseline: the same signed transactions and
// record bytes written by a hand-coded module path: decode, verify the
// signature, one store.PutJSON of the record, nothing checked.
func BenchmarkHandCoded(b *testing.B) {
	s := newBenchState(b)
	type record struct {
		ID      uint64          `json:"id"`
		Creator tx.Address      `json:"creator"`
		Data    json.RawMessage `json:"data"`
	}
	i := 0
	for b.Loop() {
		t := decodeVerified(b, s.txs[i%len(s.txs)])
		i++
		kv := store.NewPrefixed(store.NewCache(s.tree), []byte{0x7f})
		m := t.Msgs[0].(*tx.MsgRegistryCreate)
		store.PutJSON(kv, []byte(fmt.Sprint(1001)), record{ID: 1001, Creator: t.Signer(), Data: m.Data})
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
