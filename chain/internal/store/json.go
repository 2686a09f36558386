package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// GetJSON unmarshals the value at key into v and reports whether the key
// holds a value. A value that does not unmarshal is a broken store, which is
// fatal: GetJSON panics.
func GetJSON(kv KV, key []byte, v any) bool {
	b := kv.Get(key)
	if b == nil {
		return false
	}
	if err := json.Unmarshal(b, v); err != nil {
		panic(fmt.Errorf("store: corrupt value at %x: %w", key, err))
	}
	return true
}

// DecodeJSON unmarshals b, a value read from the store (while iterating,
// say), into v; it panics when b does not unmarshal, as GetJSON does.
func DecodeJSON(b []byte, v any) {
	if err := json.Unmarshal(b, v); err != nil {
		panic(fmt.Errorf("store: corrupt value: %w", err))
	}
}

// PutJSON stores json.Marshal(v) at key. State values always marshal; one
// that does not is a programming error: PutJSON panics.
func PutJSON(kv KV, key []byte, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	kv.Set(key, b)
}

// GetUint64 returns the 8-byte big-endian counter at key, or 0 when the key
// holds no value. A value of another length is a broken store: GetUint64
// panics.
func GetUint64(kv KV, key []byte) uint64 {
	b := kv.Get(key)
	if b == nil {
		return 0
	}
	if len(b) != 8 {
		panic(fmt.Errorf("store: corrupt counter at %x", key))
	}
	return binary.BigEndian.Uint64(b)
}

// DecodeExact unmarshals a stored JSON value into v for an export, and fails
// unless v marshals back to the same bytes: the value an import will write.
func DecodeExact(value []byte, v any) error {
	if err := json.Unmarshal(value, v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if !bytes.Equal(b, value) {
		return fmt.Errorf("stored value %s does not encode back to itself (%s)", value, b)
	}
	return nil
}
