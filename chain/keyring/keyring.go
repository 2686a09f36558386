// Package keyring stores account keys in a directory, one JSON file per key
// (mode 0600): {"name","address","pubkey","seed"} where seed is the 32-byte
// ed25519 seed in hex. It is for devnets, tests and operators' own keys; a
// production signer would keep keys in an HSM.
package keyring

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/citychain/citychain/chain/tx"
)

// ErrNotFound is returned for a key name that is not in the keyring.
var ErrNotFound = errors.New("key not found")

// Key is one stored key.
type Key struct {
	Name    string             `json:"name"`
	Address tx.Address         `json:"address"`
	PubKey  tx.PubKey          `json:"pubkey"`
	Seed    string             `json:"seed"`
	Private ed25519.PrivateKey `json:"-"`
}

// Keyring is a directory of keys.
type Keyring struct {
	dir string
}

// Open returns the keyring in dir, creating the directory if needed.
func Open(dir string) (*Keyring, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open keyring %s: %w", dir, err)
	}
	return &Keyring{dir: dir}, nil
}

// Dir returns the keyring directory.
func (k *Keyring) Dir() string { return k.dir }

func validName(name string) error {
	if name == "" || len(name) > 64 || strings.ContainsAny(name, `/\. `) {
		return fmt.Errorf("key name %q: want 1 to 64 characters without '/', '\\', '.' or spaces", name)
	}
	return nil
}

func (k *Keyring) path(name string) string { return filepath.Join(k.dir, name+".json") }

// Add creates a new random key named name; it fails if the name is taken.
func (k *Keyring) Add(name string) (*Key, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return k.Import(name, seed)
}

// Import stores the key with the given seed under name.
func (k *Keyring) Import(name string, seed []byte) (*Key, error) {
	if err := validName(name); err != nil {
		return nil, err
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("key %q: seed is %d bytes, want %d", name, len(seed), ed25519.SeedSize)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	key := &Key{Name: name, Address: tx.AddressOf(pub), PubKey: tx.PubKey(pub), Seed: hex.EncodeToString(seed), Private: priv}
	b, err := json.MarshalIndent(key, "", "  ")
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(k.path(name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("key %q already exists in %s", name, k.dir)
		}
		return nil, fmt.Errorf("write key %q: %w", name, err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return nil, fmt.Errorf("write key %q: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("sync key %q: %w", name, err)
	}
	return key, f.Close()
}

// Get loads the key named name.
func (k *Keyring) Get(name string) (*Key, error) {
	if err := validName(name); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(k.path(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %q in %s", ErrNotFound, name, k.dir)
	}
	if err != nil {
		return nil, fmt.Errorf("read key %q: %w", name, err)
	}
	var key Key
	if err := json.Unmarshal(b, &key); err != nil {
		return nil, fmt.Errorf("key file %s: %w", k.path(name), err)
	}
	seed, err := hex.DecodeString(key.Seed)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("key file %s: seed: want %d hex bytes", k.path(name), ed25519.SeedSize)
	}
	key.Private = ed25519.NewKeyFromSeed(seed)
	if tx.AddressOf(key.Private.Public().(ed25519.PublicKey)) != key.Address {
		return nil, fmt.Errorf("key file %s: address does not match the seed", k.path(name))
	}
	return &key, nil
}

// List returns every key, sorted by name.
func (k *Keyring) List() ([]*Key, error) {
	entries, err := os.ReadDir(k.dir)
	if err != nil {
		return nil, fmt.Errorf("list keyring %s: %w", k.dir, err)
	}
	var out []*Key
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() {
			continue
		}
		key, err := k.Get(name)
		if err != nil {
			return nil, err
		}
		out = append(out, key)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Resolve turns a key name or a hex address into an address.
func (k *Keyring) Resolve(nameOrAddr string) (tx.Address, error) {
	if a, err := tx.ParseAddress(nameOrAddr); err == nil {
		return a, nil
	}
	key, err := k.Get(nameOrAddr)
	if err != nil {
		return tx.Address{}, fmt.Errorf("%q is neither an address (40 hex characters) nor a key in %s", nameOrAddr, k.dir)
	}
	return key.Address, nil
}
