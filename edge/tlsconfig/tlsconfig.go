// Package tlsconfig builds the TLS configurations of citychain's services
// from PEM files: the MQTT clients' (the edge agent and settlement) and the
// HTTPS servers' (the city API, settlement's metrics). Every one requires
// TLS 1.2 at least. It lives with the edge agent, which may import nothing
// from the other components, and is shared with them deliberately.
package tlsconfig

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// Client is the configuration of a client that checks the server's
// certificate for serverName (the dialled host when empty) against the CA
// certificates in caFile (the system's roots when empty) and presents the
// certificate in certFile with the key in keyFile (none when certFile is
// empty).
func Client(serverName, caFile, certFile, keyFile string) (*tls.Config, error) {
	c := &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("CA file: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s: no PEM certificate found", caFile)
		}
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("client certificate %s and key %s: %w", certFile, keyFile, err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// Server is the configuration of a server presenting the certificate (chain)
// in certFile with the key in keyFile.
func Server(certFile, keyFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate %s and key %s: %w", certFile, keyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
