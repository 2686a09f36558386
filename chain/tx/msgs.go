package tx

import (
	"fmt"
	"strings"
)

// Msg is one instruction in a transaction. Type is "<module>/<action>"; the
// module part routes the message to the module that handles it.
type Msg interface {
	Type() string
	// ValidateBasic checks the message on its own, without state.
	ValidateBasic() error
}

// Module returns the module part of a message type ("bank" of "bank/send").
func Module(msgType string) string {
	m, _, _ := strings.Cut(msgType, "/")
	return m
}

func requireAddress(field string, a Address) error {
	if a.IsZero() {
		return fmt.Errorf("%s: want an address, got none", field)
	}
	return nil
}

func requirePositive(field string, c Coin) error {
	if c.Amount == 0 {
		return fmt.Errorf("%s: want a positive amount, got %s", field, c)
	}
	return ValidateDenom(c.Denom)
}
