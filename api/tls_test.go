package api

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/cmd/citychain/local"
)

// TestServeTLS serves the API over HTTPS with a certificate from a test CA:
// a client trusting the CA gets the OpenAPI document, a plain-HTTP client
// gets none of it, and a certificate without its key is refused.
func TestServeTLS(t *testing.T) {
	certs, err := local.NewCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	nc, err := client.New("tcp://127.0.0.1:1") // no node needed for /openapi.json
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{TLSCertFile: certs.ServerCertFile}, nc); err == nil || !strings.Contains(err.Error(), "want both files or neither") {
		t.Errorf("certificate without key: error %v, want one naming both files", err)
	}
	if _, err := New(Config{TLSCertFile: certs.ServerCertFile, TLSKeyFile: certs.ClientKeyFile}, nc); err == nil {
		t.Error("certificate with another certificate's key accepted")
	}
	s, err := New(Config{TLSCertFile: certs.ServerCertFile, TLSKeyFile: certs.ServerKeyFile}, nc)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Error(err)
		}
	}()
	addr := ln.Addr().String()

	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: certs.Pool}}}
	resp, err := hc.Get("https://" + addr + "/openapi.json")
	if err != nil {
		t.Fatalf("HTTPS with the test CA: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"openapi"`) {
		t.Errorf("HTTPS: status %d, body %.100s; want 200 and the OpenAPI document", resp.StatusCode, body)
	}

	// Plain HTTP to the TLS port: Go answers 400 and nothing of the API.
	resp, err = http.Get("http://" + addr + "/openapi.json")
	if err == nil {
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK || strings.Contains(string(body), `"openapi"`) {
			t.Errorf("plain HTTP served: status %d, body %.100s", resp.StatusCode, body)
		}
	}
	// A client not trusting the CA refuses the server.
	if _, err := http.Get("https://" + addr + "/openapi.json"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("HTTPS without the test CA: error %v, want a certificate error", err)
	}
}
