package credentials_test

import (
	"bytes"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/credentials"
	"github.com/citychain/citychain/chain/tx"
)

// TestSimulation drives random accreditation windows (some overlapping,
// some in the past or the future, some open-ended) and withdrawals,
// anchors by accredited and unaccredited issuers, lists created by
// issuers and the registration office, and status changes (set, clear,
// clearing revoked bits, out-of-range indices), over many seeds, on two
// apps fed the same blocks. After every block it checks: the same app hash
// on both; each anchor accepted exactly when a window of its issuer and
// schema contained the block time, and refused otherwise; a revoked bit
// never clear again; each list's set count equal to the set bits of its
// chunks and the module's count to their sum; the anchors numbered
// without gaps. The last state exports and imports to the same state.
func TestSimulation(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 4
	}
	seen := map[string]int{}
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { simulate(t, uint64(seed), 60, seen) })
	}
	if testing.Short() {
		t.Logf("outcomes: %v", seen)
		return
	}
	for _, o := range []string{"ok", "anchored", "anchor refused", "credentials/6", "credentials/7", "credentials/9",
		"credentials/14", "credentials/15", "credentials/17", "credentials/18", "credentials/19"} {
		if seen[o] == 0 {
			t.Errorf("no seed reached outcome %q (%v)", o, seen)
		}
	}
	t.Logf("outcomes: %v", seen)
}

// simList is the model of one list: the bits the simulation set and that
// must still be set (revocation) or the bits it believes set (suspension).
type simList struct {
	id      string
	owner   apptest.Key
	purpose string
	bits    map[uint32]bool // lookups only
}

func simulate(t *testing.T, seed uint64, blocks int, seen map[string]int) {
	rng := rand.New(rand.NewPCG(seed, 0x63726564))
	raw := appState(t, &credentials.Genesis{Params: &credentials.Params{MaxWindows: 6}})
	h1 := apptest.New(t, apptest.Options{AppState: raw})
	h2 := apptest.New(t, apptest.Options{AppState: raw})
	issuers := []apptest.Key{issuerA, issuerB}
	schemas := []string{"seoul_resident", "low_income"}
	setup := [][]byte{h1.Sign(accreditor, seoulResident), h1.Sign(accreditor, lowIncome)}
	lists := []*simList{
		{id: listID(issuerA, "rev"), owner: issuerA, purpose: tx.StatusRevocation, bits: map[uint32]bool{}},
		{id: listID(issuerB, "susp"), owner: issuerB, purpose: tx.StatusSuspension, bits: map[uint32]bool{}},
		{id: listID(office, "card"), owner: office, purpose: tx.StatusSuspension, bits: map[uint32]bool{}},
	}
	var anchors uint64
	// index picks a list index: mostly from a small pool (so bits are
	// set twice and cleared), sometimes past the size.
	index := func() uint32 {
		switch r := rng.IntN(20); {
		case r == 0:
			return tx.MinStatusListSize + rng.Uint32N(100)
		case r < 10:
			return rng.Uint32N(40)
		default:
			return rng.Uint32N(tx.MinStatusListSize)
		}
	}
	for b := 0; b < blocks; b++ {
		now := h1.BlockTime(h1.Height + 1)
		// Anchors come first in the block: the accreditations they are
		// judged by are the state before it.
		type anchorTx struct {
			issuer apptest.Key
			schema string
			want   bool
		}
		var txs [][]byte
		var anchorTxs []anchorTx
		if b > 0 {
			for n := rng.IntN(3); n > 0; n-- {
				a := anchorTx{issuer: issuers[rng.IntN(2)], schema: schemas[rng.IntN(2)]}
				if res := h1.Query("/credentials/accreditation", apptest.MustJSON(t, tx.AccreditationRequest{Issuer: a.issuer.Addr, Schema: a.schema}), 0, false); res.Code == 0 {
					a.want = accreditationOf(t, h1, a.issuer.Addr, a.schema).ActiveAt(now) != nil
				}
				anchorTxs = append(anchorTxs, a)
				txs = append(txs, h1.Sign(a.issuer, &tx.MsgCredentialAnchor{Schema: a.schema, Root: root(fmt.Sprint(b, n), 3), Count: 1 + rng.Uint32N(100)}))
			}
		}
		txs = append(txs, setup...)
		setup = nil
		for n := rng.IntN(5); n > 0 && b > 0; n-- {
			switch r := rng.IntN(100); {
			case r < 25: // a window around now: open-ended, short, past or future
				from := now.Add(time.Duration(rng.IntN(16)-6) * apptest.BlockInterval)
				m := &tx.MsgCredentialAccredit{Issuer: issuers[rng.IntN(2)].Addr, Schema: schemas[rng.IntN(2)], From: from}
				if rng.IntN(3) > 0 {
					m.Until = from.Add(time.Duration(1+rng.IntN(8)) * apptest.BlockInterval)
				}
				txs = append(txs, h1.Sign(accreditor, m))
			case r < 33:
				txs = append(txs, h1.Sign(accreditor, &tx.MsgCredentialWithdraw{Issuer: issuers[rng.IntN(2)].Addr, Schema: schemas[rng.IntN(2)]}))
			case r < 40: // a list, by its owner (who may not be accredited yet) or again
				l := lists[rng.IntN(len(lists))]
				_, name, _ := tx.ParseStatusListID(l.id)
				txs = append(txs, h1.Sign(l.owner, &tx.MsgCredentialCreateList{Name: name, Purpose: l.purpose, Size: tx.MinStatusListSize}))
			default: // status changes, by the owner or, rarely, another account
				l := lists[rng.IntN(len(lists))]
				signer := l.owner
				if rng.IntN(15) == 0 {
					signer = issuers[rng.IntN(2)]
				}
				idx := map[uint32]bool{}
				var indices []uint32
				for k := 1 + rng.IntN(6); k > 0; k-- {
					if i := index(); !idx[i] {
						idx[i] = true
						indices = append(indices, i)
					}
				}
				value := l.purpose == tx.StatusRevocation && rng.IntN(8) > 0 || l.purpose == tx.StatusSuspension && rng.IntN(2) == 0
				txs = append(txs, h1.Sign(signer, &tx.MsgCredentialSetStatus{List: l.id, Indices: indices, Value: value}))
			}
		}
		r1 := h1.Deliver(txs)
		r2 := h2.Deliver(txs)
		if !bytes.Equal(r1.AppHash, r2.AppHash) {
			t.Fatalf("block %d: app hashes differ", h1.Height)
		}
		for i, res := range r1.TxResults {
			if res.Codespace == tx.CodespaceTx || res.Codespace == tx.CodespaceAuth {
				t.Fatalf("block %d tx %d: %s/%d %s (the simulation only sends well-formed, signed messages)", h1.Height, i, res.Codespace, res.Code, res.Log)
			}
			if i < len(anchorTxs) {
				a := anchorTxs[i]
				if (res.Code == 0) != a.want {
					t.Fatalf("block %d (%s): anchor by %s for %s: %s/%d %q, but a window containing the block time: %t",
						h1.Height, now, a.issuer.Name, a.schema, res.Codespace, res.Code, res.Log, a.want)
				}
				if res.Code == 0 {
					anchors++
					seen["anchored"]++
					an := anchorOf(t, h1, anchors)
					if an.Issuer != a.issuer.Addr || an.Schema != a.schema || an.Height != h1.Height || !an.Time.Equal(now) {
						t.Fatalf("block %d: anchor %d: %+v", h1.Height, anchors, an)
					}
				} else {
					seen["anchor refused"]++
				}
			}
			if res.Code == 0 {
				seen["ok"]++
			} else {
				seen[fmt.Sprintf("%s/%d", res.Codespace, res.Code)]++
			}
			applyStatus(t, lists, txs[i], res)
		}
		checkInvariants(t, h1, lists, anchors)
	}
	h1.ExportRoundTrip(t)
}

// applyStatus updates the model from an accepted set_status.
func applyStatus(t *testing.T, lists []*simList, raw []byte, res *abci.ExecTxResult) {
	if res.Code != 0 {
		return
	}
	dec, err := tx.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range dec.Msgs {
		s, ok := m.(*tx.MsgCredentialSetStatus)
		if !ok {
			continue
		}
		for _, l := range lists {
			if l.id == s.List {
				for _, i := range s.Indices {
					if s.Value {
						l.bits[i] = true
					} else {
						delete(l.bits, i)
					}
				}
			}
		}
	}
}

func checkInvariants(t *testing.T, h *apptest.Harness, lists []*simList, anchors uint64) {
	t.Helper()
	var total uint64
	for _, l := range lists {
		res := h.Query("/credentials/list", []byte(l.id), 0, false)
		if res.Code != 0 {
			if len(l.bits) > 0 {
				t.Fatalf("height %d: list %s with set bits is gone", h.Height, l.id)
			}
			continue
		}
		got := listOf(t, h, l.id)
		// Every bit the model holds is set (a revoked one is never
		// cleared: no accepted message clears a revocation bit), and the
		// chunks hold exactly as many set bits as the record counts.
		for i := range l.bits {
			if !statusOf(t, h, l.id, i) {
				t.Fatalf("height %d: bit %d of %s (%s) is clear", h.Height, i, l.id, l.purpose)
			}
		}
		var n uint64
		for c := range got.ChunkCount() {
			res := h.Query("/credentials/status_chunk", apptest.MustJSON(t, tx.StatusChunkRequest{List: l.id, Chunk: c}), 0, false)
			for _, x := range res.Value {
				n += uint64(bits.OnesCount8(x))
			}
		}
		if n != got.Set || n != uint64(len(l.bits)) {
			t.Fatalf("height %d: %s: the chunks hold %d set bits, the record counts %d, the model %d", h.Height, l.id, n, got.Set, len(l.bits))
		}
		total += n
	}
	st := stats(t, h)
	if st.StatusSet != total || st.Anchors != anchors {
		t.Fatalf("height %d: stats %+v, want status_set %d and anchors %d", h.Height, st, total, anchors)
	}
}
