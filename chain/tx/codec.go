package tx

// MsgDef is one message type of a module: its type name, the constructor of
// an empty message the decoder fills, and who may sign it (documentation
// for the CLI and the docs; the module's handler enforces it and answers
// with its own result code). A Signer of SignerAuthorities makes the type
// an authority action, which runs only once k of n authorities approve it
// (see IsAuthorityAction).
type MsgDef struct {
	Type   string
	New    func() Msg
	Signer string
}

// ModuleMsgs is one module's part of the transaction contract: the message
// types it handles and the roles it defines. Each module's message file in
// this package declares one.
type ModuleMsgs struct {
	Module string
	Roles  []string
	Msgs   []MsgDef
	// Opening lists the message types that open their signer's account:
	// a transaction of exactly one of them, at sequence 0, is accepted
	// from a key with no account, and its module opens the account
	// (auth.Keeper.Open) when the message succeeds. The message carries
	// its own authorisation (voting/cast: a blind credential).
	Opening []string
}

// Modules lists every module's messages, in the order of the app's module
// list (chain/app/modules.go, which checks the two agree). The envelope
// decodes exactly these message types.
func Modules() []ModuleMsgs {
	return []ModuleMsgs{
		AuthMsgs, BankMsgs, DeviceMsgs, MeteringMsgs, MarketMsgs, MileageMsgs, VehicleMsgs,
		CredentialMsgs, CertificateMsgs, IdentityMsgs, RegistryMsgs, VotingMsgs, LabourMsgs, ContractMsgs, ValidatorMsgs,
	}
}

// opening holds the message types of every module's Opening list.
var opening = func() map[string]bool {
	out := map[string]bool{}
	for _, m := range Modules() {
		for _, t := range m.Opening {
			out[t] = true
		}
	}
	return out
}()

// OpensAccount reports whether t may come from a key with no account: it
// carries exactly one message, of a type that opens its signer's account
// (ModuleMsgs.Opening), at sequence 0.
func OpensAccount(t *Tx) bool {
	return len(t.Msgs) == 1 && t.Body.Sequence == 0 && opening[t.Msgs[0].Type()]
}

// msgIndex finds a message type's definition; roleIndex the roles modules
// define. Both are read by key only.
var msgIndex, roleIndex = index(Modules())

func index(mods []ModuleMsgs) (map[string]MsgDef, map[string]bool) {
	msgs, roles := map[string]MsgDef{}, map[string]bool{}
	for _, m := range mods {
		for _, d := range m.Msgs {
			if _, dup := msgs[d.Type]; dup || Module(d.Type) != m.Module {
				panic("tx: message type " + d.Type + " listed twice or under module " + m.Module)
			}
			msgs[d.Type] = d
		}
		for _, r := range m.Roles {
			roles[r] = true
		}
	}
	return msgs, roles
}

// MsgTypes lists every message type the envelope accepts, in module order.
func MsgTypes() []string {
	var out []string
	for _, m := range Modules() {
		for _, d := range m.Msgs {
			out = append(out, d.Type)
		}
	}
	return out
}

// Roles lists the roles the modules define, in module order (issuer/<denom>
// roles are formed with IssuerRole and not listed).
func Roles() []string {
	var out []string
	for _, m := range Modules() {
		out = append(out, m.Roles...)
	}
	return out
}
