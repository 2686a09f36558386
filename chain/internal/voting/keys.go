package voting

import (
	"encoding/binary"

	"github.com/citychain/citychain/chain/tx"
)

// Key prefixes inside the module's key space (store prefix 0x0a). Frozen:
// never reuse a byte. Every id, sequence, height and time is 8 bytes
// big-endian (a time: unix seconds with the sign bit flipped), so byte
// order is numeric order; a trustee index is 4 bytes.
const (
	prefixParams      byte = 0x01 // 0x01 -> tx.VotingParams (JSON), only when genesis set them
	prefixCounter     byte = 0x02 // 0x02 | 0x01 -> the last proposal id; 0x02 | 0x02 -> the last election id (derived)
	prefixProposal    byte = 0x03 // 0x03 | proposal -> tx.VoteProposal (JSON)
	prefixSupport     byte = 0x04 // 0x04 | proposal | identity (20) -> Support (JSON)
	prefixPropCred    byte = 0x05 // 0x05 | proposal | SHA-256 of the JWT (32) -> the identity it served (20)
	prefixAnswerDue   byte = 0x06 // 0x06 | due (time) | proposal | level index (1) -> 0x01: a reached, unanswered, not yet overdue level (derived)
	prefixSupportEnds byte = 0x07 // 0x07 | support_ends (time) | proposal -> 0x01: an open proposal (derived)
	prefixElection    byte = 0x10 // 0x10 | election -> tx.VoteElection (JSON)
	prefixTrustee     byte = 0x11 // 0x11 | election | index (4) -> tx.VoteTrustee (JSON)
	prefixVoter       byte = 0x12 // 0x12 | election | identity (20) -> the voter's weight (8) (listed elections)
	prefixRequest     byte = 0x13 // 0x13 | election | identity (20) -> tx.VoteRequest (JSON)
	prefixRequestSeq  byte = 0x14 // 0x14 | election | seq -> identity (20) (derived)
	prefixPending     byte = 0x15 // 0x15 | election | seq -> identity (20): requests not yet issued (derived)
	prefixElecCred    byte = 0x16 // 0x16 | election | SHA-256 of the JWT (32) -> the identity it served (20)
	prefixBallot      byte = 0x17 // 0x17 | election | seq -> tx.VoteBallot (JSON)
	prefixBallotKey   byte = 0x18 // 0x18 | election | ballot key (32) -> seq of the key's last ballot (derived)
	prefixTracker     byte = 0x19 // 0x19 | election | tracker (32) -> tx.VoteTrackerEntry (JSON) (derived)
	prefixSchedule    byte = 0x1a // 0x1a | height | election -> 0x01: an election that opens (setup) or closes (open) at the end of that block (derived)
)

const (
	counterProposals byte = 0x01
	counterElections byte = 0x02
)

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func idOf(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// timeBytes encodes unix seconds so that byte order is time order.
func timeBytes(t int64) []byte { return u64(uint64(t) ^ (1 << 63)) }

func with(prefix byte, id uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefix}, id)
}

func counterKey(which byte) []byte { return []byte{prefixCounter, which} }

func proposalKey(id uint64) []byte { return with(prefixProposal, id) }

func supportKey(id uint64, identity tx.Address) []byte {
	return append(with(prefixSupport, id), identity[:]...)
}

func propCredKey(id uint64, jwt tx.Hash32) []byte { return append(with(prefixPropCred, id), jwt[:]...) }

func answerDueKey(due int64, id uint64, level int) []byte {
	k := append([]byte{prefixAnswerDue}, timeBytes(due)...)
	return append(binary.BigEndian.AppendUint64(k, id), byte(level))
}

func supportEndsKey(ends int64, id uint64) []byte {
	k := append([]byte{prefixSupportEnds}, timeBytes(ends)...)
	return binary.BigEndian.AppendUint64(k, id)
}

func electionKey(id uint64) []byte { return with(prefixElection, id) }

func trusteeKey(election uint64, index uint32) []byte {
	return binary.BigEndian.AppendUint32(with(prefixTrustee, election), index)
}

func voterKey(election uint64, identity tx.Address) []byte {
	return append(with(prefixVoter, election), identity[:]...)
}

func requestKey(election uint64, identity tx.Address) []byte {
	return append(with(prefixRequest, election), identity[:]...)
}

func requestSeqKey(election, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(with(prefixRequestSeq, election), seq)
}

func pendingKey(election, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(with(prefixPending, election), seq)
}

func elecCredKey(election uint64, jwt tx.Hash32) []byte {
	return append(with(prefixElecCred, election), jwt[:]...)
}

func ballotKey(election, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(with(prefixBallot, election), seq)
}

func ballotKeyKey(election uint64, key tx.PubKey) []byte {
	return append(with(prefixBallotKey, election), key...)
}

func trackerKey(election uint64, tracker tx.Hash32) []byte {
	return append(with(prefixTracker, election), tracker[:]...)
}

func scheduleKey(height, election uint64) []byte {
	return binary.BigEndian.AppendUint64(with(prefixSchedule, height), election)
}
