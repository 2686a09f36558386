package settlement_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/settlement"
)

// TestMQTTOverTLS runs settlement against a real Mosquitto TLS listener
// that requires a client certificate from a CA made in the test: the
// replica subscribes with its client certificate, receives and stores a
// reading, and serves /metrics over HTTPS; a replica trusting another CA
// fails at once with an error naming the certificate problem.
func TestMQTTOverTLS(t *testing.T) {
	dir := t.TempDir()
	certs, err := local.NewCerts(filepath.Join(dir, "ca"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := local.NewCerts(filepath.Join(dir, "other"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, local.MosquittoOptions{TLS: &local.MosquittoTLS{
		CAFile: certs.CAFile, CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, RequireCertificate: true,
	}}, 6, device{"inv-tls", tx.KindSolarInverter})
	if !strings.HasPrefix(e.mq.URL(), "ssl://") {
		t.Fatalf("broker URL %s, want ssl://", e.mq.URL())
	}
	port, err := local.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.config("settle-tls")
	cfg.NoAnchor = true
	cfg.MQTTCAFile, cfg.MQTTCertFile, cfg.MQTTKeyFile = certs.CAFile, certs.ClientCertFile, certs.ClientKeyFile
	cfg.MetricsAddr = fmt.Sprintf("127.0.0.1:%d", port)
	cfg.TLSCertFile, cfg.TLSKeyFile = certs.ServerCertFile, certs.ServerKeyFile
	r := e.start(cfg)

	clientCert, err := tls.LoadX509KeyPair(certs.ClientCertFile, certs.ClientKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	pub := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(e.mq.URL()).SetClientID("pub-tls").
		SetTLSConfig(&tls.Config{RootCAs: certs.Pool, Certificates: []tls.Certificate{clientCert}}))
	if tok := pub.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publisher connect over TLS: %v", tok.Error())
	}
	defer pub.Disconnect(100)
	e.publish(pub, e.sign("inv-tls", 1, time.Now().UnixMilli(), 1000))
	e.waitFor("the reading stored", 30*time.Second, func() bool { return r.Stats().Accepted == 1 })

	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: certs.Pool}}}
	var body []byte
	e.waitFor("HTTPS /metrics", 10*time.Second, func() bool {
		res, err := hc.Get("https://" + cfg.MetricsAddr + "/metrics")
		if err != nil {
			return false
		}
		defer res.Body.Close()
		body, _ = io.ReadAll(res.Body)
		return res.StatusCode == http.StatusOK
	})
	if !strings.Contains(string(body), "settlement_") {
		t.Errorf("HTTPS /metrics: %.200s; want settlement metrics", body)
	}
	// Subscribed (a reading was stored): ready.
	if res, err := hc.Get("https://" + cfg.MetricsAddr + "/readyz"); err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("/readyz after the subscription: %v %v, want 200", res, err)
	} else {
		res.Body.Close()
	}

	// Another CA: the broker's certificate does not verify.
	bad := e.config("settle-wrong-ca")
	bad.NoAnchor = true
	bad.MQTTCAFile, bad.MQTTCertFile, bad.MQTTKeyFile = other.CAFile, certs.ClientCertFile, certs.ClientKeyFile
	svc, err := settlement.New(bad, nil, settlement.Deps{Chain: e.chain})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
	defer cancel()
	err = svc.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "does not verify against the MQTT CA ("+other.CAFile+")") {
		t.Errorf("wrong CA: Run returned %v, want an error naming the certificate and the CA file", err)
	}
}

// TestTLSConfigErrors: half a key pair, TLS files on a plain URL, a CA
// file without certificates are refused by New, naming what is wrong.
func TestTLSConfigErrors(t *testing.T) {
	base := settlement.Config{MQTTURL: "ssl://127.0.0.1:8883", InfluxURL: "http://127.0.0.1:1", InfluxBucket: "b", NoAnchor: true}
	empty := filepath.Join(t.TempDir(), "empty.pem")
	if err := writeEmpty(empty); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		edit func(*settlement.Config)
		want string
	}{
		{"cert without key", func(c *settlement.Config) { c.MQTTCertFile = "client.pem" }, "want both files or neither"},
		{"metrics cert without key", func(c *settlement.Config) { c.TLSCertFile = "server.pem" }, "metrics TLS certificate"},
		{"CA on tcp", func(c *settlement.Config) { c.MQTTURL, c.MQTTCAFile = "tcp://127.0.0.1:1883", "ca.pem" }, "is plain MQTT but TLS files are set; want ssl://127.0.0.1:1883"},
		{"bad scheme", func(c *settlement.Config) { c.MQTTURL = "http://127.0.0.1:1883" }, `scheme "http"`},
		{"empty CA", func(c *settlement.Config) { c.MQTTCAFile = empty }, "no PEM certificate found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := base
			c.edit(&cfg)
			_, err := settlement.New(cfg, nil, settlement.Deps{Chain: nilSafeClient(t)})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func writeEmpty(path string) error { return os.WriteFile(path, nil, 0o600) }

func nilSafeClient(t *testing.T) *client.Client {
	c, err := client.New("tcp://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	return c
}
