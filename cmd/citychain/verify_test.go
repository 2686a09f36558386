package main

import (
	"encoding/json"
	"errors"
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

// civicSetup registers on a devnet, with its civic accounts, what the
// card and eligibility flow needs: the citizen_card and residency schemas,
// the office accredited for cards and welfare for residency, their lists,
// the library app as a verifier of resident_seoul, and two facilities
// (the library requires resident_seoul, the pool accepts tokens).
func civicSetup(t *testing.T, run func(args ...string) string, home string) {
	t.Helper()
	library := local.Key(t, node.KeyringDir(home), "library")
	run("tx", "credentials", "register-schema", "citizen_card", "--name", "Seoul citizen card", "--claims", "name,birth_date", "--from", "accreditor")
	run("tx", "credentials", "register-schema", "residency", "--name", "Seoul residency", "--claims", "resident_seoul,age_over_65,income_decile_le_5", "--from", "accreditor")
	run("tx", "credentials", "accredit", "office", "citizen_card", "--from", "accreditor")
	run("tx", "credentials", "accredit", "welfare", "residency", "--from", "accreditor")
	run("tx", "credentials", "register-verifier", "library-app", "--key", library.PubKey.String(), "--name", "Mapo library app",
		"--purpose", "library membership for Seoul residents", "--claims", "resident_seoul", "--from", "accreditor")
	run("tx", "credentials", "create-list", "cards", "--purpose", "suspension", "--from", "office")
	run("tx", "credentials", "create-list", "residency", "--purpose", "revocation", "--from", "welfare")
	run("tx", "identity", "register-facility", "mapo-library", "--name", "Mapo library", "--kind", "library", "--claims", "resident_seoul", "--from", "culture")
	run("tx", "identity", "register-facility", "gangnam-pool", "--name", "Gangnam pool", "--kind", "pool", "--accepts-tokens", "--from", "culture")
}

// TestCitizenCardCLI runs the citizen card and eligibility flow with the
// commands a user types: wallet init, the office's card, the welfare
// office's residency credential, entry at two facilities checked with
// proofs from the genesis (two pseudonyms; a replay refused), a
// presentation to the library app and a request outside its purpose
// refused by the wallet, an offline snapshot, the credential revoked, and
// the card suspended from the wallet.
func TestCitizenCardCLI(t *testing.T) {
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
	civicSetup(t, run, home)

	// The citizen's wallet; the office registers it and issues 6 card
	// copies; the welfare office issues residency to the same slots.
	var ini struct {
		DeviceKey tx.PubKey  `json:"device_key"`
		Identity  tx.Address `json:"identity"`
	}
	decodeCLI(t, run("wallet", "init", "-o", "json"), &ini)
	refused("already exists", "wallet", "init")
	run("wallet", "request", "--copies", "6", "--card", "--out", file("request.json"))
	out := run("issue", "card", file("request.json"), "--list", "cards", "--claim", "name=Kim Minji", "--claim", "birth_date=1990-04-02",
		"--out", file("card.json"), "--from", "office")
	if !strings.Contains(out, "identity "+ini.Identity.String()) || !strings.Contains(out, "6 copies anchored") {
		t.Fatalf("issue card: %s", out)
	}
	run("wallet", "import", file("card.json"))
	run("issue", "credential", "residency", file("request.json"), "--list", "residency",
		"--claim", "resident_seoul=true", "--claim", "age_over_65=false", "--claim", "income_decile_le_5=true",
		"--out", file("residency.json"), "--from", "welfare")
	run("wallet", "import", file("residency.json"))
	var shown struct {
		Identity  string `json:"identity"`
		Documents []any  `json:"documents"`
	}
	decodeCLI(t, run("wallet", "show", "-o", "json"), &shown)
	if shown.Identity != ini.Identity.String() || len(shown.Documents) != 12 {
		t.Fatalf("wallet show: identity %s, %d documents; want %s and 12", shown.Identity, len(shown.Documents), ini.Identity)
	}

	// Entry at two facilities, every read proven from the genesis.
	enter := func(facility, reader string) (string, string) {
		t.Helper()
		ch, resp := file(facility+"-"+reader+"-challenge.json"), file(facility+"-"+reader+"-response.json")
		run("verify", "challenge", "--facility", facility, "--reader", reader, "--out", ch)
		run("wallet", "respond", ch, "--out", resp)
		return ch, resp
	}
	pseudonym := func(out string) string {
		t.Helper()
		var r struct {
			Result struct {
				Admitted  bool   `json:"admitted"`
				Pseudonym string `json:"pseudonym"`
			} `json:"result"`
			Read struct {
				Proven bool `json:"proven"`
			} `json:"read"`
		}
		decodeCLI(t, out, &r)
		if !r.Result.Admitted || !r.Read.Proven || r.Result.Pseudonym == "" {
			t.Fatalf("entry: %s", out)
		}
		return r.Result.Pseudonym
	}
	ch, resp := enter("mapo-library", "gate-1")
	lib := pseudonym(run("verify", "entry", resp, "--challenge", ch, "--trust-genesis", genesis, "-o", "json"))
	out = refused("replayed", "verify", "entry", resp, "--challenge", ch, "--trust-genesis", genesis)
	if !strings.Contains(out, "REFUSED at mapo-library/gate-1: replayed") {
		t.Fatalf("replayed entry: %s", out)
	}
	ch2, resp2 := enter("gangnam-pool", "door")
	pool := pseudonym(run("verify", "entry", resp2, "--challenge", ch2, "--trust-genesis", genesis, "-o", "json"))
	if lib == pool {
		t.Fatalf("library and pool see the same pseudonym %s", lib)
	}
	if out := run("wallet", "show", "--facility", "mapo-library"); !strings.Contains(out, "pseudonym "+lib) {
		t.Fatalf("wallet show --facility: %s", out)
	}

	// The library app: resident_seoul is valid; income is outside its
	// purpose, refused by the wallet itself.
	run("verify", "request", "--verifier", "library-app", "--claims", "resident_seoul", "--from", "library", "--out", file("req-ok.json"))
	run("wallet", "present", file("req-ok.json"), "--out", file("pres-ok.json"))
	if out := run("verify", "presentation", file("pres-ok.json"), "--request", file("req-ok.json"), "--trust-genesis", genesis); !strings.HasPrefix(out, "VALID") ||
		!strings.Contains(out, `"resident_seoul": true`) || strings.Contains(out, "income") {
		t.Fatalf("verify presentation: %s", out)
	}
	run("verify", "request", "--verifier", "library-app", "--claims", "resident_seoul,income_decile_le_5", "--from", "library", "--out", file("req-greedy.json"))
	refused("outside its registered claims", "wallet", "present", file("req-greedy.json"))

	// An offline snapshot for the library admits a fresh response.
	run("verify", "snapshot", "--facility", "mapo-library", "--out", file("snapshot.json"), "--trust-genesis", genesis)
	ch3, resp3 := enter("mapo-library", "gate-2")
	if out := run("verify", "entry", resp3, "--challenge", ch3, "--snapshot", file("snapshot.json")); !strings.Contains(out, "ADMITTED") || !strings.Contains(out, "pseudonym "+lib) {
		t.Fatalf("offline entry: %s", out)
	}

	// The welfare office revokes the residency credential: the library
	// app and the library refuse; the pool (no claim) still admits.
	var d wallet.Delivery
	decodeFile(t, file("residency.json"), &d)
	var idx []string
	for _, c := range d.Copies {
		idx = append(idx, strconv.FormatUint(uint64(c.Status.Idx), 10))
	}
	welfare := local.Key(t, node.KeyringDir(home), "welfare")
	run("tx", "credentials", "set-status", tx.StatusListID(welfare.Address, "residency"), strings.Join(idx, ","), "--from", "welfare")
	run("verify", "request", "--verifier", "library-app", "--claims", "resident_seoul", "--from", "library", "--out", file("req-2.json"))
	run("wallet", "present", file("req-2.json"), "--out", file("pres-2.json"))
	out = refused("revoked", "verify", "presentation", file("pres-2.json"), "--request", file("req-2.json"), "--trust-genesis", genesis)
	if !strings.HasPrefix(out, "REVOKED") {
		t.Fatalf("revoked presentation: %s", out)
	}
	ch4, resp4 := enter("mapo-library", "gate-1")
	refused("revoked", "verify", "entry", resp4, "--challenge", ch4, "--trust-genesis", genesis)
	ch5, resp5 := enter("gangnam-pool", "door")
	run("verify", "entry", resp5, "--challenge", ch5, "--trust-genesis", genesis)

	// The citizen suspends the card from the wallet: from the next block
	// no copy enters anywhere.
	var reveal []tx.CardReveal
	decodeCLI(t, run("wallet", "reveal"), &reveal)
	if len(reveal) != 6 {
		t.Fatalf("wallet reveal: %d openings, want 6", len(reveal))
	}
	run("wallet", "suspend", "--reason", "phone lost")
	ch6, resp6 := enter("gangnam-pool", "door")
	refused("suspended", "verify", "entry", resp6, "--challenge", ch6, "--trust-genesis", genesis)
	// Unproven reads say so.
	ch7, resp7 := enter("gangnam-pool", "door")
	if out := refused("suspended", "verify", "entry", resp7, "--challenge", ch7); !strings.Contains(out, "WITHOUT proofs") {
		t.Fatalf("unproven entry: %s", out)
	}
	var exit *exitError
	if _, err := cli(t, home, rpc, "verify", "entry", resp7, "--challenge", ch7); !errors.As(err, &exit) || exit.code != 1 {
		t.Fatalf("a refused entry: got %v, want exit status 1", err)
	}
}

func decodeCLI(t *testing.T, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("decode %q: %v", out, err)
	}
}

func decodeFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	decodeCLI(t, string(b), v)
}
