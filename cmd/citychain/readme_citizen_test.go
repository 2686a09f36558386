package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/cmd/citychain/devnet"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// TestREADMECitizenWalkThrough runs the README's citizen-services lines
// (between <!-- citizen:begin --> and <!-- citizen:end -->) as written, on
// a devnet where the citizen story has run: each `cc ...` line in-process
// with the devnet's home, in a scratch directory. A line whose comment says
// REFUSED or "refused by" must fail; every other line must succeed.
func TestREADMECitizenWalkThrough(t *testing.T) {
	root, err := local.FindRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "<!-- citizen:begin -->\n")
	block, _, ok2 := strings.Cut(rest, "<!-- citizen:end -->")
	if !ok || !ok2 {
		t.Fatal("README.md: no citizen block")
	}
	home, rpc := startDevnet(t)
	c, err := client.New(rpc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := devnet.PlayCitizenStory(ctx, home, c, io.Discard, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	// The lines name the devnet's genesis as .tmp/devnet/config/genesis.json
	// (the trust root of --trust-genesis), relative to the repository.
	t.Chdir(t.TempDir())
	if err := os.MkdirAll(filepath.Join(".tmp", "devnet", "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(home, "config", "genesis.json"), filepath.Join(".tmp", "devnet", "config", "genesis.json")); err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, line := range strings.Split(block, "\n") {
		code, comment, _ := strings.Cut(line, " #")
		code = strings.TrimSpace(code)
		switch {
		case code == "", strings.HasPrefix(code, "```"), strings.HasPrefix(code, "cc()"):
			continue
		case strings.HasPrefix(code, "export "):
			k, v, _ := strings.Cut(strings.TrimPrefix(code, "export "), "=")
			t.Setenv(k, v)
			continue
		case !strings.HasPrefix(code, "cc "):
			t.Fatalf("README citizen block: line %q is neither cc nor export", line)
		}
		args, err := shellWords(strings.TrimPrefix(code, "cc "))
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		lines++
		out, err := cli(t, home, rpc, args...)
		refused := strings.Contains(comment, "REFUSED") || strings.Contains(comment, "refused by")
		switch {
		case refused && err == nil:
			t.Errorf("%s: succeeded, the README says it is refused\n%s", code, out)
		case !refused && err != nil:
			t.Fatalf("%s: %v\n%s", code, err, out)
		}
		t.Logf("%s -> %v\n%s", code, err, out)
	}
	if lines < 10 {
		t.Fatalf("README citizen block: %d commands", lines)
	}
}

// shellWords splits a command line as sh would for the README's lines:
// spaces separate words, double and single quotes group them.
func shellWords(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	in, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, os.ErrInvalid
	}
	if in {
		out = append(out, cur.String())
	}
	return out, nil
}
