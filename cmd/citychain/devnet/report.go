package devnet

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/edge/reading"
)

// IntervalReport is what the devnet prints for each settled interval.
type IntervalReport struct {
	Interval  uint64
	Start     time.Time
	Anchored  bool
	Readings  uint64 // under the anchor's Merkle root
	Root      string
	EnergyWh  uint64 // metered by inverters, from the chain's deltas
	DistanceM uint64 // driven by EVs, from the chain's deltas

	// Accepted and Rejected count the settlement service's verdicts on
	// readings since the previous line.
	Accepted, Rejected uint64

	// The market for this delivery interval.
	Cleared     bool
	Price       uint64 // uscn per kWh
	TradedWh    uint64
	Settled     bool
	DeliveredWh uint64
	PaidUSCN    uint64 // to sellers
	FeesUSCN    uint64 // to the grid operator
	RefundUSCN  uint64 // to buyers, for energy not delivered
}

func (r IntervalReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "interval %d %s:", r.Interval, r.Start.UTC().Format("15:04:05"))
	if r.Anchored {
		fmt.Fprintf(&b, " %d readings anchored (root %.12s…)", r.Readings, r.Root)
	} else {
		b.WriteString(" not anchored")
	}
	fmt.Fprintf(&b, "; readings accepted %d, rejected %d; metered %d Wh solar, %d m driven", r.Accepted, r.Rejected, r.EnergyWh, r.DistanceM)
	switch {
	case !r.Cleared:
		b.WriteString("; market: no trade")
	case !r.Settled:
		fmt.Fprintf(&b, "; market: %d Wh at %s SCN/kWh, delivery not settled yet", r.TradedWh, scn(r.Price))
	default:
		fmt.Fprintf(&b, "; market: %d Wh at %s SCN/kWh, delivered %d Wh, paid %s SCN (+%s fees, %s refunded)",
			r.TradedWh, scn(r.Price), r.DeliveredWh, scn(r.PaidUSCN), scn(r.FeesUSCN), scn(r.RefundUSCN))
	}
	return b.String()
}

// scn formats micro-units as S-Coin with six decimals.
func scn(u uint64) string { return fmt.Sprintf("%d.%06d", u/1_000_000, u%1_000_000) }

type intervalValue struct {
	Interval uint64 `json:"interval"`
	Delta    uint64 `json:"delta"`
}

// Report reads an interval's anchor, metered totals and market outcome from
// the chain.
func Report(ctx context.Context, c *client.Client, interval uint64, intervalSeconds uint64) (IntervalReport, error) {
	r := IntervalReport{Interval: interval, Start: time.Unix(int64(interval*intervalSeconds), 0)}
	iv := []byte(strconv.FormatUint(interval, 10))
	res, err := c.Query(ctx, "/metering/anchor", iv, 0, false)
	if err != nil {
		return r, err
	}
	if res.Found() {
		var a struct {
			Root  string `json:"root"`
			Count uint64 `json:"count"`
		}
		if err := json.Unmarshal(res.Value, &a); err != nil {
			return r, fmt.Errorf("decode anchor: %w", err)
		}
		r.Anchored, r.Readings, r.Root = true, a.Count, a.Root
	}
	for _, k := range []struct {
		kind string
		dst  *uint64
	}{{reading.KindEnergyWh.String(), &r.EnergyWh}, {reading.KindOdometerM.String(), &r.DistanceM}} {
		req, _ := json.Marshal(map[string]any{"kind": k.kind, "from": interval, "to": interval})
		var vals []intervalValue
		if err := c.QueryJSON(ctx, "/metering/totals", req, &vals); err != nil {
			return r, err
		}
		for _, v := range vals {
			*k.dst += v.Delta
		}
	}
	res, err = c.Query(ctx, "/market/clearing", iv, 0, false)
	if err != nil {
		return r, err
	}
	if res.Found() {
		var cl struct {
			Crossed  bool   `json:"crossed"`
			Price    uint64 `json:"price"`
			VolumeWh uint64 `json:"volume_wh"`
		}
		if err := json.Unmarshal(res.Value, &cl); err != nil {
			return r, fmt.Errorf("decode clearing: %w", err)
		}
		r.Cleared, r.Price, r.TradedWh = cl.Crossed, cl.Price, cl.VolumeWh
	}
	if r.Cleared {
		var sv struct {
			Settlement *struct {
				DeliveredWh uint64 `json:"delivered_wh"`
				Paid        uint64 `json:"paid"`
				Fees        uint64 `json:"fees"`
				Refunds     uint64 `json:"refunds"`
			} `json:"settlement"`
		}
		// Only the settlement: a page of one trade.
		req, _ := json.Marshal(map[string]any{"interval": interval, "limit": 1})
		if err := c.QueryJSON(ctx, "/market/settlements", req, &sv); err != nil {
			return r, err
		}
		if st := sv.Settlement; st != nil {
			r.Settled, r.DeliveredWh, r.PaidUSCN, r.FeesUSCN, r.RefundUSCN = true, st.DeliveredWh, st.Paid, st.Fees, st.Refunds
		}
	}
	return r, nil
}

// Watch prints a report line for every interval that closes while the
// devnet runs, once it is anchored and its market settled (or three
// intervals later, with what there is), until ctx ends.
func (s *System) Watch(ctx context.Context) error {
	c, err := client.New(s.Node.RPCAddress())
	if err != nil {
		return err
	}
	next := uint64(0)
	var last settlementCounts
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := s.Err(); err != nil {
			return err
		}
		st, err := c.RPC().Status(ctx)
		if err != nil {
			continue
		}
		cur := uint64(st.SyncInfo.LatestBlockTime.Unix()) / s.intervalSeconds
		if next == 0 {
			next = cur // report from the first interval that closes from now on
		}
		for next < cur {
			r, err := Report(ctx, c, next, s.intervalSeconds)
			if err != nil {
				break
			}
			complete := r.Anchored && (!r.Cleared || r.Settled)
			if !complete && cur < next+3 {
				break // give settlement and the market time
			}
			now := s.counts()
			r.Accepted, r.Rejected = now.accepted-last.accepted, now.rejected-last.rejected
			last = now
			fmt.Fprintln(s.cfg.Out, r)
			next++
		}
	}
}

type settlementCounts struct{ accepted, rejected uint64 }

func (s *System) counts() settlementCounts {
	if s.Settlement == nil {
		return settlementCounts{}
	}
	st := s.Settlement.Stats()
	return settlementCounts{accepted: st.Accepted, rejected: st.RejectedTotal()}
}
