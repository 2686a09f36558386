package tx

// CertificateMsgs is the certificates module's part of the transaction contract. SKELETON:
// the certificates helper replaces this file.
var CertificateMsgs = ModuleMsgs{
	Module: "certificates",
	Msgs:   []MsgDef{},
}

// CodespaceCertificate is the codespace of the certificates module's result codes.
const CodespaceCertificate = "certificates"
