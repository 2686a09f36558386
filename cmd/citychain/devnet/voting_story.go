package devnet

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/votecrypto"
	"github.com/citychain/citychain/chain/votes"
	"github.com/citychain/citychain/chain/wallet"
)

// The devnet's direct democracy story (docs/voting.md): the registration
// office registers 100 synthetic citizens' identities and the welfare
// office issues each a residency credential (one anchor for all); one
// citizen proposes, the 99 others support, so the proposal crosses the
// department's threshold (50: the department answers) and the forum's
// (100: a public forum opens), not the mayor's (1,000). Then the election
// commission runs "Which park gets the new library?" with three trustees,
// any two of whom decrypt: the trustees run the DKG, seven citizens ask
// for blind credentials, the commission issues them, the citizens cast
// their ballots under fresh ballot keys and one changes its vote; at the
// close trustees 1 and 3 decrypt the tally, the result is published and
// re-verified from chain data alone. What the story left on chain is
// written to HOME/voting/story.json; the roles' secrets (the citizens'
// keys and credentials, the commission's RSA keys, the trustees' DKG
// secrets, the voters' ballot keys and credentials) stay in HOME/voting.
const (
	// votingCitizens is the number of synthetic citizens.
	votingCitizens = 100
	// Status lists of the synthetic citizens' cards (the office's) and
	// residency credentials (the welfare office's): their own, so the
	// citizen story's allocators and revocation never touch them.
	votingCardList      = "synthetic-cards"
	votingResidencyList = "synthetic-residency"
	// The residency schema and claim the voting module checks (its
	// genesis defaults).
	votingResidencySchema = "residency"
	votingResidencyClaim  = "resident_seoul"

	votingProposalTitle = "Shade canopies at every bus stop in Mapo-gu"
	votingProposalText  = "Summer heat at bus stops is a health risk for older riders: install shade canopies with benches at every bus stop in Mapo-gu by 2027."
	votingProposalBody  = "Proposal to Mapo-gu: 1. Survey the 412 bus stops without shade. 2. Install canopies and benches, priority to stops near senior centres. 3. Report progress every quarter."

	votingElectionTitle = "New library site"
	votingQuestion      = "Which park gets the new library?"
	// votingThreshold of the three trustees decrypt.
	votingThreshold = 2
	// votingCredentialBits is the size of the commission's RSA keys.
	votingCredentialBits = 2048
)

// votingOptions are the election's options.
var votingOptions = []string{"Yeouido Hangang Park", "Seoul Forest", "Boramae Park", "Olympic Park"}

// votingTrustees are the devnet keys of the election's trustees (indices
// 1..3), and votingDecryptors the two that decrypt (any two would do).
var (
	votingTrustees   = []string{"trustee1", "trustee2", "trustee3"}
	votingDecryptors = []uint32{1, 3}
)

// votingBallots are the voters (indices of synthetic citizens) and the
// option each votes for, in order: the last ballot counts. Citizen 6
// changes its vote from Olympic Park to Yeouido, so Olympic Park ends
// with no vote.
var votingBallots = []struct {
	citizen int
	options []int
}{
	{1, []int{0}}, {2, []int{1}}, {3, []int{0}}, {4, []int{2}}, {5, []int{1}}, {6, []int{3, 0}}, {7, []int{0}},
}

// VotingStoryReport is what the direct democracy story left on chain,
// written to HOME/voting/story.json once it is done.
type VotingStoryReport struct {
	// Citizens are the synthetic citizens' identities, in order (citizen
	// 0 proposed); Anchor is their residency credentials' anchor.
	Citizens []tx.Address `json:"citizens"`
	Anchor   uint64       `json:"anchor"`
	Proposal struct {
		ID       uint64         `json:"id"`
		Title    string         `json:"title"`
		Supports uint64         `json:"supports"`
		Levels   []tx.VoteLevel `json:"levels"`
	} `json:"proposal"`
	Election VotingStoryElection `json:"election"`
}

// VotingStoryElection is the story's election as the chain decided it.
type VotingStoryElection struct {
	ID          uint64   `json:"id"`
	Question    string   `json:"question"`
	Options     []string `json:"options"`
	OpenHeight  uint64   `json:"open_height"`
	CloseHeight uint64   `json:"close_height"`
	Threshold   uint32   `json:"threshold"`
	Trustees    []string `json:"trustees"`
	Decryptors  []uint32 `json:"decryptors"`
	Ballots     uint64   `json:"ballots"`
	Counted     uint64   `json:"counted"`
	// Voters are what each voter keeps on its own device: the options it
	// chose in order and its ballots' trackers (the last one counted).
	Voters []VotingStoryVoter `json:"voters"`
	// Result is the published count per option; Want the count of the
	// voters' last choices.
	Result []uint64 `json:"result"`
	Want   []uint64 `json:"want"`
	// Verify is votecrypto.VerifyElection's report over chain data.
	Verify *votecrypto.Report `json:"verify"`
}

// VotingStoryVoter is one voter's record (kept on the voter's device, not
// on chain: the chain never links an identity to a ballot).
type VotingStoryVoter struct {
	Citizen  int         `json:"citizen"`
	Identity tx.Address  `json:"identity"`
	Choices  []string    `json:"choices"`
	Trackers []tx.Hash32 `json:"trackers"`
}

// VotingDir is where a devnet home keeps the voting story's files.
func VotingDir(home string) string { return filepath.Join(home, "voting") }

// votingStory plays the registration and welfare offices, 100 citizens, a
// city department, the election commission and three trustees.
type votingStory struct {
	storyBase
	chainID string
	// setup and voting are the least real time the election leaves for
	// the DKG and the credentials, and for casting (at least 10 blocks
	// each).
	setup, voting time.Duration
}

// PlayVotingStory plays the direct democracy story once, to its end, on
// the devnet of home through c, printing its steps to out (what
// `citychain devnet` runs in the background; tests build on it).
func PlayVotingStory(ctx context.Context, home string, c *client.Client, out io.Writer, log *slog.Logger) error {
	s := &System{cfg: Config{Home: home, Out: out, Logger: log}}
	st, err := s.newVotingStory(c)
	if err != nil {
		return err
	}
	return st.play(ctx)
}

func (s *System) newVotingStory(c *client.Client) (*votingStory, error) {
	dir := VotingDir(s.cfg.Home)
	kr, err := s.openStory(dir)
	if err != nil {
		return nil, err
	}
	return &votingStory{storyBase: s.storyBase("voting", c, kr, dir), setup: 6 * time.Second, voting: 8 * time.Second}, nil
}

// votingKeys are the devnet keys the story signs with.
var votingKeys = append([]string{"accreditor", "office", "welfare", "department", "commission"}, votingTrustees...)

// run plays the story through playStory.
func (st *votingStory) run(ctx context.Context) error {
	return playStory(ctx, "voting", st.kr, st.dir, votingKeys, st.log, st.play)
}

// submit sends msgs signed by priv (an account that exists).
func (st *votingStory) submit(ctx context.Context, priv ed25519.PrivateKey, who string, msgs ...tx.Msg) (*client.TxResult, error) {
	return submitStory(ctx, st.c, priv, "devnet voting", who, msgs...)
}

// parallel runs fn(0..n-1) on up to workers goroutines and returns the
// errors joined.
func parallel(n, workers int, fn func(i int) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		next = make(chan int)
	)
	for range min(n, workers) {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

// play runs every step not done yet.
func (st *votingStory) play(ctx context.Context) error {
	var err error
	if st.chainID, err = st.c.ChainID(ctx); err != nil {
		return err
	}
	if err := st.prerequisites(ctx); err != nil {
		return err
	}
	cits, err := st.citizens(ctx)
	if err != nil {
		return err
	}
	rep := &VotingStoryReport{Anchor: cits.Anchor}
	for i := range cits.Copies {
		rep.Citizens = append(rep.Citizens, cits.identity(i))
	}
	p, err := st.proposal(ctx, cits)
	if err != nil {
		return err
	}
	rep.Proposal.ID, rep.Proposal.Title, rep.Proposal.Supports, rep.Proposal.Levels = p.ID, p.Title, p.Supports, p.Levels
	if rep.Election, err = st.election(ctx, cits); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(st.dir, "story.json"), rep); err != nil {
		return err
	}
	st.say("story done: %s", filepath.Join(st.dir, "story.json"))
	return nil
}

// prerequisites registers the residency schema and accredits the welfare
// office for it (unless the citizen story already did), and creates the
// synthetic citizens' status lists.
func (st *votingStory) prerequisites(ctx context.Context) error {
	welfare, err := st.addr("welfare")
	if err != nil {
		return err
	}
	var msgs []tx.Msg
	if s, _, err := st.c.CredentialSchema(ctx, votingResidencySchema, client.ReadOpts{}); err != nil {
		return err
	} else if s == nil {
		msgs = append(msgs, &tx.MsgCredentialRegisterSchema{ID: votingResidencySchema, Name: "Residency and eligibility",
			Claims: []string{votingResidencyClaim, "age_over_65", "income_decile_le_5", "employed"}})
	}
	if acc, _, err := st.c.CredentialAccreditation(ctx, welfare, votingResidencySchema, client.ReadOpts{}); err != nil {
		return err
	} else if acc == nil || len(acc.Windows) == 0 {
		msgs = append(msgs, &tx.MsgCredentialAccredit{Issuer: welfare, Schema: votingResidencySchema, From: time.Now().UTC().Truncate(time.Second).Add(-time.Minute)})
	}
	if len(msgs) > 0 {
		if _, err := st.submitAs(ctx, "accreditor", msgs...); err != nil {
			return err
		}
		st.say("schema %s registered and the welfare office accredited for it", votingResidencySchema)
	}
	for _, l := range []struct{ owner, name, purpose string }{
		{"office", votingCardList, tx.StatusSuspension}, {"welfare", votingResidencyList, tx.StatusRevocation},
	} {
		owner, err := st.addr(l.owner)
		if err != nil {
			return err
		}
		if r, _, err := st.c.StatusList(ctx, tx.StatusListID(owner, l.name), client.ReadOpts{}); err != nil {
			return err
		} else if r == nil {
			if _, err := st.submitAs(ctx, l.owner, &tx.MsgCredentialCreateList{Name: l.name, Purpose: l.purpose, Size: tx.MinStatusListSize}); err != nil {
				return err
			}
		}
	}
	return nil
}

// votingCitizensFile is HOME/voting/citizens.json: the seed the synthetic
// citizens' device and credential keys derive from, and their residency
// credentials (one copy each, all under one anchor). A demo shortcut: a
// real citizen's keys and credentials live in its own wallet.
type votingCitizensFile struct {
	Seed   tx.HexBytes         `json:"seed"`
	Anchor uint64              `json:"anchor,omitempty"`
	Count  uint64              `json:"count,omitempty"`
	Copies []votingCitizenCopy `json:"copies,omitempty"`
	path   string
}

// votingCitizenCopy is a citizen's residency credential copy.
type votingCitizenCopy struct {
	SDJWT string      `json:"sd_jwt"`
	Index uint64      `json:"index"`
	Path  []tx.Hash32 `json:"path"`
}

// device is citizen i's device key: its identity is the key's address.
func (f *votingCitizensFile) device(i int) ed25519.PrivateKey {
	return wallet.DeriveKey(f.Seed, fmt.Sprintf("citychain/devnet/citizen/%d/device", i))
}

// slot is the holder key of citizen i's residency credential.
func (f *votingCitizensFile) slot(i int) ed25519.PrivateKey {
	return wallet.DeriveKey(f.Seed, fmt.Sprintf("citychain/devnet/citizen/%d/residency", i))
}

func (f *votingCitizensFile) identity(i int) tx.Address {
	return tx.PubKey(f.device(i).Public().(ed25519.PublicKey)).Address()
}

// eligibility is citizen i's residency evidence for purpose and id: the
// issuer JWT, its anchor proof, the holder key's signature of
// tx.VotingEvidenceMessage and the resident_seoul disclosure.
func (f *votingCitizensFile) eligibility(chainID, purpose string, id uint64, i int) (*tx.VotingEligibility, error) {
	if i < 0 || i >= len(f.Copies) {
		return nil, fmt.Errorf("citizen %d has no residency credential (%d issued)", i, len(f.Copies))
	}
	parsed, err := sdjwt.Parse(f.Copies[i].SDJWT)
	if err != nil {
		return nil, fmt.Errorf("citizen %d's residency credential: %w", i, err)
	}
	ds, err := parsed.Select([]string{votingResidencyClaim})
	if err != nil {
		return nil, fmt.Errorf("citizen %d's residency credential: %w", i, err)
	}
	msg := tx.VotingEvidenceMessage(chainID, purpose, id, f.identity(i), parsed.JWT)
	return &tx.VotingEligibility{
		Evidence: tx.RegistryEvidence{JWT: parsed.JWT, Anchor: f.Anchor, Index: f.Copies[i].Index, Path: slices.Clone(f.Copies[i].Path),
			HolderSig: ed25519.Sign(f.slot(i), msg)},
		Disclosure: ds[0].Raw,
	}, nil
}

// citizens loads or creates the synthetic citizens, registers the
// identities the chain lacks (50 per transaction) and has the welfare
// office issue their residency credentials in one batch and one anchor.
func (st *votingStory) citizens(ctx context.Context) (*votingCitizensFile, error) {
	f := &votingCitizensFile{path: filepath.Join(st.dir, "citizens.json")}
	if b, err := os.ReadFile(f.path); err == nil {
		if err := json.Unmarshal(b, f); err != nil {
			return nil, fmt.Errorf("%s: %w", f.path, err)
		}
	} else if errors.Is(err, os.ErrNotExist) {
		f.Seed = make([]byte, 32)
		if _, err := rand.Read(f.Seed); err != nil {
			return nil, err
		}
		if err := writeJSON(f.path, f); err != nil {
			return nil, err
		}
	} else {
		return nil, err
	}

	office, err := st.addr("office")
	if err != nil {
		return nil, err
	}
	cardList := tx.StatusListID(office, votingCardList)
	start := time.Now()
	var missing []tx.Msg
	for i := range votingCitizens {
		v, _, err := st.c.Identity(ctx, f.identity(i), client.ReadOpts{})
		if err != nil {
			return nil, err
		}
		if v == nil {
			missing = append(missing, &tx.MsgIdentityRegister{DeviceKey: tx.PubKey(f.device(i).Public().(ed25519.PublicKey)), CardList: cardList})
		}
	}
	for chunk := range slices.Chunk(missing, 50) {
		if _, err := st.submitAs(ctx, "office", chunk...); err != nil {
			return nil, err
		}
	}
	if len(missing) > 0 {
		st.say("the registration office registered %d citizens' identities (%d transactions, %s)", len(missing), (len(missing)+49)/50,
			time.Since(start).Round(time.Millisecond))
	}

	if f.Anchor != 0 && len(f.Copies) == votingCitizens {
		return f, nil
	}
	key, err := st.key("welfare")
	if err != nil {
		return nil, err
	}
	alloc, err := wallet.OpenAllocator(filepath.Join(st.dir, "alloc-"+votingResidencyList+".bin"), tx.MinStatusListSize)
	if err != nil {
		return nil, err
	}
	items := make([]wallet.Item, votingCitizens)
	for i := range items {
		items[i] = wallet.Item{HolderKey: tx.PubKey(f.slot(i).Public().(ed25519.PublicKey)), Claims: []sdjwt.Claim{
			{Name: votingResidencyClaim, Value: true}, {Name: "age_over_65", Value: i%5 == 0},
			{Name: "income_decile_le_5", Value: i%2 == 0}, {Name: "employed", Value: i%3 != 0}}}
	}
	now := time.Now()
	start = now
	b, err := wallet.IssueBatch(wallet.BatchSpec{Key: key.Private, Iss: key.Address.String(), Vct: votingResidencySchema, Now: now,
		Exp: now.AddDate(1, 0, 0), List: tx.StatusListID(key.Address, votingResidencyList), Alloc: alloc}, items)
	if err != nil {
		return nil, err
	}
	res, err := st.submitAs(ctx, "welfare", &tx.MsgCredentialAnchor{Schema: votingResidencySchema, Root: b.Root, Count: b.Count})
	if err != nil {
		return nil, err
	}
	if f.Anchor, err = res.ID("credentials.anchored"); err != nil {
		return nil, err
	}
	f.Count, f.Copies = uint64(b.Count), nil
	for _, c := range b.Copies {
		f.Copies = append(f.Copies, votingCitizenCopy{SDJWT: c.SDJWT, Index: c.Index, Path: c.Path})
	}
	if err := writeJSON(f.path, f); err != nil {
		return nil, err
	}
	st.say("the welfare office issued %d residency credentials (resident_seoul) in anchor %d (%s)", b.Count, f.Anchor, time.Since(start).Round(time.Millisecond))
	return f, nil
}

// proposal has citizen 0 propose (the department named as responsible),
// the other 99 support it, and the department answer at its level.
func (st *votingStory) proposal(ctx context.Context, cits *votingCitizensFile) (*tx.VoteProposal, error) {
	dept, err := st.addr("department")
	if err != nil {
		return nil, err
	}
	proposer := cits.identity(0)
	find := func() (*tx.VoteProposal, error) {
		req := tx.VotingPageRequest{}
		for {
			page, _, err := st.c.VoteProposals(ctx, req, 0)
			if err != nil {
				return nil, err
			}
			for i := range page.Proposals {
				if p := &page.Proposals[i]; p.Title == votingProposalTitle && p.Proposer == proposer {
					return p, nil
				}
			}
			if page.Next == 0 {
				return nil, nil
			}
			req.After = page.Next
		}
	}
	p, err := find()
	if err != nil {
		return nil, err
	}
	if p == nil {
		elig, err := cits.eligibility(st.chainID, "propose", 0, 0)
		if err != nil {
			return nil, err
		}
		m := &tx.MsgVotingPropose{Title: votingProposalTitle, Summary: votingProposalText, BodyHash: sha256.Sum256([]byte(votingProposalBody)),
			Department: dept, Eligibility: elig}
		if _, err := st.submit(ctx, cits.device(0), "citizen 0", m); err != nil {
			return nil, err
		}
		if p, err = find(); err != nil {
			return nil, err
		}
		if p == nil {
			return nil, errors.New("the proposal is not on chain after its transaction")
		}
		st.say("proposal %d %q filed by citizen 0 (identity %s), to be answered by the department", p.ID, p.Title, proposer)
	}

	// The other citizens support it, each once.
	var supporters []int
	for i := 1; i < votingCitizens; i++ {
		s, _, err := st.c.VoteSupport(ctx, p.ID, cits.identity(i), client.ReadOpts{})
		if err != nil {
			return nil, err
		}
		if s == nil {
			supporters = append(supporters, i)
		}
	}
	start := time.Now()
	if err := parallel(len(supporters), 16, func(k int) error {
		i := supporters[k]
		elig, err := cits.eligibility(st.chainID, "support", p.ID, i)
		if err != nil {
			return err
		}
		_, err = st.submit(ctx, cits.device(i), fmt.Sprintf("citizen %d", i), &tx.MsgVotingSupport{Proposal: p.ID, Eligibility: elig})
		return err
	}); err != nil {
		return nil, err
	}
	if p, _, err = st.c.VoteProposal(ctx, p.ID, client.ReadOpts{}); err != nil || p == nil {
		return nil, fmt.Errorf("proposal: %v", err)
	}
	if len(supporters) > 0 {
		st.say("proposal %d: %d citizens supported it in %s: %d supporters", p.ID, len(supporters), time.Since(start).Round(time.Millisecond), p.Supports)
		for _, l := range p.Levels {
			if l.ReachedAt == 0 {
				st.say("proposal %d: the %s level (%d supporters) is not reached", p.ID, l.Level, l.Threshold)
				continue
			}
			what := map[string]string{tx.LevelDepartment: "the department must answer", tx.LevelForum: "a public forum opens, its record due",
				tx.LevelMayor: "the mayor must answer"}[l.Level]
			st.say("proposal %d reached %d supporters: %s by %s", p.ID, l.Threshold, what, time.Unix(l.Due, 0).In(kst).Format(time.DateOnly))
		}
	}

	// The department answers.
	for _, l := range p.Levels {
		if l.Level != tx.LevelDepartment || l.ReachedAt == 0 || l.AnsweredAt != 0 {
			continue
		}
		answer := "Mapo-gu will install canopies at the 120 busiest stops in 2026 and survey the rest; the budget is in the district's 2026 plan."
		if _, err := st.submitAs(ctx, "department", &tx.MsgVotingAnswer{Proposal: p.ID, Level: tx.LevelDepartment, Answer: answer}); err != nil {
			return nil, err
		}
		st.say("proposal %d: the department answered: %q", p.ID, answer)
		if p, _, err = st.c.VoteProposal(ctx, p.ID, client.ReadOpts{}); err != nil || p == nil {
			return nil, fmt.Errorf("proposal: %v", err)
		}
	}
	return p, nil
}

// The roles' state files in HOME/voting (chain/votes): the commission's
// keys (commission-draft.json until its election has an id, then
// commission-<id>.json), each trustee's and each voter's.
func (st *votingStory) commissionFile(election uint64) string {
	return votes.CommissionFile(st.dir, strconv.FormatUint(election, 10))
}

func (st *votingStory) trusteeFile(election uint64, j uint32) string {
	return votes.TrusteeFile(st.dir, election, j)
}

func (st *votingStory) voterFile(election uint64, identity tx.Address) string {
	return votes.VoterFile(st.dir, election, identity)
}

// findElection returns the commission's latest election of the story.
func (st *votingStory) findElection(ctx context.Context, commission tx.Address) (*tx.VoteElection, error) {
	var found *tx.VoteElection
	req := tx.VotingPageRequest{}
	for {
		page, _, err := st.c.VoteElections(ctx, req, 0)
		if err != nil {
			return nil, err
		}
		for i := range page.Elections {
			if e := &page.Elections[i]; e.Title == votingElectionTitle && e.Commission == commission {
				found = e
			}
		}
		if page.Next == 0 {
			return found, nil
		}
		req.After = page.Next
	}
}

// readElection reads election id.
func (st *votingStory) readElection(ctx context.Context, id uint64) (*tx.VoteElection, error) {
	e, _, err := st.c.VoteElection(ctx, id, client.ReadOpts{})
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, fmt.Errorf("election %d is not on chain", id)
	}
	return e, nil
}

// status is the chain's latest height and block time.
func (st *votingStory) status(ctx context.Context) (int64, time.Time, error) {
	s, err := st.c.RPC().Status(ctx)
	if err != nil {
		return 0, time.Time{}, err
	}
	return s.SyncInfo.LatestBlockHeight, s.SyncInfo.LatestBlockTime, nil
}

// blocks is how many blocks last at least d (and at least 10), from the
// last ten blocks' pace.
func (st *votingStory) blocks(ctx context.Context, d time.Duration) (uint64, error) {
	h, t, err := st.status(ctx)
	if err != nil {
		return 0, err
	}
	interval := time.Second
	if h > 11 {
		from := h - 10
		hd, err := st.c.RPC().Header(ctx, &from)
		if err != nil {
			return 0, err
		}
		interval = max(t.Sub(hd.Header.Time)/10, 50*time.Millisecond)
	}
	return max(10, uint64((d+interval-1)/interval)), nil
}

// election runs the story's election to its verified result, creating it
// first (again if an earlier one failed).
func (st *votingStory) election(ctx context.Context, cits *votingCitizensFile) (VotingStoryElection, error) {
	var out VotingStoryElection
	commission, err := st.addr("commission")
	if err != nil {
		return out, err
	}
	e, err := st.findElection(ctx, commission)
	if err != nil {
		return out, err
	}
	if e == nil || e.Status == tx.ElectionFailed {
		if e != nil {
			st.say("election %d failed (%s): the commission creates a new one", e.ID, e.Failure)
		}
		if e, err = st.createElection(ctx, commission); err != nil {
			return out, err
		}
	}
	var cs votes.CommissionState
	if err := votes.Load(st.commissionFile(e.ID), &cs); errors.Is(err, os.ErrNotExist) {
		// Stopped between the creation and the keys' renaming.
		if err := votes.Load(votes.CommissionFile(st.dir, "draft"), &cs); err != nil {
			return out, fmt.Errorf("the commission's keys of election %d: %w", e.ID, err)
		}
		if err := cs.Matches(e); err != nil {
			return out, err
		}
		if err := votes.Save(st.commissionFile(e.ID), &cs); err != nil {
			return out, err
		}
	} else if err != nil {
		return out, fmt.Errorf("the commission's keys of election %d: %w", e.ID, err)
	}

	if e.Status == tx.ElectionSetup {
		if err := st.dkg(ctx, e); err != nil {
			return out, err
		}
	}
	if e, err = st.readElection(ctx, e.ID); err != nil {
		return out, err
	}
	voters := make([]*votes.VoterState, len(votingBallots))
	if e.Status == tx.ElectionSetup || e.Status == tx.ElectionOpen {
		if err := st.credentials(ctx, cits, e, &cs, voters); err != nil {
			return out, err
		}
	}
	if err := st.c.WaitHeight(ctx, int64(e.OpenHeight)); err != nil {
		return out, err
	}
	if e, err = st.readElection(ctx, e.ID); err != nil {
		return out, err
	}
	if e.Status == tx.ElectionFailed {
		return out, fmt.Errorf("election %d failed: %s", e.ID, e.Failure)
	}
	if e.Status == tx.ElectionOpen {
		st.say("election %d is open from height %d to %d: trustees %v qualified, the election key is the sum of their commitments", e.ID, e.OpenHeight, e.CloseHeight, e.Qualified)
		if err := st.cast(ctx, cits, e, voters); err != nil {
			return out, err
		}
	}
	if err := st.c.WaitHeight(ctx, int64(e.CloseHeight+1)); err != nil {
		return out, err
	}
	if e, err = st.tally(ctx, e.ID); err != nil {
		return out, err
	}
	return st.report(ctx, cits, e)
}

// createElection generates the commission's credential key, then creates
// the election with open and close heights leaving st.setup and st.voting.
func (st *votingStory) createElection(ctx context.Context, commission tx.Address) (*tx.VoteElection, error) {
	draft := votes.CommissionFile(st.dir, "draft")
	var cs votes.CommissionState
	if err := votes.Load(draft, &cs); err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		c, err := votes.NewCommission(rand.Reader, []uint64{1}, votingCredentialBits)
		if err != nil {
			return nil, err
		}
		if err := votes.Save(draft, c); err != nil {
			return nil, err
		}
		cs = *c
	}
	params, err := st.c.VotingParams(ctx, 0)
	if err != nil {
		return nil, err
	}
	setup, err := st.blocks(ctx, st.setup)
	if err != nil {
		return nil, err
	}
	voting, err := st.blocks(ctx, st.voting)
	if err != nil {
		return nil, err
	}
	h, _, err := st.status(ctx)
	if err != nil {
		return nil, err
	}
	var trustees []tx.Address
	for _, name := range votingTrustees {
		a, err := st.addr(name)
		if err != nil {
			return nil, err
		}
		trustees = append(trustees, a)
	}
	keys, err := cs.CredentialKeys()
	if err != nil {
		return nil, err
	}
	open := uint64(h) + params.ComplaintBlocks + 3 + setup
	m := &tx.MsgVotingCreateElection{Title: votingElectionTitle, Question: votingQuestion, Options: votingOptions, MinChoices: 1, MaxChoices: 1,
		Rule: tx.RuleResidents, CredentialKeys: keys, OpenHeight: open, CloseHeight: open + voting,
		Trustees: trustees, Threshold: votingThreshold}
	if _, err := st.submitAs(ctx, "commission", m); err != nil {
		return nil, err
	}
	e, err := st.findElection(ctx, commission)
	if err != nil {
		return nil, err
	}
	if e == nil || e.Status != tx.ElectionSetup {
		return nil, errors.New("the new election is not on chain after its transaction")
	}
	if err := votes.Save(st.commissionFile(e.ID), &cs); err != nil {
		return nil, err
	}
	if err := os.Remove(draft); err != nil {
		return nil, err
	}
	st.say("election %d %q created by the commission: %d options, residents, trustees %s (any %d decrypt), open at height %d, close at %d",
		e.ID, e.Question, len(e.Options), strings.Join(votingTrustees, ", "), e.Threshold, e.OpenHeight, e.CloseHeight)
	return e, nil
}

// trustee loads trustee j's state of e, creating it the first time.
func (st *votingStory) trustee(e *tx.VoteElection, j uint32) (*votes.TrusteeState, error) {
	path := st.trusteeFile(e.ID, j)
	var t votes.TrusteeState
	err := votes.Load(path, &t)
	if err == nil {
		return &t, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	nt, err := votes.NewTrustee(rand.Reader, st.chainID, e, j)
	if err != nil {
		return nil, err
	}
	return nt, votes.Save(path, nt)
}

// dkg has the trustees register their keys, deal and check the shares
// dealt to them (complaining of a bad one).
func (st *votingStory) dkg(ctx context.Context, e *tx.VoteElection) error {
	trustees, err := st.c.VoteTrustees(ctx, e.ID, 0)
	if err != nil {
		return err
	}
	step := func(what string, need func(tr tx.VoteTrustee) bool, msg func(t *votes.TrusteeState, trustees []tx.VoteTrustee) ([]tx.Msg, error)) error {
		var sent atomic.Int32
		err := parallel(len(trustees), len(trustees), func(i int) error {
			tr := trustees[i]
			if !need(tr) {
				return nil
			}
			t, err := st.trustee(e, tr.Index)
			if err != nil {
				return err
			}
			msgs, err := msg(t, trustees)
			if err != nil {
				return fmt.Errorf("trustee %d: %w", tr.Index, err)
			}
			if err := votes.Save(st.trusteeFile(e.ID, tr.Index), t); err != nil {
				return err
			}
			for _, m := range msgs {
				if _, err := st.submitAs(ctx, votingTrustees[tr.Index-1], m); err != nil {
					return err
				}
			}
			sent.Add(1)
			return nil
		})
		if err != nil {
			return err
		}
		if trustees, err = st.c.VoteTrustees(ctx, e.ID, 0); err != nil {
			return err
		}
		if sent.Load() > 0 {
			st.say("election %d: %s", e.ID, what)
		}
		return nil
	}
	if err := step("the three trustees registered their DKG keys (with proofs of knowledge)",
		func(tr tx.VoteTrustee) bool { return tr.Key == nil },
		func(t *votes.TrusteeState, _ []tx.VoteTrustee) ([]tx.Msg, error) {
			m, err := t.KeyMsg(rand.Reader)
			return []tx.Msg{m}, err
		}); err != nil {
		return err
	}
	if err := step(fmt.Sprintf("the trustees dealt: Feldman commitments of degree %d and a share encrypted to each other trustee", votingThreshold-1),
		func(tr tx.VoteTrustee) bool { return len(tr.Commitments) == 0 },
		func(t *votes.TrusteeState, trs []tx.VoteTrustee) ([]tx.Msg, error) {
			m, err := t.DealMsg(rand.Reader, trs)
			return []tx.Msg{m}, err
		}); err != nil {
		return err
	}
	var complaints atomic.Int32
	if err := step("the trustees checked the shares dealt to them",
		func(tr tx.VoteTrustee) bool { return true },
		func(t *votes.TrusteeState, trs []tx.VoteTrustee) ([]tx.Msg, error) {
			cs, err := t.Receive(rand.Reader, trs)
			var msgs []tx.Msg
			for _, c := range cs {
				msgs = append(msgs, c)
				complaints.Add(1)
			}
			return msgs, err
		}); err != nil {
		return err
	}
	if n := complaints.Load(); n > 0 {
		st.say("election %d: %d complaints of bad shares sent", e.ID, n)
	}
	return nil
}

// credentials has each voter (a citizen of votingBallots) ask for a blind
// credential with its residency evidence, and the commission issue every
// pending request.
func (st *votingStory) credentials(ctx context.Context, cits *votingCitizensFile, e *tx.VoteElection, cs *votes.CommissionState, voters []*votes.VoterState) error {
	var asked atomic.Int32
	err := parallel(len(votingBallots), 8, func(k int) error {
		i := votingBallots[k].citizen
		id := cits.identity(i)
		path := st.voterFile(e.ID, id)
		var v votes.VoterState
		if err := votes.Load(path, &v); err == nil {
			voters[k] = &v
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		r, _, err := st.c.VoteRequest(ctx, e.ID, id, client.ReadOpts{})
		if err != nil || r != nil {
			return err
		}
		if voters[k] == nil {
			// A fresh ballot key, blinded: the state is on disk before the
			// request leaves.
			nv, err := votes.NewVoter(rand.Reader, st.chainID, e, 1)
			if err != nil {
				return err
			}
			nv.Identity = id
			if err := votes.Save(path, nv); err != nil {
				return err
			}
			voters[k] = nv
		}
		elig, err := cits.eligibility(st.chainID, "credential", e.ID, i)
		if err != nil {
			return err
		}
		if _, err := st.submit(ctx, cits.device(i), fmt.Sprintf("citizen %d", i), voters[k].Request(elig)); err != nil {
			return err
		}
		asked.Add(1)
		return nil
	})
	if err != nil {
		return err
	}
	if n := asked.Load(); n > 0 {
		st.say("election %d: %d citizens asked for a voting credential (blinded: the commission never sees the ballot key)", e.ID, n)
	}
	var pending []tx.VoteRequest
	req := tx.VotingPageRequest{Election: e.ID, Pending: true}
	for {
		page, _, err := st.c.VoteRequests(ctx, req, 0)
		if err != nil {
			return err
		}
		pending = append(pending, page.Requests...)
		if page.Next == 0 {
			break
		}
		req.After = page.Next
	}
	var msgs []tx.Msg
	for i := range pending {
		m, err := cs.Issue(&pending[i])
		if err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	for chunk := range slices.Chunk(msgs, 32) {
		if _, err := st.submitAs(ctx, "commission", chunk...); err != nil {
			return err
		}
	}
	if len(msgs) > 0 {
		st.say("election %d: the commission issued %d blind credentials", e.ID, len(msgs))
	}
	return nil
}

// cast has each voter unblind its credential and cast its ballots (a
// later ballot replaces the earlier one), skipping the ballots already
// on chain.
func (st *votingStory) cast(ctx context.Context, cits *votingCitizensFile, e *tx.VoteElection, voters []*votes.VoterState) error {
	for round := range 2 {
		var cast atomic.Int32
		err := parallel(len(votingBallots), 8, func(k int) error {
			b := votingBallots[k]
			if round >= len(b.options) {
				return nil
			}
			id := cits.identity(b.citizen)
			path := st.voterFile(e.ID, id)
			v := voters[k]
			if v == nil {
				v = new(votes.VoterState)
				if err := votes.Load(path, v); err != nil {
					return fmt.Errorf("citizen %d: %w", b.citizen, err)
				}
				voters[k] = v
			}
			if len(v.Credential) == 0 {
				r, _, err := st.c.VoteRequest(ctx, e.ID, id, client.ReadOpts{})
				if err != nil {
					return err
				}
				if r == nil || len(r.BlindSig) == 0 {
					return fmt.Errorf("citizen %d has no credential in election %d yet", b.citizen, e.ID)
				}
				if err := v.Finalize(e, r.BlindSig); err != nil {
					return fmt.Errorf("citizen %d: %w", b.citizen, err)
				}
				if err := votes.Save(path, v); err != nil {
					return err
				}
			}
			onChain, err := st.ballotsOnChain(ctx, e.ID, v)
			if err != nil {
				return err
			}
			if len(onChain) > round {
				return nil
			}
			choices, err := votes.Choices(e, []uint32{uint32(b.options[round] + 1)})
			if err != nil {
				return fmt.Errorf("citizen %d: %w", b.citizen, err)
			}
			m, err := v.Ballot(rand.Reader, e, choices)
			if err != nil {
				return fmt.Errorf("citizen %d: %w", b.citizen, err)
			}
			if err := votes.Save(path, v); err != nil {
				return err
			}
			if err := st.sendBallot(ctx, v.BallotKey(), m); err != nil {
				return fmt.Errorf("citizen %d's ballot: %w", b.citizen, err)
			}
			cast.Add(1)
			return nil
		})
		if err != nil {
			return err
		}
		switch n := cast.Load(); {
		case n > 0 && round == 0:
			st.say("election %d: %d ballots cast, each under a fresh ballot key with its unblinded credential; the chain checked every proof", e.ID, n)
		case n > 0:
			st.say("election %d: %d voter changed its vote (a new ballot under the same key replaces the first)", e.ID, n)
		}
	}
	return nil
}

// sendBallot sends a ballot signed by its ballot key: its first ballot at
// sequence 0 from a key with no account (the ballot opens it).
func (st *votingStory) sendBallot(ctx context.Context, key ed25519.PrivateKey, m *tx.MsgVotingCast) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	seq := uint64(0)
	if acc, err := st.c.Account(ctx, tx.AddressOf(key.Public().(ed25519.PublicKey))); err == nil {
		seq = acc.Sequence
	} else if !errors.Is(err, client.ErrNotFound) {
		return err
	}
	raw, err := tx.Build(key, st.chainID, seq, "", m)
	if err != nil {
		return err
	}
	_, err = st.c.BroadcastAndWait(ctx, raw)
	return err
}

// ballotsOnChain returns the voter's trackers the chain recorded, in
// order.
func (st *votingStory) ballotsOnChain(ctx context.Context, election uint64, v *votes.VoterState) ([]tx.Hash32, error) {
	var out []tx.Hash32
	for _, tr := range v.Trackers {
		t, _, err := st.c.VoteTracker(ctx, election, tr, client.ReadOpts{})
		if err != nil {
			return nil, err
		}
		if t != nil {
			out = append(out, tr)
		}
	}
	return out, nil
}

// tally waits for the close, has the decrypting trustees send their
// shares and publishes the result.
func (st *votingStory) tally(ctx context.Context, id uint64) (*tx.VoteElection, error) {
	var e *tx.VoteElection
	for {
		var err error
		if e, err = st.readElection(ctx, id); err != nil {
			return nil, err
		}
		if e.Status == tx.ElectionTallying || e.Status == tx.ElectionDecided {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	if e.Status == tx.ElectionDecided {
		return e, nil
	}
	st.say("election %d closed at height %d: %d ballots, %d counted; the tally is fixed", e.ID, e.CloseHeight, e.Ballots, e.Counted)
	trustees, err := st.c.VoteTrustees(ctx, id, 0)
	if err != nil {
		return nil, err
	}
	for _, j := range votingDecryptors {
		if len(trustees[j-1].Decryption) > 0 {
			continue
		}
		t, err := st.trustee(e, j)
		if err != nil {
			return nil, err
		}
		m, err := t.DecryptMsg(rand.Reader, e, trustees)
		if err != nil {
			return nil, fmt.Errorf("trustee %d: %w", j, err)
		}
		if _, err := st.submitAs(ctx, votingTrustees[j-1], m); err != nil {
			return nil, err
		}
		st.say("election %d: trustee %d sent its decryption shares, each proven against the fixed tally", e.ID, j)
	}
	if trustees, err = st.c.VoteTrustees(ctx, id, 0); err != nil {
		return nil, err
	}
	m, err := votes.PublishMsg(e, trustees)
	if err != nil {
		return nil, err
	}
	if _, err := st.submitAs(ctx, "commission", m); err != nil {
		return nil, err
	}
	if e, err = st.readElection(ctx, id); err != nil {
		return nil, err
	}
	var parts []string
	for o, n := range e.Result {
		parts = append(parts, fmt.Sprintf("%s %d", e.Options[o], n))
	}
	st.say("election %d decided: %s (trustees %v decrypted; trustee 2 was not needed)", e.ID, strings.Join(parts, ", "), e.Decryptors)
	return e, nil
}

// electionData reads everything the chain records of an election (what
// `citychain vote verify` checks) at one height.
func electionData(ctx context.Context, c *client.Client, id uint64) (*votecrypto.ElectionData, error) {
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	e, res, err := c.VoteElection(ctx, id, client.ReadOpts{})
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, fmt.Errorf("election %d is not on chain", id)
	}
	return c.VoteElectionData(ctx, chainID, e, res.Height)
}

// report re-verifies the election from chain data and gathers the
// voters' records.
func (st *votingStory) report(ctx context.Context, cits *votingCitizensFile, e *tx.VoteElection) (VotingStoryElection, error) {
	out := VotingStoryElection{ID: e.ID, Question: e.Question, Options: e.Options, OpenHeight: e.OpenHeight, CloseHeight: e.CloseHeight,
		Threshold: e.Threshold, Trustees: votingTrustees, Decryptors: e.Decryptors, Ballots: e.Ballots, Counted: e.Counted, Result: e.Result,
		Want: make([]uint64, len(e.Options))}
	for _, b := range votingBallots {
		id := cits.identity(b.citizen)
		var v votes.VoterState
		if err := votes.Load(st.voterFile(e.ID, id), &v); err != nil {
			return out, err
		}
		trackers, err := st.ballotsOnChain(ctx, e.ID, &v)
		if err != nil {
			return out, err
		}
		rec := VotingStoryVoter{Citizen: b.citizen, Identity: id, Trackers: trackers}
		for _, o := range b.options[:min(len(trackers), len(b.options))] {
			rec.Choices = append(rec.Choices, e.Options[o])
		}
		if len(trackers) > 0 {
			out.Want[b.options[len(rec.Choices)-1]]++
		}
		out.Voters = append(out.Voters, rec)
	}
	d, err := electionData(ctx, st.c, e.ID)
	if err != nil {
		return out, err
	}
	if out.Verify, err = votecrypto.VerifyElection(d); err != nil {
		return out, err
	}
	if len(out.Verify.Problems) > 0 {
		return out, fmt.Errorf("election %d does not verify: %s", e.ID, strings.Join(out.Verify.Problems, "; "))
	}
	st.say("election %d re-verified from chain data alone: %d ballots, %d counted, tally matches %v, no problem", e.ID, out.Verify.Ballots,
		out.Verify.Counted, out.Verify.TallyMatches)
	return out, nil
}
