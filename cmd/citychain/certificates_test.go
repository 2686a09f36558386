package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
)

// TestCertificatesCLI runs the certificates commands against a devnet
// node: the authority grants the registrar role, which registers the
// marriage relation kind for a new agency, "court"; the agency adds an issuing key,
// anchors a batch of three certificates by its root (printing the anchor
// id) and revokes one by its Merkle path; its revocation is proven, and so
// is another certificate's absence of one; the key is retired and the
// agency suspended.
func TestCertificatesCLI(t *testing.T) {
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

	// The devnet's court (node.CivicAccounts) is the agency; registrar is
	// given the registrar role here (the devnet's is records).
	run("tx", "role", "grant", "registrar", tx.RoleCertificateRegistrar, "--from", "authority")
	kindArgs := []string{"tx", "certificates", "register-kind", "marriage_relation", "--name", "혼인관계증명서 (marriage relation certificate)",
		"--agency", "court", "--validity-days", "90", "--fields", "holder_name,holder_rrn,spouse_exists,spouse_name,children_count"}
	fails("certificates code 2", append(kindArgs, "--from", "alice")...)
	fails(`fields[1] "a": listed twice`, "tx", "certificates", "register-kind", "x", "--name", "x", "--agency", "court", "--fields", "a,a", "--from", "registrar")
	run(append(kindArgs, "--from", "registrar")...)
	var kind struct {
		Result tx.CertificateKind
		Proof  struct{ Verified bool }
	}
	decode(run(append([]string{"query", "certificates", "kind", "marriage_relation"}, trust...)...), &kind)
	if kind.Result.ValidityDays != 90 || len(kind.Result.Fields) != 5 || !kind.Proof.Verified {
		t.Fatalf("kind: %+v", kind)
	}

	seed := sha256.Sum256([]byte("certificates-cli/issuing"))
	pub := hex.EncodeToString(ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey))
	fails("certificates code 6", "tx", "certificates", "add-key", pub, "--from", "alice")
	run("tx", "certificates", "add-key", pub, "--from", "court")

	var leaves [][]byte
	for i := range 3 {
		d := sha256.Sum256([]byte(fmt.Sprintf("certificate %d", i)))
		leaves = append(leaves, d[:])
	}
	root := tx.MerkleRoot(leaves)
	var issued struct {
		AnchorID uint64 `json:"anchor_id"`
	}
	decode(run("tx", "certificates", "issue", "--kind", "marriage_relation", "--key", pub, "--root", root.String(), "--count", "3", "--from", "court", "-o", "json"), &issued)
	id := fmt.Sprint(issued.AnchorID)
	if issued.AnchorID == 0 {
		t.Fatalf("issue printed no anchor id")
	}
	fails("certificates code 16", "tx", "certificates", "issue", "--kind", "marriage_relation", "--key", pub, "--root", root.String(), "--count", "3", "--from", "alice")
	var anchor struct{ Result tx.CertificateAnchor }
	decode(run("query", "certificates", "anchor", id, "-o", "json"), &anchor)
	if anchor.Result.Root != root || anchor.Result.Count != 3 || !anchor.Result.Expires.Equal(anchor.Result.Time.AddDate(0, 0, 90)) {
		t.Fatalf("anchor: %+v", anchor.Result)
	}

	path := func(i int) string {
		var hs []string
		for _, h := range tx.MerklePath(leaves, i) {
			hs = append(hs, h.String())
		}
		return strings.Join(hs, ",")
	}
	leaf := func(i int) string { return tx.Hash32(leaves[i]).String() }
	fails("certificates code 19", "tx", "certificates", "revoke", id, "1", leaf(1), "--path", path(0), "--reason", "x", "--from", "court")
	run("tx", "certificates", "revoke", id, "1", leaf(1), "--path", path(1), "--reason", "issued in error", "--from", "court")
	fails("certificates code 20", "tx", "certificates", "revoke", id, "1", leaf(1), "--path", path(1), "--reason", "again", "--from", "registrar")
	var rev struct {
		Result tx.Revocation
		Proof  struct{ Verified bool }
	}
	decode(run(append([]string{"query", "certificates", "revocation", leaf(1)}, trust...)...), &rev)
	if rev.Result.Anchor != issued.AnchorID || rev.Result.Index != 1 || rev.Result.Reason != "issued in error" || !rev.Proof.Verified {
		t.Fatalf("revocation: %+v", rev)
	}
	var none struct {
		Result struct {
			Leaf    string
			Revoked bool
		}
		Proof struct{ Verified bool }
	}
	decode(run(append([]string{"query", "certificates", "revocation", leaf(2)}, trust...)...), &none)
	if none.Result.Revoked || none.Result.Leaf != leaf(2) || !none.Proof.Verified {
		t.Fatalf("absent revocation: %+v", none)
	}
	if out := run("query", "certificates", "revocation", leaf(2), "--prove", "--trust-genesis", node.GenesisFile(home)); !strings.Contains(out, "is absent") {
		t.Errorf("proven absence: %q", out)
	}

	run("tx", "certificates", "retire-key", pub, "--from", "court")
	fails("certificates code 13", "tx", "certificates", "issue", "--kind", "marriage_relation", "--key", pub, "--root", root.String(), "--count", "3", "--from", "court")
	fails("compromised-height", "tx", "certificates", "revoke-key", pub, "--from", "court")
	var key struct{ Result tx.AgencyKey }
	decode(run("query", "certificates", "key", pub, "-o", "json"), &key)
	from := key.Result.FromHeight
	fails("certificates code 15", "tx", "certificates", "revoke-key", pub, "--compromised-height", fmt.Sprint(from-1), "--from", "registrar")
	run("tx", "certificates", "revoke-key", pub, "--compromised-height", fmt.Sprint(from), "--from", "registrar")
	decode(run("query", "certificates", "key", pub, "-o", "json"), &key)
	if key.Result.RetiredHeight == 0 || key.Result.CompromisedHeight != from {
		t.Fatalf("key: %+v", key.Result)
	}
	run("tx", "certificates", "set-agency-status", "court", "suspended", "--reason", "audit", "--from", "registrar")
	var ag struct{ Result tx.Agency }
	decode(run("query", "certificates", "agency", "court", "-o", "json"), &ag)
	if ag.Result.Status != tx.AgencySuspended || len(ag.Result.Keys) != 1 || len(ag.Result.Kinds) != 1 {
		t.Fatalf("agency: %+v", ag.Result)
	}
	var kinds tx.CertificateKindPage
	decode(run("query", "certificates", "kinds", "--after", "income_statement", "--limit", "1", "-o", "json"), &kinds)
	var anchors tx.CertificateAnchorPage
	decode(run("query", "certificates", "anchors", "--kind", "marriage_relation", "-o", "json"), &anchors)
	var stats tx.CertificateStats
	decode(run("query", "certificates", "stats", "-o", "json"), &stats)
	if len(kinds.Kinds) != 1 || kinds.Kinds[0].ID != "marriage_relation" || len(anchors.Anchors) != 1 || stats.Certificates < 3 || stats.Revocations < 1 {
		t.Fatalf("kinds %+v, anchors %+v, stats %+v", kinds, anchors, stats)
	}
	fails("not found", "query", "certificates", "anchor", "99")
}
