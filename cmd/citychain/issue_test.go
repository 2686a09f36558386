package main

import (
	"bufio"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
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

// TestIssueCertificatesCLI: the court issues family relation certificates
// to 10,000 holders from a JSON lines file in one anchor; the citizen's wallet
// imports its own and discloses only spouse_exists to the bank, valid
// with proofs; replayed to another agency it is refused; once revoked
// it is refused.
func TestIssueCertificatesCLI(t *testing.T) {
	home, rpc := startDevnet(t)
	dir := t.TempDir()
	genesis := node.GenesisFile(home)
	t.Setenv(envWalletPIN, "4821-kim")
	run := func(args ...string) string { t.Helper(); return mustCLI(t, home, rpc, args...) }
	refused := func(want string, args ...string) string {
		t.Helper()
		out, err := cli(t, home, rpc, args...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("citychain %s: got %v\n%s\nwant an error with %q", strings.Join(args, " "), err, out, want)
		}
		return out
	}
	file := func(name string) string { return filepath.Join(dir, name) }
	court := local.Key(t, node.KeyringDir(home), "court")
	run("tx", "certificates", "register-kind", "family_relation", "--name", "family relation certificate", "--agency", "court",
		"--validity-days", "90", "--fields", "holder_name,spouse_exists,spouse_name,children_count", "--from", "records")
	run("tx", "certificates", "add-key", court.PubKey.String(), "--from", "court")

	// 10,000 orders: the citizen's first (two copies), then 9,999 other
	// holders.
	run("wallet", "init")
	run("wallet", "request", "--copies", "2", "--out", file("request.json"))
	var mine issueOrder
	decodeFile(t, file("request.json"), &mine)
	fh, err := os.Create(file("orders.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriter(fh)
	enc := json.NewEncoder(bw)
	claims := map[string]json.RawMessage{"holder_name": json.RawMessage(`"Kim Minji"`), "spouse_exists": json.RawMessage(`true`),
		"spouse_name": json.RawMessage(`"Lee Junho"`), "children_count": json.RawMessage(`1`)}
	if err := enc.Encode(issueOrder{HolderKeys: mine.HolderKeys, Claims: claims}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 10_000; i++ {
		seed := sha256.Sum256([]byte("holder/" + strconv.Itoa(i)))
		pub := tx.PubKey(ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey))
		if err := enc.Encode(issueOrder{HolderKeys: []tx.PubKey{pub}, Claims: map[string]json.RawMessage{"spouse_exists": json.RawMessage(`false`)}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	var issued struct {
		Anchor     uint64   `json:"anchor"`
		Count      uint32   `json:"count"`
		Deliveries []string `json:"deliveries"`
	}
	decodeCLI(t, run("issue", "certificates", "family_relation", "--batch", file("orders.jsonl"), "--out-dir", file("out"), "--from", "court", "-o", "json"), &issued)
	if issued.Count != 10_001 || len(issued.Deliveries) != 10_000 || issued.Anchor == 0 {
		t.Fatalf("issue certificates: anchor %d count %d, %d deliveries; want 10,001 certificates to 10,000 holders", issued.Anchor, issued.Count, len(issued.Deliveries))
	}
	var anchor tx.CertificateAnchor
	decodeCLI(t, run("query", "certificates", "anchor", strconv.FormatUint(issued.Anchor, 10), "-o", "json"), &struct {
		Result *tx.CertificateAnchor `json:"result"`
	}{&anchor})
	if anchor.Count != 10_001 || anchor.Kind != "family_relation" || anchor.Agency != court.Address {
		t.Fatalf("anchor %+v, want 10,001 family_relation certificates of the court", anchor)
	}
	run("wallet", "import", issued.Deliveries[0])

	// The bank asks spouse_exists only.
	present := func(verifier, name string) (req, pres string) {
		t.Helper()
		req, pres = file(name+"-request.json"), file(name+"-presentation.json")
		run("verify", "request", "--verifier", verifier, "--kind", "family_relation", "--fields", "spouse_exists", "--out", req)
		run("wallet", "present-certificate", req, "--out", pres)
		return req, pres
	}
	req, pres := present("hana-bank", "bank")
	out := run("verify", "certificate", pres, "--request", req, "--trust-genesis", genesis)
	if !strings.HasPrefix(out, "VALID") || !strings.Contains(out, `"spouse_exists": true`) || strings.Contains(out, "Lee Junho") || strings.Contains(out, "Kim Minji") {
		t.Fatalf("verify certificate: %s", out)
	}
	// Replayed to the pension agency (its own request).
	run("verify", "request", "--verifier", "nps-agency", "--kind", "family_relation", "--fields", "spouse_exists", "--out", file("nps-request.json"))
	refused("wrong_reader", "verify", "certificate", pres, "--request", file("nps-request.json"), "--trust-genesis", genesis)

	// The court revokes the copy the citizen shows the bank next.
	req2, pres2 := present("hana-bank", "bank-2")
	var p wallet.Presentation
	decodeFile(t, pres2, &p)
	var d wallet.Delivery
	decodeFile(t, issued.Deliveries[0], &d)
	var c wallet.IssuedCopy
	for _, cp := range d.Copies {
		if cp.Index == p.Envelopes[0].Anchor.Index {
			c = cp
		}
	}
	var path []string
	for _, h := range c.Path {
		path = append(path, h.String())
	}
	run("tx", "certificates", "revoke", strconv.FormatUint(issued.Anchor, 10), strconv.FormatUint(c.Index, 10), c.Leaf.String(),
		"--path", strings.Join(path, ","), "--reason", "issued in error", "--from", "court")
	if out := refused("revoked", "verify", "certificate", pres2, "--request", req2, "--trust-genesis", genesis); !strings.HasPrefix(out, "REVOKED") {
		t.Fatalf("revoked certificate: %s", out)
	}
	// Offline, certificates are not checked.
	run("verify", "snapshot", "--out", file("snapshot.json"))
	refused("checked online", "verify", "certificate", pres2, "--request", req2, "--snapshot", file("snapshot.json"), "--nonces", file("offline-nonces.json"))
}
