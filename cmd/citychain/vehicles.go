package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// newTxVehiclesCmd is the "tx vehicles" subtree: the vehicle register, EV
// subsidies, battery, inspection and accident records, recycling and
// dealer-proposed title transfers.
func newTxVehiclesCmd(g *globals, f *txFlags) *cobra.Command {
	resolve := g.resolve
	send := func(cmd *cobra.Command, m tx.Msg) error {
		if err := m.ValidateBasic(); err != nil {
			return err
		}
		return g.submit(cmd.Context(), f, m)
	}

	var reg tx.MsgVehicleRegister
	var owner string
	register := &cobra.Command{
		Use:   "register VIN --model M --year Y --capacity-wh N --chemistry C --passport ID --owner KEY --device ID --from REGISTRAR",
		Short: "Register a vehicle with its battery, owner and ev_odometer device (the device must belong to the owner)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := reg
			m.VIN = args[0]
			var err error
			if m.Owner, err = resolve("--owner", owner); err != nil {
				return err
			}
			return send(cmd, &m)
		},
	}
	rf := register.Flags()
	rf.StringVar(&reg.Model, "model", "", "make and model, e.g. \"Hyundai Ioniq 5\"")
	rf.Uint32Var(&reg.Year, "year", 0, "model year")
	rf.Uint64Var(&reg.Battery.CapacityWh, "capacity-wh", 0, "rated battery capacity in watt-hours, e.g. 77400")
	rf.StringVar(&reg.Battery.Chemistry, "chemistry", "", "battery chemistry: nmc, nca, lfp, lmfp, lto, sodium_ion, solid_state or other")
	rf.StringVar(&reg.Battery.PassportID, "passport", "", "battery passport identifier")
	rf.StringVar(&owner, "owner", "", "owner account (address or key name)")
	rf.StringVar(&reg.OdometerDevice, "device", "", "the vehicle's registered ev_odometer device, owned by --owner")
	for _, name := range []string{"model", "year", "capacity-wh", "chemistry", "passport", "owner", "device"} {
		_ = register.MarkFlagRequired(name)
	}

	bind := &cobra.Command{
		Use: "bind-odometer VIN DEVICE --from REGISTRAR", Short: "Bind a replacement ev_odometer device (owned by the vehicle's owner) to a vehicle",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return send(cmd, &tx.MsgVehicleBindOdometer{VIN: args[0], Device: args[1]})
		},
	}

	var prog tx.MsgVehicleCreateProgramme
	var holding time.Duration
	programme := &cobra.Command{
		Use:   "create-programme ID AMOUNT BUDGET --name NAME --holding-period DURATION --from AGENCY",
		Short: "Create an EV subsidy programme: AMOUNT per vehicle, BUDGET escrowed from the agency, clawed back pro rata on a sale within the holding period",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := prog
			m.ID = args[0]
			var err error
			if m.Amount, err = tx.ParseCoin(args[1]); err != nil {
				return fmt.Errorf("AMOUNT: %w", err)
			}
			if m.Budget, err = tx.ParseCoin(args[2]); err != nil {
				return fmt.Errorf("BUDGET: %w", err)
			}
			if m.HoldingPeriodSeconds, err = wholeSeconds("--holding-period", holding); err != nil {
				return err
			}
			return send(cmd, &m)
		},
	}
	programme.Flags().StringVar(&prog.Name, "name", "", "the programme's name")
	programme.Flags().DurationVar(&holding, "holding-period", 0, "how long a subsidised owner must keep the vehicle, e.g. 8760h (365 days)")

	approve := &cobra.Command{
		Use: "approve-subsidy PROGRAMME VIN --from AGENCY", Short: "Pay a programme's subsidy to a vehicle's owner (the programme's agency only; once per vehicle and per citizen)",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return send(cmd, &tx.MsgVehicleApproveSubsidy{Programme: args[0], VIN: args[1]})
		},
	}

	var batteryDoc string
	battery := &cobra.Command{
		Use: "record-battery VIN SOH [--doc-hash HEX] --from INSPECTOR", Short: "Record a battery state of health: basis points (9150) or a percentage (91.5%)",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			soh, err := parseSOH("SOH", args[1])
			if err != nil {
				return err
			}
			doc, err := parseDocHash("--doc-hash", batteryDoc)
			if err != nil {
				return err
			}
			return send(cmd, &tx.MsgVehicleRecordBattery{VIN: args[0], SOHBP: soh, DocHash: doc})
		},
	}
	battery.Flags().StringVar(&batteryDoc, "doc-hash", "", "SHA-256 of the measurement report, 64 hex characters")

	var insp tx.MsgVehicleRecordInspection
	var inspDoc, inspKm, inspSOH string
	var inspM uint64
	inspection := &cobra.Command{
		Use:   "record-inspection VIN --doc-hash HEX --result pass|fail (--odometer-km KM | --odometer-m M) [--defects N] [--soh SOH] --from INSPECTOR",
		Short: "Record an inspection report: its document hash, result, odometer, defects and battery health",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := insp
			m.VIN = args[0]
			var err error
			if m.DocHash, err = parseDocHash("--doc-hash", inspDoc); err != nil {
				return err
			}
			if len(m.DocHash) == 0 {
				return errors.New("--doc-hash: give the SHA-256 of the inspection report (64 hex characters)")
			}
			km, metres := cmd.Flags().Changed("odometer-km"), cmd.Flags().Changed("odometer-m")
			switch {
			case km && metres:
				return errors.New("--odometer-km and --odometer-m: give one of them, not both")
			case km:
				if m.OdometerM, err = parseDecimal(inspKm, 3); err != nil {
					return fmt.Errorf("--odometer-km %q: want kilometres with at most 3 decimals, e.g. 45210.5", inspKm)
				}
			case metres:
				m.OdometerM = inspM
			default:
				return errors.New("--odometer-km or --odometer-m: give the odometer the inspector read")
			}
			if inspSOH != "" {
				if m.SOHBP, err = parseSOH("--soh", inspSOH); err != nil {
					return err
				}
			}
			return send(cmd, &m)
		},
	}
	inf := inspection.Flags()
	inf.StringVar(&inspDoc, "doc-hash", "", "SHA-256 of the inspection report, 64 hex characters")
	inf.StringVar(&insp.Result, "result", "", "pass or fail")
	inf.StringVar(&inspKm, "odometer-km", "", "odometer in kilometres (up to 3 decimals)")
	inf.Uint64Var(&inspM, "odometer-m", 0, "odometer in metres")
	inf.Uint64Var(&insp.Defects, "defects", 0, "number of defects found")
	inf.StringVar(&inspSOH, "soh", "", "battery state of health measured: basis points or a percentage (e.g. 91.5%)")

	var acc tx.MsgVehicleRecordAccident
	var occurred, accDoc string
	accident := &cobra.Command{
		Use:   "record-accident VIN --occurred RFC3339 --severity minor|moderate|severe|total_loss --summary TEXT [--doc-hash HEX] --from INSURER_OR_REPAIR_SHOP",
		Short: "Record an accident (an insurer or a repair shop)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := acc
			m.VIN = args[0]
			at, err := time.Parse(time.RFC3339, occurred)
			if err != nil {
				return fmt.Errorf("--occurred %q: want an RFC 3339 time, e.g. 2025-03-01T14:30:00+09:00", occurred)
			}
			m.OccurredAt = at.Unix()
			if m.DocHash, err = parseDocHash("--doc-hash", accDoc); err != nil {
				return err
			}
			return send(cmd, &m)
		},
	}
	af := accident.Flags()
	af.StringVar(&occurred, "occurred", "", "when the accident happened (RFC 3339); not after the block time")
	af.StringVar(&acc.Severity, "severity", "", "minor, moderate, severe or total_loss")
	af.StringVar(&acc.Summary, "summary", "", "what happened and what was damaged")
	af.StringVar(&accDoc, "doc-hash", "", "SHA-256 of the claim or repair report, 64 hex characters")

	var recycleReason string
	recycle := &cobra.Command{
		Use: "recycle VIN --reason TEXT --from INSPECTOR_OR_REGISTRAR", Short: "End a vehicle's life: its battery goes to recycling and its title can no longer move",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m := &tx.MsgVehicleRecycle{VIN: args[0], Reason: recycleReason}
			if err := m.ValidateBasic(); err != nil {
				return fmt.Errorf("%w (give --reason)", err)
			}
			return g.submit(cmd.Context(), f, m)
		},
	}
	recycle.Flags().StringVar(&recycleReason, "reason", "", "why the vehicle is recycled")

	propose := &cobra.Command{
		Use: "propose-transfer VIN BUYER PRICE --from DEALER", Short: "Propose a sale of title to BUYER at PRICE (uscn or ukrw); prints the transfer id",
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			buyer, err := resolve("BUYER", args[1])
			if err != nil {
				return err
			}
			price, err := tx.ParseCoin(args[2])
			if err != nil {
				return fmt.Errorf("PRICE: %w", err)
			}
			m := &tx.MsgVehicleProposeTransfer{VIN: args[0], Buyer: buyer, Price: price}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			return g.submitForID(cmd.Context(), f, m, "vehicles.transfer_proposed", "transfer id", "query vehicles list or vehicle "+m.VIN)
		},
	}
	transferID := func(s string) (uint64, error) {
		id, err := strconv.ParseUint(s, 10, 64)
		if err != nil || id == 0 {
			return 0, fmt.Errorf("ID %q: want a transfer id (1 or more), as propose-transfer printed it", s)
		}
		return id, nil
	}
	accept := &cobra.Command{
		Use: "accept-transfer ID --from SELLER_OR_BUYER", Short: "Sign a proposed transfer as its seller or buyer; the last approval executes it",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := transferID(args[0])
			if err != nil {
				return err
			}
			return send(cmd, &tx.MsgVehicleAcceptTransfer{ID: id})
		},
	}
	var approveT, refuseT bool
	var reviewReason string
	review := &cobra.Command{
		Use: "review-transfer ID --approve|--refuse --reason TEXT --from REGISTRAR", Short: "Review the transfer of a flagged vehicle: approve lets it proceed, refuse closes it",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := transferID(args[0])
			if err != nil {
				return err
			}
			if approveT == refuseT {
				return errors.New("review-transfer: give exactly one of --approve and --refuse")
			}
			m := &tx.MsgVehicleReviewTransfer{ID: id, Approve: approveT, Reason: reviewReason}
			if err := m.ValidateBasic(); err != nil {
				return fmt.Errorf("%w (give --reason)", err)
			}
			return g.submit(cmd.Context(), f, m)
		},
	}
	review.Flags().BoolVar(&approveT, "approve", false, "let the transfer proceed")
	review.Flags().BoolVar(&refuseT, "refuse", false, "refuse and close the transfer")
	review.Flags().StringVar(&reviewReason, "reason", "", "the review's reasoning")
	cancel := &cobra.Command{
		Use: "cancel-transfer ID --from DEALER_SELLER_OR_BUYER", Short: "Withdraw an open transfer proposal",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := transferID(args[0])
			if err != nil {
				return err
			}
			return send(cmd, &tx.MsgVehicleCancelTransfer{ID: id})
		},
	}

	cmd := &cobra.Command{Use: "vehicles", Short: "Vehicle register, EV subsidies, battery, inspection and accident records, recycling and title transfers"}
	cmd.AddCommand(register, bind, programme, approve, battery, inspection, accident, recycle, propose, accept, review, cancel)
	return cmd
}

// parseSOH reads a battery state of health: whole basis points ("9150") or
// a percentage with at most two decimals ("91.5%"), 0.01 % to 100 %.
func parseSOH(field, s string) (uint64, error) {
	want := "want basis points from 1 to 10000 (e.g. 9150) or a percentage from 0.01% to 100% with at most 2 decimals (e.g. 91.5%)"
	var bp uint64
	var err error
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		bp, err = parseDecimal(pct, 2)
	} else if strings.Contains(s, ".") {
		return 0, fmt.Errorf("%s %q: basis points are a whole number; write a percentage with %%, e.g. %s%%", field, s, s)
	} else {
		bp, err = strconv.ParseUint(s, 10, 64)
	}
	if err != nil {
		return 0, fmt.Errorf("%s %q: %s", field, s, want)
	}
	if bp == 0 || bp > tx.MaxSOHBasisPoints {
		return 0, fmt.Errorf("%s %q: %d basis points is out of range; %s", field, s, bp, want)
	}
	return bp, nil
}

// parseDecimal reads a non-negative decimal with at most places decimals
// as an integer count of its smallest unit ("12.5" with 3 places: 12500).
func parseDecimal(s string, places int) (uint64, error) {
	whole, frac, dotted := strings.Cut(s, ".")
	digits := func(p string) bool {
		for _, c := range []byte(p) {
			if c < '0' || c > '9' {
				return false
			}
		}
		return p != ""
	}
	if !digits(whole) || dotted && (!digits(frac) || len(frac) > places) {
		return 0, fmt.Errorf("%q: want digits with at most %d decimals", s, places)
	}
	return strconv.ParseUint(whole+frac+strings.Repeat("0", places-len(frac)), 10, 64)
}

// parseDocHash reads a document hash flag: empty, or the 32-byte SHA-256
// of the document in hex.
func parseDocHash(field, s string) (tx.HexBytes, error) {
	if s == "" {
		return nil, nil
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != tx.DocHashLen {
		return nil, fmt.Errorf("%s %q: want %d hex characters, the SHA-256 of the document (sha256sum FILE)", field, s, 2*tx.DocHashLen)
	}
	return b, nil
}

// wholeSeconds converts a positive duration flag of whole seconds.
func wholeSeconds(field string, d time.Duration) (uint64, error) {
	if d <= 0 || d%time.Second != 0 {
		return 0, fmt.Errorf("%s %s: want a positive whole number of seconds, e.g. 8760h for 365 days", field, d)
	}
	return uint64(d / time.Second), nil
}

// newQueryVehiclesCmd is the "query vehicles" subtree.
func newQueryVehiclesCmd(g *globals, f *queryFlags) *cobra.Command {
	addr := g.resolve
	vinArg := func(s string) error {
		if err := tx.ValidateVIN(s); err != nil {
			return fmt.Errorf("VIN: %w", err)
		}
		return nil
	}
	// record renders a stored record; an absent one is an error unless its
	// absence is being proven.
	record := func(what, id string) func(json.RawMessage, *client.QueryResult, error) (any, *client.QueryResult, error) {
		return func(v json.RawMessage, res *client.QueryResult, err error) (any, *client.QueryResult, error) {
			if err == nil && v == nil && !f.prove {
				return nil, nil, fmt.Errorf("%s %s: %w (prove its absence with --prove)", what, id, client.ErrNotFound)
			}
			return raw(v, res, err)
		}
	}

	params := &cobra.Command{
		Use: "params", Short: "Vehicles parameters", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				return raw(c.VehicleParams(ctx, o))
			})
		},
	}
	vehicle := &cobra.Command{
		Use: "vehicle VIN", Short: "A vehicle's record: owners, devices, flags, accidents, inspections, battery, subsidy, odometer summary", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := vinArg(args[0]); err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				return record("vehicle", args[0])(c.Vehicle(ctx, args[0], o))
			})
		},
	}
	report := &cobra.Command{
		Use:   "report VIN [--prove]",
		Short: "A vehicle's whole history with its odometer series; with --prove the record is proven and the series checked against its digest",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := vinArg(args[0]); err != nil {
				return err
			}
			if f.prove {
				return g.provenReport(cmd.Context(), f, args[0])
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				h, _, err := c.VehicleHistory(ctx, args[0], 0)
				return h, err
			})
		},
	}
	var from, limit uint64
	odometer := &cobra.Command{
		Use: "odometer VIN [--from INTERVAL] [--limit N]", Short: "A page of a vehicle's odometer series; next is the --from of the next page", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := vinArg(args[0]); err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.VehicleOdometer(ctx, tx.OdometerRequest{VIN: args[0], From: from, Limit: limit}, 0)
			})
		},
	}
	odometer.Flags().Uint64Var(&from, "from", 0, "first metering interval")
	odometer.Flags().Uint64Var(&limit, "limit", 0, "points (0: 500, at most 1000)")
	var owner, after string
	var listLimit uint64
	list := &cobra.Command{
		Use: "list [--owner KEY] [--after VIN] [--limit N]", Short: "Vehicles in VIN order, all or one owner's; next is the --after of the next page", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req := tx.VehicleListRequest{After: after, Limit: listLimit}
			if owner != "" {
				a, err := addr("--owner", owner)
				if err != nil {
					return err
				}
				req.Owner = &a
			}
			if after != "" {
				if err := tx.ValidateVIN(after); err != nil {
					return fmt.Errorf("--after: %w", err)
				}
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.Vehicles(ctx, req, 0)
			})
		},
	}
	list.Flags().StringVar(&owner, "owner", "", "only this owner's vehicles (address or key name)")
	list.Flags().StringVar(&after, "after", "", "list vehicles after this VIN (the previous page's next)")
	list.Flags().Uint64Var(&listLimit, "limit", 0, "vehicles (0: 50, at most 100)")
	byDevice := &cobra.Command{
		Use: "by-device DEVICE", Short: "The VIN an odometer device is bound to", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := tx.ValidateDeviceID(args[0]); err != nil {
				return fmt.Errorf("DEVICE: %w", err)
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				_, res, err := c.VehicleByDevice(ctx, args[0], o)
				var v json.RawMessage // the bound VIN as stored, a JSON string
				if err == nil {
					v = res.Value
				}
				return record("device binding", args[0])(v, res, err)
			})
		},
	}
	programme := &cobra.Command{
		Use: "programme ID", Short: "A subsidy programme: amount, budget, remaining escrow, holding period, approvals", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := tx.ValidateProgrammeID(args[0]); err != nil {
				return fmt.Errorf("ID: %w", err)
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				return record("programme", args[0])(c.VehicleProgramme(ctx, args[0], o))
			})
		},
	}
	var afterProg string
	programmes := &cobra.Command{
		Use: "programmes [--after ID]", Short: "Subsidy programmes in id order, 100 a page", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if afterProg != "" {
				if err := tx.ValidateProgrammeID(afterProg); err != nil {
					return fmt.Errorf("--after: %w", err)
				}
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.VehicleProgrammes(ctx, afterProg, 0)
			})
		},
	}
	programmes.Flags().StringVar(&afterProg, "after", "", "list programmes after this id (the previous page's next)")
	citizen := &cobra.Command{
		Use: "citizen ADDRESS", Short: "The one subsidy an account received, if any", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := addr("ADDRESS", args[0])
			if err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				v, res, err := c.VehicleCitizen(ctx, a, o)
				if err == nil && v == nil {
					return map[string]any{"address": a.String(), "subsidised": false}, res, nil
				}
				return raw(v, res, err)
			})
		},
	}
	transfer := &cobra.Command{
		Use: "transfer ID", Short: "A title transfer: parties, price, approvals, review and status", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil || id == 0 {
				return fmt.Errorf("ID %q: want a transfer id (1 or more)", args[0])
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				return record("transfer", args[0])(c.VehicleTransfer(ctx, id, o))
			})
		},
	}
	stats := &cobra.Command{
		Use: "stats", Short: "Counts of vehicles, recycled, flagged, transfers and subsidies, and the subsidy escrow", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				return c.VehicleStats(ctx, 0)
			})
		},
	}
	cmd := &cobra.Command{Use: "vehicles", Short: "Vehicle register: records, reports with proven odometer series, subsidies, transfers"}
	cmd.AddCommand(params, vehicle, report, odometer, list, byDevice, programme, programmes, citizen, transfer, stats)
	return cmd
}

// odometerPageLimit is the page size report --prove reads a vehicle's
// odometer series with (the node's maximum); tests lower it to exercise the
// paging.
var odometerPageLimit uint64 = 1000

// provenReport is "query vehicles report VIN --prove": the vehicle record
// proven at a height H against the header H+1 (verified from the trust
// root by the light client), the whole odometer
// series read at H and folded into the record's digest, and the subsidy's
// programme proven at H (client.VehicleReport). Any failure or mismatch is
// an error.
func (g *globals) provenReport(ctx context.Context, f *queryFlags, vin string) error {
	c, err := g.provingClient()
	if err != nil {
		return err
	}
	defer c.Close()
	c.OdometerPageLimit = odometerPageLimit
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	rep, err := c.VehicleReport(ctx, vin, f.height)
	if err != nil {
		return err
	}
	if !rep.Found() {
		return fmt.Errorf("vehicle %s: %w (proven absent at height %d)", vin, client.ErrNotFound, rep.Height)
	}
	ver := rep.VehicleProof.Verification
	report := map[string]any{"vehicle": rep.Vehicle, "odometer": rep.Odometer}
	proof := proofJSON(ver)
	proof["odometer_points"], proof["odometer_digest"] = len(rep.Odometer), rep.Summary.Digest
	if rep.ProgrammeProof != nil {
		report["programme"] = rep.Programme
		proof["programme"] = rep.ProgrammeID
	}
	if g.output == "json" {
		return g.printJSON(map[string]any{"height": rep.Height, "result": report, "proof": proof})
	}
	b, _ := json.MarshalIndent(report, "", "  ")
	fmt.Fprintf(g.out, "%s\n(state at height %d)\n", b, rep.Height)
	fmt.Fprintf(g.out, "proof verified: vehicle %s's record at height %d against app hash %X in header %d, signed by %d of %d voting power\n",
		vin, rep.Height, ver.AppHash, ver.HeaderHeight, ver.SignedPower, ver.TotalPower)
	fmt.Fprint(g.out, trustLine(ver))
	fmt.Fprintf(g.out, "odometer series of %d points read at height %d matches the record's digest and last point\n", len(rep.Odometer), rep.Height)
	if rep.ProgrammeProof != nil {
		fmt.Fprintf(g.out, "subsidy programme %q proven at height %d\n", rep.ProgrammeID, rep.Height)
	}
	return nil
}
