package app_test

import (
	"bytes"
	"fmt"
	"math/bits"
	"slices"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/tx"
)

func newSimHarness(t testing.TB, dir string) *apptest.Harness {
	return apptest.New(t, apptest.Options{Dir: dir, Accounts: simAccounts(), Devices: simGenesisDevices()})
}

// anteConsumed reports, from a result alone, whether the transaction's
// signature, chain id and sequence were good, so its sequence was consumed:
// every failure outside the envelope ("tx") and the account checks of
// "auth" happens after the sequence is taken.
func anteConsumed(r *abci.ExecTxResult) bool {
	if r.Codespace == tx.CodespaceTx {
		return false
	}
	for _, c := range []tx.Code{tx.CodeAuthUnknownAccount, tx.CodeAuthWrongSequence, tx.CodeAuthPubKeyMismatch, tx.CodeAuthSequenceOverflow} {
		if c.Matches(r.Codespace, r.Code) {
			return false
		}
	}
	return true
}

// TestSimulation runs seeded random blocks of valid and invalid
// transactions through CheckTx and the proposal path, compares every result
// with the reference model and checks the invariants after every block.
func TestSimulation(t *testing.T) {
	seeds, blocks := 50, 30
	if testing.Short() {
		seeds, blocks = 8, 15
	}
	stats := map[string]int{}
	for seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			runSim(t, uint64(seed), blocks, stats)
		})
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range stats {
			if !yield(k) {
				return
			}
		}
	})
	var line string
	for _, k := range keys {
		line += fmt.Sprintf(" %s=%d", k, stats[k])
	}
	t.Logf("outcomes:%s", line)
	// The generator must reach every outcome it is meant to exercise (over
	// the full run; a short run is too small to promise each one).
	if testing.Short() {
		return
	}
	// auth/2 (unknown account) cannot reach a block: the proposal drops
	// the transactions of signers without a committed account.
	want := []string{"ok", "dropped", "dropped/unregistered"}
	for _, c := range []tx.Code{tx.CodeTxWrongChainID,
		tx.CodeAuthWrongSequence, tx.CodeAuthNotAuthority, tx.CodeAuthRoleHeld, tx.CodeAuthRoleNotHeld,
		tx.CodeBankInsufficientFunds, tx.CodeBankUnknownDenom, tx.CodeBankNotIssuer, tx.CodeBankOverflow, tx.CodeBankSelfSend,
		tx.CodeDeviceExists, tx.CodeDeviceUnknown, tx.CodeDeviceNotInstaller, tx.CodeDeviceNotOwner,
		tx.CodeDeviceRevoked, tx.CodeDeviceSameKey, tx.CodeDeviceSameOwner} {
		want = append(want, fail(c).String())
	}
	for _, k := range want {
		if stats[k] == 0 {
			t.Errorf("no transaction ended in %s over %d seeds", k, seeds)
		}
	}
}

func runSim(t *testing.T, seed uint64, blocks int, stats map[string]int) {
	h := newSimHarness(t, "")
	g := newGenerator(t, seed)
	prev := snapshotChain(t, h, g)
	for range blocks {
		txs := g.block(10)
		for i, st := range txs {
			res := h.CheckTx(st.raw)
			if st.want.dropped && !st.want.unregistered && res.Code == 0 {
				t.Fatalf("height %d tx %d: CheckTx admitted a transaction that does not decode or verify", h.Height+1, i)
			}
			if res.Code == 0 && !ed25519Verifies(st.raw) {
				t.Fatalf("height %d tx %d: CheckTx admitted a bad signature", h.Height+1, i)
			}
		}
		b := h.ProposeBlock(raws(txs))
		var want []simTx
		for _, st := range txs {
			if st.want.dropped {
				stats["dropped"]++
				if st.want.unregistered {
					stats["dropped/unregistered"]++
				}
				continue
			}
			want = append(want, st)
		}
		if len(b.Txs) != len(want) {
			t.Fatalf("height %d: block has %d txs, want %d", b.Height, len(b.Txs), len(want))
		}
		for i, st := range want {
			if !bytes.Equal(b.Txs[i], st.raw) {
				t.Fatalf("height %d tx %d: proposal order changed", b.Height, i)
			}
			r := b.TxResult(i)
			got := fmt.Sprintf("%s/%d", r.Codespace, r.Code)
			if r.Code == 0 {
				got = "ok"
			}
			wantS := st.want.String()
			if st.want.code == 0 {
				wantS = "ok"
			}
			if got != wantS {
				t.Fatalf("height %d tx %d (%s): got %s %q, model says %s", b.Height, i, msgTypes(st.msgs), got, r.Log, wantS)
			}
			stats[got]++
			if r.Code == 0 {
				n := 0
				for _, e := range r.Events {
					if e.Type == "message" {
						n++
					}
				}
				if n != len(st.msgs) {
					t.Fatalf("height %d tx %d: %d message events for %d messages", b.Height, i, n, len(st.msgs))
				}
			} else if len(r.Events) != 0 {
				t.Fatalf("height %d tx %d: failed tx emitted events", b.Height, i)
			}
		}
		cur := snapshotChain(t, h, g)
		checkInvariants(t, b, want, prev, cur)
		prev = cur
	}
}

func msgTypes(msgs []tx.Msg) string {
	var s []string
	for _, m := range msgs {
		s = append(s, m.Type())
	}
	return fmt.Sprint(s)
}

// chainState is what the invariants look at, read from the app by queries.
type chainState struct {
	height   int64
	balances map[balKey]uint64
	supply   map[string]uint64
	seq      map[tx.Address]uint64
	roles    map[roleKey]bool
	devices  map[string]devices.Device
	byOwner  map[string][]tx.Address // device id -> owners listing it
}

// snapshotChain reads the committed state and checks it equals the model.
func snapshotChain(t *testing.T, h *apptest.Harness, g *generator) *chainState {
	t.Helper()
	if h.Height == 0 {
		h.Block() // genesis state is queryable from height 1
	}
	s := &chainState{height: h.Height, balances: map[balKey]uint64{}, supply: map[string]uint64{}, seq: map[tx.Address]uint64{},
		roles: map[roleKey]bool{}, devices: map[string]devices.Device{}, byOwner: map[string][]tx.Address{}}
	for _, d := range simDenoms {
		s.supply[d] = h.Supply(d)
	}
	sums := map[string]uint64{}
	for _, a := range g.addrs {
		for _, c := range h.Balances(a) {
			if _, ok := s.supply[c.Denom]; !ok {
				t.Fatalf("height %d: %s holds %s of a denomination with no supply", h.Height, a, c)
			}
			if c.Amount == 0 {
				t.Fatalf("height %d: %s has a stored zero balance of %s", h.Height, a, c.Denom)
			}
			if c.Amount > s.supply[c.Denom] {
				t.Fatalf("height %d: %s holds %s, more than the supply %d", h.Height, a, c, s.supply[c.Denom])
			}
			sum, carry := bits.Add64(sums[c.Denom], c.Amount, 0)
			if carry != 0 {
				t.Fatalf("height %d: balances of %s overflow 64 bits", h.Height, c.Denom)
			}
			sums[c.Denom] = sum
			s.balances[balKey{a, c.Denom}] = c.Amount
		}
		if acc, ok := h.Account(a); ok {
			s.seq[a] = acc.Sequence
		}
		for _, r := range h.Roles(a) {
			s.roles[roleKey{a, r}] = true
		}
		for _, d := range h.DevicesByOwner(a) {
			s.byOwner[d.ID] = append(s.byOwner[d.ID], a)
		}
	}
	// Supply conservation: every unit of every denomination is in some
	// account's balance.
	for _, d := range simDenoms {
		if sums[d] != s.supply[d] {
			t.Fatalf("height %d: %s balances sum to %d, supply is %d", h.Height, d, sums[d], s.supply[d])
		}
	}
	for _, id := range simDeviceIDs {
		if d, ok := h.Device(id); ok {
			s.devices[id] = d
		}
	}
	// One owner per device: the owner index lists each device exactly once,
	// under the owner its record names.
	for id, owners := range s.byOwner {
		d, ok := s.devices[id]
		if !ok {
			t.Fatalf("height %d: owner index lists unknown device %q", h.Height, id)
		}
		if len(owners) != 1 || owners[0] != d.Owner {
			t.Fatalf("height %d: device %q owned by %s is listed under %v", h.Height, id, d.Owner, owners)
		}
	}
	for id, d := range s.devices {
		if len(s.byOwner[id]) != 1 {
			t.Fatalf("height %d: device %q is missing from the owner index of %s", h.Height, id, d.Owner)
		}
		if int(d.KeyEpoch) != len(d.Keys) || !bytes.Equal(d.Keys[len(d.Keys)-1].PubKey, d.PubKey) {
			t.Fatalf("height %d: device %q at epoch %d has %d keys", h.Height, id, d.KeyEpoch, len(d.Keys))
		}
		for i, k := range d.Keys {
			if k.Epoch != uint32(i+1) {
				t.Fatalf("height %d: device %q key %d has epoch %d", h.Height, id, i, k.Epoch)
			}
			if i > 0 && (d.Keys[i-1].ToHeight != k.FromHeight || !d.Keys[i-1].ToTime.Equal(k.FromTime)) {
				t.Fatalf("height %d: device %q epoch %d ends at %d (%s), next starts at %d (%s)", h.Height, id, i,
					d.Keys[i-1].ToHeight, d.Keys[i-1].ToTime, k.FromHeight, k.FromTime)
			}
		}
	}
	// The role member index agrees with every account's role list.
	for _, role := range simRoles {
		members := h.Members(role)
		if !slices.IsSortedFunc(members, func(a, b tx.Address) int { return bytes.Compare(a[:], b[:]) }) {
			t.Fatalf("height %d: members of %q not in address order", h.Height, role)
		}
		n := 0
		for k := range s.roles {
			if k.role == role {
				n++
				if !slices.Contains(members, k.addr) {
					t.Fatalf("height %d: %s holds %q but is not listed as a member", h.Height, k.addr, role)
				}
			}
		}
		if len(members) != n {
			t.Fatalf("height %d: %d members of %q, %d holders", h.Height, len(members), role, n)
		}
	}
	compareModel(t, s, g.m)
	return s
}

// compareModel checks the chain equals the reference model.
func compareModel(t *testing.T, s *chainState, m *model) {
	t.Helper()
	for k, v := range m.bal {
		if v != s.balances[k] {
			t.Fatalf("height %d: balance of %s %s: got %d, model %d", s.height, k.addr, k.denom, s.balances[k], v)
		}
	}
	for k, v := range s.balances {
		if m.bal[k] != v {
			t.Fatalf("height %d: balance of %s %s: got %d, model %d", s.height, k.addr, k.denom, v, m.bal[k])
		}
	}
	for _, d := range simDenoms {
		if s.supply[d] != m.supply[d] {
			t.Fatalf("height %d: supply of %s: got %d, model %d", s.height, d, s.supply[d], m.supply[d])
		}
	}
	for a, seq := range m.seq {
		if got, ok := s.seq[a]; !ok || got != seq {
			t.Fatalf("height %d: account %s: got sequence %d (exists %v), model %d", s.height, a, got, ok, seq)
		}
	}
	if len(s.seq) != len(m.seq) {
		t.Fatalf("height %d: %d accounts, model %d", s.height, len(s.seq), len(m.seq))
	}
	for k := range m.roles {
		if !s.roles[k] {
			t.Fatalf("height %d: %s lacks role %q", s.height, k.addr, k.role)
		}
	}
	if len(s.roles) != len(m.roles) {
		t.Fatalf("height %d: %d roles held, model %d", s.height, len(s.roles), len(m.roles))
	}
	for id, md := range m.devs {
		d, ok := s.devices[id]
		if !ok || d.Owner != md.owner || d.Installer != md.installer || (d.Status == devices.StatusRevoked) != md.revoked || len(d.Keys) != len(md.keys) {
			t.Fatalf("height %d: device %q: got %+v, model %+v", s.height, id, d, md)
		}
	}
	if len(s.devices) != len(m.devs) {
		t.Fatalf("height %d: %d devices, model %d", s.height, len(s.devices), len(m.devs))
	}
}

// checkInvariants checks what a block may change, from its results alone.
func checkInvariants(t *testing.T, b *apptest.Block, txs []simTx, prev, cur *chainState) {
	t.Helper()
	// Supply changes exactly by successful mints minus burns.
	// (arithmetic modulo 2^64: the true change always fits)
	delta := map[string]uint64{}
	consumed := map[tx.Address]uint64{}
	for i, st := range txs {
		r := b.TxResult(i)
		if anteConsumed(r) {
			consumed[st.signer]++
		}
		if r.Code != 0 {
			continue
		}
		for _, m := range st.msgs {
			switch x := m.(type) {
			case *tx.MsgMint:
				delta[x.Amount.Denom] += x.Amount.Amount
			case *tx.MsgBurn:
				delta[x.Amount.Denom] -= x.Amount.Amount
			}
		}
	}
	for _, d := range simDenoms {
		if got := cur.supply[d] - prev.supply[d]; got != delta[d] {
			t.Fatalf("height %d: supply of %s moved by %d (mod 2^64), successful mints minus burns are %d", b.Height, d, got, delta[d])
		}
	}
	// Sequences grow by exactly the number of the account's transactions
	// that passed the signature and sequence checks, and never shrink.
	for a, s := range cur.seq {
		p := prev.seq[a]
		if s < p || s-p != consumed[a] {
			t.Fatalf("height %d: sequence of %s went %d -> %d with %d consumed", b.Height, a, p, s, consumed[a])
		}
	}
	for a := range prev.seq {
		if _, ok := cur.seq[a]; !ok {
			t.Fatalf("height %d: account %s disappeared", b.Height, a)
		}
	}
}
