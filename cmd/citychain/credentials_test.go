package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
)

// TestCredentialsCLI runs the credentials commands against a devnet node:
// the authority makes the registrar an accreditor, which registers a
// schema, accredits the inspector (an issuer without a role) and
// registers a verifier; the inspector creates a revocation list, revokes
// two credentials (clearing is refused) and anchors a batch (the anchor id
// is printed); a revoked bit and a clear one are proven; the accreditation
// is withdrawn and a later anchor refused.
func TestCredentialsCLI(t *testing.T) {
	home, rpc := startDevnet(t)
	run := func(args ...string) string { t.Helper(); return mustCLI(t, home, rpc, args...) }
	fails := func(want string, args ...string) {
		t.Helper()
		if _, err := cli(t, home, rpc, args...); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("citychain %s: got %v, want an error with %q", strings.Join(args, " "), err, want)
		}
	}
	decode := func(out string, v any) {
		t.Helper()
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("decode %q: %v", out, err)
		}
	}
	trust := []string{"--prove", "--trust-genesis", node.GenesisFile(home), "-o", "json"}

	run("tx", "role", "grant", "registrar", tx.RoleAccreditor, "--from", "authority")
	schemaArgs := []string{"tx", "credentials", "register-schema", "seoul_resident", "--name", "Seoul residency", "--claims", "resident_seoul,age_over_65"}
	fails("credentials code 2", append(schemaArgs, "--from", "alice")...)
	fails(`claims[1]: claim "a" listed twice`, "tx", "credentials", "register-schema", "x", "--name", "x", "--claims", "a,a", "--from", "registrar")
	run(append(schemaArgs, "--from", "registrar")...)
	start := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	run("tx", "credentials", "accredit", "inspector", "seoul_resident", "--start", start, "--from", "registrar")
	run("tx", "credentials", "register-verifier", "library", "--key", strings.Repeat("ab", 32), "--name", "Library",
		"--purpose", "membership for residents", "--claims", "resident_seoul", "--from", "registrar")
	fails("credentials code 13", "tx", "credentials", "register-verifier", "pool", "--key", strings.Repeat("ab", 32), "--name", "Pool",
		"--purpose", "p", "--claims", "employed", "--from", "registrar")

	fails("credentials code 14", "tx", "credentials", "create-list", "rev", "--purpose", "revocation", "--from", "alice")
	run("tx", "credentials", "create-list", "rev", "--purpose", "revocation", "--from", "inspector")
	var acc struct{ Result tx.Accreditation }
	decode(run("query", "credentials", "accreditation", "inspector", "seoul_resident", "-o", "json"), &acc)
	list := tx.StatusListID(acc.Result.Issuer, "rev")
	run("tx", "credentials", "set-status", list, "7,8200", "--from", "inspector")
	fails("credentials code 19", "tx", "credentials", "set-status", list, "7", "--clear", "--from", "inspector")
	fails("credentials code 17", "tx", "credentials", "set-status", list, "9", "--from", "alice")

	root := tx.MerkleRoot([][]byte{[]byte("one"), []byte("two"), []byte("three")})
	var anchored struct {
		AnchorID uint64 `json:"anchor_id"`
	}
	decode(run("tx", "credentials", "anchor", "seoul_resident", root.String(), "3", "--from", "inspector", "-o", "json"), &anchored)
	if anchored.AnchorID != 1 {
		t.Fatalf("anchor id: got %d, want 1", anchored.AnchorID)
	}
	var anchor struct {
		Result tx.CredentialAnchor
		Proof  struct{ Verified bool }
	}
	decode(run(append([]string{"query", "credentials", "anchor", "1"}, trust...)...), &anchor)
	if anchor.Result.Root != root || anchor.Result.Count != 3 || !anchor.Proof.Verified {
		t.Fatalf("anchor: %+v", anchor)
	}
	for idx, want := range map[uint32]bool{7: true, 8: false, 8200: true, 100_000: false} {
		var st struct {
			Result tx.Status
			Proof  struct{ Verified bool }
		}
		decode(run(append([]string{"query", "credentials", "status", list, fmt.Sprint(idx)}, trust...)...), &st)
		if st.Result.Set != want || !st.Proof.Verified {
			t.Fatalf("status %d: got %+v, want set %t, proven", idx, st, want)
		}
	}
	var l struct{ Result tx.StatusList }
	decode(run("query", "credentials", "list", list, "-o", "json"), &l)
	if l.Result.Set != 2 || l.Result.Purpose != tx.StatusRevocation {
		t.Fatalf("list: %+v", l.Result)
	}

	run("tx", "credentials", "withdraw", "inspector", "seoul_resident", "--from", "registrar")
	fails("credentials code 8", "tx", "credentials", "anchor", "seoul_resident", root.String(), "3", "--from", "inspector")
	var stats tx.CredentialStats
	decode(run("query", "credentials", "stats", "-o", "json"), &stats)
	if stats.Schemas != 1 || stats.Anchors != 1 || stats.Anchored != 3 || stats.StatusSet != 2 || stats.Verifiers != 1 {
		t.Fatalf("stats: %+v", stats)
	}
	for _, q := range []struct {
		args []string
		want string
	}{
		{[]string{"schemas"}, `"seoul_resident"`}, {[]string{"verifiers"}, `"library"`}, {[]string{"lists", "--owner", "inspector"}, list},
		{[]string{"accreditations", "--issuer", "inspector"}, `"withdrawn_height"`}, {[]string{"anchors"}, root.String()},
	} {
		if out := run(append([]string{"query", "credentials"}, q.args...)...); !strings.Contains(out, q.want) {
			t.Errorf("query credentials %v: %s, want %s in it", q.args, out, q.want)
		}
	}
}
