package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// nextInterval is the delivery interval after the one of the node's latest
// block: floor(block time / interval_seconds) + 1, with interval_seconds
// from the metering parameters.
// latestBlockTime is the time of the node's latest block, to the second:
// "now" as the chain sees it (a wall-clock now can be ahead of the block
// time a check of the next transaction runs at).
func (g *globals) latestBlockTime(ctx context.Context) (time.Time, error) {
	c, err := client.New(g.node)
	if err != nil {
		return time.Time{}, err
	}
	st, err := c.RPC().Status(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("node status: %w", err)
	}
	return st.SyncInfo.LatestBlockTime.UTC().Truncate(time.Second), nil
}

func (g *globals) nextInterval(ctx context.Context) (uint64, error) {
	c, err := client.New(g.node)
	if err != nil {
		return 0, err
	}
	st, err := c.RPC().Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("node status: %w", err)
	}
	p, res, err := c.MeteringParams(ctx, client.ReadOpts{})
	if err != nil {
		return 0, err
	}
	if p == nil || p.IntervalSeconds == 0 {
		return 0, fmt.Errorf("metering params %q: want interval_seconds > 0", res.Value)
	}
	t := st.SyncInfo.LatestBlockTime.Unix()
	if t < 0 {
		return 0, fmt.Errorf("latest block time %s is before 1970", st.SyncInfo.LatestBlockTime)
	}
	return uint64(t)/p.IntervalSeconds + 1, nil
}

// parseInterval reads an INTERVAL argument: a decimal interval number or
// "next".
func (g *globals) parseInterval(ctx context.Context, s string) (uint64, error) {
	if s == "next" {
		return g.nextInterval(ctx)
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("INTERVAL %q: want a decimal interval number or \"next\"", s)
	}
	return n, nil
}

func parseUint(name, s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q: want a non-negative integer", name, s)
	}
	return n, nil
}

func newTxMarketCmd(g *globals, f *txFlags) *cobra.Command {
	offer := &cobra.Command{
		Use:   "offer DEVICE INTERVAL WH MIN_PRICE --from OWNER",
		Short: "Offer WH of a solar inverter's energy for a delivery interval (number or \"next\") at MIN_PRICE uscn per kWh or more",
		Args:  cobra.ExactArgs(4),
		RunE: func(cmd *cobra.Command, args []string) error {
			i, err := g.parseInterval(cmd.Context(), args[1])
			if err != nil {
				return err
			}
			wh, err := parseUint("WH", args[2])
			if err != nil {
				return err
			}
			price, err := parseUint("MIN_PRICE", args[3])
			if err != nil {
				return err
			}
			m := &tx.MsgOffer{Device: args[0], Interval: i, Wh: wh, MinPrice: price}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			return g.submit(cmd.Context(), f, m)
		},
	}
	bid := &cobra.Command{
		Use:   "bid INTERVAL WH MAX_PRICE --from KEY",
		Short: "Bid for WH in a delivery interval (number or \"next\") at up to MAX_PRICE uscn per kWh; ceil(WH × MAX_PRICE / 1000) uscn is escrowed",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			i, err := g.parseInterval(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			wh, err := parseUint("WH", args[1])
			if err != nil {
				return err
			}
			price, err := parseUint("MAX_PRICE", args[2])
			if err != nil {
				return err
			}
			m := &tx.MsgBid{Interval: i, Wh: wh, MaxPrice: price}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			return g.submit(cmd.Context(), f, m)
		},
	}
	cancel := &cobra.Command{
		Use:   "cancel ORDER_ID --from KEY",
		Short: "Cancel an open order before its interval starts (a bid's escrow is refunded)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseUint("ORDER_ID", args[0])
			if err != nil {
				return err
			}
			m := &tx.MsgCancel{OrderID: id}
			if err := m.ValidateBasic(); err != nil {
				return err
			}
			return g.submit(cmd.Context(), f, m)
		},
	}
	cmd := &cobra.Command{Use: "market", Short: "Offer and bid for solar energy per delivery interval, settled in S-Coin"}
	cmd.AddCommand(offer, bid, cancel)
	return cmd
}

func newQueryMarketCmd(g *globals, f *queryFlags) *cobra.Command {
	intervalCmd := func(use, short string, show func(ctx context.Context, i uint64) error) *cobra.Command {
		return &cobra.Command{
			Use: use, Short: short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				i, err := g.parseInterval(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return show(cmd.Context(), i)
			},
		}
	}
	resolve := func(s string) (tx.Address, error) {
		kr, err := g.keyring()
		if err != nil {
			return tx.Address{}, err
		}
		return kr.Resolve(s)
	}
	params := &cobra.Command{
		Use: "params", Short: "The market parameters", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				return raw(c.MarketParams(ctx, o))
			})
		},
	}
	order := &cobra.Command{
		Use: "order ORDER_ID", Short: "One order", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseUint("ORDER_ID", args[0])
			if err != nil {
				return err
			}
			return g.state(cmd.Context(), f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				return raw(c.MarketOrder(ctx, id, o))
			})
		},
	}
	var ordersPages, tradesPages, bookPages, settlementPages pageFlags
	orders := &cobra.Command{
		Use: "orders ACCOUNT", Short: "An account's orders (address or key name), oldest first, a page at a time", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := resolve(args[0])
			if err != nil {
				return err
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := client.MarketOrderList{Orders: []json.RawMessage{}}
				err := ordersPages.each(ctx, f, func(ctx context.Context, pr tx.PageRequest, height int64) (string, int64, error) {
					p, err := c.MarketOrders(ctx, tx.MarketOrdersRequest{Owner: a, PageRequest: pr}, height)
					if err != nil {
						return "", 0, err
					}
					out.Orders, out.Next = append(out.Orders, p.Orders...), p.Next
					return p.Next, p.Height, nil
				})
				return out, err
			})
		},
	}
	ordersPages.register(orders, "an order id")
	trades := &cobra.Command{
		Use: "trades ACCOUNT|INTERVAL", Short: "An account's trades as seller or buyer, or an interval's trades, a page at a time", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var req tx.MarketTradesRequest
			if _, err := strconv.ParseUint(args[0], 10, 64); err == nil || args[0] == "next" {
				i, err := g.parseInterval(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				req.Interval = &i
			} else {
				a, err := resolve(args[0])
				if err != nil {
					return err
				}
				req.Account = &a
			}
			return g.answer(cmd.Context(), f, func(ctx context.Context, c *client.Client) (any, error) {
				out := client.MarketTradeList{Trades: []json.RawMessage{}}
				err := tradesPages.each(ctx, f, func(ctx context.Context, pr tx.PageRequest, height int64) (string, int64, error) {
					req.PageRequest = pr
					p, err := c.MarketTrades(ctx, req, height)
					if err != nil {
						return "", 0, err
					}
					out.Trades, out.Next = append(out.Trades, p.Trades...), p.Next
					return p.Next, p.Height, nil
				})
				return out, err
			})
		},
	}
	tradesPages.register(trades, "a trade sequence number for an interval, opaque hex for an account")
	book := intervalCmd("book INTERVAL", "An interval's open orders, offers then bids in matching order, a page at a time", func(ctx context.Context, i uint64) error {
		return g.answer(ctx, f, func(ctx context.Context, c *client.Client) (any, error) {
			out := client.MarketBook{Interval: i, Offers: []json.RawMessage{}, Bids: []json.RawMessage{}}
			err := bookPages.each(ctx, f, func(ctx context.Context, pr tx.PageRequest, height int64) (string, int64, error) {
				p, err := c.MarketBook(ctx, tx.MarketIntervalRequest{Interval: i, PageRequest: pr}, height)
				if err != nil {
					return "", 0, err
				}
				out.Offers, out.Bids, out.Next = append(out.Offers, p.Offers...), append(out.Bids, p.Bids...), p.Next
				return p.Next, p.Height, nil
			})
			return out, err
		})
	})
	bookPages.register(book, "opaque hex")
	settlements := intervalCmd("settlements INTERVAL", "An interval's delivery settlement and its trades, a page at a time", func(ctx context.Context, i uint64) error {
		return g.answer(ctx, f, func(ctx context.Context, c *client.Client) (any, error) {
			out := client.MarketSettlement{Interval: i, Trades: []json.RawMessage{}}
			err := settlementPages.each(ctx, f, func(ctx context.Context, pr tx.PageRequest, height int64) (string, int64, error) {
				p, err := c.MarketSettlement(ctx, tx.MarketIntervalRequest{Interval: i, PageRequest: pr}, height)
				if err != nil {
					return "", 0, err
				}
				out.Settlement, out.Trades, out.Next = p.Settlement, append(out.Trades, p.Trades...), p.Next
				return p.Next, p.Height, nil
			})
			return out, err
		})
	})
	settlementPages.register(settlements, "a trade sequence number")
	cmd := &cobra.Command{Use: "market", Short: "The energy market: books, clearings, trades and settlements"}
	cmd.AddCommand(
		params, order, orders, trades, book,
		intervalCmd("clearing INTERVAL", "An interval's clearing: price, volume, counts (provable)", func(ctx context.Context, i uint64) error {
			return g.state(ctx, f, func(ctx context.Context, c *client.Client, o client.ReadOpts) (any, *client.QueryResult, error) {
				return raw(c.MarketClearing(ctx, i, o))
			})
		}),
		settlements,
	)
	return cmd
}
