package tx_test

import (
	"bufio"
	"crypto/ed25519"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/tx"
)

// TestDocWorkedExample rebuilds the worked example of docs/transactions.md
// and checks every value the document prints.
func TestDocWorkedExample(t *testing.T) {
	f, err := os.Open("../../docs/transactions.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc := map[string]string{}
	in := false
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "```text":
			in = true
		case line == "```":
			in = false
		case in:
			k, v, ok := strings.Cut(line, ":")
			if ok {
				doc[k] = strings.TrimSpace(v)
			}
		}
	}
	for _, k := range []string{"seed", "pubkey", "address", "body", "signature", "tx", "hash"} {
		if doc[k] == "" {
			t.Fatalf("docs/transactions.md worked example lacks %q", k)
		}
	}
	seed, err := hex.DecodeString(doc["seed"])
	if err != nil {
		t.Fatal(err)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	to, err := tx.ParseAddress("00112233445566778899aabbccddeeff00112233")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := tx.Build(priv, "citychain-devnet", 0, "", &tx.MsgSend{To: to, Amount: tx.Coin{Amount: 1_000_000, Denom: tx.DenomSCoin}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := tx.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Verify(); err != nil {
		t.Fatal(err)
	}
	h := tx.Hash(raw)
	checks := []struct{ name, got string }{
		{"pubkey", hex.EncodeToString(priv.Public().(ed25519.PublicKey))},
		{"address", d.Signer().String()},
		{"body", string(d.BodyBytes)},
		{"signature", hex.EncodeToString(d.Signature)},
		{"tx", hex.EncodeToString(raw)},
		{"hash", strings.ToUpper(hex.EncodeToString(h[:]))},
	}
	for _, c := range checks {
		if c.got != doc[c.name] {
			t.Errorf("%s: got %s, document says %s", c.name, c.got, doc[c.name])
		}
	}
	// The signature in the document verifies over the documented sign bytes.
	sig, _ := hex.DecodeString(doc["signature"])
	if !ed25519.Verify(priv.Public().(ed25519.PublicKey), append([]byte("citychain/tx/v1\x00"), doc["body"]...), sig) {
		t.Error("documented signature does not verify over \"citychain/tx/v1\\x00\" || body")
	}
}
