package module

import (
	"errors"
	"fmt"

	"github.com/citychain/citychain/chain/tx"
)

// Error is a rejection with a stable code in a module's codespace. Codes are
// frozen once released: a code is never reused for another meaning.
type Error struct {
	Codespace string
	Code      uint32
	Msg       string
}

// NewError declares a module error with its code, declared in chain/tx.
// Code 0 is reserved for success.
func NewError(c tx.Code, msg string) *Error {
	if c.Code == 0 {
		panic("module: error code 0 is reserved for success")
	}
	return &Error{Codespace: c.Codespace, Code: c.Code, Msg: msg}
}

func (e *Error) Error() string { return e.Msg }

// Is makes errors.Is match on codespace and code, against an *Error or a
// tx.Code.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case *Error:
		return t.Codespace == e.Codespace && t.Code == e.Code
	case tx.Code:
		return t.Matches(e.Codespace, e.Code)
	}
	return false
}

// Wrapf adds detail to the error while keeping its code.
func (e *Error) Wrapf(format string, args ...any) error {
	return &wrapped{base: e, detail: fmt.Sprintf(format, args...)}
}

type wrapped struct {
	base   *Error
	detail string
}

func (w *wrapped) Error() string { return w.base.Msg + ": " + w.detail }
func (w *wrapped) Unwrap() error { return w.base }

// Codes returns the codespace, code and log of err for an ABCI result. An
// error without a code is reported as the "app" internal error.
func Codes(err error) (codespace string, code uint32, log string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Codespace, e.Code, err.Error()
	}
	return ErrInternal.Codespace, ErrInternal.Code, err.Error()
}

// Errors of the "app" codespace, shared by every module's plumbing.
var (
	ErrInternal     = NewError(tx.CodeAppInternal, "internal error")
	ErrUnknownQuery = NewError(tx.CodeAppUnknownQuery, "unknown query path")
	ErrBadQuery     = NewError(tx.CodeAppBadQuery, "bad query request")
	ErrNotFound     = NewError(tx.CodeAppNotFound, "not found")
)
