package voting

import (
	"fmt"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/votecrypto"
)

// dkgTrustee loads the election for a DKG step by signer: the election in
// setup before its open height, and signer's trustee record.
func dkgTrustee(ctx *module.Context, kv store.KV, id uint64, signer tx.Address) (*tx.VoteElection, *tx.VoteTrustee, error) {
	e, err := election(kv, id)
	if err != nil {
		return nil, nil, err
	}
	j, err := trusteeIndex(e, signer)
	if err != nil {
		return nil, nil, err
	}
	if e.Status != tx.ElectionSetup || uint64(ctx.Height) >= e.OpenHeight {
		return nil, nil, ErrWrongPhase.Wrapf("election %d is %s at height %d: the DKG runs in setup, before open_height %d",
			e.ID, e.Status, ctx.Height, e.OpenHeight)
	}
	return e, getTrustee(kv, e.ID, j), nil
}

func (k *Keeper) dkgKey(ctx *module.Context, signer tx.Address, m *tx.MsgVotingDKGKey) error {
	kv := k.kv(ctx)
	e, t, err := dkgTrustee(ctx, kv, m.Election, signer)
	if err != nil {
		return err
	}
	if t.Key != nil {
		return ErrDKGRepeat.Wrapf("trustee %d of election %d already registered its DKG key %s", t.Index, e.ID, *t.Key)
	}
	if !votecrypto.ValidPoint(m.Key) {
		return ErrBadDKG.Wrapf("key %s: not a valid ristretto255 point", m.Key)
	}
	if !votecrypto.VerifyKnowledge(m.Key, m.PoK, votecrypto.KeyContext(ctx.ChainID, e.ID, t.Index)) {
		return ErrBadDKG.Wrapf("pok: not a proof of knowledge of trustee %d's DKG key for election %d", t.Index, e.ID)
	}
	key, pok := m.Key, m.PoK
	t.Key, t.KeyPoK = &key, &pok
	putTrustee(kv, e.ID, t)
	ctx.Emit("voting.dkg_key", "election", module.U64(e.ID), "trustee", module.U64(uint64(t.Index)))
	return nil
}

func (k *Keeper) dkgDeal(ctx *module.Context, signer tx.Address, m *tx.MsgVotingDKGDeal) error {
	kv := k.kv(ctx)
	e, t, err := dkgTrustee(ctx, kv, m.Election, signer)
	if err != nil {
		return err
	}
	cb := params(kv).ComplaintBlocks
	if last := int64(e.OpenHeight) - int64(cb) - 1; int64(ctx.Height) > last {
		return ErrWrongPhase.Wrapf("election %d takes deals up to height %d (open_height %d - complaint_blocks %d - 1), this is %d",
			e.ID, last, e.OpenHeight, cb, ctx.Height)
	}
	if t.Commitments != nil {
		return ErrDKGRepeat.Wrapf("trustee %d of election %d dealt at height %d", t.Index, e.ID, t.DealtAt)
	}
	all := trustees(kv, e)
	for _, o := range all {
		if o.Key == nil {
			return ErrWrongPhase.Wrapf("trustee %d has no DKG key yet: deals of election %d wait for every trustee's key", o.Index, e.ID)
		}
	}
	if err := checkDeal(ctx.ChainID, e, t.Index, m); err != nil {
		return ErrBadDKG.Wrapf("trustee %d of election %d: %v", t.Index, e.ID, err)
	}
	pok := m.PoK
	t.Commitments, t.DealPoK, t.Shares, t.DealtAt = m.Commitments, &pok, m.Shares, uint64(ctx.Height)
	putTrustee(kv, e.ID, t)
	ctx.Emit("voting.dkg_dealt", "election", module.U64(e.ID), "trustee", module.U64(uint64(t.Index)))
	return nil
}

// checkDeal checks dealer j's deal: threshold valid commitments, the
// proof of knowledge of C_0, and one share for each other trustee in
// index order with a valid R and a canonical S.
func checkDeal(chainID string, e *tx.VoteElection, j uint32, m *tx.MsgVotingDKGDeal) error {
	if len(m.Commitments) != int(e.Threshold) {
		return fmt.Errorf("commitments: %d, want the threshold %d", len(m.Commitments), e.Threshold)
	}
	for i, c := range m.Commitments {
		if !votecrypto.ValidPoint(c) {
			return fmt.Errorf("commitments[%d] %s: not a valid ristretto255 point", i, c)
		}
	}
	if !votecrypto.VerifyKnowledge(m.Commitments[0], m.PoK, votecrypto.DealContext(chainID, e.ID, j)) {
		return fmt.Errorf("pok: not a proof of knowledge of commitments[0]")
	}
	n := len(e.Trustees)
	if len(m.Shares) != n-1 {
		return fmt.Errorf("shares: %d, want one for each of the %d other trustees", len(m.Shares), n-1)
	}
	want := uint32(1)
	for i, s := range m.Shares {
		if want == j {
			want++
		}
		if s.To != want {
			return fmt.Errorf("shares[%d].to: %d, want %d (every other trustee, in index order)", i, s.To, want)
		}
		if !votecrypto.ValidPoint(s.R) {
			return fmt.Errorf("shares[%d].r: not a valid ristretto255 point", i)
		}
		if !votecrypto.ValidScalar(s.S) {
			return fmt.Errorf("shares[%d].s: not a canonical scalar", i)
		}
		want++
	}
	return nil
}

func (k *Keeper) dkgComplain(ctx *module.Context, signer tx.Address, m *tx.MsgVotingDKGComplain) error {
	kv := k.kv(ctx)
	e, t, err := dkgTrustee(ctx, kv, m.Election, signer)
	if err != nil {
		return err
	}
	if m.Dealer == t.Index || int(m.Dealer) > len(e.Trustees) {
		return ErrComplaintRefused.Wrapf("dealer %d: want another trustee of election %d (1 to %d, not %d)", m.Dealer, e.ID, len(e.Trustees), t.Index)
	}
	d := getTrustee(kv, e.ID, m.Dealer)
	if d.Commitments == nil {
		return ErrComplaintRefused.Wrapf("trustee %d has not dealt", m.Dealer)
	}
	if d.Disqualified != "" {
		return ErrComplaintRefused.Wrapf("trustee %d is already disqualified: %s", m.Dealer, d.Disqualified)
	}
	if t.Key == nil {
		return ErrComplaintRefused.Wrapf("trustee %d has no DKG key", t.Index)
	}
	var share *tx.VoteEncShare
	for i := range d.Shares {
		if d.Shares[i].To == t.Index {
			share = &d.Shares[i]
		}
	}
	if share == nil {
		return ErrComplaintRefused.Wrapf("trustee %d's deal has no share to trustee %d", m.Dealer, t.Index)
	}
	fault, err := votecrypto.JudgeComplaint(ctx.ChainID, e.ID, m.Dealer, t.Index, *t.Key, *share, m.Key, m.Proof, d.Commitments)
	if err != nil {
		return ErrComplaintRefused.Wrapf("trustee %d against trustee %d: %v", t.Index, m.Dealer, err)
	}
	if !fault {
		return ErrComplaintRefused.Wrapf("trustee %d's share to trustee %d passes its Feldman check", m.Dealer, t.Index)
	}
	d.Disqualified = fmt.Sprintf("share to trustee %d fails its Feldman check (complaint at height %d)", t.Index, ctx.Height)
	putTrustee(kv, e.ID, d)
	ctx.Emit("voting.trustee_disqualified", "election", module.U64(e.ID), "trustee", module.U64(uint64(m.Dealer)),
		"by", module.U64(uint64(t.Index)))
	return nil
}

// open ends an election's setup at the end of the block before its open
// height: the qualified trustees (dealt, not disqualified) fix the
// election key and every trustee's verification key, and the election
// opens with an empty tally; with fewer than threshold qualified it
// fails.
func (k *Keeper) open(ctx *module.Context, kv store.KV, e *tx.VoteElection) {
	all := trustees(kv, e)
	var qualified []uint32
	var deals [][]tx.Elem
	for _, t := range all {
		if t.Commitments != nil && t.Disqualified == "" {
			qualified = append(qualified, t.Index)
			deals = append(deals, t.Commitments)
		}
	}
	fail := func(why string) {
		e.Status, e.Failure = tx.ElectionFailed, why
		putElection(kv, e)
		ctx.Emit("voting.election_failed", "election", module.U64(e.ID), "reason", why)
	}
	if len(qualified) < int(e.Threshold) {
		fail(fmt.Sprintf("%d trustees qualified (dealt and not disqualified) by height %d, the threshold is %d", len(qualified), ctx.Height, e.Threshold))
		return
	}
	key, err := votecrypto.ElectionKey(deals)
	if err != nil {
		fail(fmt.Sprintf("election key: %v", err))
		return
	}
	for i := range all {
		t := &all[i]
		yj, err := votecrypto.VerificationKey(deals, t.Index)
		if err != nil {
			fail(fmt.Sprintf("verification key of trustee %d: %v", t.Index, err))
			return
		}
		t.VerificationKey = &yj
	}
	for i := range all {
		putTrustee(kv, e.ID, &all[i])
	}
	e.Qualified, e.Key, e.Tally, e.Status = qualified, &key, votecrypto.EmptyTally(len(e.Options)), tx.ElectionOpen
	putElection(kv, e)
	kv.Set(scheduleKey(e.CloseHeight, e.ID), []byte{1})
	ctx.Emit("voting.election_opened", "election", module.U64(e.ID), "key", key.String(),
		"qualified", module.U64(uint64(len(qualified))))
}

// closeElection fixes the tally at the end of the close height.
func (k *Keeper) closeElection(ctx *module.Context, kv store.KV, e *tx.VoteElection) {
	e.Status = tx.ElectionTallying
	putElection(kv, e)
	ctx.Emit("voting.election_closed", "election", module.U64(e.ID), "ballots", module.U64(e.Ballots), "counted", module.U64(e.Counted))
}
