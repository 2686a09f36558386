package api

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/votecrypto"
	"github.com/citychain/citychain/chain/wallet"
)

// The voting fixture on the shared chain, built with real transactions
// and chain/votecrypto directly: an office registers three citizens, the
// welfare office (accredited by the registrar) issues each a residency
// credential (schema "residency", the devnet's voting params); citizen 1
// proposes (proposal 1) and citizen 2 supports it, citizen 3 proposes
// (proposal 2). The commission creates an election (three options, choose
// one, three trustees, two needed); the trustees run the DKG; the three
// citizens ask for credentials and the commission issues them; at the
// opening each casts a ballot (options 0, 1, 2) and citizen 1 re-votes
// (option 1); after the close trustees 1 and 2 decrypt and the result
// [0, 2, 1] is published.
const votingSchema = "residency"

type votingWorld struct {
	citizens  []tx.Address // identity ids
	dept      tx.Address
	election  uint64
	trackers  []tx.Hash32 // in cast order; the first is superseded by the fourth
	ballotKey []tx.PubKey // per voter
	result    []uint64
}

var (
	votingOnce sync.Once
	votingW    votingWorld
	votingErr  error
)

func votingFixture(t *testing.T, c *testChain) votingWorld {
	t.Helper()
	votingOnce.Do(func() { votingW, votingErr = buildVoting(t, c) })
	if votingErr != nil {
		t.Fatalf("voting fixture: %v", votingErr)
	}
	return votingW
}

// votingEligibility is a citizen's residency evidence for purpose and id.
type residentCopy struct {
	jwt, disclosure string
	anchor, index   uint64
	path            []tx.Hash32
	slot            ed25519.PrivateKey
}

func (rc *residentCopy) eligibility(chainID, purpose string, id uint64, identity tx.Address) *tx.VotingEligibility {
	msg := tx.VotingEvidenceMessage(chainID, purpose, id, identity, rc.jwt)
	return &tx.VotingEligibility{
		Evidence:   tx.RegistryEvidence{JWT: rc.jwt, Anchor: rc.anchor, Index: rc.index, Path: rc.path, HolderSig: ed25519.Sign(rc.slot, msg)},
		Disclosure: rc.disclosure,
	}
}

func buildVoting(t *testing.T, c *testChain) (votingWorld, error) {
	var w votingWorld
	nc, err := client.New(c.rpc)
	if err != nil {
		return w, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	chainID, err := nc.ChainID(ctx)
	if err != nil {
		return w, err
	}
	keys := map[string]*keyring.Key{}
	names := []string{"voting-office", "voting-welfare", "voting-dept", "voting-commission", "voting-trustee-1", "voting-trustee-2", "voting-trustee-3",
		"voting-citizen-1", "voting-citizen-2", "voting-citizen-3"}
	for _, n := range names {
		k, err := c.keys.Get(n)
		if errors.Is(err, keyring.ErrNotFound) {
			k, err = c.keys.Add(n)
		}
		if err != nil {
			return w, err
		}
		keys[n] = k
	}
	office, welfare, dept, comm := keys["voting-office"], keys["voting-welfare"], keys["voting-dept"], keys["voting-commission"]
	trustees := []*keyring.Key{keys["voting-trustee-1"], keys["voting-trustee-2"], keys["voting-trustee-3"]}
	citizens := []*keyring.Key{keys["voting-citizen-1"], keys["voting-citizen-2"], keys["voting-citizen-3"]}
	w.dept = dept.Address
	for _, k := range citizens {
		w.citizens = append(w.citizens, k.Address)
	}
	submit := func(k *keyring.Key, msgs ...tx.Msg) (*client.TxResult, error) {
		res, err := nc.Submit(ctx, k.Private, "api voting test", msgs...)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", k.Name, msgs[0].Type(), err)
		}
		return res, nil
	}
	// each runs f(i) for i < n at once (different signers) and waits.
	each := func(n int, f func(i int) error) error {
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = f(i) })
		}
		wg.Wait()
		return errors.Join(errs...)
	}

	// Accounts, roles, the residency schema and its issuer.
	scn := tx.Coin{Amount: 1_000_000, Denom: tx.DenomSCoin}
	var funds []tx.Msg
	for _, n := range names {
		funds = append(funds, &tx.MsgSend{To: keys[n].Address, Amount: scn})
	}
	if _, err := submit(c.key(t, "treasury"), funds...); err != nil {
		return w, err
	}
	registrar := c.key(t, "registrar")
	roles, _, err := nc.Roles(ctx, registrar.Address, client.ReadOpts{})
	if err != nil {
		return w, err
	}
	grants := []tx.Msg{
		&tx.MsgRoleGrant{Address: office.Address, Role: tx.RoleRegistrationOffice},
		&tx.MsgRoleGrant{Address: dept.Address, Role: tx.RoleCityDepartment},
		&tx.MsgRoleGrant{Address: comm.Address, Role: tx.RoleElectionCommission},
	}
	if !slices.Contains(roles, tx.RoleAccreditor) {
		grants = append(grants, &tx.MsgRoleGrant{Address: registrar.Address, Role: tx.RoleAccreditor})
	}
	for _, g := range grants {
		if _, err := submit(c.key(t, "authority"), g); err != nil {
			return w, err
		}
	}
	now := time.Now()
	if _, err := submit(registrar,
		&tx.MsgCredentialRegisterSchema{ID: votingSchema, Name: "Residency (API voting test)", Claims: []string{"resident_seoul"}},
		&tx.MsgCredentialAccredit{Issuer: welfare.Address, Schema: votingSchema, From: now.Add(-time.Hour).UTC().Truncate(time.Second)},
	); err != nil {
		return w, err
	}

	// The citizens' identities and residency credentials.
	list := tx.StatusListID(office.Address, "api-voting-card")
	reg := []tx.Msg{&tx.MsgCredentialCreateList{Name: "api-voting-card", Purpose: tx.StatusSuspension, Size: tx.MinStatusListSize}}
	for i, k := range citizens {
		d := sha256.Sum256([]byte(fmt.Sprintf("voting-citizen/%d", i)))
		idx := (uint32(d[0])<<16 | uint32(d[1])<<8 | uint32(d[2])) % tx.MinStatusListSize
		var salt [tx.CardSaltLen]byte
		copy(salt[:], d[3:])
		reg = append(reg, &tx.MsgIdentityRegister{DeviceKey: k.PubKey, CardList: list, Commitments: []tx.Hash32{tx.CardCommitment(list, idx, salt)}})
	}
	if _, err := submit(office, reg...); err != nil {
		return w, err
	}
	copies := make([]residentCopy, len(citizens))
	var items []wallet.Item
	for i := range copies {
		_, copies[i].slot, err = ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return w, err
		}
		items = append(items, wallet.Item{HolderKey: tx.PubKey(copies[i].slot.Public().(ed25519.PublicKey)),
			Claims: []sdjwt.Claim{{Name: "resident_seoul", Value: true}}})
	}
	batch, err := wallet.IssueBatch(wallet.BatchSpec{Key: welfare.Private, Iss: welfare.Address.String(), Vct: votingSchema, Now: now, Exp: now.AddDate(1, 0, 0)}, items)
	if err != nil {
		return w, err
	}
	res, err := submit(welfare, &tx.MsgCredentialAnchor{Schema: votingSchema, Root: batch.Root, Count: batch.Count})
	if err != nil {
		return w, err
	}
	attr, _ := res.Attr("credentials.anchored", "id")
	var anchor uint64
	if _, err := fmt.Sscan(attr, &anchor); err != nil {
		return w, fmt.Errorf("anchor id %q: %w", attr, err)
	}
	for i := range copies {
		cp := batch.Copies[i]
		p, err := sdjwt.Parse(cp.SDJWT)
		if err != nil {
			return w, err
		}
		for _, d := range p.Disclosures {
			if d.Name == "resident_seoul" {
				copies[i].disclosure = d.Raw
			}
		}
		copies[i].jwt, copies[i].anchor, copies[i].index, copies[i].path = p.JWT, anchor, cp.Index, cp.Path
	}

	// Proposals: 1 by citizen 1, supported by citizen 2; 2 by citizen 3.
	if _, err := submit(citizens[0], &tx.MsgVotingPropose{Title: "More shade trees on Mapo-daero", Summary: "Plant 200 trees before next summer.",
		BodyHash: sha256.Sum256([]byte("trees")), Department: dept.Address, Eligibility: copies[0].eligibility(chainID, "propose", 0, w.citizens[0])}); err != nil {
		return w, err
	}
	if _, err := submit(citizens[2], &tx.MsgVotingPropose{Title: "A night bus to Eunpyeong", Summary: "N-line every 20 minutes.",
		BodyHash: sha256.Sum256([]byte("bus")), Department: dept.Address, Eligibility: copies[2].eligibility(chainID, "propose", 0, w.citizens[2])}); err != nil {
		return w, err
	}
	if _, err := submit(citizens[1], &tx.MsgVotingSupport{Proposal: 1, Eligibility: copies[1].eligibility(chainID, "support", 1, w.citizens[1])}); err != nil {
		return w, err
	}

	// The election.
	params, err := nc.VotingParams(ctx, 0)
	if err != nil {
		return w, err
	}
	st, err := nc.RPC().Status(ctx)
	if err != nil {
		return w, err
	}
	h := uint64(st.SyncInfo.LatestBlockHeight)
	openAt := h + params.ComplaintBlocks + 25
	closeAt := openAt + 12
	sk, err := votecrypto.NewCredentialKey(rand.Reader, 2048)
	if err != nil {
		return w, err
	}
	der, err := votecrypto.MarshalCredentialKey(&sk.PublicKey)
	if err != nil {
		return w, err
	}
	res, err = submit(comm, &tx.MsgVotingCreateElection{Title: "Participatory budget (API test)", Question: "Which project?",
		Options: []string{"Library", "Bike lanes", "Playground"}, MinChoices: 1, MaxChoices: 1, Rule: tx.RuleResidents,
		CredentialKeys: []tx.VoteCredentialKey{{Weight: 1, Key: der}}, OpenHeight: openAt, CloseHeight: closeAt,
		Trustees: []tx.Address{trustees[0].Address, trustees[1].Address, trustees[2].Address}, Threshold: 2})
	if err != nil {
		return w, err
	}
	attr, _ = res.Attr("voting.election_created", "election")
	if _, err := fmt.Sscan(attr, &w.election); err != nil {
		return w, fmt.Errorf("election id %q: %w", attr, err)
	}
	eid := w.election

	// DKG: keys, then deals.
	dkg := make([]votecrypto.Secret, 3)
	polys := make([]votecrypto.Polynomial, 3)
	if err := each(3, func(i int) error {
		j := uint32(i + 1)
		if dkg[i], err = votecrypto.NewSecret(rand.Reader); err != nil {
			return err
		}
		pok, err := votecrypto.ProveKnowledge(rand.Reader, dkg[i], votecrypto.KeyContext(chainID, eid, j))
		if err != nil {
			return err
		}
		_, err = submit(trustees[i], &tx.MsgVotingDKGKey{Election: eid, Key: dkg[i].Public(), PoK: pok})
		return err
	}); err != nil {
		return w, err
	}
	if err := each(3, func(i int) error {
		j := uint32(i + 1)
		p, err := votecrypto.NewPolynomial(rand.Reader, 2)
		if err != nil {
			return err
		}
		polys[i] = p
		pok, err := votecrypto.ProveKnowledge(rand.Reader, p[0], votecrypto.DealContext(chainID, eid, j))
		if err != nil {
			return err
		}
		m := &tx.MsgVotingDKGDeal{Election: eid, Commitments: p.Commitments(), PoK: pok}
		for k := uint32(1); k <= 3; k++ {
			if k == j {
				continue
			}
			es, err := votecrypto.EncryptShare(rand.Reader, chainID, eid, j, k, dkg[k-1].Public(), p.Eval(k))
			if err != nil {
				return err
			}
			m.Shares = append(m.Shares, es)
		}
		_, err = submit(trustees[i], m)
		return err
	}); err != nil {
		return w, err
	}

	// Credentials: each citizen asks (a blinded ballot key), the
	// commission issues.
	ballotKeys := make([]ed25519.PrivateKey, 3)
	blinds := make([]votecrypto.BlindState, 3)
	pk := &sk.PublicKey
	if err := each(3, func(i int) error {
		if _, ballotKeys[i], err = ed25519.GenerateKey(rand.Reader); err != nil {
			return err
		}
		pub := tx.PubKey(ballotKeys[i].Public().(ed25519.PublicKey))
		blinded, state, err := votecrypto.Blind(rand.Reader, pk, tx.VotingCredentialMessage(chainID, eid, pub))
		if err != nil {
			return err
		}
		blinds[i] = state
		_, err = submit(citizens[i], &tx.MsgVotingRequestCredential{Election: eid, Blinded: blinded,
			Eligibility: copies[i].eligibility(chainID, "credential", eid, w.citizens[i])})
		return err
	}); err != nil {
		return w, err
	}
	var issue []tx.Msg
	sigs := make([][]byte, 3)
	for i := range citizens {
		rq, _, err := nc.VoteRequest(ctx, eid, w.citizens[i], client.ReadOpts{})
		if err != nil || rq == nil {
			return w, fmt.Errorf("request of citizen %d: %v, %v", i+1, rq, err)
		}
		if sigs[i], err = votecrypto.BlindSign(sk, rq.Blinded); err != nil {
			return w, err
		}
		issue = append(issue, &tx.MsgVotingIssueCredential{Election: eid, Identity: w.citizens[i], BlindSig: sigs[i]})
	}
	if _, err := submit(comm, issue...); err != nil {
		return w, err
	}

	// Ballots: at the opening, 0, 1, 2; then citizen 1 re-votes 1.
	if err := votingWaitHeight(ctx, nc, int64(openAt)); err != nil {
		return w, err
	}
	e, _, err := nc.VoteElection(ctx, eid, client.ReadOpts{})
	if err != nil || e == nil || e.Status != tx.ElectionOpen || e.Key == nil {
		return w, fmt.Errorf("election %d at the opening: %+v, %v", eid, e, err)
	}
	bp := votecrypto.BallotParams{ChainID: chainID, Election: eid, Key: *e.Key, Options: 3, MinChoices: 1, MaxChoices: 1}
	creds := make([][]byte, 3)
	cast := func(i int, option int, seq uint64) (tx.Hash32, error) {
		pub := tx.PubKey(ballotKeys[i].Public().(ed25519.PublicKey))
		m := &tx.MsgVotingCast{Election: eid, BallotKey: pub, Weight: 1, Credential: creds[i]}
		choices := make([]bool, 3)
		choices[option] = true
		if err := votecrypto.EncryptBallot(rand.Reader, bp, m, choices); err != nil {
			return tx.Hash32{}, err
		}
		raw, err := tx.Build(ballotKeys[i], chainID, seq, "", m)
		if err != nil {
			return tx.Hash32{}, err
		}
		if _, err := nc.BroadcastAndWait(ctx, raw); err != nil {
			return tx.Hash32{}, fmt.Errorf("ballot of citizen %d: %w", i+1, err)
		}
		return tx.BallotTracker(m), nil
	}
	for i := range citizens {
		if creds[i], err = votecrypto.Finalize(pk, blinds[i], sigs[i]); err != nil {
			return w, err
		}
		w.ballotKey = append(w.ballotKey, tx.PubKey(ballotKeys[i].Public().(ed25519.PublicKey)))
		tr, err := cast(i, i, 0)
		if err != nil {
			return w, err
		}
		w.trackers = append(w.trackers, tr)
	}
	tr, err := cast(0, 1, 1)
	if err != nil {
		return w, err
	}
	w.trackers = append(w.trackers, tr)

	// The close, two trustees' shares, the result.
	if err := votingWaitHeight(ctx, nc, int64(closeAt)+1); err != nil {
		return w, err
	}
	e, _, err = nc.VoteElection(ctx, eid, client.ReadOpts{})
	if err != nil || e == nil || e.Status != tx.ElectionTallying {
		return w, fmt.Errorf("election %d after the close: %+v, %v", eid, e, err)
	}
	shares := make([][]tx.Elem, 2)
	if err := each(2, func(i int) error {
		j := uint32(i + 1)
		var fs []votecrypto.Secret
		for k := range polys {
			fs = append(fs, polys[k].Eval(j))
		}
		x := votecrypto.SumSecrets(fs...)
		m := &tx.MsgVotingDecrypt{Election: eid}
		for o, ct := range e.Tally {
			s, err := votecrypto.DecryptionShare(rand.Reader, chainID, eid, j, o, x, ct.A)
			if err != nil {
				return err
			}
			m.Shares = append(m.Shares, s)
			shares[i] = append(shares[i], s.D)
		}
		_, err = submit(trustees[i], m)
		return err
	}); err != nil {
		return w, err
	}
	M, err := votecrypto.Combine([]uint32{1, 2}, shares, e.Tally)
	if err != nil {
		return w, err
	}
	if w.result, err = votecrypto.SolveCounts(M, 3); err != nil {
		return w, err
	}
	if _, err := submit(comm, &tx.MsgVotingPublish{Election: eid, Counts: w.result}); err != nil {
		return w, err
	}
	return w, nil
}

// votingWaitHeight waits until the chain's latest block is at least h.
func votingWaitHeight(ctx context.Context, nc *client.Client, h int64) error {
	for {
		st, err := nc.RPC().Status(ctx)
		if err != nil {
			return err
		}
		if st.SyncInfo.LatestBlockHeight >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for height %d: %w", h, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func TestVotingRoutes(t *testing.T) {
	c := getChain(t)
	w := votingFixture(t, c)
	ts := startServer(t, c, nil)
	eb := fmt.Sprintf("/v1/voting/elections/%d", w.election)

	t.Run("params", func(t *testing.T) {
		var p tx.VotingParams
		ts.getJSON(t, "/v1/voting/params", &p)
		if p.ResidencySchema != votingSchema || p.ResidencyClaim != "resident_seoul" || p.DepartmentThreshold != 50 || p.ForumThreshold != 100 || p.MayorThreshold != 1000 {
			t.Fatalf("got %+v, want the genesis defaults", p)
		}
	})
	t.Run("proposals, paged", func(t *testing.T) {
		var p AfterPage[tx.VoteProposal]
		ts.getJSON(t, "/v1/voting/proposals?limit=1", &p)
		if len(p.Items) != 1 || p.Items[0].ID != 1 || p.NextAfter != "1" || p.NextCursor == "" {
			t.Fatalf("first page: %+v", p)
		}
		pr := p.Items[0]
		if pr.Proposer != w.citizens[0] || pr.Department != w.dept || pr.Supports != 2 || pr.Status != tx.ProposalOpen || len(pr.Levels) != 3 ||
			pr.Levels[0].Level != tx.LevelDepartment || pr.Levels[0].Threshold != 50 || pr.Levels[0].ReachedAt != 0 {
			t.Fatalf("proposal 1: got %+v, want citizen 1's, two supports, no level reached", pr)
		}
		var p2 AfterPage[tx.VoteProposal]
		ts.getJSON(t, "/v1/voting/proposals?limit=1&cursor="+p.NextCursor, &p2)
		if len(p2.Items) != 1 || p2.Items[0].ID != 2 || p2.Items[0].Proposer != w.citizens[2] || p2.Items[0].Supports != 1 || p2.NextAfter != "" {
			t.Fatalf("second page: %+v", p2)
		}
		ts.getJSON(t, "/v1/voting/proposals?after=2", &p2)
		if len(p2.Items) != 0 || p2.Items == nil {
			t.Fatalf("after the last: got %+v, want an empty page", p2)
		}
	})
	t.Run("proposal with proof", func(t *testing.T) {
		var r registryState[tx.VoteProposal]
		ts.getJSON(t, "/v1/voting/proposals/1?prove=true", &r)
		if r.Result.ID != 1 || r.Result.Title != "More shade trees on Mapo-daero" {
			t.Fatalf("got %+v", r.Result)
		}
		wantVerified(t, "proposal", r.Height, r.Proof, true)
		var absent registryState[json.RawMessage]
		ts.getJSON(t, "/v1/voting/proposals/99?prove=true", &absent)
		if string(absent.Result) != "null" {
			t.Fatalf("absent proposal: got %s, want null", absent.Result)
		}
		wantVerified(t, "absent proposal", absent.Height, absent.Proof, false)
	})
	t.Run("supports, proven either way", func(t *testing.T) {
		var r registryState[struct {
			Proposal uint64     `json:"proposal"`
			Identity tx.Address `json:"identity"`
			Height   uint64     `json:"height"`
		}]
		ts.getJSON(t, "/v1/voting/proposals/1/supports/"+w.citizens[1].String()+"?prove=true", &r)
		if r.Result.Proposal != 1 || r.Result.Identity != w.citizens[1] || r.Result.Height == 0 {
			t.Fatalf("citizen 2's support: got %+v", r.Result)
		}
		wantVerified(t, "support", r.Height, r.Proof, true)
		var absent registryState[json.RawMessage]
		ts.getJSON(t, "/v1/voting/proposals/1/supports/"+w.citizens[2].String()+"?prove=true", &absent)
		if string(absent.Result) != "null" {
			t.Fatalf("citizen 3 on proposal 1: got %s, want null", absent.Result)
		}
		wantVerified(t, "absent support", absent.Height, absent.Proof, false)
	})
	t.Run("elections", func(t *testing.T) {
		var p AfterPage[tx.VoteElection]
		ts.getJSON(t, "/v1/voting/elections", &p)
		i := slices.IndexFunc(p.Items, func(e tx.VoteElection) bool { return e.ID == w.election })
		if i < 0 {
			t.Fatalf("got %+v, want election %d", p.Items, w.election)
		}
		var r registryState[tx.VoteElection]
		ts.getJSON(t, eb+"?prove=true", &r)
		e := r.Result
		if e.Status != tx.ElectionDecided || !slices.Equal(e.Result, w.result) || !slices.Equal(e.Result, []uint64{0, 2, 1}) || e.Ballots != 4 || e.Counted != 3 ||
			len(e.Classes) != 1 || e.Classes[0].Issued != 3 || e.Classes[0].BallotKeys != 3 || !slices.Equal(e.Decryptors, []uint32{1, 2}) {
			t.Fatalf("got %+v, want decided [0 2 1] from 4 ballots of 3 keys", e)
		}
		wantVerified(t, "election", r.Height, r.Proof, true)
	})
	t.Run("trustees", func(t *testing.T) {
		var tr []tx.VoteTrustee
		ts.getJSON(t, eb+"/trustees", &tr)
		if len(tr) != 3 || tr[0].Index != 1 || tr[2].Index != 3 || tr[0].Key == nil || len(tr[0].Commitments) != 2 || len(tr[0].Decryption) != 3 ||
			len(tr[2].Decryption) != 0 || tr[2].VerificationKey == nil {
			t.Fatalf("got %+v, want three trustees, 1 and 2 decrypted", tr)
		}
		var r registryState[tx.VoteTrustee]
		ts.getJSON(t, eb+"/trustees/2?prove=true", &r)
		if r.Result.Index != 2 || len(r.Result.Decryption) != 3 {
			t.Fatalf("trustee 2: got %+v", r.Result)
		}
		wantVerified(t, "trustee", r.Height, r.Proof, true)
	})
	t.Run("requests", func(t *testing.T) {
		var p AfterPage[tx.VoteRequest]
		ts.getJSON(t, eb+"/requests?limit=2", &p)
		if len(p.Items) != 2 || p.Items[0].Seq != 1 || p.Items[1].Seq != 2 || p.NextAfter != "2" || len(p.Items[0].BlindSig) == 0 {
			t.Fatalf("first page: %+v", p)
		}
		ts.getJSON(t, eb+"/requests?after=2", &p)
		if len(p.Items) != 1 || p.Items[0].Seq != 3 {
			t.Fatalf("after 2: %+v", p)
		}
		ts.getJSON(t, eb+"/requests?pending=true", &p)
		if len(p.Items) != 0 {
			t.Fatalf("pending: got %+v, want none (all issued)", p.Items)
		}
		var r registryState[tx.VoteRequest]
		ts.getJSON(t, eb+"/requests/"+w.citizens[1].String()+"?prove=true", &r)
		if r.Result.Identity != w.citizens[1] || r.Result.Weight != 1 || len(r.Result.BlindSig) == 0 {
			t.Fatalf("citizen 2's request: got %+v", r.Result)
		}
		wantVerified(t, "request", r.Height, r.Proof, true)
		var absent registryState[json.RawMessage]
		ts.getJSON(t, eb+"/requests/"+w.dept.String()+"?prove=true", &absent)
		wantVerified(t, "absent request", absent.Height, absent.Proof, false)
	})
	t.Run("ballots, paged", func(t *testing.T) {
		var p AfterPage[tx.VoteBallot]
		ts.getJSON(t, eb+"/ballots?limit=3", &p)
		if len(p.Items) != 3 || p.NextAfter != "3" || !p.Items[0].Superseded || p.Items[1].Superseded || p.Items[0].Tracker != w.trackers[0] {
			t.Fatalf("first page: %+v", p)
		}
		var p2 AfterPage[tx.VoteBallot]
		ts.getJSON(t, eb+"/ballots?cursor="+p.NextCursor, &p2)
		if len(p2.Items) != 1 || p2.Items[0].Seq != 4 || p2.Items[0].Superseded || p2.Items[0].Tracker != w.trackers[3] ||
			p2.Items[0].Ballot.BallotKey.String() != w.ballotKey[0].String() || p2.NextAfter != "" {
			t.Fatalf("second page: %+v", p2)
		}
	})
	t.Run("trackers, proven either way", func(t *testing.T) {
		for i, tr := range w.trackers {
			var r registryState[tx.VoteTrackerEntry]
			ts.getJSON(t, eb+"/trackers/"+tr.String()+"?prove=true", &r)
			if r.Result.Election != w.election || r.Result.Seq != uint64(i+1) || r.Result.Superseded != (i == 0) {
				t.Fatalf("tracker %d: got %+v", i, r.Result)
			}
			wantVerified(t, "tracker", r.Height, r.Proof, true)
			if r.Proof.Key == "" {
				t.Fatalf("tracker %d: the proof names no key", i)
			}
		}
		var absent registryState[json.RawMessage]
		ts.getJSON(t, eb+"/trackers/"+strings.Repeat("ab", 32)+"?prove=true", &absent)
		if string(absent.Result) != "null" {
			t.Fatalf("unknown tracker: got %s, want null", absent.Result)
		}
		wantVerified(t, "absent tracker", absent.Height, absent.Proof, false)
		if absent.Proof.Key == "" {
			t.Fatalf("the proof of absence names no key")
		}
	})
	t.Run("verify", func(t *testing.T) {
		ts.votes.clearCache()
		var v VoteVerification
		ts.getJSON(t, eb+"/verify", &v)
		if v.Election != w.election || v.Status != tx.ElectionDecided || !v.Clean || v.Report == nil || len(v.Report.Problems) != 0 ||
			v.Report.Ballots != 4 || v.Report.Counted != 3 || !v.Report.TallyMatches || !slices.Equal(v.Report.Result, []uint64{0, 2, 1}) {
			t.Fatalf("got %+v (%+v), want a clean decided election", v, v.Report)
		}
	})
	t.Run("verify refuses an election above the bound", func(t *testing.T) {
		old := verifyBallotBound
		verifyBallotBound = 3
		defer func() { verifyBallotBound = old }()
		ts.votes.clearCache()
		code, h, b := ts.do(t, "GET", eb+"/verify", nil)
		p := wantProblem(t, "too many ballots", code, h, b, http.StatusUnprocessableEntity)
		if !strings.Contains(p.Detail, "4 ballots") || !strings.Contains(p.Detail, "at most 3 ballots") {
			t.Fatalf("got %q, want the count and the bound named", p.Detail)
		}
	})
	t.Run("anonymous reads", func(t *testing.T) {
		anon := startServer(t, c, func(cfg *Config) { cfg.AnonymousReads = true })
		for _, p := range []string{"/v1/voting/proposals/1", eb, eb + "/trackers/" + w.trackers[0].String()} {
			if code, _, b := anon.do(t, "GET", p, nil, "Authorization", ""); code != 200 {
				t.Fatalf("anonymous %s: got %d %s", p, code, b)
			}
		}
	})
	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			path, field string
			code        int
			detail      string
		}{
			{"/v1/voting/proposals/99", "", 404, "proposal 99 does not exist"},
			{"/v1/voting/proposals/99/supports/" + w.citizens[0].String(), "", 404, "has not supported proposal 99"},
			{"/v1/voting/elections/99", "", 404, "election 99 does not exist"},
			{"/v1/voting/elections/99/trustees", "", 404, "election 99 does not exist"},
			{"/v1/voting/elections/99/requests", "", 404, "election 99 does not exist"},
			{"/v1/voting/elections/99/ballots", "", 404, "election 99 does not exist"},
			{"/v1/voting/elections/99/verify", "", 404, "election 99 does not exist"},
			{eb + "/trustees/9", "", 404, "has no trustee 9"},
			{eb + "/requests/" + w.dept.String(), "", 404, "has no credential request"},
			{eb + "/trackers/" + strings.Repeat("ab", 32), "", 404, "has tracker"},
			{"/v1/voting/proposals/0", "id", 400, ""},
			{"/v1/voting/proposals/x", "id", 400, ""},
			{"/v1/voting/elections/-1", "id", 400, ""},
			{"/v1/voting/proposals/1/supports/xyz", "identity", 400, ""},
			{eb + "/trackers/xyz", "tracker", 400, ""},
			{eb + "/trustees/0", "index", 400, ""},
			{eb + "/requests?pending=maybe", "pending", 400, ""},
			{eb + "/ballots?after=x", "after", 400, ""},
			{eb + "/ballots?limit=1001", "limit", 400, ""},
			{"/v1/voting/proposals?cursor=!!", "cursor", 400, ""},
			{eb + "?prove=maybe", "prove", 400, ""},
		} {
			code, h, b := ts.do(t, "GET", tc.path, nil)
			p := wantProblem(t, tc.path, code, h, b, tc.code)
			if p.Field != tc.field || !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("%s: got field %q detail %q, want field %q and %q", tc.path, p.Field, p.Detail, tc.field, tc.detail)
			}
		}
	})
}

// clearCache empties the cache of verification reports.
func (c *voteVerifier) clearCache() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m, c.order = nil, nil
}
