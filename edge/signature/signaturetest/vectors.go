package signaturetest

import (
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Vector is one published ed25519 edge case: a key, a message and a
// signature, with the verdict a ZIP-215 verifier gives and, where
// published, the verdict of Go's crypto/ed25519.
type Vector struct {
	Name                       string
	PubKey, Message, Signature []byte
	ZIP215                     bool
	GoStdlib                   *bool
}

// The vectors, as published; each file names its source.
var (
	//go:embed testdata/zip215.json
	zip215JSON []byte
	//go:embed testdata/speccheck.json
	speccheckJSON []byte
)

// ZIP215Vectors are the 196 published ZIP-215 vectors
// (testdata/zip215.json): every pair of small-order points (A, R), in
// canonical and non-canonical encodings, with S = 0. All are valid under
// ZIP-215, for any message: [8]R and [8]kA are the identity.
func ZIP215Vectors() []Vector {
	var f struct {
		Message string `json:"message"`
		Vectors []struct {
			PubKey    string `json:"pub_key"`
			Signature string `json:"signature"`
		} `json:"vectors"`
	}
	mustDecode(zip215JSON, &f)
	out := make([]Vector, 0, len(f.Vectors))
	for i, v := range f.Vectors {
		out = append(out, Vector{Name: fmt.Sprintf("zip215/%d", i), PubKey: mustHex(v.PubKey), Message: []byte(f.Message),
			Signature: mustHex(v.Signature), ZIP215: true})
	}
	return out
}

// SpeccheckVectors are the 12 cases of "Taming the many EdDSAs"
// (testdata/speccheck.json), with the verdicts the paper gives for ZIP-215
// and for Go's crypto/ed25519; they differ on several.
func SpeccheckVectors() []Vector {
	var f struct {
		Cases []struct {
			Note      string `json:"note"`
			Message   string `json:"message"`
			PubKey    string `json:"pub_key"`
			Signature string `json:"signature"`
			ZIP215    bool   `json:"zip215"`
			GoStdlib  bool   `json:"go_stdlib"`
		} `json:"cases"`
	}
	mustDecode(speccheckJSON, &f)
	out := make([]Vector, 0, len(f.Cases))
	for i, c := range f.Cases {
		std := c.GoStdlib
		out = append(out, Vector{Name: fmt.Sprintf("speccheck/%d %s", i, c.Note), PubKey: mustHex(c.PubKey), Message: mustHex(c.Message),
			Signature: mustHex(c.Signature), ZIP215: c.ZIP215, GoStdlib: &std})
	}
	return out
}

func mustDecode(b []byte, v any) {
	if err := json.Unmarshal(b, v); err != nil {
		panic(fmt.Sprintf("signaturetest: embedded vectors: %v", err))
	}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(fmt.Sprintf("signaturetest: embedded vectors: %v", err))
	}
	return b
}
