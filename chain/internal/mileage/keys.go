package mileage

import (
	"encoding/binary"

	"github.com/citychain/citychain/chain/tx"
)

// Key prefixes inside the module's key space. Frozen: never reuse a byte.
const (
	prefixParams   byte = 0x01 // 0x01 -> Params (JSON)
	prefixCursor   byte = 0x02 // 0x02 -> Cursor (JSON): the next vehicle period to settle
	prefixTotals   byte = 0x03 // 0x03 -> Totals (JSON)
	prefixAccount  byte = 0x04 // 0x04 | address(20) -> Account (JSON)
	prefixLot      byte = 0x05 // 0x05 | address(20) | award id(8) -> Lot (JSON), the unspent part of one award
	prefixExpiry   byte = 0x06 // 0x06 | expires unix s(8) | award id(8) -> address(20)
	prefixHistory  byte = 0x07 // 0x07 | address(20) | n(8) -> HistoryEntry (JSON), n = 0, 1, ...
	prefixMerchant byte = 0x08 // 0x08 | address(20) -> Merchant (JSON)
	prefixVehicle  byte = 0x09 // 0x09 | device id -> Vehicle (JSON)
	prefixVPeriod  byte = 0x0a // 0x0a | device id | 0x00 | period(8) -> VehiclePeriod (JSON)
	prefixPeriod   byte = 0x0b // 0x0b | period(8) -> PeriodSummary (JSON)
)

var (
	paramsKey = []byte{prefixParams}
	cursorKey = []byte{prefixCursor}
	totalsKey = []byte{prefixTotals}
)

func accountKey(a tx.Address) []byte { return append([]byte{prefixAccount}, a[:]...) }

func lotPrefix(a tx.Address) []byte { return append([]byte{prefixLot}, a[:]...) }
func lotKey(a tx.Address, id uint64) []byte {
	return binary.BigEndian.AppendUint64(lotPrefix(a), id)
}

func expiryKey(at, id uint64) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64([]byte{prefixExpiry}, at), id)
}

func historyPrefix(a tx.Address) []byte { return append([]byte{prefixHistory}, a[:]...) }
func historyKey(a tx.Address, n uint64) []byte {
	return binary.BigEndian.AppendUint64(historyPrefix(a), n)
}

func merchantKey(a tx.Address) []byte { return append([]byte{prefixMerchant}, a[:]...) }

func vehicleKey(id string) []byte { return append([]byte{prefixVehicle}, id...) }

func vperiodPrefix(id string) []byte { return append(append([]byte{prefixVPeriod}, id...), 0x00) }
func vperiodKey(id string, period uint64) []byte {
	return binary.BigEndian.AppendUint64(vperiodPrefix(id), period)
}

func periodKey(period uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixPeriod}, period)
}
