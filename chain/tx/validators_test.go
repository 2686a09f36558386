package tx_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/tx"
)

func TestValidatorSetPowerValidate(t *testing.T) {
	pub := pubOf(testKey("validator"))
	cases := []struct {
		name string
		msg  tx.MsgValidatorSetPower
		want string // "" means valid
	}{
		{"add", tx.MsgValidatorSetPower{PubKey: pub, Power: 10, Name: "fifth"}, ""},
		{"remove", tx.MsgValidatorSetPower{PubKey: pub, Power: 0}, ""},
		{"largest power", tx.MsgValidatorSetPower{PubKey: pub, Power: tx.MaxValidatorPower}, ""},
		{"name of 64 bytes", tx.MsgValidatorSetPower{PubKey: pub, Power: 1, Name: strings.Repeat("é", 32)}, ""},
		{"no key", tx.MsgValidatorSetPower{Power: 1}, "pub_key: want a 32-byte ed25519 public key"},
		{"short key", tx.MsgValidatorSetPower{PubKey: pub[:31], Power: 1}, "pub_key"},
		{"power above the bound", tx.MsgValidatorSetPower{PubKey: pub, Power: tx.MaxValidatorPower + 1}, "power 1000000000001: want at most 1000000000000"},
		{"long name", tx.MsgValidatorSetPower{PubKey: pub, Power: 1, Name: strings.Repeat("n", 65)}, "65 bytes, limit 64"},
		{"newline in name", tx.MsgValidatorSetPower{PubKey: pub, Power: 1, Name: "a\nb"}, "printable"},
		{"invalid UTF-8 in name", tx.MsgValidatorSetPower{PubKey: pub, Power: 1, Name: "a\xffb"}, "printable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.msg.ValidateBasic()
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("got %v, want valid", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("got %v, want an error mentioning %q", err, c.want)
			}
		})
	}
	// The wire form: field names as documented, and a round trip.
	m := &tx.MsgValidatorSetPower{PubKey: pub, Power: 10, Name: "fifth"}
	d, err := tx.Decode(mustBuild(t, 3, "", m))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Msgs[0], m) || d.Body.Msgs[0].Type != "validators/set_power" ||
		string(d.Body.Msgs[0].Value) != `{"pub_key":"`+pub.String()+`","power":10,"name":"fifth"}` {
		t.Fatalf("round trip: got %s %s", d.Body.Msgs[0].Type, d.Body.Msgs[0].Value)
	}
}

// FuzzDecodeValidatorSetPower: the message value decodes strictly or not
// at all; an accepted value is valid and survives a round trip.
func FuzzDecodeValidatorSetPower(f *testing.F) {
	pub := pubOf(testKey("validator")).String()
	for _, s := range []string{
		`{"pub_key":"` + pub + `","power":10,"name":"fifth"}`,
		`{"pub_key":"` + pub + `","power":0}`,
		`{"pub_key":"` + pub[:62] + `","power":1}`,
		`{"pub_key":"` + pub + `","power":1000000000001}`,
		`{"power":1}`, `{}`, `null`, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, value []byte) {
		m, err := tx.DecodeMsg(tx.TypeValidatorSetPower, value)
		if err != nil {
			return
		}
		if err := m.ValidateBasic(); err != nil {
			t.Fatalf("accepted an invalid message: %v", err)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		again, err := tx.DecodeMsg(tx.TypeValidatorSetPower, b)
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Fatalf("round trip of %s: %v", b, err)
		}
	})
}
