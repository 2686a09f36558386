package devnet_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/citychain/citychain/cmd/citychain/devnet"
	"github.com/citychain/citychain/cmd/citychain/devnet/mqttauth"
	"github.com/citychain/citychain/cmd/citychain/local"
	"github.com/citychain/citychain/edge/reading"
)

// TestDevnetBrokerAuth runs a devnet on its embedded broker: the home gets
// HOME/mqtt/passwd and acl, the edge agents publish with their gateways'
// credentials and settlement stores their readings with its own; an
// anonymous client is refused, the observer reads every gateway's
// readings.
func TestDevnetBrokerAuth(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole system")
	}
	if _, err := local.InfluxdBinary(); err != nil {
		local.SkipOrFail(t, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	home := t.TempDir()
	cfg := devnet.Config{
		Home: home, RPCListen: "tcp://" + local.FreeAddr(t), P2PListen: "tcp://" + local.FreeAddr(t),
		TimeoutCommit: 200 * time.Millisecond, CometLogLevel: "none",
		MQTTListen: "127.0.0.1:0", InfluxListen: "127.0.0.1:0",
		Inverters: 3, EVs: 1, SimBasePort: 0, PollInterval: 250 * time.Millisecond, GatewaySize: 2,
		IntervalSeconds: 6, NoTrader: true,
	}
	sys, err := devnet.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := sys.Close(); err != nil {
			t.Error(err)
		}
	}()
	dir := devnet.MQTTDir(home)
	pw, err := mqttauth.LoadPasswords(filepath.Join(dir, "passwd"))
	if err != nil {
		t.Fatal(err)
	}
	acl, err := mqttauth.LoadACL(filepath.Join(dir, "acl"))
	if err != nil {
		t.Fatal(err)
	}
	if !pw.Verify(sys.MQTTObserver, sys.MQTTObserverPassword) {
		t.Fatal("observer's password not in HOME/mqtt/passwd")
	}
	if acl.CanPublish("gw-01", "edge-gw-01", reading.TopicPrefix+sys.Manifest.Devices[2].ID) {
		t.Errorf("gw-01 may publish gw-02's device %s", sys.Manifest.Devices[2].ID)
	}

	if c, err := mqttConnect(sys.MQTTURL, "", "", "anon"); err == nil {
		c.Disconnect(0)
		t.Error("anonymous client connected to the devnet broker")
	}
	obs, err := mqttConnect(sys.MQTTURL, sys.MQTTObserver, sys.MQTTObserverPassword, "observer")
	if err != nil {
		t.Fatal(err)
	}
	defer obs.Disconnect(50)
	devices := make(chan string, 1000)
	if tok := obs.Subscribe(reading.TopicPrefix+"+", 1, func(_ mqtt.Client, m mqtt.Message) {
		if r, err := reading.Decode(m.Payload()); err == nil {
			devices <- r.DeviceID
		}
	}); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	seen := map[string]bool{}
	for len(seen) < len(sys.Manifest.Devices) {
		select {
		case d := <-devices:
			seen[d] = true
		case <-ctx.Done():
			t.Fatalf("readings seen from %v only", seen)
		}
	}
	for sys.Settlement.Stats().Accepted == 0 {
		if ctx.Err() != nil {
			t.Fatal("settlement stored no reading")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if st := sys.Settlement.Stats(); st.RejectedTotal() != 0 {
		t.Errorf("settlement rejected readings: %v", st.Rejected)
	}
}
