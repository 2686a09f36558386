// Package keyfile creates and loads device signing keys.
//
// Format: a text file, mode 0600, whose only non-comment line is the
// 32-byte ed25519 seed in lowercase hex (64 characters). Lines starting
// with '#' are comments; Generate writes one naming the public key.
package keyfile

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/citychain/citychain/edge/atomicfile"
)

// Generate creates a new key at path (which must not exist yet) and returns
// its public key.
func Generate(path string) (ed25519.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	if err := write(path, priv.Seed(), pub); err != nil {
		return nil, err
	}
	return pub, nil
}

func write(path string, seed []byte, pub ed25519.PublicKey) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create key file: %w", err)
	}
	text := fmt.Sprintf("# citychain device key: ed25519 seed (hex). Keep secret.\n# public %s\n%s\n",
		hex.EncodeToString(pub), hex.EncodeToString(seed))
	_, err = f.WriteString(text)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write key file %s: %w", path, err)
	}
	return atomicfile.SyncDir(filepath.Dir(path))
}

// ErrPermissions means the key file is readable by group or others.
var ErrPermissions = errors.New("key file is accessible by group or others (want mode 0600)")

// Load reads a key file. It refuses files that group or others can access.
func Load(path string) (ed25519.PrivateKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("load key %s (mode %04o): %w", path, fi.Mode().Perm(), ErrPermissions)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load key: %w", err)
	}
	var seedHex string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if seedHex != "" {
			return nil, fmt.Errorf("load key %s: more than one key line", path)
		}
		seedHex = line
	}
	seed, err := hex.DecodeString(seedHex)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("load key %s: want one line of %d hex characters (ed25519 seed)", path, 2*ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}
