package tx

import (
	"encoding/binary"
	"errors"
	"fmt"
)

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

// EncodeAmount is the stored form of an amount, a balance or a supply: 8
// bytes, big-endian. It is also the value of the /bank/balance and
// /bank/supply queries, which can be proved against the app hash.
func EncodeAmount(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// DecodeAmount reads a stored amount; nil (absent) is zero.
func DecodeAmount(b []byte) (uint64, error) {
	if b == nil {
		return 0, nil
	}
	if len(b) != 8 {
		return 0, fmt.Errorf("stored amount is %d bytes, want 8", len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}

// CodespaceBank is the codespace of the bank module's result codes.
const CodespaceBank = "bank"

// Result codes of the bank module (see Code). Frozen: a released code
// never changes meaning.
var (
	CodeBankInsufficientFunds = Code{CodespaceBank, 2} // insufficient funds
	CodeBankUnknownDenom      = Code{CodespaceBank, 3} // unknown denomination
	CodeBankNotIssuer         = Code{CodespaceBank, 4} // signer is not the denomination's issuer
	CodeBankOverflow          = Code{CodespaceBank, 5} // amount overflow
	CodeBankInvalidGenesis    = Code{CodespaceBank, 6} // invalid bank genesis
	CodeBankSelfSend          = Code{CodespaceBank, 7} // sender and recipient are the same account
	CodeBankModuleAccount     = Code{CodespaceBank, 8} // recipient is a module account
)

// Module accounts: the keyless accounts modules hold funds in, each at
// ModuleAddress of its name. Only their module's state transitions move
// their funds (through the bank keeper's Send); a bank/send or bank/mint
// to one is refused (CodeBankModuleAccount), because nothing could ever
// move those coins out again and the module's books (the market escrow
// covering open bids and unsettled trades, the mileage budget's funded
// total, the mileage held account equal to the citizens' balances, the
// subsidy escrow equal to the programmes' remaining budgets) would no
// longer add up. A module that adds an account lists it here.
const (
	ModuleAccountMarket           = "market"             // bids' escrow and unsettled trades' cost
	ModuleAccountMileage          = "mileage"            // the mileage budget (fund it with mileage/fund)
	ModuleAccountMileageHeld      = "mileage/held"       // awarded, unspent citizen mileage
	ModuleAccountVehicleSubsidies = "vehicles/subsidies" // subsidy programmes' budgets
	ModuleAccountLabourEscrow     = "labour/escrow"      // employers' funds and projects' labour pools
	ModuleAccountLabourWithheld   = "labour/withheld"    // insurance shares withheld from wages, for the insurers
	ModuleAccountContractsEscrow  = "contracts/escrow"   // public-works contracts' unreleased money
)

// moduleAccounts are the module accounts by name and address, in name
// order.
var moduleAccounts = func() []struct {
	name string
	addr Address
} {
	names := []string{ModuleAccountContractsEscrow, ModuleAccountLabourEscrow, ModuleAccountLabourWithheld, ModuleAccountMarket, ModuleAccountMileage, ModuleAccountMileageHeld, ModuleAccountVehicleSubsidies}
	out := make([]struct {
		name string
		addr Address
	}, len(names))
	for i, n := range names {
		out[i].name, out[i].addr = n, ModuleAddress(n)
	}
	return out
}()

// ModuleAccounts returns the names of every module account, in name order.
func ModuleAccounts() []string {
	out := make([]string, len(moduleAccounts))
	for i, m := range moduleAccounts {
		out[i] = m.name
	}
	return out
}

// ModuleAccountName returns the name of the module account at a, or ""
// when a is not a module account.
func ModuleAccountName(a Address) string {
	for _, m := range moduleAccounts {
		if m.addr == a {
			return m.name
		}
	}
	return ""
}
