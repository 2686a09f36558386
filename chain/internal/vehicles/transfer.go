package vehicles

import (
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

// close ends an open transfer with status. The caller clears the vehicle's
// OpenTransfer.
func (k *Keeper) close(ctx *module.Context, t *Transfer, status string) {
	t.Status, t.ClosedHeight = status, ctx.Height
	putJSON(k.kv(ctx), transferKey(t.ID), t)
	ctx.Emit("vehicles.transfer_closed", "id", module.U64(t.ID), "vin", t.VIN, "status", status)
}

func expired(ctx *module.Context, t *Transfer) bool { return !ctx.Time.Before(t.ExpiresAt) }

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
	if v.OpenTransfer != 0 {
		old := k.transfer(kv, v.OpenTransfer)
		if !expired(ctx, old) {
			return ErrTransferOpen.Wrapf("%s: transfer %d, open until %s", v.VIN, old.ID, old.ExpiresAt.UTC().Format(time.RFC3339))
		}
		k.close(ctx, old, TransferExpired)
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
	v.OpenTransfer = t.ID
	k.putVehicle(kv, v)
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
		t.SellerAccepted = true
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
		v.OpenTransfer = 0
		k.putVehicle(k.kv(ctx), v)
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
	v := k.vehicle(kv, t.VIN)
	v.OpenTransfer = 0
	k.putVehicle(kv, v)
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
