package tlsconfig

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestClient(t *testing.T) {
	c, err := Client("broker.example", "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if c.ServerName != "broker.example" || c.MinVersion != tls.VersionTLS12 || c.RootCAs != nil || len(c.Certificates) != 0 {
		t.Errorf("Client with no files: got %+v, want server name, TLS 1.2 and nothing else", c)
	}

	empty := filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, ca, cert, key, want string }{
		{"missing CA", filepath.Join(t.TempDir(), "none.pem"), "", "", "CA file: open "},
		{"empty CA", empty, "", "", "CA file " + empty + ": no PEM certificate found"},
		{"bad client certificate", "", empty, empty, "client certificate " + empty + " and key " + empty + ": "},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Client("", c.ca, c.cert, c.key); err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("got %v, want an error starting %q", err, c.want)
			}
		})
	}
}

func TestServerBadFiles(t *testing.T) {
	if _, err := Server("cert.pem", "key.pem"); err == nil || !strings.HasPrefix(err.Error(), "TLS certificate cert.pem and key key.pem: ") {
		t.Errorf("got %v, want an error naming both files", err)
	}
}
