package vehicles

import (
	"encoding/binary"
	"time"

	"github.com/citychain/citychain/chain/internal/devices"
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

func (k *Keeper) transfer(kv store.KV, id uint64) *Transfer {
	var t Transfer
	if !getJSON(kv, transferKey(id), &t) {
		return nil
	}
	return &t
}

// Title transfers. A licensed dealer proposes a sale (vin, buyer, price);
// the seller (the owner) and the buyer accept it; a flagged vehicle's sale
// also waits for a registrar's review. A proposal alone locks nothing: any
// number of dealers may each have one open proposal for a vehicle (indexed
// under 0x0a | VIN | dealer), and a dealer proposing again replaces its own.
// The vehicle is locked against further proposals only once its owner
// accepts one (the vehicle's OpenTransfer), and only until that one is
// completed, cancelled, refused or expires. So no dealer can block a sale
// by proposing a transfer the owner never asked for. When the title moves
// (or the vehicle is recycled) every other open proposal is closed.

// close ends an open transfer with status and drops it from the dealers'
// proposal index. The caller clears the vehicle's OpenTransfer if it was
// this one.
func (k *Keeper) close(ctx *module.Context, t *Transfer, status string) {
	kv := k.kv(ctx)
	t.Status, t.ClosedHeight = status, ctx.Height
	putJSON(kv, transferKey(t.ID), t)
	k.unindex(kv, t)
	ctx.Emit("vehicles.transfer_closed", "id", module.U64(t.ID), "vin", t.VIN, "status", status)
}

// unindex removes t from the proposal index if it is the dealer's proposal
// for its vehicle there.
func (k *Keeper) unindex(kv store.KV, t *Transfer) {
	if id, ok := proposalOf(kv, t.VIN, t.Dealer); ok && id == t.ID {
		kv.Delete(proposalKey(t.VIN, t.Dealer))
	}
}

// proposalOf returns the dealer's open proposal for vin.
func proposalOf(kv store.KV, vin string, dealer tx.Address) (uint64, bool) {
	b := kv.Get(proposalKey(vin, dealer))
	if b == nil {
		return 0, false
	}
	if len(b) != 8 {
		panic("vehicles: corrupt proposal index entry of " + vin)
	}
	return binary.BigEndian.Uint64(b), true
}

// proposals returns the ids of the open proposals for vin, in dealer
// address order: at most one per dealer.
func proposals(kv store.KV, vin string) []uint64 {
	var ids []uint64
	store.EachPrefix(kv, proposalPrefix(vin), func(_, value []byte) bool {
		if len(value) != 8 {
			panic("vehicles: corrupt proposal index entry of " + vin)
		}
		ids = append(ids, binary.BigEndian.Uint64(value))
		return true
	})
	return ids
}

// closeProposals closes every open proposal for v but keep (0: all) with
// status, or TransferExpired for those past their expiry.
func (k *Keeper) closeProposals(ctx *module.Context, v *Vehicle, keep uint64, status string) {
	kv := k.kv(ctx)
	for _, id := range proposals(kv, v.VIN) {
		if id == keep {
			continue
		}
		t := k.transfer(kv, id)
		if expired(ctx, t) {
			k.close(ctx, t, TransferExpired)
		} else {
			k.close(ctx, t, status)
		}
	}
}

func expired(ctx *module.Context, t *Transfer) bool { return !ctx.Time.Before(t.ExpiresAt) }

// locked returns the vehicle's open transfer its owner accepted, if it is
// still unexpired; an expired one is closed (and v's OpenTransfer cleared,
// for the caller to store).
func (k *Keeper) locked(ctx *module.Context, v *Vehicle) *Transfer {
	if v.OpenTransfer == 0 {
		return nil
	}
	t := k.transfer(k.kv(ctx), v.OpenTransfer)
	if !expired(ctx, t) {
		return t
	}
	k.close(ctx, t, TransferExpired)
	v.OpenTransfer = 0
	return nil
}

func (k *Keeper) proposeTransfer(ctx *module.Context, signer tx.Address, m *tx.MsgVehicleProposeTransfer) error {
	if !k.roles.HasRole(ctx, signer, tx.RoleDealer) {
		return ErrNotDealer.Wrapf("%s", signer)
	}
	kv := k.kv(ctx)
	v, err := k.active(kv, m.VIN)
	if err != nil {
		return err
	}
	if m.Buyer == v.Owner {
		return ErrSameOwner.Wrapf("%s already owns %s", m.Buyer, v.VIN)
	}
	if isModuleAccount(m.Buyer) {
		return ErrInvalidRecipient.Wrapf("buyer %s is a module account", m.Buyer)
	}
	if err := k.room(ctx, len(v.Owners), "owners"); err != nil {
		return err
	}
	if old := k.locked(ctx, v); old != nil {
		return ErrTransferOpen.Wrapf("%s: its owner accepted transfer %d, open until %s", v.VIN, old.ID, old.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if id, ok := proposalOf(kv, v.VIN, signer); ok {
		// The dealer's own earlier proposal for the vehicle gives way.
		old := k.transfer(kv, id)
		status := TransferSuperseded
		if expired(ctx, old) {
			status = TransferExpired
		}
		k.close(ctx, old, status)
	}
	c := k.counters(kv)
	t := &Transfer{
		ID: c.NextTransfer, VIN: v.VIN, Dealer: signer, Seller: v.Owner, Buyer: m.Buyer, Price: m.Price,
		Status: TransferOpen, NeedsReview: v.Flagged(), Height: ctx.Height, Time: ctx.Time,
		ExpiresAt: ctx.Time.Add(time.Duration(k.Params(ctx).TransferTTLSeconds) * time.Second),
	}
	c.NextTransfer++
	putJSON(kv, counterKey, c)
	putJSON(kv, transferKey(t.ID), t)
	kv.Set(proposalKey(v.VIN, signer), binary.BigEndian.AppendUint64(nil, t.ID))
	k.putVehicle(kv, v) // an expired lock may have been cleared
	ctx.Emit("vehicles.transfer_proposed", "id", module.U64(t.ID), "vin", v.VIN, "dealer", signer.String(),
		"seller", t.Seller.String(), "buyer", t.Buyer.String(), "price", t.Price.String(),
		"needs_review", boolString(t.NeedsReview))
	return nil
}

// openTransfer returns the open, unexpired transfer id and its vehicle.
func (k *Keeper) openTransfer(ctx *module.Context, id uint64) (*Transfer, *Vehicle, error) {
	kv := k.kv(ctx)
	t := k.transfer(kv, id)
	if t == nil {
		return nil, nil, ErrUnknownTransfer.Wrapf("%d", id)
	}
	if t.Status != TransferOpen {
		return nil, nil, ErrTransferClosed.Wrapf("transfer %d is %s", id, t.Status)
	}
	if expired(ctx, t) {
		return nil, nil, ErrTransferExpired.Wrapf("transfer %d expired at %s", id, t.ExpiresAt.UTC().Format(time.RFC3339))
	}
	v := k.vehicle(kv, t.VIN)
	if v.Owner != t.Seller {
		panic("vehicles: an open transfer's seller does not own the vehicle: " + t.VIN)
	}
	return t, v, nil
}

func (k *Keeper) acceptTransfer(ctx *module.Context, signer tx.Address, m *tx.MsgVehicleAcceptTransfer) error {
	t, v, err := k.openTransfer(ctx, m.ID)
	if err != nil {
		return err
	}
	switch signer {
	case t.Seller:
		if t.SellerAccepted {
			return ErrAlreadyAccepted.Wrapf("the seller accepted transfer %d", t.ID)
		}
		// The owner's acceptance locks the vehicle: one accepted transfer
		// at a time.
		if old := k.locked(ctx, v); old != nil {
			return ErrTransferOpen.Wrapf("%s: its owner accepted transfer %d, open until %s; cancel it first", v.VIN, old.ID,
				old.ExpiresAt.UTC().Format(time.RFC3339))
		}
		t.SellerAccepted = true
		v.OpenTransfer = t.ID
		k.putVehicle(k.kv(ctx), v)
	case t.Buyer:
		if t.BuyerAccepted {
			return ErrAlreadyAccepted.Wrapf("the buyer accepted transfer %d", t.ID)
		}
		t.BuyerAccepted = true
	default:
		return ErrNotParty.Wrapf("%s; transfer %d is from %s to %s", signer, t.ID, t.Seller, t.Buyer)
	}
	ctx.Emit("vehicles.transfer_accepted", "id", module.U64(t.ID), "vin", t.VIN, "by", signer.String())
	return k.advance(ctx, t, v)
}

func (k *Keeper) reviewTransfer(ctx *module.Context, signer tx.Address, m *tx.MsgVehicleReviewTransfer) error {
	if !k.roles.HasRole(ctx, signer, tx.RoleVehicleRegistrar) {
		return ErrNotRegistrar.Wrapf("%s", signer)
	}
	t, v, err := k.openTransfer(ctx, m.ID)
	if err != nil {
		return err
	}
	if !(t.NeedsReview || v.Flagged()) || t.Reviewed {
		return ErrNoReview.Wrapf("transfer %d: vehicle flagged %t, reviewed %t", t.ID, v.Flagged(), t.Reviewed)
	}
	reviewer := signer
	t.NeedsReview, t.Reviewed, t.ReviewedBy, t.ReviewReason = true, true, &reviewer, m.Reason
	ctx.Emit("vehicles.transfer_reviewed", "id", module.U64(t.ID), "vin", t.VIN, "approve", boolString(m.Approve),
		"by", signer.String(), "reason", m.Reason)
	if !m.Approve {
		k.close(ctx, t, TransferRefused)
		if v.OpenTransfer == t.ID {
			v.OpenTransfer = 0
			k.putVehicle(k.kv(ctx), v)
		}
		return nil
	}
	return k.advance(ctx, t, v)
}

func (k *Keeper) cancelTransfer(ctx *module.Context, signer tx.Address, m *tx.MsgVehicleCancelTransfer) error {
	kv := k.kv(ctx)
	t := k.transfer(kv, m.ID)
	if t == nil {
		return ErrUnknownTransfer.Wrapf("%d", m.ID)
	}
	if t.Status != TransferOpen {
		return ErrTransferClosed.Wrapf("transfer %d is %s", t.ID, t.Status)
	}
	if signer != t.Dealer && signer != t.Seller && signer != t.Buyer {
		return ErrNotCanceller.Wrapf("%s", signer)
	}
	status := TransferCancelled
	if expired(ctx, t) {
		status = TransferExpired
	}
	k.close(ctx, t, status)
	if v := k.vehicle(kv, t.VIN); v.OpenTransfer == t.ID {
		v.OpenTransfer = 0
		k.putVehicle(kv, v)
	}
	return nil
}

// advance stores an open transfer and, once the seller and the buyer have
// accepted it and (for a flagged vehicle) a registrar approved it, executes
// it: the buyer pays the price to the seller, the seller repays the
// subsidy clawback, the title and the odometer device move to the buyer.
// A payment that fails fails the whole transaction: nothing changes.
func (k *Keeper) advance(ctx *module.Context, t *Transfer, v *Vehicle) error {
	kv := k.kv(ctx)
	if v.Flagged() {
		t.NeedsReview = true
	}
	if !t.SellerAccepted || !t.BuyerAccepted || (t.NeedsReview && !t.Reviewed) {
		putJSON(kv, transferKey(t.ID), t)
		return nil
	}
	if err := k.bank.Send(ctx, t.Buyer, t.Seller, t.Price); err != nil {
		return ErrPayment.Wrapf("transfer %d: %s cannot pay %s: %v", t.ID, t.Buyer, t.Price, err)
	}
	claw, err := k.clawback(ctx, v, t.Seller, t.ID)
	if err != nil {
		return err
	}
	t.Clawback = claw
	if dev := k.devices.Device(ctx, v.Device); dev != nil && dev.Status == devices.StatusActive {
		if err := k.devices.SetOwner(ctx, v.Device, t.Buyer); err != nil {
			panic("vehicles: move an active bound device: " + err.Error())
		}
	}
	kv.Delete(ownerKey(v.Owner, v.VIN))
	kv.Set(ownerKey(t.Buyer, v.VIN), []byte{1})
	v.Owner = t.Buyer
	price, dealer := t.Price, t.Dealer
	v.Owners = append(v.Owners, Ownership{Owner: t.Buyer, FromHeight: ctx.Height, FromTime: ctx.Time, Transfer: t.ID,
		Price: &price, Dealer: &dealer})
	v.OpenTransfer = 0
	k.putVehicle(kv, v)
	k.roles.EnsureAccount(ctx, t.Buyer)
	c := k.counters(kv)
	c.Transfers++
	putJSON(kv, counterKey, c)
	t.Status, t.ClosedHeight = TransferCompleted, ctx.Height
	putJSON(kv, transferKey(t.ID), t)
	k.unindex(kv, t)
	// The other dealers' proposals were the old owner's to accept.
	k.closeProposals(ctx, v, t.ID, TransferSuperseded)
	clawed := "0"
	if claw != nil {
		clawed = claw.String()
	}
	ctx.Emit("vehicles.title_transferred", "id", module.U64(t.ID), "vin", v.VIN, "from", t.Seller.String(),
		"to", t.Buyer.String(), "price", t.Price.String(), "dealer", t.Dealer.String(), "clawback", clawed)
	return nil
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
