package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// TestIdentityCLI runs the identity commands against a devnet node: an
// office (granted the role by the authority) registers a citizen's phone
// with card copies from a commitments file; the phone adds a tablet from
// its key file (the command signs the proof of possession); the tablet
// suspends the card with the wallet's reveal file, and the copies' bits
// are set; the phone may not reinstate, the office does; a facility of a
// new kind is registered and a pseudonym barred, proven, and unbarred,
// its absence proven.
func TestIdentityCLI(t *testing.T) {
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
	keysDir := node.KeyringDir(home)
	for _, name := range []string{"id-office", "id-facreg", "phone", "tablet"} {
		run("keys", "add", name)
	}
	run("tx", "role", "grant", "id-office", tx.RoleRegistrationOffice, "--from", "authority")
	run("tx", "role", "grant", "id-facreg", tx.RoleFacilityRegistrar, "--from", "authority")
	office, phone := local.Key(t, keysDir, "id-office"), local.Key(t, keysDir, "phone")

	// The office's card list.
	c, err := client.New(rpc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.Submit(ctx, office.Private, "", &tx.MsgCredentialCreateList{Name: "card", Purpose: tx.StatusSuspension, Size: tx.MinStatusListSize}); err != nil {
		t.Fatalf("create the card list: %v", err)
	}
	list := tx.StatusListID(office.Address, "card")

	// Three copies, as the office's issuer writes them: commitments for
	// the chain, reveals for the wallet.
	type reveal struct {
		Idx  uint32 `json:"idx"`
		Salt string `json:"salt"`
	}
	var commitments []string
	var reveals []reveal
	for i := range 3 {
		d := sha256.Sum256([]byte{byte(i)})
		idx := binary.BigEndian.Uint32(d[:4]) % tx.MinStatusListSize
		var salt [tx.CardSaltLen]byte
		copy(salt[:], d[4:])
		commitments = append(commitments, tx.CardCommitment(list, idx, salt).String())
		reveals = append(reveals, reveal{Idx: idx, Salt: tx.HexBytes(salt[:]).String()})
	}
	dir := t.TempDir()
	write := func(name string, v any) string {
		p := filepath.Join(dir, name)
		b, _ := json.Marshal(v)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	copiesFile, revealFile := write("commitments.json", commitments[:2]), write("reveal.json", reveals)

	fails("identity code 2", "tx", "identity", "register", phone.PubKey.String(), "--card-list", list, "--commitments", copiesFile, "--from", "alice")
	var reg struct {
		ID tx.Address `json:"id"`
	}
	decode(run("tx", "identity", "register", phone.PubKey.String(), "--card-list", list, "--commitments", copiesFile,
		"--commitment", commitments[2], "--from", "id-office", "-o", "json"), &reg)
	if reg.ID != phone.Address {
		t.Fatalf("register printed id %s, want the phone's address %s", reg.ID, phone.Address)
	}
	run("tx", "identity", "add-device", "phone", filepath.Join(keysDir, "tablet.json"), "--from", "phone")
	fails("identity code 6", "tx", "identity", "add-device", "phone", "tablet", "--from", "id-office")

	var v struct {
		Result tx.Identity `json:"result"`
	}
	decode(run("query", "identity", "identity", "phone", "-o", "json"), &v)
	if len(v.Result.Keys) != 2 || len(v.Result.Commitments) != 3 || v.Result.Status != tx.IdentityActive {
		t.Fatalf("identity: %+v", v.Result)
	}
	fails("identity code 18", "tx", "identity", "suspend", "phone", "--reason", "lost", "--reveal", write("short.json", reveals[:2]), "--from", "tablet")
	run("tx", "identity", "suspend", "phone", "--reason", "phone lost", "--reveal", revealFile, "--from", "tablet")
	for _, r := range reveals {
		s, err := c.CredentialStatus(ctx, list, r.Idx, 0)
		if err != nil || !s.Set {
			t.Fatalf("copy %d after the suspension: %+v, %v; want set", r.Idx, s, err)
		}
	}
	decode(run("query", "identity", "identity", phone.Address.String(), "--prove", "--trust-genesis", node.GenesisFile(home), "-o", "json"), &v)
	if v.Result.Status != tx.IdentitySuspended || v.Result.Revealed != 3 {
		t.Fatalf("suspended identity: %+v", v.Result)
	}
	fails("identity code 2", "tx", "identity", "reinstate", "phone", "--from", "phone")
	run("tx", "identity", "reinstate", "phone", "--from", "id-office")

	// A facility of a kind no code names, a bar, proven and lifted.
	run("tx", "identity", "register-facility", "mapo-youth", "--name", "Mapo Youth Centre", "--kind", "youth_centre",
		"--claims", "resident_seoul,age_under_25", "--from", "id-facreg")
	ps := tx.Pseudonym("mapo-youth", phone.PubKey).String()
	fails("identity code 23", "tx", "identity", "bar", "mapo-youth", ps, "--reason", "x", "--from", "id-office")
	run("tx", "identity", "bar", "mapo-youth", ps, "--reason", "vandalism", "--for", "720h", "--from", "id-facreg")
	var barred struct {
		Result struct {
			Barred bool    `json:"barred"`
			Bar    *tx.Bar `json:"bar"`
		} `json:"result"`
		Proof struct {
			Verified bool `json:"verified"`
		} `json:"proof"`
	}
	decode(run("query", "identity", "barred", "mapo-youth", ps, "--prove", "--trust-genesis", node.GenesisFile(home), "-o", "json"), &barred)
	if !barred.Result.Barred || barred.Result.Bar == nil || barred.Result.Bar.Until.IsZero() || !barred.Proof.Verified {
		t.Fatalf("barred: %+v", barred)
	}
	var bars tx.BarPage
	decode(run("query", "identity", "bars", "mapo-youth", "--all"), &bars)
	if len(bars.Bars) != 1 {
		t.Fatalf("bars: %+v", bars)
	}
	run("tx", "identity", "unbar", "mapo-youth", ps, "--from", "id-facreg")
	barred.Result.Barred, barred.Proof.Verified = true, false
	decode(run("query", "identity", "barred", "mapo-youth", ps, "--prove", "--trust-genesis", node.GenesisFile(home), "-o", "json"), &barred)
	if barred.Result.Barred || !barred.Proof.Verified {
		t.Fatalf("after unbar: %+v, want not barred, proven", barred)
	}
	var st tx.IdentityStats
	decode(run("query", "identity", "stats"), &st)
	youth := false
	for _, k := range st.ByKind {
		youth = youth || k.Kind == "youth_centre" && k.Count >= 1
	}
	if st.Identities < 1 || st.Active < 1 || st.Facilities < 1 || !youth {
		t.Fatalf("stats: %+v, want the citizen and the youth centre counted", st)
	}
}
