package devnet

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/citychain/citychain/cmd/citychain/devnet/mqttauth"
	"github.com/citychain/citychain/edge/reading"
)

// TestEnsureMQTTAuth: a home gets its files on first use; a second start
// keeps every password and file; a changed gateway layout rewrites only the
// ACL (reported); a home that lost its files (one made before they
// existed) gets them again.
func TestEnsureMQTTAuth(t *testing.T) {
	home := t.TempDir()
	users := mqttauth.Users{
		Gateways:   []mqttauth.Gateway{{Name: "gw-01", Devices: []string{"a", "b"}}, {Name: "gw-02", Devices: []string{"c"}}},
		Settlement: []string{SettlementUser}, Observers: []string{ObserverUser},
	}
	f1, changed, err := ensureMQTTAuth(home, users)
	if err != nil || changed {
		t.Fatalf("first: changed %v, %v", changed, err)
	}
	passwd := filepath.Join(MQTTDir(home), "passwd")
	b1, _ := os.ReadFile(passwd)
	f2, changed, err := ensureMQTTAuth(home, users)
	if err != nil || changed {
		t.Fatalf("second: changed %v, %v", changed, err)
	}
	b2, _ := os.ReadFile(passwd)
	if string(b1) != string(b2) || f1.passwords["gw-01"] != f2.passwords["gw-01"] {
		t.Error("a second start changed the password file or a password")
	}
	for _, u := range users.Names() {
		if !f2.pw.Verify(u, f2.passwords[u]) {
			t.Errorf("%s: password does not verify", u)
		}
	}
	users.Gateways = []mqttauth.Gateway{{Name: "gw-01", Devices: []string{"a"}}, {Name: "gw-02", Devices: []string{"b", "c"}}}
	f3, changed, err := ensureMQTTAuth(home, users)
	if err != nil || !changed {
		t.Fatalf("new layout: changed %v, %v; want the ACL rewritten", changed, err)
	}
	if !f3.acl.CanPublish("gw-02", "x", reading.Topic("b")) || f3.acl.CanPublish("gw-01", "x", reading.Topic("b")) {
		t.Error("rewritten ACL does not follow the new layout")
	}
	if err := os.RemoveAll(MQTTDir(home)); err != nil {
		t.Fatal(err)
	}
	f4, _, err := ensureMQTTAuth(home, users)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"passwd", "acl", "credentials.json"} {
		if st, err := os.Stat(filepath.Join(MQTTDir(home), name)); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want it written, 0600", name, err, st)
		}
	}
	if !f4.pw.Verify("gw-01", f4.passwords["gw-01"]) {
		t.Error("regenerated password file does not verify")
	}
}
