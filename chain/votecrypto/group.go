package votecrypto

import (
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"

	"github.com/citychain/citychain/chain/tx"
)

// HashPrefix starts the domain tag of every hash-to-scalar: the tag of
// hash name is HashPrefix + name (docs/voting-verification.md lists the
// names and the parts each one hashes).
const HashPrefix = "citychain/vote/v1/"

// Names of the hash-to-scalar functions (the tag is HashPrefix + name).
const (
	HashPoK    = "pok"    // Schnorr proof of knowledge: ctx, X, T
	HashDLEQ   = "dleq"   // Chaum-Pedersen: ctx, H, X, Z, A1, A2
	HashOption = "option" // option proof: ctx, option, Y, A, B, a0, b0, a1, b1
	HashSum    = "sum"    // sum proof: ctx, min, max, Y, every A_i, B_i, every a_k, b_k
	HashShare  = "share"  // DKG share pad: ctx, E, R, K
	HashBatch  = "batch"  // batch seed of a ballot: ctx, Y, BallotBytes
	HashBatchZ = "batch_z"
	hashSecret = "secret" // not a proof hash: see NewSecret
)

// ErrBadComplaint is returned by JudgeComplaint when the complaint's proof
// that K = x·R does not verify.
var ErrBadComplaint = errors.New("votecrypto: the complaint's proof that K = x·R does not verify")

var (
	// the group generator G (RFC 9496's basepoint) and its precomputed
	// forms.
	gen         = curve.RISTRETTO_BASEPOINT_POINT
	genExpanded = curve.NewExpandedRistrettoPoint(curve.RISTRETTO_BASEPOINT_POINT)
	genTable    = curve.RISTRETTO_BASEPOINT_TABLE
)

// Generator returns the encoding of the group generator G.
func Generator() tx.Elem { return tx.Elem(*curve.RISTRETTO_BASEPOINT_COMPRESSED) }

// HashToScalar is the package's one hash to a scalar: SHA-512 over
// u32(len(tag)) ‖ tag ‖ u32(len(part)) ‖ part ‖ … (lengths 4 bytes big
// endian, tag = HashPrefix + name), the 64-byte digest read little endian
// and reduced mod ℓ.
func HashToScalar(name string, parts ...[]byte) Secret {
	var out Secret
	_ = hashScalar(name, parts...).ToBytes(out[:])
	return out
}

func hashScalar(name string, parts ...[]byte) *scalar.Scalar {
	h := sha512.New()
	var l [4]byte
	tag := HashPrefix + name
	binary.BigEndian.PutUint32(l[:], uint32(len(tag)))
	h.Write(l[:])
	h.Write([]byte(tag))
	for _, p := range parts {
		binary.BigEndian.PutUint32(l[:], uint32(len(p)))
		h.Write(l[:])
		h.Write(p)
	}
	var d [64]byte
	h.Sum(d[:0])
	s, err := scalar.NewFromBytesModOrderWide(d[:])
	if err != nil { // cannot happen: 64 bytes
		panic(err)
	}
	return s
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// appendLP appends u32(len(p)) ‖ p.
func appendLP(b []byte, p []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(p)))
	return append(b, p...)
}

// ---- encodings ----

// decodePoint decodes a canonical encoding (the identity allowed).
func decodePoint(e tx.Elem) (*curve.RistrettoPoint, error) {
	c := curve.CompressedRistretto(e)
	var p curve.RistrettoPoint
	if _, err := p.SetCompressed(&c); err != nil {
		return nil, fmt.Errorf("%s is not a canonical ristretto255 encoding", e)
	}
	return &p, nil
}

// decodeKey decodes a canonical encoding of a point other than the
// identity (whose only encoding is 32 zero bytes).
func decodeKey(e tx.Elem) (*curve.RistrettoPoint, error) {
	if e == (tx.Elem{}) {
		return nil, errors.New("the identity point where a key or commitment is expected")
	}
	return decodePoint(e)
}

// ValidPoint reports whether e is a canonical ristretto255 encoding of a
// point other than the identity.
func ValidPoint(e tx.Elem) bool {
	_, err := decodeKey(e)
	return err == nil
}

// ValidScalar reports whether e is a canonical scalar (below ℓ).
func ValidScalar(e tx.Elem) bool {
	_, err := decodeScalar(e)
	return err == nil
}

func encodePoint(p *curve.RistrettoPoint) tx.Elem {
	var c curve.CompressedRistretto
	c.SetRistrettoPoint(p)
	return tx.Elem(c)
}

func decodeScalar(e tx.Elem) (*scalar.Scalar, error) {
	s, err := scalar.NewFromCanonicalBytes(e[:])
	if err != nil {
		return nil, fmt.Errorf("%s is not a canonical scalar (below the group order)", e)
	}
	return s, nil
}

func encodeScalar(s *scalar.Scalar) tx.Elem {
	var e tx.Elem
	_ = s.ToBytes(e[:])
	return e
}

// scalarOf returns s as a scalar, reduced mod ℓ if it is not canonical.
func (s Secret) scalar() *scalar.Scalar {
	x, err := scalar.NewFromBytesModOrder(s[:])
	if err != nil { // cannot happen: 32 bytes
		panic(err)
	}
	return x
}

func secretOf(s *scalar.Scalar) Secret {
	var out Secret
	_ = s.ToBytes(out[:])
	return out
}

// randomScalar reads 64 bytes from rand and reduces them mod ℓ, again
// until the result is not zero.
func randomScalar(rand io.Reader) (*scalar.Scalar, error) {
	if rand == nil {
		return nil, errors.New("votecrypto: no randomness source")
	}
	var b [64]byte
	for i := 0; i < 16; i++ {
		if _, err := io.ReadFull(rand, b[:]); err != nil {
			return nil, fmt.Errorf("votecrypto: reading randomness: %w", err)
		}
		s, err := scalar.NewFromBytesModOrderWide(b[:])
		if err != nil {
			return nil, err
		}
		if s.Equal(scalar.New()) == 0 {
			return s, nil
		}
	}
	return nil, errors.New("votecrypto: the randomness source returns zeros")
}

// NewSecret draws a uniform non-zero scalar from rand: 64 bytes read
// little endian, reduced mod ℓ.
func NewSecret(rand io.Reader) (Secret, error) {
	s, err := randomScalar(rand)
	if err != nil {
		return Secret{}, err
	}
	return secretOf(s), nil
}

// Public returns s·G (s reduced mod ℓ if it is not canonical).
func (s Secret) Public() tx.Elem {
	var p curve.RistrettoPoint
	p.MulBasepoint(genTable, s.scalar())
	return encodePoint(&p)
}

// Elem returns the secret's 32 bytes as a tx.Elem.
func (s Secret) Elem() tx.Elem { return tx.Elem(s) }

// MarshalJSON writes the secret as 64 lowercase hex characters (as
// tx.Elem).
func (s Secret) MarshalJSON() ([]byte, error) { return tx.Elem(s).MarshalJSON() }

// UnmarshalJSON reads 64 lowercase hex characters.
func (s *Secret) UnmarshalJSON(b []byte) error { return (*tx.Elem)(s).UnmarshalJSON(b) }

// ScalarMulBase returns k·G for a small integer k (k may be 0: the
// identity).
func ScalarMulBase(k uint64) tx.Elem {
	var p curve.RistrettoPoint
	p.MulBasepoint(genTable, scalar.NewFromUint64(k))
	return encodePoint(&p)
}

// pointsEqual compares two points.
func pointsEqual(a, b *curve.RistrettoPoint) bool { return a.Equal(b) == 1 }

// ---- contexts ----

func context(kind, chainID string, election uint64, rest ...[]byte) []byte {
	b := appendLP(nil, []byte(kind))
	b = appendLP(b, []byte(chainID))
	b = binary.BigEndian.AppendUint64(b, election)
	for _, r := range rest {
		b = append(b, r...)
	}
	return b
}

// KeyContext and DealContext are the contexts of the trustee's proofs of
// knowledge (of its DKG key, of its a_0): lp(kind) ‖ lp(chain id) ‖
// u64(election) ‖ u32(trustee), kind "dkg_key" or "dkg_deal", lp(x) =
// u32(len(x)) ‖ x.
func KeyContext(chainID string, election uint64, trustee uint32) []byte {
	return context("dkg_key", chainID, election, u32(trustee))
}

// DealContext: see KeyContext.
func DealContext(chainID string, election uint64, trustee uint32) []byte {
	return context("dkg_deal", chainID, election, u32(trustee))
}

// ShareContext is the context of the pad of dealer's share to trustee
// to: lp("dkg_share") ‖ lp(chain id) ‖ u64(election) ‖ u32(dealer) ‖
// u32(to).
func ShareContext(chainID string, election uint64, dealer, to uint32) []byte {
	return context("dkg_share", chainID, election, u32(dealer), u32(to))
}

// ComplaintContext is the context of a complaint's DLEQ proof:
// lp("dkg_complaint") ‖ lp(chain id) ‖ u64(election) ‖ u32(dealer) ‖
// u32(complainer).
func ComplaintContext(chainID string, election uint64, dealer, complainer uint32) []byte {
	return context("dkg_complaint", chainID, election, u32(dealer), u32(complainer))
}

// DecryptContext is the context of trustee j's decryption share of an
// option: lp("decrypt") ‖ lp(chain id) ‖ u64(election) ‖ u32(j) ‖
// u32(option).
func DecryptContext(chainID string, election uint64, j uint32, option int) []byte {
	return context("decrypt", chainID, election, u32(j), u32(uint32(option)))
}

// BallotContext is the context of a ballot's proofs: lp("ballot") ‖
// lp(chain id) ‖ u64(election) ‖ lp(ballot key).
func BallotContext(chainID string, election uint64, ballotKey []byte) []byte {
	return context("ballot", chainID, election, appendLP(nil, ballotKey))
}
