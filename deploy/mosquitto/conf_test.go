package mosquitto_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/citychain/citychain/cmd/citychain/devnet/mqttauth"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/edge/reading"
)

// TestProductionConfig runs deploy/mosquitto/mosquitto.conf, its paths
// moved to temporary directories and its port to a free one, in a real
// Mosquitto: a generated gateway user connects over TLS and its reading
// reaches settlement; an anonymous client and a plain-TCP client do not
// get in.
func TestProductionConfig(t *testing.T) {
	dir := t.TempDir()
	certs, err := local.NewCerts(filepath.Join(dir, "certs"))
	if err != nil {
		t.Fatal(err)
	}
	etc, data, logs := filepath.Join(dir, "citychain"), filepath.Join(dir, "data"), filepath.Join(dir, "log")
	for _, d := range []string{etc, data, logs} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	users := mqttauth.Users{Gateways: []mqttauth.Gateway{{Name: "gw-01", Devices: []string{"inv01"}}}, Settlement: []string{"settlement"}}
	acl, err := users.ACLFile()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(etc, "acl"), []byte(acl), 0o600); err != nil {
		t.Fatal(err)
	}
	var pw mqttauth.Passwords
	passwords := map[string]string{}
	for _, u := range users.Names() {
		passwords[u] = mqttauth.NewPassword()
		if err := pw.Set(u, passwords[u]); err != nil {
			t.Fatal(err)
		}
	}
	if err := pw.Save(filepath.Join(etc, "passwd")); err != nil {
		t.Fatal(err)
	}

	conf, err := os.ReadFile("mosquitto.conf")
	if err != nil {
		t.Fatal(err)
	}
	port, err := local.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	text := string(conf)
	for _, r := range [][2]string{
		{"\nlistener 8883\n", fmt.Sprintf("\nlistener %d 127.0.0.1\n", port)},
		{"\nuser mosquitto\n", "\nuser " + me.Username + "\n"},
		{"/etc/mosquitto/certs/ca.pem", certs.CAFile},
		{"/etc/mosquitto/certs/server.pem", certs.ServerCertFile},
		{"/etc/mosquitto/certs/server-key.pem", certs.ServerKeyFile},
		{"/etc/mosquitto/citychain/", etc + "/"},
		{"/var/lib/mosquitto/", data + "/"},
		{"/var/log/mosquitto/", logs + "/"},
	} {
		if !strings.Contains(text, r[0]) {
			t.Fatalf("mosquitto.conf has no %q to substitute", r[0])
		}
		text = strings.ReplaceAll(text, r[0], r[1])
	}
	confPath := filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(confPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, err := local.StartMosquittoConfig(ctx, dir, confPath, fmt.Sprintf("127.0.0.1:%d", port), true)
	if err != nil {
		local.SkipOrFail(t, err)
	}
	defer m.Stop()

	connect := func(url, user string, tlsCfg *tls.Config) (mqtt.Client, error) {
		o := mqtt.NewClientOptions().AddBroker(url).SetClientID("c-" + user).SetAutoReconnect(false).SetConnectTimeout(5 * time.Second)
		if user != "" {
			o.SetUsername(user).SetPassword(passwords[user])
		}
		if tlsCfg != nil {
			o.SetTLSConfig(tlsCfg)
		}
		c := mqtt.NewClient(o)
		tok := c.Connect()
		if !tok.WaitTimeout(10 * time.Second) {
			return nil, fmt.Errorf("connect timed out")
		}
		return c, tok.Error()
	}
	tlsCfg := &tls.Config{RootCAs: certs.Pool}
	settle, err := connect(m.URL(), "settlement", tlsCfg)
	if err != nil {
		t.Fatalf("settlement over TLS: %v (log: %s)", err, logs)
	}
	defer settle.Disconnect(50)
	got := make(chan string, 1)
	if tok := settle.Subscribe("$share/settle/"+reading.TopicPrefix+"+", 1, func(_ mqtt.Client, msg mqtt.Message) { got <- string(msg.Payload()) }); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	gw, err := connect(m.URL(), "gw-01", tlsCfg)
	if err != nil {
		t.Fatalf("gw-01 over TLS: %v", err)
	}
	defer gw.Disconnect(50)
	if tok := gw.Publish(reading.Topic("inv01"), 1, false, "reading"); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
	select {
	case p := <-got:
		if p != "reading" {
			t.Errorf("settlement got %q, want \"reading\"", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("settlement never received the reading")
	}

	if c, err := connect(m.URL(), "", tlsCfg); err == nil {
		c.Disconnect(0)
		t.Error("anonymous client connected")
	}
	if c, err := connect("tcp://"+m.Addr, "gw-01", nil); err == nil {
		c.Disconnect(0)
		t.Error("plain-TCP client connected to the TLS listener")
	}
}
