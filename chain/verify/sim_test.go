package verify_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/verify"
	"github.com/citychain/citychain/chain/wallet"
)

// The simulation's size: seeds, blocks per seed, citizens per seed (each
// with a wallet: one scrypt derivation).
const (
	simSeeds    = 8
	simBlocks   = 60
	simCitizens = 3
)

// The simulation's second issuer and its schema, and its second facility.
var taxOffice = apptest.NewKey("verify/tax-office") // issues income

const (
	simIncome = "income"         // the tax office's schema: income_decile_le_5
	simPantry = "mangwon-pantry" // requires resident_seoul and income_decile_le_5
)

// simFacilities are the facilities of the simulation and their policies.
var simFacilities = []struct {
	id     string
	claims []string
}{
	{library, []string{"resident_seoul"}},
	{simPantry, []string{"resident_seoul", "income_decile_le_5"}},
}

// simVerifiers are the registered verifiers and what they may ask.
var simVerifiers = []struct {
	id     string
	key    apptest.Key
	claims []string
}{
	{verifier, libApp, []string{"resident_seoul"}},
	{bankID, bankApp, []string{"resident_seoul", "income_decile_le_5"}},
}

// TestVerifierSimulation drives the real app (apptest), the real wallets
// (chain/wallet) and the real verifier (verify.Entry, verify.Presentation
// over harnessSource) with random operations, over several seeds: each
// block the office issues card copies (identity/register,
// add_card_copies, reinstate, each with its credentials/anchor), two
// issuers anchor batches of credentials for the citizens' slots, revoke
// copies (credentials/set_status) and try to clear a revocation, the
// citizens' devices or the office suspend identities (identity/suspend
// with the wallet's or the office's reveals), the office reinstates or,
// rarely, revokes one, the accreditor withdraws and grants accreditation
// windows (some overlapping, refused), and the facilities bar and unbar
// pseudonyms; the transactions of a block come in the order drawn, so an
// anchor and its issuer's withdrawal may share a block (as in
// TestPresentationWithdrawnInTheAnchorsBlock). The operations are drawn
// from the seed (keys, salts, status indices and nonces come from
// crypto/rand and decide nothing). A model of what was done predicts every
// transaction's code
// and, after every block, the outcome of random entries at the two
// facilities (wallet.Entry, verify.Entry) and presentations to the two
// verifiers (wallet.Present, verify.Presentation). Asserted after every
// check:
//   - a credential whose revocation bit was set never verifies: the
//     presentation is not valid, the entry showing it is not admitted;
//   - an identity suspended or revoked never enters any facility from the
//     block of its suspension on;
//   - an anchor sent while its issuer has no window containing the block
//     time is refused (credentials code 8), and a credential is valid iff
//     its anchor's time was within a window: a later withdrawal keeps it
//     valid;
//   - an active, unbarred holder whose shown credentials are unrevoked
//     and prove the facility's claims is admitted, and an unrevoked
//     presentation is valid with the model's claim values.
//
// The verdicts counted per kind must all occur over the run.
func TestVerifierSimulation(t *testing.T) {
	seen := map[string]int{}
	ran := 0
	for seed := uint64(1); seed <= simSeeds; seed++ {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			ran++
			newSim(t, seed, seen).run(simBlocks)
		})
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %-58s %5d", k, seen[k])
	}
	t.Logf("outcomes over %d seeds:%s", ran, b.String())
	if ran < simSeeds || t.Failed() {
		return
	}
	for _, k := range []string{
		"entry admitted", "entry refused " + verify.ReasonSuspended, "entry refused " + verify.ReasonRevoked,
		"entry refused " + verify.ReasonBarred, "entry refused " + verify.ReasonClaimMissing, "entry refused " + verify.ReasonReplayed,
		"entry refused: identity suspended or revoked", "entry admitted after reinstatement",
		"presentation " + verify.VerdictValid, "presentation " + verify.VerdictRevoked,
		"valid after a withdrawal",
		"anchor credentials refused " + tx.CodeCredentialNotAccredited.Error(),
		"suspend by device ok", "suspend by office ok", "reinstate ok", "revoke identity ok",
		"revoke credentials ok", "clear revocation refused " + tx.CodeCredentialRevocationFinal.Error(),
		"withdraw ok", "accredit ok", "accredit refused " + tx.CodeCredentialWindowOverlap.Error(),
		"bar ok", "unbar ok",
	} {
		if seen[k] == 0 {
			t.Errorf("no seed reached %q", k)
		}
	}
}

// simIssuer is a credential issuer and the model of its accreditation
// windows.
type simIssuer struct {
	key     apptest.Key
	schema  string
	claims  []string
	list    string
	alloc   *wallet.Allocator
	windows []simWindow
}

// simWindow is a window [from, until) (zero until: open-ended).
type simWindow struct{ from, until time.Time }

func (w simWindow) contains(t time.Time) bool {
	return !t.Before(w.from) && (w.until.IsZero() || t.Before(w.until))
}

func (w simWindow) overlaps(o simWindow) bool {
	before := func(a, b time.Time) bool { return b.IsZero() || a.Before(b) }
	return before(w.from, o.until) && before(o.from, w.until)
}

// windowAt is the model's window containing t, or nil.
func (is *simIssuer) windowAt(t time.Time) *simWindow {
	for i := range is.windows {
		if is.windows[i].contains(t) {
			return &is.windows[i]
		}
	}
	return nil
}

// simCitizen is a citizen: a wallet, its device key (the identity), and
// the model of the identity's status and card-copy commitments.
type simCitizen struct {
	n      int
	w      *wallet.Wallet
	device apptest.Key
	status string
	// since is the height from which status holds.
	since int64
	// live are the identity's commitments since registration or the
	// last reinstatement, in order; revealed those whose bit was set.
	live     []tx.Hash32
	revealed map[tx.Hash32]bool
	// office is the office's record of the openings of every commitment.
	office map[tx.Hash32]tx.CardReveal
	slots  uint32 // slots made (the wallet's next slot)
	// reinstated: the identity was reinstated at least once.
	reinstated bool
}

// simCopy is one issued copy the model knows (delivered to a wallet).
type simCopy struct {
	citizen    *simCitizen
	slot       uint32
	issuer     *simIssuer // nil: a card copy
	anchor     uint64
	anchorTime time.Time
	// inWindow: the issuer's window contained the anchor's time when it
	// was anchored (the model's windows then).
	inWindow   bool
	idx        uint32
	claims     map[string]bool
	commitment tx.Hash32 // card copies
}

// simTx is a transaction of the block being built and the code the model
// expects (the zero Code: accepted); after runs once it was accepted.
type simTx struct {
	kind  string
	what  string
	raw   []byte
	want  tx.Code
	after func(res *abci.ExecTxResult)
}

type simBar struct {
	facility  string
	pseudonym tx.Hash32
}

type sim struct {
	t         *testing.T
	seed      uint64
	rng       *rand.Rand
	w         *world
	seen      map[string]int
	cards     string
	cardAlloc *wallet.Allocator
	issuers   []*simIssuer
	citizens  []*simCitizen
	copies    map[tx.Hash32]*simCopy // by leaf
	copyList  []*simCopy             // in delivery order
	revoked   map[string]bool        // "<list>#<idx>" set by an accepted set_status
	bars      map[simBar]time.Time   // zero: until unbarred
	barList   []simBar               // the bars' keys in the order made (a bar may be lifted)
	nonces    map[string]*verify.NonceCache
	queue     []simTx
	checks    int
}

func newSim(t *testing.T, seed uint64, seen map[string]int) *sim {
	coins := []tx.Coin{apptest.SCN(10)}
	h := apptest.New(t, apptest.Options{Accounts: append(accounts(), apptest.Account{Key: taxOffice, Coins: coins})})
	w := &world{t: t, h: h, src: &harnessSource{h: h}, dir: t.TempDir()}
	s := &sim{
		t: t, seed: seed, rng: rand.New(rand.NewPCG(seed, 0x7369_6d75_6c61_7465)), w: w, seen: seen,
		cards: tx.StatusListID(office.Addr, "cards"), copies: map[tx.Hash32]*simCopy{}, revoked: map[string]bool{},
		bars: map[simBar]time.Time{}, nonces: map[string]*verify.NonceCache{},
	}
	from := w.now()
	msgs := []tx.Msg{
		&tx.MsgCredentialRegisterSchema{ID: wallet.VctCard, Name: "Seoul citizen card", Claims: []string{"name", "birth_date"}},
		&tx.MsgCredentialRegisterSchema{ID: residency, Name: "Seoul residency", Claims: []string{"resident_seoul", "age_over_65"}},
		&tx.MsgCredentialRegisterSchema{ID: simIncome, Name: "Income decile", Claims: []string{"income_decile_le_5"}},
		&tx.MsgCredentialAccredit{Issuer: office.Addr, Schema: wallet.VctCard, From: from},
		&tx.MsgCredentialAccredit{Issuer: issuer.Addr, Schema: residency, From: from},
		&tx.MsgCredentialAccredit{Issuer: taxOffice.Addr, Schema: simIncome, From: from},
	}
	for _, v := range simVerifiers {
		msgs = append(msgs, &tx.MsgCredentialRegisterVerifier{ID: v.id, Key: v.key.Pub, Name: v.id, Purpose: "simulation", Claims: v.claims})
	}
	w.run("schemas", accreditor, msgs...)
	w.run("card list", office, &tx.MsgCredentialCreateList{Name: "cards", Purpose: tx.StatusSuspension, Size: tx.MinStatusListSize})
	s.cardAlloc = w.alloc("cards")
	for _, is := range []*simIssuer{
		{key: issuer, schema: residency, claims: []string{"resident_seoul", "age_over_65"}},
		{key: taxOffice, schema: simIncome, claims: []string{"income_decile_le_5"}},
	} {
		w.run("issuer list", is.key, &tx.MsgCredentialCreateList{Name: is.schema, Purpose: tx.StatusRevocation, Size: tx.MinStatusListSize})
		is.list, is.alloc, is.windows = tx.StatusListID(is.key.Addr, is.schema), w.alloc(is.schema), []simWindow{{from: from}}
		s.issuers = append(s.issuers, is)
	}
	var facs []tx.Msg
	for _, f := range simFacilities {
		facs = append(facs, &tx.MsgIdentityRegisterFacility{ID: f.id, Name: f.id, Kind: "library", Claims: f.claims})
	}
	w.run("facilities", facReg, facs...)

	// The citizens: a wallet each, registered with card copies for three
	// slots, then a first credential of each issuer for those slots.
	for n := range simCitizens {
		cw, err := wallet.Create(filepath.Join(w.dir, fmt.Sprintf("citizen-%d.json", n)), "4821")
		if err != nil {
			t.Fatal(err)
		}
		_, dev, err := cw.NextDevice()
		if err != nil {
			t.Fatal(err)
		}
		c := &simCitizen{n: n, w: cw, device: keyOf(fmt.Sprintf("citizen-%d", n), dev), status: tx.IdentityActive,
			revealed: map[tx.Hash32]bool{}, office: map[tx.Hash32]tx.CardReveal{}}
		s.citizens = append(s.citizens, c)
		s.newSlots(c, 3)
		s.cardBatch(c, "register")
	}
	s.deliver()
	for _, c := range s.citizens {
		for _, is := range s.issuers {
			s.credBatch(is, c)
		}
	}
	s.deliver()
	return s
}

// run makes blocks of random operations, each followed by random checks.
func (s *sim) run(blocks int) {
	for range blocks {
		for n := s.rng.IntN(4); n > 0; n-- {
			s.randomOp()
		}
		s.deliver()
		for n := s.rng.IntN(4); n > 0; n-- {
			if s.rng.IntN(3) == 0 {
				s.checkPresentation()
			} else {
				s.checkEntry()
			}
		}
	}
}

func (s *sim) randomOp() {
	c := s.citizens[s.rng.IntN(len(s.citizens))]
	is := s.issuers[s.rng.IntN(len(s.issuers))]
	switch r := s.rng.IntN(96); {
	case r < 24:
		s.credBatch(is, c)
	case r < 34:
		s.cardBatch(c, "add")
	case r < 42:
		if s.unused(c) < 3 {
			s.newSlots(c, 2)
		}
	case r < 54:
		s.revokeCredentials(is, c)
	case r < 56:
		s.clearRevocation(is)
	case r < 63:
		s.suspend(c, s.rng.IntN(3) == 0)
	case r < 72:
		// Mostly a suspended citizen; else one the office may not reinstate.
		for _, o := range s.citizens {
			if o.status == tx.IdentitySuspended && s.rng.IntN(4) > 0 {
				c = o
			}
		}
		s.cardBatch(c, "reinstate")
	case r < 73:
		s.revokeIdentity(c)
	case r < 78:
		s.withdraw(is)
	case r < 86:
		s.accredit(is)
	case r < 93:
		s.bar(c)
	default:
		s.unbar()
	}
}

// ---- the block ----

func (s *sim) queueTx(kind, what string, k apptest.Key, want tx.Code, after func(*abci.ExecTxResult), msgs ...tx.Msg) {
	s.queue = append(s.queue, simTx{kind: kind, what: what, raw: s.w.h.Sign(k, msgs...), want: want, after: after})
}

// deliver makes the next block of the queued transactions and checks each
// one's code against the model's.
func (s *sim) deliver() {
	t := s.t
	t.Helper()
	queue := s.queue
	s.queue = nil
	raws := make([][]byte, len(queue))
	for i, q := range queue {
		raws[i] = q.raw
	}
	r := s.w.h.Deliver(raws)
	for i, q := range queue {
		res := r.TxResults[i]
		if q.want == (tx.Code{}) {
			if res.Code != 0 {
				t.Fatalf("seed %d block %d: %s: refused %s/%d (%s), the model expects it accepted", s.seed, s.w.h.Height, q.what, res.Codespace, res.Code, res.Log)
			}
			s.seen[q.kind+" ok"]++
			if q.after != nil {
				q.after(res)
			}
			continue
		}
		if !q.want.Matches(res.Codespace, res.Code) {
			t.Fatalf("seed %d block %d: %s: got %s/%d (%s), the model expects %v", s.seed, s.w.h.Height, q.what, res.Codespace, res.Code, res.Log, q.want)
		}
		s.seen[q.kind+" refused "+q.want.Error()]++
	}
}

func (s *sim) anchorID(res *abci.ExecTxResult) uint64 {
	v, ok := apptest.Attr(res.Events, "credentials.anchored", "id")
	if !ok {
		s.t.Fatal("no credentials.anchored event")
	}
	id, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		s.t.Fatal(err)
	}
	return id
}

// ---- slots and deliveries ----

func (s *sim) newSlots(c *simCitizen, n int) {
	if _, err := c.w.Request(n); err != nil {
		s.t.Fatal(err)
	}
	c.slots += uint32(n)
}

// targets are the slots of c not shown to a verifier (its facility slots
// and its unused ones): the slots new copies go to.
func (s *sim) targets(c *simCitizen) []uint32 {
	spent := map[uint32]bool{}
	for _, v := range simVerifiers {
		for _, sl := range c.w.VerifierSlots(v.id) {
			spent[sl] = true
		}
	}
	var out []uint32
	for sl := range c.slots {
		if !spent[sl] {
			out = append(out, sl)
		}
	}
	return out
}

// unused is how many of c's target slots no facility has.
func (s *sim) unused(c *simCitizen) int {
	n := 0
	for _, sl := range s.targets(c) {
		taken := false
		for _, f := range simFacilities {
			if fs, ok := c.w.FacilitySlot(f.id); ok && fs == sl {
				taken = true
			}
		}
		if !taken {
			n++
		}
	}
	return n
}

// request is a holder request for c's target slots (new slots first when
// every slot is spent) and the slot of each key.
func (s *sim) request(c *simCitizen) ([]tx.PubKey, map[string]uint32) {
	slots := s.targets(c)
	if len(slots) == 0 {
		s.newSlots(c, 2)
		slots = s.targets(c)
	}
	req, err := c.w.RequestSlots(slots)
	if err != nil {
		s.t.Fatal(err)
	}
	of := map[string]uint32{}
	for i, k := range req.HolderKeys {
		of[k.String()] = slots[i]
	}
	return req.HolderKeys, of
}

// receive hands c the batch anchored as id and records its copies.
func (s *sim) receive(c *simCitizen, b *wallet.Batch, slotOf map[string]uint32, id uint64, is *simIssuer, claims map[string]bool, inWindow bool) {
	d, err := b.Delivery(id, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	if n, err := c.w.Import(d); err != nil || n != len(b.Copies) {
		s.t.Fatalf("import of anchor %d: %d copies, %v; want %d", id, n, err, len(b.Copies))
	}
	if _, err := s.w.src.Head(context.Background(), s.w.now()); err != nil {
		s.t.Fatal(err)
	}
	a, err := s.w.src.CredentialAnchor(context.Background(), id)
	if err != nil || a == nil || !a.Time.Equal(s.w.h.BlockTime(s.w.h.Height)) {
		s.t.Fatalf("anchor %d: %v %v", id, a, err)
	}
	for i, cp := range b.Copies {
		sc := &simCopy{citizen: c, slot: slotOf[cp.HolderKey.String()], issuer: is, anchor: id, anchorTime: a.Time,
			inWindow: inWindow, idx: cp.Status.Idx, claims: claims}
		if is == nil {
			sc.commitment = b.Commitments[i]
		}
		s.copies[cp.Leaf] = sc
		s.copyList = append(s.copyList, sc)
	}
}

// ---- operations ----

// cardBatch issues card copies for c's target slots and sends them with
// identity/register, add_card_copies or reinstate (how).
func (s *sim) cardBatch(c *simCitizen, how string) {
	keys, slotOf := s.request(c)
	now := s.w.now()
	spec := wallet.BatchSpec{Key: office.Priv, Iss: office.Addr.String(), Now: now, Exp: now.AddDate(1, 0, 0), List: s.cards, Alloc: s.cardAlloc}
	b, err := wallet.IssueCardBatch(spec, wallet.SameClaims(keys, []sdjwt.Claim{{Name: "name", Value: fmt.Sprintf("citizen %d", c.n)}, {Name: "birth_date", Value: "1990-04-02"}}))
	if err != nil {
		s.t.Fatal(err)
	}
	anchor := &tx.MsgCredentialAnchor{Schema: wallet.VctCard, Root: b.Root, Count: b.Count}
	id := c.device.Addr
	var msg tx.Msg
	var want tx.Code
	switch how {
	case "register":
		msg = &tx.MsgIdentityRegister{DeviceKey: c.device.Pub, CardList: s.cards, Commitments: b.Commitments}
	case "add":
		msg = &tx.MsgIdentityAddCardCopies{ID: id, Commitments: b.Commitments}
		switch {
		case c.status == tx.IdentityRevoked:
			want = tx.CodeIdentityRevoked
		case c.status == tx.IdentitySuspended:
			want = tx.CodeIdentityNotActive
		case len(c.live)+len(b.Commitments) > tx.MaxCardCopies:
			want = tx.CodeIdentityTooManyCopies
		}
	case "reinstate":
		msg = &tx.MsgIdentityReinstate{ID: id, Commitments: b.Commitments}
		switch c.status {
		case tx.IdentityRevoked:
			want = tx.CodeIdentityRevoked
		case tx.IdentityActive:
			want = tx.CodeIdentityNotSuspended
		}
	}
	if want == (tx.Code{}) {
		if how == "reinstate" {
			c.status, c.since, c.live, c.reinstated = tx.IdentityActive, s.w.h.Height+1, nil, true
		}
		c.live = append(c.live, b.Commitments...)
		for i, r := range b.Reveals {
			c.office[b.Commitments[i]] = r.CardReveal
		}
	}
	s.queueTx(how, fmt.Sprintf("%s card copies of citizen %d (%d)", how, c.n, len(keys)), office, want, func(res *abci.ExecTxResult) {
		if how == "register" {
			if err := c.w.SetIdentity(id.String()); err != nil {
				s.t.Fatal(err)
			}
		}
		s.receive(c, b, slotOf, s.anchorID(res), nil, nil, true)
	}, anchor, msg)
}

// credBatch has the issuer anchor a credential for each of c's target
// slots: accepted iff one of its windows contains the block time. Now and
// then a claim is false (age_over_65 half the time).
func (s *sim) credBatch(is *simIssuer, c *simCitizen) {
	keys, slotOf := s.request(c)
	now := s.w.now()
	claims := map[string]bool{}
	var cl []sdjwt.Claim
	for _, name := range is.claims {
		v := name == "age_over_65" && s.rng.IntN(2) == 0 || name != "age_over_65" && s.rng.IntN(10) > 0
		claims[name] = v
		cl = append(cl, sdjwt.Claim{Name: name, Value: v})
	}
	spec := wallet.BatchSpec{Key: is.key.Priv, Iss: is.key.Addr.String(), Vct: is.schema, Now: now, Exp: now.AddDate(0, 6, 0), List: is.list, Alloc: is.alloc}
	b, err := wallet.IssueBatch(spec, wallet.SameClaims(keys, cl))
	if err != nil {
		s.t.Fatal(err)
	}
	inWindow := is.windowAt(now) != nil
	want := tx.Code{}
	if !inWindow {
		want = tx.CodeCredentialNotAccredited
	}
	s.queueTx("anchor credentials", fmt.Sprintf("%s anchors %s for citizen %d at %s", is.key.Name, is.schema, c.n, now.Format(time.TimeOnly)), is.key, want,
		func(res *abci.ExecTxResult) { s.receive(c, b, slotOf, s.anchorID(res), is, claims, inWindow) },
		&tx.MsgCredentialAnchor{Schema: is.schema, Root: b.Root, Count: b.Count})
}

// revokeCredentials sets the revocation bits of c's copies from is: all of
// them, or those of one slot (mostly a facility's).
func (s *sim) revokeCredentials(is *simIssuer, c *simCitizen) {
	slot, all := uint32(0), s.rng.IntN(3) == 0
	if !all {
		f := simFacilities[s.rng.IntN(len(simFacilities))]
		sl, ok := c.w.FacilitySlot(f.id)
		if !ok {
			ts := s.targets(c)
			if len(ts) == 0 {
				return
			}
			sl = ts[s.rng.IntN(len(ts))]
		}
		slot = sl
	}
	var idx []uint32
	for _, cp := range s.copyList {
		if cp.citizen == c && cp.issuer == is && (all || cp.slot == slot) && !s.isRevoked(cp) {
			idx = append(idx, cp.idx)
		}
	}
	if len(idx) == 0 {
		return
	}
	slices.Sort(idx)
	for _, i := range idx {
		s.revoked[is.list+"#"+strconv.FormatUint(uint64(i), 10)] = true
	}
	s.queueTx("revoke credentials", fmt.Sprintf("%s revokes %d copies of citizen %d", is.key.Name, len(idx), c.n), is.key, tx.Code{}, nil,
		&tx.MsgCredentialSetStatus{List: is.list, Indices: idx, Value: true})
}

// clearRevocation tries to clear a revoked bit: refused, a revocation is
// final.
func (s *sim) clearRevocation(is *simIssuer) {
	for _, cp := range s.copyList {
		if cp.issuer == is && s.isRevoked(cp) {
			s.queueTx("clear revocation", fmt.Sprintf("%s clears bit %d", is.key.Name, cp.idx), is.key, tx.CodeCredentialRevocationFinal, nil,
				&tx.MsgCredentialSetStatus{List: is.list, Indices: []uint32{cp.idx}, Value: false})
			return
		}
	}
}

func (s *sim) isRevoked(cp *simCopy) bool {
	return cp.issuer != nil && s.revoked[cp.issuer.list+"#"+strconv.FormatUint(uint64(cp.idx), 10)]
}

// suspend has c's device (with the wallet's reveals) or the office (with
// its own record) suspend c. The wallet's reveals miss the copies whose
// delivery is still in this block: then the reveal is incomplete.
func (s *sim) suspend(c *simCitizen, byOffice bool) {
	if c.status == tx.IdentityRevoked {
		return
	}
	var reveal []tx.CardReveal
	signer, kind := c.device, "suspend by device"
	if byOffice {
		signer, kind = office, "suspend by office"
		reveal = s.officeReveal(c)
	} else {
		for _, r := range c.w.Reveals() {
			if h := r.Hash(); slices.Contains(c.live, h) && !c.revealed[h] {
				reveal = append(reveal, r.CardReveal)
			}
		}
	}
	var want tx.Code
	switch {
	case c.status != tx.IdentityActive:
		want = tx.CodeIdentityNotActive
	case len(reveal) < len(c.live):
		want = tx.CodeIdentityRevealIncomplete
	default:
		s.setStatus(c, tx.IdentitySuspended)
	}
	s.queueTx(kind, fmt.Sprintf("%s of citizen %d (%d reveals)", kind, c.n, len(reveal)), signer, want, nil,
		&tx.MsgIdentitySuspend{ID: c.device.Addr, Reason: "phone lost", Reveal: reveal})
}

// revokeIdentity has the office revoke c for good (once per seed).
func (s *sim) revokeIdentity(c *simCitizen) {
	for _, o := range s.citizens {
		if o.status == tx.IdentityRevoked && o != c {
			return
		}
	}
	reveal := s.officeReveal(c)
	var want tx.Code
	if c.status == tx.IdentityRevoked {
		want = tx.CodeIdentityRevoked
	} else {
		s.setStatus(c, tx.IdentityRevoked)
	}
	s.queueTx("revoke identity", fmt.Sprintf("revoke identity of citizen %d", c.n), office, want, nil,
		&tx.MsgIdentityRevoke{ID: c.device.Addr, Reason: "deceased", Reveal: reveal})
}

// officeReveal opens every unrevealed live commitment of c.
func (s *sim) officeReveal(c *simCitizen) []tx.CardReveal {
	var out []tx.CardReveal
	for _, h := range c.live {
		if !c.revealed[h] {
			out = append(out, c.office[h])
		}
	}
	return out
}

// setStatus records a suspension or revocation: every live copy's bit is
// set from the next block.
func (s *sim) setStatus(c *simCitizen, status string) {
	for _, h := range c.live {
		c.revealed[h] = true
	}
	c.status, c.since = status, s.w.h.Height+1
}

// withdraw ends the issuer's window containing the block time: accepted
// iff there is one.
func (s *sim) withdraw(is *simIssuer) {
	now := s.w.now()
	var want tx.Code
	if w := is.windowAt(now); w != nil {
		w.until = now
	} else {
		want = tx.CodeCredentialNoOpenWindow
	}
	s.queueTx("withdraw", fmt.Sprintf("withdraw %s for %s at %s", is.key.Name, is.schema, now.Format(time.TimeOnly)), accreditor, want, nil,
		&tx.MsgCredentialWithdraw{Issuer: is.key.Addr, Schema: is.schema})
}

// accredit grants the issuer a window around the block time (past,
// present or future; open-ended or not): refused when it overlaps one of
// its windows.
func (s *sim) accredit(is *simIssuer) {
	now := s.w.now()
	w := simWindow{from: now.Add(time.Duration(s.rng.IntN(13)-4) * apptest.BlockInterval)}
	if s.rng.IntN(3) > 0 {
		w.until = w.from.Add(time.Duration(1+s.rng.IntN(12)) * apptest.BlockInterval)
	}
	var want tx.Code
	if slices.ContainsFunc(is.windows, w.overlaps) {
		want = tx.CodeCredentialWindowOverlap
	} else {
		is.windows = append(is.windows, w)
	}
	s.queueTx("accredit", fmt.Sprintf("accredit %s for %s from %s until %s", is.key.Name, is.schema, w.from.Format(time.TimeOnly), w.until.Format(time.TimeOnly)),
		accreditor, want, nil, &tx.MsgCredentialAccredit{Issuer: is.key.Addr, Schema: is.schema, From: w.from, Until: w.until})
}

// bar has a facility bar c's pseudonym there (if c visited it), for a
// while or until lifted.
func (s *sim) bar(c *simCitizen) {
	f := simFacilities[s.rng.IntN(len(simFacilities))].id
	ps, ok := c.w.Pseudonym(f)
	if !ok {
		return
	}
	var until time.Time
	if s.rng.IntN(2) == 0 {
		until = s.w.now().Add(time.Duration(1+s.rng.IntN(10)) * apptest.BlockInterval)
	}
	k := simBar{f, ps}
	if _, ok := s.bars[k]; !ok {
		s.barList = append(s.barList, k)
	}
	s.bars[k] = until
	s.queueTx("bar", fmt.Sprintf("bar citizen %d from %s", c.n, f), facReg, tx.Code{}, nil,
		&tx.MsgIdentityBar{Facility: f, Pseudonym: ps, Until: until, Reason: "noise"})
}

// unbar lifts a bar (lapsed or not).
func (s *sim) unbar() {
	if len(s.barList) == 0 {
		return
	}
	i := s.rng.IntN(len(s.barList))
	k := s.barList[i]
	s.barList = slices.Delete(s.barList, i, i+1)
	delete(s.bars, k)
	s.queueTx("unbar", "unbar "+k.facility, facReg, tx.Code{}, nil, &tx.MsgIdentityUnbar{Facility: k.facility, Pseudonym: k.pseudonym})
}

// ---- checks ----

func (s *sim) cache(reader string) *verify.NonceCache {
	c, ok := s.nonces[reader]
	if !ok {
		c = verify.NewNonceCache()
		s.nonces[reader] = c
	}
	return c
}

// copyOf is the model's copy an envelope shows.
func (s *sim) copyOf(env *wallet.Envelope) *simCopy {
	leaf, err := env.Leaf()
	if err != nil {
		s.t.Fatal(err)
	}
	cp, ok := s.copies[leaf]
	if !ok {
		s.t.Fatalf("seed %d: the wallet showed a copy the model never delivered (leaf %s)", s.seed, leaf)
	}
	return cp
}

// checkEntry has a random citizen answer a random facility reader's
// challenge and checks the reader's decision against the model.
func (s *sim) checkEntry() {
	t := s.t
	s.checks++
	c := s.citizens[s.rng.IntN(len(s.citizens))]
	f := simFacilities[s.rng.IntN(len(simFacilities))]
	reader := "gate-" + strconv.Itoa(s.rng.IntN(2))
	now := s.w.now()
	ch, err := verify.NewChallenge(f.id, reader, now)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.w.Entry(ch, f.claims, now)
	if err != nil {
		s.seen["entry: the wallet has no copy to show"]++
		return
	}
	nonces := s.cache(f.id + "/" + reader)
	res, err := verify.Entry(context.Background(), s.w.src, nonces, ch, resp, now)
	if err != nil {
		t.Fatalf("seed %d: entry at %s/%s: %v", s.seed, f.id, reader, err)
	}

	// What the model says of the copies shown.
	card := s.copyOf(&resp.Card)
	if card.citizen != c || card.issuer != nil {
		t.Fatalf("seed %d: citizen %d showed a card copy the model gave citizen %d (issuer %v)", s.seed, c.n, card.citizen.n, card.issuer)
	}
	ps := tx.Pseudonym(f.id, tx.PubKey(c.w.SlotKey(card.slot).Public().(ed25519.PublicKey)))
	if res.Pseudonym != nil && *res.Pseudonym != ps {
		t.Fatalf("seed %d: pseudonym %s, want %s", s.seed, res.Pseudonym, ps)
	}
	var shown []*simCopy
	revoked := false
	for i := range resp.Claims {
		cp := s.copyOf(&resp.Claims[i])
		if cp.citizen != c || cp.slot != card.slot || cp.issuer == nil {
			t.Fatalf("seed %d: citizen %d showed with its slot %d card a copy of citizen %d slot %d", s.seed, c.n, card.slot, cp.citizen.n, cp.slot)
		}
		revoked = revoked || s.isRevoked(cp)
		shown = append(shown, cp)
	}
	until, barred := s.bars[simBar{f.id, ps}]
	barred = barred && (until.IsZero() || now.Before(until))
	want := ""
	switch {
	case c.revealed[card.commitment]:
		want = verify.ReasonSuspended
	case barred:
		want = verify.ReasonBarred
	default:
		for _, cp := range shown {
			if !cp.inWindow {
				want = verify.ReasonNotAccredited
				break
			}
			if s.isRevoked(cp) {
				want = verify.ReasonRevoked
				break
			}
		}
		if want != "" {
			break
		}
		for _, claim := range f.claims {
			if !slices.ContainsFunc(shown, func(cp *simCopy) bool { return cp.claims[claim] }) {
				want = verify.ReasonClaimMissing
				break
			}
		}
	}

	// The invariants, then the model's exact reason.
	what := fmt.Sprintf("seed %d height %d: citizen %d (%s since %d) at %s/%s: admitted %t reason %q (%s)",
		s.seed, s.w.h.Height, c.n, c.status, c.since, f.id, reader, res.Admitted, res.Reason, res.Detail)
	switch {
	case res.Admitted && c.status != tx.IdentityActive:
		t.Fatalf("%s: a %s identity entered", what, c.status)
	case res.Admitted && revoked:
		t.Fatalf("%s: a revoked credential was admitted", what)
	case res.Admitted && barred:
		t.Fatalf("%s: a barred pseudonym entered", what)
	case !res.Admitted && want == "":
		t.Fatalf("%s: an active, unbarred holder with unrevoked credentials proving %v was refused", what, f.claims)
	case res.Reason != want:
		t.Fatalf("%s: the model expects reason %q", what, want)
	}
	if !res.Admitted {
		s.seen["entry refused "+res.Reason]++
		if c.status != tx.IdentityActive {
			s.seen["entry refused: identity suspended or revoked"]++
		}
		return
	}
	s.seen["entry admitted"]++
	if c.reinstated {
		s.seen["entry admitted after reinstatement"]++
	}
	s.countWithdrawn(shown, now)
	if s.rng.IntN(4) == 0 { // the same response again at that reader
		again, err := verify.Entry(context.Background(), s.w.src, nonces, ch, resp, now)
		if err != nil || again.Admitted || again.Reason != verify.ReasonReplayed {
			t.Fatalf("%s: checked again: %+v %v, want refused %s", what, again, err, verify.ReasonReplayed)
		}
		s.seen["entry refused "+again.Reason]++
	}
}

// checkPresentation has a random citizen answer a random verifier's
// request and checks the verdict against the model.
func (s *sim) checkPresentation() {
	t := s.t
	s.checks++
	c := s.citizens[s.rng.IntN(len(s.citizens))]
	v := simVerifiers[s.rng.IntN(len(simVerifiers))]
	now := s.w.now()
	req := s.w.request(v.id, v.key.Priv, fmt.Sprintf("sim-%d-%d", s.seed, s.checks), v.claims...)
	p, err := c.w.Present(req, s.w.verifierRecord(v.id), now)
	if err != nil {
		s.seen["presentation: the wallet has no unused copy"]++
		return
	}
	res, err := verify.Presentation(context.Background(), s.w.src, s.cache(v.id), req, p, now)
	if err != nil {
		t.Fatalf("seed %d: presentation to %s: %v", s.seed, v.id, err)
	}
	want := verify.VerdictValid
	var shown []*simCopy
	revoked := false
	for i := range p.Envelopes {
		cp := s.copyOf(&p.Envelopes[i])
		if cp.citizen != c || cp.issuer == nil {
			t.Fatalf("seed %d: citizen %d presented a copy of citizen %d (issuer %v)", s.seed, c.n, cp.citizen.n, cp.issuer)
		}
		shown = append(shown, cp)
		switch {
		case want != verify.VerdictValid:
		case !cp.inWindow:
			want = verify.VerdictNotAccredited
		case s.isRevoked(cp):
			want = verify.VerdictRevoked
		}
		revoked = revoked || s.isRevoked(cp)
	}
	what := fmt.Sprintf("seed %d height %d: citizen %d to %s: verdict %s reason %q (%s)", s.seed, s.w.h.Height, c.n, v.id, res.Verdict, res.Reason, res.Detail)
	switch {
	case revoked && res.Verdict == verify.VerdictValid:
		t.Fatalf("%s: a revoked credential verified", what)
	case res.Verdict != want:
		t.Fatalf("%s: the model expects %s", what, want)
	}
	s.seen["presentation "+res.Verdict]++
	if res.Verdict != verify.VerdictValid {
		return
	}
	for _, claim := range v.claims {
		var got bool
		if err := jsonUnmarshal(res.Claims[claim], &got); err != nil {
			t.Fatalf("%s: claim %s = %s: %v", what, claim, res.Claims[claim], err)
		}
		if !slices.ContainsFunc(shown, func(cp *simCopy) bool { v, ok := cp.claims[claim]; return ok && v == got }) {
			t.Fatalf("%s: claim %s = %t, which no copy shown holds", what, claim, got)
		}
	}
	s.countWithdrawn(shown, now)
}

// countWithdrawn counts a credential that verified although its issuer
// holds no window at now: a later withdrawal kept it valid.
func (s *sim) countWithdrawn(shown []*simCopy, now time.Time) {
	for _, cp := range shown {
		if cp.issuer.windowAt(now) == nil {
			s.seen["valid after a withdrawal"]++
			return
		}
	}
}

// TestPresentationWithdrawnInTheAnchorsBlock: an anchor accepted in a
// block whose later transaction withdraws its issuer's accreditation was
// accredited when it was anchored (the chain checked the window at its
// place in the block, and refuses any anchor after the withdrawal): its
// credentials stay valid, as after any later withdrawal. The withdrawal
// ends the window at the block time, which is also the anchor's time.
func TestPresentationWithdrawnInTheAnchorsBlock(t *testing.T) {
	w := newWorld(t)
	more, err := w.w.Request(1)
	if err != nil {
		t.Fatal(err)
	}
	now := w.now()
	spec := wallet.BatchSpec{Key: issuer.Priv, Iss: issuer.Addr.String(), Vct: residency, Now: now, Exp: now.AddDate(0, 1, 0), List: w.resList, Alloc: w.alloc("residency")}
	b, err := wallet.IssueBatch(spec, wallet.SameClaims(more.HolderKeys, []sdjwt.Claim{{Name: "resident_seoul", Value: true}}))
	if err != nil {
		t.Fatal(err)
	}
	anchor := w.h.Sign(issuer, &tx.MsgCredentialAnchor{Schema: residency, Root: b.Root, Count: b.Count})
	withdraw := w.h.Sign(accreditor, &tx.MsgCredentialWithdraw{Issuer: issuer.Addr, Schema: residency})
	late := w.h.Sign(issuer, &tx.MsgCredentialAnchor{Schema: residency, Root: b.Root, Count: b.Count})
	res := w.h.Deliver([][]byte{anchor, withdraw, late}).TxResults
	apptest.RequireOK(t, "anchor", res[0])
	apptest.RequireOK(t, "withdraw", res[1])
	apptest.RequireCode(t, "anchor after the withdrawal, same block", res[2], tx.CodeCredentialNotAccredited)
	v, _ := apptest.Attr(res[0].Events, "credentials.anchored", "id")
	id, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t.Fatal(err)
	}

	c := b.Copies[0]
	s, err := sdjwt.Parse(c.SDJWT)
	if err != nil {
		t.Fatal(err)
	}
	now = w.now()
	pres, err := s.Present([]string{"resident_seoul"}, w.w.SlotKey(w.slotOf(t, more.HolderKeys[0])), verifier, "n-1", now)
	if err != nil {
		t.Fatal(err)
	}
	env := wallet.Envelope{Format: wallet.Format, Module: wallet.ModuleCredentials, SDJWT: pres,
		Anchor: wallet.AnchorProof{ID: id, Index: c.Index, Count: uint64(b.Count), Path: c.Path}}
	req := w.request(verifier, libApp.Priv, "n-1", "resident_seoul")
	valid(t, presentationAt(t, w.src, req, &wallet.Presentation{Verifier: verifier, Nonce: "n-1", Envelopes: []wallet.Envelope{env}}, now))
}
