package votecrypto

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/cloudflare/circl/blindsign/blindrsa"
)

// CredentialVariant is the RFC 9474 variant of the voting credentials:
// RSABSSA-SHA384-PSSZERO-Deterministic (SHA-384, MGF1-SHA-384, salt
// length 0, no message randomizer): a credential is the RSA-PSS signature
// of VotingCredentialMessage itself.
const CredentialVariant = blindrsa.SHA384PSSZeroDeterministic

// credentialE is the only public exponent accepted.
const credentialE = 65537

// NewCredentialKey generates the commission's RSA key for one weight class
// (e = 65537, 2048 to 4096 bits). It calls crypto/rsa.GenerateKey, which
// since Go 1.26 draws from the system's secure source whatever rand is
// (unless GODEBUG cryptocustomrand=1).
func NewCredentialKey(rand io.Reader, bits int) (*rsa.PrivateKey, error) {
	if bits < 2048 || bits > 4096 {
		return nil, fmt.Errorf("credential key of %d bits: want 2048 to 4096", bits)
	}
	return rsa.GenerateKey(rand, bits)
}

// MarshalCredentialKey encodes a public key as PKIX DER.
func MarshalCredentialKey(pk *rsa.PublicKey) ([]byte, error) {
	if pk == nil || pk.N == nil {
		return nil, errors.New("no public key")
	}
	return x509.MarshalPKIXPublicKey(pk)
}

// ParseCredentialKey decodes PKIX DER and checks 2048 to 4096 bits and
// e = 65537. The DER must be canonical (re-encoding gives the same bytes).
func ParseCredentialKey(der []byte) (*rsa.PublicKey, error) {
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("credential key: %v", err)
	}
	pk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("credential key: a %T, want an RSA key", k)
	}
	if b := pk.N.BitLen(); b < 2048 || b > 4096 {
		return nil, fmt.Errorf("credential key: %d-bit modulus, want 2048 to 4096", b)
	}
	if pk.E != credentialE {
		return nil, fmt.Errorf("credential key: exponent %d, want %d", pk.E, credentialE)
	}
	re, err := x509.MarshalPKIXPublicKey(pk)
	if err != nil || !bytes.Equal(re, der) {
		return nil, errors.New("credential key: DER is not in canonical form")
	}
	return pk, nil
}

func modulusLen(pk *rsa.PublicKey) int { return (pk.N.BitLen() + 7) / 8 }

// emsaPSSEncodeZero is EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with SHA-384,
// MGF1-SHA-384 and an empty salt, for emBits = bit length of n − 1.
func emsaPSSEncodeZero(msg []byte, emBits int) ([]byte, error) {
	const hLen = sha512.Size384
	emLen := (emBits + 7) / 8
	if emLen < hLen+2 {
		return nil, errors.New("modulus too short")
	}
	mHash := sha512.Sum384(msg)
	var mp [8 + hLen]byte // 8 zero bytes ‖ mHash ‖ (empty salt)
	copy(mp[8:], mHash[:])
	h := sha512.Sum384(mp[:])
	em := make([]byte, emLen)
	db := em[:emLen-hLen-1]
	db[len(db)-1] = 0x01 // PS (zeros) ‖ 0x01 ‖ (empty salt)
	// db ^= MGF1(h, len(db))
	var counter [4]byte
	for done := 0; done < len(db); {
		d := sha512.New384()
		d.Write(h[:])
		d.Write(counter[:])
		mask := d.Sum(nil)
		for i := 0; i < len(mask) && done < len(db); i++ {
			db[done] ^= mask[i]
			done++
		}
		for i := 3; i >= 0; i-- {
			counter[i]++
			if counter[i] != 0 {
				break
			}
		}
	}
	db[0] &= 0xff >> (8*emLen - emBits)
	copy(em[emLen-hLen-1:], h[:])
	em[emLen-1] = 0xbc
	return em, nil
}

// Blind blinds msg for pk (RFC 9474 §4.2 Blind, the deterministic PSSZERO
// variant): encoded = EMSA-PSS-ENCODE(msg), r uniform in [1, n) from rand
// (k bytes at a time, the top bits above n's masked, rejected if ≥ n or
// 0 or not invertible), blinded = encoded · r^e mod n (k bytes). The state
// keeps r⁻¹ and msg to finalize the signature.
func Blind(rand io.Reader, pk *rsa.PublicKey, msg []byte) (blinded []byte, state BlindState, err error) {
	if pk == nil || pk.N == nil || pk.N.Sign() <= 0 {
		return nil, BlindState{}, errors.New("no public key")
	}
	em, err := emsaPSSEncodeZero(msg, pk.N.BitLen()-1)
	if err != nil {
		return nil, BlindState{}, err
	}
	m := new(big.Int).SetBytes(em)
	if new(big.Int).GCD(nil, nil, m, pk.N).Cmp(big.NewInt(1)) != 0 {
		return nil, BlindState{}, errors.New("encoded message not coprime to the modulus")
	}
	k := modulusLen(pk)
	excess := uint(8*k - pk.N.BitLen())
	buf := make([]byte, k)
	var r, rInv *big.Int
	for tries := 0; ; tries++ {
		if tries == 128 {
			return nil, BlindState{}, errors.New("randomness source gives no usable blinding factor")
		}
		if rand == nil {
			return nil, BlindState{}, errors.New("votecrypto: no randomness source")
		}
		if _, err := io.ReadFull(rand, buf); err != nil {
			return nil, BlindState{}, fmt.Errorf("votecrypto: reading randomness: %w", err)
		}
		buf[0] &= 0xff >> excess
		r = new(big.Int).SetBytes(buf)
		if r.Sign() == 0 || r.Cmp(pk.N) >= 0 {
			continue
		}
		if rInv = new(big.Int).ModInverse(r, pk.N); rInv != nil {
			break
		}
	}
	x := new(big.Int).Exp(r, big.NewInt(int64(pk.E)), pk.N)
	z := x.Mul(x, m)
	z.Mod(z, pk.N)
	blinded = z.FillBytes(make([]byte, k))
	return blinded, BlindState{Inverse: rInv.FillBytes(make([]byte, k)), Message: append([]byte(nil), msg...)}, nil
}

// BlindState is what unblinding needs (kept by the voter until issued).
type BlindState struct {
	Inverse []byte `json:"inverse"` // r⁻¹ mod n, big-endian
	Salt    []byte `json:"salt,omitempty"`
	Message []byte `json:"message"`
}

// Finalize unblinds the commission's blind signature into the credential
// (sig = blindSig · r⁻¹ mod n, k bytes) and verifies it.
func Finalize(pk *rsa.PublicKey, state BlindState, blindSig []byte) ([]byte, error) {
	if pk == nil || pk.N == nil {
		return nil, errors.New("no public key")
	}
	if len(state.Salt) != 0 {
		return nil, errors.New("blind state has a salt: the PSSZERO variant has none")
	}
	k := modulusLen(pk)
	if len(blindSig) != k {
		return nil, fmt.Errorf("blind signature of %d bytes, want %d", len(blindSig), k)
	}
	z := new(big.Int).SetBytes(blindSig)
	inv := new(big.Int).SetBytes(state.Inverse)
	if z.Cmp(pk.N) >= 0 || inv.Sign() == 0 || inv.Cmp(pk.N) >= 0 {
		return nil, errors.New("blind signature or blinding inverse not below the modulus")
	}
	s := z.Mul(z, inv)
	s.Mod(s, pk.N)
	sig := s.FillBytes(make([]byte, k))
	if err := VerifyCredential(pk, state.Message, sig); err != nil {
		return nil, fmt.Errorf("unblinded credential: %w", err)
	}
	return sig, nil
}

// BlindSign signs a blinded message (the commission): blinded^d mod n,
// with circl's fault check.
func BlindSign(sk *rsa.PrivateKey, blinded []byte) ([]byte, error) {
	if sk == nil {
		return nil, errors.New("no private key")
	}
	if err := CheckBlinded(&sk.PublicKey, blinded); err != nil {
		return nil, err
	}
	return blindrsa.NewSigner(sk).BlindSign(blinded)
}

// belowModulus reads b as a k-byte big-endian integer below n.
func belowModulus(pk *rsa.PublicKey, b []byte, what string) (*big.Int, error) {
	if k := modulusLen(pk); len(b) != k {
		return nil, fmt.Errorf("%s of %d bytes, want %d (the modulus length)", what, len(b), k)
	}
	v := new(big.Int).SetBytes(b)
	if v.Cmp(pk.N) >= 0 {
		return nil, fmt.Errorf("%s is not below the modulus", what)
	}
	return v, nil
}

// CheckBlinded checks a blinded message's form: modulus length, below n,
// not zero.
func CheckBlinded(pk *rsa.PublicKey, blinded []byte) error {
	if pk == nil || pk.N == nil {
		return errors.New("no public key")
	}
	v, err := belowModulus(pk, blinded, "blinded message")
	if err != nil {
		return err
	}
	if v.Sign() == 0 {
		return errors.New("blinded message is zero")
	}
	return nil
}

// CheckBlindSig checks sig^e mod n = blinded (both k bytes, below n).
func CheckBlindSig(pk *rsa.PublicKey, blinded, sig []byte) error {
	if err := CheckBlinded(pk, blinded); err != nil {
		return err
	}
	s, err := belowModulus(pk, sig, "blind signature")
	if err != nil {
		return err
	}
	b := new(big.Int).SetBytes(blinded)
	if s.Exp(s, big.NewInt(int64(pk.E)), pk.N).Cmp(b) != 0 {
		return errors.New("blind signature: sig^e mod n is not the blinded message")
	}
	return nil
}

// VerifyCredential verifies a credential (an RSA-PSS signature, RFC 9474
// RSABSSA-SHA384-PSSZERO-Deterministic: SHA-384, MGF1-SHA-384, salt
// length 0) over msg; the signature is exactly k bytes.
func VerifyCredential(pk *rsa.PublicKey, msg, sig []byte) error {
	if pk == nil || pk.N == nil {
		return errors.New("no public key")
	}
	if _, err := belowModulus(pk, sig, "credential"); err != nil {
		return err
	}
	v, err := blindrsa.NewVerifier(CredentialVariant, pk)
	if err != nil {
		return err
	}
	if err := v.Verify(msg, sig); err != nil {
		return errors.New("credential: the RSA-PSS signature does not verify")
	}
	return nil
}
