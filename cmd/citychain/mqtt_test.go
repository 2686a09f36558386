package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citychain/citychain/cmd/citychain/devnet/mqttauth"
	"github.com/citychain/citychain/edge/reading"
)

// TestMQTTCommands writes an ACL and password file with `mqtt acl`, sets a
// password with `mqtt passwd --stdin`, and checks the files decide what
// they should.
func TestMQTTCommands(t *testing.T) {
	dir := t.TempDir()
	aclFile, pwFile := filepath.Join(dir, "acl"), filepath.Join(dir, "passwd")
	run := func(stdin string, args ...string) string {
		t.Helper()
		var out bytes.Buffer
		root := newRootCmd(&out)
		root.SetArgs(args)
		root.SetIn(strings.NewReader(stdin))
		if err := root.Execute(); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out.String()
	}
	out := run("", "mqtt", "acl", "--gateway", "gw-01=inv01,inv02", "--gateway", "gw-02=inv03", "--settlement", "settle", "--observer", "ops",
		"--acl-file", aclFile, "--passwd-file", pwFile)
	printed := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		u, p, _ := strings.Cut(l, " ")
		printed[u] = p
	}
	if len(printed) != 4 || printed["gw-01"] == "" || printed["ops"] == "" {
		t.Fatalf("printed %q, want a password for each of 4 users", out)
	}
	run("new secret\n", "mqtt", "passwd", "--file", pwFile, "--stdin", "gw-02")
	gen := strings.Fields(run("", "mqtt", "passwd", "--file", pwFile, "extra"))
	pw, err := mqttauth.LoadPasswords(pwFile)
	if err != nil {
		t.Fatal(err)
	}
	if !pw.Verify("gw-01", printed["gw-01"]) || !pw.Verify("gw-02", "new secret") || pw.Verify("gw-02", printed["gw-02"]) {
		t.Error("passwords in the file are not the printed / given ones")
	}
	if len(gen) != 2 || !pw.Verify("extra", gen[1]) {
		t.Errorf("generated password %q does not verify", gen)
	}
	acl, err := mqttauth.LoadACL(aclFile)
	if err != nil {
		t.Fatal(err)
	}
	if !acl.CanPublish("gw-01", "edge-gw-01", reading.Topic("inv02")) || acl.CanPublish("gw-01", "edge-gw-01", reading.Topic("inv03")) {
		t.Error("gw-01: want its own devices only")
	}
	if !acl.CanSubscribe("settle", "s", "$share/settle/"+reading.TopicPrefix+"+") || acl.CanPublish("settle", "s", reading.Topic("inv01")) {
		t.Error("settle: want read-only readings")
	}
}
