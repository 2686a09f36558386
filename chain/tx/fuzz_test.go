package tx_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/citychain/citychain/chain/tx"
)

// FuzzDecode: Decode never panics; whatever it accepts re-encodes to the
// same bytes, obeys the body rules, and every message re-marshals to a form
// that decodes to the same message; whatever it rejects is one of the
// package's sentinels (or an InvalidMsgError).
func FuzzDecode(f *testing.F) {
	for i, m := range sampleMsgs() {
		raw := mustBuild(f, uint64(i), "seed", m)
		f.Add(raw)
		f.Add(raw[:len(raw)-1])
		f.Add(append(bytes.Clone(raw), 0))
	}
	f.Add(mustBuild(f, 1, "", sampleMsgs()...))
	f.Add(signBody(body(`,"msgs":[{"type":"bank/send","value":` + sendValue + `}],"sequence":1`)))
	f.Add(signBody(body(`,"msgs":[{"type":"bank/steal","value":{}}]`)))
	f.Add(signBody(body(`,"msgs":[{"type":"bank/burn","value":{"amount":"0uscn"}}]`)))
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 0, 2, '{', '}'})
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := tx.Decode(raw)
		if err != nil {
			var inv *tx.InvalidMsgError
			if d != nil {
				t.Fatal("Decode returned a transaction with an error")
			}
			if !errors.Is(err, tx.ErrMalformed) && !errors.Is(err, tx.ErrTooLarge) && !errors.Is(err, tx.ErrUnknownMsg) && !errors.As(err, &inv) {
				t.Fatalf("error outside the sentinels: %v", err)
			}
			return
		}
		if got := tx.Encode(d.BodyBytes, d.Signature); !bytes.Equal(got, raw) {
			t.Fatalf("re-encoding differs:\n got %x\nwant %x", got, raw)
		}
		if len(raw) > tx.MaxTxBytes || len(d.Signature) != 64 || len(d.Body.Signer) != 32 ||
			len(d.Msgs) == 0 || len(d.Msgs) > tx.MaxMsgs || len(d.Msgs) != len(d.Body.Msgs) ||
			d.Body.ChainID == "" || len(d.Body.ChainID) > tx.MaxChainID || len(d.Body.Memo) > tx.MaxMemo {
			t.Fatalf("decoded body breaks a body rule: %+v", d.Body)
		}
		for i, m := range d.Msgs {
			if m.Type() != d.Body.Msgs[i].Type {
				t.Fatalf("message %d: type %q decoded as %q", i, d.Body.Msgs[i].Type, m.Type())
			}
			if err := m.ValidateBasic(); err != nil {
				t.Fatalf("message %d passed Decode but not ValidateBasic: %v", i, err)
			}
			v, err := json.Marshal(m)
			if err != nil {
				t.Fatalf("message %d: marshal: %v", i, err)
			}
			again, err := tx.DecodeMsg(m.Type(), v)
			if err != nil {
				t.Fatalf("message %d: canonical form %s does not decode: %v", i, v, err)
			}
			if !reflect.DeepEqual(normalise(t, again), normalise(t, m)) {
				t.Fatalf("message %d: round trip changed it: %s", i, v)
			}
		}
		// Decoding is a function of the bytes.
		d2, err := tx.Decode(raw)
		if err != nil || !reflect.DeepEqual(d2.Body, d.Body) {
			t.Fatal("decoding the same bytes twice differs")
		}
	})
}

// normalise marshals a message to compare messages by their JSON meaning.
func normalise(t *testing.T, m tx.Msg) string {
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
