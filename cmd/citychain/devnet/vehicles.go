package devnet

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
)

// The devnet's vehicle story: the registrar registers every simulated EV
// under a VIN, the agency's subsidy programme pays each owner, the
// inspector records battery health and one inspection, and once the first
// EV has an odometer history a dealer sells it from its driver to the
// first household (within the holding period, so part of the subsidy is
// clawed back).
const (
	// DemoProgramme is the devnet's EV subsidy programme.
	DemoProgramme = "ev-demo"
	// DemoBuyer buys the first EV.
	DemoBuyer = "household01"
	// demoSalePrice is the first EV's price: 4,000 S-Coin.
	demoSalePrice = 4_000 * 1_000_000
	// demoSalePoints is how many odometer points the first EV has before
	// it is sold.
	demoSalePoints = 2
)

// DemoVIN is the VIN of the devnet's i-th simulated EV (from 0): a valid
// ISO 3779 VIN with serial 100001+i.
func DemoVIN(i int) string {
	body := fmt.Sprintf("KMHKN81A0RU%06d", 100_001+i)
	d, err := tx.VINCheckDigit(body)
	if err != nil {
		panic(err) // the body is made of valid characters
	}
	return body[:8] + string(d) + body[9:]
}

// evs are the manifest's EV devices in order.
func (m *Manifest) evs() []ManifestDevice {
	var out []ManifestDevice
	for _, d := range m.Devices {
		if d.Kind == tx.KindEVOdometer {
			out = append(out, d)
		}
	}
	return out
}

// dealership plays the registrar, the agency, the inspector, the dealer and
// the parties of the sale. Every step first reads the chain, so a
// restarted devnet continues where it stopped.
type dealership struct {
	s  *System
	c  *client.Client
	kr *keyring.Keyring
}

func (s *System) newDealership(c *client.Client) (*dealership, error) {
	kr, err := keyring.Open(node.KeyringDir(s.cfg.Home))
	if err != nil {
		return nil, err
	}
	return &dealership{s: s, c: c, kr: kr}, nil
}

// run retries the story every few seconds until it is told or ctx ends.
func (d *dealership) run(ctx context.Context) error {
	log := d.s.cfg.Logger.With("part", "vehicles")
	for _, name := range []string{"registrar", "agency", "inspector", "dealer"} {
		if _, err := d.kr.Get(name); err != nil {
			log.Warn("this devnet home has no key for the vehicle story; create a new home to see it", "key", name, "err", err)
			return nil
		}
	}
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		done, err := d.step(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			log.Warn("vehicle story", "err", err)
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

func (d *dealership) submit(ctx context.Context, name string, msgs ...tx.Msg) (*client.TxResult, error) {
	key, err := d.kr.Get(name)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return d.c.Submit(ctx, key.Private, "devnet vehicles", msgs...)
}

func (d *dealership) addr(name string) (tx.Address, error) {
	key, err := d.kr.Get(name)
	if err != nil {
		return tx.Address{}, err
	}
	return key.Address, nil
}

// vehicle is the part of a vehicle record the story reads.
type vehicle struct {
	VIN     string     `json:"vin"`
	Owners  []struct{} `json:"owners"`
	Battery []struct{} `json:"battery_health"`
	Inspect []struct{} `json:"inspections"`
	Subsidy *struct{}  `json:"subsidy"`
	Odo     struct {
		Points uint64 `json:"points"`
	} `json:"odometer"`
	OpenTransfer uint64 `json:"open_transfer"`
}

// get reads a vehicle record; nil when the VIN is not registered.
func (d *dealership) get(ctx context.Context, vin string) (*vehicle, error) {
	var v vehicle
	err := d.c.QueryJSON(ctx, "/vehicles/vehicle", []byte(vin), &v)
	if errors.Is(err, client.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// step does what is left of the story; done is true once the sale is
// complete.
func (d *dealership) step(ctx context.Context) (done bool, err error) {
	evs := d.s.Manifest.evs()
	if len(evs) == 0 {
		return true, nil
	}
	// Registration.
	var regs []tx.Msg
	vs := make([]*vehicle, len(evs))
	for i, ev := range evs {
		if vs[i], err = d.get(ctx, DemoVIN(i)); err != nil {
			return false, err
		}
		if vs[i] != nil {
			continue
		}
		owner, err := d.addr(ev.Owner)
		if err != nil {
			return false, err
		}
		regs = append(regs, &tx.MsgVehicleRegister{
			VIN: DemoVIN(i), Model: "citychain-sim EV", Year: 2024, Owner: owner, OdometerDevice: ev.ID,
			Battery: tx.Battery{CapacityWh: 64_000 + uint64(i%3)*8_000, Chemistry: []string{"nmc", "lfp", "nca"}[i%3],
				PassportID: "KR-BP-" + DemoVIN(i)},
		})
	}
	if len(regs) > 0 {
		if _, err := d.submit(ctx, "registrar", regs...); err != nil {
			return false, fmt.Errorf("register %d EVs: %w", len(regs), err)
		}
		fmt.Fprintf(d.s.cfg.Out, "vehicles: registered %d EVs (%s …)\n", len(regs), DemoVIN(0))
		return false, nil
	}

	// The subsidy programme, and a subsidy for every EV it can pay.
	var prog struct {
		Amount    tx.Coin `json:"amount"`
		Remaining tx.Coin `json:"remaining"`
	}
	err = d.c.QueryJSON(ctx, "/vehicles/programme", []byte(DemoProgramme), &prog)
	if errors.Is(err, client.ErrNotFound) {
		_, err = d.submit(ctx, "agency", &tx.MsgVehicleCreateProgramme{
			ID: DemoProgramme, Name: "Demo EV purchase subsidy", Amount: tx.Coin{Amount: 100_000_000, Denom: tx.DenomSCoin},
			Budget: tx.Coin{Amount: 500_000_000, Denom: tx.DenomSCoin}, HoldingPeriodSeconds: 2 * 365 * 24 * 3600,
		})
		if err != nil {
			return false, fmt.Errorf("create the subsidy programme: %w", err)
		}
		fmt.Fprintf(d.s.cfg.Out, "vehicles: subsidy programme %s created (100 SCN per EV, 500 SCN escrowed, held 2 years)\n", DemoProgramme)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var approve, records []tx.Msg
	for i, v := range vs {
		if v.Subsidy == nil && prog.Remaining.Amount >= uint64(len(approve)+1)*prog.Amount.Amount {
			approve = append(approve, &tx.MsgVehicleApproveSubsidy{Programme: DemoProgramme, VIN: v.VIN})
		}
		if len(v.Battery) == 0 {
			records = append(records, &tx.MsgVehicleRecordBattery{VIN: v.VIN, SOHBP: 9_950 - uint64(i%5)*150})
		}
		if i == 0 && len(v.Inspect) == 0 {
			doc := tx.HexBytes(fmt.Appendf(nil, "%032d", 1)) // the inspection report's SHA-256, here a placeholder document id
			records = append(records, &tx.MsgVehicleRecordInspection{VIN: v.VIN, DocHash: doc, Result: tx.InspectionPass, Defects: 0})
		}
	}
	if len(approve) > 0 {
		if _, err := d.submit(ctx, "agency", approve...); err != nil {
			return false, fmt.Errorf("approve %d subsidies: %w", len(approve), err)
		}
		fmt.Fprintf(d.s.cfg.Out, "vehicles: %d EV subsidies paid from %s\n", len(approve), DemoProgramme)
	}
	if len(records) > 0 {
		if _, err := d.submit(ctx, "inspector", records...); err != nil {
			return false, fmt.Errorf("record battery health: %w", err)
		}
		fmt.Fprintf(d.s.cfg.Out, "vehicles: inspector recorded battery health of %d EVs\n", len(vs))
	}

	// The sale of the first EV, once it has an odometer history.
	first := vs[0]
	if len(first.Owners) > 1 {
		return true, nil
	}
	if first.Odo.Points < demoSalePoints {
		return false, nil
	}
	seller := evs[0].Owner
	buyer, err := d.addr(DemoBuyer)
	if err != nil {
		return false, err
	}
	id := first.OpenTransfer
	if id == 0 {
		res, err := d.submit(ctx, "dealer", &tx.MsgVehicleProposeTransfer{VIN: first.VIN, Buyer: buyer,
			Price: tx.Coin{Amount: demoSalePrice, Denom: tx.DenomSCoin}})
		if err != nil {
			return false, fmt.Errorf("propose the sale: %w", err)
		}
		v, _ := res.Attr("vehicles.transfer_proposed", "id")
		if id, err = strconv.ParseUint(v, 10, 64); err != nil {
			return false, fmt.Errorf("the proposal's events carry no transfer id: %q", v)
		}
	}
	var t struct {
		Seller bool `json:"seller_accepted"`
		Buyer  bool `json:"buyer_accepted"`
	}
	if err := d.c.QueryJSON(ctx, "/vehicles/transfer", []byte(strconv.FormatUint(id, 10)), &t); err != nil {
		return false, err
	}
	if !t.Seller {
		if _, err := d.submit(ctx, seller, &tx.MsgVehicleAcceptTransfer{ID: id}); err != nil {
			return false, fmt.Errorf("the seller accepts transfer %d: %w", id, err)
		}
	}
	if !t.Buyer {
		res, err := d.submit(ctx, DemoBuyer, &tx.MsgVehicleAcceptTransfer{ID: id})
		if err != nil {
			return false, fmt.Errorf("the buyer accepts transfer %d: %w", id, err)
		}
		claw, _ := res.Attr("vehicles.title_transferred", "clawback")
		fmt.Fprintf(d.s.cfg.Out, "vehicles: dealer sold %s from %s to %s for 4000 SCN (transfer %d, subsidy clawed back %s); see citychain query vehicles report %s --prove --trust-genesis %s\n",
			first.VIN, seller, DemoBuyer, id, claw, first.VIN, node.GenesisFile(d.s.cfg.Home))
	}
	return false, nil
}
