package labour

import (
	"encoding/binary"

	"github.com/citychain/citychain/chain/tx"
)

// Key prefixes inside the module's key space (store prefix 0x08). Frozen:
// never reuse a byte. Ids are 8 bytes big-endian; a time is unix seconds
// with the sign bit flipped, 8 bytes big-endian, so byte order is time
// order. A fund id is 0x01 | owner (20) for an employer's fund or 0x02 |
// project | 0x00 for a project's labour pool (a project id is [a-z0-9-],
// so the 0x00 ends it). Keys marked derived are rebuilt by InitGenesis
// from the others and not exported.
const (
	prefixParams    byte = 0x01 // 0x01 -> tx.LabourParams (JSON), only when genesis set non-default ones
	prefixRule      byte = 0x02 // 0x02 | kind | 0x00 | effective (YYYY-MM-DD) -> tx.LabourRule (JSON): rows added to the built-in table
	prefixContract  byte = 0x03 // 0x03 | contract -> tx.LabourContract (JSON)
	prefixShift     byte = 0x04 // 0x04 | contract | shift -> tx.Shift (JSON)
	prefixStatement byte = 0x05 // 0x05 | statement -> tx.WageStatement (JSON)
	prefixFund      byte = 0x06 // 0x06 | fund id -> tx.LabourFund (JSON)
	prefixLine      byte = 0x07 // 0x07 | project | 0x00 | worker (20) -> tx.LabourProjectLine (JSON)
	prefixAccrual   byte = 0x08 // 0x08 | contract -> Accrual (JSON): a monthly contract's statement still taking weeks
	prefixRetry     byte = 0x09 // 0x09 | fund id -> 0x01: a fund with late statements that received money since its last try

	prefixStats        byte = 0x10 // 0x10 -> tx.LabourStats (JSON) (derived)
	prefixTotals       byte = 0x11 // 0x11 | project -> owed (8) | paid (8): the project's lines summed (derived)
	prefixByEmployer   byte = 0x12 // 0x12 | employer (20) | contract -> 0x01 (derived)
	prefixByWorker     byte = 0x13 // 0x13 | worker (20) | contract -> 0x01 (derived)
	prefixStmtContract byte = 0x14 // 0x14 | contract | statement -> 0x01 (derived)
	prefixStmtWorker   byte = 0x15 // 0x15 | worker (20) | statement -> 0x01 (derived)
	prefixStmtEmployer byte = 0x16 // 0x16 | employer (20) | statement -> 0x01 (derived)
	prefixLate         byte = 0x17 // 0x17 | statement -> 0x01: late statements (derived)
	prefixClose        byte = 0x18 // 0x18 | time | contract -> 0x01: an active contract's next week closing (derived)
	prefixDue          byte = 0x19 // 0x19 | due (time) | statement -> fund id: pending statements by due time (derived)
	prefixFundQueue    byte = 0x1a // 0x1a | fund id | due (time) | statement -> 0x01: a fund's pending and late statements, oldest first (derived)
)

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func idOf(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// timeBytes encodes unix seconds so that byte order is time order.
func timeBytes(t int64) []byte { return u64(uint64(t) ^ (1 << 63)) }

func timeOf(b []byte) int64 { return int64(idOf(b) ^ (1 << 63)) }

func with(prefix byte, id uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefix}, id)
}

func ruleKey(kind, effective string) []byte {
	return append(append(append([]byte{prefixRule}, kind...), 0x00), effective...)
}

func contractKey(id uint64) []byte { return with(prefixContract, id) }

func shiftPrefix(contract uint64) []byte { return with(prefixShift, contract) }
func shiftKey(contract, id uint64) []byte {
	return binary.BigEndian.AppendUint64(shiftPrefix(contract), id)
}

func statementKey(id uint64) []byte { return with(prefixStatement, id) }

// fundID is the key part naming a fund: an employer's (project "") or a
// project's labour pool.
func fundID(owner tx.Address, project string) []byte {
	if project != "" {
		return append(append([]byte{0x02}, project...), 0x00)
	}
	return append([]byte{0x01}, owner[:]...)
}

// fundOf is the fund id of the fund that pays statement s.
func fundOf(s *tx.WageStatement) []byte { return fundID(s.Employer, s.Project) }

func fundKey(id []byte) []byte { return append([]byte{prefixFund}, id...) }

func linePrefix(project string) []byte {
	return append(append([]byte{prefixLine}, project...), 0x00)
}
func lineKey(project string, worker tx.Address) []byte {
	return append(linePrefix(project), worker[:]...)
}

func accrualKey(contract uint64) []byte { return with(prefixAccrual, contract) }

func retryKey(fund []byte) []byte { return append([]byte{prefixRetry}, fund...) }

func totalsKey(project string) []byte { return append([]byte{prefixTotals}, project...) }

func byEmployerKey(a tx.Address, contract uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte{prefixByEmployer}, a[:]...), contract)
}

func byWorkerKey(a tx.Address, contract uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte{prefixByWorker}, a[:]...), contract)
}

func stmtContractKey(contract, id uint64) []byte {
	return binary.BigEndian.AppendUint64(with(prefixStmtContract, contract), id)
}

func stmtWorkerKey(a tx.Address, id uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte{prefixStmtWorker}, a[:]...), id)
}

func stmtEmployerKey(a tx.Address, id uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte{prefixStmtEmployer}, a[:]...), id)
}

func lateKey(id uint64) []byte { return with(prefixLate, id) }

func closeKey(at int64, contract uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte{prefixClose}, timeBytes(at)...), contract)
}

func dueKey(due int64, id uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte{prefixDue}, timeBytes(due)...), id)
}

func fundQueuePrefix(fund []byte) []byte { return append([]byte{prefixFundQueue}, fund...) }
func fundQueueKey(fund []byte, due int64, id uint64) []byte {
	return binary.BigEndian.AppendUint64(append(fundQueuePrefix(fund), timeBytes(due)...), id)
}
