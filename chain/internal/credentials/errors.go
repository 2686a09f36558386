package credentials

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Codespace of the credentials module's errors.
const Codespace = tx.CodespaceCredential

// Result codes, declared in chain/tx. Frozen: a released code never
// changes meaning.
var (
	ErrNotAccreditor        = module.NewError(tx.CodeCredentialNotAccreditor, "signer lacks the accreditor role")
	ErrInvalidGenesis       = module.NewError(tx.CodeCredentialInvalidGenesis, "invalid credentials genesis")
	ErrSchemaExists         = module.NewError(tx.CodeCredentialSchemaExists, "schema already registered")
	ErrUnknownSchema        = module.NewError(tx.CodeCredentialUnknownSchema, "unknown schema")
	ErrWindowOverlap        = module.NewError(tx.CodeCredentialWindowOverlap, "accreditation window overlaps another of the issuer and schema")
	ErrTooManyWindows       = module.NewError(tx.CodeCredentialTooManyWindows, "issuer and schema have the maximum number of windows")
	ErrNotAccredited        = module.NewError(tx.CodeCredentialNotAccredited, "signer is not accredited for the schema at the block time")
	ErrNoOpenWindow         = module.NewError(tx.CodeCredentialNoOpenWindow, "no accreditation window of the issuer and schema contains the block time")
	ErrVerifierExists       = module.NewError(tx.CodeCredentialVerifierExists, "verifier id already registered")
	ErrUnknownVerifier      = module.NewError(tx.CodeCredentialUnknownVerifier, "unknown verifier")
	ErrVerifierDeregistered = module.NewError(tx.CodeCredentialVerifierDeregistered, "verifier is deregistered")
	ErrUnknownClaim         = module.NewError(tx.CodeCredentialUnknownClaim, "claim of no registered schema")
	ErrNotListCreator       = module.NewError(tx.CodeCredentialNotListCreator, "signer is neither accredited at the block time nor a registration_office")
	ErrListExists           = module.NewError(tx.CodeCredentialListExists, "status list already exists")
	ErrUnknownList          = module.NewError(tx.CodeCredentialUnknownList, "unknown status list")
	ErrNotListOwner         = module.NewError(tx.CodeCredentialNotListOwner, "signer does not own the status list")
	ErrIndexRange           = module.NewError(tx.CodeCredentialIndexRange, "index is not below the list's size")
	ErrRevocationFinal      = module.NewError(tx.CodeCredentialRevocationFinal, "a revocation list's bits are never cleared")
	ErrNotSuspension        = module.NewError(tx.CodeCredentialNotSuspension, "status list is not a suspension list")
)
