package metering

import "encoding/binary"

// Key prefixes inside the module's key space. Frozen: never reuse a byte.
const (
	prefixParams byte = 0x01 // 0x01 -> Params (JSON)
	prefixDevice byte = 0x02 // 0x02 | device id -> DeviceState (JSON)
	prefixDelta  byte = 0x03 // 0x03 | device id | 0x00 | interval (8, BE) -> delta (8, BE)
	prefixAnchor byte = 0x04 // 0x04 | interval (8, BE) -> Anchor (JSON)
	prefixTotal  byte = 0x05 // 0x05 | kind (1) | interval (8, BE) -> total delta of all devices (8, BE)
)

var paramsKey = []byte{prefixParams}

func deviceKey(id string) []byte { return append([]byte{prefixDevice}, id...) }

func deltaPrefix(id string) []byte { return append(append([]byte{prefixDelta}, id...), 0x00) }

func deltaKey(id string, interval uint64) []byte {
	return binary.BigEndian.AppendUint64(deltaPrefix(id), interval)
}

func anchorKey(interval uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixAnchor}, interval)
}

func totalPrefix(kind byte) []byte { return []byte{prefixTotal, kind} }

func totalKey(kind byte, interval uint64) []byte {
	return binary.BigEndian.AppendUint64(totalPrefix(kind), interval)
}
