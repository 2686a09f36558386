package tx

// CredentialMsgs is the credentials module's part of the transaction contract. SKELETON:
// the credentials helper replaces this file.
var CredentialMsgs = ModuleMsgs{
	Module: "credentials",
	Msgs:   []MsgDef{},
}

// CodespaceCredential is the codespace of the credentials module's result codes.
const CodespaceCredential = "credentials"
