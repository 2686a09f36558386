package main

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeygen(t *testing.T) {
	p := filepath.Join(t.TempDir(), "dev.key")
	var out, errOut bytes.Buffer
	if err := run([]string{"keygen", "--out", p}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	pub, err := hex.DecodeString(strings.TrimSpace(out.String()))
	if err != nil || len(pub) != 32 {
		t.Fatalf("keygen printed %q, want 64 hex characters", out.String())
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", fi.Mode(), err)
	}
	if err := run([]string{"keygen", "--out", p}, &out, &errOut); err == nil {
		t.Error("keygen over an existing key succeeded")
	}
}

func TestUsageErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	for _, args := range [][]string{nil, {"bogus"}, {"keygen"}, {"run"}, {"run", "--config", "/nonexistent.yaml"}, {"run", "--config", "x", "--log-level", "loud"}} {
		if err := run(args, &out, &errOut); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}
