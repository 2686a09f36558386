package market

import (
	"encoding/binary"

	"github.com/citychain/citychain/chain/tx"
)

// Key prefixes inside the module's key space. Frozen: never reuse a byte.
// Integers in keys are 8 bytes big-endian, so keys sort numerically.
const (
	prefixParams     byte = 0x01 // 0x01 -> Params (JSON)
	prefixNextOrder  byte = 0x02 // 0x02 -> next order id (8)
	prefixOrder      byte = 0x03 // 0x03 | order id(8) -> Order (JSON)
	prefixBook       byte = 0x04 // 0x04 | interval(8) | side(1) | price key(8) | order id(8) -> 0x01 (open orders, in matching order)
	prefixOwnerOrder byte = 0x05 // 0x05 | owner(20) | order id(8) -> 0x01
	prefixOpenCount  byte = 0x06 // 0x06 | owner(20) -> open orders of the owner (8)
	prefixPending    byte = 0x07 // 0x07 | interval(8) -> offered Wh(8) | bid Wh(8) of the open orders: the interval still has to clear
	prefixClearing   byte = 0x08 // 0x08 | interval(8) -> Clearing (JSON)
	prefixTrade      byte = 0x09 // 0x09 | interval(8) | trade seq(8) -> Trade (JSON)
	prefixAccountTr  byte = 0x0a // 0x0a | account(20) | interval(8) | trade seq(8) -> 0x01 (seller's and buyer's trades)
	prefixUnsettled  byte = 0x0b // 0x0b | interval(8) -> 0x01: cleared with trades, delivery not settled yet
	prefixSettlement byte = 0x0c // 0x0c | interval(8) -> Settlement (JSON)
)

// Sides of the book, as stored in book keys.
const (
	sideAsk byte = 0x01 // offers: price key = min price, ascending
	sideBid byte = 0x02 // bids: price key = ^max price, so the highest comes first
)

var (
	paramsKey    = []byte{prefixParams}
	nextOrderKey = []byte{prefixNextOrder}
)

func u64(p []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(p, v) }

func orderKey(id uint64) []byte { return u64([]byte{prefixOrder}, id) }

func bookSidePrefix(interval uint64, side byte) []byte {
	return append(u64([]byte{prefixBook}, interval), side)
}

func bookKey(interval uint64, side byte, price, id uint64) []byte {
	pk := price
	if side == sideBid {
		pk = ^price
	}
	return u64(u64(bookSidePrefix(interval, side), pk), id)
}

func ownerOrderPrefix(a tx.Address) []byte { return append([]byte{prefixOwnerOrder}, a[:]...) }

func ownerOrderKey(a tx.Address, id uint64) []byte { return u64(ownerOrderPrefix(a), id) }

func openCountKey(a tx.Address) []byte { return append([]byte{prefixOpenCount}, a[:]...) }

func pendingKey(interval uint64) []byte { return u64([]byte{prefixPending}, interval) }

func clearingKey(interval uint64) []byte { return u64([]byte{prefixClearing}, interval) }

func tradePrefix(interval uint64) []byte { return u64([]byte{prefixTrade}, interval) }

func tradeKey(interval, seq uint64) []byte { return u64(tradePrefix(interval), seq) }

func accountTradePrefix(a tx.Address) []byte { return append([]byte{prefixAccountTr}, a[:]...) }

func accountTradeKey(a tx.Address, interval, seq uint64) []byte {
	return u64(u64(accountTradePrefix(a), interval), seq)
}

func unsettledKey(interval uint64) []byte { return u64([]byte{prefixUnsettled}, interval) }

func settlementKey(interval uint64) []byte { return u64([]byte{prefixSettlement}, interval) }
