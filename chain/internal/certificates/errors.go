package certificates

import (
	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// Codespace of the certificates module's errors.
const Codespace = tx.CodespaceCertificate

// Result codes, declared in chain/tx. Frozen: a released code never
// changes meaning.
var (
	ErrNotRegistrar     = module.NewError(tx.CodeCertificateNotRegistrar, "signer lacks the certificate_registrar role")
	ErrInvalidGenesis   = module.NewError(tx.CodeCertificateInvalidGenesis, "invalid certificates genesis")
	ErrKindExists       = module.NewError(tx.CodeCertificateKindExists, "certificate kind already registered")
	ErrUnknownKind      = module.NewError(tx.CodeCertificateUnknownKind, "unknown certificate kind")
	ErrNotAgency        = module.NewError(tx.CodeCertificateNotAgency, "signer is the agency of no kind")
	ErrUnknownAgency    = module.NewError(tx.CodeCertificateUnknownAgency, "unknown agency")
	ErrAgencyRevoked    = module.NewError(tx.CodeCertificateAgencyRevoked, "agency is revoked")
	ErrAgencyNotActive  = module.NewError(tx.CodeCertificateAgencyNotActive, "agency is not active")
	ErrKeyExists        = module.NewError(tx.CodeCertificateKeyExists, "key already registered")
	ErrUnknownKey       = module.NewError(tx.CodeCertificateUnknownKey, "unknown key")
	ErrNotKeyAgency     = module.NewError(tx.CodeCertificateNotKeyAgency, "signer is not the key's agency")
	ErrKeyRetired       = module.NewError(tx.CodeCertificateKeyRetired, "key is retired")
	ErrKeyRevoked       = module.NewError(tx.CodeCertificateKeyRevoked, "key is revoked")
	ErrCompromisedRange = module.NewError(tx.CodeCertificateCompromisedRange, "compromised_height out of range")
	ErrNotKindAgency    = module.NewError(tx.CodeCertificateNotKindAgency, "signer is not the kind's agency")
	ErrUnknownAnchor    = module.NewError(tx.CodeCertificateUnknownAnchor, "unknown anchor")
	ErrNotAnchorAgency  = module.NewError(tx.CodeCertificateNotAnchorAgency, "signer is not the anchor's agency nor a certificate_registrar")
	ErrBadPath          = module.NewError(tx.CodeCertificateBadPath, "Merkle path does not lead to the anchor's root")
	ErrAlreadyRevoked   = module.NewError(tx.CodeCertificateAlreadyRevoked, "certificate already revoked")
	ErrTooMany          = module.NewError(tx.CodeCertificateTooMany, "agency has the maximum number of keys or kinds")
)
