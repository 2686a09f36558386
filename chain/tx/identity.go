package tx

// IdentityMsgs is the identity module's part of the transaction contract. SKELETON:
// the identity helper replaces this file.
var IdentityMsgs = ModuleMsgs{
	Module: "identity",
	Msgs:   []MsgDef{},
}

// CodespaceIdentity is the codespace of the identity module's result codes.
const CodespaceIdentity = "identity"
