package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/chain/wallet"
)

// TestWalletPIN: the PIN comes from --pin-file or the environment, never
// a flag value; a wrong PIN opens nothing; no command prints the PIN or
// the seed; request writes fresh slot keys and, with --card, the device
// key init printed. No node is needed.
func TestWalletPIN(t *testing.T) {
	home := t.TempDir()
	const node = "http://127.0.0.1:1" // never dialled
	pinFile := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(pinFile, []byte("7302-park\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envWalletPIN, "")
	if _, err := cli(t, home, node, "wallet", "init"); err == nil || !strings.Contains(err.Error(), "--pin-file") {
		t.Fatalf("init without a PIN: got %v, want an error naming --pin-file", err)
	}
	if _, err := cli(t, home, node, "wallet", "init", "--pin", "1234"); err == nil || !strings.Contains(err.Error(), "unknown flag") {
		t.Fatalf("init --pin: got %v, want an unknown flag", err)
	}
	out := mustCLI(t, home, node, "wallet", "init", "--pin-file", pinFile, "-o", "json")
	var ini struct {
		Wallet    string     `json:"wallet"`
		DeviceKey tx.PubKey  `json:"device_key"`
		Identity  tx.Address `json:"identity"`
	}
	decodeCLI(t, out, &ini)
	if ini.Wallet != filepath.Join(home, "wallet.json") || ini.DeviceKey.Address() != ini.Identity {
		t.Fatalf("init: %s", out)
	}

	// The environment's PIN, and a wrong one.
	t.Setenv(envWalletPIN, "7302-park")
	show := mustCLI(t, home, node, "wallet", "show")
	t.Setenv(envWalletPIN, "0000-none")
	if _, err := cli(t, home, node, "wallet", "show"); !errors.Is(err, wallet.ErrWrongPIN) {
		t.Fatalf("show with a wrong PIN: got %v, want ErrWrongPIN", err)
	}
	t.Setenv(envWalletPIN, "")
	req := filepath.Join(t.TempDir(), "request.json")
	mustCLI(t, home, node, "wallet", "request", "--copies", "3", "--card", "--out", req, "--pin-file", pinFile)
	var r struct {
		HolderKeys []tx.PubKey `json:"holder_keys"`
		DeviceKey  tx.PubKey   `json:"device_key"`
	}
	b, err := os.ReadFile(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.HolderKeys) != 3 || r.DeviceKey.String() != ini.DeviceKey.String() {
		t.Fatalf("request: %s, want 3 holder keys and the device key %s", b, ini.DeviceKey)
	}
	out = mustCLI(t, home, node, "wallet", "show", "--pin-file", pinFile, "-o", "json")
	raw, err := os.ReadFile(filepath.Join(home, "wallet.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{show, out, string(raw)} {
		if strings.Contains(s, "7302-park") || strings.Contains(s, `"seed"`) {
			t.Fatalf("the PIN or the seed is printed or stored in clear: %s", s)
		}
	}
	if !strings.Contains(show, "device key "+ini.DeviceKey.String()) || !strings.Contains(show, "(not registered)") {
		t.Fatalf("show: %s", show)
	}
	// A printed token needs a token copy from the office.
	if _, err := cli(t, home, node, "wallet", "token", "--pin-file", pinFile); err == nil || !strings.Contains(err.Error(), "0 printed tokens") {
		t.Fatalf("token without a token copy: got %v", err)
	}
}
