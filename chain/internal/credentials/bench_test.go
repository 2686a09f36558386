package credentials_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/credentials"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// benchRegistry is a committed state of status lists for the benchmarks:
// issued credentials spread over lists of listSize bits, 5 % of them
// revoked at random indices (set through set_status, 1,000 per message).
type benchRegistry struct {
	tree  *store.Tree
	k     *credentials.Keeper
	lists []string
	size  uint32
	snap  *store.Snapshot
}

// benchSizes: 10 k issued credentials in one list of the minimum size;
// 10 M in five lists of 2^21 bits (10,485,760 entries).
var benchSizes = []struct {
	name     string
	issued   int
	lists    int
	listSize uint32
}{
	{"size=10k", 10_000, 1, tx.MinStatusListSize},
	{"size=10M", 10_000_000, 5, 1 << 21},
}

func newBenchRegistry(b *testing.B, issued, lists int, size uint32) *benchRegistry {
	b.Helper()
	tree := store.NewMemTree()
	k, a, ctx := keeperOver(tree)
	if err := a.Grant(ctx, issuerA.Addr, tx.RoleRegistrationOffice); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(issued), 17))
	r := &benchRegistry{tree: tree, k: k, size: size}
	revoked := issued / 20
	perList := revoked / lists
	for i := range lists {
		name := fmt.Sprintf("rev-%d", i)
		if err := k.Handle(ctx, issuerA.Addr, &tx.MsgCredentialCreateList{Name: name, Purpose: tx.StatusRevocation, Size: size}); err != nil {
			b.Fatal(err)
		}
		id := listID(issuerA, name)
		r.lists = append(r.lists, id)
		// Issuers choose indices at random: the revoked ones are random
		// indices of the list.
		seen := map[uint32]bool{}
		var batch []uint32
		for n := 0; n < perList; {
			idx := rng.Uint32N(size)
			if seen[idx] {
				continue
			}
			seen[idx] = true
			batch = append(batch, idx)
			n++
			if len(batch) == tx.MaxStatusIndices || n == perList {
				if err := k.Handle(ctx, issuerA.Addr, &tx.MsgCredentialSetStatus{List: id, Indices: batch, Value: true}); err != nil {
					b.Fatal(err)
				}
				batch = nil
			}
		}
	}
	if _, _, err := tree.Commit(); err != nil {
		b.Fatal(err)
	}
	snap, err := tree.Snapshot(tree.Version())
	if err != nil {
		b.Fatal(err)
	}
	r.snap = snap
	return r
}

// BenchmarkStatusCheck measures reading one credential's status bit
// through the module's status query on committed state (a JSON request,
// one list record and one chunk read, the JSON answer), at 10 k and at
// 10 M issued credentials (5 % revoked at random indices): make bench
// prints the ratio, which stays near 1 because a check reads one chunk
// whatever the number issued.
func BenchmarkStatusCheck(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			r := newBenchRegistry(b, s.issued, s.lists, s.listSize)
			rng := rand.New(rand.NewPCG(1, 2))
			reqs := make([][]byte, 4096)
			for i := range reqs {
				reqs[i], _ = json.Marshal(tx.StatusRequest{List: r.lists[rng.IntN(len(r.lists))], Idx: rng.Uint32N(r.size)})
			}
			q := &module.Query{Path: "status", Height: r.snap.Version(),
				Store: func(p byte) store.KV { return store.NewPrefixed(r.snap, []byte{p}) }}
			i := 0
			for b.Loop() {
				q.Data = reqs[i%len(reqs)]
				i++
				if _, err := r.k.Query(q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(s.issued), "issued")
		})
	}
}

// BenchmarkRevoke measures a set_status message revoking one credential
// (the handler over a transaction's cache on committed state: one list
// record, one chunk and the counters read and written) at 10 k and 10 M
// issued credentials: O(1), the ratio stays near 1.
func BenchmarkRevoke(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			r := newBenchRegistry(b, s.issued, s.lists, s.listSize)
			rng := rand.New(rand.NewPCG(3, 4))
			msgs := make([]*tx.MsgCredentialSetStatus, 4096)
			for i := range msgs {
				msgs[i] = &tx.MsgCredentialSetStatus{List: r.lists[rng.IntN(len(r.lists))], Indices: []uint32{rng.Uint32N(r.size)}, Value: true}
			}
			k, _, _ := keeperOver(r.tree)
			i := 0
			for b.Loop() {
				cache := store.NewCache(r.tree)
				ctx := module.NewContext(cache, "bench", r.tree.Version()+1, apptest.GenesisTime)
				if err := k.Handle(ctx, issuerA.Addr, msgs[i%len(msgs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(s.issued), "issued")
		})
	}
}
