package voting_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/citychain/citychain/chain/app"
	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/votecrypto"
)

// The accounts of the voting tests besides the demo accounts: the
// registration office (identities and their card list), the accreditor
// and the welfare office (which issues residency credentials), two city
// departments, the mayor, two election commissions and four trustees.
var (
	office      = apptest.NewKey("vote-office")
	accreditor  = apptest.NewKey("vote-accreditor")
	welfare     = apptest.NewKey("welfare")
	dept        = apptest.NewKey("department")
	dept2       = apptest.NewKey("department-2")
	mayor       = apptest.NewKey("mayor")
	commission  = apptest.NewKey("commission")
	commission2 = apptest.NewKey("commission-2")
	trusteeKeys = []apptest.Key{apptest.NewKey("trustee-1"), apptest.NewKey("trustee-2"), apptest.NewKey("trustee-3"), apptest.NewKey("trustee-4")}
)

const (
	cardName      = "vote-cards"
	residencyList = "residency-status"
	schema        = "residency"
	claim         = "resident_seoul"
)

var cardList = tx.StatusListID(office.Addr, cardName)

func accounts() []apptest.Account {
	acc := append(apptest.DemoAccounts(),
		apptest.Account{Key: office, Roles: []string{tx.RoleRegistrationOffice}, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: accreditor, Roles: []string{tx.RoleAccreditor}, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: welfare, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: dept, Roles: []string{tx.RoleCityDepartment}, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: dept2, Roles: []string{tx.RoleCityDepartment}, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: mayor, Roles: []string{tx.RoleMayor}, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: commission, Roles: []string{tx.RoleElectionCommission}, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: commission2, Roles: []string{tx.RoleElectionCommission}, Coins: []tx.Coin{apptest.SCN(10)}},
	)
	for _, k := range trusteeKeys {
		acc = append(acc, apptest.Account{Key: k, Coins: []tx.Coin{apptest.SCN(10)}})
	}
	return acc
}

// chain drives the real app through apptest's harness with blocks at a
// time of the test's choosing (registry's pattern): each block is
// BlockInterval after the previous one unless jump moved the clock on.
type chain struct {
	t   testing.TB
	h   *apptest.Harness
	now time.Time
	// anchors counts the credentials anchors made.
	anchors uint64
}

// newChain starts a chain of accounts() whose voting section sets p (nil:
// no section, the defaults), then in its first blocks creates the card
// list, registers the residency schema, accredits the welfare office and
// creates its revocation list.
func newChain(t testing.TB, p *tx.VotingParams) *chain {
	t.Helper()
	st := apptest.BuildAppState(accounts(), nil)
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(apptest.MustJSON(t, st), &sections); err != nil {
		t.Fatal(err)
	}
	if p != nil {
		sections["voting"] = apptest.MustJSON(t, map[string]any{"params": p})
	}
	h := apptest.New(t, apptest.Options{AppState: apptest.MustJSON(t, sections)})
	c := &chain{t: t, h: h, now: apptest.GenesisTime}
	c.block()
	c.okAll("setup",
		signed{office, &tx.MsgCredentialCreateList{Name: cardName, Purpose: tx.StatusSuspension, Size: tx.MinStatusListSize}},
		signed{accreditor, &tx.MsgCredentialRegisterSchema{ID: schema, Name: "Seoul residency", Claims: []string{claim}}})
	c.okAll("setup 2",
		signed{accreditor, &tx.MsgCredentialAccredit{Issuer: welfare.Addr, Schema: schema, From: apptest.GenesisTime}})
	c.okAll("setup 3",
		signed{welfare, &tx.MsgCredentialCreateList{Name: residencyList, Purpose: tx.StatusRevocation, Size: tx.MinStatusListSize}})
	return c
}

// smallParams are parameters with small thresholds (2, 3, 4) and no
// residency schema unless withSchema.
func smallParams(withSchema bool) *tx.VotingParams {
	p := tx.VotingParams{DepartmentThreshold: 2, ForumThreshold: 3, MayorThreshold: 4, DepartmentDays: 30, ForumDays: 30,
		MayorDays: 30, SupportDays: 30, ComplaintBlocks: 2}
	if withSchema {
		p.ResidencySchema, p.ResidencyClaim = schema, claim
	}
	return &p
}

func finalize(t testing.TB, h *apptest.Harness, now time.Time, txs [][]byte) *abci.ResponseFinalizeBlock {
	t.Helper()
	height := h.Height + 1
	res, err := h.App.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Txs: txs, Height: height, Time: now})
	if err != nil {
		t.Fatalf("FinalizeBlock at %d: %v", height, err)
	}
	if _, err := h.App.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		t.Fatalf("Commit at %d: %v", height, err)
	}
	h.Height = height
	h.Hashes[height] = bytes.Clone(res.AppHash)
	return res
}

// jump moves the clock on by d before the next block.
func (c *chain) jump(d time.Duration) { c.now = c.now.Add(d) }

// block finalizes and commits txs as the next block.
func (c *chain) block(txs ...[]byte) *abci.ResponseFinalizeBlock {
	c.t.Helper()
	c.now = c.now.Add(apptest.BlockInterval)
	return finalize(c.t, c.h, c.now, txs)
}

// height is the last committed height; the next block's is height()+1.
func (c *chain) height() uint64 { return uint64(c.h.Height) }

// until commits empty blocks until the last committed height is h.
func (c *chain) until(h uint64) {
	c.t.Helper()
	for c.height() < h {
		c.block()
	}
}

// signed is a message and its signer.
type signed struct {
	k apptest.Key
	m tx.Msg
}

// ok runs one transaction (CheckTx, then alone in the next block) and
// fails unless both accept it; it returns the block's result.
func (c *chain) ok(what string, k apptest.Key, m tx.Msg) *abci.ExecTxResult {
	c.t.Helper()
	return c.okRaw(what, c.h.Sign(k, m))
}

func (c *chain) okRaw(what string, raw []byte) *abci.ExecTxResult {
	c.t.Helper()
	apptest.RequireOK(c.t, what+" (CheckTx)", c.h.CheckTx(raw))
	res := c.block(raw).TxResults[0]
	apptest.RequireOK(c.t, what+" (FinalizeBlock)", res)
	return res
}

// okAll runs the messages as one block's transactions (each checked by
// CheckTx first) and fails unless all succeed.
func (c *chain) okAll(what string, ms ...signed) []*abci.ExecTxResult {
	c.t.Helper()
	var raws [][]byte
	for i, s := range ms {
		raw := c.h.Sign(s.k, s.m)
		apptest.RequireOK(c.t, fmt.Sprintf("%s [%d] (CheckTx)", what, i), c.h.CheckTx(raw))
		raws = append(raws, raw)
	}
	res := c.block(raws...).TxResults
	for i, r := range res {
		apptest.RequireOK(c.t, fmt.Sprintf("%s [%d] (FinalizeBlock)", what, i), r)
	}
	return res
}

// deliver runs raws in one block with no CheckTx and fails unless all
// succeed (for bulk set-ups).
func (c *chain) deliver(what string, raws [][]byte) {
	c.t.Helper()
	for i, r := range c.block(raws...).TxResults {
		apptest.RequireOK(c.t, fmt.Sprintf("%s [%d]", what, i), r)
	}
}

// fail runs one transaction and fails unless both CheckTx and
// FinalizeBlock refuse it with code, naming logHas, with no event.
func (c *chain) fail(what string, k apptest.Key, m tx.Msg, code tx.Code, logHas ...string) *abci.ExecTxResult {
	c.t.Helper()
	return c.failRaw(what, c.h.Sign(k, m), code, logHas...)
}

func (c *chain) failRaw(what string, raw []byte, code tx.Code, logHas ...string) *abci.ExecTxResult {
	c.t.Helper()
	apptest.RequireCode(c.t, what+" (CheckTx)", c.h.CheckTx(raw), code, logHas...)
	res := c.block(raw).TxResults[0]
	apptest.RequireCode(c.t, what+" (FinalizeBlock)", res, code, logHas...)
	if len(res.Events) != 0 {
		c.t.Errorf("%s: a failed transaction emitted events %v", what, res.Events)
	}
	c.t.Logf("%s: refused: %s", what, res.Log)
	return res
}

// query runs a voting query with a JSON request and decodes the answer.
func query[T any](c *chain, path string, req any) T {
	c.t.Helper()
	var v T
	c.h.QueryJSON(c.t, "/voting/"+path, apptest.MustJSON(c.t, req), &v)
	return v
}

// raw runs a voting query at the last height, with a proof when prove.
func (c *chain) raw(path string, req any, prove bool) *abci.ResponseQuery {
	c.t.Helper()
	return c.h.Query("/voting/"+path, apptest.MustJSON(c.t, req), 0, prove)
}

// proven checks a provable answer's proof against the app hash of its
// height: membership of the value, or absence when the query answered
// not found (present says which is expected).
func (c *chain) proven(what string, res *abci.ResponseQuery, present bool) {
	c.t.Helper()
	if res.Key == nil || res.ProofOps == nil || len(res.ProofOps.Ops) != 1 || res.ProofOps.Ops[0].Type != app.ProofOpType {
		c.t.Fatalf("%s: key %x proof %v: want a key and one %s proof", what, res.Key, res.ProofOps, app.ProofOpType)
	}
	var p ics23.CommitmentProof
	if err := p.Unmarshal(res.ProofOps.Ops[0].Data); err != nil {
		c.t.Fatal(err)
	}
	value := res.Value
	absent := tx.CodeAppNotFound.Matches(res.Codespace, res.Code)
	if absent {
		value = nil
	} else if res.Code != 0 {
		c.t.Fatalf("%s: %s/%d %s", what, res.Codespace, res.Code, res.Log)
	}
	if absent == present {
		c.t.Fatalf("%s: present %v, want %v", what, !absent, present)
	}
	if err := store.VerifyProof(c.h.Hashes[res.Height], &p, res.Key, value); err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
}

func (c *chain) proposal(id uint64) tx.VoteProposal {
	c.t.Helper()
	return query[tx.VoteProposal](c, "proposal", tx.VotingIDRequest{ID: id})
}

func (c *chain) election(id uint64) tx.VoteElection {
	c.t.Helper()
	return query[tx.VoteElection](c, "election", tx.VotingIDRequest{ID: id})
}

func (c *chain) trustees(id uint64) []tx.VoteTrustee {
	c.t.Helper()
	return query[[]tx.VoteTrustee](c, "trustees", tx.VotingIDRequest{ID: id})
}

// attr returns the attribute key of the first event typ of res.
func attr(t testing.TB, res *abci.ExecTxResult, typ, key string) string {
	t.Helper()
	v, ok := apptest.Attr(res.Events, typ, key)
	if !ok {
		t.Fatalf("no %s.%s in %v", typ, key, res.Events)
	}
	return v
}

func attrU64(t testing.TB, res *abci.ExecTxResult, typ, key string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(attr(t, res, typ, key), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// keyFrom makes an apptest.Key from an ed25519 private key.
func keyFrom(name string, priv ed25519.PrivateKey) apptest.Key {
	pub := tx.PubKey(priv.Public().(ed25519.PublicKey))
	return apptest.Key{Name: name, Priv: priv, Pub: pub, Addr: pub.Address()}
}

// seeded is a deterministic reader for the provers.
func seeded(seed uint64) io.Reader { return mrand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 7}) }

// ---- identities and residency credentials ----

// register registers an identity for each device key, in one block.
func (c *chain) register(keys ...apptest.Key) {
	c.t.Helper()
	var raws [][]byte
	for _, k := range keys {
		raws = append(raws, c.h.Sign(office, &tx.MsgIdentityRegister{DeviceKey: k.Pub, CardList: cardList}))
	}
	c.deliver("register identities", raws)
}

// citizens derives n device keys named prefix-i.
func citizens(prefix string, n int) []apptest.Key {
	out := make([]apptest.Key, n)
	for i := range out {
		out[i] = apptest.NewKey(fmt.Sprintf("%s-%d", prefix, i))
	}
	return out
}

// residency is an issued residency credential: its issuer JWT, its place
// in an anchor, the disclosure of its residency claim and its holder.
type residency struct {
	jwt        string
	anchor     uint64
	index      uint64
	path       []tx.Hash32
	disclosure string
	other      string // the disclosure of its other claim (over_65)
	holder     apptest.Key
	status     uint32
}

// issue issues one residency credential per holder (claim value
// values[i], status index from status, expiring expDays after today) and
// anchors the batch.
func (c *chain) issue(holders []apptest.Key, values []bool, status uint32, expDays int64) []residency {
	c.t.Helper()
	iat := sdjwt.DayFloor(c.now)
	var out []residency
	var leaves [][]byte
	for i, h := range holders {
		idx := status + uint32(i)
		p := sdjwt.Payload{Iss: welfare.Addr.String(), Vct: schema, Iat: iat, Exp: iat + expDays*sdjwt.Day,
			Cnf: sdjwt.Cnf{JWK: sdjwt.JWKOf(ed25519.PublicKey(h.Pub))}, Status: &sdjwt.Status{List: tx.StatusListID(welfare.Addr, residencyList), Idx: idx}}
		is, err := sdjwt.Issue(welfare.Priv, p, []sdjwt.Claim{{Name: "over_65", Value: false}, {Name: claim, Value: values[i]}}, nil)
		if err != nil {
			c.t.Fatal(err)
		}
		leaf := is.Leaf()
		leaves = append(leaves, leaf[:])
		r := residency{jwt: is.JWT, index: uint64(i), holder: h, status: idx}
		for _, d := range is.Disclosures {
			if d.Name == claim {
				r.disclosure = d.Raw
			} else {
				r.other = d.Raw
			}
		}
		out = append(out, r)
	}
	root, paths := tx.MerklePaths(leaves)
	res := c.ok("anchor residency", welfare, &tx.MsgCredentialAnchor{Schema: schema, Root: root, Count: uint32(len(leaves))})
	c.anchors++
	if id := attrU64(c.t, res, "credentials.anchored", "id"); id != c.anchors {
		c.t.Fatalf("anchor id %d, want %d", id, c.anchors)
	}
	for i := range out {
		out[i].path, out[i].anchor = paths[i], c.anchors
	}
	return out
}

// revoke sets the status bit of r.
func (c *chain) revoke(r residency) {
	c.t.Helper()
	c.ok("revoke", welfare, &tx.MsgCredentialSetStatus{List: tx.StatusListID(welfare.Addr, residencyList), Indices: []uint32{r.status}, Value: true})
}

// eligibility presents r for purpose, id and identity, signed by key.
func (r residency) eligibility(purpose string, id uint64, identity tx.Address, key apptest.Key) *tx.VotingEligibility {
	msg := tx.VotingEvidenceMessage(apptest.ChainID, purpose, id, identity, r.jwt)
	return &tx.VotingEligibility{
		Evidence:   tx.RegistryEvidence{JWT: r.jwt, Anchor: r.anchor, Index: r.index, Path: r.path, HolderSig: ed25519.Sign(key.Priv, msg)},
		Disclosure: r.disclosure,
	}
}

// el presents r signed by its holder.
func (r residency) el(purpose string, id uint64, identity tx.Address) *tx.VotingEligibility {
	return r.eligibility(purpose, id, identity, r.holder)
}

// ---- elections ----

// rsaKeys are commission keys by weight, made once for the package (RSA
// key generation is slow).
var (
	rsaOnce sync.Once
	rsaPool []*rsa.PrivateKey
)

func rsaKey(t testing.TB, i int) *rsa.PrivateKey {
	t.Helper()
	rsaOnce.Do(func() {
		for range 4 {
			sk, err := votecrypto.NewCredentialKey(rand.Reader, tx.MinCredentialKeyBits)
			if err != nil {
				panic(err)
			}
			rsaPool = append(rsaPool, sk)
		}
	})
	return rsaPool[i]
}

// trustee is a trustee's secrets.
type trustee struct {
	key      apptest.Key
	index    uint32
	dkg      votecrypto.Secret
	poly     votecrypto.Polynomial
	received map[uint32]votecrypto.Secret // by dealer; lookups only
}

// election is an election under test and the secrets of its roles.
type election struct {
	c        *chain
	id       uint64
	by       apptest.Key
	sks      map[uint64]*rsa.PrivateKey // by weight; lookups only
	trustees []*trustee
	rand     io.Reader
}

// spec is an election to create.
type spec struct {
	options    []string
	min, max   uint32
	rule       string
	voters     []tx.VoteWeight
	weights    []uint64 // credential key weights (default {1})
	trustees   int
	threshold  uint32
	openAfter  uint64 // open_height = height + openAfter (default 8)
	closeAfter uint64 // close_height = open_height + closeAfter (default 10)
}

func (s spec) msg(c *chain, sks map[uint64]*rsa.PrivateKey) *tx.MsgVotingCreateElection {
	m := &tx.MsgVotingCreateElection{Title: "Test", Question: "Which?", Options: slices.Clone(s.options), MinChoices: s.min, MaxChoices: s.max,
		Rule: s.rule, Voters: slices.Clone(s.voters), Threshold: s.threshold}
	for _, w := range s.weights {
		der, err := votecrypto.MarshalCredentialKey(&sks[w].PublicKey)
		if err != nil {
			c.t.Fatal(err)
		}
		m.CredentialKeys = append(m.CredentialKeys, tx.VoteCredentialKey{Weight: w, Key: der})
	}
	for i := range s.trustees {
		m.Trustees = append(m.Trustees, trusteeKeys[i].Addr)
	}
	m.OpenHeight = c.height() + 1 + s.openAfter
	m.CloseHeight = m.OpenHeight + s.closeAfter
	return m
}

func (s *spec) defaults() {
	if s.options == nil {
		s.options = []string{"A", "B", "C"}
	}
	if s.max == 0 {
		s.min, s.max = 1, 1
	}
	if s.rule == "" {
		s.rule = tx.RuleResidents
	}
	if s.weights == nil {
		s.weights = []uint64{1}
	}
	if s.trustees == 0 {
		s.trustees, s.threshold = 3, 2
	}
	if s.openAfter == 0 {
		s.openAfter = 8
	}
	if s.closeAfter == 0 {
		s.closeAfter = 10
	}
}

// create creates an election of s as commission.
func (c *chain) create(s spec, seed uint64) *election {
	c.t.Helper()
	s.defaults()
	sks := map[uint64]*rsa.PrivateKey{}
	for i, w := range s.weights {
		sks[w] = rsaKey(c.t, i)
	}
	res := c.ok("create election", commission, s.msg(c, sks))
	e := &election{c: c, id: attrU64(c.t, res, "voting.election_created", "election"), by: commission, sks: sks, rand: seeded(seed)}
	for i := range s.trustees {
		e.trustees = append(e.trustees, &trustee{key: trusteeKeys[i], index: uint32(i + 1), received: map[uint32]votecrypto.Secret{}})
	}
	return e
}

func (e *election) get() tx.VoteElection { return e.c.election(e.id) }

// keyMsg is trustee t's DKG key message (a fresh secret).
func (e *election) keyMsg(t *trustee) *tx.MsgVotingDKGKey {
	e.c.t.Helper()
	x, err := votecrypto.NewSecret(e.rand)
	if err != nil {
		e.c.t.Fatal(err)
	}
	t.dkg = x
	pok, err := votecrypto.ProveKnowledge(e.rand, x, votecrypto.KeyContext(apptest.ChainID, e.id, t.index))
	if err != nil {
		e.c.t.Fatal(err)
	}
	return &tx.MsgVotingDKGKey{Election: e.id, Key: x.Public(), PoK: pok}
}

// dealMsg is trustee t's deal; the share to bad (if not 0) is wrong.
func (e *election) dealMsg(t *trustee, threshold int, bad uint32) *tx.MsgVotingDKGDeal {
	e.c.t.Helper()
	poly, err := votecrypto.NewPolynomial(e.rand, threshold)
	if err != nil {
		e.c.t.Fatal(err)
	}
	t.poly = poly
	pok, err := votecrypto.ProveKnowledge(e.rand, poly[0], votecrypto.DealContext(apptest.ChainID, e.id, t.index))
	if err != nil {
		e.c.t.Fatal(err)
	}
	m := &tx.MsgVotingDKGDeal{Election: e.id, Commitments: poly.Commitments(), PoK: pok}
	ts := e.c.trustees(e.id)
	for _, o := range e.trustees {
		if o.index == t.index {
			continue
		}
		share := poly.Eval(o.index)
		if o.index == bad {
			share = poly.Eval(o.index + 100)
		}
		es, err := votecrypto.EncryptShare(e.rand, apptest.ChainID, e.id, t.index, o.index, *ts[o.index-1].Key, share)
		if err != nil {
			e.c.t.Fatal(err)
		}
		m.Shares = append(m.Shares, es)
	}
	return m
}

// dkg registers every trustee's key in one block and the deals of
// dealers (all when nil) in the next; bad maps a dealer to the trustee
// it sends a wrong share.
func (e *election) dkg(dealers []int, bad map[uint32]uint32) {
	e.c.t.Helper()
	var keys []signed
	for _, t := range e.trustees {
		keys = append(keys, signed{t.key, e.keyMsg(t)})
	}
	e.c.okAll("dkg keys", keys...)
	if dealers == nil {
		for i := range e.trustees {
			dealers = append(dealers, i)
		}
	}
	th := int(e.get().Threshold)
	var deals []signed
	for _, i := range dealers {
		t := e.trustees[i]
		deals = append(deals, signed{t.key, e.dealMsg(t, th, bad[t.index])})
	}
	e.c.okAll("dkg deals", deals...)
}

// receive has every trustee decrypt and Feldman-check its shares; it
// returns the complaints of the shares that fail.
func (e *election) receive() []signed {
	e.c.t.Helper()
	ts := e.c.trustees(e.id)
	var out []signed
	for _, t := range e.trustees {
		for _, d := range ts {
			if d.Index == t.index || d.Commitments == nil {
				continue
			}
			for _, es := range d.Shares {
				if es.To != t.index {
					continue
				}
				s, err := votecrypto.DecryptShare(apptest.ChainID, e.id, d.Index, t.dkg, es)
				if err == nil && votecrypto.VerifyShare(d.Commitments, t.index, s) {
					t.received[d.Index] = s
					continue
				}
				K, proof, err := votecrypto.Complaint(e.rand, apptest.ChainID, e.id, d.Index, t.index, t.dkg, es)
				if err != nil {
					e.c.t.Fatal(err)
				}
				out = append(out, signed{t.key, &tx.MsgVotingDKGComplain{Election: e.id, Dealer: d.Index, Key: K, Proof: proof}})
			}
		}
	}
	return out
}

// open commits blocks until the election's open height (it opens at the
// end of the block before).
func (e *election) open() tx.VoteElection {
	e.c.t.Helper()
	el := e.get()
	e.c.until(el.OpenHeight - 1)
	return e.get()
}

// closeAt commits blocks until the close height (the election closes at
// its end).
func (e *election) closeAt() tx.VoteElection {
	e.c.t.Helper()
	el := e.get()
	e.c.until(el.CloseHeight)
	return e.get()
}

// keyShare is trustee t's x_j: Σ f_i(j) over the qualified dealers.
func (e *election) keyShare(t *trustee, el tx.VoteElection) votecrypto.Secret {
	e.c.t.Helper()
	shares := make([]votecrypto.Secret, 0, len(el.Qualified))
	for _, q := range el.Qualified {
		s := t.received[q]
		if q == t.index {
			s = t.poly.Eval(t.index)
		}
		shares = append(shares, s)
	}
	return votecrypto.SumSecrets(shares...)
}

// decryptMsg is trustee t's decryption shares of el's tally (or of the
// ciphertexts as, when given: the Helios #170 attack).
func (e *election) decryptMsg(t *trustee, el tx.VoteElection, as []tx.Elem) *tx.MsgVotingDecrypt {
	e.c.t.Helper()
	x := e.keyShare(t, el)
	m := &tx.MsgVotingDecrypt{Election: e.id}
	for o := range el.Options {
		A := el.Tally[o].A
		if as != nil {
			A = as[o]
		}
		s, err := votecrypto.DecryptionShare(e.rand, apptest.ChainID, e.id, t.index, o, x, A)
		if err != nil {
			e.c.t.Fatal(err)
		}
		m.Shares = append(m.Shares, s)
	}
	return m
}

// voter is a ballot key and its credential.
type voter struct {
	key     apptest.Key
	weight  uint64
	blinded []byte
	state   votecrypto.BlindState
	cred    []byte
}

// newVoter makes a fresh ballot key and blinds its credential message.
func (e *election) newVoter(name string, weight uint64) *voter {
	e.c.t.Helper()
	var seed [32]byte
	if _, err := io.ReadFull(e.rand, seed[:]); err != nil {
		e.c.t.Fatal(err)
	}
	v := &voter{key: keyFrom(name, ed25519.NewKeyFromSeed(seed[:])), weight: weight}
	blinded, st, err := votecrypto.Blind(e.rand, &e.sks[weight].PublicKey, tx.VotingCredentialMessage(apptest.ChainID, e.id, v.key.Pub))
	if err != nil {
		e.c.t.Fatal(err)
	}
	v.blinded, v.state = blinded, st
	return v
}

// request is v's credential request, signed by identity's device key.
func (e *election) request(v *voter, el *tx.VotingEligibility) *tx.MsgVotingRequestCredential {
	return &tx.MsgVotingRequestCredential{Election: e.id, Blinded: v.blinded, Eligibility: el}
}

// issue is the commission's answer to identity's request (read from the
// chain), and finalizes v's credential.
func (e *election) issue(v *voter, identity tx.Address) *tx.MsgVotingIssueCredential {
	e.c.t.Helper()
	r := query[tx.VoteRequest](e.c, "request", tx.VotingItemRequest{Election: e.id, Identity: identity})
	sig, err := votecrypto.BlindSign(e.sks[r.Weight], r.Blinded)
	if err != nil {
		e.c.t.Fatal(err)
	}
	if v != nil {
		if v.cred, err = votecrypto.Finalize(&e.sks[v.weight].PublicKey, v.state, sig); err != nil {
			e.c.t.Fatal(err)
		}
	}
	return &tx.MsgVotingIssueCredential{Election: e.id, Identity: identity, BlindSig: sig}
}

// forge is a credential the commission signs directly for a ballot key
// that asked for none (a corrupt commission).
func (e *election) forge(v *voter) {
	e.c.t.Helper()
	sig, err := votecrypto.BlindSign(e.sks[v.weight], v.blinded)
	if err != nil {
		e.c.t.Fatal(err)
	}
	if v.cred, err = votecrypto.Finalize(&e.sks[v.weight].PublicKey, v.state, sig); err != nil {
		e.c.t.Fatal(err)
	}
}

// ballot is v's ballot choosing the options at indices.
func (e *election) ballot(v *voter, el tx.VoteElection, choose ...int) *tx.MsgVotingCast {
	e.c.t.Helper()
	m := &tx.MsgVotingCast{Election: e.id, BallotKey: v.key.Pub, Weight: v.weight, Credential: v.cred}
	choices := make([]bool, len(el.Options))
	for _, i := range choose {
		choices[i] = true
	}
	p, err := votecrypto.ElectionParams(apptest.ChainID, &el)
	if err != nil {
		e.c.t.Fatal(err)
	}
	if err := votecrypto.EncryptBallot(e.rand, p, m, choices); err != nil {
		e.c.t.Fatal(err)
	}
	return m
}

// data is everything the chain holds of the election, for
// votecrypto.VerifyElection.
func (e *election) data() *votecrypto.ElectionData {
	e.c.t.Helper()
	d := &votecrypto.ElectionData{ChainID: apptest.ChainID, Election: e.get(), Trustees: e.c.trustees(e.id)}
	for after := uint64(0); ; {
		p := query[tx.VoteRequestPage](e.c, "requests", tx.VotingPageRequest{Election: e.id, After: after, Limit: tx.MaxListLimit})
		d.Requests = append(d.Requests, p.Requests...)
		if after = p.Next; after == 0 {
			break
		}
	}
	for after := uint64(0); ; {
		p := query[tx.VoteBallotPage](e.c, "ballots", tx.VotingPageRequest{Election: e.id, After: after, Limit: tx.MaxListLimit})
		d.Ballots = append(d.Ballots, p.Ballots...)
		if after = p.Next; after == 0 {
			break
		}
	}
	return d
}

// verify runs votecrypto.VerifyElection over the chain's data and fails
// on any problem.
func (e *election) verify() *votecrypto.Report {
	e.c.t.Helper()
	r, err := votecrypto.VerifyElection(e.data())
	if err != nil {
		e.c.t.Fatal(err)
	}
	if len(r.Problems) != 0 {
		e.c.t.Fatalf("election %d: verification problems: %v", e.id, r.Problems)
	}
	return r
}

func ed25519Sign(k apptest.Key, msg []byte) tx.HexBytes { return ed25519.Sign(k.Priv, msg) }

// complaintAgainst is t's complaint against dealer's share to it, with a
// valid proof (whatever the share).
func (e *election) complaintAgainst(t *trustee, dealer uint32) *tx.MsgVotingDKGComplain {
	e.c.t.Helper()
	d := e.c.trustees(e.id)[dealer-1]
	for _, es := range d.Shares {
		if es.To != t.index {
			continue
		}
		K, proof, err := votecrypto.Complaint(e.rand, apptest.ChainID, e.id, dealer, t.index, t.dkg, es)
		if err != nil {
			e.c.t.Fatal(err)
		}
		return &tx.MsgVotingDKGComplain{Election: e.id, Dealer: dealer, Key: K, Proof: proof}
	}
	e.c.t.Fatalf("trustee %d has no share from dealer %d", t.index, dealer)
	return nil
}
