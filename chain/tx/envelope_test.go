package tx_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/tx"
)

func testKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("citychain/tx-test/" + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func pubOf(k ed25519.PrivateKey) tx.PubKey { return tx.PubKey(k.Public().(ed25519.PublicKey)) }

var (
	signerKey = testKey("signer")
	otherAddr = pubOf(testKey("other")).Address()
)

// sampleMsgs has one valid message of every type this test knows.
func sampleMsgs() []tx.Msg {
	dev := pubOf(testKey("device"))
	return []tx.Msg{
		&tx.MsgRoleGrant{Address: otherAddr, Role: tx.RoleInstaller},
		&tx.MsgRoleRevoke{Address: otherAddr, Role: tx.IssuerRole(tx.DenomKRW)},
		&tx.MsgSend{To: otherAddr, Amount: tx.Coin{Amount: 1, Denom: tx.DenomSCoin}},
		&tx.MsgMint{To: otherAddr, Amount: tx.Coin{Amount: math.MaxUint64, Denom: tx.DenomKRW}},
		&tx.MsgBurn{Amount: tx.Coin{Amount: 42, Denom: tx.DenomSCoin}},
		&tx.MsgDeviceRegister{ID: "inv-01.a_b", Kind: tx.KindSolarInverter, Owner: otherAddr, PubKey: dev,
			Metadata: tx.DeviceMetadata{SerialNumber: "SN1", Manufacturer: "Acme", Model: "X", RatedPowerW: 5000, Site: "roof"}},
		&tx.MsgDeviceRegister{ID: "ev-1", Kind: tx.KindEVOdometer, Owner: otherAddr, PubKey: dev,
			Metadata: tx.DeviceMetadata{VIN: "KMHXX00XXXX000001"}},
		&tx.MsgDeviceRevoke{ID: "ev-1", Reason: "stolen"},
		&tx.MsgDeviceRotate{ID: "ev-1", PubKey: pubOf(testKey("device2"))},
		&tx.MsgDeviceTransfer{ID: "ev-1", NewOwner: otherAddr},
		&tx.MsgDeviceReassignInstaller{ID: "ev-1", Installer: otherAddr},
	}
}

func mustBuild(t testing.TB, seq uint64, memo string, msgs ...tx.Msg) []byte {
	t.Helper()
	raw, err := tx.Build(signerKey, "citychain-test", seq, memo, msgs...)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestBuildDecodeRoundTrip: every message survives Build, Decode and
// Verify; the wire bytes re-encode exactly; the framing is as documented.
func TestBuildDecodeRoundTrip(t *testing.T) {
	for _, m := range sampleMsgs() {
		t.Run(m.Type(), func(t *testing.T) {
			raw := mustBuild(t, 7, "memo", m, m)
			d, err := tx.Decode(raw)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if err := d.Verify(); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if len(d.Msgs) != 2 || !reflect.DeepEqual(d.Msgs[0], m) || !reflect.DeepEqual(d.Msgs[1], m) {
				t.Fatalf("messages: got %#v, want %#v twice", d.Msgs, m)
			}
			if d.Body.ChainID != "citychain-test" || d.Body.Sequence != 7 || d.Body.Memo != "memo" || d.Signer() != pubOf(signerKey).Address() {
				t.Fatalf("body: got %+v", d.Body)
			}
			if got := tx.Encode(d.BodyBytes, d.Signature); !bytes.Equal(got, raw) {
				t.Fatal("Encode(BodyBytes, Signature) differs from the wire bytes")
			}
			if raw[0] != tx.Version || int(binary.BigEndian.Uint32(raw[1:5])) != len(d.BodyBytes) || len(d.Signature) != ed25519.SignatureSize {
				t.Fatalf("framing: version %d, length %d for a %d-byte body, %d-byte signature", raw[0], binary.BigEndian.Uint32(raw[1:5]), len(d.BodyBytes), len(d.Signature))
			}
			if !ed25519.Verify(signerKey.Public().(ed25519.PublicKey), append([]byte("citychain/tx/v1\x00"), d.BodyBytes...), d.Signature) {
				t.Fatal("the signature does not cover the documented sign bytes")
			}
			if h := tx.Hash(raw); h != sha256.Sum256(raw) {
				t.Fatal("Hash is not SHA-256 of the wire bytes")
			}
		})
	}
}

// TestVerifyRejectsTampering: a changed body byte or signature byte, or a
// signature over the body without the domain tag, does not verify.
func TestVerifyRejectsTampering(t *testing.T) {
	raw := mustBuild(t, 0, "", &tx.MsgBurn{Amount: tx.Coin{Amount: 5, Denom: tx.DenomSCoin}})
	d, _ := tx.Decode(raw)
	// "5uscn" -> "6uscn": still a valid body, different meaning
	body := bytes.Replace(bytes.Clone(d.BodyBytes), []byte(`"5uscn"`), []byte(`"6uscn"`), 1)
	cases := map[string][]byte{
		"body":       tx.Encode(body, d.Signature),
		"signature":  tx.Encode(d.BodyBytes, flip(d.Signature, 10)),
		"no domain":  tx.Encode(d.BodyBytes, ed25519.Sign(signerKey, d.BodyBytes)),
		"other key":  tx.Encode(d.BodyBytes, ed25519.Sign(testKey("x"), tx.SignBytes(d.BodyBytes))),
		"zero sig":   tx.Encode(d.BodyBytes, make([]byte, 64)),
		"other body": tx.Encode(body, ed25519.Sign(testKey("x"), tx.SignBytes(body))),
	}
	for name, raw := range cases {
		d, err := tx.Decode(raw)
		if err != nil {
			t.Fatalf("%s: Decode: %v", name, err)
		}
		if err := d.Verify(); !errors.Is(err, tx.ErrBadSignature) {
			t.Errorf("%s: Verify got %v, want ErrBadSignature", name, err)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 1
	return c
}

func signBody(body string) []byte {
	return tx.Encode([]byte(body), ed25519.Sign(signerKey, tx.SignBytes([]byte(body))))
}

// body builds a body JSON with msgs spliced in raw.
func body(rest string) string {
	return fmt.Sprintf(`{"chain_id":"c","signer":"%s","sequence":0%s}`, pubOf(signerKey), rest)
}

const sendValue = `{"to":"00112233445566778899aabbccddeeff00112233","amount":"5uscn"}`

// TestDecodeStrict covers the strict JSON rules and the body rules: every
// case is rejected with the sentinel the chain maps to its code.
func TestDecodeStrict(t *testing.T) {
	msgs := `,"msgs":[{"type":"bank/send","value":` + sendValue + `}]`
	cases := []struct {
		name string
		body string
		want error
		log  string
	}{
		{"valid", body(msgs), nil, ""},
		{"valid with whitespace", " \n" + body(msgs) + "\n\t ", nil, ""},
		{"duplicate top-level key", body(msgs + `,"sequence":1`), tx.ErrMalformed, `duplicate key "sequence"`},
		{"duplicate key by escape", body(msgs + `,"sequ\u0065nce":1`), tx.ErrMalformed, `duplicate key "sequence"`},
		{"duplicate key in message", body(`,"msgs":[{"type":"bank/send","value":{"to":"00112233445566778899aabbccddeeff00112233","amount":"5uscn","amount":"9uscn"}}]`), tx.ErrMalformed, `duplicate key "amount"`},
		{"duplicate key in any", body(`,"msgs":[{"type":"bank/send","type":"bank/burn","value":` + sendValue + `}]`), tx.ErrMalformed, `duplicate key "type"`},
		{"duplicate key in metadata", body(`,"msgs":[{"type":"devices/register","value":{"id":"a","kind":"ev_odometer","owner":"00112233445566778899aabbccddeeff00112233","pubkey":"` + pubOf(signerKey).String() + `","metadata":{"site":"x","site":"y"}}}]`), tx.ErrMalformed, `duplicate key "site"`},
		{"same key in sibling objects is fine", body(`,"msgs":[{"type":"bank/send","value":` + sendValue + `},{"type":"bank/send","value":` + sendValue + `}]`), nil, ""},
		{"unknown top-level field", body(msgs + `,"fee":"1uscn"`), tx.ErrMalformed, `unknown field "fee"`},
		{"unknown message field", body(`,"msgs":[{"type":"bank/send","value":{"to":"00112233445566778899aabbccddeeff00112233","amount":"5uscn","memo":"x"}}]`), tx.ErrMalformed, `unknown field "memo"`},
		{"unknown any field", body(`,"msgs":[{"type":"bank/send","value":` + sendValue + `,"gas":1}]`), tx.ErrMalformed, `unknown field "gas"`},
		{"unknown metadata field", body(`,"msgs":[{"type":"devices/register","value":{"id":"a","kind":"ev_odometer","owner":"00112233445566778899aabbccddeeff00112233","pubkey":"` + pubOf(signerKey).String() + `","metadata":{"color":"red"}}}]`), tx.ErrMalformed, `unknown field "color"`},
		{"case-variant key", strings.Replace(body(msgs), `"chain_id"`, `"Chain_ID"`, 1), tx.ErrMalformed, "Chain_ID"},
		{"case-variant message key", body(`,"msgs":[{"type":"bank/send","value":{"To":"00112233445566778899aabbccddeeff00112233","amount":"5uscn"}}]`), tx.ErrMalformed, "To"},
		{"trailing object", body(msgs) + `{}`, tx.ErrMalformed, "trailing data"},
		{"trailing garbage", body(msgs) + `x`, tx.ErrMalformed, ""},
		{"trailing in message value", body(`,"msgs":[{"type":"bank/burn","value":{"amount":"5uscn"} }]`), nil, ""},
		{"array body", `[]`, tx.ErrMalformed, ""},
		{"null body", `null`, tx.ErrMalformed, ""},
		{"empty body", ``, tx.ErrMalformed, ""},
		{"sequence as string", strings.Replace(body(msgs), `"sequence":0`, `"sequence":"0"`, 1), tx.ErrMalformed, "sequence"},
		{"sequence fraction", strings.Replace(body(msgs), `"sequence":0`, `"sequence":0.5`, 1), tx.ErrMalformed, "sequence"},
		{"sequence exponent", strings.Replace(body(msgs), `"sequence":0`, `"sequence":1e3`, 1), tx.ErrMalformed, "sequence"},
		{"sequence overflow", strings.Replace(body(msgs), `"sequence":0`, `"sequence":18446744073709551616`, 1), tx.ErrMalformed, "sequence"},
		{"sequence negative", strings.Replace(body(msgs), `"sequence":0`, `"sequence":-1`, 1), tx.ErrMalformed, "sequence"},
		{"upper-case signer", strings.Replace(body(msgs), pubOf(signerKey).String(), strings.ToUpper(pubOf(signerKey).String()), 1), tx.ErrMalformed, "lowercase"},
		{"no signer", `{"chain_id":"c","sequence":0` + msgs + `}`, tx.ErrMalformed, "signer"},
		{"no chain id", `{"signer":"` + pubOf(signerKey).String() + `","sequence":0` + msgs + `}`, tx.ErrMalformed, "chain_id"},
		{"long chain id", strings.Replace(body(msgs), `"chain_id":"c"`, `"chain_id":"`+strings.Repeat("c", tx.MaxChainID+1)+`"`, 1), tx.ErrMalformed, "chain_id"},
		{"no msgs", body(``), tx.ErrMalformed, "at least one message"},
		{"null msgs", body(`,"msgs":null`), tx.ErrMalformed, "at least one message"},
		{"memo limit", body(msgs + `,"memo":"` + strings.Repeat("m", tx.MaxMemo) + `"`), nil, ""},
		{"memo too long", body(msgs + `,"memo":"` + strings.Repeat("m", tx.MaxMemo+1) + `"`), tx.ErrMalformed, "memo"},
		{"message without value", body(`,"msgs":[{"type":"bank/burn"}]`), tx.ErrMalformed, "bank/burn"},
		{"message value null", body(`,"msgs":[{"type":"bank/burn","value":null}]`), nil, "amount"}, // decodes to a zero message: invalid
		{"unknown message type", body(`,"msgs":[{"type":"bank/steal","value":{}}]`), tx.ErrUnknownMsg, `"bank/steal"`},
		{"message type case", body(`,"msgs":[{"type":"Bank/Send","value":` + sendValue + `}]`), tx.ErrUnknownMsg, `"Bank/Send"`},
		{"amount as number", body(`,"msgs":[{"type":"bank/burn","value":{"amount":5}}]`), tx.ErrMalformed, "amount"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := tx.Decode(signBody(c.body))
			var inv *tx.InvalidMsgError
			switch {
			case c.name == "message value null":
				if !errors.As(err, &inv) {
					t.Fatalf("got %v, want an InvalidMsgError", err)
				}
			case c.want == nil:
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				if err := d.Verify(); err != nil {
					t.Fatal(err)
				}
				return
			case !errors.Is(err, c.want):
				t.Fatalf("got %v (decoded %v), want %v", err, d != nil, c.want)
			}
			if !strings.Contains(err.Error(), c.log) {
				t.Errorf("error %q does not mention %q", err, c.log)
			}
		})
	}
}

// TestDecodeInvalidMsg: messages that decode but fail their own checks are
// InvalidMsgErrors naming the field and value.
func TestDecodeInvalidMsg(t *testing.T) {
	owner := `"owner":"00112233445566778899aabbccddeeff00112233"`
	pk := `"pubkey":"` + pubOf(signerKey).String() + `"`
	cases := []struct{ typ, value, log string }{
		{"bank/send", `{"to":"00112233445566778899aabbccddeeff00112233","amount":"0uscn"}`, "0uscn"},
		{"bank/send", `{"to":"0000000000000000000000000000000000000000","amount":"1uscn"}`, "to:"},
		{"bank/mint", `{"amount":"1uscn"}`, "to:"},
		{"bank/burn", `{"amount":"0ukrw"}`, "0ukrw"},
		{"auth/grant_role", `{"address":"00112233445566778899aabbccddeeff00112233","role":"admin"}`, `"admin"`},
		{"auth/grant_role", `{"address":"00112233445566778899aabbccddeeff00112233","role":"issuer/X"}`, `"X"`},
		{"auth/revoke_role", `{"role":"installer"}`, "address:"},
		{"devices/register", `{"id":"","kind":"ev_odometer",` + owner + `,` + pk + `,"metadata":{}}`, "device id"},
		{"devices/register", `{"id":"` + strings.Repeat("a", 65) + `","kind":"ev_odometer",` + owner + `,` + pk + `,"metadata":{}}`, "1 to 64"},
		{"devices/register", `{"id":"a","kind":"toaster",` + owner + `,` + pk + `,"metadata":{}}`, `"toaster"`},
		{"devices/register", `{"id":"a","kind":"ev_odometer",` + pk + `,"metadata":{}}`, "owner:"},
		{"devices/register", `{"id":"a","kind":"ev_odometer",` + owner + `,"metadata":{}}`, "pubkey:"},
		{"devices/register", `{"id":"a","kind":"ev_odometer",` + owner + `,` + pk + `,"metadata":{"vin":"KMHXX00XXXX00000I"}}`, "without I, O, Q"},
		{"devices/register", `{"id":"a","kind":"ev_odometer",` + owner + `,` + pk + `,"metadata":{"vin":"SHORT"}}`, "17 characters"},
		{"devices/register", `{"id":"a","kind":"ev_odometer",` + owner + `,` + pk + `,"metadata":{"model":"` + strings.Repeat("m", 129) + `"}}`, "metadata.model"},
		{"devices/revoke", `{"id":"a","reason":"` + strings.Repeat("r", 257) + `"}`, "reason"},
		{"devices/rotate_key", `{"id":"a"}`, "pubkey:"},
		{"devices/transfer", `{"id":"a"}`, "new_owner:"},
		{"devices/reassign_installer", `{"id":"a"}`, "installer:"},
		{"devices/reassign_installer", `{"id":"A","installer":"00112233445566778899aabbccddeeff00112233"}`, "device id"},
	}
	for _, c := range cases {
		_, err := tx.Decode(signBody(body(`,"msgs":[{"type":"` + c.typ + `","value":` + c.value + `}]`)))
		var inv *tx.InvalidMsgError
		if !errors.As(err, &inv) || inv.Type != c.typ {
			t.Errorf("%s %s: got %v, want an InvalidMsgError", c.typ, c.value, err)
			continue
		}
		if !strings.Contains(err.Error(), c.log) {
			t.Errorf("%s: error %q does not mention %q", c.typ, err, c.log)
		}
	}
}

// TestDecodeFraming covers the envelope framing and size limits.
func TestDecodeFraming(t *testing.T) {
	good := mustBuild(t, 0, "", &tx.MsgBurn{Amount: tx.Coin{Amount: 1, Denom: tx.DenomSCoin}})
	withLen := func(n uint32) []byte {
		b := bytes.Clone(good)
		binary.BigEndian.PutUint32(b[1:5], n)
		return b
	}
	cases := []struct {
		name string
		raw  []byte
		want error
	}{
		{"nil", nil, tx.ErrMalformed},
		{"header only", good[:5], tx.ErrMalformed},
		{"68 zero bytes", make([]byte, 69), tx.ErrMalformed},
		{"version 0", append([]byte{0}, good[1:]...), tx.ErrMalformed},
		{"length 0xffffffff", withLen(math.MaxUint32), tx.ErrMalformed},
		{"length 0", withLen(0), tx.ErrMalformed},
		{"length off by one", withLen(binary.BigEndian.Uint32(good[1:5]) + 1), tx.ErrMalformed},
		{"extra byte", append(bytes.Clone(good), 0), tx.ErrMalformed},
		{"oversize", make([]byte, tx.MaxTxBytes+1), tx.ErrTooLarge},
	}
	for _, c := range cases {
		if _, err := tx.Decode(c.raw); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	// Exactly MaxTxBytes decodes; one more byte does not. JSON allows
	// whitespace, so padding reaches the limit exactly.
	b := body(`,"msgs":[{"type":"bank/burn","value":{"amount":"5uscn"}}]`)
	b += strings.Repeat(" ", tx.MaxTxBytes-5-64-len(b))
	raw := signBody(b)
	if len(raw) != tx.MaxTxBytes {
		t.Fatalf("padded tx is %d bytes", len(raw))
	}
	if d, err := tx.Decode(raw); err != nil || d.Verify() != nil {
		t.Errorf("a %d-byte transaction: %v", len(raw), err)
	}
	if _, err := tx.Decode(signBody(b + " ")); !errors.Is(err, tx.ErrTooLarge) {
		t.Errorf("a %d-byte transaction: got %v, want ErrTooLarge", len(raw)+1, err)
	}
}

// TestParseCoin covers the amount syntax.
func TestParseCoin(t *testing.T) {
	cases := []struct {
		in   string
		want tx.Coin
		err  string
	}{
		{"1uscn", tx.Coin{Amount: 1, Denom: "uscn"}, ""},
		{"0uscn", tx.Coin{Amount: 0, Denom: "uscn"}, ""}, // zero parses; messages reject it
		{"1000000ukrw", tx.Coin{Amount: 1_000_000, Denom: "ukrw"}, ""},
		{"18446744073709551615uscn", tx.Coin{Amount: math.MaxUint64, Denom: "uscn"}, ""},
		{"5abc", tx.Coin{Amount: 5, Denom: "abc"}, ""},
		{"5abcdefghijklmnop", tx.Coin{Amount: 5, Denom: "abcdefghijklmnop"}, ""},
		{"18446744073709551616uscn", tx.Coin{}, "64 bits"},
		{"99999999999999999999999999uscn", tx.Coin{}, "64 bits"},
		{"01uscn", tx.Coin{}, "leading zeros"},
		{"00uscn", tx.Coin{}, "leading zeros"},
		{"000000000000000000001uscn", tx.Coin{}, "leading zeros"},
		{"uscn", tx.Coin{}, "want digits"},
		{"", tx.Coin{}, "want digits"},
		{"100", tx.Coin{}, `denomination ""`},
		{"-1uscn", tx.Coin{}, "want digits"},
		{"+1uscn", tx.Coin{}, "want digits"},
		{"1.5uscn", tx.Coin{}, `denomination ".5uscn"`},
		{"1,000uscn", tx.Coin{}, "denomination"},
		{"1 uscn", tx.Coin{}, "denomination"},
		{" 1uscn", tx.Coin{}, "want digits"},
		{"1uscn ", tx.Coin{}, "denomination"},
		{"1USCN", tx.Coin{}, "denomination"},
		{"1us", tx.Coin{}, "3 to 16"},
		{"1abcdefghijklmnopq", tx.Coin{}, "3 to 16"},
		{"1usc1", tx.Coin{}, "denomination"},
		{"1uscñ", tx.Coin{}, "denomination"},
		{"١uscn", tx.Coin{}, "want digits"},
		{"0x10uscn", tx.Coin{}, "denomination"},
		{"1e6uscn", tx.Coin{}, "denomination"},
	}
	for _, c := range cases {
		got, err := tx.ParseCoin(c.in)
		if c.err == "" {
			if err != nil || got != c.want {
				t.Errorf("ParseCoin(%q): got %v, %v; want %v", c.in, got, err, c.want)
			}
			if got.String() != c.in {
				t.Errorf("ParseCoin(%q).String(): got %q", c.in, got.String())
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("ParseCoin(%q): got %v, %v; want an error mentioning %q", c.in, got, err, c.err)
		}
		if err != nil && !strings.Contains(err.Error(), fmt.Sprintf("%q", c.in)) {
			t.Errorf("ParseCoin(%q): error %q does not name the input", c.in, err)
		}
	}
	// JSON: a string only.
	var c tx.Coin
	for _, in := range []string{`5`, `null`, `{"amount":5}`, `"5"`} {
		if err := json.Unmarshal([]byte(in), &c); err == nil {
			t.Errorf("Coin from JSON %s: got %v, want an error", in, c)
		}
	}
	if err := json.Unmarshal([]byte(`"7uscn"`), &c); err != nil || c != (tx.Coin{Amount: 7, Denom: "uscn"}) {
		t.Errorf(`Coin from "7uscn": got %v, %v`, c, err)
	}
}

// TestAddressAndKeyParsing covers the hex forms.
func TestAddressAndKeyParsing(t *testing.T) {
	a := pubOf(signerKey).Address()
	if got, err := tx.ParseAddress(a.String()); err != nil || got != a {
		t.Errorf("ParseAddress round trip: got %v, %v", got, err)
	}
	for _, s := range []string{"", "00", strings.ToUpper(a.String()), a.String() + "00", "zz" + a.String()[2:], " " + a.String()[1:]} {
		if _, err := tx.ParseAddress(s); err == nil {
			t.Errorf("ParseAddress(%q) accepted", s)
		}
	}
	p := pubOf(signerKey)
	if got, err := tx.ParsePubKey(p.String()); err != nil || !bytes.Equal(got, p) {
		t.Errorf("ParsePubKey round trip: got %v, %v", got, err)
	}
	for _, s := range []string{"", p.String()[:62], strings.ToUpper(p.String()), p.String() + "00", "g" + p.String()[1:]} {
		if _, err := tx.ParsePubKey(s); err == nil {
			t.Errorf("ParsePubKey(%q) accepted", s)
		}
	}
	if tx.AddressOf(ed25519.PublicKey(p)) != a || !(tx.Address{}).IsZero() || a.IsZero() {
		t.Error("AddressOf / IsZero")
	}
}

// TestValidators covers denominations, roles, device ids and kinds.
func TestValidators(t *testing.T) {
	ok := func(name string, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := func(name string, err error, mention string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), mention) {
			t.Errorf("%s: got %v, want an error mentioning %q", name, err, mention)
		}
	}
	ok("uscn", tx.ValidateDenom("uscn"))
	bad("ab", tx.ValidateDenom("ab"), `"ab"`)
	bad("Uscn", tx.ValidateDenom("Uscn"), `"Uscn"`)
	ok("installer", tx.ValidateRole(tx.RoleInstaller))
	ok("issuer/ukrw", tx.ValidateRole(tx.IssuerRole(tx.DenomKRW)))
	bad("issuer/", tx.ValidateRole("issuer/"), `""`)
	bad("Installer", tx.ValidateRole("Installer"), `"Installer"`)
	ok("device id", tx.ValidateDeviceID("a.b_c-9"))
	ok("64-byte id", tx.ValidateDeviceID(strings.Repeat("z", 64)))
	bad("65-byte id", tx.ValidateDeviceID(strings.Repeat("z", 65)), "1 to 64")
	bad("upper id", tx.ValidateDeviceID("A"), `"A"`)
	bad("slash id", tx.ValidateDeviceID("a/b"), `"a/b"`)
	bad("nul id", tx.ValidateDeviceID("a\x00"), "a-z")
	ok("kind", tx.ValidateDeviceKind(tx.KindEVOdometer))
	bad("kind", tx.ValidateDeviceKind("meter"), `"meter"`)
	if tx.Module("bank/send") != "bank" || tx.Module("bank") != "bank" || tx.Module("") != "" {
		t.Error("Module")
	}
}

// TestCheckedArithmetic covers the overflow helpers at the edges.
func TestCheckedArithmetic(t *testing.T) {
	if s, ok := tx.AddUint64(math.MaxUint64-1, 1); !ok || s != math.MaxUint64 {
		t.Error("Add at the limit")
	}
	if _, ok := tx.AddUint64(math.MaxUint64, 1); ok {
		t.Error("Add overflow not reported")
	}
	if d, ok := tx.SubUint64(5, 5); !ok || d != 0 {
		t.Error("Sub to zero")
	}
	if _, ok := tx.SubUint64(4, 5); ok {
		t.Error("Sub underflow not reported")
	}
	if p, ok := tx.MulUint64(1<<32, 1<<31); !ok || p != 1<<63 {
		t.Error("Mul in range")
	}
	if _, ok := tx.MulUint64(1<<32, 1<<32); ok {
		t.Error("Mul overflow not reported")
	}
}
