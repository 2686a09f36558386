package tx

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Authority actions: messages only authorities may send, which run when k
// of the n authorities named in the auth genesis (authority_threshold) have
// sent them or approved them. A message type is an authority action when
// its MsgDef's Signer is SignerAuthorities; adding one (a future parameter
// change, say) needs nothing else. Until enough authorities agree, the
// message is a proposal, stored under its ProposalID.

// SignerAuthorities is the Signer of an authority action's MsgDef.
const SignerAuthorities = "k of n authorities"

// IsAuthorityAction reports whether typ is an authority action.
func IsAuthorityAction(typ string) bool {
	d, ok := msgIndex[typ]
	return ok && d.Signer == SignerAuthorities
}

// Message types of the auth module's proposals.
const (
	TypeProposalApprove  = "auth/approve"
	TypeProposalWithdraw = "auth/withdraw"
)

// ProposalID identifies a proposal: SHA-256 of its message's canonical
// encoding (CanonicalMsg). An authority that sends the same message
// approves the same proposal. In JSON and on the command line it is 64
// lowercase hex characters.
type ProposalID [sha256.Size]byte

// ParseProposalID parses 64 lowercase hex characters.
func ParseProposalID(s string) (ProposalID, error) {
	var id ProposalID
	if len(s) != 2*len(id) {
		return id, fmt.Errorf("proposal id %q: want %d hex characters, got %d", s, 2*len(id), len(s))
	}
	if s != strings.ToLower(s) {
		return id, fmt.Errorf("proposal id %q: want lowercase hex", s)
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, fmt.Errorf("proposal id %q: %w", s, err)
	}
	return id, nil
}

// String returns the id as lowercase hex.
func (id ProposalID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether the id is unset.
func (id ProposalID) IsZero() bool { return id == ProposalID{} }

// MarshalJSON implements json.Marshaler.
func (id ProposalID) MarshalJSON() ([]byte, error) { return json.Marshal(id.String()) }

// UnmarshalJSON implements json.Unmarshaler.
func (id *ProposalID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("proposal id: want a JSON string: %w", err)
	}
	v, err := ParseProposalID(s)
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// CanonicalMsg is m with its type, as a transaction body carries it, in
// the one encoding the chain hashes: the value is m encoded again by Go's
// encoding/json (fields in declaration order, no spaces), whatever spacing
// or field order the signed body used.
func CanonicalMsg(m Msg) (Any, error) {
	v, err := json.Marshal(m)
	if err != nil {
		return Any{}, fmt.Errorf("encode message %s: %w", m.Type(), err)
	}
	return Any{Type: m.Type(), Value: v}, nil
}

// ProposalIDOf returns the id of the proposal m makes: SHA-256 of
// {"type":TYPE,"value":VALUE} with the canonical value of CanonicalMsg.
func ProposalIDOf(m Msg) (ProposalID, error) {
	a, err := CanonicalMsg(m)
	if err != nil {
		return ProposalID{}, err
	}
	return a.ProposalID()
}

// ProposalID returns the id of the proposal of a canonical message.
func (a Any) ProposalID() (ProposalID, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return ProposalID{}, fmt.Errorf("encode message %s: %w", a.Type, err)
	}
	return sha256.Sum256(b), nil
}

// MsgProposalApprove approves a pending proposal by its id; the approval
// that reaches the threshold runs the proposal's message, with this
// transaction's signer as its signer. Only an authority may send it.
type MsgProposalApprove struct {
	ID ProposalID `json:"id"`
}

// Type implements Msg.
func (*MsgProposalApprove) Type() string { return TypeProposalApprove }

// ValidateBasic implements Msg.
func (m *MsgProposalApprove) ValidateBasic() error {
	if m.ID.IsZero() {
		return errors.New("id: want a proposal id, got none")
	}
	return nil
}

// MsgProposalWithdraw withdraws the signer's approval of a pending
// proposal; a proposal left with no approval is removed. Only an authority
// that approved it may send it.
type MsgProposalWithdraw struct {
	ID ProposalID `json:"id"`
}

// Type implements Msg.
func (*MsgProposalWithdraw) Type() string { return TypeProposalWithdraw }

// ValidateBasic implements Msg.
func (m *MsgProposalWithdraw) ValidateBasic() error {
	if m.ID.IsZero() {
		return errors.New("id: want a proposal id, got none")
	}
	return nil
}

// Proposal states.
const (
	ProposalPending  = "pending"
	ProposalExecuted = "executed"
)

// Proposal is an authority action waiting for, or run by, enough
// approvals (/auth/proposal, /auth/proposals). A proposal can be approved
// while the block time is before Expires; the chain removes it (pending or
// executed) at the end of the first block at or after Expires.
type Proposal struct {
	ID ProposalID `json:"id"`
	// Msg is the proposed message, canonical (CanonicalMsg).
	Msg Any `json:"msg"`
	// Approvals are the authorities that approved it, in order.
	Approvals     []Address `json:"approvals"`
	CreatedHeight int64     `json:"created_height"`
	Expires       time.Time `json:"expires"`
	State         string    `json:"state"`
	// ExecutedHeight is the height of the approval that ran it.
	ExecutedHeight int64 `json:"executed_height,omitempty"`
}

// AuthParams are the auth module's genesis parameters (/auth/params).
type AuthParams struct {
	// AuthorityThreshold is k: the number of distinct authorities whose
	// approval runs an authority action (1 runs it at once).
	AuthorityThreshold uint32 `json:"authority_threshold"`
	// ProposalTTLSeconds is how long a proposal may collect approvals.
	ProposalTTLSeconds uint64 `json:"proposal_ttl_seconds"`
}

// ProposalListRequest pages through the proposals in id order
// (/auth/proposals); After is a proposal id (hex).
type ProposalListRequest struct {
	PageRequest
}

// ProposalPage is one page of proposals; Next, when set, is the After of
// the next page. Threshold and Authorities are the chain's k and n.
type ProposalPage struct {
	Threshold   uint32     `json:"threshold"`
	Authorities uint32     `json:"authorities"`
	Proposals   []Proposal `json:"proposals"`
	Next        string     `json:"next,omitempty"`
}
