// Package tx is the transaction contract of the citychain ledger: the signed
// envelope, its exact wire format and the messages of every module. It is
// imported by the chain, by clients (CLI, settlement, API) and may be
// re-implemented in any language from docs/transactions.md.
package tx

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/citychain/citychain/edge/signature"
)

// Wire-format constants. See docs/transactions.md.
const (
	// Version is the only envelope version this code accepts.
	Version byte = 1
	// MaxTxBytes bounds a whole encoded transaction.
	MaxTxBytes = 64 * 1024
	// MaxMsgs bounds the messages in one transaction.
	MaxMsgs = 64
	// MaxMemo bounds the memo in bytes.
	MaxMemo = 256
	// MaxChainID bounds the chain id in bytes.
	MaxChainID = 64
	headerLen  = 1 + 4
)

// SignDomain prefixes the body bytes to form the bytes that are signed, so a
// transaction signature can never be mistaken for any other signature made
// with the same key (device readings use a different tag).
var SignDomain = []byte("citychain/tx/v1\x00")

// Decoding errors, checked with errors.Is. The chain maps each to a stable
// code in the "tx" codespace.
var (
	ErrTooLarge     = errors.New("transaction too large")
	ErrMalformed    = errors.New("malformed transaction")
	ErrUnknownMsg   = errors.New("unknown message type")
	ErrBadSignature = errors.New("signature does not verify")
)

// Body is what the signer commits to.
type Body struct {
	ChainID  string `json:"chain_id"`
	Signer   PubKey `json:"signer"`
	Sequence uint64 `json:"sequence"`
	Msgs     []Any  `json:"msgs"`
	Memo     string `json:"memo,omitempty"`
}

// Any is a message with its type name, as it appears in the body.
type Any struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

// Tx is a decoded transaction: the body, the exact body bytes that were
// signed, the decoded messages and the signature.
type Tx struct {
	Body      Body
	BodyBytes []byte
	Msgs      []Msg
	Signature []byte
}

// Signer returns the signer's address.
func (t *Tx) Signer() Address { return t.Body.Signer.Address() }

// SignBytes returns the bytes an envelope signature covers.
func SignBytes(body []byte) []byte {
	out := make([]byte, 0, len(SignDomain)+len(body))
	return append(append(out, SignDomain...), body...)
}

// Build encodes the messages into a body for chainID, signs it with priv and
// returns the wire bytes.
func Build(priv ed25519.PrivateKey, chainID string, sequence uint64, memo string, msgs ...Msg) ([]byte, error) {
	body := Body{ChainID: chainID, Signer: PubKey(priv.Public().(ed25519.PublicKey)), Sequence: sequence, Memo: memo}
	for _, m := range msgs {
		v, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("encode message %s: %w", m.Type(), err)
		}
		body.Msgs = append(body.Msgs, Any{Type: m.Type(), Value: v})
	}
	bb, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	return Encode(bb, ed25519.Sign(priv, SignBytes(bb))), nil
}

// Encode frames body bytes and a signature: version (1 byte), body length
// (4 bytes, big-endian), body, 64-byte signature.
func Encode(body, sig []byte) []byte {
	out := make([]byte, headerLen, headerLen+len(body)+len(sig))
	out[0] = Version
	binary.BigEndian.PutUint32(out[1:5], uint32(len(body)))
	out = append(out, body...)
	return append(out, sig...)
}

// Hash is the transaction hash CometBFT indexes: SHA-256 of the wire bytes.
func Hash(raw []byte) [32]byte { return sha256.Sum256(raw) }

// Decode parses wire bytes strictly: exact framing, known version, the body
// as JSON with no unknown or duplicate fields and no trailing data, every
// message of a known type and valid on its own (ValidateBasic). It does not
// check the signature; call Verify.
func Decode(raw []byte) (*Tx, error) {
	if len(raw) > MaxTxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(raw), MaxTxBytes)
	}
	if len(raw) < headerLen+ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: %d bytes is shorter than the %d-byte minimum", ErrMalformed, len(raw), headerLen+ed25519.SignatureSize)
	}
	if raw[0] != Version {
		return nil, fmt.Errorf("%w: envelope version %d, want %d", ErrMalformed, raw[0], Version)
	}
	n := binary.BigEndian.Uint32(raw[1:5])
	if want := uint64(headerLen) + uint64(n) + ed25519.SignatureSize; want != uint64(len(raw)) {
		return nil, fmt.Errorf("%w: body length %d gives %d bytes, got %d", ErrMalformed, n, want, len(raw))
	}
	bodyBytes := raw[headerLen : headerLen+int(n)]
	t := &Tx{BodyBytes: bodyBytes, Signature: raw[headerLen+int(n):]}
	if err := strictUnmarshal(bodyBytes, &t.Body); err != nil {
		return nil, fmt.Errorf("%w: body: %v", ErrMalformed, err)
	}
	if err := t.Body.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	for i, a := range t.Body.Msgs {
		m, err := DecodeMsg(a.Type, a.Value)
		if err != nil {
			return nil, fmt.Errorf("message %d: %w", i, err)
		}
		t.Msgs = append(t.Msgs, m)
	}
	return t, nil
}

func (b *Body) validate() error {
	switch {
	case b.ChainID == "" || len(b.ChainID) > MaxChainID:
		return fmt.Errorf("chain_id %q: want 1 to %d bytes", b.ChainID, MaxChainID)
	case len(b.Signer) != ed25519.PublicKeySize:
		return fmt.Errorf("signer: want a %d-byte ed25519 public key", ed25519.PublicKeySize)
	case len(b.Msgs) == 0:
		return errors.New("msgs: want at least one message")
	case len(b.Msgs) > MaxMsgs:
		return fmt.Errorf("msgs: %d messages, limit %d", len(b.Msgs), MaxMsgs)
	case len(b.Memo) > MaxMemo:
		return fmt.Errorf("memo: %d bytes, limit %d", len(b.Memo), MaxMemo)
	}
	// The signer's key becomes its account's key: no small-order key, under
	// which anyone could sign for the account.
	return ValidatePubKey("signer", b.Signer)
}

// Verify checks the signature over the body with the signer's key, under
// the project's one rule (edge/signature: ZIP-215).
func (t *Tx) Verify() error {
	if !signature.Verify(t.Body.Signer, SignBytes(t.BodyBytes), t.Signature) {
		return fmt.Errorf("%w: signer %s", ErrBadSignature, t.Body.Signer.Address())
	}
	return nil
}

// DecodeMsg decodes one message value of the named type strictly and runs
// its ValidateBasic.
func DecodeMsg(typ string, value []byte) (Msg, error) {
	def, ok := msgIndex[typ]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownMsg, typ)
	}
	m := def.New()
	if err := strictUnmarshal(value, m); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, typ, err)
	}
	if err := m.ValidateBasic(); err != nil {
		return nil, &InvalidMsgError{Type: typ, Err: err}
	}
	return m, nil
}

// InvalidMsgError reports a message that decoded but is not valid on its own
// (a missing field, a zero amount...).
type InvalidMsgError struct {
	Type string
	Err  error
}

func (e *InvalidMsgError) Error() string { return fmt.Sprintf("invalid %s: %v", e.Type, e.Err) }
func (e *InvalidMsgError) Unwrap() error { return e.Err }

// strictUnmarshal decodes JSON rejecting unknown fields, duplicate keys,
// keys that are not lowercase ASCII (Go matches field names without regard
// to case, so "Chain_ID" would otherwise stand for "chain_id") and trailing
// data.
func strictUnmarshal(data []byte, v any) error {
	if err := checkNoDuplicateKeys(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// checkNoDuplicateKeys walks the JSON tokens and rejects an object that names
// a key twice, so every parser reads a signed body the same way.
func checkNoDuplicateKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		obj    bool
		keys   map[string]bool
		expect bool // next string token in an object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		isKey := top != nil && top.obj && top.expect
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, &frame{obj: true, keys: map[string]bool{}, expect: true})
			case '[':
				stack = append(stack, &frame{})
			case '}', ']':
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].obj {
					stack[len(stack)-1].expect = true
				}
			}
			continue
		case string:
			if isKey {
				if err := checkKey(v); err != nil {
					return err
				}
				if top.keys[v] {
					return fmt.Errorf("duplicate key %q", v)
				}
				top.keys[v] = true
				top.expect = false
				continue
			}
		}
		if top != nil && top.obj {
			top.expect = true
		}
	}
}

// checkKey accepts only the key spelling every field of the format uses:
// lowercase ASCII letters, digits and underscores.
func checkKey(k string) error {
	if k == "" {
		return errors.New("empty key")
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return fmt.Errorf("key %q: want lowercase letters, digits and '_' only", k)
		}
	}
	return nil
}
