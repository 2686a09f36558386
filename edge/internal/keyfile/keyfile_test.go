package keyfile

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestGenerateLoad(t *testing.T) {
	p := filepath.Join(t.TempDir(), "dev.key")
	pub, err := Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", fi.Mode(), err)
	}
	priv, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), pub) {
		t.Error("loaded key does not match the generated public key")
	}
	if _, err := Generate(p); err == nil {
		t.Error("Generate over an existing file succeeded")
	}
	os.Chmod(p, 0o644)
	if _, err := Load(p); !errors.Is(err, ErrPermissions) {
		t.Errorf("Load of a 0644 key: err = %v, want ErrPermissions", err)
	}
}

func TestLoadBad(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"empty": "", "short": "abcd\n", "two": "# c\n" + string(bytes.Repeat([]byte("ab"), 32)) + "\nab\n", "nothex": string(bytes.Repeat([]byte("zz"), 32)),
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o600)
		if _, err := Load(p); err == nil {
			t.Errorf("%s: Load succeeded", name)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}
