package certificates_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/certificates"
	"github.com/citychain/citychain/chain/tx"
)

// simKey is one issuing key in the simulation's model.
type simKey struct {
	pub         tx.PubKey
	agency      tx.Address
	from        int64
	retired     int64
	compromised int64
}

// simAnchor is one anchor in the model, with its leaves.
type simAnchor struct {
	id     uint64
	kind   string
	agency tx.Address
	key    *simKey
	height int64
	at     time.Time
	b      batch
}

// simModel is what the chain should hold: the simulation predicts every
// transaction's outcome from it and checks the chain against it.
type simModel struct {
	kinds    map[string]tx.Address // kind -> agency
	validity map[string]uint32
	status   map[tx.Address]string
	keys     []*simKey
	anchors  []*simAnchor
	revoked  map[tx.Hash32]bool
}

func (m *simModel) key(pub tx.PubKey) *simKey {
	for _, k := range m.keys {
		if bytes.Equal(k.pub, pub) {
			return k
		}
	}
	return nil
}

func (m *simModel) keysOf(a tx.Address) int {
	n := 0
	for _, k := range m.keys {
		if k.agency == a {
			n++
		}
	}
	return n
}

// TestSimulation drives random key additions, retirements and compromise
// declarations (by agencies, the registrar and strangers, at heights in
// and out of range), agency suspensions, reinstatements and revocations,
// issues by agencies and non-agencies with every kind of key, and
// revocations with right and wrong paths, over many seeds, on two apps fed
// the same blocks. Every transaction's result code must be the one the
// model predicts, and after every block: the same app hash on both apps; a
// certificate under a key compromised at h verifies (is not revoked) only
// if anchored before h; an issue with a retired or compromised key or by
// a non-agency was refused; every anchor's expiry is its time plus its
// kind's validity; a revoked certificate's record never disappears or
// changes; the counts match the records.
func TestSimulation(t *testing.T) {
	seeds := 24
	if testing.Short() {
		seeds = 6
	}
	seen := map[string]int{}
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { simulate(t, uint64(seed), 60, seen) })
	}
	if !testing.Short() {
		for _, o := range []string{"ok", "verdict/valid", "verdict/revoked", "verdict/issuer_suspended", "compromise_split",
			"certificates/5", "certificates/6", "certificates/8", "certificates/9", "certificates/10", "certificates/11", "certificates/12",
			"certificates/13", "certificates/14", "certificates/15", "certificates/16", "certificates/18", "certificates/19", "certificates/20"} {
			if seen[o] == 0 {
				t.Errorf("no seed reached outcome %q (%v)", o, seen)
			}
		}
	}
	t.Logf("outcomes: %v", seen)
}

// simulate runs one seed for blocks blocks and returns the first app.
func simulate(t *testing.T, seed uint64, blocks int, seen map[string]int) *apptest.Harness {
	rng := rand.New(rand.NewPCG(seed, 0x63657274))
	g := certificates.DefaultGenesis()
	g.Params.MaxKeysPerAgency = 6
	g.Kinds = []tx.CertificateKind{
		{ID: "family_relation", Name: "가족관계증명서", Agency: court.Addr, ValidityDays: 90, Fields: []string{"holder_name"}},
		{ID: "resident_abstract", Name: "주민등록표 초본", Agency: mois.Addr, ValidityDays: 0, Fields: []string{"holder_name"}},
		{ID: "resident_copy", Name: "주민등록표 등본", Agency: mois.Addr, ValidityDays: 1 + uint32(rng.IntN(365)), Fields: []string{"holder_name"}},
	}
	raw := appState(t, &g)
	h1 := apptest.New(t, apptest.Options{AppState: raw})
	h2 := apptest.New(t, apptest.Options{AppState: raw})
	m := &simModel{kinds: map[string]tx.Address{}, validity: map[string]uint32{}, status: map[tx.Address]string{}, revoked: map[tx.Hash32]bool{}}
	for _, k := range g.Kinds {
		m.kinds[k.ID], m.validity[k.ID], m.status[k.Agency] = k.Agency, k.ValidityDays, tx.AgencyActive
	}
	kindIDs := []string{"family_relation", "resident_abstract", "resident_copy", "marriage_relation"}
	agencies := []apptest.Key{court, mois}
	signers := []apptest.Key{court, mois, apptest.Alice}
	var pool []tx.PubKey // keys ever generated (some never added)
	newPub := func() tx.PubKey {
		k := apptest.NewKey(fmt.Sprintf("sim-%d-%d", seed, len(pool))).Pub
		pool = append(pool, k)
		return k
	}
	anyKey := func() tx.PubKey {
		if len(pool) == 0 || rng.IntN(8) == 0 {
			return newPub()
		}
		return pool[rng.IntN(len(pool))]
	}
	prevRevs := map[tx.Hash32][]byte{} // the stored revocation records seen so far

	for blk := 0; blk < blocks; blk++ {
		height := h1.Height + 1
		now := h1.BlockTime(height)
		var txs [][]byte
		var want []tx.Code // the code each transaction must get (zero: success)
		// add adds a transaction and its predicted code; the model takes
		// the change f of one predicted to succeed at once, as the chain
		// runs a block's transactions in order (a wrong prediction fails
		// the test after the block).
		add := func(raw []byte, c tx.Code, f func()) {
			txs, want = append(txs, raw), append(want, c)
			if (c == tx.Code{}) {
				f()
			}
		}
		for n := 1 + rng.IntN(4); n > 0; n-- {
			switch r := rng.IntN(100); {
			case r < 18: // add a key
				s := signers[rng.IntN(len(signers))]
				pub := anyKey()
				var c tx.Code
				switch st, ok := m.status[s.Addr]; {
				case !ok:
					c = tx.CodeCertificateNotAgency
				case st == tx.AgencyRevoked:
					c = tx.CodeCertificateAgencyRevoked
				case m.key(pub) != nil:
					c = tx.CodeCertificateKeyExists
				case m.keysOf(s.Addr) >= int(g.Params.MaxKeysPerAgency):
					c = tx.CodeCertificateTooMany
				}
				add(h1.Sign(s, &tx.MsgCertificateAddKey{Key: pub}), c, func() {
					m.keys = append(m.keys, &simKey{pub: pub, agency: s.Addr, from: height})
				})
			case r < 28: // retire a key
				s := signers[rng.IntN(len(signers))]
				pub := anyKey()
				k := m.key(pub)
				var c tx.Code
				switch {
				case k == nil:
					c = tx.CodeCertificateUnknownKey
				case k.agency != s.Addr:
					c = tx.CodeCertificateNotKeyAgency
				case k.compromised != 0:
					c = tx.CodeCertificateKeyRevoked
				case k.retired != 0:
					c = tx.CodeCertificateKeyRetired
				}
				add(h1.Sign(s, &tx.MsgCertificateRetireKey{Key: pub}), c, func() { k.retired = height })
			case r < 36: // declare a key compromised
				s := []apptest.Key{court, mois, apptest.Alice, registrar}[rng.IntN(4)]
				pub := anyKey()
				k := m.key(pub)
				ch := height - int64(rng.IntN(12)) + 1
				if ch < 1 {
					ch = 1
				}
				var c tx.Code
				switch {
				case k == nil:
					c = tx.CodeCertificateUnknownKey
				case k.agency != s.Addr && s.Addr != registrar.Addr:
					c = tx.CodeCertificateNotKeyAgency
				case ch < k.from || ch > height:
					c = tx.CodeCertificateCompromisedRange
				case k.compromised != 0 && ch >= k.compromised:
					c = tx.CodeCertificateKeyRevoked
				}
				add(h1.Sign(s, &tx.MsgCertificateRevokeKey{Key: pub, CompromisedHeight: ch}), c, func() { k.compromised = ch })
			case r < 42: // an agency's status
				a := agencies[rng.IntN(len(agencies))]
				status := []string{tx.AgencyActive, tx.AgencyActive, tx.AgencySuspended, tx.AgencySuspended, tx.AgencyRevoked}[rng.IntN(5)]
				if status == tx.AgencyRevoked && rng.IntN(4) > 0 {
					status = tx.AgencySuspended
				}
				var c tx.Code
				if m.status[a.Addr] == tx.AgencyRevoked {
					c = tx.CodeCertificateAgencyRevoked
				}
				add(h1.Sign(registrar, &tx.MsgCertificateSetAgencyStatus{Agency: a.Addr, Status: status, Reason: "sim"}), c,
					func() { m.status[a.Addr] = status })
			case r < 78: // issue a batch
				s := signers[rng.IntN(len(signers))]
				kind := kindIDs[rng.IntN(len(kindIDs))]
				if rng.IntN(3) > 0 { // mostly a kind of the signer's, with one of its keys
					for _, id := range kindIDs {
						if m.kinds[id] == s.Addr {
							kind = id
						}
					}
				}
				pub := anyKey()
				var own []*simKey
				for _, k := range m.keys {
					if k.agency == s.Addr {
						own = append(own, k)
					}
				}
				if len(own) > 0 && rng.IntN(3) > 0 {
					pub = own[rng.IntN(len(own))].pub
				}
				k := m.key(pub)
				b := newBatch(fmt.Sprintf("sim-%d-%d-%d", seed, height, len(txs)), 1+rng.IntN(8))
				agency, known := m.kinds[kind]
				var c tx.Code
				switch {
				case !known:
					c = tx.CodeCertificateUnknownKind
				case agency != s.Addr:
					c = tx.CodeCertificateNotKindAgency
				case m.status[s.Addr] == tx.AgencyRevoked:
					c = tx.CodeCertificateAgencyRevoked
				case m.status[s.Addr] != tx.AgencyActive:
					c = tx.CodeCertificateAgencyNotActive
				case k == nil:
					c = tx.CodeCertificateUnknownKey
				case k.agency != s.Addr:
					c = tx.CodeCertificateNotKeyAgency
				case k.compromised != 0:
					c = tx.CodeCertificateKeyRevoked
				case k.retired != 0:
					c = tx.CodeCertificateKeyRetired
				}
				add(h1.Sign(s, &tx.MsgCertificateIssue{Kind: kind, Key: pub, Root: b.root, Count: uint32(len(b.leaves))}), c, func() {
					m.anchors = append(m.anchors, &simAnchor{id: uint64(len(m.anchors) + 1), kind: kind, agency: s.Addr, key: k, height: height, at: now, b: b})
				})
			default: // revoke a certificate
				if len(m.anchors) == 0 {
					continue
				}
				an := m.anchors[rng.IntN(len(m.anchors))]
				i := rng.IntN(len(an.b.leaves))
				msg := an.b.revoke(an.id, i, "sim")
				s := []apptest.Key{court, mois, registrar, apptest.Alice}[rng.IntN(4)]
				wrong := rng.IntN(6) == 0
				if wrong {
					msg.Leaf[0] ^= 1
				}
				var c tx.Code
				switch {
				case an.agency != s.Addr && s.Addr != registrar.Addr:
					c = tx.CodeCertificateNotAnchorAgency
				case wrong:
					c = tx.CodeCertificateBadPath
				case m.revoked[msg.Leaf]:
					c = tx.CodeCertificateAlreadyRevoked
				}
				leaf := msg.Leaf
				add(h1.Sign(s, msg), c, func() { m.revoked[leaf] = true })
			}
		}
		r1, r2 := h1.Deliver(txs), h2.Deliver(txs)
		if !bytes.Equal(r1.AppHash, r2.AppHash) {
			t.Fatalf("block %d: app hashes differ", h1.Height)
		}
		for i, res := range r1.TxResults {
			w := want[i]
			if res.Codespace == tx.CodespaceTx || res.Codespace == tx.CodespaceAuth {
				t.Fatalf("block %d tx %d: %s/%d %s (the simulation sends only well-formed, signed messages)", h1.Height, i, res.Codespace, res.Code, res.Log)
			}
			if res.Code == 0 {
				seen["ok"]++
			} else {
				seen[fmt.Sprintf("%s/%d", res.Codespace, res.Code)]++
			}
			if (w == tx.Code{}) {
				if res.Code != 0 {
					t.Fatalf("block %d tx %d: %s/%d %s, the model expects success", h1.Height, i, res.Codespace, res.Code, res.Log)
				}
				continue
			}
			if !w.Matches(res.Codespace, res.Code) {
				t.Fatalf("block %d tx %d: %s/%d %s, the model expects %s", h1.Height, i, res.Codespace, res.Code, res.Log, w)
			}
		}
		checkSim(t, h1, m, prevRevs, seen, blk%5 == 4 || blk == blocks-1)
	}
	return h1
}

// checkSim checks the chain against the model; full also checks every
// certificate's verdict and revocation.
func checkSim(t *testing.T, h *apptest.Harness, m *simModel, prevRevs map[tx.Hash32][]byte, seen map[string]int, full bool) {
	t.Helper()
	var certs uint64
	now := h.BlockTime(h.Height)
	for _, an := range m.anchors {
		a := anchorOf(t, h, an.id)
		if a.Kind != an.kind || a.Agency != an.agency || !bytes.Equal(a.Key, an.key.pub) || a.Root != an.b.root || a.Height != an.height {
			t.Fatalf("height %d: anchor %d is %+v, the model has %+v", h.Height, an.id, a, an)
		}
		// The issue was refused with a retired or compromised key and by
		// a non-agency: the anchor's key was its agency's and could issue
		// at its height (a retirement or revocation in the anchor's own
		// block came after it).
		key := keyOf(t, h, a.Key)
		if kd, _ := get[tx.CertificateKind](t, h, "/certificates/kind", a.Kind); kd.Agency != a.Agency || key.Agency != a.Agency ||
			a.Height < key.FromHeight || key.RetiredHeight != 0 && a.Height > key.RetiredHeight || key.RevokedHeight != 0 && a.Height > key.RevokedHeight {
			t.Fatalf("height %d: anchor %+v of kind agency %s under key %+v", h.Height, a, kd.Agency, key)
		}
		// Expiry is the anchor's time plus its kind's validity.
		if days := m.validity[an.kind]; days == 0 && !a.Expires.IsZero() || days > 0 && !a.Expires.Equal(a.Time.Add(time.Duration(days)*24*time.Hour)) {
			t.Fatalf("height %d: anchor %d of %s (%d days) at %s expires %s", h.Height, an.id, an.kind, days, a.Time, a.Expires)
		}
		certs += uint64(a.Count)
		if !full {
			continue
		}
		ag := agencyOf(t, h, a.Agency)
		c := an.key.compromised
		for i := range an.b.leaves {
			leaf := an.b.leaf(i)
			rev := revocationOf(t, h, leaf)
			if (rev != nil) != m.revoked[leaf] {
				t.Fatalf("height %d: leaf %s revocation %+v, the model says %t", h.Height, leaf, rev, m.revoked[leaf])
			}
			v, why := tx.CertificateVerdict(a, key, ag, rev, now)
			seen["verdict/"+v]++
			if c != 0 && a.Height < c {
				seen["compromise_split"]++
			}
			// A certificate under a key compromised at c verifies only if
			// anchored before c.
			if c != 0 && a.Height >= c && v != tx.VerdictRevoked {
				t.Fatalf("height %d: anchor %d at %d under a key compromised from %d: %s (%s)", h.Height, an.id, a.Height, c, v, why)
			}
			// The model's verdict.
			want := tx.VerdictValid
			switch st := m.status[an.agency]; {
			case m.revoked[leaf], c != 0 && a.Height >= c, st == tx.AgencyRevoked:
				want = tx.VerdictRevoked
			case !a.Expires.IsZero() && !now.Before(a.Expires):
				want = tx.VerdictExpired
			case st == tx.AgencySuspended:
				want = tx.VerdictIssuerSuspended
			}
			if v != want {
				t.Fatalf("height %d: anchor %d leaf %d: %s (%s), the model says %s", h.Height, an.id, i, v, why, want)
			}
			// At its expiry a certificate not revoked reads expired.
			if !a.Expires.IsZero() && v != tx.VerdictRevoked {
				if x, _ := tx.CertificateVerdict(a, key, ag, rev, a.Expires); x != tx.VerdictExpired {
					t.Fatalf("height %d: anchor %d at its expiry: %s", h.Height, an.id, x)
				}
			}
		}
	}
	// A revoked certificate's record never disappears nor changes.
	for leaf, was := range prevRevs {
		res := h.Query("/certificates/revocation", []byte(leaf.String()), 0, false)
		if res.Code != 0 || !bytes.Equal(res.Value, was) {
			t.Fatalf("height %d: revocation of %s was %s, now %s/%d %s", h.Height, leaf, was, res.Codespace, res.Code, res.Value)
		}
	}
	for leaf := range m.revoked {
		if _, ok := prevRevs[leaf]; !ok {
			res := h.Query("/certificates/revocation", []byte(leaf.String()), 0, false)
			if res.Code != 0 {
				t.Fatalf("height %d: revoked leaf %s: %s/%d", h.Height, leaf, res.Codespace, res.Code)
			}
			prevRevs[leaf] = res.Value
		}
	}
	s := stats(t, h)
	if s.Anchors != uint64(len(m.anchors)) || s.NextAnchor != uint64(len(m.anchors))+1 || s.Certificates != certs ||
		s.Revocations != uint64(len(m.revoked)) || s.Keys != uint64(len(m.keys)) || s.Kinds != uint64(len(m.kinds)) {
		t.Fatalf("height %d: stats %+v; the model has %d anchors of %d certificates, %d revocations, %d keys",
			h.Height, s, len(m.anchors), certs, len(m.revoked), len(m.keys))
	}
	for _, k := range m.keys {
		got := keyOf(t, h, k.pub)
		if got.Agency != k.agency || got.FromHeight != k.from || got.RetiredHeight != k.retired || got.CompromisedHeight != k.compromised {
			t.Fatalf("height %d: key %s is %+v, the model has %+v", h.Height, k.pub, got, k)
		}
	}
	for a, st := range m.status {
		if got := agencyOf(t, h, a); got.Status != st {
			t.Fatalf("height %d: agency %s is %s, the model has %s", h.Height, a, got.Status, st)
		}
	}
}
