package votecrypto

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/cloudflare/circl/blindsign/blindrsa"

	"github.com/citychain/citychain/chain/tx"
)

var (
	credKeyOnce sync.Once
	credKey     *rsa.PrivateKey
)

// testCredKey is a deterministic 2048-bit credential key shared by the
// tests.
func testCredKey(t testing.TB) *rsa.PrivateKey {
	credKeyOnce.Do(func() { credKey = detRSAKey(t, seeded("credential key"), 2048) })
	return credKey
}

// TestBlindRSARoundTrip: blind, sign, check, finalize and verify; the
// credential is the deterministic RSA-PSS signature circl's own client
// gets, and crypto/rsa verifies it.
func TestBlindRSARoundTrip(t *testing.T) {
	sk := testCredKey(t)
	pk := &sk.PublicKey
	der, err := MarshalCredentialKey(pk)
	if err != nil {
		t.Fatal(err)
	}
	if pk2, err := ParseCredentialKey(der); err != nil || pk2.N.Cmp(pk.N) != 0 {
		t.Fatalf("parse: %v", err)
	}
	r := seeded("blind")
	msg := tx.VotingCredentialMessage(testChain, 5, ballotKey(t, r))
	blinded, state, err := Blind(r, pk, msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckBlinded(pk, blinded); err != nil {
		t.Fatal(err)
	}
	// A state survives JSON (the voter's file).
	js, _ := json.Marshal(state)
	var st2 BlindState
	if err := json.Unmarshal(js, &st2); err != nil {
		t.Fatal(err)
	}
	bsig, err := BlindSign(sk, blinded)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckBlindSig(pk, blinded, bsig); err != nil {
		t.Fatal(err)
	}
	sig, err := Finalize(pk, st2, bsig)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyCredential(pk, msg, sig); err != nil {
		t.Fatal(err)
	}
	// crypto/rsa: RSA-PSS, SHA-384, salt length 0.
	h := sha512.Sum384(msg)
	if err := rsa.VerifyPSS(pk, crypto.SHA384, h[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}); err != nil {
		t.Fatalf("crypto/rsa rejects the credential: %v", err)
	}
	// circl's client, end to end, gets the same signature.
	c, err := blindrsa.NewClient(blindrsa.SHA384PSSZeroDeterministic, pk)
	if err != nil {
		t.Fatal(err)
	}
	prep, _ := c.Prepare(r, msg)
	cb, cst, err := c.Blind(r, prep)
	if err != nil {
		t.Fatal(err)
	}
	cbs, err := blindrsa.NewSigner(sk).BlindSign(cb)
	if err != nil {
		t.Fatal(err)
	}
	csig, err := c.Finalize(cst, cbs)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(csig, sig) {
		t.Fatal("circl's client and ours give different credentials for the same message")
	}
	// Tampering.
	flip := func(b []byte, i int) []byte { c := append([]byte(nil), b...); c[i] ^= 1; return c }
	if VerifyCredential(pk, msg, flip(sig, 100)) == nil {
		t.Fatal("flipped credential verifies")
	}
	if VerifyCredential(pk, flip(msg, len(msg)-1), sig) == nil {
		t.Fatal("credential verifies for another ballot key")
	}
	if VerifyCredential(pk, msg, sig[1:]) == nil {
		t.Fatal("short credential verifies")
	}
	if CheckBlindSig(pk, blinded, flip(bsig, 7)) == nil {
		t.Fatal("flipped blind signature passes")
	}
	if CheckBlindSig(pk, flip(blinded, 7), bsig) == nil {
		t.Fatal("blind signature passes for another blinded message")
	}
	if _, err := Finalize(pk, st2, flip(bsig, 7)); err == nil {
		t.Fatal("Finalize accepted a bad blind signature")
	}
	nb := pk.N.FillBytes(make([]byte, 256))
	if CheckBlinded(pk, nb) == nil {
		t.Fatal("blinded message = n accepted")
	}
	if CheckBlinded(pk, make([]byte, 256)) == nil {
		t.Fatal("blinded message 0 accepted")
	}
	if CheckBlinded(pk, blinded[1:]) == nil {
		t.Fatal("short blinded message accepted")
	}
	if CheckBlindSig(pk, blinded, nb) == nil {
		t.Fatal("blind signature = n accepted")
	}
	if _, err := BlindSign(sk, nb); err == nil {
		t.Fatal("BlindSign signed n")
	}
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRFC9474Vector: RFC 9474's test vector for
// RSABSSA-SHA384-PSSZERO-Deterministic (testdata, from circl): the
// encoding, the blinding with the vector's r, the blind signature and the
// final signature, byte for byte.
func TestRFC9474Vector(t *testing.T) {
	raw, err := os.ReadFile("testdata/rfc9474-pss-zero-deterministic.json")
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]string
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if v["name"] != "RSABSSA-SHA384-PSSZERO-Deterministic" {
		t.Fatalf("vector %q", v["name"])
	}
	num := func(k string) *big.Int { return new(big.Int).SetBytes(unhex(t, v[k])) }
	pk := rsa.PublicKey{N: num("n"), E: int(num("e").Int64())}
	sk := &rsa.PrivateKey{PublicKey: pk, D: num("d"), Primes: []*big.Int{num("p"), num("q")}}
	sk.Precompute()
	msg := unhex(t, v["msg"])
	em, err := emsaPSSEncodeZero(msg, pk.N.BitLen()-1)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(em, unhex(t, v["encoded_msg"])) {
		t.Fatal("EMSA-PSS encoding differs from the vector")
	}
	// r = inv⁻¹ mod n, fed as the randomness.
	rr := new(big.Int).ModInverse(num("inv"), pk.N)
	blinded, state, err := Blind(bytes.NewReader(rr.FillBytes(make([]byte, 512))), &pk, msg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(blinded, unhex(t, v["blinded_msg"])) {
		t.Fatal("blinded message differs from the vector")
	}
	if !bytes.Equal(state.Inverse, num("inv").FillBytes(make([]byte, 512))) {
		t.Fatal("state inverse differs from the vector")
	}
	bsig, err := BlindSign(sk, blinded)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bsig, unhex(t, v["blind_sig"])) {
		t.Fatal("blind signature differs from the vector")
	}
	if err := CheckBlindSig(&pk, blinded, bsig); err != nil {
		t.Fatal(err)
	}
	sig, err := Finalize(&pk, state, bsig)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sig, unhex(t, v["sig"])) {
		t.Fatal("signature differs from the vector")
	}
	if err := VerifyCredential(&pk, msg, sig); err != nil {
		t.Fatal(err)
	}
}

// TestParseCredentialKey: size, exponent, type and canonical DER.
func TestParseCredentialKey(t *testing.T) {
	sk := testCredKey(t)
	der, _ := MarshalCredentialKey(&sk.PublicKey)
	if _, err := ParseCredentialKey(append(append([]byte(nil), der...), 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
	e3 := rsa.PublicKey{N: sk.N, E: 3}
	d3, _ := x509.MarshalPKIXPublicKey(&e3)
	if _, err := ParseCredentialKey(d3); err == nil {
		t.Fatal("e = 3 accepted")
	}
	small := rsa.PublicKey{N: new(big.Int).Rsh(sk.N, 1100), E: credentialE}
	ds, _ := x509.MarshalPKIXPublicKey(&small)
	if _, err := ParseCredentialKey(ds); err == nil {
		t.Fatal("948-bit key accepted")
	}
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), seeded("ec"))
	de, _ := x509.MarshalPKIXPublicKey(&ek.PublicKey)
	if _, err := ParseCredentialKey(de); err == nil {
		t.Fatal("ECDSA key accepted")
	}
	if _, err := NewCredentialKey(seeded("x"), 1024); err == nil {
		t.Fatal("1024-bit key generated")
	}
}
