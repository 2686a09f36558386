package local

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

func TestFindRepoRoot(t *testing.T) {
	root, err := FindRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("root: got %q", root)
	}
}

func connect(t *testing.T, url, id string, clean bool) mqtt.Client {
	t.Helper()
	o := mqtt.NewClientOptions().AddBroker(url).SetClientID(id).SetCleanSession(clean).SetAutoReconnect(false)
	c := mqtt.NewClient(o)
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect %s: %v", id, tok.Error())
	}
	return c
}

// A message queued for an offline persistent session survives a stop of
// the broker and is delivered after Restart; a SIGKILLed broker restarts on
// the same port.
func TestMosquittoKillRestartKeepsQueue(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, err := StartMosquitto(ctx, t.TempDir(), MosquittoOptions{})
	if err != nil {
		SkipOrFail(t, err)
	}
	t.Cleanup(func() { _ = m.Stop() })

	sub := connect(t, m.URL(), "sub", false)
	if tok := sub.Subscribe("q/#", 1, nil); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	sub.Disconnect(100)

	pub := connect(t, m.URL(), "pub", true)
	if tok := pub.Publish("q/1", 1, false, "kept"); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	pub.Disconnect(100)

	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := m.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.Kill(); err != nil {
		t.Fatal(err)
	}
	if m.Running() {
		t.Fatal("running after Kill")
	}
	if err := m.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	o := mqtt.NewClientOptions().AddBroker(m.URL()).SetClientID("sub").SetCleanSession(false).
		SetDefaultPublishHandler(func(_ mqtt.Client, msg mqtt.Message) { got <- string(msg.Payload()) })
	c := mqtt.NewClient(o)
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	defer c.Disconnect(100)
	select {
	case p := <-got:
		if p != "kept" {
			t.Fatalf("payload: got %q, want kept", p)
		}
	case <-ctx.Done():
		b, _ := os.ReadFile(m.LogPath())
		t.Fatalf("queued message not delivered after restart\n%s", b)
	}
}

func influxQuery(t *testing.T, db *InfluxDB, q string) string {
	t.Helper()
	res, err := http.Get(db.URL + "/query?" + url.Values{"db": {db.Database}, "q": {q}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// Written points survive a SIGKILL (the WAL is fsync'd per write).
func TestInfluxDBKillRestartKeepsData(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, err := StartInfluxDB(ctx, t.TempDir(), InfluxDBOptions{Database: "meters"})
	if err != nil {
		SkipOrFail(t, err)
	}
	t.Cleanup(func() { _ = db.Stop() })
	if db.Bucket != "meters/autogen" {
		t.Fatalf("bucket: got %q, want meters/autogen", db.Bucket)
	}
	line := "m,device=a v=42i 1767225600000000000"
	res, err := http.Post(db.URL+"/api/v2/write?bucket="+url.QueryEscape(db.Bucket)+"&precision=ns", "text/plain", strings.NewReader(line))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("write: got status %d, want 204", res.StatusCode)
	}
	if err := db.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := db.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	out := influxQuery(t, db, "SELECT v FROM m")
	if !strings.Contains(out, "42") {
		t.Fatalf("after restart: got %s, want the point with v=42", out)
	}
}
