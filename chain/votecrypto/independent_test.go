package votecrypto

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestIndependentVerifier runs docs/examples/voting_verify.py, a verifier
// written in Python from docs/voting-verification.md alone, over the test
// vectors: it must find them clean, and must find a changed result and a
// changed ballot proof. It shows the document is precise enough for an
// outsider's verifier. CI installs python3 (.ci/test-deps.sh); elsewhere
// the test is skipped without it.
func TestIndependentVerifier(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("python3 not found: .ci/test-deps.sh installs it for CI")
		}
		t.Skip("python3 not found")
	}
	script := filepath.Join("..", "..", "docs", "examples", "voting_verify.py")
	vectors := filepath.Join("..", "..", "docs", "voting-vectors.json")
	run := func(file string) (string, error) {
		out, err := exec.Command(py, script, file).CombinedOutput()
		return string(out), err
	}
	out, err := run(vectors)
	if err != nil || !strings.HasSuffix(strings.TrimSpace(out), "clean") || strings.Contains(out, "FAIL") {
		t.Fatalf("the vectors: %v\n%s", err, out)
	}

	raw, err := os.ReadFile(vectors)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, want string
		change     func(v map[string]any)
	}{
		{"a changed result", "FAIL option 1: B − Σλ·D = 2·G", func(v map[string]any) {
			e := v["election"].(map[string]any)["election"].(map[string]any)
			e["result"].([]any)[1] = 2
		}},
		{"a changed ballot proof", "FAIL ballot 2: option and sum proofs", func(v map[string]any) {
			b := v["election"].(map[string]any)["ballots"].([]any)[1].(map[string]any)["ballot"].(map[string]any)
			br := b["choices"].([]any)[0].(map[string]any)["proof"].([]any)[0].(map[string]any)
			br["r"] = br["c"]
		}},
	} {
		var v map[string]any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		tc.change(v)
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(t.TempDir(), "vectors.json")
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := run(f)
		if err == nil || !strings.Contains(out, tc.want) || !strings.HasSuffix(strings.TrimSpace(out), "PROBLEMS FOUND") {
			t.Errorf("%s: want exit 1 and %q; got %v\n%s", tc.name, tc.want, err, out)
		}
	}
}
