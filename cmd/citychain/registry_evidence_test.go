package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/wallet"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// testEvidenceRegistryDef is a small registry whose approve transition
// requires a residency credential: a resident's dog licence, approved by
// a clerk who is shown the applicant's residency.
const testEvidenceRegistryDef = `{
  "name": "dog_licences",
  "version": "1.0",
  "title": "Dog licences for residents",
  "schema": {
    "type": "object",
    "additionalProperties": false,
    "properties": {"dog": {"type": "string", "maxLength": 32}},
    "required": ["dog"]
  },
  "privacy": "public",
  "roles": [{"name": "clerk"}],
  "create_roles": ["clerk"],
  "initial": "applied",
  "states": [{"name": "applied"}, {"name": "licensed", "final": true}],
  "transitions": [
    {"name": "approve", "from": ["applied"], "to": "licensed", "roles": ["clerk"], "requires": [{"credential": {"schema": "residency"}}]}
  ],
  "limits": {"max_record_bytes": 256, "max_records": 10}
}`

// TestRegistryEvidenceCLI shows a citizen's residency credential to a
// registry transition with the commands a user types: the welfare office
// issues residency to a wallet; `wallet evidence` (schema read from the
// definition, version from the node) lets the clerk's `tx registry move
// --evidence` run; a record no longer in the transition's from states
// gets none; without evidence the move is refused (code 33), with
// evidence made for another record it does not verify (code 34); a
// --schema the transition does not require is refused before any copy is
// spent; once the welfare office revokes the credential, fresh evidence is
// refused (code 33); the wallet runs out of unused copies clearly.
func TestRegistryEvidenceCLI(t *testing.T) {
	home, rpc := startDevnet(t)
	dir := t.TempDir()
	t.Setenv(envWalletPIN, "7301-lee")
	run := func(args ...string) string { t.Helper(); return mustCLI(t, home, rpc, args...) }
	fails := func(want string, args ...string) {
		t.Helper()
		if out, err := cli(t, home, rpc, args...); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("citychain %s: got %v (%s), want an error with %q", strings.Join(args, " "), err, out, want)
		}
	}
	file := func(name string) string { return filepath.Join(dir, name) }

	// The residency schema, its accredited issuer and its revocation list.
	run("tx", "credentials", "register-schema", "residency", "--name", "Seoul residency", "--claims", "resident_seoul", "--from", "accreditor")
	run("tx", "credentials", "accredit", "welfare", "residency", "--from", "accreditor")
	run("tx", "credentials", "create-list", "residency", "--purpose", "revocation", "--from", "welfare")

	// The registry: proposed by an agency, enabled by the authority; alice
	// is its clerk and files two applications.
	if err := os.WriteFile(file("dog_licences.json"), []byte(testEvidenceRegistryDef), 0o600); err != nil {
		t.Fatal(err)
	}
	var proposed struct {
		DefID tx.Hash32 `json:"def_id"`
	}
	decodeCLI(t, run("tx", "registry", "propose", file("dog_licences.json"), "--from", "mois", "-o", "json"), &proposed)
	run("tx", "registry", "enable", "dog_licences", proposed.DefID.String(), "--from", "authority")
	run("tx", "registry", "grant", "dog_licences", "clerk", "alice", "--from", "mois")
	for _, dog := range []string{"Bori", "Dubu"} {
		if err := os.WriteFile(file(dog+".json"), []byte(`{"dog": "`+dog+`"}`), 0o600); err != nil {
			t.Fatal(err)
		}
		run("tx", "registry", "create", "dog_licences", file(dog+".json"), "--from", "alice")
	}

	// The citizen's wallet holds two residency copies.
	run("wallet", "init")
	run("wallet", "request", "--copies", "2", "--out", file("request.json"))
	run("issue", "credential", "residency", file("request.json"), "--list", "residency", "--claim", "resident_seoul=true",
		"--out", file("residency.json"), "--from", "welfare")
	run("wallet", "import", file("residency.json"))

	// Nothing to show, or the wrong schema: refused, nothing spent.
	fails(`--schema [parking]: transition approve of registry dog_licences requires credentials of schemas [residency]`,
		"wallet", "evidence", "--registry", "dog_licences", "--id", "1", "--transition", "approve", "--signer", "alice", "--schema", "parking")
	fails(`--transition reject: registry dog_licences declares no such transition`,
		"wallet", "evidence", "--registry", "dog_licences", "--id", "1", "--transition", "reject", "--signer", "alice")
	fails("--signer", "wallet", "evidence", "--registry", "dog_licences", "--id", "1", "--transition", "approve", "--signer", "nobody")

	// The citizen's evidence for record 1, the clerk signing: it moves.
	evidence := func(name, id string, extra ...string) string {
		t.Helper()
		p := file(name)
		run(append([]string{"wallet", "evidence", "--registry", "dog_licences", "--id", id, "--transition", "approve",
			"--signer", local.Key(t, node.KeyringDir(home), "alice").Address.String(), "--out", p}, extra...)...)
		var evs []tx.RegistryEvidence
		decodeFile(t, p, &evs)
		if len(evs) != 1 || evs[0].Anchor == 0 || len(evs[0].HolderSig) != 64 || strings.Contains(evs[0].JWT, "~") {
			t.Fatalf("%s: %+v, want one piece of evidence", name, evs)
		}
		return p
	}
	ev1 := evidence("ev1.json", "1", "--schema", "residency")
	// Record 2 without evidence, or with record 1's: refused.
	fails(tx.CodeRegistryPredicate.Error(), "tx", "registry", "move", "dog_licences", "2", "approve", "--from", "alice")
	fails(tx.CodeRegistryBadEvidence.Error(), "tx", "registry", "move", "dog_licences", "2", "approve", "--evidence", ev1, "--from", "alice")
	if out := run("tx", "registry", "move", "dog_licences", "1", "approve", "--evidence", ev1, "--from", "alice"); !strings.Contains(out, "moved: record dog_licences/1 from applied to licensed, now version 2") {
		t.Fatalf("approve with evidence: %q", out)
	}
	fails("record dog_licences/1 is licensed: transition approve moves records from [applied] only (no copy spent)",
		"wallet", "evidence", "--registry", "dog_licences", "--id", "1", "--transition", "approve", "--signer", "alice")

	// The welfare office revokes the credential: fresh evidence (the
	// wallet cannot know) is refused by the chain.
	var d wallet.Delivery
	decodeFile(t, file("residency.json"), &d)
	var idx []string
	for _, c := range d.Copies {
		idx = append(idx, strconv.FormatUint(uint64(c.Status.Idx), 10))
	}
	welfare := local.Key(t, node.KeyringDir(home), "welfare")
	run("tx", "credentials", "set-status", tx.StatusListID(welfare.Address, "residency"), strings.Join(idx, ","), "--from", "welfare")
	ev2 := evidence("ev2.json", "2", "--version", "1")
	if _, err := cli(t, home, rpc, "tx", "registry", "move", "dog_licences", "2", "approve", "--evidence", ev2, "--from", "alice"); err == nil ||
		!strings.Contains(err.Error(), tx.CodeRegistryPredicate.Error()) || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("approve with a revoked credential: %v, want %v naming the revocation", err, tx.CodeRegistryPredicate)
	}

	// Both copies were shown once: none is left.
	fails("no unused copy left", "wallet", "evidence", "--registry", "dog_licences", "--id", "2", "--transition", "approve", "--signer", "alice")
}
