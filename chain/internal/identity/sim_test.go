package identity_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/identity"
	"github.com/citychain/citychain/chain/tx"
)

// TestSimulation drives random registrations, device keys added (with
// valid proofs of possession, and with proofs for another chain, identity
// or key, always of "rogue" keys) and removed, card copies added,
// suspensions (by a device key, an office or a stranger; with the right
// reveal, a wrong salt, a wrong index or a copy left out),
// reinstatements and revocations (by offices and by citizens), facilities
// of new kinds, bars and unbars (by the agency and by others), over many
// seeds, on two apps fed the same blocks. After every block it checks:
// the same app hash on both; a suspended or revoked identity has every
// card copy's bit set (so no copy gets in) and every copy it ever
// revealed stays set; an active identity's copies in use are clear; a
// revoked identity never returns; no rogue key is ever recorded; every
// device key's account exists; 1 to 8 keys in use; the stats equal the
// records' counts. Each seed ends with an export round trip.
func TestSimulation(t *testing.T) {
	seeds := 20
	if testing.Short() {
		seeds = 5
	}
	seen := map[string]int{}
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { simulate(t, uint64(seed), 100, seen) })
	}
	if !testing.Short() {
		for _, o := range []string{"ok", "identity.suspended", "identity.reinstated", "identity.revoked", "identity.device_added", "identity.device_removed",
			"identity.barred", "identity.unbarred", "identity/7", "identity/8", "identity/2", "identity/14", "identity/15", "identity/16",
			"identity/17", "identity/18", "identity/23"} {
			if seen[o] == 0 {
				t.Errorf("no seed reached outcome %q (%v)", o, seen)
			}
		}
	}
	t.Logf("outcomes: %v", seen)
}

// simCitizen is one citizen of the simulation: its first key and the keys
// its wallet may add.
type simCitizen struct {
	first apptest.Key
	spare []apptest.Key
	next  int
}

func simulate(t *testing.T, seed uint64, blocks int, seen map[string]int) {
	rng := rand.New(rand.NewPCG(seed, 0x6964656e))
	h1 := apptest.New(t, apptest.Options{Accounts: accounts()})
	h2 := apptest.New(t, apptest.Options{Accounts: accounts()})
	setup := [][]byte{h1.Sign(office, &tx.MsgCredentialCreateList{Name: cardName, Purpose: tx.StatusSuspension, Size: cardSize})}

	citizens := make([]*simCitizen, 6)
	var rogues []apptest.Key
	rogue := map[string]bool{}
	for i := range citizens {
		c := &simCitizen{first: apptest.NewKey(fmt.Sprintf("sim-%d-%d", seed, i))}
		for j := range 10 {
			c.spare = append(c.spare, apptest.NewKey(fmt.Sprintf("sim-%d-%d-device-%d", seed, i, j)))
		}
		citizens[i] = c
		r := apptest.NewKey(fmt.Sprintf("sim-%d-rogue-%d", seed, i))
		rogues, rogue[string(r.Pub)] = append(rogues, r), true
	}
	// Card copies: distinct indices across the whole list; every
	// commitment the offices ever made, with its copy.
	used := map[uint32]bool{}
	copies := map[tx.Hash32]copyOf{}
	everRevealed := map[tx.Hash32]bool{}
	mint := func(n int) []tx.Hash32 {
		var hs []tx.Hash32
		for range n {
			var c copyOf
			for c.idx = rng.Uint32N(cardSize); used[c.idx]; c.idx = rng.Uint32N(cardSize) {
			}
			used[c.idx] = true
			for i := range c.salt {
				c.salt[i] = byte(rng.Uint32())
			}
			hc := tx.CardCommitment(cardList, c.idx, c.salt)
			copies[hc] = c
			hs = append(hs, hc)
		}
		return hs
	}
	offices := []apptest.Key{office, office2}
	registrars := []apptest.Key{facReg, facReg2}
	kinds := []string{"library", "pool", "youth_centre", "senior_centre", "museum"}
	var facilities []string
	var barred []tx.MsgIdentityBar
	prevStatus := map[tx.Address]string{}

	for b := 0; b < blocks; b++ {
		txs := setup
		setup = nil
		// State as of the last commit: who is registered, and the records.
		records := map[tx.Address]*identity.Identity{}
		for _, c := range citizens {
			if res := h1.Query("/identity/identity", []byte(c.first.Addr.String()), 0, false); res.Code == 0 {
				records[c.first.Addr] = decode[identity.Identity](t, res.Value)
			}
		}
		// A key may sign only once its account exists.
		signers := func(v *identity.Identity) []apptest.Key {
			ks := []apptest.Key{offices[rng.IntN(2)], apptest.Bob}
			for _, c := range citizens {
				if c.first.Addr != v.ID {
					continue
				}
				for _, k := range append([]apptest.Key{c.first}, c.spare[:c.next]...) {
					if v.KeyInUse(k.Addr) >= 0 || rng.IntN(4) == 0 && slicesHasKey(v, k) {
						ks = append(ks, k, k)
					}
				}
			}
			return ks
		}
		openReveal := func(v *identity.Identity) []tx.CardReveal {
			var cs []copyOf
			for _, hc := range v.Commitments[v.Revealed:] {
				cs = append(cs, copies[hc])
			}
			r := reveal(cs)
			switch n := rng.IntN(10); {
			case n == 0 && len(r) > 0:
				r[rng.IntN(len(r))].Salt[0] ^= 0x40
			case n == 1 && len(r) > 0:
				r[rng.IntN(len(r))].Idx ^= 1
			case n == 2 && len(r) > 0:
				r = r[1:]
			}
			return r
		}
		for n := rng.IntN(5); n > 0 && b > 0; n-- {
			c := citizens[rng.IntN(len(citizens))]
			v := records[c.first.Addr]
			r := rng.IntN(100)
			switch {
			case r < 15 && v == nil: // registration, rarely by a non-office
				signer := offices[rng.IntN(2)]
				if rng.IntN(10) == 0 {
					signer = apptest.Alice
				}
				txs = append(txs, h1.Sign(signer, &tx.MsgIdentityRegister{DeviceKey: c.first.Pub, CardList: cardList, Commitments: mint(rng.IntN(4))}))
			case v == nil && r < 79:
				continue
			case r < 30: // a device key: a spare with a valid proof, or a rogue with a bad one
				ks := signers(v)
				signer := ks[rng.IntN(len(ks))]
				if rng.IntN(4) == 0 {
					k := rogues[rng.IntN(len(rogues))]
					bad := []tx.HexBytes{
						pop(k, "citychain-other", v.ID),
						pop(k, apptest.ChainID, citizens[rng.IntN(len(citizens))].spare[0].Addr),
						ed25519.Sign(c.first.Priv, tx.AddDevicePoPMessage(apptest.ChainID, v.ID.String(), k.Pub)),
					}[rng.IntN(3)]
					txs = append(txs, h1.Sign(signer, &tx.MsgIdentityAddDevice{ID: v.ID, Key: k.Pub, PoP: bad}))
					continue
				}
				if c.next == len(c.spare) {
					continue
				}
				k := c.spare[c.next]
				c.next++
				txs = append(txs, h1.Sign(signer, &tx.MsgIdentityAddDevice{ID: v.ID, Key: k.Pub, PoP: pop(k, apptest.ChainID, v.ID)}))
			case r < 40:
				ks := signers(v)
				k := v.Keys[rng.IntN(len(v.Keys))]
				txs = append(txs, h1.Sign(ks[rng.IntN(len(ks))], &tx.MsgIdentityRemoveDevice{ID: v.ID, Key: k.Key}))
			case r < 48:
				signer := offices[rng.IntN(2)]
				if rng.IntN(8) == 0 {
					signer = c.first
				}
				txs = append(txs, h1.Sign(signer, &tx.MsgIdentityAddCardCopies{ID: v.ID, Commitments: mint(1 + rng.IntN(3))}))
			case r < 65:
				ks := signers(v)
				txs = append(txs, h1.Sign(ks[rng.IntN(len(ks))], &tx.MsgIdentitySuspend{ID: v.ID, Reason: "lost", Reveal: openReveal(v)}))
			case r < 75:
				ks := signers(v)
				txs = append(txs, h1.Sign(ks[rng.IntN(len(ks))], &tx.MsgIdentityReinstate{ID: v.ID, Commitments: mint(rng.IntN(3))}))
			case r < 79:
				ks := signers(v)
				txs = append(txs, h1.Sign(ks[rng.IntN(len(ks))], &tx.MsgIdentityRevoke{ID: v.ID, Reason: "deceased", Reveal: openReveal(v)}))
			case r < 85: // a facility of any kind
				id := fmt.Sprintf("facility-%d", len(facilities)+rng.IntN(2))
				reg := registrars[rng.IntN(2)]
				txs = append(txs, h1.Sign(reg, &tx.MsgIdentityRegisterFacility{ID: id, Name: id, Kind: kinds[rng.IntN(len(kinds))], Claims: []string{}}))
				facilities = append(facilities, id)
			case r < 95 && len(facilities) > 0: // a bar or an unbar, by either registrar
				f := facilities[rng.IntN(len(facilities))]
				reg := registrars[rng.IntN(2)]
				if rng.IntN(3) > 0 || len(barred) == 0 {
					m := tx.MsgIdentityBar{Facility: f, Pseudonym: tx.Pseudonym(f, c.spare[rng.IntN(3)].Pub), Reason: "r"}
					barred = append(barred, m)
					txs = append(txs, h1.Sign(reg, &m))
				} else {
					m := barred[rng.IntN(len(barred))]
					txs = append(txs, h1.Sign(reg, &tx.MsgIdentityUnbar{Facility: m.Facility, Pseudonym: m.Pseudonym}))
				}
			}
		}
		r1 := h1.Deliver(txs)
		r2 := h2.Deliver(txs)
		if !bytes.Equal(r1.AppHash, r2.AppHash) {
			t.Fatalf("block %d: app hashes differ", h1.Height)
		}
		for i, res := range r1.TxResults {
			if res.Codespace == tx.CodespaceTx || res.Codespace == tx.CodespaceAuth {
				t.Fatalf("block %d tx %d: %s/%d %s (the simulation only sends well-formed messages signed by existing accounts)", h1.Height, i, res.Codespace, res.Code, res.Log)
			}
			if res.Code == 0 {
				seen["ok"]++
			} else {
				seen[fmt.Sprintf("%s/%d", res.Codespace, res.Code)]++
			}
			for _, e := range res.Events {
				seen[e.Type]++
			}
		}
		checkInvariants(t, h1, citizens, copies, everRevealed, rogue, prevStatus)
	}
	h1.ExportRoundTrip(t)
}

func slicesHasKey(v *identity.Identity, k apptest.Key) bool {
	for _, dk := range v.Keys {
		if bytes.Equal(dk.Key, k.Pub) {
			return true
		}
	}
	return false
}

func checkInvariants(t *testing.T, h *apptest.Harness, citizens []*simCitizen, copies map[tx.Hash32]copyOf, everRevealed map[tx.Hash32]bool,
	rogue map[string]bool, prevStatus map[tx.Address]string) {
	t.Helper()
	var want identity.Stats
	for _, c := range citizens {
		res := h.Query("/identity/identity", []byte(c.first.Addr.String()), 0, false)
		if res.Code != 0 {
			continue
		}
		v := decode[identity.Identity](t, res.Value)
		want.Identities++
		switch v.Status {
		case tx.IdentityActive:
			want.Active++
		case tx.IdentitySuspended:
			want.Suspended++
		case tx.IdentityRevoked:
			want.Revoked++
		}
		if prevStatus[v.ID] == tx.IdentityRevoked && v.Status != tx.IdentityRevoked {
			t.Fatalf("height %d: revoked identity %s is %s again", h.Height, v.ID, v.Status)
		}
		prevStatus[v.ID] = v.Status
		for i, hc := range v.Commitments {
			cp, ok := copies[hc]
			if !ok {
				t.Fatalf("height %d: identity %s holds commitment %s no office made", h.Height, v.ID, hc)
			}
			set := bit(t, h, cp.idx, 0)
			revealed := uint32(i) < v.Revealed
			switch {
			case v.Status != tx.IdentityActive && !set:
				t.Fatalf("height %d: %s identity %s has copy %d (idx %d) clear: it would still get in", h.Height, v.Status, v.ID, i, cp.idx)
			case v.Status == tx.IdentityActive && (set || revealed):
				t.Fatalf("height %d: active identity %s has copy %d (idx %d) set %t, revealed %t", h.Height, v.ID, i, cp.idx, set, revealed)
			}
			if revealed {
				everRevealed[hc] = true
			}
		}
		n := v.ActiveKeys()
		if n < 1 || n > tx.MaxDeviceKeys {
			t.Fatalf("height %d: identity %s has %d keys in use", h.Height, v.ID, n)
		}
		for _, dk := range v.Keys {
			if rogue[string(dk.Key)] {
				t.Fatalf("height %d: identity %s recorded key %s, only ever offered with a bad proof of possession", h.Height, v.ID, dk.Key)
			}
			if _, ok := h.Account(dk.Key.Address()); !ok {
				t.Fatalf("height %d: device key %s of identity %s has no account", h.Height, dk.Key, v.ID)
			}
		}
	}
	for hc := range everRevealed {
		if !bit(t, h, copies[hc].idx, 0) {
			t.Fatalf("height %d: revealed copy idx %d was cleared", h.Height, copies[hc].idx)
		}
	}
	s := stats(t, h)
	var kinds uint64
	for _, k := range s.ByKind {
		kinds += k.Count
	}
	if s.Identities != want.Identities || s.Active != want.Active || s.Suspended != want.Suspended || s.Revoked != want.Revoked || kinds != s.Facilities {
		t.Fatalf("height %d: stats %+v, the records count %+v (facilities by kind %d)", h.Height, s, want, kinds)
	}
}

func decode[T any](t testing.TB, b []byte) *T {
	t.Helper()
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
	return v
}
