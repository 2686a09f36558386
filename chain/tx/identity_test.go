package tx

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestIdentityHashes: the card commitment, the add_device message and
// the pseudonym are the byte layouts the wallet and the verifiers
// compute (docs/transactions.md), spelled out here byte by byte.
func TestIdentityHashes(t *testing.T) {
	var salt [CardSaltLen]byte
	for i := range salt {
		salt[i] = byte(i)
	}
	list := "0123456789abcdef0123456789abcdef01234567/card"
	want := sha256.Sum256([]byte("citychain/card-status/v1\x00" + list + "\x00\x00\x01\xe2\x40" + string(salt[:])))
	if got := CardCommitment(list, 123456, salt); got != Hash32(want) {
		t.Errorf("CardCommitment: got %s, want %x", got, want)
	}
	if CardCommitment(list, 123457, salt) == Hash32(want) || CardCommitment(list+"x", 123456, salt) == Hash32(want) {
		t.Error("CardCommitment ignores the index or the list")
	}
	r := CardReveal{Idx: 123456, Salt: salt[:]}
	if r.Commitment(list) != Hash32(want) {
		t.Error("CardReveal.Commitment differs from CardCommitment")
	}

	key := PubKey(ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey))
	id := key.Address().String()
	msg := AddDevicePoPMessage("citychain-devnet", id, key)
	if got, want := string(msg), "citychain/identity/add_device/v1\x00citychain-devnet\x00"+id+"\x00"+hex.EncodeToString(key); got != want {
		t.Errorf("AddDevicePoPMessage: got %q, want %q", got, want)
	}
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	pop := ed25519.Sign(priv, msg)
	if !VerifyAddDevicePoP("citychain-devnet", key.Address(), key, pop) {
		t.Error("a valid proof of possession does not verify")
	}
	if VerifyAddDevicePoP("citychain-other", key.Address(), key, pop) || VerifyAddDevicePoP("citychain-devnet", Address{1}, key, pop) {
		t.Error("a proof for another chain or identity verifies")
	}

	ps := sha256.Sum256(append([]byte("citychain/pseudonym/v1\x00jamsil-pool\x00"), key...))
	if got := Pseudonym("jamsil-pool", key); got != Hash32(ps) {
		t.Errorf("Pseudonym: got %s, want %x", got, ps)
	}
	if Pseudonym("seoul-library", key) == Hash32(ps) {
		t.Error("two facilities see the same pseudonym")
	}
}

// TestIdentityValidateBasic: each message's stateless checks, naming the
// field that is wrong.
func TestIdentityValidateBasic(t *testing.T) {
	key := PubKey(ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey))
	list := StatusListID(key.Address(), "card")
	c1, c2 := CardCommitment(list, 1, [16]byte{1}), CardCommitment(list, 2, [16]byte{2})
	id := key.Address()
	salt := make(HexBytes, CardSaltLen)
	for _, c := range []struct {
		name string
		msg  Msg
		want string // "" = valid
	}{
		{"register", &MsgIdentityRegister{DeviceKey: key, CardList: list, Commitments: []Hash32{c1, c2}}, ""},
		{"register without copies", &MsgIdentityRegister{DeviceKey: key, CardList: list}, ""},
		{"register a short key", &MsgIdentityRegister{DeviceKey: key[:31], CardList: list}, "device_key"},
		{"register a bad list", &MsgIdentityRegister{DeviceKey: key, CardList: "card"}, "card_list"},
		{"register a zero commitment", &MsgIdentityRegister{DeviceKey: key, CardList: list, Commitments: []Hash32{{}}}, "commitments[0]"},
		{"register 65 copies", &MsgIdentityRegister{DeviceKey: key, CardList: list, Commitments: make([]Hash32, 65)}, "65 commitments"},
		{"add_device", &MsgIdentityAddDevice{ID: id, Key: key, PoP: make(HexBytes, 64)}, ""},
		{"add_device without a pop", &MsgIdentityAddDevice{ID: id, Key: key}, "pop"},
		{"add_device without an id", &MsgIdentityAddDevice{Key: key, PoP: make(HexBytes, 64)}, "id"},
		{"remove_device a short key", &MsgIdentityRemoveDevice{ID: id, Key: key[:5]}, "key"},
		{"add_card_copies none", &MsgIdentityAddCardCopies{ID: id}, "0 commitments, want 1"},
		{"suspend", &MsgIdentitySuspend{ID: id, Reason: "lost", Reveal: []CardReveal{{Idx: 1, Salt: salt}}}, ""},
		{"suspend a long salt", &MsgIdentitySuspend{ID: id, Reason: "lost", Reveal: []CardReveal{{Idx: 1, Salt: make(HexBytes, 17)}}}, "reveal[0].salt"},
		{"suspend an opening twice", &MsgIdentitySuspend{ID: id, Reason: "lost", Reveal: []CardReveal{{Idx: 1, Salt: salt}, {Idx: 1, Salt: salt}}}, "reveal[1]"},
		{"suspend without a reason", &MsgIdentitySuspend{ID: id}, "reason"},
		{"revoke without a reason", &MsgIdentityRevoke{ID: id}, "reason"},
		{"reinstate a commitment twice", &MsgIdentityReinstate{ID: id, Commitments: []Hash32{c1, c1}}, "listed twice"},
		{"facility", &MsgIdentityRegisterFacility{ID: "mapo-youth", Name: "Mapo", Kind: "youth_centre", Claims: []string{"resident_seoul"}}, ""},
		{"facility kind with a dash", &MsgIdentityRegisterFacility{ID: "x", Name: "X", Kind: "youth-centre"}, "kind"},
		{"facility kind too long", &MsgIdentityRegisterFacility{ID: "x", Name: "X", Kind: strings.Repeat("k", 33)}, "kind"},
		{"facility claim twice", &MsgIdentityUpdateFacility{ID: "x", Name: "X", Kind: "pool", Claims: []string{"a", "a"}}, "claims[1]"},
		{"facility without a name", &MsgIdentityUpdateFacility{ID: "x", Kind: "pool"}, "name"},
		{"bar", &MsgIdentityBar{Facility: "pool", Pseudonym: c1, Until: time.Unix(1e9, 0), Reason: "r"}, ""},
		{"bar no pseudonym", &MsgIdentityBar{Facility: "pool", Reason: "r"}, "pseudonym"},
		{"unbar a bad facility", &MsgIdentityUnbar{Facility: "Pool", Pseudonym: c1}, "facility"},
	} {
		err := c.msg.ValidateBasic()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: got %v, want valid", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want an error naming %q", c.name, err, c.want)
		}
	}
}

// FuzzIdentityMsgs decodes arbitrary JSON as each identity message: no
// input panics, and whatever decodes and validates encodes back to a
// value that decodes to the same message.
func FuzzIdentityMsgs(f *testing.F) {
	key := PubKey(ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey))
	list := StatusListID(key.Address(), "card")
	for _, m := range []Msg{
		&MsgIdentityRegister{DeviceKey: key, CardList: list, Commitments: []Hash32{CardCommitment(list, 7, [16]byte{1})}},
		&MsgIdentityAddDevice{ID: key.Address(), Key: key, PoP: make(HexBytes, 64)},
		&MsgIdentitySuspend{ID: key.Address(), Reason: "lost", Reveal: []CardReveal{{Idx: 7, Salt: make(HexBytes, 16)}}},
		&MsgIdentityRegisterFacility{ID: "pool", Name: "Pool", Kind: "pool", Claims: []string{"resident_seoul"}},
		&MsgIdentityBar{Facility: "pool", Pseudonym: Pseudonym("pool", key), Until: time.Unix(2e9, 0).UTC(), Reason: "r"},
	} {
		b, err := json.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, d := range IdentityMsgs.Msgs {
			m, err := DecodeMsg(d.Type, b)
			if err != nil {
				continue
			}
			again, err := json.Marshal(m)
			if err != nil {
				t.Fatalf("%s: encode a decoded message: %v", d.Type, err)
			}
			m2, err := DecodeMsg(d.Type, again)
			if err != nil {
				t.Fatalf("%s: %s decoded, its encoding %s does not: %v", d.Type, b, again, err)
			}
			if b2, _ := json.Marshal(m2); string(b2) != string(again) {
				t.Fatalf("%s: %s re-encodes as %s", d.Type, again, b2)
			}
		}
	})
}
