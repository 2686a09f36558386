package voting

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/votecrypto"
)

// credentialPhase refuses a credential request or issue outside setup and
// open, or after the close height.
func credentialPhase(ctx *module.Context, e *tx.VoteElection) error {
	if (e.Status != tx.ElectionSetup && e.Status != tx.ElectionOpen) || uint64(ctx.Height) > e.CloseHeight {
		return ErrWrongPhase.Wrapf("election %d is %s at height %d: credentials are asked for and issued in setup or open, up to close_height %d",
			e.ID, e.Status, ctx.Height, e.CloseHeight)
	}
	return nil
}

// requested is the number of credential requests of an election: the
// last request's Seq.
func requested(e *tx.VoteElection) uint64 {
	var n uint64
	for _, c := range e.Classes {
		n += c.Requested
	}
	return n
}

func (k *Keeper) requestCredential(ctx *module.Context, signer tx.Address, m *tx.MsgVotingRequestCredential) error {
	kv := k.kv(ctx)
	e, err := election(kv, m.Election)
	if err != nil {
		return err
	}
	if err := credentialPhase(ctx, e); err != nil {
		return err
	}
	identity, err := k.citizen(ctx, signer)
	if err != nil {
		return err
	}
	weight := uint64(1)
	if e.Rule == tx.RuleListed {
		b := kv.Get(voterKey(e.ID, identity))
		if b == nil {
			return ErrNotEligible.Wrapf("identity %s is not on election %d's voter list", identity, e.ID)
		}
		weight = binary.BigEndian.Uint64(b)
	}
	if r := getRequest(kv, e.ID, identity); r != nil {
		return ErrAlreadyRequested.Wrapf("identity %s asked for its credential of election %d at height %d (request %d)", identity, e.ID, r.Height, r.Seq)
	}
	var jwt tx.Hash32
	var used bool
	if e.Rule == tx.RuleResidents {
		if jwt, used, err = k.resident(ctx, params(kv), purposeCredential, e.ID, identity, m.Eligibility); err != nil {
			return err
		}
		if used {
			if b := kv.Get(elecCredKey(e.ID, jwt)); b != nil {
				var other tx.Address
				copy(other[:], b)
				return ErrCredentialReused.Wrapf("the residency credential %s already served identity %s in election %d", jwt, other, e.ID)
			}
		}
	}
	c := class(e, weight)
	if c == nil {
		return ErrNotEligible.Wrapf("election %d has no credential key of weight %d", e.ID, weight)
	}
	pk, err := classKey(c)
	if err != nil {
		return ErrBadRequest.Wrapf("credential key of weight %d: %v", weight, err)
	}
	if err := votecrypto.CheckBlinded(pk, m.Blinded); err != nil {
		return ErrBadRequest.Wrapf("blinded: %v", err)
	}
	seq := requested(e) + 1
	c.Requested++
	r := &tx.VoteRequest{Election: e.ID, Seq: seq, Identity: identity, Weight: weight, Blinded: m.Blinded, Height: uint64(ctx.Height)}
	store.PutJSON(kv, requestKey(e.ID, identity), r)
	kv.Set(requestSeqKey(e.ID, seq), identity[:])
	kv.Set(pendingKey(e.ID, seq), identity[:])
	if used {
		kv.Set(elecCredKey(e.ID, jwt), identity[:])
	}
	putElection(kv, e)
	ctx.Emit("voting.credential_requested", "election", module.U64(e.ID), "seq", module.U64(seq))
	return nil
}

func (k *Keeper) issueCredential(ctx *module.Context, signer tx.Address, m *tx.MsgVotingIssueCredential) error {
	kv := k.kv(ctx)
	e, err := election(kv, m.Election)
	if err != nil {
		return err
	}
	if signer != e.Commission {
		return ErrNotCommission.Wrapf("election %d's commission is %s, not %s", e.ID, e.Commission, signer)
	}
	if err := credentialPhase(ctx, e); err != nil {
		return err
	}
	r := getRequest(kv, e.ID, m.Identity)
	if r == nil {
		return ErrNoRequest.Wrapf("identity %s made no credential request in election %d", m.Identity, e.ID)
	}
	if r.BlindSig != nil {
		return ErrAlreadyIssued.Wrapf("request %d of election %d (identity %s) has its credential", r.Seq, e.ID, m.Identity)
	}
	c := class(e, r.Weight)
	pk, err := classKey(c)
	if err != nil {
		return ErrBadBlindSig.Wrapf("credential key of weight %d: %v", r.Weight, err)
	}
	if err := votecrypto.CheckBlindSig(pk, r.Blinded, m.BlindSig); err != nil {
		return ErrBadBlindSig.Wrapf("blind_sig for request %d: %v", r.Seq, err)
	}
	r.BlindSig = m.BlindSig
	store.PutJSON(kv, requestKey(e.ID, m.Identity), r)
	kv.Delete(pendingKey(e.ID, r.Seq))
	c.Issued++
	putElection(kv, e)
	ctx.Emit("voting.credential_issued", "election", module.U64(e.ID), "seq", module.U64(r.Seq))
	return nil
}

func (k *Keeper) cast(ctx *module.Context, signer tx.Address, m *tx.MsgVotingCast) error {
	kv := k.kv(ctx)
	e, err := election(kv, m.Election)
	if err != nil {
		return err
	}
	h := uint64(ctx.Height)
	if e.Status != tx.ElectionOpen || h < e.OpenHeight || h > e.CloseHeight {
		return ErrWrongPhase.Wrapf("election %d is %s at height %d: ballots are cast while it is open, heights %d to %d",
			e.ID, e.Status, ctx.Height, e.OpenHeight, e.CloseHeight)
	}
	if len(m.BallotKey) != 32 || m.BallotKey.Address() != signer {
		return ErrBadBallot.Wrapf("ballot_key: %s is not the signer %s's key", m.BallotKey, signer)
	}
	c := class(e, m.Weight)
	if c == nil {
		return ErrBadCredential.Wrapf("weight %d: election %d has no credential key of that weight", m.Weight, e.ID)
	}
	pk, err := classKey(c)
	if err != nil {
		return ErrBadCredential.Wrapf("credential key of weight %d: %v", m.Weight, err)
	}
	if err := votecrypto.VerifyCredential(pk, tx.VotingCredentialMessage(ctx.ChainID, e.ID, m.BallotKey), m.Credential); err != nil {
		return ErrBadCredential.Wrapf("credential: not the commission's weight-%d credential of ballot key %s: %v", m.Weight, m.BallotKey, err)
	}
	var prev *tx.VoteBallot
	if b := kv.Get(ballotKeyKey(e.ID, m.BallotKey)); b != nil {
		prev = getBallot(kv, e.ID, idOf(b))
	}
	if prev == nil && c.BallotKeys >= c.Issued {
		return ErrCredentialsSpent.Wrapf("weight %d: %d credentials issued, %d ballot keys already voted; a new key is refused", m.Weight, c.Issued, c.BallotKeys)
	}
	bp, err := votecrypto.ElectionParams(ctx.ChainID, e)
	if err != nil {
		return ErrWrongPhase.Wrapf("%v", err)
	}
	if err := k.verifyBallot(bp, m); err != nil {
		return ErrBadBallot.Wrapf("%v", err)
	}
	tally := e.Tally
	if prev != nil {
		if tally, err = votecrypto.AddBallot(tally, prev.Ballot.Choices, prev.Ballot.Weight, true); err != nil {
			return ErrBadBallot.Wrapf("removing ballot %d: %v", prev.Seq, err)
		}
	}
	if tally, err = votecrypto.AddBallot(tally, m.Choices, m.Weight, false); err != nil {
		return ErrBadBallot.Wrapf("%v", err)
	}
	if prev != nil {
		prev.Superseded = true
		store.PutJSON(kv, ballotKey(e.ID, prev.Seq), prev)
		store.PutJSON(kv, trackerKey(e.ID, prev.Tracker), trackerEntry(prev))
	} else {
		e.Counted++
		c.BallotKeys++
	}
	e.Tally = tally
	e.Ballots++
	b := &tx.VoteBallot{Seq: e.Ballots, Tracker: tx.BallotTracker(m), Height: h, Ballot: *m}
	store.PutJSON(kv, ballotKey(e.ID, b.Seq), b)
	store.PutJSON(kv, trackerKey(e.ID, b.Tracker), trackerEntry(b))
	kv.Set(ballotKeyKey(e.ID, m.BallotKey), u64(b.Seq))
	putElection(kv, e)
	if k.auth.Account(ctx, signer) == nil {
		if err := k.auth.Open(ctx, m.BallotKey); err != nil {
			return err
		}
	}
	ctx.Emit("voting.ballot_cast", "election", module.U64(e.ID), "tracker", b.Tracker.String())
	return nil
}

// trackerEntry is what a ballot's tracker key holds.
func trackerEntry(b *tx.VoteBallot) *tx.VoteTrackerEntry {
	return &tx.VoteTrackerEntry{Election: b.Ballot.Election, Seq: b.Seq, BallotKey: b.Ballot.BallotKey, Height: b.Height, Superseded: b.Superseded}
}

func (k *Keeper) decrypt(ctx *module.Context, signer tx.Address, m *tx.MsgVotingDecrypt) error {
	kv := k.kv(ctx)
	e, err := election(kv, m.Election)
	if err != nil {
		return err
	}
	j, err := trusteeIndex(e, signer)
	if err != nil {
		return err
	}
	if e.Status != tx.ElectionTallying {
		return ErrWrongPhase.Wrapf("election %d is %s at height %d: decryption shares are taken once its tally is fixed, after close_height %d",
			e.ID, e.Status, ctx.Height, e.CloseHeight)
	}
	t := getTrustee(kv, e.ID, j)
	if t.VerificationKey == nil {
		return ErrNotTrustee.Wrapf("trustee %d of election %d has no verification key", j, e.ID)
	}
	if t.Decryption != nil {
		return ErrShareRepeat.Wrapf("trustee %d of election %d decrypted at height %d", j, e.ID, t.DecryptedAt)
	}
	if len(m.Shares) != len(e.Options) {
		return ErrBadShare.Wrapf("shares: %d, want one per option (%d)", len(m.Shares), len(e.Options))
	}
	for o, s := range m.Shares {
		if !votecrypto.VerifyDecryptionShare(ctx.ChainID, e.ID, j, o, *t.VerificationKey, e.Tally[o].A, s) {
			return ErrBadShare.Wrapf("trustee %d (%s) option %d: decryption share does not prove it decrypts the tally", j, signer, o)
		}
	}
	t.Decryption, t.DecryptedAt = m.Shares, uint64(ctx.Height)
	putTrustee(kv, e.ID, t)
	ctx.Emit("voting.decrypted", "election", module.U64(e.ID), "trustee", module.U64(uint64(j)))
	return nil
}

func (k *Keeper) publish(ctx *module.Context, _ tx.Address, m *tx.MsgVotingPublish) error {
	kv := k.kv(ctx)
	e, err := election(kv, m.Election)
	if err != nil {
		return err
	}
	if e.Status == tx.ElectionDecided {
		return ErrAlreadyPublished.Wrapf("election %d was decided at height %d", e.ID, e.DecidedAt)
	}
	if e.Status != tx.ElectionTallying {
		return ErrWrongPhase.Wrapf("election %d is %s at height %d: the result is published after close_height %d",
			e.ID, e.Status, ctx.Height, e.CloseHeight)
	}
	var indices []uint32
	var shares [][]tx.Elem
	for _, t := range trustees(kv, e) {
		if t.Decryption == nil || len(indices) == int(e.Threshold) {
			continue
		}
		indices = append(indices, t.Index)
		ds := make([]tx.Elem, len(t.Decryption))
		for o, s := range t.Decryption {
			ds[o] = s.D
		}
		shares = append(shares, ds)
	}
	if len(indices) < int(e.Threshold) {
		return ErrNotEnoughShares.Wrapf("election %d: %d trustees decrypted, the threshold is %d", e.ID, len(indices), e.Threshold)
	}
	if len(m.Counts) != len(e.Options) {
		return ErrWrongResult.Wrapf("counts: %d, want one per option (%d)", len(m.Counts), len(e.Options))
	}
	M, err := votecrypto.Combine(indices, shares, e.Tally)
	if err != nil {
		return ErrWrongResult.Wrapf("combining the shares of trustees %v: %v", indices, err)
	}
	if err := votecrypto.CheckCounts(M, m.Counts); err != nil {
		return ErrWrongResult.Wrapf("counts %v: %v", m.Counts, err)
	}
	e.Result, e.Decryptors, e.DecidedAt, e.Status = m.Counts, indices, uint64(ctx.Height), tx.ElectionDecided
	putElection(kv, e)
	ctx.Emit("voting.decided", "election", module.U64(e.ID), "result", joinCounts(m.Counts), "decryptors", joinIndices(indices))
	return nil
}

func joinCounts(cs []uint64) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = module.U64(c)
	}
	return strings.Join(s, ",")
}

func joinIndices(is []uint32) string {
	s := make([]string, len(is))
	for i, c := range is {
		s[i] = module.U64(uint64(c))
	}
	return strings.Join(s, ",")
}

// verifyBallot is votecrypto.VerifyBallot(p, m) through the keeper's memo
// of verified ballots.
func (k *Keeper) verifyBallot(p votecrypto.BallotParams, m *tx.MsgVotingCast) error {
	d := ballotDigest(p, m)
	k.mu.Lock()
	_, ok := k.ballots[d]
	k.mu.Unlock()
	if ok {
		return nil
	}
	if err := votecrypto.VerifyBallot(p, m); err != nil {
		return err
	}
	k.mu.Lock()
	if len(k.ballots) >= maxBallotMemo {
		clear(k.ballots)
	}
	k.ballots[d] = struct{}{}
	k.mu.Unlock()
	return nil
}

// ballotDigest is SHA-256 of the chain id, the election, its key, options
// and choice bounds, and the ballot's canonical bytes: everything
// VerifyBallot reads.
func ballotDigest(p votecrypto.BallotParams, m *tx.MsgVotingCast) tx.Hash32 {
	h := sha256.New()
	b := binary.BigEndian.AppendUint32(nil, uint32(len(p.ChainID)))
	b = append(b, p.ChainID...)
	b = binary.BigEndian.AppendUint64(b, p.Election)
	b = append(b, p.Key[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(p.Options))
	b = binary.BigEndian.AppendUint32(b, p.MinChoices)
	b = binary.BigEndian.AppendUint32(b, p.MaxChoices)
	h.Write(b)
	h.Write(tx.BallotBytes(m))
	var out tx.Hash32
	h.Sum(out[:0])
	return out
}
