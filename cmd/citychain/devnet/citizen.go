package devnet

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/verify"
	"github.com/citychain/citychain/chain/wallet"
	"github.com/citychain/citychain/edge/atomicfile"
)

// The devnet's citizen story (docs/citizen-services.md): the accreditor
// registers the citizen_card and residency schemas, accredits the office
// and the welfare office and registers the library's verifier; the records
// registrar registers the certificate kinds of the court; the culture
// department registers a library and a pool. A demo citizen's wallet
// (HOME/citizen/wallet.json, PIN in HOME/citizen/pin: a demo, not how a
// phone keeps it) receives a citizen card, a residency credential and a
// family relation certificate; the citizen enters the library and the pool
// under two pseudonyms, then a youth centre registered afterwards with no
// enrolment; the wallet refuses the library's verifier a claim outside its
// purpose and answers one inside it; a bank checks spouse_exists on the
// certificate and learns nothing else; finally the welfare office revokes
// the residency credential and the pool refuses the citizen. What each
// step saw is written to HOME/citizen/story.json.
const (
	// DemoLibrary, DemoPool and DemoYouthCentre are the story's facilities.
	DemoLibrary     = "mapo-library"
	DemoPool        = "jamsil-pool"
	DemoYouthCentre = "mapo-youth-centre"
	// DemoLendingVerifier is the library's registered verifier.
	DemoLendingVerifier = "library-lending"
	// DemoBankVerifier is the bank checking a family relation certificate.
	DemoBankVerifier = "kbank-loans"
	// demoPIN unlocks the demo citizen's wallet.
	demoPIN = "2580"
	// demoCopies is the size of the citizen's batch of single-use copies.
	demoCopies = 10
	// Status lists of the office (card copies) and the welfare office.
	demoCardList      = "cards"
	demoResidencyList = "residency"
)

// StoryReport is what the citizen story saw, written to
// HOME/citizen/story.json once it is done.
type StoryReport struct {
	Identity tx.Address `json:"identity"`
	// Pseudonyms are the citizen's pseudonyms at the three facilities.
	Pseudonyms map[string]tx.Hash32 `json:"pseudonyms"`
	// RefusedByWallet is the wallet's error for the library verifier's
	// request of a claim outside its purpose.
	RefusedByWallet string `json:"refused_by_wallet"`
	// Presentation is the library verifier's verdict on resident_seoul.
	Presentation *verify.PresentationResult `json:"presentation"`
	// Certificate is the bank's verdict on the family relation certificate.
	Certificate *verify.CertificateResult `json:"certificate"`
	// RevokedEntry is the pool's decision after the residency credential
	// was revoked.
	RevokedEntry *verify.EntryResult `json:"revoked_entry"`
}

// CitizenDir is where a devnet home keeps the citizen story's files.
func CitizenDir(home string) string { return filepath.Join(home, "citizen") }

// citizenStory plays the accreditor, the office, the welfare office, the
// registrar of certificate kinds, the court, the culture department, the
// readers, the verifiers and the demo citizen.
type citizenStory struct {
	s   *System
	c   *client.Client
	kr  *keyring.Keyring
	dir string
	log *slog.Logger
}

// PlayCitizenStory plays the citizen story once, to its end, on the devnet
// of home through c, printing its steps to out (what `citychain devnet`
// runs in the background; tests and the README's walk-through build on it).
func PlayCitizenStory(ctx context.Context, home string, c *client.Client, out io.Writer, log *slog.Logger) error {
	s := &System{cfg: Config{Home: home, Out: out, Logger: log}}
	st, err := s.newCitizenStory(c)
	if err != nil {
		return err
	}
	return st.play(ctx)
}

func (s *System) newCitizenStory(c *client.Client) (*citizenStory, error) {
	dir := CitizenDir(s.cfg.Home)
	kr, err := s.openStory(dir)
	if err != nil {
		return nil, err
	}
	return &citizenStory{s: s, c: c, kr: kr, dir: dir, log: s.cfg.Logger.With("part", "citizen")}, nil
}

// openStory opens the devnet's keyring for a story and creates the
// story's folder dir (its files and story.json).
func (s *System) openStory(dir string) (*keyring.Keyring, error) {
	kr, err := keyring.Open(node.KeyringDir(s.cfg.Home))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return kr, nil
}

// submitStory sends msgs signed by priv (the key of who) with memo and
// waits up to 30 s for them to commit; an error names the first message
// and who sent it.
func submitStory(ctx context.Context, c *client.Client, priv ed25519.PrivateKey, memo, who string, msgs ...tx.Msg) (*client.TxResult, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := c.Submit(ctx, priv, memo, msgs...)
	if err != nil {
		return nil, fmt.Errorf("%s by %s: %w", msgs[0].Type(), who, err)
	}
	return res, nil
}

// playStory plays a story (its name in logs: "citizen", "registry",
// "voting") with play, retrying a failed step every few seconds, until it
// is done or ctx ends. It plays nothing when the devnet home lacks one of
// keys (a home made before the story existed) or when dir already holds
// the story's story.json. A restarted devnet continues where it stopped:
// each step first reads the chain and the story's files.
func playStory(ctx context.Context, name string, kr *keyring.Keyring, dir string, keys []string, log *slog.Logger, play func(context.Context) error) error {
	for _, k := range keys {
		if _, err := kr.Get(k); err != nil {
			log.Warn("this devnet home has no key for the "+name+" story; create a new home to see it", "key", k, "err", err)
			return nil
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "story.json")); err == nil {
		return nil
	}
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		err := play(ctx)
		if ctx.Err() != nil || err == nil {
			return nil
		}
		log.Warn(name+" story", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// run plays the story through playStory.
func (st *citizenStory) run(ctx context.Context) error {
	return playStory(ctx, "citizen", st.kr, st.dir, []string{"accreditor", "office", "welfare", "records", "court", "culture", "library", "kbank"}, st.log, st.play)
}

// say prints one line of the story to the devnet's output.
func (st *citizenStory) say(format string, args ...any) {
	fmt.Fprintf(st.s.cfg.Out, "citizen: "+format+"\n", args...)
}

func (st *citizenStory) key(name string) (ed25519.PrivateKey, tx.Address, error) {
	k, err := st.kr.Get(name)
	if err != nil {
		return nil, tx.Address{}, err
	}
	return k.Private, k.Address, nil
}

func (st *citizenStory) submit(ctx context.Context, name string, msgs ...tx.Msg) (*client.TxResult, error) {
	priv, _, err := st.key(name)
	if err != nil {
		return nil, err
	}
	return submitStory(ctx, st.c, priv, "devnet citizen", name, msgs...)
}

// storyBase is what the labour and voting stories share: the system, the
// client, the story's keyring and folder, its logger, and its name (the
// prefix of its lines and of its transactions' memo).
type storyBase struct {
	s    *System
	c    *client.Client
	kr   *keyring.Keyring
	dir  string
	log  *slog.Logger
	part string
}

func (s *System) storyBase(part string, c *client.Client, kr *keyring.Keyring, dir string) storyBase {
	return storyBase{s: s, c: c, kr: kr, dir: dir, log: s.cfg.Logger.With("part", part), part: part}
}

// say prints one line of the story to the devnet's output.
func (st *storyBase) say(format string, args ...any) {
	fmt.Fprintf(st.s.cfg.Out, st.part+": "+format+"\n", args...)
}

func (st *storyBase) key(name string) (*keyring.Key, error) { return st.kr.Get(name) }

func (st *storyBase) addr(name string) (tx.Address, error) {
	k, err := st.key(name)
	if err != nil {
		return tx.Address{}, err
	}
	return k.Address, nil
}

// submitAs sends msgs signed by the story's key name.
func (st *storyBase) submitAs(ctx context.Context, name string, msgs ...tx.Msg) (*client.TxResult, error) {
	k, err := st.key(name)
	if err != nil {
		return nil, err
	}
	return submitStory(ctx, st.c, k.Private, "devnet "+st.part, name, msgs...)
}

// play runs every step not done yet.
func (st *citizenStory) play(ctx context.Context) error {
	if err := st.registries(ctx); err != nil {
		return err
	}
	w, err := st.wallet()
	if err != nil {
		return err
	}
	if err := st.issue(ctx, w); err != nil {
		return err
	}
	return st.visits(ctx, w)
}

// registries registers what the services need, skipping what exists.
func (st *citizenStory) registries(ctx context.Context) error {
	_, office, err := st.key("office")
	if err != nil {
		return err
	}
	_, welfare, err := st.key("welfare")
	if err != nil {
		return err
	}
	_, court, err := st.key("court")
	if err != nil {
		return err
	}
	libKey, _, err := st.key("library")
	if err != nil {
		return err
	}
	bankKey, _, err := st.key("kbank")
	if err != nil {
		return err
	}
	var msgs []tx.Msg
	schemas := []tx.MsgCredentialRegisterSchema{
		{ID: wallet.VctCard, Name: "Seoul citizen card", Claims: []string{"card_holder"}},
		{ID: "residency", Name: "Residency and eligibility", Claims: []string{"resident_seoul", "age_over_65", "income_decile_le_5", "employed"}},
	}
	for i := range schemas {
		if s, _, err := st.c.CredentialSchema(ctx, schemas[i].ID, client.ReadOpts{}); err != nil {
			return err
		} else if s == nil {
			msgs = append(msgs, &schemas[i])
		}
	}
	now := time.Now().UTC().Truncate(time.Second).Add(-time.Minute)
	for _, a := range []struct {
		issuer tx.Address
		schema string
	}{{office, wallet.VctCard}, {welfare, "residency"}} {
		acc, _, err := st.c.CredentialAccreditation(ctx, a.issuer, a.schema, client.ReadOpts{})
		if err != nil {
			return err
		}
		if acc == nil || len(acc.Windows) == 0 {
			msgs = append(msgs, &tx.MsgCredentialAccredit{Issuer: a.issuer, Schema: a.schema, From: now})
		}
	}
	for _, v := range []tx.MsgCredentialRegisterVerifier{
		{ID: DemoLendingVerifier, Key: tx.PubKey(libKey.Public().(ed25519.PublicKey)), Name: "Mapo library lending",
			Purpose: "lend books to Seoul residents", Claims: []string{"resident_seoul"}},
		{ID: DemoBankVerifier, Key: tx.PubKey(bankKey.Public().(ed25519.PublicKey)), Name: "KBank loans",
			Purpose: "household loan eligibility", Claims: []string{"employed"}},
	} {
		if r, _, err := st.c.CredentialVerifier(ctx, v.ID, client.ReadOpts{}); err != nil {
			return err
		} else if r == nil {
			msgs = append(msgs, &v)
		}
	}
	if len(msgs) > 0 {
		if _, err := st.submit(ctx, "accreditor", msgs...); err != nil {
			return err
		}
		st.say("schemas citizen_card and residency registered, office and welfare accredited, verifiers %s and %s registered",
			DemoLendingVerifier, DemoBankVerifier)
	}

	msgs = msgs[:0]
	for _, k := range tx.DevnetKinds(court) {
		if r, _, err := st.c.CertificateKind(ctx, k.ID, client.ReadOpts{}); err != nil {
			return err
		} else if r == nil {
			msgs = append(msgs, &tx.MsgCertificateRegisterKind{ID: k.ID, Name: k.Name, Agency: k.Agency, ValidityDays: k.ValidityDays, Fields: k.Fields})
		}
	}
	if len(msgs) > 0 {
		if _, err := st.submit(ctx, "records", msgs...); err != nil {
			return err
		}
		st.say("%d certificate kinds registered (family_relation, resident_abstract, ...), issued by the court", len(msgs))
	}
	courtKey, _, _ := st.key("court")
	ck := tx.PubKey(courtKey.Public().(ed25519.PublicKey))
	if r, _, err := st.c.AgencyKey(ctx, ck, client.ReadOpts{}); err != nil {
		return err
	} else if r == nil {
		if _, err := st.submit(ctx, "court", &tx.MsgCertificateAddKey{Key: ck}); err != nil {
			return err
		}
	}

	for _, l := range []struct {
		owner, name, purpose string
		addr                 tx.Address
	}{{"office", demoCardList, tx.StatusSuspension, office}, {"welfare", demoResidencyList, tx.StatusRevocation, welfare}} {
		if r, _, err := st.c.StatusList(ctx, tx.StatusListID(l.addr, l.name), client.ReadOpts{}); err != nil {
			return err
		} else if r == nil {
			if _, err := st.submit(ctx, l.owner, &tx.MsgCredentialCreateList{Name: l.name, Purpose: l.purpose, Size: tx.MinStatusListSize}); err != nil {
				return err
			}
		}
	}
	return st.facilities(ctx, DemoLibrary, DemoPool)
}

// facilities registers the named facilities that are not registered yet.
func (st *citizenStory) facilities(ctx context.Context, ids ...string) error {
	all := map[string]tx.MsgIdentityRegisterFacility{
		DemoLibrary:     {ID: DemoLibrary, Name: "Mapo-gu Public Library", Kind: "library", Claims: []string{"resident_seoul"}},
		DemoPool:        {ID: DemoPool, Name: "Jamsil Public Pool", Kind: "pool", Claims: []string{"resident_seoul"}, AcceptsTokens: true},
		DemoYouthCentre: {ID: DemoYouthCentre, Name: "Mapo Youth Centre", Kind: "youth_centre", Claims: []string{"resident_seoul"}},
	}
	for _, id := range ids {
		f, _, err := st.c.Facility(ctx, id, client.ReadOpts{})
		if err != nil {
			return err
		}
		if f != nil {
			continue
		}
		m := all[id]
		if _, err := st.submit(ctx, "culture", &m); err != nil {
			return err
		}
		st.say("facility %s registered (kind %s, requires %s, accepts printed tokens: %v)", id, m.Kind, strings.Join(m.Claims, ", "), m.AcceptsTokens)
	}
	return nil
}

// wallet opens the demo citizen's wallet, creating it (and its PIN file)
// the first time.
func (st *citizenStory) wallet() (*wallet.Wallet, error) {
	path, pinFile := filepath.Join(st.dir, "wallet.json"), filepath.Join(st.dir, "pin")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(pinFile, []byte(demoPIN+"\n"), 0o600); err != nil {
			return nil, err
		}
		return wallet.Create(path, demoPIN)
	}
	return wallet.Open(path, demoPIN)
}

// held reports whether the wallet holds a copy of vct.
func held(w *wallet.Wallet, vct string) []wallet.Document {
	var out []wallet.Document
	for _, d := range w.Documents() {
		if d.Vct == vct {
			out = append(out, d)
		}
	}
	return out
}

// issue gives the citizen a card (registering the identity), a residency
// credential on the same slots, and a family relation certificate.
func (st *citizenStory) issue(ctx context.Context, w *wallet.Wallet) error {
	var req wallet.HolderRequest
	var err error
	if cards := held(w, wallet.VctCard); len(cards) == 0 {
		if req, err = w.Request(demoCopies); err != nil {
			return err
		}
		if err := st.issueCard(ctx, w, req); err != nil {
			return err
		}
	}
	if len(held(w, "residency")) == 0 {
		var slots []uint32
		for _, d := range held(w, wallet.VctCard) {
			slots = append(slots, d.Slot)
		}
		if req, err = w.RequestSlots(slots); err != nil {
			return err
		}
		if err := st.issueResidency(ctx, w, req); err != nil {
			return err
		}
	}
	if len(held(w, wallet.CertificateVct("family_relation"))) == 0 {
		if req, err = w.Request(1); err != nil {
			return err
		}
		if err := st.issueCertificate(ctx, w, req); err != nil {
			return err
		}
	}
	return nil
}

// deliver has issuer send the batch's anchor (with msgs), reads the
// anchor's id from its event, and imports the batch into the wallet.
func (st *citizenStory) deliver(ctx context.Context, w *wallet.Wallet, issuer string, b *wallet.Batch, event string, msgs ...tx.Msg) (*wallet.Delivery, error) {
	res, err := st.submit(ctx, issuer, msgs...)
	if err != nil {
		return nil, err
	}
	anchor, err := res.ID(event)
	if err != nil {
		return nil, err
	}
	d, err := b.Delivery(anchor, nil)
	if err != nil {
		return nil, err
	}
	if _, err := w.Import(d); err != nil {
		return nil, err
	}
	return d, nil
}

func (st *citizenStory) allocator(list string) (*wallet.Allocator, error) {
	return wallet.OpenAllocator(filepath.Join(st.dir, "alloc-"+list+".bin"), tx.MinStatusListSize)
}

func (st *citizenStory) issueCard(ctx context.Context, w *wallet.Wallet, req wallet.HolderRequest) error {
	key, office, err := st.key("office")
	if err != nil {
		return err
	}
	alloc, err := st.allocator(demoCardList)
	if err != nil {
		return err
	}
	list, now := tx.StatusListID(office, demoCardList), time.Now()
	items := wallet.SameClaims(req.HolderKeys, []sdjwt.Claim{{Name: "card_holder", Value: true}})
	b, err := wallet.IssueCardBatch(wallet.BatchSpec{Key: key, Iss: office.String(), Now: now, Exp: now.AddDate(5, 0, 0), List: list, Alloc: alloc}, items)
	if err != nil {
		return err
	}
	msgs := []tx.Msg{&tx.MsgCredentialAnchor{Schema: wallet.VctCard, Root: b.Root, Count: b.Count}}
	var id tx.Address
	if w.Identity() == "" {
		_, dev, err := w.NextDevice()
		if err != nil {
			return err
		}
		pub := tx.PubKey(dev.Public().(ed25519.PublicKey))
		msgs = append(msgs, &tx.MsgIdentityRegister{DeviceKey: pub, CardList: list, Commitments: b.Commitments})
		id = pub.Address()
	} else {
		if id, err = tx.ParseAddress(w.Identity()); err != nil {
			return err
		}
		msgs = append(msgs, &tx.MsgIdentityAddCardCopies{ID: id, Commitments: b.Commitments})
	}
	d, err := st.deliver(ctx, w, "office", b, "credentials.anchored", msgs...)
	if err != nil {
		return err
	}
	if err := w.SetIdentity(id.String()); err != nil {
		return err
	}
	st.say("citizen card issued: identity %s, %d single-use copies in anchor %d (wallet %s)", id, b.Count, d.Anchor, w.Path())
	return nil
}

func (st *citizenStory) issueResidency(ctx context.Context, w *wallet.Wallet, req wallet.HolderRequest) error {
	key, welfare, err := st.key("welfare")
	if err != nil {
		return err
	}
	alloc, err := st.allocator(demoResidencyList)
	if err != nil {
		return err
	}
	now := time.Now()
	claims := []sdjwt.Claim{{Name: "resident_seoul", Value: true}, {Name: "age_over_65", Value: false},
		{Name: "income_decile_le_5", Value: true}, {Name: "employed", Value: true}}
	b, err := wallet.IssueBatch(wallet.BatchSpec{Key: key, Iss: welfare.String(), Vct: "residency", Now: now, Exp: now.AddDate(1, 0, 0),
		List: tx.StatusListID(welfare, demoResidencyList), Alloc: alloc}, wallet.SameClaims(req.HolderKeys, claims))
	if err != nil {
		return err
	}
	d, err := st.deliver(ctx, w, "welfare", b, "credentials.anchored", &tx.MsgCredentialAnchor{Schema: "residency", Root: b.Root, Count: b.Count})
	if err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(st.dir, "residency-delivery.json"), d); err != nil {
		return err
	}
	st.say("residency credential issued by the welfare office: %d copies in anchor %d (resident_seoul, age_over_65, income_decile_le_5, employed)", b.Count, d.Anchor)
	return nil
}

func (st *citizenStory) issueCertificate(ctx context.Context, w *wallet.Wallet, req wallet.HolderRequest) error {
	key, court, err := st.key("court")
	if err != nil {
		return err
	}
	fields := []sdjwt.Claim{{Name: "holder_name", Value: "Kim Min-ji"}, {Name: "holder_rrn", Value: "900101-2000000"},
		{Name: "spouse_exists", Value: true}, {Name: "spouse_name", Value: "Lee Jun-ho"}, {Name: "children_count", Value: 1}}
	b, err := wallet.IssueCertificates(wallet.BatchSpec{Key: key, Iss: court.String(), Now: time.Now()}, "family_relation",
		wallet.SameClaims(req.HolderKeys, fields))
	if err != nil {
		return err
	}
	d, err := st.deliver(ctx, w, "court", b, "certificates.issued",
		&tx.MsgCertificateIssue{Kind: "family_relation", Key: tx.PubKey(key.Public().(ed25519.PublicKey)), Root: b.Root, Count: b.Count})
	if err != nil {
		return err
	}
	st.say("family relation certificate issued by the court (certificates anchor %d)", d.Anchor)
	return nil
}

// enter plays a reader at facility: its challenge, the wallet's answer and
// the reader's check against the chain.
func (st *citizenStory) enter(ctx context.Context, w *wallet.Wallet, facility string) (*verify.EntryResult, error) {
	f, _, err := st.c.Facility(ctx, facility, client.ReadOpts{})
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, fmt.Errorf("facility %s is not registered", facility)
	}
	ch, err := verify.NewChallenge(facility, "gate-1", time.Now())
	if err != nil {
		return nil, err
	}
	resp, err := w.Entry(ch, f.Claims, time.Now())
	if err != nil {
		return nil, err
	}
	return verify.Entry(ctx, verify.NewOnline(st.c, false), verify.NewNonceCache(), ch, resp, time.Now())
}

func nonce() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// visits plays the facilities, the verifiers and the revocation.
func (st *citizenStory) visits(ctx context.Context, w *wallet.Wallet) error {
	rep := StoryReport{Pseudonyms: map[string]tx.Hash32{}}
	id, err := tx.ParseAddress(w.Identity())
	if err != nil {
		return err
	}
	rep.Identity = id
	if revoked, err := st.residencyRevoked(ctx); err != nil {
		return err
	} else if revoked {
		// A restart after the revocation: only the last check is left.
		return st.finish(ctx, w, &rep)
	}
	admit := func(facility string) error {
		r, err := st.enter(ctx, w, facility)
		if err != nil {
			return err
		}
		if !r.Admitted || r.Pseudonym == nil {
			return fmt.Errorf("%s refused the demo citizen: %s: %s", facility, r.Reason, r.Detail)
		}
		rep.Pseudonyms[facility] = *r.Pseudonym
		st.say("%s admitted the citizen as %s… (proved %s)", facility, r.Pseudonym.String()[:16], strings.Join(r.Claims, ", "))
		return nil
	}
	for _, f := range []string{DemoLibrary, DemoPool} {
		if err := admit(f); err != nil {
			return err
		}
	}
	// A facility registered after the citizen got the card admits them
	// with no enrolment.
	if err := st.facilities(ctx, DemoYouthCentre); err != nil {
		return err
	}
	if err := admit(DemoYouthCentre); err != nil {
		return err
	}

	libKey, _, err := st.key("library")
	if err != nil {
		return err
	}
	reg, _, err := st.c.CredentialVerifier(ctx, DemoLendingVerifier, client.ReadOpts{})
	if err != nil || reg == nil {
		return fmt.Errorf("verifier %s: %v", DemoLendingVerifier, err)
	}
	n, err := nonce()
	if err != nil {
		return err
	}
	greedy := wallet.VerifierRequest{Verifier: DemoLendingVerifier, Nonce: n, Claims: []string{"income_decile_le_5"}}
	greedy.Sign(libKey)
	if _, err := w.Present(greedy, *reg, time.Now()); err == nil {
		return fmt.Errorf("the wallet answered %s's request for income_decile_le_5, outside its purpose", DemoLendingVerifier)
	} else {
		rep.RefusedByWallet = err.Error()
		st.say("the wallet refused %s: %v", DemoLendingVerifier, err)
	}
	if n, err = nonce(); err != nil {
		return err
	}
	fair := wallet.VerifierRequest{Verifier: DemoLendingVerifier, Nonce: n, Claims: []string{"resident_seoul"}}
	fair.Sign(libKey)
	p, err := w.Present(fair, *reg, time.Now())
	if err != nil {
		return err
	}
	if rep.Presentation, err = verify.Presentation(ctx, verify.NewOnline(st.c, false), verify.NewNonceCache(), fair, p, time.Now()); err != nil {
		return err
	}
	st.say("%s checked resident_seoul: %s", DemoLendingVerifier, strings.ToUpper(rep.Presentation.Verdict))

	if n, err = nonce(); err != nil {
		return err
	}
	creq := wallet.CertificateRequest{Verifier: DemoBankVerifier, Nonce: n, Kind: "family_relation", Fields: []string{"spouse_exists"}}
	cp, err := w.PresentCertificate(creq, time.Now())
	if err != nil {
		return err
	}
	if rep.Certificate, err = verify.Certificate(ctx, verify.NewOnline(st.c, false), verify.NewNonceCache(), creq, cp, time.Now()); err != nil {
		return err
	}
	st.say("%s checked the family relation certificate: %s, disclosed only %s", DemoBankVerifier, strings.ToUpper(rep.Certificate.Verdict),
		strings.Join(slices.Sorted(maps.Keys(rep.Certificate.Fields)), ", "))

	if err := st.revokeResidency(ctx); err != nil {
		return err
	}
	return st.finish(ctx, w, &rep)
}

// finish checks the pool refuses the citizen once the residency credential
// is revoked, and writes the report.
func (st *citizenStory) finish(ctx context.Context, w *wallet.Wallet, rep *StoryReport) error {
	var err error
	if rep.RevokedEntry, err = st.enter(ctx, w, DemoPool); err != nil {
		return err
	}
	st.say("%s after the revocation: admitted %v (%s)", DemoPool, rep.RevokedEntry.Admitted, rep.RevokedEntry.Reason)
	if err := writeJSON(filepath.Join(st.dir, "story.json"), rep); err != nil {
		return err
	}
	st.say("story done: %s", filepath.Join(st.dir, "story.json"))
	return nil
}

// residencyDelivery is the welfare office's record of the citizen's batch:
// the list and the index of each copy.
func (st *citizenStory) residencyDelivery() (string, []uint32, error) {
	raw, err := os.ReadFile(filepath.Join(st.dir, "residency-delivery.json"))
	if err != nil {
		return "", nil, err
	}
	var d wallet.Delivery
	if err := json.Unmarshal(raw, &d); err != nil {
		return "", nil, err
	}
	var idx []uint32
	list := ""
	for _, c := range d.Copies {
		if c.Status != nil {
			idx, list = append(idx, c.Status.Idx), c.Status.List
		}
	}
	if list == "" {
		return "", nil, errors.New("the residency delivery has no status entries")
	}
	return list, idx, nil
}

// residencyRevoked reports whether the welfare office already revoked the
// citizen's residency credential.
func (st *citizenStory) residencyRevoked(ctx context.Context) (bool, error) {
	list, idx, err := st.residencyDelivery()
	if err != nil {
		return false, err
	}
	set, _, err := st.c.StatusBit(ctx, list, idx[0], client.ReadOpts{})
	return set, err
}

// revokeResidency revokes every copy of the citizen's residency credential
// (the welfare office knows their indices from its batch).
func (st *citizenStory) revokeResidency(ctx context.Context) error {
	list, idx, err := st.residencyDelivery()
	if err != nil {
		return err
	}
	if _, err := st.submit(ctx, "welfare", &tx.MsgCredentialSetStatus{List: list, Indices: idx, Value: true}); err != nil {
		return err
	}
	st.say("the welfare office revoked the residency credential (%d copies in %s)", len(idx), list)
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(b, '\n'), 0o600)
}
