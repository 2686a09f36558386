package main

import (
	"crypto/ed25519"
	"crypto/sha256"
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

// TestPrintedTokenCLI: the office issues a card with two printed tokens
// (and writes them for printing); the wallet keeps them apart and prints
// one as a line of text, the same the office printed; a reader admits it
// at the pool (which accepts tokens), again and again, and refuses it at
// the library; a token facility requiring resident_seoul admits it once
// the welfare office issued residency to the token's key; the wallet
// lists every facility's pseudonym without --facility; one anchor pools
// two identities of 40 copies each, while 65 copies of one identity are
// refused; the wallet's suspension opens the tokens too, and the office's
// printout is then refused.
func TestPrintedTokenCLI(t *testing.T) {
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
	run("tx", "identity", "register-facility", "mapo-gym", "--name", "Mapo gym", "--kind", "gym", "--claims", "resident_seoul", "--accepts-tokens", "--from", "culture")

	run("wallet", "init")
	run("wallet", "request", "--copies", "2", "--card", "--out", file("request.json"))
	var issued struct {
		Count  uint32   `json:"count"`
		Tokens []string `json:"tokens"`
	}
	decodeCLI(t, run("issue", "card", file("request.json"), "--list", "cards", "--claim", "name=Kim Minji", "--tokens", "2",
		"--out", file("card.json"), "--from", "office", "-o", "json"), &issued)
	if issued.Count != 4 || len(issued.Tokens) != 2 {
		t.Fatalf("issue card --tokens 2: %d copies, token files %v; want 4 copies and 2 printouts", issued.Count, issued.Tokens)
	}
	if out := run("wallet", "import", file("card.json")); !strings.Contains(out, "imported 4 copies (2 held, 2 printed tokens)") {
		t.Fatalf("wallet import: %s", out)
	}
	run("wallet", "token", "--out", file("token.txt"))
	mine, err := os.ReadFile(file("token.txt"))
	if err != nil {
		t.Fatal(err)
	}
	printed, err := os.ReadFile(issued.Tokens[0])
	if err != nil {
		t.Fatal(err)
	}
	if string(mine) != string(printed) || strings.Count(string(mine), "\n") != 1 || strings.Contains(string(mine), "Kim Minji") {
		t.Fatalf("wallet token:\n%s\noffice printout:\n%s\nwant the same one line, nothing disclosed", mine, printed)
	}

	entry := func(facility, reader, token string, args ...string) (string, error) {
		t.Helper()
		ch := file(facility + "-" + reader + "-challenge.json")
		run("verify", "challenge", "--facility", facility, "--reader", reader, "--out", ch)
		return cli(t, home, rpc, append([]string{"verify", "entry", "--token", token, "--challenge", ch, "--trust-genesis", genesis}, args...)...)
	}
	var first string
	for i := range 2 { // the same paper twice
		out, err := entry("gangnam-pool", "door", file("token.txt"), "-o", "json")
		if err != nil {
			t.Fatalf("token at the pool: %v\n%s", err, out)
		}
		var r struct {
			Result struct {
				Admitted  bool   `json:"admitted"`
				Token     bool   `json:"token"`
				Pseudonym string `json:"pseudonym"`
			} `json:"result"`
		}
		decodeCLI(t, out, &r)
		if !r.Result.Admitted || !r.Result.Token || (i == 1 && r.Result.Pseudonym != first) {
			t.Fatalf("token at the pool (%d): %s", i, out)
		}
		first = r.Result.Pseudonym
	}
	if out, err := entry("mapo-library", "gate-1", file("token.txt")); err == nil || !strings.Contains(out, "REFUSED at mapo-library/gate-1: token_not_accepted") {
		t.Fatalf("token at the library: %v\n%s", err, out)
	}
	refused("does not accept printed tokens", "wallet", "token", "--facility", "mapo-library")

	// The gym needs resident_seoul: issued to the tokens' keys.
	refused(`claim "resident_seoul"`, "wallet", "token", "--facility", "mapo-gym")
	run("wallet", "request", "--tokens", "--out", file("token-request.json"))
	run("issue", "credential", "residency", file("token-request.json"), "--list", "residency", "--claim", "resident_seoul=true",
		"--out", file("token-residency.json"), "--from", "welfare")
	run("wallet", "import", file("token-residency.json"))
	run("wallet", "token", "--facility", "mapo-gym", "--out", file("gym-token.txt"))
	if out, err := entry("mapo-gym", "door", file("gym-token.txt")); err != nil || !strings.Contains(out, "ADMITTED at mapo-gym/door (printed token)") {
		t.Fatalf("token at the gym: %v\n%s", err, out)
	}

	// A visit with the phone: wallet show names the pool's pseudonym
	// without --facility.
	ch, resp := file("pool-challenge.json"), file("pool-response.json")
	run("verify", "challenge", "--facility", "gangnam-pool", "--reader", "door", "--out", ch)
	run("wallet", "respond", ch, "--out", resp)
	var adm struct {
		Result struct {
			Pseudonym string `json:"pseudonym"`
		} `json:"result"`
	}
	decodeCLI(t, run("verify", "entry", resp, "--challenge", ch, "--trust-genesis", genesis, "-o", "json"), &adm)
	if out := run("wallet", "show"); !strings.Contains(out, "facility gangnam-pool: pseudonym "+adm.Result.Pseudonym) || !strings.Contains(out, "2 printed tokens") {
		t.Fatalf("wallet show: %s", out)
	}

	// One anchor pools two new citizens of 40 copies and a token each; 65
	// copies of one identity are refused before anything is sent.
	order := func(n int, seed string) issueOrder {
		o := issueOrder{}
		dev := sha256.Sum256([]byte(seed))
		o.DeviceKey = tx.PubKey(ed25519.NewKeyFromSeed(dev[:]).Public().(ed25519.PublicKey))
		for i := range n {
			s := sha256.Sum256([]byte(seed + "/" + strconv.Itoa(i)))
			o.HolderKeys = append(o.HolderKeys, tx.PubKey(ed25519.NewKeyFromSeed(s[:]).Public().(ed25519.PublicKey)))
		}
		return o
	}
	writeOrders := func(name string, orders ...issueOrder) string {
		t.Helper()
		var b strings.Builder
		for _, o := range orders {
			line, _ := json.Marshal(o)
			b.Write(line)
			b.WriteByte('\n')
		}
		if err := os.WriteFile(file(name), []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		return file(name)
	}
	var pooled struct {
		Count      uint32       `json:"count"`
		Identities []tx.Address `json:"identities"`
		Tokens     []string     `json:"tokens"`
	}
	decodeCLI(t, run("issue", "card", "--batch", writeOrders("pooled.jsonl", order(40, "park"), order(40, "lee")), "--list", "cards", "--tokens", "1",
		"--out-dir", file("pooled"), "--from", "office", "-o", "json"), &pooled)
	if pooled.Count != 82 || len(pooled.Identities) != 2 || len(pooled.Tokens) != 2 {
		t.Fatalf("pooled card batch: %d copies, %d identities, %d tokens; want 82, 2, 2", pooled.Count, len(pooled.Identities), len(pooled.Tokens))
	}
	refused("has more than 64 card copies", "issue", "card", "--batch", writeOrders("big.jsonl", order(64, "choi")), "--list", "cards", "--tokens", "1",
		"--out-dir", file("big"), "--from", "office")

	// The citizen suspends: the reveal opens the 2 cards and the 2 tokens;
	// the office's second printout is refused from the next block.
	var reveal []tx.CardReveal
	decodeCLI(t, run("wallet", "reveal"), &reveal)
	if len(reveal) != 4 {
		t.Fatalf("wallet reveal: %d openings, want 4 (2 cards, 2 tokens)", len(reveal))
	}
	run("wallet", "suspend", "--reason", "wallet and tokens lost")
	if out, err := entry("gangnam-pool", "door", issued.Tokens[1]); err == nil || !strings.Contains(out, "suspended") {
		t.Fatalf("suspended token: %v\n%s", err, out)
	}
}
