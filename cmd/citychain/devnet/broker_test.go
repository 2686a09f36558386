package devnet_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/citychain/citychain/cmd/citychain/devnet"
	"github.com/citychain/citychain/cmd/citychain/devnet/mqttauth"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/edge/reading"
)

type brokerMsg struct{ topic, payload string }

// mqttConnect connects a client; a refused connection is an error.
func mqttConnect(url, user, password, id string) (mqtt.Client, error) {
	o := mqtt.NewClientOptions().AddBroker(url).SetClientID(id).SetAutoReconnect(false).SetConnectTimeout(10 * time.Second)
	if user != "" {
		o.SetUsername(user).SetPassword(password)
	}
	c := mqtt.NewClient(o)
	tok := c.Connect()
	if !tok.WaitTimeout(15 * time.Second) {
		return nil, fmt.Errorf("connect %s: timed out", user)
	}
	return c, tok.Error()
}

// TestBrokerAuth runs the same password file and ACL in real Mosquitto and
// in the embedded broker and checks each does what the files say: no
// anonymous or wrongly authenticated clients; a gateway's readings for its
// own devices delivered, for another gateway's devices not; settlement
// receives through its shared subscription and cannot publish readings.
func TestBrokerAuth(t *testing.T) {
	dir := t.TempDir()
	users := mqttauth.Users{
		Gateways:   []mqttauth.Gateway{{Name: "gw-01", Devices: []string{"inv01", "inv02"}}, {Name: "gw-02", Devices: []string{"inv03"}}},
		Settlement: []string{devnet.SettlementUser}, Observers: []string{devnet.ObserverUser},
	}
	passwords := map[string]string{}
	var pw mqttauth.Passwords
	for _, u := range users.Names() {
		passwords[u] = mqttauth.NewPassword()
		if err := pw.Set(u, passwords[u]); err != nil {
			t.Fatal(err)
		}
	}
	pwFile, aclFile := filepath.Join(dir, "passwd"), filepath.Join(dir, "acl")
	if err := pw.Save(pwFile); err != nil {
		t.Fatal(err)
	}
	text, err := users.ACLFile()
	if err != nil {
		t.Fatal(err)
	}
	if err := writeFile(aclFile, text); err != nil {
		t.Fatal(err)
	}
	acl, err := mqttauth.LoadACL(aclFile)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	brokers := []struct {
		name  string
		start func(t *testing.T) string
	}{
		{"mosquitto", func(t *testing.T) string {
			m, err := local.StartMosquitto(ctx, t.TempDir(), local.MosquittoOptions{PasswordFile: pwFile, ACLFile: aclFile})
			if err != nil {
				local.SkipOrFail(t, err)
			}
			t.Cleanup(func() { _ = m.Stop() })
			return m.URL()
		}},
		{"embedded", func(t *testing.T) string {
			b, err := devnet.StartBroker("127.0.0.1:0", devnet.BrokerAuth{Passwords: &pw, ACL: acl}, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = b.Close() })
			return b.URL()
		}},
	}
	for _, b := range brokers {
		t.Run(b.name, func(t *testing.T) {
			url := b.start(t)
			connect := func(user, id string) mqtt.Client {
				t.Helper()
				c, err := mqttConnect(url, user, passwords[user], id)
				if err != nil {
					t.Fatalf("%s: %v", user, err)
				}
				t.Cleanup(func() { c.Disconnect(50) })
				return c
			}
			subscribe := func(c mqtt.Client, filter string) <-chan brokerMsg {
				t.Helper()
				ch := make(chan brokerMsg, 100)
				tok := c.Subscribe(filter, 1, func(_ mqtt.Client, m mqtt.Message) { ch <- brokerMsg{m.Topic(), string(m.Payload())} })
				if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
					t.Fatalf("subscribe %s: %v", filter, tok.Error())
				}
				return ch
			}
			publish := func(c mqtt.Client, topic, payload string) {
				// A denied QoS 1 publish: Mosquitto acknowledges it,
				// mochi disconnects; either way it must not be delivered.
				c.Publish(topic, 1, false, payload).WaitTimeout(10 * time.Second)
			}
			// await reads ch until payload arrives; forbidden must not come first.
			await := func(ch <-chan brokerMsg, payload, forbidden string) {
				t.Helper()
				for {
					select {
					case m := <-ch:
						if forbidden != "" && m.payload == forbidden {
							t.Fatalf("delivered %q on %s; the ACL forbids it", m.payload, m.topic)
						}
						if m.payload == payload {
							return
						}
					case <-time.After(15 * time.Second):
						t.Fatalf("%q never delivered", payload)
					}
				}
			}
			obs := subscribe(connect(devnet.ObserverUser, "observer"), reading.TopicPrefix+"#")

			t.Run("no credentials refused", func(t *testing.T) {
				if c, err := mqttConnect(url, "", "", "anon"); err == nil {
					c.Disconnect(0)
					t.Fatal("anonymous client connected")
				}
			})
			t.Run("wrong password refused", func(t *testing.T) {
				if c, err := mqttConnect(url, "gw-01", passwords["gw-02"], "edge-gw-01"); err == nil {
					c.Disconnect(0)
					t.Fatal("gw-01 connected with gw-02's password")
				}
			})
			t.Run("gateway publishes its own device", func(t *testing.T) {
				publish(connect("gw-01", "edge-gw-01"), reading.Topic("inv02"), "own-1")
				await(obs, "own-1", "")
			})
			t.Run("gateway cannot publish another gateway's device", func(t *testing.T) {
				publish(connect("gw-01", "edge-gw-01-a"), reading.Topic("inv03"), "forged")
				// A later reading of gw-01 arrives; the forged one never did.
				publish(connect("gw-01", "edge-gw-01-b"), reading.Topic("inv01"), "own-2")
				await(obs, "own-2", "forged")
			})
			t.Run("settlement receives through $share", func(t *testing.T) {
				got := subscribe(connect(devnet.SettlementUser, "settle-1"), "$share/settle/"+reading.TopicPrefix+"+")
				publish(connect("gw-02", "edge-gw-02"), reading.Topic("inv03"), "own-3")
				await(got, "own-3", "")
				await(obs, "own-3", "")
			})
			t.Run("settlement cannot publish readings", func(t *testing.T) {
				publish(connect(devnet.SettlementUser, "settle-2"), reading.Topic("inv01"), "relay-forged")
				publish(connect("gw-01", "edge-gw-01-c"), reading.Topic("inv01"), "own-4")
				await(obs, "own-4", "relay-forged")
			})
		})
	}
}

func writeFile(path, text string) error {
	return writeBytes(path, []byte(strings.TrimLeft(text, "\n")))
}

func writeBytes(path string, b []byte) error { return os.WriteFile(path, b, 0o600) }
