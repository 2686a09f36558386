package wallet_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/wallet"
)

var now = time.Date(2026, 5, 4, 10, 30, 15, 0, time.UTC)

const pin = "482913"

func seedKey(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

func addr(k ed25519.PrivateKey) string {
	return tx.AddressOf(k.Public().(ed25519.PublicKey)).String()
}

// world is an office, a credential issuer and a certificate agency with
// their status lists, and one citizen's wallet.
type world struct {
	t                      *testing.T
	dir                    string
	office, issuer, agency ed25519.PrivateKey
	cardList, credList     string
	cardAlloc, credAlloc   *wallet.Allocator
	w                      *wallet.Wallet
	anchor                 uint64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	dir := t.TempDir()
	x := &world{t: t, dir: dir, office: seedKey(1), issuer: seedKey(2), agency: seedKey(3)}
	x.cardList = addr(x.office) + "/cards"
	x.credList = addr(x.issuer) + "/benefits"
	var err error
	if x.cardAlloc, err = wallet.OpenAllocator(filepath.Join(dir, "cards.bits"), tx.MinStatusListSize); err != nil {
		t.Fatal(err)
	}
	if x.credAlloc, err = wallet.OpenAllocator(filepath.Join(dir, "benefits.bits"), tx.MinStatusListSize); err != nil {
		t.Fatal(err)
	}
	if x.w, err = wallet.Create(filepath.Join(dir, "wallet.json"), pin); err != nil {
		t.Fatal(err)
	}
	return x
}

var benefitClaims = []sdjwt.Claim{
	{Name: "birthdate", Value: "1958-02-01"},
	{Name: "age_over_65", Value: true},
	{Name: "resident_seoul", Value: true},
	{Name: "income_decile_le_5", Value: true},
}

func (x *world) deliver(b *wallet.Batch, keys []tx.PubKey) int {
	x.t.Helper()
	x.anchor++
	d, err := b.Delivery(x.anchor, keys)
	if err != nil {
		x.t.Fatal(err)
	}
	n, err := x.w.Import(d)
	if err != nil {
		x.t.Fatal(err)
	}
	return n
}

// stock gives the wallet n slots holding a card copy and a benefits
// credential each.
func (x *world) stock(n int) wallet.HolderRequest {
	x.t.Helper()
	req, err := x.w.Request(n)
	if err != nil {
		x.t.Fatal(err)
	}
	card, err := wallet.IssueCardBatch(wallet.BatchSpec{Key: x.office, Iss: addr(x.office), Now: now,
		Exp: now.AddDate(5, 0, 0), List: x.cardList, Alloc: x.cardAlloc}, wallet.SameClaims(req.HolderKeys, nil))
	if err != nil {
		x.t.Fatal(err)
	}
	cred, err := wallet.IssueBatch(wallet.BatchSpec{Key: x.issuer, Iss: addr(x.issuer), Vct: "seoul_benefits", Now: now,
		Exp: now.AddDate(1, 0, 0), List: x.credList, Alloc: x.credAlloc}, wallet.SameClaims(req.HolderKeys, benefitClaims))
	if err != nil {
		x.t.Fatal(err)
	}
	if got := x.deliver(card, nil) + x.deliver(cred, nil); got != 2*n {
		x.t.Fatalf("imported %d copies, want %d", got, 2*n)
	}
	return req
}

func (x *world) pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

// verifyEnvelope checks an envelope as a verifier would (signature by
// issuer, KB, anchor path against the batch root it was issued in).
func verifyEnvelope(t *testing.T, e wallet.Envelope, issuer ed25519.PublicKey, aud, nonce string) *sdjwt.Verified {
	t.Helper()
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	v, err := sdjwt.Verify(e.SDJWT, sdjwt.Options{IssuerKey: issuer, Aud: aud, Nonce: nonce, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := e.Leaf()
	if err != nil || leaf != tx.Hash32(v.Leaf()) {
		t.Fatalf("envelope leaf %s: %v", leaf, err)
	}
	return v
}

// A4: the copies of one batch share nothing that could link them: no
// salt, digest, holder key or status index; their timestamps are the same
// only because iat/exp are rounded down to the day (intended: every copy
// issued that day has the same iat and exp, so they do not single out a
// holder).
func TestBatchCopiesUnlinkable(t *testing.T) {
	x := newWorld(t)
	req, err := x.w.Request(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(req.HolderKeys) != wallet.DefaultBatch || wallet.DefaultBatch < 10 {
		t.Fatalf("default request: %d keys, want %d >= 10", len(req.HolderKeys), wallet.DefaultBatch)
	}
	b, err := wallet.IssueBatch(wallet.BatchSpec{Key: x.issuer, Iss: addr(x.issuer), Vct: "seoul_benefits", Now: now,
		Exp: now.AddDate(1, 0, 0), List: x.credList, Alloc: x.credAlloc}, wallet.SameClaims(req.HolderKeys, benefitClaims))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Copies) != 10 || b.Count != 10 {
		t.Fatalf("%d copies, count %d", len(b.Copies), b.Count)
	}
	seen := map[string]string{}
	once := func(kind, v, where string) {
		t.Helper()
		if prev, ok := seen[kind+v]; ok {
			t.Errorf("%s %s shared by %s and %s", kind, v, prev, where)
		}
		seen[kind+v] = where
	}
	for i, c := range b.Copies {
		where := "copy " + string(rune('0'+i))
		s, err := sdjwt.Parse(c.SDJWT)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.UnverifiedPayload()
		if err != nil {
			t.Fatal(err)
		}
		once("holder key", p.Cnf.JWK.X, where)
		once("status index", string(rune(p.Status.Idx)), where)
		once("leaf", c.Leaf.String(), where)
		for _, d := range s.Disclosures {
			once("salt", d.Salt, where)
			once("digest", d.Digest, where)
		}
		for _, d := range p.SD {
			once("_sd digest", d, where)
		}
		if p.Iat != sdjwt.DayFloor(now) || p.Exp != sdjwt.DayFloor(now.AddDate(1, 0, 0)) {
			t.Errorf("%s: iat %d exp %d, want the day-rounded %d and %d", where, p.Iat, p.Exp, sdjwt.DayFloor(now), sdjwt.DayFloor(now.AddDate(1, 0, 0)))
		}
		if !bytes.Equal(c.HolderKey, req.HolderKeys[i]) || c.Status.Idx != p.Status.Idx || c.Status.List != x.credList {
			t.Errorf("%s: holder key / status not as issued", where)
		}
		// Each copy's path proves its leaf under the batch root.
		if !tx.VerifyMerklePath(b.Root, c.Leaf[:], c.Index, uint64(b.Count), c.Path) {
			t.Errorf("%s: path does not verify", where)
		}
		if c.Leaf != tx.Hash32(s.Leaf()) {
			t.Errorf("%s: leaf is not SHA-256 of the issuer JWT", where)
		}
		if !x.credAlloc.Allocated(p.Status.Idx) {
			t.Errorf("%s: index %d not recorded by the allocator", where, p.Status.Idx)
		}
	}
	// The timestamps are the only shared values, and they are
	// day-granular: one second before midnight and after it differ by a day.
	b2, err := wallet.IssueBatch(wallet.BatchSpec{Key: x.issuer, Iss: addr(x.issuer), Vct: "seoul_benefits",
		Now: time.Date(2026, 5, 4, 23, 59, 59, 0, time.UTC), Exp: now.AddDate(1, 0, 0)},
		wallet.SameClaims(req.HolderKeys[:1], benefitClaims))
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := sdjwt.Parse(b2.Copies[0].SDJWT)
	p2, _ := s2.UnverifiedPayload()
	if p2.Iat != sdjwt.DayFloor(now) || p2.Status != nil {
		t.Errorf("late-day copy iat %d status %v, want %d and no status", p2.Iat, p2.Status, sdjwt.DayFloor(now))
	}
	// Two copies for one holder key are refused.
	_, err = wallet.IssueBatch(wallet.BatchSpec{Key: x.issuer, Iss: addr(x.issuer), Vct: "v", Now: now, Exp: now.AddDate(1, 0, 0)},
		wallet.SameClaims([]tx.PubKey{req.HolderKeys[0], req.HolderKeys[0]}, nil))
	if err == nil || !strings.Contains(err.Error(), "same as items[0]") {
		t.Errorf("duplicate holder key: %v", err)
	}
}

// Indices are random: consecutive issuances are not adjacent (a
// sequential allocator would make every pair adjacent), they spread over
// the list, are never handed out twice and survive a reopen.
func TestAllocatorRandomPersistent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "list.bits")
	a, err := wallet.OpenAllocator(path, tx.MinStatusListSize)
	if err != nil {
		t.Fatal(err)
	}
	var all []uint32
	adjacent := 0
	var prev []uint32
	for range 100 {
		got, err := a.Allocate(1)
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil && (got[0] == prev[0]+1 || got[0]+1 == prev[0]) {
			adjacent++
		}
		prev = got
		all = append(all, got...)
	}
	// Uniform choice: P(adjacent pair) = 2/131072; 3 or more in 99 pairs
	// has probability below 1e-9.
	if adjacent > 2 {
		t.Errorf("%d of 99 consecutive issuances adjacent: %v", adjacent, all)
	}
	if lo, hi := slices.Min(all), slices.Max(all); hi-lo < tx.MinStatusListSize/4 {
		t.Errorf("100 indices within [%d, %d]: not spread over the list", lo, hi)
	}
	batch, err := a.Allocate(10)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(batch)
	for i := 1; i < len(batch); i++ {
		if batch[i] == batch[i-1]+1 && i > 1 && batch[i-1] == batch[i-2]+1 {
			t.Errorf("three consecutive indices in one batch: %v", batch)
		}
	}
	all = append(all, batch...)
	if a.Used() != 110 {
		t.Errorf("used %d, want 110", a.Used())
	}
	// Persisted: a reopened allocator knows every index.
	b, err := wallet.OpenAllocator(path, tx.MinStatusListSize)
	if err != nil {
		t.Fatal(err)
	}
	if b.Used() != 110 {
		t.Errorf("reopened: used %d, want 110", b.Used())
	}
	for _, i := range all {
		if !b.Allocated(i) {
			t.Fatalf("reopened: index %d lost", i)
		}
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 || st.Size() != tx.MinStatusListSize/8 {
		t.Errorf("bitmap file: %v %v", st, err)
	}
	// Filling the list: every index exactly once, then a clear refusal.
	rest := int(tx.MinStatusListSize) - 110
	got, err := b.Allocate(rest)
	if err != nil {
		t.Fatal(err)
	}
	mark := make([]bool, tx.MinStatusListSize)
	for _, i := range append(got, all...) {
		if mark[i] {
			t.Fatalf("index %d handed out twice", i)
		}
		mark[i] = true
	}
	if _, err := b.Allocate(1); err == nil || !strings.Contains(err.Error(), "0 free of 131072") {
		t.Errorf("full list: %v", err)
	}
	if _, err := wallet.OpenAllocator(path, 2*tx.MinStatusListSize); err == nil || !strings.Contains(err.Error(), "want a list of size 262144") {
		t.Errorf("size mismatch: %v", err)
	}
}

func TestWalletFilePIN(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.json")
	w, err := wallet.Create(path, pin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wallet.Create(path, pin); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("create over an existing wallet: %v", err)
	}
	if _, err := wallet.Create(filepath.Join(dir, "short.json"), "12"); err == nil || !strings.Contains(err.Error(), "PIN") {
		t.Errorf("short PIN: %v", err)
	}
	if _, err := w.Request(3); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600 (%v)", st.Mode(), err)
	}
	raw, _ := os.ReadFile(path)
	// The PIN is never stored: not as text, hex or base64.
	for _, enc := range []string{pin, hex.EncodeToString([]byte(pin)), base64.StdEncoding.EncodeToString([]byte(pin)), base64.RawURLEncoding.EncodeToString([]byte(pin))} {
		if bytes.Contains(raw, []byte(enc)) {
			t.Errorf("wallet file contains the PIN (%s)", enc)
		}
	}
	var f map[string]any
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if f["kdf"] != "scrypt" || f["n"] != float64(32768) || f["r"] != float64(8) || f["p"] != float64(1) {
		t.Errorf("header %v", f)
	}
	if bytes.Contains(raw, []byte("seed")) || bytes.Contains(raw, []byte("next_slot")) {
		t.Error("inner state in clear")
	}
	// No temporary files left behind.
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("folder holds %d entries, want only the wallet", len(ents))
	}
	// Wrong PIN.
	_, err = wallet.Open(path, "482914")
	if !errors.Is(err, wallet.ErrWrongPIN) || err.Error() != "wrong PIN or damaged wallet" {
		t.Fatalf("wrong PIN: %v", err)
	}
	// Right PIN: same keys, same state.
	w2, err := wallet.Open(path, pin)
	if err != nil {
		t.Fatal(err)
	}
	if !w2.SlotKey(2).Equal(w.SlotKey(2)) || !w2.DeviceKey(0).Equal(w.DeviceKey(0)) || w2.Unused() != 3 {
		t.Error("reopened wallet differs")
	}
	// A flipped ciphertext byte is "damaged".
	var ff map[string]any
	_ = json.Unmarshal(raw, &ff)
	ct := []byte(ff["ciphertext"].(string))
	if ct[10] == 'a' {
		ct[10] = 'b'
	} else {
		ct[10] = 'a'
	}
	ff["ciphertext"] = string(ct)
	bad, _ := json.Marshal(ff)
	badPath := filepath.Join(dir, "bad.json")
	_ = os.WriteFile(badPath, bad, 0o600)
	if _, err := wallet.Open(badPath, pin); !errors.Is(err, wallet.ErrWrongPIN) {
		t.Errorf("damaged file: %v", err)
	}
	// ChangePIN: the old PIN stops working.
	if err := w2.ChangePIN("777777"); err != nil {
		t.Fatal(err)
	}
	if _, err := wallet.Open(path, pin); !errors.Is(err, wallet.ErrWrongPIN) {
		t.Errorf("old PIN after change: %v", err)
	}
	if _, err := wallet.Open(path, "777777"); err != nil {
		t.Errorf("new PIN: %v", err)
	}
}

// Keys follow SPEC: NewKeyFromSeed(HMAC-SHA256(seed, label)); device and
// slot keys differ.
func TestKeyDerivation(t *testing.T) {
	seed := bytes.Repeat([]byte{7}, 32)
	k := wallet.DeriveKey(seed, "citychain/slot/v1/3")
	if wallet.SlotLabel(3) != "citychain/slot/v1/3" || wallet.DeviceLabel(0) != "citychain/device/v1/0" {
		t.Fatal("labels")
	}
	// HMAC-SHA256(seed, label) computed independently.
	m := hmac.New(sha256.New, seed)
	m.Write([]byte("citychain/slot/v1/3"))
	if !bytes.Equal(k.Seed(), m.Sum(nil)) {
		t.Errorf("slot key seed %x, want HMAC-SHA256(seed, label) %x", k.Seed(), m.Sum(nil))
	}
	x := newWorld(t)
	if !x.w.SlotKey(5).Equal(x.w.SlotKey(5)) || x.w.SlotKey(5).Equal(x.w.SlotKey(6)) || x.w.SlotKey(0).Equal(x.w.DeviceKey(0)) {
		t.Error("wallet keys not deterministic or not distinct")
	}
	n, dk, err := x.w.NextDevice()
	if err != nil || n != 0 || !dk.Equal(x.w.DeviceKey(0)) {
		t.Errorf("NextDevice: %d %v", n, err)
	}
	if n, _, _ := x.w.NextDevice(); n != 1 || len(x.w.Devices()) != 2 {
		t.Errorf("second NextDevice: %d, devices %v", n, x.w.Devices())
	}
	if wallet.DeriveKey(seed, wallet.DeviceLabel(3)).Equal(k) {
		t.Error("device 3 and slot 3 share a key")
	}
}

// The library is registered for resident_seoul only: asking for
// income_decile_le_5 is refused, as is a request not signed by the
// library's registered key; a request within the list is answered with
// exactly the requested claims.
func TestVerifierRequestRefusals(t *testing.T) {
	x := newWorld(t)
	x.stock(3)
	libKey := seedKey(9)
	reg := tx.Verifier{ID: "mapo_library", Key: tx.PubKey(x.pub(libKey)), Name: "Mapo library", Purpose: "membership",
		Claims: []string{"resident_seoul"}, Status: tx.VerifierActive}
	req := wallet.VerifierRequest{Verifier: "mapo_library", Nonce: "n-1", Claims: []string{"resident_seoul", "income_decile_le_5"}}
	req.Sign(libKey)
	_, err := x.w.Present(req, reg, now)
	if err == nil || !strings.Contains(err.Error(), `verifier "mapo_library" asks for claim "income_decile_le_5" outside its registered claims [resident_seoul]`) {
		t.Fatalf("claim outside the list: %v", err)
	}
	req.Claims = []string{"resident_seoul"}
	req.Sign(seedKey(10))
	_, err = x.w.Present(req, reg, now)
	if err == nil || !strings.Contains(err.Error(), "request signature does not verify with verifier \"mapo_library\"'s registered key") {
		t.Fatalf("foreign signature: %v", err)
	}
	// Signed, then altered (claims added after signing).
	req.Sign(libKey)
	req2 := req
	req2.Nonce = "n-2"
	if _, err = x.w.Present(req2, reg, now); err == nil || !strings.Contains(err.Error(), "signature does not verify") {
		t.Fatalf("altered request: %v", err)
	}
	dereg := reg
	dereg.Status = tx.VerifierDeregistered
	if _, err = x.w.Present(req, dereg, now); err == nil || !strings.Contains(err.Error(), "is deregistered") {
		t.Fatalf("deregistered verifier: %v", err)
	}
	if x.w.Unused() != 3 {
		t.Fatalf("a refused request spent a slot: %d unused", x.w.Unused())
	}
	p, err := x.w.Present(req, reg, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Envelopes) != 1 {
		t.Fatalf("%d envelopes", len(p.Envelopes))
	}
	v := verifyEnvelope(t, p.Envelopes[0], x.pub(x.issuer), "mapo_library", "n-1")
	if len(v.Disclosed) != 1 || string(v.Disclosed["resident_seoul"]) != "true" {
		t.Errorf("disclosed %v", v.Disclosed)
	}
}

// A presentation of age_over_65 has one disclosure and no birth date;
// every verifier gets a fresh slot, until none is left.
func TestPresentSingleUse(t *testing.T) {
	x := newWorld(t)
	x.stock(2)
	pk := seedKey(11)
	reg := tx.Verifier{ID: "senior_discount", Key: tx.PubKey(x.pub(pk)), Purpose: "discount", Claims: []string{"age_over_65"}}
	req := wallet.VerifierRequest{Verifier: "senior_discount", Nonce: "abc", Claims: []string{"age_over_65"}}
	req.Sign(pk)
	p1, err := x.w.Present(req, reg, now)
	if err != nil {
		t.Fatal(err)
	}
	e := p1.Envelopes[0]
	if n := strings.Count(e.SDJWT, "~"); n != 2 {
		t.Errorf("presentation has %d disclosures, want 1", n-1)
	}
	v := verifyEnvelope(t, e, x.pub(x.issuer), "senior_discount", "abc")
	if b, ok := v.Bool("age_over_65"); !ok || !b || len(v.Disclosed) != 1 {
		t.Errorf("disclosed %v", v.Disclosed)
	}
	if strings.Contains(string(mustJSON(t, p1)), "1958") {
		t.Error("birth date in the presentation")
	}
	for _, d := range strings.Split(e.SDJWT, "~")[1:2] {
		if b, _ := base64.RawURLEncoding.DecodeString(d); strings.Contains(string(b), "birthdate") {
			t.Error("birthdate disclosure presented")
		}
	}
	// The same verifier again: another slot (single-use copies).
	p2, err := x.w.Present(req, reg, now)
	if err != nil {
		t.Fatal(err)
	}
	v2 := verifyEnvelope(t, p2.Envelopes[0], x.pub(x.issuer), "senior_discount", "abc")
	if v2.Holder.Equal(v.Holder) || v2.Leaf() == v.Leaf() {
		t.Error("second presentation reuses the slot")
	}
	if got := x.w.VerifierSlots("senior_discount"); len(got) != 2 {
		t.Errorf("slots recorded %v", got)
	}
	// Both slots used: a clear refusal.
	_, err = x.w.Present(req, reg, now)
	if !errors.Is(err, wallet.ErrNoUnusedCopy) || !strings.Contains(err.Error(), "no unused copy left: ask the issuer for a new batch") {
		t.Fatalf("exhausted: %v", err)
	}
	// Spent slots survive a reopen.
	w2, err := wallet.Open(x.w.Path(), pin)
	if err != nil {
		t.Fatal(err)
	}
	if w2.Unused() != 0 {
		t.Errorf("reopened: %d unused", w2.Unused())
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// At a facility: the card copy (no claim disclosed) and the required
// claims, all with one slot key, aud "<facility>/<reader>"; the same slot
// on every visit (stable pseudonym), another slot for another facility.
func TestEntryFacilitySlot(t *testing.T) {
	x := newWorld(t)
	x.stock(3)
	if fs := x.w.Facilities(); len(fs) != 0 {
		t.Fatalf("facilities before any visit: %v", fs)
	}
	ch, err := wallet.NewChallenge("pool_mapo", "gate-1", now)
	if err != nil {
		t.Fatal(err)
	}
	r, err := x.w.Entry(ch, []string{"resident_seoul", "age_over_65"}, now)
	if err != nil {
		t.Fatal(err)
	}
	card := verifyEnvelope(t, r.Card, x.pub(x.office), "pool_mapo/gate-1", ch.Nonce)
	if len(card.Disclosed) != 0 || card.Payload.Vct != "citizen_card" || card.Payload.Status.List != x.cardList {
		t.Errorf("card %+v disclosed %v", card.Payload, card.Disclosed)
	}
	if len(r.Claims) != 1 {
		t.Fatalf("%d claim envelopes, want 1 (both claims in one credential)", len(r.Claims))
	}
	cl := verifyEnvelope(t, r.Claims[0], x.pub(x.issuer), "pool_mapo/gate-1", ch.Nonce)
	if len(cl.Disclosed) != 2 || cl.Disclosed["birthdate"] != nil {
		t.Errorf("claims disclosed %v", cl.Disclosed)
	}
	if !cl.Holder.Equal(card.Holder) {
		t.Error("card and claims bound to different slot keys")
	}
	ps, ok := x.w.Pseudonym("pool_mapo")
	if !ok || ps != tx.Pseudonym("pool_mapo", tx.PubKey(card.Holder)) {
		t.Errorf("pseudonym %s", ps)
	}
	// Second visit (new challenge): same slot.
	ch2, _ := wallet.NewChallenge("pool_mapo", "gate-2", now)
	r2, err := x.w.Entry(ch2, []string{"resident_seoul", "age_over_65"}, now)
	if err != nil {
		t.Fatal(err)
	}
	card2 := verifyEnvelope(t, r2.Card, x.pub(x.office), "pool_mapo/gate-2", ch2.Nonce)
	if !card2.Holder.Equal(card.Holder) {
		t.Error("second visit uses another slot")
	}
	// The challenge's nonce is bound: the old response does not answer ch2.
	if _, err := sdjwt.Verify(r.Card.SDJWT, sdjwt.Options{IssuerKey: x.pub(x.office), Aud: ch2.Aud(), Nonce: ch2.Nonce, Now: now}); err == nil {
		t.Error("response replayed to another challenge")
	}
	// Another facility: another slot.
	ch3, _ := wallet.NewChallenge("library_mapo", "desk", now)
	r3, err := x.w.Entry(ch3, []string{"resident_seoul"}, now)
	if err != nil {
		t.Fatal(err)
	}
	card3 := verifyEnvelope(t, r3.Card, x.pub(x.office), "library_mapo/desk", ch3.Nonce)
	if card3.Holder.Equal(card.Holder) {
		t.Error("two facilities share a slot")
	}
	if x.w.Unused() != 1 {
		t.Errorf("%d unused, want 1", x.w.Unused())
	}
	// The facilities visited, sorted, kept in the file.
	if fs := x.w.Facilities(); !slices.Equal(fs, []string{"library_mapo", "pool_mapo"}) {
		t.Errorf("facilities %v, want [library_mapo pool_mapo]", fs)
	}
	if again, err := wallet.Open(x.w.Path(), pin); err != nil {
		t.Fatal(err)
	} else if !slices.Equal(again.Facilities(), x.w.Facilities()) {
		t.Errorf("reopened facilities %v, want %v", again.Facilities(), x.w.Facilities())
	}
	// A facility slot is never given to a verifier.
	pk := seedKey(12)
	reg := tx.Verifier{ID: "v1", Key: tx.PubKey(x.pub(pk)), Claims: []string{"resident_seoul"}}
	req := wallet.VerifierRequest{Verifier: "v1", Nonce: "n", Claims: []string{"resident_seoul"}}
	req.Sign(pk)
	p, err := x.w.Present(req, reg, now)
	if err != nil {
		t.Fatal(err)
	}
	v := verifyEnvelope(t, p.Envelopes[0], x.pub(x.issuer), "v1", "n")
	if v.Holder.Equal(card.Holder) || v.Holder.Equal(card3.Holder) {
		t.Error("verifier got a facility's slot")
	}
	// No slot left for a third facility.
	ch4, _ := wallet.NewChallenge("gym", "door", now)
	if _, err := x.w.Entry(ch4, nil, now); !errors.Is(err, wallet.ErrNoUnusedCopy) {
		t.Errorf("third facility: %v", err)
	}
	// A claim no credential carries is refused for a known facility.
	if _, err := x.w.Entry(ch2, []string{"employed"}, now); err == nil || !strings.Contains(err.Error(), `claim "employed"`) {
		t.Errorf("missing claim: %v", err)
	}
	// Expired credentials are not presented.
	if _, err := x.w.Entry(ch2, []string{"resident_seoul"}, now.AddDate(2, 0, 0)); err == nil || !strings.Contains(err.Error(), "no unexpired credential") {
		t.Errorf("expired credential: %v", err)
	}
	// A malformed challenge.
	bad := ch
	bad.Nonce = "short"
	if _, err := x.w.Entry(bad, nil, now); err == nil || !strings.Contains(err.Error(), "nonce") {
		t.Errorf("bad nonce: %v", err)
	}
}

// A bank asking for spouse_exists gets that field only: no names, no
// resident registration numbers.
func TestCertificatePresentation(t *testing.T) {
	x := newWorld(t)
	req, err := x.w.Request(2)
	if err != nil {
		t.Fatal(err)
	}
	fields := []sdjwt.Claim{
		{Name: "holder_name", Value: "Kim Minji"}, {Name: "holder_rrn", Value: "900101-2345678"},
		{Name: "spouse_exists", Value: true}, {Name: "spouse_name", Value: "Lee Junho"},
		{Name: "children_count", Value: 2}, {Name: "parents_listed", Value: true},
	}
	b, err := wallet.IssueCertificates(wallet.BatchSpec{Key: x.agency, Iss: addr(x.agency), Now: now}, "family_relation",
		wallet.SameClaims(req.HolderKeys, fields))
	if err != nil {
		t.Fatal(err)
	}
	if b.Module != "certificates" || b.Vct != "certificate:family_relation" {
		t.Fatalf("batch %s %s", b.Module, b.Vct)
	}
	if n := x.deliver(b, nil); n != 2 {
		t.Fatalf("imported %d", n)
	}
	p, err := x.w.PresentCertificate(wallet.CertificateRequest{Verifier: "kb_bank", Nonce: "loan-77", Kind: "family_relation", Fields: []string{"spouse_exists"}}, now)
	if err != nil {
		t.Fatal(err)
	}
	e := p.Envelopes[0]
	if e.Module != "certificates" || e.Anchor.ID != x.anchor || e.Anchor.Count != 2 {
		t.Errorf("envelope %+v", e.Anchor)
	}
	if !e.Anchor.Verify(b.Root, strings.Split(e.SDJWT, "~")[0]) {
		t.Error("anchor proof does not verify against the batch root")
	}
	v := verifyEnvelope(t, e, x.pub(x.agency), "kb_bank", "loan-77")
	if len(v.Disclosed) != 1 || string(v.Disclosed["spouse_exists"]) != "true" {
		t.Errorf("disclosed %v", v.Disclosed)
	}
	if v.Payload.Exp != 0 || v.Payload.Status != nil {
		t.Errorf("certificate has exp %d / status %v", v.Payload.Exp, v.Payload.Status)
	}
	all := string(mustJSON(t, p))
	for _, secret := range []string{"Kim", "Lee", "900101", "holder_name", "holder_rrn", "spouse_name"} {
		if strings.Contains(all, secret) {
			t.Errorf("presentation carries %q", secret)
		}
		for _, d := range strings.Split(e.SDJWT, "~") {
			if b, err := base64.RawURLEncoding.DecodeString(d); err == nil && strings.Contains(string(b), secret) {
				t.Errorf("presentation part carries %q", secret)
			}
		}
	}
	// A field the certificate lacks.
	_, err = x.w.PresentCertificate(wallet.CertificateRequest{Verifier: "kb_bank", Nonce: "x", Kind: "family_relation", Fields: []string{"income"}}, now)
	if !errors.Is(err, wallet.ErrNoUnusedCopy) {
		t.Errorf("unknown field: %v", err)
	}
}

// Import refuses a copy for a key that is not one of the wallet's slots,
// a wrong Merkle path and a tampered disclosure; nothing is added then.
func TestImportChecks(t *testing.T) {
	x := newWorld(t)
	req, _ := x.w.Request(2)
	stranger := tx.PubKey(x.pub(seedKey(40)))
	spec := wallet.BatchSpec{Key: x.issuer, Iss: addr(x.issuer), Vct: "seoul_benefits", Now: now, Exp: now.AddDate(1, 0, 0)}
	b, err := wallet.IssueBatch(spec, wallet.SameClaims(append(req.HolderKeys, stranger), benefitClaims))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := b.Delivery(1, nil)
	if _, err := x.w.Import(d); err == nil || !strings.Contains(err.Error(), "copy 2: holder key") || !strings.Contains(err.Error(), "not a slot of this wallet") {
		t.Fatalf("stranger's copy: %v", err)
	}
	d, _ = b.Delivery(1, req.HolderKeys)
	d.Copies[1].Path = d.Copies[0].Path
	if _, err := x.w.Import(d); err == nil || !strings.Contains(err.Error(), "anchor: Merkle path") {
		t.Fatalf("wrong path: %v", err)
	}
	d, _ = b.Delivery(1, req.HolderKeys)
	parts := strings.Split(d.Copies[0].SDJWT, "~")
	raw, _ := base64.RawURLEncoding.DecodeString(parts[2]) // age_over_65
	var arr []any
	_ = json.Unmarshal(raw, &arr)
	arr[2] = false
	raw, _ = json.Marshal(arr)
	parts[2] = base64.RawURLEncoding.EncodeToString(raw)
	d.Copies[0].SDJWT = strings.Join(parts, "~")
	if _, err := x.w.Import(d); err == nil || !strings.Contains(err.Error(), "not in _sd") {
		t.Fatalf("tampered disclosure: %v", err)
	}
	d, _ = b.Delivery(1, req.HolderKeys)
	parts = strings.Split(d.Copies[0].SDJWT, "~")
	parts[1] = parts[2]
	d.Copies[0].SDJWT = strings.Join(parts, "~")
	if _, err := x.w.Import(d); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Fatalf("tampered: %v", err)
	}
	if len(x.w.Documents()) != 0 {
		t.Fatal("a refused delivery added copies")
	}
	d, _ = b.Delivery(0, req.HolderKeys)
	if _, err := x.w.Import(d); err == nil || !strings.Contains(err.Error(), "anchor 0") {
		t.Fatalf("unanchored delivery: %v", err)
	}
	d, _ = b.Delivery(1, req.HolderKeys)
	if n, err := x.w.Import(d); err != nil || n != 2 {
		t.Fatalf("good delivery: %d %v", n, err)
	}
	if n, err := x.w.Import(d); err != nil || n != 0 {
		t.Fatalf("same delivery again: %d %v", n, err)
	}
	if _, err := b.Delivery(1, []tx.PubKey{tx.PubKey(x.pub(seedKey(41)))}); err == nil {
		t.Error("delivery for a key without a copy")
	}
}

// A card batch carries per-copy commitments (tx.CardCommitment over the
// copy's list and index with a fresh salt) and reveals that open them;
// the holder keeps the reveals for identity/suspend.
func TestCardBatchCommitments(t *testing.T) {
	x := newWorld(t)
	req, _ := x.w.Request(4)
	b, err := wallet.IssueCardBatch(wallet.BatchSpec{Key: x.office, Iss: addr(x.office), Now: now, Exp: now.AddDate(5, 0, 0),
		List: x.cardList, Alloc: x.cardAlloc}, wallet.SameClaims(req.HolderKeys, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Commitments) != 4 || len(b.Reveals) != 4 {
		t.Fatalf("%d commitments, %d reveals", len(b.Commitments), len(b.Reveals))
	}
	for i, c := range b.Copies {
		r := b.Reveals[i]
		var salt [tx.CardSaltLen]byte
		copy(salt[:], r.Salt)
		if r.List != x.cardList || r.Idx != c.Status.Idx || b.Commitments[i] != tx.CardCommitment(x.cardList, c.Status.Idx, salt) {
			t.Errorf("copy %d: commitment does not open to its index", i)
		}
		if slices.Contains(b.Commitments[:i], b.Commitments[i]) {
			t.Errorf("copy %d: commitment repeated", i)
		}
	}
	x.deliver(b, nil)
	if got := x.w.Reveals(); len(got) != 4 || got[2].Hash() != b.Commitments[2] {
		t.Errorf("wallet reveals %v", got)
	}
	// A card batch needs the suspension list.
	if _, err := wallet.IssueCardBatch(wallet.BatchSpec{Key: x.office, Iss: addr(x.office), Now: now, Exp: now.AddDate(5, 0, 0)},
		wallet.SameClaims(req.HolderKeys, nil)); err == nil || !strings.Contains(err.Error(), "suspension list") {
		t.Errorf("card batch without list: %v", err)
	}
}

// 10,000 certificates in one batch: every copy gets its own path under
// one root.
func TestCertificateBatch10000(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	const n = 10_000
	items := make([]wallet.Item, n)
	for i := range items {
		s := make([]byte, 32)
		s[0], s[1], s[2] = byte(i), byte(i>>8), 0xc1
		items[i] = wallet.Item{HolderKey: tx.PubKey(ed25519.NewKeyFromSeed(s).Public().(ed25519.PublicKey)),
			Claims: []sdjwt.Claim{{Name: "holder_name", Value: "citizen"}, {Name: "spouse_exists", Value: i%2 == 0}}}
	}
	agency := seedKey(3)
	start := time.Now()
	b, err := wallet.IssueCertificates(wallet.BatchSpec{Key: agency, Iss: addr(agency), Now: now}, "family_relation", items)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("issued %d certificates in %v", n, time.Since(start))
	if b.Count != n || len(b.Copies) != n {
		t.Fatalf("count %d", b.Count)
	}
	for _, i := range []int{0, 1, 4095, 8192, n - 1} {
		c := b.Copies[i]
		if !tx.VerifyMerklePath(b.Root, c.Leaf[:], c.Index, n, c.Path) {
			t.Errorf("copy %d: path does not verify", i)
		}
	}
}
