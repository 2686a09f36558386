package verify_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/verify"
	"github.com/citychain/citychain/chain/wallet"
)

// The accounts of the verifier tests, besides the demo accounts.
var (
	accreditor = apptest.NewKey("verify/accreditor")
	office     = apptest.NewKey("verify/registration-office")
	issuer     = apptest.NewKey("verify/welfare-office") // issues residency
	facReg     = apptest.NewKey("verify/facility-registrar")
	certReg    = apptest.NewKey("verify/certificate-registrar")
	court      = apptest.NewKey("verify/family-court") // the family_relation agency
	courtKey   = apptest.NewKey("verify/family-court-signing-key")
	libApp     = apptest.NewKey("verify/library-app") // a registered verifier's key
	bankApp    = apptest.NewKey("verify/bank-app")
)

// The facilities, verifiers, schemas and lists of the world.
const (
	library   = "mapo-library"    // requires resident_seoul
	pool      = "gangnam-pool"    // requires nothing, accepts tokens
	seniors   = "jongno-seniors"  // requires resident_seoul and age_over_65
	later     = "seongdong-youth" // registered after the cards were issued
	verifier  = "library-app"     // may ask resident_seoul
	bankID    = "hana-bank"       // may ask resident_seoul, income_decile_le_5
	residency = "residency"
	family    = "family_relation"
)

func accounts() []apptest.Account {
	coins := []tx.Coin{apptest.SCN(10)}
	return append(apptest.DemoAccounts(),
		apptest.Account{Key: accreditor, Roles: []string{tx.RoleAccreditor}, Coins: coins},
		apptest.Account{Key: office, Roles: []string{tx.RoleRegistrationOffice}, Coins: coins},
		apptest.Account{Key: issuer, Coins: coins},
		apptest.Account{Key: facReg, Roles: []string{tx.RoleFacilityRegistrar}, Coins: coins},
		apptest.Account{Key: certReg, Roles: []string{tx.RoleCertificateRegistrar}, Coins: coins},
		apptest.Account{Key: court, Coins: coins},
	)
}

// world is a chain with the card, residency and family-certificate
// machinery set up, and one citizen's wallet holding card copies and
// residency credentials for every slot.
type world struct {
	t       testing.TB
	h       *apptest.Harness
	src     *harnessSource
	dir     string
	cards   string // the office's card list
	resList string // the issuer's residency list
	w       *wallet.Wallet
	device  ed25519.PrivateKey
	card    *wallet.Batch
	res     *wallet.Batch
	resID   uint64 // the residency anchor
}

// now is the reader's clock: the next block's time (a few seconds after
// the last block).
func (w *world) now() time.Time { return w.h.BlockTime(w.h.Height + 1) }

func (w *world) run(what string, k apptest.Key, msgs ...tx.Msg) *apptest.Block {
	w.t.Helper()
	b := w.h.Block(w.h.Sign(k, msgs...))
	if res := b.TxResult(0); res.Code != 0 {
		w.t.Fatalf("%s: code %s/%d: %s", what, res.Codespace, res.Code, res.Log)
	}
	return b
}

func (w *world) attr(b *apptest.Block, typ, key string) uint64 {
	w.t.Helper()
	v, ok := apptest.Attr(b.TxResult(0).Events, typ, key)
	if !ok {
		w.t.Fatalf("no %s.%s event", typ, key)
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

// newWorld sets up the world: schemas citizen_card and residency, the
// office accredited for cards and the welfare office for residency, their
// lists, two verifiers, three facilities, the family certificate kind and
// its agency key; then one citizen registered with 6 card copies and 6
// residency copies (all claims true but age_over_65).
func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{t: t, h: apptest.New(t, apptest.Options{Accounts: accounts()}), dir: t.TempDir()}
	w.src = &harnessSource{h: w.h}
	w.cards = tx.StatusListID(office.Addr, "cards")
	w.resList = tx.StatusListID(issuer.Addr, "residency")
	from := w.now()
	w.run("schemas", accreditor,
		&tx.MsgCredentialRegisterSchema{ID: wallet.VctCard, Name: "Seoul citizen card", Claims: []string{"name", "birth_date"}},
		&tx.MsgCredentialRegisterSchema{ID: residency, Name: "Seoul residency", Claims: []string{"resident_seoul", "age_over_65", "income_decile_le_5"}},
		&tx.MsgCredentialAccredit{Issuer: office.Addr, Schema: wallet.VctCard, From: from},
		&tx.MsgCredentialAccredit{Issuer: issuer.Addr, Schema: residency, From: from},
		&tx.MsgCredentialRegisterVerifier{ID: verifier, Key: libApp.Pub, Name: "Mapo library app", Purpose: "library membership for residents", Claims: []string{"resident_seoul"}},
		&tx.MsgCredentialRegisterVerifier{ID: bankID, Key: bankApp.Pub, Name: "Hana bank", Purpose: "low-income savings account", Claims: []string{"resident_seoul", "income_decile_le_5"}},
	)
	w.run("office list", office, &tx.MsgCredentialCreateList{Name: "cards", Purpose: tx.StatusSuspension, Size: tx.MinStatusListSize})
	w.run("issuer list", issuer, &tx.MsgCredentialCreateList{Name: "residency", Purpose: tx.StatusRevocation, Size: tx.MinStatusListSize})
	w.run("facilities", facReg,
		&tx.MsgIdentityRegisterFacility{ID: library, Name: "Mapo library", Kind: "library", Claims: []string{"resident_seoul"}},
		&tx.MsgIdentityRegisterFacility{ID: pool, Name: "Gangnam pool", Kind: "pool", AcceptsTokens: true},
		&tx.MsgIdentityRegisterFacility{ID: seniors, Name: "Jongno seniors' centre", Kind: "seniors_centre", Claims: []string{"resident_seoul", "age_over_65"}},
	)
	w.run("kind", certReg, &tx.MsgCertificateRegisterKind{ID: family, Name: "family relation", Agency: court.Addr, ValidityDays: 90,
		Fields: []string{"holder_name", "spouse_exists", "spouse_name", "children_count"}})
	w.run("agency key", court, &tx.MsgCertificateAddKey{Key: courtKey.Pub})

	var err error
	if w.w, err = wallet.Create(filepath.Join(w.dir, "wallet.json"), "4821"); err != nil {
		t.Fatal(err)
	}
	w.device = w.w.DeviceKey(0)
	req, err := w.w.Request(12)
	if err != nil {
		t.Fatal(err)
	}
	w.card = w.issueCard(req.HolderKeys)
	w.res, w.resID = w.issueResidency(req.HolderKeys, false)
	return w
}

func (w *world) alloc(name string) *wallet.Allocator {
	a, err := wallet.OpenAllocator(filepath.Join(w.dir, name+".alloc"), tx.MinStatusListSize)
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

// issueCard issues card copies to keys, anchors them, registers the
// identity (first time) or adds the copies, and imports them.
func (w *world) issueCard(keys []tx.PubKey) *wallet.Batch {
	w.t.Helper()
	spec := wallet.BatchSpec{Key: office.Priv, Iss: office.Addr.String(), Now: w.now(), Exp: w.now().AddDate(1, 0, 0), List: w.cards, Alloc: w.alloc("cards")}
	b, err := wallet.IssueCardBatch(spec, wallet.SameClaims(keys, []sdjwt.Claim{{Name: "name", Value: "Kim Minji"}, {Name: "birth_date", Value: "1990-04-02"}}))
	if err != nil {
		w.t.Fatal(err)
	}
	anchor := &tx.MsgCredentialAnchor{Schema: wallet.VctCard, Root: b.Root, Count: b.Count}
	var blk *apptest.Block
	if w.w.Identity() == "" {
		blk = w.run("card", office, anchor, &tx.MsgIdentityRegister{DeviceKey: tx.PubKey(w.device.Public().(ed25519.PublicKey)), CardList: w.cards, Commitments: b.Commitments})
		if err := w.w.SetIdentity(tx.PubKey(w.device.Public().(ed25519.PublicKey)).Address().String()); err != nil {
			w.t.Fatal(err)
		}
	} else {
		id, _ := tx.ParseAddress(w.w.Identity())
		blk = w.run("card", office, anchor, &tx.MsgIdentityAddCardCopies{ID: id, Commitments: b.Commitments})
	}
	w.deliver(b, w.attr(blk, "credentials.anchored", "id"))
	return b
}

// issueResidency issues residency copies to keys (age_over_65 as given)
// and anchors and imports them.
func (w *world) issueResidency(keys []tx.PubKey, over65 bool) (*wallet.Batch, uint64) {
	w.t.Helper()
	spec := wallet.BatchSpec{Key: issuer.Priv, Iss: issuer.Addr.String(), Vct: residency, Now: w.now(), Exp: w.now().AddDate(0, 6, 0), List: w.resList, Alloc: w.alloc("residency")}
	b, err := wallet.IssueBatch(spec, wallet.SameClaims(keys, []sdjwt.Claim{{Name: "resident_seoul", Value: true}, {Name: "age_over_65", Value: over65}, {Name: "income_decile_le_5", Value: true}}))
	if err != nil {
		w.t.Fatal(err)
	}
	blk := w.run("residency", issuer, &tx.MsgCredentialAnchor{Schema: residency, Root: b.Root, Count: b.Count})
	id := w.attr(blk, "credentials.anchored", "id")
	w.deliver(b, id)
	return b, id
}

func (w *world) deliver(b *wallet.Batch, anchor uint64) {
	w.t.Helper()
	d, err := b.Delivery(anchor, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.w.Import(d); err != nil {
		w.t.Fatal(err)
	}
}

// facility reads a facility's record.
func (w *world) facility(id string) tx.Facility {
	w.t.Helper()
	if _, err := w.src.Head(context.Background(), w.now()); err != nil {
		w.t.Fatal(err)
	}
	f, err := w.src.Facility(context.Background(), id)
	if err != nil || f == nil {
		w.t.Fatalf("facility %s: %v %v", id, f, err)
	}
	return *f
}

// respond has the wallet answer a reader's fresh challenge at facility.
func (w *world) respond(facility, reader string, now time.Time) (wallet.Challenge, *wallet.EntryResponse) {
	w.t.Helper()
	ch, err := verify.NewChallenge(facility, reader, now)
	if err != nil {
		w.t.Fatal(err)
	}
	resp, err := w.w.Entry(ch, w.facility(facility).Claims, now)
	if err != nil {
		w.t.Fatal(err)
	}
	return ch, resp
}

// harnessSource is a verify.Source over the harness's queries (the test
// chain has no RPC endpoint): the same query paths and answers
// chain/client reads, at the harness's last committed height.
type harnessSource struct {
	h      *apptest.Harness
	height int64
}

var _ verify.Source = (*harnessSource)(nil)

func (s *harnessSource) Head(_ context.Context, _ time.Time) (verify.Head, error) {
	s.height = s.h.Height
	return verify.Head{ChainID: apptest.ChainID, Height: s.height, Time: s.h.BlockTime(s.height)}, nil
}

// get runs a query at the pinned height; nil when absent.
func (s *harnessSource) get(path string, data []byte) ([]byte, error) {
	res := s.h.Query(path, data, s.height, false)
	if tx.CodeAppNotFound.Matches(res.Codespace, res.Code) {
		return nil, nil
	}
	if res.Code != 0 {
		return nil, fmt.Errorf("query %s %s: %s code %d: %s", path, data, res.Codespace, res.Code, res.Log)
	}
	return res.Value, nil
}

func getJSON[T any](s *harnessSource, path string, data []byte) (*T, error) {
	b, err := s.get(path, data)
	if b == nil || err != nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, err
	}
	return v, nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func (s *harnessSource) Accreditation(_ context.Context, issuer tx.Address, schema string) (*tx.Accreditation, error) {
	return getJSON[tx.Accreditation](s, "/credentials/accreditation", mustJSON(tx.AccreditationRequest{Issuer: issuer, Schema: schema}))
}

func (s *harnessSource) CredentialAnchor(_ context.Context, id uint64) (*tx.CredentialAnchor, error) {
	return getJSON[tx.CredentialAnchor](s, "/credentials/anchor", []byte(strconv.FormatUint(id, 10)))
}

func (s *harnessSource) StatusList(_ context.Context, list string) (*tx.StatusList, error) {
	return getJSON[tx.StatusList](s, "/credentials/list", []byte(list))
}

func (s *harnessSource) StatusBit(_ context.Context, list string, idx uint32) (bool, error) {
	chunk, _, _ := tx.StatusBit(idx)
	b, err := s.get("/credentials/status_chunk", mustJSON(tx.StatusChunkRequest{List: list, Chunk: chunk}))
	return b != nil && tx.StatusBitSet(b, idx), err
}

func (s *harnessSource) Verifier(_ context.Context, id string) (*tx.Verifier, error) {
	return getJSON[tx.Verifier](s, "/credentials/verifier", []byte(id))
}

func (s *harnessSource) CertificateAnchor(_ context.Context, id uint64) (*tx.CertificateAnchor, error) {
	return getJSON[tx.CertificateAnchor](s, "/certificates/anchor", []byte(strconv.FormatUint(id, 10)))
}

func (s *harnessSource) Agency(_ context.Context, addr tx.Address) (*tx.Agency, error) {
	return getJSON[tx.Agency](s, "/certificates/agency", []byte(addr.String()))
}

func (s *harnessSource) AgencyKey(_ context.Context, key tx.PubKey) (*tx.AgencyKey, error) {
	return getJSON[tx.AgencyKey](s, "/certificates/key", []byte(key.String()))
}

func (s *harnessSource) Revocation(_ context.Context, leaf tx.Hash32) (*tx.Revocation, error) {
	return getJSON[tx.Revocation](s, "/certificates/revocation", []byte(leaf.String()))
}

func (s *harnessSource) Facility(_ context.Context, id string) (*tx.Facility, error) {
	return getJSON[tx.Facility](s, "/identity/facility", []byte(id))
}

func (s *harnessSource) Bar(_ context.Context, facility string, pseudonym tx.Hash32) (*tx.Bar, error) {
	return getJSON[tx.Bar](s, "/identity/barred", mustJSON(tx.BarredRequest{Facility: facility, Pseudonym: pseudonym}))
}
