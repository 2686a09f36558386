package reading

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
)

func testKey() ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i)
	}
	return ed25519.NewKeyFromSeed(seed)
}

func vectorReading() Reading {
	return Reading{DeviceID: "inv-0001.roof", KeyEpoch: 1, Seq: 42, TimeMs: 1767225600000, Kind: KindEnergyWh, Value: 123456789}
}

// parseVector reads "name = hex" lines; in a markdown file only those
// between the test-vector markers.
func parseVector(t *testing.T, path string) map[string][]byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	text := string(raw)
	if strings.HasSuffix(path, ".md") {
		begin := strings.Index(text, "<!-- test-vector:begin -->")
		end := strings.Index(text, "<!-- test-vector:end -->")
		if begin < 0 || end < begin {
			t.Fatalf("%s: test-vector markers not found", path)
		}
		text = text[begin:end]
	}
	out := map[string][]byte{}
	for _, line := range strings.Split(text, "\n") {
		name, val, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		b, err := hex.DecodeString(strings.TrimSpace(val))
		if err != nil {
			t.Fatalf("%s: %s: %v", path, strings.TrimSpace(name), err)
		}
		out[strings.TrimSpace(name)] = b
	}
	for _, k := range []string{"seed", "public", "body", "signature", "wire", "id"} {
		if _, ok := out[k]; !ok {
			t.Fatalf("%s: vector has no %q line", path, k)
		}
	}
	return out
}

func TestVector(t *testing.T) {
	for _, path := range []string{"../../docs/reading-format.md", "testdata/vector.txt"} {
		t.Run(path, func(t *testing.T) {
			v := parseVector(t, path)
			priv := ed25519.NewKeyFromSeed(v["seed"])
			if !bytes.Equal(v["seed"], testKey().Seed()) {
				t.Errorf("seed = %x, want 00..1f", v["seed"])
			}
			pub := priv.Public().(ed25519.PublicKey)
			if !bytes.Equal(pub, v["public"]) {
				t.Errorf("public = %x, want %x", pub, v["public"])
			}
			r := vectorReading()
			body, err := r.Body()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(body, v["body"]) {
				t.Errorf("body = %x, want %x", body, v["body"])
			}
			s, err := r.Sign(priv)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(s.Signature[:], v["signature"]) {
				t.Errorf("signature = %x, want %x", s.Signature, v["signature"])
			}
			wire, err := s.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(wire, v["wire"]) {
				t.Errorf("wire = %x, want %x", wire, v["wire"])
			}
			id, err := s.ID()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(id[:], v["id"]) {
				t.Errorf("id = %x, want %x", id, v["id"])
			}
			got, err := DecodeVerify(v["wire"], v["public"])
			if err != nil {
				t.Fatalf("decode vector wire: %v", err)
			}
			if got.Reading != r {
				t.Errorf("decoded = %+v, want %+v", got.Reading, r)
			}
		})
	}
}

func TestRoundTripAndVerify(t *testing.T) {
	priv := testKey()
	pub := priv.Public().(ed25519.PublicKey)
	cases := []Reading{
		vectorReading(),
		{DeviceID: "a", KeyEpoch: 0, Seq: 1, TimeMs: 0, Kind: KindOdometerM, Value: 0},
		{DeviceID: strings.Repeat("z", 64), KeyEpoch: ^uint32(0), Seq: ^uint64(0), TimeMs: 1<<63 - 1, Kind: KindEnergyWh, Value: ^uint64(0)},
		{DeviceID: "ev_42.x-9", KeyEpoch: 7, Seq: 3, TimeMs: 1, Kind: KindOdometerM, Value: 1000},
	}
	for _, r := range cases {
		t.Run(r.DeviceID, func(t *testing.T) {
			s, err := r.Sign(priv)
			if err != nil {
				t.Fatal(err)
			}
			wire, err := s.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(wire), 95+len(r.DeviceID); got != want {
				t.Errorf("wire length = %d, want %d", got, want)
			}
			got, err := Decode(wire)
			if err != nil {
				t.Fatal(err)
			}
			if got != s {
				t.Errorf("decoded = %+v, want %+v", got, s)
			}
			if err := got.Verify(pub); err != nil {
				t.Errorf("verify: %v", err)
			}
			other := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
			if err := got.Verify(other); !errors.Is(err, ErrBadSignature) {
				t.Errorf("verify with another key: got %v, want ErrBadSignature", err)
			}
		})
	}
}

func TestTamperedBytesFail(t *testing.T) {
	priv := testKey()
	pub := priv.Public().(ed25519.PublicKey)
	s, err := vectorReading().Sign(priv)
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := s.Encode()
	for i := range wire {
		for _, bit := range []byte{0x01, 0x80} {
			tampered := bytes.Clone(wire)
			tampered[i] ^= bit
			if _, err := DecodeVerify(tampered, pub); err == nil {
				t.Errorf("flipping bit %#x of byte %d: decode+verify succeeded, want an error", bit, i)
			}
		}
	}
	if _, err := DecodeVerify(wire, pub); err != nil {
		t.Fatalf("untampered: %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	priv := testKey()
	s, _ := vectorReading().Sign(priv)
	wire, _ := s.Encode()
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(wire)) }
	cases := []struct {
		name  string
		wire  []byte
		field string
	}{
		{"empty", nil, "length"},
		{"short", wire[:MinWireSize-1], "length"},
		{"long", make([]byte, MaxWireSize+1), "length"},
		{"trailing byte", append(bytes.Clone(wire), 0), "length"},
		{"missing byte", wire[:len(wire)-1], "length"},
		{"version", mod(func(b []byte) []byte { b[0] = 2; return b }), "version"},
		{"kind 0", mod(func(b []byte) []byte { b[1] = 0; return b }), "kind"},
		{"kind 3", mod(func(b []byte) []byte { b[1] = 3; return b }), "kind"},
		{"id length 0", mod(func(b []byte) []byte { b[2] = 0; return b }), "device_id length"},
		{"id length 65", mod(func(b []byte) []byte { b[2] = 65; return b }), "device_id length"},
		{"id length mismatch", mod(func(b []byte) []byte { b[2] = 12; return b }), "length"},
		{"id upper case", mod(func(b []byte) []byte { b[3] = 'I'; return b }), "device_id"},
		{"id slash", mod(func(b []byte) []byte { b[4] = '/'; return b }), "device_id"},
		{"seq 0", mod(func(b []byte) []byte {
			clear(b[3+13+4 : 3+13+12])
			return b
		}), "seq"},
		{"negative time", mod(func(b []byte) []byte { b[3+13+12] = 0x80; return b }), "time_ms"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.wire)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Decode error = %v, want a *FieldError", err)
			}
			if fe.Field != tc.field {
				t.Errorf("field = %q, want %q (error %v)", fe.Field, tc.field, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestSignRejectsInvalid(t *testing.T) {
	priv := testKey()
	bad := []Reading{
		{DeviceID: "", Seq: 1, Kind: KindEnergyWh},
		{DeviceID: "x", Seq: 0, Kind: KindEnergyWh},
		{DeviceID: "x", Seq: 1, Kind: 9},
		{DeviceID: "x", Seq: 1, TimeMs: -1, Kind: KindEnergyWh},
		{DeviceID: strings.Repeat("a", 65), Seq: 1, Kind: KindEnergyWh},
	}
	for _, r := range bad {
		if _, err := r.Sign(priv); !errors.Is(err, ErrInvalid) {
			t.Errorf("Sign(%+v) error = %v, want ErrInvalid", r, err)
		}
	}
	if _, err := vectorReading().Sign(priv[:10]); err == nil {
		t.Error("Sign with a short key succeeded")
	}
}

func TestParseKind(t *testing.T) {
	for _, k := range []Kind{KindEnergyWh, KindOdometerM} {
		got, err := ParseKind(k.String())
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v; want %v", k.String(), got, err, k)
		}
	}
	if _, err := ParseKind("kwh"); err == nil {
		t.Error("ParseKind(kwh) succeeded")
	}
	if got := Kind(9).String(); got != "kind(9)" {
		t.Errorf("Kind(9).String() = %q", got)
	}
}

func FuzzDecode(f *testing.F) {
	priv := testKey()
	s, _ := vectorReading().Sign(priv)
	wire, _ := s.Encode()
	f.Add(wire)
	f.Add(wire[:MinWireSize])
	f.Add([]byte{})
	f.Add(make([]byte, MaxWireSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("decode error %v does not wrap ErrInvalid", err)
			}
			return
		}
		again, err := got.Encode()
		if err != nil {
			t.Fatalf("re-encode of a decoded reading: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("round trip: got %x, want %x", again, b)
		}
	})
}

// FuzzVerify feeds arbitrary bytes and keys to DecodeVerify: it must never
// panic, and under the test key only the one message the key signed may
// verify (ed25519 in Go rejects malleated signatures).
func FuzzVerify(f *testing.F) {
	priv := testKey()
	pub := priv.Public().(ed25519.PublicKey)
	s, _ := vectorReading().Sign(priv)
	wire, _ := s.Encode()
	f.Add(wire, []byte(pub))
	f.Add(wire, []byte{})
	f.Add(wire[:len(wire)-1], []byte(pub))
	f.Fuzz(func(t *testing.T, b, key []byte) {
		got, err := DecodeVerify(b, key)
		if err != nil {
			return
		}
		if bytes.Equal(key, pub) && !bytes.Equal(b, wire) {
			t.Fatalf("Verify accepted %x under the test key", b)
		}
		if _, err := got.ID(); err != nil {
			t.Fatalf("ID of a verified reading: %v", err)
		}
	})
}
