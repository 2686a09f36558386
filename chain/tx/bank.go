package tx

import "errors"

// Message types of the bank module.
const (
	TypeBankSend = "bank/send"
	TypeBankMint = "bank/mint"
	TypeBankBurn = "bank/burn"
)

// MsgSend moves an amount from the signer to another account.
type MsgSend struct {
	To     Address `json:"to"`
	Amount Coin    `json:"amount"`
}

// Type implements Msg.
func (*MsgSend) Type() string { return TypeBankSend }

// ValidateBasic implements Msg.
func (m *MsgSend) ValidateBasic() error {
	return errors.Join(requireAddress("to", m.To), requirePositive("amount", m.Amount))
}

// MsgMint creates new coins of a denomination for an account; only the
// denomination's issuer may send it.
type MsgMint struct {
	To     Address `json:"to"`
	Amount Coin    `json:"amount"`
}

// Type implements Msg.
func (*MsgMint) Type() string { return TypeBankMint }

// ValidateBasic implements Msg.
func (m *MsgMint) ValidateBasic() error {
	return errors.Join(requireAddress("to", m.To), requirePositive("amount", m.Amount))
}

// MsgBurn destroys coins from the signer's own balance.
type MsgBurn struct {
	Amount Coin `json:"amount"`
}

// Type implements Msg.
func (*MsgBurn) Type() string { return TypeBankBurn }

// ValidateBasic implements Msg.
func (m *MsgBurn) ValidateBasic() error { return requirePositive("amount", m.Amount) }

// BankMsgs is the bank module's part of the transaction contract.
var BankMsgs = ModuleMsgs{
	Module: "bank",
	Msgs: []MsgDef{
		{TypeBankSend, func() Msg { return &MsgSend{} }, "any account (its own coins)"},
		{TypeBankMint, func() Msg { return &MsgMint{} }, "issuer/<denom>"},
		{TypeBankBurn, func() Msg { return &MsgBurn{} }, "any account (its own coins)"},
	},
}
