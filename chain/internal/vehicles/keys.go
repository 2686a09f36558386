package vehicles

import (
	"encoding/binary"

	"github.com/citychain/citychain/chain/tx"
)

// Key prefixes inside the module's key space. Frozen: never reuse a byte.
const (
	prefixParams    byte = 0x01 // 0x01 -> Params (JSON)
	prefixVehicle   byte = 0x02 // 0x02 | VIN (17) -> Vehicle (JSON)
	prefixOdometer  byte = 0x03 // 0x03 | VIN (17) | interval (8, BE) -> tx.OdometerPoint (JSON)
	prefixDevice    byte = 0x04 // 0x04 | device id -> VIN (JSON string): the vehicle the device is bound to
	prefixOwner     byte = 0x05 // 0x05 | address (20) | VIN (17) -> 0x01: the vehicles an account owns
	prefixProgramme byte = 0x06 // 0x06 | programme id -> Programme (JSON)
	prefixCitizen   byte = 0x07 // 0x07 | address (20) -> CitizenSubsidy (JSON): the one subsidy an account received
	prefixTransfer  byte = 0x08 // 0x08 | id (8, BE) -> Transfer (JSON)
	prefixCounter   byte = 0x09 // 0x09 -> Counters (JSON)
	prefixProposal  byte = 0x0a // 0x0a | VIN (17) | dealer (20) -> transfer id (8, BE): the dealer's open proposal for the vehicle
)

var (
	paramsKey  = []byte{prefixParams}
	counterKey = []byte{prefixCounter}
)

func vehicleKey(vin string) []byte { return append([]byte{prefixVehicle}, vin...) }

func odometerPrefix(vin string) []byte { return append([]byte{prefixOdometer}, vin...) }
func odometerKey(vin string, interval uint64) []byte {
	return binary.BigEndian.AppendUint64(odometerPrefix(vin), interval)
}

func deviceKey(id string) []byte { return append([]byte{prefixDevice}, id...) }

func ownerPrefix(a tx.Address) []byte { return append([]byte{prefixOwner}, a[:]...) }
func ownerKey(a tx.Address, vin string) []byte {
	return append(ownerPrefix(a), vin...)
}

func programmeKey(id string) []byte { return append([]byte{prefixProgramme}, id...) }

func citizenKey(a tx.Address) []byte { return append([]byte{prefixCitizen}, a[:]...) }

func transferKey(id uint64) []byte { return binary.BigEndian.AppendUint64([]byte{prefixTransfer}, id) }

func proposalPrefix(vin string) []byte { return append([]byte{prefixProposal}, vin...) }
func proposalKey(vin string, dealer tx.Address) []byte {
	return append(proposalPrefix(vin), dealer[:]...)
}
